import type { z } from 'zod';
import { SendRequestedSchema } from './events';
import {
  acceptsDecideResponseAsIs,
  acceptsDecisionAsIs,
  acceptsSendRequestedAsIs,
  type AcceptsAsIs,
} from './hot-path-checks';
import { PackedDecisionSchema, preferencesDecide } from './rpc/preferences.rpc';

/** Values that break some field's rule somewhere (wrong type, range, length, format, enum). */
const BAD_VALUES: unknown[] = [
  null,
  undefined,
  '',
  'x'.repeat(201),
  0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Infinity,
  '17',
  true,
  [],
  {},
  ['email', 'fax'],
  [null],
  [{}],
  'fax',
  'email',
  'no such reason',
  'c 1',
  'c'.repeat(65),
  '2026-12-07',
  '2026-12-07T12:00:00',
  '2026-13-07T12:00:00Z',
  '2026-02-30T12:00:00Z',
  '2026-12-07T12:00:00+2:00',
  '2026-12-07T12:00:00.123+02:00',
  JSON.parse('{"__proto__": {"polluted": true}}'),
  Object.create(null),
  new Date('2026-12-07T12:00:00Z'),
];

/** Every variant of `good` with one field (at any depth) removed, replaced by a bad value, or one key added. */
function mutations(good: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (value: unknown, rebuild: (v: unknown) => unknown): void => {
    for (const bad of BAD_VALUES) out.push(rebuild(bad));
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, (v) => rebuild(value.map((x, j) => (j === i ? v : x)))));
      out.push(rebuild([...value, ...value.slice(0, 1)]));
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      out.push(rebuild({ ...record, unexpected: 1 }));
      out.push(rebuild(Object.assign(Object.create(null), record)));
      for (const key of Object.keys(record)) {
        const { [key]: _removed, ...rest } = record;
        out.push(rebuild(rest));
        walk(record[key], (v) => rebuild({ ...record, [key]: v }));
      }
    }
  };
  walk(good, (v) => v);
  return out;
}

/**
 * What the checks promise: whatever one accepts, the schema accepts too and makes nothing else of
 * it (the same value, no key stripped or transformed), so taking the value as is equals parsing it.
 */
function expectNoLooserThan<T>(sut: AcceptsAsIs<T>, schema: z.ZodType, candidates: unknown[]) {
  let rejectedBySchema = 0;
  for (const candidate of candidates) {
    // The items arrive as JSON; a copy through JSON is what the consumer would see.
    const parsed = schema.safeParse(candidate);
    if (!parsed.success) rejectedBySchema++;
    if (!sut(candidate)) continue;
    expect({ candidate, accepted: parsed.success }).toEqual({ candidate, accepted: true });
    expect(parsed.data).toStrictEqual(candidate);
  }
  return rejectedBySchema;
}

const sendRequests = [
  {
    sendId: '0f3c5e1d2b4a69788796a5b4c3d2e1f0',
    messageId: 17,
    contactId: 'c-1',
    requestedAt: '2026-12-07T12:00:00.123Z',
    expiresAt: '2026-12-08T12:00:00.123+01:00',
    deferrals: 0,
    attempt: 0,
    campaignId: '12',
    campaignEventId: '34',
    shipmentId: 'ship-1',
  },
  {
    sendId: 's',
    messageId: 1,
    contactId: 'a.b:c_d-e',
    requestedAt: '2028-02-29T00:00:00Z',
    expiresAt: '2028-03-01T00:00:00-05:00',
    channels: ['sms', 'email'],
    excludeChannels: ['tweet'],
    deferrals: 3,
    attempt: 2,
  },
];

// As the reply packs them: no send id (a decision answers the request at its position), the
// candidates only when they differ from the request's channels, skipped only when not empty.
const decisions = [
  {
    outcome: 'routed',
    candidates: ['email', 'sms'],
    skipped: [{ channel: 'sms', reason: 'frequency', detail: '3 a day' }],
    channel: 'email',
    contact: {
      id: 'c1',
      address: 'c1@example.org',
      locale: null,
      timezone: 'Europe/Prague',
      fields: { firstname: 'Ann', lastname: null, email: 'c1@example.org', score: 3, tags: ['a'] },
    },
  },
  {
    outcome: 'routed',
    skipped: [],
    channel: 'notification',
    contact: { id: 'c2', address: [{ endpoint: 'https://push.example/1', keys: { p256dh: 'k' } }], fields: {} },
  },
  { outcome: 'deferred', retryAt: '2026-12-07T13:00:00Z' },
  {
    outcome: 'failed',
    candidates: [],
    skipped: [{ channel: 'email', reason: 'dnc' }],
    reason: 'no_channel',
  },
];

describe('hot-path checks', () => {
  it('accept the common shapes, so the hot path skips the schema', () => {
    for (const r of sendRequests) expect(acceptsSendRequestedAsIs(JSON.parse(JSON.stringify(r)))).toBe(true);
    for (const d of decisions) expect(acceptsDecisionAsIs(JSON.parse(JSON.stringify(d)))).toBe(true);
    expect(acceptsDecideResponseAsIs({ decisions: JSON.parse(JSON.stringify(decisions)) })).toBe(true);
  });

  it('accept no send request that the schema refuses or would change', () => {
    const candidates = sendRequests.flatMap(mutations);
    const refused = expectNoLooserThan(acceptsSendRequestedAsIs, SendRequestedSchema, candidates);
    expect(refused).toBeGreaterThan(500);
  });

  it('leave tokens, earlier skips and numeric campaign refs to the schema', () => {
    const [request] = sendRequests;
    for (const extra of [
      { tokens: { '{name}': 'Ann' } },
      { skippedBefore: [{ channel: 'sms', reason: 'content_unavailable' }] },
      { campaignId: 12 },
      { campaignEventId: 34 },
    ]) {
      const candidate = { ...request, ...extra };
      expect(acceptsSendRequestedAsIs(candidate)).toBe(false);
      expect(SendRequestedSchema.safeParse(candidate).success).toBe(true);
    }
  });

  it('accept no decision that the schema refuses or would change', () => {
    const candidates = decisions.flatMap(mutations);
    const refused = expectNoLooserThan(acceptsDecisionAsIs, PackedDecisionSchema, candidates);
    expect(refused).toBeGreaterThan(1000);
  });

  it('accept no decide reply that the schema refuses or would change', () => {
    const candidates = mutations({ decisions });
    const refused = expectNoLooserThan(acceptsDecideResponseAsIs, preferencesDecide.response, candidates);
    expect(refused).toBeGreaterThan(1000);
    expect(acceptsDecideResponseAsIs({ decisions: [] })).toBe(true);
  });
});
