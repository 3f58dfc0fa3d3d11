import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  AudienceSchema,
  DomainError,
  ErrorCode,
  preferencesAudiencePage,
  type SendRequested,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { PollLoop, SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { ActionsService } from '../actions/actions.service';
import { sendIdOf } from '../actions/send-id';
import type { CampaignActionsConfig } from '../campaign-actions.config';
import { ShipmentsRepository, type ClaimedShipment, type Target } from './shipments.repository';

const RETRY_MS = 1_000;
/** How long the expansion waits for the next page of the audience when it has caught up. */
const CAUGHT_UP_MS = 20;

/** Errors of the audience that waiting will not fix: the shipment fails with the message. */
const PERMANENT = new Set<string>([ErrorCode.Validation, ErrorCode.NotFound]);

interface Run {
  shipment: ClaimedShipment;
  failed?: string;
  lost: boolean;
}

/** The send of one target of one shipment: a resumed or re-run chunk gets the same ids. */
export function shipmentSendIdOf(shipmentId: string, contactId: string): string {
  return sendIdOf(`shipment:${shipmentId}`, contactId);
}

/**
 * Runs shipments (DESIGN §7.4): resolves the audience once into shipment_targets, page by page,
 * while expanding the targets stored so far into send requests, chunk by chunk. Both cursors are
 * committed with the work they account for, under a lease: when an instance dies, the lease runs
 * out and any instance resumes from the cursors. The chunk in flight at the crash is published
 * again with the same send ids; JetStream's duplicate window and the router's decisions keyed by
 * send id make that harmless.
 */
@Injectable()
export class ShipmentRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly runs = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly loop: PollLoop;
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly shipments: ShipmentsRepository,
    private readonly actions: ActionsService,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: CampaignActionsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.loop = new PollLoop(() => this.claimMore(), {
      intervalMs: config.shipments.pollMs,
      onError: (err) => logger.error({ err }, 'shipment claim failed; will try again'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wakeAll();
    await this.loop.stop();
    await Promise.all(this.runs.values());
  }

  /** Looks for work now instead of at the next poll, and wakes the runs waiting for more. */
  nudge(): void {
    this.loop.nudge();
    this.wakeAll();
  }

  /** Claims pending shipments while this instance runs fewer than its concurrency. */
  private async claimMore(): Promise<void> {
    while (this.runs.size < this.config.shipments.concurrency && !this.stopped) {
      const shipment = await this.shipments.claim(this.owner, this.config.shipments.leaseMs, [...this.runs.keys()]);
      if (!shipment) return;
      const run = this.work(shipment).finally(() => this.runs.delete(shipment.id));
      this.runs.set(shipment.id, run);
    }
  }

  private async work(shipment: ClaimedShipment): Promise<void> {
    const run: Run = { shipment, lost: false };
    this.logger.info({ shipmentId: shipment.id, campaignId: shipment.campaignId }, 'shipment claimed');
    await Promise.all([this.resolve(run), this.expand(run)]);
    if (this.stopped && !run.lost)
      await this.shipments.release(shipment.id, this.owner).catch((error: unknown) => {
        this.logger.warn({ err: error, shipmentId: shipment.id }, 'lease not released; it will expire');
      });
  }

  /** Pages through the audience (include minus exclude, each contact once, in id order) into shipment_targets. */
  private async resolve(run: Run): Promise<void> {
    const { shipment } = run;
    if (shipment.resolved) return;
    const audience = AudienceSchema.parse(shipment.audience);
    let from = shipment.targets;
    let after = shipment.resolveAfter;
    while (!this.stopped && !run.lost && !run.failed) {
      try {
        const page = await this.rpc.call(
          preferencesAudiencePage,
          { audience, after, limit: this.config.shipments.audiencePage },
          { timeoutMs: this.config.shipments.audienceTimeoutMs },
        );
        const held = await this.shipments.appendTargets(
          shipment.id,
          this.owner,
          this.config.shipments.leaseMs,
          from,
          page.contactIds,
          page.next,
        );
        if (held === 'lost') {
          run.lost = true;
          return;
        }
        from += page.contactIds.length;
        after = page.next;
        if (page.next === null) return;
      } catch (error) {
        if (error instanceof DomainError && PERMANENT.has(error.code)) {
          run.failed = `audience: ${error.message}`;
          return;
        }
        this.logger.warn({ err: error, shipmentId: shipment.id }, 'audience page failed; will try again');
        await this.sleep(RETRY_MS);
      }
    }
  }

  private async expand(run: Run): Promise<void> {
    const { shipment } = run;
    const { leaseMs, chunk } = this.config.shipments;
    while (!this.stopped && !run.lost) {
      try {
        const n = await this.shipments.expandNext(shipment.id, this.owner, leaseMs, chunk, (targets) =>
          this.actions.publishRequests(this.requestsOf(shipment, targets)),
        );
        if (n === 'lost') {
          run.lost = true;
          return;
        }
        if (n > 0) continue;
        const p = await this.shipments.progress(shipment.id);
        if (p.status !== 'Pending') return;
        if (run.failed) {
          await this.shipments.finish(shipment.id, shipment.campaignId, 'Failed', run.failed);
          this.logger.warn({ shipmentId: shipment.id, error: run.failed }, 'shipment failed');
          return;
        }
        if (p.resolved && p.requested >= p.targets) {
          await this.shipments.finish(shipment.id, shipment.campaignId, 'Completed', null);
          this.logger.info({ shipmentId: shipment.id, targets: p.targets }, 'shipment completed');
          return;
        }
        await this.sleep(CAUGHT_UP_MS);
      } catch (error) {
        this.logger.warn({ err: error, shipmentId: shipment.id }, 'shipment chunk failed; will try again');
        await this.sleep(RETRY_MS);
      }
    }
  }

  private requestsOf(shipment: ClaimedShipment, targets: Target[]): SendRequested[] {
    const now = new Date();
    const requestedAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + this.config.actions.sendExpiresAfterMs).toISOString();
    const campaignId = String(shipment.campaignId);
    return targets.map((t) => ({
      sendId: shipmentSendIdOf(shipment.id, t.contactId),
      messageId: shipment.messageId,
      contactId: t.contactId,
      requestedAt,
      expiresAt,
      deferrals: 0,
      attempt: 0,
      campaignId,
      shipmentId: shipment.id,
    }));
  }

  /** Waits `ms`, or less when nudged or stopped. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
