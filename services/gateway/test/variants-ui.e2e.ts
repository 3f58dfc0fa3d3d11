import type { Browser, Locator, Page } from 'playwright-core';
import { waitFor } from '@switchboard/testing';
import { DEFAULT_TWILIO, startHttpFake, type HttpFake } from '../../dev-providers/src';
import { launchChromium } from './support/chromium';
import { channelAvailable, startGateway, TEST_ADMIN, type GatewayTestContext } from './support/gateway-test';

/** Not the default: the UI must warn by the server's text, not a copy of the default. */
const OPT_OUT_TEXT = 'Text END to quit';

/**
 * Content variants in the admin UI (DESIGN §7.2) in Chromium: a text message's variants added,
 * edited, reordered and removed beside the base content, previewed as contacts, kept through a
 * reload (and in the API), the API's 400 next to the filter or name it names, and the message's
 * statistics per variant after real sends through the router, sender-sms (to a loopback Twilio)
 * and the tracker. Also the SMS opt-out warning by the server's SMS_OPT_OUT_TEXT.
 */
describe('admin web UI — content variants', () => {
  let ctx: GatewayTestContext;
  let twilio: HttpFake;
  let browser: Browser;
  let page: Page;
  let smsId: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    twilio = await startHttpFake();
    [ctx, browser] = await Promise.all([
      startGateway({
        services: ['catalog', 'preferences', 'router', 'sender-sms', 'tracker'],
        serviceEnv: {
          SMS_PROVIDER: 'twilio',
          TWILIO_BASE_URL: twilio.baseUrl,
          TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
          TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
          TWILIO_FROM: '+15005550006',
          ROUTER_CHANNEL_WARMUP_MS: '500',
          SMS_OPT_OUT_TEXT: OPT_OUT_TEXT,
          SB_TRACKING_SECRET: 'variants-ui-tracking-secret-0123456789',
          // Every service runs in this one process on a loaded machine.
          SENDER_PROVIDER_TIMEOUT_MS: '60000',
        },
      }),
      launchChromium(),
    ]);
    const contacts: [string, Record<string, unknown>][] = [
      ['vu-ann', { firstname: 'Ann', mobile: '+14155550111', city: 'Prague', orders: 50 }],
      ['vu-bob', { firstname: 'Bob', mobile: '+14155550112', city: 'Boston', orders: 5 }],
      ['vu-cid', { firstname: 'Cid', mobile: '+14155550113' }],
    ];
    for (const [id, body] of contacts)
      expect((await ctx.api('PUT', `/api/contacts/${id}/edit`, body)).status).toBe(201);
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${ctx.baseUrl}/admin/sign-in`);
    await page.getByLabel('Username').fill(TEST_ADMIN.username);
    await page.getByLabel('Password').fill(TEST_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Marketing messages' }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    await twilio?.close();
  });
  afterEach(() => expect(pageErrors).toEqual([]));

  const variant = (n: number) => page.getByRole('group', { name: `Variant ${n}`, exact: true });
  const filterOf = (v: Locator, n: number) => v.getByRole('group', { name: `Filter ${n}`, exact: true });

  /** Adds a variant with one filter on a custom field and its own message. */
  async function addVariant(n: number, name: string, custom: string, type: string, operator: string, value: string) {
    await page.getByRole('button', { name: 'Add variant' }).click();
    const v = variant(n);
    await v.getByLabel('Variant name').fill(name);
    const row = filterOf(v, 1);
    await row.getByLabel('Custom field name').fill(custom);
    await row.getByLabel('Compared as').selectOption(type);
    await row.getByLabel('Operator').selectOption(operator);
    await row.getByLabel('Value').fill(value);
    await v.getByRole('textbox', { name: 'Message' }).fill(`${name} offer, {{ contact.firstname }}. ${OPT_OUT_TEXT}`);
  }

  async function previewAs(contactId: string): Promise<Locator> {
    const preview = page.getByRole('form', { name: 'Preview' });
    await preview.getByLabel('Contact ID').fill(contactId);
    await preview.getByRole('button', { name: 'Preview' }).click();
    await preview.getByText(`, ${contactId.slice(3, 4).toUpperCase()}${contactId.slice(4)}.`).waitFor();
    return preview;
  }

  it('adds two variants beside the base content, previews the one a contact gets, and keeps them through a reload', async () => {
    await page.goto(`${ctx.baseUrl}/admin/content/smses/new`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Offer SMS');
    await page
      .getByRole('textbox', { name: 'Message', exact: true })
      .first()
      .fill(`Base offer, {{ contact.firstname }}. ${OPT_OUT_TEXT}`);
    await page.getByText('No variants: every contact gets the base content.').waitFor();
    await addVariant(1, 'vip', 'orders', 'number', 'gt', '20');
    await addVariant(2, 'boston', 'city', 'text', '=', 'Boston');
    await page.getByRole('button', { name: 'Create text message' }).click();
    await page.waitForURL(/\/admin\/content\/smses\/\d+$/);
    smsId = Number(/(\d+)$/.exec(page.url())![1]);

    const stored = (await ctx.api('GET', `/api/smses/${smsId}`)).body.sms;
    expect(stored.message).toBe(`Base offer, {{ contact.firstname }}. ${OPT_OUT_TEXT}`);
    expect(stored.variants).toEqual([
      expect.objectContaining({
        name: 'vip',
        filters: [expect.objectContaining({ field: 'orders', type: 'number', operator: 'gt', filter: 20 })],
        message: `vip offer, {{ contact.firstname }}. ${OPT_OUT_TEXT}`,
      }),
      expect.objectContaining({
        name: 'boston',
        filters: [expect.objectContaining({ field: 'city', type: 'text', operator: '=', filter: 'Boston' })],
        message: `boston offer, {{ contact.firstname }}. ${OPT_OUT_TEXT}`,
      }),
    ]);
    // A field the variant leaves empty is not sent: the base's senderId applies.
    expect(stored.variants[0]).not.toHaveProperty('senderId');

    // Bob (Boston, 5 orders) matches only the second variant's filter.
    const preview = await previewAs('vu-bob');
    await preview.getByText('Variant sent: boston').waitFor();
    await expect(preview.locator('pre').textContent()).resolves.toBe(`boston offer, Bob. ${OPT_OUT_TEXT}`);
    await (await previewAs('vu-ann')).getByText('Variant sent: vip').waitFor();
    await (await previewAs('vu-cid')).getByText('Base content sent (no variant matches).').waitFor();

    await page.reload();
    await expect(variant(1).getByLabel('Variant name').inputValue()).resolves.toBe('vip');
    const vip = filterOf(variant(1), 1);
    await expect(vip.getByLabel('Custom field name').inputValue()).resolves.toBe('orders');
    await expect(vip.getByLabel('Compared as').inputValue()).resolves.toBe('number');
    await expect(vip.getByLabel('Operator').inputValue()).resolves.toBe('gt');
    await expect(vip.getByLabel('Value').inputValue()).resolves.toBe('20');
    await expect(variant(2).getByLabel('Variant name').inputValue()).resolves.toBe('boston');
    await expect(variant(2).getByRole('textbox', { name: 'Message' }).inputValue()).resolves.toBe(
      `boston offer, {{ contact.firstname }}. ${OPT_OUT_TEXT}`,
    );
    await expect(variant(2).getByLabel('Sender ID').inputValue()).resolves.toBe('');
  }, 120_000);

  it("shows the API's 400 next to the name or filter it names, then reorders and removes variants", async () => {
    await page.goto(`${ctx.baseUrl}/admin/content/smses/${smsId}`);
    await page.getByRole('button', { name: 'Add variant' }).click();
    const third = variant(3);
    await third.getByLabel('Variant name').fill('VIP');
    const row = filterOf(third, 1);
    await row.getByLabel('Field', { exact: true }).selectOption({ label: 'Local time of day' });
    // The operators offered are those the local time takes.
    await expect(row.getByLabel('Operator').locator('option').allTextContents()).resolves.not.toContain('contains');
    await row.getByLabel('Operator').selectOption('between');
    await row.getByLabel('Value').fill('9am, 12:00');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields.' }).waitFor();
    await third.getByText('Variant names are unique.').waitFor();
    await expect(third.getByLabel('Variant name').getAttribute('aria-invalid')).resolves.toBe('true');

    await third.getByLabel('Variant name').fill('morning');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await third.getByText('#1 (localTime): a time of day is HH:mm (00:00 to 23:59).').waitFor();
    await expect(third.getByText('Variant names are unique.').count()).resolves.toBe(0);
    const refused = await ctx.api('PATCH', `/api/smses/${smsId}/edit`, {
      variants: [
        {
          name: 'morning',
          filters: [
            {
              glue: 'and',
              field: 'localTime',
              object: 'lead',
              type: 'text',
              operator: 'between',
              filter: ['9am', '12:00'],
            },
          ],
        },
      ],
    });
    expect(refused.body.errors[0].details['variants.0.filters']).toEqual([
      '#1 (localTime): a time of day is HH:mm (00:00 to 23:59).',
    ]);
    expect((await ctx.api('GET', `/api/smses/${smsId}`)).body.sms.variants).toHaveLength(2);

    await page.getByRole('button', { name: 'Remove variant 3' }).click();
    await expect(variant(3).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Move variant 2 up' }).click();
    await expect(variant(1).getByLabel('Variant name').inputValue()).resolves.toBe('boston');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const stored = (await ctx.api('GET', `/api/smses/${smsId}`)).body.sms;
    expect(stored.variants.map((v: { name: string }) => v.name)).toEqual(['boston', 'vip']);

    await page.reload();
    await expect(variant(1).getByLabel('Variant name').inputValue()).resolves.toBe('boston');
    await expect(variant(2).getByLabel('Variant name').inputValue()).resolves.toBe('vip');
    await expect(variant(3).count()).resolves.toBe(0);
  }, 120_000);

  it("shows the message's statistics per variant after sends, and the variant in its preview", async () => {
    await channelAvailable(ctx, 'sms');
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Variant offer',
      isPublished: true,
      channels: { sms: { channelId: smsId, isEnabled: true } },
    });
    expect(message.status).toBe(201);
    const messageId = message.body.message.id as number;
    for (const contact of ['vu-ann', 'vu-bob', 'vu-cid'])
      expect((await ctx.api('POST', `/api/messages/${messageId}/contact/${contact}/send`, {})).status).toBe(202);
    const texts = await waitFor(() => twilio.twilio.messages.length >= 3 && twilio.twilio.messages, {
      timeoutMs: 60_000,
    });
    expect(texts.find((m) => m.to === '+14155550112')?.body).toBe(`boston offer, Bob. ${OPT_OUT_TEXT}`);
    await waitFor(
      async () => {
        const stats = (await ctx.api('GET', `/api/messages/${messageId}/stats`)).body.stats;
        return (stats?.variants ?? []).reduce((n: number, v: { sent: number }) => n + v.sent, 0) === 3;
      },
      { timeoutMs: 60_000 },
    );

    await page.goto(`${ctx.baseUrl}/admin/messages/${messageId}`);
    const table = page.getByRole('table', { name: 'Statistics per variant' });
    await table.waitFor();
    const headers = await table.locator('thead th').allTextContents();
    expect(headers).toEqual(['Figure', 'Base content', 'Variant boston', 'Variant vip']);
    const sent = await table.getByRole('row').filter({ hasText: /^Sent/ }).locator('td').allTextContents();
    expect(sent).toEqual(['Sent', '1', '1', '1']);

    const preview = page.getByRole('form', { name: 'Preview every channel' });
    await preview.getByLabel('Contact ID').fill('vu-ann');
    await preview.getByRole('button', { name: 'Preview channels' }).click();
    const column = preview.getByRole('region', { name: 'Text message (SMS) preview' });
    await column.getByText('Variant sent: vip').waitFor();
    await column.getByText('vip offer, Ann.').waitFor();
  }, 180_000);

  it("warns about a missing SMS opt-out by the server's SMS_OPT_OUT_TEXT, in the base and in a variant", async () => {
    const rules = (await ctx.api('GET', '/api/content/opt-out')).body.optOut;
    expect(rules.sms.text).toBe(OPT_OUT_TEXT);

    await page.goto(`${ctx.baseUrl}/admin/content/smses/new`);
    const message = page.getByRole('textbox', { name: 'Message', exact: true }).first();
    await message.fill('Sale today');
    await page.getByText(`has no opt-out ({{ optout }}, “${OPT_OUT_TEXT}” or the word STOP)`).waitFor();
    // The configured text is an opt-out, though it has no STOP in it.
    await message.fill(`Sale today. ${OPT_OUT_TEXT}`);
    await page.getByText('has no opt-out').waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Add variant' }).click();
    await variant(1).getByLabel('Variant name').fill('cz');
    await variant(1).getByRole('textbox', { name: 'Message' }).fill('Sleva dnes');
    await page.getByText('The variant “cz” of this published text message has no opt-out').waitFor();
    await variant(1).getByRole('textbox', { name: 'Message' }).fill('');
    await page.getByText('has no opt-out').waitFor({ state: 'hidden' });
  });
});
