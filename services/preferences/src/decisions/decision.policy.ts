import {
  DNC_REASON_NAMES,
  FREQUENCY_WINDOW_MS,
  isE164,
  type Channel,
  type Decision,
  type DecisionRequest,
  type Skipped,
} from '@switchboard/contracts';
import type { DecisionContact, RuleRecord } from '../contacts/contact.record';
import type { FrequencyLimit, PreferencesConfig } from '../preferences.config';
import { quietHoursEnd } from './quiet-hours';

export type DecisionSettings = PreferencesConfig['decisions'];

/** Reservations of one contact on one channel inside its rule's window: the newest `frequencyNumber` times, newest first. */
export interface ChannelUsage {
  newest: number[];
}

export interface ContactState {
  contact: DecisionContact;
  usage: Map<Channel, ChannelUsage>;
}

export interface Judgement {
  decision: Decision;
  /** The channel whose frequency slot the decision takes. */
  reserve?: Channel;
}

/**
 * The contact's rule when it has one for the channel (frequencyNumber 0 = no limit, which also
 * overrides the default), else the configured default.
 */
export function effectiveLimit(
  rule: RuleRecord | undefined,
  fallback: FrequencyLimit | undefined,
): FrequencyLimit | undefined {
  if (rule && rule.frequencyNumber !== null && rule.frequencyTime !== null) {
    return rule.frequencyNumber > 0
      ? { frequencyNumber: rule.frequencyNumber, frequencyTime: rule.frequencyTime }
      : undefined;
  }
  return fallback;
}

/** The preferred channel first when it is offered, then the given order (duplicates dropped). */
export function candidateOrder(channels: Channel[], preferred: Channel | null | undefined): Channel[] {
  const ordered = preferred && channels.includes(preferred) ? [preferred, ...channels] : channels;
  return [...new Set(ordered)];
}

export function addressOf(contact: DecisionContact, channel: Channel): string | Record<string, unknown>[] | undefined {
  switch (channel) {
    case 'email':
      return contact.email ?? undefined;
    case 'sms':
      return contact.mobile ?? undefined;
    case 'notification':
      return contact.webPushSubscriptions.length ? contact.webPushSubscriptions : undefined;
    case 'mobile_notification':
      return contact.mobileDevices.length ? contact.mobileDevices : undefined;
    case 'tweet':
      return contact.twitterHandle ?? undefined;
    case 'inapp':
      // The inbox is addressed by the contact id (DESIGN §7.7): every contact has one.
      return contact.id;
  }
}

/** What senders render Liquid with: the standard fields over the custom ones. */
export function renderFields(c: DecisionContact): Record<string, unknown> {
  // Object.assign, not spread: V8's spread of a parsed-JSON object with extra keys is ~40x slower, and this runs per decision.
  return Object.assign({}, c.fields, {
    firstname: c.firstname,
    lastname: c.lastname,
    email: c.email,
    mobile: c.mobile,
    twitterHandle: c.twitterHandle,
    country: c.country,
  });
}

type TemporaryReason = 'paused' | 'quiet_hours' | 'frequency';

/**
 * DESIGN §4 steps 2–6 for one send request. Permanent reasons (excluded, content unavailable, dnc,
 * no address) are judged before temporary ones (paused, quiet hours, frequency), so a candidate
 * reported with a temporary reason is blocked only temporarily and can defer the send.
 */
export function judge(
  req: DecisionRequest,
  state: ContactState | undefined,
  settings: DecisionSettings,
  now: number,
): Judgement {
  const contact = state?.contact;
  const candidates = candidateOrder(req.channels, contact?.preferredChannel);
  const skipped: Skipped[] = [];
  let retryAt = Infinity;

  for (const channel of candidates) {
    const permanent = permanentSkip(req, contact, channel);
    if (permanent) {
      skipped.push(permanent);
      continue;
    }
    const temporary = temporarySkip(state!, channel, settings, now);
    if (temporary) {
      skipped.push({ channel, reason: temporary.reason });
      retryAt = Math.min(retryAt, temporary.freeAt);
      continue;
    }
    return {
      decision: {
        sendId: req.sendId,
        outcome: 'routed',
        candidates,
        skipped,
        channel,
        contact: {
          id: contact!.id,
          address: addressOf(contact!, channel)!,
          locale: contact!.locale,
          timezone: contact!.timezone,
          fields: renderFields(contact!),
        },
      },
      reserve: channel,
    };
  }

  const base = { sendId: req.sendId, candidates, skipped };
  if (retryAt === Infinity) return { decision: { ...base, outcome: 'failed', reason: 'no_channel' } };
  if (req.deferrals >= settings.maxDeferrals)
    return { decision: { ...base, outcome: 'failed', reason: 'max_deferrals' } };
  if (retryAt > Date.parse(req.expiresAt)) return { decision: { ...base, outcome: 'failed', reason: 'expired' } };
  return { decision: { ...base, outcome: 'deferred', retryAt: new Date(retryAt).toISOString() } };
}

function permanentSkip(
  req: DecisionRequest,
  contact: DecisionContact | undefined,
  channel: Channel,
): Skipped | undefined {
  if (req.excludeChannels.includes(channel)) return { channel, reason: 'excluded' };
  if (req.contentUnavailable.includes(channel)) return { channel, reason: 'content_unavailable' };
  if (!contact) return { channel, reason: 'no_address' };
  const dnc = contact.dnc.find((d) => d.channel === channel);
  if (dnc) return { channel, reason: 'dnc', detail: DNC_REASON_NAMES[dnc.reason] };
  if (addressOf(contact, channel) === undefined) return { channel, reason: 'no_address' };
  // A mobile that could not be normalised is kept on the contact (DESIGN §7.3) but is no SMS address.
  if (channel === 'sms' && !isE164(contact.mobile!)) return { channel, reason: 'no_address', detail: 'invalid number' };
  return undefined;
}

/**
 * The first temporary reason that blocks the channel now, and the earliest moment all of them are
 * clear at once (a pause may end inside quiet hours, for instance); Infinity when that never comes.
 */
function temporarySkip(
  state: ContactState,
  channel: Channel,
  settings: DecisionSettings,
  now: number,
): { reason: TemporaryReason; freeAt: number } | undefined {
  const rule = state.contact.rules[channel];
  const limit = effectiveLimit(rule, settings.defaultFrequency[channel]);
  const quiet = settings.quietHours[channel];
  const usage = state.usage.get(channel);

  const blockedAt = (t: number): { reason: TemporaryReason; until: number } | undefined => {
    if (rule && (rule.pauseFrom || rule.pauseTo)) {
      const from = rule.pauseFrom?.getTime() ?? -Infinity;
      const to = rule.pauseTo?.getTime() ?? Infinity;
      if (t >= from && t < to) return { reason: 'paused', until: to };
    }
    if (quiet) {
      const end = quietHoursEnd(t, state.contact.timezone, quiet);
      if (end !== undefined) return { reason: 'quiet_hours', until: end };
    }
    if (limit && usage && usage.newest.length >= limit.frequencyNumber) {
      // The limit holds while the N-th newest reservation is still inside the rolling window.
      const leaves = usage.newest[limit.frequencyNumber - 1] + FREQUENCY_WINDOW_MS[limit.frequencyTime];
      if (leaves > t) return { reason: 'frequency', until: leaves };
    }
    return undefined;
  };

  const first = blockedAt(now);
  if (!first) return undefined;
  let t = first.until;
  for (let i = 0; i < 16 && t !== Infinity; i++) {
    const next = blockedAt(t);
    if (!next) break;
    t = next.until;
  }
  return { reason: first.reason, freeAt: t };
}

/** Records a reservation made in this batch, so a later request of the same batch sees it. */
export function recordReservation(usage: ChannelUsage, at: number, keep: number): void {
  usage.newest.unshift(at);
  if (usage.newest.length > keep) usage.newest.length = keep;
}
