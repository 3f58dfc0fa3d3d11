import { Injectable } from '@nestjs/common';
import type { Shipment } from '@switchboard/contracts';
import { returning, execute } from '@switchboard/persistence';
import { DataSource, type EntityManager } from 'typeorm';

/** A shipment just leased, with its campaign's message and audience. */
interface ClaimedRow {
  id: string;
  campaign_id: number;
  message_id: number;
  audience: unknown;
  resolved: boolean;
  resolve_after: string | null;
  targets: number;
  requested: number;
}

interface ShipmentRow {
  id: string;
  campaign_id: number;
  slot: Date;
  status: Shipment['status'];
  started_at: Date;
  finished_at: Date | null;
  resolved: boolean;
  resolve_after: string | null;
  targets: number;
  requested: number;
  canceled: number;
  error: string | null;
}

/** A shipment a worker holds the lease of, with what it needs to expand it. */
export interface ClaimedShipment {
  id: string;
  campaignId: number;
  messageId: number;
  audience: unknown;
  resolved: boolean;
  resolveAfter: string | null;
  targets: number;
  requested: number;
}

export interface RunningShipment {
  id: string;
  campaignId: number;
  targets: number;
  requested: number;
}

export interface Target {
  seq: number;
  contactId: string;
}

/** Why a worker stops working on a shipment. */
export type Held = 'held' | 'lost';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface IdRow {
  id: string;
}
interface LeaseStateRow {
  status: string;
  lease_owner: string | null;
  requested: number;
}
interface TargetRow {
  seq: number;
  contact_id: string;
}
interface ShipmentProgressRow {
  id: string;
  campaign_id: number;
  targets: number;
  requested: number;
}
interface ShipmentStateRow {
  status: string;
  resolved: boolean;
  targets: number;
  requested: number;
}

function toShipment(r: ShipmentRow): Shipment {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    slot: r.slot.toISOString(),
    startedAt: r.started_at.toISOString(),
    finishedAt: iso(r.finished_at),
    status: r.status,
    targets: r.targets,
    requested: r.requested,
    canceled: r.canceled,
    error: r.error,
  };
}

/**
 * campaign_actions.shipments and shipment_targets. Every write of a worker is guarded by its lease
 * (`lease_owner`) and by the cursor it read: a worker that lost its lease, or a shipment canceled
 * meanwhile, changes nothing.
 */
@Injectable()
export class ShipmentsRepository {
  constructor(private readonly ds: DataSource) {}

  async listOf(campaignId: number): Promise<Shipment[]> {
    const rows = await this.ds.query<ShipmentRow[]>(
      `SELECT * FROM campaign_actions.shipments WHERE campaign_id = $1 ORDER BY slot DESC, id DESC`,
      [campaignId],
    );
    return rows.map(toShipment);
  }

  /** The run of one slot; false when it exists already (another instance made it). */
  async create(em: EntityManager, id: string, campaignId: number, slot: Date): Promise<boolean> {
    const rows = await em.query<IdRow[]>(
      `INSERT INTO campaign_actions.shipments (id, campaign_id, slot) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING id`,
      [id, campaignId, slot],
    );
    return rows.length > 0;
  }

  /** Cancels the pending shipments of a campaign (whose row the caller locked); returns their ids. */
  async cancelPending(em: EntityManager, campaignId: number): Promise<string[]> {
    const rows = await returning<IdRow>(
      em,
      `UPDATE campaign_actions.shipments
       SET status = 'Canceled', finished_at = now(), canceled = targets - requested, lease_owner = NULL, lease_until = NULL
       WHERE campaign_id = $1 AND status = 'Pending' RETURNING id`,
      [campaignId],
    );
    return rows.map((r) => r.id);
  }

  /** Takes the lease of one pending shipment nobody holds (or whose holder went silent). */
  async claim(owner: string, leaseMs: number, skip: string[]): Promise<ClaimedShipment | undefined> {
    const rows = await returning<ClaimedRow>(
      this.ds,
      `UPDATE campaign_actions.shipments s SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
       FROM campaign_actions.campaigns c
       WHERE s.id = (
         SELECT id FROM campaign_actions.shipments
         WHERE status = 'Pending' AND (lease_until IS NULL OR lease_until < now()) AND NOT (id = ANY($3::text[]))
         ORDER BY started_at LIMIT 1 FOR UPDATE SKIP LOCKED
       ) AND c.id = s.campaign_id
       RETURNING s.id, s.campaign_id, c.message_id, c.audience, s.resolved, s.resolve_after, s.targets, s.requested`,
      [owner, leaseMs, skip],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      campaignId: r.campaign_id,
      messageId: r.message_id,
      audience: r.audience,
      resolved: r.resolved,
      resolveAfter: r.resolve_after,
      targets: r.targets,
      requested: r.requested,
    };
  }

  /**
   * Appends one page of the audience at `from` (the targets stored so far) and moves the audience
   * cursor, atomically; `next` null marks the audience resolved.
   */
  async appendTargets(
    id: string,
    owner: string,
    leaseMs: number,
    from: number,
    contactIds: string[],
    next: string | null,
  ): Promise<Held> {
    return this.ds.transaction(async (em) => {
      const held = await returning<IdRow>(
        em,
        `UPDATE campaign_actions.shipments
         SET targets = targets + $4, resolve_after = $5, resolved = ($5::text IS NULL),
             lease_until = now() + $3 * interval '1 millisecond'
         WHERE id = $1 AND lease_owner = $2 AND status = 'Pending' AND targets = $6 AND NOT resolved
         RETURNING id`,
        [id, owner, leaseMs, contactIds.length, next, from],
      );
      if (held.length === 0) return 'lost';
      if (contactIds.length > 0)
        await execute(
          em,
          `INSERT INTO campaign_actions.shipment_targets (shipment_id, seq, contact_id)
           SELECT $1, $2 + n - 1, c FROM unnest($3::text[]) WITH ORDINALITY AS t(c, n)`,
          [id, from, contactIds],
        );
      return 'held';
    });
  }

  /**
   * Hands the next `limit` targets past the expansion cursor to `publish` and moves the cursor past
   * them once it resolved, holding the shipment row meanwhile: a cancel waits for the chunk in
   * flight and then counts exactly what was not requested. Returns how many were published, or
   * `lost` when the shipment is no longer this worker's to expand.
   */
  async expandNext(
    id: string,
    owner: string,
    leaseMs: number,
    limit: number,
    publish: (targets: Target[]) => Promise<void>,
  ): Promise<number | 'lost'> {
    return this.ds.transaction(async (em) => {
      const [row] = await em.query<LeaseStateRow[]>(
        'SELECT status, lease_owner, requested FROM campaign_actions.shipments WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!row || row.status !== 'Pending' || row.lease_owner !== owner) return 'lost';
      const targets = await em.query<TargetRow[]>(
        `SELECT seq, contact_id FROM campaign_actions.shipment_targets
         WHERE shipment_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
        [id, row.requested, limit],
      );
      if (targets.length > 0) await publish(targets.map((t) => ({ seq: t.seq, contactId: t.contact_id })));
      await execute(
        em,
        `UPDATE campaign_actions.shipments SET requested = requested + $2, lease_until = now() + $3 * interval '1 millisecond'
         WHERE id = $1`,
        [id, targets.length, leaseMs],
      );
      return targets.length;
    });
  }

  /** Where a shipment stands now (the worker's view between steps). */
  /** The running shipments (oldest first, at most `limit`): what the shipment gauges show. */
  async running(limit: number): Promise<RunningShipment[]> {
    const rows = await this.ds.query<ShipmentProgressRow[]>(
      `SELECT id, campaign_id, targets, requested FROM campaign_actions.shipments
        WHERE status = 'Pending' ORDER BY started_at, id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, campaignId: r.campaign_id, targets: r.targets, requested: r.requested }));
  }

  async progress(id: string): Promise<{ status: string; resolved: boolean; targets: number; requested: number }> {
    const [row] = await this.ds.query<ShipmentStateRow[]>(
      'SELECT status, resolved, targets, requested FROM campaign_actions.shipments WHERE id = $1',
      [id],
    );
    return row ?? { status: 'gone', resolved: true, targets: 0, requested: 0 };
  }

  /**
   * Ends a pending shipment (every target requested, or failed) and moves its campaign on: a
   * one-off campaign is completed; a recurring one goes back to scheduled unless another of its
   * shipments still runs. Locks the campaign first, as a cancel does.
   */
  async finish(id: string, campaignId: number, status: 'Completed' | 'Failed', error: string | null): Promise<void> {
    await this.ds.transaction(async (em) => {
      await execute(em, 'SELECT id FROM campaign_actions.campaigns WHERE id = $1 FOR UPDATE', [campaignId]);
      const done = await returning<IdRow>(
        em,
        `UPDATE campaign_actions.shipments SET status = $2, error = $3, finished_at = now(), lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND status = 'Pending' RETURNING id`,
        [id, status, error],
      );
      if (done.length === 0) return;
      await execute(
        em,
        `UPDATE campaign_actions.campaigns c SET date_modified = now(), status = CASE
           WHEN c.schedule->>'type' <> 'recurring' THEN 'completed'
           WHEN EXISTS (SELECT 1 FROM campaign_actions.shipments s WHERE s.campaign_id = c.id AND s.status = 'Pending') THEN 'sending'
           ELSE 'scheduled' END
         WHERE c.id = $1 AND c.status = 'sending'`,
        [campaignId],
      );
    });
  }

  /** Gives the lease back (a clean shutdown): another instance resumes at once instead of after the lease. */
  async release(id: string, owner: string): Promise<void> {
    await execute(
      this.ds,
      `UPDATE campaign_actions.shipments SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`,
      [id, owner],
    );
  }
}
