import { startHttpFake, type HttpFake } from '../src/http/http-fake';

describe('X fake', () => {
  let fake: HttpFake;
  const tweet = (body: unknown, token = 'user-token') =>
    fetch(`${fake.baseUrl}/2/tweets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    fake = await startHttpFake({ x: { accessTokens: ['user-token'] } });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.outbox.clear();
    fake.controls.reset();
  });

  it('creates a tweet', async () => {
    const res = await tweet({ text: 'Hey @Ada_L, your order shipped 📦' });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { id: string; text: string } };
    expect(data).toMatchObject({ id: expect.stringMatching(/^\d+$/), text: 'Hey @Ada_L, your order shipped 📦' });
    expect(fake.x.tweets[0]).toMatchObject({ id: data.id, mentions: ['@ada_l'] });
    expect(fake.outbox.list('x')[0]).toMatchObject({ to: '@ada_l' });
  });

  it('rejects a bad token with 401', async () => {
    const res = await tweet({ text: 'hello' }, 'nope');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      title: 'Unauthorized',
      type: 'about:blank',
      status: 401,
      detail: 'Unauthorized',
    });
  });

  it('weighs text as X does: 140 emoji pass, 141 emoji and 281 characters fail', async () => {
    expect((await tweet({ text: '😀'.repeat(140) })).status).toBe(201);
    expect((await tweet({ text: '😀'.repeat(141) })).status).toBe(400);
    const res = await tweet({ text: 'a'.repeat(281) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      title: 'Invalid Request',
      type: 'https://api.twitter.com/2/problems/invalid-request',
      errors: [expect.objectContaining({ message: expect.stringContaining('too long') })],
    });
  });

  it('refuses duplicate content with 403', async () => {
    expect((await tweet({ text: 'same words' })).status).toBe(201);
    const res = await tweet({ text: 'same words' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ detail: 'You are not allowed to create a Tweet with duplicate content.' });
  });

  it('rejects unknown fields', async () => {
    expect((await tweet({ text: 'x', colour: 'red' })).status).toBe(400);
  });

  it('fails as told: 503, 403, down', async () => {
    fake.x.control.failNext(2, 'transient');
    expect((await tweet({ text: 'one' })).status).toBe(503);
    expect((await tweet({ text: 'one' })).status).toBe(503);
    fake.x.control.failNext(1, 'permanent');
    expect((await tweet({ text: 'one' })).status).toBe(403);
    fake.x.control.setDown(true);
    await expect(tweet({ text: 'one' })).rejects.toThrow(/fetch failed/);
    fake.x.control.setDown(false);
    expect((await tweet({ text: 'one' })).status).toBe(201);
  });
});
