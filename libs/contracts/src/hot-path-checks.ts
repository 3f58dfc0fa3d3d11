import { z } from 'zod';
import { CHANNELS } from './channels';
import { FAILURE_REASONS, SKIP_REASONS, type SendRequested } from './events';
import { CONTACT_ID_PATTERN } from './primitives';
import type { PackedDecision } from './rpc/preferences.rpc';

/**
 * Hand-written checks of the common shape of the hot path's items, in front of their schemas: a
 * value one of them accepts is exactly what the schema would make of it (the schema's checks, no
 * key the schema would strip or transform), so it is taken as it is; anything else (a rare shape
 * or a bad item) goes through the schema, which decides and words the error. They are never
 * looser than the schema: `test/hot-path-checks.spec.ts` feeds both the same good and bad items.
 * Measured on 1,000-item batches: zod 1.4–3.8 µs an item (a copy of every object), these ~0.1.
 */
export type AcceptsAsIs<T> = (value: unknown) => value is T;

const DATE_TIME = z.regexes.datetime({ offset: true });
const CHANNEL_SET: ReadonlySet<unknown> = new Set(CHANNELS);
const SKIP_REASON_SET: ReadonlySet<unknown> = new Set(SKIP_REASONS);
const FAILURE_REASON_SET: ReadonlySet<unknown> = new Set(FAILURE_REASONS);
const OUTCOMES: ReadonlySet<unknown> = new Set(['routed', 'deferred', 'failed']);
const hasOwn = Object.prototype.hasOwnProperty;

/** An object as JSON.parse makes it (zod's records take plain objects only). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

/** A record zod would copy unchanged: a `__proto__` key would become the copy's prototype. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && !hasOwn.call(value, '__proto__');
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 200;
}

function isContactId(value: unknown): value is string {
  return typeof value === 'string' && CONTACT_ID_PATTERN.test(value);
}

function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME.test(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isPositiveInt(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isChannelList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const c of value) if (!CHANNEL_SET.has(c)) return false;
  return true;
}

/**
 * A send request of the shape campaign-actions publishes. Tokens, earlier skips and numeric
 * campaign refs (which the schema turns into strings) are left to the schema.
 */
export const acceptsSendRequestedAsIs: AcceptsAsIs<SendRequested> = (value): value is SendRequested => {
  if (!isPlainObject(value)) return false;
  let required = 0;
  for (const key of Object.keys(value)) {
    const v = value[key];
    switch (key) {
      case 'sendId':
        if (!isId(v)) return false;
        required++;
        break;
      case 'messageId':
        if (!isPositiveInt(v)) return false;
        required++;
        break;
      case 'contactId':
        if (!isContactId(v)) return false;
        required++;
        break;
      case 'requestedAt':
      case 'expiresAt':
        if (!isDateTime(v)) return false;
        required++;
        break;
      case 'channels':
      case 'excludeChannels':
        if (!isChannelList(v)) return false;
        break;
      case 'deferrals':
      case 'attempt':
        if (!isCount(v)) return false;
        break;
      case 'campaignId':
      case 'campaignEventId':
      case 'shipmentId':
        if (typeof v !== 'string') return false;
        break;
      default:
        return false;
    }
  }
  return required === 5;
};

function isSkippedList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const s of value) {
    if (!isPlainObject(s)) return false;
    let required = 0;
    for (const key of Object.keys(s)) {
      const v = s[key];
      if (key === 'channel') {
        if (!CHANNEL_SET.has(v)) return false;
        required++;
      } else if (key === 'reason') {
        if (!SKIP_REASON_SET.has(v)) return false;
        required++;
      } else if (key === 'detail') {
        if (typeof v !== 'string') return false;
      } else return false;
    }
    if (required !== 2) return false;
  }
  return true;
}

function isAddress(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (!Array.isArray(value)) return false;
  for (const target of value) if (!isRecord(target)) return false;
  return true;
}

function isDispatchContact(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  let required = 0;
  for (const key of Object.keys(value)) {
    const v = value[key];
    switch (key) {
      case 'id':
        if (!isContactId(v)) return false;
        required++;
        break;
      case 'address':
        if (!isAddress(v)) return false;
        required++;
        break;
      case 'locale':
      case 'timezone':
        if (v !== null && typeof v !== 'string') return false;
        break;
      case 'fields':
        if (!isRecord(v)) return false;
        required++;
        break;
      default:
        return false;
    }
  }
  return required === 3;
}

/** One decision of preferences' `decide` reply, as the reply packs it. */
export const acceptsDecisionAsIs: AcceptsAsIs<PackedDecision> = (value): value is PackedDecision => {
  if (!isPlainObject(value)) return false;
  let required = 0;
  for (const key of Object.keys(value)) {
    const v = value[key];
    switch (key) {
      case 'outcome':
        if (!OUTCOMES.has(v)) return false;
        required++;
        break;
      case 'candidates':
        if (!isChannelList(v)) return false;
        break;
      case 'skipped':
        if (!isSkippedList(v)) return false;
        break;
      case 'channel':
        if (!CHANNEL_SET.has(v)) return false;
        break;
      case 'contact':
        if (!isDispatchContact(v)) return false;
        break;
      case 'retryAt':
        if (!isDateTime(v)) return false;
        break;
      case 'reason':
        if (!FAILURE_REASON_SET.has(v)) return false;
        break;
      default:
        return false;
    }
  }
  return required === 1;
};

/** The whole `decide` reply. */
export const acceptsDecideResponseAsIs: AcceptsAsIs<{ decisions: PackedDecision[] }> = (
  value,
): value is { decisions: PackedDecision[] } => {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'decisions') return false;
  const decisions = value.decisions;
  if (!Array.isArray(decisions)) return false;
  for (const d of decisions) if (!acceptsDecisionAsIs(d)) return false;
  return true;
};
