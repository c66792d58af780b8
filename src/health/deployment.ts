/**
 * Deployment health (gitops-engine `health_deployment.go`, after kubectl's `rollout status`).
 * @module
 */
import { findCondition, goQuote, typedCheck } from './check.ts';
import {
  bool,
  type Converted,
  conditionOf,
  int32,
  int64,
  objectMeta,
  optional,
  slice,
  struct,
} from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

const deploymentShape = struct({
  metadata: objectMeta,
  spec: struct({ replicas: optional(int32), paused: bool }),
  status: struct({
    observedGeneration: int64,
    replicas: int32,
    updatedReplicas: int32,
    availableReplicas: int32,
    conditions: slice(conditionOf('v1.DeploymentConditionType')),
  }),
});

/** The Deployment fields health reads. */
export type DeploymentView = Converted<typeof deploymentShape>;

/**
 * Paused → Suspended. Once the controller has seen the current generation: a Progressing condition
 * with reason `ProgressDeadlineExceeded` → Degraded; too few updated replicas, old replicas still
 * running, or updated replicas not yet available → Progressing; else Healthy. An unobserved
 * generation → Progressing.
 * @example deploymentHealth(view) // { status: 'Progressing', message: 'Waiting for rollout to finish: 1 out of 3 new replicas have been updated...' }
 */
export function deploymentHealth(deployment: DeploymentView): HealthStatus {
  const { metadata, spec, status } = deployment;
  if (spec.paused) return healthOf('Suspended', 'Deployment is paused');
  if (metadata.generation > status.observedGeneration) {
    return healthOf(
      'Progressing',
      'Waiting for rollout to finish: observed deployment generation less than desired generation',
    );
  }
  const progressing = findCondition(status.conditions, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return healthOf('Degraded', `Deployment ${goQuote(metadata.name)} exceeded its progress deadline`);
  }
  if (spec.replicas !== undefined && status.updatedReplicas < spec.replicas) {
    return healthOf(
      'Progressing',
      `Waiting for rollout to finish: ${status.updatedReplicas} out of ${spec.replicas} new replicas have been updated...`,
    );
  }
  if (status.replicas > status.updatedReplicas) {
    return healthOf(
      'Progressing',
      `Waiting for rollout to finish: ${status.replicas - status.updatedReplicas} old replicas are pending termination...`,
    );
  }
  if (status.availableReplicas < status.updatedReplicas) {
    return healthOf(
      'Progressing',
      `Waiting for rollout to finish: ${status.availableReplicas} of ${status.updatedReplicas} updated replicas are available...`,
    );
  }
  return healthOf('Healthy');
}

/** The Deployment check: `apps/v1` only, as in gitops-engine. */
export const checkDeployment = typedCheck('Deployment', ['v1'], deploymentShape, deploymentHealth);
