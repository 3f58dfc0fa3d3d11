import { Injectable, Module } from '@nestjs/common';
import {
  catalogMessagesRoutable,
  preferencesContactsBatchUpsert,
  preferencesDecide,
  packDecisions,
  unpackDecisionRequests,
  type Channel,
  type DecideCall,
  type Decision,
  type DecisionRequest,
  type RoutableMessage,
  type Skipped,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { ServiceKitModule } from '@switchboard/service-kit';
import { createLogger } from '@switchboard/telemetry';
import type { TestEnv } from '@switchboard/testing';

/** Catalog's routable view, from a map the test fills. */
@Injectable()
export class FakeCatalog {
  readonly messages = new Map<number, RoutableMessage>();
  calls = 0;

  @RpcHandler(catalogMessagesRoutable)
  async routable({ ids }: { ids: number[] }) {
    this.calls++;
    return { messages: ids.flatMap((id) => this.messages.get(id) ?? []) };
  }
}

/**
 * A small stand-in for preferences' decide: the first candidate that is not excluded, has
 * content and an address wins; a contact in `pausedUntil` is paused everywhere. Routed decisions
 * are remembered per (send, attempt), as the real one does.
 */
@Injectable()
export class FakePreferences {
  readonly addresses = new Map<string, Partial<Record<Channel, string>>>();
  readonly pausedUntil = new Map<string, string>();
  readonly calls: DecisionRequest[][] = [];
  readonly upserts: { id: string }[][] = [];
  /** Sends answered once with a routed decision that lacks its contact (a broken reply for one item). */
  readonly garbled = new Set<string>();
  private readonly routed = new Map<string, Decision>();

  @RpcHandler(preferencesDecide)
  async decide(call: DecideCall) {
    const requests = unpackDecisionRequests(call);
    this.calls.push(requests);
    return {
      decisions: packDecisions(
        requests,
        requests.map((r) => this.decideOne(r)),
      ),
    };
  }

  @RpcHandler(preferencesContactsBatchUpsert)
  async upsert({ contacts }: { contacts: { id: string }[] }) {
    this.upserts.push(contacts);
    return { results: contacts.map((c) => ({ id: c.id, created: true })) };
  }

  private decideOne(r: DecisionRequest): Decision {
    const key = `${r.sendId}:${r.attempt}`;
    if (this.garbled.delete(r.sendId))
      return { sendId: r.sendId, outcome: 'routed', candidates: r.channels, skipped: [], channel: r.channels[0] };
    const before = this.routed.get(key);
    if (before) return before;
    const skipped: Skipped[] = [];
    const paused = this.pausedUntil.get(r.contactId);
    for (const channel of r.channels) {
      const address = this.addresses.get(r.contactId)?.[channel];
      if (r.excludeChannels.includes(channel)) skipped.push({ channel, reason: 'excluded' });
      else if (r.contentUnavailable.includes(channel)) skipped.push({ channel, reason: 'content_unavailable' });
      else if (paused) skipped.push({ channel, reason: 'paused' });
      else if (!address) skipped.push({ channel, reason: 'no_address' });
      else {
        const decision: Decision = {
          sendId: r.sendId,
          outcome: 'routed',
          candidates: r.channels,
          skipped,
          channel,
          contact: { id: r.contactId, address, locale: null, timezone: null, fields: {} },
        };
        this.routed.set(key, decision);
        return decision;
      }
    }
    if (paused) return { sendId: r.sendId, outcome: 'deferred', candidates: r.channels, skipped, retryAt: paused };
    return { sendId: r.sendId, outcome: 'failed', candidates: r.channels, skipped, reason: 'no_channel' };
  }
}

export function createFakePeersModule(env: TestEnv): Function {
  @Module({
    imports: [
      ServiceKitModule.forRoot({
        service: 'fake-peers',
        config: env.config,
        logger: createLogger('fake-peers', 'silent'),
      }),
    ],
    providers: [FakeCatalog, FakePreferences],
  })
  class FakePeersModule {}
  return FakePeersModule;
}

export function routableMessage(
  id: number,
  channels: { channel: Channel; channelId?: number | null; isEnabled?: boolean; contentAvailable?: boolean }[],
  extra: Partial<RoutableMessage> = {},
): RoutableMessage {
  return {
    id,
    isPublished: true,
    publishUp: null,
    publishDown: null,
    version: 1,
    channels: channels.map((c, i) => ({
      channel: c.channel,
      channelId: c.channelId === undefined ? 100 + i : c.channelId,
      isEnabled: c.isEnabled ?? true,
      contentAvailable: c.contentAvailable ?? true,
    })),
    ...extra,
  };
}
