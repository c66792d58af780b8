/**
 * The blue-green planner (upstream's `rolloutBlueGreen` + `syncRolloutStatusBlueGreen`): the new
 * ReplicaSet comes up beside the active one (at `previewReplicaCount` while previewed), the preview
 * Service selects it, a `BlueGreenPause` holds it when auto-promotion is off (or for
 * `autoPromotionSeconds`), then the active Service switches to it and the previous active
 * ReplicaSet is scaled to zero once its `scale-down-deadline` annotation (now +
 * `scaleDownDelaySeconds`) has passed. Pure: time comes in as an argument.
 * @module
 */
import { formatTime, Reason } from './conditions.ts';
import type { ObservedReplicaSet, RolloutObservation } from './observe.ts';
import {
  describePlan,
  emptyPlan,
  newReplicaSetObject,
  nextRevision,
  planAnalysisRunHistory,
  planHistoryCleanup,
  planServiceSwitch,
  type RolloutPlan,
  type ServiceSwitch,
} from './plan.ts';
import { allDesiredAreAvailable, newRSNewReplicas, readyForPause } from './replica-math.ts';
import {
  abortScaleDownDelay,
  autoPromotionEnabledOrDefault,
  replicasOrDefault,
  scaleDownDelaySecondsOrDefault,
} from './spec.ts';
import { progressDeadlineInMs, withConditions, withCounts } from './status.ts';
import {
  calculatePauseStatus,
  completedBlueGreenPause,
  getPauseCondition,
  type PauseChanges,
  pauseEndsAt,
  shouldFullPromote,
} from './steps.ts';
import type { Rollout, RolloutStatus } from './types.ts';
import { RolloutLabels } from './types.ts';

/** Plans one reconcile of a blue-green Rollout. `obs.rollout` must be parsed and valid. */
export function planBlueGreen(obs: RolloutObservation, now: Date): RolloutPlan {
  const rollout = obs.rollout as Rollout;
  const prev = rollout.status ?? {};
  const bg = rollout.spec.strategy.blueGreen;

  // 1. A new pod template: create the new ReplicaSet if needed, reset the status, stop.
  if (obs.newRS === undefined || (prev.currentPodHash ?? '') !== obs.podHash)
    return planReset(obs, rollout, now);
  const newRS = obs.newRS;
  const ro = { spec: rollout.spec, status: prev, metadata: rollout.metadata };
  const plan = emptyPlan(prev);
  const aborted = prev.abort === true;

  // 2. The new ReplicaSet at its size for now (preview count while previewed).
  const target = aborted ? newRS.replicas : newRSNewReplicas(ro, obs.allRSs, newRS);
  if (newRS.replicas !== target) plan.scale.push({ name: newRS.name, from: newRS.replicas, to: target });

  // 3. Pause: hold before the switch when auto-promotion is off or delayed.
  const activeHash = obs.services.get(bg?.activeService ?? '')?.selector[RolloutLabels.podTemplateHash] ?? '';
  const switched = activeHash === obs.podHash;
  const changes: PauseChanges = {};
  const addPause =
    !aborted &&
    !rollout.spec.paused &&
    prev.promoteFull !== true &&
    activeHash !== '' &&
    !switched &&
    readyForPause(ro, newRS, obs.allRSs) &&
    prev.controllerPause !== true &&
    getPauseCondition(prev, 'BlueGreenPause') === undefined &&
    (!autoPromotionEnabledOrDefault(rollout.spec) || (bg?.autoPromotionSeconds ?? 0) > 0);
  if (addPause) changes.addPauseReasons = ['BlueGreenPause'];
  const pauseDone = prev.promoteFull === true || completedBlueGreenPause(ro, now, addPause);
  if (pauseDone && getPauseCondition(prev, 'BlueGreenPause') !== undefined)
    changes.removePauseReasons = ['BlueGreenPause'];

  // 4. Services: preview → new; active → new once the pause is over and all R pods are available.
  const replicas = replicasOrDefault(rollout.spec.replicas);
  const stable = obs.allRSs.find((rs) => rs.podTemplateHash === prev.stableRS);
  const readyToSwitch =
    !aborted &&
    !rollout.spec.paused &&
    (activeHash === '' || pauseDone) &&
    allDesiredAreAvailable(newRS, replicas);
  const activeTarget: ObservedReplicaSet | undefined = aborted ? stable : readyToSwitch ? newRS : undefined;
  plan.services = [
    planServiceSwitch(obs, bg?.previewService, newRS),
    planServiceSwitch(obs, bg?.activeService, activeTarget),
  ].filter((s): s is ServiceSwitch => s !== undefined);
  const selectorAfter = (svc: string | undefined) =>
    plan.services.find((s) => s.name === svc)?.to ??
    obs.services.get(svc ?? '')?.selector[RolloutLabels.podTemplateHash];
  const activeAfter = selectorAfter(bg?.activeService) ?? '';

  // 5. Older ReplicaSets: the previous active one after its scale-down delay, the others at once;
  // on abort the new one too, after abortScaleDownDelaySeconds (an explicit 0: never).
  const deadlines = planScaleDown(obs, rollout, activeAfter, activeHash, now, plan);
  if (aborted) deadlines.push(...planAbortScaleDown(newRS, rollout, now, plan));
  // The active ReplicaSet carries no scale-down deadline (a rollback may re-use one that had one).
  const active = obs.allRSs.find((rs) => rs.podTemplateHash === activeAfter);
  if (!aborted && active?.annotations?.[RolloutLabels.scaleDownDeadline] !== undefined) {
    plan.annotate.push({ name: active.name, annotations: { [RolloutLabels.scaleDownDeadline]: null } });
  }

  // 6. Status: pause, selectors, full promotion.
  const status: RolloutStatus = { ...prev };
  for (const key of ['pauseConditions', 'controllerPause', 'abort', 'abortedAt'] as const) delete status[key];
  Object.assign(status, calculatePauseStatus(prev, changes, now));
  const preview = selectorAfter(bg?.previewService);
  status.blueGreen = {
    ...(prev.blueGreen ?? {}),
    activeSelector: activeAfter,
    ...(preview !== undefined && bg?.previewService ? { previewSelector: preview } : {}),
  };
  if (bg?.previewReplicaCount !== undefined && pauseDone && !switched)
    status.blueGreen.scaleUpPreviewCheckPoint = true;
  const reason = shouldFullPromote(
    { ...ro, status },
    {
      newRS,
      stableRS: obs.stableRS,
      allRSs: obs.allRSs,
      aborted,
      activeSelector: activeAfter,
      currentPodHash: obs.podHash,
    },
  );
  if (reason !== '' && activeAfter === obs.podHash) {
    for (const key of ['pauseConditions', 'controllerPause', 'abort', 'abortedAt', 'promoteFull'] as const)
      delete status[key];
    delete status.blueGreen.scaleUpPreviewCheckPoint;
    status.stableRS = obs.podHash;
    if (prev.stableRS !== obs.podHash) plan.promotionReason = reason;
  }
  plan.status = withCounts(rollout, status, { newRS, allRSs: obs.allRSs });
  plan.status = withConditions(rollout, plan.status, { newRS, allRSs: obs.allRSs }, now);
  plan.deleteReplicaSets = planHistoryCleanup(obs, rollout);
  plan.deleteAnalysisRuns = planAnalysisRunHistory(obs, rollout, plan.status);
  plan.events = describePlan(obs, rollout, plan);
  const wake: number[] = [...deadlines];
  const cond = getPauseCondition(plan.status, 'BlueGreenPause');
  if (
    cond !== undefined &&
    autoPromotionEnabledOrDefault(rollout.spec) &&
    (bg?.autoPromotionSeconds ?? 0) > 0
  ) {
    wake.push(pauseEndsAt(cond, bg?.autoPromotionSeconds ?? 0).getTime() - now.getTime() + 1000);
  }
  const deadline = progressDeadlineInMs(rollout, plan.status, now);
  if (deadline !== undefined) wake.push(deadline);
  if (wake.length > 0) plan.requeueAfterMs = Math.max(0, Math.min(...wake));
  return plan;
}

/**
 * Scale-down of older ReplicaSets: the one that was active is annotated with
 * `scale-down-deadline` = now + `scaleDownDelaySeconds` and scaled to zero once that passed; any
 * other goes to zero at once. Returns the ms until each pending deadline.
 */
function planScaleDown(
  obs: RolloutObservation,
  rollout: Rollout,
  activeAfter: string,
  activeBefore: string,
  now: Date,
  plan: RolloutPlan,
): number[] {
  const waits: number[] = [];
  if (activeAfter === '') return waits;
  for (const rs of obs.allRSs) {
    if (rs.podTemplateHash === obs.podHash || rs.podTemplateHash === activeAfter || rs.replicas === 0)
      continue;
    const deadline = rs.annotations?.[RolloutLabels.scaleDownDeadline];
    if (deadline === undefined && rs.podTemplateHash === activeBefore) {
      const at = new Date(now.getTime() + scaleDownDelaySecondsOrDefault(rollout.spec) * 1000);
      plan.annotate.push({
        name: rs.name,
        annotations: { [RolloutLabels.scaleDownDeadline]: formatTime(at) },
      });
      waits.push(at.getTime() - now.getTime() + 1000);
      continue;
    }
    const due = deadline === undefined ? now.getTime() : Date.parse(deadline);
    if (due > now.getTime()) {
      waits.push(due - now.getTime() + 1000);
      continue;
    }
    plan.scale.push({ name: rs.name, from: rs.replicas, to: 0 });
  }
  return waits;
}

/** The new ReplicaSet after an abort: annotated with its deadline, then scaled to zero. */
function planAbortScaleDown(
  newRS: ObservedReplicaSet,
  rollout: Rollout,
  now: Date,
  plan: RolloutPlan,
): number[] {
  const { seconds } = abortScaleDownDelay(rollout.spec);
  if (seconds === null || newRS.replicas === 0) return [];
  const deadline = newRS.annotations?.[RolloutLabels.scaleDownDeadline];
  if (deadline === undefined) {
    const at = new Date(now.getTime() + seconds * 1000);
    plan.annotate.push({
      name: newRS.name,
      annotations: { [RolloutLabels.scaleDownDeadline]: formatTime(at) },
    });
    return [seconds * 1000 + 1000];
  }
  const due = Date.parse(deadline);
  if (due > now.getTime()) return [due - now.getTime() + 1000];
  plan.scale.push({ name: newRS.name, from: newRS.replicas, to: 0 });
  return [];
}

/** Step 1: the new ReplicaSet (at its preview size) and a status reset. */
function planReset(obs: RolloutObservation, rollout: Rollout, now: Date): RolloutPlan {
  const prev = rollout.status ?? {};
  const status: RolloutStatus = { ...prev, currentPodHash: obs.podHash };
  for (const key of ['pauseConditions', 'controllerPause', 'abort', 'abortedAt', 'promoteFull'] as const)
    delete status[key];
  if (status.blueGreen !== undefined) {
    status.blueGreen = { ...status.blueGreen };
    delete status.blueGreen.scaleUpPreviewCheckPoint;
  }
  const plan = emptyPlan(status);
  if (obs.newRS === undefined) {
    const ro = { spec: rollout.spec, status, metadata: rollout.metadata };
    const replicas = newRSNewReplicas(ro, obs.allRSs, undefined);
    const revision = nextRevision(obs.allRSs);
    plan.createReplicaSet = newReplicaSetObject(obs, rollout, replicas, revision);
    plan.events.push({
      reason: Reason.NewReplicaSetCreated,
      message: `Created ReplicaSet ${rollout.metadata.name}-${obs.podHash} (revision ${revision})`,
    });
  }
  plan.status = withCounts(rollout, plan.status, { newRS: obs.newRS, allRSs: obs.allRSs });
  plan.status = withConditions(rollout, plan.status, { newRS: obs.newRS, allRSs: obs.allRSs }, now);
  return plan;
}
