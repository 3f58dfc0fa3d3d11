import { Writable } from 'node:stream';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { createTestEnv, type TestEnv } from '@switchboard/testing';
import { startGateway } from './support/gateway-test';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('the first admin without SB_ADMIN_USER/SB_ADMIN_PASSWORD', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('creates "admin" with a random password printed once, and never again', async () => {
    const unset = { SB_ADMIN_USER: '', SB_ADMIN_PASSWORD: '' };
    const first = capturingLogger();
    const ctx = await startGateway({ env, serviceEnv: unset, logger: first.logger });
    try {
      const messages = first.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
      const announced = messages.filter((m) => m.includes('created user "admin" with password'));
      expect(announced).toHaveLength(1);
      const password = /with password (\S+) /.exec(announced[0])![1];
      expect(password.length).toBeGreaterThanOrEqual(16);
      const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
      const self = await ctx.api('GET', '/api/users/self', undefined, { auth });
      expect(self.status).toBe(200);
      expect(self.body.user).toMatchObject({ username: 'admin', isAdmin: true });
      expect((await ctx.api('GET', '/api/users/self')).status).toBe(401); // no default password
    } finally {
      await ctx.close();
    }

    const second = capturingLogger();
    const again = await startGateway({ env, serviceEnv: unset, logger: second.logger });
    try {
      expect(second.lines.some((l) => l.includes('with password'))).toBe(false);
      const [{ count }] = await again.gateway.app
        .get(DataSource)
        .query('SELECT count(*)::int AS count FROM gateway.users');
      expect(count).toBe(1);
    } finally {
      await again.close();
    }
  });
});
