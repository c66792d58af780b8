/**
 * Which traffic weight the canary should get in this reconcile, and what `status.canary.weights`
 * says about it afterwards. Pure; ported from Argo Rollouts `rollout/trafficrouting.go`
 * (`reconcileTrafficRouting`, `calculateDesiredWeightOnAbortOrStableRollback`,
 * `checkReplicasAvailable`, `calculateWeightStatus`, `trafficWeightUpdatedMessage`).
 *
 * The weight is decided in upstream's priority order:
 *
 * 1. dynamically rolling back to stable (`dynamicStableScale`) → the gradual abort weight, with the
 *    previous canary hash;
 * 2. fully promoted (stable == current) → 0 (both Services now select the new pods);
 * 3. aborted → 0 (gradual under `dynamicStableScale`);
 * 4. no new ReplicaSet, or none of its pods available → 0;
 * 5. `promoteFull` → keep the current weight (`maxWeight × available / R` under dynamicStableScale);
 * 6. by step: the previous `setWeight` while the replica counts are not there yet, else the current
 *    step's weight, and the max weight once every step is done.
 *
 * Then nothing changes this round unless the stable ReplicaSet can take the rest of the traffic.
 * @module
 */
import type { DeepReadonly } from '../../util/readonly.ts';
import { Message } from '../conditions.ts';
import { atDesiredReplicaCountsForCanary, replicaProgressThresholdMet } from '../replica-math.ts';
import { maxTrafficWeight, replicasOrDefault } from '../spec.ts';
import {
  dynamicRollbackToStableHash,
  getCurrentCanaryStep,
  getCurrentSetWeight,
  getDesiredCanaryWeight,
  isFullyPromoted,
} from '../steps.ts';
import type { ReadonlyRollout, ReplicaSetView, TrafficWeights } from '../types.ts';

/** What the weight decision reads, beyond the Rollout. */
export interface WeightInputs {
  newRS: ReplicaSetView | undefined;
  stableRS: ReplicaSetView | undefined;
  otherRSs: readonly ReplicaSetView[];
}

/** The outcome of {@link desiredTrafficWeight}. */
export interface WeightDecision {
  /** The canary weight to send to the routers (out of the max weight). */
  weight: number;
  /** The hash traffic to the canary goes to (the previous canary while rolling back dynamically). */
  canaryHash: string;
  stableHash: string;
  /**
   * False when the stable ReplicaSet cannot yet take `maxWeight − weight` of the traffic: then the
   * routers are left alone this round and `status.canary.weights` stays as it is.
   */
  apply: boolean;
}

/** Go's int32 division, truncating toward zero. */
const div = (a: number, b: number): number => Math.trunc(a / b);

/**
 * `calculateDesiredWeightOnAbortOrStableRollback`: 0, unless `dynamicStableScale` steps the weight
 * down as the stable ReplicaSet becomes available (never up again while stable availability flaps).
 * @example // dynamicStableScale off → 0
 * @example // dynamicStableScale, R=10, steps [10, 50], canary 5/5, stable 9 available, weights 50/50 → 10
 */
export function desiredWeightOnAbortOrStableRollback(ro: ReadonlyRollout, inputs: WeightInputs): number {
  const { newRS, stableRS } = inputs;
  const replicas = replicasOrDefault(ro.spec.replicas);
  if (!ro.spec.strategy.canary?.dynamicStableScale || stableRS === undefined || newRS === undefined) return 0;
  if (replicas === 0) return 0;
  const maxWeight = maxTrafficWeight(ro.spec);
  const desiredCanary = getDesiredCanaryWeight(ro, newRS, stableRS);
  const expectedCanary = Math.max(0, maxWeight - div(maxWeight * stableRS.availableReplicas, replicas));
  const weights = ro.status?.canary?.weights;
  if (weights === undefined) return Math.max(expectedCanary, desiredCanary);
  const current = weights.canary.weight;
  // Already lower: do not raise the weight again because stable availability flaps.
  if (desiredCanary <= 0) return Math.min(expectedCanary, current);
  // The canary is only scaled down once weight has moved to stable, so hold the weight until
  // enough stable pods are available for it.
  const stableWeight = div(maxWeight * stableRS.availableReplicas, replicas);
  if (stableWeight < maxWeight - desiredCanary) return current;
  return Math.min(desiredCanary, current);
}

/**
 * `checkReplicasAvailable`: the ReplicaSet has the pods `weight` needs
 * (`weight × R / maxWeight`, integer division), or meets the progress threshold for them.
 * @example // R=5, weight 90 → needs 4 available (450/100 = 4)
 */
export function replicasAvailableForWeight(
  ro: ReadonlyRollout,
  rs: ReplicaSetView | undefined,
  weight: number,
): boolean {
  if (rs === undefined) return false;
  const needed = div(weight * replicasOrDefault(ro.spec.replicas), maxTrafficWeight(ro.spec));
  return (
    rs.availableReplicas >= needed ||
    replicaProgressThresholdMet(ro.spec.strategy.canary?.replicaProgressThreshold, rs, needed)
  );
}

/**
 * The canary weight of this reconcile (`reconcileTrafficRouting`). `ro.status` is the status as
 * read, except that `abort` is the abort state after this reconcile's changes.
 * @example // seed steps [10, pause, 30, …], index 2, canary not yet at 2 pods → 10 (the previous setWeight)
 * @example // same with the canary at its 2 pods → 30
 */
export function desiredTrafficWeight(ro: ReadonlyRollout, inputs: WeightInputs): WeightDecision {
  const { newRS, stableRS, otherRSs } = inputs;
  const status = ro.status ?? {};
  const maxWeight = maxTrafficWeight(ro.spec);
  const steps = ro.spec.strategy.canary?.steps ?? [];
  let canaryHash = newRS?.podTemplateHash ?? '';
  const stableHash = stableRS?.podTemplateHash ?? '';
  let weight = 0;
  const rollingBack = dynamicRollbackToStableHash(ro, newRS);
  const { index } = getCurrentCanaryStep(ro);
  if (rollingBack !== undefined) {
    weight = desiredWeightOnAbortOrStableRollback(ro, inputs);
    // new == stable now: traffic is balanced between the *previous* canary and stable (#3020).
    canaryHash = rollingBack;
  } else if (isFullyPromoted(ro)) {
    weight = 0;
  } else if (status.abort === true) {
    weight = desiredWeightOnAbortOrStableRollback(ro, inputs);
  } else if (newRS === undefined || newRS.availableReplicas === 0) {
    weight = 0;
  } else if (status.promoteFull === true) {
    // Traffic follows the canary's availability, never ahead of it.
    if (ro.spec.strategy.canary?.dynamicStableScale)
      weight = div(maxWeight * newRS.availableReplicas, Math.max(1, replicasOrDefault(ro.spec.replicas)));
    else weight = status.canary?.weights?.canary.weight ?? 0;
  } else if (index !== undefined) {
    if (!atDesiredReplicaCountsForCanary(ro, newRS, stableRS, otherRSs, undefined)) {
      // The new ReplicaSet is not ready for the new weight: keep the previous step's.
      for (let i = index - 1; i >= 0; i--) {
        const w = steps[i]?.setWeight;
        if (w !== undefined) {
          weight = w;
          break;
        }
      }
    } else if (index !== steps.length) {
      weight = getCurrentSetWeight(ro);
    } else {
      weight = maxWeight;
    }
  }
  return {
    weight,
    canaryHash,
    stableHash,
    apply: replicasAvailableForWeight(ro, stableRS, maxWeight - weight),
  };
}

/**
 * `calculateWeightStatus`: `status.canary.weights` for `weight` (stable gets the rest of the max
 * weight), and whether it differs from what the status holds (which resets `verified`).
 * @example // canaryService c, stableService s, max weight 100, no weights yet: weightStatus(ro, 'h2', 'h1', 30)
 * // → modified, { canary: { weight: 30, podTemplateHash: 'h2', serviceName: 'c' }, stable: { weight: 70, podTemplateHash: 'h1', serviceName: 's' } }
 */
export function weightStatus(
  ro: ReadonlyRollout,
  canaryHash: string,
  stableHash: string,
  weight: number,
): { modified: boolean; weights: TrafficWeights } {
  const canary = ro.spec.strategy.canary;
  const weights: TrafficWeights = {
    canary: { weight, podTemplateHash: canaryHash, serviceName: canary?.canaryService ?? '' },
    stable: {
      weight: maxTrafficWeight(ro.spec) - weight,
      podTemplateHash: stableHash,
      serviceName: canary?.stableService ?? '',
    },
  };
  const prev = ro.status?.canary?.weights;
  const same = (a: DeepReadonly<TrafficWeights['canary']>, b: TrafficWeights['canary']) =>
    a.weight === b.weight &&
    (a.podTemplateHash ?? '') === b.podTemplateHash &&
    (a.serviceName ?? '') === b.serviceName;
  const modified =
    prev === undefined ||
    !same(prev.canary, weights.canary) ||
    !same(prev.stable, weights.stable) ||
    (prev.additional ?? []).length > 0;
  return { modified, weights };
}

/**
 * `trafficWeightUpdatedMessage`: the `TrafficWeightUpdated` event text.
 * @example trafficWeightUpdatedMessage(undefined, 10) // 'Traffic weight updated to 10'
 * @example trafficWeightUpdatedMessage(10, 30) // 'Traffic weight updated from 10 to 30'
 * @example trafficWeightUpdatedMessage(30, 30) // 'Traffic weight updated ' (a hash changed)
 */
export function trafficWeightUpdatedMessage(prev: number | undefined, next: number): string {
  if (prev === undefined) return Message.trafficWeightUpdated(`to ${next}`);
  return Message.trafficWeightUpdated(prev === next ? '' : `from ${prev} to ${next}`);
}
