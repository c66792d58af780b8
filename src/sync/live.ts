/**
 * The live state of tracked objects: one cluster-wide informer per kind, created the first time an
 * Application needs that kind and shared by every Application after that. A change to an object
 * queues the Application its tracking id names, which is how drift is noticed without polling.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';
import { trackedAppName } from './tracking.ts';

/** Options of {@link LiveState}. */
export interface LiveStateOptions {
  /** Called with the tracked Application instance name of every object that changes. */
  onChange: (instanceName: string) => void;
  onError?: ((err: unknown) => void) | undefined;
}

/** Informers per kind, and the objects each Application tracks. */
export class LiveState {
  readonly #client: KubeClient;
  readonly #options: LiveStateOptions;
  /** By `group/Kind`; the promise settles once the informer's first list is in. */
  readonly #informers = new Map<string, { informer: Informer; ready: Promise<void> }>();
  #stopped = false;

  constructor(client: KubeClient, options: LiveStateOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** Starts watching a kind (once) and waits for its first list. */
  async ensure(apiVersion: string, kind: string): Promise<void> {
    const key = `${splitApiVersion(apiVersion).group}/${kind}`;
    let entry = this.#informers.get(key);
    if (entry === undefined) {
      const informer = new Informer(
        this.#client,
        { apiVersion, kind },
        this.#options.onError ? { onError: this.#options.onError } : {},
      );
      informer.subscribe((event) => {
        const owners = new Set([trackedAppName(event.object as KubeObject)]);
        if (event.type === 'updated') owners.add(trackedAppName(event.old as KubeObject));
        for (const owner of owners) if (owner !== '') this.#options.onChange(owner);
      });
      const ready = informer.start();
      entry = { informer, ready };
      this.#informers.set(key, entry);
      // A kind that cannot be listed is forgotten, so a later reconcile tries again.
      ready.catch(() => {
        if (this.#informers.get(key) === entry) this.#informers.delete(key);
      });
    }
    if (this.#stopped) return;
    await entry.ready;
  }

  /** Every cached object, across watched kinds, whose tracking names `instanceName`. */
  trackedBy(instanceName: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const { informer } of this.#informers.values()) {
      if (!informer.hasSynced) continue;
      for (const obj of informer.list()) {
        if (trackedAppName(obj as KubeObject) === instanceName) out.push(structuredClone(obj) as KubeObject);
      }
    }
    return out;
  }

  /** The cached object, if its kind is watched and it exists. */
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
    const entry = this.#informers.get(`${splitApiVersion(apiVersion).group}/${kind}`);
    const obj = entry?.informer.get(name, namespace || undefined);
    return obj === undefined ? undefined : (structuredClone(obj) as KubeObject);
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const entries = [...this.#informers.values()];
    this.#informers.clear();
    await Promise.all(entries.map((e) => e.ready.then(() => e.informer.stop()).catch(() => undefined)));
  }
}
