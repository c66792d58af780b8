/**
 * The thin executor of the engine's {@link RunPlan}s: it does what the plan lays out, in the
 * plan's order, and records every outcome through `recordRunResult` so messages stay upstream's.
 *
 * Applies are server-side applies by the field manager `slipway` (forced, as Argo CD's server-side
 * apply is), after the controller has put the tracking annotation on every target. A dry-run plan
 * sends the same requests with `dryRun=All`, so a whole wave is validated by the API server before
 * any of it is written. Fan-out is bounded.
 * @module
 */

import { assessHealth } from '../health/assess.ts';
import type { KubeClient } from '../kube/client.ts';
import { isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { sleep } from '../util/abort.ts';
import { errorMessage } from '../util/errors.ts';
import { limit } from '../util/limit.ts';
import {
  type Application,
  type ApplicationCondition,
  isDeletionConfirmed,
  type OperationState,
  operationResourceMatches,
  type ResourceResult,
  skipsHooks,
  strategyForce,
} from './application.ts';
import { compileIgnoreDifferences } from './diff-normalize.ts';
import {
  combineRunStates,
  concludeDryRun,
  concludeNamespaceCreation,
  concludeWave,
  type LiveCheck,
  planSyncStep,
  type RunOutcome,
  type RunPlan,
  type RunState,
  recordRunResult,
  runningWithoutLive,
  type SyncStepOptions,
} from './engine.ts';
import { HOOK_FINALIZER } from './hooks.ts';
import type { LiveState } from './live.ts';
import type { ApplicationObservation } from './observe.ts';
import { respectIgnoreDifferences } from './respect-ignore.ts';
import { syncPrecondition, withStepOutcome } from './status.ts';
import { operationSyncOptions, type PrunePropagationPolicy } from './sync-options.ts';
import { buildSyncTasks, type SyncTask, setResourceResult, taskObject } from './tasks.ts';
import type { OperationPhase, ResourceKey } from './types.ts';

/** The field manager of every write Slipway's sync makes. */
export const FIELD_MANAGER = 'slipway';

/** Options of {@link executeRunPlan}. */
export interface ExecuteOptions {
  /** Requests in flight at once; default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

const PROPAGATION: Record<PrunePropagationPolicy, 'Foreground' | 'Background' | 'Orphan'> = {
  foreground: 'Foreground',
  background: 'Background',
  orphan: 'Orphan',
};

/** Carries out one {@link RunPlan} (gitops-engine's `runTasks`) and reports its outcome. */
export async function executeRunPlan(
  client: KubeClient,
  plan: RunPlan,
  initial: readonly ResourceResult[],
  options: ExecuteOptions = {},
): Promise<RunOutcome> {
  const run = limit(options.concurrency ?? 8);
  const signal = options.signal;
  let results: ResourceResult[] = [...initial];
  let state: RunState = 'successful';
  const gone: string[] = [];
  const record = (task: SyncTask, status: Parameters<typeof recordRunResult>[3], message: string) => {
    results = recordRunResult(results, plan, task, status, message);
  };
  const fail = (task: SyncTask, status: 'SyncFailed' | undefined, phase: 'Error', message: string) => {
    // Errors outside the plan's result codes are recorded with their own phase, as upstream does.
    results = recordWithPhase(results, task, status, phase, message);
    state = combineRunStates(state, 'failed');
  };

  // 1. Finalizers of hooks about to be re-created.
  if (!plan.dryRun) {
    await Promise.all(
      plan.removeFinalizers.map((task) =>
        run(async () => {
          try {
            await removeHookFinalizer(client, task, signal);
          } catch (err) {
            fail(task, undefined, 'Error', `failed to remove hook finalizer: ${errorMessage(err)}`);
          }
        }),
      ),
    );
    if (state !== 'successful') return { state, results, gone };
  }

  // 2. Prunes that need an approval wait for it.
  if (plan.awaitingPruneConfirmation) return { state: 'pending', results, gone };

  // 3. Prunes.
  await Promise.all(
    plan.prune.map((step) =>
      run(async () => {
        if (step.delete) {
          const live = step.task.live as KubeObject;
          try {
            await client.delete(
              {
                apiVersion: live.apiVersion,
                kind: live.kind,
                name: live.metadata.name ?? '',
                namespace: live.metadata.namespace,
              },
              { propagationPolicy: PROPAGATION[step.propagationPolicy], ...(signal ? { signal } : {}) },
            );
          } catch (err) {
            record(step.task, 'SyncFailed', errorMessage(err));
            state = combineRunStates(state, 'failed');
            return;
          }
        }
        record(step.task, step.status, step.message);
      }),
    ),
  );
  if (state !== 'successful') return { state, results, gone };

  // 4. Hooks deleted before they are created again.
  if (!plan.dryRun) {
    await Promise.all(
      plan.deleteBeforeCreation.map((task) =>
        run(async () => {
          const live = task.live as KubeObject;
          try {
            const deleted = await client.delete(
              {
                apiVersion: live.apiVersion,
                kind: live.kind,
                name: live.metadata.name ?? '',
                namespace: live.metadata.namespace,
              },
              { propagationPolicy: 'Foreground', ...(signal ? { signal } : {}) },
            );
            if (deleted) state = combineRunStates(state, 'pending');
            else gone.push(task.id);
          } catch (err) {
            fail(task, undefined, 'Error', `failed to delete resource: ${errorMessage(err)}`);
          }
        }),
      ),
    );
    if (state !== 'successful') return { state, results, gone };
  }

  // 5. Applies, group by group; a failure does not stop the rest of the run.
  for (const group of plan.apply) {
    await Promise.all(
      group.map((step) =>
        run(async () => {
          try {
            const message = await applyObject(client, step.target, step.task.live, {
              dryRun: plan.dryRun,
              verb: step.mode.verb,
              validate: step.mode.validate,
              ...(signal ? { signal } : {}),
            });
            record(step.task, 'Synced', message);
          } catch (err) {
            record(step.task, 'SyncFailed', errorMessage(err));
            state = combineRunStates(state, 'failed');
          }
        }),
      ),
    );
  }
  return { state, results, gone };
}

/**
 * Applies one object and returns kubectl's message (`deployment.apps/web configured`, `…
 * created`, `… unchanged`; `(server dry run)` appended for dry runs).
 */
export async function applyObject(
  client: KubeClient,
  target: KubeObject,
  live: KubeObject | undefined,
  options: {
    dryRun: boolean;
    verb: 'apply' | 'replace' | 'create' | 'update';
    validate: boolean;
    signal?: AbortSignal;
  },
): Promise<string> {
  const fieldValidation = options.validate ? 'Strict' : 'Ignore';
  let result: KubeObject;
  if (options.verb === 'create' && live === undefined) {
    result = await client.create(target, {
      fieldManager: FIELD_MANAGER,
      dryRun: options.dryRun,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } else {
    result = await client.apply(target, {
      fieldManager: FIELD_MANAGER,
      force: true,
      dryRun: options.dryRun,
      fieldValidation,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  const group = target.apiVersion.includes('/') ? `.${target.apiVersion.split('/')[0]}` : '';
  const name = `${target.kind.toLowerCase()}${group}/${target.metadata.name ?? ''}`;
  let verb = 'configured';
  if (live === undefined) verb = 'created';
  else if (result.metadata.resourceVersion === live.metadata.resourceVersion) verb = 'unchanged';
  return options.dryRun ? `${name} ${verb} (server dry run)` : `${name} ${verb}`;
}

/** Removes the hook finalizer from a hook's live object (a JSON patch of its finalizers). */
export async function removeHookFinalizer(
  client: KubeClient,
  task: SyncTask,
  signal?: AbortSignal,
): Promise<void> {
  const live = task.live;
  if (live === undefined) return;
  const finalizers = (live.metadata.finalizers ?? []).filter((f) => f !== HOOK_FINALIZER);
  try {
    await client.patch(
      {
        apiVersion: live.apiVersion,
        kind: live.kind,
        name: live.metadata.name ?? '',
        namespace: live.metadata.namespace,
      },
      {
        metadata: {
          finalizers: finalizers.length > 0 ? finalizers : null,
          resourceVersion: live.metadata.resourceVersion,
        },
      },
      { type: 'merge', ...(signal ? { signal } : {}) },
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

function recordWithPhase(
  results: readonly ResourceResult[],
  task: SyncTask,
  status: 'SyncFailed' | undefined,
  phase: 'Error',
  message: string,
): ResourceResult[] {
  return setResourceResult(results, task, status, phase, message).results;
}

// ---- one step of a sync operation ------------------------------------------------------------

/** What one step of a running sync operation works from. */
export interface OperationStepInput {
  client: KubeClient;
  app: Application;
  /** `status.operationState`, `Running`, with `syncResult.revision` resolved. */
  state: OperationState;
  /** The comparison at `state.syncResult.revision`. */
  observed: ApplicationObservation;
  live: LiveState;
  now: () => Date;
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The state to write after the step, and when to look again while it runs. */
export interface OperationStepOutcome {
  state: OperationState;
  /** Set while the operation is still running. */
  requeueAfterMs?: number | undefined;
}

/** How soon a running operation is looked at again when no watched object changes meanwhile. */
const RUNNING_REQUEUE_MS = 1_000;

/**
 * Runs one step of a sync operation (`SyncAppState` + gitops-engine's `Sync()`): builds the tasks
 * from the observation and the recorded results, plans with `planSyncStep`, carries the plan out,
 * and returns the operation state to write. Every result lands in `syncResult.resources`, so a
 * controller stopped at any point resumes from the written state.
 */
export async function runOperationStep(input: OperationStepInput): Promise<OperationStepOutcome> {
  const { app, observed, client } = input;
  const state = input.state;
  const op = state.operation.sync ?? {};
  const namespace = app.spec.destination.namespace ?? '';
  const syncOptions = operationSyncOptions(op.syncOptions ?? app.spec.syncPolicy?.syncOptions);
  const finish = (phase: OperationPhase, message: string, results: readonly ResourceResult[]) => ({
    state: withStepOutcome(state, { phase, message, results }, input.now()),
  });

  const blocked = syncPrecondition(observed.conditions as ApplicationCondition[], op.syncOptions);
  if (blocked !== undefined) return finish(blocked.phase, blocked.message, state.syncResult?.resources ?? []);

  const startedAt = new Date(state.startedAt);
  const selective = op.resources ?? [];
  // RespectIgnoreDifferences: what ignoreDifferences covers keeps its live value in what is applied.
  const resources = syncOptions.respectIgnoreDifferences
    ? respectIgnoreDifferences(
        observed.reconciliation.resources,
        compileIgnoreDifferences(app.spec.ignoreDifferences),
      )
    : observed.reconciliation.resources;
  const built = buildSyncTasks({
    resources,
    hooks: observed.reconciliation.hooks,
    namespace,
    revision: observed.revision,
    startedAt,
    skipHooks: skipsHooks(op),
    pruneLast: syncOptions.pruneLast,
    ...(selective.length > 0
      ? { include: (key: ResourceKey) => selective.some((entry) => operationResourceMatches(entry, key)) }
      : {}),
    results: state.syncResult?.resources ?? [],
    ...(syncOptions.createNamespace && namespace !== ''
      ? { createNamespace: { live: input.live.get('v1', 'Namespace', namespace) } }
      : {}),
    discovery: (group, _version, kind) =>
      observed.served(group, kind) ? { kind: 'served' } : { kind: 'missing' },
    skipDryRunOnMissingResource: syncOptions.skipDryRunOnMissingResource,
    health: (live) => assessHealth(live),
  });
  const options: SyncStepOptions = {
    dryRun: op.dryRun ?? false,
    prune: op.prune ?? false,
    pruneConfirmed: isDeletionConfirmed(app, startedAt),
    syncOptions,
    strategyForce: strategyForce(op),
    namespace,
    modified: observed.modified,
  };
  const execute = (plan: RunPlan, results: readonly ResourceResult[]) =>
    executeRunPlan(client, plan, results, {
      ...(input.concurrency !== undefined ? { concurrency: input.concurrency } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });

  // Running tasks the cache does not show are read from the API server before planning.
  const liveChecks = await checkRunningWithoutLive(client, built.tasks, built.results);
  const stepInput = { tasks: built.tasks, valid: built.valid, results: built.results, options, liveChecks };
  let step = planSyncStep(stepInput);

  // First step: create the namespace, then dry-run every task before anything is applied.
  if (step.kind === 'prepare') {
    let results = step.results;
    if (step.createNamespace !== undefined) {
      const created = await execute(step.createNamespace, results);
      const failed = concludeNamespaceCreation(step, created);
      if (failed !== undefined) return finish(failed.phase, failed.message, created.results);
      results = created.results;
    }
    const dry = await execute(step.dryRun, results);
    const failed = concludeDryRun(dry);
    if (failed !== undefined) return finish(failed.phase, failed.message, dry.results);
    // Tasks created above (the namespace) are now live; plan on from the recorded results.
    step = planSyncStep({
      ...stepInput,
      results: dry.results,
      prepared: true,
      liveChecks: await checkRunningWithoutLive(client, built.tasks, dry.results),
    });
    if (step.kind === 'prepare')
      return finish('Error', 'the sync planner asked to prepare twice', dry.results);
  }

  for (const task of step.removeFinalizers) await removeHookFinalizer(client, task, input.signal);

  if (step.kind === 'update') {
    let results = step.results;
    for (const hook of step.update.deleteHooks) await deleteHook(client, hook, input.signal);
    if (step.update.startSyncFail !== undefined)
      results = (await execute(step.update.startSyncFail, results)).results;
    const outcome = finish(step.update.phase, step.update.message, results);
    return outcome.state.phase === 'Running' ? { ...outcome, requeueAfterMs: RUNNING_REQUEUE_MS } : outcome;
  }

  const ran = await execute(step.run, step.results);
  // Upstream's pause between waves, so that what one wave started can settle before the next.
  if (ran.state !== 'failed' && step.delayAfterMs > 0) await sleep(step.delayAfterMs, input.signal);
  const concluded = concludeWave(step, ran);
  let results = ran.results;
  for (const hook of concluded.deleteHooks) await deleteHook(client, hook, input.signal);
  if (concluded.startSyncFail !== undefined)
    results = (await execute(concluded.startSyncFail, results)).results;
  const outcome = finish(concluded.phase, concluded.message, results);
  if (outcome.state.phase !== 'Running') return outcome;
  return { ...outcome, requeueAfterMs: RUNNING_REQUEUE_MS };
}

/** What a fresh GET finds for each running task whose object the cache does not hold. */
async function checkRunningWithoutLive(
  client: KubeClient,
  tasks: readonly SyncTask[],
  results: readonly ResourceResult[],
): Promise<Map<string, LiveCheck>> {
  const checks = new Map<string, LiveCheck>();
  for (const task of runningWithoutLive(tasks, results)) {
    const obj = taskObject(task);
    try {
      const found = await client.get({
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name ?? '',
        namespace: obj.metadata.namespace,
      });
      checks.set(task.id, found === undefined ? 'missing' : 'exists');
    } catch (err) {
      checks.set(task.id, { error: errorMessage(err) });
    }
  }
  return checks;
}

/** Deletes a live object, its dependents left to the garbage collector (as Argo deletes hooks). */
export async function deleteInBackground(
  client: KubeClient,
  live: KubeObject,
  signal: AbortSignal | undefined,
): Promise<void> {
  await client.delete(
    {
      apiVersion: live.apiVersion,
      kind: live.kind,
      name: live.metadata.name ?? '',
      namespace: live.metadata.namespace,
    },
    { propagationPolicy: 'Background', ...(signal ? { signal } : {}) },
  );
}

/** Deletes a hook per its delete policy (its finalizer first, so the deletion completes). */
async function deleteHook(
  client: KubeClient,
  task: SyncTask,
  signal: AbortSignal | undefined,
): Promise<void> {
  const live = task.live;
  if (live === undefined) return;
  await removeHookFinalizer(client, task, signal);
  await deleteInBackground(client, live, signal);
}
