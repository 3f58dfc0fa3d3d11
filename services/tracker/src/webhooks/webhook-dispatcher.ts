import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { backoffDelay } from '@switchboard/resilience';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { TrackerConfig } from '../tracker.config';
import { AddressPolicy, AddressRefusedError } from './address-policy';
import { WebhookRequester } from './webhook-request';
import { WebhookSignal } from './webhook-signal';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature';
import { WebhooksRepository, type ClaimedDelivery } from './webhooks.repository';

/**
 * Sends the webhook outbox. Each endpoint has its own worker with at most `concurrency` requests
 * in flight, so a slow or failing endpoint only ever holds its own slots; ingest never waits on an
 * endpoint at all. Rows are claimed with SKIP LOCKED, so any number of instances can run this.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly workers = new Map<number, EndpointWorker>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private stopped = false;
  private readonly requester: WebhookRequester;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly signal: WebhookSignal,
    policy: AddressPolicy,
    @Inject(SERVICE_CONFIG) private readonly config: TrackerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.requester = new WebhookRequester(policy);
  }

  onApplicationBootstrap(): void {
    this.signal.listen((ids) => ids.forEach((id) => this.kick(id)));
    this.timer = setInterval(() => void this.poll(), this.config.webhooks.pollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([...this.workers.values()].map((w) => w.idle()));
    this.requester.close();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      for (const id of await this.repo.dueWebhooks()) this.kick(id);
    } catch (error) {
      this.logger.warn({ err: error }, 'webhook poll failed');
    } finally {
      this.polling = false;
    }
  }

  private kick(webhookId: number): void {
    if (this.stopped) return;
    let worker = this.workers.get(webhookId);
    if (!worker) {
      worker = new EndpointWorker(
        webhookId,
        this.repo,
        this.requester,
        this.config.webhooks,
        this.logger,
        () => this.stopped,
      );
      this.workers.set(webhookId, worker);
    }
    worker.pump();
  }
}

class EndpointWorker {
  private inFlight = new Set<Promise<void>>();
  private claiming = false;
  private again = false;

  constructor(
    private readonly webhookId: number,
    private readonly repo: WebhooksRepository,
    private readonly requester: WebhookRequester,
    private readonly options: TrackerConfig['webhooks'],
    private readonly logger: Logger,
    private readonly stopped: () => boolean,
  ) {}

  /** Fills the free slots with due deliveries; called on a signal, a poll, and whenever a request ends. */
  pump(): void {
    if (this.claiming) {
      this.again = true;
      return;
    }
    void this.fill();
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.claiming)
      await Promise.race([...this.inFlight, new Promise((r) => setTimeout(r, 20))]);
  }

  private async fill(): Promise<void> {
    this.claiming = true;
    try {
      do {
        this.again = false;
        const free = this.options.concurrency - this.inFlight.size;
        if (free <= 0 || this.stopped()) break;
        const claimed = await this.repo.claim(this.webhookId, free, this.options.timeoutMs * 2 + 5_000);
        for (const delivery of claimed) {
          const task: Promise<void> = this.send(delivery).finally(() => {
            this.inFlight.delete(task);
            this.pump();
          });
          this.inFlight.add(task);
        }
        if (claimed.length === free) this.again = true;
      } while (this.again);
    } catch (error) {
      this.logger.warn({ err: error, webhookId: this.webhookId }, 'webhook claim failed');
    } finally {
      this.claiming = false;
    }
  }

  private async send(d: ClaimedDelivery): Promise<void> {
    const body = JSON.stringify(d.body);
    let status: number | null = null;
    let error: string;
    let refused = false;
    try {
      const code = await this.requester.post(
        d.url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'Switchboard-Webhooks/1',
          [EVENT_HEADER]: d.type,
          [DELIVERY_HEADER]: d.eventKey,
          [SIGNATURE_HEADER]: signWebhook(d.secret, body, Math.floor(Date.now() / 1000)),
        },
        this.options.timeoutMs,
      );
      if (code >= 200 && code < 300) {
        await this.repo.delivered(d.id);
        return;
      }
      status = code;
      error = `HTTP ${code}`;
    } catch (e) {
      refused = e instanceof AddressRefusedError;
      error = (e as Error).name === 'TimeoutError' ? `no answer in ${this.options.timeoutMs} ms` : (e as Error).message;
    }
    // An internal address stays internal: give up at once rather than knock on it ten times.
    const retryIn =
      refused || d.attempts >= this.options.maxAttempts
        ? null
        : Math.round(
            Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (d.attempts - 1)) / 2 +
              backoffDelay(d.attempts, { baseDelayMs: this.options.backoffMs, maxDelayMs: this.options.maxBackoffMs }) /
                2,
          );
    this.logger.warn(
      { webhookId: this.webhookId, event: d.eventKey, attempt: d.attempts, status, error, retryIn },
      'webhook delivery failed',
    );
    await this.repo
      .attemptFailed(d.id, status, error, retryIn)
      .catch((e: unknown) => this.logger.error({ err: e }, 'webhook bookkeeping failed'));
  }
}
