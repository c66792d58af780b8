/**
 * Benchmark: build and push of the sample service's image (test/fixtures/sample-service) to a real
 * registry on loopback, by Slipway's `docker/build-push-action` handler vs `buildah bud` +
 * `buildah push` run by hand, alternating in the same run, same storage, same registry.
 *
 *   npx tsx bench/ci-build.ts [--runs 5]
 *
 * Each run builds a fresh image (buildah stamps the build time, so nothing is a no-op) and pushes
 * one new tag; both sides remove their local image afterwards. Slipway's side includes what the
 * handler adds around buildah: input parsing, the platform plan, the run-private name, the digest
 * check against the registry and the clean-up. Also measured: the seed's two platforms
 * (linux/amd64 + linux/arm64, a manifest list) by Slipway, and a whole `runWorkflow` of the seed's
 * workflow (lint, tests, build, push; scan from a report) for scale.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPushAction } from '../src/ci/docker-actions.ts';
import { type ActionInvocation, builderStorage, runWorkflow } from '../src/ci/index.ts';
import { CiRunState } from '../src/ci/run-state.ts';
import { git, tempDir } from '../test/git/helpers.ts';
import { startRegistry } from '../test/support/registry.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const ROOT = join(import.meta.dirname, '..');

const tmp = tempDir('slipway-bench-ci-');
const registry = await startRegistry();
const storage = builderStorage(join(tmp.dir, 'cache'));
const context = join(tmp.dir, 'sample-service');
cpSync(join(ROOT, 'test/fixtures/sample-service'), context, { recursive: true });
const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmp.dir };
const buildah = (args: string[]) =>
  execFileSync(
    'buildah',
    ['--root', storage.root, '--runroot', storage.runroot, '--storage-driver', 'vfs', ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)] ?? 0;
  return `median ${median.toFixed(0)} ms (min ${(s[0] ?? 0).toFixed(0)}, max ${(s.at(-1) ?? 0).toFixed(0)})`;
}

/** Slipway's build-push handler on its own, with a fresh run state per run. */
async function slipwayBuildPush(tag: string, platforms: string): Promise<number> {
  const runDir = join(tmp.dir, `run-${tag}`);
  mkdirSync(runDir);
  const state = new CiRunState(runDir, `bench-${tag}`, {
    storage,
    strictPlatforms: false,
    scanOptional: true,
    insecureRegistries: [],
  });
  const inv: ActionInvocation = {
    uses: 'docker/build-push-action@v5',
    stepName: 'Build and push image',
    inputs: { context: '.', push: true, tags: `${registry.host}/bench/sample:${tag}`, platforms },
    workspace: context,
    env,
    run: state,
    log: () => undefined,
    addMask: () => undefined,
    signal: AbortSignal.timeout(300_000),
  };
  const t0 = performance.now();
  await buildPushAction.run(inv);
  await state.close(() => undefined);
  return performance.now() - t0;
}

/** The same by hand: `buildah bud` then `buildah push`, then `buildah rmi`. */
function buildahAlone(tag: string): number {
  const name = `localhost/bench-alone:${tag}`;
  const t0 = performance.now();
  buildah(['bud', '--isolation', 'chroot', '--platform', 'linux/amd64', '-t', name, context]);
  buildah(['push', '--tls-verify=false', name, `docker://${registry.host}/bench/sample:${tag}`]);
  buildah(['rmi', '-f', name]);
  return performance.now() - t0;
}

try {
  // Warm-up: the first build creates the storage.
  await slipwayBuildPush('warmup', 'linux/amd64');
  buildahAlone('warmup-alone');
  const slipway: number[] = [];
  const alone: number[] = [];
  const multi: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    slipway.push(await slipwayBuildPush(`s${i}`, 'linux/amd64'));
    alone.push(buildahAlone(`a${i}`));
    multi.push(await slipwayBuildPush(`m${i}`, 'linux/amd64,linux/arm64'));
  }

  // A whole run of the seed's workflow on a git repository of the service, for scale.
  const repo = join(tmp.dir, 'repo');
  cpSync(context, repo, { recursive: true });
  git(['init', '--quiet', '--initial-branch=main', repo]);
  git(['remote', 'add', 'origin', 'https://github.com/acme/orders-api.git'], repo);
  git(['add', '--all'], repo);
  git(['commit', '--quiet', '-m', 'bench'], repo);
  const whole = await runWorkflow({
    repoDir: repo,
    commit: 'HEAD',
    trigger: { kind: 'manual' },
    logRoot: join(tmp.dir, 'runs'),
    processEnv: env,
    buildStorage: storage,
    envOverrides: { REGISTRY: registry.host },
    trivyReport: join(ROOT, 'test/ci/fixtures/trivy-clean.json'),
  });
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`runs: ${RUNS}, load average ${load}`);
  console.log(`Slipway build-push (linux/amd64):            ${stats(slipway)}`);
  console.log(`buildah bud + push + rmi (linux/amd64):      ${stats(alone)}`);
  console.log(`Slipway build-push (amd64 + arm64, a list):   ${stats(multi)}`);
  console.log(
    `whole seed workflow run (${whole.status}): ${whole.durationMs} ms; steps: ${whole.steps
      .map((s) => `${s.name} ${s.durationMs} ms`)
      .join(', ')}`,
  );
} finally {
  await registry.stop();
  tmp.remove();
}
