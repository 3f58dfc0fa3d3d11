import 'reflect-metadata';
import type { RpcContract } from '@switchboard/contracts';
import type { BatchHandler, ConsumerSpec, Delivery } from './consumer-runner';
import type { Outcome } from './outcome';

export const CONSUMER_METADATA = Symbol('switchboard:consumer');
export const RPC_HANDLER_METADATA = Symbol('switchboard:rpc-handler');

/** A JetStream consumer provider: `spec` says what it consumes, `handle` gets each micro-batch. */
export interface EventConsumer<T> {
  readonly spec: ConsumerSpec<T>;
  handle(batch: Delivery<T>[]): Promise<Outcome[] | void>;
}

/** Marks a provider as a JetStream consumer; the messaging module starts it at bootstrap. */
export function Consumer(): ClassDecorator {
  return (target) => Reflect.defineMetadata(CONSUMER_METADATA, true, target);
}

/** Marks a method as the handler of one request/reply operation. */
export function RpcHandler(contract: RpcContract): MethodDecorator {
  return (target, key) => Reflect.defineMetadata(RPC_HANDLER_METADATA, contract, target, key);
}

export type { BatchHandler };
