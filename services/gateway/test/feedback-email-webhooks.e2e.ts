import {
  createSendgridNotifier,
  startDevProviders,
  startSesNotifier,
  type DevProviders,
  type FeedbackKind,
  type FeedbackWebhook,
  type SendgridNotifier,
  type SesNotifier,
} from '../../dev-providers/src';
import { waitFor } from '@switchboard/testing';
import { startGateway, type GatewayTestContext, channelAvailable } from './support/gateway-test';

const SECRET = 'feedback-webhooks-tracking-secret-0123456789';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:ses-feedback';

/**
 * Email feedback from SES (through SNS) and SendGrid (Event Webhook) on the real path (DESIGN §6):
 * sender-email sends to the loopback SMTP server, which reports on the message the way that
 * provider does — an SNS notification signed with SHA1withRSA by the certificate at its
 * SigningCertURL, or a SendGrid event array signed with ECDSA P-256 — to the gateway's
 * /webhooks/providers/{ses,sendgrid}; the gateway checks the signature and stores the report for
 * sender-email, which matches it to the dispatch (the VERP return path or the Message-ID).
 */
describe('SES and SendGrid feedback webhooks', () => {
  let dev: DevProviders;
  let ses: SesNotifier;
  let sendgrid: SendgridNotifier;
  let ctx: GatewayTestContext;
  let messageId: number;
  let n = 0;

  beforeAll(async () => {
    dev = await startDevProviders();
    ses = await startSesNotifier({ topicArn: TOPIC });
    sendgrid = createSendgridNotifier();
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router', 'sender-email', 'tracker'],
      serviceEnv: {
        SB_TRACKING_SECRET: SECRET,
        SMTP_HOST: dev.smtp.host,
        SMTP_PORT: String(dev.smtp.port),
        SMTP_BOUNCE_DOMAIN: 'bounces.switchboard.test',
        ROUTER_CHANNEL_WARMUP_MS: '500',
        // The loopback SNS serves its certificate over http on 127.0.0.1; production allows only sns.*.amazonaws.com.
        SES_SNS_CERT_URL_PATTERN: `^${ses.baseUrl.replace(/\./g, '\\.')}/`,
        SES_SNS_TOPIC_ARNS: TOPIC,
        SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKey,
      },
    });
    ses.url = `${ctx.baseUrl}/webhooks/providers/ses`;
    sendgrid.url = `${ctx.baseUrl}/webhooks/providers/sendgrid`;
    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'Webhooks',
      subject: 'Hello {{ contact.firstname }}',
      customHtml: '<p>Hi</p>',
      isPublished: true,
    });
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Webhooks',
      isPublished: true,
      channels: { email: { channelId: email.body.email.id, isEnabled: true } },
    });
    messageId = message.body.message.id as number;
    await channelAvailable(ctx, 'email');
  });

  afterAll(async () => {
    await ctx?.close();
    await ses?.close();
    await dev?.close();
  });

  /** Sends the message to a new contact with the provider reporting `feedback`; resolves once the webhook answered 200. */
  const send = async (via: FeedbackWebhook, feedback: FeedbackKind) => {
    const id = `wh-${++n}`;
    const email = `hook${n}@example.org`;
    await ctx.api('PUT', `/api/contacts/${id}/edit`, { email, firstname: `W${n}` });
    dev.smtp.setFeedbackWebhook(via);
    const reports = dev.smtp.reports.length;
    dev.control.apply({ provider: 'smtp', feedbackNext: 1, feedback });
    const res = await ctx.api('POST', `/api/messages/${messageId}/contact/${id}/send`, {});
    expect(res.status).toBe(202);
    await waitFor(() => dev.smtp.reports.length > reports, { timeoutMs: 20_000 });
    expect(dev.smtp.reports.slice(reports)).toEqual([{ kind: feedback, to: expect.any(String) }]);
    return { id, sendId: res.body.sendId as string };
  };

  const delivery = (sendId: string, status: string) =>
    waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/deliveries?messageId=${messageId}&limit=100`);
        const row = (res.body.deliveries as Array<{ sendId: string; status: string }>).find((d) => d.sendId === sendId);
        return row?.status === status && row;
      },
      { timeoutMs: 20_000, message: `send ${sendId} never ${status}` },
    );

  const dncOf = (contactId: string) =>
    waitFor(async () => {
      const entries = (await ctx.api('GET', `/api/contacts/${contactId}`)).body.contact.doNotContact as Array<{
        channel: string;
        reason: number;
        comments: string;
      }>;
      return entries.length > 0 && entries;
    });

  it('SES: confirms the SNS subscription by its SubscribeURL', async () => {
    expect(await ses.subscribe()).toBe(200);
    expect(ses.confirmed).toHaveLength(1);
  });

  it('SES: Delivery → delivered, permanent Bounce → hard bounce and DNC 2, Complaint → complained and DNC 4', async () => {
    const delivered = await send(ses, 'delivered');
    await delivery(delivered.sendId, 'delivered');

    const bounced = await send(ses, 'hard_bounce');
    await delivery(bounced.sendId, 'bounced');
    expect(await dncOf(bounced.id)).toEqual([
      expect.objectContaining({ channel: 'email', reason: 2, comments: expect.stringContaining('5.1.1') }),
    ]);

    const complained = await send(ses, 'complaint');
    await delivery(complained.sendId, 'complained');
    expect(await dncOf(complained.id)).toEqual([expect.objectContaining({ channel: 'email', reason: 4 })]);
  });

  it('SES: a tampered, unsigned or foreign-certificate notification is a 401 and changes nothing', async () => {
    const { sendId } = await send(ses, 'delivered');
    await delivery(sendId, 'delivered');
    const genuine = ses.signMessage({
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: TOPIC,
      Message: JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent' }, mail: {} }),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
    });
    const post = (body: Record<string, string>) =>
      fetch(ses.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
    expect((await post({ ...genuine, Message: genuine.Message.replace('Permanent', 'Transient') })).status).toBe(401);
    const { Signature: _signature, ...unsigned } = genuine;
    expect((await post(unsigned)).status).toBe(401);
    expect((await post({ ...genuine, SigningCertURL: 'https://evil.example/cert.pem' })).status).toBe(401);
    expect((await post({ ...genuine, TopicArn: 'arn:aws:sns:us-east-1:000000000000:other' })).status).toBe(401);
    expect(await delivery(sendId, 'delivered')).toBeDefined();
  });

  it('SendGrid: delivered, bounce (hard, DNC 2), blocked (soft, no DNC) and spamreport, counted in the statistics', async () => {
    const before = (await ctx.api('GET', `/api/messages/${messageId}/stats`)).body.stats?.channels?.email ?? {};
    const delivered = await send(sendgrid, 'delivered');
    await delivery(delivered.sendId, 'delivered');

    const hard = await send(sendgrid, 'hard_bounce');
    await delivery(hard.sendId, 'bounced');
    expect(await dncOf(hard.id)).toEqual([
      expect.objectContaining({ channel: 'email', reason: 2, comments: expect.stringContaining('User unknown') }),
    ]);

    const soft = await send(sendgrid, 'soft_bounce');
    await delivery(soft.sendId, 'bounced');
    expect((await ctx.api('GET', `/api/contacts/${soft.id}`)).body.contact.doNotContact).toEqual([]);

    const complained = await send(sendgrid, 'complaint');
    await delivery(complained.sendId, 'complained');

    const stats = await waitFor(async () => {
      const t = (await ctx.api('GET', `/api/messages/${messageId}/stats`)).body.stats?.channels?.email;
      return t && t.bounced - (before.bounced ?? 0) === 2 && t.complained - (before.complained ?? 0) === 1 && t;
    });
    expect(stats.delivered - (before.delivered ?? 0)).toBe(1);
  });

  it('SendGrid: a forged, replayed-with-changes or unsigned event post is a 401', async () => {
    const body = JSON.stringify([{ event: 'spamreport', 'smtp-id': '<x@y>', email: 'a@b.c', timestamp: 1 }]);
    const ts = String(Math.floor(Date.now() / 1000));
    const post = (payload: string, headers: Record<string, string>) =>
      fetch(sendgrid.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
    const signed = {
      'x-twilio-email-event-webhook-signature': sendgrid.sign(body, ts),
      'x-twilio-email-event-webhook-timestamp': ts,
    };
    expect((await post(body.replace('spamreport', 'delivered'), signed)).status).toBe(401);
    expect(
      (await post(body, { ...signed, 'x-twilio-email-event-webhook-timestamp': String(Number(ts) + 1) })).status,
    ).toBe(401);
    expect((await post(body, {})).status).toBe(401);
    expect(
      (
        await post(body, {
          ...signed,
          'x-twilio-email-event-webhook-signature': createSendgridNotifier().sign(body, ts),
        })
      ).status,
    ).toBe(401);
    expect((await post(body, signed)).status).toBe(200);
  });
});
