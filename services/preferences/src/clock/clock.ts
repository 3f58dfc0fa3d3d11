/** The decision's notion of "now": injectable, so tests of windows and pauses need no sleeping. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
