/**
 * One object's health, as Argo CD's application controller computes it: gitops-engine's
 * `GetResourceHealth` with Argo CD's built-in Lua checks (argo-cd `util/lua`) as the override.
 *
 * 1. Being deleted (and not a running hook, which keeps Argo CD's hook finalizer) → Progressing
 *    "Pending deletion".
 * 2. A built-in Lua check for the group and kind, any version: `argoproj.io/Rollout`,
 *    `batch/CronJob`, and `argoproj.io/Application` when asked for.
 * 3. A built-in gitops-engine check for the group and kind; it may still answer `Unknown` for a
 *    version it does not convert (e.g. `apps/v1beta2` Deployments).
 * 4. Otherwise `undefined`: no health, as for ConfigMaps, Secrets and most custom resources.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { checkAPIService } from './apiservice.ts';
import { applicationHealth } from './application.ts';
import { type GroupVersionKind, groupVersionKind, type HealthCheck, type UntypedObject } from './check.ts';
import { checkCronJob } from './cronjob.ts';
import { checkDaemonSet } from './daemonset.ts';
import { checkDeployment } from './deployment.ts';
import { hasHookFinalizer, isBeingDeleted } from './hooks.ts';
import { checkHorizontalPodAutoscaler } from './hpa.ts';
import { checkIngress } from './ingress.ts';
import { checkJob } from './job.ts';
import { checkPod } from './pod.ts';
import { checkPersistentVolumeClaim } from './pvc.ts';
import { checkReplicaSet } from './replicaset.ts';
import { checkRollout } from './rollout.ts';
import { checkService } from './service.ts';
import { checkStatefulSet } from './statefulset.ts';
import { type HealthStatus, healthOf } from './types.ts';
import { checkWorkflow } from './workflow.ts';

/** Options for {@link assessHealth}. */
export interface AssessHealthOptions {
  /**
   * Give child Argo CD `Application`s the health in their own `status.health`, as the script in
   * Argo CD's docs restores it for app-of-apps. Default `false`: no health, as in Argo CD since 1.8.
   */
  applicationHealth?: boolean;
}

/** Argo CD's built-in Lua checks, keyed `group/Kind` (argo-cd `GetConfigMapKey`): any version. */
const LUA_CHECKS: ReadonlyMap<string, HealthCheck> = new Map([
  ['argoproj.io/Rollout', checkRollout],
  ['batch/CronJob', checkCronJob],
]);

/** gitops-engine's built-in checks (`GetHealthCheckFunc`), keyed `group/Kind`. */
const GO_CHECKS: ReadonlyMap<string, HealthCheck> = new Map([
  ['apps/Deployment', checkDeployment],
  ['apps/StatefulSet', checkStatefulSet],
  ['apps/ReplicaSet', checkReplicaSet],
  ['apps/DaemonSet', checkDaemonSet],
  ['extensions/Ingress', checkIngress],
  ['networking.k8s.io/Ingress', checkIngress],
  ['argoproj.io/Workflow', checkWorkflow],
  ['apiregistration.k8s.io/APIService', checkAPIService],
  ['/Service', checkService],
  ['/PersistentVolumeClaim', checkPersistentVolumeClaim],
  ['/Pod', checkPod],
  ['batch/Job', checkJob],
  ['autoscaling/HorizontalPodAutoscaler', checkHorizontalPodAutoscaler],
]);

const APPLICATION_KEY = 'argoproj.io/Application';

/** The check for a group and kind, or `undefined` when there is none. */
export function healthCheckFor(
  gvk: GroupVersionKind,
  options: AssessHealthOptions = {},
): HealthCheck | undefined {
  const key = `${gvk.group}/${gvk.kind}`;
  if (key === APPLICATION_KEY && options.applicationHealth) return (obj) => applicationHealth(obj);
  return LUA_CHECKS.get(key) ?? GO_CHECKS.get(key);
}

/**
 * The health of one live object, or `undefined` when Argo CD has no health check for its kind.
 * Never throws: an object whose fields cannot be read is `Unknown`, with a message saying why.
 * @example assessHealth(deployment) // { status: 'Progressing', message: 'Waiting for rollout to finish: 1 old replicas are pending termination...' }
 * @example assessHealth(configMap) // undefined
 */
export function assessHealth(obj: KubeObject, options: AssessHealthOptions = {}): HealthStatus | undefined {
  // Callers hand over decoded JSON; guard against anything that is not an object at all.
  const untyped: unknown = obj;
  if (typeof untyped !== 'object' || untyped === null || Array.isArray(untyped)) {
    return healthOf(
      'Unknown',
      `not a Kubernetes object: ${Array.isArray(untyped) ? 'an array' : String(untyped)}`,
    );
  }
  const raw = untyped as UntypedObject;
  if (isBeingDeleted(raw) && !hasHookFinalizer(raw)) return healthOf('Progressing', 'Pending deletion');
  const gvk = groupVersionKind(raw);
  return healthCheckFor(gvk, options)?.(raw, gvk);
}
