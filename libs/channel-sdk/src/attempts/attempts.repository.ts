import type { DataSource } from 'typeorm';
import type { DeliveryEvent } from '@switchboard/contracts';
import { execute } from '@switchboard/persistence';

export type AttemptStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface AttemptRow {
  dispatchId: string;
  status: AttemptStatus;
  /** Provider calls made so far. */
  attempts: number;
  /** The final delivery event of a sent or failed dispatch, re-published on redelivery. */
  event: DeliveryEvent | null;
}

export interface FinishedAttempt {
  dispatchId: string;
  channel: string;
  contactId: string;
  status: Exclude<AttemptStatus, 'sending'>;
  /** Provider calls this round made (0 when the breaker refused the call or nothing was sent). */
  calls: number;
  lastError?: string;
  event?: DeliveryEvent;
}

export interface Claim {
  /** Provider calls recorded before this claim. */
  callsBefore: number;
  /** Calls of this dispatch that were made and never recorded (a crash mid-call), this claim's included. */
  crashResends: number;
}

/** A dispatch's attempts as stored. */
interface DispatchAttemptRow {
  dispatch_id: string;
  status: AttemptStatus;
  attempts: number;
  event: DeliveryEvent | null;
}

/** A recorded final event (feedback lookups by provider message id). */
interface EventRow {
  event: DeliveryEvent;
}

/** A claimed dispatch and the provider calls recorded for it before. */
interface ClaimRow {
  dispatch_id: string;
  attempts: number;
  crash_resends: number;
}

/**
 * `<schema>.dispatch_attempts`: one row per dispatch, so that a redelivered dispatch that already
 * succeeded is never sent again. A batch costs three statements: find, claim, finish.
 */
export class AttemptsRepository {
  private readonly table: string;

  constructor(
    private readonly ds: DataSource,
    schema: string,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    this.table = `"${schema}".dispatch_attempts`;
  }

  async find(dispatchIds: string[]): Promise<Map<string, AttemptRow>> {
    if (dispatchIds.length === 0) return new Map();
    const rows = await this.ds.query<DispatchAttemptRow[]>(
      `SELECT dispatch_id, status, attempts, event FROM ${this.table} WHERE dispatch_id = ANY($1::text[])`,
      [dispatchIds],
    );
    return new Map(
      rows.map((r) => [
        r.dispatch_id,
        { dispatchId: r.dispatch_id, status: r.status, attempts: r.attempts, event: r.event },
      ]),
    );
  }

  /** The recorded final events of dispatches the provider knows by these ids (feedback lookups). */
  async findByProviderMessageIds(ids: string[]): Promise<Map<string, DeliveryEvent>> {
    if (ids.length === 0) return new Map();
    const rows = await this.ds.query<EventRow[]>(
      `SELECT event FROM ${this.table}
       WHERE event ? 'providerMessageId' AND event->>'providerMessageId' = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.event.providerMessageId!, r.event]));
  }

  /**
   * Marks dispatches "sending" before their provider call, unless they are finished or another
   * worker is sending them right now (its claim younger than `leaseMs`). Returns the claimed ids
   * with the calls recorded before. Taking over an expired claim means a provider call was made
   * and never recorded (its worker died mid-call): the call about to be made may repeat it, so
   * the row counts it in `crash_resends`.
   */
  async claim(
    items: Array<{ dispatchId: string; channel: string; contactId: string }>,
    leaseMs: number,
  ): Promise<Map<string, Claim>> {
    if (items.length === 0) return new Map();
    const rows = await this.ds.query<ClaimRow[]>(
      `INSERT INTO ${this.table} AS a (dispatch_id, channel, contact_id, status, attempts, claimed_at, updated_at)
       SELECT u.id, u.channel, u.contact_id, 'sending', 0, now(), now()
       FROM unnest($1::text[], $2::text[], $4::text[]) AS u(id, channel, contact_id)
       ON CONFLICT (dispatch_id) DO UPDATE SET status = 'sending', claimed_at = now(), updated_at = now(),
         crash_resends = a.crash_resends + (a.status = 'sending')::int
       WHERE a.status = 'pending' OR (a.status = 'sending' AND a.claimed_at < now() - make_interval(secs => $3::float8))
       RETURNING dispatch_id, attempts, crash_resends`,
      [items.map((i) => i.dispatchId), items.map((i) => i.channel), leaseMs / 1000, items.map((i) => i.contactId)],
    );
    return new Map(rows.map((r) => [r.dispatch_id, { callsBefore: r.attempts, crashResends: r.crash_resends }]));
  }

  /** Records the outcome of a round; a dispatch already sent or failed is never changed again. */
  async finish(results: FinishedAttempt[]): Promise<void> {
    if (results.length === 0) return;
    await execute(
      this.ds,
      `INSERT INTO ${this.table} AS a (dispatch_id, channel, contact_id, status, attempts, last_error, event, claimed_at, updated_at)
       SELECT u.id, u.channel, u.contact_id, u.status, u.calls, u.last_error, u.event::jsonb, NULL, now()
       FROM unnest($1::text[], $2::text[], $7::text[], $3::text[], $4::int[], $5::text[], $6::text[])
         AS u(id, channel, contact_id, status, calls, last_error, event)
       ON CONFLICT (dispatch_id) DO UPDATE SET
         status = EXCLUDED.status, attempts = a.attempts + EXCLUDED.attempts, last_error = EXCLUDED.last_error,
         event = EXCLUDED.event, claimed_at = NULL, updated_at = now()
       WHERE a.status NOT IN ('sent', 'failed')`,
      [
        results.map((r) => r.dispatchId),
        results.map((r) => r.channel),
        results.map((r) => r.status),
        results.map((r) => r.calls),
        results.map((r) => r.lastError?.slice(0, 2_000) ?? null),
        results.map((r) => (r.event ? JSON.stringify(r.event) : null)),
        results.map((r) => r.contactId),
      ],
    );
  }

  /**
   * Scrubs what may quote an erased contact's address (provider error texts). The rows stay, so
   * that a redelivered dispatch of theirs is still never sent again.
   */
  async eraseContact(contactId: string): Promise<void> {
    await execute(
      this.ds,
      `UPDATE ${this.table}
       SET last_error = NULL, updated_at = now(),
           event = CASE WHEN event ? 'error' THEN jsonb_set(event, '{error,message}', '"(erased)"') ELSE event END
       WHERE contact_id = $1`,
      [contactId],
    );
  }
}
