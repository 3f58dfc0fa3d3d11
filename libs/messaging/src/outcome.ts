import { DomainError, ErrorCode } from '@switchboard/contracts';
import { databaseErrorOf, isPermanentDataError } from '@switchboard/persistence';

/** What a handler decided about one message; the consumer runner maps it to ack / nak / dead-letter. */
export type Outcome =
  { kind: 'done' } | { kind: 'retry'; delayMs: number; reason?: string } | { kind: 'poison'; reason: string };

export const Outcomes = {
  done: (): Outcome => ({ kind: 'done' }),
  retry: (delayMs: number, reason?: string): Outcome => ({ kind: 'retry', delayMs, reason }),
  poison: (reason: string): Outcome => ({ kind: 'poison', reason }),
};

/** Thrown by a handler to make one message poison without retrying it (a per-message handler's way to say so). */
export class PoisonMessageError extends Error {}

/** Errors that say the input itself is wrong: trying it again cannot succeed. */
const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.Validation, ErrorCode.NotFound, ErrorCode.Conflict]);

/**
 * The one mapping from what a handler threw to an outcome: a PoisonMessageError, or a DomainError
 * saying validation, not found or conflict, or a PostgreSQL data error the payload caused (a number
 * out of range, a NUL byte), goes to the dead-letter subject at once; anything else (unavailable,
 * timeout, a driver or network error, a unique race) is retried after `retryDelayMs`.
 */
export function outcomeOfError(error: unknown, retryDelayMs: number): Outcome {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof PoisonMessageError) return Outcomes.poison(reason);
  if (error instanceof DomainError && PERMANENT_CODES.has(error.code))
    return Outcomes.poison(`${error.code}: ${reason}`);
  if (isPermanentDataError(error)) return Outcomes.poison(`SQLSTATE ${databaseErrorOf(error)?.code}: ${reason}`);
  return Outcomes.retry(retryDelayMs, reason);
}

/**
 * Adapts a per-message handler to a batch: messages run `parallel` at a time and one message's
 * error retries that message alone (`retryDelayMs`), never its neighbours.
 */
export function eachMessage<D>(
  handle: (item: D) => Promise<Outcome | void>,
  options: { parallel?: number; retryDelayMs?: (item: D, error: unknown) => number } = {},
): (batch: D[]) => Promise<Outcome[]> {
  const parallel = options.parallel ?? 16;
  return async (batch) => {
    const outcomes: Outcome[] = new Array(batch.length);
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const i = next++;
        try {
          outcomes[i] = (await handle(batch[i])) ?? Outcomes.done();
        } catch (error) {
          outcomes[i] = outcomeOfError(error, options.retryDelayMs?.(batch[i], error) ?? 1_000);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, batch.length) }, worker));
    return outcomes;
  };
}
