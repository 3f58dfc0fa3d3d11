import { preferencesDncAdd } from '@switchboard/contracts';
import { DAY, HOUR, startPreferences, T0, type PreferencesContext } from './support/preferences-context';

const PUSH = {
  endpoint: 'https://push.example.com/sub/1',
  keys: {
    p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
    auth: 'tBHItJI5svbpez7KI4CCXg',
  },
};

/** DESIGN §4 steps 2–6 through the real RPC, on the real PostgreSQL, with a hand-moved clock. */
describe('preferences.decide — routing rules', () => {
  let ctx: PreferencesContext;

  beforeAll(async () => {
    ctx = await startPreferences({
      FREQUENCY_DEFAULT_EMAIL: '2/DAY',
      QUIET_HOURS_SMS: '21:00-08:00',
      MAX_DEFERRALS: '3',
    });
  });
  afterAll(async () => {
    await ctx?.close();
  });
  beforeEach(() => ctx.clock.set(T0));

  const full = {
    email: 'ada@example.com',
    mobile: '+14155550123',
    twitterHandle: '@ada',
    firstname: 'Ada',
    lastname: 'Lovelace',
  };

  it('takes the candidates in the given order and routes to the first with an address, with the render fields', async () => {
    const id = await ctx.newContact({
      ...full,
      locale: 'en_GB',
      timezone: 'Europe/London',
      country: 'GB',
      fields: { plan: 'gold' },
    });
    const [d] = await ctx.decide(ctx.request(id, ['tweet', 'email']));
    expect(d).toMatchObject({ outcome: 'routed', channel: 'tweet', candidates: ['tweet', 'email'], skipped: [] });
    expect(d.contact).toEqual({
      id,
      address: 'ada',
      locale: 'en_GB',
      timezone: 'Europe/London',
      fields: {
        plan: 'gold',
        firstname: 'Ada',
        lastname: 'Lovelace',
        email: 'ada@example.com',
        mobile: '+14155550123',
        twitterHandle: 'ada',
        // Content variants filter on it (DESIGN §7.2), and Liquid may print it.
        country: 'GB',
      },
    });
  });

  it('puts the preferred channel first when the message offers it, and ignores it otherwise', async () => {
    const id = await ctx.newContact({ ...full, preferredChannel: 'sms' });
    const [offered, notOffered] = await ctx.decide(
      ctx.request(id, ['email', 'sms']),
      ctx.request(id, ['tweet', 'email']),
    );
    expect(offered).toMatchObject({
      outcome: 'routed',
      channel: 'sms',
      candidates: ['sms', 'email'],
      contact: { address: '+14155550123' },
    });
    expect(notOffered).toMatchObject({ outcome: 'routed', channel: 'tweet', candidates: ['tweet', 'email'] });
  });

  it('skips a do-not-contact channel with its reason name and falls back to the next', async () => {
    const id = await ctx.newContact(full);
    await ctx.rpc.call(preferencesDncAdd, { contactId: id, channel: 'email', reason: 1 });
    const [d] = await ctx.decide(ctx.request(id, ['email', 'sms']));
    expect(d).toMatchObject({
      outcome: 'routed',
      channel: 'sms',
      skipped: [{ channel: 'email', reason: 'dnc', detail: 'unsubscribed' }],
    });
  });

  it('skips channels without an address; push channels address every subscription or device', async () => {
    const id = await ctx.newContact({ email: 'bob@example.com', webPushSubscriptions: [PUSH] });
    const [d] = await ctx.decide(ctx.request(id, ['sms', 'mobile_notification', 'tweet', 'notification']));
    expect(d).toMatchObject({
      outcome: 'routed',
      channel: 'notification',
      skipped: [
        { channel: 'sms', reason: 'no_address' },
        { channel: 'mobile_notification', reason: 'no_address' },
        { channel: 'tweet', reason: 'no_address' },
      ],
    });
    expect(d.contact!.address).toEqual([PUSH]);
    const devices = await ctx.newContact({ mobileDevices: [{ platform: 'android', token: 'fcm-token-1' }] });
    const [m] = await ctx.decide(ctx.request(devices, ['mobile_notification']));
    expect(m.contact!.address).toEqual([{ platform: 'android', token: 'fcm-token-1' }]);
  });

  it('fails an unknown contact with no_channel, every candidate no_address', async () => {
    const [d] = await ctx.decide(ctx.request('nobody-here', ['email', 'sms']));
    expect(d).toMatchObject({
      outcome: 'failed',
      reason: 'no_channel',
      skipped: [
        { channel: 'email', reason: 'no_address' },
        { channel: 'sms', reason: 'no_address' },
      ],
    });
  });

  it('skips excluded and content-unavailable channels, and fails with every reason when nothing is left', async () => {
    const id = await ctx.newContact(full);
    const [d] = await ctx.decide(
      ctx.request(id, ['email', 'sms', 'tweet'], { excludeChannels: ['email'], contentUnavailable: ['sms', 'tweet'] }),
    );
    expect(d).toMatchObject({
      outcome: 'failed',
      reason: 'no_channel',
      candidates: ['email', 'sms', 'tweet'],
      skipped: [
        { channel: 'email', reason: 'excluded' },
        { channel: 'sms', reason: 'content_unavailable' },
        { channel: 'tweet', reason: 'content_unavailable' },
      ],
    });
  });

  it('pauses a channel inside its window only, and defers to the end of the pause', async () => {
    const pauseTo = new Date(Date.parse(T0) + 3 * HOUR).toISOString();
    const id = await ctx.newContact({
      ...full,
      frequencyRules: { tweet: { pauseFrom: new Date(Date.parse(T0) - HOUR).toISOString(), pauseTo } },
    });
    const [inside] = await ctx.decide(ctx.request(id, ['tweet']));
    expect(inside).toMatchObject({
      outcome: 'deferred',
      retryAt: pauseTo,
      skipped: [{ channel: 'tweet', reason: 'paused' }],
    });
    ctx.clock.set(pauseTo);
    const [after] = await ctx.decide(ctx.request(id, ['tweet']));
    expect(after).toMatchObject({ outcome: 'routed', channel: 'tweet' });
    ctx.clock.set(new Date(Date.parse(T0) - 2 * HOUR).toISOString());
    const [before] = await ctx.decide(ctx.request(id, ['tweet']));
    expect(before).toMatchObject({ outcome: 'routed', channel: 'tweet' });
  });

  it('a pause without an end never frees up: the send fails rather than defers', async () => {
    const id = await ctx.newContact({ ...full, frequencyRules: { tweet: { pauseFrom: '2026-01-01' } } });
    const [d] = await ctx.decide(ctx.request(id, ['tweet']));
    expect(d).toMatchObject({
      outcome: 'failed',
      reason: 'no_channel',
      skipped: [{ channel: 'tweet', reason: 'paused' }],
    });
  });

  it('judges quiet hours in the contact time zone: the same instant is night in Auckland and day in Paris', async () => {
    // 12:00Z = 01:00 in Auckland (UTC+13 in November), 13:00 in Paris.
    const auckland = await ctx.newContact({ ...full, timezone: 'Pacific/Auckland' });
    const paris = await ctx.newContact({ ...full, timezone: 'Europe/Paris' });
    const [night, day] = await ctx.decide(ctx.request(auckland, ['sms']), ctx.request(paris, ['sms']));
    expect(night).toMatchObject({
      outcome: 'deferred',
      retryAt: '2026-11-23T19:00:00.000Z',
      skipped: [{ channel: 'sms', reason: 'quiet_hours' }],
    });
    expect(day).toMatchObject({ outcome: 'routed', channel: 'sms' });
    // 21:30 in Paris: quiet until 08:00 Paris (07:00Z) the next day; the other channel is not quiet.
    ctx.clock.set('2026-11-23T20:30:00.000Z');
    const [evening] = await ctx.decide(ctx.request(paris, ['sms', 'tweet']));
    expect(evening).toMatchObject({
      outcome: 'routed',
      channel: 'tweet',
      skipped: [{ channel: 'sms', reason: 'quiet_hours' }],
    });
    const [onlySms] = await ctx.decide(ctx.request(paris, ['sms']));
    expect(onlySms).toMatchObject({ outcome: 'deferred', retryAt: '2026-11-24T07:00:00.000Z' });
  });

  it('counts frequency over a rolling DAY, not a calendar day', async () => {
    const id = await ctx.newContact({ ...full, frequencyRules: { sms: { frequencyNumber: 1, frequencyTime: 'DAY' } } });
    ctx.clock.set('2026-11-23T20:00:00.000Z');
    expect((await ctx.decide(ctx.request(id, ['sms'])))[0]).toMatchObject({ outcome: 'routed', channel: 'sms' });
    ctx.clock.set('2026-11-24T19:59:59.000Z'); // the next calendar day, still inside 24 h
    expect((await ctx.decide(ctx.request(id, ['sms', 'email'])))[0]).toMatchObject({
      outcome: 'routed',
      channel: 'email',
      skipped: [{ channel: 'sms', reason: 'frequency' }],
    });
    ctx.clock.set('2026-11-24T20:00:00.000Z');
    expect((await ctx.decide(ctx.request(id, ['sms'])))[0]).toMatchObject({ outcome: 'routed', channel: 'sms' });
  });

  it('counts frequency over a rolling WEEK and defers to the moment the oldest counted send leaves it', async () => {
    const id = await ctx.newContact({
      ...full,
      frequencyRules: { tweet: { frequencyNumber: 2, frequencyTime: 'WEEK' } },
    });
    expect((await ctx.decide(ctx.request(id, ['tweet'])))[0].outcome).toBe('routed');
    ctx.clock.advance(2 * DAY);
    expect((await ctx.decide(ctx.request(id, ['tweet'])))[0].outcome).toBe('routed');
    ctx.clock.advance(3 * DAY);
    const [third] = await ctx.decide(ctx.request(id, ['tweet']));
    expect(third).toMatchObject({ outcome: 'deferred', retryAt: new Date(Date.parse(T0) + 7 * DAY).toISOString() });
    ctx.clock.set(third.retryAt!);
    expect((await ctx.decide(ctx.request(id, ['tweet'])))[0]).toMatchObject({ outcome: 'routed', channel: 'tweet' });
  });

  it('counts frequency over a rolling MONTH of 30 days', async () => {
    const id = await ctx.newContact({
      ...full,
      frequencyRules: { tweet: { frequencyNumber: 1, frequencyTime: 'MONTH' } },
    });
    expect((await ctx.decide(ctx.request(id, ['tweet'])))[0].outcome).toBe('routed');
    ctx.clock.advance(29 * DAY);
    expect((await ctx.decide(ctx.request(id, ['tweet'])))[0]).toMatchObject({
      outcome: 'deferred',
      retryAt: new Date(Date.parse(T0) + 30 * DAY).toISOString(),
      skipped: [{ channel: 'tweet', reason: 'frequency' }],
    });
    ctx.clock.advance(DAY);
    expect((await ctx.decide(ctx.request(id, ['tweet'])))[0].outcome).toBe('routed');
  });

  it('applies the default rule to a contact without one, and the contact rule instead of it', async () => {
    const plain = await ctx.newContact(full);
    const generous = await ctx.newContact({
      ...full,
      frequencyRules: { email: { frequencyNumber: 4, frequencyTime: 'DAY' } },
    });
    const unlimited = await ctx.newContact({
      ...full,
      frequencyRules: { email: { frequencyNumber: 0, frequencyTime: 'DAY' } },
    });
    const pausedOnly = await ctx.newContact({
      ...full,
      frequencyRules: { email: { pauseTo: '2020-01-01T00:00:00Z' } },
    });
    const outcomes = async (id: string, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await ctx.decide(ctx.request(id, ['email'])))[0].outcome);
      return out;
    };
    expect(await outcomes(plain, 3)).toEqual(['routed', 'routed', 'deferred']); // default 2/DAY
    expect(await outcomes(generous, 5)).toEqual(['routed', 'routed', 'routed', 'routed', 'deferred']);
    expect(await outcomes(unlimited, 5)).toEqual(['routed', 'routed', 'routed', 'routed', 'routed']);
    expect(await outcomes(pausedOnly, 3)).toEqual(['routed', 'routed', 'deferred']); // a pause alone is no frequency rule
  });

  it('counts several sends of one batch for one contact against its limit', async () => {
    const id = await ctx.newContact(full);
    const decisions = await ctx.decide(...Array.from({ length: 4 }, () => ctx.request(id, ['email', 'tweet'])));
    expect(decisions.map((d) => d.channel)).toEqual(['email', 'email', 'tweet', 'tweet']);
  });

  it('defers to the earliest moment any blocked candidate frees up', async () => {
    const id = await ctx.newContact({
      ...full,
      timezone: 'America/New_York', // 07:00 local: SMS quiet until 08:00 local = 13:00Z
      frequencyRules: {
        tweet: { pauseTo: new Date(Date.parse(T0) + 5 * HOUR).toISOString() },
        email: { frequencyNumber: 1, frequencyTime: 'DAY' },
      },
    });
    expect((await ctx.decide(ctx.request(id, ['email'])))[0].outcome).toBe('routed');
    const [d] = await ctx.decide(ctx.request(id, ['email', 'tweet', 'notification', 'sms']));
    expect(d).toMatchObject({
      outcome: 'deferred',
      retryAt: '2026-11-23T13:00:00.000Z',
      skipped: [
        { channel: 'email', reason: 'frequency' },
        { channel: 'tweet', reason: 'paused' },
        { channel: 'notification', reason: 'no_address' },
        { channel: 'sms', reason: 'quiet_hours' },
      ],
    });
  });

  it('defers to when every block of one channel is clear: a pause that ends inside quiet hours waits for their end', async () => {
    const id = await ctx.newContact({
      ...full,
      timezone: 'UTC',
      frequencyRules: { sms: { pauseTo: '2026-11-23T22:00:00Z' } },
    });
    const [d] = await ctx.decide(ctx.request(id, ['sms']));
    expect(d).toMatchObject({
      outcome: 'deferred',
      retryAt: '2026-11-24T08:00:00.000Z',
      skipped: [{ channel: 'sms', reason: 'paused' }],
    });
  });

  it('fails after MAX_DEFERRALS deferrals, and when the retry would pass expiresAt', async () => {
    const id = await ctx.newContact({
      ...full,
      frequencyRules: { tweet: { pauseTo: new Date(Date.parse(T0) + 2 * DAY).toISOString() } },
    });
    const [third] = await ctx.decide(ctx.request(id, ['tweet'], { deferrals: 2 }));
    expect(third.outcome).toBe('deferred');
    const [fourth] = await ctx.decide(ctx.request(id, ['tweet'], { deferrals: 3 }));
    expect(fourth).toMatchObject({
      outcome: 'failed',
      reason: 'max_deferrals',
      skipped: [{ channel: 'tweet', reason: 'paused' }],
    });
    const [late] = await ctx.decide(
      ctx.request(id, ['tweet'], { expiresAt: new Date(Date.parse(T0) + DAY).toISOString() }),
    );
    expect(late).toMatchObject({ outcome: 'failed', reason: 'expired' });
  });

  it('answers a redelivered deferral the same, and decides afresh when the send comes back', async () => {
    const pauseTo = new Date(Date.parse(T0) + HOUR).toISOString();
    const id = await ctx.newContact({ ...full, frequencyRules: { tweet: { pauseTo } } });
    const req = ctx.request(id, ['tweet']);
    const [first] = await ctx.decide(req);
    ctx.clock.advance(10 * 60_000);
    const [again] = await ctx.decide(req);
    expect(again).toEqual(first);
    ctx.clock.set(pauseTo);
    const [back] = await ctx.decide({ ...req, deferrals: 1 });
    expect(back).toMatchObject({ outcome: 'routed', channel: 'tweet' });
  });
});
