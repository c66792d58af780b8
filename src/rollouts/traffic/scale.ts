/**
 * ReplicaSet scaling of a canary with traffic routing, pure (Argo Rollouts `rollout/canary.go`
 * `reconcileCanaryStableReplicaSet` / `scaleDownOldReplicaSetsForCanary` and `rollout/replicaset.go`
 * `reconcileNewReplicaSet`, `shouldDelayScaleDownOnAbort`, `scaleDownDelayHelper`,
 * `removeScaleDownDeadlines`).
 *
 * The router decides who gets traffic, so pods follow the weight
 * (`calculateReplicaCountsForTrafficRoutedCanary`), and ReplicaSets that may still receive
 * traffic are kept up for a while: the previous stable for `scaleDownDelaySeconds` (30) after a
 * promotion, the canary for `abortScaleDownDelaySeconds` (30) after an abort, both through the
 * `scale-down-deadline` annotation.
 * @module
 */
import type { DeepReadonly } from '../../util/readonly.ts';
import type { ObservedReplicaSet, RolloutObservation } from '../observe.ts';
import type { ScaleAction } from '../plan.ts';
import {
  calculateReplicaCountsForTrafficRoutedCanary,
  maxUnavailable,
  sumAvailableReplicas,
} from '../replica-math.ts';
import {
  abortScaleDownDelay,
  hasExplicitAbortScaleDownDelay,
  replicasOrDefault,
  scaleDownDelaySecondsOrDefault,
} from '../spec.ts';
import { isFullyPromoted } from '../steps.ts';
import type { ReadonlyRollout, TrafficWeights } from '../types.ts';
import { RolloutLabels } from '../types.ts';

/** The scaling part of a reconcile, with the deadline annotations it needs. */
export interface RoutedScalePlan {
  scale: ScaleAction[];
  /** `scale-down-deadline` annotations to set (RFC 3339) or remove (null). */
  annotate: Array<{ name: string; annotations: Record<string, string | null> }>;
  /** Look again when the soonest deadline passes. */
  requeueAfterMs?: number;
}

/** `metav1.Time` text: RFC 3339 UTC, whole seconds. */
const rfc3339 = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

const deadlineOf = (rs: ObservedReplicaSet): string =>
  rs.annotations?.[RolloutLabels.scaleDownDeadline] ?? '';

/**
 * ms until the ReplicaSet's `scale-down-deadline`; undefined when it has none, it has passed, or it
 * cannot be read (`GetTimeRemainingBeforeScaleDownDeadline`).
 */
function remainingMs(rs: ObservedReplicaSet, now: Date): number | undefined {
  const text = deadlineOf(rs);
  if (text === '') return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at) || at <= now.getTime()) return undefined;
  return at - now.getTime();
}

/**
 * `shouldDelayScaleDownOnAbort`: aborted with a stable ReplicaSet, and the canary is to be kept up
 * for `abortScaleDownDelaySeconds` (not an explicit 0, which keeps it up for good, and not
 * dynamicStableScale without an explicit delay, which shrinks it with its traffic instead).
 */
export function shouldDelayScaleDownOnAbort(
  ro: ReadonlyRollout,
  aborted: boolean,
  hasStable: boolean,
): boolean {
  if (!aborted || !hasStable) return false;
  if (ro.spec.strategy.canary?.trafficRouting === undefined) return false;
  if (abortScaleDownDelay(ro.spec).seconds === null) return false;
  if (ro.spec.strategy.canary.dynamicStableScale && !hasExplicitAbortScaleDownDelay(ro.spec)) return false;
  return true;
}

/**
 * The replica changes of one reconcile: stable first, then new, then older ReplicaSets; the first
 * that needs a change is the only one changed, as upstream does. `ro.status.abort` is the abort
 * state after this reconcile's changes; `prevWeights` is `status.canary.weights` as read (so the
 * stable is scaled in a reconcile after the router moved, never before); `nextWeights` is what
 * this reconcile set.
 * @example // R=5, step setWeight 30, weights 10/90 → stable stays 5, new 1 → 2
 */
export function planRoutedCanaryScale(
  obs: RolloutObservation,
  ro: ReadonlyRollout,
  prevWeights: DeepReadonly<TrafficWeights> | undefined,
  nextWeights: DeepReadonly<TrafficWeights> | undefined,
  now: Date,
): RoutedScalePlan {
  const { newRS, stableRS } = obs;
  const aborted = ro.status?.abort === true;
  const delayAbort = shouldDelayScaleDownOnAbort(ro, aborted, stableRS !== undefined);
  const plan: RoutedScalePlan = { scale: [], annotate: [] };
  const requeue = (ms: number) => {
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? ms, ms);
  };

  // A move back to an older revision within its scale-down delay: it is wanted again.
  const keep = [newRS !== undefined && !delayAbort ? newRS : undefined, stableRS].filter(
    (rs, i, all): rs is ObservedReplicaSet =>
      rs !== undefined && all.findIndex((o) => o?.name === rs.name) === i,
  );
  for (const rs of keep) {
    if (deadlineOf(rs) !== '')
      plan.annotate.push({ name: rs.name, annotations: { [RolloutLabels.scaleDownDeadline]: null } });
  }

  if (stableRS !== undefined && stableRS.name !== newRS?.name) {
    const { stable } = calculateReplicaCountsForTrafficRoutedCanary(ro, newRS, stableRS, prevWeights);
    if (stableRS.replicas !== stable) {
      plan.scale.push({ name: stableRS.name, from: stableRS.replicas, to: stable });
      return plan;
    }
  }

  if (newRS !== undefined) {
    let count = calculateReplicaCountsForTrafficRoutedCanary(ro, newRS, stableRS, nextWeights).canary;
    let hold = false;
    if (delayAbort) {
      const left = remainingMs(newRS, now);
      if (left !== undefined) {
        hold = true;
        requeue(left);
      } else if (deadlineOf(newRS) !== '') {
        count = 0; // the abort delay is over
      } else {
        // Only once the stable can serve everything: the deadline scales the canary down regardless.
        hold = true;
        const seconds = abortScaleDownDelay(ro.spec).seconds ?? 0;
        if ((stableRS?.availableReplicas ?? 0) >= replicasOrDefault(ro.spec.replicas)) {
          plan.annotate.push({
            name: newRS.name,
            annotations: {
              [RolloutLabels.scaleDownDeadline]: rfc3339(new Date(now.getTime() + seconds * 1000)),
            },
          });
          requeue(seconds * 1000);
        }
      }
    }
    if (!hold && newRS.replicas !== count) {
      plan.scale.push({ name: newRS.name, from: newRS.replicas, to: count });
      return plan;
    }
  }

  const old = planRoutedScaleDownOld(obs, ro, now, delayAbort);
  plan.scale.push(...old.scale);
  plan.annotate.push(...old.annotate);
  if (old.requeueAfterMs !== undefined) requeue(old.requeueAfterMs);
  return plan;
}

/**
 * `isReplicaSetReferenced`: the status or a Service still points at the ReplicaSet, so it must not
 * be scaled down (an update interrupted to go back to stable).
 */
function isReferenced(obs: RolloutObservation, ro: ReadonlyRollout, rs: ObservedReplicaSet): boolean {
  const hash = rs.podTemplateHash ?? '';
  if (hash === '') return false;
  const status = ro.status ?? {};
  const weights = status.canary?.weights;
  const refs = [
    status.stableRS,
    status.currentPodHash,
    weights?.canary.podTemplateHash,
    weights?.stable.podTemplateHash,
  ];
  if (refs.includes(hash)) return true;
  const canary = ro.spec.strategy.canary;
  return [canary?.canaryService, canary?.stableService].some(
    (svc) =>
      svc !== undefined &&
      svc !== '' &&
      obs.services.get(svc)?.selector[RolloutLabels.podTemplateHash] === hash,
  );
}

/**
 * `scaleDownOldReplicaSetsForCanary` with traffic routing: unhealthy pods go first; then, newest
 * revision first and within `R − maxUnavailable` available pods, a ReplicaSet from an interrupted
 * update goes to 0 at once, and the previous stable keeps its pods until its `scale-down-deadline`
 * (set now to `scaleDownDelaySeconds` ahead; at most `scaleDownDelayRevisionLimit` of them wait).
 * With dynamicStableScale it goes to 0 at once: its traffic already left with the weight.
 */
function planRoutedScaleDownOld(
  obs: RolloutObservation,
  ro: ReadonlyRollout,
  now: Date,
  delayAbort: boolean,
): RoutedScalePlan {
  const plan: RoutedScalePlan = { scale: [], annotate: [] };
  const current = new Map(obs.otherRSs.map((rs) => [rs.name, rs.replicas]));
  const set = (rs: ObservedReplicaSet, to: number) => {
    const existing = plan.scale.find((s) => s.name === rs.name);
    if (existing !== undefined) existing.to = to;
    else plan.scale.push({ name: rs.name, from: rs.replicas, to });
    current.set(rs.name, to);
  };
  // Unhealthy pods first: they cannot serve and would block the rest.
  for (const rs of obs.otherRSs)
    if (rs.replicas !== 0 && rs.replicas > rs.availableReplicas) set(rs, rs.availableReplicas);
  let maxScaleDown =
    sumAvailableReplicas(obs.allRSs) - (replicasOrDefault(ro.spec.replicas) - maxUnavailable(ro.spec));
  if (maxScaleDown <= 0) return plan;
  const canary = ro.spec.strategy.canary;
  const limit = canary?.scaleDownDelayRevisionLimit ?? 2 ** 31 - 1;
  const delaySeconds = scaleDownDelaySecondsOrDefault(ro.spec);
  let annotated = 0;
  for (const rs of [...obs.otherRSs].sort((a, b) => b.revision - a.revision)) {
    if (isReferenced(obs, ro, rs)) continue;
    if (maxScaleDown <= 0) break;
    const replicas = current.get(rs.name) ?? rs.replicas;
    if (replicas === 0) continue;
    let desired = 0;
    const hasDeadline = deadlineOf(rs) !== '';
    if ((isFullyPromoted(ro) || hasDeadline) && !canary?.dynamicStableScale) {
      // scaleDownDelayHelper
      if (!hasDeadline) {
        if (annotated < limit) {
          annotated++;
          // Upstream leaves a 0 delay without a deadline (and the ReplicaSet up); Slipway scales
          // it down at once, which is what a delay of 0 says.
          if (delaySeconds > 0) {
            desired = replicas;
            plan.annotate.push({
              name: rs.name,
              annotations: {
                [RolloutLabels.scaleDownDeadline]: rfc3339(new Date(now.getTime() + delaySeconds * 1000)),
              },
            });
            plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, delaySeconds * 1000);
          }
        }
      } else {
        annotated++;
        const left = annotated > limit ? undefined : remainingMs(rs, now);
        if (left !== undefined) {
          desired = replicas;
          plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, left);
        }
      }
    }
    if (replicas === desired) continue;
    set(rs, desired);
    // Scaled to 0: the deadline has done its job (upstream `scaleReplicaSet` drops it then).
    if (desired === 0 && hasDeadline && !delayAbort)
      plan.annotate.push({ name: rs.name, annotations: { [RolloutLabels.scaleDownDeadline]: null } });
    maxScaleDown -= replicas - desired;
  }
  return plan;
}
