import nodemailer from 'nodemailer';
import { freePort, waitFor } from '@switchboard/testing';
import { bounceAddress } from '@switchboard/tracking';
import { startDevProviders, type DevProviders, type FeedbackKind } from '../../dev-providers/src';
import { startGateway, type GatewayTestContext, channelAvailable } from './support/gateway-test';

const SECRET = 'feedback-email-tracking-secret-0123456789';
const BOUNCE_DOMAIN = 'bounces.switchboard.test';

/**
 * Email feedback on the real path (DESIGN §6): sender-email sends with a VERP return path to the
 * loopback SMTP server, which is told to answer with a DSN or an ARF report mailed to that return
 * path; sender-email's bounce listener reads it, the delivery event reaches the tracker (log,
 * statistics), preferences (do-not-contact) and the router (re-route after a hard bounce).
 */
describe('email bounces, complaints and receipts through VERP and the inbound SMTP listener', () => {
  let dev: DevProviders;
  let ctx: GatewayTestContext;
  let bouncePort: number;
  let messageId: number;
  let n = 0;

  beforeAll(async () => {
    dev = await startDevProviders();
    bouncePort = await freePort();
    dev.smtp.setReportRelay({ host: '127.0.0.1', port: bouncePort });
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router', 'sender-email', 'tracker'],
      serviceEnv: {
        SB_TRACKING_SECRET: SECRET,
        SMTP_HOST: dev.smtp.host,
        SMTP_PORT: String(dev.smtp.port),
        SMTP_BOUNCE_DOMAIN: BOUNCE_DOMAIN,
        SMTP_BOUNCE_HOST: '127.0.0.1',
        SMTP_BOUNCE_PORT: String(bouncePort),
        SOFT_BOUNCE_LIMIT: '3',
        ROUTER_CHANNEL_WARMUP_MS: '500',
      },
    });
    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'Feedback',
      subject: 'Hello {{ contact.firstname }}',
      customHtml: '<p>Hi</p>',
      isPublished: true,
    });
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Feedback',
      isPublished: true,
      channels: { email: { channelId: email.body.email.id, isEnabled: true } },
    });
    messageId = message.body.message.id as number;
    await channelAvailable(ctx, 'email');
  });

  afterAll(async () => {
    await ctx?.close();
    await dev?.close();
  });

  const newContact = async (): Promise<{ id: string; email: string }> => {
    const id = `fb-${++n}`;
    const email = `reader${n}@example.org`;
    expect((await ctx.api('PUT', `/api/contacts/${id}/edit`, { email, firstname: `R${n}` })).status).toBeLessThan(300);
    return { id, email };
  };

  /** Sends the message to the contact; resolves once the report (if any) reached the listener. */
  const send = async (contact: { id: string; email: string }, feedback?: FeedbackKind): Promise<string> => {
    const reports = dev.smtp.reports.length;
    if (feedback) dev.control.apply({ provider: 'smtp', feedbackNext: 1, feedback });
    const res = await ctx.api('POST', `/api/messages/${messageId}/contact/${contact.id}/send`, {});
    expect(res.status).toBe(202);
    const mails = dev.smtp.messages.filter((m) => m.envelope.rcptTo.includes(contact.email)).length;
    await waitFor(() => dev.smtp.messages.filter((m) => m.envelope.rcptTo.includes(contact.email)).length > mails, {
      timeoutMs: 20_000,
    });
    if (feedback) await waitFor(() => dev.smtp.reports.length > reports, { timeoutMs: 10_000 });
    expect(dev.smtp.reports.filter((r) => r.error)).toEqual([]);
    return res.body.sendId as string;
  };

  const delivery = (sendId: string, status: string) =>
    waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/deliveries?messageId=${messageId}&limit=100`);
        const row = (res.body.deliveries as Array<{ sendId: string; status: string }>).find((d) => d.sendId === sendId);
        return row?.status === status && row;
      },
      { timeoutMs: 20_000 },
    );

  const dncOf = async (contactId: string) =>
    (await ctx.api('GET', `/api/contacts/${contactId}`)).body.contact.doNotContact as Array<{
      channel: string;
      reason: number;
      comments: string;
    }>;

  it('sends with a signed VERP return path naming the dispatch', async () => {
    const contact = await newContact();
    await send(contact);
    const mail = dev.smtp.messages.find((m) => m.envelope.rcptTo.includes(contact.email))!;
    expect(mail.envelope.mailFrom).toMatch(new RegExp(`^bounce\\+[0-9a-f]{32}\\.[0-9a-f]{16}@${BOUNCE_DOMAIN}$`));
    expect(mail.envelope.mailFrom.split('@')[0].length).toBeLessThanOrEqual(64);
  });

  it('a hard-bounce DSN is a bounced (hard) event, do-not-contact reason 2 with the diagnostic, and re-routes the send', async () => {
    const contact = await newContact();
    const sendId = await send(contact, 'hard_bounce');
    const row = await waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/sends/${sendId}`);
        const events = JSON.stringify(res.body);
        return events.includes('bounced') && res.body;
      },
      { timeoutMs: 20_000 },
    );
    expect(JSON.stringify(row)).toContain('5.1.1');
    const dnc = await waitFor(async () => {
      const entries = await dncOf(contact.id);
      return entries.length > 0 && entries;
    });
    expect(dnc).toEqual([
      expect.objectContaining({
        channel: 'email',
        reason: 2,
        comments: expect.stringContaining('Recipient address rejected: User unknown'),
      }),
    ]);
    // Re-routed (DESIGN §4.7): the next attempt excludes email, and this message has no other channel.
    const decision = await waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/sends/${sendId}`);
        return JSON.stringify(res.body).includes('no_channel') && res.body;
      },
      { timeoutMs: 20_000 },
    );
    expect(decision).toBeDefined();
    // The log still reads bounced, with why nothing followed (docs/feedback.md).
    const logged = await waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/deliveries?messageId=${messageId}&limit=100`);
        const rows = res.body.deliveries as Array<{ sendId: string; failureReason: string | null }>;
        return rows.find((d) => d.sendId === sendId && d.failureReason !== null);
      },
      { timeoutMs: 20_000 },
    );
    expect(logged).toMatchObject({
      channel: 'email',
      status: 'bounced',
      failureReason: 'no_channel',
      error: { permanent: true, message: expect.stringContaining('User unknown') },
    });
    // And the next send to this contact is suppressed by the DNC entry: nothing is mailed.
    const before = dev.smtp.messages.length;
    const again = await ctx.api('POST', `/api/messages/${messageId}/contact/${contact.id}/send`, {});
    await delivery(again.body.sendId as string, 'suppressed');
    expect(dev.smtp.messages.length).toBe(before);
  });

  it('soft bounces count as hard only SOFT_BOUNCE_LIMIT in a row; a delivery in between starts again', async () => {
    const steady = await newContact();
    for (const kind of ['soft_bounce', 'soft_bounce', 'delivered', 'soft_bounce', 'soft_bounce'] as const) {
      const sendId = await send(steady, kind);
      await delivery(sendId, kind === 'delivered' ? 'delivered' : 'bounced');
    }
    expect(await dncOf(steady.id)).toEqual([]);

    const failing = await newContact();
    for (let i = 0; i < 3; i++) await delivery(await send(failing, 'soft_bounce'), 'bounced');
    const dnc = await waitFor(async () => {
      const entries = await dncOf(failing.id);
      return entries.length > 0 && entries;
    });
    expect(dnc).toEqual([
      expect.objectContaining({
        channel: 'email',
        reason: 2,
        comments: expect.stringMatching(/^3 soft bounces in a row; the last: 452 4\.2\.2 .*mailbox full/),
      }),
    ]);
  });

  it('an ARF complaint is a complained event and do-not-contact reason 4', async () => {
    const contact = await newContact();
    const sendId = await send(contact, 'complaint');
    await delivery(sendId, 'complained');
    const dnc = await waitFor(async () => {
      const entries = await dncOf(contact.id);
      return entries.length > 0 && entries;
    });
    expect(dnc).toEqual([
      expect.objectContaining({ channel: 'email', reason: 4, comments: expect.stringContaining('abuse') }),
    ]);
  });

  it('refuses a forged return path at RCPT, and drops a report whose token does not verify', async () => {
    const relay = nodemailer.createTransport({ host: '127.0.0.1', port: bouncePort, secure: false, ignoreTLS: true });
    const forged = `bounce+${'0'.repeat(32)}.0123456789abcdef@elsewhere.example`;
    await expect(
      relay.sendMail({ envelope: { from: '', to: [forged] }, raw: 'Subject: x\r\n\r\nx' }),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
    // At the bounce domain (a feedback-loop address) the mail is taken, but without a signed token it names nothing.
    const contact = await newContact();
    const sendId = await send(contact);
    await delivery(sendId, 'sent');
    const mail = dev.smtp.messages.find((m) => m.envelope.rcptTo.includes(contact.email))!;
    const tampered = mail.envelope.mailFrom.replace(/\.[0-9a-f]{16}@/, '.ffffffffffffffff@');
    const { composeReport } = await import('../../dev-providers/src');
    const raw = composeReport('hard_bounce', {
      mailFrom: tampered,
      rcptTo: contact.email,
      headerBlock: `Return-Path: <${tampered}>`,
      receivedAt: new Date(),
    });
    await relay.sendMail({ envelope: { from: '', to: [`fbl@${BOUNCE_DOMAIN}`] }, raw });
    relay.close();
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await delivery(sendId, 'sent')).status).toBe('sent');
    expect(await dncOf(contact.id)).toEqual([]);
    expect(bounceAddress(SECRET, BOUNCE_DOMAIN, 'x')).not.toBe(tampered);
  });

  it('statistics after a mixed batch count delivered, bounced and complained', async () => {
    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'Batch',
      subject: 'Batch',
      customHtml: '<p>B</p>',
      isPublished: true,
    });
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Batch',
      isPublished: true,
      channels: { email: { channelId: email.body.email.id, isEnabled: true } },
    });
    const batchMessage = message.body.message.id as number;
    const plan: Array<FeedbackKind | undefined> = [
      'delivered',
      'delivered',
      'hard_bounce',
      'soft_bounce',
      'complaint',
      undefined,
    ];
    for (const kind of plan) {
      const contact = await newContact();
      const reports = dev.smtp.reports.length;
      if (kind) dev.control.apply({ provider: 'smtp', feedbackNext: 1, feedback: kind });
      const before = dev.smtp.messages.length;
      expect((await ctx.api('POST', `/api/messages/${batchMessage}/contact/${contact.id}/send`, {})).status).toBe(202);
      await waitFor(() => dev.smtp.messages.length > before, { timeoutMs: 20_000 });
      if (kind) await waitFor(() => dev.smtp.reports.length > reports);
    }
    const stats = await waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/messages/${batchMessage}/stats`);
        const t = res.body.stats?.total;
        return t && t.sent === 6 && t.delivered === 2 && t.bounced === 2 && t.complained === 1 && res.body.stats;
      },
      { timeoutMs: 20_000 },
    );
    expect(stats.total).toMatchObject({ reach: 6, sent: 6, delivered: 2, bounced: 2, complained: 1, failed: 0 });
    expect(stats.channels.email).toMatchObject({ delivered: 2, bounced: 2, complained: 1 });
  });
});
