import type { Channel, Dispatch } from '@switchboard/contracts';
import { Breaker } from '@switchboard/resilience';
import type { ProviderDeps, Rendered, RenderInput, SenderDefinition } from '../define-sender';
import { DeliveryError, type ChannelProvider, type SendResult } from './channel-provider';

/** One channel of a running sender: its definition, its provider, and the breaker around the provider. */
export class ChannelRuntime<M = unknown> {
  readonly channel: Channel;
  readonly provider: ChannelProvider<M>;
  readonly breaker: Breaker<[M, Dispatch], SendResult>;
  private readonly injected: unknown[];

  constructor(
    private readonly definition: SenderDefinition<M>,
    deps: ProviderDeps,
  ) {
    this.channel = definition.channel;
    this.injected = deps.injected;
    this.provider = definition.provider(deps);
    const provider = this.provider;
    const { breaker } = deps.config;
    this.breaker = new Breaker((message: M, dispatch: Dispatch) => provider.send(message, dispatch), {
      name: `${this.channel}:${provider.name}`,
      timeoutMs: breaker.timeoutMs,
      resetTimeoutMs: breaker.resetTimeoutMs,
      errorThresholdPercentage: breaker.errorThresholdPercentage,
      volumeThreshold: breaker.volumeThreshold,
      // A bad address or content says nothing about the provider's health.
      isHealthyError: (error) => error instanceof DeliveryError && error.permanent,
      enabled: definition.breaker !== false,
    });
  }

  /** Names the definition adds to every template's scope. */
  get liquidScope(): Record<string, unknown> {
    return this.definition.liquidScope ?? {};
  }

  render(input: RenderInput): M | Promise<M> {
    return this.definition.render(input, this.injected);
  }

  /** The definition's `keep` for messages about to be sent; nothing to do without one. */
  async keep(rendered: Rendered<M>[]): Promise<void> {
    if (rendered.length > 0) await this.definition.keep?.(rendered, this.injected);
  }

  get status(): 'up' | 'degraded' | 'down' {
    return this.breaker.status;
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await this.provider.close?.();
  }
}
