/**
 * The canary planner (upstream's `rolloutCanary` + `syncRolloutStatusCanary`): from one
 * {@link RolloutObservation} and the time, the ReplicaSets to create and scale, the Services to
 * switch, the traffic routers' weight (`traffic/`, with traffic routing), the AnalysisRuns to create
 * or stop, and the next status. Pure.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { type AnalysisRunType, type buildAnalysisRun, newAnalysisRun } from './analysis-runs.ts';
import { ConditionType, getCondition, isCompletedPhase, Reason } from './conditions.ts';
import { computeStepHash } from './hash.ts';
import type { ObservedAnalysisRun, ObservedReplicaSet, RolloutObservation } from './observe.ts';
import {
  type CreatedReplicaSet,
  describePlan,
  emptyPlan,
  newReplicaSetObject,
  nextRevision,
  planAnalysisRunHistory,
  planHistoryCleanup,
  planServiceSwitch,
  type RolloutPlan,
  resetEvents,
  type ScaleAction,
} from './plan.ts';
import {
  atDesiredReplicaCountsForCanary,
  calculateReplicaCountsForBasicCanary,
  calculateReplicaCountsForTrafficRoutedCanary,
  maxUnavailable,
  sumAvailableReplicas,
} from './replica-math.ts';
import { replicasOrDefault } from './spec.ts';
import { PAUSE_END_MARGIN_MS, progressDeadlineInMs, withConditions, withCounts } from './status.ts';
import {
  beforeStartingStep,
  calculatePauseStatus,
  completedCurrentCanaryStep,
  decideCanaryPause,
  dynamicRollbackToStableHash,
  getCurrentCanaryStep,
  getPauseCondition,
  nextStepIndex,
  type PauseChanges,
  shouldFullPromote,
} from './steps.ts';
import { NO_TRAFFIC_OBJECTS, planRoutedCanaryScale, planTraffic, type TrafficPlan } from './traffic/index.ts';
import type { PauseReason, ReadonlySpec, Rollout, RolloutStatus } from './types.ts';
import { RolloutLabels } from './types.ts';

/**
 * Plans one reconcile of a canary Rollout. `obs.rollout` must be parsed and valid (`planRollout`
 * checks that first).
 */
export function planCanary(obs: RolloutObservation, now: Date): RolloutPlan {
  const rollout = obs.rollout as Rollout;
  const prev = rollout.status ?? {};
  const stepHash = computeStepHash((obs.raw as { spec?: { strategy?: never } }).spec?.strategy);

  // 1. A new pod template or new steps: create the new ReplicaSet if needed, reset the status, stop.
  const changed = (prev.currentPodHash ?? '') !== obs.podHash || (prev.currentStepHash ?? '') !== stepHash;
  if (obs.newRS === undefined || changed) return planReset(obs, rollout, stepHash, now);

  // 2. Abort, retry, progress deadline and analysis outcomes decide the pause/abort changes.
  const ro = { spec: rollout.spec, status: prev, metadata: rollout.metadata };
  const analysis = planAnalysis(obs, rollout, now);
  const changes: PauseChanges = { ...analysis.changes };
  const retrying = prev.abort !== true && prev.abortedAt !== undefined;
  const deadlineAbort = progressDeadlineAbort(rollout, now);
  if (deadlineAbort !== undefined) changes.addAbort = true;

  // 3. Scale: stable first, then new, then older ReplicaSets; one kind of change per reconcile.
  const haltProgress =
    rollout.spec.paused === true || getPauseCondition(prev, 'InconclusiveAnalysisRun') !== undefined;
  const aborting = changes.addAbort === true || prev.abort === true;
  const scaleRo = { ...ro, status: { ...prev, abort: aborting } };
  // With traffic routing the routers get this round's weight first, and pods follow the weight.
  const routed = rollout.spec.strategy.canary?.trafficRouting !== undefined;
  const traffic = planTraffic({
    rollout,
    owner: {
      name: rollout.metadata.name,
      namespace: obs.raw.metadata.namespace ?? '',
      uid: obs.raw.metadata.uid ?? '',
    },
    objects: obs.traffic ?? NO_TRAFFIC_OBJECTS,
    newRS: obs.newRS,
    stableRS: obs.stableRS,
    otherRSs: obs.otherRSs,
    aborting,
  });
  if (traffic.failure !== undefined) return planTrafficFailure(prev, traffic);
  const routedScale = routed && !haltProgress;
  const routedPlan = routedScale
    ? planRoutedCanaryScale(obs, scaleRo, prev.canary?.weights, traffic.weights, now)
    : undefined;
  const scale = haltProgress ? [] : (routedPlan?.scale ?? planCanaryScale(obs, scaleRo));

  // 4. Pause steps and step completion move the index.
  const atDesired = atDesiredReplicaCountsForCanary(
    scaleRo,
    obs.newRS,
    obs.stableRS,
    obs.otherRSs,
    routed ? traffic.weights : undefined,
  );
  const stepCompleted =
    scale.length === 0 &&
    !aborting &&
    completedCurrentCanaryStep(
      ro,
      {
        atDesiredReplicaCounts: atDesired,
        stepAnalysisPhase: analysis.stepPhase,
        weightsVerified: traffic.weights?.verified,
      },
      now,
    );
  const pause = decideCanaryPause(ro);
  if (stepCompleted) changes.removePauseReasons = [...(changes.removePauseReasons ?? []), 'CanaryPauseStep'];
  else if (pause.addPauseCondition && !aborting)
    changes.addPauseReasons = [...(changes.addPauseReasons ?? []), 'CanaryPauseStep'];

  // 5. The next status: pause/abort, full promotion or the step index, counts, conditions, phase.
  const plan = emptyPlan(prev);
  plan.scale = scale;
  plan.annotate = routedPlan?.annotate ?? [];
  plan.traffic = traffic;
  plan.createAnalysisRuns = aborting ? [] : analysis.create;
  plan.terminateAnalysisRuns = aborting ? activeRuns(obs).map((r) => r.name) : analysis.terminate;
  const next = nextCanaryStatus(obs, rollout, changes, stepCompleted, now);
  plan.status = next.status;
  if (next.promotionReason !== '') plan.promotionReason = next.promotionReason;
  plan.status.canary = { ...analysis.statusRefs };
  if (plan.status.abort === true) plan.status.canary = {};
  if (traffic.weights !== undefined) plan.status.canary.weights = traffic.weights;
  plan.status = withCounts(rollout, plan.status, { newRS: obs.newRS, allRSs: obs.allRSs });
  plan.status = withConditions(
    rollout,
    plan.status,
    { newRS: obs.newRS, allRSs: obs.allRSs, abortDetail: analysis.abortDetail ?? deadlineAbort, retrying },
    now,
  );
  // 6. Selectors, history cleanup, events, and when to look again.
  plan.services = planCanaryServices(obs, rollout, plan.status);
  plan.deleteReplicaSets = planHistoryCleanup(obs, rollout);
  plan.deleteAnalysisRuns = planAnalysisRunHistory(obs, rollout, plan.status);
  plan.events = traffic.events.map(({ reason, message }) => ({ reason, message }));
  plan.events = describePlan(obs, rollout, plan);
  // A timed pause (added now or earlier) ends at its condition's start + duration: wake up then.
  const resumeAt = decideCanaryPause({ ...ro, status: plan.status }).resumeAt;
  const requeue = requeueAfter(rollout, plan.status, resumeAt, now);
  const soonest = [requeue, routedPlan?.requeueAfterMs].filter((ms) => ms !== undefined);
  if (soonest.length > 0) plan.requeueAfterMs = Math.min(...soonest);
  return plan;
}

/**
 * A router could not take the weight (upstream: a `TrafficRoutingError` event and a failed
 * reconcile): nothing is scaled or promoted, the status stays, and the executor reports the error
 * after recording the event, so the reconcile is retried with backoff.
 */
function planTrafficFailure(prev: RolloutStatus, traffic: TrafficPlan): RolloutPlan {
  const plan = emptyPlan(prev);
  plan.traffic = traffic;
  plan.events = traffic.events.map(({ reason, message }) => ({ reason, message }));
  return plan;
}

/** Step 1: the new ReplicaSet and a status reset to the first step (or past the last, to stable). */
function planReset(obs: RolloutObservation, rollout: Rollout, stepHash: string, now: Date): RolloutPlan {
  const prev = rollout.status ?? {};
  const ro = { spec: rollout.spec, status: prev, metadata: rollout.metadata };
  const index = nextStepIndex(ro, {
    templateOrStepsChanged: true,
    newRSHash: obs.podHash,
    rollbackWithinWindow: false,
    aborted: false,
    stepCompleted: false,
  });
  const status: RolloutStatus = {
    ...prev,
    currentPodHash: obs.podHash,
    currentStepHash: stepHash,
    // The routers still carry the previous weights: kept until the next reconcile moves them.
    canary: prev.canary?.weights !== undefined ? { weights: prev.canary.weights } : {},
  };
  for (const key of [
    'pauseConditions',
    'controllerPause',
    'abort',
    'abortedAt',
    'promoteFull',
    'currentStepIndex',
  ] as const)
    delete status[key];
  if (index.currentStepIndex !== undefined) status.currentStepIndex = index.currentStepIndex;
  const plan = emptyPlan(status);
  if (index.event) plan.events.push(index.event);
  let created: CreatedReplicaSet | undefined;
  if (obs.newRS === undefined) {
    const resetRo = { ...ro, status };
    // Sized as upstream's NewRSNewReplicas does: the arithmetic with the new ReplicaSet at zero.
    const empty = {
      name: `${rollout.metadata.name}-${obs.podHash}`,
      podTemplateHash: obs.podHash,
      replicas: 0,
      statusReplicas: 0,
      availableReplicas: 0,
      readyReplicas: 0,
    };
    const { canary } =
      rollout.spec.strategy.canary?.trafficRouting !== undefined
        ? calculateReplicaCountsForTrafficRoutedCanary(resetRo, empty, obs.stableRS, prev.canary?.weights)
        : calculateReplicaCountsForBasicCanary(resetRo, empty, obs.stableRS, obs.otherRSs);
    const revision = nextRevision(obs.allRSs);
    plan.createReplicaSet = newReplicaSetObject(obs, rollout, canary, revision);
    created = { name: empty.name, revision, replicas: canary };
  } else if (obs.newRS.revision !== nextRevision(obs.allRSs) - 1) {
    // A re-used ReplicaSet (a rollback) becomes the newest revision again.
    plan.annotate.push({
      name: obs.newRS.name,
      annotations: { [RolloutLabels.revision]: String(nextRevision(obs.allRSs)) },
    });
  }
  plan.terminateAnalysisRuns = activeRuns(obs).map((r) => r.name);
  plan.status = withCounts(rollout, plan.status, { newRS: obs.newRS, allRSs: obs.allRSs });
  plan.status = withConditions(rollout, plan.status, { newRS: obs.newRS, allRSs: obs.allRSs }, now);
  plan.events.push(...resetEvents(prev, plan.status, created, created?.revision ?? obs.newRS?.revision ?? 0));
  return plan;
}

/**
 * Step 3 (`reconcileCanaryStableReplicaSet`, `reconcileNewReplicaSet`,
 * `scaleDownOldReplicaSetsForCanary`): the replica changes of this reconcile. The first of stable,
 * new and older ReplicaSets that needs a change is the only one changed, as upstream does.
 */
export function planCanaryScale(
  obs: RolloutObservation,
  ro: Parameters<typeof calculateReplicaCountsForBasicCanary>[0],
): ScaleAction[] {
  const { newRS, stableRS, otherRSs } = obs;
  const counts = calculateReplicaCountsForBasicCanary(ro, newRS, stableRS, otherRSs);
  if (stableRS !== undefined && stableRS.name !== newRS?.name && stableRS.replicas !== counts.stable)
    return [{ name: stableRS.name, from: stableRS.replicas, to: counts.stable }];
  if (newRS !== undefined && newRS.replicas !== counts.canary)
    return [{ name: newRS.name, from: newRS.replicas, to: counts.canary }];
  return planScaleDownOld(obs, ro.spec);
}

/**
 * `scaleDownOldReplicaSetsForCanary`: first every older ReplicaSet down to its available pods
 * (unhealthy pods go at once), then, newest revision first, down to zero as far as
 * `R − maxUnavailable` available pods allow.
 */
function planScaleDownOld(obs: RolloutObservation, spec: ReadonlySpec): ScaleAction[] {
  const old = [...obs.otherRSs].sort((a, b) => b.revision - a.revision);
  const actions = new Map<string, ScaleAction>();
  const total = sumAvailableReplicas(obs.allRSs);
  for (const rs of old) {
    if (rs.replicas > rs.availableReplicas)
      actions.set(rs.name, { name: rs.name, from: rs.replicas, to: rs.availableReplicas });
  }
  let maxScaleDown = total - (replicasOrDefault(spec.replicas) - maxUnavailable(spec));
  for (const rs of old) {
    if (maxScaleDown <= 0) break;
    const current = actions.get(rs.name)?.to ?? rs.replicas;
    if (current === 0) continue;
    const down = Math.min(current, maxScaleDown);
    maxScaleDown -= down;
    actions.set(rs.name, { name: rs.name, from: rs.replicas, to: current - down });
  }
  return [...actions.values()];
}

/** Step 4 and `syncRolloutStatusCanary`: pause/abort status, full promotion, the step index. */
function nextCanaryStatus(
  obs: RolloutObservation,
  rollout: Rollout,
  changes: PauseChanges,
  stepCompleted: boolean,
  now: Date,
): { status: RolloutStatus; promotionReason: string } {
  const prev = rollout.status ?? {};
  const ro = { spec: rollout.spec, status: prev, metadata: rollout.metadata };
  const status: RolloutStatus = { ...prev };
  for (const key of ['pauseConditions', 'controllerPause', 'abort', 'abortedAt'] as const) delete status[key];
  if (prev.promoteFull) {
    changes.clearPauseConditions = true;
    changes.removeAbort = true;
  }
  const pause = calculatePauseStatus(prev, changes, now);
  Object.assign(status, pause);
  const aborted = pause.abort === true;
  const steps = rollout.spec.strategy.canary?.steps ?? [];
  const reason = shouldFullPromote(ro, {
    newRS: obs.newRS,
    stableRS: obs.stableRS,
    allRSs: obs.allRSs,
    aborted,
  });
  if (reason !== '') {
    for (const key of ['pauseConditions', 'controllerPause', 'abort', 'abortedAt', 'promoteFull'] as const)
      delete status[key];
    if (steps.length > 0) status.currentStepIndex = steps.length;
    else delete status.currentStepIndex;
    status.stableRS = obs.podHash;
    return { status, promotionReason: reason };
  }
  if (status.promoteFull === true && obs.podHash === prev.stableRS) delete status.promoteFull;
  const index = nextStepIndex(ro, {
    templateOrStepsChanged: false,
    newRSHash: obs.podHash,
    rollbackWithinWindow: false,
    aborted,
    stepCompleted,
  });
  if (index.currentStepIndex === undefined) delete status.currentStepIndex;
  else status.currentStepIndex = index.currentStepIndex;
  return { status, promotionReason: '' };
}

/** `progressDeadlineAbort`: the deadline passed while updating → the abort detail, else undefined. */
function progressDeadlineAbort(rollout: Rollout, now: Date): string | undefined {
  if (rollout.spec.progressDeadlineAbort !== true || rollout.status?.abort === true) return undefined;
  const cond = getCondition(rollout.status, ConditionType.Progressing);
  if (cond?.reason !== Reason.ProgressDeadlineExceeded) {
    const ms = progressDeadlineInMs(rollout, rollout.status ?? {}, now);
    if (ms === undefined || ms > 1000) return undefined;
  }
  if ((rollout.status?.stableRS ?? '') === (rollout.status?.currentPodHash ?? '')) return undefined;
  return cond?.message ?? `ReplicaSet "${rollout.metadata.name}" has timed out progressing.`;
}

/** Selectors: stable → stable ReplicaSet; canary → new ReplicaSet (stable while aborted). */
function planCanaryServices(obs: RolloutObservation, rollout: Rollout, status: RolloutStatus) {
  const canary = rollout.spec.strategy.canary;
  const stable = obs.allRSs.find((rs) => rs.podTemplateHash === status.stableRS);
  let canaryTarget = status.abort === true ? stable : obs.newRS;
  if (canary?.trafficRouting !== undefined && canary.dynamicStableScale) {
    // dynamicStableScale: the canary Service follows stable only once the abort weight reached 0,
    // and a rollback to an undersized stable waits until it is fully available (upstream service.go).
    if (status.abort === true && (status.canary?.weights?.canary.weight ?? 0) > 0) canaryTarget = obs.newRS;
    const ro = { spec: rollout.spec, status: rollout.status, metadata: rollout.metadata };
    if (dynamicRollbackToStableHash(ro, obs.newRS) !== undefined) canaryTarget = undefined;
  }
  return [
    planServiceSwitch(obs, canary?.stableService, stable),
    planServiceSwitch(obs, canary?.canaryService, canaryTarget),
  ].filter((s) => s !== undefined);
}

/** The soonest of: a timed pause ending, the progress deadline. */
function requeueAfter(
  rollout: Rollout,
  status: RolloutStatus,
  resumeAt: Date | undefined,
  now: Date,
): number | undefined {
  const candidates: number[] = [];
  // The pause is over strictly after resumeAt (millisecond clock): wake just past it, not a second later.
  if (resumeAt !== undefined)
    candidates.push(Math.max(0, resumeAt.getTime() - now.getTime()) + PAUSE_END_MARGIN_MS);
  const deadline = progressDeadlineInMs(rollout, status, now);
  if (deadline !== undefined) candidates.push(deadline);
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

const activeRuns = (obs: RolloutObservation): ObservedAnalysisRun[] =>
  obs.analysisRuns.filter((r) => !r.terminate && !isCompletedPhase(r.phase));

interface AnalysisOutcome {
  changes: PauseChanges;
  create: KubeObject[];
  terminate: string[];
  statusRefs: NonNullable<RolloutStatus['canary']>;
  stepPhase: string | undefined;
  abortDetail: string | undefined;
}

/**
 * `reconcileAnalysisRuns`: keep the background run (from `startingStep`) and the current step's run
 * going, and react to their phases: Failed/Error → abort, Inconclusive → pause, Successful → the
 * analysis step is done.
 */
function planAnalysis(obs: RolloutObservation, rollout: Rollout, _now: Date): AnalysisOutcome {
  const out: AnalysisOutcome = {
    changes: {},
    create: [],
    terminate: [],
    statusRefs: {},
    stepPhase: undefined,
    abortDetail: undefined,
  };
  const prev = rollout.status ?? {};
  const canary = rollout.spec.strategy.canary;
  const ro = { spec: rollout.spec, status: prev, metadata: rollout.metadata };
  const promoted = (prev.stableRS ?? '') === obs.podHash || prev.promoteFull === true;
  if (canary === undefined || obs.stableRS === undefined || promoted || prev.abort === true) {
    out.terminate = activeRuns(obs).map((r) => r.name);
    return out;
  }
  const revision = obs.newRS?.revision ?? 0;
  const base = `${rollout.metadata.name}-${obs.podHash}-${revision}`;
  const retry = prev.abortedAt !== undefined;
  const keep = new Set<string>();
  const ensure = (
    type: AnalysisRunType,
    name: string,
    spec: Parameters<typeof buildAnalysisRun>[0],
    stepIndex?: number,
  ) => {
    const mine = obs.analysisRuns.filter(
      (r) =>
        r.labels[RolloutLabels.rolloutType] === type &&
        r.labels[RolloutLabels.podTemplateHash] === obs.podHash &&
        (stepIndex === undefined || r.labels[RolloutLabels.stepIndex] === String(stepIndex)) &&
        !r.terminate,
    );
    const current = retry
      ? undefined
      : mine.sort((a, b) => b.creationTimestamp.localeCompare(a.creationTimestamp))[0];
    if (current !== undefined) {
      keep.add(current.name);
      return current;
    }
    const created = newAnalysisRun(obs, spec, {
      base: name,
      type,
      stableHash: prev.stableRS ?? '',
      stepIndex,
    });
    if ('run' in created) out.create.push(created.run);
    else {
      out.changes.addAbort = true;
      out.abortDetail = created.error;
    }
    keep.add(created.name);
    return { name: created.name, phase: 'Pending', message: '' } as const;
  };
  const react = (run: { name: string; phase: string; message: string }, label: string) => {
    if (run.phase === 'Failed' || run.phase === 'Error') {
      out.changes.addAbort = true;
      // Upstream's text says "error/failed" literally, whichever of the two it was.
      out.abortDetail = `${label} analysis phase error/failed: ${run.message}`;
    } else if (run.phase === 'Inconclusive') {
      out.changes.addPauseReasons = ['InconclusiveAnalysisRun' satisfies PauseReason];
    }
  };
  if (canary.analysis !== undefined && !beforeStartingStep(ro)) {
    const run = ensure('Background', base, canary.analysis);
    out.statusRefs.currentBackgroundAnalysisRunStatus = {
      name: run.name,
      status: run.phase || 'Pending',
      message: run.message,
    };
    react(run, 'Background');
  }
  const { step, index } = getCurrentCanaryStep(ro);
  if (step?.analysis !== undefined && index !== undefined && (prev.pauseConditions ?? []).length === 0) {
    const run = ensure('Step', `${base}-${index}`, step.analysis, index);
    out.statusRefs.currentStepAnalysisRunStatus = {
      name: run.name,
      status: run.phase || 'Pending',
      message: run.message,
    };
    out.stepPhase = run.phase;
    react(run, 'Step-based');
  }
  out.terminate = activeRuns(obs)
    .filter((r) => !keep.has(r.name))
    .map((r) => r.name);
  return out;
}

export type { ObservedReplicaSet };
