/**
 * A small informer: list, then watch from the list's resourceVersion, into an in-memory cache that
 * controllers read and subscribe to.
 *
 * What a subscriber sees is the cache's own change stream, so it has neither duplicates nor gaps:
 * - a watch that ends (server timeout, dropped connection, API server restart) resumes from the
 *   last resourceVersion seen, bookmarks included, after a backoff;
 * - a resume the server refuses with 410 Gone triggers a relist, and the relist is diffed against
 *   the cache, so only real changes come out as added / updated / deleted;
 * - an event whose resourceVersion equals the cached one is dropped as a duplicate;
 * - a watch that stays silent longer than its server timeout plus a margin is treated as dead.
 *
 * @module
 */
import { sleep } from '../util/abort.ts';
import { type BackoffOptions, backoffDelay } from '../util/backoff.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import type { KubeClient } from './client.ts';
import { isGone } from './errors.ts';
import type { KubeObject, ResourceQuery } from './types.ts';

export type InformerEvent<T extends KubeObject> =
  | { type: 'added'; object: DeepReadonly<T> }
  | { type: 'updated'; object: DeepReadonly<T>; old: DeepReadonly<T> }
  | { type: 'deleted'; object: DeepReadonly<T> };

export type InformerListener<T extends KubeObject> = (event: InformerEvent<T>) => void;

export interface InformerOptions {
  /** Server-side watch timeout in seconds; a random 0–20 % is added so watches do not reconnect in lockstep. Default 300. */
  watchTimeoutSeconds?: number;
  /** Backoff between failed reconnects; default 200 ms doubling to 30 s. */
  backoff?: BackoffOptions;
  /** Called with each error the informer recovers from (dropped watch, failed list). */
  onError?: (err: unknown) => void;
  /** Page size of lists; default 500. */
  pageSize?: number;
}

export interface InformerStats {
  /** Full lists done, the first one included. */
  lists: number;
  /** Watch connections opened. */
  watches: number;
  /** Errors recovered from. */
  errors: number;
}

const keyOf = (o: { metadata: { namespace?: string | undefined; name?: string | undefined } }) =>
  `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export class Informer<T extends KubeObject = KubeObject> {
  readonly query: ResourceQuery;
  readonly #client: KubeClient;
  readonly #options: Required<Omit<InformerOptions, 'onError'>> & {
    onError: ((err: unknown) => void) | undefined;
  };
  readonly #store = new Map<string, T>();
  readonly #listeners = new Set<InformerListener<T>>();
  readonly #abort = new AbortController();
  #resourceVersion = '';
  #synced = false;
  #loop: Promise<void> | undefined;
  readonly stats: InformerStats = { lists: 0, watches: 0, errors: 0 };

  constructor(client: KubeClient, query: ResourceQuery, options: InformerOptions = {}) {
    this.#client = client;
    this.query = query;
    this.#options = {
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      backoff: options.backoff ?? { initialMs: 200, maxMs: 30_000 },
      pageSize: options.pageSize ?? 500,
      onError: options.onError,
    };
  }

  /** True once the first list has been loaded into the cache. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion the cache reflects (the last event or bookmark seen). */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  /** Subscribes to cache changes; returns the function that unsubscribes. */
  subscribe(listener: InformerListener<T>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(name: string, namespace?: string): DeepReadonly<T> | undefined {
    return this.#store.get(`${namespace ?? ''}/${name}`) as DeepReadonly<T> | undefined;
  }

  list(): Array<DeepReadonly<T>> {
    return [...this.#store.values()] as Array<DeepReadonly<T>>;
  }

  get size(): number {
    return this.#store.size;
  }

  /**
   * Starts listing and watching in the background; resolves once the cache holds the first full
   * list. Rejects if that first list fails (a later failure is retried instead).
   */
  async start(): Promise<void> {
    if (this.#loop !== undefined) throw new Error('informer already started');
    const signal = this.#abort.signal;
    const first = await this.#client.list<T>(this.query, { limit: this.#options.pageSize, signal });
    this.stats.lists++;
    this.#replace(first.items, first.resourceVersion);
    this.#synced = true;
    this.#loop = this.#run(signal);
  }

  /** Stops watching and waits until the background loop has ended. */
  async stop(): Promise<void> {
    this.#abort.abort(new DOMException('informer stopped', 'AbortError'));
    await this.#loop;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    let needList = false;
    while (!signal.aborted) {
      try {
        if (needList) {
          const { items, resourceVersion } = await this.#client.list<T>(this.query, {
            limit: this.#options.pageSize,
            signal,
          });
          this.stats.lists++;
          this.#replace(items, resourceVersion);
          needList = false;
        }
        await this.#watchOnce(signal, () => {
          failures = 0;
        });
      } catch (err) {
        if (signal.aborted) break;
        this.stats.errors++;
        if (isGone(err)) {
          // Our resourceVersion is older than the server's window: only a relist can catch up.
          needList = true;
          continue;
        }
        this.#options.onError?.(err);
        try {
          await sleep(backoffDelay(failures++, this.#options.backoff), signal);
        } catch {
          break;
        }
      }
    }
  }

  /** One watch connection, from the cache's resourceVersion until it ends. */
  async #watchOnce(signal: AbortSignal, onConnected: () => void): Promise<void> {
    const timeoutSeconds = Math.round(this.#options.watchTimeoutSeconds * (1 + Math.random() * 0.2));
    const watchAbort = new AbortController();
    const both = AbortSignal.any([signal, watchAbort.signal]);
    // A watch that neither sends events nor ends after its own timeout is a dead connection.
    const silenceLimitMs = (timeoutSeconds + 30) * 1000;
    let silence = setTimeout(() => watchAbort.abort(new Error('watch went silent')), silenceLimitMs);
    this.stats.watches++;
    try {
      const events = this.#client.watch<T>({
        ...this.query,
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        signal: both,
      });
      for await (const event of events) {
        clearTimeout(silence);
        silence = setTimeout(() => watchAbort.abort(new Error('watch went silent')), silenceLimitMs);
        onConnected();
        this.#handle(event.type, event.object);
      }
    } finally {
      clearTimeout(silence);
    }
  }

  #handle(type: string, object: T): void {
    const rv = object.metadata?.resourceVersion ?? '';
    if (type === 'BOOKMARK') {
      if (rv) this.#resourceVersion = rv;
      return;
    }
    object.apiVersion ??= this.query.apiVersion;
    object.kind ??= this.query.kind;
    const key = keyOf(object);
    const old = this.#store.get(key);
    if (type === 'DELETED') {
      if (old) {
        this.#store.delete(key);
        this.#emit({ type: 'deleted', object: object as DeepReadonly<T> });
      }
    } else if (!old) {
      this.#store.set(key, object);
      this.#emit({ type: 'added', object: object as DeepReadonly<T> });
    } else if (old.metadata.resourceVersion !== rv) {
      this.#store.set(key, object);
      this.#emit({ type: 'updated', object: object as DeepReadonly<T>, old: old as DeepReadonly<T> });
    }
    if (rv) this.#resourceVersion = rv;
  }

  /** Replaces the cache with a fresh list, emitting only the differences. */
  #replace(items: T[], resourceVersion: string): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.#store.get(key);
      if (!old) {
        this.#store.set(key, item);
        this.#emit({ type: 'added', object: item as DeepReadonly<T> });
      } else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) {
        this.#store.set(key, item);
        this.#emit({ type: 'updated', object: item as DeepReadonly<T>, old: old as DeepReadonly<T> });
      }
    }
    for (const [key, old] of this.#store) {
      if (!seen.has(key)) {
        this.#store.delete(key);
        this.#emit({ type: 'deleted', object: old as DeepReadonly<T> });
      }
    }
    this.#resourceVersion = resourceVersion;
  }

  #emit(event: InformerEvent<T>): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // A listener's bug must not stop the cache; report it and go on.
        this.#options.onError?.(err);
      }
    }
  }
}
