import { Inject, Injectable } from '@nestjs/common';
import {
  CHANNELS,
  DNC_REASONS,
  DomainError,
  ErrorCode,
  isChannel,
  preferencesContactsGet,
  preferencesContactsUpsert,
  preferencesDncAdd,
  preferencesDncRemove,
  type Channel,
  type Contact,
  type FrequencyTime,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { TrackingClaims } from '@switchboard/tracking';
import type { GatewayConfig } from '../gateway.config';
import type { ChannelChoice, FormErrors, PreferenceChoices } from './preference-form';
import { TrackingService } from './tracking.service';

export interface ChannelView {
  channel: Channel;
  subscribed: boolean;
  /** Why the contact cannot turn the channel back on here (a hard bounce or a spam complaint). */
  locked: 'bounced' | 'complained' | null;
  frequencyNumber: number | null;
  frequencyTime: FrequencyTime | null;
  pauseFrom: string | null;
  pauseTo: string | null;
}

export interface PreferencesView {
  preferredChannel: Channel | null;
  channels: ChannelView[];
}

/** Channels a contact can be reached on, plus the one the link came from and any with a setting. */
function channelsOf(contact: Contact, linkChannel: Channel): Channel[] {
  const reachable: Record<Channel, boolean> = {
    email: !!contact.email,
    sms: !!contact.mobile,
    notification: contact.webPushSubscriptions.length > 0,
    mobile_notification: contact.mobileDevices.length > 0,
    tweet: !!contact.twitterHandle,
    // Every contact has an inbox; listing it on every page would offer a channel the site may not use.
    inapp: false,
  };
  return CHANNELS.filter(
    (c) =>
      reachable[c] ||
      c === linkChannel ||
      c === contact.preferredChannel ||
      contact.frequencyRules[c] !== undefined ||
      contact.doNotContact.some((d) => d.channel === c),
  );
}

const DAY_MS = 86_400_000;
const dayOf = (v: string | null) => (v ? new Date(v).toISOString().slice(0, 10) : null);
/** Preferences stores a date-only `pauseTo` as the start of the next day: show the last paused day. */
const lastDayOf = (v: string | null) => {
  if (!v) return null;
  const t = new Date(v).getTime();
  return new Date(t % DAY_MS === 0 ? t - DAY_MS : t).toISOString().slice(0, 10);
};

/** Only what the contact changed is sent, so rules set through the API with exact times stay as they are. */
function changedRule(was: ChannelView, now: ChannelChoice): Record<string, unknown> {
  const rule: Record<string, unknown> = {};
  if (now.frequencyNumber !== was.frequencyNumber || now.frequencyTime !== was.frequencyTime) {
    rule.frequencyNumber = now.frequencyNumber;
    rule.frequencyTime = now.frequencyTime;
  }
  if (now.pauseFrom !== was.pauseFrom) rule.pauseFrom = now.pauseFrom;
  if (now.pauseTo !== was.pauseTo) rule.pauseTo = now.pauseTo;
  return rule;
}

/** The preference page (DESIGN §7.6): reads and changes the contact's preferences through the preferences service. */
@Injectable()
export class PreferencePageService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly tracking: TrackingService,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs };
  }

  async view(claims: TrackingClaims): Promise<PreferencesView> {
    return this.toView(await this.contact(claims), claims);
  }

  /** Applies the choices; validation errors from preferences come back as form errors. */
  async save(claims: TrackingClaims, choices: PreferenceChoices): Promise<FormErrors | undefined> {
    const before = this.toView(await this.contact(claims), claims);
    const offered = new Map(before.channels.map((c) => [c.channel, c]));
    const chosen = choices.channels.filter((c) => offered.has(c.channel));
    if (choices.preferredChannel && !offered.has(choices.preferredChannel))
      return { form: 'That channel cannot be chosen.' };
    try {
      await this.rpc.call(
        preferencesContactsUpsert,
        {
          contact: {
            id: claims.contactId,
            preferredChannel: choices.preferredChannel,
            frequencyRules: Object.fromEntries(
              chosen
                .map((c) => [c.channel, changedRule(offered.get(c.channel)!, c)] as const)
                .filter(([, rule]) => Object.keys(rule).length > 0),
            ),
          },
          mode: 'merge',
          mustExist: true,
        },
        this.options,
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.Validation) return { form: error.message };
      throw error;
    }
    for (const c of chosen) {
      const was = offered.get(c.channel)!;
      if (was.locked || was.subscribed === c.subscribed) continue;
      if (c.subscribed) {
        await this.rpc.call(
          preferencesDncRemove,
          { contactId: claims.contactId, channel: c.channel, by: 'contact' },
          this.options,
        );
        continue;
      }
      await this.rpc.call(
        preferencesDncAdd,
        {
          contactId: claims.contactId,
          channel: c.channel,
          reason: DNC_REASONS.unsubscribed,
          comments: 'Unsubscribed on the preference page.',
          source: `dispatch:${claims.dispatchId}`,
        },
        this.options,
      );
      // The link's own channel also counts as an unsubscribe of the message it came with.
      if (c.channel === claims.channel) await this.tracking.unsubscribed(claims);
    }
    return undefined;
  }

  /**
   * RFC 8058 one-click: the `unsubscribed` event (stats; preferences adds the entry from it) is
   * keyed once per dispatch, so after a re-subscribe a second unsubscribe from the same message
   * would be deduplicated: the entry is also added here, at once. A contact preferences does not
   * know still has its unsubscribe recorded.
   */
  async unsubscribe(claims: TrackingClaims): Promise<void> {
    await this.tracking.unsubscribed(claims);
    try {
      await this.rpc.call(
        preferencesDncAdd,
        {
          contactId: claims.contactId,
          channel: claims.channel,
          reason: DNC_REASONS.unsubscribed,
          comments: 'One-click unsubscribe.',
          source: `dispatch:${claims.dispatchId}`,
        },
        this.options,
      );
    } catch (error) {
      if (!(error instanceof DomainError && error.code === ErrorCode.NotFound)) throw error;
    }
  }

  private contact(claims: TrackingClaims): Promise<Contact> {
    return this.rpc.call(preferencesContactsGet, { id: claims.contactId }, this.options);
  }

  private toView(contact: Contact, claims: TrackingClaims): PreferencesView {
    return {
      preferredChannel: isChannel(contact.preferredChannel) ? contact.preferredChannel : null,
      channels: channelsOf(contact, claims.channel).map((channel) => {
        const rule = contact.frequencyRules[channel];
        const entries = contact.doNotContact.filter((d) => d.channel === channel);
        const locked = entries.some((d) => d.reason === DNC_REASONS.complained)
          ? 'complained'
          : entries.some((d) => d.reason === DNC_REASONS.bounced)
            ? 'bounced'
            : null;
        return {
          channel,
          subscribed: entries.length === 0,
          locked,
          frequencyNumber: rule?.frequencyNumber ?? null,
          frequencyTime: rule?.frequencyTime ?? null,
          pauseFrom: dayOf(rule?.pauseFrom ?? null),
          pauseTo: lastDayOf(rule?.pauseTo ?? null),
        };
      }),
    };
  }
}
