/**
 * The Rollout controller: informers on Rollouts and on what they own (ReplicaSets, AnalysisRuns)
 * feed a keyed work queue; each reconcile observes one Rollout, plans (pure), executes the plan and
 * asks to be woken when a timed pause or a progress deadline runs out.
 *
 * Ownership: Slipway installs the Rollouts CRDs when they are absent, and stands aside when an Argo
 * Rollouts controller runs in the cluster, unless a controller instance id separates the two
 * (Slipway then reconciles only Rollouts labelled `argo-rollouts.argoproj.io/controller-instance-id`
 * with its id).
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import { Controller, objectKey, splitKey } from '../kube/controller.ts';
import { ensureCrds, loadCrds } from '../kube/crds.ts';
import { Informer, type InformerEvent } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import { sourceFile } from '../util/source-files.ts';
import { executePlan } from './execute.ts';
import { RolloutCache, type RolloutObservation } from './observe.ts';
import { emptyPlan, type RolloutPlan } from './plan.ts';
import { planBlueGreen } from './plan-bluegreen.ts';
import { planCanary } from './plan-canary.ts';
import { analysisTemplateIssues, serviceIssues } from './references.ts';
import { EvictedPods, restartingKeys, withRestart } from './restart.ts';
import { invalidSpecMessage, type SpecIssue, unsupportedFeatures, validateRollout } from './spec.ts';
import { invalidSpecStatus } from './status.ts';
import { NO_TRAFFIC_OBJECTS, validateTrafficRouting, withTrafficObjects } from './traffic/index.ts';
import { RolloutLabels } from './types.ts';

/** Options of {@link createRolloutController}. */
export interface RolloutControllerOptions {
  client: KubeClient;
  /** Watch one namespace only; default (or undefined) all namespaces. */
  namespace?: string | undefined;
  /** The time source of every plan; default `() => new Date()`. */
  clock?: () => Date;
  /** Reconcile only Rollouts with this `controller-instance-id` label (and run beside Argo Rollouts). */
  instanceId?: string;
  /** Install the Rollouts CRDs when absent; default true. */
  installCrds?: boolean;
  onError?: (key: string, err: unknown) => void;
}

/** A running Rollout controller. */
export interface RolloutController {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Reconciles one Rollout (`namespace/name`) now, outside the work queue — for benchmarks and
   * diagnostics; the queue never runs two reconciles of one key at once, this call does not know
   * about it. Only between `start()` and `stop()`.
   */
  reconcile(key: string, signal?: AbortSignal): Promise<{ requeueAfterMs: number } | undefined>;
}

/** The Rollouts CRDs by name, and the vendored file of each. */
export const ROLLOUT_CRD_FILES: ReadonlyArray<[name: string, file: string]> = [
  ['rollouts.argoproj.io', 'rollout-crd.yaml'],
  ['analysisruns.argoproj.io', 'analysis-run-crd.yaml'],
  ['analysistemplates.argoproj.io', 'analysis-template-crd.yaml'],
  ['clusteranalysistemplates.argoproj.io', 'cluster-analysis-template-crd.yaml'],
  ['experiments.argoproj.io', 'experiment-crd.yaml'],
];

/**
 * Installs the CRDs of `files` the cluster lacks. Only a missing CRD's file is read: the five are
 * 1 MB of YAML whose parse would leave the controller's heap ~50 MB larger for nothing.
 */
export async function installMissingCrds(
  client: KubeClient,
  files: ReadonlyArray<readonly [name: string, file: string]>,
): Promise<void> {
  const missing: string[] = [];
  for (const [name, file] of files) {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name };
    if ((await client.get(crd)) === undefined) missing.push(file);
  }
  if (missing.length === 0) return;
  await ensureCrds(
    client,
    missing.flatMap((f) => loadCrds(sourceFile(`rollouts/crds/${f}`))),
  );
}

const INVALID_SPEC_REQUEUE_MS = 20_000;
/** Look again this soon when the caches lag behind our own writes (their watch event usually comes first). */
const STALE_CACHE_RECHECK_MS = 250;
/** Give up waiting for the caches after this long and plan from what they hold. */
const STALE_CACHE_MAX_WAIT_MS = 10_000;

/** The Services the strategy names that do not exist (upstream: `ValidateRolloutReferencedResources`). */
export function missingServices(obs: RolloutObservation): SpecIssue[] {
  const strategy = obs.rollout?.spec.strategy;
  const named: Array<[string, string | undefined]> = [
    ['spec.strategy.canary.canaryService', strategy?.canary?.canaryService],
    ['spec.strategy.canary.stableService', strategy?.canary?.stableService],
    ['spec.strategy.blueGreen.activeService', strategy?.blueGreen?.activeService],
    ['spec.strategy.blueGreen.previewService', strategy?.blueGreen?.previewService],
  ];
  return named
    .filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && entry[1] !== '' && !obs.services.has(entry[1]),
    )
    .map(([path, svc]) => ({
      path,
      type: 'Invalid value',
      value: JSON.stringify(svc),
      detail: `services ${JSON.stringify(svc)} not found`,
    }));
}

/** Keys of the Rollouts (of `rollouts`) whose strategy names `service` in its namespace. */
export function referencingKeys(
  rollouts: readonly DeepReadonly<KubeObject>[],
  service: DeepReadonly<KubeObject>,
): string[] {
  const name = service.metadata.name ?? '';
  return rollouts
    .filter((ro) => ro.metadata.namespace === service.metadata.namespace)
    .filter((ro) => {
      const strategy = (ro as { spec?: { strategy?: Record<string, Record<string, unknown> | undefined> } })
        .spec?.strategy;
      const c = strategy?.canary;
      const b = strategy?.blueGreen;
      return [c?.canaryService, c?.stableService, b?.activeService, b?.previewService].includes(name);
    })
    .map((ro) => objectKey(ro));
}

/** Keys of the Rollouts that own `event.object` as controller. */
function ownerKeys(event: InformerEvent<KubeObject>): string[] {
  const { metadata } = event.object;
  return (metadata.ownerReferences ?? [])
    .filter((r) => r.kind === 'Rollout' && r.controller === true)
    .map((r) => objectKey({ metadata: { namespace: metadata.namespace, name: r.name } }));
}

/**
 * Plans one reconcile: an invalid or unsupported spec becomes an `InvalidSpec` condition (phase
 * Degraded) and nothing else is touched; a canary goes to the canary planner.
 */
export function planRollout(obs: RolloutObservation, now: Date): RolloutPlan {
  const { rollout } = obs;
  const name = obs.raw.metadata.name ?? '';
  const generation = obs.raw.metadata.generation;
  const invalid = (message: string): RolloutPlan => ({
    ...emptyPlan(invalidSpecStatus(rollout?.status, message, generation, now)),
    // Upstream looks again after 20s: a missing Service may be created meanwhile.
    requeueAfterMs: INVALID_SPEC_REQUEUE_MS,
  });
  if (rollout === undefined) return invalid(`The Rollout "${name}" is invalid: ${obs.parseError ?? ''}`);
  const upstream = validateRollout(rollout.spec, {
    metadata: { name, namespace: obs.raw.metadata.namespace ?? '' },
  });
  const first = upstream[0];
  if (first !== undefined) return invalid(invalidSpecMessage(name, first, { upstreamPaths: true }));
  const slipway = [...unsupportedFeatures(rollout.spec), ...missingServices(obs)];
  // The stable Ingresses must exist and use the stable Service; unsupported router features refused.
  slipway.push(...validateTrafficRouting(rollout, obs.traffic ?? NO_TRAFFIC_OBJECTS));
  const bg = rollout.spec.strategy.blueGreen;
  // Upstream's order: Services exist, templates exist, then what they say (`ValidateRolloutReferencedResources`).
  slipway.push(...analysisTemplateIssues(obs), ...serviceIssues(obs));
  const own = slipway[0];
  if (own !== undefined) return invalid(invalidSpecMessage(name, own));
  return bg !== undefined ? planBlueGreen(obs, now) : planCanary(obs, now);
}

/**
 * The Argo Rollouts controller Slipway must stand aside for, if any: a Deployment labelled
 * `app.kubernetes.io/name=argo-rollouts` — unless Slipway runs with an instance id, which
 * separates the Rollouts each controller reconciles.
 * @returns a SlipwayError (reason `ArgoRolloutsPresent`) naming the Deployment, or undefined.
 */
export function argoRolloutsConflict(
  deployments: readonly KubeObject[],
  instanceId: string | undefined,
): SlipwayError | undefined {
  if (instanceId !== undefined && instanceId !== '') return undefined;
  const found = deployments.find((d) => d.metadata.labels?.['app.kubernetes.io/name'] === 'argo-rollouts');
  if (found === undefined) return undefined;
  return new SlipwayError(
    'an Argo Rollouts controller is installed; Slipway stands aside (run Slipway with --instance-id and label its Rollouts argo-rollouts.argoproj.io/controller-instance-id to run both)',
    {
      subject: `Deployment/${found.metadata.namespace ?? ''}/${found.metadata.name ?? ''}`,
      reason: 'ArgoRolloutsPresent',
    },
  );
}

/** Lists the cluster's Deployments labelled as Argo Rollouts and throws {@link argoRolloutsConflict}'s error. */
export async function checkNoArgoRollouts(client: KubeClient, instanceId: string | undefined): Promise<void> {
  if (instanceId !== undefined && instanceId !== '') return;
  const { items } = await client.list({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    labelSelector: 'app.kubernetes.io/name=argo-rollouts',
  });
  const conflict = argoRolloutsConflict(items, instanceId);
  if (conflict !== undefined) throw conflict;
}

/** One object a reconcile wrote, and the resourceVersion the API server answered with. */
interface Write {
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: bigint;
}

/**
 * A view of `client` for one reconcile's executor that notes every object it creates or patches:
 * the controller then waits for its caches to show those writes before planning that Rollout again.
 * Everything else passes through untouched.
 */
function recordingWrites(client: KubeClient, writes: Write[]): KubeClient {
  const record = (obj: unknown) => {
    const meta = (obj as Partial<KubeObject> | undefined)?.metadata;
    const rv = meta?.resourceVersion;
    // resourceVersions are etcd revisions in practice; anything else is not compared, only trusted.
    if (typeof rv !== 'string' || !/^\d+$/.test(rv)) return;
    writes.push({
      kind: (obj as KubeObject).kind,
      namespace: meta?.namespace ?? '',
      name: meta?.name ?? '',
      resourceVersion: BigInt(rv),
    });
  };
  const recorded = new Set(['create', 'patch', 'patchStatus']);
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      // Bound to the real client: its private fields are not reachable through the proxy.
      const method = value.bind(target) as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || !recorded.has(prop)) return method;
      return async (...args: unknown[]) => {
        const result = await method(...args);
        record(result);
        return result;
      };
    },
  });
}

/**
 * The writes of each Rollout's last reconcile, kept until the informer caches show them. Planning
 * from a cache that has not caught up with our own writes would plan them again: a second
 * `ScalingReplicaSet` event, or a pause condition restarted with a later start time. Upstream's
 * `IsCacheStale` guards the Rollout the same way; this also covers the ReplicaSets, Services and
 * AnalysisRuns the executor wrote.
 */
class WrittenVersions {
  readonly #pending = new Map<string, { writes: Write[]; since: number }>();
  readonly #informers: ReadonlyMap<string, Informer<KubeObject>>;

  constructor(informers: ReadonlyMap<string, Informer<KubeObject>>) {
    this.#informers = informers;
  }

  /** Remembers what a reconcile of `key` wrote (replacing the previous reconcile's writes). */
  set(key: string, writes: Write[], now: number): void {
    const tracked = writes.filter((w) => this.#informers.has(w.kind));
    if (tracked.length === 0) this.#pending.delete(key);
    else this.#pending.set(key, { writes: tracked, since: now });
  }

  /** True while a cache still holds an older version of something `key`'s last reconcile wrote. */
  stale(key: string, now: number): boolean {
    const entry = this.#pending.get(key);
    if (entry === undefined) return false;
    const lagging = entry.writes.filter((w) => {
      const cached = this.#informers.get(w.kind)?.get(w.name, w.namespace)?.metadata.resourceVersion;
      // Gone from the cache (deleted since) counts as caught up.
      return cached !== undefined && /^\d+$/.test(cached) && BigInt(cached) < w.resourceVersion;
    });
    if (lagging.length === 0 || now - entry.since > STALE_CACHE_MAX_WAIT_MS) {
      this.#pending.delete(key);
      return false;
    }
    entry.writes = lagging;
    return true;
  }

  forget(key: string): void {
    this.#pending.delete(key);
  }
}

/** Creates the Rollout controller (not yet started). */
export function createRolloutController(options: RolloutControllerOptions): RolloutController {
  const { client, namespace } = options;
  const clock = options.clock ?? (() => new Date());
  let controller: Controller | undefined;
  let cache: RolloutCache | undefined;
  let written: WrittenVersions | undefined;
  const evicted = new EvictedPods();
  const handles = (obs: RolloutObservation) =>
    (obs.raw.metadata.labels?.[RolloutLabels.controllerInstanceId] ?? '') === (options.instanceId ?? '');
  const reconcile = async (key: string, signal: AbortSignal) => {
    if (cache === undefined || written === undefined) {
      throw new SlipwayError('the Rollout controller is not running', {
        subject: `Rollout/${key}`,
        reason: 'NotRunning',
      });
    }
    const { namespace: ns, name } = splitKey(key);
    const observed = cache.observe(ns ?? '', name);
    if (observed === undefined || !handles(observed)) {
      written.forget(key);
      evicted.forget(key);
      return undefined; // gone, or another controller's
    }
    const now = clock();
    if (written.stale(key, now.getTime())) return { requeueAfterMs: STALE_CACHE_RECHECK_MS };
    // Router objects (Ingresses, HTTPRoutes) are read from the API server, only for routed Rollouts.
    const routed = await withTrafficObjects(client, observed, signal);
    // Pods are looked at only while a restart (`spec.restartAt`) is pending.
    const owned = cache;
    const plan = withRestart(
      routed,
      planRollout(routed, now),
      () => owned.podsOf(routed.allRSs),
      now,
      evicted.recent(key, now.getTime()),
    );
    const writes: Write[] = [];
    try {
      await executePlan(recordingWrites(client, writes), observed, plan, signal, now);
    } finally {
      written.set(key, writes, now.getTime());
      evicted.note(
        key,
        (plan.evictPods ?? []).map((p) => p.uid),
        now.getTime(),
      );
    }
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  };
  return {
    async start() {
      await checkNoArgoRollouts(client, options.instanceId);
      if (options.installCrds ?? true) {
        await installMissingCrds(client, ROLLOUT_CRD_FILES);
      }
      const informer = (apiVersion: string, kind: string) =>
        new Informer(client, { apiVersion, kind, namespace });
      const informers = {
        rollouts: informer('argoproj.io/v1alpha1', 'Rollout'),
        replicaSets: informer('apps/v1', 'ReplicaSet'),
        services: informer('v1', 'Service'),
        analysisRuns: informer('argoproj.io/v1alpha1', 'AnalysisRun'),
        analysisTemplates: informer('argoproj.io/v1alpha1', 'AnalysisTemplate'),
        // Only Rollouts' pods (their ReplicaSets label them), for restarts.
        pods: new Informer(client, {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace,
          labelSelector: RolloutLabels.podTemplateHash,
        }),
      };
      // Indexes subscribe before the informers list, so they see every object from the start.
      cache = new RolloutCache(informers);
      written = new WrittenVersions(
        new Map([
          ['Rollout', informers.rollouts],
          ['ReplicaSet', informers.replicaSets],
          ['Service', informers.services],
          ['AnalysisRun', informers.analysisRuns],
        ]),
      );
      const { rollouts } = informers;
      controller = new Controller({
        name: 'rollouts',
        primary: rollouts,
        related: [
          { informer: informers.replicaSets, keysFor: ownerKeys },
          // A run's phase change (Failed → abort, Successful → next step) reaches its Rollout at once.
          { informer: informers.analysisRuns, keysFor: ownerKeys },
          // A named Service appearing or being edited: its Rollouts re-check selectors and validity.
          { informer: informers.services, keysFor: (e) => referencingKeys(rollouts.list(), e.object) },
          // Templates are read when a run is created; a change to one concerns no Rollout by itself.
          { informer: informers.analysisTemplates, keysFor: () => [] },
          // A pod replaced or turning available moves a pending restart on; other pod changes concern no Rollout.
          {
            informer: informers.pods,
            keysFor: (e) => restartingKeys(rollouts, informers.replicaSets, e.object),
          },
        ],
        reconcile,
        ...(options.onError ? { onError: options.onError } : {}),
      });
      await controller.start();
    },
    async stop() {
      await controller?.stop();
      cache?.close();
      controller = undefined;
      cache = undefined;
      written = undefined;
    },
    reconcile: (key, signal) => reconcile(key, signal ?? new AbortController().signal),
  };
}
