import { Injectable } from '@nestjs/common';
import type { Audience } from '@switchboard/contracts';
import { SegmentsService } from '../segments/segments.service';
import { AudienceRepository, type ResolvedAudience } from './audience.repository';

/** Who a broadcast goes to (DESIGN §7.4): included segments minus excluded ones, each contact once. */
@Injectable()
export class AudienceService {
  constructor(
    private readonly segments: SegmentsService,
    private readonly audiences: AudienceRepository,
  ) {}

  async page(audience: Audience, after: string | null, limit: number) {
    const contactIds = await this.audiences.page(await this.resolve(audience), after, limit);
    return { contactIds, next: contactIds.length === limit ? contactIds[contactIds.length - 1] : null };
  }

  async count(audience: Audience) {
    return { count: await this.audiences.count(await this.resolve(audience)) };
  }

  private async resolve(audience: Audience): Promise<ResolvedAudience> {
    const [include, exclude] = await Promise.all([
      audience.all ? [] : this.segments.definitions(audience.include),
      this.segments.definitions(audience.exclude),
    ]);
    return { all: audience.all === true, include, exclude };
  }
}
