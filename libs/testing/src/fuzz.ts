import fc from 'fast-check';

/**
 * fast-check settings of the fuzz tests: in `npm test` a fixed seed and few runs, so the suite is
 * repeatable and quick; `npm run fuzz` sets SB_FUZZ_SEED (random, printed) and SB_FUZZ_RUNS.
 */
export interface FuzzParameters {
  seed: number;
  numRuns: number;
}

export const DEFAULT_FUZZ_SEED = 20_231_207;

export function fuzzParameters(defaultRuns: number): FuzzParameters {
  const seed = Number(process.env.SB_FUZZ_SEED ?? DEFAULT_FUZZ_SEED);
  const runs = Number(process.env.SB_FUZZ_RUNS ?? defaultRuns);
  if (!Number.isInteger(seed)) throw new Error(`SB_FUZZ_SEED must be an integer, not ${process.env.SB_FUZZ_SEED}`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`SB_FUZZ_RUNS must be a positive integer`);
  return { seed, numRuns: runs };
}

const NUL = String.fromCharCode(0);

/** Values that have broken parsers before: edges of int and date ranges, NUL, markup, odd unicode. */
export const nastyScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    2_147_483_648,
    -2_147_483_649,
    9_999_999_999,
    1e308,
    -0,
    0.5,
    '',
    ' ',
    'null',
    `a${NUL}b`,
    '0000-01-01',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59-05:00',
    '2024-02-30 10:00',
    '9999999999',
    '-1',
    'ids:9999999999',
    '<script>alert(1)</script>',
    'javascript:alert(1)',
    '{{ x | append: x }}{% for a in (1..100000) %}{% endfor %}',
    '\ud800',
    '🙂'.repeat(300),
    'x'.repeat(70_000),
    true,
    false,
    null,
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** A JSON value built of nasty scalars, nested a few levels. */
export const nastyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** An object with some of `keys` (what a schema names) set to nasty values, plus perhaps a stray key. */
export function nastyObject(keys: string[]): fc.Arbitrary<Record<string, unknown>> {
  const known = keys.length
    ? fc.dictionary(fc.constantFrom(...keys), nastyJson, { maxKeys: Math.min(keys.length, 8) })
    : fc.constant({});
  return fc
    .tuple(known, fc.option(fc.dictionary(fc.string({ maxLength: 12 }), nastyJson, { maxKeys: 2 }), { nil: undefined }))
    .map(([a, b]) => ({ ...b, ...a }));
}
