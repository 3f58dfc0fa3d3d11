import { startHttpFake, type HttpFake } from '../src/http/http-fake';

describe('Twilio fake', () => {
  let fake: HttpFake;
  const sid = 'ACtest0000000000000000000000000001';
  const token = 'test-token';

  beforeAll(async () => {
    fake = await startHttpFake({ twilio: { accountSid: sid, authToken: token } });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.outbox.clear();
    fake.controls.reset();
  });

  const send = (form: Record<string, string>, credentials = `${sid}:${token}`, accountSid = sid) =>
    fetch(`${fake.baseUrl}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form),
    });

  it('accepts a valid message and answers with a Twilio message resource', async () => {
    const res = await send({ To: '+14155550100', From: '+14155550199', Body: 'Hello from Switchboard' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      account_sid: sid,
      to: '+14155550100',
      from: '+14155550199',
      body: 'Hello from Switchboard',
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
    });
    expect(body.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(body.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(fake.twilio.messages).toHaveLength(1);
    expect(fake.twilio.messages[0]).toMatchObject({
      sid: body.sid,
      to: '+14155550100',
      body: 'Hello from Switchboard',
    });
    expect(fake.outbox.list('twilio')[0]).toMatchObject({ to: '+14155550100', body: 'Hello from Switchboard' });
  });

  it('accepts a Messaging Service instead of From', async () => {
    const res = await send({ To: '+447700900123', MessagingServiceSid: `MG${'a'.repeat(32)}`, Body: 'hi' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ from: null, messaging_service_sid: `MG${'a'.repeat(32)}` });
  });

  it('rejects bad credentials with 20003', async () => {
    const res = await send({ To: '+14155550100', From: '+14155550199', Body: 'x' }, `${sid}:wrong`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
  });

  it('rejects a To that is not E.164 with 21211', async () => {
    const res = await send({ To: '0612345678', From: '+14155550199', Body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 21211,
      message: "The 'To' number 0612345678 is not a valid phone number.",
      status: 400,
    });
    expect(fake.twilio.messages).toHaveLength(0);
  });

  it('requires a body and a sender', async () => {
    expect(await (await send({ To: '+14155550100', From: '+14155550199' })).json()).toMatchObject({ code: 21602 });
    expect(await (await send({ To: '+14155550100', Body: 'x' })).json()).toMatchObject({ code: 21603 });
  });

  it('fails as told: transient 503, permanent 21211, down drops the connection', async () => {
    const valid = { To: '+14155550100', From: '+14155550199', Body: 'x' };
    fake.twilio.control.failNext(1, 'transient');
    const transient = await send(valid);
    expect(transient.status).toBe(503);
    expect(await transient.json()).toMatchObject({ code: 20503, status: 503 });

    fake.twilio.control.failNext(1, 'permanent');
    expect(await (await send(valid)).json()).toMatchObject({ code: 21211, status: 400 });

    fake.twilio.control.setDown(true);
    await expect(send(valid)).rejects.toThrow(/fetch failed/);
    fake.twilio.control.setDown(false);
    expect((await send(valid)).status).toBe(201);
  });

  it('answers num_segments as a carrier counts them (GSM-7 160/153, UCS-2 70/67)', async () => {
    const segmentsOf = async (text: string) =>
      (
        (await (await send({ To: '+14155550100', From: '+14155550199', Body: text })).json()) as {
          num_segments: string;
        }
      ).num_segments;
    expect(await segmentsOf('a'.repeat(160))).toBe('1');
    expect(await segmentsOf('a'.repeat(161))).toBe('2');
    expect(await segmentsOf('ł'.repeat(71))).toBe('2');
    expect(fake.twilio.messages.map((m) => m.encoding)).toEqual(['GSM-7', 'GSM-7', 'UCS-2']);
  });
});
