/**
 * DaemonSet health (gitops-engine `health_daemonset.go`, after kubectl's `rollout status`).
 * @module
 */
import { goQuote, typedCheck } from './check.ts';
import { type Converted, int32, int64, objectMeta, stringOf, struct } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

const daemonSetShape = struct({
  metadata: objectMeta,
  spec: struct({ updateStrategy: struct({ type: stringOf('v1.DaemonSetUpdateStrategyType') }) }),
  status: struct({
    desiredNumberScheduled: int32,
    observedGeneration: int64,
    updatedNumberScheduled: int32,
    numberAvailable: int32,
  }),
});

/** The DaemonSet fields health reads. */
export type DaemonSetView = Converted<typeof daemonSetShape>;

/**
 * Unobserved generation → Progressing; OnDelete → Healthy with the update count; otherwise every
 * desired pod must be updated and available.
 * @example daemonSetHealth(view) // { status: 'Healthy', message: 'daemon set 0 out of 1 new pods have been updated' }
 */
export function daemonSetHealth(daemon: DaemonSetView): HealthStatus {
  const { metadata, spec, status } = daemon;
  if (metadata.generation > status.observedGeneration) {
    return healthOf(
      'Progressing',
      'Waiting for rollout to finish: observed daemon set generation less than desired generation',
    );
  }
  if (spec.updateStrategy.type === 'OnDelete') {
    return healthOf(
      'Healthy',
      `daemon set ${status.updatedNumberScheduled} out of ${status.desiredNumberScheduled} new pods have been updated`,
    );
  }
  const name = goQuote(metadata.name);
  if (status.updatedNumberScheduled < status.desiredNumberScheduled) {
    return healthOf(
      'Progressing',
      `Waiting for daemon set ${name} rollout to finish: ${status.updatedNumberScheduled} out of ${status.desiredNumberScheduled} new pods have been updated...`,
    );
  }
  if (status.numberAvailable < status.desiredNumberScheduled) {
    return healthOf(
      'Progressing',
      `Waiting for daemon set ${name} rollout to finish: ${status.numberAvailable} of ${status.desiredNumberScheduled} updated pods are available...`,
    );
  }
  return healthOf('Healthy');
}

/** The DaemonSet check: `apps/v1` only, as in gitops-engine. */
export const checkDaemonSet = typedCheck('DaemonSet', ['v1'], daemonSetShape, daemonSetHealth);
