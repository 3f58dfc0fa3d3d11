import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { trackerShipmentStats } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { gauge, LOGGER, type Logger } from '@switchboard/telemetry';
import { ShipmentsRepository } from './shipments.repository';

/** Running shipments shown at most (each is a few series; more would be a cardinality problem). */
const SHOWN = 50;
const TRACKER_TIMEOUT_MS = 2_000;

const running = gauge({
  name: 'switchboard_shipments_running',
  help: 'Broadcast shipments running (status Pending), read from campaign-actions at each scrape',
  collect: () => collect(),
});
const contacts = gauge<'shipment' | 'campaign' | 'state'>({
  name: 'switchboard_shipment_contacts',
  help:
    'Contacts of each running shipment (at most 50, oldest first) by state: targets (audience resolved so far), ' +
    'queued (send requested, not sent or failed yet), sent, failed (delivery failed, bounced or routing failed)',
  labelNames: ['shipment', 'campaign', 'state'],
  // prom-client reads the gauges of a scrape concurrently: each waits on the one shared read.
  collect: () => collect(),
});

/**
 * Every instance in the process that can read shipments. The gauges are process-wide (prom-client
 * registers a name once), so a scrape reads through whichever instance is still up — in
 * production there is one; in tests several share the process.
 */
const sources = new Set<ShipmentMetrics>();
let pending: Promise<void> | undefined;

/** One read per scrape, shared by both gauges; a failed read shows no shipment rather than stale ones. */
function collect(): Promise<void> {
  pending ??= (async () => {
    const [source] = sources;
    running.reset();
    contacts.reset();
    if (source) await source.fill();
  })().finally(() => (pending = undefined));
  return pending;
}

/**
 * Shipment progress on /metrics (DESIGN §3): campaign-actions knows which shipments run and how
 * far their audience and requests got; the tracker knows what became of the sends.
 */
@Injectable()
export class ShipmentMetrics implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly shipments: ShipmentsRepository,
    private readonly rpc: RpcClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    sources.add(this);
  }

  onApplicationShutdown(): void {
    sources.delete(this);
  }

  async fill(): Promise<void> {
    let shown: Awaited<ReturnType<ShipmentsRepository['running']>>;
    try {
      shown = await this.shipments.running(SHOWN);
    } catch (error) {
      this.logger.warn({ err: error }, 'shipment gauges: shipments not read');
      return;
    }
    running.set(shown.length);
    const figures = new Map<string, { sent: number; failed: number }>();
    if (shown.length > 0) {
      try {
        const reply = await this.rpc.call(
          trackerShipmentStats,
          { shipmentIds: shown.map((s) => s.id) },
          { timeoutMs: TRACKER_TIMEOUT_MS },
        );
        for (const s of reply.shipments)
          figures.set(s.shipmentId, {
            sent: s.total.sent,
            failed: s.total.failed + s.total.bounced + s.total.suppressed,
          });
      } catch (error) {
        this.logger.warn({ err: error }, 'shipment gauges: tracker did not answer; sent and failed left out');
      }
    }
    for (const s of shown) {
      const labels = { shipment: s.id, campaign: String(s.campaignId) };
      contacts.set({ ...labels, state: 'targets' }, s.targets);
      const f = figures.get(s.id);
      if (!f) continue;
      contacts.set({ ...labels, state: 'queued' }, Math.max(0, s.requested - f.sent - f.failed));
      contacts.set({ ...labels, state: 'sent' }, f.sent);
      contacts.set({ ...labels, state: 'failed' }, f.failed);
    }
  }
}
