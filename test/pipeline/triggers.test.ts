/**
 * From a push to a bundle in dev, on real parts: the sample service (the seed's workflow verbatim)
 * in a real bare repository with Slipway's post-receive hook, `git push` by the git CLI, the real
 * CI runner (make, node --test, buildah with vfs storage) pushing to a real OCI registry (Debian
 * `docker-registry`), and the bundle released into the dev overlay of a real config repository.
 * Also: a failing unit test releases nothing; runs of one branch are serialised and a newer commit
 * supersedes a queued one; a signed GitHub webhook and polling start runs, each recording why.
 *
 * trivy is not installed here: the scan reads trivy's clean report (test/ci/fixtures), as in
 * test/ci/build.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunWorkflowOptions } from '../../src/ci/index.ts';
import {
  BundleStore,
  type CiDeps,
  EventLog,
  exportWorkflow,
  handlePush,
  installHook,
  type Pipeline,
  parsePipelines,
  pipelinePushHandler,
  replay,
  watchSource,
} from '../../src/pipeline/index.ts';
import { RegistryClient } from '../../src/registry/index.ts';
import { startWebhookServer } from '../../src/server/index.ts';
import { eventually } from '../cluster/helpers.ts';
import { git, tempDir } from '../git/helpers.ts';
import { startRegistry, type TestRegistry } from '../support/registry.ts';
import { ConfigRepo } from '../sync/helpers.ts';
import { tagOf } from './helpers.ts';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'test/fixtures/sample-service');
const CLEAN_REPORT = join(ROOT, 'test/ci/fixtures/trivy-clean.json');
const TSX = join(ROOT, 'node_modules/tsx/dist/loader.mjs');

describe('pipeline triggers: push → CI run → bundle → dev overlay commit', () => {
  let tmp: { dir: string; remove: () => void };
  let registry: TestRegistry;
  let config: ConfigRepo;
  let state: string;
  let cache: string;
  let bare: string;
  let work: string;
  let pipelineFile: string;
  let pipeline: Pipeline;

  /** Commits in the service's work clone; returns the commit. */
  const commit = (message: string, change?: () => void): string => {
    change?.();
    git(['add', '--all'], work);
    git(['commit', '--quiet', '--allow-empty', '-m', message], work);
    return git(['rev-parse', 'HEAD'], work).trim();
  };
  const devTag = () =>
    tagOf(git(['show', 'main:apps/my-service/overlays/dev/kustomization.yaml'], config.bare));
  const events = () => new EventLog(state, pipeline.name).read();
  /** The commit the hook test built, and its bundle. */
  let bundled = '';
  let bundledId = '';

  beforeAll(async () => {
    tmp = tempDir('slipway-pipeline-triggers-');
    registry = await startRegistry();
    config = new ConfigRepo();
    state = join(tmp.dir, 'state');
    cache = join(tmp.dir, 'cache');
    bare = join(tmp.dir, 'orders-api.git');
    work = join(tmp.dir, 'orders-api');
    git(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    cpSync(SAMPLE, work, { recursive: true });
    git(['init', '--quiet', '--initial-branch=main', work]);
    git(['remote', 'add', 'origin', bare], work);
    commit('sample service');
    git(['push', '--quiet', 'origin', 'main'], work);
    pipelineFile = join(tmp.dir, 'slipway.yaml');
    writeFileSync(
      pipelineFile,
      `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: orders }
spec:
  service: my-service
  source: { repo: file://${bare}, branch: main, repository: acme/orders-api }
  image: { repository: ${registry.host}/acme/orders-api }
  config: { repo: ${config.url}, path: apps/my-service }
  env: { REGISTRY: ${registry.host} }
  environments:
    - { name: dev, overlay: overlays/dev }
    - { name: prod, overlay: overlays/prod, promotion: { type: manual } }
`,
    );
    pipeline = parsePipelines(readFileSync(pipelineFile, 'utf8'), pipelineFile)[0]!;
  });

  afterAll(async () => {
    await registry?.stop();
    config?.cleanup();
    tmp?.remove();
  });

  /** The environment of processes this test starts (and of the runs' steps). */
  const childEnv = () => ({
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: tmp.dir,
    SLIPWAY_CACHE: cache,
    SLIPWAY_STATE: state,
    SLIPWAY_TRIVY_REPORT: CLEAN_REPORT,
  });
  const deps = (extra: Partial<CiDeps> = {}): CiDeps => ({
    pipeline,
    stateRoot: state,
    gitCacheRoot: join(cache, 'git'),
    runOptions: { processEnv: childEnv(), logRoot: join(tmp.dir, 'runs') },
    ...extra,
  });

  it('a git push runs the post-receive hook: the image is in the registry under the short SHA and the dev overlay names it', async () => {
    expect(existsSync(TSX)).toBe(true);
    installHook({
      repoDir: bare,
      pipelineFile,
      command: [process.execPath, '--import', TSX, join(ROOT, 'src/cli/main.ts')],
      extraArgs: ['--repo', bare, '--state', state, '--no-cluster'],
      foreground: true,
    });
    const sha = commit('say hello politely', () => {
      const file = join(work, 'README.md');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\nPolite.\n`);
    });
    const short = sha.slice(0, 7);
    const before = git(['rev-parse', 'main'], config.bare).trim();
    // The hook runs while git push waits (foreground); its output comes back as "remote:" lines.
    execFileSync('git', ['push', '--quiet', 'origin', 'main'], {
      cwd: work,
      env: { ...childEnv(), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });

    // The bundle: the pushed digest, the commit's facts, the run and the scan.
    const [bundle] = new BundleStore(state).list('my-service');
    const client = new RegistryClient({ host: registry.host });
    try {
      const digest = (await client.headManifest('acme/orders-api', short)).digest;
      expect(bundle).toMatchObject({
        service: 'my-service',
        sourceSha: sha,
        shortSha: short,
        message: 'say hello politely',
        author: 'Fixture <fixture@example.com>',
        image: { repository: `${registry.host}/acme/orders-api`, tag: short, digest },
        scan: { critical: 0, high: 0, passed: true },
      });
    } finally {
      await client.close();
    }
    // dev names it, by a commit on top of what was there; nothing names :latest.
    expect(devTag()).toBe(short);
    const overlay = git(['show', 'main:apps/my-service/overlays/dev/kustomization.yaml'], config.bare);
    expect(overlay).toContain(`newName: ${registry.host}/acme/orders-api`);
    expect(overlay).not.toContain('latest');
    expect(git(['rev-parse', 'main^'], config.bare).trim()).toBe(before);
    expect(git(['log', '-1', '--format=%s', 'main'], config.bare).trim()).toBe(
      `Update my-service to ${short}`,
    );
    // The record says why the run started and what it made.
    const s = replay(pipeline.order, events());
    expect(s.runs).toEqual([
      expect.objectContaining({
        sha,
        state: 'success',
        trigger: { kind: 'hook', detail: 'post-receive refs/heads/main' },
        bundleId: bundle?.id,
      }),
    ]);
    expect(s.envs['dev']?.current).toBe(bundle?.id);
    bundled = sha;
    bundledId = bundle?.id ?? '';
    expect(s.envs['prod']?.bundles[bundle?.id ?? '']?.state).toBe('awaiting-approval');
  });

  it('a failing unit test stops the run: no bundle, nothing pushed to the registry, nothing released', async () => {
    const beforeBundles = new BundleStore(state).list('my-service').length;
    const beforeHead = git(['rev-parse', 'main'], config.bare).trim();
    const sha = commit('break the greeting', () => {
      const file = join(work, 'src/greeting.js');
      writeFileSync(file, readFileSync(file, 'utf8').replace('`hello, ', '`hi, '));
    });
    git(['push', '--quiet', '--no-verify', 'origin', 'HEAD:refs/heads/main-broken'], work);
    const outcome = await handlePush(deps({ sourceDir: bare }), sha, { kind: 'manual', detail: 'test' });
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/ended failure/) });
    expect(new BundleStore(state).list('my-service')).toHaveLength(beforeBundles);
    expect(git(['rev-parse', 'main'], config.bare).trim()).toBe(beforeHead);
    const client = new RegistryClient({ host: registry.host });
    try {
      expect(await client.listTags('acme/orders-api')).not.toContain(sha.slice(0, 7));
    } finally {
      await client.close();
    }
    expect(replay(pipeline.order, events()).runs.at(-1)).toMatchObject({ sha, state: 'failure' });
    git(['reset', '--quiet', '--hard', 'HEAD^'], work);
  });

  it('serialises runs of the branch: a newer commit supersedes the one queued behind a running run', async () => {
    // What matters is which commits run, in which order.
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const ran: string[] = [];
    // The runner's own steps are tested elsewhere; here each run just ends red, in turn.
    const runCi = async (o: RunWorkflowOptions) => {
      ran.push(o.commit);
      if (ran.length === 1) await gate;
      return { runId: `r${ran.length}`, status: 'failure', sha: o.commit };
    };
    const shas = [commit('one'), commit('two'), commit('three')];
    const first = handlePush(deps({ sourceDir: work, runCi, noRelease: true }), shas[0]!, { kind: 'poll' });
    await eventually(() => expect(ran).toHaveLength(1));
    const second = handlePush(deps({ sourceDir: work, runCi, noRelease: true }), shas[1]!, { kind: 'poll' });
    const third = handlePush(deps({ sourceDir: work, runCi, noRelease: true }), shas[2]!, { kind: 'poll' });
    open();
    const outcomes = await Promise.all([first, second, third]);
    expect(outcomes.map((o) => o.kind)).toEqual(['failed', 'superseded', 'failed']);
    expect(outcomes[1]).toMatchObject({ by: shas[2] });
    expect(ran).toEqual([shas[0], shas[2]]);
    const runs = replay(pipeline.order, events()).runs.filter((r) => shas.includes(r.sha));
    expect(runs.map((r) => [r.sha, r.state])).toEqual([
      [shas[0], 'failure'],
      [shas[1], 'superseded'],
      [shas[2], 'failure'],
    ]);
  });

  it('a signed GitHub push webhook starts a run that records the delivery; a bad signature starts nothing', async () => {
    const secret = 'webhook-secret';
    const started: string[] = [];
    const runCi = async (o: RunWorkflowOptions) => {
      started.push(o.commit);
      return { runId: 'wh', status: 'failure', sha: o.commit };
    };
    const gh = parsePipelines(
      readFileSync(pipelineFile, 'utf8').replace(
        `repo: file://${bare}`,
        'repo: https://github.com/acme/orders-api.git',
      ),
      pipelineFile,
    )[0]!;
    const server = await startWebhookServer({
      githubSecret: secret,
      onPush: pipelinePushHandler([
        {
          pipeline: gh,
          handle: (sha, why) =>
            handlePush({ ...deps({ sourceDir: work, runCi, noRelease: true }), pipeline: gh }, sha, {
              kind: 'webhook',
              detail: why,
            }),
        },
      ]),
    });
    try {
      const sha = commit('via webhook');
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        before: '1'.repeat(40),
        after: sha,
        repository: { html_url: 'https://github.com/acme/orders-api', default_branch: 'main' },
        commits: [],
      });
      const post = (signature: string) =>
        request(`${server.url}/api/webhook`, {
          method: 'POST',
          body,
          headers: {
            'x-github-event': 'push',
            'x-hub-signature-256': signature,
            'content-type': 'application/json',
          },
        });
      const bad = await post(`sha256=${createHmac('sha256', 'wrong').update(body).digest('hex')}`);
      expect(bad.statusCode).toBe(401);
      await bad.body.text();
      const ok = await post(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
      expect(ok.statusCode).toBe(200);
      expect(await ok.body.json()).toEqual({ refreshed: 1 });
      const run = await eventually(() => {
        const r = replay(gh.order, events()).runs.find((x) => x.sha === sha);
        expect(r?.state).toBe('failure');
        return r;
      });
      expect(run?.trigger).toEqual({ kind: 'webhook', detail: `github push 1111111..${sha.slice(0, 7)}` });
      expect(started).toEqual([sha]);
      // A redelivery of a commit that was built already runs nothing and keeps its outcome.
      const direct = await handlePush(
        deps({
          sourceDir: work,
          noRelease: true,
          runCi: async () => ({ runId: 'x', status: 'success', sha }),
        }),
        bundled,
        { kind: 'webhook', detail: 'redelivery' },
      );
      expect(direct).toEqual({ kind: 'duplicate', sha: bundled, bundleId: bundledId });
      expect(replay(gh.order, events()).runs.find((x) => x.sha === bundled)).toMatchObject({
        state: 'success',
        bundleId: bundledId,
      });
    } finally {
      await server.close();
    }
  });

  it('ci watch polls the remote and runs a new head once, recording that polling found it', async () => {
    const seen: string[] = [];
    const runCi = async (o: RunWorkflowOptions) => {
      seen.push(o.commit);
      return { runId: 'poll', status: 'failure', sha: o.commit };
    };
    rmSync(join(bare, 'hooks', 'post-receive')); // only polling may notice this push
    const stop = new AbortController();
    const head = commit('seen by polling');
    git(['push', '--quiet', '--no-verify', 'origin', 'HEAD:refs/heads/main'], work);
    const watching = watchSource(deps({ sourceDir: work, runCi, noRelease: true }), {
      intervalMs: 100,
      reconcile: false,
      signal: stop.signal,
    });
    try {
      await eventually(() => expect(seen).toEqual([head]), 30_000);
      const r = replay(pipeline.order, events()).runs.find((x) => x.sha === head);
      expect(r?.trigger).toEqual({ kind: 'poll', detail: `main moved to ${head.slice(0, 7)}` });
      // Several more polls of the same head start nothing more.
      await new Promise((r) => setTimeout(r, 500));
      expect(seen).toEqual([head]);
    } finally {
      stop.abort();
      await watching;
    }
  });

  it('ci export writes a workflow the runner accepts, with the release into dev', () => {
    mkdirSync(join(tmp.dir, 'export'), { recursive: true });
    const text = exportWorkflow(
      pipeline,
      readFileSync(join(work, '.github/workflows/ci.yaml'), 'utf8'),
      'ci.yaml',
    );
    expect(text).toContain(`REGISTRY: ${registry.host}`);
    expect(text).toContain('working-directory: deploy-configs/apps/my-service/overlays/dev');
  });
});
