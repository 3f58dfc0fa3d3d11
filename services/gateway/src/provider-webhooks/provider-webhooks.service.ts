import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import {
  DomainError,
  ErrorCode,
  feedbackReportedMsgId,
  NatsNames,
  type Channel,
  type FeedbackReport,
  type FeedbackReported,
} from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { GatewayConfig } from '../gateway.config';
import { sendgridReports, sesReport, twilioReport } from './feedback-mapping';
import { sendgridPublicKey, verifySendgridSignature } from './sendgrid-signature';
import { verifySnsSignature, type SnsMessage } from './sns-signature';
import { verifyTwilioSignature } from './twilio-signature';

export interface ProviderRequest {
  /** The path and query the provider called (`/webhooks/providers/twilio?x=1`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const header = (req: ProviderRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const unauthorized = (why: string) => new DomainError(ErrorCode.Unauthorized, why);

/**
 * Provider webhooks (DESIGN §6): each is checked with its provider's own signature scheme before
 * anything is read from it — a forged or unsigned call is a 401 and changes nothing — then mapped
 * to feedback reports and handed to a sender of the channel, which finds the dispatches and
 * publishes the delivery events.
 */
@Injectable()
export class ProviderWebhooksService {
  private readonly certs = new Map<string, Promise<string>>();
  private sendgridKey?: KeyObject;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async receive(name: string, req: ProviderRequest): Promise<{ accepted: number }> {
    switch (name) {
      case 'twilio':
        return this.forward('sms', this.twilio(req));
      case 'sendgrid':
        return this.forward('email', this.sendgrid(req));
      case 'ses':
        return this.forward('email', await this.ses(req));
      default:
        throw DomainError.notFound(`No provider webhook is called ${name}.`);
    }
  }

  private twilio(req: ProviderRequest): FeedbackReport[] {
    const token = this.config.providers.twilioAuthToken;
    if (!token) throw unauthorized('Twilio callbacks are not configured (TWILIO_AUTH_TOKEN).');
    const params = new URLSearchParams(req.body.toString('utf8'));
    const url = `${this.config.http.publicUrl}${req.url}`;
    if (!verifyTwilioSignature(token, url, params, header(req, 'x-twilio-signature'))) {
      throw unauthorized('The X-Twilio-Signature does not match.');
    }
    const report = twilioReport(params);
    return report ? [report] : [];
  }

  private sendgrid(req: ProviderRequest): FeedbackReport[] {
    const configured = this.config.providers.sendgridPublicKey;
    if (!configured) throw unauthorized('SendGrid events are not configured (SENDGRID_WEBHOOK_PUBLIC_KEY).');
    this.sendgridKey ??= sendgridPublicKey(configured);
    const ok = verifySendgridSignature(
      this.sendgridKey,
      req.body,
      header(req, 'x-twilio-email-event-webhook-signature'),
      header(req, 'x-twilio-email-event-webhook-timestamp'),
    );
    if (!ok) throw unauthorized('The SendGrid event webhook signature does not match.');
    try {
      return sendgridReports(JSON.parse(req.body.toString('utf8')));
    } catch {
      throw DomainError.validation({ body: ['A JSON array of events is required.'] });
    }
  }

  private async ses(req: ProviderRequest): Promise<FeedbackReport[]> {
    let message: SnsMessage;
    try {
      message = JSON.parse(req.body.toString('utf8')) as SnsMessage;
    } catch {
      throw unauthorized('Not an SNS message.');
    }
    const { certUrlPattern, topicArns } = this.config.providers.sns;
    if (typeof message.SigningCertURL !== 'string' || !certUrlPattern.test(message.SigningCertURL)) {
      throw unauthorized('The SNS signing certificate is not from an allowed host.');
    }
    if (topicArns.length > 0 && !topicArns.includes(message.TopicArn)) throw unauthorized('Unknown SNS topic.');
    const cert = await this.certificate(message.SigningCertURL);
    if (!verifySnsSignature(message, cert)) throw unauthorized('The SNS signature does not match.');
    if (message.Type === 'SubscriptionConfirmation' && message.SubscribeURL) {
      if (!certUrlPattern.test(message.SubscribeURL)) throw unauthorized('The SubscribeURL is not an SNS URL.');
      const res = await fetch(message.SubscribeURL, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
      this.logger.info({ topic: message.TopicArn, status: res.status }, 'confirmed the SNS subscription');
      return [];
    }
    if (message.Type !== 'Notification') return [];
    const report = sesReport(message.Message, this.config.tracking.secret);
    return report ? [report] : [];
  }

  /** SNS signing certificates, fetched once per URL (only from hosts the pattern allows; no redirects). */
  private certificate(url: string): Promise<string> {
    let cert = this.certs.get(url);
    if (!cert) {
      cert = fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' }).then(async (res) => {
        const pem = await res.text();
        if (!res.ok || !pem.includes('BEGIN CERTIFICATE')) throw new Error(`no certificate at ${url}`);
        return pem;
      });
      cert.catch(() => this.certs.delete(url));
      this.certs.set(url, cert);
    }
    return cert.catch(() => {
      throw unauthorized('The SNS signing certificate could not be fetched.');
    });
  }

  /**
   * Stores the reports on the channel's feedback stream and answers only once JetStream has them:
   * the sender matches them to their dispatches from there, waiting for one it has not recorded
   * yet (a callback may outrun the sender's record of the provider's answer). NATS unreachable:
   * 503, and the provider calls again later.
   */
  private async forward(channel: Channel, reports: FeedbackReport[]): Promise<{ accepted: number }> {
    if (reports.length === 0) return { accepted: 0 };
    const receivedAt = new Date().toISOString();
    try {
      await this.publisher.publishAll(
        reports.map((report) => {
          const payload: FeedbackReported = { ...report, channel, receivedAt };
          return {
            subject: this.names.subjects.feedbackReported(channel),
            payload,
            msgId: feedbackReportedMsgId(payload),
          };
        }),
      );
    } catch (error) {
      this.logger.warn(
        { err: error, channel, reports: reports.length },
        'provider feedback not stored; the provider will retry',
      );
      throw new DomainError(ErrorCode.Unavailable, 'Feedback cannot be stored right now; try again later.');
    }
    return { accepted: reports.length };
  }
}
