import { SenderHarness, senderTestEnv, createTestEnv, startTestService, type TestEnv } from '@switchboard/testing';
import type { RunningService } from '@switchboard/service-kit';
import { DEFAULT_X_TOKEN, startHttpFake, type HttpFake } from '../../dev-providers/src';
import { loadTweetConfig, SERVICE } from '../src/sender-tweet.config';
import { createSenderTweetModule } from '../src/sender-tweet.module';

describe('sender-tweet against the loopback X API, content from the catalog service (real NATS + PostgreSQL)', () => {
  let env: TestEnv;
  let x: HttpFake;
  let h: SenderHarness;
  let svc: RunningService;
  let thanks: number;
  let n = 0;
  const handle = () => `fan_${++n}_${Date.now().toString(36)}`.slice(0, 15);
  const tweetsTo = (name: string) => x.x.tweets.filter((t) => t.mentions.includes(`@${name}`.toLowerCase()));

  beforeAll(async () => {
    env = await createTestEnv();
    x = await startHttpFake();
    h = await SenderHarness.start(env, { catalog: 'service' });
    thanks = await h.addContent('tweet', {
      text: 'Thanks for coming, {{ contact.firstname | default: "friend" }}! https://shop.example/see-you',
    });
    const config = loadTweetConfig(senderTestEnv(env, { X_BASE_URL: x.baseUrl, X_USER_TOKEN: DEFAULT_X_TOKEN }));
    svc = await startTestService({ service: SERVICE, module: createSenderTweetModule(config) });
  });

  afterAll(async () => {
    await svc?.close();
    await h?.close();
    await x?.close();
    await env?.cleanup();
  });

  beforeEach(() => x.controls.reset());

  it('tweets the text rendered for the contact, mentioning their @handle', async () => {
    const name = handle();
    const dispatch = await h.send('tweet', thanks, { address: `@${name}`, fields: { firstname: 'Ada' } });
    const event = await h.outcome(dispatch.dispatchId);
    const [tweet] = tweetsTo(name);
    expect(tweet.text).toBe(`@${name} Thanks for coming, Ada! https://shop.example/see-you`);
    expect(tweet.accessToken).toBe(DEFAULT_X_TOKEN);
    expect(event).toMatchObject({
      event: 'sent',
      provider: 'x',
      providerMessageId: tweet.id,
      meta: { mention: `@${name}` },
    });
  });

  it('leaves a text that already mentions the contact as it is', async () => {
    const own = await h.addContent('tweet', { text: 'Congrats @{{ contact.twitterHandle }}, you won!' });
    const name = handle();
    const dispatch = await h.send('tweet', own, { address: name, fields: { twitterHandle: name } });
    await h.outcome(dispatch.dispatchId);
    expect(tweetsTo(name).map((t) => t.text)).toEqual([`Congrats @${name}, you won!`]);
  });

  it('refuses a tweet over 280 characters at render, permanently, without calling X', async () => {
    const long = await h.addContent('tweet', { text: `${'ha'.repeat(125)} {{ contact.firstname }}` }); // 274 characters as saved
    const name = handle();
    const dispatch = await h.send('tweet', long, {
      address: name,
      fields: { firstname: 'Bartholomew-Maximilian the Third' },
    });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({
      event: 'failed',
      error: { code: 'too_long', permanent: true },
    });
    expect(tweetsTo(name)).toHaveLength(0);
  });

  it('retries a 503, then tweets once', async () => {
    x.x.control.failNext(2, 'transient');
    const name = handle();
    const dispatch = await h.send('tweet', thanks, { address: name });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({ event: 'sent', meta: { attempts: 3 } });
    expect(tweetsTo(name)).toHaveLength(1);
  });

  it('fails a refused tweet (403) permanently', async () => {
    x.x.control.failNext(1, 'permanent');
    const name = handle();
    const dispatch = await h.send('tweet', thanks, { address: name });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({
      event: 'failed',
      error: { code: 'x_403', permanent: true },
    });
  });

  it('opens the breaker while X is unreachable, says so on the heartbeat, and drains every tweet once it is back', async () => {
    x.x.control.setDown(true);
    const names = Array.from({ length: 6 }, handle);
    const dispatches = await Promise.all(names.map((name) => h.send('tweet', thanks, { address: name })));
    expect(await h.heartbeat('tweet', 'down')).toMatchObject({ provider: 'x' });
    x.x.control.setDown(false);
    const events = await Promise.all(dispatches.map((d) => h.outcome(d.dispatchId, 20_000)));
    expect(events.map((e) => e.event)).toEqual(Array(6).fill('sent'));
    for (const name of names) expect(tweetsTo(name)).toHaveLength(1);
    await h.heartbeat('tweet', 'up');
  });

  it('sends nothing for a redelivered dispatch that was already sent', async () => {
    const name = handle();
    const dispatch = await h.send('tweet', thanks, { address: name });
    await h.outcome(dispatch.dispatchId);
    await h.publish(dispatch, `${dispatch.dispatchId}:redelivered`);
    await h.waitForEvents(dispatch.dispatchId, 2);
    await h.idle();
    expect(tweetsTo(name)).toHaveLength(1);
  });
});
