import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { connect } from 'smpp';
import { startDevProviders, type DevProviders, type OutboxEntry } from '../src';

describe('startDevProviders: outbox and control API', () => {
  let dev: DevProviders;
  const mailer = () =>
    nodemailer.createTransport({ host: dev.smtp.host, port: dev.smtp.port, secure: false, ignoreTLS: true });
  const post = (path: string, body: unknown) =>
    fetch(`${dev.httpBaseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const sms = () =>
    fetch(`${dev.httpBaseUrl}/2010-04-01/Accounts/${dev.twilio.config.accountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${dev.twilio.config.accountSid}:${dev.twilio.config.authToken}`).toString('base64')}`,
      },
      body: new URLSearchParams({ To: '+14155550100', From: '+14155550199', Body: 'sms body' }),
    });

  beforeAll(async () => {
    dev = await startDevProviders();
  });
  afterAll(() => dev.close());
  beforeEach(() => {
    dev.outbox.clear();
    dev.control.reset();
  });

  it('serves /health', async () => {
    expect((await fetch(`${dev.httpBaseUrl}/health`)).status).toBe(200);
  });

  it('lists what every fake received, newest first, as JSON and HTML, and clears it', async () => {
    await mailer().sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: '<script>alert(1)</script>',
      text: 'hi',
      html: '<p>hi</p>',
    });
    expect((await sms()).status).toBe(201);

    const json = (await (await fetch(`${dev.httpBaseUrl}/dev/outbox.json`)).json()) as {
      total: number;
      entries: OutboxEntry[];
    };
    expect(json.total).toBe(2);
    expect(json.entries.map((e) => e.provider)).toEqual(['twilio', 'smtp']);

    const page = await fetch(`${dev.httpBaseUrl}/dev/outbox`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html.indexOf('sms body')).toBeLessThan(html.indexOf('b@example.com'));

    expect((await fetch(`${dev.httpBaseUrl}/dev/outbox`, { method: 'DELETE' })).status).toBe(204);
    expect(dev.outbox.list()).toHaveLength(0);
    expect(dev.smtp.messages).toHaveLength(0);
    expect(dev.twilio.messages).toHaveLength(0);
  });

  it('counts what each fake accepted per recipient, beyond what the list keeps, until cleared', async () => {
    await mailer().sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 's', text: 'hi' });
    await mailer().sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 's', text: 'again' });
    expect((await sms()).status).toBe(201);
    const tally = async (query = '') => (await fetch(`${dev.httpBaseUrl}/dev/outbox/tally.json${query}`)).json();
    expect(await tally()).toEqual({ accepted: { smtp: 2, twilio: 1 }, distinct: { smtp: 1, twilio: 1 } });
    expect(await tally('?recipients=true')).toEqual({
      accepted: { smtp: 2, twilio: 1 },
      distinct: { smtp: 1, twilio: 1 },
      recipients: { smtp: { 'b@example.com': 2 }, twilio: { '+14155550100': 1 } },
    });
    await fetch(`${dev.httpBaseUrl}/dev/outbox`, { method: 'DELETE' });
    expect(await tally()).toEqual({ accepted: {}, distinct: {} });
  });

  it('lets another process make a provider fail', async () => {
    const res = await post('/dev/control', { provider: 'smtp', failNext: 1, mode: 'permanent' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      provider: 'smtp',
      pendingFailures: 1,
      mode: 'permanent',
      down: false,
      pendingFeedback: 0,
      feedback: null,
    });
    await expect(mailer().sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'x' })).rejects.toMatchObject({
      responseCode: 550,
    });

    await post('/dev/control', { provider: 'twilio', failNext: 1 });
    expect((await sms()).status).toBe(503);

    await post('/dev/control', { provider: 'smpp', down: true });
    const closed = await new Promise<string>((resolve) => {
      const session = connect({ host: dev.smpp.host, port: dev.smpp.port });
      session.on('error', () => resolve('error'));
      session.on('close', () => resolve('closed'));
    });
    expect(closed).toMatch(/closed|error/);
    await post('/dev/control', { provider: 'smpp', down: false });
    expect(dev.control.controls.get('smpp').down).toBe(false);
  });

  it('rejects a bad control command with 400', async () => {
    expect((await post('/dev/control', { provider: 'pigeon', failNext: 1 })).status).toBe(400);
    expect((await post('/dev/control', { provider: 'x', failNext: -1 })).status).toBe(400);
    expect((await post('/dev/control', { provider: 'x', mode: 'sometimes', failNext: 1 })).status).toBe(400);
    expect((await post('/dev/control', { provider: 'smtp', feedbackNext: 1, feedback: 'maybe' })).status).toBe(400);
    expect((await post('/dev/control', { provider: 'twilio', feedbackNext: 1, feedback: 'complaint' })).status).toBe(
      400,
    );
    // Push services only ever say a subscription or device is gone.
    expect((await post('/dev/control', { provider: 'webpush', feedbackNext: 1, feedback: 'delivered' })).status).toBe(
      400,
    );
    expect((await post('/dev/control', { provider: 'fcm', feedbackNext: 1, feedback: 'hard_bounce' })).status).toBe(
      200,
    );
    await post('/dev/control', { provider: 'fcm', feedbackNext: 0, feedback: 'hard_bounce' });
  });

  it('queues feedback for the next accepted messages', async () => {
    const res = await post('/dev/control', { provider: 'smtp', feedbackNext: 2, feedback: 'hard_bounce' });
    expect(await res.json()).toMatchObject({ pendingFeedback: 2, feedback: 'hard_bounce' });
    await mailer().sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'x' });
    expect(dev.control.controls.get('smtp').state()).toMatchObject({ pendingFeedback: 1 });
    // No report relay is configured here: the report is recorded as not sent.
    await new Promise((r) => setTimeout(r, 50));
    expect(dev.smtp.reports).toEqual([expect.objectContaining({ kind: 'hard_bounce', error: expect.any(String) })]);
  });
});

describe('main.ts', () => {
  it('starts every listener, writes its state, serves /health and exits cleanly on SIGTERM', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'dev-providers-'));
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: join(__dirname, '..'),
      env: {
        ...process.env,
        DEV_SMTP_PORT: '0',
        DEV_HTTP_PORT: '0',
        DEV_WEBPUSH_PORT: '0',
        DEV_SMPP_PORT: '0',
        DEV_PROVIDERS_STATE_DIR: stateDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('state written')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited early (${code}): ${output}`)));
      });
      expect(output.match(/"msg":"listening"/g)).toHaveLength(4);
      const state = JSON.parse(readFileSync(join(stateDir, 'providers.json'), 'utf8')) as { httpBaseUrl: string };
      const serviceAccount = JSON.parse(readFileSync(join(stateDir, 'fcm-service-account.json'), 'utf8')) as {
        token_uri: string;
      };
      expect(serviceAccount.token_uri).toBe(`${state.httpBaseUrl}/token`);
      expect(readFileSync(join(stateDir, 'webpush-ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
      expect((await fetch(`${state.httpBaseUrl}/health`)).status).toBe(200);

      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
