import { Injectable } from '@nestjs/common';
import type { SegmentDefinition } from './membership';
import { SegmentsRepository } from './segments.repository';

@Injectable()
export class SegmentsService {
  constructor(private readonly segments: SegmentsRepository) {}

  /** Membership definitions of the segments that exist among `ids`. */
  async definitions(ids: number[]): Promise<SegmentDefinition[]> {
    const rows = await this.segments.filtersOf([...new Set(ids)]);
    return rows.map((r) => ({ id: r.id, predicate: null }));
  }
}
