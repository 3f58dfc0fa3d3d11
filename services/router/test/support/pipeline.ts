import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Channel } from '@switchboard/contracts';
import { EventPublisher, RpcClient } from '@switchboard/messaging';
import { announceChannel, type TestEnv } from '@switchboard/testing';

export { freePort, startNamedService } from '@switchboard/testing';

/** A client side of the environment: a connection, a publisher and an RPC client. */
export interface Client {
  nc: NatsConnection;
  publisher: EventPublisher;
  rpc: RpcClient;
}

export async function connectClient(env: TestEnv): Promise<Client> {
  const nc = await connect({ servers: env.natsUrl });
  return { nc, publisher: new EventPublisher(nc), rpc: new RpcClient(nc, env.names, 10_000) };
}

/** Announces deployed, live senders for `channels` as senders do (DESIGN §2, §5), beating every `everyMs`. */
export function announceChannels(client: Client, env: TestEnv, channels: Channel[], everyMs = 1_000): { stop(): void } {
  for (const channel of channels) announceChannel(client.nc, env.names, channel, 'deployed');
  const beat = () => {
    for (const channel of channels) {
      client.nc.publish(
        env.names.subjects.channelHeartbeat(),
        JSON.stringify({
          channel,
          instanceId: `test-${channel}`,
          provider: 'test',
          status: 'up',
          sentAt: new Date().toISOString(),
        }),
      );
    }
  };
  beat();
  const timer = setInterval(beat, everyMs);
  return { stop: () => clearInterval(timer) };
}
