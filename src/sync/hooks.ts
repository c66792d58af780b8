/**
 * Resource hooks: which phases a manifest runs in, its delete policies, its wave, and the name a
 * `generateName`-only hook gets. Helm's hook annotations map onto Argo CD's, because Argo CD renders
 * charts with `helm template` and never runs `helm install`.
 *
 * | annotation | meaning |
 * |---|---|
 * | `argocd.argoproj.io/hook: PreSync,PostSync` | a hook in each listed phase (`Skip` alone: not applied at all) |
 * | `helm.sh/hook: pre-install,pre-upgrade` | `PreSync`; `post-install`/`post-upgrade` are `PostSync` (ignored when an Argo CD hook annotation is present) |
 * | `argocd.argoproj.io/hook-delete-policy` | `HookSucceeded`, `HookFailed`, `BeforeHookCreation` (the default) |
 * | `helm.sh/hook-delete-policy` | `hook-succeeded`, `hook-failed`, `before-hook-creation` |
 * | `argocd.argoproj.io/sync-wave` | the wave; falls back to `helm.sh/hook-weight`, then 0 |
 *
 * A hook annotation with no recognised type ("garbage", or `PreDelete` in a sync) still makes the
 * object a hook, one with no phase: it is neither applied nor compared ({@link isIgnored}).
 *
 * Sources: `gitops-engine/pkg/sync/hook/*.go`, `hook/helm/*.go`, `syncwaves/waves.go`,
 * `sync_phase.go`, `sync_context.go` (`getSyncTasks`), `controller/hook.go`.
 * @module
 */

// Hook annotations are read by one implementation, shared with health (which must not depend on
// sync): `hookTypes` (`hook.Types`), `isSkip` (`hook.Skip`), `isHook` (`hook.IsHook`) and
// `isIgnored` (`ignore.Ignore`, a hook with no recognised phase).
import {
  HELM_HOOK_TYPES,
  HOOK_FINALIZER,
  hookTypes,
  isHook,
  isIgnoredHook as isIgnored,
  isSkipHook as isSkip,
} from '../health/hooks.ts';
import type { KubeObject } from '../kube/types.ts';
import { annotationCsv } from './sync-options.ts';
import { Annotations, annotationsOf, type HookDeletePolicy, SYNC_PHASES, type SyncPhase } from './types.ts';

export { HELM_HOOK_TYPES, HOOK_FINALIZER, hookTypes, isHook, isIgnored, isSkip };

/** Helm delete policies and the Argo CD policy each becomes (`hook/helm/delete_policy.go`). */
export const HELM_DELETE_POLICIES: Readonly<Record<string, HookDeletePolicy>> = {
  'before-hook-creation': 'BeforeHookCreation',
  'hook-succeeded': 'HookSucceeded',
  'hook-failed': 'HookFailed',
};

const DELETE_POLICIES: readonly string[] = ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'];

/** True for a Helm hook (`helm.sh/hook` present, except `crd-install`, which is not one). */
export function isHelmHook(obj: KubeObject): boolean {
  const value = annotationsOf(obj)[Annotations.helmHook];
  return value !== undefined && value !== 'crd-install';
}

/** The Helm hook names of an object that Argo CD supports, in annotation order. */
export function helmHookTypes(obj: KubeObject): string[] {
  return annotationCsv(obj, Annotations.helmHook).filter((t) => t in HELM_HOOK_TYPES);
}

/**
 * Go's `strconv.Atoi`: an optional sign and decimal digits, nothing else (no spaces), within int64.
 * Undefined when the text is not such a number.
 */
export function goAtoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  // Beyond 2^63 Go reports a range error; the annotation is then ignored.
  if (!Number.isFinite(value) || Math.abs(value) > 9.223372036854776e18) return undefined;
  return value;
}

/** `helm.sh/hook-weight` as an integer, 0 when absent or not a number. */
export function helmHookWeight(obj: KubeObject): number {
  const text = annotationsOf(obj)[Annotations.helmHookWeight];
  return (text === undefined ? undefined : goAtoi(text)) ?? 0;
}

/**
 * The sync wave of an object (`syncwaves.Wave`): `argocd.argoproj.io/sync-wave` when it is an
 * integer, else `helm.sh/hook-weight`, else 0.
 * @example syncWaveOf(annotated({ 'argocd.argoproj.io/sync-wave': '-1' })) === -1
 * @example syncWaveOf(annotated({ 'helm.sh/hook-weight': '5' })) === 5
 */
export function syncWaveOf(obj: KubeObject): number {
  const text = annotationsOf(obj)[Annotations.syncWave];
  const wave = text === undefined ? undefined : goAtoi(text);
  return wave ?? helmHookWeight(obj);
}

/**
 * The phases an object takes part in (`syncPhases`): none for `Skip`, each listed hook phase for
 * a hook (in execution order), `Sync` for everything else.
 * @example syncPhasesOf(annotated({ 'argocd.argoproj.io/hook': 'PostSync,PreSync' })) // ['PreSync', 'PostSync']
 */
export function syncPhasesOf(obj: KubeObject): SyncPhase[] {
  if (isSkip(obj)) return [];
  if (!isHook(obj)) return ['Sync'];
  const types = hookTypes(obj);
  return SYNC_PHASES.filter((phase) => types.includes(phase));
}

/**
 * The delete policies of a hook (`hook.DeletePolicies`): recognised Argo CD values plus mapped
 * Helm values; `BeforeHookCreation` when none is given.
 * @example hookDeletePolicies(annotated({ 'helm.sh/hook-delete-policy': 'hook-succeeded' })) // ['HookSucceeded']
 */
export function hookDeletePolicies(obj: KubeObject): HookDeletePolicy[] {
  const policies: HookDeletePolicy[] = [];
  for (const text of annotationCsv(obj, Annotations.hookDeletePolicy)) {
    if (DELETE_POLICIES.includes(text)) policies.push(text as HookDeletePolicy);
  }
  for (const text of annotationCsv(obj, Annotations.helmHookDeletePolicy)) {
    const mapped = HELM_DELETE_POLICIES[text];
    if (mapped !== undefined) policies.push(mapped);
  }
  return policies.length > 0 ? policies : ['BeforeHookCreation'];
}

/** True when the object is a hook and carries `policy` (a non-hook has no delete policy). */
export function hasHookDeletePolicy(obj: KubeObject, policy: HookDeletePolicy): boolean {
  return isHook(obj) && hookDeletePolicies(obj).includes(policy);
}

/** Application-deletion hooks, which Argo CD's controller runs outside of any sync. */
export type DeletionHookType = 'PreDelete' | 'PostDelete';

const DELETION_HOOK_VALUES: Readonly<Record<DeletionHookType, { argo: string; helm: string }>> = {
  PreDelete: { argo: 'PreDelete', helm: 'pre-delete' },
  PostDelete: { argo: 'PostDelete', helm: 'post-delete' },
};

/** True when the object is a `PreDelete`/`PostDelete` hook (`isHookOfType` in `controller/hook.go`). */
export function isDeletionHookOf(obj: KubeObject | undefined, type: DeletionHookType): boolean {
  if (obj === undefined) return false;
  const values = DELETION_HOOK_VALUES[type];
  const annotations = annotationsOf(obj);
  const matches = (key: string, wanted: string) =>
    annotations[key]?.split(',').some((item) => item.trim() === wanted) ?? false;
  return matches(Annotations.hook, values.argo) || matches(Annotations.helmHook, values.helm);
}

/**
 * Argo CD's controller-level hook test (`controller/hook.go` `isHook`): a gitops-engine hook or a
 * deletion hook. Used for `status.resources[].hook` and to keep hooks out of sync status.
 */
export function isAnyHook(obj: KubeObject): boolean {
  return isHook(obj) || isDeletionHookOf(obj, 'PreDelete') || isDeletionHookOf(obj, 'PostDelete');
}

/** True when a hook also runs in a sync phase (so a `PreDelete,PreSync` hook is still synced). */
export function hasSyncPhaseHook(obj: KubeObject): boolean {
  return hookTypes(obj).some((t) => t !== 'Skip');
}

/**
 * The name a hook with only `metadata.generateName` gets (`getSyncTasks`): the generate-name plus
 * `lower("<rev[0:7]>-<phase>-<unix seconds of the operation start>")`. The revision is cut to 7
 * characters only when it has at least 8, so `foobar` stays `foobar`. The name is deterministic, so
 * every step of one operation addresses the same object.
 * @example generatedHookName('migrate-', 'FooBarBaz', 'PreSync', new Date('2024-05-01T00:00:00Z'))
 *   === 'migrate-foobarb-presync-1714521600'
 */
export function generatedHookName(
  generateName: string,
  revision: string,
  phase: SyncPhase,
  startedAt: Date,
): string {
  const rev = revision.length >= 8 ? revision.slice(0, 7) : revision;
  const seconds = Math.floor(startedAt.getTime() / 1000);
  return `${generateName}${`${rev}-${phase}-${seconds}`.toLowerCase()}`;
}

/** True when the object carries {@link HOOK_FINALIZER}. */
export function hasHookFinalizer(obj: KubeObject | undefined): boolean {
  return obj?.metadata?.finalizers?.includes(HOOK_FINALIZER) ?? false;
}
