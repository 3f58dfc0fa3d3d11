import type { QuietHours } from '../preferences.config';

const MINUTE = 60_000;
const DAY_MINUTES = 1_440;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Offsets already computed, by zone and by second. An offset is a function of the zone and the
 * instant's whole second (zones change offset on whole seconds, and the formatter shows seconds),
 * so a remembered one is exact. A batch asks the same few (its contacts' zones at its `now`, and
 * where their quiet hours end) again and again, and each formatToParts costs several µs.
 */
const offsets = new Map<string, Map<number, number>>();
/** Seconds remembered per zone: a batch needs a handful; the next batches' `now` is another second. */
const SECONDS_PER_ZONE = 64;

/** The zone's UTC offset at an instant, in ms (local wall time − UTC). */
export function offsetMs(timeZone: string, instant: number): number {
  const second = Math.floor(instant / 1000);
  let zone = offsets.get(timeZone);
  let offset = zone?.get(second);
  if (offset !== undefined) return offset;
  offset = formattedOffsetMs(timeZone, instant);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  else if (zone.size >= SECONDS_PER_ZONE) zone.clear();
  zone.set(second, offset);
  return offset;
}

function formattedOffsetMs(timeZone: string, instant: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

/** The instant at which a zone's wall clock shows `wall` (a local time written as if it were UTC). */
function instantOfWall(timeZone: string, wall: number, near: number): number {
  const guess = wall - offsetMs(timeZone, near);
  return wall - offsetMs(timeZone, guess);
}

/**
 * When `at` falls inside the quiet hours in `timeZone`, the instant they end; otherwise undefined.
 * A window whose start is after its end (21:00-08:00) runs past midnight.
 */
export function quietHoursEnd(at: number, timeZone: string | null, quiet: QuietHours): number | undefined {
  const zone = timeZone ?? 'UTC';
  const offset = offsetMs(zone, at);
  const wall = at + offset;
  const minute = Math.floor(wall / MINUTE);
  const minuteOfDay = ((minute % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  const { startMinute, endMinute } = quiet;
  const inside =
    startMinute < endMinute
      ? minuteOfDay >= startMinute && minuteOfDay < endMinute
      : minuteOfDay >= startMinute || minuteOfDay < endMinute;
  if (!inside) return undefined;
  const untilEnd = (endMinute - minuteOfDay + DAY_MINUTES) % DAY_MINUTES;
  return instantOfWall(zone, (minute + untilEnd) * MINUTE, at);
}
