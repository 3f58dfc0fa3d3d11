import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { PreferencesConfig } from '../preferences.config';
import { DNC_REASONS, DomainError, isTargetRemoval, type Channel, type DeliveryEvent } from '@switchboard/contracts';
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
    @Inject(SERVICE_CONFIG) private readonly config: PreferencesConfig,
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

  /**
   * Bounces, complaints and unsubscribes reported by senders and the unsubscribe page (DESIGN §6):
   * a hard bounce or a complaint adds do-not-contact on the channel (reason 2 or 4, the provider's
   * diagnostic as comments); `SOFT_BOUNCE_LIMIT` soft bounces in a row count as a hard one, and a
   * delivery in between starts the count again. A bounce that only removed a dead push
   * subscription or device (`meta.removedAddress`) adds nothing here: the contact loses that target
   * (PushTargetsService), not the channel.
   */
  async addFromDeliveryEvents(events: DeliveryEvent[]): Promise<void> {
    const entries: DncFromEvent[] = [];
    const soft: Array<{ key: string; event: DeliveryEvent }> = [];
    for (const e of events) {
      const reason = EVENT_REASON[e.event];
      if (!reason) continue;
      const key = e.event === 'bounced' && e.eventId ? e.eventId : `${e.dispatchId}:${e.event}`;
      if (isTargetRemoval(e)) continue;
      if (e.event === 'bounced' && bounceKind(e) === 'soft') {
        soft.push({ key, event: e });
        continue;
      }
      entries.push({
        key,
        contactId: e.contactId,
        channel: e.channel,
        reason,
        comments: diagnosticOf(e),
        source: e.dispatchId,
        dateAdded: new Date(e.occurredAt),
      });
    }
    if (soft.length === 0) return this.dnc.addFromEvents(entries);
    await this.contacts.transaction(async (sql) => {
      await this.dnc.addFromEvents(entries, sql);
      const fresh = await this.dnc.markProcessed(
        soft.map((s) => s.key),
        sql,
      );
      const ordered = soft
        .filter((s) => fresh.has(s.key))
        .sort((a, b) => a.event.occurredAt.localeCompare(b.event.occurredAt));
      for (const { event: e } of ordered) {
        const streak = await this.dnc.addSoftBounce(e.contactId, e.channel, new Date(e.occurredAt), sql);
        if (streak === undefined || streak < this.config.softBounceLimit) continue;
        await this.dnc.add(
          {
            contactId: e.contactId,
            channel: e.channel,
            reason: DNC_REASONS.bounced,
            comments: `${streak} soft bounces in a row; the last: ${diagnosticOf(e)}`,
            source: e.dispatchId,
            dateAdded: new Date(e.occurredAt),
          },
          sql,
        );
        await this.dnc.clearStreak(e.contactId, e.channel, sql);
      }
    });
  }

  /** A delivery proves the address works: soft bounces before it no longer count. */
  async resetBounceStreaks(events: DeliveryEvent[]): Promise<void> {
    await this.dnc.resetStreaks(
      events
        .filter((e) => e.event === 'delivered')
        .map((e) => ({ contactId: e.contactId, channel: e.channel, occurredAt: e.occurredAt })),
    );
  }
}

/** Soft when the reporter says so; a bounce that says nothing is hard (DESIGN §4.7: a hard bounce is permanent). */
function bounceKind(e: DeliveryEvent): 'hard' | 'soft' {
  if (e.meta?.bounce === 'soft' || e.meta?.bounce === 'hard') return e.meta.bounce;
  return e.error?.permanent === false ? 'soft' : 'hard';
}

function diagnosticOf(e: DeliveryEvent): string {
  const diagnostic = typeof e.meta?.diagnostic === 'string' ? e.meta.diagnostic : e.error?.message;
  return (diagnostic ?? e.event).slice(0, 2_000);
}
