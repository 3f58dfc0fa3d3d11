import {
  preferencesContactsBatchUpsert,
  preferencesContactsFields,
  preferencesContactsGet,
  preferencesContactsUpsert,
} from '@switchboard/contracts';
import { startPreferences, type PreferencesContext } from './support/preferences-context';

/** What Mautic's clients rely on (DESIGN §7.3): merge on email, numeric ids, DNC in the body, E.164 mobiles. */
describe('preferences — contacts as Mautic clients write them', () => {
  let ctx: PreferencesContext;

  beforeAll(async () => {
    ctx = await startPreferences({ SB_DEFAULT_COUNTRY: 'US' });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const upsert = (contact: Record<string, unknown>, mode: 'replace' | 'merge' = 'merge') =>
    ctx.rpc.call(preferencesContactsUpsert, { contact, mode, mustExist: false });

  it('gives a contact created without an id a numeric id, and merges a create with a known email into that contact', async () => {
    const first = await upsert({ email: 'Merge.Me@example.com', firstname: 'Ada', fields: { city: 'Prague' } });
    expect(first.created).toBe(true);
    expect(first.contact.id).toMatch(/^\d+$/);
    const again = await upsert({ email: 'merge.me@example.com', lastname: 'Lovelace', fields: { plan: 'gold' } });
    expect(again.created).toBe(false);
    expect(again.contact).toMatchObject({
      id: first.contact.id,
      email: 'merge.me@example.com',
      firstname: 'Ada',
      lastname: 'Lovelace',
      fields: { city: 'Prague', plan: 'gold' },
    });
    const other = await upsert({ email: 'someone.else@example.com' });
    expect(other.contact.id).not.toBe(first.contact.id);
  });

  it('skips a client-chosen numeric id when numbering new contacts', async () => {
    const probe = await upsert({ firstname: 'probe' });
    const taken = String(Number(probe.contact.id) + 1);
    await upsert({ id: taken, firstname: 'Chosen' });
    const next = await upsert({ firstname: 'Numbered' });
    expect(next.created).toBe(true);
    expect(next.contact.id).not.toBe(taken);
    expect((await ctx.rpc.call(preferencesContactsGet, { id: taken })).firstname).toBe('Chosen');
  });

  it('merges a batch on email too: one contact per email, existing ones updated', async () => {
    const existing = await upsert({ email: 'batch-known@example.com', firstname: 'Known' });
    const { results, contacts } = await ctx.rpc.call(preferencesContactsBatchUpsert, {
      contacts: [
        { email: 'batch-known@example.com', lastname: 'Updated' },
        { email: 'batch-new@example.com', firstname: 'One' },
        { email: 'BATCH-NEW@example.com', lastname: 'Two' },
        { firstname: 'No email' },
      ],
      returnContacts: true,
    });
    expect(results.map((r) => r.created)).toEqual([false, true, false, true]);
    expect(results[0].id).toBe(existing.contact.id);
    expect(results[1].id).toBe(results[2].id);
    expect(contacts![2]).toMatchObject({ firstname: 'One', lastname: 'Two' });
    expect(new Set(results.map((r) => r.id)).size).toBe(3);
  });

  it('applies doNotContact given in a create or edit body, once per channel and reason', async () => {
    const { contact } = await upsert({
      email: 'dnc-body@example.com',
      doNotContact: [{ channel: 'email', reason: 2 }, { channel: 'sms' }],
    });
    expect(contact.doNotContact).toEqual([
      { channel: 'email', reason: 2, comments: null, dateAdded: expect.any(String) },
      { channel: 'sms', reason: 3, comments: null, dateAdded: expect.any(String) },
    ]);
    const edited = await upsert(
      {
        id: contact.id,
        doNotContact: [
          { channel: 'email', reason: 2 },
          { channel: 'tweet', reason: 1, comments: 'x' },
        ],
      },
      'replace',
    );
    expect(edited.contact.doNotContact.map((d) => [d.channel, d.reason])).toEqual([
      ['email', 2],
      ['sms', 3],
      ['tweet', 1],
    ]);
    const [decision] = await ctx.decide(ctx.request(contact.id, ['email']));
    expect(decision.skipped).toEqual([{ channel: 'email', reason: 'dnc', detail: 'bounced' }]);
  });

  it('normalises mobiles to E.164 with the contact country, else SB_DEFAULT_COUNTRY; keeps what cannot be', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ mobile: '+15550000001' }, '+15550000001'],
      [{ mobile: '+1 (555) 000-0002' }, '+15550000002'],
      [{ mobile: '(415) 555-0123' }, '+14155550123'],
      [{ mobile: '603 123 456', country: 'CZ' }, '+420603123456'],
      [{ mobile: '0044 20 7946 0958', country: 'Czech Republic' }, '+442079460958'],
      [{ mobile: '12', country: 'CZ' }, '12'],
      [{ mobile: 'call me maybe' }, 'call me maybe'],
    ];
    for (const [input, mobile] of cases) {
      const { contact } = await upsert({ email: `m${Math.random()}@example.com`, ...input });
      expect([input, contact.mobile]).toEqual([input, mobile]);
    }
    const national = await upsert({ firstname: 'Later', mobile: '602 123 456', country: null });
    expect(national.contact.mobile).toBe('602 123 456');
    expect((await upsert({ id: national.contact.id, country: 'cz' })).contact).toMatchObject({
      mobile: '+420602123456',
      country: 'cz',
    });
  });

  it('makes SMS unreachable for a number that is not E.164: no_address, detail invalid number', async () => {
    const bad = await ctx.newContact({ email: 'kept@example.com', mobile: 'call me maybe' });
    const [d] = await ctx.decide(ctx.request(bad, ['sms', 'email']));
    expect(d).toMatchObject({
      outcome: 'routed',
      channel: 'email',
      skipped: [{ channel: 'sms', reason: 'no_address', detail: 'invalid number' }],
    });
    const fake = await ctx.newContact({ mobile: '+15550000001' });
    const [ok] = await ctx.decide(ctx.request(fake, ['sms']));
    expect(ok).toMatchObject({ outcome: 'routed', channel: 'sms', contact: { address: '+15550000001' } });
  });

  it('registers the custom fields contacts are given, with the type of the first value', async () => {
    await upsert({ fields: { loyalty_tier: 'gold', visits: 3, vip: true, empty: null } });
    const { fields } = await ctx.rpc.call(preferencesContactsFields, {});
    expect(fields).toEqual(
      expect.arrayContaining([
        { alias: 'loyalty_tier', type: 'text' },
        { alias: 'visits', type: 'number' },
        { alias: 'vip', type: 'boolean' },
      ]),
    );
    expect(fields.map((f) => f.alias)).not.toContain('empty');
  });
});
