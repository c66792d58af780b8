/**
 * Health assessment of Kubernetes objects with Argo CD's semantics: gitops-engine's built-in checks
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Service, Ingress, PersistentVolumeClaim,
 * Job, HorizontalPodAutoscaler, APIService, Workflow), ports of Argo CD's built-in Lua checks
 * (Argo Rollouts `Rollout`, CronJob), the opt-in app-of-apps `Application` check, and the
 * Application-level aggregate. Pure functions, no I/O.
 * @module
 */
export {
  type AggregateHealthOptions,
  type ApplicationHealth,
  type AppResource,
  aggregateHealth,
  formatHealthCauses,
  IGNORE_HEALTHCHECK_ANNOTATION,
  MAX_HEALTH_CAUSES_SHOWN,
  type SelfReference,
  worstHealth,
} from './aggregate.ts';
export { applicationHealth } from './application.ts';
export { type AssessHealthOptions, assessHealth, healthCheckFor } from './assess.ts';
export { type GroupVersionKind, groupVersionKind, type HealthCheck, type UntypedObject } from './check.ts';
export { cronJobHealth } from './cronjob.ts';
export {
  HELM_HOOK_ANNOTATION,
  HOOK_ANNOTATION,
  HOOK_FINALIZER,
  type HookType,
  hasHookFinalizer,
  hookTypes,
  isHook,
  isIgnoredHook,
  isSkipHook,
} from './hooks.ts';
export { HPA_CONDITIONS_ANNOTATION } from './hpa.ts';
export { IGNORE_RESTART_POLICY_ANNOTATION } from './pod.ts';
export { rolloutHealth, WORKLOAD_GENERATION_ANNOTATION } from './rollout.ts';
export {
  HEALTH_ORDER,
  type HealthStatus,
  type HealthStatusCode,
  healthOf,
  isHealthStatusCode,
  isWorse,
} from './types.ts';
