import { waitFor } from '@switchboard/testing';
import {
  DEFAULT_TWILIO,
  startHttpFake,
  startSmtpFake,
  type HttpFake,
  type SmtpFake,
  type SmtpMessage,
} from '../../dev-providers/src';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Today's and tomorrow's weekday in a zone: a filter on both holds even if the test runs across midnight. */
function weekdaysNear(timezone: string): string[] {
  const today = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'long' }).format(new Date());
  const i = WEEKDAYS.indexOf(today.toLowerCase());
  return [WEEKDAYS[i], WEEKDAYS[(i + 1) % 7]];
}

const filter = (field: string, operator: string, value: unknown, type = 'text') => ({
  glue: 'and',
  field,
  object: 'lead',
  type,
  operator,
  filter: value,
});

/**
 * DESIGN §7.2 variants and Mautic's dynamic content end to end: content saved with variants
 * (checked on save), each contact sent the variant its fields and local clock pick, through the
 * loopback SMTP and Twilio providers; the variant on the deliveries log, the send's record and the
 * message's statistics by variant.
 */
describe('content variants and dynamic content (catalog, preferences, router, senders, tracker)', () => {
  let ctx: GatewayTestContext;
  let smtp: SmtpFake;
  let twilio: HttpFake;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    twilio = await startHttpFake();
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router', 'sender-email', 'sender-sms', 'tracker'],
      serviceEnv: {
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: twilio.baseUrl,
        TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
        TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
        TWILIO_FROM: '+15005550006',
        ROUTER_CHANNEL_WARMUP_MS: '500',
        SB_TRACKING_SECRET: 'variants-tracking-secret-0123456789',
      },
    });
    const contacts: [string, Record<string, unknown>][] = [
      [
        'v-ada',
        {
          firstname: 'Ada',
          email: 'ada@example.org',
          mobile: '+14155550101',
          city: 'Prague',
          orders: 50,
          timezone: 'Europe/Prague',
        },
      ],
      [
        'v-bob',
        {
          firstname: 'Bob',
          email: 'bob@example.org',
          mobile: '+14155550102',
          city: 'Boston',
          orders: 5,
          timezone: 'America/New_York',
        },
      ],
      ['v-cid', { firstname: 'Cid', email: 'cid@example.org', mobile: '+14155550103', timezone: 'Asia/Tokyo' }],
      ['v-raleigh', { firstname: 'Ral', email: 'ral@example.org', city: 'Raleigh' }],
    ];
    for (const [id, body] of contacts)
      expect((await ctx.api('PUT', `/api/contacts/${id}/edit`, body)).status).toBe(201);
    await waitFor(
      async () => {
        const channels = await ctx.api('GET', '/api/channels');
        const available = (channels.body.channels ?? []).filter((c: { available: boolean }) => c.available);
        return available.length >= 2;
      },
      { timeoutMs: 60_000 },
    );
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await smtp?.close();
    await twilio?.close();
  });

  async function messageFor(channel: 'email' | 'sms', contentId: number): Promise<number> {
    const res = await ctx.api('POST', '/api/messages/new', {
      name: `${channel} variants`,
      isPublished: true,
      channels: { [channel]: { channelId: contentId, isEnabled: true } },
    });
    expect(res.status).toBe(201);
    return res.body.message.id as number;
  }

  async function send(messageId: number, contactId: string): Promise<string> {
    const res = await ctx.api('POST', `/api/messages/${messageId}/contact/${contactId}/send`, {});
    expect(res.status).toBe(202);
    return res.body.sendId as string;
  }

  const mailTo = (address: string) => smtp.waitForMessage((m: SmtpMessage) => m.to.includes(address), 60_000);

  it('refuses variants that cannot be evaluated at send time or do not parse, in the Mautic error shape', async () => {
    const res = await ctx.api('POST', '/api/smses/new', {
      name: 'Bad variants',
      message: 'Base',
      variants: [
        { name: 'dnc', filters: [filter('dnc_email', '=', 1)], message: 'x' },
        { name: 'liquid', filters: [filter('city', '=', 'Prague')], message: 'Hi {{ contact.firstname ' },
        { name: 'clock', filters: [filter('localTime', 'between', ['9am', '12:00'])] },
        { name: 'Clock', filters: [filter('city', '=', 'x')] },
        { name: 'none', filters: [] },
      ],
    });
    expect(res.status).toBe(400);
    const [error] = res.body.errors;
    expect(error.code).toBe(400);
    expect(error.details).toEqual({
      'variants.3.name': ['Variant names are unique.'],
      'variants.4.filters': ['A variant needs at least one filter.'],
    });
    // Shape first (zod), then what only the filter engine and Liquid can tell.
    const second = await ctx.api('POST', '/api/smses/new', {
      name: 'Bad variants',
      message: 'Base',
      variants: [
        { name: 'dnc', filters: [filter('dnc_email', '=', 1)], message: 'x' },
        { name: 'liquid', filters: [filter('city', '=', 'Prague')], message: 'Hi {{ contact.firstname ' },
        { name: 'clock', filters: [filter('localTime', 'between', ['9am', '12:00'])] },
      ],
    });
    expect(second.status).toBe(400);
    expect(Object.keys(second.body.errors[0].details).sort()).toEqual([
      'variants.0.filters',
      'variants.1.message',
      'variants.2.filters',
    ]);
    expect(second.body.errors[0].details['variants.0.filters']).toEqual([
      '#1 (dnc_email): is not known when a message is sent; use it in a segment.',
    ]);
    expect(second.body.errors[0].details['variants.2.filters']).toEqual([
      '#1 (localTime): a time of day is HH:mm (00:00 to 23:59).',
    ]);
    expect(second.body.errors[0].message).toContain('variants.1.message: The template does not parse');
  });

  it('sends each contact the first variant that matches, records it and counts it by variant', async () => {
    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'Offer',
      subject: 'Hello {{ contact.firstname }}',
      customHtml: '<p>Base offer for {{ contact.firstname }} <a href="https://shop.example/offer">Shop</a></p>',
      variants: [
        {
          name: 'prague',
          filters: [filter('city', '=', 'Prague')],
          subject: 'Ahoj {{ contact.firstname }}',
          customHtml: '<p>Praha offer for {{ contact.firstname }}</p>',
        },
        {
          name: 'new-york-days',
          filters: [
            filter('timezone', '=', 'America/New_York'),
            filter('localWeekday', 'in', weekdaysNear('America/New_York')),
            filter('localTime', 'between', ['00:00', '23:59']),
          ],
          subject: 'Good day {{ contact.firstname }}',
        },
      ],
    });
    expect(email.status).toBe(201);
    expect(email.body.email.variants).toHaveLength(2);
    expect(email.body.email.variants[0]).toMatchObject({
      name: 'prague',
      filters: [{ field: 'city', operator: '=', filter: 'Prague', properties: { filter: 'Prague' } }],
      subject: 'Ahoj {{ contact.firstname }}',
    });
    const sms = await ctx.api('POST', '/api/smses/new', {
      name: 'Offer SMS',
      message: 'Base offer, {{ contact.firstname }}',
      variants: [
        { name: 'vip', filters: [filter('orders', 'gt', 20, 'number')], message: 'VIP offer, {{ contact.firstname }}' },
        { name: 'boston', filters: [filter('city', 'like', 'bos')], message: 'Boston offer, {{ contact.firstname }}' },
      ],
    });
    expect(sms.status).toBe(201);

    const emailMessage = await messageFor('email', email.body.email.id);
    const smsMessage = await messageFor('sms', sms.body.sms.id);
    const sends: Record<string, string> = {};
    for (const contact of ['v-ada', 'v-bob', 'v-cid']) {
      sends[`email:${contact}`] = await send(emailMessage, contact);
      sends[`sms:${contact}`] = await send(smsMessage, contact);
    }

    const ada = await mailTo('ada@example.org');
    expect(ada.subject).toBe('Ahoj Ada');
    expect(ada.html).toContain('Praha offer for Ada');
    const bob = await mailTo('bob@example.org');
    expect(bob.subject).toBe('Good day Bob');
    expect(bob.html).toContain('Base offer for Bob'); // a variant without customHtml keeps the base body
    const cid = await mailTo('cid@example.org');
    expect(cid.subject).toBe('Hello Cid');

    const texts = await waitFor(() => twilio.twilio.messages.length >= 3 && twilio.twilio.messages, {
      timeoutMs: 60_000,
    });
    const bodyTo = (to: string) => texts.find((m) => m.to === to)?.body;
    expect(bodyTo('+14155550101')).toMatch(/^VIP offer, Ada\n/);
    expect(bodyTo('+14155550102')).toMatch(/^Boston offer, Bob\n/);
    expect(bodyTo('+14155550103')).toMatch(/^Base offer, Cid\n/);

    // The deliveries log and the send's record say which variant each contact got.
    const rows = await waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/deliveries?messageId=${emailMessage}`);
        const list = res.body.deliveries as { contact: { id: string }; status: string; variant: string | null }[];
        return list?.length === 3 && list.every((r) => r.status === 'sent') && list;
      },
      { timeoutMs: 60_000 },
    );
    const variantOf = Object.fromEntries(rows.map((r) => [r.contact.id, r.variant]));
    expect(variantOf).toEqual({ 'v-ada': 'prague', 'v-bob': 'new-york-days', 'v-cid': null });
    const smsRows = await waitFor(async () => {
      const res = await ctx.api('GET', `/api/deliveries?messageId=${smsMessage}&status=sent`);
      return (
        res.body.deliveries?.length === 3 &&
        (res.body.deliveries as { contact: { id: string }; variant: string | null }[])
      );
    });
    expect(Object.fromEntries(smsRows.map((r) => [r.contact.id, r.variant]))).toEqual({
      'v-ada': 'vip',
      'v-bob': 'boston',
      'v-cid': null,
    });
    const record = await ctx.api('GET', `/api/sends/${sends['email:v-ada']}`);
    expect(record.status).toBe(200);
    expect(record.body.send.dispatches[0].variant).toBe('prague');
    expect(record.body.send.dispatches[0].events[0]).toMatchObject({ event: 'sent', variant: 'prague' });

    // Ada opens her email and Bob clicks in his: each counts on the variant that was sent.
    const pixel = /\/t\/o\/[^"]+\.gif/.exec(ada.html!)![0];
    expect((await fetch(`${ctx.baseUrl}${pixel}`)).status).toBe(200);
    const click = /\/t\/c\/[^"]+/.exec(bob.html!)![0];
    expect((await fetch(`${ctx.baseUrl}${click}`, { redirect: 'manual' })).status).toBe(302);

    const stats = await waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/messages/${emailMessage}/stats`);
        const variants = res.body.stats?.variants as
          { variant: string | null; opened: number; clicked: number }[] | undefined;
        const opened = variants?.find((v) => v.variant === 'prague')?.opened;
        const clicked = variants?.find((v) => v.variant === 'new-york-days')?.clicked;
        return opened === 1 && clicked === 1 && res.body.stats;
      },
      { timeoutMs: 60_000 },
    );
    expect(stats.variants).toEqual([
      expect.objectContaining({ channel: 'email', variant: null, sent: 1, opened: 0, uniqueOpened: 0 }),
      expect.objectContaining({ channel: 'email', variant: 'new-york-days', sent: 1, clicked: 1, uniqueClicked: 1 }),
      expect.objectContaining({ channel: 'email', variant: 'prague', sent: 1, opened: 1, uniqueOpened: 1, clicked: 0 }),
    ]);
    const smsStats = await ctx.api('GET', `/api/messages/${smsMessage}/stats`);
    expect(
      (smsStats.body.stats.variants as { variant: string | null; sent: number }[]).map((v) => [v.variant, v.sent]),
    ).toEqual([
      [null, 1],
      ['boston', 1],
      ['vip', 1],
    ]);
  }, 240_000);

  it("keeps a Mautic client's dynamicContent as sent, and fills each token with the alternative that matches", async () => {
    // mautic/api-library's EmailsTest payload, with the tokens in the body.
    const dynamicContent = [
      {
        tokenName: 'test content name',
        content: 'Some default <strong>content</strong>',
        filters: [
          { content: 'Variation 1', filters: [] },
          {
            content: 'Variation 2',
            filters: [
              {
                glue: 'and',
                field: 'city',
                object: 'lead',
                type: 'text',
                filter: 'Prague',
                display: null,
                operator: '=',
              },
              {
                glue: 'and',
                field: 'email',
                object: 'lead',
                type: 'email',
                filter: 'Prague',
                display: null,
                operator: '!empty',
              },
            ],
          },
        ],
      },
      {
        tokenName: 'test content name2',
        content: 'Some default <strong>content2</strong>',
        filters: [
          { content: 'Variation 3', filters: [] },
          {
            content: 'Variation 4',
            filters: [
              {
                glue: 'and',
                field: 'city',
                object: 'lead',
                type: 'text',
                filter: 'Raleigh',
                display: null,
                operator: '=',
              },
            ],
          },
        ],
      },
    ];
    const payload = {
      name: 'test',
      subject: 'API test email',
      customHtml:
        '<h1>Hi there!</h1><p>{dynamiccontent="test content name"}</p><p>{dynamiccontent="test content name2"}</p>',
      emailType: 'template',
      dynamicContent,
    };
    const created = await ctx.api('POST', '/api/emails/new', payload);
    expect(created.status).toBe(201);
    expect(created.body.email.dynamicContent).toEqual(dynamicContent);
    const id = created.body.email.id as number;
    const read = await ctx.api('GET', `/api/emails/${id}`);
    expect(read.body.email.dynamicContent).toEqual(dynamicContent);
    // A PUT of what was read (api-library's testEditPut) changes nothing.
    const put = await ctx.api('PUT', `/api/emails/${id}/edit`, read.body.email);
    expect(put.status).toBe(200);
    expect(put.body.email.dynamicContent).toEqual(dynamicContent);
    // Mautic's own placeholder (what Mautic answers for an email without dynamic content) saves too.
    const placeholder = [
      {
        tokenName: 'Dynamic Content 1',
        content: 'Default Dynamic Content',
        filters: [
          {
            content: null,
            filters: [
              { glue: null, field: null, object: null, type: null, operator: null, display: null, filter: null },
            ],
          },
        ],
      },
    ];
    const withPlaceholder = await ctx.api('PATCH', `/api/emails/${id}/edit`, { dynamicContent: placeholder });
    expect(withPlaceholder.status).toBe(200);
    expect(withPlaceholder.body.email.dynamicContent).toEqual(placeholder);
    expect((await ctx.api('PATCH', `/api/emails/${id}/edit`, { dynamicContent })).status).toBe(200);
    const bad = await ctx.api('PATCH', `/api/emails/${id}/edit`, {
      dynamicContent: [
        {
          tokenName: 'x',
          content: '{{ oops',
          filters: [{ content: 'y', filters: [filter('message_opened', '=', 1)] }],
        },
      ],
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors[0].details).sort()).toEqual([
      'dynamicContent.0.content',
      'dynamicContent.0.filters.0.filters',
    ]);

    for (const contact of ['v-ada', 'v-raleigh']) {
      const res = await ctx.api('POST', `/api/emails/${id}/contact/${contact}/send`, {});
      expect(res.status).toBe(200);
      expect(res.body.success).toBeTruthy();
    }
    const ada = await smtp.waitForMessage(
      (m) => m.to.includes('ada@example.org') && m.subject === 'API test email',
      60_000,
    );
    expect(ada.html).toContain('<p>Variation 2</p><p>Some default <strong>content2</strong></p>');
    const ral = await smtp.waitForMessage((m) => m.to.includes('ral@example.org'), 60_000);
    expect(ral.html).toContain('<p>Some default <strong>content</strong></p><p>Variation 4</p>');

    const rows = await waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/deliveries?status=sent&limit=500`);
        const list = (res.body.deliveries ?? []) as {
          contact: { id: string };
          dynamicContent: Record<string, string> | null;
        }[];
        const mine = list.filter((r) => r.dynamicContent);
        return mine.length === 2 && mine;
      },
      { timeoutMs: 60_000 },
    );
    expect(Object.fromEntries(rows.map((r) => [r.contact.id, r.dynamicContent]))).toEqual({
      'v-ada': { 'test content name': '2', 'test content name2': 'default' },
      'v-raleigh': { 'test content name': 'default', 'test content name2': '2' },
    });
  }, 180_000);

  it('previews each contact the variant a sender would pick, per content item and message by message', async () => {
    const sms = await ctx.api('POST', '/api/smses/new', {
      name: 'Preview SMS',
      message: 'Base, {{ contact.firstname }}',
      variants: [
        { name: 'prague', filters: [filter('city', '=', 'Prague')], message: 'Praha, {{ contact.firstname }}' },
      ],
    });
    expect(sms.status).toBe(201);
    const id = sms.body.sms.id as number;
    const preview = async (contactId: string) =>
      (await ctx.api('POST', `/api/smses/${id}/preview`, { contactId })).body.preview;
    expect(await preview('v-ada')).toEqual({ variant: 'prague', message: 'Praha, Ada' });
    expect(await preview('v-bob')).toEqual({ variant: null, message: 'Base, Bob' });
    const sample = await ctx.api('POST', `/api/smses/${id}/preview`, { fields: { firstname: 'Eva', city: 'Prague' } });
    expect(sample.body.preview).toEqual({ variant: 'prague', message: 'Praha, Eva' });

    const messageId = await messageFor('sms', id);
    const side = await ctx.api('POST', `/api/messages/${messageId}/preview`, { contactId: 'v-ada' });
    expect(side.status).toBe(200);
    expect(side.body.preview.channels).toEqual([
      expect.objectContaining({ channel: 'sms', variant: 'prague', message: expect.stringMatching(/^Praha, Ada/) }),
    ]);
  }, 120_000);
});

/** Under SB_STRICT_OPTOUT every variant is sent instead of the base, so each answers to the opt-out rule. */
describe('variants and the opt-out rule (catalog, SB_STRICT_OPTOUT=true)', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog'], serviceEnv: { SB_STRICT_OPTOUT: 'true' } });
  }, 120_000);

  afterAll(() => ctx?.close());

  it('refuses a published variant without the tag, and adds the footer to the variant on request', async () => {
    const sms = {
      name: 'Strict',
      isPublished: true,
      message: 'Sale! {{ optout }}',
      variants: [
        { name: 'inherits', filters: [filter('city', '=', 'Brno')], senderId: 'SHOP' },
        { name: 'own-text', filters: [filter('city', '=', 'Prague')], message: 'Sleva!' },
      ],
    };
    const refused = await ctx.api('POST', '/api/smses/new', sms);
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.body.errors[0].details)).toEqual(['variants.1.message']);

    const appended = await ctx.api('POST', '/api/smses/new', { ...sms, autoAppendOptOut: true });
    expect(appended.status).toBe(201);
    const [inherits, own] = appended.body.sms.variants;
    expect(inherits).not.toHaveProperty('message');
    expect(own.message).toMatch(/^Sleva!\n.+/);
    expect(appended.body.sms.message).toBe('Sale! {{ optout }}');
  });
});
