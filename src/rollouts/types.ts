/**
 * The types of the Rollout controller's pure core: the Rollout spec and status (inferred from the
 * zod schemas in `spec.ts`, so the types and the parser cannot drift apart) and the small views of
 * ReplicaSets the replica arithmetic works on.
 *
 * The status shape is upstream's field for field (`pkg/apis/rollouts/v1alpha1/types.go`
 * RolloutStatus), because `kubectl argo rollouts get`, the Argo CD health check and the Rollouts
 * dashboard read the status the controller writes.
 *
 * @module
 */
import type { z } from 'zod';
import type { KubeObject } from '../kube/types.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import type {
  BlueGreenStrategySchema,
  CanaryStepSchema,
  CanaryStrategySchema,
  PauseConditionSchema,
  RolloutAnalysisBackgroundSchema,
  RolloutAnalysisSchema,
  RolloutConditionSchema,
  RolloutSchema,
  RolloutSpecSchema,
  RolloutStatusSchema,
  SetCanaryScaleSchema,
  TrafficRoutingSchema,
  TrafficWeightsSchema,
} from './spec.ts';

/** `spec` of a Rollout, as parsed by `parseRolloutSpec`. */
export type RolloutSpec = z.output<typeof RolloutSpecSchema>;
/** `spec.strategy.canary`. */
export type CanaryStrategy = z.output<typeof CanaryStrategySchema>;
/** `spec.strategy.blueGreen`. */
export type BlueGreenStrategy = z.output<typeof BlueGreenStrategySchema>;
/** One entry of `spec.strategy.canary.steps`. */
export type CanaryStep = z.output<typeof CanaryStepSchema>;
/** `setCanaryScale` of a step. */
export type SetCanaryScale = z.output<typeof SetCanaryScaleSchema>;
/** `spec.strategy.canary.trafficRouting`. */
export type TrafficRouting = z.output<typeof TrafficRoutingSchema>;
/** A step analysis or blue-green pre/post-promotion analysis. */
export type RolloutAnalysis = z.output<typeof RolloutAnalysisSchema>;
/** `spec.strategy.canary.analysis` (background analysis). */
export type RolloutAnalysisBackground = z.output<typeof RolloutAnalysisBackgroundSchema>;

/** `status` of a Rollout. Every field is optional: upstream omits zero values when it writes. */
export type RolloutStatus = z.output<typeof RolloutStatusSchema>;
/** One entry of `status.conditions`. */
export type RolloutCondition = z.output<typeof RolloutConditionSchema>;
/** One entry of `status.pauseConditions`. */
export type PauseCondition = z.output<typeof PauseConditionSchema>;
/** `status.canary.weights`. */
export type TrafficWeights = z.output<typeof TrafficWeightsSchema>;
/** A whole Rollout, parsed. */
export type Rollout = z.output<typeof RolloutSchema>;

/** The Rollout as the pure functions need it: its spec and (possibly absent) status. */
export interface RolloutLike {
  spec: RolloutSpec;
  status?: RolloutStatus | undefined;
  metadata?: { name?: string | undefined; generation?: number | undefined } | undefined;
}

/**
 * What the pure functions take: never mutated, so objects from the informer cache (`DeepReadonly`)
 * can be passed as they are.
 */
export type ReadonlyRollout = DeepReadonly<RolloutLike>;
/** A spec the pure functions only read. */
export type ReadonlySpec = DeepReadonly<RolloutSpec>;
/** A status the pure functions only read. */
export type ReadonlyStatus = DeepReadonly<RolloutStatus>;

/** The AnalysisRun phases, as `status.phase` of an AnalysisRun and `…AnalysisRunStatus.status`. */
export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

/** Reasons for `status.pauseConditions[].reason`. */
export const PauseReason = {
  CanaryPauseStep: 'CanaryPauseStep',
  BlueGreenPause: 'BlueGreenPause',
  InconclusiveAnalysisRun: 'InconclusiveAnalysisRun',
  InconclusiveExperiment: 'InconclusiveExperiment',
} as const;
export type PauseReason = (typeof PauseReason)[keyof typeof PauseReason];

/** `status.phase` values. */
export const RolloutPhase = {
  Healthy: 'Healthy',
  Degraded: 'Degraded',
  Progressing: 'Progressing',
  Paused: 'Paused',
} as const;
export type RolloutPhase = (typeof RolloutPhase)[keyof typeof RolloutPhase];

/** Label and annotation keys upstream puts on the objects it manages (exact values). */
export const RolloutLabels = {
  /** ReplicaSet selector, pod label and Service selector key. */
  podTemplateHash: 'rollouts-pod-template-hash',
  /** RS annotation holding the RFC 3339 time after which it may be scaled down. */
  scaleDownDeadline: 'scale-down-deadline',
  revision: 'rollout.argoproj.io/revision',
  revisionHistory: 'rollout.argoproj.io/revision-history',
  desiredReplicas: 'rollout.argoproj.io/desired-replicas',
  ephemeralMetadata: 'rollout.argoproj.io/ephemeral-metadata',
  managedByRollouts: 'argo-rollouts.argoproj.io/managed-by-rollouts',
  restartedAfter: 'argo-rollouts.argoproj.io/restarted-after',
  controllerInstanceId: 'argo-rollouts.argoproj.io/controller-instance-id',
  /** AnalysisRun label: `Step`, `Background`, `PrePromotion` or `PostPromotion`. */
  rolloutType: 'rollout-type',
  /** AnalysisRun label on step runs: the step index. */
  stepIndex: 'step-index',
} as const;

/**
 * What the replica arithmetic needs of a ReplicaSet. Build one with `replicaSetView` (replica-math.ts)
 * from a ReplicaSet object.
 */
export interface ReplicaSetView {
  name: string;
  /** The `rollouts-pod-template-hash` label, if any. */
  podTemplateHash?: string | undefined;
  /** `spec.replicas` (the API server defaults an unset value to 1). */
  replicas: number;
  /** `status.replicas`: pods that exist. */
  statusReplicas: number;
  /** `status.availableReplicas`. */
  availableReplicas: number;
  /** `status.readyReplicas`. */
  readyReplicas: number;
  /** `metadata.creationTimestamp` (RFC 3339), for rollback-window ordering. */
  creationTimestamp?: string | undefined;
  /** `metadata.annotations`. */
  annotations?: Readonly<Record<string, string>> | undefined;
}

/** A ReplicaSet object as read from the API server. */
export type ReplicaSetObject = KubeObject;
