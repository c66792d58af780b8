/**
 * Keeping reads inside a repository.
 *
 * Paths come from files in a repository Slipway does not control (a kustomization's `resources`, a
 * values file named by an Application), so every path is checked twice before anything reads it:
 * lexically (`..` must not climb out of the root) and after resolving symlinks (a link must not point
 * out of the root). This is Argo CD's rule for manifest sources (`util/app/path`:
 * `CheckOutOfBoundsSymlinks`, and `Path`'s refusal of paths that leave the repository).
 *
 * @module
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SlipwayError } from '../util/errors.ts';

/** True when `path` (absolute) is `root` or below it, comparing path segments, not string prefixes. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** A root prepared for checks: its absolute path and its symlink-free real path. */
export interface Root {
  readonly path: string;
  readonly real: string;
}

/** Resolves `root` for {@link confine}. Throws naming it when it does not exist. */
export async function openRoot(root: string): Promise<Root> {
  const path = resolve(root);
  const real = await realpath(path).catch((err: unknown) => {
    throw new SlipwayError('does not exist', { subject: root, reason: 'NotFound', cause: err });
  });
  return { path, real };
}

/**
 * Resolves `ref` against `base` and returns the absolute path, refusing a path that leaves `root`
 * by `..` or through a symlink. `what` names the reference in the error, e.g.
 * `overlays/dev/kustomization.yaml: resources[0]`. A path that does not exist passes when
 * `mustExist` is false (the tool that reads it will report it).
 */
export async function confine(
  root: Root,
  base: string,
  ref: string,
  what: string,
  mustExist = true,
): Promise<string> {
  const abs = resolve(base, ref);
  if (!isInside(root.path, abs)) {
    throw new SlipwayError(`${JSON.stringify(ref)} leaves the root ${root.path}`, {
      subject: what,
      reason: 'PathOutsideRoot',
    });
  }
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    if (!mustExist) return abs;
    throw new SlipwayError(`${JSON.stringify(ref)} does not exist`, {
      subject: what,
      reason: 'NotFound',
      cause: err,
    });
  }
  if (!isInside(root.real, real)) {
    throw new SlipwayError(`${JSON.stringify(ref)} is a symlink to ${real}, outside the root ${root.path}`, {
      subject: what,
      reason: 'PathOutsideRoot',
    });
  }
  return abs;
}

/**
 * Refuses any symlink under `dir` (recursively, without following linked directories) whose target
 * lies outside `root`: Argo CD's out-of-bounds symlink check. Dangling links are left to the tool.
 */
export async function checkSymlinks(root: Root, dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      if (target !== undefined && !isInside(root.real, target)) {
        throw new SlipwayError(`is a symlink to ${target}, outside the root ${root.path}`, {
          subject: relative(root.path, path) || path,
          reason: 'PathOutsideRoot',
        });
      }
    } else if (entry.isDirectory() && entry.name !== '.git') {
      await checkSymlinks(root, path);
    }
  }
}

/** Whether `path` is a directory (following symlinks), false when it does not exist. */
export async function isDirectory(path: string): Promise<boolean> {
  return realpath(path)
    .then((p) => lstat(p))
    .then(
      (s) => s.isDirectory(),
      () => false,
    );
}
