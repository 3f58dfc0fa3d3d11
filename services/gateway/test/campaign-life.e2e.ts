import { startDevProviders, DEFAULT_TWILIO, type DevProviders } from '../../dev-providers/src';
import { waitFor } from '@switchboard/testing';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * The whole life of a broadcast (DESIGN §7.4), on the real NATS and PostgreSQL with every service
 * it crosses: a dynamic segment and an excluded static one, a message with email and SMS, a
 * campaign submitted by a marketer, approved by an approver, scheduled a few seconds ahead; its
 * shipment resolves the audience, and each send goes through preferences' decision, the router
 * and the real senders to the loopback SMTP and Twilio fakes; the shipment's figures come back
 * from the tracker per channel.
 */
describe('a campaign from segment to shipment statistics (every service, email and SMS fakes)', () => {
  let ctx: GatewayTestContext;
  let dev: DevProviders;
  const marketer = basic('mia', 'mia-password-1');
  const approver = basic('abe', 'abe-password-1');

  beforeAll(async () => {
    dev = await startDevProviders();
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'campaign-actions', 'router', 'sender-email', 'sender-sms', 'tracker'],
      serviceEnv: {
        SB_TRACKING_SECRET: 'campaign-life-tracking-secret-0123456789',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(dev.smtp.port),
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: dev.httpBaseUrl,
        TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
        TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
        TWILIO_FROM: '+15005550006',
        ROUTER_CHANNEL_WARMUP_MS: '500',
        CAMPAIGN_POLL_MS: '200',
        SHIPMENT_POLL_MS: '200',
      },
    });
    for (const [username, role] of [
      ['mia', 'marketer'],
      ['abe', 'approver'],
    ])
      expect(
        (await ctx.api('POST', '/api/users/new', { username, password: `${username}-password-1`, role })).status,
      ).toBe(201);
  });

  afterAll(async () => {
    await ctx?.close();
    await dev?.close();
  });

  it('segment → campaign → approval → schedule → shipment → emails and an SMS → figures per shipment', async () => {
    const contacts: [string, Record<string, unknown>][] = [
      ['cl-ann', { email: 'ann@example.org', firstname: 'Ann', city: 'Prague' }],
      ['cl-bob', { email: 'bob@example.org', firstname: 'Bob', city: 'Prague' }],
      ['cl-cat', { mobile: '+420777000111', firstname: 'Cat', city: 'Prague', preferredChannel: 'sms' }],
      // Do not contact by email and no mobile: no channel is left.
      ['cl-dan', { email: 'dan@example.org', firstname: 'Dan', city: 'Prague', doNotContact: [{ channel: 'email' }] }],
      // In the segment but excluded.
      ['cl-eve', { email: 'eve@example.org', firstname: 'Eve', city: 'Prague' }],
      ['cl-fay', { email: 'fay@example.org', firstname: 'Fay', city: 'Brno' }],
    ];
    for (const [id, body] of contacts)
      expect((await ctx.api('PUT', `/api/contacts/${id}/edit`, body, { auth: marketer })).status).toBe(201);

    const prague = await ctx.api(
      'POST',
      '/api/segments/new',
      {
        name: 'Prague',
        filters: [{ glue: 'and', field: 'city', object: 'lead', type: 'text', operator: '=', filter: 'Prague' }],
      },
      { auth: marketer },
    );
    expect(prague.status).toBe(201);
    const excluded = (await ctx.api('POST', '/api/segments/new', { name: 'Opted out of promos' }, { auth: marketer }))
      .body.list;
    await ctx.api('POST', `/api/segments/${excluded.id}/contact/cl-eve/add`, undefined, { auth: marketer });

    const email = await ctx.api(
      'POST',
      '/api/emails/new',
      { name: 'Sale', subject: 'Sale for {{ contact.firstname }}', customHtml: '<p>Hi {{ contact.firstname }}</p>' },
      { auth: marketer },
    );
    const sms = await ctx.api(
      'POST',
      '/api/smses/new',
      { name: 'Sale SMS', message: 'Sale for {{ contact.firstname }}' },
      { auth: marketer },
    );
    const message = await ctx.api(
      'POST',
      '/api/messages/new',
      {
        name: 'Sale',
        channels: {
          email: { channelId: email.body.email.id, isEnabled: true },
          sms: { channelId: sms.body.sms.id, isEnabled: true },
        },
      },
      { auth: marketer },
    );
    expect(message.status).toBe(201);

    // Both senders announced: the router routes only to available channels.
    await waitFor(async () => {
      const { channels } = (await ctx.api('GET', '/api/channels')).body as {
        channels: { channel: string; available: boolean }[];
      };
      return ['email', 'sms'].every((c) => channels.some((x) => x.channel === c && x.available));
    });

    const at = new Date(Date.now() + 3_000).toISOString();
    const created = await ctx.api(
      'POST',
      '/api/campaigns/new',
      {
        name: 'Prague sale',
        messageId: message.body.message.id,
        audience: { include: [prague.body.list.id], exclude: [excluded.id] },
        schedule: { type: 'at', at },
      },
      { auth: marketer },
    );
    expect(created.status).toBe(201);
    const id = created.body.campaign.id as number;
    expect((await ctx.api('POST', `/api/campaigns/${id}/approve`, {}, { auth: approver })).status).toBe(409);
    expect((await ctx.api('POST', `/api/campaigns/${id}/submit`, {}, { auth: marketer })).body.campaign.status).toBe(
      'awaiting_approval',
    );
    const approved = await ctx.api('POST', `/api/campaigns/${id}/approve`, {}, { auth: approver });
    expect(approved.body.campaign).toMatchObject({ status: 'scheduled', approvedBy: 'abe', nextRunAt: at });
    // Nothing goes out before its time.
    expect((await ctx.api('GET', `/api/campaigns/${id}/shipments`)).body.shipments).toEqual([]);

    const shipment = await waitFor(
      async () => {
        const [s] = (await ctx.api('GET', `/api/campaigns/${id}/shipments`)).body.shipments;
        return s?.status === 'Completed' && s.sent === 3 && s.failed === 1 ? s : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(Date.parse(shipment.startedAt)).toBeGreaterThanOrEqual(Date.parse(at));
    expect(shipment).toMatchObject({ targets: 4, requested: 4, canceled: 0, error: null });
    expect((await ctx.api('GET', `/api/campaigns/${id}`)).body.campaign).toMatchObject({
      status: 'completed',
      sent: 4,
      lastShipmentAt: expect.any(String),
    });

    // What the providers received.
    const outbox = dev.outbox.list();
    expect(
      outbox
        .filter((e) => e.provider === 'smtp')
        .map((e) => e.subject)
        .sort(),
    ).toEqual(['Sale for Ann', 'Sale for Bob']);
    expect(outbox.filter((e) => e.provider === 'twilio').map((e) => [e.to, e.body.split('\n')[0]])).toEqual([
      ['+420777000111', expect.stringContaining('Sale for Cat')],
    ]);

    const stats = (await ctx.api('GET', `/api/campaigns/${id}/shipments/${shipment.id}/stats`)).body.stats;
    expect(stats.campaignId).toBe(String(id));
    expect(stats.channels.email).toMatchObject({ sent: 2, failed: 0 });
    expect(stats.channels.sms).toMatchObject({ sent: 1, failed: 0 });
    expect(stats.total).toMatchObject({ sent: 3, suppressed: 1 });
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.daily.filter((d: { date: string }) => d.date === today).length).toBeGreaterThan(0);
    const campaignStats = (await ctx.api('GET', `/api/campaigns/${id}/stats`)).body.stats;
    expect(campaignStats.total).toMatchObject({ sent: 3, suppressed: 1, shipments: 1 });

    // The list columns: status and what became of the sends.
    const listed = (await ctx.api('GET', '/api/campaigns?search=Prague')).body.campaigns;
    expect(listed).toEqual([
      expect.objectContaining({ id, status: 'completed', stats: { sent: 3, failed: 1, opened: 0, clicked: 0 } }),
    ]);

    const log = (await ctx.api('GET', `/api/deliveries?shipmentId=${encodeURIComponent(shipment.id)}&limit=50`)).body;
    const byContact = Object.fromEntries(
      (log.deliveries as { contact: { id: string }; channel: string | null; status: string }[]).map((d) => [
        d.contact.id,
        d.channel === null ? d.status : `${d.channel} ${d.status}`,
      ]),
    );
    expect(byContact).toEqual({
      'cl-ann': 'email sent',
      'cl-bob': 'email sent',
      'cl-cat': 'sms sent',
      'cl-dan': expect.stringMatching(/(failed|suppressed)$/),
    });
  });
});
