export interface PollLoopOptions {
  /** Pause between the end of one pass and the start of the next. */
  intervalMs: number;
  /** A failed pass: reported here, and the next one runs at the next interval. */
  onError: (error: unknown) => void;
}

/**
 * Runs `pass` over and over from `start()` to `stop()`, one pass at a time, pausing `intervalMs`
 * between passes; `nudge()` ends the pause now, and a nudge during a pass makes the next pass
 * start without a pause (work that arrived meanwhile is not left for a whole interval). The
 * pollers of the services (campaign timer, deferred-send scheduler) share it.
 */
export class PollLoop {
  private running?: Promise<void>;
  private stopped = false;
  private nudged = false;
  private wake?: () => void;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly options: PollLoopOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.running ??= this.run();
  }

  /** Ends the pause now; stops after the pass under way, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.nudged = false;
      try {
        await this.pass();
      } catch (error) {
        this.options.onError(error);
      }
      if (this.stopped) break;
      if (!this.nudged) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.options.intervalMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
