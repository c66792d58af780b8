/**
 * The Application controller: Argo CD's application controller for `argoproj.io/v1alpha1`
 * Applications in one namespace, built on the pure core of `src/sync/`.
 *
 * Applications are watched through an informer; the objects they track through one shared
 * informer per kind ({@link LiveState}), so a change to a tracked object (drift) queues its app at
 * once. Git is polled once per interval (with jitter), or at once when the
 * `argocd.argoproj.io/refresh` annotation asks for it. Everything a sync has done lives in
 * `status.operationState`, so a controller stopped mid-sync resumes where it stopped.
 *
 * The Application CRD has no status subresource: status and operation are written on the main
 * object, with a JSON patch guarded by the resourceVersion that was read.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import { Controller } from '../kube/controller.ts';
import { ensureCrds, loadCrds } from '../kube/crds.ts';
import { isConflict, isNotFound } from '../kube/errors.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { sourceFile } from '../util/source-files.ts';
import type { WorkResult } from '../util/work-queue.ts';
import {
  type Application,
  type ApplicationCondition,
  type ApplicationSource,
  type ApplicationStatus,
  formatIssues,
  type OperationState,
  safeParseApplication,
  singleSource,
} from './application.ts';
import { decideAutoSync } from './autosync.ts';
import { runOperationStep } from './execute.ts';
import { finalizeApplication } from './finalize.ts';
import { LiveState } from './live.ts';
import { type ApplicationObservation, observeApplication } from './observe.ts';
import { completeFailedOperation, planRetryResume } from './retry.ts';
import { SourceCache } from './source.ts';
import {
  appendHistory,
  historyLimit,
  isOperationInProgress,
  newOperationState,
  newSyncOperationResult,
  sameJson,
  setConditions,
  shouldRecordHistory,
} from './status.ts';
import { runTerminationStep } from './terminate.ts';
import { appInstanceName } from './tracking.ts';
import { formatTimestamp, isCompleted } from './types.ts';

/** The annotation that asks for an immediate refresh (`normal` or `hard`). */
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';

/** The Application kind Slipway reconciles. */
export const APPLICATION_API = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' } as const;

/** Where the vendored Application CRD lives. */
export const APPLICATION_CRD_FILE = sourceFile('sync/crds/application-crd.yaml');

/** Options of {@link createApplicationController}. */
export interface ApplicationControllerOptions {
  client: KubeClient;
  /** The namespace whose Applications this controller owns; default `argocd`. */
  namespace?: string;
  /** How often git is polled per app (plus up to 10 % jitter); default 60 s. */
  pollIntervalMs?: number;
  /** The current time; default `() => new Date()`. */
  clock?: () => Date;
  /** Called with every reconcile error (the key is retried with backoff). */
  onError?: (key: string, err: unknown) => void;
  /** Folder of the git caches; default `${SLIPWAY_CACHE:-~/.cache/slipway}/git`. */
  gitCacheRoot?: string;
  /** Applications reconciled at the same time; default 4. */
  concurrency?: number;
}

/** A running (or startable) Application controller. */
export interface ApplicationController {
  /** Installs the CRD if missing, starts the informers, and queues every Application. */
  start(): Promise<void>;
  /** Stops reconciling (running reconciles are aborted) and every informer. */
  stop(): Promise<void>;
  /** Queues an Application now; `hard` also re-resolves its revision on the remote. */
  refresh(name: string, hard?: boolean): void;
  /**
   * A push to `repoURL` was announced (a webhook): what its refs resolved to is forgotten, and the
   * named Applications are queued; they share one fetch of the remote.
   */
  pushed(repoURL: string, names: readonly string[]): void;
  /** Applications queued or being reconciled right now (delayed requeues not counted). */
  readonly pending: number;
}

/** Everything one reconcile needs. */
interface Deps {
  client: KubeClient;
  namespace: string;
  pollIntervalMs: number;
  clock: () => Date;
  live: LiveState;
  sources: SourceCache;
  apps: Informer<KubeObject>;
  /** Apps whose next reconcile must re-resolve their revision (`refresh(name, true)`). */
  hardRefresh: Set<string>;
  /** Per app key, the resourceVersion Slipway's last write replaced. */
  superseded: Map<string, string>;
}

/**
 * Creates the controller for the Applications of one namespace.
 * @example
 * const controller = createApplicationController({ client, namespace: 'argocd' });
 * await controller.start();
 * process.once('SIGTERM', () => controller.stop());
 */
export function createApplicationController(options: ApplicationControllerOptions): ApplicationController {
  const namespace = options.namespace ?? 'argocd';
  const pollIntervalMs = options.pollIntervalMs ?? 60_000;
  const clock = options.clock ?? (() => new Date());
  const client = options.client;
  let controller: Controller<KubeObject> | undefined;
  const live = new LiveState(client, {
    onChange: (instance) => {
      // The instance name is `<ns>_<name>` for apps outside the controller's namespace.
      const sep = instance.indexOf('_');
      const key =
        sep < 0 ? `${namespace}/${instance}` : `${instance.slice(0, sep)}/${instance.slice(sep + 1)}`;
      if (key.startsWith(`${namespace}/`)) controller?.queue.add(key);
    },
    onError: (err) => options.onError?.('live', err),
  });
  const apps = new Informer<KubeObject>(client, { ...APPLICATION_API, namespace });
  const deps: Deps = {
    client,
    namespace,
    pollIntervalMs,
    clock,
    live,
    sources: new SourceCache({
      resolveTtlMs: pollIntervalMs,
      cacheRoot: options.gitCacheRoot,
      now: () => clock().getTime(),
    }),
    apps,
    hardRefresh: new Set(),
    superseded: new Map(),
  };
  return {
    async start() {
      // Two controllers syncing the same Applications would fight over every object.
      if (options.namespace === undefined) await refuseBesideArgoCd(client, namespace);
      const crds = await ensureCrds(client, loadCrds(APPLICATION_CRD_FILE));
      // Discovery cached before the CRD existed would not know the kind.
      if (crds.installed.length > 0) client.discovery.invalidate();
      controller = new Controller({
        name: 'applications',
        primary: apps,
        reconcile: (key, signal) =>
          reconcileApplication(key, deps, signal).catch((err: unknown) => {
            throw err instanceof SlipwayError
              ? err
              : new SlipwayError(errorMessage(err), {
                  subject: `Application/${key}`,
                  reason: 'ReconcileFailed',
                  cause: err,
                });
          }),
        concurrency: options.concurrency ?? 4,
        ...(options.onError ? { onError: options.onError } : {}),
      });
      await controller.start();
    },
    async stop() {
      await controller?.stop();
      await live.stop();
      await deps.sources.close();
    },
    refresh(name, hard = false) {
      if (hard) deps.hardRefresh.add(name);
      controller?.queue.add(`${namespace}/${name}`);
    },
    pushed(repoURL, names) {
      deps.sources.forgetResolved(repoURL);
      for (const name of names) controller?.queue.add(`${namespace}/${name}`);
    },
    get pending() {
      return controller?.queue.length ?? 0;
    },
  };
}

/** The label Argo CD's application controller carries (its StatefulSet and pods). */
const ARGOCD_CONTROLLER_SELECTOR = 'app.kubernetes.io/name=argocd-application-controller';

/**
 * Throws when an Argo CD application controller runs in the cluster: Slipway then only runs with
 * an explicitly given namespace, which the operator has made sure Argo CD does not watch.
 */
export async function refuseBesideArgoCd(client: KubeClient, namespace: string): Promise<void> {
  const found: string[] = [];
  for (const query of [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', labelSelector: ARGOCD_CONTROLLER_SELECTOR },
    { apiVersion: 'v1', kind: 'Pod', labelSelector: ARGOCD_CONTROLLER_SELECTOR },
  ]) {
    const list = await client.list(query);
    for (const item of list.items)
      found.push(`${item.kind ?? query.kind}/${item.metadata.namespace ?? ''}/${item.metadata.name ?? ''}`);
  }
  if (found.length === 0) return;
  throw new SlipwayError(
    `an Argo CD application controller is running (${found.slice(0, 3).join(', ')}); it would reconcile the same Applications. Pass the namespace Slipway owns explicitly (--namespace) to run beside it`,
    { subject: `Application/${namespace}`, reason: 'ArgoCdPresent' },
  );
}

// ---- the reconcile ---------------------------------------------------------------------------

/**
 * Brings one Application into line: observe (git and cluster), then run its operation or decide on
 * an automated sync, then report status. Returns when to look again.
 */
export async function reconcileApplication(
  key: string,
  deps: Deps,
  signal: AbortSignal,
): Promise<WorkResult | undefined> {
  const raw = deps.apps.get(key.slice(key.indexOf('/') + 1), deps.namespace) as KubeObject | undefined;
  if (raw === undefined) return undefined; // deleted: nothing to converge
  // The cache has not seen our last write yet: acting on the older state would repeat a step.
  if (deps.superseded.get(key) === raw.metadata.resourceVersion) return { requeueAfterMs: 100 };
  deps.superseded.delete(key);
  const parsed = safeParseApplication(raw);
  if (!parsed.success) return reportInvalidSpec(raw, formatIssues(parsed.issues), deps);
  const app = parsed.data;
  const now = deps.clock();

  // Being deleted: a running operation finishes first (as upstream), then the finalizer's work.
  if (app.metadata.deletionTimestamp !== undefined && !isOperationInProgress(app))
    return reconcileDeletion(raw, app, deps, signal);

  // 1. Observe: resolve the revision, render, compare with the live objects.
  const observed = await observe(app, deps, signal);
  if (observed instanceof Error) return reportComparisonError(raw, app, observed, deps);

  // 2. Act: continue (or start) the requested operation, else decide on an automated sync.
  let operationState = app.status?.operationState;
  let clearOperation = false;
  let requeueAfterMs = jitter(deps.pollIntervalMs);
  let syncError: ApplicationCondition | undefined;
  if (app.operation !== undefined || (operationState !== undefined && !isCompleted(operationState.phase))) {
    const step = await processOperation(app, observed, deps, signal);
    // Stopped mid-step: what an aborted request left behind is not a failure to record; the next
    // start resumes from the state last written.
    if (signal.aborted) return undefined;
    operationState = step.state;
    clearOperation = isCompleted(step.state.phase) && app.operation !== undefined;
    if (step.requeueAfterMs !== undefined) requeueAfterMs = step.requeueAfterMs;
  } else {
    const decision = decideAutoSync({
      app,
      syncStatus: { status: observed.syncStatus, revision: observed.revision },
      resources: observed.resources,
      now,
    });
    if (decision.kind === 'sync') {
      await writeOperation(raw, decision.operation, deps);
      return undefined; // the write itself queues the app again
    }
    if (decision.kind === 'wait') requeueAfterMs = Math.min(requeueAfterMs, decision.afterMs);
    if (decision.kind === 'condition') syncError = decision.condition;
  }

  // 3. Report: one status write, skipped when nothing changed.
  const history =
    clearOperation && operationState !== undefined && app.operation?.sync !== undefined
      ? recordHistory(app, operationState, now)
      : app.status?.history;
  const status = statusOf(app, observed, operationState, history, syncError, now);
  await writeStatus(raw, app, status, clearOperation, deps);
  return { requeueAfterMs };
}

/** Resolves, renders and compares; an error comes back as a value (it becomes a condition). */
async function observe(
  app: Application,
  deps: Deps,
  signal: AbortSignal,
  revisionOverride?: string,
  sourceOverride?: ApplicationSource,
): Promise<ApplicationObservation | Error> {
  try {
    const source = sourceOverride ?? singleSource(app);
    const refresh = app.metadata.annotations?.[REFRESH_ANNOTATION];
    const hard = refresh !== undefined || deps.hardRefresh.delete(app.metadata.name);
    const wanted = revisionOverride ?? source.targetRevision ?? 'HEAD';
    const revision = await deps.sources.resolve({ ...source, targetRevision: wanted }, hard);
    return await observeApplication(app, source, revision, {
      client: deps.client,
      live: deps.live,
      sources: deps.sources,
      instanceName: appInstanceName(app.metadata.name, app.metadata.namespace, deps.namespace),
      signal,
    });
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * One step of the operation (`processRequestedAppOperation`): start a requested operation, wait for
 * or start a retry, run a sync step (or, once `Terminating`, the termination), and on failure
 * schedule the next retry.
 */
async function processOperation(
  app: Application,
  observed: ApplicationObservation,
  deps: Deps,
  signal: AbortSignal,
): Promise<{ state: OperationState; requeueAfterMs?: number | undefined }> {
  const now = deps.clock();
  let state = app.status?.operationState;
  if (state === undefined || isCompleted(state.phase)) {
    if (app.operation === undefined) return { state: state as OperationState };
    state = newOperationState(app.operation, now);
  } else if (state.phase === 'Terminating') {
    // Checked before the retry wait: an operation waiting to retry can be terminated too.
    return terminateOperation(app, state, observed, deps, signal);
  } else if (state.finishedAt !== undefined) {
    const resume = planRetryResume(state, now);
    if (resume.kind === 'wait') return { state, requeueAfterMs: resume.waitMs };
    if (resume.kind === 'error') return { state: completeFailedOperation(resume.state, now) };
    state = resume.state;
  }
  const sync = state.operation.sync;
  if (sync === undefined) {
    return {
      state: {
        ...state,
        phase: 'Error',
        message: 'only sync operations are supported',
        finishedAt: formatTimestamp(now),
      },
    };
  }

  // The revision is resolved once, when the operation starts, and kept in its result. A rollback
  // names its own source (the one its history entry recorded); other syncs use the spec's.
  if (state.syncResult === undefined || state.syncResult.revision === '') {
    const result = newSyncOperationResult(app, sync);
    const wanted = sync.revision || (sync.source ?? app.spec.source)?.targetRevision || 'HEAD';
    const at = await observeAt(app, observed, wanted, sync.source, deps, signal);
    if (at instanceof Error) {
      const failed = { ...state, phase: 'Error' as const, message: errorMessage(at) };
      return { state: completeFailedOperation(failed, now) };
    }
    state = { ...state, syncResult: { ...result, revision: at.revision } };
  }
  const revision = state.syncResult?.revision ?? observed.revision;
  const at = await observeAt(app, observed, revision, sync.source, deps, signal);
  if (at instanceof Error)
    return { state: completeFailedOperation({ ...state, phase: 'Error', message: errorMessage(at) }, now) };

  const step = await runOperationStep({
    client: deps.client,
    app,
    state,
    observed: at,
    live: deps.live,
    now: deps.clock,
    signal,
  });
  if (step.state.phase === 'Failed' || step.state.phase === 'Error') {
    const next = completeFailedOperation(step.state, deps.clock());
    if (next.phase === 'Running') {
      const wait = planRetryResume(next, deps.clock());
      return { state: next, requeueAfterMs: wait.kind === 'wait' ? wait.waitMs : 0 };
    }
    return { state: next };
  }
  return step;
}

/**
 * The observation an operation works from: the reconcile's own when it is of the same revision and
 * source, else a fresh one at `revision` of `source` (a `--revision` sync, a rollback).
 */
async function observeAt(
  app: Application,
  observed: ApplicationObservation,
  revision: string,
  source: ApplicationSource | undefined,
  deps: Deps,
  signal: AbortSignal,
): Promise<ApplicationObservation | Error> {
  const specSource = source === undefined || sameJson(source, app.spec.source);
  if (revision === observed.revision && specSource) return observed;
  return observe(app, deps, signal, revision, specSource ? undefined : source);
}

/**
 * Terminates the operation (`syncContext.Terminate`, then the tail of
 * `processRequestedAppOperation` with `terminating` set): running hooks are stopped, nothing more
 * is applied, the operation ends `Failed` `Operation terminated`, and no retry follows.
 */
async function terminateOperation(
  app: Application,
  state: OperationState,
  observed: ApplicationObservation,
  deps: Deps,
  signal: AbortSignal,
): Promise<{ state: OperationState }> {
  const sync = state.operation.sync;
  const revision = state.syncResult?.revision || observed.revision;
  const at = await observeAt(app, observed, revision, sync?.source, deps, signal);
  if (at instanceof Error) {
    const failed: OperationState = { ...state, phase: 'Error', message: errorMessage(at) };
    return { state: completeFailedOperation(failed, deps.clock(), { terminating: true }) };
  }
  const step = await runTerminationStep({
    client: deps.client,
    app,
    state,
    observed: at,
    live: deps.live,
    now: deps.clock,
    signal,
  });
  return { state: completeFailedOperation(step.state, deps.clock(), { terminating: true }) };
}

/** `status.history` with the finished operation appended, when it is one to record. */
function recordHistory(app: Application, state: OperationState, now: Date) {
  const sync = state.operation.sync;
  if (sync === undefined || !shouldRecordHistory(sync, state.phase)) return app.status?.history;
  return appendHistory(
    app.status?.history,
    {
      revision: state.syncResult?.revision,
      // What was synced (`ComparedTo.Source`): a rollback's own source, else the spec's.
      source: sync.source ?? app.spec.source,
      deployStartedAt: state.startedAt,
      initiatedBy: state.operation.initiatedBy,
    },
    now,
    historyLimit(app),
  );
}

/** The status to write after a successful comparison. */
function statusOf(
  app: Application,
  observed: ApplicationObservation,
  operationState: OperationState | undefined,
  history: ApplicationStatus['history'],
  syncError: ApplicationCondition | undefined,
  now: Date,
): ApplicationStatus {
  const previous = app.status ?? {};
  const conditions = setConditions(
    previous.conditions,
    [...observed.conditions, ...(syncError ? [syncError] : [])],
    ['InvalidSpecError', 'ComparisonError', 'SyncError', 'RepeatedResourceWarning', 'SharedResourceWarning'],
    now,
  );
  const health =
    previous.health?.status === observed.health.status
      ? {
          ...observed.health,
          ...(previous.health.lastTransitionTime
            ? { lastTransitionTime: previous.health.lastTransitionTime }
            : {}),
        }
      : { ...observed.health, lastTransitionTime: formatTimestamp(now) };
  const status: ApplicationStatus = {
    ...previous,
    sync: {
      status: observed.syncStatus,
      revision: observed.revision,
      comparedTo: { source: app.spec.source, destination: app.spec.destination },
    },
    health,
    resources: [...observed.resources],
    summary: { ...(previous.summary ?? {}), images: [...observed.images] },
    sourceType: observed.sourceType,
    conditions,
  };
  if (conditions.length === 0) delete status.conditions;
  if (operationState !== undefined) status.operationState = operationState;
  if (history !== undefined) status.history = history;
  return status;
}

// ---- writes ----------------------------------------------------------------------------------

/**
 * Writes `status` (and removes the refresh annotation and, when finished, `operation`) with one
 * JSON patch guarded by the resourceVersion read; skipped when nothing but `reconciledAt` would
 * change. A conflict means the app changed meanwhile; its new version is already queued.
 */
async function writeStatus(
  raw: KubeObject,
  app: Application,
  status: ApplicationStatus,
  clearOperation: boolean,
  deps: Deps,
): Promise<void> {
  const refresh = app.metadata.annotations?.[REFRESH_ANNOTATION] !== undefined;
  const { reconciledAt: _old, ...before } = app.status ?? {};
  const { reconciledAt: _new, ...after } = status;
  if (!refresh && !clearOperation && sameJson(before, after)) return;
  const patch: unknown[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: raw.metadata.resourceVersion },
    { op: 'add', path: '/status', value: { ...status, reconciledAt: formatTimestamp(deps.clock()) } },
  ];
  if (refresh)
    patch.push({ op: 'remove', path: `/metadata/annotations/${REFRESH_ANNOTATION.replace('/', '~1')}` });
  if (clearOperation) patch.push({ op: 'remove', path: '/operation' });
  await patchApp(raw, patch, deps);
}

/** Starts an operation (as `argocd app sync` does): writes `operation`, guarded by resourceVersion. */
async function writeOperation(raw: KubeObject, operation: unknown, deps: Deps): Promise<void> {
  await patchApp(
    raw,
    [
      { op: 'test', path: '/metadata/resourceVersion', value: raw.metadata.resourceVersion },
      { op: 'add', path: '/operation', value: operation },
    ],
    deps,
  );
}

async function patchApp(raw: KubeObject, patch: unknown[], deps: Deps): Promise<void> {
  const key = `${raw.metadata.namespace ?? ''}/${raw.metadata.name ?? ''}`;
  try {
    deps.superseded.set(key, raw.metadata.resourceVersion ?? '');
    await deps.client.patch(
      { ...APPLICATION_API, name: raw.metadata.name ?? '', namespace: raw.metadata.namespace },
      patch,
      { type: 'json', fieldManager: 'slipway' },
    );
  } catch (err) {
    deps.superseded.delete(key);
    // A failed `test` (422) or a conflict: the app changed since it was read, and is queued again.
    if (
      isConflict(err) ||
      isNotFound(err) ||
      (err instanceof SlipwayError && 'code' in err && (err as { code: number }).code === 422)
    )
      return;
    throw err;
  }
}

// ---- deletion --------------------------------------------------------------------------------

/** How soon a deleting app is looked at again when no watched object changes meanwhile. */
const DELETION_REQUEUE_MS = 2_000;

/**
 * An Application being deleted (`finalizeApplicationDeletion`): with a resources finalizer, one
 * pass of cascading deletion; a failure is reported as the `DeletionError` condition (cleared
 * again once a pass succeeds) and retried.
 */
async function reconcileDeletion(
  raw: KubeObject,
  app: Application,
  deps: Deps,
  signal: AbortSignal,
): Promise<WorkResult | undefined> {
  const instanceName = appInstanceName(app.metadata.name, app.metadata.namespace, deps.namespace);
  let again: boolean;
  try {
    const outcome = await finalizeApplication(raw, app, {
      client: deps.client,
      live: deps.live,
      instanceName,
      signal,
    });
    again = outcome.again;
  } catch (err) {
    if (signal.aborted) return undefined;
    await writeDeletionError(raw, app, errorMessage(err), deps);
    throw err;
  }
  // Once the finalizer is removed the app is gone (or no longer ours to touch).
  if (!again) return undefined;
  await writeDeletionError(raw, app, undefined, deps);
  return { requeueAfterMs: DELETION_REQUEUE_MS };
}

/** Sets (or, with no message, clears) the `DeletionError` condition; skipped when unchanged. */
async function writeDeletionError(
  raw: KubeObject,
  app: Application,
  message: string | undefined,
  deps: Deps,
): Promise<void> {
  const previous = app.status ?? {};
  if (previous.conditions?.find((c) => c.type === 'DeletionError')?.message === message) return;
  const conditions = setConditions(
    previous.conditions,
    message === undefined ? [] : [{ type: 'DeletionError', message }],
    ['DeletionError'],
    deps.clock(),
  );
  const status: ApplicationStatus = { ...previous, conditions };
  if (conditions.length === 0) delete status.conditions;
  await patchApp(
    raw,
    [
      { op: 'test', path: '/metadata/resourceVersion', value: raw.metadata.resourceVersion },
      { op: 'add', path: '/status', value: status },
    ],
    deps,
  );
}

/** An Application that does not parse: `InvalidSpecError`, and nothing else is done. */
async function reportInvalidSpec(
  raw: KubeObject,
  message: string,
  deps: Deps,
): Promise<WorkResult | undefined> {
  const previous = (raw as { status?: ApplicationStatus }).status ?? {};
  const conditions = setConditions(
    previous.conditions,
    [{ type: 'InvalidSpecError', message }],
    ['InvalidSpecError'],
    deps.clock(),
  );
  if (!sameJson(previous.conditions, conditions)) {
    await patchApp(
      raw,
      [
        { op: 'test', path: '/metadata/resourceVersion', value: raw.metadata.resourceVersion },
        { op: 'add', path: '/status', value: { ...previous, conditions, sync: { status: 'Unknown' } } },
      ],
      deps,
    );
  }
  return undefined;
}

/** Manifests or live state could not be loaded: `ComparisonError`, sync status Unknown; poll again. */
async function reportComparisonError(
  raw: KubeObject,
  app: Application,
  err: Error,
  deps: Deps,
): Promise<WorkResult> {
  const condition =
    (err instanceof SlipwayError && err.reason === 'InvalidSpec') ||
    (err instanceof SlipwayError && err.reason === 'UnsupportedSpec')
      ? { type: 'InvalidSpecError', message: err.message }
      : { type: 'ComparisonError', message: err.message };
  const previous = app.status ?? {};
  const status: ApplicationStatus = {
    ...previous,
    sync: { ...(previous.sync ?? {}), status: 'Unknown' },
    conditions: setConditions(
      previous.conditions,
      [condition],
      ['InvalidSpecError', 'ComparisonError'],
      deps.clock(),
    ),
  };
  await writeStatus(raw, app, status, false, deps);
  return { requeueAfterMs: Math.min(jitter(deps.pollIntervalMs), 10_000) };
}

/** `ms` plus up to 10 % so apps added together do not poll in lockstep. */
function jitter(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.1));
}
