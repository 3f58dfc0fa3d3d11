import { Cron } from 'croner';
import { DomainError, type Schedule } from '@switchboard/contracts';

function cronOf(schedule: Schedule): Cron {
  // paused: croner only computes slots here; the timer in CampaignTimer runs them.
  return new Cron(schedule.cron ?? '', { timezone: schedule.timezone ?? 'UTC', paused: true });
}

/** A schedule is stored only when its cron expression parses (400 otherwise). */
export function checkSchedule(schedule: Schedule): void {
  if (schedule.type !== 'recurring') return;
  try {
    if (!cronOf(schedule).nextRun()) throw new Error('it never runs');
  } catch (error) {
    throw DomainError.validation({ 'schedule.cron': [`Invalid cron expression: ${(error as Error).message}`] });
  }
}

/**
 * The first slot of a schedule strictly after `after`: now (the moment of approval) for `now`, its
 * time for `at` (or now, when that has passed), the next cron time in its zone for `recurring`.
 * After the one slot of `now`/`at`, there is none (null).
 */
export function nextSlot(schedule: Schedule, after: Date, first: boolean): Date | null {
  switch (schedule.type) {
    case 'now':
      return first ? after : null;
    case 'at': {
      if (!first) return null;
      const at = new Date(schedule.at!);
      return at > after ? at : after;
    }
    case 'recurring':
      return cronOf(schedule).nextRun(after);
  }
}
