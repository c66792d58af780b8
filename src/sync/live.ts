/**
 * The live state of tracked objects: one cluster-wide informer per kind, created the first time an
 * Application needs that kind and shared by every Application after that. A change to an object
 * queues the Application its tracking id names, which is how drift is noticed without polling.
 *
 * The objects are also indexed by the Application that tracks them, so finding an app's objects
 * costs what the app owns, not what the cluster holds; and each object remembers the verdict of
 * its last comparison ({@link LiveState.rememberDiff}), so an unchanged app is compared without a
 * single request to the API server.
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
  /** Tracking instance name → (`group/Kind/namespace/name` → the cached object). */
  readonly #byApp = new Map<string, Map<string, KubeObject>>();
  /** Object uid → the last comparison made against that object. */
  readonly #diffs = new Map<string, RememberedDiff>();
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
        const object = event.object as KubeObject;
        const owner = trackedAppName(object);
        const owners = new Set([owner]);
        if (event.type === 'updated') {
          const previous = trackedAppName(event.old as KubeObject);
          owners.add(previous);
          if (previous !== owner) this.#unindex(previous, key, object);
        }
        if (event.type === 'deleted') {
          this.#unindex(owner, key, object);
          if (object.metadata.uid) this.#diffs.delete(object.metadata.uid);
        } else this.#index(owner, key, object);
        for (const name of owners) if (name !== '') this.#options.onChange(name);
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

  /** Every cached object, across watched kinds, whose tracking names `instanceName` (copies). */
  trackedBy(instanceName: string): KubeObject[] {
    const objects = this.#byApp.get(instanceName);
    return objects === undefined ? [] : [...objects.values()].map((obj) => structuredClone(obj));
  }

  /**
   * The verdict of the last comparison of `live` with a target whose fingerprint is `target`, if
   * neither has changed since: the object's resourceVersion moves with every change to it.
   */
  recalledDiff(live: KubeObject, target: string): boolean | undefined {
    const uid = live.metadata.uid;
    const remembered = uid === undefined ? undefined : this.#diffs.get(uid);
    if (remembered === undefined) return undefined;
    return remembered.resourceVersion === live.metadata.resourceVersion && remembered.target === target
      ? remembered.modified
      : undefined;
  }

  /** Remembers a comparison's verdict for {@link recalledDiff} (one per object: the latest). */
  rememberDiff(live: KubeObject, target: string, modified: boolean): void {
    const { uid, resourceVersion } = live.metadata;
    if (uid === undefined || resourceVersion === undefined) return;
    this.#diffs.set(uid, { resourceVersion, target, modified });
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
    this.#byApp.clear();
    this.#diffs.clear();
    await Promise.all(entries.map((e) => e.ready.then(() => e.informer.stop()).catch(() => undefined)));
  }

  #index(owner: string, kind: string, object: KubeObject): void {
    if (owner === '') return;
    let objects = this.#byApp.get(owner);
    if (objects === undefined) {
      objects = new Map();
      this.#byApp.set(owner, objects);
    }
    objects.set(objectIndexKey(kind, object), object);
  }

  #unindex(owner: string, kind: string, object: KubeObject): void {
    const objects = this.#byApp.get(owner);
    if (objects === undefined) return;
    objects.delete(objectIndexKey(kind, object));
    if (objects.size === 0) this.#byApp.delete(owner);
  }
}

/** A comparison's verdict and what it was made between. */
interface RememberedDiff {
  resourceVersion: string;
  /** Fingerprint of the target (and of the ignore rules) compared. */
  target: string;
  modified: boolean;
}

function objectIndexKey(kind: string, object: KubeObject): string {
  return `${kind}/${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}
