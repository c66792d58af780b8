/**
 * A release (the seed's Phase 2, Option A): write the new image into one environment's overlay in
 * the config repository, commit, push. Compare-and-retry: when another release pushed first, this
 * one starts again from the new head and applies the same edit, so no release overwrites another.
 * @module
 */
import { type BasicCredentials, commitAndPush, type GitIdentity, withRepo } from '../git/index.ts';
import { assertInsideWorktree, normalizeOverlayPath } from './path.ts';

/**
 * Changes the overlay inside a checked-out config repository. `worktreeDir` is the repository
 * root, where only the overlay folder is checked out (a config repository may hold thousands of
 * apps; the edit needs one folder). Called again from scratch on every attempt; `changed: false`
 * means the overlay already says what this edit writes.
 */
export type OverlayEdit = (worktreeDir: string) => Promise<{ changed: boolean; description: string }>;

export interface ReleaseOptions {
  /** The config repository's address (https, ssh, file:// or a local path). */
  repo: string;
  /** Default `main`. */
  branch?: string;
  /** The overlay folder, relative to the repository root, e.g. `apps/my-service/overlays/dev`. */
  path: string;
  edit: OverlayEdit;
  /** The commit message (see `renderMessage`). */
  message: string;
  /** Author and committer; default Slipway. */
  author?: GitIdentity;
  /** Git cache root; default `${SLIPWAY_CACHE:-~/.cache/slipway}/git`. */
  cacheRoot?: string;
  /** Where credentials are read from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  credentials?: BasicCredentials;
  /** Deadline of each command that talks to the remote; default 60 s. */
  timeoutMs?: number;
  /** Pushes tried before giving up on a branch that keeps moving; default 10. */
  maxAttempts?: number;
  signal?: AbortSignal;
  /** Progress lines, free of secrets. */
  log?: (line: string) => void;
}

export interface ReleaseResult {
  /** The new commit, or the unchanged head when the overlay already had the image. */
  commit: string;
  changed: boolean;
  attempts: number;
  /** What the edit did, e.g. `set image my-service=ghcr.io/myorg/my-service:abc1234`. */
  description: string;
}

/**
 * Clones (or refreshes the cached clone of) `repo`, applies `edit` to `path` on `branch`, commits
 * only what changed under `path`, and pushes, retrying lost races.
 * @example
 * const { commit } = await release({
 *   repo: 'https://git.example.com/org/deploy-configs.git',
 *   path: 'apps/my-service/overlays/dev',
 *   edit: (dir) => setImageInKustomization(join(dir, 'apps/my-service/overlays/dev/kustomization.yaml'), spec),
 *   message: 'Update my-service to abc1234',
 * });
 */
export async function release(options: ReleaseOptions): Promise<ReleaseResult> {
  const path = normalizeOverlayPath(options.path);
  const branch = options.branch ?? 'main';
  return withRepo(
    {
      url: options.repo,
      ...pick(options, ['cacheRoot', 'env', 'credentials', 'timeoutMs', 'signal', 'log']),
    },
    (repo) =>
      commitAndPush(repo, {
        branch,
        paths: [path],
        edit: async (dir) => {
          await assertInsideWorktree(dir, path, `${repo.remote.display}@${branch}`);
          return options.edit(dir);
        },
        message: options.message,
        ...pick(options, ['author', 'maxAttempts', 'signal', 'log']),
      }),
  );
}

/** The defined values of `keys` (exactOptionalPropertyTypes forbids passing `undefined` through). */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}
