import { packDecisionRequests, unpackDecisionRequests } from './decide-requests';
import { preferencesDecide, type DecisionRequest } from './preferences.rpc';

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
});
