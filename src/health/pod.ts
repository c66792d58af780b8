/**
 * Pod health (gitops-engine `health_pod.go`).
 *
 * A Pod that restarts forever (`restartPolicy: Always`) is judged like a long-running service; one
 * that runs to completion (`Never`, `OnFailure`) stays Progressing while it runs, because such Pods
 * are usually sync hooks and must finish first. `argocd.argoproj.io/ignore-restart-policy: "true"`
 * judges a run-to-completion Pod like a service, except on hooks, where it is ignored.
 * @module
 */
import { goQuote, typedCheck } from './check.ts';
import {
  type Converted,
  conditionOf,
  int32,
  objectMeta,
  optional,
  slice,
  str,
  stringOf,
  struct,
} from './convert.ts';
import { isHook } from './hooks.ts';
import { type HealthStatus, healthOf } from './types.ts';

/** Judge a run-to-completion Pod like a long-running one (not honoured on hooks). */
export const IGNORE_RESTART_POLICY_ANNOTATION = 'argocd.argoproj.io/ignore-restart-policy';

const terminated = optional(struct({ exitCode: int32, reason: str, message: str }));

const containerStatus = struct({
  name: str,
  state: struct({ waiting: optional(struct({ reason: str, message: str })), terminated }),
  lastState: struct({ terminated }),
});

const podShape = struct({
  metadata: objectMeta,
  spec: struct({ restartPolicy: stringOf('v1.RestartPolicy') }),
  status: struct({
    phase: stringOf('v1.PodPhase'),
    conditions: slice(conditionOf('v1.PodConditionType')),
    message: str,
    initContainerStatuses: slice(containerStatus),
    containerStatuses: slice(containerStatus),
  }),
});

/** The Pod fields health reads. */
export type PodView = Converted<typeof podShape>;
type ContainerStatusView = Converted<typeof containerStatus>;

/** Waiting reasons that mean the container is failing: `ErrImagePull`, `CrashLoopBackOff`, ... */
function isFailingWaitReason(reason: string): boolean {
  return reason.startsWith('Err') || reason.endsWith('Error') || reason.endsWith('BackOff');
}

/** Why a terminated container failed: its message, `OOMKilled`, or its exit code. */
function failureMessage(ctr: ContainerStatusView): string {
  const done = ctr.state.terminated;
  if (done === undefined) return '';
  if (done.message !== '') return done.message;
  if (done.reason === 'OOMKilled') return done.reason;
  if (done.exitCode !== 0) return `container ${goQuote(ctr.name)} failed with exit code ${done.exitCode}`;
  return '';
}

/**
 * The health of a Pod. `hook` says whether the Pod is a sync hook (see {@link isHook}).
 * @example podHealth(view, false) // { status: 'Degraded', message: 'Back-off pulling image "alpine:3.21"' }
 */
export function podHealth(pod: PodView, hook: boolean): HealthStatus {
  const { metadata, spec, status } = pod;
  const ignoreRestartPolicy = metadata.annotations[IGNORE_RESTART_POLICY_ANNOTATION] === 'true' && !hook;
  const longRunning = spec.restartPolicy === 'Always' || ignoreRestartPolicy;

  // Only long-running Pods fail on a waiting container: a hook Pod in ImagePullBackOff may still
  // recover, and failing it early would end the sync while the Pod later runs anyway.
  if (longRunning) {
    const failing = status.containerStatuses.flatMap((ctr) =>
      ctr.state.waiting !== undefined && isFailingWaitReason(ctr.state.waiting.reason)
        ? [ctr.state.waiting.message]
        : [],
    );
    if (failing.length > 0) return healthOf('Degraded', failing.join(', '));
  }

  switch (status.phase) {
    case 'Pending':
      return healthOf('Progressing', status.message);
    case 'Succeeded':
      return healthOf('Healthy', status.message);
    case 'Failed': {
      if (status.message !== '') return healthOf('Degraded', status.message);
      for (const ctr of [...status.initContainerStatuses, ...status.containerStatuses]) {
        const message = failureMessage(ctr);
        if (message !== '') return healthOf('Degraded', message);
      }
      return healthOf('Degraded');
    }
    case 'Running': {
      if (longRunning) {
        const ready = status.conditions.find((c) => c.type === 'Ready');
        if (ready?.status === 'True') return healthOf('Healthy', status.message);
        // Not ready after a container already died once: it is crashing, not starting.
        if (status.containerStatuses.some((ctr) => ctr.lastState.terminated !== undefined)) {
          return healthOf('Degraded', status.message);
        }
        return healthOf('Progressing', status.message);
      }
      if (spec.restartPolicy === 'OnFailure' || spec.restartPolicy === 'Never') {
        return healthOf('Progressing', status.message);
      }
      break;
    }
  }
  return healthOf('Unknown', status.message);
}

/** The Pod check: core `v1` only, as in gitops-engine. */
export const checkPod = typedCheck('Pod', ['v1'], podShape, (view, obj) => podHealth(view, isHook(obj)));
