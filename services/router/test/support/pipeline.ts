import { createServer } from 'node:net';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Channel } from '@switchboard/contracts';
import { EventPublisher, RpcClient } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import { childEnv, REPO_ROOT, startTestService, type TestEnv } from '@switchboard/testing';

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

/**
 * Starts services/<name> in-process, as its main.ts would (by the naming convention
 * `load<Name>Config(env)` + `create<Name>Module(config)` or `<Name>Module.forRoot(config)`),
 * loaded by path so that no service imports another.
 */
export async function startNamedService(name: string, env: TestEnv, extraEnv: Record<string, string> = {}): Promise<RunningService> {
  const src = join(REPO_ROOT, 'services', name, 'src');
  const configModule = (await import(join(src, `${name}.config`))) as Record<string, (e: NodeJS.ProcessEnv) => unknown>;
  const rootModule = (await import(join(src, `${name}.module`))) as Record<string, unknown>;
  const load = configModule[`load${pascal(name)}Config`];
  const config = load(childEnv(env, { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...extraEnv }));
  const create = rootModule[`create${pascal(name)}Module`] as ((c: unknown) => unknown) | undefined;
  const root = rootModule[`${pascal(name)}Module`] as { forRoot?: (c: unknown) => unknown } | undefined;
  const module = create ? create(config) : root?.forRoot?.(config);
  if (!module) throw new Error(`services/${name} has no create${pascal(name)}Module or ${pascal(name)}Module.forRoot`);
  return startTestService({ service: name, module });
}

/** A client side of the environment: a connection, a publisher and an RPC client. */
export interface Client {
  nc: NatsConnection;
  publisher: EventPublisher;
  rpc: RpcClient;
}

export async function connectClient(env: TestEnv): Promise<Client> {
  const nc = await connect({ servers: env.natsUrl });
  return { nc, publisher: new EventPublisher(jetstream(nc)), rpc: new RpcClient(nc, env.names, 10_000) };
}

/** Announces live senders for `channels` as senders do (DESIGN §5), every `everyMs`. */
export function announceChannels(client: Client, env: TestEnv, channels: Channel[], everyMs = 1_000): { stop(): void } {
  const beat = () => {
    for (const channel of channels) {
      client.nc.publish(
        env.names.subjects.channelHeartbeat(),
        JSON.stringify({ channel, instanceId: `test-${channel}`, provider: 'test', status: 'up', sentAt: new Date().toISOString() }),
      );
    }
  };
  beat();
  const timer = setInterval(beat, everyMs);
  return { stop: () => clearInterval(timer) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
