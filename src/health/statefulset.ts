/**
 * StatefulSet health (gitops-engine `health_statefulset.go`, after kubectl's `rollout status`).
 * @module
 */
import { typedCheck } from './check.ts';
import { type Converted, int32, int64, objectMeta, optional, str, stringOf, struct } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

const statefulSetShape = struct({
  metadata: objectMeta,
  spec: struct({
    replicas: optional(int32),
    updateStrategy: struct({
      type: stringOf('v1.StatefulSetUpdateStrategyType'),
      rollingUpdate: optional(struct({ partition: optional(int32) })),
    }),
  }),
  status: struct({
    observedGeneration: int64,
    readyReplicas: int32,
    currentReplicas: int32,
    updatedReplicas: int32,
    currentRevision: str,
    updateRevision: str,
  }),
});

/** The StatefulSet fields health reads. */
export type StatefulSetView = Converted<typeof statefulSetShape>;

/**
 * Unobserved spec or unready pods → Progressing. A RollingUpdate with `rollingUpdate` set is judged
 * by its partition (`replicas - partition` pods updated → Healthy); OnDelete is Healthy once pods are
 * ready; otherwise the update and current revisions must match.
 * @example statefulSetHealth(view) // { status: 'Healthy', message: 'statefulset has 1 ready pods' }
 */
export function statefulSetHealth(sts: StatefulSetView): HealthStatus {
  const { metadata, spec, status } = sts;
  if (status.observedGeneration === 0 || metadata.generation > status.observedGeneration) {
    return healthOf('Progressing', 'Waiting for statefulset spec update to be observed...');
  }
  if (spec.replicas !== undefined && status.readyReplicas < spec.replicas) {
    return healthOf('Progressing', `Waiting for ${spec.replicas - status.readyReplicas} pods to be ready...`);
  }
  const { type, rollingUpdate } = spec.updateStrategy;
  if (type === 'RollingUpdate' && rollingUpdate !== undefined) {
    if (spec.replicas !== undefined && rollingUpdate.partition !== undefined) {
      const wanted = spec.replicas - rollingUpdate.partition;
      if (status.updatedReplicas < wanted) {
        return healthOf(
          'Progressing',
          `Waiting for partitioned roll out to finish: ${status.updatedReplicas} out of ${wanted} new pods have been updated...`,
        );
      }
    }
    return healthOf(
      'Healthy',
      `partitioned roll out complete: ${status.updatedReplicas} new pods have been updated...`,
    );
  }
  if (type === 'OnDelete') return healthOf('Healthy', `statefulset has ${status.readyReplicas} ready pods`);
  if (status.updateRevision !== status.currentRevision) {
    return healthOf(
      'Progressing',
      `waiting for statefulset rolling update to complete ${status.updatedReplicas} pods at revision ${status.updateRevision}...`,
    );
  }
  return healthOf(
    'Healthy',
    `statefulset rolling update complete ${status.currentReplicas} pods at revision ${status.currentRevision}...`,
  );
}

/** The StatefulSet check: `apps/v1` only, as in gitops-engine. */
export const checkStatefulSet = typedCheck('StatefulSet', ['v1'], statefulSetShape, statefulSetHealth);
