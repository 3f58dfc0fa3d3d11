import { Client } from 'pg';
import { createTestEnv, freePort } from '@switchboard/testing';
import { startGateway } from './support/gateway-test';

/** Sessions open on the env's database: what services that were not closed still hold. */
async function sessionsOn(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

describe('startGateway, when a service fails to start, throws that failure', () => {
  it('not what tearing the env down does to a service still starting beside it', async () => {
    // catalog is still migrating when the missing service fails at once.
    await expect(startGateway({ services: ['catalog', 'no-such-service'] })).rejects.toThrow(
      /services\/no-such-service\/src/,
    );
  });

  it('and closes the services that did start', async () => {
    const env = await createTestEnv();
    try {
      await expect(startGateway({ env, services: ['catalog', 'no-such-service'] })).rejects.toThrow(
        /services\/no-such-service\/src/,
      );
      expect(await sessionsOn(env.databaseUrl)).toBe(0);
    } finally {
      await env.cleanup();
    }
  });

  it('an error Nest meets while it builds the modules, instead of ending the test process', async () => {
    const nowhere = `nats://127.0.0.1:${await freePort()}`;
    await expect(startGateway({ services: ['catalog'], serviceEnv: { NATS_URL: nowhere } })).rejects.toThrow(
      /connection refused/,
    );
  });
});

describe('the context close()', () => {
  it('still closes the services when closing the gateway fails, and reports that failure', async () => {
    const env = await createTestEnv();
    try {
      const ctx = await startGateway({ env, services: ['catalog'] });
      const closeGateway = ctx.gateway.close.bind(ctx.gateway);
      ctx.gateway.close = async () => {
        await closeGateway();
        throw new Error('the gateway did not close');
      };
      await expect(ctx.close()).rejects.toThrow('the gateway did not close');
      expect(await sessionsOn(env.databaseUrl)).toBe(0);
    } finally {
      await env.cleanup();
    }
  });
});
