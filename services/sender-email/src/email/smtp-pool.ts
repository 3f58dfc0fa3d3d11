import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface SmtpPoolOptions {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  /** Connections open at most. */
  size: number;
  /** Messages one connection sends before it is replaced by a new one. */
  maxMessages: number;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

interface Slot {
  connection: SMTPConnection;
  sent: number;
  dead: boolean;
}

interface Waiter {
  resolve(slot: Slot): void;
  reject(error: unknown): void;
}

/** Errors of a connection that was gone before the server answered anything. */
const CONNECTION_LOST = new Set(['ECONNECTION', 'ESOCKET']);

/**
 * nodemailer's SMTPConnection, pooled: up to `size` connections, opened when needed (STARTTLS when
 * offered, AUTH when configured and offered), reused message after message, replaced after
 * `maxMessages` and dropped when the server closes them. It stands in for nodemailer's SMTPPool
 * behind `sendMail`, which compiles even a raw message again for every email (MailComposer, a
 * Message-ID from random bytes, plugins): about as much CPU as the SMTP exchange itself.
 */
export class SmtpPool {
  private readonly idle: Slot[] = [];
  private readonly waiting: Waiter[] = [];
  private open = 0;
  private closed = false;

  constructor(private readonly options: SmtpPoolOptions) {}

  async send(envelope: SMTPConnection.Envelope, message: string): Promise<SMTPConnection.SentMessageInfo> {
    const slot = await this.acquire();
    const reused = slot.sent > 0;
    try {
      return await this.sendOn(slot, envelope, message);
    } catch (error) {
      // The server may have dropped an idle connection just as it was taken again: once more on another.
      const { code, responseCode } = error as SMTPConnection.SMTPError;
      if (!reused || responseCode !== undefined || !CONNECTION_LOST.has(code ?? '') || this.closed) throw error;
      return this.sendOn(await this.acquire(), envelope, message);
    }
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('SMTP pool closed'));
    for (const slot of [...this.idle]) this.discard(slot);
  }

  private sendOn(
    slot: Slot,
    envelope: SMTPConnection.Envelope,
    message: string,
  ): Promise<SMTPConnection.SentMessageInfo> {
    return new Promise((resolve, reject) => {
      slot.connection.send(envelope, message, (error, info) => {
        slot.sent++;
        if (!error) {
          this.release(slot);
          return resolve(info);
        }
        if ((error.code === 'EENVELOPE' || error.code === 'EMESSAGE') && error.responseCode !== 421 && !slot.dead) {
          // The server refused this message, not the session: RSET and keep the connection.
          slot.connection.reset((resetError) => (resetError ? this.discard(slot) : this.release(slot)));
        } else {
          this.discard(slot);
        }
        reject(error);
      });
    });
  }

  private acquire(): Promise<Slot> {
    if (this.closed) return Promise.reject(new Error('SMTP pool closed'));
    const slot = this.idle.pop();
    if (slot) return Promise.resolve(slot);
    if (this.open < this.options.size) return this.connect();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(slot: Slot): void {
    if (slot.dead) return;
    if (this.closed || slot.sent >= this.options.maxMessages) return this.discard(slot);
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(slot);
    else this.idle.push(slot);
  }

  /** Closes a connection (once) and lets the next waiter open a new one in its place. */
  private discard(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    this.open--;
    const index = this.idle.indexOf(slot);
    if (index >= 0) this.idle.splice(index, 1);
    slot.connection.close();
    const waiter = this.waiting.shift();
    if (waiter) this.connect().then(waiter.resolve, waiter.reject);
  }

  private connect(): Promise<Slot> {
    this.open++;
    const { host, port, secure, auth, connectionTimeout, greetingTimeout, socketTimeout } = this.options;
    const connection = new SMTPConnection({ host, port, secure, connectionTimeout, greetingTimeout, socketTimeout });
    const slot: Slot = { connection, sent: 0, dead: false };
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        if (error === undefined) return resolve(slot);
        this.discard(slot);
        reject(error);
      };
      // Failures to connect and those of an idle connection arrive as events; a send's own reach its callback too.
      connection.on('error', (error) => {
        settle(error);
        this.discard(slot);
      });
      connection.once('end', () => {
        settle(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }));
        this.discard(slot);
      });
      connection.connect((error) => {
        if (error) return settle(error);
        if (!auth || !(connection as unknown as { allowsAuth: boolean }).allowsAuth) return settle();
        connection.login(auth, (loginError) => settle(loginError ?? undefined));
      });
    });
  }
}
