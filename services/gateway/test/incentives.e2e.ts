import type { RunningService } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/testing';
import { DEFAULT_TWILIO, startHttpFake, type HttpFake } from '../../dev-providers/src';
import { startGateway, startNamedService, type GatewayTestContext, channelAvailable } from './support/gateway-test';

const CONTACTS = 1_000;
const CODES = 900;

/**
 * DESIGN §7.2 incentives end to end: codes uploaded over REST, `{{ incentive.code }}` in an SMS,
 * 1,000 sends requested at once against a pool of 900, delivered by two sender-sms instances
 * through the loopback Twilio API.
 */
describe('incentives: coupon pools over REST and one code per send (catalog, preferences, router, 2× sender-sms)', () => {
  let ctx: GatewayTestContext;
  let fake: HttpFake;
  let secondSender: RunningService | undefined;

  beforeAll(async () => {
    fake = await startHttpFake();
    const serviceEnv = {
      SMS_PROVIDER: 'twilio',
      TWILIO_BASE_URL: fake.baseUrl,
      TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
      TWILIO_FROM: '+15005550006',
      ROUTER_CHANNEL_WARMUP_MS: '500',
      SB_TRACKING_SECRET: 'incentives-tracking-secret-0123456789',
      // Everything runs in this one process: under load the loopback Twilio answers slowly.
      SENDER_PROVIDER_TIMEOUT_MS: '60000',
    };
    ctx = await startGateway({ services: ['catalog', 'preferences', 'router', 'sender-sms'], serviceEnv });
    secondSender = await startNamedService('sender-sms', ctx.env, serviceEnv);
  }, 120_000);

  afterAll(async () => {
    await secondSender?.close();
    await ctx?.close();
    await fake?.close();
  });

  it('manages a pool: CSV upload with bad rows reported by line, codes left, expiry, Mautic errors', async () => {
    const created = await ctx.api('POST', '/api/incentives/new', { name: 'Spring', expiresAt: '2099-03-01 00:00' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/incentives/${created.body.incentive.id}`);
    expect(created.body.incentive).toMatchObject({
      name: 'Spring',
      expiresAt: '2099-03-01T00:00:00+00:00',
      codesLeft: 0,
      codesIssued: 0,
    });
    const id = created.body.incentive.id as number;

    const csv = ['code', 'SPRING-1', 'SPRING-2', 'has space', 'A,B', '', 'SPRING-1', 'SPRING-3'].join('\n');
    const upload = await ctx.api('POST', `/api/incentives/${id}/codes`, undefined, {
      raw: csv,
      contentType: 'text/csv',
    });
    expect(upload.status).toBe(200);
    expect(upload.body).toEqual({
      added: 3,
      duplicates: 1,
      errors: [
        { row: 4, message: 'A code is 1 to 64 printable characters without spaces.' },
        { row: 5, message: 'A row holds one code.' },
      ],
    });
    const plain = await ctx.api('POST', `/api/incentives/${id}/codes`, undefined, {
      raw: 'SPRING-4\r\nSPRING-3\r\n',
      contentType: 'text/plain',
    });
    expect(plain.body).toEqual({ added: 1, duplicates: 1, errors: [] });
    expect((await ctx.api('GET', `/api/incentives/${id}`)).body.incentive).toMatchObject({ codesLeft: 4 });
    expect((await ctx.api('GET', '/api/incentives?search=Spring')).body).toMatchObject({
      total: 1,
      incentives: [expect.objectContaining({ id, codesLeft: 4 })],
    });

    const json = await ctx.api('POST', `/api/incentives/${id}/codes`, { codes: ['X'] });
    expect(json.status).toBe(400);
    expect(json.body.errors[0]).toMatchObject({ code: 400, details: { file: expect.any(Array) } });
    expect((await ctx.api('POST', '/api/incentives/new', {})).body.errors[0]).toMatchObject({
      code: 400,
      details: { name: expect.any(Array) },
    });
    expect((await ctx.api('GET', '/api/incentives/999999')).status).toBe(404);
    expect(
      (await ctx.api('POST', '/api/incentives/999999/codes', undefined, { raw: 'A', contentType: 'text/plain' }))
        .status,
    ).toBe(404);

    // Content that names a pool that does not exist is refused on save.
    const orphan = await ctx.api('POST', '/api/smses/new', {
      name: 'Orphan',
      message: '{{ incentive.code }}',
      incentiveId: 999999,
    });
    expect(orphan.status).toBe(400);
    expect(orphan.body.errors[0].details).toEqual({ incentiveId: ['Incentive not found.'] });

    // A preview shows a sample code and uses none up.
    const sms = await ctx.api('POST', '/api/smses/new', {
      name: 'P',
      message: 'Code {{ incentive.code }}',
      incentiveId: id,
    });
    const preview = await ctx.api('POST', `/api/smses/${sms.body.sms.id}/preview`, { fields: {} });
    expect(preview.body.preview.message).toBe('Code SAMPLE-CODE');
    expect((await ctx.api('GET', `/api/incentives/${id}`)).body.incentive.codesLeft).toBe(4);
  });

  it('1,000 concurrent sends against 900 codes: 900 distinct codes sent, 100 skipped as content_unavailable, none twice', async () => {
    const pool = (await ctx.api('POST', '/api/incentives/new', { name: 'Launch' })).body.incentive.id as number;
    const codes = Array.from({ length: CODES }, (_, i) => `LAUNCH-${String(i).padStart(4, '0')}`);
    const upload = await ctx.api('POST', `/api/incentives/${pool}/codes`, undefined, {
      raw: codes.join('\n'),
      contentType: 'text/plain',
    });
    expect(upload.body).toEqual({ added: CODES, duplicates: 0, errors: [] });

    const sms = await ctx.api('POST', '/api/smses/new', {
      name: 'Launch coupon',
      message: 'Hi {{ contact.firstname }}, your code: {{ incentive.code }}. Reply STOP to opt out',
      incentiveId: pool,
    });
    expect(sms.status).toBe(201);
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Launch',
      isPublished: true,
      channels: { sms: { channelId: sms.body.sms.id, isEnabled: true } },
    });
    const messageId = message.body.message.id as number;

    const ids = Array.from({ length: CONTACTS }, (_, i) => `coupon-${i}`);
    const mobile = (i: number) => `+1415${String(5_000_000 + i).padStart(7, '0')}`;
    const upsert = await ctx.api(
      'POST',
      '/api/contacts/batch/upsert',
      ids.map((id, i) => ({ id, firstname: `C${i}`, mobile: mobile(i) })),
    );
    expect(upsert.status).toBe(200);

    await channelAvailable(ctx, 'sms');
    // 1,000 requests at once, 100 connections in flight (the listen backlog resets more).
    const accepted: { status: number; body: { sendId: string } }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        for (let i = next++; i < CONTACTS; i = next++)
          accepted[i] = await ctx.api('POST', `/api/messages/${messageId}/contact/${ids[i]}/send`, {});
      }),
    );
    expect(accepted.every((r) => r.status === 202)).toBe(true);
    const sendIds = accepted.map((r) => r.body.sendId as string);

    await waitFor(() => fake.twilio.messages.length >= CODES, {
      timeoutMs: 180_000,
    });
    // Every send settles: 900 sent with a code, 100 failed with the channel skipped for want of one.
    const records = await waitFor(
      async () => {
        const all: any[] = [];
        for (let i = 0; i < sendIds.length; i += 50)
          all.push(
            ...(await Promise.all(
              sendIds.slice(i, i + 50).map(async (id) => (await ctx.api('GET', `/api/sends/${id}`)).body.send),
            )),
          );
        const settled = all.filter(
          (s) =>
            s &&
            (s.status === 'failed' ||
              s.dispatches.some((d: { events: { event: string }[] }) => d.events.some((e) => e.event === 'sent'))),
        );
        return settled.length === CONTACTS && all;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    const failed = records.filter((s: { status: string }) => s.status === 'failed');
    expect(failed).toHaveLength(CONTACTS - CODES);
    for (const s of failed) {
      expect(s.reason).toBe('no_channel');
      expect(s.skipped).toEqual([{ channel: 'sms', reason: 'content_unavailable', detail: 'no incentive left' }]);
    }

    const sent = [...fake.twilio.messages];
    // A provider call that timed out under load is made again (at least once, DESIGN §5): with the same code.
    const codeOf = new Map<string, Set<string>>();
    const holderOf = new Map<string, Set<string>>();
    for (const m of sent) {
      const code = /your code: (\S+)\./.exec(m.body)![1];
      codeOf.set(m.to, (codeOf.get(m.to) ?? new Set()).add(code));
      holderOf.set(code, (holderOf.get(code) ?? new Set()).add(m.to));
    }
    expect(codeOf.size).toBe(CODES);
    expect([...codeOf.values()].every((c) => c.size === 1)).toBe(true);
    expect([...holderOf.values()].every((c) => c.size === 1)).toBe(true);
    expect([...holderOf.keys()].sort()).toEqual(codes);
    expect((await ctx.api('GET', `/api/incentives/${pool}`)).body.incentive).toMatchObject({
      codesLeft: 0,
      codesIssued: CODES,
    });
  }, 600_000);
});
