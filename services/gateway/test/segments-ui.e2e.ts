import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { startGateway, TEST_ADMIN, type GatewayTestContext } from './support/gateway-test';

/** The segments screens of the admin UI in Chromium: list, editor with live count, import with progress and errors, contacts. */
describe('admin web UI — segments', () => {
  let ctx: GatewayTestContext;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [ctx, browser] = await Promise.all([startGateway({ services: ['preferences'] }), launchChromium()]);
    for (const [id, email] of [
      ['ui-1', 'one@gmail.com'],
      ['ui-2', 'two@gmail.com'],
      ['ui-3', 'three@example.com'],
    ])
      await ctx.api('PUT', `/api/contacts/${id}/edit`, { email });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${ctx.baseUrl}/admin/segments`);
    await page.getByLabel('Username').fill(TEST_ADMIN.username);
    await page.getByLabel('Password').fill(TEST_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Segments' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('builds a dynamic segment with a live count, saves it, and lists it', async () => {
    await page.getByRole('link', { name: 'New segment' }).click();
    await page.getByLabel('Name').fill('Gmail people');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByLabel('Field').fill('email');
    await page.getByLabel('Operator').selectOption('endsWith');
    await page.getByLabel('Value', { exact: true }).fill('@gmail.com');
    await page.getByText('Matching contacts: 2').waitFor();
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Segment: Gmail people' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Segment saved.' }).waitFor();
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('link', { name: 'Gmail people' }).waitFor();
  });

  it('imports a CSV with a progress bar and its bad rows, then shows the segment contacts', async () => {
    await page.getByRole('link', { name: 'Gmail people' }).click();
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.getByLabel('CSV file').setInputFiles({
      name: 'people.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('email;firstname\nfour@example.com;Four\nnot-an-email;Bad\n'),
    });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByText(/: completed$/).waitFor();
    expect(await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('value')).toBe('1');
    await page.getByText('2 rows read: 1 created, 0 updated, 0 unchanged, 1 failed').waitFor();
    await page
      .getByRole('table', { name: 'Rows not imported' })
      .getByRole('cell', { name: '3', exact: true })
      .waitFor();
    await page.getByRole('link', { name: 'Segment contacts' }).click();
    await page.getByRole('table', { name: '3 contact(s)' }).waitFor();
    await page.getByRole('cell', { name: 'four@example.com' }).waitFor();
  });
});
