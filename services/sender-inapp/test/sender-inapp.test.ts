import {
  inboxArchive,
  inboxList,
  inboxRead,
  inboxReadAll,
  inboxUnreadCount,
  InboxListQuerySchema,
  ErrorCode,
  type InboxChanged,
} from '@switchboard/contracts';
import { Pruner } from '@switchboard/persistence';
import type { RunningService } from '@switchboard/service-kit';
import {
  createTestEnv,
  SenderHarness,
  senderTestEnv,
  startTestService,
  SubjectRecorder,
  TEST_PUBLIC_URL,
  type TestEnv,
} from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { loadSenderInappConfig, SERVICE } from '../src/sender-inapp.config';
import { createSenderInappModule } from '../src/sender-inapp.module';

describe('sender-inapp: dispatches into the contact inbox, content from the catalog service (real NATS + PostgreSQL)', () => {
  let env: TestEnv;
  let h: SenderHarness;
  let svc: RunningService;
  let changes: SubjectRecorder<InboxChanged>;
  let hello: number;
  const page = InboxListQuerySchema.parse({});

  beforeAll(async () => {
    env = await createTestEnv();
    h = await SenderHarness.start(env, { catalog: 'service' });
    hello = await h.addContent('inapp', {
      title: 'Hello {{ contact.firstname | default: "there" }}',
      body: '<p onclick="x()">Our <b>sale</b> <a href="https://shop.example/sale">starts</a><script>alert(1)</script></p>',
      url: 'https://shop.example/?c={{ contact.id }}',
      icon: 'https://shop.example/icon.png',
      expiresAfterDays: 30,
    });
    const config = loadSenderInappConfig(senderTestEnv(env));
    svc = await startTestService({ service: SERVICE, module: createSenderInappModule(config) });
    changes = new SubjectRecorder<InboxChanged>(h.nc, [env.names.subjects.inboxChanged()]);
  });

  afterAll(async () => {
    changes?.stop();
    await svc?.close();
    await h?.close();
    await env?.cleanup();
  });

  it('stores the rendered message once per dispatch, sanitised and with tracked links, and announces it', async () => {
    const dispatch = await h.send('inapp', hello, { id: 'ada', address: 'ada', fields: { firstname: 'Ada' } });
    const sent = await h.outcome(dispatch.dispatchId);
    expect(sent).toMatchObject({ event: 'sent', provider: 'inbox', channel: 'inapp' });
    // A redelivery stores nothing new.
    await h.publish(dispatch, `${dispatch.dispatchId}:again`);
    await h.idle();

    const { total, messages } = await h.rpc.call(inboxList, { contactId: 'ada', query: page });
    expect(total).toBe(1);
    const [message] = messages;
    expect(message).toMatchObject({ title: 'Hello Ada', readAt: null, icon: 'https://shop.example/icon.png' });
    expect(String(sent.providerMessageId)).toBe(String(message.id));
    expect(message.url).toMatch(new RegExp(`^${TEST_PUBLIC_URL}/t/c/`));
    expect(message.body).toMatch(
      new RegExp(
        `^<p>Our <b>sale</b> <a href="${TEST_PUBLIC_URL}/t/c/[^"]+" target="_blank" rel="noopener noreferrer">starts</a></p>$`,
      ),
    );
    const [announced] = await changes.waitForCount(1, (m) => m.data.contactId === 'ada' && !!m.data.message);
    expect(announced.data.message).toEqual(message);
  });

  it('counts, reads (opened once), reads all, archives — only the contact own messages', async () => {
    const first = await h.send('inapp', hello, { id: 'bob', address: 'bob' });
    const second = await h.send('inapp', hello, { id: 'bob', address: 'bob' });
    const other = await h.send('inapp', hello, { id: 'carol', address: 'carol' });
    for (const d of [first, second, other]) await h.outcome(d.dispatchId);
    expect(await h.rpc.call(inboxUnreadCount, { contactId: 'bob' })).toEqual({ unread: 2 });

    const { messages } = await h.rpc.call(inboxList, { contactId: 'bob', query: page });
    const carols = (await h.rpc.call(inboxList, { contactId: 'carol', query: page })).messages;
    await expect(h.rpc.call(inboxRead, { contactId: 'bob', id: carols[0].id })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await expect(h.rpc.call(inboxArchive, { contactId: 'bob', id: carols[0].id })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });

    const read = await h.rpc.call(inboxRead, { contactId: 'bob', id: messages[1].id });
    expect(read.unread).toBe(1);
    expect(read.message.readAt).not.toBeNull();
    await h.rpc.call(inboxRead, { contactId: 'bob', id: messages[1].id });
    const readDispatch = [first, second].find((d) => h.eventsOf(d.dispatchId, 'opened').length > 0)!;
    await h.waitForEvents(readDispatch.dispatchId, 2);
    expect(h.eventsOf(readDispatch.dispatchId, 'opened')).toHaveLength(1);
    expect(h.eventsOf(readDispatch.dispatchId, 'opened')[0]).toMatchObject({
      channel: 'inapp',
      contactId: 'bob',
      sendId: readDispatch.sendId,
    });

    expect(await h.rpc.call(inboxReadAll, { contactId: 'bob' })).toEqual({ read: 1, unread: 0 });
    expect(await h.rpc.call(inboxUnreadCount, { contactId: 'carol' })).toEqual({ unread: 1 });
    expect(await h.rpc.call(inboxArchive, { contactId: 'bob', id: messages[0].id })).toEqual({
      archived: true,
      unread: 0,
    });
    expect((await h.rpc.call(inboxList, { contactId: 'bob', query: page })).total).toBe(1);
  });

  it('forgets expired messages: hidden at once, deleted by the retention run', async () => {
    const d = await h.send('inapp', hello, { id: 'dan', address: 'dan' });
    await h.outcome(d.dispatchId);
    const ds = svc.app.get(DataSource);
    await ds.query(
      `UPDATE sender_inapp.inbox_messages SET expires_at = now() - interval '1 second' WHERE contact_id = 'dan'`,
    );
    expect((await h.rpc.call(inboxList, { contactId: 'dan', query: page })).total).toBe(0);
    await svc.app.get(Pruner).prune();
    const [{ n }] = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM sender_inapp.inbox_messages WHERE contact_id = 'dan'`,
    );
    expect(n).toBe(0);
  });
});
