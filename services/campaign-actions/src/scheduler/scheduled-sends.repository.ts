import { Injectable } from '@nestjs/common';
import type { SendRequested } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { execute } from '@switchboard/persistence';

export interface ScheduledSend {
  sendId: string;
  attempt: number;
  deferrals: number;
  /** `Nats-Msg-Id` of the request when it is emitted. */
  msgId: string;
  dueAt: string;
  payload: SendRequested;
}

/** campaign_actions.scheduled_sends: a durable queue of send requests due later. */
/** A due send as `emitDue` claims it. */
interface DueRow {
  send_id: string;
  attempt: number;
  deferrals: number;
  msg_id: string;
  due_at: Date;
  payload: SendRequested;
}

@Injectable()
export class ScheduledSendsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Stores sends not scheduled yet (a key already there, emitted or not, is left alone). */
  async schedule(sends: ScheduledSend[]): Promise<void> {
    if (sends.length === 0) return;
    await execute(
      this.ds,
      `INSERT INTO campaign_actions.scheduled_sends (send_id, attempt, deferrals, msg_id, due_at, payload)
       SELECT send_id, attempt, deferrals, msg_id, due_at, payload
       FROM jsonb_to_recordset($1::jsonb) AS x(send_id text, attempt int, deferrals int, msg_id text, due_at timestamptz, payload jsonb)
       ON CONFLICT (send_id, attempt, deferrals) DO NOTHING`,
      [
        JSON.stringify(
          sends.map((s) => ({
            send_id: s.sendId,
            attempt: s.attempt,
            deferrals: s.deferrals,
            msg_id: s.msgId,
            due_at: s.dueAt,
            payload: s.payload,
          })),
        ),
      ],
    );
  }

  /**
   * Claims up to `limit` due sends (rows other instances hold are skipped), hands them to `emit`,
   * and marks them emitted in the same transaction: if `emit` throws or the process dies, they stay due.
   */
  async emitDue(limit: number, emit: (sends: ScheduledSend[]) => Promise<void>): Promise<number> {
    return this.ds.transaction(async (em) => {
      const rows = await em.query<DueRow[]>(
        `SELECT send_id, attempt, deferrals, msg_id, due_at, payload FROM campaign_actions.scheduled_sends
         WHERE emitted_at IS NULL AND due_at <= now()
         ORDER BY due_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await emit(
        rows.map((r) => ({
          sendId: r.send_id,
          attempt: r.attempt,
          deferrals: r.deferrals,
          msgId: r.msg_id,
          dueAt: r.due_at.toISOString(),
          payload: r.payload,
        })),
      );
      await execute(
        em,
        `UPDATE campaign_actions.scheduled_sends s SET emitted_at = now()
         FROM unnest($1::text[], $2::int[], $3::int[]) AS k(send_id, attempt, deferrals)
         WHERE s.send_id = k.send_id AND s.attempt = k.attempt AND s.deferrals = k.deferrals`,
        [rows.map((r) => r.send_id), rows.map((r) => r.attempt), rows.map((r) => r.deferrals)],
      );
      return rows.length;
    });
  }

  async purgeEmittedBefore(before: Date): Promise<void> {
    await execute(this.ds, 'DELETE FROM campaign_actions.scheduled_sends WHERE emitted_at < $1', [before]);
  }
}
