import {
  trackerCampaignStats,
  trackerDeliveriesList,
  trackerMessageStats,
  trackerUnsubscriptionsList,
  STAT_FIGURES,
  type DeliveryRow,
  type StatFigures,
} from '@switchboard/contracts';
import {
  consumedCounts,
  forgetConsumers,
  Script,
  startTracker,
  type Harness,
  type SendRef,
} from './support/tracker-harness';

const figures = (partial: Partial<StatFigures>): StatFigures =>
  ({ ...Object.fromEntries(STAT_FIGURES.map((f) => [f, 0])), ...partial }) as StatFigures;

const send = (id: string, contactId: string, messageId = 7): SendRef => ({
  sendId: id,
  contactId,
  messageId,
  campaignId: 'c1',
  shipmentId: 'sh1',
});
const A = send('s-a', 'alice');
const B = send('s-b', 'bob');
const C = send('s-c', 'carol');
const D = send('s-d', 'dave');
const E = send('s-e', 'erin');
const F = send('s-f', 'frank');
const A8 = send('s-a8', 'alice', 8);

const EXPECTED_EMAIL = figures({
  reach: 3,
  shipments: 1,
  sent: 3,
  delivered: 2,
  failed: 1,
  bounced: 1,
  opened: 3,
  uniqueOpened: 2,
  clicked: 3,
  uniqueClicked: 2,
  unsubscribed: 1,
});
const EXPECTED_SMS = figures({ reach: 2, shipments: 1, sent: 2, delivered: 2, deferred: 1, suppressed: 1 });
const EXPECTED_TOTAL = figures({
  reach: 5,
  shipments: 1,
  sent: 5,
  delivered: 4,
  failed: 1,
  bounced: 1,
  opened: 3,
  uniqueOpened: 2,
  clicked: 3,
  uniqueClicked: 2,
  unsubscribed: 1,
  deferred: 1,
  suppressed: 1,
});

describe('tracker: a scripted scenario over NATS', () => {
  let h: Harness;
  let s: Script;

  beforeAll(async () => {
    h = await startTracker();
    s = new Script(h.env.names);
    const minute = (n: number) => n * 60;
    // Delivery events go first: the log must come out the same whatever order the streams deliver in.
    await h.publisher.publishAll([
      // alice: sent, delivered, opened twice, clicked once
      s.delivery(A, 'email', 'd-a', 'sent', minute(0) + 1),
      s.delivery(A, 'email', 'd-a', 'delivered', minute(0) + 2),
      s.delivery(A, 'email', 'd-a', 'opened', minute(0) + 10),
      s.delivery(A, 'email', 'd-a', 'opened', minute(0) + 20),
      s.delivery(A, 'email', 'd-a', 'clicked', minute(0) + 30, { url: 'https://example.com/x' }),
      // bob: opened once, clicked twice, unsubscribed the next day
      s.delivery(B, 'email', 'd-b', 'sent', minute(1) + 1),
      s.delivery(B, 'email', 'd-b', 'delivered', minute(1) + 2),
      s.delivery(B, 'email', 'd-b', 'opened', minute(1) + 11),
      s.delivery(B, 'email', 'd-b', 'clicked', minute(1) + 31, { url: 'https://example.com/x' }),
      s.delivery(B, 'email', 'd-b', 'clicked', minute(1) + 32, { url: 'https://example.com/y' }),
      s.delivery(B, 'email', 'd-b', 'unsubscribed', 86_400),
      // carol: a hard bounce
      s.delivery(C, 'email', 'd-c', 'sent', minute(2) + 1),
      s.delivery(C, 'email', 'd-c', 'bounced', minute(2) + 5),
      // dave: an SMS delivered
      s.delivery(D, 'sms', 'd-d', 'sent', minute(3) + 1),
      s.delivery(D, 'sms', 'd-d', 'delivered', minute(3) + 2),
      // frank: email fails for good, re-routed to SMS, delivered there
      s.delivery(F, 'email', 'd-f1', 'failed', minute(5) + 3, {
        error: { code: '550', message: 'no such user', permanent: true },
      }),
      s.delivery(F, 'sms', 'd-f2', 'sent', minute(5) + 5),
      s.delivery(F, 'sms', 'd-f2', 'delivered', minute(5) + 6),
      // alice again, for another message of the same campaign
      s.delivery(A8, 'email', 'd-a8', 'sent', minute(6) + 1),
    ]);
    await h.publisher.publishAll([
      s.routed(A, 'email', 'd-a', minute(0)),
      s.routed(B, 'email', 'd-b', minute(1)),
      s.routed(C, 'email', 'd-c', minute(2)),
      s.routed(D, 'sms', 'd-d', minute(3)),
      s.deferred(E, minute(4), ['sms', 'email']),
      s.suppressed(E, minute(4) + 100, ['sms', 'email']),
      s.routed(F, 'email', 'd-f1', minute(5)),
      s.routed(F, 'sms', 'd-f2', minute(5) + 4, 1, [{ channel: 'email', reason: 'excluded' }]),
      s.routed(A8, 'email', 'd-a8', minute(6)),
      s.dispatch(A, 'email', 'd-a', 'alice@example.com', { firstname: 'Alice', lastname: 'Liddell' }),
      s.dispatch(B, 'email', 'd-b', 'bob@example.com', { firstname: 'Bob' }),
      s.dispatch(D, 'sms', 'd-d', '+14155550123', { firstname: 'Dave', email: 'dave@example.org' }),
    ]);
    await h.idle();
  });

  afterAll(async () => {
    await h?.close();
  });

  async function messageStats() {
    return h.rpc.call(trackerMessageStats, { messageId: 7 });
  }

  async function allRows(query: { messageId?: number; limit?: number } = { messageId: 7 }): Promise<DeliveryRow[]> {
    const rows: DeliveryRow[] = [];
    let after: string | undefined;
    do {
      const page = await h.rpc.call(trackerDeliveriesList, { ...query, after });
      rows.push(...page.deliveries);
      after = page.next ?? undefined;
    } while (after);
    return rows;
  }

  it('counts every figure per channel, in total and per day', async () => {
    const stats = await messageStats();
    expect(stats.channels).toEqual({ email: EXPECTED_EMAIL, sms: EXPECTED_SMS });
    expect(stats.total).toEqual(EXPECTED_TOTAL);
    expect(stats.daily).toEqual([
      { date: '2026-11-20', channel: 'email', ...EXPECTED_EMAIL, unsubscribed: 0 },
      { date: '2026-11-20', channel: 'sms', ...EXPECTED_SMS },
      { date: '2026-11-21', channel: 'email', ...figures({ unsubscribed: 1 }) },
    ]);
  });

  it('counts a campaign across its messages, each contact once', async () => {
    const stats = await h.rpc.call(trackerCampaignStats, { campaignId: 'c1' });
    // alice got message 8 too: one more email sent, the same reach
    expect(stats.channels.email).toEqual({ ...EXPECTED_EMAIL, sent: 4 });
    expect(stats.total).toEqual({ ...EXPECTED_TOTAL, sent: 6 });
    const range = await h.rpc.call(trackerCampaignStats, { campaignId: 'c1', from: '2026-11-21' });
    expect(range.total).toEqual(figures({ unsubscribed: 1 }));
  });

  it('keeps one row per send with its status, reasons and timestamps', async () => {
    const rows = await allRows({ messageId: 7, limit: 2 });
    expect(rows.map((r) => r.sendId)).toEqual(['s-f', 's-e', 's-d', 's-c', 's-b', 's-a']);
    const by = Object.fromEntries(rows.map((r) => [r.sendId, r]));
    expect(by['s-a']).toMatchObject({
      status: 'clicked',
      channel: 'email',
      dispatchId: 'd-a',
      contact: { id: 'alice', email: 'alice@example.com', name: 'Alice Liddell' },
      opens: 2,
      clicks: 1,
      attempts: 1,
      dateAdded: s.at(0),
      routedAt: s.at(0),
      sentAt: s.at(1),
      deliveredAt: s.at(2),
      openedAt: s.at(10),
      clickedAt: s.at(30),
      unsubscribedAt: null,
      campaignId: 'c1',
      shipmentId: 'sh1',
    });
    expect(by['s-b']).toMatchObject({
      status: 'unsubscribed',
      opens: 1,
      clicks: 2,
      unsubscribedAt: s.at(86_400),
      dateModified: s.at(86_400),
    });
    expect(by['s-c']).toMatchObject({
      status: 'bounced',
      bouncedAt: s.at(125),
      contact: { id: 'carol', email: null, name: null },
    });
    expect(by['s-d']).toMatchObject({
      status: 'delivered',
      channel: 'sms',
      contact: { email: 'dave@example.org', name: 'Dave' },
    });
    expect(by['s-e']).toMatchObject({
      status: 'suppressed',
      channel: 'sms',
      dispatchId: null,
      failureReason: 'no_channel',
      deferrals: 1,
      attempts: 0,
      retryAt: null,
      reasons: [
        { channel: 'sms', reason: 'dnc', detail: 'unsubscribed' },
        { channel: 'email', reason: 'dnc', detail: 'unsubscribed' },
      ],
    });
    expect(by['s-f']).toMatchObject({
      status: 'delivered',
      channel: 'sms',
      dispatchId: 'd-f2',
      attempts: 2,
      error: null,
      failedAt: null,
      reasons: [{ channel: 'email', reason: 'excluded' }],
      routedAt: s.at(304),
      sentAt: s.at(305),
    });
  });

  it('filters by status, channel, contact, campaign, time and contact search', async () => {
    const ids = async (q: Record<string, unknown>) => (await allRows(q as never)).map((r) => r.sendId);
    expect(await ids({ messageId: 7, status: 'bounced' })).toEqual(['s-c']);
    expect(await ids({ messageId: 7, channel: 'sms' })).toEqual(['s-f', 's-e', 's-d']);
    expect(await ids({ contactId: 'alice' })).toEqual(['s-a8', 's-a']);
    expect(await ids({ campaignId: 'c1', limit: 3 })).toEqual(['s-a8', 's-f', 's-e', 's-d', 's-c', 's-b', 's-a']);
    expect(await ids({ from: s.at(120), to: s.at(240) })).toEqual(['s-d', 's-c']);
    expect(await ids({ search: 'LIDDELL' })).toEqual(['s-a8', 's-a']);
    expect(await ids({ search: 'dave@' })).toEqual(['s-d']);
    expect(await ids({ search: 'carol' })).toEqual(['s-c']);
    expect(await ids({ search: '100%_' })).toEqual([]);
  });

  it('lists unsubscriptions, one per contact and channel, with search', async () => {
    const bob = {
      contact: { id: 'bob', email: 'bob@example.com', name: 'Bob' },
      channel: 'email',
      messageId: 7,
      campaignId: 'c1',
      sendId: 's-b',
      dateAdded: s.at(86_400),
    };
    expect(await h.rpc.call(trackerUnsubscriptionsList, {})).toEqual({ total: 1, unsubscriptions: [bob] });
    expect(await h.rpc.call(trackerUnsubscriptionsList, { search: 'BOB@' })).toEqual({
      total: 1,
      unsubscriptions: [bob],
    });
    expect(await h.rpc.call(trackerUnsubscriptionsList, { channel: 'sms' })).toEqual({ total: 0, unsubscriptions: [] });
  });

  it('rejects a cursor it did not make', async () => {
    await expect(h.rpc.call(trackerDeliveriesList, { after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'after: Invalid cursor.',
    });
  });

  it('changes nothing when both streams are delivered all over again', async () => {
    const statsBefore = await messageStats();
    const rowsBefore = await allRows({ limit: 500 });
    const countersBefore = await h.db().query('SELECT * FROM tracker.counters ORDER BY 1, 2, 3, 4');
    await h.svc.close();
    await forgetConsumers(h);
    await h.restart();
    await h.idle();
    expect(await consumedCounts(h)).toEqual({ routing: 9, delivery: 19 });
    const [{ n }] = await h.db().query('SELECT count(*)::int AS n FROM tracker.events');
    expect(n).toBe(28);
    expect(await messageStats()).toEqual(statsBefore);
    expect(await allRows({ limit: 500 })).toEqual(rowsBefore);
    expect(await h.db().query('SELECT * FROM tracker.counters ORDER BY 1, 2, 3, 4')).toEqual(countersBefore);
  });

  it('erases a contact: label and id gone from the log, figures unchanged, late events ignored', async () => {
    const statsBefore = await messageStats();
    await h.publisher.publish({
      subject: h.env.names.subjects.contactErased(),
      msgId: 'erase-alice',
      payload: { contactId: 'alice', erasedAt: new Date().toISOString() },
    });
    await h.idle();
    await h.publisher.publish(s.delivery(A, 'email', 'd-a', 'opened', 500));
    await h.publisher.publish(s.dispatch(A, 'email', 'd-a-late', 'alice@example.com', { firstname: 'Alice' }));
    await h.idle();
    expect(await h.rpc.call(trackerDeliveriesList, { contactId: 'alice' })).toEqual({ deliveries: [], next: null });
    expect((await h.rpc.call(trackerDeliveriesList, { search: 'alice' })).deliveries).toEqual([]);
    const [row] = (await h.rpc.call(trackerDeliveriesList, { messageId: 7 })).deliveries.filter(
      (r) => r.sendId === 's-a',
    );
    expect(row.contact).toEqual({ id: expect.stringMatching(/^erased:/), email: null, name: null });
    expect(row.opens).toBe(2);
    expect(await messageStats()).toEqual(statsBefore);
    const leftovers = await h.db().query(
      `SELECT (SELECT count(*) FROM tracker.events WHERE contact_id = 'alice' OR url IS NOT NULL AND send_id = 's-a')::int
            + (SELECT count(*) FROM tracker.firsts WHERE subject = 'alice')::int
            + (SELECT count(*) FROM tracker.contacts WHERE contact_id = 'alice')::int AS n`,
    );
    expect(leftovers).toEqual([{ n: 0 }]);
  });
});
