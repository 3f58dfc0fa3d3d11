import type { Browser, Page } from 'playwright-core';
import { preferencesContactsUpsert } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { launchChromium } from './support/chromium';
import { startGateway, TEST_ADMIN, type GatewayTestContext, channelAvailable } from './support/gateway-test';

/**
 * The inbox widget (GET /inbox/widget.js) in Chromium, on the admin UI's example page: the bell
 * counts what arrives live (server-sent events), the list shows it, opening a message reads it.
 * Also the in-app content editor and the channel in message editing.
 */
describe('inbox widget and in-app content in the admin UI (Chromium)', () => {
  let ctx: GatewayTestContext;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let messageId: number;

  beforeAll(async () => {
    [ctx, browser] = await Promise.all([
      startGateway({
        services: ['catalog', 'preferences', 'router', 'sender-inapp', 'tracker'],
        serviceEnv: {
          SB_INBOX_SECRET: 'widget-e2e-inbox-secret-0123456789abcdef',
          SB_TRACKING_SECRET: 'widget-e2e-tracking-secret-0123456789',
          ROUTER_CHANNEL_WARMUP_MS: '500',
        },
      }),
      launchChromium(),
    ]);
    await ctx.gateway.app.get(RpcClient).call(preferencesContactsUpsert, {
      contact: { id: 'wendy', firstname: 'Wendy' },
      mode: 'merge',
      mustExist: false,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${ctx.baseUrl}/admin/content/inappmessages`);
    await page.getByLabel('Username').fill(TEST_ADMIN.username);
    await page.getByLabel('Password').fill(TEST_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'In-app messages' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('edits an in-app message and previews it, and a marketing message offers the in-app channel', async () => {
    await page.getByRole('link', { name: 'New in-app message' }).click();
    await page.getByLabel('Name').fill('Welcome');
    await page.getByLabel('Title').fill('Hello {{ contact.firstname | default: "there" }}');
    await page.getByLabel('Body').fill('<p>Your <b>gift</b> is waiting</p>');
    await page.getByLabel('Link URL').fill('https://shop.example/gift');
    await page.getByRole('button', { name: 'Create in-app message' }).click();
    await page.getByRole('button', { name: 'Preview' }).waitFor();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('Hello there').waitFor();

    const content = await ctx.api('GET', '/api/inappmessages?search=Welcome');
    const contentId = content.body.inappmessages[0].id as number;
    await page.goto(`${ctx.baseUrl}/admin/messages/new`);
    await page.getByText('In-app inbox').first().waitFor();
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Welcome',
      isPublished: true,
      channels: { inapp: { channelId: contentId, isEnabled: true } },
    });
    messageId = message.body.message.id;
    await page.goto(`${ctx.baseUrl}/admin/messages/${messageId}`);
    await page.getByText('In-app inbox').first().waitFor();
  });

  it('shows the bell, counts a message that arrives live, lists it and reads it', async () => {
    await page.goto(`${ctx.baseUrl}/admin/inbox-widget`);
    await page.getByLabel('Contact ID').fill('wendy');
    await page.getByRole('button', { name: 'Show inbox' }).click();
    const widget = page.locator('[data-switchboard-inbox]');
    await widget.and(page.locator('[data-unread="0"]')).waitFor();

    await channelAvailable(ctx, 'inapp');
    expect((await ctx.api('POST', `/api/messages/${messageId}/contact/wendy/send`, {})).status).toBe(202);
    // Live: no reload, the stream brings the count.
    await widget.and(page.locator('[data-unread="1"]')).waitFor({ timeout: 45_000 });

    await page.getByRole('button', { name: 'Notifications' }).click();
    const item = widget.locator('.item.unread');
    await item.getByText('Hello Wendy').waitFor();
    await item.getByText('gift').waitFor();
    await item.locator('.title').click();
    await widget.and(page.locator('[data-unread="0"]')).waitFor();
    await widget.locator('.item:not(.unread)').getByText('Hello Wendy').waitFor();
  });
});
