import { NatsNames } from '@switchboard/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { ChannelHeartbeats } from './channel-heartbeats';

describe('ChannelHeartbeats', () => {
  const sut = () => new ChannelHeartbeats({} as NatsConnection, new NatsNames('sb'));
  const beat = (channel: 'email' | 'sms', instanceId: string, status: 'up' | 'degraded' | 'down' = 'up') => ({
    channel,
    instanceId,
    provider: `${channel}-p`,
    status,
  });

  it('counts an instance live until its last beat is older than 15 s', () => {
    const registry = sut();
    registry.record(beat('email', 'a'), 0);
    expect([...registry.live(15_000)]).toEqual(['email']);
    expect([...registry.live(15_001)]).toEqual([]);
  });

  it('reports instances, the best status and the latest provider per channel', () => {
    const registry = sut();
    registry.record(beat('email', 'a', 'down'), 0);
    registry.record(beat('email', 'b', 'degraded'), 10);
    const email = registry.statuses(20).find((s) => s.channel === 'email');
    expect(email).toEqual({ channel: 'email', available: true, provider: 'email-p', status: 'degraded', instances: 2 });
    expect(registry.statuses(20).find((s) => s.channel === 'sms')).toEqual({
      channel: 'sms',
      available: false,
      provider: null,
      status: null,
      instances: 0,
    });
  });
});
