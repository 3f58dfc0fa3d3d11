import type { Server, Socket } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { FailureSwitch, type FailureMode, type FeedbackKind } from '../control';
import { sendReport, type ReportRelay } from './feedback-mail';
import { Received, type Outbox } from '../outbox';
import { readSimpleMail, type ReadMail } from './simple-mail';
import type { FeedbackWebhook } from '../webhooks/provider-webhook';

export interface SmtpFakeOptions {
  /** 0 = a random free port. Default 0. */
  port?: number;
  host?: string;
  /** When set, clients must AUTH (PLAIN/LOGIN) with these credentials; otherwise AUTH is optional. */
  auth?: { user: string; pass: string };
  /** Largest message accepted (SIZE extension); default 10 MB. */
  maxSize?: number;
  outbox?: Outbox;
  control?: FailureSwitch;
  /**
   * Where reports (DSN, ARF) about accepted messages go: the MX of the return path's domain, here
   * the sender's bounce listener. Set later with `setReportRelay` when the listener starts after.
   */
  reportRelay?: ReportRelay;
  /** Report by this provider's webhook (SES through SNS, SendGrid) instead of mail to the return path. */
  feedbackWebhook?: FeedbackWebhook;
}

export interface SmtpMessage {
  envelope: { mailFrom: string; rcptTo: string[] };
  from: string;
  to: string[];
  subject: string;
  html: string | null;
  text: string | null;
  /** Raw (unfolded) header values by lower-case name; repeated headers joined with "\n". */
  headers: Record<string, string>;
  size: number;
  raw: string;
  receivedAt: Date;
}

export interface SmtpFake {
  host: string;
  port: number;
  /** Accepted messages, oldest first. */
  messages: SmtpMessage[];
  control: FailureSwitch;
  failNext(n: number, mode?: FailureMode): void;
  /** The next `n` accepted messages come back as `kind`, by a report mailed to their return path. */
  feedbackNext(n: number, kind: FeedbackKind): void;
  setReportRelay(relay: ReportRelay | undefined): void;
  /** Reports go to this webhook instead of a mail to the return path (undefined: back to mail). */
  setFeedbackWebhook(webhook: FeedbackWebhook | undefined): void;
  /** Reports sent so far, and those that could not be (no relay, refused). */
  reports: Array<{ kind: FeedbackKind; to: string; error?: string }>;
  setDown(down: boolean): void;
  /** Resolves with the first message (stored or arriving) that matches. */
  waitForMessage(predicate?: (m: SmtpMessage) => boolean, timeoutMs?: number): Promise<SmtpMessage>;
  close(): Promise<void>;
}

// A pragmatic RFC 5321 mailbox check: dot-atom local part @ LDH labels (or an address literal).
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uffff-]+";
const LABEL = '[A-Za-z0-9\\u0080-\\uffff](?:[A-Za-z0-9\\u0080-\\uffff-]{0,61}[A-Za-z0-9\\u0080-\\uffff])?';
const MAILBOX = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9.:A-Fa-f]+\\])$`);

function isMailbox(address: string): boolean {
  return address.length <= 254 && MAILBOX.test(address);
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

function addressList(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return objects.flatMap((o) => o.value.map((a) => a.address ?? '').filter(Boolean));
}

/**
 * The record of a received message. The usual shapes are read synchronously (simple-mail.ts) and
 * keep only the raw bytes (outside the JS heap) and what is small: bodies, headers and raw text are
 * decoded again when read, so that a busy fake does not spend its CPU copying thousands of kept
 * strings through garbage collection. Anything else is parsed by mailparser.
 */
async function smtpMessage(raw: Buffer, envelope: SmtpMessage['envelope']): Promise<SmtpMessage> {
  const receivedAt = new Date();
  const simple = readSimpleMail(raw);
  if (!simple) {
    const parsed = await simpleParser(raw);
    return {
      envelope,
      from: addressList(parsed.from)[0] ?? envelope.mailFrom,
      to: addressList(parsed.to),
      subject: parsed.subject ?? '',
      html: parsed.html || null,
      text: parsed.text ?? null,
      headers: rawHeaders(parsed.headerLines),
      size: raw.length,
      raw: raw.toString('utf8'),
      receivedAt,
    };
  }
  let mail: ReadMail | undefined;
  const read = () => (mail ??= readSimpleMail(raw)!);
  return {
    envelope,
    from: simple.from[0] ?? envelope.mailFrom,
    to: simple.to,
    subject: simple.subject,
    get html() {
      return read().html;
    },
    get text() {
      return read().text;
    },
    get headers() {
      return rawHeaders(read().headerLines);
    },
    size: raw.length,
    get raw() {
      return raw.toString('utf8');
    },
    receivedAt,
  };
}

/**
 * smtp-server writes each reply on its own, so a pipelined MAIL, RCPT and DATA cost three socket
 * writes (and the client three reads): what one turn of the event loop writes goes out as one.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    if (!socket.writableCorked) {
      socket.cork();
      setImmediate(() => socket.uncork());
    }
    return write(...args);
  }) as Socket['write'];
}

function rawHeaders(lines: ReadonlyArray<{ key: string; line: string }>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of lines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers[key] = key in headers ? `${headers[key]}\n${value}` : value;
  }
  return headers;
}

export async function startSmtpFake(options: SmtpFakeOptions = {}): Promise<SmtpFake> {
  const host = options.host ?? '127.0.0.1';
  const control = options.control ?? new FailureSwitch();
  const outbox = options.outbox;
  const received = new Received<SmtpMessage>();
  let reportRelay = options.reportRelay;
  let feedbackWebhook = options.feedbackWebhook;
  const reports: SmtpFake['reports'] = [];
  // A report goes out after the message was accepted, as a receiving MTA's would.
  const report = (kind: FeedbackKind, envelope: SmtpMessage['envelope'], raw: Buffer, receivedAt: Date) => {
    const to = envelope.mailFrom;
    const text = raw.toString('utf8');
    const end = text.search(/\r?\n\r?\n/);
    if (feedbackWebhook) {
      const head = end < 0 ? text : text.slice(0, end);
      const header = (name: string) => new RegExp(`^${name}:[ \t]*(.*)$`, 'im').exec(head)?.[1]?.trim();
      const mail = {
        mailFrom: to,
        rcptTo: envelope.rcptTo[0] ?? '',
        messageId: header('message-id'),
        subject: header('subject') ?? '',
        receivedAt,
      };
      feedbackWebhook.notify(kind, mail).then(
        (status) =>
          reports.push({ kind, to, ...(status >= 200 && status < 300 ? {} : { error: `webhook ${status}` }) }),
        (err: Error) => reports.push({ kind, to, error: err.message }),
      );
      return;
    }
    if (!reportRelay || !to) return void reports.push({ kind, to, error: 'no report relay or null sender' });
    const original = {
      mailFrom: to,
      rcptTo: envelope.rcptTo[0] ?? '',
      headerBlock: end < 0 ? text : text.slice(0, end),
      receivedAt,
    };
    sendReport(reportRelay, kind, original).then(
      () => reports.push({ kind, to }),
      (err: Error) => reports.push({ kind, to, error: err.message }),
    );
  };
  // The injected failure decided for the current transaction of each session (consumed once per message).
  const failures = new Map<string, FailureMode | null>();

  const server = new SMTPServer({
    name: 'smtp.dev-providers.local',
    banner: 'Switchboard dev SMTP',
    logger: false,
    disableReverseLookup: true,
    hideENHANCEDSTATUSCODES: false, // 451 -> 4.3.0, 550 -> 5.1.1, 553 -> 5.1.3
    lenientAddressParsing: true, // leave the syntax check (and its 553) to isMailbox below
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    size: options.maxSize ?? 10 * 1024 * 1024,
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      const ok = options.auth && auth.username === options.auth.user && auth.password === options.auth.pass;
      if (!ok) return callback(smtpError(535, 'Authentication credentials invalid'));
      callback(null, { user: auth.username });
    },
    onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      if (address.address !== '' && !isMailbox(address.address)) {
        return callback(smtpError(553, `Bad sender address syntax: ${address.address}`));
      }
      failures.delete(session.id); // a new transaction: its failure is decided at the first RCPT
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      if (!isMailbox(address.address) && address.address.toLowerCase() !== 'postmaster') {
        return callback(smtpError(553, `Bad destination mailbox address syntax: ${address.address}`));
      }
      if (!failures.has(session.id)) failures.set(session.id, control.take() ?? null);
      const failure = failures.get(session.id);
      if (failure === 'transient') return callback(smtpError(451, 'Temporary local problem, try again later'));
      if (failure === 'permanent') return callback(smtpError(550, `${address.address}: user unknown`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(smtpError(552, 'Message exceeds fixed maximum message size'));
        }
        const envelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        };
        const raw = Buffer.concat(chunks);
        smtpMessage(raw, envelope).then(
          (message) => {
            received.push(message);
            const feedback = control.takeFeedback();
            if (feedback) setImmediate(() => report(feedback, envelope, raw, message.receivedAt));
            outbox?.add({
              provider: 'smtp',
              to: envelope.rcptTo.join(', '),
              from: message.from,
              subject: message.subject,
              get body() {
                return message.text ?? '';
              },
              get details() {
                return { ...message, raw: undefined, receivedAt: message.receivedAt.toISOString() };
              },
            });
            callback(null, 'Message accepted');
          },
          (err: Error) => callback(smtpError(554, `Message could not be parsed: ${err.message}`)),
        );
      });
    },
    onClose(session) {
      failures.delete(session.id);
    },
  });
  server.on('error', () => undefined); // client-side protocol errors are the client's problem

  // "Down": every new connection is dropped before the greeting, and open ones are cut.
  const net: Server = server.server;
  const sockets = new Set<Socket>();
  const accept = net.listeners('connection') as Array<(socket: Socket) => void>;
  net.removeAllListeners('connection');
  net.on('connection', (socket: Socket) => {
    if (control.down) return void socket.destroy();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    coalesceWrites(socket);
    for (const listener of accept) listener.call(net, socket);
  });
  control.onDownChange((down) => {
    if (down) for (const socket of sockets) socket.destroy();
  });
  outbox?.onCleared(() => received.clear());

  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      net.off('error', reject);
      resolve();
    });
  });
  const port = (net.address() as { port: number }).port;

  return {
    host,
    port,
    messages: received.items,
    control,
    failNext: (n, mode = 'transient') => control.failNext(n, mode),
    feedbackNext: (n, kind) => control.feedbackNext(n, kind),
    setFeedbackWebhook: (webhook) => {
      feedbackWebhook = webhook;
    },
    setReportRelay: (relay) => {
      reportRelay = relay;
    },
    reports,
    setDown: (down) => control.setDown(down),
    waitForMessage: (predicate, timeoutMs) => received.waitFor(predicate, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
