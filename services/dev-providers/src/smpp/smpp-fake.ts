import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createServer, type SmppPdu, type SmppSession } from 'smpp';
import { FailureSwitch, type FailureMode, type FeedbackKind } from '../control';
import { Received, type Outbox } from '../outbox';

/** An SMSC speaking SMPP 3.4: bind with system_id/password, then submit_sm. */
export interface SmppFakeOptions {
  /** 0 = a random free port. Default 0. */
  port?: number;
  host?: string;
  systemId?: string;
  password?: string;
  outbox?: Outbox;
  control?: FailureSwitch;
}

export interface SmppMessage {
  messageId: string;
  systemId: string;
  sourceAddr: string;
  destinationAddr: string;
  /** The decoded text (short_message or the message_payload TLV). */
  shortMessage: string;
  dataCoding: number;
  /** Concatenation UDH, when the ESME split a long message itself. */
  udh: string[] | null;
  registeredDelivery: number;
  receivedAt: Date;
}

/** A delivery receipt the fake sent (on `feedbackNext`), with the ESME's deliver_sm_resp status. */
export interface SmppReceiptRecord {
  messageId: string;
  stat: string;
  commandStatus?: number;
}

/**
 * When the fake sends a receipt: `delayMs` after answering submit_sm; `beforeAnswer` sends it (and
 * waits for its deliver_sm_resp) before the submit_sm_resp, so the ESME cannot know the id yet.
 */
export interface SmppReceiptTiming {
  delayMs: number;
  beforeAnswer: boolean;
}

export interface SmppFake {
  /** Delivery receipts sent so far. */
  receipts: SmppReceiptRecord[];
  /** Mutable: tests change it between messages. */
  receiptTiming: SmppReceiptTiming;
  host: string;
  port: number;
  systemId: string;
  password: string;
  messages: SmppMessage[];
  received: Received<SmppMessage>;
  control: FailureSwitch;
  failNext(n: number, mode?: FailureMode): void;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

// SMPP 3.4 command_status values (§5.1.3).
export const SMPP_STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RBINDFAIL: 0x0d,
  ESME_RTHROTTLED: 0x58,
} as const;

/**
 * The receipt of each kind of feedback (SMPP 3.4 Appendix B): final state, message_state TLV
 * (§5.3.2.35) and the network error the `err:` field carries.
 */
const RECEIPTS: Record<Exclude<FeedbackKind, 'complaint'>, { stat: string; state: number; err: string }> = {
  delivered: { stat: 'DELIVRD', state: 2, err: '000' },
  soft_bounce: { stat: 'EXPIRED', state: 3, err: '027' },
  hard_bounce: { stat: 'UNDELIV', state: 5, err: '001' },
};

const RECEIPT_DELAY_MS = 1_000;

/** YYMMDDhhmm, the receipt's date format. */
function receiptDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}

export const DEFAULT_SMPP_CREDENTIALS = { systemId: 'switchboard', password: 'devpass' };

const DESTINATION = /^\+?[1-9]\d{1,14}$/;
const BIND_COMMANDS = ['bind_transceiver', 'bind_transmitter', 'bind_receiver'] as const;

function text(value: SmppPdu['short_message']): { message: string; udh: Buffer[] | undefined } {
  if (value === undefined) return { message: '', udh: undefined };
  if (typeof value === 'string') return { message: value, udh: undefined };
  if (Buffer.isBuffer(value)) return { message: value.toString('latin1'), udh: undefined };
  const message = Buffer.isBuffer(value.message) ? value.message.toString('latin1') : value.message;
  return { message, udh: value.udh };
}

export async function startSmppFake(options: SmppFakeOptions = {}): Promise<SmppFake> {
  const host = options.host ?? '127.0.0.1';
  const systemId = options.systemId ?? DEFAULT_SMPP_CREDENTIALS.systemId;
  const password = options.password ?? DEFAULT_SMPP_CREDENTIALS.password;
  const control = options.control ?? new FailureSwitch();
  const outbox = options.outbox;
  const received = new Received<SmppMessage>();
  outbox?.onCleared(() => received.clear());
  const receipts: SmppReceiptRecord[] = [];
  const receiptTiming: SmppReceiptTiming = { delayMs: RECEIPT_DELAY_MS, beforeAnswer: false };

  /** A delivery receipt as an SMSC sends it: deliver_sm with esm_class 0x04, the id and state in TLVs and text. */
  const sendReceipt = (session: SmppSession, message: SmppMessage, kind: FeedbackKind): Promise<void> => {
    if (kind === 'complaint') return Promise.resolve();
    const { stat, state, err } = RECEIPTS[kind];
    const now = new Date();
    const text =
      `id:${message.messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} ` +
      `submit date:${receiptDate(message.receivedAt)} done date:${receiptDate(now)} stat:${stat} err:${err} ` +
      `text:${message.shortMessage.slice(0, 20)}`;
    return new Promise((resolve) => {
      const written = session.deliver_sm(
        {
          source_addr: message.destinationAddr,
          source_addr_ton: 1,
          source_addr_npi: 1,
          destination_addr: message.sourceAddr,
          esm_class: 0x04,
          short_message: text,
          receipted_message_id: message.messageId,
          message_state: state,
        },
        (resp) => {
          receipts.push({ messageId: message.messageId, stat, commandStatus: resp.command_status });
          resolve();
        },
      );
      if (!written) {
        receipts.push({ messageId: message.messageId, stat });
        resolve();
      }
    });
  };

  const onSession = (session: SmppSession): void => {
    if (control.down) return session.destroy();
    session.on('error', () => undefined); // a client that vanishes is not our error
    let boundAs: string | undefined;

    for (const command of BIND_COMMANDS) {
      session.on(command, (pdu: SmppPdu) => {
        if (boundAs) return session.send(pdu.response({ command_status: SMPP_STATUS.ESME_RALYBND }));
        if (pdu.system_id !== systemId || pdu.password !== password) {
          session.send(pdu.response({ command_status: SMPP_STATUS.ESME_RBINDFAIL }));
          return session.close();
        }
        boundAs = command;
        session.send(pdu.response({ system_id: 'SBDEVSMSC' }));
      });
    }

    session.on('submit_sm', (pdu: SmppPdu) => {
      const status = (command_status: number): boolean => session.send(pdu.response({ command_status }));
      if (boundAs !== 'bind_transceiver' && boundAs !== 'bind_transmitter') return status(SMPP_STATUS.ESME_RINVBNDSTS);
      const destination = pdu.destination_addr ?? '';
      if (!DESTINATION.test(destination)) return status(SMPP_STATUS.ESME_RINVDSTADR);
      if (!pdu.source_addr) return status(SMPP_STATUS.ESME_RINVSRCADR);
      const short = text(pdu.short_message);
      const payload = short.message ? short : text(pdu.message_payload);
      if (!payload.message) return status(SMPP_STATUS.ESME_RINVMSGLEN);

      const failure = control.take();
      if (failure === 'transient') return status(SMPP_STATUS.ESME_RTHROTTLED);
      if (failure === 'permanent') return status(SMPP_STATUS.ESME_RINVDSTADR);

      const message = received.push({
        messageId: randomBytes(8).toString('hex'),
        systemId,
        sourceAddr: pdu.source_addr,
        destinationAddr: destination,
        shortMessage: payload.message,
        dataCoding: pdu.data_coding ?? 0,
        udh: payload.udh ? payload.udh.map((u) => u.toString('hex')) : null,
        registeredDelivery: pdu.registered_delivery ?? 0,
        receivedAt: new Date(),
      });
      outbox?.add({
        provider: 'smpp',
        to: destination,
        from: message.sourceAddr,
        body: message.shortMessage,
        details: { ...message },
      });
      // A receipt only when the ESME asked for one (registered_delivery bit 0), as an SMSC does.
      const feedback = (message.registeredDelivery & 0x01) === 1 ? control.takeFeedback() : undefined;
      const answer = () => session.send(pdu.response({ message_id: message.messageId }));
      if (feedback && receiptTiming.beforeAnswer) {
        void sendReceipt(session, message, feedback).then(answer);
        return;
      }
      answer();
      if (feedback) setTimeout(() => void sendReceipt(session, message, feedback), receiptTiming.delayMs);
    });

    session.on('enquire_link', (pdu: SmppPdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: SmppPdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('pdu', (pdu: SmppPdu) => {
      if (pdu.command === 'unknown') session.send(pdu.response());
    });
  };

  const server = createServer({}, onSession);
  control.onDownChange((down) => {
    if (down) for (const session of [...server.sessions]) session.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    host,
    port: (server.address() as AddressInfo).port,
    systemId,
    password,
    messages: received.items,
    received,
    receipts,
    receiptTiming,
    control,
    failNext: (n, mode = 'transient') => control.failNext(n, mode),
    setDown: (down) => control.setDown(down),
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of [...server.sessions]) session.destroy();
        server.close(() => resolve());
      }),
  };
}
