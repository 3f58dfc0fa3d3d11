import { contentFilterErrors, localMoment, matchesContentFilters, type FilterSubject } from './content-filters';
import type { SegmentFilter } from './rest/segment.dto';

const filter = (field: string, operator: string, value: unknown, more: Partial<SegmentFilter> = {}): SegmentFilter => ({
  glue: 'and',
  field,
  object: 'lead',
  type: 'text',
  operator,
  properties: { filter: value },
  filter: value,
  display: null,
  ...more,
});

// Monday 2026-12-07 10:30 UTC: 11:30 in Prague, 05:30 in New York, 23:30 in Auckland (still Monday: 23:30 is NZDT +13).
const NOW = new Date('2026-12-07T10:30:00Z');

const ada: FilterSubject = {
  id: 'ada-1',
  locale: 'cs_CZ',
  timezone: 'Europe/Prague',
  fields: {
    firstname: 'Ada',
    lastname: 'Lovelace',
    email: 'ada@example.com',
    mobile: '+420601000001',
    country: 'CZ',
    twitterHandle: 'ada',
    city: 'Prague',
    points: 42,
    score: '7.5',
    vip: true,
    optin: 'no',
    birthday: '1990-05-01',
    lastOrder: '2026-12-03T08:00:00Z',
    note: '',
  },
};
const bob: FilterSubject = { id: 'bob-2', timezone: 'America/New_York', fields: { firstname: 'Bob', city: 'Boston' } };

const matches = (filters: SegmentFilter[], subject: FilterSubject = ada, now = NOW) =>
  matchesContentFilters(filters, subject, now);
const one = (f: SegmentFilter, subject: FilterSubject = ada, now = NOW) => matches([f], subject, now);

describe('content filters (segment filter format over a dispatch contact)', () => {
  describe('text fields, standard and custom', () => {
    it.each([
      ['=', 'Prague', true],
      ['=', 'prague', false], // exact, as SQL's =
      ['!=', 'Boston', true],
      ['!=', 'Prague', false],
      ['like', 'pra', true], // anywhere, case ignored
      ['like', 'Pr%e', true],
      ['like', 'Pr*x', false],
      ['!like', 'bos', true],
      ['contains', 'AGU', true],
      ['!contains', 'agu', false],
      ['startsWith', 'pr', true],
      ['endsWith', 'GUE', true],
      ['endsWith', 'pra', false],
      ['in', ['Brno', 'Prague'], true],
      ['!in', ['Brno', 'Prague'], false],
      ['regexp', '^p.*e$', true],
      ['!regexp', '^b', true],
      ['gt', 'Brno', true],
      ['lt', 'Brno', false],
      ['between', ['Oslo', 'Rome'], true],
      ['!between', ['Oslo', 'Rome'], false],
    ])('city %s %j → %s', (operator, value, expected) => {
      expect(one(filter('city', operator, value))).toBe(expected);
    });

    it('empty and !empty: a missing value and an empty text are empty', () => {
      expect(one(filter('note', 'empty', null))).toBe(true);
      expect(one(filter('nothing', 'empty', null))).toBe(true);
      expect(one(filter('city', 'empty', null))).toBe(false);
      expect(one(filter('city', '!empty', 'ignored'))).toBe(true);
      expect(one(filter('note', '!empty', null))).toBe(false);
    });

    it('a negative operator also takes a contact without the field, a positive one never', () => {
      expect(one(filter('region', '!=', 'South'))).toBe(true);
      expect(one(filter('region', '!in', ['South']))).toBe(true);
      expect(one(filter('region', '!like', 'So'))).toBe(true);
      expect(one(filter('region', '=', 'South'))).toBe(false);
      expect(one(filter('region', 'like', '%'))).toBe(false);
    });

    it('reads the standard fields a dispatch carries', () => {
      expect(one(filter('id', '=', 'ada-1'))).toBe(true);
      expect(one(filter('email', 'endsWith', '@example.com'))).toBe(true);
      expect(one(filter('firstname', '=', 'Ada'))).toBe(true);
      expect(one(filter('lastname', 'startsWith', 'love'))).toBe(true);
      expect(one(filter('mobile', 'startsWith', '+420'))).toBe(true);
      expect(one(filter('country', 'in', ['CZ', 'SK']))).toBe(true);
      expect(one(filter('twitter_handle', '=', 'ada'))).toBe(true);
      expect(one(filter('locale', '=', 'cs_CZ'))).toBe(true);
      expect(one(filter('timezone', '=', 'Europe/Prague'))).toBe(true);
      expect(one(filter('timezone', '=', 'Europe/Prague'), bob)).toBe(false);
    });
  });

  it('numbers compare as numbers, and a text that is not one is no value', () => {
    const n = (operator: string, value: unknown, field = 'points') =>
      one(filter(field, operator, value, { type: 'number' }));
    expect(n('gt', 9)).toBe(true); // 42 > 9, where text would say "42" < "9"
    expect(n('gte', '42')).toBe(true);
    expect(n('lt', 42)).toBe(false);
    expect(n('lte', 42)).toBe(true);
    expect(n('=', '42')).toBe(true);
    expect(n('in', [1, 42])).toBe(true);
    expect(n('between', [40, 50])).toBe(true);
    expect(n('!between', [40, 50])).toBe(false);
    expect(n('gt', 7, 'score')).toBe(true);
    expect(n('gt', 0, 'city')).toBe(false);
    expect(n('empty', null, 'city')).toBe(true);
  });

  it('dates compare as moments; a day or a relative date compares UTC days', () => {
    const d = (operator: string, value: unknown, field = 'lastOrder') =>
      one(filter(field, operator, value, { type: 'date' }));
    expect(d('gt', '-7 days')).toBe(true); // 2026-12-03 is within the week before NOW
    expect(d('gt', '-2 days')).toBe(false);
    expect(d('=', '2026-12-03')).toBe(true);
    expect(d('=', '4 days ago')).toBe(true);
    expect(d('=', 'today')).toBe(false);
    expect(d('lt', 'today')).toBe(true);
    expect(d('between', ['2026-12-01', '2026-12-04'])).toBe(true);
    expect(d('gte', '1990-05-01', 'birthday')).toBe(true);
    expect(d('gt', '1990-05-01', 'birthday')).toBe(false);
    expect(d('empty', null, 'city')).toBe(true); // not a date: no value
  });

  it('booleans read 1/0, true/false, yes/no', () => {
    const b = (field: string, operator: string, value: unknown) =>
      one(filter(field, operator, value, { type: 'boolean' }));
    expect(b('vip', '=', 1)).toBe(true);
    expect(b('vip', '=', '0')).toBe(false);
    expect(b('optin', '=', false)).toBe(true);
    expect(b('optin', '!=', 'yes')).toBe(true);
    expect(b('city', '!empty', null)).toBe(false);
  });

  it('AND binds tighter than OR, as segments group filters', () => {
    const prague = filter('city', '=', 'Prague');
    const bobName = filter('firstname', '=', 'Bob');
    const boston = { ...filter('city', '=', 'Boston'), glue: 'or' as const };
    expect(matches([prague, bobName])).toBe(false);
    expect(matches([prague, bobName, boston], bob)).toBe(true);
    expect(matches([bobName, boston])).toBe(false);
  });

  it('no filter, or only Mautic placeholder rows, matches nobody', () => {
    expect(matches([])).toBe(false);
    const placeholder = {
      ...filter('x', '=', null),
      field: null as unknown as string,
      operator: null as unknown as string,
    };
    expect(matches([placeholder])).toBe(false);
    expect(contentFilterErrors([placeholder])).toEqual([]);
  });

  describe('the send moment in the contact time zone', () => {
    it('localMoment reads the wall clock and the ISO weekday of a zone', () => {
      expect(localMoment(NOW, 'Europe/Prague')).toEqual({ minutes: 11 * 60 + 30, weekday: 1 });
      expect(localMoment(NOW, 'America/New_York')).toEqual({ minutes: 5 * 60 + 30, weekday: 1 });
      expect(localMoment(new Date('2026-12-07T03:00:00Z'), 'America/New_York')).toEqual({
        minutes: 22 * 60,
        weekday: 7,
      });
      expect(localMoment(NOW, null)).toEqual({ minutes: 10 * 60 + 30, weekday: 1 });
      expect(localMoment(NOW, 'Not/AZone')).toEqual({ minutes: 10 * 60 + 30, weekday: 1 });
    });

    it('localTime: comparisons and between over HH:mm, a between across midnight being the night', () => {
      const t = (operator: string, value: unknown, subject = ada, now = NOW) =>
        one(filter('localTime', operator, value), subject, now);
      expect(t('between', ['09:00', '12:00'])).toBe(true); // 11:30 in Prague
      expect(t('between', ['09:00', '12:00'], bob)).toBe(false); // 05:30 in New York
      expect(t('!between', ['09:00', '12:00'], bob)).toBe(true);
      expect(t('gte', '11:30')).toBe(true);
      expect(t('gt', '11:30')).toBe(false);
      expect(t('lt', '06:00', bob)).toBe(true);
      expect(t('lte', '5:30', bob)).toBe(true);
      expect(t('=', '11:30')).toBe(true);
      expect(t('!=', '11:30')).toBe(false);
      expect(t('between', ['22:00', '06:00'], bob)).toBe(true);
      expect(t('between', ['22:00', '06:00'])).toBe(false);
      expect(one(filter('local_time', 'lt', '12:00'))).toBe(true);
    });

    it('localWeekday: names, short names or 1–7 from Monday, in the contact zone', () => {
      const w = (operator: string, value: unknown, subject = ada, now = NOW) =>
        one(filter('localWeekday', operator, value), subject, now);
      expect(w('=', 'monday')).toBe(true);
      expect(w('=', 1)).toBe(true);
      expect(w('!=', 'Mon')).toBe(false);
      expect(w('in', ['saturday', 'sunday'])).toBe(false);
      expect(w('!in', ['sat', 'sun'])).toBe(true);
      // 03:00 UTC on Monday is still Sunday evening in New York, and Monday morning in Prague.
      const early = new Date('2026-12-07T03:00:00Z');
      expect(w('=', 'sunday', bob, early)).toBe(true);
      expect(w('=', '7', bob, early)).toBe(true);
      expect(w('=', 'sunday', ada, early)).toBe(false);
      expect(one(filter('local_weekday', 'in', [6, 7]), bob, early)).toBe(true);
    });
  });

  describe('checked on save', () => {
    it.each([
      [filter('city', 'near', 'x'), 'the operator near is not supported.'],
      [filter('points', 'like', 'x', { type: 'number' }), 'the operator like does not apply to number fields.'],
      [filter('points', 'gt', 'many', { type: 'number' }), 'the value is a number.'],
      [filter('lastOrder', 'gt', 'someday', { type: 'date' }), 'the value is a date (ISO 8601, today, -7 days).'],
      [filter('vip', '=', 'maybe', { type: 'boolean' }), 'the value is 1 or 0.'],
      [filter('city', 'in', [], {}), 'in takes a non-empty list.'],
      [filter('city', 'between', 'x'), 'between takes [from, to].'],
      [filter('city', 'regexp', '(', {}), 'the pattern is not a valid regular expression.'],
      [filter('city', '=', 'x', { type: 'geo' }), 'the type geo is not supported.'],
      [filter('bad-key', '=', 'x'), 'unknown field.'],
      [filter('city', '=', 'x', { object: 'company' }), 'unknown field.'],
      [filter('localTime', 'between', ['9am', '12:00']), 'a time of day is HH:mm (00:00 to 23:59).'],
      [
        filter('localTime', 'like', '09:00'),
        'the operator like does not apply to the local time (=, !=, gt, gte, lt, lte, between).',
      ],
      [filter('localWeekday', '=', 'someday'), 'a weekday is monday to sunday, or 1 (Monday) to 7 (Sunday).'],
      [filter('localWeekday', 'gt', 3), 'the operator gt does not apply to the weekday (=, !=, in, !in).'],
      [filter('dnc_email', '=', 1), 'is not known when a message is sent; use it in a segment.'],
      [filter('message_opened', '=', 1), 'is not known when a message is sent; use it in a segment.'],
      [
        filter('leadlist', 'in', [1], { type: 'leadlist' }),
        'is not known when a message is sent; use it in a segment.',
      ],
      [
        filter('dateAdded', 'gt', '-7 days', { type: 'date' }),
        'is not known when a message is sent; use it in a segment.',
      ],
    ])('%j → %s', (f, message) => {
      expect(contentFilterErrors([filter('city', '=', 'ok'), f])).toEqual([`#2 (${f.field}): ${message}`]);
    });
  });
});
