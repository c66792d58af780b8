/**
 * Benchmark: `release()` into a config repository of 1,000 apps (6,000 files), commit and push to
 * a bare repository on disk; side by side with the seed's own CI step (fresh `git clone --depth=1`,
 * `kustomize edit set image`, `git commit`, `git push`) in the same run.
 *
 *   npx tsx bench/release.ts [--apps 1000] [--runs 20]
 *
 * Prints the median, p90, min and max of each, and the median time of each git subcommand inside
 * one Slipway release (where the time goes). Slipway is measured twice: consecutive releases from
 * one cache, and releases that each follow another writer's push (new commits to fetch, scratch
 * index rebuilt).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot } from '../src/devcluster/paths.ts';
import { type GitCommandRecord, observeGitCommands } from '../src/git/index.ts';
import { release } from '../src/release/index.ts';

const { values } = parseArgs({
  options: { apps: { type: 'string', default: '1000' }, runs: { type: 'string', default: '20' } },
});
const APPS = Number(values.apps);
const RUNS = Number(values.runs);

const env = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  LC_ALL: 'C',
};
const run = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function overlay(app: string, env: string, tag: string): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${app}-${env}
resources:
  - ../../base
images:
  - name: ${app}
    newName: ghcr.io/myorg/${app}
    newTag: ${tag}
`;
}

function makeRepo(root: string): string {
  const work = join(root, 'work');
  run('git', ['init', '--quiet', '--initial-branch=main', work]);
  for (let i = 0; i < APPS; i++) {
    const app = `app-${String(i).padStart(4, '0')}`;
    const base = join(work, 'apps', app, 'base');
    write(join(base, 'kustomization.yaml'), 'resources:\n  - deployment.yaml\n  - service.yaml\n');
    write(
      join(base, 'deployment.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\n`,
    );
    write(join(base, 'service.yaml'), `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\n`);
    for (const e of ['dev', 'staging', 'prod'])
      write(join(work, 'apps', app, 'overlays', e, 'kustomization.yaml'), overlay(app, e, 'v0'));
  }
  run('git', ['add', '--all'], work);
  run('git', ['commit', '--quiet', '-m', 'seed'], work);
  const bare = join(root, 'config.git');
  run('git', ['clone', '--quiet', '--bare', work, bare]);
  rmSync(work, { recursive: true, force: true });
  return bare;
}

function stats(ms: number[]): { median: number; p90: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  const median = s.length % 2 ? at(0.5) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
  return { median, p90: at(0.9), min: s[0] ?? 0, max: s[s.length - 1] ?? 0 };
}

const fmt = (x: { median: number; p90: number; min: number; max: number }) =>
  `median ${x.median.toFixed(1)} ms  p90 ${x.p90.toFixed(1)}  min ${x.min.toFixed(1)}  max ${x.max.toFixed(1)}`;

/** The seed's text-book value edit (the manifests module does this in Slipway's CLI). */
function setTag(dir: string, path: string, tag: string) {
  const file = join(dir, path, 'kustomization.yaml');
  const before = readFileSync(file, 'utf8');
  const after = before.replace(/newTag: .*/, `newTag: ${tag}`);
  if (after !== before) writeFileSync(file, after);
  return Promise.resolve({ changed: after !== before, description: `newTag ${tag}` });
}

const root = mkdtempSync(join(tmpdir(), 'slipway-bench-release-'));
try {
  const t0 = performance.now();
  const bare = makeRepo(root);
  process.stderr.write(
    `config repo: ${APPS} apps, ${APPS * 6} files, built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  const cache = join(root, 'cache');

  // Slipway: the first release clones the cache (reported apart); the timed runs reuse it.
  const appPath = (i: number) => `apps/app-${String((i * 37) % APPS).padStart(4, '0')}/overlays/dev`;
  const c0 = performance.now();
  await release({
    repo: bare,
    path: appPath(999),
    edit: (d) => setTag(d, appPath(999), 'warm'),
    message: 'warm',
    cacheRoot: cache,
  });
  const coldMs = performance.now() - c0;

  /** Times `runs` releases; `between` runs untimed before each (e.g. another writer's push). */
  async function timeReleases(label: string, offset: number, between?: (i: number) => Promise<unknown>) {
    const times: number[] = [];
    const perCommand = new Map<string, number[]>();
    for (let i = 0; i < RUNS; i++) {
      await between?.(i);
      const records: GitCommandRecord[] = [];
      const stop = observeGitCommands((r) => records.push(r));
      const path = appPath(i + offset);
      const s = performance.now();
      const result = await release({
        repo: bare,
        path,
        edit: (d) => setTag(d, path, `${label}${i}`),
        message: `Update app to ${label}${i}`,
        cacheRoot: cache,
      });
      times.push(performance.now() - s);
      stop();
      if (!result.changed) throw new Error('bench release made no change');
      const byCommand = new Map<string, number>();
      for (const r of records) byCommand.set(r.command, (byCommand.get(r.command) ?? 0) + r.durationMs);
      for (const [c, ms] of byCommand) perCommand.set(c, [...(perCommand.get(c) ?? []), ms]);
    }
    return { times, perCommand };
  }

  // Steady state: consecutive releases from one cache (the server's case).
  const steady = await timeReleases('s', 0);
  // Another writer pushes before every release, so each one fetches new commits and rebuilds its index.
  const otherCache = join(root, 'other-cache');
  const contended = await timeReleases('c', 100, (i) =>
    release({
      repo: bare,
      path: appPath(i + 200),
      edit: (d) => setTag(d, appPath(i + 200), `other${i}`),
      message: 'other writer',
      cacheRoot: otherCache,
    }),
  );

  // Peer: the seed's CI step, as written in the guide, with kustomize when it is installed.
  const kustomize = [
    join(cacheRoot(), 'tools', 'bin', 'kustomize'),
    '/usr/local/bin/kustomize',
    '/usr/bin/kustomize',
  ].find(existsSync);
  const peer: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const work = join(root, `peer-${i}`);
    const path = appPath(i + 500);
    const app = path.split('/')[1] ?? '';
    const s = performance.now();
    run('git', ['clone', '--quiet', '--depth=1', '--branch', 'main', `file://${bare}`, work]);
    if (kustomize)
      run(kustomize, ['edit', 'set', 'image', `${app}=ghcr.io/myorg/${app}:peer${i}`], join(work, path));
    else await setTag(work, path, `peer${i}`);
    run('git', ['add', '.'], join(work, path));
    run('git', ['commit', '--quiet', '-m', `Update ${app} to peer${i}`], work);
    run('git', ['push', '--quiet', 'origin', 'HEAD:main'], work);
    peer.push(performance.now() - s);
    rmSync(work, { recursive: true, force: true });
  }

  const out = process.stdout;
  const breakdown = (perCommand: Map<string, number[]>) =>
    [...perCommand]
      .sort((a, b) => stats(b[1]).median - stats(a[1]).median)
      .map(([c, ms]) => `${c} ${stats(ms).median.toFixed(1)}`)
      .join(', ');
  out.write(
    `release into a config repo of ${APPS} apps (${APPS * 6} files), bare repo on local disk, ${RUNS} runs each\n`,
  );
  out.write(`  slipway release, warm cache                 ${fmt(stats(steady.times))}\n`);
  out.write(`  slipway release, another writer in between  ${fmt(stats(contended.times))}\n`);
  out.write(`  slipway release, first (clones the cache)   ${coldMs.toFixed(1)} ms\n`);
  out.write(
    `  seed CI step (clone --depth=1 + ${kustomize ? 'kustomize edit' : 'edit'} + commit + push)  ${fmt(stats(peer))}\n`,
  );
  out.write(`  median ms per git command, warm:      ${breakdown(steady.perCommand)}\n`);
  out.write(`  median ms per git command, contended: ${breakdown(contended.perCommand)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
