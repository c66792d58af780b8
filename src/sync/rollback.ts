/**
 * Rollback: the sync operation that redeploys an earlier entry of `status.history`, as Argo CD's
 * API server writes it (`server/application/application.go` `Rollback`). Rollback is only a
 * convenience around a sync; the controller runs it like any other operation.
 *
 * The operation carries the history entry's `revision` and `source`, so the sync renders exactly
 * what was deployed then even though `spec.source` still follows the branch; the app therefore
 * shows OutOfSync against the branch afterwards. It uses the apply strategy, so hooks do not run,
 * and copies `spec.syncPolicy.syncOptions`. Refused while the app is being deleted and while
 * automated sync is on (auto-sync would undo it at the next poll), as upstream refuses.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import {
  type Application,
  formatIssues,
  isAutomatedSyncEnabled,
  type Operation,
  type RevisionHistory,
  safeParseApplication,
} from './application.ts';

/** Options of {@link rollbackOperation}. */
export interface RollbackOptions {
  /** `status.history[].id` to return to; undefined picks the deployment before the last (`argocd app rollback NAME`). */
  id?: number | undefined;
  /** Delete resources the earlier revision does not have (`--prune`). */
  prune?: boolean | undefined;
  dryRun?: boolean | undefined;
  /** Who asks (`operation.initiatedBy.username`). */
  username: string;
}

function subjectOf(app: Application): string {
  return `Application/${app.metadata.namespace ?? ''}/${app.metadata.name}`;
}

/** `<namespace>/<name>` (`QualifiedName`), as upstream names the app in its messages. */
function qualifiedName(app: Application): string {
  return app.metadata.namespace ? `${app.metadata.namespace}/${app.metadata.name}` : app.metadata.name;
}

/**
 * The history entry a rollback returns to: the entry with `id`, or without an id the one before
 * the newest (`findRevisionHistory` of `argocd app rollback`).
 * @throws SlipwayError (reason `NotFound`) with upstream's message when there is no such entry.
 * @example
 * findHistoryEntry(app, 0)         // the first recorded deployment
 * findHistoryEntry(app, undefined) // history[length - 2]
 */
export function findHistoryEntry(app: Application, id: number | undefined): RevisionHistory {
  const history = app.status?.history ?? [];
  if (id === undefined) {
    const previous = history[history.length - 2];
    if (previous === undefined) {
      throw new SlipwayError(
        `application '${app.metadata.name}' should have at least two successful deployments`,
        {
          subject: subjectOf(app),
          reason: 'NotFound',
        },
      );
    }
    return previous;
  }
  const entry = history.find((h) => h.id === id);
  if (entry === undefined) {
    throw new SlipwayError(`application ${qualifiedName(app)} does not have deployment with id ${id}`, {
      subject: subjectOf(app),
      reason: 'NotFound',
    });
  }
  return entry;
}

/**
 * The operation that rolls `app` back to a history entry, checked as upstream checks it: not while
 * the app is being deleted, not while automated sync is on, only to an entry that exists and
 * recorded its source.
 * @throws SlipwayError (reason `FailedPrecondition` or `NotFound`) with upstream's message.
 * @example
 * rollbackOperation(app, { id: 0, username: 'alice' })
 * // { sync: { revision: '<sha of entry 0>', source: { repoURL, path, targetRevision: 'main' },
 * //          syncOptions: [...spec.syncPolicy.syncOptions], syncStrategy: { apply: {} } },
 * //   initiatedBy: { username: 'alice' } }
 */
export function rollbackOperation(app: Application, options: RollbackOptions): Operation {
  const subject = subjectOf(app);
  if (app.metadata.deletionTimestamp !== undefined) {
    throw new SlipwayError('application is deleting', { subject, reason: 'FailedPrecondition' });
  }
  if (isAutomatedSyncEnabled(app.spec)) {
    throw new SlipwayError('rollback cannot be initiated when auto-sync is enabled', {
      subject,
      reason: 'FailedPrecondition',
    });
  }
  const entry = findHistoryEntry(app, options.id);
  const hasSources = (entry.sources?.length ?? 0) > 0;
  if (entry.source === undefined && !hasSources) {
    throw new SlipwayError(
      'cannot rollback to revision deployed with Argo CD v0.11 or lower. sync to revision instead.',
      { subject, reason: 'FailedPrecondition' },
    );
  }
  const sync: Record<string, unknown> = {};
  if (entry.revision !== undefined) sync['revision'] = entry.revision;
  if (entry.revisions !== undefined) sync['revisions'] = entry.revisions;
  if (options.dryRun) sync['dryRun'] = true;
  if (options.prune) sync['prune'] = true;
  const syncOptions = app.spec.syncPolicy?.syncOptions;
  if (syncOptions !== undefined) sync['syncOptions'] = [...syncOptions];
  // The apply strategy: a rollback runs no hooks (`WithOperationSettings` skips them).
  sync['syncStrategy'] = { apply: {} };
  if (entry.source !== undefined) sync['source'] = entry.source;
  if (hasSources) sync['sources'] = entry.sources;
  const raw = { sync, initiatedBy: { username: options.username } };

  // The history entry's source is stored loosely; the operation must parse as one the controller
  // accepts, so it goes through the Application schema (issues keep their paths).
  const parsed = safeParseApplication({ ...app, operation: raw });
  if (!parsed.success || parsed.data.operation === undefined) {
    const issues = parsed.success ? '' : formatIssues(parsed.issues);
    throw new SlipwayError(`history entry ${entry.id} cannot be rolled back to:\n${issues}`, {
      subject: `${subject}: status.history`,
      reason: 'InvalidSpec',
    });
  }
  return parsed.data.operation;
}
