import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, type Webhook, type WebhookInput } from '@switchboard/contracts';
import { execute } from '@switchboard/persistence';

interface WebhookRow {
  id: number;
  name: string;
  description: string | null;
  webhook_url: string;
  secret: string;
  triggers: string[];
  is_published: boolean;
  created_by: string | null;
  date_added: Date;
  date_modified: Date;
  pending: string;
  failed: string;
}

/** A delivery claimed for one attempt. */
export interface ClaimedDelivery {
  id: string;
  eventKey: string;
  type: string;
  body: unknown;
  attempts: number;
  url: string;
  secret: string;
}

const SELECT = `
  SELECT w.*,
    (SELECT count(*) FROM tracker.webhook_deliveries d WHERE d.webhook_id = w.id AND d.dead_at IS NULL) AS pending,
    (SELECT count(*) FROM tracker.webhook_deliveries d WHERE d.webhook_id = w.id AND d.dead_at IS NOT NULL) AS failed
  FROM tracker.webhooks w`;

function toWebhook(r: WebhookRow): Webhook {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    webhookUrl: r.webhook_url,
    triggers: r.triggers as Webhook['triggers'],
    isPublished: r.is_published,
    dateAdded: r.date_added.toISOString(),
    dateModified: r.date_modified.toISOString(),
    createdBy: r.created_by,
    pending: Number(r.pending),
    failed: Number(r.failed),
  };
}

interface TotalRow {
  total: number;
}
interface IdRow {
  id: number;
}

/** A webhook delivery claimed for sending, with its webhook's url and secret. */
interface ClaimedDeliveryRow {
  id: string;
  event_key: string;
  type: string;
  body: unknown;
  attempts: number;
  webhook_url: string;
  secret: string;
}

@Injectable()
export class WebhooksRepository {
  constructor(private readonly ds: DataSource) {}

  async list(start: number, limit: number): Promise<{ total: number; webhooks: Webhook[] }> {
    const [{ total }] = await this.ds.query<TotalRow[]>('SELECT count(*)::int AS total FROM tracker.webhooks');
    const rows = await this.ds.query<WebhookRow[]>(
      `${SELECT} ORDER BY w.id OFFSET $1 ${limit > 0 ? 'LIMIT $2' : ''}`,
      limit > 0 ? [start, limit] : [start],
    );
    return { total, webhooks: rows.map(toWebhook) };
  }

  async get(id: number): Promise<Webhook> {
    const [row] = await this.ds.query<WebhookRow[]>(`${SELECT} WHERE w.id = $1`, [id]);
    if (!row) throw DomainError.notFound();
    return toWebhook(row);
  }

  /** The only answer that carries the secret: it is shown once, never on reads. */
  async create(input: WebhookInput, createdBy: string | null): Promise<Webhook> {
    const secret = input.secret ?? newSecret();
    const [{ id }] = await this.ds.query<IdRow[]>(
      `INSERT INTO tracker.webhooks (name, description, webhook_url, secret, triggers, is_published, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        input.name,
        input.description ?? null,
        input.webhookUrl,
        secret,
        input.triggers,
        input.isPublished ?? true,
        createdBy,
      ],
    );
    return { ...(await this.get(id)), secret };
  }

  /** PATCH keeps what is not given; PUT (`replace`) resets it (the secret stays unless one is given). */
  async update(id: number, input: Partial<WebhookInput>, replace: boolean): Promise<Webhook> {
    const current = await this.get(id);
    const next = replace
      ? { description: null, isPublished: true, ...input }
      : { ...current, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
    await execute(
      this.ds,
      `UPDATE tracker.webhooks SET name = $2, description = $3, webhook_url = $4, secret = COALESCE($5, secret), triggers = $6,
         is_published = $7, date_modified = now() WHERE id = $1`,
      [
        id,
        next.name,
        next.description ?? null,
        next.webhookUrl,
        input.secret ?? null,
        next.triggers,
        next.isPublished ?? true,
      ],
    );
    return this.get(id);
  }

  async delete(id: number): Promise<Webhook> {
    const webhook = await this.get(id);
    await execute(this.ds, 'DELETE FROM tracker.webhooks WHERE id = $1', [id]);
    return { ...webhook, id: null, pending: 0, failed: 0 };
  }

  /** Published endpoints with a delivery due now. */
  async dueWebhooks(): Promise<number[]> {
    const rows = await this.ds.query<IdRow[]>(
      `SELECT w.id FROM tracker.webhooks w
       WHERE w.is_published AND EXISTS (
         SELECT 1 FROM tracker.webhook_deliveries d
         WHERE d.webhook_id = w.id AND d.dead_at IS NULL AND d.next_attempt_at <= now()
           AND (d.locked_until IS NULL OR d.locked_until < now()))`,
    );
    return rows.map((r) => r.id);
  }

  /** Claims up to `limit` due deliveries of one endpoint for `lockMs` (another instance skips them). */
  async claim(webhookId: number, limit: number, lockMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.ds.query<ClaimedDeliveryRow[]>(
      // A CTE, so that the driver hands back the rows (it answers an UPDATE with [rows, count]).
      `WITH claimed AS (
         UPDATE tracker.webhook_deliveries d
         SET locked_until = now() + $3 * interval '1 millisecond', attempts = d.attempts + 1
         FROM tracker.webhooks w
         WHERE w.id = d.webhook_id AND w.is_published AND d.id IN (
           SELECT id FROM tracker.webhook_deliveries
           WHERE webhook_id = $1 AND dead_at IS NULL AND next_attempt_at <= now()
             AND (locked_until IS NULL OR locked_until < now())
           ORDER BY next_attempt_at, id LIMIT $2
           FOR UPDATE SKIP LOCKED)
         RETURNING d.id, d.event_key, d.type, d.body, d.attempts, w.webhook_url, w.secret)
       SELECT * FROM claimed`,
      [webhookId, limit, lockMs],
    );
    return rows.map((r) => ({
      id: r.id,
      eventKey: r.event_key,
      type: r.type,
      body: r.body,
      attempts: r.attempts,
      url: r.webhook_url,
      secret: r.secret,
    }));
  }

  async delivered(id: string): Promise<void> {
    await execute(this.ds, 'DELETE FROM tracker.webhook_deliveries WHERE id = $1', [id]);
  }

  /** Schedules the next attempt, or gives up (`retryInMs` null). */
  async attemptFailed(id: string, status: number | null, error: string, retryInMs: number | null): Promise<void> {
    await execute(
      this.ds,
      `UPDATE tracker.webhook_deliveries SET locked_until = NULL, last_status = $2, last_error = $3,
         next_attempt_at = CASE WHEN $4::bigint IS NULL THEN next_attempt_at ELSE now() + $4::bigint * interval '1 millisecond' END,
         dead_at = CASE WHEN $4::bigint IS NULL THEN now() END
       WHERE id = $1`,
      [id, status, error.slice(0, 1000), retryInMs],
    );
  }
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
