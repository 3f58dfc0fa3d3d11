import { startGateway, type GatewayTestContext } from './support/gateway-test';

const NESTED =
  '{% for a in contact.items %}{% for b in contact.items %}{% for c in contact.items %}x{% endfor %}{% endfor %}{% endfor %}';
const items = Array.from({ length: 400 }, (_, i) => i);

/** Issue #23 point 1: a preview cannot hold the gateway; Liquid stops at its time and output limits. */
describe('Liquid render limits (gateway previews, catalog saves)', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog', 'preferences'] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('answers a 3-nested-loop preview over 400 items with a quick 400, and a concurrent GET fast', async () => {
    const tweet = await ctx.api('POST', '/api/tweets/new', { name: 'Loops', text: NESTED });
    expect(tweet.status).toBe(201);
    const started = performance.now();
    const preview = ctx.api('POST', `/api/tweets/${tweet.body.tweet.id}/preview`, { fields: { items } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const getStarted = performance.now();
    const health = await ctx.api('GET', '/api/users/self');
    const getMs = performance.now() - getStarted;
    const res = await preview;
    const previewMs = performance.now() - started;

    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      code: 400,
      details: { text: [expect.stringContaining('The template does not render: template render limit exceeded')] },
    });
    expect(health.status).toBe(200);
    // Unlimited, this preview ran 20 s and every other request waited as long. The bounds are that
    // order of magnitude, not a speed target, so a loaded machine does not fail them.
    expect(previewMs).toBeLessThan(10_000);
    expect(getMs).toBeLessThan(10_000);
  });

  it('caps what a render may output', async () => {
    const sms = await ctx.api('POST', '/api/smses/new', {
      name: 'Big',
      message: '{% for a in contact.items %}{{ contact.blob }}{% endfor %}',
    });
    const res = await ctx.api('POST', `/api/smses/${sms.body.sms.id}/preview`, {
      fields: { items, blob: 'y'.repeat(100_000) },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toContain('memory alloc limit exceeded');
  });

  it('caps a message preview channel by channel: the looping one is an error, the others render', async () => {
    const tweet = await ctx.api('POST', '/api/tweets/new', { name: 'Loops', text: NESTED });
    const sms = await ctx.api('POST', '/api/smses/new', { name: 'Fine', message: 'Hi {{ contact.firstname }}' });
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Loops',
      channels: {
        tweet: { channelId: tweet.body.tweet.id, isEnabled: true },
        sms: { channelId: sms.body.sms.id, isEnabled: true },
      },
    });
    const started = performance.now();
    const res = await ctx.api('POST', `/api/messages/${message.body.message.id}/preview`, {
      fields: { items, firstname: 'Ann' },
    });
    expect(res.status).toBe(200);
    const byChannel = Object.fromEntries(res.body.preview.channels.map((c: { channel: string }) => [c.channel, c]));
    expect(byChannel.tweet.error).toMatchObject({
      code: 400,
      details: { text: [expect.stringContaining('template render limit exceeded')] },
    });
    expect(byChannel.sms.message).toBe('Hi Ann\nReply STOP to opt out');
    // The freeze this guards against was 20 s per render; the bound is that order, not a speed target.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('caps template previews too', async () => {
    const template = await ctx.api('POST', '/api/templates/new', {
      name: 'Loops',
      html: `<html><body>${NESTED}{{ content }}</body></html>`,
    });
    expect(template.status).toBe(201);
    const res = await ctx.api('POST', `/api/templates/${template.body.template.id}/preview`, { fields: { items } });
    expect(res.status).toBe(400);
  });

  it('refuses a template longer than the parse limit on save', async () => {
    const res = await ctx.api('POST', '/api/emails/new', {
      name: 'Long',
      subject: 'Hi',
      customHtml: `{{ a }}${'x'.repeat(1_000_001)}`,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toContain('parse length limit exceeded');
  });
});
