import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { preferencesContactsGet, preferencesContactsUpsert, trackerMessageStats } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { waitFor } from '@switchboard/testing';
import { trackingUrls } from '@switchboard/tracking';
import { launchChromium } from './support/chromium';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

describe('the preference page in a real browser (headless Chromium)', () => {
  let ctx: GatewayTestContext;
  let rpc: RpcClient;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['preferences', 'tracker'] });
    rpc = ctx.gateway.app.get(RpcClient);
    await rpc.call(preferencesContactsUpsert, {
      contact: { id: 'grace', email: 'grace@example.com', mobile: '+14155550123', firstname: 'Grace' },
      mode: 'merge',
      mustExist: false,
    });
    url = trackingUrls(ctx.baseUrl, ctx.config.tracking.secret!, {
      dispatchId: 'd-grace',
      sendId: 's-grace',
      messageId: 9,
      contactId: 'grace',
      channel: 'email',
    }).unsubscribe;
    // Playwright starts Chromium with a new, empty profile of its own.
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
  });

  const email = () => page.getByRole('group', { name: 'Email', exact: true });
  const sms = () => page.getByRole('group', { name: 'Text messages (SMS)', exact: true });

  it('shows every reachable channel as a labelled, grouped form', async () => {
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['referrer-policy']).toBe('no-referrer');
    await expect(page.title()).resolves.toBe('Your communication preferences');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your communication preferences');
    const preferred = page.getByRole('group', { name: 'Preferred channel' });
    expect(await preferred.getByRole('radio', { name: 'No preference' }).isChecked()).toBe(true);
    expect(await preferred.getByRole('radio').count()).toBe(3); // no preference, email, SMS: the channels Grace can be reached on
    expect(await email().getByRole('checkbox', { name: 'Send me emails' }).isChecked()).toBe(true);
    expect(await sms().getByRole('checkbox', { name: 'Send me text messages' }).isChecked()).toBe(true);
    // Every visible control has a label, and the page runs no script at all.
    const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
      els
        .filter((el) => (el as unknown as { labels: ArrayLike<unknown> | null }).labels?.length === 0)
        .map((el) => el.id || el.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
  });

  it('saves preferred channel, frequency, pause and subscription choices', async () => {
    await page.getByRole('radio', { name: 'Text messages (SMS)' }).check();
    await email().getByLabel('At most this many messages').fill('2');
    await email().getByLabel('Period').selectOption({ label: 'per week' });
    await sms().getByLabel('Pause from').fill('2026-12-01');
    await sms().getByLabel('Pause until (inclusive)').fill('2026-12-15');
    await email().getByRole('checkbox', { name: 'Send me emails' }).uncheck();
    await Promise.all([page.waitForURL(/\?saved=1$/), page.getByRole('button', { name: 'Save preferences' }).click()]);

    expect(await page.getByRole('status').textContent()).toBe('Your preferences have been saved.');
    const contact = await rpc.call(preferencesContactsGet, { id: 'grace' });
    expect(contact.preferredChannel).toBe('sms');
    expect(contact.frequencyRules.email).toMatchObject({
      frequencyNumber: 2,
      frequencyTime: 'WEEK',
      pauseFrom: null,
      pauseTo: null,
    });
    expect(contact.frequencyRules.sms).toMatchObject({ frequencyNumber: null, frequencyTime: null });
    expect(contact.frequencyRules.sms?.pauseFrom?.slice(0, 10)).toBe('2026-12-01');
    // The last day is included: the pause ends when the 16th begins.
    expect(contact.frequencyRules.sms?.pauseTo).toBe('2026-12-16T00:00:00.000Z');
    expect(contact.doNotContact).toEqual([expect.objectContaining({ channel: 'email', reason: 1 })]);

    // The page shows what was saved.
    expect(await page.getByRole('radio', { name: 'Text messages (SMS)' }).isChecked()).toBe(true);
    expect(await email().getByRole('checkbox', { name: 'Send me emails' }).isChecked()).toBe(false);
    expect(await email().getByLabel('At most this many messages').inputValue()).toBe('2');
    expect(await sms().getByLabel('Pause until (inclusive)').inputValue()).toBe('2026-12-15');
    await page.screenshot({ path: join(tmpdir(), 'sb-preference-page.png'), fullPage: true });

    // Unsubscribing from the link's own channel counts as an unsubscribe of that message.
    await waitFor(async () => (await rpc.call(trackerMessageStats, { messageId: 9 })).total.unsubscribed === 1);
  });

  it('explains what to correct, next to the field, and keeps what was typed', async () => {
    await sms().getByLabel('At most this many messages').fill('3');
    await sms().getByLabel('Pause until (inclusive)').fill('2026-11-30');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Save preferences' }).click(),
    ]);
    expect(res.status()).toBe(400);
    const alert = page.getByRole('alert');
    expect(await alert.getByRole('link').allTextContents()).toEqual([
      'Choose per day, per week or per month.',
      'The pause cannot end before it starts.',
    ]);
    const period = sms().getByLabel('Period');
    expect(await period.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await period.getAttribute('aria-describedby')}`).textContent()).toBe(
      'Choose per day, per week or per month.',
    );
    expect(await sms().getByLabel('At most this many messages').inputValue()).toBe('3');
    expect((await rpc.call(preferencesContactsGet, { id: 'grace' })).frequencyRules.sms?.frequencyNumber).toBeNull();
  });

  it('re-subscribes a channel and clears a limit', async () => {
    await page.goto(url);
    await email().getByRole('checkbox', { name: 'Send me emails' }).check();
    await email().getByLabel('At most this many messages').fill('');
    await email().getByLabel('Period').selectOption({ label: 'No limit' });
    await page.getByRole('radio', { name: 'No preference' }).check();
    await Promise.all([page.waitForURL(/\?saved=1$/), page.getByRole('button', { name: 'Save preferences' }).click()]);
    const contact = await rpc.call(preferencesContactsGet, { id: 'grace' });
    expect(contact.doNotContact).toEqual([]);
    expect(contact.preferredChannel).toBeNull();
    expect(contact.frequencyRules.email?.frequencyNumber ?? null).toBeNull();
  });

  it('unsubscribes with the page button (the same one-click endpoint mail clients use)', async () => {
    await page.goto(url);
    await Promise.all([
      page.waitForURL(url),
      page.getByRole('button', { name: 'Unsubscribe from all emails' }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You are unsubscribed');
    await waitFor(async () => (await rpc.call(preferencesContactsGet, { id: 'grace' })).doNotContact.length === 1);
  });
});
