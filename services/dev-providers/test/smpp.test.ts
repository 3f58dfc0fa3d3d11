import { connect, type SmppPdu, type SmppSession } from 'smpp';
import { SMPP_STATUS, startSmppFake, type SmppFake } from '../src/smpp/smpp-fake';

describe('SMPP fake', () => {
  let fake: SmppFake;
  const sessions: SmppSession[] = [];

  function open(): Promise<SmppSession> {
    return new Promise((resolve, reject) => {
      const session = connect({ host: fake.host, port: fake.port }, () => resolve(session));
      session.on('error', reject);
      sessions.push(session);
    });
  }
  const call = (session: SmppSession, command: 'bind_transceiver' | 'submit_sm', params: Record<string, unknown>) =>
    new Promise<SmppPdu>((resolve) => session[command](params, resolve));
  async function bound(): Promise<SmppSession> {
    const session = await open();
    const resp = await call(session, 'bind_transceiver', { system_id: 'sb', password: 'secret' });
    expect(resp.command_status).toBe(SMPP_STATUS.ESME_ROK);
    return session;
  }

  beforeAll(async () => {
    fake = await startSmppFake({ systemId: 'sb', password: 'secret' });
  });
  afterAll(async () => {
    for (const s of sessions) s.destroy();
    await fake.close();
  });
  beforeEach(() => fake.control.reset());

  it('binds, accepts submit_sm and records the decoded message', async () => {
    const session = await bound();
    const resp = await call(session, 'submit_sm', {
      source_addr: 'Switchbrd',
      destination_addr: '447700900123',
      short_message: 'Hello €uro',
    });
    expect(resp.command_status).toBe(SMPP_STATUS.ESME_ROK);
    expect(resp.message_id).toMatch(/^[0-9a-f]{16}$/);
    expect(fake.messages.at(-1)).toMatchObject({
      messageId: resp.message_id,
      sourceAddr: 'Switchbrd',
      destinationAddr: '447700900123',
      shortMessage: 'Hello €uro',
    });
    const ucs2 = await call(session, 'submit_sm', {
      source_addr: 'Switchbrd',
      destination_addr: '447700900123',
      short_message: 'Cześć 👋',
    });
    expect(ucs2.command_status).toBe(SMPP_STATUS.ESME_ROK);
    expect(fake.messages.at(-1)).toMatchObject({ shortMessage: 'Cześć 👋', dataCoding: 0x08 });
  });

  it('refuses a bind with the wrong password (ESME_RBINDFAIL)', async () => {
    const session = await open();
    const resp = await call(session, 'bind_transceiver', { system_id: 'sb', password: 'nope' });
    expect(resp.command_status).toBe(SMPP_STATUS.ESME_RBINDFAIL);
  });

  it('refuses submit_sm before bind and to an invalid destination', async () => {
    const session = await open();
    expect(
      (await call(session, 'submit_sm', { source_addr: 'x', destination_addr: '447700900123', short_message: 'x' }))
        .command_status,
    ).toBe(SMPP_STATUS.ESME_RINVBNDSTS);
    const boundSession = await bound();
    expect(
      (
        await call(boundSession, 'submit_sm', {
          source_addr: 'x',
          destination_addr: 'not-a-number',
          short_message: 'x',
        })
      ).command_status,
    ).toBe(SMPP_STATUS.ESME_RINVDSTADR);
  });

  it('fails as told: throttled, invalid destination, down', async () => {
    const session = await bound();
    const submit = () =>
      call(session, 'submit_sm', { source_addr: 'x', destination_addr: '447700900123', short_message: 'x' });
    fake.failNext(1, 'transient');
    expect((await submit()).command_status).toBe(SMPP_STATUS.ESME_RTHROTTLED);
    fake.failNext(1, 'permanent');
    expect((await submit()).command_status).toBe(SMPP_STATUS.ESME_RINVDSTADR);
    expect((await submit()).command_status).toBe(SMPP_STATUS.ESME_ROK);

    const closed = new Promise((resolve) => session.once('close', resolve));
    fake.setDown(true);
    await closed; // open binds are cut
    const refused = open().then(
      (s) => new Promise((resolve) => s.once('close', () => resolve('closed'))),
      () => 'error',
    );
    await expect(refused).resolves.toMatch(/closed|error/);
    fake.setDown(false);
    await bound();
  });
});
