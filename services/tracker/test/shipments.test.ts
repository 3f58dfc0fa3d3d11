import { trackerDeliveriesList, trackerShipmentStats } from '@switchboard/contracts';
import { Script, startTracker, type Harness } from './support/tracker-harness';

/** A broadcast shipment's figures and its page of the deliveries log. */
describe('tracker: shipments', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startTracker();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('counts each shipment from its sends and filters the deliveries log by shipment', async () => {
    const s = new Script(h.env.names);
    const send = (n: number, shipmentId: string) => ({
      sendId: `${shipmentId}-s${n}`,
      contactId: `k${n}`,
      messageId: 8,
      campaignId: '3',
      shipmentId,
    });
    const [a1, a2, a3, b1] = [send(1, '3-1'), send(2, '3-1'), send(3, '3-1'), send(1, '3-2')];
    await h.publisher.publishAll([
      s.routed(a1, 'email', 'da1', 1),
      s.delivery(a1, 'email', 'da1', 'sent', 2),
      s.delivery(a1, 'email', 'da1', 'opened', 3),
      s.delivery(a1, 'email', 'da1', 'opened', 4),
      s.routed(a2, 'email', 'da2', 1),
      s.delivery(a2, 'email', 'da2', 'sent', 2),
      s.suppressed(a3, 1, ['email']),
      s.routed(b1, 'sms', 'db1', 1),
      s.delivery(b1, 'sms', 'db1', 'sent', 2),
    ]);
    await h.idle();
    const { shipments } = await h.rpc.call(trackerShipmentStats, { shipmentIds: ['3-1', '3-2', 'nothing'] });
    const [one, two, none] = shipments;
    expect(one.shipmentId).toBe('3-1');
    expect(one.total).toMatchObject({ sent: 2, reach: 2, opened: 2, uniqueOpened: 1, suppressed: 1, shipments: 1 });
    expect(one.channels.email).toMatchObject({ sent: 2, opened: 2 });
    expect(two.total).toMatchObject({ sent: 1, suppressed: 0 });
    expect(two.channels.sms?.sent).toBe(1);
    expect(none.total.sent).toBe(0);
    const page = await h.rpc.call(trackerDeliveriesList, { shipmentId: '3-1', limit: 50 });
    expect(page.deliveries.map((d) => d.sendId).sort()).toEqual([a1.sendId, a2.sendId, a3.sendId].sort());
    expect(page.deliveries.every((d) => d.shipmentId === '3-1' && d.campaignId === '3')).toBe(true);
  });
});
