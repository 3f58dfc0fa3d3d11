import type { Browser, Page } from 'playwright-core';
import { DEFAULT_TWILIO, startDevProviders, type DevProviders } from '../../dev-providers/src';
import { waitFor } from '@switchboard/testing';
import { launchChromium } from './support/chromium';
import { startGateway, TEST_ADMIN, type GatewayTestContext } from './support/gateway-test';

/**
 * Editing content in the admin UI (DESIGN §7.2, §7.4) in Chromium: the WYSIWYG email editor
 * (Jodit, served by the gateway, nothing fetched from elsewhere) keeps Liquid tags as written,
 * the template picker and the template copy button, the opt-out warning, and an email's preview
 * and test send through sender-email to the dev SMTP server.
 */
describe('admin web UI — content editing', () => {
  let ctx: GatewayTestContext;
  let dev: DevProviders;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    dev = await startDevProviders();
    [ctx, browser] = await Promise.all([
      startGateway({
        services: ['catalog', 'preferences', 'sender-email', 'sender-sms'],
        serviceEnv: {
          SB_TRACKING_SECRET: 'content-editor-ui-tracking-secret-0123456789',
          SMTP_HOST: '127.0.0.1',
          SMTP_PORT: String(dev.smtp.port),
          SMS_PROVIDER: 'twilio',
          TWILIO_BASE_URL: dev.httpBaseUrl,
          TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
          TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
          TWILIO_FROM: '+15005550006',
          // Every service runs in this one process on a loaded machine.
          SENDER_PROVIDER_TIMEOUT_MS: '60000',
        },
      }),
      launchChromium(),
    ]);
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && url.origin !== ctx.baseUrl) foreignRequests.push(request.url());
    });
    await page.goto(`${ctx.baseUrl}/admin/sign-in`);
    await page.getByLabel('Username').fill(TEST_ADMIN.username);
    await page.getByLabel('Password').fill(TEST_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Marketing messages' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    await dev?.close();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  /** The HTML with the non-breaking spaces a browser's editing leaves between words as plain spaces. */
  const spaced = (html: string) => html.replace(/&nbsp;/g, ' ');
  const visualBody = () => page.getByRole('textbox', { name: 'HTML body (visual)' });

  it('serves the editor from the gateway, and only the files it names', async () => {
    const script = await fetch(`${ctx.baseUrl}/vendor/jodit/jodit.min.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('License(s): MIT');
    expect((await fetch(`${ctx.baseUrl}/vendor/jodit/jodit.min.css`)).status).toBe(200);
    expect((await fetch(`${ctx.baseUrl}/vendor/jodit/package.json`)).status).toBe(404);
    expect((await fetch(`${ctx.baseUrl}/vendor/jodit/jodit.js`)).status).toBe(404);
  });

  it('writes an email in the visual editor: formatting and Liquid tags survive saving and reloading', async () => {
    await page.goto(`${ctx.baseUrl}/admin/content/emails/new`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Editor email');
    await page.getByRole('textbox', { name: 'Subject' }).fill('Hello {{ contact.firstname }}');
    const body = visualBody();
    await body.click();
    await page.keyboard.type('Dear ');
    await page.getByLabel('Personalisation tag').selectOption('{{ contact.firstname | default: "there" }}');
    await page.getByRole('button', { name: 'Insert tag' }).click();
    await body.click();
    await page.keyboard.press('End');
    await page.keyboard.type(', ');
    await page.getByRole('button', { name: 'Bold', exact: true }).click();
    await page.keyboard.type('big news');
    await page.getByRole('button', { name: 'Bold', exact: true }).click();
    await page.keyboard.type(' inside.');
    await page.getByText('an unsubscribe footer will be added').waitFor();

    // The HTML view shows what the visual one made (the browser may keep a typed space as &nbsp;);
    // a link with a Liquid URL goes in there.
    await page.getByRole('button', { name: 'HTML', exact: true }).click();
    const source = page.getByRole('textbox', { name: 'HTML body' });
    const made = await source.inputValue();
    expect(spaced(made)).toBe(
      '<p>Dear {{ contact.firstname | default: "there" }}, <strong>big news</strong> inside.</p>',
    );
    await source.fill(`${made}<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>`);
    await page.getByText('an unsubscribe footer will be added').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Visual', exact: true }).click();
    await visualBody().getByText('Unsubscribe').waitFor();
    // One more edit in the visual view, then save from it.
    await visualBody().getByText('inside.').click();
    await page.keyboard.press('End');
    await page.keyboard.type(' Bye.');
    await page.getByRole('button', { name: 'Create email' }).click();
    await page.waitForURL(/\/admin\/content\/emails\/\d+$/);
    const id = /(\d+)$/.exec(page.url())![1];

    const expected = (await ctx.api('GET', `/api/emails/${id}`)).body.email.customHtml;
    expect(spaced(expected)).toBe(
      '<p>Dear {{ contact.firstname | default: "there" }}, <strong>big news</strong> inside. Bye.</p>' +
        '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
    );
    expect(expected).toContain('{{ contact.firstname | default: "there" }}');
    expect(expected).toContain('href="{{ unsubscribe_url }}"');

    await page.reload();
    await visualBody().getByText('big news').waitFor();
    await page.getByRole('button', { name: 'HTML', exact: true }).click();
    await expect(page.getByRole('textbox', { name: 'HTML body' }).inputValue()).resolves.toBe(expected);
    // Saving again without a change keeps the HTML byte for byte.
    await page.getByRole('button', { name: 'Visual', exact: true }).click();
    await visualBody().getByText('big news').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await ctx.api('GET', `/api/emails/${id}`)).body.email.customHtml).toBe(expected);
  });

  it('keeps Liquid the visual editor would move in the HTML view, unchanged', async () => {
    const customHtml =
      '<table><tbody>{% for item in contact.items %}<tr><td>{{ item | upcase }}</td></tr>{% endfor %}</tbody></table>' +
      '<p>{% if contact.vip == "yes" %}VIP{% endif %} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';
    const email = (await ctx.api('POST', '/api/emails/new', { name: 'Loop email', subject: 'Loop', customHtml })).body
      .email;
    await page.goto(`${ctx.baseUrl}/admin/content/emails/${email.id}`);
    await page.getByText('Some Liquid tags sit where the visual editor would move them').waitFor();
    const source = page.getByRole('textbox', { name: 'HTML body' });
    await expect(source.inputValue()).resolves.toBe(customHtml);
    await source.press('Control+End');
    await source.pressSequentially('<p>{% if 2 > 1 %}ok{% endif %}</p>');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await ctx.api('GET', `/api/emails/${email.id}`)).body.email.customHtml).toBe(
      `${customHtml}<p>{% if 2 > 1 %}ok{% endif %}</p>`,
    );
  });

  it('picks a template by name, with its preview, and copies a template', async () => {
    const layout = (name: string) =>
      ctx.api('POST', '/api/templates/new', {
        name,
        html: `<div class="brand">${name} header</div>{{ content }}<footer><a href="{{ unsubscribe_url }}">Leave</a></footer>`,
      });
    const branded = (await layout('Branded layout')).body.template;
    await layout('Plain layout');
    const email = (
      await ctx.api('POST', '/api/emails/new', { name: 'Picked', subject: 'Picked', customHtml: '<p>Body</p>' })
    ).body.email;

    await page.goto(`${ctx.baseUrl}/admin/content/emails/${email.id}`);
    await page.getByText('an unsubscribe footer will be added').waitFor();
    const picker = page.getByRole('combobox', { name: 'Template' });
    await picker.selectOption({ label: `Branded layout (#${branded.id})` });
    const thumb = page.getByTitle('Template preview');
    await thumb.waitFor();
    await expect(thumb.getAttribute('srcdoc')).resolves.toContain('Branded layout header');
    // The template carries the unsubscribe link: no warning.
    await page.getByText('an unsubscribe footer will be added').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await ctx.api('GET', `/api/emails/${email.id}`)).body.email.templateId).toBe(branded.id);
    await page.reload();
    // The list of templates arrives after the page: wait for the chosen one to be named.
    await page
      .getByRole('combobox', { name: 'Template' })
      .locator('option:checked', { hasText: `Branded layout (#${branded.id})` })
      .waitFor({ state: 'attached' });

    await page.goto(`${ctx.baseUrl}/admin/content/templates/${branded.id}`);
    await page.getByRole('button', { name: 'Copy template' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied as “Branded layout (copy)” (unpublished).' }).waitFor();
    const copyId = Number(/(\d+)$/.exec(page.url())![1]);
    expect(copyId).not.toBe(branded.id);
    await expect(page.getByRole('textbox', { name: 'Name', exact: true }).inputValue()).resolves.toBe(
      'Branded layout (copy)',
    );
    const copy = (await ctx.api('GET', `/api/templates/${copyId}`)).body.template;
    expect(copy).toMatchObject({ name: 'Branded layout (copy)', html: branded.html, isPublished: false });
  });

  it('warns when a published text message has no opt-out, and adds the footer when asked', async () => {
    await page.goto(`${ctx.baseUrl}/admin/content/smses/new`);
    await page.getByRole('textbox', { name: 'Message' }).fill('Sale today, {{ contact.firstname }}');
    await page.getByText('has no opt-out').waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Sale today. Reply STOP to opt out');
    await page.getByText('has no opt-out').waitFor({ state: 'hidden' });
    await page.getByRole('textbox', { name: 'Message' }).fill('Sale today');
    await page.getByText('has no opt-out').waitFor();
    await page.getByRole('checkbox', { name: 'Published' }).uncheck();
    await page.getByText('has no opt-out').waitFor({ state: 'hidden' });

    // autoAppendOptOut: the footer is stored with the content, and the page shows it as stored.
    await page.getByRole('checkbox', { name: 'Published' }).check();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('No opt-out yet');
    await page.getByRole('checkbox', { name: 'Add the footer to the content when saving' }).check();
    await page.getByRole('button', { name: 'Create text message' }).click();
    await page.waitForURL(/\/admin\/content\/smses\/\d+$/);
    const id = /(\d+)$/.exec(page.url())![1];
    expect((await ctx.api('GET', `/api/smses/${id}`)).body.sms.message).toBe('Sale today\nReply STOP to opt out');
    await expect(page.getByRole('textbox', { name: 'Message' }).inputValue()).resolves.toBe(
      'Sale today\nReply STOP to opt out',
    );
    await page.getByText('has no opt-out').waitFor({ state: 'hidden' });
  });

  it('previews an email and sends a test that reaches the SMTP server', async () => {
    await waitFor(async () =>
      ((await ctx.api('GET', '/api/channels')).body.channels ?? []).some(
        (c: { channel: string; available: boolean }) => c.channel === 'email' && c.available,
      ),
    );
    await ctx.api('PUT', '/api/contacts/ed-ann/edit', { email: 'ann@example.org', firstname: 'Ann' });
    const email = (
      await ctx.api('POST', '/api/emails/new', {
        name: 'Try me',
        subject: 'Hi {{ contact.firstname | default: "there" }}',
        customHtml: '<p>Dear {{ contact.firstname | default: "there" }}</p>',
        isPublished: false,
      })
    ).body.email;
    await page.goto(`${ctx.baseUrl}/admin/content/emails/${email.id}`);

    const preview = page.getByRole('form', { name: 'Preview' });
    await preview.getByLabel('Contact ID').fill('ed-ann');
    await preview.getByRole('button', { name: 'Preview' }).click();
    const rendered = page.getByTitle('Rendered customHtml');
    await rendered.waitFor();
    await expect(rendered.getAttribute('srcdoc')).resolves.toContain('<p>Dear Ann</p>');

    const test = page.getByRole('form', { name: 'Send a test' });
    await test.getByLabel('Email address').fill('qa@example.org');
    await test.getByRole('button', { name: 'Send test' }).click();
    await test.getByText('Sent to qa@example.org through smtp.').waitFor();
    const mail = await dev.outbox.waitFor((m) => m.provider === 'smtp' && m.to.includes('qa@example.org'), 20_000);
    expect(mail.subject).toBe('Hi there');
    expect(mail.body).toContain('Dear there');
  });

  it('sends a test of a text message to the SMS provider, and says what is wrong with a bad number', async () => {
    await waitFor(async () =>
      ((await ctx.api('GET', '/api/channels')).body.channels ?? []).some(
        (c: { channel: string; available: boolean }) => c.channel === 'sms' && c.available,
      ),
    );
    const sms = (
      await ctx.api('POST', '/api/smses/new', {
        name: 'Flash sale',
        message: 'Flash sale, {{ contact.firstname | default: "friend" }}! Reply STOP to opt out',
      })
    ).body.sms;
    await page.goto(`${ctx.baseUrl}/admin/content/smses/${sms.id}`);
    const test = page.getByRole('form', { name: 'Send a test' });
    await test.getByLabel('Mobile number').fill('777 000');
    await test.getByRole('button', { name: 'Send test' }).click();
    await test.getByText('A mobile number in E.164 form (+420777000111) is required.').waitFor();

    await test.getByLabel('Mobile number').fill('+420777000111');
    await test.getByRole('button', { name: 'Send test' }).click();
    await test.getByText('Sent to +420777000111 through twilio.').waitFor();
    const sent = await dev.outbox.waitFor((m) => m.provider === 'twilio' && m.to === '+420777000111', 20_000);
    expect(sent.body).toBe('Flash sale, friend! Reply STOP to opt out');
  });

  it('previews a message with each enabled channel side by side', async () => {
    await ctx.api('PUT', '/api/contacts/ed-mia/edit', { email: 'mia@example.org', firstname: 'Mia' });
    const email = (
      await ctx.api('POST', '/api/emails/new', {
        name: 'Side email',
        subject: 'News for {{ contact.firstname }}',
        customHtml: '<p>Dear {{ contact.firstname }}</p>',
      })
    ).body.email;
    const sms = (
      await ctx.api('POST', '/api/smses/new', { name: 'Side sms', message: 'News, {{ contact.firstname }}!' })
    ).body.sms;
    const message = (
      await ctx.api('POST', '/api/messages/new', {
        name: 'Side by side',
        channels: {
          email: { channelId: email.id, isEnabled: true },
          sms: { channelId: sms.id, isEnabled: true },
        },
      })
    ).body.message;

    await page.goto(`${ctx.baseUrl}/admin/messages/${message.id}`);
    const preview = page.getByRole('form', { name: 'Preview every channel' });
    await preview.getByLabel('Contact ID').fill('ed-mia');
    await preview.getByRole('button', { name: 'Preview channels' }).click();
    const emailColumn = preview.getByRole('region', { name: 'Email preview' });
    const smsColumn = preview.getByRole('region', { name: 'Text message (SMS) preview' });
    await emailColumn.getByText('News for Mia').waitFor();
    await expect(emailColumn.getByTitle('Email preview').getAttribute('srcdoc')).resolves.toContain('<p>Dear Mia</p>');
    // The text as sent: the opt-out text appended, with its segment count.
    await smsColumn.getByText('News, Mia!').waitFor();
    await expect(smsColumn.locator('pre').textContent()).resolves.toBe('News, Mia!\nReply STOP to opt out');
    await smsColumn.getByText('1 segment, GSM-7').waitFor();
    // Side by side: the two columns share a row.
    const [emailBox, smsBox] = await Promise.all([emailColumn.boundingBox(), smsColumn.boundingBox()]);
    expect(emailBox!.y).toBe(smsBox!.y);
    expect(emailBox!.x).not.toBe(smsBox!.x);
  });
});
