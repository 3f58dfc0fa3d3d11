import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Browser, Page } from 'playwright-core';
import { announceChannel, fakeSender, waitFor } from '@switchboard/testing';
import { launchChromium } from './support/chromium';
import { startGateway, TEST_ADMIN, type GatewayTestContext } from './support/gateway-test';

describe('admin web UI', () => {
  let ctx: GatewayTestContext;
  let browser: Browser;
  let page: Page;
  let nc: NatsConnection;
  const pageErrors: string[] = [];

  /** A live email sender, as far as the gateway's channel registry knows (DESIGN §5 heartbeat). */
  const emailSenderAlive = async () => {
    fakeSender(nc, ctx.env.names, 'email', { instanceId: 'ui-test', provider: 'smtp', everyMs: 0 });
    await waitFor(async () => {
      const res = await ctx.api('GET', '/api/channels');
      return res.body.channels.some((c: any) => c.channel === 'email' && c.available) || undefined;
    });
  };

  beforeAll(async () => {
    [ctx, browser] = await Promise.all([startGateway({ services: ['catalog'] }), launchChromium()]);
    nc = await connect({ servers: ctx.env.natsUrl });
    page = await browser.newPage();
    page.setDefaultTimeout(8000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await nc?.close();
    await ctx?.close();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('serves the pages and assets publicly, and nothing outside them', async () => {
    for (const path of ['/', '/admin/messages', '/admin/contacts/some-contact']) {
      const res = await ctx.api('GET', path, undefined, { auth: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const script = await ctx.api('GET', '/assets/app.js', undefined, { auth: null });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await ctx.api('GET', '/assets/nope.js', undefined, { auth: null })).status).toBe(404);
    expect((await ctx.api('GET', '/assets/..%2fpackage.json', undefined, { auth: null })).status).toBe(404);
    expect((await ctx.api('GET', '/api/messages', undefined, { auth: null })).status).toBe(401);
  });

  it('signs in, creates a message, lists it, and shows a validation error next to the field', async () => {
    await page.goto(`${ctx.baseUrl}/admin/messages`);
    await page.waitForURL(/\/admin\/sign-in\?next=/);

    await page.getByLabel('Username').fill(TEST_ADMIN.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();

    await page.getByLabel('Password').fill(TEST_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Marketing messages' }).waitFor();

    await page.getByRole('link', { name: 'New message' }).click();
    await page.getByRole('heading', { level: 1, name: 'New message' }).waitFor();
    await page.getByRole('button', { name: 'Create message' }).click();
    const nameError = page.locator('[data-field="name"] .field-error');
    await nameError.filter({ hasText: 'A name is required.' }).waitFor();
    await expect(page.getByRole('textbox', { name: 'Name', exact: true }).getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );

    // Only channels with a live sender are offered, each with its content items.
    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'Spring email',
      subject: 'Hello {{ contact.firstname }}',
      customHtml: '<p>Sale</p>',
    });
    expect(email.status).toBe(201);
    await emailSenderAlive();
    await page.reload();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Spring sale');
    await page.getByLabel('Description').fill('Twenty percent off everything');
    await page.getByRole('checkbox', { name: 'Email', exact: true }).check();
    await page
      .getByRole('combobox', { name: 'Email content' })
      .selectOption({ label: `Spring email (#${email.body.email.id})` });
    await expect(page.getByRole('checkbox', { name: 'Text message (SMS)' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Create message' }).click();
    await page.getByRole('status').filter({ hasText: 'Message created.' }).waitFor();
    const id = /\/admin\/messages\/(\d+)$/.exec(page.url())?.[1];
    const saved = await ctx.api('GET', `/api/messages/${id}`);
    expect(saved.body.message).toMatchObject({
      name: 'Spring sale',
      description: 'Twenty percent off everything',
      channels: [{ channel: 'email', channelId: email.body.email.id, isEnabled: true }],
    });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Marketing messages' }).click();
    await page.getByRole('link', { name: 'Spring sale' }).waitFor();

    await page.getByLabel('Search by name').fill('nothing-like-this');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Nothing matches this search.').waitFor();
    expect(page.url()).toContain('search=nothing-like-this');
  });

  it('offers a channel whose sender is deployed but down, and says it is down', async () => {
    announceChannel(nc, ctx.env.names, 'sms', 'deployed', { provider: 'twilio' });
    await waitFor(async () => {
      const res = await ctx.api('GET', '/api/channels');
      return res.body.channels.some((c: any) => c.channel === 'sms' && c.available && !c.up) || undefined;
    });
    await page.goto(`${ctx.baseUrl}/admin/messages/new`);
    await page.getByRole('checkbox', { name: 'Text message (SMS)' }).check();
    await page.getByText('sender down').first().waitFor();

    await page.goto(`${ctx.baseUrl}/admin/channels`);
    const row = page.getByRole('row').filter({ hasText: 'Text message (SMS)' });
    await row.getByText('down — sends wait').waitFor();
    await row.getByText('available', { exact: true }).waitFor();
  });

  it('creates an email template and previews it; an email page offers a test send and says why it could not go', async () => {
    await page.goto(`${ctx.baseUrl}/admin/content/templates`);
    await page.getByRole('heading', { level: 1, name: 'Templates' }).waitFor();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Branded');
    await page.getByLabel('Layout HTML').fill('<div>{{ contact.firstname | default: "Friend" }}</div>{{ content }}');
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.waitForURL(/\/admin\/content\/templates\/\d+$/);
    await page.getByRole('button', { name: 'Preview' }).click();
    const rendered = page.getByTitle('Rendered html');
    await rendered.waitFor();
    await expect(rendered.getAttribute('srcdoc')).resolves.toBe('<div>Friend</div><p>The email goes here.</p>');

    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'Draft',
      subject: 'Hi',
      customHtml: '<p>Hi</p>',
      isPublished: false,
    });
    await page.goto(`${ctx.baseUrl}/admin/content/emails/${email.body.email.id}`);
    await page.getByLabel('Email address').fill('qa@example.org');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByRole('alert').filter({ hasText: 'No email sender is running.' }).waitFor();
  });

  it('goes back to sign-in when the API answers 401', async () => {
    await page.evaluate("sessionStorage.setItem('switchboard.auth', 'Basic bm9ib2R5Om5vdGhpbmc=')");
    await page.goto(`${ctx.baseUrl}/admin/messages`);
    await page.waitForURL(/\/admin\/sign-in\?next=.*expired=1/);
    await page.getByRole('heading', { level: 1, name: 'Sign in to Switchboard' }).waitFor();
  });
});
