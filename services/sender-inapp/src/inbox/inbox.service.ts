import { Injectable } from '@nestjs/common';
import {
  DeliveryEventSchema,
  DomainError,
  isTestDispatch,
  NatsNames,
  type DeliveryEvent,
  type InboxListQuery,
  type InboxMessage,
} from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { InboxNotifier } from './inbox.notifier';
import { InboxRepository, type EntryRefs } from './inbox.repository';

/** A read-all opens at most this many messages per call (the widget calls again while any are left). */
const READ_ALL_LIMIT = 1_000;

/**
 * The end-user side of the inbox (DESIGN §7.7), behind the gateway's /inbox API. Reading is the
 * channel's `opened`: the event is published before the row is marked, under the id
 * `<dispatch>:opened`, so a crash in between repeats a publish that JetStream drops as a duplicate
 * instead of losing the open.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly repo: InboxRepository,
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    private readonly notifier: InboxNotifier,
  ) {}

  list(contactId: string, query: InboxListQuery): Promise<{ total: number; messages: InboxMessage[] }> {
    return this.repo.list(contactId, query);
  }

  async unreadCount(contactId: string): Promise<{ unread: number }> {
    return { unread: await this.repo.unreadCount(contactId) };
  }

  async read(contactId: string, id: number): Promise<{ message: InboxMessage; unread: number }> {
    const found = await this.repo.find(contactId, id);
    if (!found) throw DomainError.notFound();
    if (found.message.readAt === null) {
      const at = new Date();
      await this.opened([found.refs], at);
      await this.repo.markRead(contactId, [id], at);
      found.message.readAt = at.toISOString();
    }
    const unread = await this.repo.unreadCount(contactId);
    this.notifier.changed({ contactId, unread });
    return { message: found.message, unread };
  }

  async readAll(contactId: string): Promise<{ read: number; unread: number }> {
    const refs = await this.repo.unreadRefs(contactId, READ_ALL_LIMIT);
    if (refs.length) {
      const at = new Date();
      await this.opened(refs, at);
      await this.repo.markRead(
        contactId,
        refs.map((r) => r.id),
        at,
      );
    }
    const unread = await this.repo.unreadCount(contactId);
    this.notifier.changed({ contactId, unread });
    return { read: refs.length, unread };
  }

  async archive(contactId: string, id: number): Promise<{ archived: true; unread: number }> {
    if (!(await this.repo.archive(contactId, id))) throw DomainError.notFound();
    const unread = await this.repo.unreadCount(contactId);
    this.notifier.changed({ contactId, unread });
    return { archived: true, unread };
  }

  private async opened(refs: EntryRefs[], at: Date): Promise<void> {
    // A test send (POST /api/inappmessages/{id}/test) lands in the inbox but belongs to no message: nothing counts its read.
    const counted = refs.filter((r) => !isTestDispatch(r.dispatchId));
    if (!counted.length) return;
    await this.publisher.publishAll(
      counted.map((r) => {
        const event: DeliveryEvent = {
          eventId: `${r.dispatchId}:opened`,
          dispatchId: r.dispatchId,
          sendId: r.sendId,
          messageId: r.messageId,
          contactId: r.contactId,
          channel: 'inapp',
          event: 'opened',
          occurredAt: at.toISOString(),
          provider: 'inbox',
          ...(r.campaignId ? { campaignId: r.campaignId } : {}),
          ...(r.campaignEventId ? { campaignEventId: r.campaignEventId } : {}),
          ...(r.shipmentId ? { shipmentId: r.shipmentId } : {}),
        };
        return {
          subject: this.names.subjects.delivery('inapp', 'opened'),
          msgId: event.eventId!,
          schema: DeliveryEventSchema,
          payload: event,
        };
      }),
    );
  }
}
