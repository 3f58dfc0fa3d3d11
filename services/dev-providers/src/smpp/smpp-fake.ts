import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createServer, type SmppPdu, type SmppSession } from 'smpp';
import { FailureSwitch, type FailureMode } from '../control';
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

export interface SmppFake {
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
      session.send(pdu.response({ message_id: message.messageId }));
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
