import { Inject, Injectable } from '@nestjs/common';
import {
  preferencesContactsList,
  trackerDeliveriesList,
  trackerUnsubscriptionsList,
  type Contact,
  type DeliveriesPage,
  type DeliveriesRestQuery,
  type Unsubscription,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { GatewayConfig } from '../gateway.config';

export type UnsubscriptionView = Unsubscription & { active: boolean | null };

@Injectable()
export class DeliveriesService {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  page(q: DeliveriesRestQuery): Promise<DeliveriesPage> {
    const { search, limit, ...filters } = q;
    return this.rpc.call(
      trackerDeliveriesList,
      { ...filters, ...(search ? { search } : {}), limit: limit ?? 50 },
      { timeoutMs: this.config.rpcTimeoutMs },
    );
  }

  /**
   * Unsubscribes the tracker saw, each marked with whether the contact is still on the channel's
   * do-not-contact list (re-enrolment goes through POST /api/contacts/{id}/dnc/{channel}/remove).
   */
  async unsubscriptions(q: { search?: string; channel?: string; start?: number; limit?: number }) {
    const { total, unsubscriptions } = await this.rpc.call(
      trackerUnsubscriptionsList,
      {
        ...(q.search ? { search: q.search } : {}),
        channel: q.channel as never,
        start: q.start ?? 0,
        limit: q.limit ?? 30,
      },
      { timeoutMs: this.config.rpcTimeoutMs },
    );
    const contacts = await this.contactsOf(unsubscriptions.map((u) => u.contact.id));
    const views: UnsubscriptionView[] = unsubscriptions.map((u) => {
      const contact = contacts?.get(u.contact.id);
      const active = contacts ? (contact?.doNotContact.some((d) => d.channel === u.channel) ?? false) : null;
      return { ...u, active };
    });
    return { total, unsubscriptions: views };
  }

  /** The page's contacts in one call; undefined when preferences does not answer (the list still shows). */
  private async contactsOf(ids: string[]): Promise<Map<string, Contact> | undefined> {
    if (ids.length === 0) return new Map();
    try {
      const { contacts } = await this.rpc.call(
        preferencesContactsList,
        { search: `ids:${[...new Set(ids)].join(',')}`, limit: 0 },
        { timeoutMs: this.config.rpcTimeoutMs },
      );
      return new Map(contacts.map((c) => [c.id, c]));
    } catch (error) {
      this.logger.warn({ err: error }, 'unsubscriptions: contacts lookup failed');
      return undefined;
    }
  }
}
