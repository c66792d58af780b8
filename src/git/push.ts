/**
 * Compare-and-retry writes to a branch: fetch the head, apply an edit, commit, push without force;
 * when someone else pushed first, start again from their head with the same edit.
 *
 * The remote's ref update is the compare-and-swap: git accepts a push only as a fast-forward of the
 * branch as it is at that moment, so two writers can never overwrite each other; the loser fetches
 * and re-applies its edit on top of the winner's commit.
 * @module
 */
import { sleep } from '../util/abort.ts';
import { type BackoffOptions, backoffDelay } from '../util/backoff.ts';
import { SlipwayError } from '../util/errors.ts';
import type { GitIdentity } from './identity.ts';
import type { GitRepo } from './repo.ts';

/** What an edit did to the work tree. */
export interface EditResult {
  /** False when the tree already had what the edit writes. */
  changed: boolean;
  /** One line for logs, e.g. `set image my-service=ghcr.io/org/my-service:abc1234`. */
  description: string;
}

/**
 * Changes files in a work tree that holds only the commit's `paths` (see `GitRepo.checkout`);
 * called again from scratch on every attempt.
 */
export type TreeEdit = (worktreeDir: string) => Promise<EditResult>;

export interface CommitAndPushOptions {
  branch: string;
  /** Paths (relative to the repository root) the edit may change; only these are committed. */
  paths: readonly string[];
  edit: TreeEdit;
  /** The commit message, or a function of the edit's result. */
  message: string | ((result: EditResult) => string);
  /** Author and committer; default Slipway. */
  author?: GitIdentity;
  /** Attempts before giving up on a branch that keeps moving; default 10. */
  maxAttempts?: number;
  /**
   * Delay between attempts: fully jittered exponential backoff whose first step is the longer of
   * `initialMs` and the duration of the attempt that just lost, so racers spread over about as
   * much time as one of them needs to fetch, edit, commit and push. Default 50 ms, capped at 5 s.
   */
  backoff?: BackoffOptions;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** The source of randomness for the jitter (tests pin it). */
  random?: () => number;
}

export interface CommitAndPushResult {
  /** The pushed commit, or the branch head when there was nothing to change. */
  commit: string;
  changed: boolean;
  /** How many times the edit was applied (1 when nobody raced us). */
  attempts: number;
  description: string;
}

export const DEFAULT_PUSH_BACKOFF: BackoffOptions = { initialMs: 50, maxMs: 5_000, jitter: 1 };

/**
 * Applies `edit` to the head of `branch` and pushes the result, retrying on a lost race.
 * @example
 * await withRepo({ url }, (repo) => commitAndPush(repo, {
 *   branch: 'main', paths: ['apps/a/overlays/dev'], edit, message: 'Update a to abc1234',
 * }));
 */
export async function commitAndPush(
  repo: GitRepo,
  options: CommitAndPushOptions,
): Promise<CommitAndPushResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 10);
  const backoff = options.backoff ?? DEFAULT_PUSH_BACKOFF;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const head = await repo.fetchBranch(options.branch);
    const workDir = await repo.checkout(head, options.paths);
    const result = await options.edit(workDir);
    const message = typeof options.message === 'string' ? options.message : options.message(result);
    const commit = result.changed
      ? await repo.commit({
          parent: head,
          paths: options.paths,
          message,
          ...(options.author ? { author: options.author } : {}),
        })
      : undefined;
    if (commit === undefined) {
      options.log?.(`${options.branch} already up to date at ${head.slice(0, 7)}: ${result.description}`);
      return { commit: head, changed: false, attempts: attempt, description: result.description };
    }

    const verdict = parsePushPorcelain((await repo.push(commit, options.branch)).stdout);
    if (verdict.kind === 'pushed') {
      options.log?.(
        `pushed ${commit.slice(0, 7)} to ${options.branch} (attempt ${attempt}): ${result.description}`,
      );
      return { commit, changed: true, attempts: attempt, description: result.description };
    }
    if (verdict.kind === 'refused') {
      throw new SlipwayError(`the push to ${options.branch} was refused: ${verdict.reason}`, {
        subject: repo.remote.display,
        reason: 'GitPushRejected',
      });
    }
    if (attempt >= maxAttempts) {
      throw new SlipwayError(
        `${options.branch} kept moving: ${maxAttempts} pushes were rejected (last: ${verdict.reason}); nothing was forced`,
        { subject: repo.remote.display, reason: 'GitPushConflict', transient: true },
      );
    }
    // Scale the backoff to how long one attempt takes here: a fixed 50 ms step is shorter than a
    // push on a busy machine, and then 20 racers keep colliding until the attempts run out.
    const step = Math.max(backoff.initialMs, performance.now() - started);
    const delay = backoffDelay(attempt - 1, { ...backoff, initialMs: step }, options.random);
    options.log?.(`push to ${options.branch} lost a race (${verdict.reason}); retrying in ${delay} ms`);
    await sleep(delay, options.signal);
  }
}

/** git's verdict on the pushed ref. */
export type PushVerdict =
  | { kind: 'pushed' }
  /** Someone else moved the branch first: fetch and try again. */
  | { kind: 'stale'; reason: string }
  /** The remote refuses this push as such (hook, protection, permissions): retrying will not help. */
  | { kind: 'refused'; reason: string };

/**
 * Reads `git push --porcelain` output: one `<flag>\t<from>:<to>\t<summary>` line per ref, where
 * `!` means rejected. Lost races show as `[rejected] (fetch first)`, `(non-fast-forward)` or
 * `(stale info)` from our side, or as a remote ref-lock failure when both pushes reached the server
 * at the same moment.
 * @example parsePushPorcelain('To file:///r\n!\tabc:refs/heads/main\t[rejected] (fetch first)\nDone\n')
 *   // { kind: 'stale', reason: '[rejected] (fetch first)' }
 */
export function parsePushPorcelain(stdout: string): PushVerdict {
  const lines = stdout.split('\n').filter((l) => /^[ +\-*!=]\t/.test(l));
  const rejected = lines.find((l) => l.startsWith('!'));
  if (!rejected) {
    if (lines.length === 0) return { kind: 'refused', reason: 'git reported no ref update' };
    return { kind: 'pushed' };
  }
  const reason = rejected.split('\t').slice(2).join('\t').trim() || 'rejected';
  const lostRace =
    /\((fetch first|non-fast-forward|stale info|failed to update ref|incorrect old value provided)\)/.test(
      reason,
    ) || /cannot lock ref|failed to lock|is at [0-9a-f]+ but expected/.test(reason);
  return lostRace ? { kind: 'stale', reason } : { kind: 'refused', reason };
}
