/**
 * Gathers what the Rollout controller needs to know about one Rollout, once per reconcile, into a
 * read-only {@link RolloutObservation} (upstream's `newRolloutContext`). The planners read only this.
 *
 * The controller observes from its informer caches ({@link RolloutCache}): no API call, so a
 * reconcile that finds nothing to do costs only the parse and the plan. {@link observeRollout}
 * reads the same from the API server, for one-off readers such as the CLI.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import type { Informer, InformerEvent } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import { computePodTemplateHash } from './hash.ts';
import { getOtherRSs, replicaSetView } from './replica-math.ts';
import { parseRollout } from './spec.ts';
import { withTrafficObjects } from './traffic/observe.ts';
import type { TrafficObservation } from './traffic/types.ts';
import type { ReplicaSetView, Rollout } from './types.ts';
import { RolloutLabels } from './types.ts';
import { sameTemplateIgnoringHash } from './undo.ts';

/** A ReplicaSet as both the arithmetic's view and the object it came from. */
export interface ObservedReplicaSet extends ReplicaSetView {
  /** `rollout.argoproj.io/revision`, 0 when absent. */
  revision: number;
  object: DeepReadonly<KubeObject>;
}

/** A Service the Rollout names, as far as selector switching needs it. */
export interface ObservedService {
  name: string;
  selector: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

/** An AnalysisRun owned by the Rollout. */
export interface ObservedAnalysisRun {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** `status.phase`, '' while the analysis controller has not written one. */
  phase: string;
  message: string;
  terminate: boolean;
  creationTimestamp: string;
}

/** Everything one reconcile of a Rollout reads, gathered once. */
export interface RolloutObservation {
  /** The Rollout object as read (wire JSON; the hashes are computed over it). */
  raw: DeepReadonly<KubeObject>;
  /** The Rollout parsed with defaults, or the parse issues. */
  rollout: Rollout | undefined;
  parseError: string | undefined;
  /** Pod-template hash of `spec.template` (with `status.collisionCount`). */
  podHash: string;
  /** Every ReplicaSet the Rollout owns. */
  allRSs: readonly ObservedReplicaSet[];
  /** new: the ReplicaSet for the current `spec.template`. */
  newRS: ObservedReplicaSet | undefined;
  /** stable: the ReplicaSet that traffic returns to on abort (`status.stableRS`). */
  stableRS: ObservedReplicaSet | undefined;
  /** other: every owned ReplicaSet that is neither new nor stable. */
  otherRSs: readonly ObservedReplicaSet[];
  /** The Services the strategy names that exist, by name. */
  services: ReadonlyMap<string, ObservedService>;
  /** AnalysisRuns the Rollout owns. */
  analysisRuns: readonly ObservedAnalysisRun[];
  /** AnalysisTemplates of the namespace, by name (for creating runs). */
  analysisTemplates: ReadonlyMap<string, DeepReadonly<KubeObject>>;
  /** The Ingresses and HTTPRoutes of its traffic routing (read by `withTrafficObjects`), if any. */
  traffic?: TrafficObservation | undefined;
}

const owns = (owner: DeepReadonly<KubeObject>, obj: DeepReadonly<KubeObject>): boolean =>
  (obj.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.controller === true);

/** The {@link ObservedReplicaSet} of a ReplicaSet object. */
export function observeReplicaSet(object: DeepReadonly<KubeObject>): ObservedReplicaSet {
  const view = replicaSetView(object as KubeObject);
  const revision = Number(object.metadata.annotations?.[RolloutLabels.revision] ?? '0');
  return { ...view, revision: Number.isSafeInteger(revision) ? revision : 0, object };
}

/** The {@link ObservedAnalysisRun} of an AnalysisRun object. */
export function observeAnalysisRun(object: DeepReadonly<KubeObject>): ObservedAnalysisRun {
  const status = (object as { status?: { phase?: unknown; message?: unknown } }).status;
  const spec = (object as { spec?: { terminate?: unknown } }).spec;
  return {
    name: object.metadata.name ?? '',
    labels: object.metadata.labels ?? {},
    phase: typeof status?.phase === 'string' ? status.phase : '',
    message: typeof status?.message === 'string' ? status.message : '',
    terminate: spec?.terminate === true,
    creationTimestamp: object.metadata.creationTimestamp ?? '',
  };
}

/**
 * Pure part of observation: sorts already-read objects into their roles. ReplicaSets and
 * AnalysisRuns not owned by the Rollout are ignored; `analysisTemplates` may be given by name.
 */
export function buildObservation(input: {
  rollout: DeepReadonly<KubeObject>;
  replicaSets: readonly DeepReadonly<KubeObject>[];
  services: readonly DeepReadonly<KubeObject>[];
  analysisRuns: readonly DeepReadonly<KubeObject>[];
  analysisTemplates: readonly DeepReadonly<KubeObject>[] | ReadonlyMap<string, DeepReadonly<KubeObject>>;
}): RolloutObservation {
  const raw = input.rollout;
  const parsed = parseRollout(raw);
  const rollout = parsed.ok ? parsed.value : undefined;
  const parseError = parsed.ok ? undefined : parsed.issues.map((i) => `${i.path}: ${i.detail}`).join('; ');
  const rawSpec = (raw as { spec?: { template?: unknown } }).spec;
  const hash = computePodTemplateHash(rawSpec?.template, rollout?.status?.collisionCount);
  const allRSs = input.replicaSets.filter((rs) => owns(raw, rs)).map(observeReplicaSet);
  // `FindNewReplicaSet`: by hash, else by an equal template (e.g. restored by `rollout undo`
  // from a ReplicaSet, whose template the API server defaulted); its hash is then the current one.
  const newRS =
    allRSs.find((rs) => rs.podTemplateHash === hash) ??
    allRSs.find((rs) => sameTemplateIgnoringHash(rs.object, rawSpec?.template));
  const podHash = newRS?.podTemplateHash ?? hash;
  const stableHash = rollout?.status?.stableRS ?? '';
  const stableRS = stableHash === '' ? undefined : allRSs.find((rs) => rs.podTemplateHash === stableHash);
  const otherNames = new Set(getOtherRSs(newRS, stableRS, allRSs).map((rs) => rs.name));
  const services = new Map<string, ObservedService>();
  for (const svc of input.services) {
    const spec = (svc as { spec?: { selector?: Record<string, string> } }).spec;
    services.set(svc.metadata.name ?? '', {
      name: svc.metadata.name ?? '',
      selector: spec?.selector ?? {},
      annotations: svc.metadata.annotations ?? {},
    });
  }
  return {
    raw,
    rollout,
    parseError,
    podHash,
    allRSs,
    newRS,
    stableRS,
    otherRSs: allRSs.filter((rs) => otherNames.has(rs.name)),
    services,
    analysisRuns: input.analysisRuns.filter((ar) => owns(raw, ar)).map(observeAnalysisRun),
    analysisTemplates: isMap(input.analysisTemplates)
      ? input.analysisTemplates
      : new Map(input.analysisTemplates.map((t) => [t.metadata.name ?? '', t])),
  };
}

const isMap = <V>(v: readonly V[] | ReadonlyMap<string, V>): v is ReadonlyMap<string, V> => v instanceof Map;

/** The names of the Services a Rollout's strategy refers to (read from the raw object, unparsed). */
export function strategyServiceNames(rollout: DeepReadonly<KubeObject>): string[] {
  const strategy = (rollout as { spec?: { strategy?: Record<string, unknown> } }).spec?.strategy;
  const names: string[] = [];
  const pick = (part: unknown, fields: readonly string[]) => {
    if (typeof part !== 'object' || part === null) return;
    for (const field of fields) {
      const value = (part as Record<string, unknown>)[field];
      if (typeof value === 'string' && value !== '') names.push(value);
    }
  };
  pick(strategy?.['canary'], ['canaryService', 'stableService']);
  pick(strategy?.['blueGreen'], ['activeService', 'previewService']);
  return names;
}

/**
 * Reads one Rollout and everything it owns or names from the API server. Undefined when the
 * Rollout is gone (its children go with it by garbage collection).
 */
export async function observeRollout(
  client: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<RolloutObservation | undefined> {
  const rollout = await client.get(
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace, name },
    signal,
  );
  if (rollout === undefined || rollout.metadata.deletionTimestamp !== undefined) return undefined;
  const opts = signal ? { signal } : {};
  const list = async (apiVersion: string, kind: string) =>
    (await client.list({ apiVersion, kind, namespace }, opts)).items;
  const [replicaSets, services, analysisRuns, analysisTemplates] = await Promise.all([
    list('apps/v1', 'ReplicaSet'),
    list('v1', 'Service'),
    list('argoproj.io/v1alpha1', 'AnalysisRun'),
    list('argoproj.io/v1alpha1', 'AnalysisTemplate'),
  ]);
  const obs = buildObservation({ rollout, replicaSets, services, analysisRuns, analysisTemplates });
  return withTrafficObjects(client, obs, signal);
}

type Cached = DeepReadonly<KubeObject>;
const cacheKey = (o: Cached) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/**
 * Cached objects grouped by a key an informer's change stream keeps up to date: the informer's
 * own cache is one flat map, and a reconcile must not scan every ReplicaSet of the cluster to find
 * the two its Rollout owns.
 */
class CacheIndex {
  readonly #groups = new Map<string, Map<string, Cached>>();
  readonly #groupOf: (o: Cached) => string | undefined;
  readonly unsubscribe: () => void;

  constructor(informer: Informer<KubeObject>, groupOf: (o: Cached) => string | undefined) {
    this.#groupOf = groupOf;
    this.unsubscribe = informer.subscribe((event) => this.#apply(event));
    // Objects cached before this index subscribed (an informer already started) count too.
    for (const o of informer.list()) this.#add(o);
  }

  /** The group's objects, by `namespace/name`; empty when there are none. */
  group(key: string): ReadonlyMap<string, Cached> {
    return this.#groups.get(key) ?? EMPTY;
  }

  #apply(event: InformerEvent<KubeObject>): void {
    if (event.type !== 'added') this.#remove(event.type === 'updated' ? event.old : event.object);
    if (event.type !== 'deleted') this.#add(event.object);
  }

  #add(o: Cached): void {
    const group = this.#groupOf(o);
    if (group === undefined) return;
    const members = this.#groups.get(group) ?? new Map<string, Cached>();
    if (members.size === 0) this.#groups.set(group, members);
    members.set(cacheKey(o), o);
  }

  #remove(o: Cached): void {
    const group = this.#groupOf(o);
    const members = group === undefined ? undefined : this.#groups.get(group);
    if (group === undefined || members === undefined) return;
    members.delete(cacheKey(o));
    // Drop empty groups, so the index does not grow with every Rollout ever seen.
    if (members.size === 0) this.#groups.delete(group);
  }
}

const EMPTY: ReadonlyMap<string, Cached> = new Map();

/** uid of the object's controlling owner (only Rollouts own what this cache indexes). */
const controllerUid = (o: Cached): string | undefined =>
  o.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === 'Rollout')?.uid;

/** The informers a {@link RolloutCache} reads; the Rollout controller owns and runs them. */
export interface RolloutInformers {
  rollouts: Informer<KubeObject>;
  replicaSets: Informer<KubeObject>;
  services: Informer<KubeObject>;
  analysisRuns: Informer<KubeObject>;
  analysisTemplates: Informer<KubeObject>;
  /** Pods of Rollouts (label `rollouts-pod-template-hash`), read only while a restart is pending. */
  pods?: Informer<KubeObject> | undefined;
}

/** uid of the ReplicaSet controlling a pod. */
const controllingReplicaSetUid = (o: Cached): string | undefined =>
  o.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === 'ReplicaSet')?.uid;

/**
 * Observation from informer caches: ReplicaSets and AnalysisRuns indexed by their owning Rollout's
 * uid, AnalysisTemplates by namespace, Services and Rollouts looked up by name. Create it before
 * the informers start (or after: it indexes what they already hold), and {@link close} it with them.
 *
 * What it hands out is the informers' own objects, read-only: planners copy before they change
 * anything (they parse the Rollout, and clone the template for a new ReplicaSet).
 */
export class RolloutCache {
  readonly informers: RolloutInformers;
  readonly #owned: { replicaSets: CacheIndex; analysisRuns: CacheIndex };
  readonly #templates: CacheIndex;
  readonly #pods: CacheIndex | undefined;

  constructor(informers: RolloutInformers) {
    this.informers = informers;
    this.#owned = {
      replicaSets: new CacheIndex(informers.replicaSets, controllerUid),
      analysisRuns: new CacheIndex(informers.analysisRuns, controllerUid),
    };
    this.#templates = new CacheIndex(informers.analysisTemplates, (o) => o.metadata.namespace ?? '');
    this.#pods = informers.pods && new CacheIndex(informers.pods, controllingReplicaSetUid);
  }

  /** The cached pods the given ReplicaSets control (none without a pods informer). */
  podsOf(replicaSets: readonly ObservedReplicaSet[]): DeepReadonly<KubeObject>[] {
    const index = this.#pods;
    if (index === undefined) return [];
    return replicaSets.flatMap((rs) => [...index.group(rs.object.metadata.uid ?? '').values()]);
  }

  /** The observation of one Rollout, or undefined when it is not cached or is being deleted. */
  observe(namespace: string, name: string): RolloutObservation | undefined {
    const rollout = this.informers.rollouts.get(name, namespace);
    if (rollout === undefined || rollout.metadata.deletionTimestamp !== undefined) return undefined;
    const uid = rollout.metadata.uid ?? '';
    const services = strategyServiceNames(rollout)
      .map((svc) => this.informers.services.get(svc, namespace))
      .filter((svc) => svc !== undefined);
    const templates = new Map<string, Cached>();
    for (const t of this.#templates.group(namespace).values()) templates.set(t.metadata.name ?? '', t);
    return buildObservation({
      rollout,
      replicaSets: [...this.#owned.replicaSets.group(uid).values()],
      services,
      analysisRuns: [...this.#owned.analysisRuns.group(uid).values()],
      analysisTemplates: templates,
    });
  }

  /** Stops indexing (the informers themselves are stopped by their owner). */
  close(): void {
    this.#owned.replicaSets.unsubscribe();
    this.#owned.analysisRuns.unsubscribe();
    this.#templates.unsubscribe();
    this.#pods?.unsubscribe();
  }
}
