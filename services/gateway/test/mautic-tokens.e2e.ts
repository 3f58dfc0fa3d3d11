import { waitFor } from '@switchboard/testing';
import { DEFAULT_TWILIO, startDevProviders, type DevProviders } from '../../dev-providers/src';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const PUBLIC_URL = 'http://public.switchboard.test';

/**
 * Content made by a Mautic client, with Mautic's tokens instead of Liquid, end to end: saved under
 * SB_STRICT_OPTOUT (its `{unsubscribe_url}` is the unsubscribe tag), read back as written,
 * previewed, and sent through sender-email and sender-sms to the loopback SMTP server and Twilio
 * personalised, with one unsubscribe link.
 */
describe('Mautic tokens in content (gateway, catalog, preferences, router, sender-email, sender-sms)', () => {
  let ctx: GatewayTestContext;
  let dev: DevProviders;

  beforeAll(async () => {
    dev = await startDevProviders();
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'campaign-actions', 'router', 'sender-email', 'sender-sms'],
      serviceEnv: {
        SB_STRICT_OPTOUT: 'true',
        SB_PUBLIC_URL: PUBLIC_URL,
        SB_TRACKING_SECRET: 'mautic-tokens-tracking-secret-0123456789',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(dev.smtp.port),
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: dev.httpBaseUrl,
        TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
        TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
        TWILIO_FROM: '+15005550006',
        EMAIL_FROM: 'Acme Shop <shop@acme.test>',
        ROUTER_CHANNEL_WARMUP_MS: '500',
        // Every service runs in this one process on a loaded machine.
        SENDER_PROVIDER_TIMEOUT_MS: '60000',
      },
    });
    const contact = await ctx.api('PUT', '/api/contacts/mt-ann/edit', {
      email: 'ann@example.org',
      firstname: 'Ann & Co',
      mobile: '+14155550142',
      fields: { favourite_colour: 'teal' },
    });
    expect(contact.status).toBe(201);
    await waitFor(
      async () => {
        const { channels } = (await ctx.api('GET', '/api/channels')).body as {
          channels?: { channel: string; available: boolean }[];
        };
        return ['email', 'sms'].every((c) => channels?.some((x) => x.channel === c && x.available));
      },
      { timeoutMs: 60_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await dev?.close();
  });

  const customHtml =
    '<html><body><p>Hi {contactfield=firstname}, you like {contactfield=favourite_colour|nothing yet}' +
    ' in {contactfield=city|your town}.</p>' +
    '<p><a href="https://shop.example/?e={contactfield=email|true}">Shop</a></p>' +
    '<p>{unsubscribe_text}</p><img src="{tracking_pixel}" alt=""><footer>{subject}</footer></body></html>';

  it('sends a Mautic-made email personalised, with exactly one unsubscribe link, and stores it as written', async () => {
    const created = await ctx.api('POST', '/api/emails/new', {
      name: 'Mautic-made',
      subject: 'Hello {contactfield=firstname|friend}',
      customHtml,
      isPublished: true,
    });
    // Strict opt-out takes Mautic's {unsubscribe_text} (it carries the link) as the unsubscribe tag.
    expect(created.status).toBe(201);
    expect(created.body.email).toMatchObject({ subject: 'Hello {contactfield=firstname|friend}', customHtml });
    const id = created.body.email.id as number;
    expect((await ctx.api('GET', `/api/emails/${id}`)).body.email.customHtml).toBe(customHtml);

    const sent = await ctx.api('POST', `/api/emails/${id}/contact/mt-ann/send`, {});
    expect(sent.status).toBe(200);
    const mail = await waitFor(() => dev.smtp.messages.find((m) => m.subject === 'Hello Ann & Co'), {
      timeoutMs: 60_000,
    });
    const html = String(mail.html);
    expect(html).toContain('<p>Hi Ann &amp; Co, you like teal in your town.</p>');
    expect(html).not.toContain('contactfield');
    expect(html).not.toMatch(/\{(unsubscribe_text|tracking_pixel)\}/);
    const unsubscribeLinks = html.match(new RegExp(`href="${PUBLIC_URL}/u/[^"]+"`, 'g')) ?? [];
    expect(unsubscribeLinks).toHaveLength(1);
    expect(html).toContain('>Unsubscribe</a> to no longer receive emails from us.');
    // The shop link is click-tracked like any other (what |true url-encodes is in the unit spec).
    expect(html).toMatch(new RegExp(`<a href="${PUBLIC_URL}/t/c/[^"]+">Shop</a>`));
    // One open pixel: the sender's own; the token is a blank one.
    expect(html).toContain('src="data:image/gif;base64,');
    expect(html.match(new RegExp(`${PUBLIC_URL}/t/o/`, 'g')) ?? []).toHaveLength(1);
    expect(mail.text).toContain('Hi Ann & Co, you like teal in your town.');
    expect(html).toContain('<footer>Hello Ann &amp; Co</footer>');
  }, 120_000);

  it("sends Mautic's owner tokens blank and {signature} as Mautic's default signature: no contact has an owner", async () => {
    const created = await ctx.api('POST', '/api/emails/new', {
      name: 'Mautic-made, signed',
      subject: 'From {ownerfield=firstname}your shop',
      customHtml:
        '<html><body><p>Hi {contactfield=firstname}, ask {ownerfield=firstname} {ownerfield=lastname}' +
        ' ({ownerfield=email}).</p><p>{signature}</p><p>{ownerfield=signature}</p>' +
        '<a href="{unsubscribe_url}">Leave</a></body></html>',
      plainText: 'Hi {contactfield=firstname}, ask {ownerfield=firstname}.\n{signature}\n{unsubscribe_url}',
      isPublished: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.email.id as number;
    const sent = await ctx.api('POST', `/api/emails/${id}/contact/mt-ann/send`, {});
    expect(sent.status).toBe(200);
    const mail = await waitFor(() => dev.smtp.messages.find((m) => m.subject === 'From your shop'), {
      timeoutMs: 60_000,
    });
    const html = String(mail.html);
    expect(html).toContain('<p>Hi Ann &amp; Co, ask   ().</p><p>Best regards, Acme Shop</p><p></p>');
    expect(mail.text).toContain('Hi Ann & Co, ask .\nBest regards, Acme Shop\n');
    for (const part of [html, String(mail.text)]) expect(part).not.toMatch(/ownerfield|\{signature\}/i);

    const preview = await ctx.api('POST', `/api/emails/${id}/preview`, { contactId: 'mt-ann' });
    expect(preview.body.preview.customHtml).toContain('<p>Best regards, Acme Shop</p><p></p>');
  }, 120_000);

  it('refuses under strict opt-out a Mautic email without {unsubscribe_url}, and accepts one with it', async () => {
    const bare = await ctx.api('POST', '/api/emails/new', {
      name: 'Bare',
      subject: 'S',
      customHtml: '<p>Hi {contactfield=firstname} <a href="{webview_url}">{webview_text}</a></p>',
      isPublished: true,
    });
    expect(bare.status).toBe(400);
    const linked = await ctx.api('POST', '/api/emails/new', {
      name: 'Linked',
      subject: 'S',
      customHtml: '<p>Hi {contactfield=firstname} <a href="{unsubscribe_url}">Leave</a></p>',
      isPublished: true,
    });
    expect(linked.status).toBe(201);
  });

  it('previews Mautic tokens as the sender renders them', async () => {
    const email = (
      await ctx.api('POST', '/api/emails/new', {
        name: 'Preview',
        subject: 'For {contactfield=firstname|you}',
        customHtml:
          '<p>{contactfield=firstname} likes {contactfield=favourite_colour}. {unsubscribe_url} {subject}</p>',
      })
    ).body.email;
    const preview = await ctx.api('POST', `/api/emails/${email.id}/preview`, { contactId: 'mt-ann' });
    expect(preview.status).toBe(200);
    expect(preview.body.preview.subject).toBe('For Ann & Co');
    expect(preview.body.preview.customHtml).toMatch(
      /^<p>Ann &amp; Co likes teal\. http:\/\/\S+\/u\/sample For Ann &amp; Co<\/p>$/,
    );
  });

  it('sends an SMS with {contactfield=firstname} personalised and {ownerfield=firstname} blank', async () => {
    const sms = await ctx.api('POST', '/api/smses/new', {
      name: 'Mautic SMS',
      message:
        'Hi {contactfield=firstname|there}, your {contactfield=favourite_colour} order shipped.{ownerfield=firstname} Reply STOP to opt out',
      isPublished: true,
    });
    expect(sms.status).toBe(201);
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Shipped',
      isPublished: true,
      channels: { sms: { channelId: sms.body.sms.id, isEnabled: true } },
    });
    expect(message.status).toBe(201);
    const send = await ctx.api('POST', `/api/messages/${message.body.message.id}/contact/mt-ann/send`, {});
    expect(send.status).toBe(202);
    const text = await waitFor(() => dev.twilio.messages.find((m) => m.to === '+14155550142'), { timeoutMs: 60_000 });
    expect(text.body).toBe('Hi Ann & Co, your teal order shipped. Reply STOP to opt out');
  }, 120_000);
});
