import { jsonBytes } from './json-bytes';

describe('jsonBytes', () => {
  const sut = (value: unknown) => jsonBytes(value).toString('utf8');
  const decisions = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      outcome: i % 7 ? 'routed' : 'deferred',
      channel: i % 7 ? 'email' : undefined,
      contact: { id: `c${i}`, address: `c${i}@example.com`, fields: { firstname: 'Zoë ✉️', lastname: null } },
      retryAt: i % 7 ? undefined : new Date(i * 1_000),
      skip: () => i,
    }));

  it.each([
    ['a large reply, written in pieces', { ok: true, data: { decisions: decisions(1_000) } }],
    ['a small reply', { ok: true, data: { decisions: decisions(3) } }],
    ['an error reply', { ok: false, error: { code: 'VALIDATION', message: 'Bad "input"\n', details: {} } }],
    ['a long array', decisions(200)],
    ['holes, undefined and functions in a long array', [...new Array<unknown>(70), undefined, () => 1, Symbol('s')]],
    [
      'undefined members, an empty object and one whose members are all left out',
      { a: undefined, b: {}, c: { d: undefined }, e: 1 },
    ],
    [
      'toJSON',
      {
        data: { toJSON: () => ({ as: 'json' }) },
        at: new Date(0),
        list: Object.assign(decisions(80), { toJSON: () => 'list' }),
      },
    ],
    ['keys in JSON.stringify order, numeric ones first', { z: 1, 10: 'ten', b: { 2: 'two', a: [1, 2] }, 1: 'one' }],
    ['keys that need escaping', { 'quo"te': { 'new\nline': 'x' } }],
    [
      'a class instance',
      {
        data: new (class Point {
          x = 1;
          y = 2;
        })(),
      },
    ],
    ['values that are not objects', 'text'],
    ['null', null],
    ['a number', 42],
  ])('writes what JSON.stringify writes: %s', (_name, value) => {
    expect(sut(value)).toBe(JSON.stringify(value));
  });

  it('writes non-ASCII text as UTF-8 across its pieces', () => {
    const value = { ok: true, data: { names: Array.from({ length: 5_000 }, (_, i) => `Zoë ${i} ✉️`) } };
    expect(jsonBytes(value).equals(Buffer.from(JSON.stringify(value)))).toBe(true);
  });
});
