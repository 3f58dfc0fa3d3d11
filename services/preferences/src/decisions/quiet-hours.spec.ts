import { offsetMs as sut, quietHoursEnd } from './quiet-hours';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The offset as formatToParts gives it, every time (what offsetMs computed before it remembered offsets). */
function formattedOffset(timeZone: string, instant: number): number {
  const p: Record<string, number> = {};
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  for (const part of formatter.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const QUIET = { startMinute: 21 * 60, endMinute: 8 * 60 };

/** Daylight-saving changes of 2026, with zones whose offsets are not whole hours or whose change is not an hour. */
const EDGES: [string, string][] = [
  ['Europe/Paris', '2026-03-29T01:00:00.000Z'],
  ['Europe/Paris', '2026-10-25T01:00:00.000Z'],
  ['America/New_York', '2026-03-08T07:00:00.000Z'],
  ['America/New_York', '2026-11-01T06:00:00.000Z'],
  ['Australia/Lord_Howe', '2026-04-04T15:00:00.000Z'],
  ['Australia/Lord_Howe', '2026-10-03T15:30:00.000Z'],
  ['Asia/Kathmandu', '2026-06-01T00:00:00.000Z'],
  ['UTC', '2026-01-01T00:00:00.000Z'],
];

describe('quiet hours: offsets remembered per zone and second', () => {
  it.each(EDGES)('%s around %s: every offset as formatToParts gives it, asked once and again', (zone, edge) => {
    const at = Date.parse(edge);
    const instants: number[] = [];
    for (let t = at - 5_000; t <= at + 5_000; t += 250) instants.push(t);
    for (let t = at - 26 * HOUR; t <= at + 26 * HOUR; t += 7 * MINUTE + 333) instants.push(t);
    // Twice over, the second time in reverse: answers from memory must equal fresh ones.
    for (const t of [...instants, ...instants.reverse()])
      expect([t, sut(zone, t)]).toEqual([t, formattedOffset(zone, t)]);
  });

  it('knows the change of offset at the second it happens (Paris, spring and autumn)', () => {
    const spring = Date.parse('2026-03-29T01:00:00.000Z');
    expect(sut('Europe/Paris', spring - 1)).toBe(HOUR);
    expect(sut('Europe/Paris', spring)).toBe(2 * HOUR);
    const autumn = Date.parse('2026-10-25T01:00:00.000Z');
    expect(sut('Europe/Paris', autumn - 1)).toBe(2 * HOUR);
    expect(sut('Europe/Paris', autumn)).toBe(HOUR);
    // Again, now from memory.
    expect([sut('Europe/Paris', spring - 1), sut('Europe/Paris', spring)]).toEqual([HOUR, 2 * HOUR]);
    expect([sut('Europe/Paris', autumn - 1), sut('Europe/Paris', autumn)]).toEqual([2 * HOUR, HOUR]);
  });

  it('stays exact when a zone is asked about more seconds than it remembers', () => {
    const start = Date.parse('2026-03-08T05:00:00.000Z');
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 200; i++) {
        const t = start + i * 73_000;
        expect(sut('America/New_York', t)).toBe(formattedOffset('America/New_York', t));
      }
  });

  it('ends quiet hours at 08:00 local time across the changes (21:00-08:00)', () => {
    // Paris, the night the clocks go forward: 01:30 CET is quiet until 08:00 CEST = 06:00Z.
    expect(quietHoursEnd(Date.parse('2026-03-29T00:30:00.000Z'), 'Europe/Paris', QUIET)).toBe(
      Date.parse('2026-03-29T06:00:00.000Z'),
    );
    // Paris, the night they go back: 02:30 CEST is quiet until 08:00 CET = 07:00Z.
    expect(quietHoursEnd(Date.parse('2026-10-25T00:30:00.000Z'), 'Europe/Paris', QUIET)).toBe(
      Date.parse('2026-10-25T07:00:00.000Z'),
    );
    // New York, spring forward: 01:00 EST (06:00Z) until 08:00 EDT = 12:00Z.
    expect(quietHoursEnd(Date.parse('2026-03-08T06:00:00.000Z'), 'America/New_York', QUIET)).toBe(
      Date.parse('2026-03-08T12:00:00.000Z'),
    );
    // New York, fall back: 01:30 EDT (05:30Z) until 08:00 EST = 13:00Z.
    expect(quietHoursEnd(Date.parse('2026-11-01T05:30:00.000Z'), 'America/New_York', QUIET)).toBe(
      Date.parse('2026-11-01T13:00:00.000Z'),
    );
    // Lord Howe moves by half an hour: 23:00 +11 (12:00Z) until 08:00 +10:30 = 21:30Z.
    expect(quietHoursEnd(Date.parse('2026-04-04T12:00:00.000Z'), 'Australia/Lord_Howe', QUIET)).toBe(
      Date.parse('2026-04-04T21:30:00.000Z'),
    );
    // Outside quiet hours: noon in Paris.
    expect(quietHoursEnd(Date.parse('2026-03-29T10:00:00.000Z'), 'Europe/Paris', QUIET)).toBeUndefined();
    // No zone: UTC.
    expect(quietHoursEnd(Date.parse('2026-03-29T22:00:00.000Z'), null, QUIET)).toBe(
      Date.parse('2026-03-30T08:00:00.000Z'),
    );
  });
});
