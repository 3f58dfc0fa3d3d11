import nodemailer from 'nodemailer';
import { Outbox } from '../src/outbox';
import { startSmtpFake, type SmtpFake } from '../src/smtp/smtp-fake';

describe('SMTP fake', () => {
  let sut: SmtpFake;
  const outbox = new Outbox();
  const auth = { user: 'mailer', pass: 's3cret' };
  const transport = (credentials = auth) =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port: sut.port,
      secure: false,
      ignoreTLS: true,
      auth: credentials,
    });
  const mail = {
    from: '"Switchboard" <news@example.com>',
    to: 'ada@example.org',
    subject: 'Hello Ada ✓',
    text: 'plain text',
    html: '<p>html <b>part</b></p>',
    headers: {
      'List-Unsubscribe': '<https://sb.example/u/tok>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };

  beforeAll(async () => {
    sut = await startSmtpFake({ auth, outbox });
  });
  afterAll(() => sut.close());
  beforeEach(() => {
    outbox.clear();
    sut.control.reset();
  });

  it('accepts and records an authenticated message', async () => {
    const info = await transport().sendMail(mail);
    expect(info.accepted).toEqual(['ada@example.org']);

    const [message] = sut.messages;
    expect(message).toMatchObject({
      from: 'news@example.com',
      to: ['ada@example.org'],
      envelope: { mailFrom: 'news@example.com', rcptTo: ['ada@example.org'] },
      subject: 'Hello Ada ✓',
      text: 'plain text',
      html: '<p>html <b>part</b></p>',
    });
    expect(message.headers['list-unsubscribe']).toBe('<https://sb.example/u/tok>');
    expect(message.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(message.size).toBeGreaterThan(100);
    expect(message.receivedAt).toBeInstanceOf(Date);
    expect(outbox.list('smtp')[0]).toMatchObject({ to: 'ada@example.org', subject: 'Hello Ada ✓' });
  });

  it('records a message of a shape it leaves to mailparser (HTML only: the text is derived from it)', async () => {
    await transport().sendMail({
      from: mail.from,
      to: 'html@example.org',
      subject: 'Only HTML',
      html: '<p>Hi <b>there</b></p>',
    });
    const message = await sut.waitForMessage((m) => m.to.includes('html@example.org'));
    expect(message).toMatchObject({
      subject: 'Only HTML',
      html: expect.stringContaining('<p>Hi <b>there</b></p>'),
      text: 'Hi there',
    });
    expect(outbox.list('smtp')[0]).toMatchObject({ subject: 'Only HTML', body: 'Hi there' });
  });

  it('rejects bad credentials with 535', async () => {
    await expect(transport({ user: 'mailer', pass: 'wrong' }).sendMail(mail)).rejects.toMatchObject({
      code: 'EAUTH',
      responseCode: 535,
    });
    expect(sut.messages).toHaveLength(0);
  });

  it('rejects a syntactically invalid recipient with 553 5.1.3', async () => {
    const err = await transport()
      .sendMail({ ...mail, envelope: { from: 'news@example.com', to: ['ada@exa_mple..org'] } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 553 });
    expect(String((err as Error).message)).toContain('5.1.3');
  });

  it('fails the next messages as told, then recovers', async () => {
    sut.failNext(1, 'transient');
    await expect(transport().sendMail(mail)).rejects.toMatchObject({
      responseCode: 451,
      response: expect.stringContaining('4.3.0'),
    });
    sut.failNext(1, 'permanent');
    await expect(transport().sendMail(mail)).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringContaining('5.1.1'),
    });
    await expect(transport().sendMail(mail)).resolves.toMatchObject({ accepted: ['ada@example.org'] });
    expect(sut.messages).toHaveLength(1);
  });

  it('drops connections while down', async () => {
    sut.setDown(true);
    await expect(transport().sendMail(mail)).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNECTION|ESOCKET/),
    });
    sut.setDown(false);
    await expect(transport().sendMail(mail)).resolves.toBeDefined();
  });

  it('lets a test wait for a message', async () => {
    const waiting = sut.waitForMessage((m) => m.to.includes('bob@example.org'));
    await transport().sendMail({ ...mail, to: 'bob@example.org' });
    await expect(waiting).resolves.toMatchObject({ to: ['bob@example.org'] });
  });
});
