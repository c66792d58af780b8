/**
 * What Slipway writes into `Application.status`, computed purely: per-resource and app-level sync
 * status, `summary.images`, the bounded deployment history, conditions, and the operation state's
 * shape.
 *
 * Sync status (`controller/state.go` `CompareAppState`):
 *
 * - Hooks, `Skip` resources, hooks without a valid type, and live objects whose tracking id names
 *   another object get no status and do not affect the app.
 * - A resource is `OutOfSync` when its diff says modified, it is missing from the cluster, or it is
 *   extraneous (requires pruning). An extraneous resource annotated `compare-options:
 *   IgnoreExtraneous` is `OutOfSync` itself but does not make the app `OutOfSync`.
 * - The Namespace Slipway creates for `managedNamespaceMetadata` is never `OutOfSync` for being
 *   absent from Git.
 * - A resource the project does not permit, or any resource when manifests failed to load, is
 *   `Unknown`; failed manifests make the app `Unknown` too.
 * - The app is `OutOfSync` when any counted resource is, or when `managedNamespaceMetadata` changed
 *   since the last sync; otherwise `Synced`.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';
import type {
  Application,
  ApplicationCondition,
  ApplicationSource,
  ManagedNamespaceMetadata,
  Operation,
  OperationInitiator,
  OperationState,
  ResourceResult,
  ResourceStatus,
  RevisionHistory,
  SyncOperation,
  SyncOperationResult,
} from './application.ts';
import { hasMultipleSources, revisionHistoryLimit } from './application.ts';
import { isAnyHook, isIgnored, isSkip, syncWaveOf } from './hooks.ts';
import { hasIgnoreExtraneous, requiresDeletionConfirmation } from './sync-options.ts';
import type { IsNamespaced } from './tasks.ts';
import { isSelfReferenced, type TrackingOptions, trackedAppName } from './tracking.ts';
import { formatTimestamp, isCompleted, type OperationPhase, type SyncStatusCode } from './types.ts';

/** One compared resource: its desired and live state, and whether the diff found a change. */
export interface ComparedResource {
  target?: KubeObject | undefined;
  live?: KubeObject | undefined;
  /** The diff's verdict (`DiffResult.Modified`); false when there is nothing to compare. */
  modified: boolean;
  /** False when the AppProject does not permit this kind or name. Default true. */
  permitted?: boolean | undefined;
}

/** Inputs of {@link computeSyncStatus}. */
export interface SyncStatusInput {
  /** Pairs from `reconcile` (hooks excluded), with diff results. */
  resources: readonly ComparedResource[];
  /** Hooks from `reconcile`: live hooks take their sync wave from here. */
  hooks?: readonly KubeObject[] | undefined;
  /** The Application's instance name (`appInstanceName`). */
  appName: string;
  tracking?: TrackingOptions | undefined;
  /** `spec.syncPolicy.syncOptions` (for deletion confirmation). */
  syncOptions?: readonly string[] | undefined;
  /** `spec.destination.namespace`. */
  destinationNamespace: string;
  /** `spec.syncPolicy.managedNamespaceMetadata`. */
  managedNamespaceMetadata?: ManagedNamespaceMetadata | undefined;
  /** {@link hasChangedManagedNamespaceMetadata} of the Application. */
  managedNamespaceMetadataChanged?: boolean | undefined;
  /** Manifests or live state failed to load: everything is `Unknown`. */
  failedToLoad?: boolean | undefined;
  /** Scope lookup, to report namespaced objects without a namespace. */
  isNamespaced?: IsNamespaced | undefined;
}

/** App-level status, `status.resources`, and conditions raised while comparing. */
export interface SyncStatusResult {
  status: SyncStatusCode;
  resources: ResourceStatus[];
  conditions: ApplicationCondition[];
}

/**
 * Computes sync status from compared resources (the per-resource loop of `CompareAppState`).
 * @example
 * computeSyncStatus({ appName: 'guestbook', destinationNamespace: 'default',
 *   resources: [{ target: deploy, live: deployLive, modified: true }] }).status === 'OutOfSync'
 */
export function computeSyncStatus(input: SyncStatusInput): SyncStatusResult {
  let status: SyncStatusCode = 'Synced';
  const resources: ResourceStatus[] = [];
  const conditions: ApplicationCondition[] = [];
  const appOptions = input.syncOptions ?? [];
  for (const res of input.resources) {
    const { target, live } = res;
    const obj = live ?? target;
    if (obj === undefined) continue;
    const { group, version } = splitApiVersion(obj.apiVersion);
    const selfReferenced = isSelfReferenced(live, target, input.appName, input.tracking ?? {});
    const hook = isAnyHook(obj);
    const state: ResourceStatus = {
      group,
      version,
      kind: obj.kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
    };
    if (hook) state.hook = true;
    if (target === undefined && live !== undefined && selfReferenced) state.requiresPruning = true;
    if (requiresDeletionConfirmation(target, appOptions) || requiresDeletionConfirmation(live, appOptions)) {
      state.requiresDeletionConfirmation = true;
    }
    const wave = target !== undefined ? syncWaveOf(target) : hook ? hookWave(input.hooks ?? [], obj) : 0;
    if (wave !== 0) state.syncWave = wave;

    const managedNamespace =
      target !== undefined &&
      live === undefined &&
      target.kind === 'Namespace' &&
      target.metadata.name === input.destinationNamespace &&
      input.managedNamespaceMetadata !== undefined;

    if (hook || isIgnored(obj) || (target !== undefined && isSkip(target)) || !selfReferenced) {
      // Hooks, skipped resources and objects that copied someone else's tracking id have no
      // status and do not affect the app's.
    } else if (!managedNamespace && (res.modified || target === undefined || live === undefined)) {
      state.status = 'OutOfSync';
      const extraneous = target === undefined && live !== undefined;
      if (!extraneous || !hasIgnoreExtraneous(obj)) status = 'OutOfSync';
    } else {
      state.status = 'Synced';
    }
    if (res.permitted === false) state.status = 'Unknown';
    if (input.isNamespaced?.(group, obj.kind) === true && !obj.metadata.namespace) {
      conditions.push({
        type: 'InvalidSpecError',
        message: `Namespace for ${obj.metadata.name ?? ''} ${group}/${version}, Kind=${obj.kind} is missing.`,
      });
    }
    if (input.failedToLoad) state.status = 'Unknown';
    resources.push(state);
  }
  if (input.failedToLoad) status = 'Unknown';
  else if (input.managedNamespaceMetadataChanged) status = 'OutOfSync';
  return { status, resources, conditions };
}

function hookWave(hooks: readonly KubeObject[], live: KubeObject): number {
  const hook = hooks.find(
    (h) =>
      h.metadata.name === live.metadata.name &&
      h.kind === live.kind &&
      h.metadata.namespace === live.metadata.namespace,
  );
  return hook === undefined ? 0 : syncWaveOf(hook);
}

/**
 * True when `spec.syncPolicy.managedNamespaceMetadata` differs from what the last sync applied
 * (`HasChangedManagedNamespaceMetadata`); such a change makes the app OutOfSync.
 */
export function hasChangedManagedNamespaceMetadata(app: Application): boolean {
  const wanted = app.spec.syncPolicy?.managedNamespaceMetadata;
  const syncResult = app.status?.operationState?.syncResult;
  if (wanted === undefined || syncResult === undefined) return false;
  return !jsonEqual(wanted, syncResult.managedNamespaceMetadata);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

/** Structural equality of JSON values, ignoring key order and `undefined` fields. */
export function sameJson(a: unknown, b: unknown): boolean {
  return jsonEqual(a, b);
}

// ---- summary ---------------------------------------------------------------------------------

const POD_SPEC_PATHS: readonly (readonly string[])[] = [
  ['spec'],
  ['spec', 'template', 'spec'],
  ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
];

/**
 * `status.summary.images`: every image of every container and init container in the rendered pod
 * specs (Pods, templates of workloads, CronJob job templates), unique and sorted. Upstream collects
 * them from live Pods; Slipway reports what the manifests deploy, which is known before any Pod runs.
 * @example summaryImages([deployment('web', 'nginx:1.27'), cronjob('backup', 'restic:0.16')])
 *   // ['nginx:1.27', 'restic:0.16']
 */
export function summaryImages(objects: readonly KubeObject[]): string[] {
  const images = new Set<string>();
  for (const obj of objects) {
    for (const path of POD_SPEC_PATHS) {
      const spec = nested(obj, path);
      for (const list of ['initContainers', 'containers']) {
        const containers = nested(spec, [list]);
        if (!Array.isArray(containers)) continue;
        for (const c of containers) {
          const image = nested(c, ['image']);
          if (typeof image === 'string' && image !== '') images.add(image);
        }
      }
    }
  }
  return [...images].sort();
}

function nested(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

// ---- history ---------------------------------------------------------------------------------

/** Keeps the newest `limit` entries (`RevisionHistories.Trunc`); a negative limit keeps none. */
export function truncateHistory(history: readonly RevisionHistory[], limit: number): RevisionHistory[] {
  const n = Math.max(0, limit);
  return history.slice(Math.max(0, history.length - n));
}

/** What one successful sync deployed. */
export interface DeploymentRecord {
  /** The resolved revision (single source) ... */
  revision?: string | undefined;
  /** ... or revisions (multi-source). */
  revisions?: string[] | undefined;
  source?: ApplicationSource | undefined;
  sources?: ApplicationSource[] | undefined;
  /** When the operation started (`operationState.startedAt`). */
  deployStartedAt: string;
  initiatedBy?: OperationInitiator | undefined;
}

/**
 * Appends a deployment to `status.history` (`persistRevisionHistory`): id = last id + 1 (0 for the
 * first), `deployedAt = now`, then keeps the newest `spec.revisionHistoryLimit` entries (default 10).
 * @example appendHistory([], { revision: 'abc', deployStartedAt: '…' }, now, 10) // [{ id: 0, revision: 'abc', deployedAt: now, … }]
 */
export function appendHistory(
  history: readonly RevisionHistory[] | undefined,
  record: DeploymentRecord,
  now: Date,
  limit: number,
): RevisionHistory[] {
  const list = history ?? [];
  const last = list[list.length - 1];
  const entry: RevisionHistory = {
    id: last === undefined ? 0 : last.id + 1,
    deployedAt: formatTimestamp(now),
    deployStartedAt: record.deployStartedAt,
  };
  if (record.revisions !== undefined) entry.revisions = record.revisions;
  else if (record.revision !== undefined) entry.revision = record.revision;
  if (record.sources !== undefined) entry.sources = record.sources as RevisionHistory['sources'];
  else if (record.source !== undefined) entry.source = record.source as RevisionHistory['source'];
  if (record.initiatedBy !== undefined) entry.initiatedBy = record.initiatedBy;
  return truncateHistory([...list, entry], limit);
}

/** The history limit of an Application (`spec.revisionHistoryLimit`, default 10). */
export function historyLimit(app: Application): number {
  return revisionHistoryLimit(app.spec);
}

/**
 * True when a finished operation adds a history entry: it succeeded, was not a dry run and was not
 * selective (`SyncAppState`). Self-heal syncs are selective, so they add none.
 */
export function shouldRecordHistory(sync: SyncOperation, phase: OperationPhase): boolean {
  return phase === 'Succeeded' && !sync.dryRun && (sync.resources?.length ?? 0) === 0;
}

// ---- operation state -------------------------------------------------------------------------

/** A new `status.operationState` for an operation that starts now (`NewOperationState`). */
export function newOperationState(operation: Operation, now: Date): OperationState {
  return { operation, phase: 'Running', startedAt: formatTimestamp(now) };
}

/**
 * The initial `syncResult` of a sync (`newSyncOperationResult`): the operation's source(s) when it
 * names any (rollback), else the spec's; the requested revision(s), replaced by the resolved ones
 * once known.
 */
export function newSyncOperationResult(app: Application, op: SyncOperation): SyncOperationResult {
  const result: SyncOperationResult = { revision: op.revision ?? '' };
  if ((op.sources?.length ?? 0) > 0 || op.source !== undefined) {
    if (op.source !== undefined) result.source = op.source;
    if (op.sources !== undefined) result.sources = op.sources;
  } else {
    if (app.spec.sources !== undefined) result.sources = app.spec.sources;
    const source = hasMultipleSources(app.spec) ? app.spec.sources?.[0] : app.spec.source;
    if (source !== undefined) result.source = source;
  }
  if (op.revisions !== undefined) result.revisions = op.revisions;
  return result;
}

/**
 * `status.operationState` after a sync step: the new phase and message, the results, the managed
 * namespace metadata that was applied, and `finishedAt` once the phase is final.
 */
export function withStepOutcome(
  state: OperationState,
  outcome: {
    phase: OperationPhase;
    message: string;
    results: readonly ResourceResult[];
    managedNamespaceMetadata?: ManagedNamespaceMetadata | undefined;
  },
  now: Date,
): OperationState {
  const next: OperationState = structuredClone(state);
  next.phase = outcome.phase;
  next.message = outcome.message;
  const syncResult: SyncOperationResult = next.syncResult ?? { revision: '' };
  if (outcome.results.length > 0) syncResult.resources = [...outcome.results];
  else delete syncResult.resources;
  if (outcome.managedNamespaceMetadata !== undefined)
    syncResult.managedNamespaceMetadata = outcome.managedNamespaceMetadata;
  next.syncResult = syncResult;
  if (isCompleted(outcome.phase)) next.finishedAt = formatTimestamp(now);
  return next;
}

/** True while an operation is requested or running (`isOperationInProgress`). */
export function isOperationInProgress(app: Application): boolean {
  return (
    app.operation !== undefined ||
    (app.status?.operationState !== undefined && !isCompleted(app.status.operationState.phase))
  );
}

// ---- shared resources and sync preconditions -------------------------------------------------

/** `<namespace>/<name>` of an Application, or the bare name without a namespace (`QualifiedName`). */
export function qualifiedName(app: { metadata: { name: string; namespace?: string | undefined } }): string {
  return app.metadata.namespace ? `${app.metadata.namespace}/${app.metadata.name}` : app.metadata.name;
}

/**
 * `SharedResourceWarning` conditions for live objects that another Application tracks
 * (`CompareAppState`): `<Kind>/<name> is part of applications <this app> and <other app>`, with the
 * other app's `<ns>_<name>` instance name shown as `<ns>/<name>`.
 * @param instanceName this app's instance name (`appInstanceName`).
 */
export function sharedResourceConditions(
  live: readonly KubeObject[],
  app: { metadata: { name: string; namespace?: string | undefined } },
  instanceName: string,
  tracking: TrackingOptions = {},
): ApplicationCondition[] {
  const out: ApplicationCondition[] = [];
  for (const obj of live) {
    const owner = trackedAppName(obj, tracking);
    if (owner === '' || owner === instanceName) continue;
    out.push({
      type: 'SharedResourceWarning',
      message: `${obj.kind}/${obj.metadata.name ?? ''} is part of applications ${qualifiedName(app)} and ${owner.replaceAll('_', '/')}`,
    });
  }
  return out;
}

/**
 * Why a sync operation must not proceed, checked before any task is built (`SyncAppState`):
 * `FailOnSharedResource=true` with a `SharedResourceWarning` fails it (`Shared resource found:
 * <message>`); a `ComparisonError` or `InvalidSpecError` condition ends it in `Error` with the
 * conditions as `<type>: <message>` joined by `;`. Undefined when the sync may run.
 */
export function syncPrecondition(
  conditions: readonly ApplicationCondition[] | undefined,
  syncOptions: readonly string[] | undefined,
): { phase: 'Failed' | 'Error'; message: string } | undefined {
  const list = conditions ?? [];
  const shared = list.find((c) => c.type === 'SharedResourceWarning');
  if (shared !== undefined && (syncOptions ?? []).includes('FailOnSharedResource=true')) {
    return { phase: 'Failed', message: `Shared resource found: ${shared.message}` };
  }
  const errors = list.filter((c) => c.type === 'ComparisonError' || c.type === 'InvalidSpecError');
  if (errors.length > 0)
    return { phase: 'Error', message: errors.map((c) => `${c.type}: ${c.message}`).join(';') };
  return undefined;
}

// ---- conditions ------------------------------------------------------------------------------

/**
 * Replaces the conditions of the evaluated types (`ApplicationStatus.SetConditions`): others are
 * kept; a condition whose type and message are unchanged keeps its `lastTransitionTime`; new ones
 * get `now`. Sorted by type, message and time.
 * @example setConditions(existing, [{ type: 'SyncError', message: 'Failed last sync attempt to [abc]: boom' }], ['SyncError'], now)
 */
export function setConditions(
  existing: readonly ApplicationCondition[] | undefined,
  conditions: readonly ApplicationCondition[],
  evaluatedTypes: readonly string[],
  now: Date,
): ApplicationCondition[] {
  const stamp = formatTimestamp(now);
  const current = existing ?? [];
  const out: ApplicationCondition[] = [];
  for (const c of current) {
    if (!evaluatedTypes.includes(c.type))
      out.push({ ...c, lastTransitionTime: c.lastTransitionTime ?? stamp });
  }
  for (const c of conditions) {
    const previous = current.find((e) => e.type === c.type);
    if (previous !== undefined && previous.message === c.message) out.push(previous);
    else out.push({ ...c, lastTransitionTime: c.lastTransitionTime ?? stamp });
  }
  const key = (c: ApplicationCondition) => `${c.type}/${c.message}/${c.lastTransitionTime ?? ''}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
