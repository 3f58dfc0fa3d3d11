import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from '@switchboard/testing';
import { startGateway, type GatewayTestContext, channelAvailable } from './support/gateway-test';

/**
 * Mautic's segment emails and email-to-contact sends (DESIGN §7.4), as mautic/api-library's
 * EmailsTest drives them, through catalog, preferences, campaign-actions, the router and
 * sender-email to a loopback SMTP server.
 */
describe('Mautic email sends (segment emails, one contact with tokens)', () => {
  let ctx: GatewayTestContext;
  let smtp: SMTPServer;
  const mails: ParsedMail[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail);
            done();
          })
          .catch(done);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'campaign-actions', 'router', 'sender-email'],
      serviceEnv: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
        ROUTER_CHANNEL_WARMUP_MS: '500',
        SB_TRACKING_SECRET: 'email-sends-tracking-secret-0123456789',
      },
    });
    for (const [id, email, firstname] of [
      ['le-ann', 'ann@example.org', 'Ann'],
      ['le-bob', 'bob@example.org', 'Bob'],
      ['le-cid', 'cid@example.org', 'Cid'],
    ])
      expect((await ctx.api('PUT', `/api/contacts/${id}/edit`, { email, firstname })).status).toBe(201);
    await channelAvailable(ctx, 'email');
  });

  afterAll(async () => {
    await ctx?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  });

  const to = (address: string, subject: string) =>
    mails.filter((m) => m.subject === subject && m.to && JSON.stringify(m.to).includes(address));

  it('keeps emailType and lists (ids in, {id} objects out; template by default)', async () => {
    const segment = (await ctx.api('POST', '/api/segments/new', { name: 'test' })).body.list;
    const created = await ctx.api('POST', '/api/emails/new', {
      name: 'test',
      subject: 'API test email',
      customHtml: '<h1>Hi there!</h1>',
      emailType: 'list',
      lists: [segment.id],
    });
    expect(created.status).toBe(201);
    expect(created.body.email).toMatchObject({ emailType: 'list', lists: [{ id: segment.id }] });
    // A client PUTs back what it read, with lists as objects or ids.
    const other = (await ctx.api('POST', '/api/segments/new', { name: 'test2' })).body.list;
    const put = await ctx.api('PUT', `/api/emails/${created.body.email.id}/edit`, {
      ...created.body.email,
      lists: [{ id: other.id }],
    });
    expect(put.status).toBe(200);
    expect(put.body.email.lists).toEqual([{ id: other.id }]);
    const template = await ctx.api('POST', '/api/emails/new', { name: 't', subject: 's', customHtml: '<p>x</p>' });
    expect(template.body.email).toMatchObject({ emailType: 'template', lists: [] });
    const bad = await ctx.api('POST', '/api/emails/new', { name: 't', subject: 's', emailType: 'broadcast' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].details.emailType).toBeDefined();
    // The email's own message stays out of the message list.
    await ctx.api('POST', `/api/emails/${template.body.email.id}/contact/le-ann/send`, {});
    const messages = await ctx.api('GET', '/api/messages?limit=0');
    expect(messages.body.total).toBe(0);
  });

  it('sends a segment email to each member once: sentCount, then 0, then only the member added since', async () => {
    const segment = (await ctx.api('POST', '/api/segments/new', { name: 'Newsletter readers' })).body.list;
    await ctx.api('POST', `/api/segments/${segment.id}/contacts/add`, { ids: ['le-ann', 'le-bob'] });
    const email = (
      await ctx.api('POST', '/api/emails/new', {
        name: 'Newsletter',
        subject: 'News for {{ contact.firstname }}',
        customHtml: '<p>Hello {{ contact.firstname }}</p>',
        emailType: 'list',
        lists: [segment.id],
        isPublished: true,
      })
    ).body.email;

    const first = await ctx.api('POST', `/api/emails/${email.id}/send`);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: 1, sentCount: 2, failedRecipients: [] });
    await waitFor(() => to('ann@', 'News for Ann').length === 1 && to('bob@', 'News for Bob').length === 1, {
      timeoutMs: 30_000,
    });

    expect((await ctx.api('POST', `/api/emails/${email.id}/send`)).body).toEqual({
      success: 1,
      sentCount: 0,
      failedRecipients: [],
    });
    await ctx.api('POST', `/api/segments/${segment.id}/contact/le-cid/add`);
    // Mautic's clients post forms as often as JSON.
    const third = await ctx.api('POST', `/api/emails/${email.id}/send`, undefined, {
      raw: 'limit=5',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(third.body.sentCount).toBe(1);
    await waitFor(() => to('cid@', 'News for Cid').length === 1, { timeoutMs: 30_000 });
    expect(to('ann@', 'News for Ann')).toHaveLength(1);
  });

  it('honours limit, answers 404 for a missing or unpublished email and sends nothing for a template email', async () => {
    const segment = (await ctx.api('POST', '/api/segments/new', { name: 'Limited' })).body.list;
    await ctx.api('POST', `/api/segments/${segment.id}/contacts/add`, { ids: ['le-ann', 'le-bob', 'le-cid'] });
    const base = { subject: 'Limited {{ contact.firstname }}', customHtml: '<p>x</p>', lists: [segment.id] };
    const email = (await ctx.api('POST', '/api/emails/new', { ...base, name: 'Limited', emailType: 'list' })).body
      .email;
    expect((await ctx.api('POST', `/api/emails/${email.id}/send`, { limit: 2 })).body.sentCount).toBe(2);
    expect((await ctx.api('POST', `/api/emails/${email.id}/send`, { limit: 2 })).body.sentCount).toBe(1);

    const draft = await ctx.api('POST', '/api/emails/new', {
      ...base,
      name: 'Draft',
      emailType: 'list',
      isPublished: false,
    });
    const missing = await ctx.api('POST', `/api/emails/${draft.body.email.id}/send`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toMatchObject({ code: 404, message: 'Item was not found.' });
    expect((await ctx.api('POST', '/api/emails/999999/send')).status).toBe(404);
    const template = await ctx.api('POST', '/api/emails/new', { ...base, name: 'Template' });
    expect((await ctx.api('POST', `/api/emails/${template.body.email.id}/send`)).body).toEqual({
      success: 1,
      sentCount: 0,
      failedRecipients: [],
    });
    const badLimit = await ctx.api('POST', `/api/emails/${email.id}/send`, { limit: 'lots' });
    expect(badLimit.status).toBe(400);
  });

  it('sends an email to one contact with tokens (braced or not), and 404s an unknown contact or email', async () => {
    const email = (
      await ctx.api('POST', '/api/emails/new', {
        name: 'Receipt',
        subject: 'Order {order} for {{ contact.firstname }}',
        customHtml: '<p>Your code: {code}</p><p>{note}</p>',
      })
    ).body.email;
    const sent = await ctx.api('POST', `/api/emails/${email.id}/contact/le-bob/send`, {
      tokens: { order: 'A-17', '{code}': 'XYZ', note: '<b>thanks</b><script>alert(1)</script>' },
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ success: true, sendId: expect.any(String) });
    const mail = await waitFor(() => to('bob@', 'Order A-17 for Bob')[0], { timeoutMs: 30_000 });
    expect(String(mail.html)).toContain('Your code: XYZ');
    expect(String(mail.html)).toContain('<b>thanks</b>');
    expect(String(mail.html)).not.toContain('script');
    expect(mail.text).toContain('Your code: XYZ');

    expect((await ctx.api('POST', `/api/emails/${email.id}/contact/nobody/send`)).status).toBe(404);
    expect((await ctx.api('POST', '/api/emails/999999/contact/le-bob/send')).status).toBe(404);
    const badTokens = await ctx.api('POST', `/api/emails/${email.id}/contact/le-bob/send`, { tokens: 'x' });
    expect(badTokens.status).toBe(400);
  });
});
