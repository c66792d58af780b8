/**
 * The cached clone against real repositories: resolving refs the way a user names them, and
 * checking out a commit's files.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRemote, withRepo } from '../../src/git/index.ts';
import { git, makeConfigRepo, revParse, tempDir } from './helpers.ts';

describe('GitRepo', () => {
  const tmp = tempDir('slipway-repo-');
  const cacheRoot = join(tmp.dir, 'cache');
  let bare = '';
  let first = '';
  let second = '';

  beforeAll(() => {
    bare = makeConfigRepo(tmp.dir, ['a', 'b']);
    first = revParse(bare, 'main');
    const work = join(tmp.dir, 'work');
    git(['clone', '--quiet', bare, work]);
    git(['commit', '--quiet', '--allow-empty', '-m', 'second'], work);
    git(['tag', 'light'], work);
    git(['tag', '-a', '-m', 'annotated', 'v1.0.0', 'HEAD~1'], work);
    git(['branch', 'light-or-branch', 'HEAD~1'], work);
    git(['tag', 'light-or-branch', 'HEAD'], work);
    git(
      [
        'push',
        '--quiet',
        'origin',
        'HEAD:main',
        'refs/heads/light-or-branch:refs/heads/light-or-branch',
        '--tags',
      ],
      work,
    );
    second = revParse(bare, 'main');
  });
  afterAll(() => tmp.remove());

  const resolve = (ref: string) => withRepo({ url: bare, cacheRoot }, (repo) => repo.resolveRef(ref));

  it.each([
    ['main', () => second],
    ['refs/heads/main', () => second],
    ['HEAD', () => second],
    ['light', () => second],
    ['v1.0.0', () => first],
    ['refs/tags/v1.0.0', () => first],
    ['light-or-branch', () => first],
  ])('resolves %s', async (ref, expected) => {
    expect(await resolve(ref)).toBe(expected());
  });

  it('resolves a full commit SHA by fetching it, also when no ref points at it', async () => {
    expect(await resolve(first)).toBe(first);
    expect(await resolve(first.toUpperCase())).toBe(first);
  });

  it('names the repository when a ref does not exist, and hints at abbreviated SHAs', async () => {
    await expect(resolve('nope')).rejects.toThrow(`file://${bare}: no branch, tag or ref named "nope"`);
    await expect(resolve(first.slice(0, 7))).rejects.toThrow('give the full 40-character SHA');
    await expect(resolve('--upload-pack=x')).rejects.toThrow('is not a valid git ref name');
  });

  it('checks out all of a commit, or only some paths', async () => {
    await withRepo({ url: bare, cacheRoot }, async (repo) => {
      const head = await repo.fetchBranch('main');
      const all = await repo.checkout(head);
      expect(readdirSync(join(all, 'apps')).sort()).toEqual(['a', 'b']);
      expect(existsSync(join(all, 'apps/b/base/deployment.yaml'))).toBe(true);
      const some = await repo.checkout(head, ['apps/a/overlays/dev']);
      expect(readdirSync(join(some, 'apps'))).toEqual(['a']);
      expect(readdirSync(join(some, 'apps/a'))).toEqual(['overlays']);
    });
  });

  it('keys the cache by the repository, so a path and its file:// URL share one clone', async () => {
    const root = join(tmp.dir, 'cache-key');
    await withRepo({ url: bare, cacheRoot: root }, (repo) => repo.fetchBranch('main'));
    await withRepo({ url: `file://${bare}`, cacheRoot: root }, (repo) => repo.fetchBranch('main'));
    expect(readdirSync(root).filter((n) => !n.includes('.'))).toEqual([parseRemote(bare).key]);
    expect(
      git(['--git-dir', join(root, parseRemote(bare).key), 'rev-parse', '--is-shallow-repository']).trim(),
    ).toBe('true');
  });
});
