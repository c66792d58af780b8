import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { observeGitCommands } from '../../src/git/exec.ts';
import { SourceCache } from '../../src/sync/source.ts';
import { ConfigRepo } from './helpers.ts';

describe('SourceCache on a real git repository', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  function fixture(now: () => number) {
    const repo = new ConfigRepo();
    const cacheRoot = mkdtempSync(join(tmpdir(), 'slipway-source-cache-'));
    cleanups.push(
      () => repo.cleanup(),
      () => rmSync(cacheRoot, { recursive: true, force: true }),
    );
    const commands: string[] = [];
    cleanups.push(observeGitCommands((r) => commands.push(r.command)));
    const cache = new SourceCache({ resolveTtlMs: 60_000, cacheRoot, now });
    const source = { repoURL: repo.url, targetRevision: 'main', path: 'apps/my-service/overlays/dev' };
    return { repo, cache, source, commands };
  }

  it('asks the remote once per poll interval however many apps follow the same branch', async () => {
    let now = 0;
    const { repo, cache, source, commands } = fixture(() => now);
    const first = repo.commit('first');
    const revisions = await Promise.all([1, 2, 3].map(() => cache.resolve(source)));
    expect(revisions).toEqual([first, first, first]);
    expect(commands.filter((c) => c === 'git ls-remote')).toHaveLength(1);

    const second = repo.commit('second');
    now = 30_000;
    expect(await cache.resolve(source)).toBe(first); // within the interval: the cached answer
    expect(await cache.resolve(source, true)).toBe(second); // a hard refresh asks again
    now = 100_000;
    expect(await cache.resolve(source)).toBe(second);
    expect(commands.filter((c) => c === 'git ls-remote')).toHaveLength(3);
  });

  it('renders the seed dev overlay at a commit once, however often it is asked for', async () => {
    const { repo, cache, source, commands } = fixture(() => 0);
    const revision = repo.commit('seed');
    const [a, b] = await Promise.all([cache.render(source, revision), cache.render(source, revision)]);
    expect(a).toBe(b);
    expect(a.sourceType).toBe('Kustomize');
    expect(a.objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/my-service-dev/my-service',
      'Service/my-service-dev/my-service',
    ]);
    const fetches = commands.filter((c) => c === 'git fetch').length;
    await cache.render(source, revision);
    expect(commands.filter((c) => c === 'git fetch').length).toBe(fetches);
  });

  it('names the repository when a revision does not exist', async () => {
    const { cache, source } = fixture(() => 0);
    await expect(cache.resolve({ ...source, targetRevision: 'no-such-branch' })).rejects.toThrow(
      /no branch, tag or ref named "no-such-branch"/,
    );
  });
});
