/**
 * Sync tasks: what a sync operation will do, one task per (object, phase), in gitops-engine's
 * order.
 *
 * A task holds the target object (from Git), the live object (from the cluster) or both. No
 * target means the task prunes the live object. Tasks are ordered by
 *
 * 1. phase: `PreSync` < `Sync` < `PostSync` < `SyncFail`;
 * 2. wave (`argocd.argoproj.io/sync-wave`, else `helm.sh/hook-weight`, else 0);
 * 3. kind, by Helm's install order ({@link KIND_ORDER}; unknown kinds, e.g. custom resources, last);
 * 4. name.
 *
 * Then two dependency fixes move a task to just before its first dependent, taking the
 * dependent's phase and wave: a Namespace before anything in it, and a CRD before its custom
 * resources. Prune tasks use *mirrored* waves (the highest wave is pruned first), and with
 * `PruneLast` they move to the wave after the last Sync wave.
 *
 * @example
 * const { resources, hooks } = reconcile(targets, live, 'guestbook', isNamespaced);
 * const built = buildSyncTasks({ resources, hooks, namespace: 'guestbook', revision: sha, startedAt, health });
 * // built.tasks: sorted; built.valid false if a kind is unknown to the cluster or not permitted
 *
 * Sources: `gitops-engine/pkg/sync/sync_tasks.go`, `sync_task.go`, `sync_context.go`
 * (`getSyncTasks`, `autoCreateNamespace`, `setResourceResult`), `reconcile.go`,
 * `controller/state.go` (`NormalizeTargetObjects`), `controller/sync_namespace.go`.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';
import type { ApplicationCondition, ManagedNamespaceMetadata, ResourceResult } from './application.ts';
import {
  generatedHookName,
  HOOK_FINALIZER,
  hasHookDeletePolicy,
  hasHookFinalizer,
  hasSyncPhaseHook,
  isDeletionHookOf,
  isHook,
  isIgnored,
  syncPhasesOf,
  syncWaveOf,
} from './hooks.ts';
import { isPruneLast, skipsDryRunOnMissingResource } from './sync-options.ts';
import {
  Annotations,
  formatResourceKey,
  type HealthStatus,
  type HookType,
  type OperationPhase,
  type ResourceKey,
  type ResultCode,
  resourceKeyOf,
  type SyncPhase,
} from './types.ts';

// ---- kind order ------------------------------------------------------------------------------

/**
 * Helm's kind install order, as gitops-engine copies it
 * (`helm/pkg/releaseutil/kind_sorter.go`). Index `i` has order `i - 35`, so every listed kind sorts
 * before unknown kinds (order 0).
 */
export const KIND_ORDER: readonly string[] = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

const KIND_RANK = new Map(KIND_ORDER.map((kind, i) => [kind, i - KIND_ORDER.length]));

/**
 * The sort rank of a kind: negative for Helm's known kinds, 0 for anything else.
 * @example [kindOrder('Namespace'), kindOrder('APIService'), kindOrder('MyCRD')] // [-35, -1, 0]
 */
export function kindOrder(kind: string): number {
  return KIND_RANK.get(kind) ?? 0;
}

const PHASE_ORDER: Readonly<Record<SyncPhase, number>> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

// ---- the task --------------------------------------------------------------------------------

/**
 * One unit of sync work. Immutable: functions return new tasks.
 *
 * `key` names `target ?? live` as gitops-engine's result key does (so a cluster-scoped target
 * carries the destination namespace, as upstream's results do).
 */
export interface SyncTask {
  /** `<group>/<kind>/<namespace>/<name>:<phase>`: the key of its entry in `syncResult.resources`. */
  readonly id: string;
  readonly phase: SyncPhase;
  /** The effective wave, after prune mirroring, PruneLast and dependency fixes. */
  readonly wave: number;
  /** The desired object (namespace filled in); absent for a prune task. */
  readonly target?: KubeObject | undefined;
  /** The object in the cluster; absent when it does not exist (yet). */
  readonly live?: KubeObject | undefined;
  readonly key: ResourceKey;
  /** The API version of `target ?? live` (`v1`, `apps/v1` → `v1`). */
  readonly version: string;
  /** True for a hook (created per phase, never pruned). */
  readonly hook: boolean;
  /** True when the dry run skips this task (its kind is not served yet, and that is expected). */
  readonly skipDryRun: boolean;
  /** Health of `live`; absent when the kind has no health check (e.g. ConfigMap) or nothing is live. */
  readonly liveHealth?: HealthStatus | undefined;
  /** Result so far (`syncResult.resources[].status`); absent while the task is pending. */
  readonly syncStatus?: ResultCode | undefined;
  /** Progress (`syncResult.resources[].hookPhase`); absent while the task is pending. */
  readonly operationState?: OperationPhase | undefined;
  readonly message?: string | undefined;
}

/** The target, else the live object. */
export function taskObject(task: SyncTask): KubeObject {
  return (task.target ?? task.live) as KubeObject;
}

/** True when the task deletes the live object (there is no target). */
export function isPruneTask(task: SyncTask): boolean {
  return task.target === undefined;
}

/** Pending: not started in this operation. */
export function isPending(task: SyncTask): boolean {
  return task.operationState === undefined;
}

/** Running: applied, awaiting completion or health. */
export function isRunning(task: SyncTask): boolean {
  return task.operationState === 'Running';
}

/** Completed: Succeeded, Failed or Error. */
export function isTaskCompleted(task: SyncTask): boolean {
  const s = task.operationState;
  return s === 'Succeeded' || s === 'Failed' || s === 'Error';
}

/** The hook type this task reports (its phase), undefined for a non-hook. */
export function taskHookType(task: SyncTask): HookType | undefined {
  return task.hook ? task.phase : undefined;
}

/**
 * The key used to look the task up in diff results and the cluster (`syncTask.resourceKey`): the
 * live object's namespace when something is live, since a cluster-scoped target carries the
 * destination namespace.
 */
export function taskLookupKey(task: SyncTask): ResourceKey {
  return task.live === undefined ? task.key : { ...task.key, namespace: task.live.metadata.namespace ?? '' };
}

/** {@link taskLookupKey} formatted, the key of `SyncStepOptions.modified`. */
export function formatKeyForLookup(task: SyncTask): string {
  return formatResourceKey(taskLookupKey(task));
}

/** True when the live object of a pending hook must be deleted before the hook is re-created. */
export function deletesBeforeCreation(task: SyncTask): boolean {
  return (
    task.live !== undefined && isPending(task) && hasHookDeletePolicy(taskObject(task), 'BeforeHookCreation')
  );
}

/** True when a finished hook is deleted on success (`HookSucceeded`). */
export function deletesOnSuccess(task: SyncTask): boolean {
  return task.live !== undefined && hasHookDeletePolicy(taskObject(task), 'HookSucceeded');
}

/** True when a finished hook is deleted on failure (`HookFailed`). */
export function deletesOnFailure(task: SyncTask): boolean {
  return task.live !== undefined && hasHookDeletePolicy(taskObject(task), 'HookFailed');
}

/** `Phase/wave hook|resource group/Kind:ns/name` for logs and test failures. */
export function describeTask(task: SyncTask): string {
  const k = task.key;
  return `${task.phase}/${task.wave} ${task.hook ? 'hook' : 'resource'} ${k.group}/${k.kind}:${k.namespace}/${k.name}`;
}

/**
 * Makes a task for `phase` (wave from the object's annotations, state pending).
 * @example newSyncTask('Sync', pod, undefined).wave === 0
 */
export function newSyncTask(
  phase: SyncPhase,
  target: KubeObject | undefined,
  live: KubeObject | undefined,
): SyncTask {
  const obj = (target ?? live) as KubeObject;
  const key = resourceKeyOf(obj);
  return {
    id: `${formatResourceKey(key)}:${phase}`,
    phase,
    wave: syncWaveOf(obj),
    target,
    live,
    key,
    version: splitApiVersion(obj.apiVersion ?? '').version,
    hook: isHook(obj),
    skipDryRun: false,
  };
}

// ---- sync results ----------------------------------------------------------------------------

/** The id of a stored result (same format as {@link SyncTask.id}). */
export function resultId(result: ResourceResult): string {
  return `${result.group}/${result.kind}/${result.namespace}/${result.name}:${result.syncPhase ?? ''}`;
}

/**
 * The container images of an object's pod spec, best effort (`kube.GetResourceImages`): the first of
 * `spec.containers`, `spec.template.spec.containers`, `spec.jobTemplate.spec.template.spec.containers`
 * that exists; containers without an image are skipped. Init containers are not included.
 */
export function resourceImages(obj: KubeObject): string[] {
  const paths = [
    ['spec', 'containers'],
    ['spec', 'template', 'spec', 'containers'],
    ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'],
  ];
  for (const path of paths) {
    const list = nested(obj, path);
    if (!Array.isArray(list)) continue;
    const images: string[] = [];
    for (const c of list) {
      if (c !== null && typeof c === 'object' && typeof (c as { image?: unknown }).image === 'string') {
        images.push((c as { image: string }).image);
      }
    }
    return images;
  }
  return [];
}

function nested(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * Records a task's outcome (`setResourceResult`): updates the task and its entry in `results` (or
 * appends one, keeping upstream's order of first appearance). An empty `message` keeps the previous
 * message. Returns new values; the inputs are not changed.
 */
export function setResourceResult(
  results: readonly ResourceResult[],
  task: SyncTask,
  status: ResultCode | undefined,
  phase: OperationPhase | undefined,
  message: string,
): { results: ResourceResult[]; task: SyncTask } {
  const out = [...results];
  const index = out.findIndex((r) => resultId(r) === task.id);
  const nextMessage = message !== '' ? message : (task.message ?? out[index]?.message);
  const updated: SyncTask = withState(task, status, phase, nextMessage);
  if (index >= 0) {
    const existing = out[index] as ResourceResult;
    out[index] = withOptional({ ...existing }, { status, hookPhase: phase, message: nextMessage });
  } else {
    const obj = taskObject(task);
    const entry: ResourceResult = {
      group: task.key.group,
      version: task.version,
      kind: task.key.kind,
      namespace: task.key.namespace,
      name: task.key.name,
      syncPhase: task.phase,
    };
    const images = resourceImages(obj);
    out.push(
      withOptional(entry, {
        status,
        message: nextMessage,
        hookType: taskHookType(task),
        hookPhase: phase,
        images: images.length > 0 ? images : undefined,
      }),
    );
  }
  return { results: out, task: updated };
}

/** Sets each field that has a value and deletes each that is undefined (exactOptionalPropertyTypes). */
function withOptional<T extends object>(target: T, fields: Record<string, unknown>): T {
  const out = target as Record<string, unknown>;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === '') delete out[k];
    else out[k] = v;
  }
  return target;
}

/** A copy of the task with a new result state. */
export function withState(
  task: SyncTask,
  status: ResultCode | undefined,
  phase: OperationPhase | undefined,
  message: string | undefined,
): SyncTask {
  const { syncStatus: _s, operationState: _o, message: _m, ...rest } = task;
  return {
    ...rest,
    ...(status !== undefined ? { syncStatus: status } : {}),
    ...(phase !== undefined ? { operationState: phase } : {}),
    ...(message !== undefined && message !== '' ? { message } : {}),
  };
}

/** Restores each task's state from stored results (the last step of `getSyncTasks`). */
export function withResults(tasks: readonly SyncTask[], results: readonly ResourceResult[]): SyncTask[] {
  const byId = new Map(results.map((r) => [resultId(r), r]));
  return tasks.map((task) => {
    const r = byId.get(task.id);
    return r === undefined ? task : withState(task, r.status, r.hookPhase, r.message);
  });
}

// ---- ordering --------------------------------------------------------------------------------

/**
 * gitops-engine's `syncTasks.Less` as a comparator: phase, wave, kind order, name.
 * @example [syncFailTask, preSyncTask].sort(compareTasks)[0] === preSyncTask
 */
export function compareTasks(a: SyncTask, b: SyncTask): number {
  const phase = PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase];
  if (phase !== 0) return phase;
  if (a.wave !== b.wave) return a.wave - b.wave;
  const kind = kindOrder(a.key.kind) - kindOrder(b.key.kind);
  if (kind !== 0) return kind;
  return a.key.name < b.key.name ? -1 : a.key.name > b.key.name ? 1 : 0;
}

/**
 * Sorts tasks and applies the two dependency fixes (`syncTasks.Sort`). The sort is stable (Go's is
 * not), so tasks that compare equal keep their input order.
 */
export function sortSyncTasks(tasks: readonly SyncTask[]): SyncTask[] {
  const sorted = [...tasks].sort(compareTasks);
  // Namespaces are created before the objects that live in them.
  adjustDependencies(
    sorted,
    (obj) =>
      obj.kind === 'Namespace' && splitApiVersion(obj.apiVersion).group === ''
        ? (obj.metadata.name ?? '')
        : undefined,
    (obj) => (obj.metadata.namespace ? obj.metadata.namespace : undefined),
  );
  // CRDs are created before their custom resources.
  adjustDependencies(
    sorted,
    (obj) => crdGroupKind(obj),
    (obj) => `${splitApiVersion(obj.apiVersion).group}/${obj.kind}`,
  );
  return sorted;
}

/** `<spec.group>/<spec.names.kind>` of a CRD, undefined for anything else. */
export function crdGroupKind(obj: KubeObject): string | undefined {
  if (!isCrd(obj)) return undefined;
  const group = nested(obj, ['spec', 'group']);
  const kind = nested(obj, ['spec', 'names', 'kind']);
  return typeof group === 'string' && typeof kind === 'string' ? `${group}/${kind}` : undefined;
}

function isCrd(obj: KubeObject): boolean {
  return (
    obj.kind === 'CustomResourceDefinition' &&
    splitApiVersion(obj.apiVersion ?? '').group === 'apiextensions.k8s.io'
  );
}

/**
 * Bubbles each dependency up to just before the first task that references it, giving it that
 * task's phase and wave (`syncTasks.adjustDeps`). Prune tasks take no part. Mutates `tasks`.
 */
function adjustDependencies(
  tasks: SyncTask[],
  dependencyKey: (obj: KubeObject) => string | undefined,
  referencedKey: (obj: KubeObject) => string | undefined,
): void {
  const firstReference = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i] as SyncTask;
    if (task.target === undefined) continue;
    const dep = dependencyKey(task.target);
    if (dep !== undefined) {
      const index = firstReference.get(dep);
      if (index === undefined) continue;
      const dependent = tasks[index] as SyncTask;
      const moved: SyncTask = {
        ...task,
        phase: dependent.phase,
        wave: dependent.wave,
        id: `${formatResourceKey(task.key)}:${dependent.phase}`,
      };
      for (let j = i; j > index; j--) tasks[j] = tasks[j - 1] as SyncTask;
      tasks[index] = moved;
      for (const [k, v] of firstReference) if (v >= index) firstReference.set(k, v + 1);
    } else {
      const ref = referencedKey(task.target);
      if (ref !== undefined && !firstReference.has(ref)) firstReference.set(ref, i);
    }
  }
}

/**
 * Mirrors prune waves so the highest-wave resources are pruned first (`getSyncTasks`): the distinct
 * waves of prune tasks are sorted and swapped end for end.
 * @example prune waves 0,1,2,3,4 become 4,3,2,1,0; with only 1,3,4 pruned: 1→4, 3→3, 4→1.
 */
export function mirrorPruneWaves(tasks: readonly SyncTask[]): SyncTask[] {
  const waves = [...new Set(tasks.filter(isPruneTask).map((t) => t.wave))].sort((a, b) => a - b);
  const mirror = new Map<number, number>();
  waves.forEach((wave, i) => {
    mirror.set(wave, waves[waves.length - 1 - i] as number);
  });
  return tasks.map((t) => (isPruneTask(t) ? { ...t, wave: mirror.get(t.wave) ?? t.wave } : t));
}

/**
 * Moves prune tasks with PruneLast (app-wide or annotated on the live object) to the wave after the
 * last Sync-phase wave, counting prune tasks' mirrored waves and never below wave 1.
 */
export function applyPruneLast(tasks: readonly SyncTask[], appPruneLast: boolean): SyncTask[] {
  let lastWave = 0;
  for (const t of tasks) if (t.phase === 'Sync' && t.wave > lastWave) lastWave = t.wave;
  const pruneLastWave = lastWave + 1;
  return tasks.map((t) =>
    isPruneTask(t) && isPruneLast(t.live, appPruneLast) ? { ...t, wave: pruneLastWave } : t,
  );
}

/**
 * Splits rendered objects into those a sync handles and Application-deletion hooks
 * (`partitionTargetObjsForSync`): a `PreDelete`/`PostDelete`-only hook is left out of syncs, one
 * that also names a sync phase (`PostSync,PreDelete`) stays in. Also reports whether any deletion
 * hooks exist, which decides the Application's deletion finalizers.
 */
export function partitionTargetsForSync(objs: readonly KubeObject[]): {
  objects: KubeObject[];
  hasPreDeleteHooks: boolean;
  hasPostDeleteHooks: boolean;
} {
  const objects: KubeObject[] = [];
  let hasPreDeleteHooks = false;
  let hasPostDeleteHooks = false;
  for (const obj of objs) {
    const pre = isDeletionHookOf(obj, 'PreDelete');
    const post = isDeletionHookOf(obj, 'PostDelete');
    hasPreDeleteHooks ||= pre;
    hasPostDeleteHooks ||= post;
    if ((pre || post) && !hasSyncPhaseHook(obj)) continue;
    objects.push(obj);
  }
  return { objects, hasPreDeleteHooks, hasPostDeleteHooks };
}

// ---- pairing targets with live objects -------------------------------------------------------

/** A managed resource: its desired and/or live state. */
export interface ResourcePair {
  target?: KubeObject | undefined;
  live?: KubeObject | undefined;
}

/** Whether a kind is namespaced; undefined when discovery does not know it. */
export type IsNamespaced = (group: string, kind: string) => boolean | undefined;

/** Targets paired with live objects, and the hooks split off (`sync.Reconcile`). */
export interface Reconciliation {
  resources: ResourcePair[];
  hooks: KubeObject[];
}

/**
 * Pairs targets with live objects (`sync.Reconcile`). Hooks are split off; ignored objects (hooks
 * without a valid type) dropped. Each target is matched by group, kind, name and namespace (its own
 * or `namespace`), or without a namespace for cluster-scoped kinds; when the scope is unknown both
 * are tried. Live objects left over become prune candidates (pairs without a target). Live
 * duplicates with the same UID (the same object served under two groups) are reduced to one,
 * preferring the one Git names.
 * @param live the app's managed live objects (already filtered by tracking).
 */
export function reconcile(
  targets: readonly KubeObject[],
  live: readonly KubeObject[],
  namespace: string,
  isNamespaced: IsNamespaced,
): Reconciliation {
  const hooks: KubeObject[] = [];
  const resources: KubeObject[] = [];
  for (const obj of targets) {
    if (isIgnored(obj)) continue;
    if (isHook(obj)) hooks.push(obj);
    else resources.push(obj);
  }
  const liveByKey = new Map<string, KubeObject>();
  for (const obj of live) liveByKey.set(formatResourceKey(resourceKeyOf(obj)), obj);
  dedupLive(resources, liveByKey);

  const pairs: ResourcePair[] = [];
  for (const target of resources) {
    const { group, kind, name } = resourceKeyOf(target);
    const ns = target.metadata.namespace || namespace;
    const scope = isNamespaced(group, kind);
    const keys: string[] = [];
    if (scope !== false) keys.push(formatResourceKey({ group, kind, namespace: ns, name }));
    if (scope !== true) keys.push(formatResourceKey({ group, kind, namespace: '', name }));
    let match: KubeObject | undefined;
    for (const key of keys) {
      match = liveByKey.get(key);
      if (match !== undefined) {
        liveByKey.delete(key);
        break;
      }
    }
    pairs.push({ target, live: match });
  }
  for (const obj of liveByKey.values()) pairs.push({ target: undefined, live: obj });
  return { resources: pairs, hooks };
}

/**
 * Pairs each target the app does not track yet with the object the cluster already holds under
 * its key (`GetManagedLiveObjs`): an untracked object is adopted by the next sync, and one that
 * another Application tracks is compared as live, so the app reports a `SharedResourceWarning`
 * (see `sharedResourceConditions`) instead of overwriting it unannounced, and
 * `FailOnSharedResource=true` can stop the sync. Such objects never become prune candidates: only
 * pairs with a target are filled in. Returns the objects found that way.
 * @param existing the cached object with the target's kind, name and namespace, if any.
 */
export function withExistingLive(
  reconciliation: Reconciliation,
  existing: (target: KubeObject) => KubeObject | undefined,
): { reconciliation: Reconciliation; found: KubeObject[] } {
  const found: KubeObject[] = [];
  const resources = reconciliation.resources.map((pair) => {
    if (pair.target === undefined || pair.live !== undefined) return pair;
    const live = existing(pair.target);
    if (live === undefined) return pair;
    found.push(live);
    return { target: pair.target, live };
  });
  return { reconciliation: { ...reconciliation, resources }, found };
}

function dedupLive(targets: readonly KubeObject[], liveByKey: Map<string, KubeObject>): void {
  const targetKeys = new Set(targets.map((t) => formatResourceKey(resourceKeyOf(t))));
  const byUid = new Map<string, string[]>();
  for (const [key, obj] of liveByKey) {
    const uid = obj.metadata.uid;
    if (!uid) continue;
    byUid.set(uid, [...(byUid.get(uid) ?? []), key]);
  }
  for (const keys of byUid.values()) {
    let left = keys.length;
    if (left <= 1) continue;
    for (const key of keys) {
      if (!targetKeys.has(key)) {
        liveByKey.delete(key);
        left--;
        if (left === 1) break;
      }
    }
  }
}

/**
 * Prepares rendered targets for comparison (`NormalizeTargetObjects`): namespaced (or unknown-scope)
 * objects without a namespace get `namespace`; cluster-scoped objects lose theirs. `track` (e.g.
 * {@link setAppInstance}) is applied to every object, since Slipway's renderer does not add
 * tracking. Objects with the same key keep the last one and raise a `RepeatedResourceWarning`.
 */
export function normalizeTargetObjects(
  objs: readonly KubeObject[],
  namespace: string,
  isNamespaced: IsNamespaced,
  track: (obj: KubeObject) => KubeObject = (obj) => obj,
): { objects: KubeObject[]; conditions: ApplicationCondition[] } {
  const byKey = new Map<string, KubeObject[]>();
  objs.forEach((input, i) => {
    let obj = structuredClone(input);
    const { group, kind } = resourceKeyOf(obj);
    const scope = isNamespaced(group, kind);
    if (scope === false && obj.metadata.namespace) delete obj.metadata.namespace;
    else if (scope !== false && !obj.metadata.namespace) obj.metadata.namespace = namespace;
    obj = track(obj);
    const key = resourceKeyOf(obj);
    if (key.name === '' && obj.metadata.generateName) key.name = `${obj.metadata.generateName}${i}`;
    const id = formatResourceKey(key);
    byKey.set(id, [...(byKey.get(id) ?? []), obj]);
  });
  const objects: KubeObject[] = [];
  const conditions: ApplicationCondition[] = [];
  for (const [id, list] of byKey) {
    if (list.length > 1) {
      conditions.push({
        type: 'RepeatedResourceWarning',
        message: `Resource ${id} appeared ${list.length} times among application resources.`,
      });
    }
    objects.push(list[list.length - 1] as KubeObject);
  }
  return { objects, conditions };
}

/**
 * Keeps the namespace `CreateNamespace=true` manages from being pruned: when a live Namespace named
 * like the destination is tracked by the app, `managedNamespaceMetadata` is set, and Git does not
 * declare it, a synthetic target (what Slipway would apply) is added for comparison
 * (`CompareAppState`). Returns `targets` unchanged otherwise.
 */
export function withManagedNamespaceTarget(
  targets: readonly KubeObject[],
  live: readonly KubeObject[],
  namespace: string,
  metadata: ManagedNamespaceMetadata | undefined,
): KubeObject[] {
  if (metadata === undefined || namespace === '') return [...targets];
  const isManaged = (o: KubeObject) =>
    o.kind === 'Namespace' && splitApiVersion(o.apiVersion).group === '' && o.metadata.name === namespace;
  if (targets.some(isManaged)) return [...targets];
  const liveNs = live.find(isManaged);
  if (liveNs === undefined) return [...targets];
  return [...targets, managedNamespaceTarget(namespace, liveNs, metadata).target];
}

// ---- building the task list ------------------------------------------------------------------

/** What discovery says about a kind. */
export type KindLookup =
  | { kind: 'served' }
  /** The API server does not serve this kind (yet). */
  | { kind: 'missing' }
  /** Discovery failed; `message` becomes the task's result. */
  | { kind: 'error'; message: string };

/** `CreateNamespace=true`: what the controller found for the destination namespace. */
export interface NamespaceCreation {
  /** The live Namespace, undefined when it does not exist, or the error of looking it up. */
  live: KubeObject | undefined | { error: string };
  /** `spec.syncPolicy.managedNamespaceMetadata`, if set. */
  managedNamespaceMetadata?: ManagedNamespaceMetadata | undefined;
}

/** Inputs of {@link buildSyncTasks}. */
export interface BuildSyncTasksInput {
  /** Managed resources (from {@link reconcile}); hooks among them are skipped. */
  resources: readonly ResourcePair[];
  /** Hooks from the rendered manifests (from {@link reconcile}). */
  hooks: readonly KubeObject[];
  /** The destination namespace, filled into targets without one. */
  namespace: string;
  /** The resolved revision being synced (used in generated hook names). */
  revision: string;
  /** `operationState.startedAt` (used in generated hook names). */
  startedAt: Date;
  /** Apply strategy or selective sync: no hook tasks. */
  skipHooks?: boolean;
  /** App-level `PruneLast=true`. */
  pruneLast?: boolean;
  /** Which resources take part (selective sync, self-reference check); default all. Not applied to hooks. */
  include?: (key: ResourceKey, target: KubeObject | undefined, live: KubeObject | undefined) => boolean;
  /** `operationState.syncResult.resources`: restores each task's state. */
  results?: readonly ResourceResult[];
  /** Set with `CreateNamespace=true` (and a non-empty namespace). */
  createNamespace?: NamespaceCreation;
  /** Discovery of each task's kind; default: every kind is served. */
  discovery?: (group: string, version: string, kind: string) => KindLookup;
  /** App-level `SkipDryRunOnMissingResource=true`. */
  skipDryRunOnMissingResource?: boolean;
  /** Project permission check; a message means "not permitted". */
  permission?: (obj: KubeObject) => string | undefined;
  /** Health of a live object; undefined for kinds without a health check. */
  health?: (live: KubeObject) => HealthStatus | undefined;
}

/** The task list, whether every task is valid, and the results updated with validation failures. */
export interface BuiltSyncTasks {
  tasks: SyncTask[];
  /** False when a task's kind could not be resolved or is not permitted (the sync then fails). */
  valid: boolean;
  results: ResourceResult[];
}

/**
 * Builds the sorted task list of a sync step (`getSyncTasks`). Pure: discovery, permissions,
 * health and the destination namespace's live state come in as inputs.
 *
 * - Resource tasks: one per phase of each included, non-hook resource (none for `Skip`).
 * - Hook tasks: one per phase; a hook with only `generateName` gets {@link generatedHookName};
 *   each gets the hook finalizer. Skipped with `skipHooks`.
 * - Targets without a namespace get the destination namespace ("even though it might be a
 *   cluster-scoped resource", so it cannot land elsewhere by accident).
 * - `CreateNamespace`: a PreSync task creating (or updating the managed metadata of) the
 *   destination namespace, unless a resource declares that Namespace.
 * - A kind the server does not serve fails the task, unless its CRD is part of this sync or
 *   `SkipDryRunOnMissingResource` is set: then only its dry run is skipped.
 * - Prune waves are mirrored, PruneLast applied, then {@link sortSyncTasks}.
 * @example
 * buildSyncTasks({ resources: [{ target: pod }, { target: svc }], hooks: [], namespace: 'ns',
 *   revision: 'abc', startedAt }).tasks.map((t) => t.key.kind) // ['Service', 'Pod']
 */
export function buildSyncTasks(input: BuildSyncTasksInput): BuiltSyncTasks {
  let results: ResourceResult[] = [...(input.results ?? [])];
  let tasks: SyncTask[] = [];

  for (const pair of input.resources) {
    const obj = pair.target ?? pair.live;
    if (obj === undefined) continue;
    if (input.include && !input.include(resourceKeyOf(pair.live ?? obj), pair.target, pair.live)) continue;
    // Hooks among managed resources are run from `hooks`, never applied or pruned as resources.
    if (isHook(obj)) continue;
    for (const phase of syncPhasesOf(obj)) tasks.push(newSyncTask(phase, pair.target, pair.live));
  }

  if (!input.skipHooks) {
    for (const hook of input.hooks) {
      for (const phase of syncPhasesOf(hook)) {
        const target = structuredClone(hook);
        if (!target.metadata.name) {
          target.metadata.name = generatedHookName(
            target.metadata.generateName ?? '',
            input.revision,
            phase,
            input.startedAt,
          );
        }
        if (!hasHookFinalizer(target))
          target.metadata.finalizers = [...(target.metadata.finalizers ?? []), HOOK_FINALIZER];
        tasks.push(newSyncTask(phase, target, undefined));
      }
    }
  }

  // Fill in the namespace; the task's key (and id) follow the target.
  tasks = tasks.map((task) => {
    if (task.target === undefined || task.target.metadata.namespace) return task;
    const target = structuredClone(task.target);
    target.metadata.namespace = input.namespace;
    return newTaskFrom(task, target);
  });

  if (input.createNamespace !== undefined && input.namespace !== '') {
    const created = namespaceTask(input, input.createNamespace, results);
    if (created !== undefined) {
      tasks.push(created.task);
      results = created.results;
    }
  }

  // Hooks (and the namespace task) find their live object among the managed resources.
  tasks = tasks.map((task) => {
    if (task.target === undefined || task.live !== undefined) return task;
    const live = findLive(input.resources, task.target);
    if (live === undefined) return task;
    // A BeforeHookCreation hook that an earlier step of this operation deleted is still going
    // away. The dry run is repeated until the operation has results (upstream's `started()`), but
    // must not apply onto that object: the API server refuses a new finalizer (the hook finalizer)
    // on an object being deleted, and the hook is created afresh once the old one is gone.
    const replaced =
      task.hook && live.metadata.deletionTimestamp !== undefined && deletesBeforeCreation({ ...task, live });
    return replaced ? { ...task, live, skipDryRun: true } : { ...task, live };
  });

  let valid = true;
  const targetsForCrds = [...input.hooks, ...input.resources.flatMap((p) => (p.target ? [p.target] : []))];
  tasks = tasks.map((task) => {
    const obj = taskObject(task);
    const { group, version } = splitApiVersion(obj.apiVersion ?? '');
    const lookup = input.discovery?.(group, version, obj.kind) ?? { kind: 'served' };
    if (lookup.kind === 'missing') {
      const expected =
        skipsDryRunOnMissingResource(task.target, input.skipDryRunOnMissingResource ?? false) ||
        targetsForCrds.some((t) => crdGroupKind(t) === `${group}/${obj.kind}`);
      if (expected) return { ...task, skipDryRun: true };
      valid = false;
      const notFound = `${group === '' ? obj.kind : `${obj.kind}.${group}`} "" not found`;
      const r = setResourceResult(results, task, 'SyncFailed', undefined, notFound);
      results = r.results;
      return r.task;
    }
    if (lookup.kind === 'error') {
      valid = false;
      const r = setResourceResult(results, task, 'SyncFailed', undefined, lookup.message);
      results = r.results;
      return r.task;
    }
    const denied = input.permission?.(obj);
    if (denied !== undefined) {
      valid = false;
      const r = setResourceResult(results, task, 'SyncFailed', undefined, denied);
      results = r.results;
      return r.task;
    }
    return task;
  });

  tasks = applyPruneLast(mirrorPruneWaves(tasks), input.pruneLast ?? false);
  tasks = sortSyncTasks(tasks);
  tasks = withResults(tasks, results);
  if (input.health) {
    const health = input.health;
    tasks = tasks.map((task) => {
      const h = task.live === undefined ? undefined : health(task.live);
      return h === undefined ? task : { ...task, liveHealth: h };
    });
  }
  return { tasks, valid, results };
}

function newTaskFrom(task: SyncTask, target: KubeObject): SyncTask {
  const fresh = newSyncTask(task.phase, target, task.live);
  return { ...fresh, wave: task.wave };
}

/** The live object of a target among the managed resources (`syncContext.liveObj`). */
function findLive(resources: readonly ResourcePair[], target: KubeObject): KubeObject | undefined {
  const t = resourceKeyOf(target);
  for (const pair of resources) {
    const obj = pair.live ?? pair.target;
    if (obj === undefined) continue;
    const k = resourceKeyOf(obj);
    // Cluster-scoped objects have no namespace even when the manifest names one.
    if (
      k.group === t.group &&
      k.kind === t.kind &&
      (k.namespace === '' || k.namespace === t.namespace) &&
      k.name === t.name
    ) {
      return pair.live;
    }
  }
  return undefined;
}

/**
 * The namespace the engine creates with `CreateNamespace=true`, and whether it needs syncing
 * (`syncNamespace`): always when it does not exist yet; for an existing namespace only when
 * `managedNamespaceMetadata` is set, whose labels and annotations it then carries (applied
 * server-side, so other labels on the namespace survive).
 */
export function managedNamespaceTarget(
  namespace: string,
  live: KubeObject | undefined,
  metadata: ManagedNamespaceMetadata | undefined,
): { sync: boolean; target: KubeObject } {
  const target: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
  if (metadata === undefined && live !== undefined) return { sync: false, target };
  if (metadata !== undefined) {
    if (metadata.labels !== undefined) target.metadata.labels = { ...metadata.labels };
    target.metadata.annotations = {
      ...(metadata.annotations ?? {}),
      [Annotations.syncOptions]: 'ServerSideApply=true',
    };
  }
  return { sync: true, target };
}

function namespaceTask(
  input: BuildSyncTasksInput,
  creation: NamespaceCreation,
  results: ResourceResult[],
): { task: SyncTask; results: ResourceResult[] } | undefined {
  const ns = input.namespace;
  // Upstream looks only at resources here (its copy of the hooks into the list is a no-op), so a
  // Namespace declared as a hook does not stop the automatic one; Slipway keeps that.
  const declared = input.resources.some(
    (p) =>
      p.target !== undefined &&
      p.target.kind === 'Namespace' &&
      splitApiVersion(p.target.apiVersion).group === '' &&
      p.target.metadata.name === ns,
  );
  if (declared) return undefined;
  const live = creation.live;
  if (live !== undefined && 'error' in live) {
    const { target } = managedNamespaceTarget(ns, undefined, undefined);
    const task = newSyncTask('PreSync', target, undefined);
    const r = setResourceResult(
      results,
      task,
      'SyncFailed',
      'Error',
      `namespace auto creation failed: ${live.error}`,
    );
    return { task: r.task, results: r.results };
  }
  const { sync, target } = managedNamespaceTarget(ns, live, creation.managedNamespaceMetadata);
  if (!sync) return undefined;
  return { task: newSyncTask('PreSync', target, live), results };
}
