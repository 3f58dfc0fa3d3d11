import { DomainError, ErrorCode, senderTestSend, trackerShortLinksSave, type ShortLink } from '@switchboard/contracts';
import {
  SenderHarness,
  senderTestEnv,
  createTestEnv,
  startTestService,
  waitFor,
  type TestEnv,
} from '@switchboard/testing';
import type { RunningService } from '@switchboard/service-kit';
import { DEFAULT_TWILIO, startHttpFake, type HttpFake } from '../../dev-providers/src';
import { loadSmsConfig, SERVICE } from '../src/sender-sms.config';
import { createSenderSmsModule } from '../src/sender-sms.module';

describe('sender-sms with Twilio against the loopback Twilio API, content from the catalog service (real NATS + PostgreSQL)', () => {
  let env: TestEnv;
  let fake: HttpFake;
  let h: SenderHarness;
  let svc: RunningService;
  let reminder: number;
  let n = 0;
  const number = () => `+1415555${String(1000 + ++n).padStart(4, '0')}`;
  const received = (to: string) => fake.twilio.messages.filter((m) => m.to === to);

  beforeAll(async () => {
    env = await createTestEnv();
    fake = await startHttpFake();
    h = await SenderHarness.start(env, { catalog: 'service' });
    reminder = await h.addContent('sms', {
      message: 'Hi {{ contact.firstname | default: "there" }}, your order {{ contact.order }} ships today.',
    });
    const config = loadSmsConfig(
      senderTestEnv(env, {
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: fake.baseUrl,
        TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
        TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
        TWILIO_FROM: '+15005550006',
      }),
    );
    svc = await startTestService({ service: SERVICE, module: createSenderSmsModule(config) });
  });

  afterAll(async () => {
    await svc?.close();
    await h?.close();
    await fake?.close();
    await env?.cleanup();
  });

  beforeEach(() => fake.controls.reset());

  it('sends the text rendered for the contact with the opt-out line, and reports Twilio’s sid and segments', async () => {
    const to = number();
    const dispatch = await h.send('sms', reminder, { address: to, fields: { firstname: 'Ada', order: '#1042' } });
    const event = await h.outcome(dispatch.dispatchId);
    const [sms] = received(to);
    expect(sms).toMatchObject({
      from: '+15005550006',
      body: 'Hi Ada, your order #1042 ships today.\nReply STOP to opt out',
      numSegments: 1,
    });
    expect(event).toMatchObject({
      event: 'sent',
      provider: 'twilio',
      providerMessageId: sms.sid,
      meta: { segments: 1, encoding: 'GSM-7', attempts: 1 },
    });
  });

  it('uses the content’s sender id, keeps its own opt-out wording, and counts segments of a long UCS-2 text', async () => {
    const long = await h.addContent('sms', {
      senderId: 'ShopCo',
      message: `Bonjour {{ contact.firstname }} ✓ ${'é'.repeat(80)} Text STOP to quit`,
    });
    const to = number();
    const dispatch = await h.send('sms', long, { address: to, fields: { firstname: 'Zoë' } });
    const event = await h.outcome(dispatch.dispatchId);
    const [sms] = received(to);
    expect(sms.from).toBe('ShopCo');
    expect(sms.body).toBe(`Bonjour Zoë ✓ ${'é'.repeat(80)} Text STOP to quit`);
    expect(sms).toMatchObject({ encoding: 'UCS-2', numSegments: 2 });
    expect(event.meta).toMatchObject({ segments: 2, encoding: 'UCS-2' });
  });

  it('retries a 503 with backoff, then sends once', async () => {
    fake.twilio.control.failNext(2, 'transient');
    const to = number();
    const dispatch = await h.send('sms', reminder, { address: to });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({ event: 'sent', meta: { attempts: 3 } });
    expect(received(to)).toHaveLength(1);
  });

  it('fails an invalid number (Twilio 21211) permanently', async () => {
    fake.twilio.control.failNext(1, 'permanent');
    const to = number();
    const dispatch = await h.send('sms', reminder, { address: to });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({
      event: 'failed',
      error: { code: 'twilio_21211', permanent: true },
    });
    expect(received(to)).toHaveLength(0);
  });

  it('opens the breaker while Twilio is unreachable, says so on the heartbeat, and drains every text once it is back', async () => {
    fake.twilio.control.setDown(true);
    const numbers = Array.from({ length: 6 }, number);
    const dispatches = await Promise.all(numbers.map((to) => h.send('sms', reminder, { address: to })));
    expect(await h.heartbeat('sms', 'down')).toMatchObject({ provider: 'twilio' });
    fake.twilio.control.setDown(false);
    const events = await Promise.all(dispatches.map((d) => h.outcome(d.dispatchId, 20_000)));
    expect(events.map((e) => e.event)).toEqual(Array(6).fill('sent'));
    for (const to of numbers) expect(received(to)).toHaveLength(1);
    await h.heartbeat('sms', 'up');
  });

  it('sends nothing for a redelivered dispatch that was already sent', async () => {
    const to = number();
    const dispatch = await h.send('sms', reminder, { address: to });
    const sent = await h.outcome(dispatch.dispatchId);
    await h.publish(dispatch, `${dispatch.dispatchId}:redelivered`);
    const [, again] = await h.waitForEvents(dispatch.dispatchId, 2);
    expect(again).toEqual(sent);
    await h.idle();
    expect(received(to)).toHaveLength(1);
  });

  describe('stores the short links of a wave of texts in the tracker before sending any of them', () => {
    /** What the stand-in tracker (a real subscription on sb.rpc.tracker.shortlinks.save) was asked to store. */
    const saves: ShortLink[][] = [];
    const stored = new Set<string>();
    let trackerDown = false;
    let nextMessageId = 1_000;
    const savesOf = (messageId: number) => saves.filter((links) => links.some((l) => l.messageId === messageId));
    const codesIn = (body: string) => [...body.matchAll(/\/s\/([\w-]{10})/g)].map(([, code]) => code);

    beforeAll(() => {
      h.serve(trackerShortLinksSave, async ({ links }) => {
        saves.push(links);
        if (trackerDown) throw new DomainError(ErrorCode.Unavailable, 'the tracker is down');
        for (const link of links) stored.add(link.code);
        return { saved: links.length };
      });
    });

    const wave = async (contentId: number, size: number) => {
      const messageId = ++nextMessageId;
      const numbers = Array.from({ length: size }, number);
      const dispatches = numbers.map((to) => h.dispatch('sms', contentId, { address: to }, { messageId }));
      await h.publishBatch('sms', dispatches, `links-${dispatches[0].dispatchId}`);
      return { messageId, numbers, dispatches };
    };

    it('in one call for the whole wave, with every link of every text', async () => {
      const sale = await h.addContent('sms', {
        message: 'Sale: https://shop.example/sale?id={{ contact.id }} Map: https://maps.example/1',
      });
      const { messageId, numbers, dispatches } = await wave(sale, 5);
      for (const d of dispatches) expect(await h.outcome(d.dispatchId)).toMatchObject({ event: 'sent' });

      expect(savesOf(messageId)).toHaveLength(1);
      const [saved] = savesOf(messageId);
      const codes = numbers.flatMap((to) => codesIn(received(to)[0].body));
      expect(codes).toHaveLength(10);
      expect(saved.map((l) => l.code).sort()).toEqual([...codes].sort());
    });

    it('in calls of at most 1,000 links when the wave holds more', async () => {
      // 32 texts (SENDER_BATCH_SIZE, one wave) × 40 links each: 1,280 links, 1,000 + 280.
      const many = await h.addContent('sms', {
        message: '{% for i in (1..40) %}https://x.example/{{ i }} {% endfor %}',
      });
      const { messageId, dispatches } = await wave(many, 32);
      for (const d of dispatches) expect(await h.outcome(d.dispatchId)).toMatchObject({ event: 'sent' });
      expect(savesOf(messageId).map((links) => links.length)).toEqual([1_000, 280]);
    });

    it('but not those of a test send, whose links track nothing', async () => {
      const sale = await h.addContent('sms', { message: 'Test: https://shop.example/test' });
      const to = number();
      const before = saves.length;
      await h.rpc.call(senderTestSend('sms'), {
        contentId: sale,
        contact: { id: 'tester', address: to, locale: null, timezone: null, fields: {} },
      });
      expect(received(to)).toHaveLength(1);
      expect(saves.length).toBe(before);
    });

    it('and sends none of the wave while the tracker fails, then each once it answers', async () => {
      const sale = await h.addContent('sms', { message: 'Last day: https://shop.example/last?id={{ contact.id }}' });
      trackerDown = true;
      try {
        const { messageId, numbers, dispatches } = await wave(sale, 3);
        // Asked, refused, and asked again for the same wave: held back, never failed.
        await waitFor(() => savesOf(messageId).length >= 2, { timeoutMs: 20_000, message: 'the wave never came back' });
        for (const to of numbers) expect(received(to)).toEqual([]);
        for (const d of dispatches) expect(h.eventsOf(d.dispatchId)).toEqual([]);

        trackerDown = false;
        for (const d of dispatches) expect(await h.outcome(d.dispatchId, 20_000)).toMatchObject({ event: 'sent' });
        for (const d of dispatches) expect(h.eventsOf(d.dispatchId, 'failed')).toEqual([]);
        for (const to of numbers) {
          expect(received(to)).toHaveLength(1);
          for (const code of codesIn(received(to)[0].body)) expect(stored.has(code)).toBe(true);
        }
        expect(savesOf(messageId).length).toBeGreaterThanOrEqual(3);
      } finally {
        trackerDown = false;
      }
    });
  });
});
