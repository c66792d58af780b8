/**
 * Pod restarts (`spec.restartAt`, set by `slipway rollout restart`): upstream's
 * `RolloutPodRestarter` (rollout/restart.go). Every pod of the Rollout's ReplicaSets created before
 * `spec.restartAt` is evicted, a few at a time: never more than `maxUnavailable` (at least one) of
 * the Rollout's pods unavailable, counting the pods already being replaced. When no pod older than
 * `restartAt` is left, `status.restartedAt` is set to it and the restart is done.
 *
 * {@link planRestart} is the pure decision; {@link withRestart} folds it into a reconcile's plan and
 * reads pods only while a restart is pending, so an unchanged Rollout's reconcile never looks at a
 * pod; the executor evicts ({@link evictPod}).
 * @module
 */
import { z } from 'zod';
import type { KubeClient } from '../kube/client.ts';
import { objectKey } from '../kube/controller.ts';
import { ApiError, isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import { ConditionType } from './conditions.ts';
import type { ObservedReplicaSet, RolloutObservation } from './observe.ts';
import type { RolloutPlan } from './plan.ts';
import { maxUnavailable } from './replica-math.ts';
import { parseGoDuration, replicasOrDefault } from './spec.ts';
import type { Rollout } from './types.ts';

/**
 * How soon a Rollout whose restart is still under way is looked at again (upstream's
 * `restartPodCheckTime`): a replaced pod that becomes available may change no ReplicaSet count the
 * controller watches, so the restart would otherwise stall.
 */
export const RESTART_CHECK_MS = 30_000;

/**
 * The longest a future `restartAt` is slept on in one go. Timers beyond ~24.8 days fire at once in
 * Node; looking again hourly costs one cheap reconcile.
 */
export const MAX_RESTART_WAIT_MS = 3_600_000;

/** How far past `restartAt` the controller looks again: `restartAt` itself still counts as "not yet". */
const RESTART_AT_MARGIN_MS = 1_000;

/** One pod as far as a restart needs it. */
export interface RestartPod {
  name: string;
  uid: string;
  /** `metadata.creationTimestamp` (RFC 3339, whole seconds). */
  createdAt: string;
  /** Has a `deletionTimestamp`: already being replaced. */
  deleting: boolean;
  /** uid of the ReplicaSet that controls it, if any. */
  ownerUid: string | undefined;
  /** Ready for at least `minReadySeconds` (`podutil.IsPodAvailable`), and not being deleted. */
  available: boolean;
}

/** What {@link planRestart} decided. */
export type RestartDecision =
  /** No restart asked for, or the one asked for is done (`status.restartedAt == spec.restartAt`). */
  | { action: 'none' }
  /** `restartAt` lies ahead: look again then. */
  | { action: 'wait'; requeueAfterMs: number }
  /**
   * Pods to evict now (possibly none, while too few are available), and whether that finishes the
   * restart (`restartedAt` is then set, as upstream does in the same reconcile).
   */
  | { action: 'restart'; evict: RestartPod[]; done: boolean; needsRestart: number };

/** What the planner reads of the Rollout. */
export interface RestartInput {
  rollout: Pick<Rollout, 'spec' | 'status'>;
  /** Every ReplicaSet the Rollout owns. */
  allRSs: readonly Pick<ObservedReplicaSet, 'name' | 'replicas' | 'creationTimestamp' | 'object'>[];
  newRS?: Pick<ObservedReplicaSet, 'name'> | undefined;
  stableRS?: Pick<ObservedReplicaSet, 'name'> | undefined;
  /** The pods of those ReplicaSets (others are ignored). */
  pods: readonly RestartPod[];
  now: Date;
}

/**
 * True while `spec.restartAt` is set and `status.restartedAt` is not that time: the only case in
 * which a reconcile reads pods.
 */
export function restartPending(rollout: Pick<Rollout, 'spec' | 'status'>): boolean {
  const at = rollout.spec.restartAt;
  if (at === undefined || at === '') return false;
  const done = rollout.status?.restartedAt;
  return done === undefined || Date.parse(done) !== Date.parse(at);
}

/**
 * `SortReplicaSetsByPriority`: the stable ReplicaSet first, then the new one, then the others
 * oldest first. Pods are restarted in this order, so the stable pods (the ones serving) are
 * refreshed first.
 */
export function sortByRestartPriority<T extends { name: string; creationTimestamp?: string | undefined }>(
  allRSs: readonly T[],
  newRS: string | undefined,
  stableRS: string | undefined,
): T[] {
  const rank = (rs: T) => (rs.name === stableRS ? 0 : rs.name === newRS ? 1 : 2);
  return [...allRSs].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      Date.parse(a.creationTimestamp ?? '') - Date.parse(b.creationTimestamp ?? '') ||
      a.name.localeCompare(b.name),
  );
}

/**
 * Upstream's `RolloutPodRestarter.Reconcile`, pure.
 *
 * Worked example (upstream's "Restart multiple honor availability"): replicas 3, maxUnavailable 2,
 * pods older1, older2 (available, created before restartAt) and newer (created after, not Ready):
 * available 2, effective minimum available max(3, 1) − 2 = 1, so 1 may go now → evict older1;
 * older2 still needs a restart → not done, look again.
 */
export function planRestart(input: RestartInput): RestartDecision {
  const { rollout, now } = input;
  const restartAt = rollout.spec.restartAt;
  if (restartAt === undefined || !restartPending(rollout)) return { action: 'none' };
  const at = Date.parse(restartAt);
  // `NeedsRestart`: only once now is past restartAt; until then `checkEnqueueRollout` waits.
  if (!(now.getTime() > at)) {
    return {
      action: 'wait',
      requeueAfterMs: Math.min(at - now.getTime() + RESTART_AT_MARGIN_MS, MAX_RESTART_WAIT_MS),
    };
  }
  const ordered = sortByRestartPriority(input.allRSs, input.newRS?.name, input.stableRS?.name);
  const rsUids = ordered.map((rs) => rs.object.metadata.uid ?? '');
  const pods = rsUids.flatMap((uid) =>
    input.pods.filter((p) => p.ownerUid === uid).sort((a, b) => a.name.localeCompare(b.name)),
  );
  // Spec replicas may be below the ReplicaSets' sum (a canary weight that does not divide evenly).
  const totalReplicas = input.allRSs.reduce((n, rs) => n + rs.replicas, 0);
  const replicas = replicasOrDefault(rollout.spec.replicas);
  const available = pods.filter((p) => p.available && !p.deleting).length;
  // maxUnavailable may be 0; a restart must still make progress, one pod at a time.
  const concurrent = Math.max(maxUnavailable(rollout.spec), 1);
  let canRestart = available - (Math.max(replicas, totalReplicas) - concurrent);
  let needsRestart = 0;
  const evict: RestartPod[] = [];
  for (const pod of pods) {
    // Created at or after restartAt: already restarted (timestamps have whole seconds).
    if (Date.parse(pod.createdAt) >= at) continue;
    needsRestart += 1;
    if (canRestart <= 0 || pod.deleting) continue;
    evict.push(pod);
    canRestart -= 1;
  }
  return { action: 'restart', evict, done: needsRestart === evict.length, needsRestart };
}

const PodSchema = z.object({
  metadata: z.object({
    name: z.string(),
    uid: z.string(),
    creationTimestamp: z.string(),
    deletionTimestamp: z.string().optional(),
    ownerReferences: z
      .array(z.object({ kind: z.string(), uid: z.string(), controller: z.boolean().optional() }))
      .optional(),
  }),
  status: z
    .object({
      conditions: z
        .array(z.object({ type: z.string(), status: z.string(), lastTransitionTime: z.string().nullish() }))
        .optional(),
    })
    .optional(),
});

/**
 * `podutil.IsPodAvailable`: the Ready condition is True, and has been for more than
 * `minReadySeconds` when that is set.
 */
export function isPodAvailable(
  conditions: ReadonlyArray<{ type: string; status: string; lastTransitionTime?: string | null | undefined }>,
  minReadySeconds: number,
  now: Date,
): boolean {
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 < now.getTime();
}

/**
 * The {@link RestartPod}s of pod objects (as cached). A pod that does not parse (no uid or
 * creation time: never the case for a pod the API server stored) is left out.
 */
export function restartPods(
  objects: readonly DeepReadonly<KubeObject>[],
  minReadySeconds: number,
  now: Date,
  evicted: ReadonlySet<string> = new Set(),
): RestartPod[] {
  const pods: RestartPod[] = [];
  for (const object of objects) {
    const parsed = PodSchema.safeParse(object);
    if (!parsed.success) continue;
    const { metadata, status } = parsed.data;
    // Evicted by us, though the cache may not show its deletionTimestamp yet.
    const deleting = metadata.deletionTimestamp !== undefined || evicted.has(metadata.uid);
    pods.push({
      name: metadata.name,
      uid: metadata.uid,
      createdAt: metadata.creationTimestamp,
      deleting,
      ownerUid: metadata.ownerReferences?.find((r) => r.controller === true && r.kind === 'ReplicaSet')?.uid,
      available: !deleting && isPodAvailable(status?.conditions ?? [], minReadySeconds, now),
    });
  }
  return pods;
}

/** The two fields of a cached Rollout that say whether a restart is pending (nothing else parsed). */
const RestartFieldsSchema = z.object({
  spec: z.object({ restartAt: z.string().optional() }).optional(),
  status: z.object({ restartedAt: z.string().optional() }).optional(),
});

/**
 * The Rollout (as a `namespace/name` key) whose pending restart a change of `pod` concerns: the
 * Rollout controlling the pod's ReplicaSet, if its restart is pending — so pod churn of Rollouts
 * with no restart under way queues nothing.
 */
export function restartingKeys(
  rollouts: { get(name: string, namespace?: string): DeepReadonly<KubeObject> | undefined },
  replicaSets: { get(name: string, namespace?: string): DeepReadonly<KubeObject> | undefined },
  pod: DeepReadonly<KubeObject>,
): string[] {
  const namespace = pod.metadata.namespace ?? '';
  const controllerOf = (o: DeepReadonly<KubeObject> | undefined, kind: string) =>
    o?.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === kind)?.name;
  const rsName = controllerOf(pod, 'ReplicaSet');
  const rolloutName = rsName && controllerOf(replicaSets.get(rsName, namespace), 'Rollout');
  if (!rolloutName) return [];
  const parsed = RestartFieldsSchema.safeParse(rollouts.get(rolloutName, namespace));
  const restartAt = parsed.data?.spec?.restartAt;
  const restartedAt = parsed.data?.status?.restartedAt;
  if (restartAt === undefined) return [];
  if (restartedAt !== undefined && Date.parse(restartedAt) === Date.parse(restartAt)) return [];
  return [objectKey({ metadata: { namespace, name: rolloutName } })];
}

/** How long an eviction is remembered: the pods cache shows it well before (its watch event). */
const EVICTED_MEMORY_MS = 10_000;

/**
 * The pods each Rollout's recent reconciles evicted, by uid: a reconcile woken by a ReplicaSet's
 * change may run before the pods cache shows an evicted pod's deletionTimestamp, and must not count
 * that pod as available (it would evict one more than `maxUnavailable` allows).
 */
export class EvictedPods {
  readonly #byKey = new Map<string, Map<string, number>>();

  /** Remembers that `key`'s reconcile evicted `uids` at `now` (ms). */
  note(key: string, uids: readonly string[], now: number): void {
    if (uids.length === 0) return;
    const pods = this.#byKey.get(key) ?? new Map<string, number>();
    for (const uid of uids) pods.set(uid, now);
    this.#byKey.set(key, pods);
  }

  /** The uids `key` evicted recently; older ones are forgotten (and empty entries dropped). */
  recent(key: string, now: number): ReadonlySet<string> {
    const pods = this.#byKey.get(key);
    if (pods === undefined) return new Set();
    for (const [uid, at] of pods) if (now - at > EVICTED_MEMORY_MS) pods.delete(uid);
    if (pods.size === 0) this.#byKey.delete(key);
    return new Set(pods.keys());
  }

  forget(key: string): void {
    this.#byKey.delete(key);
  }
}

/** A pod the executor evicts; the uid makes sure it is that pod and not a namesake created since. */
export interface PodEviction {
  name: string;
  uid: string;
}

const requeueSooner = (plan: RolloutPlan, ms: number): number =>
  plan.requeueAfterMs === undefined ? ms : Math.min(plan.requeueAfterMs, ms);

/**
 * Folds the restart into the reconcile's `plan` (upstream calls the restarter from `rolloutCanary`
 * and `rolloutBlueGreen`):
 * - an invalid spec, or no pending restart: `plan` unchanged, and `podsOf` is never called;
 * - a new pod template (the status is reset): `restartedAt` = `restartAt`, as `resetRolloutStatus`
 *   does — the new ReplicaSet's pods are new anyway;
 * - `restartAt` ahead: look again then;
 * - pods to evict in a canary: only the evictions (upstream returns early, since the ReplicaSets'
 *   availability no longer counts the pods just evicted, and scaling on it could cause downtime);
 *   in a blue-green, the evictions and the rest of the plan;
 * - done: `status.restartedAt` set.
 */
export function withRestart(
  obs: RolloutObservation,
  plan: RolloutPlan,
  podsOf: () => readonly DeepReadonly<KubeObject>[],
  now: Date,
  evicted: ReadonlySet<string> = new Set(),
): RolloutPlan {
  const { rollout } = obs;
  if (rollout === undefined || !restartPending(rollout)) return plan;
  if ((plan.status.conditions ?? []).some((c) => c.type === ConditionType.InvalidSpec)) return plan;
  const restartAt = rollout.spec.restartAt;
  const reset =
    plan.createReplicaSet !== undefined ||
    (rollout.status?.currentPodHash ?? '') !== (plan.status.currentPodHash ?? '');
  if (reset) return { ...plan, status: { ...plan.status, restartedAt: restartAt } };
  const decision = planRestart({
    rollout,
    allRSs: obs.allRSs,
    newRS: obs.newRS,
    stableRS: obs.stableRS,
    pods: restartPods(podsOf(), rollout.spec.minReadySeconds ?? 0, now, evicted),
    now,
  });
  if (decision.action === 'none') return plan;
  if (decision.action === 'wait')
    return { ...plan, requeueAfterMs: requeueSooner(plan, decision.requeueAfterMs) };
  const evictPods = decision.evict.map((p) => ({ name: p.name, uid: p.uid }));
  if (evictPods.length > 0 && rollout.spec.strategy.blueGreen === undefined) {
    return {
      annotate: [],
      scale: [],
      services: [],
      createAnalysisRuns: [],
      terminateAnalysisRuns: [],
      deleteReplicaSets: [],
      deleteAnalysisRuns: [],
      status: structuredClone(rollout.status ?? {}),
      events: [],
      evictPods,
      requeueAfterMs: RESTART_CHECK_MS,
    };
  }
  const status = decision.done ? { ...plan.status, restartedAt: restartAt } : plan.status;
  const next: RolloutPlan = { ...plan, status };
  if (evictPods.length > 0) next.evictPods = evictPods;
  // Evicted pods, or old pods waiting for room: look again even if no watched count changes.
  if (!decision.done || evictPods.length > 0) next.requeueAfterMs = requeueSooner(plan, RESTART_CHECK_MS);
  return next;
}

/**
 * Evicts one pod through the Eviction API (`pods/<name>/eviction`), so PodDisruptionBudgets are
 * honoured, with a uid precondition. Returns false when a disruption budget refused it (HTTP 429:
 * upstream logs it and tries again later); a pod already gone counts as evicted.
 */
export async function evictPod(
  client: KubeClient,
  namespace: string,
  pod: PodEviction,
  signal?: AbortSignal,
): Promise<boolean> {
  const { path } = await client.pathFor('v1', 'Pod', namespace, pod.name, signal);
  try {
    await client.transport.request({
      method: 'POST',
      path: `${path}/eviction`,
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: pod.name, namespace },
        deleteOptions: { preconditions: { uid: pod.uid } },
      },
      subject: `Pod/${namespace}/${pod.name}`,
      ...(signal ? { signal } : {}),
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return true;
    if (err instanceof ApiError && err.code === 429) return false;
    // The uid precondition failed: that pod is gone and a namesake replaced it (a new pod).
    if (err instanceof ApiError && err.code === 409) return true;
    throw err;
  }
}

/**
 * The `spec.restartAt` that `rollout restart [--in DURATION]` writes: now plus `in` (Go duration
 * syntax, as the plugin's `--in`), in RFC 3339 with whole seconds (Go's `time.RFC3339` layout
 * drops the fraction, so a pod created later in the same second counts as restarted).
 * @example restartAtFor(new Date('2026-03-01T10:00:00.700Z'), '30s') // '2026-03-01T10:00:30Z'
 * @throws SlipwayError (subject `--in`, reason `InvalidArgument`) for a malformed duration.
 */
export function restartAtFor(now: Date, inDuration?: string): string {
  let ms = 0;
  if (inDuration !== undefined) {
    const ns = parseGoDuration(inDuration);
    if (ns === undefined) {
      throw new SlipwayError(`invalid duration ${JSON.stringify(inDuration)} (expected e.g. 30s, 5m, 1h)`, {
        subject: '--in',
        reason: 'InvalidArgument',
      });
    }
    ms = Number(ns / 1_000_000n);
  }
  const at = new Date(Math.floor((now.getTime() + ms) / 1000) * 1000);
  return at.toISOString().replace('.000Z', 'Z');
}

/** The merge patch `rollout restart` sends (upstream's `restartPatch`). */
export function restartPatch(restartAt: string): { spec: { restartAt: string } } {
  return { spec: { restartAt } };
}
