/**
 * Canary step logic, pure: which step a Rollout is on, what weight that step asks for (also while
 * aborted, past the last step, and under `setCanaryScale`), when a pause is over, when background
 * analysis may start, when the steps restart, and when the whole update is promoted.
 *
 * Ported from Argo Rollouts `utils/replicaset/canary.go` (GetCurrentCanaryStep, GetCurrentSetWeight,
 * GetCanaryReplicasOrWeight, GetDesiredCanaryWeight, UseSetCanaryScale, BeforeStartingStep),
 * `utils/rollout/rolloututil.go` (CanaryStepString, IsDynamicallyRollingBackToStable),
 * `rollout/pause.go` and the step-index parts of `rollout/canary.go` and `rollout/sync.go`.
 * Time is always a parameter (`now`); nothing here reads the clock.
 *
 * @module
 */

import type { DeepReadonly } from '../util/readonly.ts';
import { formatTime } from './conditions.ts';
import { computePodTemplateHash, computeStepHash } from './hash.ts';
import {
  abortScaleDownDelay,
  autoPromotionEnabledOrDefault,
  hasExplicitAbortScaleDownDelay,
  maxTrafficWeight,
  pauseDurationSeconds,
  replicasOrDefault,
} from './spec.ts';
import {
  type CanaryStep,
  type PauseCondition,
  PauseReason,
  type ReadonlyRollout,
  type ReadonlySpec,
  type ReadonlyStatus,
  type ReplicaSetView,
  type SetCanaryScale,
} from './types.ts';

// ---------------------------------------------------------------------------------------------
// Where the Rollout is
// ---------------------------------------------------------------------------------------------

/** The current step and its index. */
export interface CurrentStep {
  /** The step, or undefined past the last step (or when there are no steps). */
  step: DeepReadonly<CanaryStep> | undefined;
  /** `status.currentStepIndex` (0 when unset), or undefined when there are no steps at all. */
  index: number | undefined;
}

/**
 * `GetCurrentCanaryStep`: the step at `status.currentStepIndex` (0 when unset).
 * @example getCurrentCanaryStep({ spec: { strategy: { canary: { steps: [{ pause: {} }] } } }, status: { currentStepIndex: 0 } })
 * // { step: { pause: {} }, index: 0 }
 * @example // index 1 of 1 step: { step: undefined, index: 1 } (all steps done)
 * @example // no steps: { step: undefined, index: undefined }
 */
export function getCurrentCanaryStep(ro: ReadonlyRollout): CurrentStep {
  const steps = ro.spec.strategy.canary?.steps ?? [];
  if (ro.spec.strategy.canary === undefined || steps.length === 0)
    return { step: undefined, index: undefined };
  const index = ro.status?.currentStepIndex ?? 0;
  return { step: index < steps.length ? steps[index] : undefined, index };
}

/** `IsFullyPromoted`: the desired pod hash is the stable one (also true when both are unset). */
export function isFullyPromoted(ro: ReadonlyRollout): boolean {
  return (ro.status?.stableRS ?? '') === (ro.status?.currentPodHash ?? '');
}

/**
 * `GetCurrentSetWeight`: the weight of the nearest `setWeight` at or before the current step.
 * Aborted → 0; past the last step (or no steps) → the max weight (100); no setWeight yet → 0.
 * @example // steps [setWeight 10], index 0 → 10; index 1 → 100; index 0 while aborted → 0
 */
export function getCurrentSetWeight(ro: ReadonlyRollout): number {
  if (ro.status?.abort) return 0;
  const { step, index } = getCurrentCanaryStep(ro);
  if (step === undefined || index === undefined) return maxTrafficWeight(ro.spec);
  const steps = ro.spec.strategy.canary?.steps ?? [];
  for (let i = index; i >= 0; i--) {
    const weight = steps[i]?.setWeight;
    if (weight !== undefined) return weight;
  }
  return 0;
}

/**
 * `UseSetCanaryScale`: the `setCanaryScale` in force at the current step, i.e. the nearest one at or
 * before it, carried over the steps after it until a `matchTrafficWeight: true` step cancels it.
 * Needs traffic routing; ignored while aborted unless `abortScaleDownDelaySeconds: 0` (keep the
 * canary up).
 * @example // steps [setCanaryScale{replicas: 3}, setWeight 20, pause] at index 2 → { replicas: 3 }
 * @example // steps [setCanaryScale{replicas: 3}, setCanaryScale{matchTrafficWeight: true}] at 1 → undefined
 */
export function useSetCanaryScale(ro: ReadonlyRollout): DeepReadonly<SetCanaryScale> | undefined {
  const canary = ro.spec.strategy.canary;
  if (canary?.trafficRouting === undefined) return undefined;
  if (ro.status?.abort && abortScaleDownDelay(ro.spec).seconds !== null) return undefined;
  const { step, index } = getCurrentCanaryStep(ro);
  if (step === undefined || index === undefined) return undefined;
  const steps = canary.steps ?? [];
  for (let i = index; i >= 0; i--) {
    const scale = steps[i]?.setCanaryScale;
    if (scale === undefined) continue;
    return scale.matchTrafficWeight ? undefined : scale;
  }
  return undefined;
}

/** What the canary should be scaled to: explicit replicas, or a weight out of the max weight. */
export interface CanaryReplicasOrWeight {
  /** `setCanaryScale.replicas`, when in force. */
  replicas?: number;
  weight: number;
}

/**
 * `GetCanaryReplicasOrWeight`: max weight when fully promoting, on the initial deploy (no stable) or
 * when new == stable; else the `setCanaryScale` in force (replicas, or weight); else the desired
 * canary weight ({@link getDesiredCanaryWeight}).
 * @example // promoteFull → { weight: 100 }
 * @example // steps [setWeight 10, setCanaryScale{weight: 20}] at index 1 with traffic routing → { weight: 20 }
 * @example // steps [setWeight 10, setCanaryScale{replicas: 5}] at index 1 with traffic routing → { replicas: 5, weight: 0 }
 */
export function getCanaryReplicasOrWeight(
  ro: ReadonlyRollout,
  newRS?: ReplicaSetView,
  stableRS?: ReplicaSetView,
): CanaryReplicasOrWeight {
  const stable = ro.status?.stableRS ?? '';
  if (ro.status?.promoteFull || stable === '' || (ro.status?.currentPodHash ?? '') === stable) {
    return { weight: maxTrafficWeight(ro.spec) };
  }
  const scale = useSetCanaryScale(ro);
  if (scale?.replicas !== undefined) return { replicas: scale.replicas, weight: 0 };
  if (scale?.weight !== undefined) return { weight: scale.weight };
  return { weight: getDesiredCanaryWeight(ro, newRS, stableRS) };
}

/**
 * `trafficWeightToReplicas`: pods for a traffic weight, rounded up.
 * @example trafficWeightToReplicas(10, 33, 100) // 4 (3.3 rounds up)
 * @example trafficWeightToReplicas(23, 100000000, 100000000) // 23
 */
export function trafficWeightToReplicas(replicas: number, weight: number, maxWeight: number): number {
  return Math.ceil((weight * replicas) / maxWeight);
}

/**
 * `GetDesiredCanaryWeight`: normally the current setWeight. When aborted with traffic routing and
 * `dynamicStableScale`, the weight steps down through the setWeight steps instead of dropping to 0 at
 * once, so stable scales up before the canary loses its traffic: the weight is the largest setWeight
 * (scanning from the last step) whose pods are fewer than the canary pods still needed.
 *
 * Canary pods still needed = max(R − stable available, canary available); with an explicit
 * `abortScaleDownDelaySeconds` only R − stable available (the canary waits for its deadline instead,
 * upstream issue #4898).
 * @example // R=10, steps [10, 50], canary 5/5, stable available 9, no explicit delay:
 * //   needed = max(10−9, 5) = 5; step 50 → 5 pods (not < 5); step 10 → 1 pod < 5 → weight 10
 * @example // same with abortScaleDownDelaySeconds 30: needed = 1; no step has < 1 pod → weight 0
 */
export function getDesiredCanaryWeight(
  ro: ReadonlyRollout,
  newRS?: ReplicaSetView,
  stableRS?: ReplicaSetView,
): number {
  const canary = ro.spec.strategy.canary;
  if (ro.status?.abort && canary?.dynamicStableScale && newRS !== undefined && stableRS !== undefined) {
    const maxWeight = maxTrafficWeight(ro.spec);
    const replicas = replicasOrDefault(ro.spec.replicas);
    const expectedCanary = replicas - stableRS.availableReplicas;
    let canaryReplicas = Math.max(expectedCanary, newRS.availableReplicas);
    if (hasExplicitAbortScaleDownDelay(ro.spec)) canaryReplicas = expectedCanary;
    const steps = canary.steps ?? [];
    for (let i = steps.length - 1; i >= 0; i--) {
      const weight = steps[i]?.setWeight;
      if (weight !== undefined && trafficWeightToReplicas(replicas, weight, maxWeight) < canaryReplicas)
        return weight;
    }
    return 0;
  }
  return getCurrentSetWeight(ro);
}

/**
 * `IsDynamicallyRollingBackToStable`: a dynamicStableScale update was interrupted by going back to
 * the stable template, and traffic still points at the old canary. Returns the old canary hash.
 */
export function dynamicRollbackToStableHash(
  ro: ReadonlyRollout,
  desiredRS: ReplicaSetView | undefined,
): string | undefined {
  const canary = ro.spec.strategy.canary;
  if (!isFullyPromoted(ro) || canary?.trafficRouting === undefined || !canary.dynamicStableScale)
    return undefined;
  const weights = ro.status?.canary?.weights;
  if (weights === undefined) return undefined;
  const current = weights.canary.podTemplateHash ?? '';
  if (current === (desiredRS?.podTemplateHash ?? '')) return undefined;
  if ((desiredRS?.availableReplicas ?? 0) >= replicasOrDefault(ro.spec.replicas)) return undefined;
  return current;
}

/**
 * `ShouldVerifyWeight`: verify the router's weight at a setWeight step in mid-update, and at the end
 * of the update (max weight).
 */
export function shouldVerifyWeight(ro: ReadonlyRollout, desiredWeight: number): boolean {
  const { step } = getCurrentCanaryStep(ro);
  const midUpdate = (ro.status?.stableRS ?? '') !== '' && !isFullyPromoted(ro);
  return (
    (midUpdate && step?.setWeight !== undefined) ||
    (midUpdate && step === undefined && desiredWeight === maxTrafficWeight(ro.spec))
  );
}

/** `GetCurrentExperimentStep`: the nearest experiment step at or before the current one. */
export function getCurrentExperimentStep(
  ro: ReadonlyRollout,
): DeepReadonly<NonNullable<CanaryStep['experiment']>> | undefined {
  const { step, index } = getCurrentCanaryStep(ro);
  if (step === undefined || index === undefined) return undefined;
  const steps = ro.spec.strategy.canary?.steps ?? [];
  for (let i = index; i >= 0; i--) {
    const experiment = steps[i]?.experiment;
    if (experiment !== undefined) return experiment;
  }
  return undefined;
}

/**
 * `BeforeStartingStep`: background analysis waits until the step index reaches `startingStep`.
 * No `startingStep` (or no steps, or past the last step) → never before.
 * @example // steps [setWeight, pause], startingStep 1: index 0 → true, index 1 → false
 */
export function beforeStartingStep(ro: ReadonlyRollout): boolean {
  const startingStep = ro.spec.strategy.canary?.analysis?.startingStep;
  if (startingStep === undefined) return false;
  const { step, index } = getCurrentCanaryStep(ro);
  if (step === undefined || index === undefined) return false;
  return index < startingStep;
}

/**
 * `CanaryStepString`, the text in `RolloutStepCompleted` events.
 * @example canaryStepString({ setWeight: 20 }) // 'setWeight: 20'
 * @example canaryStepString({ pause: { duration: '10s' } }) // 'pause: 10s'
 * @example canaryStepString({ setCanaryScale: { replicas: 5 } }) // 'setCanaryScale{replicas: 5}'
 */
export function canaryStepString(step: DeepReadonly<CanaryStep>): string {
  if (step.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step.pause !== undefined) {
    return step.pause.duration === undefined ? 'pause' : `pause: ${step.pause.duration}`;
  }
  if (step.experiment !== undefined) return 'experiment';
  if (step.analysis !== undefined) return 'analysis';
  if (step.setCanaryScale !== undefined) {
    const scale = step.setCanaryScale;
    if (scale.weight !== undefined) return `setCanaryScale{weight: ${scale.weight}}`;
    if (scale.matchTrafficWeight) return 'setCanaryScale{matchTrafficWeight: true}';
    if (scale.replicas !== undefined) return `setCanaryScale{replicas: ${scale.replicas}}`;
  }
  if (step.plugin !== undefined) return `plugin: ${step.plugin.name}`;
  if (step.setHeaderRoute !== undefined) return `setHeaderRoute: ${step.setHeaderRoute.name ?? ''}`;
  if (step.setMirrorRoute !== undefined) return `setMirrorRoute: ${step.setMirrorRoute.name}`;
  return 'invalid';
}

// ---------------------------------------------------------------------------------------------
// Pauses
// ---------------------------------------------------------------------------------------------

/** The pause condition with a reason, if present. */
export function getPauseCondition(
  status: ReadonlyStatus | undefined,
  reason: PauseReason,
): DeepReadonly<PauseCondition> | undefined {
  return status?.pauseConditions?.find((c) => c.reason === reason);
}

/**
 * `IsUnpausing`: the controller paused (`controllerPause`) and someone cleared the pause conditions
 * (a promote); the controller has not reacted yet.
 */
export function isUnpausing(status: ReadonlyStatus | undefined): boolean {
  return (status?.controllerPause ?? false) && (status?.pauseConditions ?? []).length === 0;
}

/**
 * `CompletedCanaryPauseStep`: done when a user cleared the `CanaryPauseStep` condition after the
 * controller paused, or when the duration has passed since the condition's start (strictly after).
 * An indefinite pause (`pause: {}`) only ends by promotion.
 * @example // pause {duration: 60}, condition started 10:00:00: now 10:01:00 → false; 10:01:01 → true
 */
export function completedCanaryPauseStep(
  ro: ReadonlyRollout,
  pause: DeepReadonly<NonNullable<CanaryStep['pause']>>,
  now: Date,
): boolean {
  const cond = getPauseCondition(ro.status, PauseReason.CanaryPauseStep);
  if ((ro.status?.controllerPause ?? false) && cond === undefined) return true;
  if (pause.duration !== undefined && cond !== undefined) {
    return now.getTime() > pauseEndsAt(cond, pauseDurationSeconds(pause.duration)).getTime();
  }
  return false;
}

/** When a pause that started at `cond.startTime` and lasts `seconds` is over. */
export function pauseEndsAt(cond: DeepReadonly<PauseCondition>, seconds: number): Date {
  return new Date(Date.parse(cond.startTime) + seconds * 1000);
}

/** What the pause step of a reconcile does (`reconcileCanaryPause`). */
export interface CanaryPauseDecision {
  /** The Rollout stays at this pause step in this reconcile. */
  paused: boolean;
  /** Add the `CanaryPauseStep` condition now (this starts the clock). */
  addPauseCondition: boolean;
  /** When a timed pause ends: the controller should look again then. */
  resumeAt?: Date;
}

/**
 * `reconcileCanaryPause`: at a pause step, pause (adding the condition the first time, unless a user
 * already resumed it: `controllerPause` set and no condition); a timed pause reports when it ends.
 * Not at a pause step, `spec.paused`, or `promoteFull` → not paused here.
 * @example // step pause {duration: '30s'}, no condition, controllerPause false → { paused: true, addPauseCondition: true }
 * @example // same with the condition started 10:00:00 → { paused: true, addPauseCondition: false, resumeAt: 10:00:30 }
 */
export function decideCanaryPause(ro: ReadonlyRollout): CanaryPauseDecision {
  const none: CanaryPauseDecision = { paused: false, addPauseCondition: false };
  if (ro.spec.paused || ro.status?.promoteFull) return none;
  const { step } = getCurrentCanaryStep(ro);
  if (step?.pause === undefined) return none;
  const cond = getPauseCondition(ro.status, PauseReason.CanaryPauseStep);
  if (cond === undefined) return { paused: true, addPauseCondition: !(ro.status?.controllerPause ?? false) };
  if (step.pause.duration === undefined) return { paused: true, addPauseCondition: false };
  return {
    paused: true,
    addPauseCondition: false,
    resumeAt: pauseEndsAt(cond, pauseDurationSeconds(step.pause.duration)),
  };
}

/**
 * `CompletedBlueGreenPause`: auto-promotion (the default) with `autoPromotionSeconds: 0` is done at
 * once; with N seconds, N seconds after the `BlueGreenPause` condition started (strictly after);
 * with auto-promotion off, when a user cleared the condition after the controller paused. Past the
 * preview scale-up checkpoint it is done; a pause being added in this reconcile is not done.
 */
export function completedBlueGreenPause(ro: ReadonlyRollout, now: Date, addingPause = false): boolean {
  const bg = ro.spec.strategy.blueGreen;
  const cond = getPauseCondition(ro.status, PauseReason.BlueGreenPause);
  if (addingPause) return false;
  if (ro.status?.blueGreen?.scaleUpPreviewCheckPoint) return true;
  if (autoPromotionEnabledOrDefault(ro.spec)) {
    const seconds = bg?.autoPromotionSeconds ?? 0;
    if (seconds === 0) return true;
    if (cond !== undefined) return now.getTime() > pauseEndsAt(cond, seconds).getTime();
    return false;
  }
  return (ro.status?.controllerPause ?? false) && cond === undefined;
}

/**
 * `requiresManualAction`: a pause only a human can end (inconclusive analysis or experiment, an
 * indefinite pause step, a blue-green pause with auto-promotion off).
 */
export function requiresManualAction(reason: string, ro: ReadonlyRollout): boolean {
  switch (reason) {
    case PauseReason.InconclusiveAnalysisRun:
    case PauseReason.InconclusiveExperiment:
      return true;
    case PauseReason.CanaryPauseStep: {
      const { step } = getCurrentCanaryStep(ro);
      return step?.pause !== undefined && step.pause.duration === undefined;
    }
    case PauseReason.BlueGreenPause:
      return ro.spec.strategy.blueGreen?.autoPromotionEnabled === false;
    default:
      return false;
  }
}

/** The pause and abort changes a reconcile asked for (upstream's `pauseContext`). */
export interface PauseChanges {
  addPauseReasons?: readonly PauseReason[];
  removePauseReasons?: readonly PauseReason[];
  clearPauseConditions?: boolean;
  addAbort?: boolean;
  removeAbort?: boolean;
}

/** The pause/abort part of the next status. */
export interface PauseStatus {
  abort?: boolean;
  abortedAt?: string;
  pauseConditions?: PauseCondition[];
  controllerPause?: boolean;
}

/**
 * `CalculatePauseStatus`: the next `abort`, `abortedAt`, `pauseConditions` and `controllerPause`.
 *
 * - Aborted (added, or already and not removed): `abort` with `abortedAt` kept (or now), and **no**
 *   pause conditions: an abort clears them.
 * - Otherwise `abortedAt` is dropped; `clearPauseConditions` drops all conditions.
 * - Else existing conditions minus the removed ones, plus added reasons not already present (with
 *   start time now; an existing reason keeps its start time, even if also removed in this round).
 *   `controllerPause` becomes true when a condition was added; when no condition is left it is
 *   dropped (false), which is how "unpausing" ends.
 * @example // prev [], add [CanaryPauseStep] at 10:00:00 → { pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '…T10:00:00Z' }], controllerPause: true }
 */
export function calculatePauseStatus(
  prev: ReadonlyStatus | undefined,
  changes: PauseChanges,
  now: Date,
): PauseStatus {
  const aborted = (changes.addAbort ?? false) || (!(changes.removeAbort ?? false) && (prev?.abort ?? false));
  if (aborted) return { abort: true, abortedAt: prev?.abortedAt ?? formatTime(now) };
  if (changes.clearPauseConditions) return {};
  const remove = new Set<string>(changes.removePauseReasons ?? []);
  const existing = new Set<string>();
  const conditions: PauseCondition[] = [];
  for (const cond of prev?.pauseConditions ?? []) {
    if (!remove.has(cond.reason)) conditions.push(cond);
    existing.add(cond.reason);
  }
  let controllerPause = prev?.controllerPause ?? false;
  for (const reason of changes.addPauseReasons ?? []) {
    if (existing.has(reason)) continue;
    existing.add(reason);
    conditions.push({ reason, startTime: formatTime(now) });
    controllerPause = true;
  }
  if (conditions.length === 0) return {};
  return { pauseConditions: conditions, controllerPause };
}

// ---------------------------------------------------------------------------------------------
// Restarting and skipping steps
// ---------------------------------------------------------------------------------------------

/** `ResetCurrentStepIndex`: 0 when there are steps, else unset. */
export function resetCurrentStepIndex(spec: ReadonlySpec): number | undefined {
  return (spec.strategy.canary?.steps ?? []).length > 0 ? 0 : undefined;
}

/**
 * `checkStepHashChange`: the steps differ from those the status was computed for. No recorded hash
 * counts as a change. `rawStrategy` is `spec.strategy` as read from the wire (the hash covers the
 * steps exactly as written).
 */
export function stepsChanged(
  status: ReadonlyStatus | undefined,
  rawStrategy: Parameters<typeof computeStepHash>[0],
): boolean {
  const recorded = status?.currentStepHash ?? '';
  return recorded === '' || recorded !== computeStepHash(rawStrategy);
}

/**
 * `CheckPodSpecChange`: the pod template differs from the one the status was computed for. No
 * recorded hash is no change. The new ReplicaSet's hash label wins over a fresh computation (it
 * may have been created with an older hash function).
 */
export function podTemplateChanged(
  status: ReadonlyStatus | undefined,
  rawTemplate: unknown,
  newRS: ReplicaSetView | undefined,
): boolean {
  const recorded = status?.currentPodHash ?? '';
  if (recorded === '') return false;
  const hash =
    newRS !== undefined
      ? (newRS.podTemplateHash ?? '')
      : computePodTemplateHash(rawTemplate, status?.collisionCount);
  return recorded !== hash;
}

/**
 * `isRollbackWithinWindow`: the new ReplicaSet is older than the stable one and fewer than
 * `rollbackWindow.revisions` ReplicaSets (experiments excluded) were created between them.
 * @example // window 2; created rs1 < rs2 < rs3 < rs4 (stable); new = rs2 → between: rs3 → 1 < 2 → true
 */
export function isRollbackWithinWindow(
  ro: ReadonlyRollout,
  newRS: ReplicaSetView | undefined,
  stableRS: ReplicaSetView | undefined,
  allRSs: readonly ReplicaSetView[],
): boolean {
  if (newRS === undefined || stableRS === undefined) return false;
  const created = (rs: ReplicaSetView) => Date.parse(rs.creationTimestamp ?? '') || 0;
  if (!(created(newRS) < created(stableRS))) return false;
  const revisions = ro.spec.rollbackWindow?.revisions ?? 0;
  if (revisions <= 0) return false;
  let window = 0;
  for (const rs of allRSs) {
    if ((rs.annotations?.['experiment.argoproj.io/name'] ?? '') !== '') continue;
    if (created(rs) < created(stableRS) && created(newRS) < created(rs)) window++;
  }
  return window < revisions;
}

/**
 * `isFastRollback`: going back to an earlier version and allowed to skip steps: back to stable, or
 * within the rollback window, or (blue-green) to a ReplicaSet still inside its scale-down delay.
 * Note upstream's caveat: a fully promoted Rollout counts as a rollback to stable.
 */
export function isFastRollback(
  ro: ReadonlyRollout,
  newRS: ReplicaSetView | undefined,
  stableRS: ReplicaSetView | undefined,
  allRSs: readonly ReplicaSetView[],
  newRSWithinScaleDownDelay = false,
): boolean {
  if (newRS === undefined || stableRS === undefined) return false;
  const toStable = (ro.status?.stableRS ?? '') === (newRS.podTemplateHash ?? '');
  const created = (rs: ReplicaSetView) => Date.parse(rs.creationTimestamp ?? '') || 0;
  if (!toStable && !(created(newRS) < created(stableRS))) return false;
  return (
    isRollbackWithinWindow(ro, newRS, stableRS, allRSs) ||
    (newRSWithinScaleDownDelay && ro.spec.strategy.blueGreen !== undefined) ||
    toStable
  );
}

/** The observed state {@link shouldFullPromote} decides on. */
export interface PromotionInputs {
  newRS: ReplicaSetView | undefined;
  stableRS: ReplicaSetView | undefined;
  allRSs: readonly ReplicaSetView[];
  /** The abort state after this reconcile's changes (`pauseContext.IsAborted()`). */
  aborted: boolean;
  /** Blue-green: the desired ReplicaSet still has an unexpired scale-down deadline. */
  newRSWithinScaleDownDelay?: boolean;
  /** Blue-green: `status.blueGreen.activeSelector` and `currentPodHash` of the next status. */
  activeSelector?: string;
  currentPodHash?: string;
  /** Blue-green: traffic targets verified (ALB only upstream; true otherwise). */
  targetsVerified?: boolean;
  /** Blue-green: phase of the current post-promotion AnalysisRun, if any. */
  postPromotionAnalysisPhase?: string | undefined;
}

/**
 * `shouldFullPromote`: why the desired ReplicaSet should now become stable, or `''` while the
 * update is still in progress. The order of the checks is upstream's and matters.
 *
 * This is the "first deploy skips steps" rule: with no stable ReplicaSet the answer is
 * `Initial deploy`, before any step, pause or analysis runs.
 * @example // no stable RS → 'Initial deploy'
 * @example // canary, 3 steps, index 3, new RS fully available → 'Completed all 3 canary steps'
 */
export function shouldFullPromote(ro: ReadonlyRollout, inputs: PromotionInputs): string {
  const { newRS, stableRS, allRSs, aborted } = inputs;
  if (stableRS === undefined) return 'Initial deploy';
  const fastRollback = () => isFastRollback(ro, newRS, stableRS, allRSs, inputs.newRSWithinScaleDownDelay);
  const fastRollbackReason = () =>
    isRollbackWithinWindow(ro, newRS, stableRS, allRSs) ? 'Rollback within window' : 'Fast rollback';
  if (ro.spec.strategy.canary !== undefined) {
    if (aborted) return '';
    const replicas = replicasOrDefault(ro.spec.replicas);
    if (
      newRS === undefined ||
      (newRS.availableReplicas < replicas &&
        !replicaProgressThresholdMet(ro.spec.strategy.canary.replicaProgressThreshold, newRS, replicas))
    ) {
      return '';
    }
    if (ro.status?.promoteFull) return 'Full promotion requested';
    if (fastRollback()) return fastRollbackReason();
    const { index } = getCurrentCanaryStep(ro);
    const stepCount = (ro.spec.strategy.canary.steps ?? []).length;
    if (stepCount === 0 || index === stepCount) return `Completed all ${stepCount} canary steps`;
    return '';
  }
  if (ro.spec.strategy.blueGreen !== undefined) {
    const active = inputs.activeSelector ?? '';
    if (active === '') return 'Initial deploy';
    if (active !== (inputs.currentPodHash ?? '')) return '';
    if (!(inputs.targetsVerified ?? true)) return '';
    if (ro.status?.promoteFull) return 'Full promotion requested';
    if (fastRollback()) return fastRollbackReason();
    if (aborted) return '';
    if (
      ro.spec.strategy.blueGreen.postPromotionAnalysis !== undefined &&
      inputs.postPromotionAnalysisPhase !== 'Successful'
    ) {
      return '';
    }
    return 'Completed blue-green update';
  }
  return '';
}

/**
 * `ReplicaProgressThresholdMet`: the new ReplicaSet has enough available pods for a step to count.
 * No threshold (or a negative value) → all desired pods available (and spec == desired).
 * `Percent`: available/desired×100 ≥ value (desired 0 always meets it); `Pods`: available ≥ value.
 * @example replicaProgressThresholdMet({ type: 'Percent', value: 90 }, rs(avail 9), 10) // true
 * @example replicaProgressThresholdMet({ type: 'Pods', value: 8 }, rs(avail 7), 10) // false
 */
export function replicaProgressThresholdMet(
  threshold: { type: string; value: number } | undefined,
  rs: ReplicaSetView | undefined,
  desired: number,
): boolean {
  if (threshold === undefined || rs === undefined || threshold.value < 0)
    return allDesiredAreAvailable(rs, desired);
  if (threshold.type === 'Percent') {
    if (desired === 0) return true;
    const percentage = (rs.availableReplicas / desired) * 100;
    // Float error: 2/3*100 must still meet 66.666…
    return percentage >= threshold.value || Math.abs(percentage - threshold.value) <= 1e-10;
  }
  return rs.availableReplicas >= threshold.value;
}

/** `allDesiredAreAvailable`: spec replicas and available replicas both equal `desired`. */
export function allDesiredAreAvailable(rs: ReplicaSetView | undefined, desired: number): boolean {
  return rs !== undefined && desired === rs.replicas && desired === rs.availableReplicas;
}

/** What the current step waits on, observed elsewhere (replica counts, runs, plugins). */
export interface StepCompletionInputs {
  /** `AtDesiredReplicaCountsForCanary` for setWeight / setCanaryScale steps. */
  atDesiredReplicaCounts: boolean;
  /** `status.canary.weights.verified` of the next status (false blocks a setWeight step). */
  weightsVerified?: boolean | undefined;
  /** Phase of the current Experiment (experiment steps). */
  experimentPhase?: string | undefined;
  /** Phase of the current step AnalysisRun (analysis steps). */
  stepAnalysisPhase?: string | undefined;
  /** Whether the step plugin finished (plugin steps). */
  stepPluginCompleted?: boolean;
}

/**
 * `completedCurrentCanaryStep`: whether the current step is done, so the index moves on by one.
 * Never while `spec.paused`. Header and mirror route steps are done as soon as they are reached
 * (their route was applied earlier in the same reconcile).
 */
export function completedCurrentCanaryStep(
  ro: ReadonlyRollout,
  inputs: StepCompletionInputs,
  now: Date,
): boolean {
  if (ro.spec.paused) return false;
  const { step } = getCurrentCanaryStep(ro);
  if (step === undefined) return false;
  if (step.pause !== undefined) return completedCanaryPauseStep(ro, step.pause, now);
  if (step.setCanaryScale !== undefined) return inputs.atDesiredReplicaCounts;
  if (step.setWeight !== undefined) return inputs.atDesiredReplicaCounts && inputs.weightsVerified !== false;
  if (step.experiment !== undefined) return inputs.experimentPhase === 'Successful';
  if (step.analysis !== undefined) return inputs.stepAnalysisPhase === 'Successful';
  if (step.setHeaderRoute !== undefined || step.setMirrorRoute !== undefined) return true;
  if (step.plugin !== undefined) return inputs.stepPluginCompleted ?? false;
  return false;
}

/** How the step index moves in one reconcile of a canary Rollout. */
export interface StepIndexOutcome {
  /** The next `status.currentStepIndex` (undefined when there are no steps). */
  currentStepIndex: number | undefined;
  /** Why, in upstream's event vocabulary. */
  event?: { reason: 'SkipSteps' | 'RolloutStepCompleted'; message: string };
}

/** The parts of `syncRolloutStatusCanary` that move the step index. */
export interface StepIndexInputs {
  /** `PodTemplateOrStepsChanged`: reset to the first step. */
  templateOrStepsChanged: boolean;
  /** Hash label of the new ReplicaSet, when it exists. */
  newRSHash?: string | undefined;
  /** The new ReplicaSet has (or should have) pods (`IsActive`). */
  newRSActive?: boolean;
  rollbackWithinWindow: boolean;
  /** The abort state after this reconcile's changes. */
  aborted: boolean;
  /** `completedCurrentCanaryStep` for this reconcile. */
  stepCompleted: boolean;
}

/**
 * The step index after one reconcile (full promotion is decided separately by
 * {@link shouldFullPromote}; when it fires the index becomes the step count).
 *
 * - Template or steps changed: back to step 0, except a return to the stable template (or a rollback
 *   within the window to a ReplicaSet that still has pods) skips every step.
 * - `promoteFull` or a rollback within the window: jump past the last step.
 * - Aborted: step 0 (or past the last step when new == stable).
 * - Step completed: move on by exactly one.
 * @example // 3 steps, index 1, step done → { currentStepIndex: 2, event: RolloutStepCompleted 'Rollout step 2/3 completed (pause)' }
 */
export function nextStepIndex(ro: ReadonlyRollout, inputs: StepIndexInputs): StepIndexOutcome {
  const steps = ro.spec.strategy.canary?.steps ?? [];
  const stepCount = steps.length;
  if (inputs.templateOrStepsChanged) {
    if (inputs.newRSHash !== undefined && stepCount > 0) {
      if ((ro.status?.stableRS ?? '') === inputs.newRSHash) {
        return {
          currentStepIndex: stepCount,
          event: { reason: 'SkipSteps', message: 'Rollback to stable ReplicaSets' },
        };
      }
      if (inputs.rollbackWithinWindow && inputs.newRSActive) {
        return {
          currentStepIndex: stepCount,
          event: { reason: 'SkipSteps', message: 'Rollback to active ReplicaSets within RollbackWindow' },
        };
      }
    }
    return { currentStepIndex: resetCurrentStepIndex(ro.spec) };
  }
  const current = getCurrentCanaryStep(ro);
  let index = current.index;
  // Upstream moves the index past the last step here but still judges the step the status points
  // at; a full promotion normally returns first (shouldFullPromote), so the two rarely meet.
  if ((ro.status?.promoteFull || inputs.rollbackWithinWindow) && stepCount > 0) index = stepCount;
  if (inputs.aborted) {
    if (stepCount === 0) return { currentStepIndex: undefined };
    const currentPodHash = inputs.newRSHash ?? ro.status?.currentPodHash ?? '';
    return { currentStepIndex: (ro.status?.stableRS ?? '') === currentPodHash ? stepCount : 0 };
  }
  const step = current.step;
  if (inputs.stepCompleted && step !== undefined && index !== undefined) {
    const next = index + 1;
    return {
      currentStepIndex: next,
      event: {
        reason: 'RolloutStepCompleted',
        message: `Rollout step ${next}/${stepCount} completed (${canaryStepString(step)})`,
      },
    };
  }
  return { currentStepIndex: index };
}
