/**
 * The automated-sync decision, made after every comparison (`controller/appcontroller.go`
 * `autoSync` and `alreadyAttemptedSync`). Pure: the caller passes the comparison and `now`, and
 * writes the operation (or the condition) the decision returns.
 *
 * In order:
 *
 * 1. Skip unless automated sync is enabled, no operation is in progress, and the app is not being
 *    deleted.
 * 2. Skip unless the app is `OutOfSync` (`Synced` and `Unknown` never auto-sync).
 * 3. Without `automated.prune`, skip when the only non-synced resources are ones to prune.
 * 4. Loop guard: when the last sync result has the desired revision(s) and the current source(s),
 *    the sync was already attempted. If that attempt did not succeed, raise `SyncError: Failed last
 *    sync attempt to [<rev>]: <message>` and do not retry (a new commit or spec change resets
 *    this). If it succeeded, skip without `selfHeal`; with it, wait out the self-heal backoff
 *    (0, 2, 6, 18, 54, 162 s, then 300 s from the last operation's end) and sync only the
 *    resources that are not `Synced` (a selective sync: no hooks, no history entry).
 * 5. With `prune` and without `allowEmpty`, refuse a sync that would delete every resource:
 *    `Skipping sync attempt to [<rev>]: auto-sync will wipe out all resources`.
 * 6. Otherwise start `{revision, prune, syncOptions}` initiated by `automated: true`, with
 *    `spec.syncPolicy.retry` or `{limit: 5}`.
 *
 * After deciding, the controller replaces the app's `SyncError` condition with the returned
 * condition, or clears it (see `setConditions`). If writing the operation fails because another
 * operation started meanwhile, nothing is reported; any other write error becomes a `SyncError`
 * condition with the error's message.
 * @module
 */
import type {
  Application,
  ApplicationCondition,
  Operation,
  ResourceStatus,
  SyncOperation,
} from './application.ts';
import { hasMultipleSources, isAutomatedSyncEnabled } from './application.ts';
import { DEFAULT_AUTO_SYNC_RETRY, type SelfHealBackoff, selfHealRemainingBackoffMs } from './retry.ts';
import { sameJson } from './status.ts';
import type { OperationPhase, SyncStatusCode } from './types.ts';

/** Inputs of {@link decideAutoSync}. */
export interface AutoSyncInput {
  app: Application;
  /** The comparison just made (`status.sync` to be). */
  syncStatus: { status: SyncStatusCode; revision?: string | undefined; revisions?: string[] | undefined };
  /** `status.resources` of that comparison. */
  resources: readonly ResourceStatus[];
  /**
   * False when the new commit cannot have changed this app's manifests (a path-filtered refresh);
   * then only the sources are compared against the last attempt. Default true.
   */
  revisionsMayHaveChanged?: boolean | undefined;
  now: Date;
  /** Self-heal timing; defaults to upstream's backoff (2 s × 3ⁿ, cap 300 s). */
  selfHeal?: { backoff?: SelfHealBackoff | null | undefined; timeoutMs?: number | undefined } | undefined;
}

/** What to do. */
export type AutoSyncDecision =
  /** Nothing to do; `reason` is for the log (upstream's wording). */
  | { kind: 'skip'; reason: string }
  /** Do not sync and set this `SyncError` condition. */
  | { kind: 'condition'; condition: ApplicationCondition; reason: string }
  /** Self-heal is due later: refresh again after `afterMs`. */
  | { kind: 'wait'; afterMs: number; reason: string }
  /** Write `operation`; emit `event` (`Initiated automated sync to '<rev>'`). */
  | { kind: 'sync'; operation: Operation; event: string; selfHeal: boolean };

/** A Go `%s` of a string slice: `[a b]`. */
function goList(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** The outcome of {@link alreadyAttemptedSync}. */
export interface AttemptCheck {
  attempted: boolean;
  /** The revisions of the last attempt. */
  revisions: string[];
  /** The phase of the last attempt (undefined when there was none). */
  phase: OperationPhase | undefined;
}

/**
 * Whether the last sync already targeted `desiredRevisions` with the current source(s)
 * (`alreadyAttemptedSync`). A finished operation without any sync result counts as attempted (a
 * manual fix is likely needed). With `revisionsMayHaveChanged` false only the sources are compared.
 */
export function alreadyAttemptedSync(
  app: Application,
  desiredRevisions: readonly string[],
  revisionsMayHaveChanged: boolean,
): AttemptCheck {
  const state = app.status?.operationState;
  if (state === undefined) return { attempted: false, revisions: [], phase: undefined };
  const result = state.syncResult;
  if (result === undefined) {
    const completed = state.phase === 'Failed' || state.phase === 'Error' || state.phase === 'Succeeded';
    return { attempted: completed, revisions: [], phase: state.phase };
  }
  const multi = hasMultipleSources(app.spec);
  const lastRevisions = multi ? (result.revisions ?? []) : [result.revision];
  if (revisionsMayHaveChanged) {
    if (multi) {
      if (!sameJson(result.revisions ?? [], desiredRevisions))
        return { attempted: false, revisions: lastRevisions, phase: state.phase };
    } else if (desiredRevisions.length !== 1 || result.revision !== desiredRevisions[0]) {
      return { attempted: false, revisions: lastRevisions, phase: state.phase };
    }
  }
  const attempted = multi
    ? sameJson(app.spec.sources ?? [], result.sources ?? [])
    : sameJson(app.spec.source ?? {}, result.source ?? {});
  return { attempted, revisions: lastRevisions, phase: state.phase };
}

/**
 * Decides whether to start an automated sync.
 * @example
 * decideAutoSync({ app, syncStatus: { status: 'OutOfSync', revision: 'bbb' },
 *   resources: [{ kind: 'Deployment', name: 'guestbook', status: 'OutOfSync' }], now })
 *   // { kind: 'sync', operation: { sync: { revision: 'bbb', … }, initiatedBy: { automated: true }, retry: { limit: 5 } }, … }
 */
export function decideAutoSync(input: AutoSyncInput): AutoSyncDecision {
  const { app, syncStatus, resources } = input;
  const policy = app.spec.syncPolicy;
  if (policy === undefined || !isAutomatedSyncEnabled(app.spec))
    return { kind: 'skip', reason: 'automated sync is not enabled' };
  if (app.operation !== undefined)
    return { kind: 'skip', reason: 'Skipping auto-sync: another operation is in progress' };
  if (app.metadata.deletionTimestamp)
    return { kind: 'skip', reason: 'Skipping auto-sync: deletion in progress' };
  if (syncStatus.status !== 'OutOfSync') {
    return { kind: 'skip', reason: `Skipping auto-sync: application status is ${syncStatus.status}` };
  }
  const automated = policy.automated ?? {};
  const prune = automated.prune === true;
  if (!prune) {
    const pruneOnly = resources.every((r) => r.status === 'Synced' || r.requiresPruning === true);
    if (pruneOnly) {
      return {
        kind: 'skip',
        reason: 'Skipping auto-sync: need to prune extra resources only but automated prune is disabled',
      };
    }
  }

  const multi = hasMultipleSources(app.spec);
  const desiredRevisions = multi ? (syncStatus.revisions ?? []) : [syncStatus.revision ?? ''];
  const sync: SyncOperation = { revision: syncStatus.revision ?? '' };
  if (prune) sync.prune = true;
  if (policy.syncOptions !== undefined) sync.syncOptions = [...policy.syncOptions];
  if (!multi) sync.source = app.spec.source ?? { repoURL: '' };
  if (app.spec.sources !== undefined) sync.sources = app.spec.sources;
  if (syncStatus.revisions !== undefined) sync.revisions = syncStatus.revisions;
  const operation: Operation = {
    sync,
    initiatedBy: { automated: true },
    retry: policy.retry ?? DEFAULT_AUTO_SYNC_RETRY,
  };

  // Manifests may stay OutOfSync after a sync (e.g. prune disabled); syncing the same revision and
  // source again would loop forever, so only self-heal may repeat an attempt.
  const attempt = alreadyAttemptedSync(app, desiredRevisions, input.revisionsMayHaveChanged ?? true);
  let selfHeal = false;
  if (attempt.attempted) {
    if (attempt.phase !== 'Succeeded') {
      const message = `Failed last sync attempt to ${goList(attempt.revisions)}: ${app.status?.operationState?.message ?? ''}`;
      return {
        kind: 'condition',
        condition: { type: 'SyncError', message },
        reason: `Skipping auto-sync: failed previous sync attempt to ${goList(attempt.revisions)} and will not retry for ${goList(desiredRevisions)}`,
      };
    }
    if (automated.selfHeal !== true) {
      return {
        kind: 'skip',
        reason: `Skipping auto-sync: most recent sync already to ${goList(desiredRevisions)}`,
      };
    }
    const previous = app.status?.operationState;
    const attempts = previous?.operation.sync?.autoHealAttemptsCount ?? 0;
    const remaining = selfHealRemainingBackoffMs({
      attempts,
      lastOperation: previous,
      now: input.now,
      ...(input.selfHeal?.backoff !== undefined ? { backoff: input.selfHeal.backoff } : {}),
      ...(input.selfHeal?.timeoutMs !== undefined ? { timeoutMs: input.selfHeal.timeoutMs } : {}),
    });
    if (remaining > 0) {
      return {
        kind: 'wait',
        afterMs: remaining,
        reason: `Skipping auto-sync: already attempted sync to ${goList(attempt.revisions)} (retrying in ${Math.ceil(remaining / 1000)}s)`,
      };
    }
    selfHeal = true;
    sync.autoHealAttemptsCount = attempts + 1;
    // Heal only what drifted: a selective sync, so hooks do not run and no history is written.
    const drifted = resources.filter((r) => r.status !== 'Synced');
    if (drifted.length > 0) {
      sync.resources = drifted.map((r) => ({
        kind: r.kind ?? '',
        name: r.name ?? '',
        ...(r.group ? { group: r.group } : {}),
      }));
    }
  }

  if (prune && automated.allowEmpty !== true && resources.every((r) => r.requiresPruning === true)) {
    const message = `Skipping sync attempt to ${goList(desiredRevisions)}: auto-sync will wipe out all resources`;
    return { kind: 'condition', condition: { type: 'SyncError', message }, reason: message };
  }

  return {
    kind: 'sync',
    operation,
    event: `Initiated automated sync to '${desiredRevisions.join(', ')}'`,
    selfHeal,
  };
}
