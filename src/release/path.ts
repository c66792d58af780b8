/**
 * Keeping a release inside its repository: the overlay path is checked as text before anything
 * runs, and again on disk after every checkout (the branch may have changed what a component is).
 * @module
 */
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { SlipwayError } from '../util/errors.ts';

/**
 * Normalizes a repository-relative folder path, refusing anything that could leave the repository
 * or reach into `.git`.
 * @example normalizeOverlayPath('apps/my-service/overlays/dev/') === 'apps/my-service/overlays/dev'
 * @example normalizeOverlayPath('apps/../../etc') // throws PathOutsideRepository
 */
export function normalizeOverlayPath(path: string, field = '--path'): string {
  const refuse = (why: string) =>
    new SlipwayError(`${JSON.stringify(path)} ${why}`, { subject: field, reason: 'PathOutsideRepository' });
  if (path.trim() === '') throw refuse('is empty');
  if (/[\0\n\r\\]/.test(path)) throw refuse('contains a control character or a backslash');
  if (path.startsWith('/')) throw refuse('is absolute; give a path relative to the repository root');
  const normalized = posix.normalize(path).replace(/\/+$/, '') || '.';
  if (normalized === '..' || normalized.startsWith('../')) throw refuse('leaves the repository (`..`)');
  if (normalized.split('/').some((part) => part.toLowerCase() === '.git')) throw refuse('points into .git');
  if (normalized.startsWith('-')) throw refuse('starts with "-"');
  return normalized;
}

/**
 * Checks, on disk, that `rel` is a real folder inside `worktree` and that no symlink directly inside
 * it (such as `kustomization.yaml` itself) points outside it: an edit writing through such a link
 * would change a file outside the overlay, or outside the repository. A symlinked overlay folder is
 * refused for the same reason.
 */
export async function assertInsideWorktree(worktree: string, rel: string, subject: string): Promise<void> {
  const root = await realpath(worktree);
  const target = join(worktree, rel);
  const info = await lstat(target).catch(() => undefined);
  if (info === undefined) {
    throw new SlipwayError(`${rel} does not exist in the repository`, { subject, reason: 'PathNotFound' });
  }
  if (info.isSymbolicLink()) {
    throw new SlipwayError(
      `${rel} is a symlink (to ${await readlink(target)}); refused: a release edits only real folders inside the repository`,
      { subject, reason: 'PathOutsideRepository' },
    );
  }
  if (!info.isDirectory())
    throw new SlipwayError(`${rel} is not a folder`, { subject, reason: 'PathNotFound' });
  const folder = await realpath(target);
  if (folder !== root && !folder.startsWith(root + sep)) {
    throw new SlipwayError(`${rel} resolves outside the repository`, {
      subject,
      reason: 'PathOutsideRepository',
    });
  }
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (!entry.isSymbolicLink()) continue;
    const link = join(folder, entry.name);
    const to = await realpath(link).catch(() => undefined);
    if (to === undefined || !to.startsWith(folder + sep)) {
      throw new SlipwayError(
        `${posix.join(rel, entry.name)} is a symlink to ${await readlink(link)}, outside ${rel}; refused: an edit would write through it`,
        { subject, reason: 'PathOutsideRepository' },
      );
    }
  }
}
