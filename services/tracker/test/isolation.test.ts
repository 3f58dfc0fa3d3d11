import { trackerMessageStats } from '@switchboard/contracts';
import { SubjectRecorder } from '@switchboard/testing';
import { Script, startTracker, type Harness } from './support/tracker-harness';

describe('tracker: an event the database rejects', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startTracker({}, { maxDeliver: 2 });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('goes to the dead-letter subject alone; the rest of its batch is recorded', async () => {
    const dlq = new SubjectRecorder<{ subject: string; payload: string; error: string }>(h.nc, [
      h.env.names.subjects.dlq('tracker'),
    ]);
    const s = new Script(h.env.names);
    const good = (n: number) => ({ sendId: `ok-${n}`, contactId: `c${n}`, messageId: 5 });
    // Valid by the contract (a positive integer), but beyond the tracker's integer column.
    const poison = { sendId: 'bad', contactId: 'c-bad', messageId: 3_000_000_000 };
    await h.publisher.publishAll([
      s.delivery(good(1), 'email', 'd1', 'sent', 1),
      s.delivery(poison, 'email', 'd-bad', 'sent', 1),
      s.delivery(good(2), 'email', 'd2', 'sent', 2),
    ]);
    const [letter] = await dlq.waitForCount(1);
    expect(JSON.parse(letter.data.payload)).toMatchObject({ sendId: 'bad' });
    expect(letter.data.error).toMatch(/out of range/);
    await h.idle();
    expect((await h.rpc.call(trackerMessageStats, { messageId: 5 })).total.sent).toBe(2);
    dlq.stop();
  });

  it('records a batch of routing outcomes item by item, and a single repeat of one of its items once', async () => {
    const dlq = new SubjectRecorder<{ payload: string; error: string }>(h.nc, [h.env.names.subjects.dlq('tracker')]);
    const s = new Script(h.env.names);
    const good = (n: number) => ({ sendId: `b-ok-${n}`, contactId: `bc${n}`, messageId: 6 });
    const poison = { sendId: 'b-bad', contactId: 'bc-bad', messageId: 3_000_000_000 };
    const events = [
      s.deferred(good(1), 1, ['email']),
      s.deferred(poison, 1, ['email']),
      s.deferred(good(2), 2, ['email']),
    ];
    const batch = { ...events[0], msgId: 'routing-batch-1', payload: { outcomes: events.map((e) => e.payload) } };
    await h.publisher.publishAll([batch, events[2]]);
    const [letter] = await dlq.waitForCount(1);
    expect(JSON.parse(letter.data.payload)).toMatchObject({ sendId: 'b-bad' });
    await h.idle();
    expect((await h.rpc.call(trackerMessageStats, { messageId: 6 })).total.deferred).toBe(2);
    expect(dlq.messages).toHaveLength(1);
    dlq.stop();
  });
});
