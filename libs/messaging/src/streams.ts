import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsNames, StreamFamily } from '@switchboard/contracts';

const DAY_MS = 86_400_000;

/** Retention per stream family; events must outlive any consumer outage we plan for. */
const MAX_AGE_MS: Record<StreamFamily, number> = {
  campaign: 7 * DAY_MS,
  send: 8 * DAY_MS,
  dispatch: 7 * DAY_MS,
  routing: 7 * DAY_MS,
  delivery: 7 * DAY_MS,
  contact: 7 * DAY_MS,
  catalog: 1 * DAY_MS,
  dlq: 30 * DAY_MS,
  registry: 30 * DAY_MS,
  feedback: 7 * DAY_MS,
};

/** Streams that keep only the latest message per subject (the channel registry is a last-value store). */
const LAST_VALUE_ONLY: ReadonlySet<StreamFamily> = new Set(['registry']);

export const DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface StreamOptions {
  replicas?: number;
}

/** Creates or updates every stream of DESIGN §5; safe to run at every boot of every service. */
export async function ensureStreams(
  jsm: JetStreamManager,
  names: NatsNames,
  options: StreamOptions = {},
): Promise<void> {
  for (const spec of names.streams()) {
    const config: Partial<StreamConfig> & { name: string } = {
      name: spec.name,
      subjects: spec.subjects,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(MAX_AGE_MS[spec.family]),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      num_replicas: options.replicas ?? 1,
      ...(LAST_VALUE_ONLY.has(spec.family) ? { max_msgs_per_subject: 1 } : {}),
    };
    try {
      const info = await jsm.streams.info(spec.name);
      const current = info.config;
      if (
        current.subjects.join() !== spec.subjects.join() ||
        current.max_age !== config.max_age ||
        current.duplicate_window !== config.duplicate_window
      ) {
        const { storage: _storage, ...changes } = config;
        await jsm.streams.update(spec.name, { ...current, ...changes });
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await jsm.streams.add(config);
      } catch (addError) {
        // Another instance created it between our info and add.
        if (!isAlreadyExists(addError)) throw addError;
      }
    }
  }
}

/** Deletes every stream of an environment (tests clean up their prefix). */
export async function deleteStreams(jsm: JetStreamManager, names: NatsNames): Promise<void> {
  for (const spec of names.streams()) {
    try {
      await jsm.streams.delete(spec.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** A JetStream API 404: no such stream, consumer or message. */
export function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === 404;
}

/** The server's API codes (nats-server errors.json) for a stream or consumer another instance created first. */
const ALREADY_EXISTS = new Set([
  10058, // stream name already in use with a different configuration
  10013, // consumer name already in use
  10148, // consumer already exists
]);

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof JetStreamApiError && ALREADY_EXISTS.has(error.code);
}
