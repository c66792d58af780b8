/**
 * From a commit seen on the service's branch to a release bundle: queue the run (recording why it
 * started), serialise runs of one pipeline, let a newer commit supersede queued ones, run the
 * workflow, and turn a green run into an immutable bundle — then reconcile, which releases it into
 * the first environment.
 *
 * Serialisation and superseding hold across processes (a post-receive hook starts one process per
 * push): each run appends `run-queued`, then waits for the pipeline's run lock; once it holds the
 * lock it runs only if it is still the newest commit queued, and otherwise records that it was
 * superseded. A failed or refused run records why and makes no bundle, so nothing is released.
 * @module
 */
import { join } from 'node:path';
import type { RunTrigger, RunWorkflowOptions } from '../ci/index.ts';
import { runWorkflow } from '../ci/index.ts';
import { runGit, withRepo } from '../git/index.ts';
import { lockPath, withLock } from '../git/lock.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import {
  bundleFromRun,
  bundleRefusal,
  type CommitInfo,
  type GreenRun,
  type ReleaseBundle,
} from './bundle.ts';
import { BundleStore } from './bundle-store.ts';
import { EventLog } from './event-log.ts';
import { type PipelineDeps, type ReconcileResult, reconcilePipeline } from './reconcile.ts';
import type { PipelineTrigger } from './state.ts';

/** What a CI run needs beyond {@link PipelineDeps}. */
export interface CiDeps extends PipelineDeps {
  /** Runs the workflow; default `runWorkflow` of `src/ci`. */
  runCi?: (options: RunWorkflowOptions) => Promise<GreenRun>;
  /** A local clone or bare repository of the source; default the cached clone of `source.repo`. */
  sourceDir?: string;
  /** Options passed through to every run (log root, timeouts, secrets). */
  runOptions?: Partial<RunWorkflowOptions>;
  /** Skip the reconcile after a bundle is made; default false. */
  noRelease?: boolean;
}

/** How a pushed commit was handled. */
export type PushOutcome =
  | { kind: 'superseded'; sha: string; by: string }
  | { kind: 'duplicate'; sha: string; bundleId?: string }
  | { kind: 'failed'; sha: string; reason: string; runId?: string }
  | { kind: 'bundled'; sha: string; bundle: ReleaseBundle; reconcile?: ReconcileResult };

const SHA = /^[0-9a-f]{40}$/;

/**
 * Handles one commit of the pipeline's source branch: queue, wait for the run lock, run unless
 * superseded, bundle a green run, release it into the first environment.
 * @throws {SlipwayError} only for a malformed SHA; everything after queueing is recorded instead.
 */
export async function handlePush(deps: CiDeps, sha: string, trigger: PipelineTrigger): Promise<PushOutcome> {
  if (!SHA.test(sha)) {
    throw new SlipwayError(`"${sha}" is not a full commit SHA`, { subject: 'sha', reason: 'InvalidSha' });
  }
  const log = new EventLog(deps.stateRoot, deps.pipeline.name);
  const now = () => (deps.now ?? (() => new Date()))();
  log.append({ type: 'run-queued', sha, trigger }, now());
  const outcome = await withLock(lockPath(join(log.path, '..', 'runs')), async (): Promise<PushOutcome> => {
    const events = log.read();
    const newest = events.findLast((e) => e.type === 'run-queued');
    if (newest !== undefined && newest.sha !== sha) {
      log.append({ type: 'run-superseded', sha, by: newest.sha }, now());
      return { kind: 'superseded', sha, by: newest.sha };
    }
    const earlier = events.find((e) => e.type === 'run-finished' && e.sha === sha && e.status === 'success');
    if (earlier?.type === 'run-finished') {
      // A second delivery of the same push (hook and webhook both, or a retried webhook): the
      // commit keeps the outcome of its run, recorded again after this delivery's `run-queued`.
      log.append(
        {
          type: 'run-finished',
          sha,
          status: 'success',
          reason: 'already built; a repeated delivery was ignored',
          ...(earlier.runId ? { runId: earlier.runId } : {}),
          ...(earlier.bundleId ? { bundleId: earlier.bundleId } : {}),
        },
        now(),
      );
      return { kind: 'duplicate', sha, ...(earlier.bundleId ? { bundleId: earlier.bundleId } : {}) };
    }
    log.append({ type: 'run-started', sha, trigger }, now());
    return runAndBundle(deps, log, sha, trigger, now);
  });
  if (outcome.kind !== 'bundled' || deps.noRelease) return outcome;
  return { ...outcome, reconcile: await reconcilePipeline(deps) };
}

async function runAndBundle(
  deps: CiDeps,
  log: EventLog,
  sha: string,
  trigger: PipelineTrigger,
  now: () => Date,
): Promise<PushOutcome> {
  const spec = deps.pipeline.spec;
  let runId: string | undefined;
  try {
    const { dir, commit } = await sourceCommit(deps, sha);
    const runCi = deps.runCi ?? runWorkflow;
    const run = await runCi({
      ...deps.runOptions,
      repoDir: dir,
      commit: sha,
      trigger: runTrigger(trigger),
      workflowPath: spec.source.workflow,
      scanOptional: spec.scanOptional,
      ref: `refs/heads/${spec.source.branch}`,
      envOverrides: { ...spec.env, ...deps.runOptions?.envOverrides },
      ...(spec.source.repository ? { repository: spec.source.repository } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    runId = run.runId;
    const refusal = bundleRefusal(run, spec.image.repository);
    if (refusal !== undefined) {
      log.append(
        {
          type: 'run-finished',
          sha,
          status: run.status === 'cancelled' ? 'cancelled' : 'failure',
          runId,
          reason: refusal,
        },
        now(),
      );
      return { kind: 'failed', sha, reason: refusal, runId };
    }
    const bundle = bundleFromRun(
      run,
      commit,
      { service: spec.service, repository: spec.image.repository },
      now(),
    );
    await new BundleStore(deps.stateRoot).put(bundle);
    log.append({ type: 'bundle-created', bundleId: bundle.id, sha }, now());
    log.append({ type: 'run-finished', sha, status: 'success', runId, bundleId: bundle.id }, now());
    deps.log?.(`${deps.pipeline.name}: run ${runId} of ${sha.slice(0, 7)} made bundle ${bundle.id}`);
    return { kind: 'bundled', sha, bundle };
  } catch (err) {
    const reason = errorMessage(err);
    log.append({ type: 'run-finished', sha, status: 'error', reason, ...(runId ? { runId } : {}) }, now());
    deps.log?.(`${deps.pipeline.name}: run of ${sha.slice(0, 7)} failed: ${reason}`);
    return { kind: 'failed', sha, reason, ...(runId ? { runId } : {}) };
  }
}

/** The CI runner's trigger for a pipeline trigger. */
function runTrigger(t: PipelineTrigger): RunTrigger {
  const kinds: Record<PipelineTrigger['kind'], RunTrigger['kind']> = {
    push: 'push',
    pull_request: 'pull_request',
    manual: 'manual',
    retry: 'retry',
    api: 'api',
    poll: 'push',
    hook: 'push',
    webhook: 'push',
  };
  const detail = [t.kind === kinds[t.kind] ? undefined : t.kind, t.detail].filter(Boolean).join(': ');
  return { kind: kinds[t.kind], ...(detail ? { detail } : {}) };
}

/** The source repository holding `sha`, and the commit's facts. */
async function sourceCommit(deps: CiDeps, sha: string): Promise<{ dir: string; commit: CommitInfo }> {
  if (deps.sourceDir !== undefined)
    return { dir: deps.sourceDir, commit: await commitInfo(deps.sourceDir, sha) };
  return withRepo(
    {
      url: deps.pipeline.spec.source.repo,
      ...(deps.gitCacheRoot ? { cacheRoot: deps.gitCacheRoot } : {}),
      ...(deps.env ? { env: deps.env } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    async (repo) => {
      await repo.fetchCommit(sha);
      return { dir: repo.gitDir, commit: await commitInfo(repo.gitDir, sha) };
    },
  );
}

/** Committer time, author and subject of `sha` in the repository at `dir`. */
export async function commitInfo(dir: string, sha: string): Promise<CommitInfo> {
  const out = await runGit(['log', '-1', '--format=%H%x00%cI%x00%an <%ae>%x00%s', sha, '--'], {
    cwd: dir,
    subject: dir,
  });
  const [full = '', commitTime = '', author = '', message = ''] = out.stdout.replace(/\n$/, '').split('\0');
  if (full !== sha) {
    throw new SlipwayError(`commit ${sha} not found`, { subject: dir, reason: 'GitRefNotFound' });
  }
  return { sha, commitTime, author, message };
}
