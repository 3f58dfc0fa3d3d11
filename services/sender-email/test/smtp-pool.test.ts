import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { startSmtpFake, type SmtpFake } from '../../dev-providers/src';
import { SmtpPool } from '../src/email/smtp-pool';

describe('SmtpPool against the loopback SMTP server', () => {
  let smtp: SmtpFake;
  let pool: SmtpPool;
  let n = 0;
  const send = () => {
    const to = `pool${++n}@example.org`;
    return pool.send(
      { from: 'news@shop.example', to: [to] },
      `From: news@shop.example\r\nTo: ${to}\r\nSubject: ${n}\r\n\r\n.leading dot\r\n`,
    );
  };

  beforeAll(async () => {
    smtp = await startSmtpFake({ auth: { user: 'mailer', pass: 's3cret' } });
  });
  beforeEach(() => {
    smtp.control.reset();
    pool = new SmtpPool({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      auth: { user: 'mailer', pass: 's3cret' },
      size: 2,
      maxMessages: 5,
      connectionTimeout: 2_000,
      greetingTimeout: 2_000,
      socketTimeout: 5_000,
    });
  });
  afterEach(() => pool.close());
  afterAll(() => smtp.close());

  it('sends over at most `size` authenticated connections, replaced after maxMessages', async () => {
    const connects = jest.spyOn(SMTPConnection.prototype, 'connect');
    const infos = await Promise.all(Array.from({ length: 12 }, send));
    expect(infos.every((i) => i.accepted.length === 1)).toBe(true);
    expect(smtp.messages.at(-1)!.text).toBe('.leading dot\n'); // dot-stuffed on the way
    // 12 messages, 5 per connection, 2 connections at a time: 5 + 5 + 2, or a last one opened early.
    expect(connects.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(connects.mock.calls.length).toBeLessThanOrEqual(4);
    connects.mockRestore();
  });

  it('keeps the connection after a refused message (RSET) and sends the next one', async () => {
    smtp.failNext(1, 'permanent');
    await expect(send()).rejects.toMatchObject({ responseCode: 550 });
    smtp.failNext(1, 'transient');
    await expect(send()).rejects.toMatchObject({ responseCode: 451 });
    await expect(send()).resolves.toMatchObject({ accepted: [`pool${n}@example.org`] });
  });

  it('fails while the server is down (a connection error, no reply code) and reconnects once it is back', async () => {
    await send();
    smtp.setDown(true); // cuts the open connections too
    const error = await send().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/^E/) });
    expect((error as { responseCode?: number }).responseCode).toBeUndefined();
    smtp.setDown(false);
    await expect(send()).resolves.toMatchObject({ accepted: [`pool${n}@example.org`] });
  });

  it('rejects sends after close', async () => {
    pool.close();
    await expect(send()).rejects.toThrow('SMTP pool closed');
  });
});
