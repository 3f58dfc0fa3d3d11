import { connect, type SmppClientPdu, type SmppClientSession } from 'smpp';
import { DeliveryError, type ChannelProvider, type FeedbackReporter, type SendResult } from '@switchboard/channel-sdk';
import type { Logger } from '@switchboard/telemetry';
import type { SmsConfig } from '../sender-sms.config';
import { receiptReport } from './smpp-receipt';
import type { SmsMessage } from './sms.renderer';

/** SMPP 3.4 command_status values that concern the recipient or the message: sending it again cannot help. */
const PERMANENT_STATUS: Record<number, string> = {
  0x01: 'ESME_RINVMSGLEN',
  0x0a: 'ESME_RINVSRCADR',
  0x0b: 'ESME_RINVDSTADR',
  0x48: 'ESME_RINVSRCTON',
  0x49: 'ESME_RINVSRCNPI',
  0x50: 'ESME_RINVDSTTON',
  0x51: 'ESME_RINVDSTNPI',
  0x61: 'ESME_RINVSCHED',
  0x62: 'ESME_RINVEXPIRY',
};
const TRANSIENT_STATUS: Record<number, string> = {
  0x08: 'ESME_RSYSERR',
  0x14: 'ESME_RMSGQFUL',
  0x45: 'ESME_RSUBMITFAIL',
  0x58: 'ESME_RTHROTTLED',
};

export function classifySmppStatus(status: number): DeliveryError {
  const hex = `0x${status.toString(16).padStart(2, '0')}`;
  const permanent = PERMANENT_STATUS[status];
  if (permanent)
    return DeliveryError.permanent(
      `smpp_${permanent.toLowerCase()}`,
      `The SMSC refused the message: ${permanent} (${hex})`,
    );
  const name = TRANSIENT_STATUS[status] ?? `status ${hex}`;
  return DeliveryError.transient(
    `smpp_${(TRANSIENT_STATUS[status] ?? hex).toLowerCase()}`,
    `The SMSC did not take the message: ${name}`,
  );
}

const ENQUIRE_LINK_MS = 30_000;
/** deliver_sm_resp status asking the SMSC to deliver the receipt again later (SMPP 3.4 ESME_RX_T_APPN). */
const ESME_RX_T_APPN = 0x64;

/**
 * SMPP 3.4 as an ESME (`smpp` package): one bound transceiver session, opened on first use and
 * again after the SMSC drops it; each message is one submit_sm (the message_payload TLV when it
 * needs more than one segment). Delivery receipts (deliver_sm) that come back on the session are
 * stored as feedback before they are acknowledged, so an SMSC whose receipt could not be stored
 * sends it again.
 */
export class SmppProvider implements ChannelProvider<SmsMessage> {
  readonly name = 'smpp';
  private session?: Promise<SmppClientSession>;
  private current?: SmppClientSession;
  private closed = false;

  constructor(
    private readonly config: SmsConfig['sms']['smpp'],
    private readonly feedback: FeedbackReporter,
    private readonly logger: Logger,
  ) {}

  async send(message: SmsMessage): Promise<SendResult> {
    const session = await this.bound();
    const source = message.senderId ?? this.config.sourceAddr;
    const numeric = /^\+?\d+$/.test(source);
    const pdu = await this.request(session, 'submit_sm', {
      source_addr: source.replace(/^\+/, ''),
      source_addr_ton: numeric ? 1 : 5, // international / alphanumeric
      source_addr_npi: numeric ? 1 : 0,
      destination_addr: message.to.replace(/^\+/, ''),
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      registered_delivery: 1,
      ...(message.segments.segments > 1 ? { message_payload: message.body } : { short_message: message.body }),
    });
    if (pdu.command_status !== 0) throw classifySmppStatus(pdu.command_status);
    return {
      providerMessageId: pdu.message_id,
      meta: { segments: message.segments.segments, encoding: message.segments.encoding },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = await this.session?.catch(() => undefined);
    if (!session) return;
    await Promise.race([
      this.request(session, 'unbind', {}).catch(() => undefined),
      new Promise((r) => setTimeout(r, 1_000).unref()),
    ]);
    session.destroy();
  }

  private bound(): Promise<SmppClientSession> {
    if (this.closed) return Promise.reject(DeliveryError.transient('smpp_closed', 'the SMPP provider is shut down'));
    this.session ??= this.open().catch((error: unknown) => {
      this.session = undefined;
      throw error;
    });
    return this.session;
  }

  private open(): Promise<SmppClientSession> {
    return new Promise((resolve, reject) => {
      const session: SmppClientSession = connect({ url: this.config.url, auto_enquire_link_period: ENQUIRE_LINK_MS });
      session.setMaxListeners(0);
      const lost = (error?: Error) => {
        if (this.current === session) {
          this.current = undefined;
          this.session = undefined; // the next send opens a new session
        }
        reject(
          DeliveryError.transient(
            'smpp_connection',
            `SMPP connection to ${this.config.url} lost${error ? `: ${error.message}` : ''}`,
            error,
          ),
        );
      };
      session.on('error', (error: Error) => lost(error));
      session.on('deliver_sm', (pdu: SmppClientPdu) => void this.received(session, pdu));
      session.on('close', () => lost());
      session.once('connect', () => {
        session.bind_transceiver({ system_id: this.config.systemId, password: this.config.password }, (pdu) => {
          if (pdu.command_status !== 0) {
            session.destroy();
            reject(
              DeliveryError.transient(
                'smpp_bind_failed',
                `SMPP bind refused (status 0x${pdu.command_status.toString(16)})`,
              ),
            );
            return;
          }
          this.current = session;
          resolve(session);
        });
      });
    });
  }

  /** A deliver_sm: a receipt is stored on the feedback stream, then acknowledged; anything else is acknowledged. */
  private async received(session: SmppClientSession, pdu: SmppClientPdu): Promise<void> {
    const report = receiptReport(pdu);
    let status = 0;
    if (report) {
      try {
        await this.feedback.submit('sms', [report]);
      } catch (error) {
        this.logger.warn({ err: error, providerMessageId: report.providerMessageId }, 'SMPP receipt not stored yet');
        status = ESME_RX_T_APPN;
      }
    }
    try {
      session.send(pdu.response({ command_status: status }));
    } catch (error) {
      this.logger.warn({ err: error }, 'deliver_sm_resp not sent');
    }
  }

  /** One request PDU and its response; rejects when the session goes away first. */
  private request(
    session: SmppClientSession,
    command: 'submit_sm' | 'unbind',
    params: Record<string, unknown>,
  ): Promise<SmppClientPdu> {
    return new Promise((resolve, reject) => {
      const gone = () =>
        reject(DeliveryError.transient('smpp_connection', 'SMPP connection closed before the SMSC answered'));
      session.once('close', gone);
      const written = session[command](params, (pdu) => {
        session.off('close', gone);
        resolve(pdu);
      });
      if (!written) {
        session.off('close', gone);
        reject(DeliveryError.transient('smpp_connection', 'SMPP connection is not writable'));
      }
    });
  }
}
