import { SenderHarness, senderTestEnv, createTestEnv, startTestService, type TestEnv } from '@switchboard/testing';
import type { RunningService } from '@switchboard/service-kit';
import { startSmppFake, type SmppFake } from '../../dev-providers/src';
import { loadSmsConfig, SERVICE } from '../src/sender-sms.config';
import { createSenderSmsModule } from '../src/sender-sms.module';

describe('sender-sms with SMPP against the loopback SMSC, content from the catalog service (real NATS + PostgreSQL)', () => {
  let env: TestEnv;
  let smsc: SmppFake;
  let h: SenderHarness;
  let svc: RunningService;
  let alert: number;
  let n = 0;
  const number = () => `+4477009${String(10000 + ++n).slice(1)}`;
  const received = (to: string) => smsc.messages.filter((m) => m.destinationAddr === to.slice(1));

  beforeAll(async () => {
    env = await createTestEnv();
    smsc = await startSmppFake({ systemId: 'switchboard', password: 'pw' });
    h = await SenderHarness.start(env, { catalog: 'service' });
    alert = await h.addContent('sms', { message: 'Hi {{ contact.firstname }}, your table is ready.' });
    const config = loadSmsConfig(
      senderTestEnv(env, {
        SMS_PROVIDER: 'smpp',
        SMPP_URL: `smpp://${smsc.host}:${smsc.port}`,
        SMPP_SYSTEM_ID: 'switchboard',
        SMPP_PASSWORD: 'pw',
        SMPP_SOURCE_ADDR: 'Switchbrd',
        SMS_OPT_OUT_TEXT: 'STOP? Reply STOP',
      }),
    );
    svc = await startTestService({ service: SERVICE, module: createSenderSmsModule(config) });
  });

  afterAll(async () => {
    await svc?.close();
    await h?.close();
    await smsc?.close();
    await env?.cleanup();
  });

  beforeEach(() => smsc.control.reset());

  it('binds and submits the text rendered for the contact with the configured opt-out line', async () => {
    const to = number();
    const dispatch = await h.send('sms', alert, { address: to, fields: { firstname: 'Ada' } });
    const event = await h.outcome(dispatch.dispatchId);
    const [sms] = received(to);
    expect(sms).toMatchObject({
      systemId: 'switchboard',
      sourceAddr: 'Switchbrd',
      shortMessage: 'Hi Ada, your table is ready.\nSTOP? Reply STOP',
    });
    expect(event).toMatchObject({
      event: 'sent',
      provider: 'smpp',
      providerMessageId: sms.messageId,
      meta: { segments: 1, encoding: 'GSM-7' },
    });
  });

  it('sends a text longer than one segment in message_payload and reports its segments', async () => {
    const long = await h.addContent('sms', {
      senderId: '+15005550006',
      message: `{{ contact.firstname }}: ${'news '.repeat(50)}reply STOP to end`,
    });
    const to = number();
    const dispatch = await h.send('sms', long, { address: to, fields: { firstname: 'Grace' } });
    const event = await h.outcome(dispatch.dispatchId);
    const [sms] = received(to);
    expect(sms).toMatchObject({
      sourceAddr: '15005550006',
      shortMessage: `Grace: ${'news '.repeat(50)}reply STOP to end`,
    });
    expect(event.meta).toMatchObject({ segments: 2 });
  });

  it('retries a throttled submit (ESME_RTHROTTLED), then sends once', async () => {
    smsc.failNext(2, 'transient');
    const to = number();
    const dispatch = await h.send('sms', alert, { address: to });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({ event: 'sent', meta: { attempts: 3 } });
    expect(received(to)).toHaveLength(1);
  });

  it('fails an invalid destination (ESME_RINVDSTADR) permanently', async () => {
    smsc.failNext(1, 'permanent');
    const to = number();
    const dispatch = await h.send('sms', alert, { address: to });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({
      event: 'failed',
      error: { code: 'smpp_esme_rinvdstadr', permanent: true },
    });
  });

  it('opens the breaker while the SMSC is down, reconnects when it is back, and drains every text', async () => {
    smsc.setDown(true);
    const numbers = Array.from({ length: 6 }, number);
    const dispatches = await Promise.all(numbers.map((to) => h.send('sms', alert, { address: to })));
    expect(await h.heartbeat('sms', 'down')).toMatchObject({ provider: 'smpp' });
    smsc.setDown(false);
    const events = await Promise.all(dispatches.map((d) => h.outcome(d.dispatchId, 20_000)));
    expect(events.map((e) => e.event)).toEqual(Array(6).fill('sent'));
    for (const to of numbers) expect(received(to)).toHaveLength(1);
    await h.heartbeat('sms', 'up');
  });

  it('sends nothing for a redelivered dispatch that was already sent', async () => {
    const to = number();
    const dispatch = await h.send('sms', alert, { address: to });
    await h.outcome(dispatch.dispatchId);
    await h.publish(dispatch, `${dispatch.dispatchId}:redelivered`);
    await h.waitForEvents(dispatch.dispatchId, 2);
    await h.idle();
    expect(received(to)).toHaveLength(1);
  });
});
