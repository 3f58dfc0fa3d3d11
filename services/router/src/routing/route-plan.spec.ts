import type { RoutableMessage, SendRequested } from '@switchboard/contracts';
import { planRoute as sut, RoutePlanner } from './route-plan';

const now = new Date('2030-01-01T12:00:00Z');
const request: SendRequested = {
  sendId: 's1',
  messageId: 1,
  contactId: 'c1',
  requestedAt: now.toISOString(),
  expiresAt: '2030-01-08T12:00:00Z',
};
const message = (extra: Partial<RoutableMessage> = {}): RoutableMessage => ({
  id: 1,
  isPublished: true,
  publishUp: null,
  publishDown: null,
  version: 1,
  channels: [
    { channel: 'email', channelId: 11, isEnabled: true, contentAvailable: true },
    { channel: 'sms', channelId: 12, isEnabled: true, contentAvailable: false },
    { channel: 'tweet', channelId: 13, isEnabled: false, contentAvailable: true },
    { channel: 'notification', channelId: 14, isEnabled: true, contentAvailable: true },
  ],
  ...extra,
});
const live = new Set(['email', 'sms', 'tweet'] as const);

describe('planRoute', () => {
  it('settles a missing, unpublished, not-yet, ended or expired send as failed', () => {
    expect(sut(request, null, live, now)).toMatchObject({ kind: 'settled', reason: 'not_found' });
    expect(sut(request, message({ isPublished: false }), live, now)).toMatchObject({ reason: 'unpublished' });
    expect(sut(request, message({ publishUp: '2030-01-01T12:00:01Z' }), live, now)).toMatchObject({
      reason: 'unpublished',
    });
    expect(sut(request, message({ publishDown: '2030-01-01T12:00:00Z' }), live, now)).toMatchObject({
      reason: 'unpublished',
    });
    expect(sut({ ...request, expiresAt: now.toISOString() }, message(), live, now)).toMatchObject({
      reason: 'expired',
    });
  });

  it('asks preferences about enabled, live channels, override first, with content availability and exclusions', () => {
    const plan = sut(
      { ...request, channels: ['sms', 'tweet'], excludeChannels: ['email'], attempt: 1, deferrals: 2 },
      message(),
      live,
      now,
    );
    expect(plan).toEqual({
      kind: 'decide',
      contentIds: new Map([['email', 11]]),
      request: {
        sendId: 's1',
        attempt: 1,
        contactId: 'c1',
        channels: ['sms', 'email'],
        contentUnavailable: ['sms'],
        excludeChannels: ['email'],
        deferrals: 2,
        expiresAt: request.expiresAt,
      },
    });
  });

  it('fails with no_channel, naming the channels without a live sender, when none is live', () => {
    expect(sut(request, message(), new Set(), now)).toEqual({
      kind: 'settled',
      reason: 'no_channel',
      candidates: [],
      skipped: [
        { channel: 'email', reason: 'unavailable', detail: 'no deployed sender' },
        { channel: 'sms', reason: 'unavailable', detail: 'no deployed sender' },
        { channel: 'notification', reason: 'unavailable', detail: 'no deployed sender' },
      ],
    });
  });
});

describe('RoutePlanner', () => {
  it('plans the requests of a round as each would be planned alone', () => {
    const messages = [message(), message({ id: 2, isPublished: false }), null];
    const requests: SendRequested[] = [
      request,
      { ...request, sendId: 's2', channels: ['sms', 'tweet'], excludeChannels: ['email'], attempt: 1 },
      { ...request, sendId: 's3', channels: ['notification'] },
      { ...request, sendId: 's4', expiresAt: now.toISOString() },
      { ...request, sendId: 's5', deferrals: 2 },
      { ...request, sendId: 's6', channels: ['sms', 'tweet'] },
    ];
    for (const available of [live, new Set<never>()]) {
      const planner = new RoutePlanner(available, now);
      for (const m of messages)
        for (const req of requests) expect(planner.plan(req, m)).toEqual(sut(req, m, available, now));
    }
  });
});
