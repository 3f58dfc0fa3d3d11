import { Injectable } from '@nestjs/common';
import {
  inboxArchive,
  inboxList,
  inboxRead,
  inboxReadAll,
  inboxUnreadCount,
  type RpcContract,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import type { z } from 'zod';
import { InboxService } from './inbox.service';

type Req<C extends RpcContract> = z.infer<C['request']>;

/** sb.rpc.sender-inapp.inbox.* — the gateway's /inbox API, for the contact its token names. */
@Injectable()
export class InboxRpc {
  constructor(private readonly inbox: InboxService) {}

  @RpcHandler(inboxList)
  list(req: Req<typeof inboxList>) {
    return this.inbox.list(req.contactId, req.query);
  }

  @RpcHandler(inboxUnreadCount)
  unreadCount(req: Req<typeof inboxUnreadCount>) {
    return this.inbox.unreadCount(req.contactId);
  }

  @RpcHandler(inboxRead)
  read(req: Req<typeof inboxRead>) {
    return this.inbox.read(req.contactId, req.id);
  }

  @RpcHandler(inboxReadAll)
  readAll(req: Req<typeof inboxReadAll>) {
    return this.inbox.readAll(req.contactId);
  }

  @RpcHandler(inboxArchive)
  archive(req: Req<typeof inboxArchive>) {
    return this.inbox.archive(req.contactId, req.id);
  }
}
