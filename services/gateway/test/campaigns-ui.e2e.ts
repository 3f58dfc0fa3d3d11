import type { Browser, Page } from 'playwright-core';
import { startDevProviders, type DevProviders } from '../../dev-providers/src';
import { launchChromium } from './support/chromium';
import { startGateway, type GatewayTestContext, channelAvailable } from './support/gateway-test';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * The campaign screens of the admin UI in Chromium, on every service a send crosses: a marketer
 * creates a campaign (audience with a live count) and submits it, an approver rejects one and
 * approves another in the approval queue, and the campaign page follows its shipment live to the
 * end, with its figures as a uPlot chart and a table.
 */
describe('admin web UI — campaigns', () => {
  let ctx: GatewayTestContext;
  let dev: DevProviders;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const signIn = async (username: string) => {
    if (await page.getByRole('button', { name: 'Sign out' }).isVisible()) {
      await page.getByRole('button', { name: 'Sign out' }).click();
    }
    await page.goto(`${ctx.baseUrl}/admin/campaigns`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(`${username}-password-1`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
  };

  beforeAll(async () => {
    dev = await startDevProviders();
    [ctx, browser] = await Promise.all([
      startGateway({
        services: ['catalog', 'preferences', 'campaign-actions', 'router', 'sender-email', 'tracker'],
        serviceEnv: {
          SB_TRACKING_SECRET: 'campaigns-ui-tracking-secret-0123456789',
          SMTP_HOST: '127.0.0.1',
          SMTP_PORT: String(dev.smtp.port),
          ROUTER_CHANNEL_WARMUP_MS: '500',
          CAMPAIGN_POLL_MS: '200',
          SHIPMENT_POLL_MS: '200',
        },
      }),
      launchChromium(),
    ]);
    for (const [username, role] of [
      ['mia', 'marketer'],
      ['abe', 'approver'],
    ])
      await ctx.api('POST', '/api/users/new', { username, password: `${username}-password-1`, role });
    for (const [id, email] of [
      ['cu-1', 'one@example.org'],
      ['cu-2', 'two@example.org'],
      ['cu-3', 'three@example.org'],
    ])
      await ctx.api('PUT', `/api/contacts/${id}/edit`, { email, firstname: id });
    const segment = (await ctx.api('POST', '/api/segments/new', { name: 'UI readers' })).body.list;
    await ctx.api('POST', `/api/segments/${segment.id}/contacts/add`, { ids: ['cu-1', 'cu-2'] });
    const email = (
      await ctx.api('POST', '/api/emails/new', { name: 'UI news', subject: 'UI news', customHtml: '<p>x</p>' })
    ).body.email;
    await ctx.api('POST', '/api/messages/new', {
      name: 'UI newsletter',
      channels: { email: { channelId: email.id, isEnabled: true } },
    });
    await channelAvailable(ctx, 'email');
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    await dev?.close();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('a marketer creates a campaign with a live audience count and submits it; the list shows it', async () => {
    await signIn('mia');
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Name').fill('Spring news');
    await page.getByLabel('Marketing message').selectOption({ label: 'UI newsletter' });
    await page.getByRole('group', { name: 'Send to the members of' }).getByLabel('UI readers').check();
    await page.getByText('Contacts in the audience: 2').waitFor();
    await page.getByRole('button', { name: 'Save and submit for approval' }).click();
    await page.getByRole('heading', { level: 1, name: 'Campaign: Spring news' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Campaign saved and submitted for approval.' }).waitFor();
    await page.getByText('Awaiting approval').first().waitFor();

    // Bad input lands next to its field.
    await page.goto(`${ctx.baseUrl}/admin/campaigns/new`);
    await page.getByLabel('When').selectOption('recurring');
    await page.getByLabel('Name').fill('Broken');
    await page.getByLabel('Marketing message').selectOption({ label: 'UI newsletter' });
    await page.getByLabel('Cron expression').fill('every day');
    await page.getByRole('button', { name: 'Save campaign' }).click();
    await page.getByText(/Invalid cron/).waitFor();

    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: 'Spring news' });
    await row.getByText('Awaiting approval').waitFor();
  });

  it('an approver rejects one campaign and approves another in the queue; the shipment is followed live to the end', async () => {
    const mia = { auth: basic('mia', 'mia-password-1') };
    const messageId = (await ctx.api('GET', '/api/messages?search=UI')).body.messages[0].id;
    const other = (await ctx.api('POST', '/api/campaigns/new', { name: 'Too pushy', messageId }, mia)).body.campaign;
    await ctx.api('POST', `/api/campaigns/${other.id}/submit`, {}, mia);

    await signIn('abe');
    await page.getByRole('link', { name: 'Approval queue' }).click();
    await page.getByLabel('Comment for Too pushy').fill('Tone it down');
    await page.getByRole('button', { name: 'Reject Too pushy' }).click();
    await page.getByRole('status').filter({ hasText: 'Too pushy sent back to draft.' }).waitFor();
    expect((await ctx.api('GET', `/api/campaigns/${other.id}`)).body.campaign).toMatchObject({
      status: 'draft',
      rejectionComment: 'Tone it down',
    });

    await page.getByRole('button', { name: 'Approve Spring news' }).click();
    await page.getByRole('status').filter({ hasText: 'Spring news approved' }).waitFor();
    await page.getByRole('cell', { name: 'No campaign is waiting for approval.' }).waitFor();

    await page.goto(`${ctx.baseUrl}/admin/campaigns?search=Spring`);
    await page.getByRole('link', { name: 'Spring news' }).click();
    await page.getByRole('heading', { level: 1, name: 'Campaign: Spring news' }).waitFor();
    // Live: the page refreshes itself until the shipment's sends are all accounted for.
    await page.getByText('2 of 2').waitFor({ timeout: 60_000 });
    await page.getByRole('table', { name: 'Shipments' }).getByText('Completed').waitFor();
    const progress = page.getByRole('progressbar', { name: /^Shipment .* progress$/ });
    expect(await progress.getAttribute('value')).toBe('2');
    await page.getByText('Completed', { exact: true }).first().waitFor();
    // The figures over time: a uPlot chart and the same numbers in a table.
    await page.locator('.chart .uplot canvas').waitFor();
    const today = new Date().toISOString().slice(0, 10);
    const day = page.getByRole('table', { name: 'Figures per day' }).getByRole('row').filter({ hasText: today });
    await day.getByRole('cell', { name: '2', exact: true }).first().waitFor();
    expect(
      dev.outbox
        .list('smtp')
        .map((e) => e.to)
        .sort(),
    ).toEqual(['one@example.org', 'two@example.org']);

    // uPlot comes from the gateway itself.
    const lib = await fetch(`${ctx.baseUrl}/vendor/uplot/uPlot.esm.js`);
    expect(lib.status).toBe(200);
    expect(lib.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${ctx.baseUrl}/vendor/uplot/package.json`)).status).toBe(404);
  });
});
