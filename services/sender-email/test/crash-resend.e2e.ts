import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import {
  SenderHarness,
  senderTestEnv,
  createTestEnv,
  freePort,
  spawnService,
  waitFor,
  type ChildService,
  type TestEnv,
} from '@switchboard/testing';

const DISPATCHES = 60;
/** The SMTP server answers this many messages, then holds every further one unanswered. */
const ANSWERED = 20;

/**
 * DESIGN §5 "Delivery guarantees", bounded: sender-email (its own process) is SIGKILLed while
 * some provider calls of a batch have returned and others hang. After a restart, only calls that
 * were in flight at the kill are made again (never the batch's finished ones), and the attempts
 * table names every dispatch that may have been sent twice.
 */
describe('sender-email killed mid-batch', () => {
  let env: TestEnv;
  let h: SenderHarness;
  let sender: ChildService | undefined;
  let smtp: SMTPServer;
  let hold = true;
  const received: string[] = [];

  const spawnSender = async () => {
    const vars = senderTestEnv(env, {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
      SMTP_POOL_SIZE: '5',
      SENDER_BATCH_SIZE: '32',
      SENDER_CONCURRENCY: '1',
      // The claim of a call that never returned expires after 2 × this + 10 s; long enough that
      // the held calls do not time out (and retry, a duplicate of another kind) before the kill.
      SENDER_PROVIDER_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'error',
    });
    delete vars.HEALTH_PORT; // spawnService picks the port it waits on
    return spawnService(
      env,
      'sender-email',
      Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => typeof e[1] === 'string')),
      await freePort(),
    );
  };

  beforeAll(async () => {
    env = await createTestEnv();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo.map((r) => r.address).join());
          // Held: the provider has the message, the sender never hears back.
          if (!hold || received.length <= ANSWERED) done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    h = await SenderHarness.start(env);
  }, 60_000);

  afterAll(async () => {
    await sender?.kill('SIGTERM');
    await h?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await env?.cleanup();
  });

  it('repeats at most the calls in flight at the crash, and records which', async () => {
    const content = await h.addContent('email', { subject: 'Hi', customHtml: '<p>Hi</p>' });
    const dispatches = Array.from({ length: DISPATCHES }, (_, i) =>
      h.dispatch('email', content, { id: `c${i}`, address: `c${i}@example.com` }),
    );
    sender = await spawnSender();
    await h.publishBatch('email', dispatches, 'the-batch');

    await waitFor(() => received.length >= ANSWERED + 5, { timeoutMs: 30_000, message: 'the calls did not hang' });
    await new Promise((r) => setTimeout(r, 300)); // the answered calls' records are written
    await sender.kill('SIGKILL');
    const reachedBeforeKill = new Set(received);
    hold = false;

    sender = await spawnSender();
    await waitFor(() => new Set(received).size === DISPATCHES, {
      timeoutMs: 90_000,
      intervalMs: 200,
      message: 'not every dispatch reached the SMTP server after the restart',
    });
    await h.idle(60_000);

    const counts = new Map<string, number>();
    for (const to of received) counts.set(to, (counts.get(to) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([to]) => to);
    // Only messages whose call hung at the kill went twice: SMTP_POOL_SIZE connections at most.
    expect(twice.length).toBeLessThanOrEqual(5);
    expect(twice.every((to) => reachedBeforeKill.has(to))).toBe(true);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    const answeredBeforeKill = received.slice(0, ANSWERED);
    expect(answeredBeforeKill.every((to) => counts.get(to) === 1)).toBe(true);

    const pg = new PgClient({ connectionString: env.databaseUrl });
    await pg.connect();
    const rows = (
      await pg.query<{ contact_id: string; status: string; crash_resends: number }>(
        'SELECT contact_id, status, crash_resends FROM sender_email.dispatch_attempts',
      )
    ).rows;
    await pg.end();
    expect(rows).toHaveLength(DISPATCHES);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const flagged = new Set(rows.filter((r) => r.crash_resends > 0).map((r) => `${r.contact_id}@example.com`));
    // Every duplicate is flagged. Flagged are the calls claimed and unrecorded at the kill (sent
    // twice, or queued in the SMTP pool and maybe not): never one whose answer was recorded.
    expect(twice.every((to) => flagged.has(to))).toBe(true);
    expect(answeredBeforeKill.some((to) => flagged.has(to))).toBe(false);
    expect(flagged.size).toBeLessThanOrEqual(DISPATCHES - ANSWERED);
    process.stdout.write(
      `reached the SMTP server before the kill: ${reachedBeforeKill.size}; sent twice: ${twice.length}; flagged resent after crash: ${flagged.size}\n`,
    );
    for (const d of dispatches.filter((x) => flagged.has(x.contact.address as string))) {
      expect(h.eventsOf(d.dispatchId, 'sent').at(-1)?.meta).toMatchObject({ resentAfterCrash: 1 });
    }
  }, 180_000);
});
