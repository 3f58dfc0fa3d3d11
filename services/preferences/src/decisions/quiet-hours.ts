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

/** The zone's UTC offset at an instant, in ms (local wall time − UTC). */
export function offsetMs(timeZone: string, instant: number): number {
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
