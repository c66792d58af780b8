/**
 * `release()` against real bare repositories over file://: what a commit says, no-op releases,
 * concurrent releases racing on one branch, paths that try to leave the repository, pushes that
 * fail or are killed, and caches that are corrupt or hold stale locks.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processIdentity } from '../../src/devcluster/processes.ts';
import { GitCommandError, parseRemote } from '../../src/git/index.ts';
import { release } from '../../src/release/index.ts';
import { sleep } from '../../src/util/abort.ts';
import { SlipwayError } from '../../src/util/errors.ts';
import { commitCount, git, makeConfigRepo, revParse, setTagEdit, showFile, tempDir } from '../git/helpers.ts';

const tmp = tempDir('slipway-release-');
afterAll(() => tmp.remove());

let n = 0;
/** A fresh config repository and cache root for one test. */
function fixture(apps = ['my-service', 'other'], files: Record<string, string> = {}) {
  const root = join(tmp.dir, `case-${++n}`);
  mkdirSync(root);
  const bare = makeConfigRepo(root, apps, files);
  return { root, bare, cacheRoot: join(root, 'cache') };
}

const OVERLAY = 'apps/my-service/overlays/dev';

describe('release', () => {
  it('commits only the overlay, with the given author and message, and pushes it', async () => {
    const { bare, cacheRoot } = fixture();
    const seed = revParse(bare, 'main');
    const result = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'abc1234'),
      message: 'Update my-service to abc1234',
      author: { name: 'CI Bot', email: 'ci@example.com' },
      cacheRoot,
    });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(revParse(bare, 'main')).toBe(result.commit);
    const meta = git(['--git-dir', bare, 'log', '-1', '--format=%an|%ae|%cn|%ce|%P|%B', 'main']).trim();
    expect(meta).toBe(`CI Bot|ci@example.com|CI Bot|ci@example.com|${seed}|Update my-service to abc1234`);
    expect(git(['--git-dir', bare, 'diff-tree', '--no-commit-id', '--name-only', '-r', 'main']).trim()).toBe(
      `${OVERLAY}/kustomization.yaml`,
    );
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain('newTag: abc1234');
    expect(showFile(bare, 'main', 'apps/other/overlays/dev/kustomization.yaml')).toContain('newTag: v0');
  });

  it('defaults the author to Slipway', async () => {
    const { bare, cacheRoot } = fixture();
    await release({ repo: bare, path: OVERLAY, edit: setTagEdit(OVERLAY, 'd1'), message: 'm', cacheRoot });
    expect(git(['--git-dir', bare, 'log', '-1', '--format=%an <%ae>', 'main']).trim()).toBe(
      'Slipway <slipway@localhost>',
    );
  });

  it('makes no commit and returns the head when the overlay already has the image', async () => {
    const { bare, cacheRoot } = fixture();
    const first = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'same'),
      message: 'm',
      cacheRoot,
    });
    const again = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'same'),
      message: 'm',
      cacheRoot,
    });
    expect(again).toMatchObject({ commit: first.commit, changed: false, attempts: 1 });
    expect(revParse(bare, 'main')).toBe(first.commit);
    expect(commitCount(bare)).toBe(2);
  });

  it('makes no commit when the edit claims a change that leaves the tree as it was', async () => {
    const { bare, cacheRoot } = fixture();
    const head = revParse(bare, 'main');
    const result = await release({
      repo: bare,
      path: OVERLAY,
      edit: async () => ({ changed: true, description: 'touched nothing' }),
      message: 'm',
      cacheRoot,
    });
    expect(result).toMatchObject({ commit: head, changed: false });
    expect(commitCount(bare)).toBe(1);
  });

  it('commits files the edit adds and removes under the path', async () => {
    const { bare, cacheRoot } = fixture(['my-service'], { [`${OVERLAY}/old-patch.yaml`]: 'x: 1\n' });
    await release({
      repo: bare,
      path: OVERLAY,
      edit: async (dir) => {
        rmSync(join(dir, OVERLAY, 'old-patch.yaml'));
        writeFileSync(join(dir, OVERLAY, 'new-patch.yaml'), 'y: 2\n');
        return { changed: true, description: 'swap patches' };
      },
      message: 'swap',
      cacheRoot,
    });
    const files = git(['--git-dir', bare, 'ls-tree', '-r', '--name-only', 'main', '--', OVERLAY])
      .trim()
      .split('\n');
    expect(files).toEqual([`${OVERLAY}/kustomization.yaml`, `${OVERLAY}/new-patch.yaml`]);
  });

  it('keeps what others pushed between two releases from the same cache', async () => {
    const { root, bare, cacheRoot } = fixture();
    await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'mine1'),
      message: 'm1',
      cacheRoot,
    });
    const work = join(root, 'someone-else');
    git(['clone', '--quiet', bare, work]);
    writeFileSync(join(work, 'apps/other/overlays/dev/kustomization.yaml'), 'images: [] # theirs\n');
    git(['commit', '--quiet', '-am', 'theirs'], work);
    git(['push', '--quiet', 'origin', 'HEAD:main'], work);
    await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'mine2'),
      message: 'm2',
      cacheRoot,
    });
    expect(showFile(bare, 'main', 'apps/other/overlays/dev/kustomization.yaml')).toBe(
      'images: [] # theirs\n',
    );
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain('newTag: mine2');
    expect(git(['--git-dir', bare, 'log', '--format=%s', 'main']).trim().split('\n')).toEqual([
      'm2',
      'theirs',
      'm1',
      'seed',
    ]);
  });

  it('lands 20 concurrent releases from 20 separate caches on one branch, none lost, none forced', async () => {
    const apps = Array.from({ length: 20 }, (_, i) => `app-${i}`);
    const { bare, root } = fixture(apps);
    const results = await Promise.all(
      apps.map((app) =>
        release({
          repo: `file://${bare}`,
          path: `apps/${app}/overlays/dev`,
          edit: setTagEdit(`apps/${app}/overlays/dev`, `${app}-new`),
          message: `Update ${app} to ${app}-new`,
          cacheRoot: join(root, `runner-${app}`),
        }),
      ),
    );
    for (const app of apps) {
      expect(showFile(bare, 'main', `apps/${app}/overlays/dev/kustomization.yaml`)).toContain(
        `newTag: ${app}-new`,
      );
    }
    expect(commitCount(bare)).toBe(21);
    // A straight line of 20 single-parent commits on the seed: nothing was overwritten or merged.
    const parents = git(['--git-dir', bare, 'rev-list', '--parents', 'main']).trim().split('\n');
    expect(parents.filter((l) => l.split(' ').length === 2)).toHaveLength(20);
    const subjects = git(['--git-dir', bare, 'log', '--format=%s', 'main']).trim().split('\n');
    expect(new Set(subjects)).toEqual(new Set([...apps.map((a) => `Update ${a} to ${a}-new`), 'seed']));
    expect(new Set(results.map((r) => r.commit)).size).toBe(20);
    // The race really happened: with 20 writers at once, some pushes lost and were redone.
    expect(Math.max(...results.map((r) => r.attempts))).toBeGreaterThan(1);
  });

  it('serializes 20 concurrent releases that share one cache, each on the first attempt', async () => {
    const apps = Array.from({ length: 20 }, (_, i) => `app-${i}`);
    const { bare, cacheRoot } = fixture(apps);
    const results = await Promise.all(
      apps.map((app) =>
        release({
          repo: bare,
          path: `apps/${app}/overlays/dev`,
          edit: setTagEdit(`apps/${app}/overlays/dev`, 'shared'),
          message: `Update ${app} to shared`,
          cacheRoot,
        }),
      ),
    );
    expect(results.every((r) => r.changed && r.attempts === 1)).toBe(true);
    expect(commitCount(bare)).toBe(21);
    for (const app of apps) {
      expect(showFile(bare, 'main', `apps/${app}/overlays/dev/kustomization.yaml`)).toContain(
        'newTag: shared',
      );
    }
  });
});

describe('release refuses paths that leave the repository', () => {
  it('refuses `..` before touching git', async () => {
    const { bare, cacheRoot } = fixture();
    await expect(
      release({
        repo: bare,
        path: 'apps/../../outside',
        edit: setTagEdit('x', 'x'),
        message: 'm',
        cacheRoot,
      }),
    ).rejects.toThrow('--path: "apps/../../outside" leaves the repository (`..`)');
    expect(existsSync(cacheRoot)).toBe(false);
  });

  it('refuses an overlay folder that is a symlink out of the repository', async () => {
    const { root, bare, cacheRoot } = fixture();
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'kustomization.yaml'), 'images:\n  - name: x\n    newTag: keep\n');
    const work = join(root, 'evil');
    git(['clone', '--quiet', bare, work]);
    mkdirSync(join(work, 'apps/evil/overlays'), { recursive: true });
    symlinkSync(outside, join(work, 'apps/evil/overlays/dev'));
    git(['add', '--all'], work);
    git(['commit', '--quiet', '-m', 'symlinked overlay'], work);
    git(['push', '--quiet', 'origin', 'HEAD:main'], work);
    const head = revParse(bare, 'main');

    const err = await release({
      repo: bare,
      path: 'apps/evil/overlays/dev',
      edit: setTagEdit('apps/evil/overlays/dev', 'pwned'),
      message: 'm',
      cacheRoot,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).reason).toBe('PathOutsideRepository');
    expect((err as Error).message).toContain(`apps/evil/overlays/dev is a symlink (to ${outside})`);
    expect(readFileSync(join(outside, 'kustomization.yaml'), 'utf8')).toContain('newTag: keep');
    expect(revParse(bare, 'main')).toBe(head);
  });

  it('refuses a kustomization.yaml that is a symlink to a file outside the overlay', async () => {
    const { root, bare, cacheRoot } = fixture();
    const outsideFile = join(root, 'secret-kustomization.yaml');
    writeFileSync(outsideFile, 'images:\n  - name: x\n    newTag: keep\n');
    const work = join(root, 'evil2');
    git(['clone', '--quiet', bare, work]);
    rmSync(join(work, OVERLAY, 'kustomization.yaml'));
    symlinkSync(outsideFile, join(work, OVERLAY, 'kustomization.yaml'));
    git(['add', '--all'], work);
    git(['commit', '--quiet', '-m', 'symlinked file'], work);
    git(['push', '--quiet', 'origin', 'HEAD:main'], work);
    const head = revParse(bare, 'main');

    const err = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'pwned'),
      message: 'm',
      cacheRoot,
    }).catch((e: unknown) => e);
    expect((err as SlipwayError).reason).toBe('PathOutsideRepository');
    expect((err as Error).message).toContain(`${OVERLAY}/kustomization.yaml is a symlink to ${outsideFile}`);
    expect(readFileSync(outsideFile, 'utf8')).toContain('newTag: keep');
    expect(revParse(bare, 'main')).toBe(head);
  });

  it('says so when the overlay does not exist on the branch', async () => {
    const { bare, cacheRoot } = fixture();
    await expect(
      release({
        repo: bare,
        path: 'apps/nope/overlays/dev',
        edit: setTagEdit('x', 'x'),
        message: 'm',
        cacheRoot,
      }),
    ).rejects.toThrow(/apps\/nope\/overlays\/dev does not exist at [0-9a-f]{7}/);
  });

  it('says so when the branch does not exist', async () => {
    const { bare, cacheRoot } = fixture();
    await expect(
      release({
        repo: bare,
        branch: 'nope',
        path: OVERLAY,
        edit: setTagEdit(OVERLAY, 'x'),
        message: 'm',
        cacheRoot,
      }),
    ).rejects.toThrow(`file://${bare}: branch "nope" does not exist`);
  });
});

describe('release after failures', () => {
  it('reports a push refused by a hook, pushes nothing, and the next release uses the same cache', async () => {
    const { bare, cacheRoot } = fixture();
    const hook = join(bare, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "no releases on Friday" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const head = revParse(bare, 'main');
    const err = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'fri'),
      message: 'm',
      cacheRoot,
    }).catch((e: unknown) => e);
    expect((err as SlipwayError).reason).toBe('GitPushRejected');
    expect((err as Error).message).toBe(
      `file://${bare}: the push to main was refused: [remote rejected] (pre-receive hook declined)`,
    );
    expect(revParse(bare, 'main')).toBe(head);

    rmSync(hook);
    const result = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'sat'),
      message: 'm',
      cacheRoot,
    });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(git(['--git-dir', bare, 'log', '-1', '--format=%P', 'main']).trim()).toBe(head);
  });

  it('kills a push that outlives its deadline, with everything it started, and the cache stays usable', async () => {
    const { root, bare, cacheRoot } = fixture();
    const pidFile = join(root, 'hook.pid');
    const hook = join(bare, 'hooks', 'pre-receive');
    writeFileSync(hook, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 120\n`);
    chmodSync(hook, 0o755);
    const head = revParse(bare, 'main');
    // Warm the cache so that only the push is slow.
    await release({ repo: bare, path: OVERLAY, edit: setTagEdit(OVERLAY, 'v0'), message: 'noop', cacheRoot });

    const err = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'slow'),
      message: 'm',
      cacheRoot,
      timeoutMs: 3000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitCommandError);
    expect((err as GitCommandError).reason).toBe('GitTimeout');
    expect((err as Error).message).toContain('git push did not finish within 3s');
    // The hook ran in git's process group, two processes below git push: it is gone too.
    const hookPid = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 50 && processIdentity(hookPid) !== undefined; i++) await sleep(20);
    expect(processIdentity(hookPid)).toBeUndefined();
    expect(revParse(bare, 'main')).toBe(head);

    rmSync(hook);
    const result = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'fast'),
      message: 'm',
      cacheRoot,
    });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain('newTag: fast');
  });

  it('clears what a killed run left: git lock files, a cache lock whose holder is dead, a half clone', async () => {
    const { bare, cacheRoot } = fixture();
    await release({ repo: bare, path: OVERLAY, edit: setTagEdit(OVERLAY, 'l1'), message: 'm', cacheRoot });
    const key = parseRemote(bare).key;
    const gitDir = join(cacheRoot, key);
    writeFileSync(join(gitDir, 'shallow.lock'), '');
    writeFileSync(join(gitDir, 'refs', 'remotes', 'origin', 'main.lock'), '');
    // pid 2^22+1 is above Linux's pid_max: no process has it.
    writeFileSync(join(cacheRoot, `${key}.lock`), JSON.stringify({ pid: 4194305, startTime: 1 }));
    // The temporary folder of a first clone whose process was killed.
    mkdirSync(join(cacheRoot, `${key}.tmp-deadbeef`, 'objects'), { recursive: true });
    const result = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'l2'),
      message: 'm',
      cacheRoot,
    });
    expect(result.changed).toBe(true);
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain('newTag: l2');
    expect(readdirSync(cacheRoot)).toEqual([key]);
  });

  it.each([
    ['HEAD overwritten', (gitDir: string) => writeFileSync(join(gitDir, 'HEAD'), 'garbage\n')],
    ['objects deleted', (gitDir: string) => rmSync(join(gitDir, 'objects'), { recursive: true })],
    ['config truncated', (gitDir: string) => writeFileSync(join(gitDir, 'config'), '[core\n')],
    ['marker missing (an interrupted copy)', (gitDir: string) => rmSync(join(gitDir, 'slipway-remote'))],
  ])('detects a corrupt cache (%s) and clones again', async (_name, corrupt) => {
    const { bare, cacheRoot } = fixture();
    await release({ repo: bare, path: OVERLAY, edit: setTagEdit(OVERLAY, 'c1'), message: 'm', cacheRoot });
    corrupt(join(cacheRoot, parseRemote(bare).key));
    const logs: string[] = [];
    const result = await release({
      repo: bare,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'c2'),
      message: 'm',
      cacheRoot,
      log: (l) => logs.push(l),
    });
    expect(result.changed).toBe(true);
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain('newTag: c2');
    expect(logs.some((l) => /corrupt|incomplete/.test(l))).toBe(true);
    expect(commitCount(bare)).toBe(3);
  });
});
