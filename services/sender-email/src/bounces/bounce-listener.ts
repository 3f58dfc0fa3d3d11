import type { AddressInfo } from 'node:net';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { FeedbackReport } from '@switchboard/contracts';
import { FeedbackService } from '@switchboard/channel-sdk';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { dispatchOfBounceAddress } from '@switchboard/tracking';
import type { EmailConfig } from '../sender-email.config';
import { parseReport } from './report-parser';

/** Reports are small; a quoted original with attachments is cut off by the reporting MTA anyway. */
const MAX_REPORT_BYTES = 5 * 1024 * 1024;

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The return path's MX (DESIGN §6): an inbound SMTP listener that takes mail for the bounce
 * domain, reads DSN (RFC 3464) and ARF (RFC 5965) reports, and turns each into a delivery event of
 * the dispatch its VERP address names. Mail for other domains is refused (no relaying); mail that
 * is no report (an auto-reply) is accepted and dropped. When the event cannot be published the
 * answer is 451, so the reporting MTA tries again.
 */
@Injectable()
export class BounceListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: SMTPServer;
  /** The bound port (the configured one, or the one picked for port 0). */
  port?: number;

  constructor(
    private readonly feedback: FeedbackService,
    @Inject(SERVICE_CONFIG) private readonly config: EmailConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listen = this.config.bounces.listen;
    if (!listen) return;
    const domain = this.config.bounces.domain?.toLowerCase();
    const secret = this.config.tracking.secret;
    const server = new SMTPServer({
      name: domain ?? 'switchboard-bounces',
      banner: 'Switchboard bounce processor',
      logger: false,
      disableReverseLookup: true,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAX_REPORT_BYTES,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        const at = address.address.lastIndexOf('@');
        const ours =
          dispatchOfBounceAddress(secret, address.address) !== undefined ||
          (domain !== undefined && address.address.slice(at + 1).toLowerCase() === domain);
        if (!ours) return callback(smtpError(550, `5.7.1 ${address.address}: relaying denied`));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            return callback(smtpError(552, '5.3.4 Report too large'));
          }
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          this.receive(Buffer.concat(chunks).toString('utf8'), recipients).then(
            () => callback(null, 'Report accepted'),
            (err: unknown) => {
              this.logger.warn({ err }, 'could not record a bounce report; the sender will retry');
              callback(smtpError(451, '4.3.0 Try again later'));
            },
          );
        });
      },
    });
    server.on('error', (err) => this.logger.debug({ err }, 'bounce listener client error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    this.logger.info({ host: listen.host, port: this.port, domain }, 'bounce listener up');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** One received mail → at most one feedback report. */
  async receive(raw: string, recipients: string[]): Promise<void> {
    const report = parseReport(raw);
    if (!report) {
      this.logger.info({ recipients }, 'mail to the return path that is no DSN or ARF report: dropped');
      return;
    }
    const secret = this.config.tracking.secret;
    // Only a signed return path names a dispatch: the envelope recipient, or, for an ARF sent to a
    // feedback-loop address, the quoted original's Return-Path. A Message-ID is no proof (every
    // recipient sees it), so a report without a valid token changes nothing.
    const dispatchId =
      recipients.map((r) => dispatchOfBounceAddress(secret, r)).find(Boolean) ??
      dispatchOfBounceAddress(secret, report.text);
    if (!dispatchId) {
      this.logger.info({ recipients, kind: report.kind }, 'a report without a valid return-path token: dropped');
      return;
    }
    const { outcome } = report;
    const feedback: FeedbackReport = {
      event: outcome.event,
      dispatchId,
      ...(outcome.event === 'bounced' ? { bounce: outcome.bounce } : {}),
      ...(outcome.code ? { code: outcome.code } : {}),
      ...(outcome.diagnostic ? { diagnostic: outcome.diagnostic.slice(0, 2_000) } : {}),
      ...(report.reportId ? { reportId: report.reportId } : {}),
      source: report.kind,
    };
    // Stored before the 250: the report is matched (and waited for, if the send is not recorded yet) from the stream.
    await this.feedback.submit('email', [feedback]);
    this.logger.info({ dispatchId, kind: report.kind, event: outcome.event }, 'report received');
  }
}
