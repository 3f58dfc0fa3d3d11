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

    it('refuses a template edit that takes the link from published emails laid out in it', async () => {
      const footer = '<a href="{{ unsubscribe_url }}">x</a>';
      const template = await ctx.api('POST', '/api/templates/new', {
        name: 'Footer layout',
        html: `<html><body>{{ content }}${footer}</body></html>`,
      });
      const templateId = template.body.template.id as number;
      const email = (fields: Record<string, unknown>) =>
        ctx.api('POST', '/api/emails/new', { subject: 'S', templateId, ...fields });
      const relying = await email({ name: 'Relies on the layout', customHtml: '<p>Hi</p>' });
      const ownLink = await email({ name: 'Own link', customHtml: `<p>Hi</p>${footer}` });
      const draft = await email({ name: 'Draft', customHtml: '<p>Hi</p>', isPublished: false });
      // Its base has its own link; its variant replaces the HTML with one that has none.
      const variant = await email({
        name: 'Variant relies on the layout',
        customHtml: `<p>Hi</p>${footer}`,
        variants: [
          {
            name: 'Prague',
            filters: [{ glue: 'and', field: 'city', object: 'lead', type: 'text', operator: '=', filter: 'Prague' }],
            customHtml: '<p>Ahoj</p>',
          },
        ],
      });
      expect([relying.status, ownLink.status, draft.status, variant.status]).toEqual([201, 201, 201, 201]);

      const bare = '<html><body>{{ content }}</body></html>';
      const edit = await ctx.api('PATCH', `/api/templates/${templateId}/edit`, { html: bare });
      expect(edit.status).toBe(400);
      expect(edit.body.errors[0].details).toEqual({
        html: [
          `Published emails ${relying.body.email.id}, ${variant.body.email.id} take their unsubscribe link from this template: keep {{ unsubscribe_url }} in it, or put the link in those emails first.`,
        ],
      });
      expect((await ctx.api('GET', `/api/templates/${templateId}`)).body.template.html).toContain('unsubscribe_url');

      // Moving the link elsewhere in the layout is fine; so is dropping it once no published email needs it.
      const moved = await ctx.api('PATCH', `/api/templates/${templateId}/edit`, {
        html: `<html><body>${footer}{{ content }}</body></html>`,
      });
      expect(moved.status).toBe(200);
      for (const id of [relying.body.email.id, variant.body.email.id])
        expect((await ctx.api('PATCH', `/api/emails/${id}/edit`, { isPublished: false })).status).toBe(200);
      expect((await ctx.api('PATCH', `/api/templates/${templateId}/edit`, { html: bare })).status).toBe(200);
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
