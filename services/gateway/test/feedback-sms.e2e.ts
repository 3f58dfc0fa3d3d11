import type { NatsConnection } from '@nats-io/transport-node';
import { twilioSignature, type DeadLetter } from '@switchboard/contracts';
import { NATS_CONNECTION } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import { SubjectRecorder, waitFor } from '@switchboard/testing';
import { startDevProviders, type DevProviders, type FeedbackKind } from '../../dev-providers/src';
import { startGateway, startNamedService, type GatewayTestContext, channelAvailable } from './support/gateway-test';

/**
 * SMS feedback on the real path (DESIGN §6): sender-sms sets a StatusCallback on every Twilio
 * message; the loopback Twilio calls it, signed with the auth token, at the gateway's
 * /webhooks/providers/twilio; the gateway verifies it and hands it to sender-sms, which publishes
 * delivered / bounced for the dispatch the message SID names.
 */
describe('Twilio status callbacks become delivery events, DNC and statistics', () => {
  let dev: DevProviders;
  let ctx: GatewayTestContext;
  let sms: RunningService;
  let messageId: number;
  let callbackUrl: string;
  let n = 0;

  beforeAll(async () => {
    dev = await startDevProviders();
    const serviceEnv = {
      TWILIO_AUTH_TOKEN: dev.twilio.config.authToken,
      ROUTER_CHANNEL_WARMUP_MS: '500',
    };
    ctx = await startGateway({ services: ['catalog', 'preferences', 'router', 'tracker'], serviceEnv });
    callbackUrl = `${ctx.baseUrl}/webhooks/providers/twilio`;
    sms = await startNamedService('sender-sms', ctx.env, {
      ...serviceEnv,
      SB_TRACKING_SECRET: 'feedback-sms-tracking-secret-0123456789',
      SMS_PROVIDER: 'twilio',
      TWILIO_BASE_URL: dev.httpBaseUrl,
      TWILIO_ACCOUNT_SID: dev.twilio.config.accountSid,
      TWILIO_FROM: '+15005550006',
      TWILIO_STATUS_CALLBACK_URL: callbackUrl,
      // Long enough for a loaded machine to record a SID, short enough to see a report dead-lettered.
      SENDER_FEEDBACK_WAIT_MS: '8000',
    });
    const content = await ctx.api('POST', '/api/smses/new', {
      name: 'Feedback',
      message: 'Hi {{ contact.firstname }}',
    });
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'SMS feedback',
      isPublished: true,
      channels: { sms: { channelId: content.body.sms.id, isEnabled: true } },
    });
    messageId = message.body.message.id as number;
    await channelAvailable(ctx, 'sms');
  });

  afterEach(() => {
    dev.twilio.callbackTiming.beforeAnswer = false;
  });

  afterAll(async () => {
    await sms?.close();
    await ctx?.close();
    await dev?.close();
  });

  const send = async (feedback: FeedbackKind) => {
    const id = `sms-${++n}`;
    const mobile = `+1415555${String(1000 + n)}`;
    await ctx.api('PUT', `/api/contacts/${id}/edit`, { mobile, firstname: `S${n}` });
    const calls = dev.twilio.callbacks.length;
    dev.control.apply({ provider: 'twilio', feedbackNext: 1, feedback });
    const res = await ctx.api('POST', `/api/messages/${messageId}/contact/${id}/send`, {});
    expect(res.status).toBe(202);
    await waitFor(() => dev.twilio.callbacks.length >= calls + 2, { timeoutMs: 20_000 });
    expect(dev.twilio.callbacks.slice(calls).map((c) => c.httpStatus)).toEqual([200, 200]);
    return { id, sendId: res.body.sendId as string };
  };

  const status = (sendId: string, expected: string) =>
    waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/deliveries?messageId=${messageId}&limit=100`);
        return (res.body.deliveries as Array<{ sendId: string; status: string }>).find(
          (d) => d.sendId === sendId && d.status === expected,
        );
      },
      { timeoutMs: 20_000 },
    );

  it('sets the StatusCallback on every message', async () => {
    const { id } = await send('delivered');
    const message = dev.twilio.messages.find((m) => m.body.includes(`S${id.split('-')[1]}`))!;
    expect(message.statusCallback).toBe(callbackUrl);
  });

  it('delivered → delivered; undelivered 30005 → hard bounce and DNC reason 2; 30003 → soft bounce, no DNC', async () => {
    const delivered = await send('delivered');
    await status(delivered.sendId, 'delivered');

    const hard = await send('hard_bounce');
    await status(hard.sendId, 'bounced');
    const dnc = await waitFor(async () => {
      const entries = (await ctx.api('GET', `/api/contacts/${hard.id}`)).body.contact.doNotContact as unknown[];
      return entries.length > 0 && entries;
    });
    expect(dnc).toEqual([
      expect.objectContaining({ channel: 'sms', reason: 2, comments: expect.stringContaining('30005') }),
    ]);

    const soft = await send('soft_bounce');
    await status(soft.sendId, 'bounced');
    expect((await ctx.api('GET', `/api/contacts/${soft.id}`)).body.contact.doNotContact).toEqual([]);

    const stats = await waitFor(async () => {
      const t = (await ctx.api('GET', `/api/messages/${messageId}/stats`)).body.stats?.channels?.sms;
      return t && t.bounced === 2 && t.delivered >= 2 && t;
    });
    expect(stats).toMatchObject({ bounced: 2 });
  });

  it('a callback that arrives before the sender has recorded the SID is not lost', async () => {
    // The fake calls back (and the gateway answers) before its API answer reaches the sender.
    dev.twilio.callbackTiming.beforeAnswer = true;
    const { sendId } = await send('delivered');
    expect(await status(sendId, 'delivered')).toBeDefined();
  });

  it('a signed callback about a SID no dispatch has is retried, then dead-lettered with its reason', async () => {
    const nc = ctx.gateway.app.get<NatsConnection>(NATS_CONNECTION);
    const dlq = new SubjectRecorder<DeadLetter>(nc, [ctx.env.names.subjects.dlq('sender-sms')]);
    const sid = 'SM0123456789abcdef0123456789abcdef';
    const params = new URLSearchParams({ MessageSid: sid, MessageStatus: 'delivered', AccountSid: 'x' });
    const res = await fetch(callbackUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(dev.twilio.config.authToken, callbackUrl, params),
      },
      body: params,
    });
    expect(res.status).toBe(200);
    const [letter] = await dlq.waitForCount(1, () => true, 40_000).finally(() => dlq.stop());
    expect(letter.data.subject).toBe(ctx.env.names.subjects.feedbackReported('sms'));
    expect(letter.data.error).toContain(`provider message id ${sid}`);
    expect(letter.data.deliveryCount).toBeGreaterThan(1);
  });

  it('a forged or unsigned callback is a 401 and changes nothing', async () => {
    const { sendId } = await send('delivered');
    await status(sendId, 'delivered');
    const sid = dev.twilio.messages[dev.twilio.messages.length - 1].sid;
    const params = new URLSearchParams({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30005' });
    const post = (headers: Record<string, string>) =>
      fetch(callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: params,
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ 'x-twilio-signature': twilioSignature('wrong-token', callbackUrl, params) })).status).toBe(
      401,
    );
    const tampered = twilioSignature(
      dev.twilio.config.authToken,
      callbackUrl,
      new URLSearchParams({ MessageSid: sid, MessageStatus: 'delivered' }),
    );
    expect((await post({ 'x-twilio-signature': tampered })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect(await status(sendId, 'delivered')).toBeDefined();
  });
});
