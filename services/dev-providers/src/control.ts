/** Failure switches shared by every fake: `failNext(n, mode)` and `setDown(down)`. */

export const PROVIDERS = ['smtp', 'twilio', 'smpp', 'webpush', 'fcm', 'x'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** transient = the provider's "try again later"; permanent = its invalid-recipient error. */
export type FailureMode = 'transient' | 'permanent';

export interface FailureState {
  pendingFailures: number;
  mode: FailureMode | null;
  down: boolean;
}

export class FailureSwitch {
  private pending = 0;
  private mode: FailureMode = 'transient';
  private isDown = false;
  private readonly downListeners: Array<(down: boolean) => void> = [];

  /** The next `n` requests that would otherwise succeed fail with `mode` (replaces any pending failures; 0 clears). */
  failNext(n = 1, mode: FailureMode = 'transient'): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`failNext expects a non-negative integer, got ${n}`);
    this.pending = n;
    this.mode = mode;
  }

  /** While down, the provider drops every connection (the client sees a connection error). */
  setDown(down: boolean): void {
    this.isDown = down;
    for (const listener of this.downListeners) listener(down);
  }

  get down(): boolean {
    return this.isDown;
  }

  /** Consumes one pending failure, if any. */
  take(): FailureMode | undefined {
    if (this.pending === 0) return undefined;
    this.pending -= 1;
    return this.mode;
  }

  onDownChange(listener: (down: boolean) => void): void {
    this.downListeners.push(listener);
  }

  reset(): void {
    this.pending = 0;
    this.setDown(false);
  }

  state(): FailureState {
    return { pendingFailures: this.pending, mode: this.pending > 0 ? this.mode : null, down: this.isDown };
  }
}

export interface ControlCommand {
  provider: ProviderName;
  failNext?: number;
  mode?: FailureMode;
  down?: boolean;
}

/** One switch per provider; what `POST /dev/control` drives. */
export class ProviderControls {
  private readonly switches = new Map<ProviderName, FailureSwitch>(PROVIDERS.map((p) => [p, new FailureSwitch()]));

  get(provider: ProviderName): FailureSwitch {
    return this.switches.get(provider)!;
  }

  apply(command: ControlCommand): FailureState {
    const sw = this.get(command.provider);
    if (command.failNext !== undefined) sw.failNext(command.failNext, command.mode ?? 'transient');
    if (command.down !== undefined) sw.setDown(command.down);
    return sw.state();
  }

  reset(): void {
    for (const sw of this.switches.values()) sw.reset();
  }

  states(): Record<ProviderName, FailureState> {
    return Object.fromEntries(PROVIDERS.map((p) => [p, this.get(p).state()])) as Record<ProviderName, FailureState>;
  }
}

/** Validates a control command from JSON; throws an Error naming the bad field. */
export function parseControlCommand(input: unknown): ControlCommand {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error('body must be a JSON object');
  const body = input as Record<string, unknown>;
  const { provider, failNext, mode, down } = body;
  if (typeof provider !== 'string' || !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`provider must be one of ${PROVIDERS.join(', ')}`);
  }
  if (failNext !== undefined && (typeof failNext !== 'number' || !Number.isInteger(failNext) || failNext < 0)) {
    throw new Error('failNext must be a non-negative integer');
  }
  if (mode !== undefined && mode !== 'transient' && mode !== 'permanent') {
    throw new Error("mode must be 'transient' or 'permanent'");
  }
  if (down !== undefined && typeof down !== 'boolean') throw new Error('down must be a boolean');
  if (failNext === undefined && down === undefined) throw new Error('give failNext and/or down');
  return { provider: provider as ProviderName, failNext, mode, down } as ControlCommand;
}
