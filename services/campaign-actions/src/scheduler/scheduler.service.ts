import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { NatsNames, SendRequestedSchema, type RoutingOutcome } from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { PollLoop, SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { CampaignActionsConfig } from '../campaign-actions.config';
import { ScheduledSendsRepository, type ScheduledSend } from './scheduled-sends.repository';

const PURGE_EVERY_MS = 3_600_000;

/**
 * The deferred-send scheduler (DESIGN §4.5): keeps send requests due later in PostgreSQL and
 * re-emits them when due. Several instances poll at once; `FOR UPDATE SKIP LOCKED` gives each row
 * to one of them, and the `Nats-Msg-Id` of a re-emit drops a second one that slips through.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: PollLoop;
  private lastPurge = 0;

  constructor(
    private readonly repository: ScheduledSendsRepository,
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    @Inject(SERVICE_CONFIG) private readonly config: CampaignActionsConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.loop = new PollLoop(() => this.pass(), {
      intervalMs: config.scheduler.pollMs,
      onError: (err) => logger.error({ err }, 'scheduler pass failed; will try again'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  async schedule(sends: ScheduledSend[]): Promise<void> {
    await this.repository.schedule(sends);
  }

  /** A deferred outcome → the same send, one more deferral, due at `retryAt`. Undefined when the outcome lacks what it takes. */
  fromDeferredOutcome(outcome: RoutingOutcome): ScheduledSend | undefined {
    if (!outcome.request || !outcome.retryAt) return undefined;
    const attempt = outcome.attempt ?? outcome.request.attempt ?? 0;
    const deferrals = (outcome.deferrals ?? outcome.request.deferrals ?? 0) + 1;
    return {
      sendId: outcome.sendId,
      attempt,
      deferrals,
      msgId: `${outcome.sendId}:${attempt}:d${deferrals}`,
      dueAt: outcome.retryAt,
      payload: { ...outcome.request, attempt, deferrals },
    };
  }

  /** Emits every due send now (one claim after another until none is due); returns how many. */
  async emitDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.repository.emitDue(this.config.scheduler.batchSize, (sends) =>
        this.publisher
          .publishAll(
            sends.map((s) => ({
              subject: this.names.subjects.sendRequested(),
              msgId: s.msgId,
              schema: SendRequestedSchema,
              payload: s.payload,
            })),
          )
          .then(() => undefined),
      );
      total += n;
      if (n < this.config.scheduler.batchSize) return total;
    }
  }

  /** Emits what is due, and once an hour forgets the sends emitted longer ago than the retention. */
  private async pass(): Promise<void> {
    await this.emitDue();
    if (Date.now() - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = Date.now();
      await this.repository.purgeEmittedBefore(new Date(Date.now() - this.config.scheduler.retentionMs));
    }
  }
}
