/**
 * Rollout status conditions, phase and their vocabulary, as upstream writes them
 * (`utils/conditions/conditions.go`, `utils/rollout/rolloututil.go` CalculateRolloutPhase): condition
 * types, reasons paired with message templates, the pure builders and predicates the reconciler
 * uses to decide the next conditions, and the phase/message `kubectl argo rollouts get` shows.
 *
 * Times are RFC 3339 in whole seconds (what `metav1.Time` stores); `now` is always a parameter.
 *
 * @module
 */
import { progressDeadlineSecondsOrDefault, replicasOrDefault } from './spec.ts';
import type {
  ReadonlyRollout,
  ReadonlySpec,
  ReadonlyStatus,
  RolloutCondition,
  RolloutPhase,
} from './types.ts';

/** Condition types of `status.conditions`. */
export const ConditionType = {
  InvalidSpec: 'InvalidSpec',
  Available: 'Available',
  Progressing: 'Progressing',
  ReplicaFailure: 'ReplicaFailure',
  Paused: 'Paused',
  Completed: 'Completed',
  Healthy: 'Healthy',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** `True`, `False` or `Unknown`. */
export type ConditionStatus = RolloutCondition['status'];

/** Reasons, exactly as upstream spells them (conditions and events). */
export const Reason = {
  InvalidSpec: 'InvalidSpec',
  Available: 'AvailableReason',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  FailedRSCreate: 'ReplicaSetCreateError',
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  RolloutUpdated: 'RolloutUpdated',
  RolloutCompleted: 'RolloutCompleted',
  RolloutNotCompleted: 'RolloutNotCompleted',
  RolloutHealthy: 'RolloutHealthy',
  RolloutAborted: 'RolloutAborted',
  RolloutRetry: 'RolloutRetry',
  RolloutPaused: 'RolloutPaused',
  ReplicaSetNotAvailable: 'ReplicaSetNotAvailable',
  RolloutResumed: 'RolloutResumed',
  RolloutStepCompleted: 'RolloutStepCompleted',
  TrafficWeightUpdated: 'TrafficWeightUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  AnalysisRunFailed: 'AnalysisRunFailed',
  ExperimentFailed: 'ExperimentFailed',
  ReconciliationError: 'ReconciliationError',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  RolloutDeleted: 'RolloutDeleted',
  ScalingReplicaSet: 'ScalingReplicaSet',
  ServiceReferenceError: 'ServiceReferenceError',
  StepPluginTransition: 'StepPluginTransition',
  WeightVerifyError: 'WeightVerifyError',
  SkipSteps: 'SkipSteps',
  SwitchService: 'SwitchService',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/**
 * Message templates, exactly as upstream formats them (`%q` is a Go-quoted string, rendered here
 * with JSON quoting, which is the same for names Kubernetes allows).
 */
export const Message = {
  missingField: (field: string) => `Rollout has missing field '${field}'`,
  rolloutSelectAll: 'This rollout is selecting all pods. A non-empty selector is required.',
  notAvailable: 'Rollout does not have minimum availability',
  available: 'Rollout has minimum availability',
  rolloutProgressing: (rollout: string) => `Rollout ${JSON.stringify(rollout)} is progressing.`,
  replicaSetProgressing: (rs: string) => `ReplicaSet ${JSON.stringify(rs)} is progressing.`,
  failedRSCreate: (rs: string, err: string) =>
    `Failed to create new replica set ${JSON.stringify(rs)}: ${err}`,
  newReplicaSet: (rs: string) => `Created new replica set ${JSON.stringify(rs)}`,
  newReplicaSetDetailed: (rs: string, revision: number) => `Created ReplicaSet ${rs} (revision ${revision})`,
  foundNewRS: (rs: string) => `Found new replica set ${JSON.stringify(rs)}`,
  rolloutUpdated: (revision: string) => `Rollout updated to revision ${revision}`,
  rolloutCompleted: (revision: number, podHash: string, reason: string) =>
    `Rollout completed update to revision ${revision} (${podHash}): ${reason}`,
  rolloutNotCompleted: (revision: number, podHash: string) =>
    `Rollout not completed, started update to revision ${revision} (${podHash})`,
  rolloutHealthy: 'Rollout is healthy',
  rolloutNotHealthy: 'Rollout is not healthy',
  /** `Rollout aborted update to revision N`, with `: <detail>` appended by callers that have one. */
  rolloutAborted: (revision: number) => `Rollout aborted update to revision ${revision}`,
  rolloutRetry: 'Retrying Rollout after abort',
  rolloutPaused: 'Rollout is paused',
  rolloutResumed: 'Rollout is resumed',
  rolloutStepCompleted: (step: number, total: number, description: string) =>
    `Rollout step ${step}/${total} completed (${description})`,
  trafficWeightUpdated: (detail: string) => `Traffic weight updated ${detail}`,
  analysisRunFailed: (run: string, rollout: string) =>
    `AnalysisRun '${run}' owned by the Rollout '${JSON.stringify(rollout)}' failed.`,
  experimentFailed: (experiment: string, rollout: string) =>
    `Experiment '${experiment}' owned by the Rollout '${JSON.stringify(rollout)}' has timed out.`,
  reconciliationError: (err: string) => `Reconciliation failed with error: ${err}`,
  rolloutTimeOut: (rollout: string) => `Rollout ${JSON.stringify(rollout)} has timed out progressing.`,
  rolloutDeleted: (namespace: string, name: string) => `Rollout ${namespace}/${name} is deleted.`,
  scalingReplicaSet: (direction: 'up' | 'down', rs: string, revision: number, from: number, to: number) =>
    `Scaled ${direction} ReplicaSet ${rs} (revision ${revision}) from ${from} to ${to}`,
  replicaSetTimeOut: (rs: string) => `ReplicaSet ${JSON.stringify(rs)} has timed out progressing.`,
  replicaSetCompleted: (rs: string) => `ReplicaSet ${JSON.stringify(rs)} has successfully progressed.`,
  serviceReferencingManagedService: (service: string) =>
    `Service ${JSON.stringify(service)} is managed by another Rollout`,
  weightVerifyError: (err: string) => `Failed to verify weight: ${err}`,
  switchService: (service: string, from: string, to: string) =>
    `Switched selector for service '${service}' from '${from}' to '${to}'`,
  skipStepsToStable: 'Rollback to stable ReplicaSets',
  skipStepsWithinWindow: 'Rollback to active ReplicaSets within RollbackWindow',
} as const;

/**
 * `now` as `metav1.Time` stores it: RFC 3339, UTC, whole seconds.
 * @example formatTime(new Date('2024-05-01T10:20:30.999Z')) // '2024-05-01T10:20:30Z'
 */
export function formatTime(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/**
 * `NewRolloutCondition`: both times set to `now`.
 * @example newCondition('Paused', 'True', 'RolloutPaused', 'Rollout is paused', now)
 * // { type: 'Paused', status: 'True', lastUpdateTime: '…', lastTransitionTime: '…', reason: 'RolloutPaused', message: 'Rollout is paused' }
 */
export function newCondition(
  type: ConditionType,
  status: ConditionStatus,
  reason: string,
  message: string,
  now: Date,
): RolloutCondition {
  const time = formatTime(now);
  return { type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

/** `GetRolloutCondition`. */
export function getCondition(
  status: ReadonlyStatus | undefined,
  type: ConditionType,
): RolloutCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * `SetRolloutCondition`: the conditions with `condition` in place of any of its type, moved to the
 * end. Nothing changes when a condition of that type already has the same status and reason (so
 * its times are kept); when only the reason changes, `lastTransitionTime` is kept.
 * @example // [Available True/A] + Available False/A → [Available False/A], changed
 * @example // [Available True/A (updated 10:00)] + Available True/A (updated 10:01) → unchanged
 */
export function setCondition(
  conditions: readonly RolloutCondition[] | undefined,
  condition: RolloutCondition,
): { conditions: RolloutCondition[]; changed: boolean } {
  const list = [...(conditions ?? [])];
  const current = list.find((c) => c.type === condition.type);
  if (current !== undefined && current.status === condition.status && current.reason === condition.reason) {
    return { conditions: list, changed: false };
  }
  const next =
    current !== undefined && current.status === condition.status
      ? { ...condition, lastTransitionTime: current.lastTransitionTime }
      : condition;
  return { conditions: [...list.filter((c) => c.type !== condition.type), next], changed: true };
}

/** `RemoveRolloutCondition`. */
export function removeCondition(
  conditions: readonly RolloutCondition[] | undefined,
  type: ConditionType,
): RolloutCondition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * `RolloutProgressing`: whether this reconcile made progress (which refreshes the progress deadline).
 * Progress is: updated replicas changed, old replicas went down, ready or available went up, or —
 * blue-green — a service selector changed; canary — stable changed, the step index changed (both
 * set), or the step hash changed.
 */
export function rolloutProgressing(ro: ReadonlyRollout, newStatus: ReadonlyStatus): boolean {
  const old = ro.status ?? {};
  let strategyProgress = false;
  if (ro.spec.strategy.blueGreen !== undefined) {
    strategyProgress =
      (old.blueGreen?.activeSelector ?? '') !== (newStatus.blueGreen?.activeSelector ?? '') ||
      (old.blueGreen?.previewSelector ?? '') !== (newStatus.blueGreen?.previewSelector ?? '');
  }
  if (ro.spec.strategy.canary !== undefined) {
    const stableChanged = (newStatus.stableRS ?? '') !== (old.stableRS ?? '');
    const indexChanged =
      newStatus.currentStepIndex !== undefined &&
      old.currentStepIndex !== undefined &&
      newStatus.currentStepIndex !== old.currentStepIndex;
    const stepsChanged = (newStatus.currentStepHash ?? '') !== (old.currentStepHash ?? '');
    strategyProgress = stableChanged || indexChanged || stepsChanged;
  }
  const n = (v: number | undefined) => v ?? 0;
  const oldOld = n(old.replicas) - n(old.updatedReplicas);
  const newOld = n(newStatus.replicas) - n(newStatus.updatedReplicas);
  return (
    n(newStatus.updatedReplicas) !== n(old.updatedReplicas) ||
    newOld < oldOld ||
    n(newStatus.readyReplicas) > n(old.readyReplicas) ||
    n(newStatus.availableReplicas) > n(old.availableReplicas) ||
    strategyProgress
  );
}

/**
 * `RolloutHealthy`: all desired replicas updated and available, the generation observed, and the
 * strategy finished (blue-green: active — and preview, when set — select the current hash; canary:
 * all steps done, stable == current, no extra replicas).
 */
export function rolloutHealthy(ro: ReadonlyRollout, newStatus: ReadonlyStatus): boolean {
  const replicas = replicasOrDefault(ro.spec.replicas);
  let completed = true;
  const current = newStatus.currentPodHash ?? '';
  const bg = ro.spec.strategy.blueGreen;
  if (bg !== undefined) {
    const active = (newStatus.blueGreen?.activeSelector ?? '') === current;
    const preview =
      (bg.previewService ?? '') === '' || (newStatus.blueGreen?.previewSelector ?? '') === current;
    completed = active && preview;
  }
  const canary = ro.spec.strategy.canary;
  if (canary !== undefined) {
    const stepCount = (canary.steps ?? []).length;
    const allSteps =
      stepCount === 0 || newStatus.currentStepIndex === undefined || newStatus.currentStepIndex === stepCount;
    const stable = (newStatus.stableRS ?? '') !== '' && newStatus.stableRS === current;
    completed = allSteps && stable && (newStatus.replicas ?? 0) === replicas;
  }
  return (
    (newStatus.updatedReplicas ?? 0) === replicas &&
    (newStatus.availableReplicas ?? 0) === replicas &&
    (ro.status?.observedGeneration ?? '') === String(ro.metadata?.generation ?? 0) &&
    completed
  );
}

/** `RolloutCompleted`: the desired ReplicaSet is the stable one. */
export function rolloutCompleted(status: ReadonlyStatus): boolean {
  return (status.stableRS ?? '') !== '' && status.stableRS === status.currentPodHash;
}

/**
 * `RolloutTimedOut`: no progress for `progressDeadlineSeconds` since the Progressing condition's
 * `lastUpdateTime` (strictly after). Already `ProgressDeadlineExceeded` → true; no condition, or a
 * paused or aborted one → false.
 * @example // deadline 5s, last update 10s ago, reason ReplicaSetUpdated → true
 */
export function rolloutTimedOut(spec: ReadonlySpec, newStatus: ReadonlyStatus, now: Date): boolean {
  const cond = getCondition(newStatus, ConditionType.Progressing);
  if (cond === undefined || cond.reason === Reason.RolloutAborted || cond.reason === Reason.RolloutPaused)
    return false;
  if (cond.reason === Reason.ProgressDeadlineExceeded) return true;
  const from = Date.parse(cond.lastUpdateTime);
  return from + progressDeadlineSecondsOrDefault(spec) * 1000 < now.getTime();
}

/**
 * `CalculateRolloutPhase`: the phase and message the controller writes to `status.phase` and
 * `status.message`. The first matching rule wins:
 *
 * 1. an `InvalidSpec` condition → Degraded `InvalidSpec: <message>`;
 * 2. a condition with reason `RolloutAborted` or `ProgressDeadlineExceeded` → Degraded `<reason>: <message>`;
 * 3. `spec.paused` → Paused `manually paused`; any pause condition → Paused `<its reason>`;
 * 4. a restart not yet done, replicas not yet updated or available → Progressing with why;
 * 5. blue-green: active service not switched, or stable not yet marked → Progressing;
 * 6. canary: old replicas left (basic canary), or steps not done → Progressing;
 * 7. otherwise Healthy with an empty message.
 * @example // canary, R=5, updated 5, available 4 → ['Progressing', 'updated replicas are still becoming available']
 */
export function calculateRolloutPhase(
  spec: ReadonlySpec,
  status: ReadonlyStatus | undefined,
): { phase: RolloutPhase; message: string } {
  const s = status ?? {};
  for (const cond of s.conditions ?? []) {
    if (cond.type === ConditionType.InvalidSpec)
      return { phase: 'Degraded', message: `InvalidSpec: ${cond.message}` };
    if (cond.reason === Reason.RolloutAborted || cond.reason === Reason.ProgressDeadlineExceeded) {
      return { phase: 'Degraded', message: `${cond.reason}: ${cond.message}` };
    }
  }
  if (spec.paused) return { phase: 'Paused', message: 'manually paused' };
  const firstPause = s.pauseConditions?.[0];
  if (firstPause !== undefined) return { phase: 'Paused', message: firstPause.reason };
  if (
    spec.restartAt !== undefined &&
    (s.restartedAt === undefined || Date.parse(spec.restartAt) !== Date.parse(s.restartedAt))
  ) {
    return { phase: 'Progressing', message: 'rollout is restarting' };
  }
  const updated = s.updatedReplicas ?? 0;
  if (updated < replicasOrDefault(spec.replicas))
    return { phase: 'Progressing', message: 'more replicas need to be updated' };
  if ((s.availableReplicas ?? 0) < updated)
    return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  const promoted = (s.stableRS ?? '') !== '' && (s.stableRS ?? '') === (s.currentPodHash ?? '');
  if (spec.strategy.blueGreen !== undefined) {
    const active = s.blueGreen?.activeSelector ?? '';
    if (active === '' || active !== (s.currentPodHash ?? ''))
      return { phase: 'Progressing', message: 'active service cutover pending' };
    if (!promoted) {
      const post = s.blueGreen?.postPromotionAnalysisRunStatus;
      const waitingForAnalysis =
        spec.strategy.blueGreen.postPromotionAnalysis !== undefined &&
        (post === undefined || !isCompletedPhase(post.status));
      return {
        phase: 'Progressing',
        message: waitingForAnalysis
          ? 'waiting for analysis to complete'
          : 'waiting for post-promotion verification to complete',
      };
    }
  } else if (spec.strategy.canary !== undefined) {
    if (spec.strategy.canary.trafficRouting === undefined && (s.replicas ?? 0) > updated) {
      return { phase: 'Progressing', message: 'old replicas are pending termination' };
    }
    if (!promoted) return { phase: 'Progressing', message: 'waiting for all steps to complete' };
  }
  return { phase: 'Healthy', message: '' };
}

/** AnalysisRun phases that are final (`AnalysisPhase.Completed()`). */
export function isCompletedPhase(phase: string): boolean {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}

/**
 * `GetRolloutPhase`: what a client shows. Before the controller's own phase it reports a spec it has
 * not yet seen (a numeric `observedGeneration` below `metadata.generation`; non-numeric legacy values
 * count as seen) and an unpause it has not yet acted on.
 */
export function getRolloutPhase(ro: ReadonlyRollout): { phase: RolloutPhase; message: string } {
  if (!isGenerationObserved(ro))
    return { phase: 'Progressing', message: 'waiting for rollout spec update to be observed' };
  if ((ro.status?.controllerPause ?? false) && (ro.status?.pauseConditions ?? []).length === 0) {
    return { phase: 'Progressing', message: 'waiting for rollout to unpause' };
  }
  if (ro.status?.phase !== undefined) return { phase: ro.status.phase, message: ro.status.message ?? '' };
  return calculateRolloutPhase(ro.spec, ro.status);
}

/** `isGenerationObserved`: numeric `observedGeneration` ≥ `metadata.generation`; non-numeric → observed. */
export function isGenerationObserved(ro: ReadonlyRollout): boolean {
  const text = ro.status?.observedGeneration ?? '';
  if (!/^[+-]?[0-9]+$/.test(text)) return true;
  const observed = Number(text);
  if (!Number.isSafeInteger(observed)) return true;
  return observed >= (ro.metadata?.generation ?? 0);
}
