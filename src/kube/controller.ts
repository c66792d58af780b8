/**
 * The loop every Slipway controller shares: informers feed keys into a keyed work queue, and a
 * reconcile function brings one key into line. Level-triggered: a reconcile reads the current
 * state from the caches, never the event that woke it, so a missed or merged event costs nothing.
 *
 * @example
 * const controller = new Controller({
 *   name: 'applications',
 *   primary: applications,                       // Informer<Application>
 *   related: [{ informer: deployments, keysFor: ownerKeys }],
 *   reconcile: (key, signal) => reconcileApplication(key, deps, signal),
 *   concurrency: 4,
 * });
 * await controller.start();
 * @module
 */
import { type WorkHandler, WorkQueue } from '../util/work-queue.ts';
import type { Informer, InformerEvent } from './informer.ts';
import type { KubeObject } from './types.ts';

/** `namespace/name`, or `name` for cluster-scoped objects: the key of a work item. */
export function objectKey(obj: {
  metadata: { namespace?: string | undefined; name?: string | undefined };
}): string {
  return obj.metadata.namespace
    ? `${obj.metadata.namespace}/${obj.metadata.name ?? ''}`
    : (obj.metadata.name ?? '');
}

/** Splits a key made by {@link objectKey}. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export interface RelatedInformer {
  informer: Informer<KubeObject>;
  /** The primary keys a change of this object concerns (e.g. its owner's key). */
  keysFor: (event: InformerEvent<KubeObject>) => string[];
}

export interface ControllerOptions<T extends KubeObject> {
  name: string;
  /** The kind this controller reconciles; each of its changes queues its key. */
  primary: Informer<T>;
  /** Other kinds whose changes concern primary objects. */
  related?: RelatedInformer[];
  reconcile: WorkHandler<string>;
  /** Keys reconciled at the same time; default 4. */
  concurrency?: number;
  /** Called when a reconcile throws (it is then retried with backoff). */
  onError?: (key: string, err: unknown) => void;
}

export class Controller<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #options: ControllerOptions<T>;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(options: ControllerOptions<T>) {
    this.name = options.name;
    this.#options = options;
    this.queue = new WorkQueue(options.reconcile, {
      concurrency: options.concurrency ?? 4,
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /** Starts every informer (waiting for their first lists) and queues every existing object. */
  async start(): Promise<void> {
    const { primary, related = [] } = this.#options;
    this.#unsubscribe.push(
      // Deletions are queued too: one last run lets the reconciler clean up after the object.
      primary.subscribe((event) => this.queue.add(objectKey(event.object))),
    );
    for (const r of related) {
      this.#unsubscribe.push(
        r.informer.subscribe((event) => {
          for (const key of r.keysFor(event)) this.queue.add(key);
        }),
      );
    }
    const informers: Array<Informer<KubeObject> | Informer<T>> = [primary, ...related.map((r) => r.informer)];
    await Promise.all(informers.filter((i) => !i.hasSynced).map((i) => i.start()));
    for (const obj of primary.list()) this.queue.add(objectKey(obj));
  }

  /** Stops the queue (aborting running reconciles) and the informers this controller was given. */
  async stop(): Promise<void> {
    for (const u of this.#unsubscribe.splice(0)) u();
    await this.queue.close();
    const { primary, related = [] } = this.#options;
    await Promise.all([primary.stop(), ...related.map((r) => r.informer.stop())]);
  }
}
