/**
 * Argo Rollouts `Rollout` health: a line-by-line port of Argo CD's built-in
 * `resource_customizations/argoproj.io/Rollout/health.lua`, under the Lua semantics of `lua.ts`.
 * The numbers passed to `index`, `lt`, `ipairs` and `getn` are the lines of that script, so that a
 * runtime error reads exactly as Argo CD reports it (`<string>:100: bad argument #1 to ipairs ...`).
 *
 * In order:
 * 1. Spec not yet observed → Progressing "Waiting for rollout spec update to be observed". Rollouts
 *    before v0.10 wrote a pod-template hash into `status.observedGeneration`; a value that is not
 *    a number, or is larger than `metadata.generation`, counts as observed. With `spec.workloadRef`
 *    (v1.1+), the `rollout.argoproj.io/workload-generation` annotation must also equal
 *    `status.workloadObservedGeneration`.
 * 2. `status.phase` set (v1.0+) → that phase, `Paused` read as Suspended, with `status.message`.
 * 3. An `InvalidSpec` condition, or `Progressing` with reason `RolloutAborted` or
 *    `ProgressDeadlineExceeded` → Degraded with the condition's message.
 * 4. Pause conditions or `spec.paused` → Suspended "Rollout is paused".
 * 5. Replica counts, then the blue-green cutover or the canary steps → Progressing; else Healthy.
 * @module
 */
import type { HealthCheck, UntypedObject } from './check.ts';
import {
  eq,
  getn,
  index,
  ipairs,
  type LuaHealth,
  type LuaValue,
  lt,
  runHealthScript,
  tonumber,
  truthy,
} from './lua.ts';
import type { HealthStatus } from './types.ts';

/** The annotation Rollouts v1.1+ sets to the generation of the referenced workload. */
export const WORKLOAD_GENERATION_ANNOTATION = 'rollout.argoproj.io/workload-generation';

const status = (obj: UntypedObject, line: number): LuaValue => index(obj, 'status', line);
const spec = (obj: UntypedObject, line: number): LuaValue => index(obj, 'spec', line);
const metadata = (obj: UntypedObject, line: number): LuaValue => index(obj, 'metadata', line);

/** Lua `isGenerationObserved`: only numeric (v0.10+) observed generations are compared. */
function isGenerationObserved(obj: UntypedObject): boolean {
  if (status(obj, 58) === undefined) return false;
  const observed = tonumber(index(status(obj, 61), 'observedGeneration', 61));
  // `observed > generation` compiles to `generation < observed`.
  if (observed === undefined || lt(index(metadata(obj, 62), 'generation', 62), observed, 62)) return true;
  return eq(observed, index(metadata(obj, 66), 'generation', 66));
}

/** Lua `isWorkloadGenerationObserved`: only Rollouts with `spec.workloadRef` (v1.1+) are checked. */
function isWorkloadGenerationObserved(obj: UntypedObject): boolean {
  if (
    index(spec(obj, 72), 'workloadRef', 72) === undefined ||
    index(metadata(obj, 72), 'annotations', 72) === undefined
  ) {
    return true;
  }
  const annotations = index(metadata(obj, 76), 'annotations', 76);
  const workloadGeneration = tonumber(index(annotations, WORKLOAD_GENERATION_ANNOTATION, 76));
  const observedWorkloadGeneration = tonumber(index(status(obj, 77), 'workloadObservedGeneration', 77));
  return eq(workloadGeneration, observedWorkloadGeneration);
}

/** Lua `checkPaused`. */
function checkPaused(obj: UntypedObject): LuaHealth | undefined {
  const paused = { status: 'Suspended', message: 'Rollout is paused' };
  const pauseConditions = index(status(obj, 44), 'pauseConditions', 44);
  if (pauseConditions !== undefined && getn(pauseConditions, 44) > 0) return paused;
  const specPaused = index(spec(obj, 48), 'paused', 48);
  if (specPaused !== undefined && truthy(specPaused)) return paused;
  return undefined;
}

/** Lua `getNumberValueOrDefault`: any non-nil value, number or not. */
const orDefault = (value: LuaValue, fallback: number): LuaValue => (value === undefined ? fallback : value);

/** Lua `getStableRS`: `status.stableRS` (v0.8+), else the deprecated `status.canary.stableRS`. */
function getStableRS(obj: UntypedObject): LuaValue {
  const stableRS = index(status(obj, 24), 'stableRS', 24);
  if (stableRS !== undefined) return stableRS;
  const canary = index(status(obj, 27), 'canary', 27);
  if (canary !== undefined) return index(canary, 'stableRS', 28);
  return '';
}

/** The script's main chunk. */
function rolloutScript(obj: UntypedObject): LuaHealth {
  if (!isGenerationObserved(obj) || !isWorkloadGenerationObserved(obj)) {
    return { status: 'Progressing', message: 'Waiting for rollout spec update to be observed' };
  }

  // Rollouts v1.0+ records a phase and message that can be surfaced as they are.
  const phase = index(status(obj, 89), 'phase', 89);
  if (phase !== undefined) {
    const mapped = eq(index(status(obj, 90), 'phase', 90), 'Paused')
      ? 'Suspended'
      : index(status(obj, 94), 'phase', 94);
    return { status: mapped, message: index(status(obj, 96), 'message', 96) };
  }

  for (const condition of ipairs(index(status(obj, 100), 'conditions', 100), 100)) {
    if (eq(index(condition, 'type', 101), 'InvalidSpec')) {
      return { status: 'Degraded', message: index(condition, 'message', 103) };
    }
    if (
      eq(index(condition, 'type', 106), 'Progressing') &&
      eq(index(condition, 'reason', 106), 'RolloutAborted')
    ) {
      return { status: 'Degraded', message: index(condition, 'message', 108) };
    }
    if (
      eq(index(condition, 'type', 111), 'Progressing') &&
      eq(index(condition, 'reason', 111), 'ProgressDeadlineExceeded')
    ) {
      return { status: 'Degraded', message: index(condition, 'message', 113) };
    }
  }

  const paused = checkPaused(obj);
  if (paused !== undefined) return paused;

  if (index(status(obj, 123), 'currentPodHash', 123) === undefined) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: status has not been reconciled.',
    };
  }

  // Lua `checkReplicasStatus`; `statusReplicas` and `updatedReplicas` are globals reused below.
  const desiredReplicas = orDefault(index(spec(obj, 3), 'replicas', 3), 1);
  const statusReplicas = orDefault(index(status(obj, 4), 'replicas', 4), 0);
  const updatedReplicas = orDefault(index(status(obj, 5), 'updatedReplicas', 5), 0);
  const availableReplicas = orDefault(index(status(obj, 6), 'availableReplicas', 6), 0);
  if (lt(updatedReplicas, desiredReplicas, 8)) {
    return {
      status: 'Progressing',
      message: 'Waiting for roll out to finish: More replicas need to be updated',
    };
  }
  if (lt(availableReplicas, updatedReplicas, 13)) {
    return {
      status: 'Progressing',
      message: 'Waiting for roll out to finish: updated replicas are still becoming available',
    };
  }

  const stableRS = getStableRS(obj);

  if (index(index(spec(obj, 137), 'strategy', 137), 'blueGreen', 137) !== undefined) {
    const blueGreen = index(status(obj, 138), 'blueGreen', 138);
    if (
      blueGreen === undefined ||
      !eq(index(blueGreen, 'activeSelector', 138), index(status(obj, 138), 'currentPodHash', 138))
    ) {
      return { status: 'Progressing', message: 'active service cutover pending' };
    }
    // Blue-green records status.stableRS since v0.8; v0.7 Rollouts have none and pass here.
    if (!eq(stableRS, '') && !eq(stableRS, index(status(obj, 145), 'currentPodHash', 145))) {
      return { status: 'Progressing', message: 'waiting for analysis to complete' };
    }
  } else if (index(index(spec(obj, 150), 'strategy', 150), 'canary', 150) !== undefined) {
    // `statusReplicas > updatedReplicas` compiles to `updatedReplicas < statusReplicas`.
    if (lt(updatedReplicas, statusReplicas, 151)) {
      return {
        status: 'Progressing',
        message: 'Waiting for roll out to finish: old replicas are pending termination',
      };
    }
    if (eq(stableRS, '') || !eq(stableRS, index(status(obj, 156), 'currentPodHash', 156))) {
      return { status: 'Progressing', message: 'Waiting for rollout to finish steps' };
    }
  }

  return { status: 'Healthy', message: '' };
}

/**
 * The health of an Argo Rollouts `Rollout` (any version of `argoproj.io`).
 * @example rolloutHealth(rollout) // { status: 'Suspended', message: 'CanaryPauseStep' }
 */
export function rolloutHealth(obj: UntypedObject): HealthStatus {
  return runHealthScript(() => rolloutScript(obj));
}

/** The Rollout check. */
export const checkRollout: HealthCheck = (obj) => rolloutHealth(obj);
