import {
  preferencesAudienceCount,
  preferencesContactsErase,
  preferencesContactsList,
  preferencesDncAdd,
  preferencesSegmentsContacts,
  preferencesSegmentsDelete,
  preferencesSegmentsList,
  preferencesSegmentsMembers,
  preferencesSegmentsOfContact,
  preferencesSegmentsPreview,
  preferencesSegmentsSave,
  type DeliveryEvent,
  type SegmentFilterInput,
} from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import { DAY, startPreferences, type PreferencesContext } from './support/preferences-context';

type F = Partial<SegmentFilterInput> & { field: string; operator: string };
const actor = { id: 1, name: 'Ann Admin' };

describe('preferences — segments: Mautic filters compiled to SQL, static and dynamic membership', () => {
  let ctx: PreferencesContext;
  const save = (input: Record<string, unknown>, mode: 'create' | 'put' | 'patch' = 'create', id?: number) =>
    ctx.rpc.call(preferencesSegmentsSave, { mode, id, input, actor } as never);
  /** Ids of the seeded contacts (prefix `f-`) the filters match, sorted. */
  const matching = async (...filters: F[]): Promise<string[]> => {
    const { segment } = await save({ name: 'probe', filters });
    const { contacts } = await ctx.rpc.call(preferencesSegmentsContacts, { segmentId: segment.id!, limit: 1000 });
    const { count } = await ctx.rpc.call(preferencesSegmentsPreview, { filters: filters as SegmentFilterInput[] });
    const ids = contacts.map((c) => c.id).filter((id) => id.startsWith('f-'));
    expect(count).toBe(contacts.length);
    await ctx.rpc.call(preferencesSegmentsDelete, { id: segment.id! });
    return ids;
  };

  beforeAll(async () => {
    ctx = await startPreferences();
    const now = ctx.clock.now().getTime();
    await ctx.newContact({
      id: 'f-ann',
      email: 'ann@gmail.com',
      firstname: 'Ann',
      preferredChannel: 'sms',
      fields: { age: 34, city: 'Prague', vip: 'yes', joined: '2026-01-10', plan: 'gold' },
    });
    await ctx.newContact({
      id: 'f-bob',
      email: 'bob@example.com',
      firstname: 'Bob',
      fields: { age: '19', city: 'Brno', vip: false, joined: '2025-06-01T10:00:00Z' },
    });
    await ctx.newContact({ id: 'f-cid', email: 'cid_x@gmail.com', fields: { age: 'unknown', plan: 'silver' } });
    await ctx.rpc.call(preferencesDncAdd, { contactId: 'f-bob', channel: 'email', reason: 2 });
    await ctx.rpc.call(preferencesDncAdd, { contactId: 'f-cid', channel: 'sms', reason: 1 });
    const event = (contactId: string, kind: DeliveryEvent['event'], messageId: number, ago: number): DeliveryEvent => ({
      dispatchId: `d-${contactId}-${kind}-${messageId}`,
      sendId: `s-${contactId}-${messageId}`,
      messageId,
      contactId,
      channel: 'email',
      event: kind,
      occurredAt: new Date(now - ago).toISOString(),
      ...(kind === 'clicked' && { url: 'https://example.com' }),
    });
    for (const e of [
      event('f-ann', 'sent', 12, 2 * DAY),
      event('f-ann', 'opened', 12, 2 * DAY),
      event('f-ann', 'clicked', 12, 2 * DAY),
      event('f-bob', 'sent', 12, 40 * DAY),
      event('f-bob', 'opened', 12, 40 * DAY),
      event('f-cid', 'sent', 7, DAY),
      event('ghost', 'sent', 7, DAY),
    ])
      await ctx.publisher.publish({
        subject: ctx.env.names.subjects.delivery('email', e.event),
        payload: e,
        msgId: e.dispatchId,
      });
    await waitFor(async () => {
      const [{ n }] = await ctx.ds.query('SELECT count(*)::int AS n FROM preferences.contact_activity');
      return n === 6 || undefined;
    });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('core text fields: =, !=, like, !like, contains, startsWith, endsWith, in, !in, empty, !empty, regexp', async () => {
    expect(await matching({ field: 'email', type: 'email', operator: '=', filter: 'ann@gmail.com' })).toEqual([
      'f-ann',
    ]);
    expect(await matching({ field: 'firstname', operator: '!=', filter: 'Ann' })).toEqual(['f-bob', 'f-cid']);
    expect(await matching({ field: 'email', operator: 'like', properties: { filter: '*@gmail.com' } })).toEqual([
      'f-ann',
      'f-cid',
    ]);
    expect(await matching({ field: 'email', operator: '!like', filter: '%gmail%' })).toEqual(['f-bob']);
    expect(await matching({ field: 'email', operator: 'contains', filter: '_x' })).toEqual(['f-cid']);
    expect(await matching({ field: 'email', operator: 'startsWith', filter: 'BOB' })).toEqual(['f-bob']);
    expect(await matching({ field: 'email', operator: 'endsWith', filter: 'example.com' })).toEqual(['f-bob']);
    expect(await matching({ field: 'firstname', operator: 'in', filter: ['Ann', 'Bob'] })).toEqual(['f-ann', 'f-bob']);
    expect(await matching({ field: 'firstname', operator: '!in', filter: ['Ann'] })).toEqual(['f-bob', 'f-cid']);
    expect(await matching({ field: 'firstname', operator: 'empty' })).toEqual(['f-cid']);
    expect(await matching({ field: 'firstname', operator: '!empty' })).toEqual(['f-ann', 'f-bob']);
    expect(await matching({ field: 'email', operator: 'regexp', filter: '^[ab]' })).toEqual(['f-ann', 'f-bob']);
  });

  it('custom fields by type: number (non-numbers never match), text, boolean, date', async () => {
    const num = (operator: string, filter: unknown) => matching({ field: 'age', type: 'number', operator, filter });
    expect(await num('gt', 20)).toEqual(['f-ann']);
    expect(await num('lte', '34')).toEqual(['f-ann', 'f-bob']);
    expect(await num('between', [18, 20])).toEqual(['f-bob']);
    expect(await num('!=', 34)).toEqual(['f-bob', 'f-cid']);
    expect(await num('empty', null)).toEqual(['f-cid']);
    expect(await matching({ field: 'city', operator: '=', filter: 'Prague' })).toEqual(['f-ann']);
    expect(await matching({ field: 'vip', type: 'boolean', operator: '=', filter: '1' })).toEqual(['f-ann']);
    expect(await matching({ field: 'vip', type: 'boolean', operator: '=', filter: 0 })).toEqual(['f-bob']);
    const date = (operator: string, filter: unknown) => matching({ field: 'joined', type: 'date', operator, filter });
    expect(await date('gt', '2025-12-31')).toEqual(['f-ann']);
    expect(await date('=', '2025-06-01')).toEqual(['f-bob']);
    expect(await date('lt', '-30 days')).toEqual(['f-ann', 'f-bob']);
    expect(await matching({ field: 'date_added', type: 'datetime', operator: 'gte', filter: 'today' })).toEqual([
      'f-ann',
      'f-bob',
      'f-cid',
    ]);
  });

  it('glue: and binds tighter than or, as Mautic groups filters', async () => {
    expect(
      await matching(
        { field: 'email', operator: 'like', filter: 'gmail' },
        { glue: 'and', field: 'plan', operator: '=', filter: 'silver' },
        { glue: 'or', field: 'firstname', operator: '=', filter: 'Bob' },
      ),
    ).toEqual(['f-bob', 'f-cid']);
  });

  it('preferences and do-not-contact per channel and reason', async () => {
    expect(await matching({ field: 'preferredChannel', operator: '=', filter: 'sms' })).toEqual(['f-ann']);
    expect(await matching({ field: 'dnc_bounced', type: 'boolean', operator: '=', filter: '1' })).toEqual(['f-bob']);
    expect(await matching({ field: 'dnc_unsubscribed_sms', type: 'boolean', operator: '=', filter: 1 })).toEqual([
      'f-cid',
    ]);
    expect(await matching({ field: 'dnc_email', type: 'boolean', operator: '=', filter: 0 })).toEqual([
      'f-ann',
      'f-cid',
    ]);
    expect(await matching({ field: 'dnc', type: 'boolean', operator: '!=', filter: 1 })).toEqual(['f-ann']);
  });

  it('activity from the delivery events: sent, opened, clicked, by message and within N days', async () => {
    expect(await matching({ field: 'message_sent', operator: '=', filter: 1 })).toEqual(['f-ann', 'f-bob', 'f-cid']);
    expect(await matching({ field: 'message_opened', operator: '=', filter: { withinDays: 30 } })).toEqual(['f-ann']);
    expect(await matching({ field: 'message_opened', operator: 'in', filter: [12] })).toEqual(['f-ann', 'f-bob']);
    expect(await matching({ field: 'message_sent', operator: '!in', filter: [12] })).toEqual(['f-cid']);
    expect(
      await matching({ field: 'message_clicked', operator: '=', filter: 0, properties: { filter: 0, withinDays: 7 } }),
    ).toEqual(['f-bob', 'f-cid']);
  });

  it('rejects unknown fields, operators and bad values with a validation error naming the filter', async () => {
    await expect(
      save({ name: 'bad', filters: [{ field: 'age', type: 'number', operator: 'like', filter: 'x' }] }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { filters: ['#1 (age): the operator like does not apply to number fields.'] },
    });
    for (const f of [
      { field: 'email', operator: 'nope', filter: 'x' },
      { field: 'bad field!', operator: '=', filter: 'x' },
      { field: 'age', type: 'number', operator: 'gt', filter: 'abc' },
      { field: 'message_opened', operator: 'in', filter: [] },
      { field: 'joined', type: 'date', operator: 'gt', filter: 'someday' },
      { field: 'email', operator: 'regexp', filter: '([a-z' },
    ])
      await expect(save({ name: 'bad', filters: [f] })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('static and dynamic together: added by hand, removed by hand, erased contacts leave', async () => {
    const { segment } = await save({
      name: 'Gmail users',
      filters: [
        { field: 'email', object: 'lead', type: 'email', operator: 'like', properties: { filter: '%@gmail.com' } },
      ],
    });
    expect(segment).toMatchObject({ alias: 'gmail-users', isPublished: true, createdByUser: 'Ann Admin' });
    expect(segment.filters[0]).toEqual({
      glue: 'and',
      field: 'email',
      object: 'lead',
      type: 'email',
      operator: 'like',
      properties: { filter: '%@gmail.com' },
      filter: '%@gmail.com',
      display: null,
    });
    const id = segment.id!;
    const extra = await ctx.newContact({ email: 'x@example.com' });
    expect(
      await ctx.rpc.call(preferencesSegmentsMembers, { segmentId: id, action: 'add', contactIds: [extra, 'nobody'] }),
    ).toEqual({ done: [extra] });
    await ctx.rpc.call(preferencesSegmentsMembers, { segmentId: id, action: 'remove', contactIds: ['f-cid'] });
    const members = async () =>
      (await ctx.rpc.call(preferencesSegmentsContacts, { segmentId: id, limit: 100 })).contacts.map((c) => c.id).sort();
    expect(await members()).toEqual([extra, 'f-ann'].sort());
    const list = await ctx.rpc.call(preferencesContactsList, { search: 'segment:gmail-users', limit: 100 });
    expect(list.contacts.map((c) => c.id).sort()).toEqual([extra, 'f-ann'].sort());
    expect((await ctx.rpc.call(preferencesContactsList, { search: 'segment:no-such' })).total).toBe(0);
    const ofAnn = await ctx.rpc.call(preferencesSegmentsOfContact, { contactId: 'f-ann' });
    expect(ofAnn.segments.map((s) => s.alias)).toContain('gmail-users');
    expect(
      (await ctx.rpc.call(preferencesSegmentsOfContact, { contactId: 'f-cid' })).segments.map((s) => s.alias),
    ).not.toContain('gmail-users');
    await ctx.rpc.call(preferencesContactsErase, { id: extra });
    expect(await members()).toEqual(['f-ann']);
    expect((await ctx.rpc.call(preferencesAudienceCount, { audience: { include: [id], exclude: [] } })).count).toBe(1);
  });

  it('CRUD: alias made unique, patch keeps omitted fields, put creates at an id, list params', async () => {
    const a = (await save({ name: 'Newsletter' })).segment;
    const b = (await save({ name: 'Newsletter' })).segment;
    expect([a.alias, b.alias]).toEqual(['newsletter', 'newsletter-2']);
    const patched = await save({ description: 'weekly', isPublished: false }, 'patch', a.id!);
    expect(patched.segment).toMatchObject({
      name: 'Newsletter',
      description: 'weekly',
      isPublished: false,
      alias: 'newsletter',
    });
    const put = await save({ name: 'At 9000' }, 'put', 9000);
    expect(put).toMatchObject({ created: true, segment: { id: 9000 } });
    expect((await save({ name: 'next' })).segment.id).toBeGreaterThan(9000);
    await expect(save({ name: 'x' }, 'patch', 123456)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const listed = await ctx.rpc.call(preferencesSegmentsList, {
      search: 'newsletter',
      orderBy: 'id',
      orderByDir: 'desc',
    });
    expect(listed.segments.map((s) => s.id)).toEqual([b.id, a.id]);
    expect((await ctx.rpc.call(preferencesSegmentsList, { search: 'newsletter', publishedOnly: true })).total).toBe(1);
    expect((await ctx.rpc.call(preferencesSegmentsList, { search: `ids:${a.id}` })).segments[0].id).toBe(a.id);
  });
});
