import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { waitFor } from './waiting';

export interface Recorded<T> {
  subject: string;
  data: T;
  headers: Record<string, string>;
}

/** Records what is published on subjects (core NATS sees JetStream publishes too). */
export class SubjectRecorder<T = Record<string, unknown>> {
  readonly messages: Recorded<T>[] = [];
  private readonly subs: Subscription[];

  constructor(nc: NatsConnection, subjects: string[]) {
    this.subs = subjects.map((subject) =>
      nc.subscribe(subject, {
        callback: (_err, msg) => {
          const headers: Record<string, string> = {};
          for (const key of msg.headers?.keys() ?? []) headers[key] = msg.headers!.get(key);
          this.messages.push({ subject: msg.subject, data: msg.json<T>(), headers });
        },
      }),
    );
  }

  bySubject(subject: string): Recorded<T>[] {
    return this.messages.filter((m) => m.subject === subject);
  }

  async waitForCount(
    count: number,
    filter: (m: Recorded<T>) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<Recorded<T>[]> {
    return waitFor(
      () => {
        const found = this.messages.filter(filter);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, message: `expected ${count} messages` },
    );
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
  }
}
