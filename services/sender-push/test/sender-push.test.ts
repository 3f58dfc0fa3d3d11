import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpush from 'web-push';
import {
  SenderHarness,
  senderTestEnv,
  TEST_PUBLIC_URL,
  TEST_TRACKING_SECRET,
  createTestEnv,
  startTestService,
  SubjectRecorder,
  waitFor,
  type TestEnv,
} from '@switchboard/testing';
import { senderTestSend, type DeliveryEvent, type FeedbackReported } from '@switchboard/contracts';
import type { RunningService } from '@switchboard/service-kit';
import { verifyTrackingToken } from '@switchboard/tracking';
import {
  startHttpFake,
  startWebPushFake,
  type HttpFake,
  type WebPushFake,
  type WebPushMessage,
} from '../../dev-providers/src';
import { loadPushConfig, SERVICE } from '../src/sender-push.config';
import { createSenderPushModule } from '../src/sender-push.module';

describe('sender-push: web push and FCM against the loopback push services, content from the catalog service (real NATS + PostgreSQL)', () => {
  let env: TestEnv;
  let push: WebPushFake;
  let google: HttpFake;
  let h: SenderHarness;
  let svc: RunningService;
  let dir: string;
  let sale: number;
  const vapid = webpush.generateVAPIDKeys();
  const pushesTo = (endpoint: string): WebPushMessage[] => push.messages.filter((m) => m.endpoint === endpoint);
  const fcmTo = (token: string) => google.fcm.messages.filter((m) => m.target.token === token);
  let n = 0;
  const deviceToken = () => `device-token-${++n}-${'x'.repeat(100)}`;

  beforeAll(async () => {
    env = await createTestEnv();
    push = await startWebPushFake();
    google = await startHttpFake();
    dir = mkdtempSync(join(tmpdir(), 'sender-push-'));
    writeFileSync(join(dir, 'ca.pem'), push.caPem);
    writeFileSync(join(dir, 'service-account.json'), JSON.stringify(google.fcm.serviceAccount));
    h = await SenderHarness.start(env, { catalog: 'service' });
    sale = await h.addContent('notification', {
      heading: 'Hi {{ contact.firstname | default: "there" }}',
      message: 'Your cart misses you, {{ contact.firstname }}.',
      url: 'https://shop.example/cart?utm={{ contact.id }}',
      icon: 'https://shop.example/icon.png',
      mobile: false,
    });
    const config = loadPushConfig(
      senderTestEnv(env, {
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'mailto:ops@switchboard.test',
        WEBPUSH_CA_FILE: join(dir, 'ca.pem'),
        FCM_BASE_URL: google.baseUrl,
        FCM_SERVICE_ACCOUNT_FILE: join(dir, 'service-account.json'),
      }),
    );
    svc = await startTestService({ service: SERVICE, module: createSenderPushModule(config) });
  });

  afterAll(async () => {
    await svc?.close();
    await h?.close();
    await push?.close();
    await google?.close();
    await env?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    push.control.reset();
    google.controls.reset();
  });

  /** The dispatch's own outcome; its bounces (from the feedback stream) may be published before it. */
  const finalEvent = (dispatchId: string) =>
    waitFor(() => h.eventsOf(dispatchId).find((e) => e.event === 'sent' || e.event === 'failed'), {
      timeoutMs: 15_000,
      message: `no outcome for ${dispatchId}`,
    });
  const bounces = (dispatchId: string, count: number): Promise<DeliveryEvent[]> =>
    waitFor(
      () => {
        const found = h.eventsOf(dispatchId, 'bounced');
        return found.length >= count && found;
      },
      { timeoutMs: 20_000, message: `fewer than ${count} bounces for ${dispatchId}` },
    );

  describe('notification (Web Push, VAPID, aes128gcm)', () => {
    it('encrypts the notification rendered for the contact to every subscription; the push service decrypts it', async () => {
      const subscriptions = [
        push.createSubscription({ applicationServerKey: vapid.publicKey }),
        push.createSubscription(),
      ];
      const dispatch = await h.send('notification', sale, {
        id: 'ada',
        address: subscriptions,
        fields: { firstname: 'Ada' },
      });
      const event = await h.outcome(dispatch.dispatchId);
      expect(event).toMatchObject({
        event: 'sent',
        provider: 'webpush',
        meta: { subscriptions: 2, delivered: 2, removed: 0 },
      });
      for (const subscription of subscriptions) {
        const [message] = pushesTo(subscription.endpoint);
        expect(message.payload).toMatchObject({
          title: 'Hi Ada',
          body: 'Your cart misses you, Ada.',
          icon: 'https://shop.example/icon.png',
          dispatchId: dispatch.dispatchId,
        });
        expect(message.vapid).toMatchObject({ subject: 'mailto:ops@switchboard.test', publicKey: vapid.publicKey });
        const { url } = message.payload as { url: string };
        expect(url.startsWith(`${TEST_PUBLIC_URL}/t/c/`)).toBe(true);
        expect(verifyTrackingToken(TEST_TRACKING_SECRET, url.slice(url.lastIndexOf('/') + 1))).toMatchObject({
          kind: 'click',
          url: 'https://shop.example/cart?utm=ada',
        });
      }
    });

    it('retries a 503 from the push service, then delivers once', async () => {
      const subscription = push.createSubscription();
      push.control.failNext(2, 'transient');
      const dispatch = await h.send('notification', sale, { address: [subscription] });
      expect(await h.outcome(dispatch.dispatchId)).toMatchObject({ event: 'sent', meta: { attempts: 3 } });
      expect(pushesTo(subscription.endpoint)).toHaveLength(1);
    });

    it('reports each gone subscription (404, 410) as a hard bounce naming it, and fails permanently when none is left', async () => {
      const [alive, expired, unknown] = [
        push.createSubscription(),
        push.createSubscription(),
        push.createSubscription(),
      ];
      push.expireSubscription(expired.endpoint);
      push.forgetSubscription(unknown.endpoint);
      const partly = await h.send('notification', sale, { id: 'grace', address: [alive, expired, unknown] });
      expect(await finalEvent(partly.dispatchId)).toMatchObject({
        event: 'sent',
        meta: { subscriptions: 3, delivered: 1, removed: 2 },
      });
      const removed = await bounces(partly.dispatchId, 2);
      expect(removed.map((e) => [e.meta?.removedAddress, e.meta?.code]).sort()).toEqual(
        [
          [expired.endpoint, '410'],
          [unknown.endpoint, '404'],
        ].sort(),
      );
      expect(removed[0]).toMatchObject({
        contactId: 'grace',
        sendId: partly.sendId,
        provider: 'webpush',
        meta: {
          source: 'webpush',
          bounce: 'hard',
          diagnostic: expect.stringMatching(/^push service answered (404|410)/),
        },
        error: { permanent: true },
      });

      const dead = await h.send('notification', sale, { id: 'linus', address: [expired] });
      expect(await finalEvent(dead.dispatchId)).toMatchObject({
        event: 'failed',
        error: { code: 'subscription_gone', permanent: true },
      });
      expect(await bounces(dead.dispatchId, 1)).toEqual([
        expect.objectContaining({
          contactId: 'linus',
          meta: expect.objectContaining({ removedAddress: expired.endpoint }),
        }),
      ]);
    });

    it('a test send to a gone subscription is refused and reports nothing (no dispatch to report it for)', async () => {
      const gone = push.createSubscription();
      push.expireSubscription(gone.endpoint);
      const reports = new SubjectRecorder<FeedbackReported>(h.nc, [h.env.names.subjects.feedbackReported('*')]);
      try {
        const contact = { id: 'tester-push', address: [{ ...gone }], locale: null, timezone: null, fields: {} };
        await expect(h.rpc.call(senderTestSend('notification'), { contentId: sale, contact })).rejects.toMatchObject({
          code: 'VALIDATION',
        });
        // A real dispatch to the same subscription after it: its report is the first one recorded.
        const dispatch = await h.send('notification', sale, { address: [gone] });
        await bounces(dispatch.dispatchId, 1);
        expect(reports.messages.map((m) => m.data.dispatchId)).toEqual([dispatch.dispatchId]);
      } finally {
        reports.stop();
      }
    });

    it('opens the breaker while the push service is down, says so, and drains every notification once it is back', async () => {
      const subscriptions = Array.from({ length: 6 }, () => push.createSubscription());
      push.control.setDown(true);
      const dispatches = await Promise.all(subscriptions.map((s) => h.send('notification', sale, { address: [s] })));
      expect(await h.heartbeat('notification', 'down')).toMatchObject({ provider: 'webpush' });
      push.control.setDown(false);
      const events = await Promise.all(dispatches.map((d) => h.outcome(d.dispatchId, 20_000)));
      expect(events.map((e) => e.event)).toEqual(Array(6).fill('sent'));
      for (const s of subscriptions) expect(pushesTo(s.endpoint)).toHaveLength(1);
      await h.heartbeat('notification', 'up');
    });

    it('sends nothing for a redelivered dispatch that was already sent', async () => {
      const subscription = push.createSubscription();
      const dispatch = await h.send('notification', sale, { address: [subscription] });
      await h.outcome(dispatch.dispatchId);
      await h.publish(dispatch, `${dispatch.dispatchId}:redelivered`);
      await h.waitForEvents(dispatch.dispatchId, 2);
      await h.idle();
      expect(pushesTo(subscription.endpoint)).toHaveLength(1);
    });
  });

  describe('mobile_notification (FCM HTTP v1 with a service-account token)', () => {
    it('sends the notification rendered for the contact to each device', async () => {
      const [phone, tablet] = [deviceToken(), deviceToken()];
      const dispatch = await h.send('mobile_notification', sale, {
        address: [
          { platform: 'android', token: phone },
          { platform: 'ios', token: tablet },
        ],
        fields: { firstname: 'Ada' },
      });
      const event = await h.outcome(dispatch.dispatchId);
      const [message] = fcmTo(phone);
      expect(message).toMatchObject({
        projectId: google.fcm.projectId,
        notification: { title: 'Hi Ada', body: 'Your cart misses you, Ada.' },
        data: {
          dispatchId: dispatch.dispatchId,
          icon: 'https://shop.example/icon.png',
          url: expect.stringMatching(`^${TEST_PUBLIC_URL}/t/c/`),
        },
      });
      expect(fcmTo(tablet)).toHaveLength(1);
      expect(event).toMatchObject({ event: 'sent', provider: 'fcm', meta: { devices: 2, delivered: 2 } });
      expect(event.providerMessageId).toMatch(new RegExp(`^projects/${google.fcm.projectId}/messages/`));
    });

    it('retries UNAVAILABLE, then delivers once', async () => {
      const phone = deviceToken();
      google.fcm.control.failNext(2, 'transient');
      const dispatch = await h.send('mobile_notification', sale, { address: [{ platform: 'android', token: phone }] });
      expect(await h.outcome(dispatch.dispatchId)).toMatchObject({ event: 'sent', meta: { attempts: 3 } });
      expect(fcmTo(phone)).toHaveLength(1);
    });

    it('reports an UNREGISTERED device as a hard bounce naming its token, and fails permanently when no device took it', async () => {
      const [phone, tablet] = [deviceToken(), deviceToken()];
      google.fcm.unregisterToken(phone);
      const partly = await h.send('mobile_notification', sale, {
        id: 'ada',
        address: [
          { platform: 'android', token: phone },
          { platform: 'ios', token: tablet },
        ],
      });
      expect(await finalEvent(partly.dispatchId)).toMatchObject({
        event: 'sent',
        meta: { devices: 2, delivered: 1, removed: 1 },
      });
      expect(await bounces(partly.dispatchId, 1)).toEqual([
        expect.objectContaining({
          contactId: 'ada',
          provider: 'fcm',
          meta: expect.objectContaining({ source: 'fcm', bounce: 'hard', code: 'UNREGISTERED', removedAddress: phone }),
        }),
      ]);

      const dead = await h.send('mobile_notification', sale, {
        id: 'alan',
        address: [{ platform: 'android', token: phone }],
      });
      expect(await finalEvent(dead.dispatchId)).toMatchObject({
        event: 'failed',
        error: { code: 'fcm_unregistered', permanent: true },
      });
      expect((await bounces(dead.dispatchId, 1))[0].meta).toMatchObject({ removedAddress: phone });
    });

    it('a device FCM answers hard_bounce for (the app was uninstalled) is reported too', async () => {
      const phone = deviceToken();
      google.fcm.control.feedbackNext(1, 'hard_bounce');
      const dispatch = await h.send('mobile_notification', sale, { address: [{ platform: 'android', token: phone }] });
      expect(await finalEvent(dispatch.dispatchId)).toMatchObject({ event: 'failed' });
      expect((await bounces(dispatch.dispatchId, 1))[0].meta).toMatchObject({ removedAddress: phone });
    });

    it('opens the breaker while FCM is down, says so, and drains every notification once it is back', async () => {
      const phones = Array.from({ length: 6 }, deviceToken);
      google.fcm.control.setDown(true);
      const dispatches = await Promise.all(
        phones.map((token) => h.send('mobile_notification', sale, { address: [{ platform: 'android', token }] })),
      );
      expect(await h.heartbeat('mobile_notification', 'down')).toMatchObject({ provider: 'fcm' });
      google.fcm.control.setDown(false);
      const events = await Promise.all(dispatches.map((d) => h.outcome(d.dispatchId, 20_000)));
      expect(events.map((e) => e.event)).toEqual(Array(6).fill('sent'));
      for (const phone of phones) expect(fcmTo(phone)).toHaveLength(1);
      await h.heartbeat('mobile_notification', 'up');
    });

    it('sends nothing for a redelivered dispatch that was already sent', async () => {
      const phone = deviceToken();
      const dispatch = await h.send('mobile_notification', sale, { address: [{ platform: 'android', token: phone }] });
      await h.outcome(dispatch.dispatchId);
      await h.publish(dispatch, `${dispatch.dispatchId}:redelivered`);
      await h.waitForEvents(dispatch.dispatchId, 2);
      await h.idle();
      expect(fcmTo(phone)).toHaveLength(1);
    });
  });
});
