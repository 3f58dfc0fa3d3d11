import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  DeliveryEventSchema,
  DomainError,
  NatsNames,
  type DeliveryEvent,
  type DeliveryEventKind,
} from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { verifyTrackingToken, type TrackingClaims } from '@switchboard/tracking';
import type { GatewayConfig } from '../gateway.config';

export type TrackingKind = TrackingClaims['kind'];

/**
 * Tracking tokens in, delivery events out. Idempotency keys: an open per dispatch and second, a
 * click per dispatch, URL and second (so a client's double request or a proxy's prefetch counts
 * once, while the contact opening again later is a second event), an unsubscribe once per dispatch.
 */
@Injectable()
export class TrackingService implements OnApplicationBootstrap {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.tracking.secret)
      this.logger.warn('SB_TRACKING_SECRET is not set: every tracking and unsubscribe link is a 404');
  }

  /** The claims of a token of this kind; anything forged, altered or of another kind is a 404. */
  claims(token: string, kind: TrackingKind): TrackingClaims {
    const secret = this.config.tracking.secret;
    const claims = secret && token.length <= 4096 ? verifyTrackingToken(secret, token) : undefined;
    if (!claims || claims.kind !== kind) throw DomainError.notFound();
    return claims;
  }

  /** The click's target, if it is an absolute http(s) URL (the signature already pins it). */
  target(claims: TrackingClaims): string {
    try {
      const url = new URL(claims.url ?? '');
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
    } catch {
      // not a URL
    }
    throw DomainError.notFound();
  }

  opened(claims: TrackingClaims, at = new Date()): Promise<void> {
    return this.publish(claims, 'opened', `${claims.dispatchId}:${second(at)}`, at);
  }

  clicked(claims: TrackingClaims, url: string, at = new Date()): Promise<void> {
    const urlHash = createHash('sha256').update(url).digest('hex').slice(0, 16);
    return this.publish(claims, 'clicked', `${claims.dispatchId}:${urlHash}:${second(at)}`, at, { url });
  }

  unsubscribed(claims: TrackingClaims, at = new Date()): Promise<void> {
    return this.publish(claims, 'unsubscribed', claims.dispatchId, at);
  }

  private async publish(
    claims: TrackingClaims,
    event: DeliveryEventKind,
    key: string,
    at: Date,
    extra: Partial<DeliveryEvent> = {},
  ): Promise<void> {
    const payload = {
      dispatchId: claims.dispatchId,
      sendId: claims.sendId,
      messageId: claims.messageId,
      contactId: claims.contactId,
      channel: claims.channel,
      event,
      occurredAt: at.toISOString(),
      provider: 'tracking',
      ...(claims.campaignId ? { campaignId: claims.campaignId } : {}),
      ...extra,
    };
    await this.publisher.publish({
      subject: this.names.subjects.delivery(claims.channel, event),
      msgId: `tracking:${event}:${key}`,
      schema: DeliveryEventSchema,
      payload: payload as DeliveryEvent,
    });
  }
}

function second(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}
