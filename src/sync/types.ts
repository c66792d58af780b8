/**
 * The vocabulary of the sync engine: phases, waves' companions, result codes and resource keys,
 * spelled exactly as Argo CD writes them into `Application.status`, so that the CLI, the UI and
 * notification expressions written for Argo CD read Slipway's status unchanged.
 *
 * Source: `gitops-engine/pkg/sync/common/types.go` and `gitops-engine/pkg/health/health.go`.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';

/**
 * Health of one object, the same shape `src/health/` produces. Defined here so the sync engine
 * does not depend on that module; the controller passes health in.
 */
export type HealthStatusCode = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

/** Health of one object: a code and an optional human message. */
export interface HealthStatus {
  status: HealthStatusCode;
  message?: string;
}

/** The four phases a sync runs through, in this order (`SyncFail` only when something failed). */
export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';

/** All sync phases in execution order. */
export const SYNC_PHASES: readonly SyncPhase[] = ['PreSync', 'Sync', 'PostSync', 'SyncFail'];

/**
 * Hook types gitops-engine knows (`argocd.argoproj.io/hook`). `Skip` is not a phase: a resource
 * whose only hook type is `Skip` is not applied at all. `PreDelete`/`PostDelete` are Argo CD
 * controller hooks, run only when the Application is deleted (see `hooks.ts`).
 */
export type HookType = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | 'Skip';

/** Hook delete policies (`argocd.argoproj.io/hook-delete-policy`). */
export type HookDeletePolicy = 'HookSucceeded' | 'HookFailed' | 'BeforeHookCreation';

/** `status.operationState.phase`. `Failed`: a task or hook failed; `Error`: a controller-side problem. */
export type OperationPhase = 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded';

/** `syncResult.resources[].status`. */
export type ResultCode = 'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped';

/** `status.sync.status` and `status.resources[].status`. */
export type SyncStatusCode = 'Synced' | 'OutOfSync' | 'Unknown';

/** True for the phases after which an operation is over (`OperationPhase.Completed()`). */
export function isCompleted(phase: OperationPhase | undefined): boolean {
  return phase === 'Failed' || phase === 'Error' || phase === 'Succeeded';
}

/** Annotation and finalizer names the engine reads or writes. */
export const Annotations = {
  syncOptions: 'argocd.argoproj.io/sync-options',
  syncWave: 'argocd.argoproj.io/sync-wave',
  hook: 'argocd.argoproj.io/hook',
  hookDeletePolicy: 'argocd.argoproj.io/hook-delete-policy',
  compareOptions: 'argocd.argoproj.io/compare-options',
  deletionApproved: 'argocd.argoproj.io/deletion-approved',
  trackingId: 'argocd.argoproj.io/tracking-id',
  installationId: 'argocd.argoproj.io/installation-id',
  helmHook: 'helm.sh/hook',
  helmHookWeight: 'helm.sh/hook-weight',
  helmHookDeletePolicy: 'helm.sh/hook-delete-policy',
  lastApplied: 'kubectl.kubernetes.io/last-applied-configuration',
} as const;

/**
 * Identifies one object the way gitops-engine's `kube.ResourceKey` does: group (not version),
 * kind, namespace (`""` when cluster-scoped or unknown) and name.
 */
export interface ResourceKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** The key of an object (`kube.GetResourceKey`). */
export function resourceKeyOf(obj: KubeObject): ResourceKey {
  return {
    group: splitApiVersion(obj.apiVersion ?? '').group,
    kind: obj.kind ?? '',
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
}

/**
 * `group/kind/namespace/name` (`kube.ResourceKey.String()`).
 * @example formatResourceKey({ group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'web' })
 *   === 'apps/Deployment/prod/web'
 */
export function formatResourceKey(key: ResourceKey): string {
  return `${key.group}/${key.kind}/${key.namespace}/${key.name}`;
}

/** True when both keys name the same object. */
export function sameKey(a: ResourceKey, b: ResourceKey): boolean {
  return a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/** The annotations of an object (empty when none). */
export function annotationsOf(obj: KubeObject | undefined): Readonly<Record<string, string>> {
  return obj?.metadata?.annotations ?? {};
}

/**
 * A Kubernetes `metav1.Time`: RFC 3339 in UTC with whole seconds, as the API server and Argo CD
 * write it.
 * @example formatTimestamp(new Date('2024-05-01T12:00:00.789Z')) === '2024-05-01T12:00:00Z'
 */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
