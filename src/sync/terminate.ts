/**
 * Terminating a running operation (gitops-engine's `syncContext.Terminate`), the step the
 * controller runs instead of a sync step once `status.operationState.phase` is `Terminating`
 * (`slipway app terminate-op`, `argocd app terminate-op`).
 *
 * Nothing more is applied. Hooks that already completed lose their hook finalizer; hooks still
 * running lose it and are deleted (a hook that finished meanwhile keeps its real phase), and the
 * operation ends `Failed` with `Operation terminated`, or `Error` with `Operation termination had
 * errors` when one of those effects failed. The controller then runs no retry.
 * @module
 */
import { assessHealth } from '../health/assess.ts';
import { isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { errorMessage } from '../util/errors.ts';
import type { ResourceResult } from './application.ts';
import { skipsHooks } from './application.ts';
import { Messages, planTermination } from './engine.ts';
import {
  deleteInBackground,
  type OperationStepInput,
  type OperationStepOutcome,
  removeHookFinalizer,
} from './execute.ts';
import { withStepOutcome } from './status.ts';
import { operationSyncOptions } from './sync-options.ts';
import {
  buildSyncTasks,
  isRunning,
  type SyncTask,
  setResourceResult,
  taskObject,
  withResults,
} from './tasks.ts';

/**
 * Runs the termination of the operation in `input.state` (phase `Terminating`) and returns the
 * completed state to write. Running hooks are read fresh from the API server first, so a hook that
 * completed since the last step is recorded as it ended rather than deleted.
 */
export async function runTerminationStep(input: OperationStepInput): Promise<OperationStepOutcome> {
  const { client, app, observed, state, signal } = input;
  const op = state.operation.sync ?? {};
  const syncOptions = operationSyncOptions(op.syncOptions ?? app.spec.syncPolicy?.syncOptions);
  const built = buildSyncTasks({
    resources: observed.reconciliation.resources,
    hooks: observed.reconciliation.hooks,
    namespace: app.spec.destination.namespace ?? '',
    revision: observed.revision,
    startedAt: new Date(state.startedAt),
    skipHooks: skipsHooks(op),
    pruneLast: syncOptions.pruneLast,
    results: state.syncResult?.resources ?? [],
    health: (live) => assessHealth(live),
  });
  let results: ResourceResult[] = built.results;
  const tasks = await Promise.all(
    withResults(built.tasks, results).map((task) =>
      task.hook && isRunning(task) ? refreshed(input, task) : task,
    ),
  );
  const plan = planTermination(tasks, results);
  const record = (task: SyncTask, phase: ResourceResult['hookPhase'], message: string) => {
    results = setResourceResult(results, task, task.syncStatus, phase, message).results;
  };

  let clean = true;
  for (const task of plan.removeFinalizers) {
    try {
      await removeHookFinalizer(client, task, signal);
    } catch (err) {
      // Upstream records this on the hook but still calls the termination clean.
      record(task, 'Error', `Failed to remove hook finalizer: ${errorMessage(err)}`);
    }
  }
  for (const step of plan.hooks) {
    if (step.removeFinalizer) {
      try {
        await removeHookFinalizer(client, step.task, signal);
      } catch (err) {
        record(step.task, 'Error', `Failed to remove hook finalizer: ${errorMessage(err)}`);
        clean = false;
        continue;
      }
    }
    if (step.delete && step.task.live !== undefined) {
      try {
        await deleteInBackground(client, step.task.live, signal);
      } catch (err) {
        if (!isNotFound(err)) {
          record(step.task, 'Failed', `Failed to delete: ${errorMessage(err)}`);
          clean = false;
          continue;
        }
      }
    }
    record(step.task, step.phase, step.message);
  }
  const outcome = clean
    ? { phase: plan.update.phase, message: plan.update.message }
    : { phase: 'Error' as const, message: Messages.terminationErrors };
  return { state: withStepOutcome(state, { ...outcome, results }, input.now()) };
}

/** The task with its live object read fresh (and its health re-assessed); unchanged on a read error. */
async function refreshed(input: OperationStepInput, task: SyncTask): Promise<SyncTask> {
  const obj = taskObject(task);
  let live: KubeObject | undefined;
  try {
    live = await input.client.get(
      {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name ?? '',
        namespace: obj.metadata.namespace,
      },
      input.signal,
    );
  } catch {
    // Recorded decision: the cached copy stands in; planTermination deletes a hook it thinks runs.
    return task;
  }
  const { live: _old, liveHealth: _health, ...rest } = task;
  if (live === undefined) return rest;
  const health = assessHealth(live);
  return { ...rest, live, ...(health !== undefined ? { liveHealth: health } : {}) };
}
