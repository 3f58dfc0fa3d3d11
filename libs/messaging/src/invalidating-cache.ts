export interface InvalidatingCacheOptions {
  /** A missed invalidation (a NATS reconnect drops core messages) heals after this long. */
  ttlMs: number;
  /** The oldest entry is dropped past this many. */
  maxEntries: number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * Values loaded from another service and kept until it announces a change (or the TTL runs out).
 * One load per key at a time; a load that overlapped any invalidation is answered but not kept,
 * since it may predate the change. The one cache behind every catalog read (router, senders,
 * gateway).
 */
export class InvalidatingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  /** Bumped by every invalidation. */
  private generation = 0;

  constructor(private readonly options: InvalidatingCacheOptions) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.fresh(key);
    if (hit) return Promise.resolve(hit.value);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const promise = load();
    this.loading.set(key, promise);
    promise.then(
      (value) => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
        if (generation === this.generation) this.keep(key, value);
      },
      () => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      },
    );
    return promise;
  }

  /** Many keys with one load for those missing; `loadMany` answers every key it is given. */
  async getMany(
    keys: Iterable<string>,
    loadMany: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const hit = this.fresh(key);
      if (hit) found.set(key, hit.value);
      else missing.push(key);
    }
    if (missing.length === 0) return found;
    const generation = this.generation;
    const loaded = await loadMany(missing);
    for (const [key, value] of loaded) {
      found.set(key, value);
      if (generation === this.generation) this.keep(key, value);
    }
    return found;
  }

  delete(key: string): void {
    this.generation++;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  deleteWhere(matches: (key: string) => boolean): void {
    this.generation++;
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key);
    for (const key of [...this.loading.keys()]) if (matches(key)) this.loading.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }

  private fresh(key: string): Entry<V> | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  }

  private keep(key: string, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.options.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + this.options.ttlMs });
  }
}
