/**
 * `hashFiles(patterns…)` over a checkout, as the Actions runner computes it: the files matching
 * the patterns (relative to the workspace; `**`, `*`, `?`, and `!pattern` to exclude), in sorted
 * path order, each hashed with SHA-256, and those digests hashed again with SHA-256. No match is
 * the empty string. Only regular files inside the workspace count; `.git` is never walked and
 * symbolic links are not followed, so a repository cannot make it read outside itself.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * A glob pattern as a regular expression over `/`-separated relative paths.
 * @example globToRegExp('**\/package-lock.json').test('a/b/package-lock.json') === true
 */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.replace(/^\.\//, '');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] ?? '';
    if (c === '*' && p[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` matches everything below.
      if (p[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function walk(root: string, dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, full, out);
    else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
  }
}

/** The `hashFiles` value for `patterns` under `workspace`. */
export function hashFiles(workspace: string, patterns: readonly string[]): string {
  const include = patterns.filter((p) => !p.startsWith('!')).map(globToRegExp);
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => globToRegExp(p.slice(1)));
  const files: string[] = [];
  walk(workspace, workspace, files);
  const matched = files
    .filter((f) => include.some((r) => r.test(f)) && !exclude.some((r) => r.test(f)))
    .sort();
  if (matched.length === 0) return '';
  const all = createHash('sha256');
  for (const f of matched)
    all.update(
      createHash('sha256')
        .update(readFileSync(join(workspace, f)))
        .digest(),
    );
  return all.digest('hex');
}
