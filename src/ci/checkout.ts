/**
 * The clean checkout a run works in: `git clone --no-local` of the service repository into a
 * temporary folder, then a detached checkout of the commit. The user's working tree is never
 * read or touched — uncommitted changes cannot leak into a CI result.
 * @module
 */
import { runGit } from '../git/index.ts';
import { SlipwayError } from '../util/errors.ts';
import { repositoryFromRemoteUrl } from './contexts.ts';

/**
 * The full SHA of `rev` in `repoDir`.
 * @throws {SlipwayError} `CommitNotFound` naming the repository and the revision.
 */
export async function resolveCommit(repoDir: string, rev: string): Promise<string> {
  if (rev.startsWith('-') || rev.trim() === '') {
    throw new SlipwayError(`'${rev}' is not a commit`, { subject: repoDir, reason: 'CommitNotFound' });
  }
  const res = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    cwd: repoDir,
    subject: repoDir,
    okCodes: [1],
  });
  const sha = res.stdout.trim();
  if (res.code !== 0 || sha === '') {
    throw new SlipwayError(`no commit '${rev}'`, { subject: repoDir, reason: 'CommitNotFound' });
  }
  return sha;
}

/** `owner/name` of the repository's `origin` remote, or undefined when there is none. */
export async function originRepository(repoDir: string): Promise<string | undefined> {
  const res = await runGit(['remote', 'get-url', 'origin'], { cwd: repoDir, subject: repoDir, okCodes: [2] });
  return res.code === 0 ? repositoryFromRemoteUrl(res.stdout.trim()) : undefined;
}

/** Clones `repoDir` into `dest` (which must not exist) and checks out `sha`, detached. */
export async function checkoutCommit(
  repoDir: string,
  sha: string,
  dest: string,
  signal?: AbortSignal,
): Promise<void> {
  const opts = signal ? { signal } : {};
  await runGit(['clone', '--no-local', '--no-checkout', '--quiet', '--', repoDir, dest], {
    ...opts,
    subject: repoDir,
    timeoutMs: 10 * 60_000,
  });
  // A clone brings only what refs reach: a commit fetched into a cache by its SHA (a webhook's
  // `after`) has no ref yet, so it is asked for by name.
  const present = await runGit(['cat-file', '-e', `${sha}^{commit}`], {
    ...opts,
    cwd: dest,
    subject: dest,
    okCodes: [1, 128],
  });
  if (present.code !== 0) {
    await runGit(['fetch', '--quiet', '--depth=1', 'origin', sha], {
      ...opts,
      cwd: dest,
      subject: repoDir,
      timeoutMs: 10 * 60_000,
    });
  }
  await runGit(['checkout', '--quiet', '--detach', sha], { ...opts, cwd: dest, subject: dest });
}
