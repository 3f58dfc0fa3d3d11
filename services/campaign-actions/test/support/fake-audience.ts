import { Injectable, Module } from '@nestjs/common';
import {
  preferencesAudienceCount,
  preferencesAudiencePage,
  trackerShipmentStats,
  STAT_FIGURES,
  type Audience,
  type StatFigures,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { ServiceKitModule, type RunningService } from '@switchboard/service-kit';
import { createLogger } from '@switchboard/telemetry';
import { startTestService, type TestEnv } from '@switchboard/testing';

/** Contact ids `c0000000`..: sorted as strings in the order of their numbers. */
export const contactIdOf = (i: number) => `c${String(i).padStart(7, '0')}`;

/**
 * preferences' audience operations over a fixed list of contacts (every audience is all of them),
 * with an optional delay per page so a test can act while a shipment is being resolved.
 */
@Injectable()
export class FakeAudience {
  size = 0;
  pageDelayMs = 0;
  readonly pages: { audience: Audience; after: string | null; limit: number }[] = [];

  @RpcHandler(preferencesAudiencePage)
  async page(req: { audience: Audience; after: string | null; limit: number }) {
    this.pages.push(req);
    if (this.pageDelayMs) await new Promise((r) => setTimeout(r, this.pageDelayMs));
    const start = req.after === null ? 0 : Number(req.after.slice(1)) + 1;
    const end = Math.min(this.size, start + req.limit);
    const contactIds = Array.from({ length: Math.max(0, end - start) }, (_, i) => contactIdOf(start + i));
    return { contactIds, next: end < this.size ? contactIdOf(end - 1) : null };
  }

  @RpcHandler(preferencesAudienceCount)
  async count() {
    return { count: this.size };
  }
}

/** The tracker's shipment figures: every shipment has `sent` and `failed` sends. */
@Injectable()
export class FakeTracker {
  sent = 0;
  failed = 0;

  @RpcHandler(trackerShipmentStats)
  stats(req: { shipmentIds: string[] }) {
    const total = Object.fromEntries(STAT_FIGURES.map((f) => [f, 0])) as StatFigures;
    total.sent = this.sent;
    total.failed = this.failed;
    return {
      shipments: req.shipmentIds.map((shipmentId) => ({
        shipmentId,
        messageId: null,
        campaignId: null,
        total,
        channels: {},
        daily: [],
      })),
    };
  }
}

export async function startFakeAudience(
  env: TestEnv,
): Promise<{ service: RunningService; audience: FakeAudience; tracker: FakeTracker }> {
  @Module({
    imports: [
      ServiceKitModule.forRoot({ service: 'fakes', config: env.config, logger: createLogger('fakes', 'silent') }),
    ],
    providers: [FakeAudience, FakeTracker],
  })
  class FakesModule {}
  const service = await startTestService({ service: 'fakes', module: FakesModule });
  return { service, audience: service.app.get(FakeAudience), tracker: service.app.get(FakeTracker) };
}
