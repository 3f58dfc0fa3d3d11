import { packDecisionRequests, packDecisions, unpackDecisionRequests, unpackDecisions } from './decide-wire';
import { preferencesDecide, type Decision, type DecisionRequest } from './preferences.rpc';

const expiresAt = '2026-12-08T12:00:00.000Z';
const email: DecisionRequest['channels'] = ['email', 'sms'];

function request(sendId: string, extra: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    sendId,
    attempt: 0,
    contactId: `c-${sendId}`,
    channels: email,
    contentUnavailable: [],
    excludeChannels: [],
    deferrals: 0,
    expiresAt,
    ...extra,
  };
}

describe('decide requests on the wire', () => {
  it('send what the requests share once and each request only where it differs', () => {
    const requests = [
      request('s1'),
      // Equal lists that are not the same array are still shared.
      request('s2', { channels: ['email', 'sms'], excludeChannels: [] }),
      request('s3', {
        attempt: 2,
        channels: ['sms'],
        contentUnavailable: ['sms'],
        excludeChannels: ['email'],
        deferrals: 1,
        expiresAt: '2026-12-09T00:00:00.000Z',
      }),
    ];
    const sut = packDecisionRequests(requests);
    expect(sut).toEqual({
      shared: { attempt: 0, channels: email, contentUnavailable: [], excludeChannels: [], deferrals: 0, expiresAt },
      requests: [
        { sendId: 's1', contactId: 'c-s1' },
        { sendId: 's2', contactId: 'c-s2' },
        {
          sendId: 's3',
          contactId: 'c-s3',
          attempt: 2,
          channels: ['sms'],
          contentUnavailable: ['sms'],
          excludeChannels: ['email'],
          deferrals: 1,
          expiresAt: '2026-12-09T00:00:00.000Z',
        },
      ],
    });
    // What preferences receives (through JSON and the contract's schema) unpacks to the same requests.
    const received = preferencesDecide.request.parse(JSON.parse(JSON.stringify(sut)));
    expect(unpackDecisionRequests(received)).toEqual(requests);
  });

  it('take a request whose values differ from the first one whole, field by field', () => {
    const requests = [request('a', { channels: ['tweet'] }), request('b'), request('c', { deferrals: 3 })];
    const received = preferencesDecide.request.parse(JSON.parse(JSON.stringify(packDecisionRequests(requests))));
    expect(received.requests[1]).toEqual({ sendId: 'b', contactId: 'c-b', channels: email });
    expect(received.requests[2]).toEqual({ sendId: 'c', contactId: 'c-c', channels: email, deferrals: 3 });
    expect(unpackDecisionRequests(received)).toEqual(requests);
  });

  it('refuse a call without the shared fields or with a request that lacks its send or contact', () => {
    const call = JSON.parse(JSON.stringify(packDecisionRequests([request('s1')])));
    expect(preferencesDecide.request.safeParse(call).success).toBe(true);
    expect(preferencesDecide.request.safeParse({ requests: call.requests }).success).toBe(false);
    expect(preferencesDecide.request.safeParse({ ...call, requests: [{ sendId: 's1' }] }).success).toBe(false);
    expect(preferencesDecide.request.safeParse({ ...call, requests: [{ contactId: 'c1' }] }).success).toBe(false);
    expect(preferencesDecide.request.safeParse({ ...call, requests: [] }).success).toBe(false);
  });

  it('answer each request at its position, without what the request already says', () => {
    const requests = [request('s1'), request('s2'), request('s3'), request('s4', { channels: ['sms'] })];
    const contact = { id: 'c-s1', address: 'a@example.org', locale: null, timezone: null, fields: { firstname: 'A' } };
    const decisions: Decision[] = [
      { sendId: 's1', outcome: 'routed', candidates: ['email', 'sms'], skipped: [], channel: 'email', contact },
      // The contact's preferred channel moved to the front: the candidates are not the request's channels.
      {
        sendId: 's2',
        outcome: 'deferred',
        candidates: ['sms', 'email'],
        skipped: [
          { channel: 'sms', reason: 'quiet_hours' },
          { channel: 'email', reason: 'frequency' },
        ],
        retryAt: '2026-12-07T20:00:00.000Z',
      },
      { sendId: 's3', outcome: 'failed', candidates: ['email', 'sms'], skipped: [], reason: 'no_channel' },
      {
        sendId: 's4',
        outcome: 'failed',
        candidates: ['sms'],
        skipped: [{ channel: 'sms', reason: 'dnc' }],
        reason: 'no_channel',
      },
    ];
    const sut = packDecisions(requests, decisions);
    expect(sut).toEqual([
      { outcome: 'routed', channel: 'email', contact },
      {
        outcome: 'deferred',
        candidates: ['sms', 'email'],
        skipped: decisions[1].skipped,
        retryAt: decisions[1].retryAt,
      },
      { outcome: 'failed', reason: 'no_channel' },
      { outcome: 'failed', skipped: [{ channel: 'sms', reason: 'dnc' }], reason: 'no_channel' },
    ]);
    const received = preferencesDecide.response.parse(JSON.parse(JSON.stringify({ decisions: sut })));
    expect(unpackDecisions(requests, received.decisions)).toEqual(decisions);
  });

  it('refuse a reply with more or fewer decisions than requests', () => {
    const requests = [request('s1'), request('s2')];
    expect(() => unpackDecisions(requests, [{ outcome: 'failed', reason: 'no_channel' }])).toThrow(
      'preferences answered 2 decide requests with 1 decisions',
    );
  });
});
