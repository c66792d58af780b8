/**
 * The sync operation engine as a pure step planner, modelled on gitops-engine's
 * `syncContext.Sync()`. The controller calls {@link planSyncStep} each time it processes a running
 * operation; the answer says what to do next, and the controller does it, records results and writes
 * `status.operationState`. All progress lives in `syncResult.resources`, so a controller killed at
 * any point resumes where it stopped.
 *
 * One step, in upstream's order:
 *
 * 1. Invalid tasks (unknown kind, not permitted): `Failed` `one or more synchronization tasks are
 *    not valid: <messages>`.
 * 2. First step only ({@link SyncStep} `prepare`): create the destination namespace
 *    (`CreateNamespace=true`), then dry-run every task; any dry-run failure ends the operation
 *    `Failed` `one or more objects failed to apply (dry run)`.
 * 3. Running tasks take their phase from health. Hooks: Healthy → Succeeded, Progressing/Suspended
 *    → Running, Degraded/Unknown → Failed, no health check → Succeeded `<name> created`. Resources:
 *    Healthy → Succeeded, Degraded → Failed, no health check → Succeeded, otherwise still Running.
 * 4. If the sync is multi-step (more than one phase/wave) and a task is running, or any hook is
 *    running: wait (`waiting for healthy state of …` / `waiting for completion of hook …`). A
 *    running task whose object is gone fails with `Resource <g>/<K>/<n> is missing, it might have
 *    been deleted`.
 * 5. Pruned objects still terminating: wait (`waiting for deletion of …`).
 * 6. A completed task failed: delete `HookFailed` hooks, run the `SyncFail` hooks, end `Failed`
 *    `one or more synchronization tasks completed unsuccessfully`.
 * 7. Nothing pending: delete `HookSucceeded` hooks, end `Succeeded` `successfully synced (no more
 *    tasks)`.
 * 8. Otherwise run the lowest (phase, wave) ({@link SyncStep} `wave`) and conclude with
 *    {@link concludeWave}: the final wave without hooks ends `Succeeded` `successfully synced (all
 *    tasks run)` at once, even if its resources later turn Degraded
 *    (`TestDegradedDeploymentIsSucceededAndSynced`); anything else keeps `Running` and waits.
 *
 * The executor of a {@link RunPlan} follows gitops-engine's `runTasks`; see {@link RunPlan}.
 *
 * @example
 * // One `Sync()` of upstream, as a controller runs it. `execute` carries out a RunPlan; `write`
 * // deletes `update.deleteHooks`, starts `update.startSyncFail`, then writes the operation state.
 * const input = { tasks, valid, results, options, liveChecks };
 * let step = planSyncStep(input);
 * if (step.kind === 'prepare') {
 *   let results = step.results;
 *   if (step.createNamespace) {
 *     const o = await execute(step.createNamespace, results);
 *     const failed = concludeNamespaceCreation(step, o);
 *     if (failed) return write(failed, o.results);
 *     results = o.results;
 *   }
 *   const d = await execute(step.dryRun, results);
 *   const failed = concludeDryRun(d);
 *   if (failed) return write(failed, d.results);
 *   step = planSyncStep({ ...input, results: d.results, prepared: true });
 * }
 * await removeHookFinalizers(step.removeFinalizers);
 * if (step.kind === 'update') return write(step.update, step.results);
 * const o = await execute(step.run, step.results);
 * if (o.state !== 'failed') await sleep(step.delayAfterMs);
 * return write(concludeWave(step, o), o.results);
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';
import type { ResourceResult } from './application.ts';
import { hasHookFinalizer } from './hooks.ts';
import {
  type ApplyMode,
  applyModeFor,
  isPruningDisabled,
  type OperationSyncOptions,
  operationSyncOptions,
  type PrunePropagationPolicy,
  requiresPruneConfirmation,
} from './sync-options.ts';
import {
  deletesBeforeCreation,
  deletesOnFailure,
  deletesOnSuccess,
  formatKeyForLookup,
  isPending,
  isPruneTask,
  isRunning,
  isTaskCompleted,
  type SyncTask,
  setResourceResult,
  withResults,
} from './tasks.ts';
import type { OperationPhase, ResultCode, SyncPhase } from './types.ts';

/** Upstream's delay between waves (`ARGOCD_SYNC_WAVE_DELAY`), not applied after the final wave. */
export const WAVE_DELAY_MS = 2_000;

/** Operation messages, exactly as gitops-engine writes them. */
export const Messages = {
  notValid: 'one or more synchronization tasks are not valid',
  dryRunFailed: 'one or more objects failed to apply (dry run)',
  applyFailed: 'one or more objects failed to apply',
  completedUnsuccessfully: 'one or more synchronization tasks completed unsuccessfully',
  syncFailHooksFailed: 'one or more SyncFail hooks failed',
  noMoreTasks: 'successfully synced (no more tasks)',
  allTasksRun: 'successfully synced (all tasks run)',
  tasksRunning: 'one or more tasks are running',
  namespaceFailed: 'the namespace failed to apply',
  terminated: 'Operation terminated',
  terminationErrors: 'Operation termination had errors',
} as const;

/** Options of one sync operation, resolved once per step. */
export interface SyncStepOptions {
  /** `operation.sync.dryRun`. */
  dryRun?: boolean;
  /** `operation.sync.prune`. */
  prune?: boolean;
  /** The Application's `deletion-approved` is at or after the operation start (`isDeletionConfirmed`). */
  pruneConfirmed?: boolean;
  /** The operation's resolved sync options; default: none given. */
  syncOptions?: OperationSyncOptions;
  /** `operation.sync.syncStrategy.{apply|hook}.force`. */
  strategyForce?: boolean;
  /** The destination namespace (to recognise the `CreateNamespace` task). */
  namespace?: string;
  /**
   * Diff results for `ApplyOutOfSyncOnly`: `modified` per resource, keyed by
   * `formatResourceKey(resourceKeyOf(live ?? predicted))` (see {@link formatKeyForLookup}).
   * Resources without an entry are applied.
   */
  modified?: ReadonlyMap<string, boolean>;
  /** Client-side apply manager to migrate under server-side apply; default `kubectl-client-side-apply`. */
  clientSideApplyManager?: string;
}

/** Inputs of {@link planSyncStep}. */
export interface SyncStepInput {
  /** From `buildSyncTasks` (sorted, with live objects and health). */
  tasks: readonly SyncTask[];
  /** `buildSyncTasks(...).valid`. */
  valid: boolean;
  /** `operationState.syncResult.resources` (as updated by `buildSyncTasks`). */
  results: readonly ResourceResult[];
  options: SyncStepOptions;
  /** Set when this call already ran the `prepare` step (namespace creation and dry run). */
  prepared?: boolean;
  /**
   * For running tasks with no cached live object ({@link runningWithoutLive}): what a fresh GET
   * found, by task id. `exists` keeps waiting (the cache lags); `missing` (the default) fails the
   * task as deleted; an error records `Failed to get live resource <error>`.
   */
  liveChecks?: ReadonlyMap<string, LiveCheck>;
}

/** The result of re-reading a running task's object from the API server. */
export type LiveCheck = 'exists' | 'missing' | { error: string };

/** How an object is pruned (`pruneObject`). */
export interface PruneStep {
  task: SyncTask;
  /** Issue a DELETE (false when skipped, in a dry run, or the object is already terminating). */
  delete: boolean;
  propagationPolicy: PrunePropagationPolicy;
  /** The result when nothing fails: `Pruned` or `PruneSkipped`. */
  status: ResultCode;
  /** `pruned`, `pruned (dry run)`, `ignored (requires pruning)` or `ignored (no prune)`. */
  message: string;
}

/** How an object is applied (`applyObject`). */
export interface ApplyStep {
  task: SyncTask;
  target: KubeObject;
  mode: ApplyMode;
  /** Under server-side apply, move fields owned by this client-side manager first (`csaupgrade`). */
  migrateClientSideApplyFrom?: string | undefined;
  /** A CRD: after a real apply, wait (up to 3 s) for it to become Established. */
  waitForEstablished: boolean;
}

/**
 * One `runTasks` call, laid out for an executor. The executor keeps a run state (`successful`,
 * `pending`, `failed`; failed is final, pending can only turn failed) and, in order:
 *
 * 1. Unless `dryRun`: removes the hook finalizer of each `removeFinalizers` task (in parallel). A
 *    failure records `Error` `failed to remove hook finalizer: <err>` and fails the run. Stop
 *    unless still successful.
 * 2. If `awaitingPruneConfirmation`: stop with `pending`.
 * 3. Runs each `prune` step (in parallel): DELETE when `delete`; a failed DELETE records
 *    `SyncFailed` with the error and fails the run; otherwise the step's result is recorded when
 *    {@link RunPlan.recordSuccess}. Stop unless still successful.
 * 4. Unless `dryRun`: deletes each `deleteBeforeCreation` hook (in parallel). NotFound is fine (report
 *    it in {@link RunOutcome.gone}); another error records `Error` `failed to delete resource: <err>`
 *    and fails the run; a successful delete makes the run `pending`. Stop unless still successful.
 * 5. Applies each group of `apply` in turn (the steps of a group in parallel), continuing after a
 *    failure. A failure records `SyncFailed`/`Failed` with the error and fails the run; a success is
 *    recorded as `Synced` with the tool's message when {@link RunPlan.recordSuccess}, phase
 *    {@link RunPlan.successPhase}.
 *
 * Use {@link recordRunResult} to record, so messages and orders stay upstream's.
 */
export interface RunPlan {
  /** True for a dry run (the preparation dry run, or a dry-run operation). */
  dryRun: boolean;
  /** The tasks this plan runs. */
  tasks: SyncTask[];
  removeFinalizers: SyncTask[];
  awaitingPruneConfirmation: boolean;
  prune: PruneStep[];
  deleteBeforeCreation: SyncTask[];
  /** Consecutive tasks of the same kind form a group; groups run one after another. */
  apply: ApplyStep[][];
  /** Record successful results (false in the preparation dry run of a real operation). */
  recordSuccess: boolean;
  /** Phase of a successful apply: `Running` (awaiting health), or `Succeeded` in a dry-run operation. */
  successPhase: OperationPhase;
}

/** The tri-state result of running a plan. */
export type RunState = 'successful' | 'pending' | 'failed';

/** What the executor reports after running a {@link RunPlan}. */
export interface RunOutcome {
  state: RunState;
  /** The results after recording every task's outcome. */
  results: ResourceResult[];
  /** Ids of tasks whose live object turned out to be gone (a NotFound while deleting before creation). */
  gone?: readonly string[];
}

/** Combines run states as upstream's `stateSync` does: `failed` is final; `pending` only becomes `failed`. */
export function combineRunStates(current: RunState, next: RunState): RunState {
  if (current === 'failed' || next === 'failed') return 'failed';
  if (current === 'pending' || next === 'pending') return 'pending';
  return 'successful';
}

/** What to write into `status.operationState`, and the effects that go with it. */
export interface OperationUpdate {
  phase: OperationPhase;
  message: string;
  /** Hooks to delete per their delete policy (upstream deletes them before writing the phase). */
  deleteHooks: SyncTask[];
  /** SyncFail hooks to start; their outcome is recorded but does not change this update. */
  startSyncFail?: RunPlan | undefined;
}

/** The next thing to do. */
export type SyncStep =
  /** First step only: create the namespace (if needed), then dry-run; see {@link concludeNamespaceCreation}, {@link concludeDryRun}. */
  | { kind: 'prepare'; createNamespace?: RunPlan | undefined; dryRun: RunPlan; results: ResourceResult[] }
  /**
   * Write `update` (after removing `removeFinalizers`' hook finalizers; if one of those fails,
   * record `Error` `Failed to remove hook finalizer: <err>` and plan again instead).
   */
  | { kind: 'update'; update: OperationUpdate; removeFinalizers: SyncTask[]; results: ResourceResult[] }
  /** Run one phase/wave, sleep `delayAfterMs`, then write {@link concludeWave}. */
  | WaveStep;

/** Runs one phase and wave. */
export interface WaveStep {
  kind: 'wave';
  phase: SyncPhase;
  wave: number;
  /** The last phase/wave with pending tasks. */
  finalWave: boolean;
  run: RunPlan;
  /** Sleep after applying, before concluding (2 s unless final, or when the run failed). */
  delayAfterMs: number;
  /** Hook finalizers to remove first (completed hooks); as for `update`. */
  removeFinalizers: SyncTask[];
  /** Message to write while the wave runs. */
  message: string;
  results: ResourceResult[];
  /** Pending tasks after this wave. */
  remaining: number;
  syncFailTasks: SyncTask[];
  hooksToDeleteOnSuccess: SyncTask[];
  hooksToDeleteOnFailure: SyncTask[];
  options: SyncStepOptions;
}

// ---- messages --------------------------------------------------------------------------------

/**
 * `waiting for …` (`setRunningPhase`): hooks first, then resources; `deletion of` when objects are
 * terminating; `pruning confirmation of` when a prune awaits `deletion-approved`.
 * @example runningMessage([pod1, hook1, pod2], false) === 'waiting for completion of hook /Pod/hook-1 and 2 more resources'
 */
export function runningMessage(
  tasks: readonly SyncTask[],
  pendingDeletion: boolean,
  options: { pruneConfirmed?: boolean; defaultPrune?: string | undefined } = {},
): string {
  if (tasks.length === 0) return '';
  const hooks = tasks.filter((t) => t.hook);
  const resources = tasks.filter((t) => !t.hook);
  let reason = hooks.length === 0 ? 'healthy state of' : 'completion of hook';
  const taskType = resources.length === 0 ? 'hooks' : 'resources';
  if (pendingDeletion) reason = hooks.length !== 0 ? 'deletion of hook' : 'deletion of';
  let first = (hooks.length !== 0 ? hooks[0] : resources[0]) as SyncTask;
  let additional = tasks.length - 1;
  if (!options.pruneConfirmed) {
    const toConfirm = tasks.filter(
      (t) => isPruneTask(t) && requiresPruneConfirmation(t.live, options.defaultPrune),
    );
    if (toConfirm.length > 0) {
      reason = 'pruning confirmation of';
      first = toConfirm[0] as SyncTask;
      additional = toConfirm.length - 1;
    }
  }
  const message = `waiting for ${reason} ${first.key.group}/${first.key.kind}/${first.key.name}`;
  return additional > 0 ? `${message} and ${additional} more ${taskType}` : message;
}

/** `<message>, reason: <m1>,<m2>` over the distinct messages of `tasks` (`errorMessageFactory`). */
function withReasons(tasks: readonly SyncTask[], message: string): string {
  if (tasks.length === 0) return message;
  const messages = [...new Set(tasks.map((t) => t.message ?? ''))];
  return `${message}, reason: ${messages.join(',')}`;
}

// ---- health → phase --------------------------------------------------------------------------

/**
 * The phase of a running hook from its live object's health (`getOperationPhase`): no health
 * check → Succeeded `<name> created`; Healthy → Succeeded; Progressing/Suspended → Running;
 * Degraded/Unknown → Failed (Missing keeps the default).
 */
export function hookPhaseFromHealth(task: SyncTask): { phase: OperationPhase; message: string } {
  const health = task.liveHealth;
  const name = task.live?.metadata.name ?? task.key.name;
  if (health === undefined) return { phase: 'Succeeded', message: `${name} created` };
  switch (health.status) {
    case 'Unknown':
    case 'Degraded':
      return { phase: 'Failed', message: health.message ?? '' };
    case 'Progressing':
    case 'Suspended':
      return { phase: 'Running', message: health.message ?? '' };
    case 'Healthy':
      return { phase: 'Succeeded', message: health.message ?? '' };
    default:
      return { phase: 'Succeeded', message: `${name} created` };
  }
}

/**
 * The phase of a running resource from health: no health check or Healthy → Succeeded, Degraded →
 * Failed, anything else undefined (still running).
 */
export function resourcePhaseFromHealth(
  task: SyncTask,
): { phase: OperationPhase; message: string } | undefined {
  const health = task.liveHealth;
  if (health === undefined) return { phase: 'Succeeded', message: task.message ?? '' };
  if (health.status === 'Healthy') return { phase: 'Succeeded', message: health.message ?? '' };
  if (health.status === 'Degraded') return { phase: 'Failed', message: health.message ?? '' };
  return undefined;
}

// ---- task-list helpers -----------------------------------------------------------------------

/** True when the tasks span more than one (phase, wave) (`syncTasks.multiStep`). */
export function isMultiStep(tasks: readonly SyncTask[]): boolean {
  const first = tasks[0];
  const last = tasks[tasks.length - 1];
  if (first === undefined || last === undefined) return false;
  return first.wave !== last.wave || first.phase !== last.phase;
}

/**
 * Running tasks without a cached live object: re-read these from the API server before planning
 * (the informer may lag) and report what was found in {@link SyncStepInput.liveChecks}. Health is
 * still read from the cache, as upstream does. Pass `results` to see the tasks' current state (after
 * a `prepare` step, say).
 */
export function runningWithoutLive(
  tasks: readonly SyncTask[],
  results?: readonly ResourceResult[],
): SyncTask[] {
  const current = results === undefined ? tasks : withResults(tasks, results);
  return current.filter((t) => isRunning(t) && t.live === undefined);
}

function filterOutOfSync(tasks: readonly SyncTask[], options: SyncStepOptions): SyncTask[] {
  return tasks.filter((t) => {
    if (t.hook) return true;
    const modified = options.modified?.get(formatKeyForLookup(t));
    return !(modified === false && t.target !== undefined && t.live !== undefined);
  });
}

// ---- run plans -------------------------------------------------------------------------------

/**
 * The prune decision of a task (`pruneObject`): skipped without `prune`, or with `Prune=false`;
 * `pruned (dry run)` in a dry run; else a DELETE, unless the object is already terminating.
 */
export function pruneStepFor(task: SyncTask, options: SyncStepOptions, dryRun: boolean): PruneStep {
  const syncOptions = options.syncOptions ?? operationSyncOptions([]);
  const base = { task, delete: false, propagationPolicy: syncOptions.prunePropagationPolicy };
  if (!options.prune) return { ...base, status: 'PruneSkipped', message: 'ignored (requires pruning)' };
  if (isPruningDisabled(task.live, syncOptions.prune))
    return { ...base, status: 'PruneSkipped', message: 'ignored (no prune)' };
  if (dryRun) return { ...base, status: 'Pruned', message: 'pruned (dry run)' };
  // An object already terminating is not deleted again, which would only cause a hot loop.
  return { ...base, delete: !task.live?.metadata.deletionTimestamp, status: 'Pruned', message: 'pruned' };
}

/** Lays out a `runTasks` call; see {@link RunPlan} for how to execute it. */
export function planRun(tasks: readonly SyncTask[], options: SyncStepOptions, dryRunCall: boolean): RunPlan {
  const opDryRun = options.dryRun ?? false;
  const dryRun = dryRunCall || opDryRun;
  const syncOptions = options.syncOptions ?? operationSyncOptions([]);
  const pruneTasks = tasks.filter(isPruneTask);
  const createTasks = tasks.filter((t) => !isPruneTask(t));
  const awaitingPruneConfirmation =
    !(options.pruneConfirmed ?? false) &&
    pruneTasks.some((t) => requiresPruneConfirmation(t.live, syncOptions.prune));
  const apply: ApplyStep[][] = [];
  let group: ApplyStep[] = [];
  for (const task of createTasks) {
    // Only tasks with a target reach here; dry runs skip kinds the cluster does not serve yet.
    const target = task.target as KubeObject;
    if (group.length > 0 && group[0]?.target.kind !== target.kind) {
      apply.push(group);
      group = [];
    }
    const mode = applyModeFor(target, task.live, {
      app: syncOptions,
      strategyForce: options.strategyForce ?? false,
      dryRun,
    });
    const manager = options.clientSideApplyManager ?? 'kubectl-client-side-apply';
    const migrate =
      mode.serverSide &&
      !dryRun &&
      syncOptions.clientSideApplyMigration &&
      needsCsaMigration(task.live, manager);
    const step: ApplyStep = {
      task,
      target,
      mode,
      migrateClientSideApplyFrom: migrate ? manager : undefined,
      waitForEstablished:
        !dryRun &&
        target.kind === 'CustomResourceDefinition' &&
        splitApiVersion(target.apiVersion).group === 'apiextensions.k8s.io',
    };
    if (!(dryRun && task.skipDryRun)) group.push(step);
  }
  if (group.length > 0) apply.push(group);
  return {
    dryRun,
    tasks: [...tasks],
    removeFinalizers: tasks.filter(
      (t) => t.hook && isPending(t) && t.live !== undefined && hasHookFinalizer(t.live),
    ),
    awaitingPruneConfirmation,
    prune: pruneTasks.map((t) => pruneStepFor(t, options, dryRun)),
    deleteBeforeCreation: createTasks.filter(deletesBeforeCreation),
    apply: apply.filter((g) => g.length > 0),
    recordSuccess: !dryRun || opDryRun,
    successPhase: opDryRun ? 'Succeeded' : 'Running',
  };
}

/** True when a live object has fields owned by `manager` through client-side apply (`Update`). */
export function needsCsaMigration(live: KubeObject | undefined, manager: string): boolean {
  const fields = live?.metadata.managedFields;
  if (!Array.isArray(fields)) return false;
  return fields.some((f) => {
    const entry = f as { manager?: unknown; operation?: unknown };
    return entry.manager === manager && entry.operation === 'Update';
  });
}

/**
 * Records the outcome of one task of a run with upstream's rules: failures always, successes only
 * when `plan.recordSuccess`; an apply success is `Synced` with `plan.successPhase`, a prune result
 * `Succeeded`, a failure `Failed`.
 * @returns the new results (unchanged when nothing is recorded).
 */
export function recordRunResult(
  results: readonly ResourceResult[],
  plan: RunPlan,
  task: SyncTask,
  status: ResultCode,
  message: string,
): ResourceResult[] {
  if (status !== 'SyncFailed' && !plan.recordSuccess) return [...results];
  const phase: OperationPhase =
    status === 'SyncFailed' ? 'Failed' : status === 'Synced' ? plan.successPhase : 'Succeeded';
  return setResourceResult(results, task, status, phase, message).results;
}

// ---- the planner -----------------------------------------------------------------------------

/** A mutable working copy of tasks and results, local to one planning call. */
class Book {
  tasks: SyncTask[];
  results: ResourceResult[];

  constructor(tasks: readonly SyncTask[], results: readonly ResourceResult[]) {
    this.results = [...results];
    this.tasks = withResults(tasks, results);
  }

  set(
    task: SyncTask,
    status: ResultCode | undefined,
    phase: OperationPhase | undefined,
    message: string,
  ): SyncTask {
    const r = setResourceResult(this.results, task, status, phase, message);
    this.results = r.results;
    this.tasks = this.tasks.map((t) => (t.id === task.id ? r.task : t));
    return r.task;
  }
}

/**
 * Plans the next step of a sync operation. Pure: time, health and live state are inputs.
 * @example
 * // one Deployment, nothing live yet, first call
 * planSyncStep({ tasks, valid: true, results: [], options: {} }).kind === 'prepare'
 * // after the dry run passed
 * const step = planSyncStep({ tasks, valid: true, results: [], options: {}, prepared: true });
 * // step.kind === 'wave', step.finalWave === true; concludeWave(step, { state: 'successful', results })
 * //   → { phase: 'Succeeded', message: 'successfully synced (all tasks run)' }
 */
export function planSyncStep(input: SyncStepInput): SyncStep {
  const options = input.options;
  const book = new Book(input.tasks, input.results);
  const defaultPrune = options.syncOptions?.prune;

  if (!input.valid) {
    const messages = [
      ...new Set(
        book.results.filter((r) => r.status === 'SyncFailed' && r.message).map((r) => r.message as string),
      ),
    ].sort();
    const message = messages.length > 0 ? `${Messages.notValid}: ${messages.join('; ')}` : Messages.notValid;
    return update(book, { phase: 'Failed', message, deleteHooks: [] });
  }

  if (book.results.length === 0 && !input.prepared) {
    const ns = options.namespace ?? '';
    const nsTask = book.tasks.find(
      (t) =>
        t.live === undefined &&
        t.target !== undefined &&
        t.target.kind === 'Namespace' &&
        splitApiVersion(t.target.apiVersion).group === '' &&
        t.target.metadata.name === ns,
    );
    let dryRunTasks = nsTask === undefined ? book.tasks : book.tasks.filter((t) => t !== nsTask);
    if (options.syncOptions?.applyOutOfSyncOnly) dryRunTasks = filterOutOfSync(dryRunTasks, options);
    return {
      kind: 'prepare',
      createNamespace: nsTask === undefined ? undefined : planRun([nsTask], options, false),
      dryRun: planRun(dryRunTasks, options, true),
      results: book.results,
    };
  }

  // Running tasks take their phase from health (prune tasks never run).
  for (const task of book.tasks.filter((t) => isRunning(t) && t.live !== undefined)) {
    if (task.hook) {
      const { phase, message } = hookPhaseFromHealth(task);
      book.set(task, task.syncStatus, phase, message);
    } else {
      const next = resourcePhaseFromHealth(task);
      if (next !== undefined) book.set(task, task.syncStatus, next.phase, next.message);
    }
  }

  const multiStep = isMultiStep(book.tasks);
  const running = book.tasks.filter((t) => (multiStep || t.hook) && isRunning(t));
  if (running.length > 0) {
    // A running task whose object is gone would otherwise wait for health forever.
    for (const task of running) {
      if (task.live !== undefined) continue;
      const check = input.liveChecks?.get(task.id) ?? 'missing';
      if (check === 'exists') continue;
      if (typeof check === 'object') {
        book.set(task, task.syncStatus, 'Error', `Failed to get live resource ${check.error}`);
        continue;
      }
      const k = task.key;
      book.set(
        task,
        'SyncFailed',
        'Error',
        `Resource ${k.group}/${k.kind}/${k.name} is missing, it might have been deleted`,
      );
    }
    return update(book, {
      phase: 'Running',
      message: runningMessage(running, false, {
        pruneConfirmed: options.pruneConfirmed ?? false,
        defaultPrune,
      }),
      deleteHooks: [],
    });
  }

  const terminating = book.tasks.filter(
    (t) => t.syncStatus === 'Pruned' && t.live?.metadata.deletionTimestamp,
  );
  if (terminating.length > 0) {
    return update(book, {
      phase: 'Running',
      message: runningMessage(terminating, true, {
        pruneConfirmed: options.pruneConfirmed ?? false,
        defaultPrune,
      }),
      deleteHooks: [],
    });
  }

  const removeFinalizers = book.tasks.filter((t) => t.hook && isTaskCompleted(t) && hasHookFinalizer(t.live));
  const hooksToDeleteOnSuccess = book.tasks.filter(
    (t) => t.hook && t.live !== undefined && !isRunning(t) && deletesOnSuccess(t),
  );
  const hooksToDeleteOnFailure = book.tasks.filter(
    (t) => t.hook && t.live !== undefined && !isRunning(t) && deletesOnFailure(t),
  );
  const syncFailTasks = book.tasks.filter((t) => t.phase === 'SyncFail');
  const tasks = book.tasks.filter((t) => t.phase !== 'SyncFail');

  if (tasks.some((t) => isTaskCompleted(t) && t.operationState !== 'Succeeded')) {
    const failedTasks = tasks.filter((t) => t.syncStatus === 'SyncFailed');
    const result = syncFailPhase(syncFailTasks, failedTasks, Messages.completedUnsuccessfully, options);
    return {
      kind: 'update',
      update: { ...result.update, deleteHooks: hooksToDeleteOnFailure },
      removeFinalizers,
      results: book.results,
    };
  }

  let pending = tasks.filter(isPending);
  if (options.syncOptions?.applyOutOfSyncOnly) pending = filterOutOfSync(pending, options);
  const first = pending[0];
  const last = pending[pending.length - 1];
  if (first === undefined || last === undefined) {
    return {
      kind: 'update',
      update: { phase: 'Succeeded', message: Messages.noMoreTasks, deleteHooks: hooksToDeleteOnSuccess },
      removeFinalizers,
      results: book.results,
    };
  }
  const finalWave = first.phase === last.phase && first.wave === last.wave;
  const waveTasks = pending.filter((t) => t.phase === first.phase && t.wave === first.wave);
  return {
    kind: 'wave',
    phase: first.phase,
    wave: first.wave,
    finalWave,
    run: planRun(waveTasks, options, false),
    delayAfterMs: finalWave ? 0 : WAVE_DELAY_MS,
    removeFinalizers,
    message: Messages.tasksRunning,
    results: book.results,
    remaining: pending.length - waveTasks.length,
    syncFailTasks,
    hooksToDeleteOnSuccess,
    hooksToDeleteOnFailure,
    options,
  };
}

function update(book: Book, u: OperationUpdate): SyncStep {
  return { kind: 'update', update: u, removeFinalizers: [], results: book.results };
}

/**
 * `executeSyncFailPhase`: without SyncFail hooks, fail now; when they have all completed, fail
 * (adding `one or more SyncFail hooks failed, reason: …` for failed ones); otherwise start the pending
 * ones and wait for them.
 */
function syncFailPhase(
  syncFailTasks: readonly SyncTask[],
  failedTasks: readonly SyncTask[],
  message: string,
  options: SyncStepOptions,
): { update: OperationUpdate; completed: boolean } {
  let errorMessage = withReasons(failedTasks, message);
  if (syncFailTasks.length === 0) {
    return { update: { phase: 'Failed', message: errorMessage, deleteHooks: [] }, completed: true };
  }
  if (syncFailTasks.every(isTaskCompleted)) {
    const failedHooks = syncFailTasks.filter((t) => t.syncStatus === 'SyncFailed');
    if (failedHooks.length > 0)
      errorMessage = `${errorMessage}\n${withReasons(failedHooks, Messages.syncFailHooksFailed)}`;
    return { update: { phase: 'Failed', message: errorMessage, deleteHooks: [] }, completed: true };
  }
  const toStart = syncFailTasks.filter((t) => !isTaskCompleted(t) && !isRunning(t));
  return {
    update: {
      phase: 'Running',
      message: runningMessage(toStart, false, {
        pruneConfirmed: options.pruneConfirmed ?? false,
        defaultPrune: options.syncOptions?.prune,
      }),
      deleteHooks: [],
      startSyncFail: toStart.length > 0 ? planRun(toStart, options, false) : undefined,
    },
    completed: false,
  };
}

/**
 * What to write after running a wave (the tail of `Sync()`).
 *
 * - failed: if tasks of the wave are still running, start the SyncFail hooks (if any) and wait for
 *   all of them; else fail via the SyncFail phase (`one or more objects failed to apply, reason: …`).
 * - successful: the final wave with no hooks is `Succeeded` `successfully synced (all tasks run)`;
 *   otherwise wait for the wave's tasks.
 * - pending (hooks being deleted before re-creation, prunes awaiting confirmation): wait.
 */
export function concludeWave(step: WaveStep, outcome: RunOutcome): OperationUpdate {
  const options = step.options;
  const messageOptions = {
    pruneConfirmed: options.pruneConfirmed ?? false,
    defaultPrune: options.syncOptions?.prune,
  };
  const gone = new Set(outcome.gone ?? []);
  const tasks = withResults(step.run.tasks, outcome.results).map((t) =>
    gone.has(t.id) ? { ...t, live: undefined } : t,
  );
  switch (outcome.state) {
    case 'failed': {
      const failedTasks = tasks.filter((t) => t.syncStatus === 'SyncFailed');
      const running = tasks.filter(isRunning);
      if (running.length > 0) {
        let startSyncFail: RunPlan | undefined;
        let waitFor = running;
        if (step.syncFailTasks.length > 0) {
          const r = syncFailPhase(step.syncFailTasks, failedTasks, Messages.applyFailed, options);
          if (!r.completed) {
            waitFor = [...running, ...step.syncFailTasks];
            startSyncFail = r.update.startSyncFail;
          }
        }
        return {
          phase: 'Running',
          message: runningMessage(waitFor, false, messageOptions),
          deleteHooks: [],
          startSyncFail,
        };
      }
      const r = syncFailPhase(step.syncFailTasks, failedTasks, Messages.applyFailed, options);
      return { ...r.update, deleteHooks: r.completed ? step.hooksToDeleteOnFailure : [] };
    }
    case 'successful':
      if (step.remaining === 0 && !tasks.some((t) => t.hook)) {
        // The common case, no hooks and no waves: a sync is an (asynchronous) apply and succeeds at
        // once, even if the objects later degrade.
        return {
          phase: 'Succeeded',
          message: Messages.allTasksRun,
          deleteHooks: step.hooksToDeleteOnSuccess,
        };
      }
      return { phase: 'Running', message: runningMessage(tasks, false, messageOptions), deleteHooks: [] };
    case 'pending':
      return {
        phase: 'Running',
        message: runningMessage(
          tasks.filter((t) => deletesBeforeCreation(t) || (isPruneTask(t) && isPending(t))),
          true,
          messageOptions,
        ),
        deleteHooks: [],
      };
  }
}

/**
 * After `prepare.createNamespace` ran: undefined to continue with the dry run, or the failed state
 * (`the namespace failed to apply, reason: <message>`).
 */
export function concludeNamespaceCreation(
  step: Extract<SyncStep, { kind: 'prepare' }>,
  outcome: RunOutcome,
): OperationUpdate | undefined {
  if (outcome.state !== 'failed' || step.createNamespace === undefined) return undefined;
  const tasks = withResults(step.createNamespace.tasks, outcome.results);
  return { phase: 'Failed', message: withReasons(tasks, Messages.namespaceFailed), deleteHooks: [] };
}

/** After `prepare.dryRun` ran: undefined to continue (plan again with `prepared`), or the failed state. */
export function concludeDryRun(outcome: RunOutcome): OperationUpdate | undefined {
  if (outcome.state !== 'failed') return undefined;
  return { phase: 'Failed', message: Messages.dryRunFailed, deleteHooks: [] };
}

// ---- termination -----------------------------------------------------------------------------

/** What to do with one running hook when an operation is terminated. */
export interface TerminateHookStep {
  task: SyncTask;
  /** Remove the hook finalizer (always, when something is live). */
  removeFinalizer: boolean;
  /** Delete the hook: it is still running, or it completed and has `HookFailed`. */
  delete: boolean;
  /** The result to record once done. */
  phase: OperationPhase;
  message: string;
}

/**
 * Plans `Terminate()`: remove finalizers of completed hooks, stop running hooks (a hook still
 * running is deleted; one that just finished keeps its real phase) and end `Failed` `Operation
 * terminated`. If any of the effects fails, end `Error` `Operation termination had errors` instead.
 * As for planning, pass freshly read live objects for running hooks.
 */
export function planTermination(
  tasks: readonly SyncTask[],
  results: readonly ResourceResult[],
): { removeFinalizers: SyncTask[]; hooks: TerminateHookStep[]; update: OperationUpdate } {
  const current = withResults(tasks, results);
  const removeFinalizers = current.filter((t) => t.hook && isTaskCompleted(t) && hasHookFinalizer(t.live));
  const hooks: TerminateHookStep[] = [];
  for (const task of current.filter((t) => t.hook && isRunning(t))) {
    if (task.live === undefined) {
      hooks.push({ task, removeFinalizer: false, delete: false, phase: 'Succeeded', message: 'Terminated' });
      continue;
    }
    const { phase, message } = hookPhaseFromHealth(task);
    const completed = phase === 'Succeeded' || phase === 'Failed';
    hooks.push({
      task,
      removeFinalizer: true,
      delete: phase === 'Running' || deletesOnFailure(task),
      phase: completed ? phase : 'Failed',
      message: completed ? message : 'Terminated',
    });
  }
  return {
    removeFinalizers,
    hooks,
    update: { phase: 'Failed', message: Messages.terminated, deleteHooks: [] },
  };
}
