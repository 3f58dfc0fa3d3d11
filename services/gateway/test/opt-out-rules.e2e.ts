import { startGateway, type GatewayTestContext } from './support/gateway-test';

const FOOTER_HTML =
  '<p style="font-size:12px;color:#777;text-align:center"><a href="{{ unsubscribe_url }}">Leave us</a></p>';

/** DESIGN §7.2 opt-out and unsubscribe tags on save: refused under SB_STRICT_OPTOUT, or the footer stored on request. */
describe('opt-out and unsubscribe tags on save (gateway, catalog)', () => {
  describe('with SB_STRICT_OPTOUT=true', () => {
    let ctx: GatewayTestContext;

    beforeAll(async () => {
      ctx = await startGateway({
        services: ['catalog'],
        serviceEnv: {
          SB_STRICT_OPTOUT: 'true',
          SMS_OPT_OUT_TEXT: 'Text END to quit',
          EMAIL_UNSUBSCRIBE_TEXT: 'Leave us',
        },
      });
    });
    afterAll(async () => {
      await ctx?.close();
    });

    it('refuses published email content without {{ unsubscribe_url }}, in the Mautic error shape', async () => {
      const res = await ctx.api('POST', '/api/emails/new', { name: 'Sale', subject: 'Sale', customHtml: '<p>Hi</p>' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          code: 400,
          message:
            'customHtml: Published email content needs an unsubscribe link: put {{ unsubscribe_url }} in it or in its template, or set autoAppendOptOut to add the footer.',
          details: { customHtml: [expect.stringContaining('{{ unsubscribe_url }}')] },
          type: null,
        },
      ]);
      const textOnly = await ctx.api('POST', '/api/emails/new', { name: 'T', subject: 'S', plainText: 'Hi' });
      expect(textOnly.status).toBe(400);
      expect(textOnly.body.errors[0].details).toHaveProperty('plainText');
    });

    it('accepts the tag in the content, in its template, or unpublished content; checks a PATCH that publishes', async () => {
      const tagged = await ctx.api('POST', '/api/emails/new', {
        name: 'Tagged',
        subject: 'S',
        customHtml: '<p>Hi <a href="{{ unsubscribe_url }}">bye</a></p>',
      });
      expect(tagged.status).toBe(201);
      const template = await ctx.api('POST', '/api/templates/new', {
        name: 'With footer',
        html: '<html><body>{{ content }}<a href="{{unsubscribe_url}}">x</a></body></html>',
      });
      expect(template.status).toBe(201);
      const laidOut = await ctx.api('POST', '/api/emails/new', {
        name: 'In template',
        subject: 'S',
        customHtml: '<p>Hi</p>',
        templateId: template.body.template.id,
      });
      expect(laidOut.status).toBe(201);
      expect(laidOut.body.email.customHtml).toBe('<p>Hi</p>');

      const draft = await ctx.api('POST', '/api/emails/new', {
        name: 'Draft',
        subject: 'S',
        customHtml: '<p>Hi</p>',
        isPublished: false,
      });
      expect(draft.status).toBe(201);
      const publish = await ctx.api('PATCH', `/api/emails/${draft.body.email.id}/edit`, { isPublished: true });
      expect(publish.status).toBe(400);
      const published = await ctx.api('PATCH', `/api/emails/${draft.body.email.id}/edit`, {
        isPublished: true,
        autoAppendOptOut: true,
      });
      expect(published.status).toBe(200);
      expect(published.body.email.customHtml).toBe(`<p>Hi</p>${FOOTER_HTML}`);
    });

    it('stores the configured footer with autoAppendOptOut: before </body>, and after the text part', async () => {
      const res = await ctx.api('POST', '/api/emails/new', {
        name: 'Auto',
        subject: 'S',
        customHtml: '<html><body><p>Hi</p></body></html>',
        plainText: 'Hi',
        autoAppendOptOut: true,
      });
      expect(res.status).toBe(201);
      expect(res.body.email.customHtml).toBe(`<html><body><p>Hi</p>${FOOTER_HTML}</body></html>`);
      expect(res.body.email.plainText).toBe('Hi\n\nLeave us: {{ unsubscribe_url }}\n');
      expect(res.body.email).not.toHaveProperty('autoAppendOptOut');
      const stored = await ctx.api('GET', `/api/emails/${res.body.email.id}`);
      expect(stored.body.email.customHtml).toBe(res.body.email.customHtml);
    });

    it('refuses a published SMS without an opt-out, accepts {{ optout }}, the text or STOP, appends on request', async () => {
      const bare = await ctx.api('POST', '/api/smses/new', { name: 'Bare', message: 'Sale today' });
      expect(bare.status).toBe(400);
      expect(bare.body.errors[0].message).toBe(
        'message: Published SMS content needs an opt-out: put {{ optout }} or "Text END to quit" in it, or set autoAppendOptOut to add it.',
      );
      for (const message of ['Sale {{ optout }}', 'Sale. Text END to quit', 'Sale. Reply STOP to stop'])
        expect((await ctx.api('POST', '/api/smses/new', { name: 'Ok', message })).status).toBe(201);
      const auto = await ctx.api('POST', '/api/smses/new', {
        name: 'Auto',
        message: 'Sale today',
        autoAppendOptOut: 'yes',
      });
      expect(auto.status).toBe(201);
      expect(auto.body.sms.message).toBe('Sale today\nText END to quit');
      expect((await ctx.api('POST', '/api/smses/new', { name: 'Off', message: 'x', isPublished: false })).status).toBe(
        201,
      );
    });

    it('checks each item of a batch on its own', async () => {
      const res = await ctx.api('POST', '/api/smses/batch/new', [
        { name: 'A', message: 'No way out' },
        { name: 'B', message: 'No way out', autoAppendOptOut: true },
      ]);
      expect(res.body.statusCodes).toEqual([400, 201]);
      expect(res.body.smses[0].message).toBe('No way out\nText END to quit');
    });

    it('leaves other content types alone', async () => {
      expect((await ctx.api('POST', '/api/tweets/new', { name: 'T', text: 'Sale' })).status).toBe(201);
      expect(
        (await ctx.api('POST', '/api/notifications/new', { name: 'N', heading: 'Sale', message: 'Now' })).status,
      ).toBe(201);
    });
  });

  describe('without strict mode (the default)', () => {
    let ctx: GatewayTestContext;

    beforeAll(async () => {
      ctx = await startGateway({ services: ['catalog'] });
    });
    afterAll(async () => {
      await ctx?.close();
    });

    it('saves content without tags as it is, and stores the footer when a save asks for it', async () => {
      const email = await ctx.api('POST', '/api/emails/new', { name: 'E', subject: 'S', customHtml: '<p>Hi</p>' });
      expect(email.status).toBe(201);
      expect(email.body.email.customHtml).toBe('<p>Hi</p>');
      expect((await ctx.api('POST', '/api/smses/new', { name: 'S', message: 'Sale today' })).body.sms.message).toBe(
        'Sale today',
      );
      const sms = await ctx.api('POST', '/api/smses/new', {
        name: 'S',
        message: 'Sale today',
        autoAppendOptOut: true,
      });
      expect(sms.status).toBe(201);
      expect(sms.body.sms.message).toBe('Sale today\nReply STOP to opt out');
    });
  });
});
