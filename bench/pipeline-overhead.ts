/**
 * Benchmark: Slipway's orchestration from a push being seen to the dev overlay commit, without the
 * workflow's own steps and the image build — the run is replaced by its result (a green run that
 * published `<repository>:<short sha>` with a digest), everything else is real: the run queue and
 * its lock, the commit's facts read from a real source repository, the bundle written to the store,
 * the event log, the reconcile (replay, plan) and the release (fetch, edit, commit, push) into a
 * bare config repository on disk seeded with the seed's deploy-configs.
 *
 *   npx tsx bench/pipeline-overhead.ts [--runs 20]
 *
 * Each iteration pushes a new commit to the source repository, then times `handlePush` until the
 * dev overlay commit is pushed. Prints the median, p90, min and max, and the first (cold cache) run.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunWorkflowOptions } from '../src/ci/index.ts';
import { handlePush, parsePipelines } from '../src/pipeline/index.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
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
const git = (args: string[], cwd?: string) =>
  execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const root = mkdtempSync(join(tmpdir(), 'slipway-bench-pipeline-'));
try {
  // The config repository: the seed's deploy-configs in a bare repository.
  const configWork = join(root, 'config-work');
  const configBare = join(root, 'config.git');
  git(['init', '--quiet', '--initial-branch=main', configWork]);
  cpSync(
    new URL('../test/manifests/fixtures/deploy-configs/apps', import.meta.url),
    join(configWork, 'apps'),
    {
      recursive: true,
    },
  );
  git(['add', '--all'], configWork);
  git(['commit', '--quiet', '-m', 'seed'], configWork);
  git(['clone', '--quiet', '--bare', configWork, configBare]);
  // The source repository the pushes land in.
  const source = join(root, 'source');
  git(['init', '--quiet', '--initial-branch=main', source]);

  const [pipeline] = parsePipelines(
    `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: my-service }
spec:
  service: my-service
  source: { repo: file://${source} }
  image: { repository: ghcr.io/myorg/my-service }
  config: { repo: file://${configBare}, path: apps/my-service }
  environments:
    - { name: dev, overlay: overlays/dev }
    - { name: staging, overlay: overlays/staging, promotion: { type: manual } }
`,
    'bench.yaml',
  );
  // The run's result, instantly: what the build step would have published.
  const runCi = async (o: RunWorkflowOptions) => ({
    runId: `bench-${o.commit.slice(0, 7)}`,
    status: 'success',
    sha: o.commit,
    published: [
      {
        reference: `ghcr.io/myorg/my-service:${o.commit.slice(0, 7)}`,
        digest: `sha256:${createHash('sha256').update(o.commit).digest('hex')}`,
      },
    ],
  });

  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    git(['commit', '--quiet', '--allow-empty', '-m', `change ${i}`], source);
    const sha = git(['rev-parse', 'HEAD'], source);
    const t0 = performance.now();
    const outcome = await handlePush(
      {
        pipeline: pipeline!,
        stateRoot: join(root, 'state'),
        gitCacheRoot: join(root, 'cache'),
        sourceDir: source,
        runCi,
      },
      sha,
      { kind: 'hook', detail: 'bench' },
    );
    const ms = performance.now() - t0;
    const released =
      outcome.kind === 'bundled' && outcome.reconcile?.actions.some((a) => a.type === 'release');
    const tag = /newTag: "?([^"\s]+)/.exec(
      git(['show', 'main:apps/my-service/overlays/dev/kustomization.yaml'], configBare),
    )?.[1];
    if (!released || tag !== sha.slice(0, 7))
      throw new Error(`run ${i}: dev was not released: ${JSON.stringify(outcome)}`);
    times.push(ms);
  }
  const [first, ...warm] = times;
  const sorted = [...warm].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const f = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`push seen → dev overlay commit pushed (orchestration only), ${RUNS} runs`);
  console.log(
    `  median ${f(pick(0.5))}  p90 ${f(pick(0.9))}  min ${f(sorted[0] ?? 0)}  max ${f(sorted.at(-1) ?? 0)}`,
  );
  console.log(`  first (cold git cache): ${f(first ?? 0)}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
