import { Injectable } from '@nestjs/common';
import { DNC_REASONS, DomainError, type Channel, type DeliveryEvent } from '@switchboard/contracts';
import { toContact, type Contact, type DncReason } from '../contacts/contact.record';
import { ContactsRepository } from '../contacts/contacts.repository';
import { DncRepository, type DncFromEvent } from './dnc.repository';

/** Reasons a contact's own re-subscribe may lift: bounced and complained stay until an admin removes them. */
const SELF_REMOVABLE: readonly DncReason[] = [DNC_REASONS.unsubscribed, DNC_REASONS.manual];
const ALL_REASONS: readonly DncReason[] = [1, 2, 3, 4];

const EVENT_REASON: Partial<Record<DeliveryEvent['event'], DncReason>> = {
  unsubscribed: DNC_REASONS.unsubscribed,
  bounced: DNC_REASONS.bounced,
  complained: DNC_REASONS.complained,
};

@Injectable()
export class DncService {
  constructor(
    private readonly dnc: DncRepository,
    private readonly contacts: ContactsRepository,
  ) {}

  async add(entry: {
    contactId: string;
    channel: Channel;
    reason: DncReason;
    comments?: string | null;
    source?: string | null;
  }): Promise<Contact> {
    return this.contacts.transaction(async (sql) => {
      if (!(await this.contacts.findOne(entry.contactId, sql))) throw DomainError.notFound();
      await this.dnc.add(
        { ...entry, comments: entry.comments ?? null, source: entry.source ?? null, dateAdded: new Date() },
        sql,
      );
      return toContact((await this.contacts.findOne(entry.contactId, sql))!);
    });
  }

  async remove(
    contactId: string,
    channel: Channel,
    by: 'admin' | 'contact',
  ): Promise<{ recordFound: boolean; contact: Contact }> {
    return this.contacts.transaction(async (sql) => {
      if (!(await this.contacts.findOne(contactId, sql))) throw DomainError.notFound();
      const removed = await this.dnc.remove(contactId, channel, by === 'admin' ? ALL_REASONS : SELF_REMOVABLE, sql);
      return { recordFound: removed > 0, contact: toContact((await this.contacts.findOne(contactId, sql))!) };
    });
  }

  /** Bounces, complaints and unsubscribes reported by senders and the unsubscribe page. */
  async addFromDeliveryEvents(events: DeliveryEvent[]): Promise<void> {
    const entries: DncFromEvent[] = [];
    for (const e of events) {
      const reason = EVENT_REASON[e.event];
      if (!reason) continue;
      entries.push({
        key: `${e.dispatchId}:${e.event}`,
        contactId: e.contactId,
        channel: e.channel,
        reason,
        comments: e.error?.message ?? e.event,
        source: e.dispatchId,
        dateAdded: new Date(e.occurredAt),
      });
    }
    await this.dnc.addFromEvents(entries);
  }
}
