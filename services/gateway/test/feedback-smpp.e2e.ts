import type { RunningService } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/testing';
import { startDevProviders, type DevProviders, type FeedbackKind } from '../../dev-providers/src';
import { startGateway, startNamedService, type GatewayTestContext, channelAvailable } from './support/gateway-test';

/**
 * SMPP delivery receipts on the real path (DESIGN §6): sender-sms submits with registered_delivery;
 * the loopback SMSC answers a deliver_sm receipt on the same session (DELIVRD, EXPIRED, UNDELIV);
 * sender-sms stores it on the feedback stream before its deliver_sm_resp, and matches it to the
 * dispatch whose `sent` event recorded the SMSC's message id.
 */
describe('SMPP delivery receipts become delivery events, DNC and statistics', () => {
  let dev: DevProviders;
  let ctx: GatewayTestContext;
  let sms: RunningService;
  let messageId: number;
  let n = 0;

  beforeAll(async () => {
    dev = await startDevProviders();
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router', 'tracker'],
      serviceEnv: { ROUTER_CHANNEL_WARMUP_MS: '500' },
    });
    sms = await startNamedService('sender-sms', ctx.env, {
      SB_TRACKING_SECRET: 'feedback-smpp-tracking-secret-0123456789',
      SMS_PROVIDER: 'smpp',
      SMPP_URL: `smpp://${dev.smpp.host}:${dev.smpp.port}`,
      SMPP_SYSTEM_ID: dev.smpp.systemId,
      SMPP_PASSWORD: dev.smpp.password,
    });
    const content = await ctx.api('POST', '/api/smses/new', {
      name: 'Receipts',
      message: 'Hi {{ contact.firstname }}',
    });
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'SMPP feedback',
      isPublished: true,
      channels: { sms: { channelId: content.body.sms.id, isEnabled: true } },
    });
    messageId = message.body.message.id as number;
    await channelAvailable(ctx, 'sms');
  });

  afterEach(() => {
    dev.smpp.receiptTiming.beforeAnswer = false;
  });

  afterAll(async () => {
    await sms?.close();
    await ctx?.close();
    await dev?.close();
  });

  const send = async (feedback: FeedbackKind) => {
    const id = `smpp-${++n}`;
    await ctx.api('PUT', `/api/contacts/${id}/edit`, {
      mobile: `+4477009${String(20000 + n).slice(1)}`,
      firstname: `P${n}`,
    });
    const receipts = dev.smpp.receipts.length;
    dev.control.apply({ provider: 'smpp', feedbackNext: 1, feedback });
    const res = await ctx.api('POST', `/api/messages/${messageId}/contact/${id}/send`, {});
    expect(res.status).toBe(202);
    const [receipt] = await waitFor(() => dev.smpp.receipts.length > receipts && dev.smpp.receipts.slice(receipts), {
      timeoutMs: 20_000,
    });
    // The ESME took the receipt (deliver_sm_resp ESME_ROK) only once it was stored.
    expect(receipt.commandStatus).toBe(0);
    return { id, sendId: res.body.sendId as string, smscId: receipt.messageId };
  };

  const delivery = (sendId: string, expected: string) =>
    waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/deliveries?messageId=${messageId}&limit=100`);
        return (res.body.deliveries as Array<{ sendId: string; status: string }>).find(
          (d) => d.sendId === sendId && d.status === expected,
        );
      },
      { timeoutMs: 20_000, message: `send ${sendId} never ${expected}` },
    );

  it('DELIVRD → delivered; UNDELIV → hard bounce and DNC reason 2; EXPIRED → soft bounce, no DNC', async () => {
    const delivered = await send('delivered');
    await delivery(delivered.sendId, 'delivered');
    const sent = dev.smpp.messages.find((m) => m.messageId === delivered.smscId)!;
    expect(sent.registeredDelivery & 1).toBe(1);

    const hard = await send('hard_bounce');
    await delivery(hard.sendId, 'bounced');
    const dnc = await waitFor(async () => {
      const entries = (await ctx.api('GET', `/api/contacts/${hard.id}`)).body.contact.doNotContact as unknown[];
      return entries.length > 0 && entries;
    });
    expect(dnc).toEqual([
      expect.objectContaining({ channel: 'sms', reason: 2, comments: expect.stringContaining('UNDELIV err:001') }),
    ]);

    const soft = await send('soft_bounce');
    await delivery(soft.sendId, 'bounced');
    expect((await ctx.api('GET', `/api/contacts/${soft.id}`)).body.contact.doNotContact).toEqual([]);

    const stats = await waitFor(async () => {
      const t = (await ctx.api('GET', `/api/messages/${messageId}/stats`)).body.stats?.channels?.sms;
      return t && t.bounced === 2 && t.delivered >= 1 && t;
    });
    expect(stats).toMatchObject({ bounced: 2, delivered: 1 });
  });

  it('a receipt that arrives before the submit_sm_resp is not lost', async () => {
    dev.smpp.receiptTiming.beforeAnswer = true;
    const { sendId } = await send('delivered');
    expect(await delivery(sendId, 'delivered')).toBeDefined();
  });
});
