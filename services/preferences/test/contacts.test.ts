import {
  preferencesContactsBatchUpsert,
  preferencesContactsErase,
  preferencesContactsGet,
  preferencesContactsList,
  preferencesContactsUpsert,
  preferencesDncAdd,
  preferencesDncRemove,
  type DeliveryEvent,
} from '@switchboard/contracts';
import { SubjectRecorder, waitFor, waitUntilConsumersIdle } from '@switchboard/testing';
import { startPreferences, type PreferencesContext } from './support/preferences-context';

const keys = {
  p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
  auth: 'tBHItJI5svbpez7KI4CCXg',
};

describe('preferences — contacts, do-not-contact and their events', () => {
  let ctx: PreferencesContext;

  beforeAll(async () => {
    ctx = await startPreferences();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const get = (id: string) => ctx.rpc.call(preferencesContactsGet, { id });
  const upsert = (contact: Record<string, unknown>, mode: 'replace' | 'merge' = 'merge', mustExist = false) =>
    ctx.rpc.call(preferencesContactsUpsert, { contact, mode, mustExist });

  describe('upsert', () => {
    it('creates, then merges: given fields change, omitted stay, null clears, custom fields and rules merge by key', async () => {
      const created = await upsert({
        id: 'merge-1',
        email: 'a@example.com',
        firstname: 'Ann',
        fields: { plan: 'gold', city: 'Oslo' },
        frequencyRules: { email: { frequencyNumber: 3, frequencyTime: 'DAY' } },
      });
      expect(created).toMatchObject({
        created: true,
        contact: { id: 'merge-1', email: 'a@example.com', doNotContact: [] },
      });
      const merged = await upsert({
        id: 'merge-1',
        firstname: null,
        mobile: '+447911123456',
        fields: { city: 'Bergen' },
        frequencyRules: { email: { pauseTo: '2026-12-24' } },
      });
      expect(merged.created).toBe(false);
      expect(merged.contact).toMatchObject({
        email: 'a@example.com',
        firstname: null,
        mobile: '+447911123456',
        fields: { plan: 'gold', city: 'Bergen' },
        frequencyRules: {
          email: { frequencyNumber: 3, frequencyTime: 'DAY', pauseFrom: null, pauseTo: '2026-12-25T00:00:00.000Z' },
        },
      });
      expect(await get('merge-1')).toEqual(merged.contact);
    });

    it('replaces the whole contact in replace mode, keeping its do-not-contact entries and dateAdded', async () => {
      const { contact: before } = await upsert({
        id: 'replace-1',
        email: 'r@example.com',
        firstname: 'R',
        frequencyRules: { sms: { frequencyNumber: 1, frequencyTime: 'WEEK' } },
      });
      await ctx.rpc.call(preferencesDncAdd, {
        contactId: 'replace-1',
        channel: 'email',
        reason: 3,
        comments: 'by hand',
      });
      const { contact, created } = await upsert({ id: 'replace-1', lastname: 'New' }, 'replace');
      expect(created).toBe(false);
      expect(contact).toMatchObject({
        email: null,
        firstname: null,
        lastname: 'New',
        frequencyRules: {},
        dateAdded: before.dateAdded,
      });
      expect(contact.doNotContact).toEqual([
        { channel: 'email', reason: 3, comments: 'by hand', dateAdded: expect.any(String) },
      ]);
    });

    it('generates an id when none is given, and refuses a missing contact when it must exist', async () => {
      const { contact, created } = await upsert({ email: 'noid@example.com' });
      expect(created).toBe(true);
      expect(contact.id).toMatch(/^\d+$/);
      await expect(upsert({ id: 'not-there', email: 'x@example.com' }, 'merge', true)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(get('not-there')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Item was not found.' });
    });

    it('rejects invalid input with a validation error naming each field', async () => {
      const error = await upsert({
        id: 'bad',
        email: 'not-an-email',
        country: 'Atlantis',
        timezone: 'Mars/Olympus_Mons',
        preferredChannel: 'fax',
        webPushSubscriptions: [{ endpoint: 'not a url', keys }],
        frequencyRules: { fax: { frequencyNumber: 1, frequencyTime: 'DAY' } },
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VALIDATION' });
      expect(Object.keys((error as { details: object }).details).sort()).toEqual(
        [
          'contact.email',
          'contact.country',
          'contact.frequencyRules',
          'contact.preferredChannel',
          'contact.timezone',
          'contact.webPushSubscriptions.0.endpoint',
        ].sort(),
      );
      await expect(upsert({ id: 'bad', frequencyRules: { email: { frequencyNumber: 2 } } })).rejects.toMatchObject({
        code: 'VALIDATION',
        details: { 'frequencyRules.email.frequencyTime': ['A value is required.'] },
      });
      await expect(
        upsert({ id: 'bad', frequencyRules: { sms: { pauseFrom: '2026-12-02', pauseTo: '2026-12-01' } } }),
      ).rejects.toMatchObject({
        details: { 'frequencyRules.sms.pauseTo': [expect.any(String)] },
      });
      await expect(get('bad')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('batch upsert', () => {
    it('upserts 1000 contacts in one call, applies one id twice in order, and rejects only the bad item', async () => {
      await upsert({ id: 'batch-0', firstname: 'Old', lastname: 'Kept' });
      const contacts = Array.from({ length: 998 }, (_, i) => ({ id: `batch-${i}`, email: `b${i}@example.com` }));
      contacts.push(
        { id: 'batch-0', fields: { second: true } } as never,
        { id: 'batch-bad', frequencyRules: { email: { frequencyNumber: 1 } } } as never,
      );
      const { results, contacts: returned } = await ctx.rpc.call(preferencesContactsBatchUpsert, {
        contacts,
        returnContacts: true,
      });
      expect(results).toHaveLength(1000);
      expect(results[0]).toEqual({ id: 'batch-0', created: false });
      expect(results[1]).toEqual({ id: 'batch-1', created: true });
      expect(results[999]).toMatchObject({
        id: 'batch-bad',
        created: false,
        error: { code: 'VALIDATION', details: { 'frequencyRules.email.frequencyTime': ['A value is required.'] } },
      });
      expect(returned![999]).toBeNull();
      expect(await get('batch-0')).toMatchObject({
        firstname: 'Old',
        lastname: 'Kept',
        email: 'b0@example.com',
        fields: { second: true },
      });
      await expect(get('batch-bad')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const [{ n }] = await ctx.ds.query("SELECT count(*)::int AS n FROM preferences.contacts WHERE id LIKE 'batch-%'");
      expect(n).toBe(998);
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      await ctx.rpc.call(preferencesContactsBatchUpsert, {
        contacts: [
          { id: 'list-a', firstname: 'Zoe', lastname: 'Adams', email: 'zoe@list.test' },
          { id: 'list-b', firstname: 'Yann', lastname: 'Brown', email: 'yann@list.test' },
          { id: 'list-c', firstname: 'Xavier', lastname: 'Adams', email: 'xavier@other.test' },
        ],
      });
    });

    it('searches by substring, negation and ids, pages with start and limit, and orders', async () => {
      const adams = await ctx.rpc.call(preferencesContactsList, { search: 'adams' });
      expect(adams.total).toBe(2);
      expect(adams.contacts.map((c) => c.id)).toEqual(['list-a', 'list-c']);
      const byName = await ctx.rpc.call(preferencesContactsList, {
        search: 'list.test',
        orderBy: 'firstname',
        orderByDir: 'desc',
      });
      expect(byName.contacts.map((c) => c.firstname)).toEqual(['Zoe', 'Yann']);
      const paged = await ctx.rpc.call(preferencesContactsList, {
        search: 'ids:list-a,list-b,list-c',
        start: 1,
        limit: 1,
      });
      expect(paged).toMatchObject({ total: 3, contacts: [{ id: 'list-b' }] });
      const notAdams = await ctx.rpc.call(preferencesContactsList, { search: '!adams', limit: 0 });
      expect(notAdams.contacts.map((c) => c.id)).toContain('list-b');
      expect(notAdams.contacts.map((c) => c.id)).not.toContain('list-a');
      const escaped = await ctx.rpc.call(preferencesContactsList, { search: '100%_' });
      expect(escaped.total).toBe(0);
    });
  });

  describe('erase', () => {
    it('deletes the contact, its rules, DNC, ledger and decisions, then announces sb.contact.erased.v1', async () => {
      const id = await ctx.newContact({
        email: 'gone@example.com',
        frequencyRules: { email: { frequencyNumber: 1, frequencyTime: 'DAY' } },
      });
      await ctx.rpc.call(preferencesDncAdd, { contactId: id, channel: 'sms', reason: 3 });
      await ctx.decide(ctx.request(id, ['email']));
      const recorder = new SubjectRecorder(ctx.nc, [ctx.env.names.subjects.contactErased()]);
      const { contact, erasedAt } = await ctx.rpc.call(preferencesContactsErase, { id });
      expect(contact).toMatchObject({ id, email: 'gone@example.com' });
      const [event] = await recorder.waitForCount(1);
      recorder.stop();
      expect(event.data).toEqual({ contactId: id, erasedAt });
      expect(event.headers['Nats-Msg-Id']).toBe(`contact-erased:${id}:${erasedAt}`);
      await expect(get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      for (const table of ['channel_rules', 'dnc_entries', 'frequency_ledger', 'decisions']) {
        const [{ n }] = await ctx.ds.query(
          `SELECT count(*)::int AS n FROM preferences.${table} WHERE contact_id = $1`,
          [id],
        );
        expect(n).toBe(0);
      }
      const [{ published }] = await ctx.ds.query(
        'SELECT published_at IS NOT NULL AS published FROM preferences.erasures WHERE contact_id = $1',
        [id],
      );
      expect(published).toBe(true);
      await expect(ctx.rpc.call(preferencesContactsErase, { id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('do-not-contact', () => {
    it('adds entries with reason, comments and date; an admin removes them all', async () => {
      const id = await ctx.newContact({ email: 'd@example.com' });
      const { contact } = await ctx.rpc.call(preferencesDncAdd, {
        contactId: id,
        channel: 'email',
        comments: 'asked by phone',
      });
      expect(contact.doNotContact).toEqual([
        { channel: 'email', reason: 3, comments: 'asked by phone', dateAdded: expect.any(String) },
      ]);
      await ctx.rpc.call(preferencesDncAdd, { contactId: id, channel: 'email', reason: 2 });
      expect(await ctx.rpc.call(preferencesDncRemove, { contactId: id, channel: 'email', by: 'admin' })).toMatchObject({
        recordFound: true,
        contact: { doNotContact: [] },
      });
      expect(await ctx.rpc.call(preferencesDncRemove, { contactId: id, channel: 'email' })).toMatchObject({
        recordFound: false,
      });
      await expect(ctx.rpc.call(preferencesDncAdd, { contactId: 'unknown', channel: 'email' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        ctx.rpc.call(preferencesDncAdd, { contactId: id, channel: 'email', reason: 0 as never }),
      ).rejects.toMatchObject({ code: 'VALIDATION' });
    });

    it('a contact re-subscribing lifts unsubscribed and manual entries but not bounced or complained', async () => {
      const id = await ctx.newContact({ email: 'r@example.com', mobile: '+14155550123' });
      for (const reason of [1, 2] as const)
        await ctx.rpc.call(preferencesDncAdd, { contactId: id, channel: 'email', reason });
      await ctx.rpc.call(preferencesDncAdd, { contactId: id, channel: 'sms', reason: 4 });
      const email = await ctx.rpc.call(preferencesDncRemove, { contactId: id, channel: 'email', by: 'contact' });
      expect(email.recordFound).toBe(true);
      expect(email.contact.doNotContact.map((d) => [d.channel, d.reason])).toEqual([
        ['email', 2],
        ['sms', 4],
      ]);
      expect(await ctx.rpc.call(preferencesDncRemove, { contactId: id, channel: 'sms', by: 'contact' })).toMatchObject({
        recordFound: false,
      });
      const [d] = await ctx.decide(ctx.request(id, ['email', 'sms']));
      expect(d).toMatchObject({
        outcome: 'failed',
        skipped: [
          { channel: 'email', reason: 'dnc', detail: 'bounced' },
          { channel: 'sms', reason: 'dnc', detail: 'complained' },
        ],
      });
    });
  });

  describe('events', () => {
    const delivery = (
      contactId: string,
      event: DeliveryEvent['event'],
      dispatchId: string,
      channel: DeliveryEvent['channel'] = 'email',
    ): DeliveryEvent => ({
      dispatchId,
      sendId: `send-${dispatchId}`,
      messageId: 1,
      contactId,
      channel,
      event,
      occurredAt: '2026-11-23T10:00:00.000Z',
    });
    const publishDelivery = (e: DeliveryEvent, msgId = `${e.dispatchId}:${e.event}`) =>
      ctx.publisher.publish({ subject: ctx.env.names.subjects.delivery(e.channel, e.event), payload: e, msgId });

    it('upserts contacts from sb.contact.upserted.v1', async () => {
      await ctx.publisher.publish({
        subject: ctx.env.names.subjects.contactUpserted(),
        payload: { id: 'crm-1', email: 'crm@example.com', preferredChannel: 'sms', mobile: '+14155550123' },
        msgId: 'crm-1-v1',
      });
      await ctx.publisher.publish({
        subject: ctx.env.names.subjects.contactUpserted(),
        payload: { id: 'crm-1', firstname: 'Cam' },
        msgId: 'crm-1-v2',
      });
      const contact = await waitFor(async () => {
        const c = await get('crm-1').catch(() => undefined);
        return c?.firstname === 'Cam' ? c : undefined;
      });
      expect(contact).toMatchObject({ email: 'crm@example.com', preferredChannel: 'sms', firstname: 'Cam' });
    });

    it('adds bounced, complained and unsubscribed entries from delivery events, once per dispatch', async () => {
      const id = await ctx.newContact({ email: 'ev@example.com', mobile: '+14155550123', twitterHandle: 'ev' });
      await publishDelivery({
        ...delivery(id, 'bounced', 'd-1'),
        error: { code: '550', message: 'mailbox unknown', permanent: true },
      });
      await publishDelivery(delivery(id, 'complained', 'd-2', 'sms'));
      await publishDelivery(delivery(id, 'unsubscribed', 'd-3', 'tweet'));
      await publishDelivery(delivery(id, 'bounced', 'd-1'), 'redelivered-with-another-msg-id');
      await publishDelivery(delivery('unknown-contact', 'bounced', 'd-4'));
      await waitUntilConsumersIdle(ctx.nc, ctx.env.names);
      const contact = await get(id);
      expect(contact.doNotContact.map((d) => [d.channel, d.reason, d.comments])).toEqual([
        ['tweet', 1, 'unsubscribed'],
        ['email', 2, 'mailbox unknown'],
        ['sms', 4, 'complained'],
      ]);
      const [{ n }] = await ctx.ds.query(
        "SELECT count(*)::int AS n FROM preferences.dnc_entries WHERE contact_id = 'unknown-contact'",
      );
      expect(n).toBe(0);

      // The contact re-subscribes; the same unsubscribe event delivered again does not undo it.
      await ctx.rpc.call(preferencesDncRemove, { contactId: id, channel: 'tweet', by: 'contact' });
      await publishDelivery(delivery(id, 'unsubscribed', 'd-3', 'tweet'), 'late-redelivery');
      await waitUntilConsumersIdle(ctx.nc, ctx.env.names);
      expect((await get(id)).doNotContact.map((d) => d.channel)).toEqual(['email', 'sms']);
    });

    it('a bounce naming a dead push subscription or device removes that target, not the channel', async () => {
      const id = await ctx.newContact({
        webPushSubscriptions: [
          { endpoint: 'https://push.example.com/a', keys },
          { endpoint: 'https://push.example.com/b', keys },
        ],
        mobileDevices: [
          { platform: 'android', token: 'token-a' },
          { platform: 'ios', token: 'token-b' },
        ],
      });
      const removal = (
        channel: DeliveryEvent['channel'],
        dispatchId: string,
        removedAddress: string,
      ): DeliveryEvent => ({
        ...delivery(id, 'bounced', dispatchId, channel),
        eventId: `${dispatchId}:bounced:${removedAddress}`,
        error: { code: '410', message: 'gone', permanent: true },
        meta: { source: 'test', bounce: 'hard', removedAddress },
      });
      await publishDelivery(removal('notification', 'p-1', 'https://push.example.com/a'), 'p-1:a');
      await publishDelivery(removal('mobile_notification', 'p-2', 'token-b'), 'p-2:b');
      // Told again (a redelivery): nothing more goes.
      await publishDelivery(removal('notification', 'p-1', 'https://push.example.com/a'), 'p-1:a:again');
      await publishDelivery(removal('notification', 'p-3', 'https://push.example.com/a'), 'p-3:a');
      await waitUntilConsumersIdle(ctx.nc, ctx.env.names);
      const contact = await get(id);
      expect(contact.webPushSubscriptions.map((s) => s.endpoint)).toEqual(['https://push.example.com/b']);
      expect(contact.mobileDevices).toEqual([{ platform: 'android', token: 'token-a' }]);
      expect(contact.doNotContact).toEqual([]);

      // The last one gone: no address for the channel (not do-not-contact).
      await publishDelivery(removal('mobile_notification', 'p-4', 'token-a'), 'p-4:a');
      await waitUntilConsumersIdle(ctx.nc, ctx.env.names);
      expect((await get(id)).mobileDevices).toEqual([]);
      expect((await get(id)).doNotContact).toEqual([]);
    });
  });
});
