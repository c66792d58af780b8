/**
 * Replica arithmetic of Argo Rollouts, ported from `utils/replicaset/canary.go`,
 * `utils/replicaset/replicaset.go` and `utils/replicaset/bluegreen.go`: how many pods the canary
 * (new) and stable ReplicaSets should have for a weight, within maxSurge and maxUnavailable, and
 * how many the new ReplicaSet gets under blue-green (previewReplicaCount).
 *
 * Float expressions keep upstream's evaluation order and Go's int32 wrap-around, because the
 * rounding decides pod counts (`R*w/maxW` is not `R*(w/maxW)` in floating point). The tables in
 * `replica-math.test.ts` are upstream's, row for row.
 *
 * @module
 */
import { z } from 'zod';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import { maxSurgeOrDefault, maxTrafficWeight, maxUnavailableOrDefault, replicasOrDefault } from './spec.ts';
import {
  allDesiredAreAvailable,
  getCanaryReplicasOrWeight,
  replicaProgressThresholdMet,
  trafficWeightToReplicas,
} from './steps.ts';
import {
  type ReadonlyRollout,
  type ReadonlySpec,
  type ReplicaSetView,
  RolloutLabels,
  type TrafficWeights,
} from './types.ts';

export { allDesiredAreAvailable, replicaProgressThresholdMet, trafficWeightToReplicas };

const int32 = (n: number): number => n | 0;

// ---------------------------------------------------------------------------------------------
// ReplicaSets
// ---------------------------------------------------------------------------------------------

const ReplicaSetShape = z.object({
  metadata: z.object({
    name: z.string(),
    creationTimestamp: z.string().optional(),
    labels: z.record(z.string(), z.string()).nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
  }),
  spec: z.object({ replicas: z.number().int().nullish() }).nullish(),
  status: z
    .object({
      replicas: z.number().int().nullish(),
      availableReplicas: z.number().int().nullish(),
      readyReplicas: z.number().int().nullish(),
    })
    .nullish(),
});

/**
 * The {@link ReplicaSetView} of a ReplicaSet object. An unset `spec.replicas` is 1, as the API
 * server defaults it.
 * @throws SlipwayError (reason `InvalidReplicaSet`) naming the object when a field has the wrong type.
 */
export function replicaSetView(rs: KubeObject): ReplicaSetView {
  const parsed = ReplicaSetShape.safeParse(rs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SlipwayError(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, {
      subject: `ReplicaSet/${rs.metadata.namespace ?? ''}/${rs.metadata.name ?? ''}`,
      reason: 'InvalidReplicaSet',
    });
  }
  const { metadata, spec, status } = parsed.data;
  return {
    name: metadata.name,
    podTemplateHash: metadata.labels?.[RolloutLabels.podTemplateHash],
    replicas: spec?.replicas ?? 1,
    statusReplicas: status?.replicas ?? 0,
    availableReplicas: status?.availableReplicas ?? 0,
    readyReplicas: status?.readyReplicas ?? 0,
    creationTimestamp: metadata.creationTimestamp,
    annotations: metadata.annotations ?? undefined,
  };
}

type MaybeRS = ReplicaSetView | undefined;

/** Σ `spec.replicas` (`GetReplicaCountForReplicaSets`). @example sumReplicas([rs(1), rs(2), undefined]) // 3 */
export function sumReplicas(rss: readonly MaybeRS[]): number {
  return rss.reduce((n, rs) => n + (rs?.replicas ?? 0), 0);
}

/** Σ `status.availableReplicas`. */
export function sumAvailableReplicas(rss: readonly MaybeRS[]): number {
  return rss.reduce((n, rs) => n + (rs?.availableReplicas ?? 0), 0);
}

/** Σ `status.replicas` (pods that exist: `GetActualReplicaCountForReplicaSets`). */
export function sumActualReplicas(rss: readonly MaybeRS[]): number {
  return rss.reduce((n, rs) => n + (rs?.statusReplicas ?? 0), 0);
}

/** Σ `status.readyReplicas`. */
export function sumReadyReplicas(rss: readonly MaybeRS[]): number {
  return rss.reduce((n, rs) => n + (rs?.readyReplicas ?? 0), 0);
}

/** `CheckStableRSExists`: a stable ReplicaSet that is not the new one. */
export function checkStableRSExists(newRS: MaybeRS, stableRS: MaybeRS): stableRS is ReplicaSetView {
  if (stableRS === undefined) return false;
  if (newRS === undefined) return true;
  return newRS.name !== stableRS.name;
}

/** `GetStableRS`: the ReplicaSet labelled with `status.stableRS` (the new one if it is). */
export function getStableRS(
  ro: ReadonlyRollout,
  newRS: MaybeRS,
  rss: readonly MaybeRS[],
): ReplicaSetView | undefined {
  const stable = ro.status?.stableRS ?? '';
  if (stable === '') return undefined;
  if (newRS?.podTemplateHash === stable) return newRS;
  return rss.find((rs) => rs?.podTemplateHash === stable);
}

/** `GetOtherRSs`: every ReplicaSet that is neither new nor stable (matched by name). */
export function getOtherRSs(newRS: MaybeRS, stableRS: MaybeRS, rss: readonly MaybeRS[]): ReplicaSetView[] {
  return rss.filter(
    (rs): rs is ReplicaSetView => rs !== undefined && rs.name !== stableRS?.name && rs.name !== newRS?.name,
  );
}

/** `GetReplicaSetByTemplateHash`: the ReplicaSet with a hash, and every other hash-labelled one. */
export function getReplicaSetByTemplateHash(
  rss: readonly MaybeRS[],
  hash: string,
): { match: ReplicaSetView | undefined; others: ReplicaSetView[] } {
  if (hash === '')
    return { match: undefined, others: rss.filter((rs): rs is ReplicaSetView => rs !== undefined) };
  let match: ReplicaSetView | undefined;
  const others: ReplicaSetView[] = [];
  for (const rs of rss) {
    if (rs === undefined || rs.podTemplateHash === undefined) continue;
    if (rs.podTemplateHash === hash) match = rs;
    else others.push(rs);
  }
  return { match, others };
}

// ---------------------------------------------------------------------------------------------
// maxSurge / maxUnavailable
// ---------------------------------------------------------------------------------------------

/**
 * k8s `intstr.GetValueFromIntOrPercent`, the legacy form upstream uses: a number is itself; a string
 * is a percent **with or without** `%` (every `%` is removed, then Atoi) of `total`, rounded up or
 * down. Undefined where Go returns an error (a string that is not a number).
 * @example getValueFromIntOrPercent('25%', 10, true) // 3 (2.5 rounded up)
 * @example getValueFromIntOrPercent('25', 10, false) // 2 (no % is still a percent; 2.5 rounded down)
 * @example getValueFromIntOrPercent(3, 10, true) // 3
 */
export function getValueFromIntOrPercent(
  value: number | string,
  total: number,
  roundUp: boolean,
): number | undefined {
  if (typeof value === 'number') return value;
  const text = value.replaceAll('%', '');
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const percent = Number(text);
  if (!Number.isSafeInteger(percent)) return undefined;
  return roundUp ? Math.ceil((percent * total) / 100) : Math.floor((percent * total) / 100);
}

/**
 * `resolveFenceposts`: maxSurge (rounded up) and maxUnavailable (rounded down) out of `desired`;
 * when both come out 0, maxUnavailable is 1 (percentages of small counts round to 0, and a rollout
 * must be able to move). Undefined when either value does not parse.
 * @example resolveFenceposts('25%', '25%', 10) // { surge: 3, unavailable: 2 }
 * @example resolveFenceposts('0%', '0%', 10) // { surge: 0, unavailable: 1 }
 * @example resolveFenceposts('25%', '25%', 1) // { surge: 1, unavailable: 0 }
 */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { surge: number; unavailable: number } | undefined {
  const surge = getValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  const unavailable = getValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === undefined || unavailable === undefined) return undefined;
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

/**
 * `MaxSurge`: extra pods a canary update may run above `spec.replicas` (0 for blue-green).
 * @example maxSurge({ replicas: 10, strategy: { canary: {} } }) // 3 (default 25%, rounded up)
 */
export function maxSurge(spec: ReadonlySpec): number {
  if (spec.strategy.canary === undefined) return 0;
  const replicas = replicasOrDefault(spec.replicas);
  return resolveFenceposts(maxSurgeOrDefault(spec), maxUnavailableOrDefault(spec), replicas)?.surge ?? 0;
}

/**
 * `MaxUnavailable`: pods that may be unavailable during an update, at most `spec.replicas`
 * (0 when replicas is 0). Canary resolves it together with maxSurge (so both-zero gives 1);
 * blue-green on its own.
 * @example maxUnavailable({ replicas: 10, strategy: { canary: {} } }) // 2 (default 25%, rounded down)
 * @example maxUnavailable({ replicas: 10, strategy: { canary: { maxSurge: 0, maxUnavailable: 0 } } }) // 1
 */
export function maxUnavailable(spec: ReadonlySpec): number {
  const replicas = replicasOrDefault(spec.replicas);
  if (replicas === 0) return 0;
  let unavailable: number;
  if (spec.strategy.canary !== undefined) {
    unavailable =
      resolveFenceposts(maxSurgeOrDefault(spec), maxUnavailableOrDefault(spec), replicas)?.unavailable ?? 0;
  } else {
    unavailable = getValueFromIntOrPercent(maxUnavailableOrDefault(spec), replicas, false) ?? 0;
  }
  return Math.min(unavailable, replicas);
}

// ---------------------------------------------------------------------------------------------
// Basic canary (no traffic routing): weight by pod ratio
// ---------------------------------------------------------------------------------------------

/** Pod counts for the canary (new) and stable ReplicaSets. */
export interface CanaryStableCounts {
  canary: number;
  stable: number;
}

/** `floorCeilingTied`: `total × (w / maxW)` ends in exactly .5 (division first, as upstream). */
function floorCeilingTied(weight: number, maxWeight: number, total: number): boolean {
  const x = total * (weight / maxWeight);
  return x - Math.trunc(x) === 0.5;
}

/** `weightDelta`: how far `canary` pods out of `total` are from the weight. */
function weightDelta(weight: number, maxWeight: number, canary: number, total: number): number {
  return Math.abs(Math.imul(canary, maxWeight) / total - weight);
}

/**
 * `approximateWeightedCanaryStableReplicaCounts`: the canary and stable pod counts whose ratio is
 * closest to `weight/maxWeight`, allowing one surge pod (total R+1) when maxSurge > 0.
 *
 * Candidates, in order (an earlier one wins a tie): (ceil, R) unless ceil would take every pod;
 * (floor, R) unless floor and ceil are equally close or floor is 0; then with surge (ceil, R+1) and
 * (floor, R+1) under the same rules. A weight strictly between 0 and max never yields 0 pods on
 * either side when that can be avoided (R ≥ 2, or surge allowed).
 * @example approximateWeightedCanaryStableReplicaCounts(10, 15, 100, 0) // { canary: 2, stable: 8 } (1.5 rounds up)
 * @example approximateWeightedCanaryStableReplicaCounts(10, 18, 100, 1) // { canary: 2, stable: 9 } (2/11 = 18.2%)
 * @example approximateWeightedCanaryStableReplicaCounts(1, 49, 100, 0) // { canary: 0, stable: 1 }
 * @example approximateWeightedCanaryStableReplicaCounts(3, 50, 100, 1) // { canary: 2, stable: 2 } (a surge pod makes 50% exact)
 */
export function approximateWeightedCanaryStableReplicaCounts(
  replicas: number,
  weight: number,
  maxWeight: number,
  surge: number,
): CanaryStableCounts {
  if (replicas === 0) return { canary: 0, stable: 0 };
  const product = int32(Math.imul(replicas, weight));
  const ceil = int32(Math.ceil(product / maxWeight));
  const floor = int32(Math.floor(product / maxWeight));
  const tied = floorCeilingTied(weight, maxWeight, replicas);
  const zeroAllowed = weight === maxWeight || weight === 0 || (replicas === 1 && surge === 0);

  const options: Array<{ canary: number; total: number }> = [];
  if (ceil < replicas || zeroAllowed) options.push({ canary: ceil, total: replicas });
  if (!tied && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas });
  if (surge > 0) {
    options.push({ canary: ceil, total: replicas + 1 });
    if (!floorCeilingTied(weight, maxWeight, replicas + 1) && (floor !== 0 || zeroAllowed)) {
      options.push({ canary: floor, total: replicas + 1 });
    }
  }
  const [first, ...rest] = options;
  // Upstream notes this cannot happen; kept for the same answer if it ever does.
  if (first === undefined) return { canary: 0, stable: replicas };
  let best = first;
  let bestDelta = weightDelta(weight, maxWeight, best.canary, best.total);
  for (const option of rest) {
    const delta = weightDelta(weight, maxWeight, option.canary, option.total);
    if (delta < bestDelta) {
      best = option;
      bestDelta = delta;
    }
  }
  return { canary: best.canary, stable: best.total - best.canary };
}

/**
 * `GetReplicasForScaleDown`: the pods of a ReplicaSet that count as available when working out how
 * far others may scale down. Its spec when it is already shrinking (spec < available), or when its
 * availability is ignored (it is the one being drained); else its available pods.
 * @example getReplicasForScaleDown(rs(spec 3, available 5), false) // 3 (the 2 extra pods are going away)
 * @example getReplicasForScaleDown(rs(spec 3, available 2), false) // 2
 * @example getReplicasForScaleDown(rs(spec 3, available 2), true) // 3 (a crash-looping stable still counts)
 */
export function getReplicasForScaleDown(rs: MaybeRS, ignoreAvailability: boolean): number {
  if (rs === undefined) return 0;
  if (rs.replicas < rs.availableReplicas) return rs.replicas;
  return ignoreAvailability ? rs.replicas : rs.availableReplicas;
}

/** `calculateScaleDownReplicaCount`: shrink the drained ReplicaSet toward its desired count. */
function calculateScaleDownReplicaCount(
  drainRS: MaybeRS,
  desired: number,
  scaleDownCount: number,
  current: number,
): number {
  if (drainRS !== undefined && drainRS.replicas > desired)
    return Math.max(desired, drainRS.replicas - scaleDownCount);
  return current;
}

/**
 * `adjustReplicaWithinLimits`: after the drained ReplicaSet shrinks, keep the pair within maxSurge
 * (take the excess from the adjusted ReplicaSet) and maxUnavailable (give back adjusted pods that are
 * available, as far as needed), then take any excess left from the drained one.
 */
function adjustReplicaWithinLimits(
  drainRS: MaybeRS,
  adjustRS: MaybeRS,
  drainCount: number,
  adjustCount: number,
  maxAllowed: number,
  minAvailable: number,
): [drain: number, adjust: number] {
  let overLimit = Math.max(0, adjustCount + drainCount - maxAllowed);
  let available = drainRS !== undefined ? Math.min(drainRS.availableReplicas, drainCount) : 0;
  if (adjustRS !== undefined) {
    adjustCount -= overLimit;
    available += Math.min(adjustRS.availableReplicas, adjustCount);
    const lostAvailability = Math.max(0, adjustRS.availableReplicas - adjustCount);
    const stillNeeded = Math.max(0, minAvailable - available);
    adjustCount += Math.min(lostAvailability, stillNeeded);
    overLimit = Math.max(0, adjustCount + drainCount - maxAllowed);
    drainCount -= overLimit;
  }
  return [drainCount, adjustCount];
}

/**
 * `CalculateReplicaCountsForBasicCanary`: the next pod counts for the new and stable ReplicaSets of
 * a canary without traffic routing, one safe move at a time.
 *
 * 1. Target counts from the weight ({@link approximateWeightedCanaryStableReplicaCounts}); with no
 *    distinct stable ReplicaSet the new one simply goes to R.
 * 2. Scale up within R + maxSurge: **stable first**, then the canary.
 * 3. While other (older) ReplicaSets still have pods, stop: they are scaled down first, elsewhere.
 * 4. Scale down within R − maxUnavailable available pods: the stable when the canary grows (its
 *    availability is ignored, so a crash-looping stable cannot block the update), the canary when it
 *    shrinks (abort, lower weight), then re-balance within the surge and availability limits.
 * @example // R=10, weight 10, surge 1, unavailable 1, stable 10/10, canary 0/0 → { canary: 1, stable: 9 }
 * @example // R=10, weight 30, surge 3, unavailable 0, stable 10/10, canary 0/0 → { canary: 3, stable: 10 }
 * @example // R=10, weight 30, surge 0, unavailable 5, stable 10/10, canary 0/0 → { canary: 0, stable: 7 }
 * @example // R=1,  weight 5,  surge 1, unavailable 0, stable 1/1,   canary 0/0 → { canary: 1, stable: 1 }
 */
export function calculateReplicaCountsForBasicCanary(
  ro: ReadonlyRollout,
  newRS: MaybeRS,
  stableRS: MaybeRS,
  oldRSs: readonly MaybeRS[],
): CanaryStableCounts {
  const replicas = replicasOrDefault(ro.spec.replicas);
  const { weight } = getCanaryReplicasOrWeight(ro, newRS, stableRS);
  const surge = maxSurge(ro.spec);
  const desired = approximateWeightedCanaryStableReplicaCounts(
    replicas,
    weight,
    maxTrafficWeight(ro.spec),
    surge,
  );
  let desiredNew = desired.canary;
  let desiredStable = desired.stable;

  let stableCount = 0;
  let newCount = newRS?.replicas ?? 0;
  const scaleStable = checkStableRSExists(newRS, stableRS);
  if (scaleStable) {
    stableCount = stableRS.replicas;
  } else {
    // No stable (or stable == new): no steps to follow, drive the new ReplicaSet to 100%.
    desiredNew = replicas;
    desiredStable = 0;
  }

  const maxAllowed = replicas + surge;
  const total = sumReplicas([...oldRSs, newRS, ...(scaleStable ? [stableRS] : [])]);
  let scaleUp = maxAllowed - total;

  // Stable goes first, so the pods serving traffic are back before the canary grows.
  if (scaleStable && stableRS.replicas < desiredStable && scaleUp > 0) {
    if (stableRS.replicas + scaleUp < desiredStable) {
      stableCount = stableRS.replicas + scaleUp;
      scaleUp = 0;
    } else {
      stableCount = desiredStable;
      scaleUp -= desiredStable - stableRS.replicas;
    }
  }
  if (newRS !== undefined && newRS.replicas < desiredNew && scaleUp > 0) {
    newCount = Math.min(newRS.replicas + scaleUp, desiredNew);
  }

  if (sumReplicas(oldRSs) > 0) return { canary: newCount, stable: stableCount };

  const minAvailable = replicas - maxUnavailable(ro.spec);
  // Growing the canary: ignore stable availability; shrinking it: ignore the canary's.
  const isIncreasing = newRS === undefined || desiredNew >= newRS.replicas;
  const toScaleDown =
    getReplicasForScaleDown(newRS, !isIncreasing) + getReplicasForScaleDown(stableRS, isIncreasing);
  if (toScaleDown <= minAvailable) return { canary: newCount, stable: stableCount };

  const scaleDownCount = toScaleDown - minAvailable;
  if (!isIncreasing) {
    newCount = calculateScaleDownReplicaCount(newRS, desiredNew, scaleDownCount, newCount);
    [newCount, stableCount] = adjustReplicaWithinLimits(
      newRS,
      stableRS,
      newCount,
      stableCount,
      maxAllowed,
      minAvailable,
    );
  } else if (scaleStable) {
    stableCount = calculateScaleDownReplicaCount(stableRS, desiredStable, scaleDownCount, stableCount);
    [stableCount, newCount] = adjustReplicaWithinLimits(
      stableRS,
      newRS,
      stableCount,
      newCount,
      maxAllowed,
      minAvailable,
    );
  }
  return { canary: newCount, stable: stableCount };
}

// ---------------------------------------------------------------------------------------------
// Canary with traffic routing: weight by the router, pods follow
// ---------------------------------------------------------------------------------------------

/**
 * `CheckMinPodsPerReplicaSet`: with traffic routing, a non-zero count is at least
 * `minPodsPerReplicaSet` (itself capped at R).
 * @example // minPodsPerReplicaSet 2, R 10: 1 → 2; 0 → 0; 5 → 5
 */
export function checkMinPodsPerReplicaSet(spec: ReadonlySpec, count: number): number {
  const canary = spec.strategy.canary;
  if (count === 0 || canary?.minPodsPerReplicaSet === undefined || canary.trafficRouting === undefined)
    return count;
  return Math.max(count, Math.min(canary.minPodsPerReplicaSet, replicasOrDefault(spec.replicas)));
}

/**
 * `CalculateReplicaCountsForTrafficRoutedCanary`: the router splits traffic, so the canary needs
 * `ceil(R × weight / maxWeight)` pods (or `setCanaryScale.replicas`) and the stable stays at R.
 * With `dynamicStableScale` the stable shrinks as traffic leaves it: the larger of what the desired
 * and the current stable weight need; on abort the canary keeps what its current traffic needs.
 * @example // R=10, weight 20 → { canary: 2, stable: 10 }
 * @example // R=10, weight 20, dynamicStableScale, router at canary 10 / stable 90 → { canary: 2, stable: 9 }
 */
export function calculateReplicaCountsForTrafficRoutedCanary(
  ro: ReadonlyRollout,
  newRS: MaybeRS,
  stableRS: MaybeRS,
  weights: DeepReadonly<TrafficWeights> | undefined,
): CanaryStableCounts {
  const replicas = replicasOrDefault(ro.spec.replicas);
  const { replicas: explicit, weight } = getCanaryReplicasOrWeight(ro, newRS, stableRS);
  const maxWeight = maxTrafficWeight(ro.spec);
  let canary =
    explicit !== undefined
      ? explicit
      : checkMinPodsPerReplicaSet(ro.spec, trafficWeightToReplicas(replicas, weight, maxWeight));
  if (!ro.spec.strategy.canary?.dynamicStableScale) return { canary, stable: replicas };

  let stable = trafficWeightToReplicas(replicas, maxWeight - weight, maxWeight);
  if (weights !== undefined) {
    stable = Math.max(stable, trafficWeightToReplicas(replicas, weights.stable.weight, maxWeight));
    // Aborting: keep the canary pods its traffic still needs until the router has moved it.
    if (ro.status?.abort)
      canary = Math.max(trafficWeightToReplicas(replicas, weights.canary.weight, maxWeight), canary);
  }
  return {
    canary: checkMinPodsPerReplicaSet(ro.spec, canary),
    stable: checkMinPodsPerReplicaSet(ro.spec, stable),
  };
}

/**
 * `allDesiredAreCreated`: spec and existing pods both at `desired` (availability not required).
 * @example allDesiredAreCreated(rs(spec 2, status.replicas 2, available 0), 2) // true
 * @example allDesiredAreCreated(rs(spec 2, status.replicas 3), 2) // false (a pod is still terminating)
 */
export function allDesiredAreCreated(rs: MaybeRS, desired: number): boolean {
  return rs !== undefined && desired === rs.replicas && desired === rs.statusReplicas;
}

/**
 * `AtDesiredReplicaCountsForCanary`: a setWeight/setCanaryScale step is done when the new ReplicaSet
 * meets the progress threshold at its target, the stable has exactly its target (created, not
 * necessarily available; skipped with dynamicStableScale), and — basic canary only, since there old
 * pods still take traffic — no other ReplicaSet has available pods.
 * @example // R=4, weight 50, surge 1, unavailable 1: targets 2/2; new 2 (2 available), stable 2 (2 exist) → true
 * @example // same with the new ReplicaSet at 1 of 2 available → false
 */
export function atDesiredReplicaCountsForCanary(
  ro: ReadonlyRollout,
  newRS: MaybeRS,
  stableRS: MaybeRS,
  olderRSs: readonly MaybeRS[],
  weights: DeepReadonly<TrafficWeights> | undefined,
): boolean {
  const canary = ro.spec.strategy.canary;
  const routed = canary?.trafficRouting !== undefined;
  const desired = routed
    ? calculateReplicaCountsForTrafficRoutedCanary(ro, newRS, stableRS, weights)
    : calculateReplicaCountsForBasicCanary(ro, newRS, stableRS, olderRSs);
  if (!replicaProgressThresholdMet(canary?.replicaProgressThreshold, newRS, desired.canary)) return false;
  if ((!routed || !canary?.dynamicStableScale) && !allDesiredAreCreated(stableRS, desired.stable))
    return false;
  if (!routed && sumAvailableReplicas(olderRSs) !== 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The new ReplicaSet's count, both strategies
// ---------------------------------------------------------------------------------------------

/**
 * `NewRSNewReplicas`: the pods the new ReplicaSet should have now.
 *
 * Blue-green: R, except with `previewReplicaCount` while the new ReplicaSet is only previewed (a new
 * update, or still paused / before the preview scale-up checkpoint); R once it is active, on a full
 * promotion, or after the pause with the checkpoint passed. Canary: the canary count of the basic or
 * traffic-routed arithmetic.
 * @example // blue-green R=4, previewReplicaCount 1, active = old RS, new RS hash == currentPodHash, paused → 1
 * @example // same after unpause with scaleUpPreviewCheckPoint → 4
 */
export function newRSNewReplicas(
  ro: ReadonlyRollout,
  allRSs: readonly MaybeRS[],
  newRS: MaybeRS,
  weights?: DeepReadonly<TrafficWeights>,
): number {
  const bg = ro.spec.strategy.blueGreen;
  if (bg !== undefined) {
    const replicas = replicasOrDefault(ro.spec.replicas);
    if (bg.previewReplicaCount === undefined) return replicas;
    const { match: activeRS } = getReplicaSetByTemplateHash(
      allRSs,
      ro.status?.blueGreen?.activeSelector ?? '',
    );
    // Already past the switch: the desired ReplicaSet is the active one.
    if (activeRS === undefined || activeRS.name === newRS?.name) return replicas;
    if (ro.status?.promoteFull) return replicas;
    // A new update: preview first.
    if ((newRS?.podTemplateHash ?? '') !== (ro.status?.currentPodHash ?? '')) return bg.previewReplicaCount;
    const notPaused = !ro.spec.paused && (ro.status?.pauseConditions ?? []).length === 0;
    if (notPaused && ro.status?.blueGreen?.scaleUpPreviewCheckPoint) return replicas;
    return bg.previewReplicaCount;
  }
  if (ro.spec.strategy.canary !== undefined) {
    const stableRS = getStableRS(ro, newRS, allRSs);
    if (ro.spec.strategy.canary.trafficRouting === undefined) {
      return calculateReplicaCountsForBasicCanary(ro, newRS, stableRS, getOtherRSs(newRS, stableRS, allRSs))
        .canary;
    }
    return calculateReplicaCountsForTrafficRoutedCanary(ro, newRS, stableRS, weights).canary;
  }
  throw new SlipwayError('no rollout strategy provided', { subject: 'spec.strategy', reason: 'InvalidSpec' });
}

/**
 * `ReadyForPause` (blue-green): the new ReplicaSet has, and has available, exactly the pods it should
 * have now (previewReplicaCount while previewing), so pre-promotion analysis and the pause can begin.
 * @example // R=10, previewReplicaCount 1, previewing: new RS 1/1 → true; 1/0 → false; 2/2 → false
 */
export function readyForPause(
  ro: ReadonlyRollout,
  newRS: ReplicaSetView,
  allRSs: readonly MaybeRS[],
): boolean {
  const count = newRSNewReplicas(ro, allRSs, newRS);
  return newRS.replicas === count && newRS.availableReplicas === count;
}

/**
 * `IsReplicaSetAvailable`: scaled up, and at least `spec.replicas` pods available.
 * @example // spec 1, available 2 → true; spec 0, available 0 → false (scaled down is not available)
 */
export function isReplicaSetAvailable(rs: MaybeRS): boolean {
  return (
    rs !== undefined && rs.replicas !== 0 && rs.availableReplicas !== 0 && rs.replicas <= rs.availableReplicas
  );
}

/** `IsReplicaSetPartiallyAvailable`: at least one pod available. */
export function isReplicaSetPartiallyAvailable(rs: ReplicaSetView): boolean {
  return rs.availableReplicas > 0;
}
