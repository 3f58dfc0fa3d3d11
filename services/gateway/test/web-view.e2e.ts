import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { execute } from '@switchboard/persistence';
import { SubjectRecorder, waitFor } from '@switchboard/testing';
import { trackingUrls } from '@switchboard/tracking';
import { startDevProviders, type DevProviders } from '../../dev-providers/src';
import { channelAvailable, startGateway, type GatewayTestContext } from './support/gateway-test';

const PUBLIC_URL = 'http://public.switchboard.test';
const SECRET = 'web-view-tracking-secret-0123456789';

interface CountRow {
  n: number;
}

/**
 * Mautic's "View in your browser" end to end: an email with `{webview_url}`/`{webview_text}` sent
 * to a contact through sender-email to the loopback SMTP server; the link in the received mail
 * shows that contact's email as sent (kept by sender-email, answered by the gateway), counts an
 * open, and is a 404 page once tampered with or past its retention; an email without the link
 * keeps no copy.
 */
describe('web view of a sent email (gateway, catalog, preferences, router, sender-email)', () => {
  let ctx: GatewayTestContext;
  let dev: DevProviders;
  let nc: NatsConnection;
  let deliveryEvents: SubjectRecorder;
  let senderDb: DataSource;

  const copies = async () =>
    (await senderDb.query<CountRow[]>('SELECT count(*)::int AS n FROM sender_email.web_view_copies'))[0].n;
  /** The link as the gateway under test answers it: the mail carries the public URL. */
  const local = (url: string) => url.replace(PUBLIC_URL, ctx.baseUrl);

  beforeAll(async () => {
    dev = await startDevProviders();
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'campaign-actions', 'router', 'sender-email'],
      serviceEnv: {
        SB_PUBLIC_URL: PUBLIC_URL,
        SB_TRACKING_SECRET: SECRET,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(dev.smtp.port),
        ROUTER_CHANNEL_WARMUP_MS: '500',
        // Every service runs in this one process on a loaded machine.
        SENDER_PROVIDER_TIMEOUT_MS: '60000',
      },
    });
    senderDb = ctx.services['sender-email'].app.get(DataSource);
    nc = await connect({ servers: ctx.env.natsUrl });
    deliveryEvents = new SubjectRecorder(nc, [ctx.env.names.subjects.delivery('email', 'opened')]);
    for (const [id, email, firstname] of [
      ['wv-ann', 'ann@example.org', 'Ann & Co'],
      ['wv-bob', 'bob@example.org', 'Bob'],
    ]) {
      expect((await ctx.api('PUT', `/api/contacts/${id}/edit`, { email, firstname })).status).toBe(201);
    }
    await channelAvailable(ctx, 'email');
  }, 120_000);

  afterAll(async () => {
    deliveryEvents?.stop();
    await nc?.close();
    await ctx?.close();
    await dev?.close();
  });

  const newEmail = async (subject: string, customHtml: string): Promise<number> => {
    const created = await ctx.api('POST', '/api/emails/new', { name: subject, subject, customHtml, isPublished: true });
    expect(created.status).toBe(201);
    return created.body.email.id as number;
  };
  const sendTo = async (emailId: number, contactId: string, subject: string) => {
    expect((await ctx.api('POST', `/api/emails/${emailId}/contact/${contactId}/send`, {})).status).toBe(200);
    return waitFor(() => dev.smtp.messages.find((m) => m.subject === subject), { timeoutMs: 60_000 });
  };

  it("shows the contact's email as sent behind {webview_text}'s link, counts an open, and 404s a tampered or expired link", async () => {
    const id = await newEmail(
      'Newsletter for {contactfield=firstname}',
      '<html><head></head><body><p>{webview_text}</p><p>Hello {contactfield=firstname}, news inside.</p>' +
        '<p><a href="{webview_url}">Browser</a> <a href="{unsubscribe_url}">Leave</a></p></body></html>',
    );
    const mail = await sendTo(id, 'wv-ann', 'Newsletter for Ann & Co');
    const html = String(mail.html);
    const links = [...html.matchAll(/href="([^"]*\/email\/view\/[^"]+)"/g)].map((m) => m[1]);
    // Mautic's text around the link, and the bare URL: both the same signed link, not click-tracked.
    expect(html).toContain('>Having trouble reading this email? Click here.</a>');
    expect(links).toHaveLength(2);
    expect(new Set(links).size).toBe(1);
    expect(links[0].startsWith(`${PUBLIC_URL}/email/view/`)).toBe(true);
    expect(String(mail.text)).toContain(links[0]);

    const opensBefore = deliveryEvents.messages.length;
    const view = await fetch(local(links[0]));
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toMatch(/^text\/html/);
    expect(view.headers.get('cache-control')).toBe('no-store');
    expect(view.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await view.text();
    expect(page).toContain('<p>Hello Ann &amp; Co, news inside.</p>');
    // The email as sent, but without its open pixel: the view counts its own open.
    expect(page).toContain(`href="${links[0]}"`);
    expect(page).not.toContain('/t/o/');
    const opened = await waitFor(() => deliveryEvents.messages.slice(opensBefore)[0], { timeoutMs: 30_000 });
    expect(opened.data).toMatchObject({ event: 'opened', contactId: 'wv-ann', channel: 'email' });

    // A forger swaps the dispatch, or breaks the signature: a 404 page, not a stack.
    const token = links[0].split('/email/view/')[1];
    const [body, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${Buffer.from(JSON.stringify({ ...claims, dispatchId: 'someone-else' })).toString('base64url')}.${sig}`;
    for (const bad of [forged, `${body}.${sig.slice(0, -2)}AA`, 'nope', `${body}`]) {
      const res = await fetch(`${ctx.baseUrl}/email/view/${bad}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('This link is not valid');
    }

    // Past its retention the copy is gone, even before the Pruner deletes it.
    await execute(
      senderDb,
      `UPDATE sender_email.web_view_copies SET created_at = now() - interval '31 days' WHERE dispatch_id = $1`,
      [claims.dispatchId],
    );
    const expired = await fetch(local(links[0]));
    expect(expired.status).toBe(404);
    expect(await expired.text()).toContain('This link is not valid');
  }, 120_000);

  it('keeps no copy of an email that does not link to its web view', async () => {
    const before = await copies();
    expect(before).toBeGreaterThan(0);
    const id = await newEmail(
      'Plain for {contactfield=firstname}',
      '<p>Hi {contactfield=firstname}. {unsubscribe_text}</p>',
    );
    const mail = await sendTo(id, 'wv-bob', 'Plain for Bob');
    expect(String(mail.html)).not.toContain('/email/view/');
    expect(await copies()).toBe(before);
    // Even a genuine link to that dispatch (signed with the secret) finds nothing: a 404 page.
    const dispatchId = mail.headers['x-switchboard-dispatch'];
    const { webview } = trackingUrls(ctx.baseUrl, SECRET, {
      dispatchId,
      sendId: dispatchId,
      messageId: 1,
      contactId: 'wv-bob',
      channel: 'email',
    });
    const res = await fetch(webview);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('This link is not valid');
  }, 120_000);

  it('previews the web view link as the sample page', async () => {
    const id = await newEmail('Preview', '<p>{webview_text}</p><p>{unsubscribe_url}</p>');
    const preview = await ctx.api('POST', `/api/emails/${id}/preview`, { contactId: 'wv-ann' });
    expect(preview.status).toBe(200);
    const link = /href="([^"]+)"/.exec(preview.body.preview.customHtml as string)![1];
    expect(link).toMatch(/\/email\/view\/sample$/);
    const sample = await fetch(`${ctx.baseUrl}/email/view/sample`);
    expect(sample.status).toBe(200);
    expect(await sample.text()).toContain('This is a test or a preview');
  });
});
