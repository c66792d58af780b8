/**
 * `slipway controller --pipeline FILE` as the real process, on real parts: the sample service (the
 * seed's workflow verbatim) in a real bare repository, the real CI runner (make, node --test,
 * buildah with vfs storage) pushing to a real OCI registry (Debian `docker-registry`), and the
 * bundle released into the dev overlay of a real config repository by a commit.
 *
 * A signed GitHub push webhook for the service repository starts the run; an unsigned one is
 * refused with 401 and starts nothing; SIGTERM stops the controller cleanly, cancelling a run in
 * flight and leaving no process behind.
 *
 * Only the pipelines component runs (`--components pipelines`): the pipeline's environments are
 * plain overlays, so no Kubernetes is needed. The service repository is a local path; the webhook
 * names it by a `file://` web URL, which matches it as GitHub's `html_url` matches a clone URL.
 * trivy is not installed here: the scan reads trivy's clean report (test/ci/fixtures).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseComponents, loadControllerPipelines, localSource } from '../../src/cli/commands/controller.ts';
import { BundleStore, EventLog, parsePipelines, replay } from '../../src/pipeline/index.ts';
import { RegistryClient } from '../../src/registry/index.ts';
import { eventually } from '../cluster/helpers.ts';
import { git, tempDir } from '../git/helpers.ts';
import { tagOf } from '../pipeline/helpers.ts';
import { startRegistry, type TestRegistry } from '../support/registry.ts';
import { ConfigRepo } from '../sync/helpers.ts';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'test/fixtures/sample-service');
const CLEAN_REPORT = join(ROOT, 'test/ci/fixtures/trivy-clean.json');
const TSX = join(ROOT, 'node_modules/tsx/dist/loader.mjs');
const SECRET = 'pipeline-webhook-secret';
/** A sleep no other process runs, to find the hanging step's process. */
const MARK = `${600 + (process.pid % 1000)}.${Date.now() % 1000}917`;

describe('slipway controller pipeline flags', () => {
  it('turns pipelines on by default only with --pipeline, and refuses a component without its file', () => {
    expect([...chooseComponents(undefined, 0)]).toEqual(['applications', 'rollouts', 'analysis']);
    expect([...chooseComponents(undefined, 2)]).toEqual([
      'applications',
      'rollouts',
      'analysis',
      'pipelines',
    ]);
    expect([...chooseComponents('pipelines', 1)]).toEqual(['pipelines']);
    expect(() => chooseComponents('pipelines', 0)).toThrow(/--components: .*needs at least one --pipeline/);
    expect(() => chooseComponents('applications', 1)).toThrow(/--pipeline: .*include it in --components/);
  });

  it('runs a local source repository from its folder, a remote one from the cache', () => {
    expect(localSource('/srv/git/svc.git')).toBe('/srv/git/svc.git');
    expect(localSource('file:///srv/git/my%20svc.git')).toBe('/srv/git/my svc.git');
    expect(localSource('https://github.com/acme/svc.git')).toBeUndefined();
    expect(localSource('git@github.com:acme/svc.git')).toBeUndefined();
    expect(localSource('file://host/srv/svc.git')).toBeUndefined();
  });

  it('refuses two pipelines of one name across files, naming the second file', async () => {
    const t = tempDir('slipway-controller-flags-');
    try {
      const yaml = `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: twin }
spec:
  service: s
  source: { repo: https://github.com/acme/s.git, branch: main }
  image: { repository: ghcr.io/acme/s }
  config: { repo: https://github.com/acme/configs.git, path: apps/s }
  environments:
    - { name: dev, overlay: overlays/dev }
`;
      const a = join(t.dir, 'a.yaml');
      const b = join(t.dir, 'b.yaml');
      writeFileSync(a, yaml);
      writeFileSync(b, yaml);
      expect((await loadControllerPipelines([a])).map((p) => p.name)).toEqual(['twin']);
      await expect(loadControllerPipelines([a, b])).rejects.toThrow(
        `${b}: metadata.name: pipeline "twin" is also defined in ${a}`,
      );
    } finally {
      t.remove();
    }
  });
});

describe('slipway controller --pipeline: webhook pushes run CI, the dev overlay gets the image', () => {
  let tmp: { dir: string; remove: () => void };
  let registry: TestRegistry;
  let config: ConfigRepo;
  let bare: string;
  let work: string;
  let state: string;
  let pipelineFile: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  let stderr = '';

  const commit = (message: string, change?: () => void): string => {
    change?.();
    git(['add', '--all'], work);
    git(['commit', '--quiet', '--allow-empty', '-m', message], work);
    git(['push', '--quiet', 'origin', 'main'], work);
    return git(['rev-parse', 'HEAD'], work).trim();
  };
  const devTag = () =>
    tagOf(git(['show', 'main:apps/my-service/overlays/dev/kustomization.yaml'], config.bare));
  const runs = () => {
    const p = parsePipelines(readFileSync(pipelineFile, 'utf8'), pipelineFile)[0]!;
    return replay(p.order, new EventLog(state, p.name).read()).runs;
  };
  /** A GitHub push payload for the service repository, signed with `secret` (or unsigned). */
  const push = (url: string, sha: string, secret?: string) => {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: '1'.repeat(40),
      after: sha,
      // The web URL GitHub would send; a local path is named by its file:// URL.
      repository: { html_url: `file://${bare.replace(/\.git$/, '')}`, default_branch: 'main' },
      commits: [],
    });
    const headers: Record<string, string> = { 'x-github-event': 'push', 'content-type': 'application/json' };
    if (secret !== undefined)
      headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    return fetch(`${url}/api/webhook`, { method: 'POST', body, headers });
  };
  /** Processes whose command line contains `text`, as `pid: command line`. */
  const processesNamed = (text: string) =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((pid) => {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
          return cmd.includes(text) ? [`${pid}: ${cmd}`] : [];
        } catch {
          return []; // gone meanwhile
        }
      });
  /** Processes naming the scratch folder: none may outlive the controller. */
  const leftovers = () => processesNamed(tmp.dir);

  beforeAll(async () => {
    tmp = tempDir('slipway-controller-pipelines-');
    registry = await startRegistry();
    config = new ConfigRepo();
    state = join(tmp.dir, 'state');
    bare = join(tmp.dir, 'orders-api.git');
    work = join(tmp.dir, 'orders-api');
    git(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    cpSync(SAMPLE, work, { recursive: true });
    git(['init', '--quiet', '--initial-branch=main', work]);
    git(['remote', 'add', 'origin', bare], work);
    commit('sample service');
    pipelineFile = join(tmp.dir, 'slipway.yaml');
    writeFileSync(
      pipelineFile,
      `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: orders }
spec:
  service: my-service
  source: { repo: ${bare}, branch: main, repository: acme/orders-api }
  image: { repository: ${registry.host}/acme/orders-api }
  config: { repo: ${config.url}, path: apps/my-service }
  env: { REGISTRY: ${registry.host} }
  environments:
    - { name: dev, overlay: overlays/dev }
    - { name: prod, overlay: overlays/prod, promotion: { type: manual } }
`,
    );
    writeFileSync(join(tmp.dir, 'secret'), `${SECRET}\n`);
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await registry?.stop();
    config?.cleanup();
    tmp?.remove();
  });

  it('a signed push runs CI and releases the short-SHA tag into dev; unsigned → 401, nothing runs; SIGTERM cancels a run in flight and exits cleanly', async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        join(ROOT, 'src/cli/main.ts'),
        'controller',
        '--components',
        'pipelines',
        '--pipeline',
        pipelineFile,
        '--state',
        state,
        '--pipeline-interval',
        '1s',
        '--webhook-listen',
        '127.0.0.1:0',
        '--webhook-secret-file',
        join(tmp.dir, 'secret'),
      ],
      {
        cwd: tmp.dir,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: tmp.dir,
          SLIPWAY_CACHE: join(tmp.dir, 'cache'),
          SLIPWAY_TRIVY_REPORT: CLEAN_REPORT,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const proc = child;
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const url = await eventually(() => {
      const m = /webhooks on (http:\/\/\S+)\/api\/webhook/.exec(stderr);
      expect(m, stderr).not.toBeNull();
      return m![1]!;
    }, 60_000);
    expect(stderr).toMatch(/running pipelines orders/);
    expect(stderr).not.toMatch(/reconciling Applications/);

    // Unsigned: refused before anything reads the payload.
    const ignored = commit('not to be built');
    const unsigned = await push(url, ignored);
    expect(unsigned.status).toBe(401);
    const forged = await push(url, ignored, 'not-the-secret');
    expect(forged.status).toBe(401);

    // Signed: one run started (the answer counts runs started plus apps refreshed).
    const sha = commit('built by the controller');
    const short = sha.slice(0, 7);
    const before = git(['rev-parse', 'main'], config.bare).trim();
    const ok = await push(url, sha, SECRET);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ refreshed: 1 });
    const done = await eventually(
      () => {
        const r = runs().find((x) => x.sha === sha);
        expect(r?.state, stderr).toMatch(/^(success|failure|cancelled|error)$/);
        return r;
      },
      600_000,
      500,
    );
    expect(done, stderr).toMatchObject({ state: 'success' });
    await eventually(() => expect(devTag()).toBe(short), 60_000);
    const images = new RegistryClient({ host: registry.host });
    try {
      const digest = (await images.headManifest('acme/orders-api', short)).digest;
      expect(done?.bundleId).toBeDefined();
      expect(new BundleStore(state).get('my-service', done!.bundleId!).image).toEqual({
        repository: `${registry.host}/acme/orders-api`,
        tag: short,
        digest,
      });
    } finally {
      await images.close();
    }
    expect(git(['rev-parse', 'main^'], config.bare).trim()).toBe(before);
    expect(git(['log', '-1', '--format=%s', 'main'], config.bare).trim()).toBe(
      `Update my-service to ${short}`,
    );
    expect(runs()).toEqual([
      expect.objectContaining({
        sha,
        state: 'success',
        trigger: { kind: 'webhook', detail: `github push 1111111..${short}` },
      }),
    ]);
    expect(runs().some((r) => r.sha === ignored)).toBe(false);

    // A run in flight when SIGTERM comes is cancelled and recorded: its step (a `make lint` that
    // hangs in a marked sleep) is killed with its process group; nothing is released or left running.
    const hanging = () => processesNamed(`sleep ${MARK}`);
    const late = commit('still building at shutdown', () => {
      const file = join(work, 'Makefile');
      writeFileSync(file, readFileSync(file, 'utf8').replace('lint:\n', `lint:\n\tsleep ${MARK}\n`));
    });
    expect((await push(url, late, SECRET)).status).toBe(200);
    await eventually(() => expect(hanging()).not.toEqual([]), 120_000, 200);
    expect(runs().find((r) => r.sha === late)?.state).toBe('running');
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/slipway controller: stopping/);
    expect(runs().find((r) => r.sha === late)?.state).toBe('cancelled');
    expect(hanging()).toEqual([]);
    expect(devTag()).toBe(short);
    expect(leftovers()).toEqual([]);
  }, 900_000);
});
