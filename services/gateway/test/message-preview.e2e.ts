import { preferencesContactsUpsert } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** DESIGN §7.2 previews: each content type for a contact or sample fields, and a message's channels side by side. */
describe('previews of every content type and of a whole message (gateway, catalog, preferences)', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog', 'preferences'], serviceEnv: { SMS_OPT_OUT_TEXT: 'Text END' } });
    await ctx.gateway.app.get(RpcClient).call(preferencesContactsUpsert, {
      contact: { id: 'mia', email: 'mia@example.org', firstname: 'Mia', fields: { city: 'Brno' } },
      mode: 'merge',
      mustExist: false,
    });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const create = async (path: string, item: string, body: Record<string, unknown>): Promise<number> => {
    const res = await ctx.api('POST', `/api/${path}/new`, body);
    expect(res.status).toBe(201);
    return res.body[item].id as number;
  };

  it('previews notifications, tweets and in-app messages for a stored contact or sample fields', async () => {
    const notification = await create('notifications', 'notification', {
      name: 'N',
      heading: 'Hi {{ contact.firstname }}',
      message: 'News from {{ contact.city }}',
      url: 'https://shop.example/{{ contact.city }}',
    });
    expect((await ctx.api('POST', `/api/notifications/${notification}/preview`, { contactId: 'mia' })).body).toEqual({
      preview: { heading: 'Hi Mia', message: 'News from Brno', url: 'https://shop.example/Brno' },
    });
    const tweet = await create('tweets', 'tweet', {
      name: 'T',
      text: 'Deal for {{ contact.firstname | default: "you" }}',
    });
    expect((await ctx.api('POST', `/api/tweets/${tweet}/preview`, {})).body).toEqual({
      preview: { text: 'Deal for you' },
    });
    const inapp = await create('inappmessages', 'inappmessage', {
      name: 'I',
      title: 'Hello {{ contact.firstname }}',
      body: '<p>{{ contact.firstname }} &amp; co</p>',
    });
    expect(
      (await ctx.api('POST', `/api/inappmessages/${inapp}/preview`, { fields: { firstname: '<b>Al</b>' } })).body,
    ).toEqual({ preview: { title: 'Hello <b>Al</b>', body: '<p>&lt;b&gt;Al&lt;/b&gt; &amp; co</p>', url: null } });
  });

  it('renders each enabled channel of a message side by side, in its order, for one contact', async () => {
    const email = await create('emails', 'email', {
      name: 'E',
      subject: 'Sale in {{ contact.city }}',
      customHtml: '<p>Hi {{ contact.firstname }}</p>',
      plainText: 'Hi {{ contact.firstname }}',
    });
    const sms = await create('smses', 'sms', { name: 'S', message: 'Sale, {{ contact.firstname }}!' });
    const push = await create('notifications', 'notification', { name: 'P', heading: 'Sale', message: 'Now' });
    const tweet = await create('tweets', 'tweet', { name: 'T', text: 'Off' });
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Sale',
      channels: [
        { channel: 'sms', channelId: sms, isEnabled: true },
        { channel: 'email', channelId: email, isEnabled: true },
        { channel: 'tweet', channelId: tweet, isEnabled: false },
        { channel: 'notification', channelId: push, isEnabled: true },
      ],
    });
    expect(message.status).toBe(201);

    const res = await ctx.api('POST', `/api/messages/${message.body.message.id}/preview`, { contactId: 'mia' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      preview: {
        messageId: message.body.message.id,
        channels: [
          {
            channel: 'sms',
            contentType: 'sms',
            contentId: sms,
            message: 'Sale, Mia!\nText END',
            segments: 1,
            encoding: 'GSM-7',
          },
          {
            channel: 'email',
            contentType: 'email',
            contentId: email,
            subject: 'Sale in Brno',
            html: '<p>Hi Mia</p>',
            text: 'Hi Mia',
            fromName: null,
          },
          {
            channel: 'notification',
            contentType: 'notification',
            contentId: push,
            heading: 'Sale',
            message: 'Now',
            url: null,
          },
        ],
      },
    });

    const sample = await ctx.api('POST', `/api/messages/${message.body.message.id}/preview`, {
      fields: { firstname: 'ł'.repeat(70), city: 'Ostrava' },
    });
    expect(sample.body.preview.channels[0]).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(sample.body.preview.channels[1]).toMatchObject({ subject: 'Sale in Ostrava' });
  });

  it('shows a channel whose content is gone or does not render beside the others; answers 404 for a missing message or contact', async () => {
    const tweet = await create('tweets', 'tweet', { name: 'T', text: 'Gone soon' });
    const email = await create('emails', 'email', { name: 'E', subject: 'Hi', customHtml: '<p>x</p>' });
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Broken',
      channels: {
        email: { channelId: email, isEnabled: true },
        tweet: { channelId: tweet, isEnabled: true },
      },
    });
    expect(message.status).toBe(201);
    await ctx.api('DELETE', `/api/tweets/${tweet}/delete`);
    const res = await ctx.api('POST', `/api/messages/${message.body.message.id}/preview`, {});
    expect(res.status).toBe(200);
    expect(res.body.preview.channels).toEqual([
      expect.objectContaining({ channel: 'email', html: '<p>x</p>' }),
      { channel: 'tweet', contentType: 'tweet', contentId: tweet, error: expect.objectContaining({ code: 404 }) },
    ]);
    expect((await ctx.api('POST', '/api/messages/999999/preview', {})).status).toBe(404);
    const nobody = await ctx.api('POST', `/api/messages/${message.body.message.id}/preview`, { contactId: 'nobody' });
    expect(nobody.status).toBe(404);
  });
});
