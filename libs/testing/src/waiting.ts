import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsNames } from '@switchboard/contracts';

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
  throw new Error(
    `${options.message ?? 'condition not met'} within ${options.timeoutMs ?? 15_000} ms${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

/**
 * Waits until every durable consumer of the env's streams has nothing pending and nothing
 * unacknowledged, twice in a row (so work that publishes more work is seen through).
 */
export async function waitUntilConsumersIdle(nc: NatsConnection, names: NatsNames, timeoutMs = 20_000): Promise<void> {
  const jsm = await jetstreamManager(nc);
  let idleRounds = 0;
  await waitFor(
    async () => {
      let busy = false;
      for (const stream of names.streams()) {
        try {
          for await (const c of jsm.consumers.list(stream.name)) {
            if (c.num_pending > 0 || c.num_ack_pending > 0) busy = true;
          }
        } catch {
          // stream not created yet
        }
      }
      idleRounds = busy ? 0 : idleRounds + 1;
      return idleRounds >= 2;
    },
    { timeoutMs, intervalMs: 50, message: 'consumers did not become idle' },
  );
}
