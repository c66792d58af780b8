/**
 * ReplicaSet health (gitops-engine `health_replicaset.go`).
 * @module
 */
import { findCondition, typedCheck } from './check.ts';
import { type Converted, conditionOf, int32, int64, objectMeta, optional, slice, struct } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

const replicaSetShape = struct({
  metadata: objectMeta,
  spec: struct({ replicas: optional(int32) }),
  status: struct({
    availableReplicas: int32,
    observedGeneration: int64,
    conditions: slice(conditionOf('v1.ReplicaSetConditionType')),
  }),
});

/** The ReplicaSet fields health reads. */
export type ReplicaSetView = Converted<typeof replicaSetShape>;

/**
 * Once the generation is observed: a true `ReplicaFailure` condition → Degraded with its message;
 * fewer available replicas than desired → Progressing; else Healthy. Unobserved → Progressing.
 * @example replicaSetHealth(view) // { status: 'Progressing', message: 'Waiting for rollout to finish: 1 out of 2 new replicas are available...' }
 */
export function replicaSetHealth(replicaSet: ReplicaSetView): HealthStatus {
  const { metadata, spec, status } = replicaSet;
  if (metadata.generation > status.observedGeneration) {
    return healthOf(
      'Progressing',
      'Waiting for rollout to finish: observed replica set generation less than desired generation',
    );
  }
  const failure = findCondition(status.conditions, 'ReplicaFailure');
  if (failure?.status === 'True') return healthOf('Degraded', failure.message);
  if (spec.replicas !== undefined && status.availableReplicas < spec.replicas) {
    return healthOf(
      'Progressing',
      `Waiting for rollout to finish: ${status.availableReplicas} out of ${spec.replicas} new replicas are available...`,
    );
  }
  return healthOf('Healthy');
}

/** The ReplicaSet check: `apps/v1` only, as in gitops-engine. */
export const checkReplicaSet = typedCheck('ReplicaSet', ['v1'], replicaSetShape, replicaSetHealth);
