/**
 * What a reconcile of one Rollout decided to do: the pure planners (`plan-canary.ts`) return a
 * {@link RolloutPlan}, and the executor (`execute.ts`) carries it out. Plus the small pure helpers
 * every strategy's planner shares (the new ReplicaSet, selector switching, history cleanup).
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { Message, Reason } from './conditions.ts';
import type { ObservedReplicaSet, RolloutObservation } from './observe.ts';
import { isReplicaSetAvailable } from './replica-math.ts';
import { analysisRunHistoryLimitsOrDefault, revisionHistoryLimitOrDefault } from './spec.ts';
import { canaryStepString } from './steps.ts';
import type { TrafficPlan } from './traffic/plan.ts';
import type { Rollout, RolloutStatus } from './types.ts';
import { RolloutLabels } from './types.ts';

/** A change of a ReplicaSet's `spec.replicas`. */
export interface ScaleAction {
  name: string;
  from: number;
  to: number;
}

/** A Service whose `rollouts-pod-template-hash` selector is switched to `to`. */
export interface ServiceSwitch {
  name: string;
  from: string;
  to: string;
}

/** A Kubernetes event the reconcile would emit (reported, not yet written as Event objects). */
export interface PlannedEvent {
  reason: string;
  message: string;
}

/** Everything one reconcile writes, in the order the executor writes it. */
export interface RolloutPlan {
  /** The new ReplicaSet, to create. */
  createReplicaSet?: KubeObject;
  /** ReplicaSet annotations to set (for example the revision of a re-used ReplicaSet); null removes one. */
  annotate: Array<{ name: string; annotations: Record<string, string | null> }>;
  /** Replica changes, in order. */
  scale: ScaleAction[];
  /** Service selector switches. */
  services: ServiceSwitch[];
  /** AnalysisRuns to create. */
  createAnalysisRuns: KubeObject[];
  /** AnalysisRuns to stop (`spec.terminate: true`). */
  terminateAnalysisRuns: string[];
  /** Old ReplicaSets beyond `revisionHistoryLimit`, to delete. */
  deleteReplicaSets: string[];
  /** Finished AnalysisRuns beyond the history limits, to delete. */
  deleteAnalysisRuns: string[];
  /** Pods to evict for a restart (`spec.restartAt`, see `restart.ts`), by name and uid. */
  evictPods?: Array<{ name: string; uid: string }>;
  /** The whole next status. */
  status: RolloutStatus;
  /** Why the desired ReplicaSet became stable in this reconcile (`shouldFullPromote`), if it did. */
  promotionReason?: string;
  /** Router writes (canary Ingress, HTTPRoute weights), made after the Service switches. */
  traffic?: TrafficPlan;
  /** Look at this Rollout again after this long (a timed pause ending, a progress deadline). */
  requeueAfterMs?: number;
  events: PlannedEvent[];
}

/** A plan that writes nothing but `status`. */
export function emptyPlan(status: RolloutStatus): RolloutPlan {
  return {
    annotate: [],
    scale: [],
    services: [],
    createAnalysisRuns: [],
    terminateAnalysisRuns: [],
    deleteReplicaSets: [],
    deleteAnalysisRuns: [],
    status,
    events: [],
  };
}

/** The next revision number: one above the highest of any owned ReplicaSet. */
export function nextRevision(allRSs: readonly ObservedReplicaSet[]): number {
  return allRSs.reduce((max, rs) => Math.max(max, rs.revision), 0) + 1;
}

/**
 * The ReplicaSet for the current pod template (`createDesiredReplicaSet`): named
 * `<rollout>-<hash>`, selecting and labelling pods with `rollouts-pod-template-hash`, owned by the
 * Rollout, annotated with its revision.
 */
export function newReplicaSetObject(
  obs: RolloutObservation,
  rollout: Rollout,
  replicas: number,
  revision: number,
): KubeObject {
  const name = rollout.metadata.name;
  const raw = obs.raw as KubeObject & { spec?: { template?: { metadata?: { labels?: object } } } };
  const template = structuredClone(raw.spec?.template ?? {}) as {
    metadata?: { labels?: Record<string, string>; [k: string]: unknown };
    [k: string]: unknown;
  };
  template.metadata = {
    ...(template.metadata ?? {}),
    labels: { ...(template.metadata?.labels ?? {}), [RolloutLabels.podTemplateHash]: obs.podHash },
  };
  const selector = structuredClone(rollout.spec.selector ?? {}) as {
    matchLabels?: Record<string, string>;
  };
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [RolloutLabels.podTemplateHash]: obs.podHash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${name}-${obs.podHash}`,
      namespace: obs.raw.metadata.namespace ?? '',
      labels: { ...(template.metadata.labels ?? {}) },
      annotations: { [RolloutLabels.revision]: String(revision) },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name,
          uid: obs.raw.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas, selector, template, minReadySeconds: rollout.spec.minReadySeconds ?? 0 },
  };
}

/**
 * `ensureSVCTargets`: switch `service` to select `rs`, when it does not already. A Service the
 * Rollout has not managed yet is only taken over once `rs` is fully available; one it manages is
 * switched as soon as `rs` has an available pod, so traffic never goes to a ReplicaSet with none.
 */
export function planServiceSwitch(
  obs: RolloutObservation,
  serviceName: string | undefined,
  rs: ObservedReplicaSet | undefined,
): ServiceSwitch | undefined {
  if (serviceName === undefined || serviceName === '' || rs?.podTemplateHash === undefined) return undefined;
  const svc = obs.services.get(serviceName);
  if (svc === undefined) return undefined;
  const current = svc.selector[RolloutLabels.podTemplateHash] ?? '';
  const managed = svc.annotations[RolloutLabels.managedByRollouts] !== undefined;
  if (current === rs.podTemplateHash && managed) return undefined;
  const ready = managed ? rs.availableReplicas > 0 : isReplicaSetAvailable(rs);
  if (!ready) return undefined;
  return { name: serviceName, from: current, to: rs.podTemplateHash };
}

/**
 * `reconcileRevisionHistoryLimit`: old ReplicaSets (neither new nor stable) that are scaled to zero
 * and have no pods, beyond the newest `revisionHistoryLimit`, oldest first.
 */
export function planHistoryCleanup(obs: RolloutObservation, rollout: Rollout): string[] {
  const limit = revisionHistoryLimitOrDefault(rollout.spec);
  const idle = obs.otherRSs
    .filter((rs) => rs.replicas === 0 && rs.statusReplicas === 0)
    .sort((a, b) => a.revision - b.revision);
  return idle.slice(0, Math.max(0, idle.length - limit)).map((rs) => rs.name);
}

/**
 * The events upstream records for what this plan does, derived from the plan and the status it
 * moves from: scaling, selector switches, steps completed, pauses, aborts and completions.
 */
export function describePlan(obs: RolloutObservation, rollout: Rollout, plan: RolloutPlan): PlannedEvent[] {
  const prev = rollout.status ?? {};
  const next = plan.status;
  const events: PlannedEvent[] = [...plan.events];
  const revisionOf = (name: string) => obs.allRSs.find((rs) => rs.name === name)?.revision ?? 0;
  for (const s of plan.scale) {
    const direction = s.to > s.from ? 'up' : 'down';
    events.push({
      reason: Reason.ScalingReplicaSet,
      message: Message.scalingReplicaSet(direction, s.name, revisionOf(s.name), s.from, s.to),
    });
  }
  for (const svc of plan.services) {
    events.push({ reason: Reason.SwitchService, message: Message.switchService(svc.name, svc.from, svc.to) });
  }
  const steps = rollout.spec.strategy.canary?.steps ?? [];
  const from = prev.currentStepIndex;
  const to = next.currentStepIndex;
  const step = from !== undefined ? steps[from] : undefined;
  if (
    from !== undefined &&
    step !== undefined &&
    to === from + 1 &&
    next.abort !== true &&
    prev.currentPodHash === next.currentPodHash
  ) {
    events.push({
      reason: Reason.RolloutStepCompleted,
      message: Message.rolloutStepCompleted(to, steps.length, canaryStepString(step)),
    });
  }
  if ((next.pauseConditions ?? []).length > (prev.pauseConditions ?? []).length) {
    events.push({ reason: Reason.RolloutPaused, message: Message.rolloutPaused });
  } else if (
    (prev.pauseConditions ?? []).length > 0 &&
    (next.pauseConditions ?? []).length === 0 &&
    next.abort !== true
  ) {
    // `sendStateChangeEvents`: pause conditions cleared by a promotion or a timed pause's end; an
    // abort also clears them, which is no resume.
    events.push({ reason: Reason.RolloutResumed, message: Message.rolloutResumed });
  }
  // Aborted by a user (status.abort) or by the controller: reported once, as the condition flips.
  const progressing = (st: typeof next) => st.conditions?.find((c) => c.type === 'Progressing');
  const nowAborted = progressing(next);
  if (nowAborted?.reason === Reason.RolloutAborted && progressing(prev)?.reason !== Reason.RolloutAborted) {
    events.push({ reason: Reason.RolloutAborted, message: nowAborted.message });
  }
  if ((next.stableRS ?? '') !== (prev.stableRS ?? '') && next.stableRS === obs.podHash) {
    events.push({
      reason: Reason.RolloutCompleted,
      message: Message.rolloutCompleted(obs.newRS?.revision ?? 0, obs.podHash, plan.promotionReason ?? ''),
    });
  }
  return events;
}

/** A ReplicaSet a reset plan creates: its name, revision and the replicas it is created with. */
export interface CreatedReplicaSet {
  name: string;
  revision: number;
  replicas: number;
}

/**
 * The events of a reset (a new pod template), in upstream's order: `RolloutUpdated` and
 * `NewReplicaSetCreated` for a created ReplicaSet (`setRolloutRevision`, `createDesiredReplicaSet`),
 * `RolloutNotCompleted` when the Completed condition turns False (`patchCondition`), and the
 * `ScalingReplicaSet` from 0 upstream records when it scales the created ReplicaSet up (Slipway
 * creates it at that size directly, so the event is what remains of that step).
 */
export function resetEvents(
  prev: RolloutStatus,
  next: RolloutStatus,
  created: CreatedReplicaSet | undefined,
  revision: number,
): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  if (created !== undefined) {
    events.push(
      { reason: Reason.RolloutUpdated, message: Message.rolloutUpdated(String(created.revision)) },
      {
        reason: Reason.NewReplicaSetCreated,
        message: Message.newReplicaSetDetailed(created.name, created.revision),
      },
    );
  }
  const completed = (st: RolloutStatus) => st.conditions?.find((c) => c.type === 'Completed')?.status;
  if (completed(prev) !== 'False' && completed(next) === 'False') {
    events.push({
      reason: Reason.RolloutNotCompleted,
      message: Message.rolloutNotCompleted(revision, next.currentPodHash ?? ''),
    });
  }
  if (created !== undefined && created.replicas > 0) {
    events.push({
      reason: Reason.ScalingReplicaSet,
      message: Message.scalingReplicaSet('up', created.name, created.revision, 0, created.replicas),
    });
  }
  return events;
}

/**
 * `reconcileAnalysisRunHistory`: finished AnalysisRuns beyond `spec.analysis.successfulRunHistoryLimit`
 * (Successful) and `unsuccessfulRunHistoryLimit` (Failed, Error, Inconclusive), oldest first; runs
 * the status still points at are kept.
 */
export function planAnalysisRunHistory(
  obs: RolloutObservation,
  rollout: Rollout,
  next: RolloutStatus,
): string[] {
  const limits = analysisRunHistoryLimitsOrDefault(rollout.spec);
  const current = new Set(
    [
      next.canary?.currentBackgroundAnalysisRunStatus?.name,
      next.canary?.currentStepAnalysisRunStatus?.name,
      next.blueGreen?.prePromotionAnalysisRunStatus?.name,
      next.blueGreen?.postPromotionAnalysisRunStatus?.name,
    ].filter((n) => n !== undefined),
  );
  const newestFirst = [...obs.analysisRuns]
    .filter((r) => !current.has(r.name))
    .sort((a, b) => b.creationTimestamp.localeCompare(a.creationTimestamp));
  const successful = newestFirst.filter((r) => r.phase === 'Successful');
  const unsuccessful = newestFirst.filter((r) => ['Failed', 'Error', 'Inconclusive'].includes(r.phase));
  return [...successful.slice(limits.successful), ...unsuccessful.slice(limits.unsuccessful)].map(
    (r) => r.name,
  );
}
