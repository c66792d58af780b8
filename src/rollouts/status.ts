/**
 * The parts of the next Rollout status every strategy computes the same way
 * (`calculateBaseStatus` and `calculateRolloutConditions` upstream): replica counts, selector,
 * observed generation, the Available/Progressing/Paused/Completed/Healthy conditions, and the phase
 * with its message. Pure: time comes in as an argument.
 * @module
 */
import {
  ConditionType,
  calculateRolloutPhase,
  getCondition,
  Message,
  newCondition,
  Reason,
  removeCondition,
  rolloutCompleted,
  rolloutHealthy,
  rolloutProgressing,
  rolloutTimedOut,
  setCondition,
} from './conditions.ts';
import type { ObservedReplicaSet } from './observe.ts';
import { maxUnavailable, sumActualReplicas, sumAvailableReplicas, sumReadyReplicas } from './replica-math.ts';
import { formatLabelSelector, replicasOrDefault } from './spec.ts';
import type { Rollout, RolloutCondition, RolloutStatus } from './types.ts';

/** What the conditions depend on beyond the two statuses. */
export interface ConditionInputs {
  newRS: ObservedReplicaSet | undefined;
  allRSs: readonly ObservedReplicaSet[];
  /** Detail appended to the abort message (`Rollout aborted update to revision N: <detail>`). */
  abortDetail?: string | undefined;
  /** The user just cleared `status.abort` (retry). */
  retrying?: boolean;
}

/** Replica counts, selector and observed generation of the next status. */
export function withCounts(rollout: Rollout, status: RolloutStatus, inputs: ConditionInputs): RolloutStatus {
  const all = inputs.allRSs;
  return {
    ...status,
    replicas: sumActualReplicas(all),
    updatedReplicas: inputs.newRS?.statusReplicas ?? 0,
    readyReplicas: sumReadyReplicas(all),
    availableReplicas: sumAvailableReplicas(all),
    selector: formatLabelSelector(rollout.spec.selector),
    observedGeneration: String(rollout.metadata.generation ?? 0),
  };
}

/**
 * The conditions and phase of `next`, judged against the Rollout as read (`rollout.status`).
 * Progressing: aborted → False/RolloutAborted; paused mid-update → Unknown/RolloutPaused; done → True/
 * NewReplicaSetAvailable; progress made → True/ReplicaSetUpdated (refreshing `lastUpdateTime`, which
 * is what the progress deadline counts from); no progress for `progressDeadlineSeconds` →
 * False/ProgressDeadlineExceeded.
 */
export function withConditions(
  rollout: Rollout,
  next: RolloutStatus,
  inputs: ConditionInputs,
  now: Date,
): RolloutStatus {
  const ro = { spec: rollout.spec, status: rollout.status, metadata: rollout.metadata };
  let conditions: RolloutCondition[] = [...(next.conditions ?? [])];
  const set = (c: RolloutCondition) => {
    conditions = setCondition(conditions, c).conditions;
  };
  conditions = removeCondition(conditions, ConditionType.InvalidSpec);
  const replicas = replicasOrDefault(rollout.spec.replicas);
  const available = (next.availableReplicas ?? 0) >= replicas - maxUnavailable(rollout.spec);
  set(
    newCondition(
      ConditionType.Available,
      available ? 'True' : 'False',
      Reason.Available,
      available ? Message.available : Message.notAvailable,
      now,
    ),
  );
  const paused = (next.pauseConditions ?? []).length > 0 || rollout.spec.paused === true;
  const aborted = next.abort === true;
  const revision = inputs.newRS?.revision ?? 0;
  const rsName = inputs.newRS?.name ?? rollout.metadata.name;
  const withHealth: RolloutStatus = { ...next, conditions };
  const healthy = rolloutHealthy(
    { ...ro, status: { ...ro.status, observedGeneration: next.observedGeneration } },
    withHealth,
  );
  const completed = rolloutCompleted(next);
  if (aborted) {
    const detail = inputs.abortDetail ? `: ${inputs.abortDetail}` : '';
    const current = getCondition(next, ConditionType.Progressing);
    const message =
      current?.reason === Reason.RolloutAborted && !inputs.abortDetail
        ? current.message
        : `${Message.rolloutAborted(revision)}${detail}`;
    set(newCondition(ConditionType.Progressing, 'False', Reason.RolloutAborted, message, now));
  } else if (paused && !completed) {
    // `checkPausedConditions`: a completed Rollout paused by `spec.paused` keeps its Progressing
    // condition (upstream's TestCanaryWithSpecPause); only an update in flight reads as paused.
    set(newCondition(ConditionType.Progressing, 'Unknown', Reason.RolloutPaused, Message.rolloutPaused, now));
  } else if (completed && healthy) {
    set(
      newCondition(
        ConditionType.Progressing,
        'True',
        Reason.NewReplicaSetAvailable,
        Message.replicaSetCompleted(rsName),
        now,
      ),
    );
  } else if (
    inputs.retrying ||
    rolloutProgressing(ro, next) ||
    getCondition(next, ConditionType.Progressing) === undefined
  ) {
    const current = getCondition(next, ConditionType.Progressing);
    const reason = inputs.retrying ? Reason.RolloutRetry : Reason.ReplicaSetUpdated;
    const message = inputs.retrying ? Message.rolloutRetry : Message.replicaSetProgressing(rsName);
    const condition = newCondition(ConditionType.Progressing, 'True', reason, message, now);
    if (current?.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
    conditions = [...removeCondition(conditions, ConditionType.Progressing), condition];
  } else if (rolloutTimedOut(rollout.spec, { ...next, conditions }, now)) {
    set(
      newCondition(
        ConditionType.Progressing,
        'False',
        Reason.ProgressDeadlineExceeded,
        Message.replicaSetTimeOut(rsName),
        now,
      ),
    );
  }
  if (paused)
    set(newCondition(ConditionType.Paused, 'True', Reason.RolloutPaused, Message.rolloutPaused, now));
  else if (getCondition(next, ConditionType.Paused) !== undefined)
    set(newCondition(ConditionType.Paused, 'False', Reason.RolloutResumed, Message.rolloutResumed, now));
  set(
    completed
      ? newCondition(ConditionType.Completed, 'True', Reason.RolloutCompleted, Reason.RolloutCompleted, now)
      : newCondition(
          ConditionType.Completed,
          'False',
          Reason.RolloutNotCompleted,
          Reason.RolloutNotCompleted,
          now,
        ),
  );
  set(
    healthy
      ? newCondition(ConditionType.Healthy, 'True', Reason.RolloutHealthy, Message.rolloutHealthy, now)
      : newCondition(ConditionType.Healthy, 'False', Reason.RolloutHealthy, Message.rolloutNotHealthy, now),
  );
  const result: RolloutStatus = { ...next, conditions };
  const { phase, message } = calculateRolloutPhase(rollout.spec, result);
  return { ...result, phase, message };
}

/** How far past a timed pause's end the controller looks again (timers never fire early, but may round). */
export const PAUSE_END_MARGIN_MS = 10;

/**
 * When the progress deadline of `status` runs out, in ms from `now` (undefined when no deadline is
 * running: done, paused, aborted or already exceeded).
 */
export function progressDeadlineInMs(rollout: Rollout, status: RolloutStatus, now: Date): number | undefined {
  const cond = getCondition(status, ConditionType.Progressing);
  if (cond === undefined || cond.status !== 'True' || cond.reason === Reason.NewReplicaSetAvailable)
    return undefined;
  const seconds = rollout.spec.progressDeadlineSeconds ?? 600;
  return Math.max(0, Date.parse(cond.lastUpdateTime) + seconds * 1000 - now.getTime()) + 1000;
}

/** A status for a Rollout whose spec cannot be run: an `InvalidSpec` condition and phase Degraded. */
export function invalidSpecStatus(
  status: RolloutStatus | undefined,
  message: string,
  generation: number | undefined,
  now: Date,
): RolloutStatus {
  const { conditions } = setCondition(
    status?.conditions,
    newCondition(ConditionType.InvalidSpec, 'True', Reason.InvalidSpec, message, now),
  );
  return {
    ...(status ?? {}),
    conditions,
    observedGeneration: String(generation ?? 0),
    phase: 'Degraded',
    message: `InvalidSpec: ${message}`,
  };
}
