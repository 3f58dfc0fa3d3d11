import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import {
  preferencesSegmentsContacts,
  preferencesSegmentsDelete,
  preferencesSegmentsGet,
  preferencesSegmentsList,
  preferencesSegmentsMembers,
  preferencesSegmentsOfContact,
  preferencesSegmentsPreview,
  preferencesSegmentsSave,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { SegmentsService } from './segments.service';

type Req<C extends { request: z.ZodType }> = z.infer<C['request']>;
type Res<C extends { response: z.ZodType }> = Promise<z.input<C['response']>>;

@Injectable()
export class SegmentsRpc {
  constructor(private readonly segments: SegmentsService) {}

  @RpcHandler(preferencesSegmentsList)
  list(req: Req<typeof preferencesSegmentsList>): Res<typeof preferencesSegmentsList> {
    return this.segments.list(req);
  }

  @RpcHandler(preferencesSegmentsGet)
  async get(req: Req<typeof preferencesSegmentsGet>): Res<typeof preferencesSegmentsGet> {
    return { segment: await this.segments.get(req.id) };
  }

  @RpcHandler(preferencesSegmentsSave)
  save(req: Req<typeof preferencesSegmentsSave>): Res<typeof preferencesSegmentsSave> {
    return this.segments.save(req);
  }

  @RpcHandler(preferencesSegmentsDelete)
  async delete(req: Req<typeof preferencesSegmentsDelete>): Res<typeof preferencesSegmentsDelete> {
    return { segment: await this.segments.delete(req.id) };
  }

  @RpcHandler(preferencesSegmentsMembers)
  async members(req: Req<typeof preferencesSegmentsMembers>): Res<typeof preferencesSegmentsMembers> {
    return { done: await this.segments.members(req.segmentId, req.action, req.contactIds) };
  }

  @RpcHandler(preferencesSegmentsContacts)
  contacts(req: Req<typeof preferencesSegmentsContacts>): Res<typeof preferencesSegmentsContacts> {
    return this.segments.contactsOf(req.segmentId, req.start, req.limit);
  }

  @RpcHandler(preferencesSegmentsOfContact)
  async ofContact(req: Req<typeof preferencesSegmentsOfContact>): Res<typeof preferencesSegmentsOfContact> {
    return { segments: await this.segments.ofContact(req.contactId) };
  }

  @RpcHandler(preferencesSegmentsPreview)
  async preview(req: Req<typeof preferencesSegmentsPreview>): Res<typeof preferencesSegmentsPreview> {
    return { count: await this.segments.preview(req.filters) };
  }
}
