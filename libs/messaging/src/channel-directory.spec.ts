import type { NatsConnection } from '@nats-io/transport-node';
import { NatsNames } from '@switchboard/contracts';
import { ChannelDirectory } from './channel-directory';

describe('ChannelDirectory', () => {
  const HOUR = 3_600_000;
  const sut = () => new ChannelDirectory({} as NatsConnection, new NatsNames('sb'), 24 * HOUR);
  const at = (ms: number) => new Date(ms).toISOString();
  const announce = (state: 'deployed' | 'removed', ms: number, channel: 'email' | 'sms' = 'email') => ({
    channel,
    state,
    instanceId: 'i',
    provider: 'p',
    announcedAt: at(ms),
  });

  it('keeps a channel available while deployed, whether or not a sender is up, until CHANNEL_GONE_AFTER of silence', () => {
    const directory = sut();
    expect(directory.deployment('email', 0)).toMatchObject({ available: false, reason: 'never announced' });
    directory.take(announce('deployed', 0));
    expect([...directory.available(24 * HOUR)]).toEqual(['email']);
    expect(directory.deployment('email', 24 * HOUR + 1)).toMatchObject({ available: false, reason: 'silent' });
  });

  it('drops a removed channel at once, and takes it back when a sender announces itself later', () => {
    const directory = sut();
    directory.take(announce('deployed', 0));
    directory.take(announce('removed', 1_000));
    expect(directory.deployment('email', 2_000)).toMatchObject({ available: false, reason: 'removed' });
    directory.take(announce('deployed', 500)); // older than the removal: ignored
    expect(directory.deployment('email', 2_000).available).toBe(false);
    directory.take(announce('deployed', 3_000));
    expect(directory.deployment('email', 4_000).available).toBe(true);
  });

  it('ignores what is not an announcement', () => {
    const directory = sut();
    directory.take({ channel: 'fax', state: 'deployed' });
    directory.take(null);
    expect(directory.available(0).size).toBe(0);
  });
});
