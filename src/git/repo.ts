/**
 * A cached clone of one remote repository, and the operations on it.
 *
 * The cache is a bare repository in `<cacheRoot>/<hash of url>` (default
 * `${SLIPWAY_CACHE:-~/.cache/slipway}/git`). It appears only complete: a first clone is made in a
 * temporary folder and renamed into place after its first fetch succeeded. Every use holds the
 * cache's lock; under it, lock files left by a killed git are removed, and a cache that git reports
 * as corrupt is deleted and cloned again.
 *
 * Why bare, with a scratch index and a scratch work tree: a release changes one overlay folder of
 * a repository that may hold thousands of apps. Checking out only that folder, and building the new
 * commit with `write-tree`/`commit-tree` from an index read straight from the fetched commit, keeps
 * every step independent of the repository's size on disk and leaves no branch, HEAD or work tree
 * state to repair after a failed attempt. The first fetch is shallow (`--depth=1`); later fetches
 * are incremental (a repeated `--depth=1` makes the server recompute the shallow boundary: 4x slower).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cacheRoot as slipwayCacheRoot } from '../util/cache.ts';
import { SlipwayError } from '../util/errors.ts';
import { type BasicCredentials, type GitAccess, gitAccess } from './credentials.ts';
import { GitCommandError, type GitResult, type GitRunOptions, runGit } from './exec.ts';
import { type GitIdentity, SLIPWAY_IDENTITY } from './identity.ts';
import { lockPath, withLock } from './lock.ts';
import { parseRemote, type Remote } from './remote.ts';

export interface RepoOptions {
  /** Repository address: `https://…`, `ssh://…`, `user@host:path`, `file://…` or a local path. */
  url: string;
  /** Folder of all cached clones; default `${SLIPWAY_CACHE:-~/.cache/slipway}/git`. */
  cacheRoot?: string;
  /** Where credentials are read from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Credentials to use instead of the environment's. */
  credentials?: BasicCredentials;
  /** Deadline of each command that talks to the remote; default 60 s. */
  timeoutMs?: number;
  /** Deadline of each local command; default 60 s. */
  localTimeoutMs?: number;
  /** How long to wait for another user of the same cache; default 10 min. */
  lockTimeoutMs?: number;
  signal?: AbortSignal;
  /** Progress lines (already free of secrets). */
  log?: (line: string) => void;
}

/** The default cache root: `${SLIPWAY_CACHE:-~/.cache/slipway}/git`. */
export function defaultGitCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(slipwayCacheRoot(env), 'git');
}

const MARKER = 'slipway-remote';

/**
 * Runs `fn` with the cached clone of `options.url`, holding its lock.
 *
 * When git finds the cache corrupt, the cache is deleted and `fn` runs once more on a fresh
 * clone, so `fn` must be safe to run again from the start (a release is: it re-fetches, resets and
 * re-applies its edit).
 * @example
 * const head = await withRepo({ url }, async (repo) => repo.fetchBranch('main'));
 */
export async function withRepo<T>(options: RepoOptions, fn: (repo: GitRepo) => Promise<T>): Promise<T> {
  const remote = parseRemote(options.url);
  const root = options.cacheRoot ?? defaultGitCacheRoot(options.env);
  await mkdir(root, { recursive: true });
  const access = await gitAccess(remote, {
    cacheRoot: root,
    ...(options.env ? { env: options.env } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const dir = join(root, remote.key);
  const lockOptions = {
    ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  return withLock(
    lockPath(dir),
    async () => {
      const repo = new GitRepo(dir, remote, access, options);
      repo.prepareCache();
      try {
        return await fn(repo);
      } catch (err) {
        if (!(err instanceof GitCommandError) || err.kind !== 'corrupt') throw err;
        options.log?.(`git cache ${dir} is corrupt (${err.message}); cloning again`);
        await rm(dir, { recursive: true, force: true });
        return fn(new GitRepo(dir, remote, access, options));
      }
    },
    lockOptions,
  );
}

/** A cached clone; obtained from {@link withRepo}, valid only inside its callback. */
export class GitRepo {
  /** The bare repository of the cache. */
  readonly gitDir: string;
  /** The scratch work tree that {@link checkout} fills (only the paths asked for). */
  readonly workDir: string;
  readonly remote: Remote;
  readonly #index: string;
  /** Records which tree the scratch index holds exactly, when that is known. */
  readonly #indexTree: string;
  #checkedOut: { commit: string; tree: string } | undefined;
  readonly #access: GitAccess;
  readonly #options: RepoOptions;

  constructor(gitDir: string, remote: Remote, access: GitAccess, options: RepoOptions) {
    this.gitDir = gitDir;
    this.workDir = join(gitDir, 'slipway-work');
    this.#index = join(gitDir, 'slipway-index');
    this.#indexTree = join(gitDir, 'slipway-index.tree');
    this.remote = remote;
    this.#access = access;
    this.#options = options;
  }

  /** Where the credentials for this remote come from (for hints in messages), if any. */
  get credentialSource(): string | undefined {
    return this.#access.source;
  }

  /**
   * Leaves a usable cache or none: removes a cache that is not a complete Slipway clone of this
   * remote, the temporary folder of a killed first clone, and the lock files a killed git left
   * behind (we hold the cache lock, so no live git owns them).
   */
  prepareCache(): void {
    // A first clone whose process was killed leaves its temporary folder; it is ours to remove
    // (only a holder of this cache's lock creates one).
    const prefix = `${basename(this.gitDir)}.tmp-`;
    for (const name of safeReaddir(dirname(this.gitDir))) {
      if (name.startsWith(prefix)) rmSync(join(dirname(this.gitDir), name), { recursive: true, force: true });
    }
    if (!existsSync(this.gitDir)) return;
    let marker: string | undefined;
    try {
      marker = readFileSync(join(this.gitDir, MARKER), 'utf8');
      readFileSync(join(this.gitDir, 'HEAD'), 'utf8');
    } catch {
      marker = undefined;
    }
    if (marker !== this.remote.url) {
      this.#options.log?.(`git cache ${this.gitDir} is incomplete or foreign; removing it`);
      rmSync(this.gitDir, { recursive: true, force: true });
      return;
    }
    removeStaleLocks(this.gitDir);
  }

  /**
   * Fetches the head of `branch` (cloning first if there is no cache) and returns its commit.
   * Throws `GitRefNotFound` when the remote has no such branch.
   */
  async fetchBranch(branch: string): Promise<string> {
    assertRefName(branch, 'branch');
    const refspec = `+refs/heads/${branch}:refs/remotes/origin/${branch}`;
    await this.#fetchInto([refspec], `branch "${branch}"`, false);
    return this.revParse(`refs/remotes/origin/${branch}`);
  }

  /**
   * Resolves `ref` on the remote to a commit: a branch name, a tag name (annotated tags are
   * peeled), a full ref (`refs/...`), `HEAD`, or a full 40-hex commit SHA (which is fetched, so it
   * must exist on the remote). Branches win over tags of the same name.
   */
  async resolveRef(ref: string): Promise<string> {
    if (/^[0-9a-f]{40}$/i.test(ref)) {
      await this.fetchCommit(ref);
      return ref.toLowerCase();
    }
    assertRefName(ref, 'ref');
    const candidates =
      ref === 'HEAD' ? ['HEAD'] : ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    // By URL, not `origin`: this works before the cache exists, without creating it.
    // ls-remote lists a tag's peeled commit (`<tag>^{}`) only when asked for by that name.
    const patterns = candidates.flatMap((c) => (c === 'HEAD' ? [c] : [c, `${c}^{}`]));
    const listing = await this.#remote(['ls-remote', '--', this.remote.url, ...patterns], {
      cwd: dirname(this.gitDir),
    });
    const refs = parseLsRemote(listing.stdout);
    for (const name of candidates) {
      const sha = refs.get(`${name}^{}`) ?? refs.get(name);
      if (sha) return sha;
    }
    const hint = /^[0-9a-f]{7,39}$/i.test(ref)
      ? ' (an abbreviated commit? give the full 40-character SHA)'
      : '';
    throw new SlipwayError(`no branch, tag or ref named "${ref}"${hint}`, {
      subject: this.remote.display,
      reason: 'GitRefNotFound',
    });
  }

  /** Fetches one commit by SHA unless the cache has it (cloning first if needed). */
  async fetchCommit(sha: string): Promise<void> {
    if (existsSync(this.gitDir)) {
      const have = await this.#local(['cat-file', '-e', `${sha}^{commit}`], { okCodes: [1, 128] });
      if (have.code === 0) return;
    }
    // Shallow: without --depth, an old commit would bring all history below it.
    await this.#fetchInto([sha], `commit ${sha}`, true);
  }

  /**
   * Fills {@link workDir} with the files under `paths` at `commit` (everything for `['.']`) and
   * points the scratch index at `commit`, ready for {@link commit}. Whatever the work tree held
   * before is removed first. git itself refuses to write through a symlink in the tree.
   */
  async checkout(commit: string, paths: readonly string[] = ['.']): Promise<string> {
    const tree = await this.#treeOf(commit);
    // The scratch index is reused when it already holds exactly this tree (the previous release
    // from this cache wrote it and nobody pushed since): reading 6,000 entries back in is the
    // largest local cost of a release. The record is dropped before the index can change and
    // written only after `write-tree` proved what the index holds, so a stale index is never used.
    const recorded = await readFile(this.#indexTree, 'utf8').catch(() => undefined);
    await rm(this.#indexTree, { force: true });
    if (recorded !== tree) await this.#local(['read-tree', commit], { env: { GIT_INDEX_FILE: this.#index } });
    await rm(this.workDir, { recursive: true, force: true });
    await mkdir(this.workDir, { recursive: true });
    try {
      await this.#worktree(['checkout', '--', ...paths]);
    } catch (err) {
      if (err instanceof GitCommandError && /did not match any file/.test(err.stderr)) {
        throw new SlipwayError(`${paths.join(', ')} does not exist at ${commit.slice(0, 7)}`, {
          subject: this.remote.display,
          reason: 'PathNotFound',
          cause: err,
        });
      }
      throw err;
    }
    this.#checkedOut = { commit, tree };
    return this.workDir;
  }

  /**
   * Commits the work tree's `paths` (additions, changes and deletions) on top of `parent`, which
   * must be the commit last given to {@link checkout}. Returns the new commit, or undefined when
   * the tree is unchanged (no empty commits). No branch moves: push the returned commit.
   */
  async commit(options: {
    parent: string;
    paths: readonly string[];
    message: string;
    author?: GitIdentity;
  }): Promise<string | undefined> {
    if (this.#checkedOut?.commit !== options.parent) {
      throw new SlipwayError(`commit on ${options.parent.slice(0, 7)} without checking it out first`, {
        subject: this.gitDir,
        reason: 'InternalError',
      });
    }
    const parentTree = this.#checkedOut.tree;
    await this.#worktree(['add', '--all', '--', ...options.paths]);
    const tree = (await this.#local(['write-tree'], { env: { GIT_INDEX_FILE: this.#index } })).stdout.trim();
    await writeFile(this.#indexTree, tree);
    if (tree === parentTree) return undefined;
    const author = options.author ?? SLIPWAY_IDENTITY;
    const result = await this.#local(['commit-tree', tree, '-p', options.parent, '-F', '-'], {
      input: options.message,
      config: [
        ['user.name', author.name],
        ['user.email', author.email],
      ],
    });
    return result.stdout.trim();
  }

  async #treeOf(commit: string): Promise<string> {
    return (await this.#local(['rev-parse', '--verify', `${commit}^{tree}`])).stdout.trim();
  }

  /**
   * Writes every file of `commit` into `dir` (which must not exist yet), with an index of its own:
   * a read-only snapshot that outlives the cache's lock, unlike {@link workDir}.
   */
  async exportTree(commit: string, dir: string): Promise<void> {
    const index = `${dir}.index`;
    await mkdir(dir, { recursive: false });
    try {
      await this.#local(['read-tree', commit], { env: { GIT_INDEX_FILE: index } });
      await this.#local([`--work-tree=${dir}`, 'checkout-index', '--all'], {
        env: { GIT_INDEX_FILE: index },
      });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    } finally {
      await rm(index, { force: true });
    }
  }

  /** The commit `rev` names in the cache. */
  async revParse(rev: string): Promise<string> {
    const result = await this.#local(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    return result.stdout.trim();
  }

  /**
   * Pushes `commit` to `refs/heads/<branch>` (never forced) and returns git's output
   * (`--porcelain`, read by `parsePushPorcelain`). A rejection is an answer, not an exception;
   * transport failures throw.
   */
  async push(commit: string, branch: string): Promise<GitResult> {
    assertRefName(branch, 'branch');
    return this.#remote(['push', '--porcelain', '--no-verify', 'origin', `${commit}:refs/heads/${branch}`], {
      okCodes: [1],
    });
  }

  /**
   * Fetches into the cache (shallow when asked); with no cache yet, clones (always shallow) into a
   * temporary folder that becomes the cache only once the fetch succeeded, so a failed first clone
   * leaves nothing behind.
   */
  async #fetchInto(refspecs: string[], what: string, shallow: boolean): Promise<void> {
    if (existsSync(this.gitDir)) {
      await this.#fetch(this.gitDir, refspecs, what, shallow);
      return;
    }
    const tmp = `${this.gitDir}.tmp-${randomBytes(4).toString('hex')}`;
    this.#options.log?.(`cloning ${this.remote.display} into ${this.gitDir}`);
    try {
      await this.#local(['init', '--quiet', '--bare', '--template=', tmp], { cwd: dirname(tmp) });
      await this.#local(['remote', 'add', 'origin', this.remote.url], { cwd: tmp });
      await this.#fetch(tmp, refspecs, what, true);
      await writeFile(join(tmp, MARKER), this.remote.url);
      await rename(tmp, this.gitDir);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async #fetch(cwd: string, refspecs: string[], what: string, shallow: boolean): Promise<void> {
    const args = [
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      ...(shallow ? ['--depth=1'] : []),
    ];
    try {
      await this.#remote([...args, 'origin', ...refspecs], { cwd });
    } catch (err) {
      if (
        err instanceof GitCommandError &&
        /couldn't find remote ref|not our ref|no such remote ref/i.test(err.stderr)
      ) {
        throw new SlipwayError(`${what} does not exist`, {
          subject: this.remote.display,
          reason: 'GitRefNotFound',
          cause: err,
        });
      }
      throw err;
    }
  }

  /** A command that talks to the remote: credentials, the network deadline, errors naming the server. */
  #remote(args: string[], extra: Partial<GitRunOptions> = {}): Promise<GitResult> {
    const run: GitRunOptions = {
      cwd: this.gitDir,
      config: this.#access.config,
      env: this.#access.env,
      secrets: this.#access.secrets,
      subject: this.remote.display,
      timeoutMs: this.#options.timeoutMs ?? 60_000,
      ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      ...extra,
    };
    return runGit(args, run).catch((err: unknown) => {
      throw this.#explain(err);
    });
  }

  /** A command on the cache alone: no credentials, errors naming the cache folder. */
  #local(args: string[], extra: Partial<GitRunOptions> = {}): Promise<GitResult> {
    const run: GitRunOptions = {
      cwd: this.gitDir,
      subject: this.gitDir,
      timeoutMs: this.#options.localTimeoutMs ?? 60_000,
      ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      ...extra,
    };
    return runGit(args, run);
  }

  /** A command on the scratch index and work tree. */
  #worktree(args: string[]): Promise<GitResult> {
    return this.#local([`--work-tree=${this.workDir}`, ...args], { env: { GIT_INDEX_FILE: this.#index } });
  }

  /** Adds the hint a person needs to the transport failures they can act on. */
  #explain(err: unknown): unknown {
    if (!(err instanceof GitCommandError)) return err;
    const hints: Partial<Record<GitCommandError['kind'], string>> = {
      auth: this.#access.source
        ? `authentication failed: the server refused the credentials from ${this.#access.source}`
        : 'authentication failed (no credentials: set SLIPWAY_GIT_TOKEN, or SLIPWAY_GIT_USERNAME and SLIPWAY_GIT_PASSWORD, or SLIPWAY_SSH_KEY)',
      tls: "cannot verify the server's TLS certificate (for a private CA set SLIPWAY_GIT_CA_FILE)",
      unreachable: 'cannot reach the server',
      timeout: 'the server did not answer in time',
      'not-found': 'no repository at this address',
    };
    const hint = hints[err.kind];
    if (hint === undefined) return err;
    return new GitCommandError(`${hint}: ${err.detail}`, {
      kind: err.kind,
      command: err.command,
      exitCode: err.exitCode,
      stderr: err.stderr,
      subject: this.remote.display,
      cause: err,
    });
  }
}

/** `<sha>\t<ref>` lines into a map. */
export function parseLsRemote(stdout: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [sha, name] = line.split('\t');
    if (sha && name) refs.set(name, sha);
  }
  return refs;
}

/**
 * Refuses names git would read as options or that `git check-ref-format` rejects, before any of
 * them reaches a command line.
 */
export function assertRefName(name: string, field: string): void {
  const bad =
    name === '' ||
    name.startsWith('-') ||
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.endsWith('.lock') ||
    name.includes('..') ||
    name.includes('//') ||
    name.includes('@{') ||
    /[\0-\x20\x7f~^:?*[\\]/.test(name) ||
    name.split('/').some((part) => part.startsWith('.'));
  if (bad) {
    throw new SlipwayError(`"${name}" is not a valid git ${field} name`, {
      subject: field,
      reason: 'InvalidRefName',
    });
  }
}

/** Deletes `*.lock` files under a `.git` folder, and the temporary packs of an interrupted fetch. */
function removeStaleLocks(gitDir: string): void {
  const walk = (dir: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (dir === gitDir && e.name !== 'refs') continue; // objects/ holds no locks and is big
        walk(path);
      } else if (e.name.endsWith('.lock')) {
        unlinkSync(path);
      }
    }
  };
  walk(gitDir);
  const packDir = join(gitDir, 'objects', 'pack');
  for (const name of safeReaddir(packDir)) {
    if (name.startsWith('tmp_')) rmSync(join(packDir, name), { force: true });
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
