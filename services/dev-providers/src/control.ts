/** Failure switches shared by every fake: `failNext(n, mode)` and `setDown(down)`. */

export const PROVIDERS = ['smtp', 'twilio', 'smpp', 'webpush', 'fcm', 'x'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/**
 * The feedback each provider can give: SMS has no complaints; push only tells of dead subscriptions
 * and devices, in the answer to the push (`hard_bounce`: web push 410 Gone, FCM 404 UNREGISTERED,
 * and that subscription or token stays dead).
 */
const FEEDBACK_PROVIDERS: Record<ProviderName, readonly FeedbackKind[]> = {
  smtp: ['delivered', 'soft_bounce', 'hard_bounce', 'complaint'],
  twilio: ['delivered', 'soft_bounce', 'hard_bounce'],
  smpp: ['delivered', 'soft_bounce', 'hard_bounce'],
  webpush: ['hard_bounce'],
  fcm: ['hard_bounce'],
  x: [],
};

/** transient = the provider's "try again later"; permanent = its invalid-recipient error. */
export type FailureMode = 'transient' | 'permanent';

/** What the provider reports back about an accepted message, through its real feedback path (DESIGN §6). */
export const FEEDBACK_KINDS = ['delivered', 'soft_bounce', 'hard_bounce', 'complaint'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export interface FailureState {
  pendingFailures: number;
  mode: FailureMode | null;
  down: boolean;
  pendingFeedback: number;
  feedback: FeedbackKind | null;
}

export class FailureSwitch {
  private pending = 0;
  private mode: FailureMode = 'transient';
  private isDown = false;
  private feedbackPending = 0;
  private feedbackKind: FeedbackKind = 'delivered';
  private readonly downListeners: Array<(down: boolean) => void> = [];

  /** The next `n` requests that would otherwise succeed fail with `mode` (replaces any pending failures; 0 clears). */
  failNext(n = 1, mode: FailureMode = 'transient'): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`failNext expects a non-negative integer, got ${n}`);
    this.pending = n;
    this.mode = mode;
  }

  /** The next `n` accepted messages come back as `kind` (replaces any pending feedback; 0 clears). */
  feedbackNext(n = 1, kind: FeedbackKind = 'delivered'): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`feedbackNext expects a non-negative integer, got ${n}`);
    this.feedbackPending = n;
    this.feedbackKind = kind;
  }

  /** Consumes one pending feedback, if any: call it once per accepted message. */
  takeFeedback(): FeedbackKind | undefined {
    if (this.feedbackPending === 0) return undefined;
    this.feedbackPending -= 1;
    return this.feedbackKind;
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
    this.feedbackPending = 0;
    this.setDown(false);
  }

  state(): FailureState {
    return {
      pendingFailures: this.pending,
      mode: this.pending > 0 ? this.mode : null,
      down: this.isDown,
      pendingFeedback: this.feedbackPending,
      feedback: this.feedbackPending > 0 ? this.feedbackKind : null,
    };
  }
}

export interface ControlCommand {
  provider: ProviderName;
  failNext?: number;
  mode?: FailureMode;
  down?: boolean;
  feedbackNext?: number;
  feedback?: FeedbackKind;
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
    if (command.feedbackNext !== undefined) sw.feedbackNext(command.feedbackNext, command.feedback ?? 'delivered');
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
  const { provider, failNext, mode, down, feedbackNext, feedback } = body;
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
  if (
    feedbackNext !== undefined &&
    (typeof feedbackNext !== 'number' || !Number.isInteger(feedbackNext) || feedbackNext < 0)
  ) {
    throw new Error('feedbackNext must be a non-negative integer');
  }
  if (feedback !== undefined && !(FEEDBACK_KINDS as readonly unknown[]).includes(feedback)) {
    throw new Error(`feedback must be one of ${FEEDBACK_KINDS.join(', ')}`);
  }
  if (
    feedbackNext !== undefined &&
    !FEEDBACK_PROVIDERS[provider as ProviderName].includes((feedback ?? 'delivered') as FeedbackKind)
  ) {
    throw new Error(`${provider} gives no ${String(feedback ?? 'delivered')} feedback`);
  }
  if (failNext === undefined && down === undefined && feedbackNext === undefined) {
    throw new Error('give failNext, down and/or feedbackNext');
  }
  return { provider: provider as ProviderName, failNext, mode, down, feedbackNext, feedback } as ControlCommand;
}
