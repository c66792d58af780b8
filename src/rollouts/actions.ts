/**
 * The user operations on a Rollout, as the plain patches `kubectl argo rollouts` sends
 * (`pkg/kubectl-argo-rollouts/cmd/{promote,abort,retry,pause}`): the controller reacts to the
 * changed fields on its next reconcile. Pure builders plus one function that sends them.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import { isNotFound } from '../kube/errors.ts';
import { SlipwayError } from '../util/errors.ts';
import { getCurrentCanaryStep } from './steps.ts';
import type { ReadonlyRollout } from './types.ts';

/** The spec and status merge patches of one operation. */
export interface RolloutPatches {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/**
 * `promote`: unpause a `spec.paused` Rollout; clear the pause conditions; when none are set (a
 * canary busy with a step), skip to the next step. `full` promotes to the end at once.
 * @example promotePatches(ro with pauseConditions [CanaryPauseStep]) // { status: { pauseConditions: null } }
 * @example promotePatches(ro at step 2 of 6, no pause) // { status: { pauseConditions: null, currentStepIndex: 3 } }
 */
export function promotePatches(ro: ReadonlyRollout, full = false): RolloutPatches {
  const out: RolloutPatches = {};
  if (ro.spec.paused) out.spec = { paused: false };
  const status = ro.status ?? {};
  if (full) {
    if ((status.currentPodHash ?? '') !== (status.stableRS ?? '')) out.status = { promoteFull: true };
    return out;
  }
  const steps = ro.spec.strategy.canary?.steps ?? [];
  const { index } = getCurrentCanaryStep(ro);
  const skip = () => Math.min((index ?? 0) + 1, steps.length);
  const inconclusiveStep =
    status.canary?.currentStepAnalysisRunStatus?.status === 'Inconclusive' && status.controllerPause === true;
  if (ro.spec.strategy.canary !== undefined && inconclusiveStep) {
    out.status = { pauseConditions: null, controllerPause: false, currentStepIndex: skip() };
  } else if ((status.pauseConditions ?? []).length > 0) {
    out.status = { pauseConditions: null };
  } else if (ro.spec.strategy.canary !== undefined && index !== undefined && steps.length > 0) {
    out.status = { pauseConditions: null, currentStepIndex: skip() };
  }
  return out;
}

/** `abort`. */
export const abortPatches = (): RolloutPatches => ({ status: { abort: true } });
/** `retry rollout`. */
export const retryPatches = (): RolloutPatches => ({ status: { abort: false } });
/** `pause`. */
export const pausePatches = (): RolloutPatches => ({ spec: { paused: true } });

/** Sends `patches` to a Rollout: the spec part to the object, the status part to its status subresource. */
export async function applyRolloutPatches(
  client: KubeClient,
  namespace: string,
  name: string,
  patches: RolloutPatches,
): Promise<void> {
  const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace, name };
  try {
    if (patches.spec !== undefined) await client.patch(ref, { spec: patches.spec });
    if (patches.status !== undefined) await client.patchStatus(ref, patches.status);
  } catch (err) {
    if (isNotFound(err))
      throw new SlipwayError('not found', {
        subject: `Rollout/${namespace}/${name}`,
        reason: 'NotFound',
        cause: err,
      });
    throw err;
  }
}
