import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutCommit } from '../../src/ci/checkout.ts';
import { git, tempDir } from '../git/helpers.ts';

describe('checkoutCommit on real repositories', () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('checks out a commit no ref points at (a pushed SHA fetched into a cache by name)', async () => {
    const tmp = tempDir('slipway-ci-checkout-');
    dirs.push(tmp);
    const repo = join(tmp.dir, 'repo');
    git(['init', '--quiet', '--initial-branch=main', repo]);
    writeFileSync(join(repo, 'version.txt'), 'one\n');
    git(['add', '.'], repo);
    git(['commit', '--quiet', '-m', 'one'], repo);
    writeFileSync(join(repo, 'version.txt'), 'two\n');
    git(['commit', '--quiet', '-am', 'two'], repo);
    const dangling = git(['rev-parse', 'HEAD'], repo).trim();
    // The branch moves back: `two` is in the object store, reachable from no ref.
    git(['reset', '--quiet', '--hard', 'HEAD~1'], repo);

    const dest = join(tmp.dir, 'checkout');
    await checkoutCommit(repo, dangling, dest);
    expect(readFileSync(join(dest, 'version.txt'), 'utf8')).toBe('two\n');
    expect(git(['rev-parse', 'HEAD'], dest).trim()).toBe(dangling);
  });

  it('names the repository when the commit does not exist there', async () => {
    const tmp = tempDir('slipway-ci-checkout-');
    dirs.push(tmp);
    const repo = join(tmp.dir, 'repo');
    git(['init', '--quiet', '--initial-branch=main', repo]);
    git(['commit', '--quiet', '--allow-empty', '-m', 'one'], repo);
    await expect(checkoutCommit(repo, 'a'.repeat(40), join(tmp.dir, 'checkout'))).rejects.toThrow(repo);
  });
});
