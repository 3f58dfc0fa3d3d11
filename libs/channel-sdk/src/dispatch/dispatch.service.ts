import { Inject, Injectable } from '@nestjs/common';
import {
  CHANNEL_CONTENT_TYPE,
  DomainError,
  ErrorCode,
  NatsNames,
  type DeliveryEvent,
  type DeliveryEventKind,
  type ContentItem,
  type Dispatch,
  NO_INCENTIVE_LEFT,
  personalise,
  SAMPLE_INCENTIVE_CODE,
  type ContentChoice,
  USES_INCENTIVE,
  trackerShortLinksSave,
  type ShortLink,
  SHORT_LINKS_PER_SAVE,
} from '@switchboard/contracts';
import { EventPublisher, Outcomes, RpcClient, type Delivery, type Outcome } from '@switchboard/messaging';
import { backoffDelay, BreakerOpenError, jitter } from '@switchboard/resilience';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { sampleUrls, shortLinkCode, trackingUrls } from '@switchboard/tracking';
import { AttemptRecorder } from '../attempts/attempt-recorder';
import { AttemptsRepository, type Claim, type FinishedAttempt } from '../attempts/attempts.repository';
import { ContentCache } from '../content/content-cache';
import { IncentiveClaimer } from '../content/incentive-claimer';
import { FeedbackService } from '../feedback/feedback.service';
import { asDeliveryError, DeliveryError, type CallFeedback, type SendResult } from '../provider/channel-provider';
import type { TrackingLinks } from '../define-sender';
import type { ChannelRuntime } from '../provider/channel-runtime';
import { LiquidRenderer, RENDER_STALLED } from '../rendering/liquid.renderer';
import { countDeliveryEvents } from './delivery.metrics';
import type { SenderConfig } from '../sender.config';

/** Delay before a dispatch whose content could not be loaded (catalog down) comes back. */
const CONTENT_RETRY_MS = 5_000;

/** Whether any text of the content (or its layout) uses `incentive` in Liquid. */
function usesIncentive(content: ContentItem): boolean {
  if (content.layout && USES_INCENTIVE.test(content.layout)) return true;
  return Object.values(content.fields).some((v) => typeof v === 'string' && USES_INCENTIVE.test(v));
}

/** What every log line about one dispatch carries. */
const logContext = (d: Delivery<Dispatch>) => ({
  dispatchId: d.data.dispatchId,
  channel: d.data.channel,
  subject: d.subject,
  seq: d.streamSequence,
  deliveryCount: d.deliveryCount,
  correlationId: d.correlationId,
});

interface Prepared {
  index: number;
  delivery: Delivery<Dispatch>;
  dispatch: Dispatch;
  message: unknown;
  /** The variant (or dynamic content) rendered, told on the delivery event. */
  choice: ContentChoice;
  /** The short links the message holds, stored with the rest of its wave before it is sent. */
  shortLinks: ShortLink[];
}

/**
 * Turns a batch of dispatches of one channel into provider calls and delivery events:
 * finished dispatches re-publish their recorded event; the rest are rendered, claimed in the
 * attempts table, sent through the channel's breaker in parallel, classified, recorded and
 * published. Provider attempts are counted in the table, not in JetStream deliveries, so a
 * dispatch waiting on an open breaker never uses up its retries.
 */
@Injectable()
export class DispatchService {
  constructor(
    private readonly attempts: AttemptsRepository,
    private readonly recorder: AttemptRecorder,
    private readonly content: ContentCache,
    private readonly incentives: IncentiveClaimer,
    private readonly rpc: RpcClient,
    private readonly liquid: LiquidRenderer,
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    private readonly feedback: FeedbackService,
    @Inject(SERVICE_CONFIG) private readonly config: SenderConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** How long a "sending" claim keeps other workers off a dispatch (a crashed worker's claim expires). */
  get leaseMs(): number {
    return this.config.breaker.timeoutMs * 2 + 10_000;
  }

  async handle(runtime: ChannelRuntime, batch: Delivery<Dispatch>[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = batch.map(() => Outcomes.done());
    const events: DeliveryEvent[] = [];
    const finished: FinishedAttempt[] = [];
    const finish = (dispatch: Dispatch, result: Omit<FinishedAttempt, 'dispatchId' | 'channel' | 'contactId'>) => {
      finished.push({
        dispatchId: dispatch.dispatchId,
        channel: dispatch.channel,
        contactId: dispatch.contact.id,
        ...result,
      });
      if (result.event) events.push(result.event);
    };

    const known = await this.attempts.find(batch.map((d) => d.data.dispatchId));
    let todo: number[] = [];
    const seen = new Set<string>();
    batch.forEach(({ data }, index) => {
      const row = known.get(data.dispatchId);
      if ((row?.status === 'sent' || row?.status === 'failed') && row.event) {
        events.push(row.event); // a redelivery: tell again what happened, send nothing
      } else if (data.channel !== runtime.channel) {
        outcomes[index] = Outcomes.poison(`a ${data.channel} dispatch on the ${runtime.channel} subject`);
      } else if (seen.has(data.dispatchId)) {
        outcomes[index] = Outcomes.retry(jitter(CONTENT_RETRY_MS), 'the same dispatch is in this batch twice');
      } else {
        seen.add(data.dispatchId);
        todo.push(index);
      }
    });

    if (todo.length > 0 && runtime.breaker.state === 'open') {
      for (const index of todo) outcomes[index] = this.breakerOpen(runtime);
      todo = [];
    }

    const prepared: Prepared[] = [];
    await Promise.all(
      todo.map(async (index) => {
        const dispatch = batch[index].data;
        try {
          prepared.push({ index, delivery: batch[index], dispatch, ...(await this.prepare(runtime, dispatch)) });
        } catch (error) {
          if (error instanceof DeliveryError && error.permanent) {
            finish(dispatch, {
              status: 'failed',
              calls: 0,
              lastError: error.message,
              event: this.failedEvent(runtime, dispatch, error, 0),
            });
          } else {
            this.logger.warn({ ...logContext(batch[index]), err: error }, 'content not available or not rendered yet');
            outcomes[index] = Outcomes.retry(jitter(CONTENT_RETRY_MS), (error as Error).message);
          }
        }
      }),
    );

    // Claimed and called a wave at a time, SENDER_BATCH_SIZE dispatches at most: a batch message
    // holds up to 1,000, and claiming them all at once put 1,000 calls behind a pool of 5 SMTP
    // connections, where the last ones timed out (15 s) although the provider took them, and were
    // sent again; a crash re-sent every one of them. The chaos suite measured 11,046 repeated
    // emails in a 20,000-contact campaign that way (docs/guarantees.md). With waves, an instance
    // has at most SENDER_BATCH_SIZE × SENDER_CONCURRENCY calls in flight, which bounds both.
    const wave = Math.max(1, this.config.delivery.batchSize);
    for (let start = 0; start < prepared.length; start += wave) {
      await this.sendWave(runtime, prepared.slice(start, start + wave), outcomes, events);
    }

    await Promise.all(finished.map((f) => this.recorder.record(f)));
    // No schema check: every event is built here from a validated dispatch (or was, when first recorded).
    await this.publisher.publishAll(
      events.map((event) => ({
        subject: this.names.subjects.delivery(event.channel, event.event),
        payload: event,
        msgId: `${event.dispatchId}:${event.event}`,
      })),
    );
    countDeliveryEvents(runtime.provider.name, finished);
    return outcomes;
  }

  /**
   * Keeps what the wave's messages need once sent (the channel's `keep` and the short links), claims
   * the wave and calls the provider for each claimed dispatch.
   */
  private async sendWave(
    runtime: ChannelRuntime,
    wave: Prepared[],
    outcomes: Outcome[],
    events: DeliveryEvent[],
  ): Promise<void> {
    try {
      // Before the claim: a wave that could not be kept comes back without holding a lease.
      await Promise.all([
        runtime.keep(wave.map(({ dispatch, message }) => ({ dispatch, message }))),
        this.saveShortLinks(wave.flatMap((p) => p.shortLinks)),
      ]);
    } catch (error) {
      this.logger.warn(
        { channel: runtime.channel, dispatches: wave.length, err: error },
        'what the messages need once sent was not stored; sending them later',
      );
      for (const { index } of wave)
        outcomes[index] = Outcomes.retry(jitter(CONTENT_RETRY_MS), `not kept: ${(error as Error).message}`);
      return;
    }
    const claimed = await this.attempts.claim(
      wave.map((p) => ({
        dispatchId: p.dispatch.dispatchId,
        channel: p.dispatch.channel,
        contactId: p.dispatch.contact.id,
      })),
      this.leaseMs,
    );
    await Promise.all(
      wave.map(async ({ index, delivery, dispatch, message, choice }) => {
        const claim = claimed.get(dispatch.dispatchId);
        if (claim === undefined) {
          outcomes[index] = Outcomes.retry(
            jitter(Math.min(this.leaseMs, CONTENT_RETRY_MS)),
            'another worker is sending it',
          );
          return;
        }
        outcomes[index] = await this.send(runtime, delivery, message, choice, claim, async (d, result) => {
          await this.recorder.record({
            dispatchId: d.dispatchId,
            channel: d.channel,
            contactId: d.contact.id,
            ...result,
          });
          if (result.event) events.push(result.event);
          countDeliveryEvents(runtime.provider.name, [result]);
        });
      }),
    );
  }

  /**
   * Stores a wave's short links in the tracker, one RPC for up to SHORT_LINKS_PER_SAVE of them: a link
   * must resolve the moment the text arrives. Saving one again changes nothing.
   */
  private async saveShortLinks(links: ShortLink[]): Promise<void> {
    const unique = [...new Map(links.map((link) => [link.code, link])).values()];
    for (let start = 0; start < unique.length; start += SHORT_LINKS_PER_SAVE) {
      await this.rpc.call(trackerShortLinksSave, { links: unique.slice(start, start + SHORT_LINKS_PER_SAVE) });
    }
  }

  /**
   * Renders and sends one test message now (sb.rpc.senders.test.<channel>): unpublished content
   * too, through the breaker, with links that track nothing; no attempt row and no delivery
   * event, so nothing counts it.
   */
  async sendTest(runtime: ChannelRuntime, dispatch: Dispatch): Promise<SendResult> {
    const sample = sampleUrls(this.config.tracking.publicUrl);
    const { message } = await this.prepare(runtime, dispatch, { ...sample, short: sample.click });
    return runtime.breaker.fire(message, dispatch);
  }

  /** `testLinks`: a test send, which may render unpublished content. */
  private async prepare(
    runtime: ChannelRuntime,
    dispatch: Dispatch,
    testLinks?: TrackingLinks,
  ): Promise<{ message: unknown; choice: ContentChoice; shortLinks: ShortLink[] }> {
    let stored;
    try {
      stored = await this.content.get(CHANNEL_CONTENT_TYPE[dispatch.channel], dispatch.contentId);
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.NotFound) {
        throw DeliveryError.permanent(
          'content_not_found',
          `${dispatch.channel} content ${dispatch.contentId} does not exist`,
        );
      }
      throw error;
    }
    if (!stored.isPublished && !testLinks) {
      throw DeliveryError.permanent(
        'content_unpublished',
        `${dispatch.channel} content ${dispatch.contentId} is not published`,
      );
    }
    // The variant of the moment the dispatch is rendered: its local time and weekday are now's.
    const { content, choice } = personalise(stored, dispatch.contact, new Date());
    const shortLinks = new Map<string, ShortLink>();
    const links = testLinks ?? this.trackingLinks(dispatch, shortLinks);
    const incentive = await this.incentiveFor(dispatch, content, testLinks !== undefined);
    let message: unknown;
    try {
      message = await runtime.render({
        dispatch,
        content,
        links,
        test: testLinks !== undefined,
        liquid: this.liquid.forContact(dispatch, links.unsubscribe, {
          ...runtime.liquidScope,
          ...(incentive ? { incentive } : {}),
        }),
      });
    } catch (error) {
      // The same content renders the same way next time: a renderer's error is never worth a retry,
      // unless the render was only starved of CPU (LiquidRenderer).
      if (error instanceof DeliveryError)
        throw error.permanent || error.code === RENDER_STALLED
          ? error
          : DeliveryError.permanent(error.code, error.message, error);
      throw DeliveryError.permanent('render_error', (error as Error).message, error);
    }
    // Stored with the rest of the wave, before the claim (sendWave); a test send's links store nothing.
    return { message, choice, shortLinks: [...shortLinks.values()] };
  }

  /** The signed links of one dispatch (DESIGN §7.6); `shortLinks` collects the short ones the renderer asks for. */
  private trackingLinks(dispatch: Dispatch, shortLinks: Map<string, ShortLink>): TrackingLinks {
    const { publicUrl, secret, shortUrl = publicUrl } = this.config.tracking;
    const urls = trackingUrls(publicUrl, secret, {
      dispatchId: dispatch.dispatchId,
      sendId: dispatch.sendId,
      messageId: dispatch.messageId,
      contactId: dispatch.contact.id,
      channel: dispatch.channel,
      ...(dispatch.campaignId ? { campaignId: dispatch.campaignId } : {}),
    });
    return {
      openPixel: urls.openPixel,
      click: urls.click,
      unsubscribe: urls.unsubscribe,
      webview: urls.webview,
      short: (url) => {
        const token = urls.clickToken(url);
        const code = shortLinkCode(secret, token);
        shortLinks.set(code, { code, token, messageId: dispatch.messageId, url });
        return `${shortUrl}/s/${code}`;
      },
    };
  }

  /**
   * `{{ incentive.code }}` (DESIGN §7.2): the send's code of the content's pool, claimed once per
   * send (a redelivery or a re-route gets it back); a sample for a test. No code left is a skip of
   * the channel, which the router reports as `content_unavailable`.
   */
  private async incentiveFor(
    dispatch: Dispatch,
    content: ContentItem,
    test: boolean,
  ): Promise<{ code: string } | undefined> {
    const incentiveId = content.fields.incentiveId;
    if (typeof incentiveId !== 'number' || !usesIncentive(content)) return undefined;
    if (test) return { code: SAMPLE_INCENTIVE_CODE };
    const code = await this.incentives.claim({ incentiveId, sendId: dispatch.sendId });
    if (code === null) throw DeliveryError.permanent('content_unavailable', NO_INCENTIVE_LEFT);
    return { code };
  }

  private async send(
    runtime: ChannelRuntime,
    delivery: Delivery<Dispatch>,
    message: unknown,
    choice: ContentChoice,
    claim: Claim,
    /** Records the call at once: a crash after it returns must not make it again. */
    finish: (
      dispatch: Dispatch,
      result: Omit<FinishedAttempt, 'dispatchId' | 'channel' | 'contactId'>,
    ) => Promise<void>,
  ): Promise<Outcome> {
    const dispatch = delivery.data;
    const attempt = claim.callsBefore + 1;
    const resent = claim.crashResends > 0 ? { resentAfterCrash: claim.crashResends } : {};
    if (claim.crashResends > 0)
      this.logger.warn(
        { ...logContext(delivery), crashResends: claim.crashResends },
        'sending again a dispatch whose earlier call was never recorded (its worker died mid-call)',
      );
    let result: SendResult;
    try {
      result = await runtime.breaker.fire(message, dispatch);
    } catch (error) {
      if (error instanceof BreakerOpenError) {
        await finish(dispatch, { status: 'pending', calls: 0, lastError: error.message });
        return this.breakerOpen(runtime);
      }
      const failure = asDeliveryError(error);
      await this.reportCallFeedback(delivery, failure.feedback);
      const log = { ...logContext(delivery), attempt, code: failure.code, permanent: failure.permanent };
      if (failure.permanent || attempt >= this.config.delivery.maxAttempts) {
        this.logger.warn({ ...log, err: failure.message }, 'delivery failed');
        await finish(dispatch, {
          status: 'failed',
          calls: 1,
          lastError: failure.message,
          event: { ...this.failedEvent(runtime, dispatch, failure, attempt, resent), ...choice },
        });
        return Outcomes.done();
      }
      const delayMs = backoffDelay(attempt, {
        baseDelayMs: this.config.delivery.retryBaseMs,
        maxDelayMs: this.config.delivery.retryMaxMs,
      });
      this.logger.info({ ...log, err: failure.message, delayMs }, 'transient failure, retrying');
      await finish(dispatch, { status: 'pending', calls: 1, lastError: failure.message });
      return Outcomes.retry(delayMs, failure.message);
    }
    await this.reportCallFeedback(delivery, result.feedback ?? []);
    await finish(dispatch, {
      status: 'sent',
      calls: 1,
      event: this.event(runtime, dispatch, 'sent', {
        providerMessageId: result.providerMessageId,
        meta: { ...result.meta, attempts: attempt, ...resent },
        ...choice,
      }),
    });
    return Outcomes.done();
  }

  /**
   * Stored on the channel's feedback stream before the attempt is recorded, so a crash in between
   * loses nothing (the redelivered dispatch calls again and the same report is stored once); the
   * feedback consumer publishes it once the dispatch is recorded. Not fatal when NATS refuses it:
   * the next send to that target is refused again and reports it then.
   */
  private async reportCallFeedback(delivery: Delivery<Dispatch>, feedback: CallFeedback[]): Promise<void> {
    if (feedback.length === 0) return;
    const dispatch = delivery.data;
    try {
      await this.feedback.submit(
        dispatch.channel,
        feedback.map((f) => ({ ...f, dispatchId: dispatch.dispatchId })),
      );
    } catch (error) {
      this.logger.warn({ ...logContext(delivery), err: error }, 'could not store the feedback of a provider call');
    }
  }

  /** Come back about when the breaker lets a probe through; the attempt is not counted. */
  private breakerOpen(runtime: ChannelRuntime): Outcome {
    return Outcomes.retry(
      jitter(this.config.breaker.resetTimeoutMs),
      `${runtime.channel} provider ${runtime.provider.name} is down (breaker open)`,
    );
  }

  private failedEvent(
    runtime: ChannelRuntime,
    dispatch: Dispatch,
    failure: DeliveryError,
    attempts: number,
    extraMeta: Record<string, unknown> = {},
  ): DeliveryEvent {
    return this.event(runtime, dispatch, 'failed', {
      error: {
        code: failure.code,
        message:
          failure.permanent || attempts === 0
            ? failure.message
            : `${failure.message} (gave up after ${attempts} attempts)`,
        permanent: failure.permanent,
      },
      meta: { attempts, ...extraMeta },
    });
  }

  private event(
    runtime: ChannelRuntime,
    dispatch: Dispatch,
    event: DeliveryEventKind,
    extra: Partial<DeliveryEvent>,
  ): DeliveryEvent {
    return {
      dispatchId: dispatch.dispatchId,
      sendId: dispatch.sendId,
      messageId: dispatch.messageId,
      contactId: dispatch.contact.id,
      channel: dispatch.channel,
      event,
      occurredAt: new Date().toISOString(),
      provider: runtime.provider.name,
      ...(dispatch.campaignId !== undefined ? { campaignId: dispatch.campaignId } : {}),
      ...(dispatch.campaignEventId !== undefined ? { campaignEventId: dispatch.campaignEventId } : {}),
      ...(dispatch.shipmentId !== undefined ? { shipmentId: dispatch.shipmentId } : {}),
      ...extra,
    };
  }
}
