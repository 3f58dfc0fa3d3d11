import { counterDeltas, firstCandidates } from './counters';
import { fromDeliveryEvent, fromRoutingOutcome, type TrackedEvent } from './tracked-event';

const base = {
  dispatchId: 'd1',
  sendId: 's1',
  messageId: 7,
  contactId: 'c1',
  channel: 'email' as const,
  campaignId: 'camp',
};
const open = (at: string, msgId: string): TrackedEvent =>
  fromDeliveryEvent({ ...base, event: 'opened', occurredAt: at }, msgId);

describe('counters', () => {
  it('counts every open, and the first open of a contact once per message, campaign and all channels', () => {
    const events = [open('2026-11-20T10:00:02Z', 'o2'), open('2026-11-20T10:00:01Z', 'o1')];
    const sut = firstCandidates(events);
    expect(sut.map((f) => [f.messageId, f.scope, f.channel, f.kind, f.subject])).toEqual([
      [7, '', 'email', 'opened', 'c1'],
      [7, '', '*', 'opened', 'c1'],
      [0, 'camp', 'email', 'opened', 'c1'],
      [0, 'camp', '*', 'opened', 'c1'],
    ]);
    const [delta] = counterDeltas(events, sut);
    expect(delta).toEqual({
      messageId: 7,
      campaignKey: 'camp',
      channel: 'email',
      day: '2026-11-20',
      increments: { opened: 2, unique_opened: 1, t_unique_opened: 1, c_unique_opened: 1, ct_unique_opened: 1 },
    });
  });

  it('adds nothing distinct for firsts already recorded', () => {
    const events = [open('2026-11-20T23:59:59-02:00', 'o3')];
    expect(counterDeltas(events, [])).toEqual([
      { messageId: 7, campaignKey: 'camp', channel: 'email', day: '2026-11-21', increments: { opened: 1 } },
    ]);
  });

  it('counts a failed routing on the channel it was headed for', () => {
    const e = fromRoutingOutcome(
      {
        sendId: 's2',
        messageId: 7,
        contactId: 'c2',
        outcome: 'failed',
        candidates: ['sms', 'email'],
        skipped: [{ channel: 'sms', reason: 'dnc' }],
        reason: 'no_channel',
        occurredAt: '2026-11-20T10:00:00Z',
      },
      'm1',
    );
    expect(e).toMatchObject({ key: 'routing.failed:m1', kind: 'suppressed', channel: 'sms', dispatchId: null });
    expect(counterDeltas([e], firstCandidates([e]))).toEqual([
      { messageId: 7, campaignKey: '', channel: 'sms', day: '2026-11-20', increments: { suppressed: 1 } },
    ]);
  });

  it('does not count a re-route that finds no channel as suppressed: the dispatch it follows counts the send', () => {
    const e = fromRoutingOutcome(
      {
        sendId: 's3',
        messageId: 7,
        contactId: 'c3',
        outcome: 'failed',
        attempt: 1,
        candidates: ['email'],
        skipped: [{ channel: 'email', reason: 'excluded' }],
        reason: 'no_channel',
        occurredAt: '2026-11-20T10:00:00Z',
      },
      'm2',
    );
    expect(e).toMatchObject({ kind: 'suppressed', reroute: true });
    expect(counterDeltas([e], firstCandidates([e]))).toEqual([]);
  });
});
