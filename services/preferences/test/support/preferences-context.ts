import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  preferencesContactsUpsert,
  packDecisionRequests,
  unpackDecisions,
  type Decision,
  preferencesDecide,
  type ContactInput,
  type DecisionRequest,
} from '@switchboard/contracts';
import { EventPublisher, NATS_CONNECTION, RpcClient } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import { createTestEnv, startTestService, type TestEnv } from '@switchboard/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { Clock } from '../../src/clock/clock';
import { loadPreferencesConfig } from '../../src/preferences.config';
import { createPreferencesModule, SERVICE_NAME } from '../../src/preferences.module';

/** A clock the test moves by hand. */
export class TestClock extends Clock {
  constructor(private at: number) {
    super();
  }
  now(): Date {
    return new Date(this.at);
  }
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 2026-11-23, noon UTC. */
export const T0 = '2026-11-23T12:00:00.000Z';

export interface PreferencesContext {
  env: TestEnv;
  svc: RunningService;
  clock: TestClock;
  rpc: RpcClient;
  publisher: EventPublisher;
  nc: NatsConnection;
  ds: DataSource;
  /** Creates a contact through the real upsert path (RPC → service → repository). */
  newContact(input?: Partial<ContactInput>): Promise<string>;
  /** A decision request with a fresh send id. */
  request(contactId: string, channels: DecisionRequest['channels'], extra?: Partial<DecisionRequest>): DecisionRequest;
  decide(...requests: DecisionRequest[]): Promise<Decision[]>;
  close(): Promise<void>;
}

/** The preferences service in-process on its own prefix and database, with a hand-moved clock. */
export async function startPreferences(vars: Record<string, string> = {}): Promise<PreferencesContext> {
  const env = await createTestEnv();
  const config = loadPreferencesConfig({
    NATS_URL: env.natsUrl,
    DATABASE_URL: env.databaseUrl,
    SB_PREFIX: env.prefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...vars,
  });
  const clock = new TestClock(Date.parse(T0));
  const svc = await startTestService({ service: SERVICE_NAME, module: createPreferencesModule(config, { clock }) });
  const rpc = svc.app.get(RpcClient);
  return {
    env,
    svc,
    clock,
    rpc,
    publisher: svc.app.get(EventPublisher),
    nc: svc.app.get<NatsConnection>(NATS_CONNECTION),
    ds: svc.app.get(DataSource),
    async newContact(input = {}) {
      const { contact } = await rpc.call(preferencesContactsUpsert, {
        contact: { id: `c-${randomUUID()}`, ...input },
        mode: 'merge',
      });
      return contact.id;
    },
    request(contactId, channels, extra = {}) {
      return {
        sendId: `s-${randomUUID()}`,
        attempt: 0,
        contactId,
        channels,
        contentUnavailable: [],
        excludeChannels: [],
        deferrals: 0,
        expiresAt: new Date(clock.now().getTime() + 7 * DAY).toISOString(),
        ...extra,
      };
    },
    async decide(...requests) {
      return unpackDecisions(requests, (await rpc.call(preferencesDecide, packDecisionRequests(requests))).decisions);
    },
    async close() {
      await svc?.close();
      await env.cleanup();
    },
  };
}
