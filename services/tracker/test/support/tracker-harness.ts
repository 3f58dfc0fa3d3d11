import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Channel, DeliveryEventKind, NatsNames } from '@switchboard/contracts';
import { EventPublisher, RpcClient, type OutgoingEvent } from '@switchboard/messaging';
import { createTestEnv, startTestService, waitUntilConsumersIdle, type TestEnv } from '@switchboard/testing';
import type { RunningService } from '@switchboard/service-kit';
import { DataSource } from 'typeorm';
import { loadTrackerConfig, type TrackerConfig } from '../../src/tracker.config';
import { createTrackerModule } from '../../src/tracker.module';

export interface Harness {
  env: TestEnv;
  config: TrackerConfig;
  nc: NatsConnection;
  publisher: EventPublisher;
  rpc: RpcClient;
  svc: RunningService;
  db: () => DataSource;
  restart(): Promise<void>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startTracker(
  overrides: Partial<TrackerConfig['webhooks']> = {},
  settings: Partial<Pick<TrackerConfig, 'batchSize' | 'maxDeliver'>> = {},
): Promise<Harness> {
  const env = await createTestEnv();
  const base = loadTrackerConfig({});
  const config: TrackerConfig = {
    ...base,
    ...settings,
    ...env.config,
    webhooks: {
      ...base.webhooks,
      pollMs: 100,
      backoffMs: 50,
      maxBackoffMs: 200,
      timeoutMs: 1_000,
      // The receivers in these tests listen on loopback, which webhooks may not reach unless allowed.
      allowHosts: ['127.0.0.1/32'],
      ...overrides,
    },
  };
  const nc = await connect({ servers: env.natsUrl });
  const start = () => startTestService({ service: 'tracker', module: createTrackerModule(config) });
  const h: Harness = {
    env,
    config,
    nc,
    publisher: new EventPublisher(nc),
    rpc: new RpcClient(nc, env.names, 10_000),
    svc: await start(),
    db: () => h.svc.app.get(DataSource),
    async restart() {
      await h.svc.close();
      h.svc = await start();
    },
    idle: () => waitUntilConsumersIdle(nc, env.names),
    async close() {
      await h.svc?.close();
      await nc.close();
      await env.cleanup();
    },
  };
  return h;
}

/** How many messages the tracker's routing and delivery consumers have been handed. */
export async function consumedCounts(h: Harness): Promise<{ routing: number; delivery: number }> {
  const jsm = await jetstreamManager(h.nc);
  const names = h.env.names;
  const routing = await jsm.consumers.info(names.streamOf(names.subjects.routing('*')), 'tracker-routing');
  const delivery = await jsm.consumers.info(names.streamOf(names.subjects.delivery('*', '*')), 'tracker-delivery');
  return { routing: routing.delivered.stream_seq, delivery: delivery.delivered.stream_seq };
}

/** Deletes the tracker's durable consumers, so that its next start replays both streams from the beginning. */
export async function forgetConsumers(h: Harness): Promise<void> {
  const jsm = await jetstreamManager(h.nc);
  const names = h.env.names;
  await jsm.consumers.delete(names.streamOf(names.subjects.routing('*')), 'tracker-routing');
  await jsm.consumers.delete(names.streamOf(names.subjects.delivery('*', '*')), 'tracker-delivery');
}

export interface SendRef {
  sendId: string;
  contactId: string;
  messageId: number;
  campaignId?: string;
  shipmentId?: string;
}

/** Builds events as the router and the senders publish them (payloads and msgIds). */
export class Script {
  constructor(
    private readonly names: NatsNames,
    private readonly base = Date.parse('2026-11-20T10:00:00.000Z'),
  ) {}

  at(seconds: number): string {
    return new Date(this.base + seconds * 1000).toISOString();
  }

  routed(
    s: SendRef,
    channel: Channel,
    dispatchId: string,
    at: number,
    attempt = 0,
    skipped: { channel: Channel; reason: 'excluded' | 'paused' | 'dnc' }[] = [],
  ): OutgoingEvent {
    return this.routing('routed', s, at, { channel, dispatchId, attempt, candidates: [channel], skipped });
  }

  deferred(s: SendRef, at: number, candidates: Channel[], deferrals = 0): OutgoingEvent {
    return this.routing('deferred', s, at, {
      candidates,
      skipped: candidates.map((c) => ({ channel: c, reason: 'paused' as const })),
      retryAt: this.at(at + 3600),
      deferrals,
    });
  }

  suppressed(s: SendRef, at: number, candidates: Channel[], deferrals = 1): OutgoingEvent {
    return this.routing('failed', s, at, {
      candidates,
      skipped: candidates.map((c) => ({ channel: c, reason: 'dnc' as const, detail: 'unsubscribed' })),
      reason: 'no_channel',
      deferrals,
    });
  }

  delivery(
    s: SendRef,
    channel: Channel,
    dispatchId: string,
    event: DeliveryEventKind,
    at: number,
    extra: Record<string, unknown> = {},
  ): OutgoingEvent {
    const occurredAt = this.at(at);
    return {
      subject: this.names.subjects.delivery(channel, event),
      msgId: `${dispatchId}:${event}:${occurredAt}${extra.url ? `:${String(extra.url)}` : ''}`,
      payload: {
        dispatchId,
        sendId: s.sendId,
        messageId: s.messageId,
        contactId: s.contactId,
        channel,
        event,
        occurredAt,
        ...refs(s),
        ...extra,
      },
    };
  }

  dispatch(
    s: SendRef,
    channel: Channel,
    dispatchId: string,
    address: string,
    fields: Record<string, unknown>,
  ): OutgoingEvent {
    return {
      subject: this.names.subjects.dispatch(channel),
      msgId: dispatchId,
      payload: {
        dispatchId,
        sendId: s.sendId,
        messageId: s.messageId,
        channel,
        contentId: 1,
        contact: { id: s.contactId, address, fields },
        ...refs(s),
      },
    };
  }

  private routing(
    outcome: 'routed' | 'deferred' | 'failed',
    s: SendRef,
    at: number,
    extra: Record<string, unknown>,
  ): OutgoingEvent {
    const attempt = (extra.attempt as number | undefined) ?? 0;
    const deferrals = (extra.deferrals as number | undefined) ?? 0;
    return {
      subject: this.names.subjects.routing(outcome),
      msgId: `${s.sendId}:${attempt}:${deferrals}:${outcome}`,
      payload: {
        sendId: s.sendId,
        messageId: s.messageId,
        contactId: s.contactId,
        outcome,
        occurredAt: this.at(at),
        ...refs(s),
        ...extra,
      },
    };
  }
}

function refs(s: SendRef): Record<string, string> {
  return {
    ...(s.campaignId ? { campaignId: s.campaignId } : {}),
    ...(s.shipmentId ? { shipmentId: s.shipmentId } : {}),
  };
}
