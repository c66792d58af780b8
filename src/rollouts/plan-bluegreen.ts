/**
 * The blue-green planner (upstream's `rolloutBlueGreen` + `syncRolloutStatusBlueGreen`): the new
 * ReplicaSet comes up beside the active one (at `previewReplicaCount` while previewed), the preview
 * Service selects it, `prePromotionAnalysis` runs against it, a `BlueGreenPause` holds it when
 * auto-promotion is off (or for `autoPromotionSeconds`), then the active Service switches to it,
 * `postPromotionAnalysis` runs, and only then it becomes stable; the previous ReplicaSet is scaled to
 * zero once its `scale-down-deadline` annotation (now + `scaleDownDelaySeconds`) has passed. A
 * failed analysis aborts: active goes (back) to stable. Pure: time comes in as an argument.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { newAnalysisRun } from './analysis-runs.ts';
import { formatTime, isCompletedPhase } from './conditions.ts';
import type { ObservedAnalysisRun, ObservedReplicaSet, RolloutObservation } from './observe.ts';
import {
  type CreatedReplicaSet,
  describePlan,
  emptyPlan,
  newReplicaSetObject,
  nextRevision,
  type PlannedEvent,
  planAnalysisRunHistory,
  planHistoryCleanup,
  planServiceSwitch,
  type RolloutPlan,
  resetEvents,
  type ServiceSwitch,
} from './plan.ts';
import { allDesiredAreAvailable, newRSNewReplicas, readyForPause } from './replica-math.ts';
import {
  abortScaleDownDelay,
  autoPromotionEnabledOrDefault,
  replicasOrDefault,
  scaleDownDelaySecondsOrDefault,
} from './spec.ts';
import { PAUSE_END_MARGIN_MS, progressDeadlineInMs, withConditions, withCounts } from './status.ts';
import {
  calculatePauseStatus,
  completedBlueGreenPause,
  getPauseCondition,
  isFastRollback,
  type PauseChanges,
  pauseEndsAt,
  shouldFullPromote,
} from './steps.ts';
import type { PauseReason, Rollout, RolloutAnalysis, RolloutStatus } from './types.ts';
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
  const retrying = !aborted && prev.abortedAt !== undefined;
  const replicas = replicasOrDefault(rollout.spec.replicas);

  // 2. The new ReplicaSet at its size for now (preview count while previewed).
  const target = aborted ? newRS.replicas : newRSNewReplicas(ro, obs.allRSs, newRS);
  if (newRS.replicas !== target) plan.scale.push({ name: newRS.name, from: newRS.replicas, to: target });

  // 3. Pre- and post-promotion analysis (as observed at the start of this reconcile, as upstream).
  const analysis = planPromotionAnalysis(obs, rollout, now);
  const preDone = bg?.prePromotionAnalysis === undefined || analysis.prePhase === 'Successful';
  const changes: PauseChanges = { ...analysis.changes };

  // 4. Pause: hold before the switch when auto-promotion is off or delayed, once pre-promotion
  // analysis has succeeded (upstream: "not ready for pause: prePromotionAnalysis incomplete").
  const activeHash = obs.services.get(bg?.activeService ?? '')?.selector[RolloutLabels.podTemplateHash] ?? '';
  const switched = activeHash === obs.podHash;
  const newRSWithinScaleDownDelay = withinScaleDownDelay(newRS, now);
  // `isBlueGreenFastTracked`: no pause and no pre-promotion analysis on these paths.
  const fastTracked =
    activeHash === '' ||
    switched ||
    prev.promoteFull === true ||
    isFastRollback(ro, newRS, obs.stableRS, obs.allRSs, newRSWithinScaleDownDelay);
  const inconclusive = getPauseCondition(prev, 'InconclusiveAnalysisRun') !== undefined;
  const halted = rollout.spec.paused === true || inconclusive;
  const addPause =
    !aborted &&
    !halted &&
    !fastTracked &&
    !switched &&
    preDone &&
    readyForPause(ro, newRS, obs.allRSs) &&
    prev.blueGreen?.scaleUpPreviewCheckPoint !== true &&
    prev.controllerPause !== true &&
    getPauseCondition(prev, 'BlueGreenPause') === undefined &&
    (!autoPromotionEnabledOrDefault(rollout.spec) || (bg?.autoPromotionSeconds ?? 0) > 0);
  if (addPause) changes.addPauseReasons = [...(changes.addPauseReasons ?? []), 'BlueGreenPause'];
  const pauseDone = prev.promoteFull === true || completedBlueGreenPause(ro, now, addPause);
  if ((pauseDone || fastTracked) && getPauseCondition(prev, 'BlueGreenPause') !== undefined)
    changes.removePauseReasons = ['BlueGreenPause'];

  // 5. Services: preview → new; active → new once the pause and pre-promotion analysis are done and
  // all R pods are available; while aborted, active → stable (a post-promotion failure switches back).
  const stable = obs.allRSs.find((rs) => rs.podTemplateHash === prev.stableRS);
  const readyToSwitch =
    !aborted && !halted && (fastTracked || (pauseDone && preDone)) && allDesiredAreAvailable(newRS, replicas);
  const activeTarget: ObservedReplicaSet | undefined = aborted ? stable : readyToSwitch ? newRS : undefined;
  plan.services = [
    planServiceSwitch(obs, bg?.previewService, newRS),
    planServiceSwitch(obs, bg?.activeService, activeTarget),
  ].filter((s): s is ServiceSwitch => s !== undefined);
  const selectorAfter = (svc: string | undefined) =>
    plan.services.find((s) => s.name === svc)?.to ??
    obs.services.get(svc ?? '')?.selector[RolloutLabels.podTemplateHash];
  const activeAfter = selectorAfter(bg?.activeService) ?? '';

  // 6. Status: pause/abort, selectors, analysis runs, full promotion.
  const status: RolloutStatus = { ...prev };
  for (const key of ['pauseConditions', 'controllerPause', 'abort', 'abortedAt'] as const) delete status[key];
  if (prev.promoteFull === true) {
    changes.clearPauseConditions = true;
    changes.removeAbort = true;
  }
  Object.assign(status, calculatePauseStatus(prev, changes, now));
  const preview = selectorAfter(bg?.previewService);
  status.blueGreen = {
    ...(prev.blueGreen ?? {}),
    ...analysis.statusRefs,
    activeSelector: activeAfter,
    ...(preview !== undefined && bg?.previewService ? { previewSelector: preview } : {}),
  };
  if (
    bg?.previewReplicaCount !== undefined &&
    pauseDone &&
    preDone &&
    !switched &&
    newRS.availableReplicas === bg.previewReplicaCount
  )
    status.blueGreen.scaleUpPreviewCheckPoint = true;
  const reason = shouldFullPromote(
    { ...ro, status },
    {
      newRS,
      stableRS: obs.stableRS,
      allRSs: obs.allRSs,
      aborted: status.abort === true,
      newRSWithinScaleDownDelay,
      activeSelector: activeAfter,
      currentPodHash: obs.podHash,
      postPromotionAnalysisPhase: analysis.postPhase,
    },
  );
  if (reason !== '' && activeAfter === obs.podHash) {
    for (const key of ['pauseConditions', 'controllerPause', 'abort', 'abortedAt', 'promoteFull'] as const)
      delete status[key];
    delete status.blueGreen.scaleUpPreviewCheckPoint;
    status.stableRS = obs.podHash;
    if (prev.stableRS !== obs.podHash) plan.promotionReason = reason;
  }
  plan.createAnalysisRuns = status.abort === true ? [] : analysis.create;
  plan.terminateAnalysisRuns =
    status.abort === true ? activeRuns(obs).map((r) => r.name) : analysis.terminate;

  // 7. Older ReplicaSets: each one not referenced any more gets a `scale-down-deadline` and goes to
  // zero once it passed; on abort the new one too, after abortScaleDownDelaySeconds (0: never).
  const scaleDownBlocked =
    inconclusive ||
    (bg?.postPromotionAnalysis !== undefined &&
      bg.scaleDownDelaySeconds === undefined &&
      analysis.postStarted &&
      analysis.postPhase !== 'Successful');
  const keep = new Set([obs.podHash, activeAfter, preview ?? '', status.stableRS ?? '']);
  const waits = scaleDownBlocked ? [] : planScaleDown(obs, rollout, keep, now, plan);
  if (aborted) waits.push(...planAbortScaleDown(newRS, rollout, now, plan));
  // The active ReplicaSet carries no scale-down deadline (a rollback may re-use one that had one).
  const active = obs.allRSs.find((rs) => rs.podTemplateHash === activeAfter);
  if (!aborted && active?.annotations?.[RolloutLabels.scaleDownDeadline] !== undefined) {
    plan.annotate.push({ name: active.name, annotations: { [RolloutLabels.scaleDownDeadline]: null } });
  }

  // 8. Counts (upstream takes ready/available from the active ReplicaSet), conditions, history.
  plan.status = withCounts(rollout, status, { newRS, allRSs: obs.allRSs });
  if (active !== undefined) {
    plan.status.availableReplicas = active.availableReplicas;
    plan.status.readyReplicas = active.readyReplicas;
    plan.status.HPAReplicas = active.statusReplicas;
  }
  plan.status = withConditions(
    rollout,
    plan.status,
    { newRS, allRSs: obs.allRSs, abortDetail: analysis.abortDetail, retrying },
    now,
  );
  plan.deleteReplicaSets = planHistoryCleanup(obs, rollout);
  plan.deleteAnalysisRuns = planAnalysisRunHistory(obs, rollout, plan.status);
  plan.events.push(
    ...analysisRunEvents(prev, plan.status, new Set(analysis.create.map((r) => r.metadata.name))),
  );
  plan.events = describePlan(obs, rollout, plan);
  const wake: number[] = [...waits];
  const cond = getPauseCondition(plan.status, 'BlueGreenPause');
  if (
    cond !== undefined &&
    autoPromotionEnabledOrDefault(rollout.spec) &&
    (bg?.autoPromotionSeconds ?? 0) > 0
  ) {
    wake.push(
      pauseEndsAt(cond, bg?.autoPromotionSeconds ?? 0).getTime() - now.getTime() + PAUSE_END_MARGIN_MS,
    );
  }
  const progress = progressDeadlineInMs(rollout, plan.status, now);
  if (progress !== undefined) wake.push(progress);
  if (wake.length > 0) plan.requeueAfterMs = Math.max(0, Math.min(...wake));
  return plan;
}

/** What {@link planPromotionAnalysis} decided. */
export interface PromotionAnalysisOutcome {
  /** Abort (a Failed or Error run) or pause (an Inconclusive run). */
  changes: PauseChanges;
  create: KubeObject[];
  terminate: string[];
  /** `status.blueGreen.pre/postPromotionAnalysisRunStatus` of the next status. */
  statusRefs: Pick<
    NonNullable<RolloutStatus['blueGreen']>,
    'prePromotionAnalysisRunStatus' | 'postPromotionAnalysisRunStatus'
  >;
  /** Phase of the current pre-promotion run, as observed ('' when none or not yet measured). */
  prePhase: string;
  /** Phase of the current post-promotion run, as observed. */
  postPhase: string;
  /** A post-promotion run exists for this update (old ReplicaSets wait for it). */
  postStarted: boolean;
  /** Detail of the abort message, when this reconcile aborts. */
  abortDetail: string | undefined;
}

const activeRuns = (obs: RolloutObservation): ObservedAnalysisRun[] =>
  obs.analysisRuns.filter((r) => !r.terminate && !isCompletedPhase(r.phase));

/**
 * `reconcileAnalysisRuns` for blue-green (upstream `rollout/analysis.go`): the pre-promotion run
 * starts once the preview ReplicaSet is saturated (or has exactly `previewReplicaCount` pods
 * available) while the active Service still selects the old one; the post-promotion run starts
 * once the active selector is the new ReplicaSet. Failed/Error → abort with
 * `Blue/green pre-promotion analysis phase error/failed: <run message>` (post- likewise);
 * Inconclusive → an `InconclusiveAnalysisRun` pause. Fully promoted, aborted, promoteFull, fast
 * rollback or initial deploy: running runs are terminated and the status keeps pointing at them.
 * @example // preview 3/3 available, active = old, no run yet → create `<ro>-<hash>-<rev>-pre`
 */
export function planPromotionAnalysis(
  obs: RolloutObservation,
  rollout: Rollout,
  now: Date,
): PromotionAnalysisOutcome {
  const prev = rollout.status ?? {};
  const bg = rollout.spec.strategy.blueGreen;
  const out: PromotionAnalysisOutcome = {
    changes: {},
    create: [],
    terminate: [],
    statusRefs: {},
    prePhase: '',
    postPhase: '',
    postStarted: false,
    abortDetail: undefined,
  };
  const newRS = obs.newRS;
  const ro = { spec: rollout.spec, status: prev, metadata: rollout.metadata };
  const current = (type: 'PrePromotion' | 'PostPromotion'): ObservedAnalysisRun | undefined => {
    const ref =
      type === 'PrePromotion'
        ? prev.blueGreen?.prePromotionAnalysisRunStatus
        : prev.blueGreen?.postPromotionAnalysisRunStatus;
    const byName = obs.analysisRuns.find((r) => r.name === ref?.name);
    if (byName !== undefined) return byName;
    // The status write that named it was lost: the newest run of this type for this template.
    return obs.analysisRuns
      .filter(
        (r) =>
          r.labels[RolloutLabels.rolloutType] === type &&
          r.labels[RolloutLabels.podTemplateHash] === obs.podHash &&
          !r.terminate,
      )
      .sort((a, b) => b.creationTimestamp.localeCompare(a.creationTimestamp))[0];
  };
  const ref = (run: { name: string; phase: string; message: string }) => ({
    name: run.name,
    status: run.phase || 'Pending',
    message: run.message,
  });
  const pre = current('PrePromotion');
  const post = current('PostPromotion');
  const keep = new Set<string>();
  const fastRollback =
    newRS !== undefined &&
    isFastRollback(ro, newRS, obs.stableRS, obs.allRSs, withinScaleDownDelay(newRS, now));
  const cancelAll =
    (prev.stableRS ?? '') === obs.podHash ||
    prev.abort === true ||
    prev.promoteFull === true ||
    (prev.stableRS ?? '') === '' ||
    fastRollback;
  if (cancelAll || newRS === undefined) {
    // Upstream keeps the blue-green runs in status once cancelled (canary drops them).
    out.terminate = activeRuns(obs).map((r) => r.name);
    if (prev.blueGreen?.prePromotionAnalysisRunStatus !== undefined)
      out.statusRefs.prePromotionAnalysisRunStatus = pre
        ? ref(pre)
        : prev.blueGreen.prePromotionAnalysisRunStatus;
    if (prev.blueGreen?.postPromotionAnalysisRunStatus !== undefined)
      out.statusRefs.postPromotionAnalysisRunStatus = post
        ? ref(post)
        : prev.blueGreen.postPromotionAnalysisRunStatus;
    out.prePhase = pre?.phase ?? '';
    out.postPhase = post?.phase ?? '';
    out.postStarted = post !== undefined;
    return out;
  }
  const inconclusivePause = getPauseCondition(prev, 'InconclusiveAnalysisRun') !== undefined;
  const activeSelector = prev.blueGreen?.activeSelector ?? '';
  const saturated =
    newRS.replicas === replicasOrDefault(rollout.spec.replicas) &&
    newRS.availableReplicas === replicasOrDefault(rollout.spec.replicas);
  const previewCount = bg?.previewReplicaCount;
  const skipPre =
    activeSelector === '' ||
    activeSelector === obs.podHash ||
    (pre === undefined &&
      (previewCount !== undefined
        ? newRS.replicas !== previewCount || newRS.availableReplicas !== previewCount
        : !saturated));
  const skipPost = activeSelector !== obs.podHash || (post === undefined && !saturated);
  const handle = (
    type: 'PrePromotion' | 'PostPromotion',
    spec: RolloutAnalysis | undefined,
    skip: boolean,
    run: ObservedAnalysisRun | undefined,
  ): { name: string; phase: string; message: string } | undefined => {
    if (spec === undefined || (spec.templates ?? []).length === 0) return undefined;
    if (skip || inconclusivePause || !needsNewAnalysisRun(run, prev)) {
      // Skipped (upstream cancels it): not kept, so a run still going is terminated below, yet the
      // status keeps naming it, as upstream's does.
      if (run !== undefined && skip) return run;
      if (run !== undefined) keep.add(run.name);
      return run;
    }
    const infix = type === 'PrePromotion' ? 'pre' : 'post';
    const base = `${rollout.metadata.name}-${obs.podHash}-${newRS.revision}-${infix}`;
    const created = newAnalysisRun(obs, spec, { base, type, stableHash: prev.stableRS ?? '' });
    if ('run' in created) out.create.push(created.run);
    else {
      out.changes.addAbort = true;
      out.abortDetail = created.error;
    }
    keep.add(created.name);
    return { name: created.name, phase: '', message: '' };
  };
  const react = (run: { phase: string; message: string } | undefined, label: string) => {
    if (run === undefined) return;
    if (run.phase === 'Inconclusive') {
      out.changes.addPauseReasons = ['InconclusiveAnalysisRun' satisfies PauseReason];
    } else if (run.phase === 'Failed' || run.phase === 'Error') {
      out.changes.addAbort = true;
      // Upstream's text says "error/failed" literally, whichever of the two it was.
      out.abortDetail = `Blue/green ${label} analysis phase error/failed${run.message ? `: ${run.message}` : ''}`;
    }
  };
  const preRun = handle('PrePromotion', bg?.prePromotionAnalysis, skipPre, pre);
  react(preRun, 'pre-promotion');
  const postRun = handle('PostPromotion', bg?.postPromotionAnalysis, skipPost, post);
  react(postRun, 'post-promotion');
  if (preRun !== undefined) out.statusRefs.prePromotionAnalysisRunStatus = ref(preRun);
  if (postRun !== undefined) out.statusRefs.postPromotionAnalysisRunStatus = ref(postRun);
  out.prePhase = preRun?.phase ?? '';
  out.postPhase = postRun?.phase ?? '';
  out.postStarted = postRun !== undefined;
  out.terminate = activeRuns(obs)
    .filter((r) => !keep.has(r.name))
    .map((r) => r.name);
  return out;
}

/**
 * `emitAnalysisRunStatusChanges`: an `AnalysisRun<Phase>` event when a run the status points at
 * shows its first phase or changes phase (a run created in this reconcile has none yet).
 * @example // pre run 'web-abc-2-pre' Running → Successful: { reason: 'AnalysisRunSuccessful', message: "PrePromotion Analysis Run 'web-abc-2-pre' Status New: 'Successful' Previous: 'Running'" }
 */
export function analysisRunEvents(
  prev: RolloutStatus,
  next: RolloutStatus,
  created: ReadonlySet<string | undefined>,
): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  for (const [type, key] of [
    ['PostPromotion', 'postPromotionAnalysisRunStatus'],
    ['PrePromotion', 'prePromotionAnalysisRunStatus'],
  ] as const) {
    const now = next.blueGreen?.[key];
    const before = prev.blueGreen?.[key];
    if (now === undefined || now.status === '' || created.has(now.name)) continue;
    if (before !== undefined && (before.name !== now.name || before.status === now.status)) continue;
    events.push({
      reason: `AnalysisRun${now.status}`,
      message: `${type} Analysis Run '${now.name}' Status New: '${now.status}' Previous: '${before?.status ?? 'NoPreviousStatus'}'`,
    });
  }
  return events;
}

/**
 * `needsNewAnalysisRun`: none yet; or the controller paused for an Inconclusive run and a user
 * resumed (a promote clears the conditions but leaves `controllerPause`); or a retry after abort.
 */
export function needsNewAnalysisRun(run: { phase: string } | undefined, status: RolloutStatus): boolean {
  if (run === undefined) return true;
  if (
    status.controllerPause === true &&
    getPauseCondition(status, 'CanaryPauseStep') === undefined &&
    getPauseCondition(status, 'BlueGreenPause') === undefined
  ) {
    return run.phase === 'Inconclusive';
  }
  return status.abortedAt !== undefined;
}

/** The ReplicaSet has a `scale-down-deadline` annotation that has not passed yet. */
function withinScaleDownDelay(rs: ObservedReplicaSet, now: Date): boolean {
  const deadline = rs.annotations?.[RolloutLabels.scaleDownDeadline];
  return deadline !== undefined && Date.parse(deadline) > now.getTime();
}

/**
 * `scaleDownOldReplicaSetsForBlueGreen` + `scaleDownDelayHelper`: every scaled-up ReplicaSet not in
 * `keep` (new, active, preview, stable), newest revision first, is annotated with
 * `scale-down-deadline` = now + `scaleDownDelaySeconds` and scaled to zero once that passed; past
 * `scaleDownDelayRevisionLimit` annotated ReplicaSets, the rest go to zero at once. Returns the ms
 * until each pending deadline.
 */
function planScaleDown(
  obs: RolloutObservation,
  rollout: Rollout,
  keep: ReadonlySet<string>,
  now: Date,
  plan: RolloutPlan,
): number[] {
  const waits: number[] = [];
  const limit = rollout.spec.strategy.blueGreen?.scaleDownDelayRevisionLimit ?? Number.MAX_SAFE_INTEGER;
  let annotated = 0;
  const old = [...obs.allRSs]
    .filter((rs) => !keep.has(rs.podTemplateHash ?? '') && rs.replicas > 0)
    .sort((a, b) => b.revision - a.revision);
  for (const rs of old) {
    const deadline = rs.annotations?.[RolloutLabels.scaleDownDeadline];
    if (deadline === undefined) {
      if (annotated >= limit) {
        plan.scale.push({ name: rs.name, from: rs.replicas, to: 0 });
        continue;
      }
      annotated++;
      const at = new Date(now.getTime() + scaleDownDelaySecondsOrDefault(rollout.spec) * 1000);
      plan.annotate.push({
        name: rs.name,
        annotations: { [RolloutLabels.scaleDownDeadline]: formatTime(at) },
      });
      waits.push(at.getTime() - now.getTime() + 1000);
      continue;
    }
    annotated++;
    const due = Date.parse(deadline);
    if (annotated <= limit && due > now.getTime()) {
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
    delete status.blueGreen.prePromotionAnalysisRunStatus;
    delete status.blueGreen.postPromotionAnalysisRunStatus;
  }
  const plan = emptyPlan(status);
  // `resetRolloutStatus`: the runs of the previous update stop.
  plan.terminateAnalysisRuns = activeRuns(obs).map((r) => r.name);
  let created: CreatedReplicaSet | undefined;
  if (obs.newRS === undefined) {
    const ro = { spec: rollout.spec, status, metadata: rollout.metadata };
    const replicas = newRSNewReplicas(ro, obs.allRSs, undefined);
    const revision = nextRevision(obs.allRSs);
    plan.createReplicaSet = newReplicaSetObject(obs, rollout, replicas, revision);
    created = { name: `${rollout.metadata.name}-${obs.podHash}`, revision, replicas };
  } else if (obs.newRS.revision !== nextRevision(obs.allRSs) - 1) {
    // A re-used ReplicaSet (a rollback) becomes the newest revision again.
    plan.annotate.push({
      name: obs.newRS.name,
      annotations: { [RolloutLabels.revision]: String(nextRevision(obs.allRSs)) },
    });
  }
  plan.status = withCounts(rollout, plan.status, { newRS: obs.newRS, allRSs: obs.allRSs });
  plan.status = withConditions(rollout, plan.status, { newRS: obs.newRS, allRSs: obs.allRSs }, now);
  plan.events.push(...resetEvents(prev, plan.status, created, created?.revision ?? obs.newRS?.revision ?? 0));
  return plan;
}
