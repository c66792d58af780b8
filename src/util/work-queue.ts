/**
 * A keyed work queue, as controllers need it: a key queued twice runs once, two runs of the same
 * key never overlap (a key queued while it runs runs again afterwards), different keys run in
 * parallel up to `concurrency`, and a failed run is retried with per-key exponential backoff.
 *
 * @example
 * const queue = new WorkQueue<string>(async (key) => reconcile(key), { concurrency: 4 });
 * queue.add('argocd/my-service-dev');
 * queue.addAfter('argocd/my-service-dev', 5_000); // requeue in 5 s
 * await queue.close();
 * @module
 */
import { type BackoffOptions, backoffDelay } from './backoff.ts';

/**
 * What a handler may return to ask for another run of its key after a delay; any other result
 * (including none) means done until the key is added again.
 */
export interface WorkResult {
  requeueAfterMs: number;
}

function isRequeue(result: unknown): result is WorkResult {
  return (
    typeof result === 'object' && result !== null && typeof (result as WorkResult).requeueAfterMs === 'number'
  );
}

/** A reconcile function: resolves when the key is done, optionally asking for a requeue. */
export type WorkHandler<K extends string> = (
  key: K,
  signal: AbortSignal,
) => Promise<WorkResult | undefined | unknown>;

export interface WorkQueueOptions {
  /** Keys processed at the same time; default 1. */
  concurrency?: number;
  /** Backoff for keys whose handler threw; default 100 ms doubling to 60 s. */
  backoff?: BackoffOptions;
  /** Called with every handler error (after which the key is retried). */
  onError?: (key: string, err: unknown) => void;
}

export class WorkQueue<K extends string = string> {
  readonly #handler: WorkHandler<K>;
  readonly #concurrency: number;
  readonly #backoff: BackoffOptions;
  readonly #onError: ((key: string, err: unknown) => void) | undefined;
  readonly #queue: K[] = [];
  readonly #queued = new Set<K>();
  readonly #running = new Set<K>();
  /** Keys added while running: they run again once the current run ends. */
  readonly #dirty = new Set<K>();
  readonly #timers = new Map<K, NodeJS.Timeout>();
  readonly #failures = new Map<K, number>();
  readonly #active = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #closed = false;

  constructor(handler: WorkHandler<K>, options: WorkQueueOptions = {}) {
    this.#handler = handler;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#backoff = options.backoff ?? { initialMs: 100, maxMs: 60_000 };
    this.#onError = options.onError;
  }

  /** Keys waiting or running. */
  get length(): number {
    return this.#queue.length + this.#running.size;
  }

  /** Queues `key` now (a pending delayed add for it is replaced). */
  add(key: K): void {
    if (this.#closed) return;
    const timer = this.#timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.#timers.delete(key);
    }
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#pump();
  }

  /** Queues `key` after `ms`, unless it is queued sooner; the earliest wins. */
  addAfter(key: K, ms: number): void {
    if (this.#closed) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    if (this.#queued.has(key) || this.#timers.has(key)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.#timers.set(key, timer);
  }

  /** Forgets a key: its pending timer, backoff and queued run (used when the object is deleted). */
  forget(key: K): void {
    const timer = this.#timers.get(key);
    if (timer) clearTimeout(timer);
    this.#timers.delete(key);
    this.#failures.delete(key);
    this.#dirty.delete(key);
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.#concurrency && this.#queue.length > 0) {
      const key = this.#queue.shift()!;
      this.#queued.delete(key);
      this.#running.add(key);
      const run = this.#run(key).finally(() => {
        this.#active.delete(run);
        this.#running.delete(key);
        if (this.#dirty.delete(key)) this.add(key);
        this.#pump();
      });
      this.#active.add(run);
    }
  }

  async #run(key: K): Promise<void> {
    try {
      const result = await this.#handler(key, this.#abort.signal);
      this.#failures.delete(key);
      if (isRequeue(result) && result.requeueAfterMs >= 0) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      if (this.#closed) return;
      const failures = this.#failures.get(key) ?? 0;
      this.#failures.set(key, failures + 1);
      this.#onError?.(key, err);
      this.addAfter(key, backoffDelay(failures, this.#backoff));
    }
  }

  /** Stops taking work, aborts the signal handed to running handlers, and waits for them to end. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort(new DOMException('work queue closed', 'AbortError'));
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.length = 0;
    this.#queued.clear();
    await Promise.allSettled([...this.#active]);
  }
}
