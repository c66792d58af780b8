/**
 * Promotion on real git repositories (the git CLI, a bare config repository seeded from the
 * seed's deploy-configs): a bundle released into dev by the release path, a pull-request promotion
 * pushed as a branch and detected merged, a manual approval, a rollback commit, a config-repo push
 * race, and nothing half-released. No Kubernetes: environments without an Application count as
 * healthy once released; the rollback case observes its Application through the `observe` seam.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  approvePromotion,
  BundleStore,
  type EnvObservation,
  EventLog,
  type PipelineStatus,
  reconcilePipeline,
  replay,
} from '../../src/pipeline/index.ts';
import { git } from '../git/helpers.ts';
import { runCli } from '../support/cli.ts';
import { PipelineWorld, tagOf } from './helpers.ts';

const ENVS = `    - { name: dev, overlay: overlays/dev, promotion: { type: auto } }
    - { name: staging, overlay: overlays/staging, promotion: { type: pull-request } }
    - { name: prod, overlay: overlays/prod, promotion: { type: manual } }
`;

const cli = runCli;

describe('promotion through dev → staging → prod on real git repositories', () => {
  const worlds: PipelineWorld[] = [];
  const world = () => {
    const w = new PipelineWorld();
    worlds.push(w);
    return w;
  };
  beforeAll(() => {
    // The CLI's git cache: this run's own, never the user's.
    process.env['SLIPWAY_CACHE'] = new PipelineWorld().root;
  });
  afterEach(() => {
    for (const w of worlds.splice(0)) w.cleanup();
  });

  it('releases a bundle into dev, pushes a pull-request branch for staging, sees it merged, and waits for approval in prod', async () => {
    const w = world();
    const pipeline = w.pipeline(w.pipelineYaml(ENVS));
    const seedHead = w.head();
    const b1 = await w.addBundle(pipeline, 1);

    const first = await reconcilePipeline(w.deps(pipeline));
    // dev: the overlay names the bundle's short-SHA tag, committed with the seed's wording.
    expect(tagOf(w.overlay('dev'))).toBe(b1.image.tag);
    const devCommit = w.head();
    expect(git(['rev-parse', `${devCommit}^`], w.config.bare).trim()).toBe(seedHead);
    expect(w.message(devCommit)).toMatch(
      new RegExp(`^Update my-service to ${b1.image.tag}\n\nSlipway-Bundle: ${b1.id}\n`),
    );
    expect(w.message(devCommit)).toContain(
      `Slipway-Image: ghcr.io/myorg/my-service:${b1.image.tag}@${b1.image.digest}`,
    );
    expect(git(['show', '--stat', '--format=', devCommit], w.config.bare)).toMatch(
      /apps\/my-service\/overlays\/dev\/kustomization\.yaml \| 2 \+-/,
    );
    // staging: a branch with the change, main untouched.
    const branch = `slipway/promote-staging-${b1.image.tag}`;
    const prCommit = w.head(branch);
    expect(
      tagOf(git(['show', `${branch}:apps/my-service/overlays/staging/kustomization.yaml`], w.config.bare)),
    ).toBe(b1.image.tag);
    expect(tagOf(w.overlay('staging'))).toBe('abc1234');
    expect(first.state.envs['staging']?.bundles[b1.id]).toMatchObject({
      state: 'pr-open',
      branch,
      commit: prCommit,
    });
    expect(first.state.envs['dev']?.bundles[b1.id]?.state).toBe('healthy');

    // Not merged yet: nothing moves.
    expect((await reconcilePipeline(w.deps(pipeline))).actions).toEqual([]);

    // Someone merges the pull request (a merge commit on main).
    git(['fetch', '--quiet', 'origin'], w.config.work);
    git(['merge', '--quiet', '--no-ff', '-m', 'Merge promotion', `origin/${branch}`], w.config.work);
    git(['push', '--quiet', 'origin', 'main'], w.config.work);
    const merged = await reconcilePipeline(w.deps(pipeline));
    expect(merged.actions.map((a) => (a.type === 'record' ? a.event.type : a.type))).toEqual([
      'pr-merged',
      'observed',
      'awaiting-approval',
    ]);
    expect(merged.state.envs['staging']?.current).toBe(b1.id);
    expect(merged.state.envs['prod']?.bundles[b1.id]?.state).toBe('awaiting-approval');
    expect(tagOf(w.overlay('prod'))).toBe('abc1234');

    // prod: approved by alice → released, with who and when on record.
    const approved = await approvePromotion(w.deps(pipeline), 'prod', { by: 'alice' });
    expect(approved.bundleId).toBe(b1.id);
    expect(tagOf(w.overlay('prod'))).toBe(b1.image.tag);
    expect(w.message(w.head())).toMatch(
      new RegExp(`^promote prod to ${b1.image.tag}: approved by alice at `),
    );
    const prod = approved.reconcile.state.envs['prod'];
    expect(prod?.bundles[b1.id]).toMatchObject({ approvedBy: 'alice', commit: w.head() });
    expect(prod?.promotions).toEqual([
      expect.objectContaining({ bundleId: b1.id, kind: 'promotion', by: 'alice', commit: w.head() }),
    ]);

    // The status view, as the CLI prints it.
    const status = await cli([
      'pipeline',
      'status',
      '--pipeline',
      w.pipelineFile,
      '--state',
      w.state,
      '-o',
      'json',
    ]);
    expect(status.code).toBe(0);
    const view = JSON.parse(status.out) as PipelineStatus;
    expect(view.environments.map((e) => [e.name, e.rule, e.current])).toEqual([
      ['dev', 'auto', b1.id],
      ['staging', 'pull-request', b1.id],
      ['prod', 'manual', b1.id],
    ]);
    expect(view.commits).toEqual([
      expect.objectContaining({
        sha: b1.sourceSha,
        bundleId: b1.id,
        environments: {
          dev: expect.objectContaining({ state: 'healthy', current: true }),
          staging: expect.objectContaining({ state: 'healthy', current: true }),
          prod: expect.objectContaining({ state: 'healthy', current: true, approvedBy: 'alice' }),
        },
      }),
    ]);
    const table = await cli(['pipeline', 'status', '--pipeline', w.pipelineFile, '--state', w.state]);
    expect(table.out).toMatch(/^COMMIT\s+RUN\s+BUNDLE\s+DEV\s+STAGING\s+PROD\s+MESSAGE$/m);
    expect(table.out).toContain(
      `${b1.sourceSha.slice(0, 7)}   unknown   ${b1.id}   healthy*   healthy*   healthy*   change 1`,
    );
  });

  it('slipway promote records the approver given with --by and refuses what cannot be approved', async () => {
    const w = world();
    const pipeline = w.pipeline(
      w.pipelineYaml(`    - { name: dev, overlay: overlays/dev }
    - { name: prod, overlay: overlays/prod, promotion: { type: manual } }
`),
    );
    const b1 = await w.addBundle(pipeline, 1);
    const base = ['--pipeline', w.pipelineFile, '--state', w.state, '--no-cluster'];
    // Nothing awaits approval before dev ran it.
    const early = await cli(['promote', 'my-service', 'prod', '--approve', '--by', 'bob', ...base]);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/nothing awaits approval in prod/);
    await reconcilePipeline(w.deps(pipeline));
    expect(tagOf(w.overlay('prod'))).toBe('abc1234');

    const noFlag = await cli(['promote', 'my-service', 'prod', ...base]);
    expect(noFlag.err).toMatch(/add --approve/);
    const wrongEnv = await cli(['promote', 'my-service', 'qa', '--approve', '--by', 'bob', ...base]);
    expect(wrongEnv.err).toMatch(/no environment "qa"/);
    const notManual = await cli(['promote', 'my-service', 'dev', '--approve', '--by', 'bob', ...base]);
    expect(notManual.err).toMatch(/dev is promoted by rule "auto", not by approval/);

    const ok = await cli([
      'promote',
      'my-service',
      'prod',
      '--approve',
      '--by',
      'bob',
      '--bundle',
      b1.id,
      ...base,
    ]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(
      new RegExp(`^approved ${b1.id} for prod by bob\npromotion ${b1.id} into prod: done`),
    );
    expect(tagOf(w.overlay('prod'))).toBe(b1.image.tag);
    const events = new EventLog(w.state, 'my-service').read();
    expect(events.find((e) => e.type === 'approved')).toMatchObject({
      env: 'prod',
      bundleId: b1.id,
      by: 'bob',
    });
  });

  it('rolls back with a commit that says why when the rollout aborts after a release', async () => {
    const w = world();
    const pipeline = w.pipeline(
      w.pipelineYaml('    - { name: dev, overlay: overlays/dev, application: my-service-dev }\n'),
    );
    // What the Application and its Rollout show, as the cluster would report them.
    let observed: Pick<EnvObservation, 'app' | 'rollouts'> = { rollouts: [] };
    const deps = w.deps(pipeline, { observe: async () => observed });
    const b1 = await w.addBundle(pipeline, 1);
    await reconcilePipeline(deps);
    const image = (b: { image: { repository: string; tag: string } }) =>
      `${b.image.repository}:${b.image.tag}`;
    observed = {
      app: { images: [image(b1)], syncStatus: 'Synced', healthStatus: 'Healthy' },
      rollouts: [{ name: 'my-service', phase: 'Healthy', aborted: false, upToDate: true }],
    };
    expect((await reconcilePipeline(deps)).state.envs['dev']?.bundles[b1.id]?.state).toBe('healthy');

    const b2 = await w.addBundle(pipeline, 2);
    await reconcilePipeline(deps);
    expect(tagOf(w.overlay('dev'))).toBe(b2.image.tag);
    observed = {
      app: { images: [image(b2)], syncStatus: 'Synced', healthStatus: 'Degraded' },
      rollouts: [
        {
          name: 'my-service',
          phase: 'Degraded',
          aborted: true,
          upToDate: true,
          message: 'RolloutAborted: metric "success-rate" assessed Failed',
        },
      ],
    };
    const rolledBack = await reconcilePipeline(deps);
    // git says the previous good bundle again, and the commit says why.
    expect(tagOf(w.overlay('dev'))).toBe(b1.image.tag);
    expect(w.message(w.head())).toMatch(
      new RegExp(
        `^rollback dev to ${b1.image.tag}: rollout my-service aborted: RolloutAborted: metric "success-rate" assessed Failed\n`,
      ),
    );
    const dev = rolledBack.state.envs['dev'];
    expect(dev?.current).toBe(b1.id);
    expect(dev?.bundles[b2.id]).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('aborted'),
    });
    expect(dev?.promotions.at(-1)).toMatchObject({ bundleId: b1.id, kind: 'rollback', commit: w.head() });

    // The failed bundle is never released there again, even though it is still the newest.
    observed = {
      app: { images: [image(b1)], syncStatus: 'Synced', healthStatus: 'Healthy' },
      rollouts: [{ name: 'my-service', phase: 'Healthy', aborted: false, upToDate: true }],
    };
    const after = await reconcilePipeline(deps);
    expect(after.actions.filter((a) => a.type === 'release')).toEqual([]);
    expect(tagOf(w.overlay('dev'))).toBe(b1.image.tag);
  });

  it('loses no release in a config-repo push race: two pipelines and a person push at once, nothing forced', async () => {
    const w = world();
    const a = w.pipeline(w.pipelineYaml('    - { name: dev, overlay: overlays/dev }\n'));
    const bYaml = w
      .pipelineYaml('    - { name: staging, overlay: overlays/staging }\n')
      .replace('name: my-service }', 'name: my-service-staging }');
    const b = w.pipeline(bYaml);
    const bundleA = await w.addBundle(a, 1);
    const bundleB = await w.addBundle(b, 2);
    const outside = (async () => {
      for (let i = 0; i < 3; i++) {
        w.config.write(`notes/${i}.txt`, `${i}\n`);
        git(['add', '--all'], w.config.work);
        git(['commit', '--quiet', '-m', `note ${i}`], w.config.work);
        for (;;) {
          try {
            git(['push', '--quiet', 'origin', 'main'], w.config.work);
            break;
          } catch {
            git(['pull', '--quiet', '--rebase', 'origin', 'main'], w.config.work);
          }
        }
      }
    })();
    // Separate caches: no shared lock, so the pushes really race at the remote.
    const [ra, rb] = await Promise.all([
      reconcilePipeline(w.deps(a, { gitCacheRoot: `${w.cache}-a` })),
      reconcilePipeline(w.deps(b, { gitCacheRoot: `${w.cache}-b` })),
      outside,
    ]);
    expect(tagOf(w.overlay('dev'))).toBe(bundleA.image.tag);
    expect(tagOf(w.overlay('staging'))).toBe(bundleB.image.tag);
    const log = git(['log', '--format=%s', 'main'], w.config.bare);
    expect(log).toContain(`Update my-service to ${bundleA.image.tag}`);
    expect(log).toContain(`Update my-service to ${bundleB.image.tag}`);
    for (let i = 0; i < 3; i++) expect(log).toContain(`note ${i}`);
    // Every recorded commit is in main's history (none was overwritten).
    for (const r of [ra, rb]) {
      const commit = r.actions.find((x) => x.type === 'release')?.detail ?? '';
      expect(git(['merge-base', '--is-ancestor', commit, 'main'], w.config.bare)).toBe('');
    }
  });

  it('half-releases nothing: a release that cannot be written leaves git and the bundle as they were, with the reason recorded', async () => {
    const w = world();
    const pipeline = w.pipeline(w.pipelineYaml('    - { name: dev, overlay: overlays/does-not-exist }\n'));
    const head = w.head();
    const b1 = await w.addBundle(pipeline, 1);
    const result = await reconcilePipeline(w.deps(pipeline));
    expect(result.actions).toEqual([
      expect.objectContaining({
        type: 'release',
        env: 'dev',
        outcome: 'failed',
        detail: expect.stringMatching(/does-not-exist/),
      }),
    ]);
    expect(w.head()).toBe(head);
    expect(git(['for-each-ref', '--format=%(refname)'], w.config.bare).trim()).toBe('refs/heads/main');
    expect(result.state.envs['dev']?.bundles[b1.id]).toMatchObject({
      state: 'pending',
      reason: expect.stringMatching(/does-not-exist/),
    });
    expect(result.state.envs['dev']?.current).toBeUndefined();
    expect(new BundleStore(w.state).list('my-service')).toEqual([b1]);
  });

  it('resumes after a restart: a release recorded as started is done once, not twice', async () => {
    const w = world();
    const pipeline = w.pipeline(w.pipelineYaml('    - { name: dev, overlay: overlays/dev }\n'));
    await w.addBundle(pipeline, 1);
    await reconcilePipeline(w.deps(pipeline));
    const b2 = await w.addBundle(pipeline, 2);
    // A process that pushed b2 but died before recording it: the log says only "started".
    const log = new EventLog(w.state, 'my-service');
    log.append({
      type: 'release-started',
      env: 'dev',
      bundleId: b2.id,
      kind: 'release',
      by: 'slipway',
      reason: 'x',
    });
    const pushed = await cli([
      'release',
      '--repo',
      w.config.url,
      '--path',
      'apps/my-service/overlays/dev',
      '--image',
      `my-service=ghcr.io/myorg/my-service:${b2.image.tag}`,
    ]);
    expect(pushed.code).toBe(0);
    const commit = w.head();
    const again = await reconcilePipeline(w.deps(pipeline));
    expect(again.actions[0]).toMatchObject({
      type: 'release',
      bundleId: b2.id,
      reason: 'resuming a release that did not finish',
      outcome: 'done',
      detail: commit,
    });
    expect(w.head()).toBe(commit);
    expect(replay(pipeline.order, log.read()).envs['dev']).toMatchObject({
      current: b2.id,
      bundles: { [b2.id]: { state: 'healthy' } },
    });
  });

  it('ci export prints the workflow; ci hook install refuses a folder that is not a bare repository', async () => {
    const w = world();
    w.pipeline(
      w.pipelineYaml(
        '    - { name: dev, overlay: overlays/dev }\n',
        '  env: { REGISTRY: registry.example.com }\n',
      ),
    );
    const { mkdirSync, copyFileSync } = await import('node:fs');
    const service = `${w.root}/service`;
    mkdirSync(`${service}/.github/workflows`, { recursive: true });
    copyFileSync(
      new URL('../fixtures/seed/ci.yaml', import.meta.url),
      `${service}/.github/workflows/ci.yaml`,
    );
    const exported = await cli(['ci', 'export', '--pipeline', w.pipelineFile, '--repo', service]);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/^# Exported by slipway ci export from pipeline my-service/);
    expect(exported.out).toContain('  REGISTRY: registry.example.com\n');
    expect(exported.out).toContain('working-directory: deploy-configs/apps/my-service/overlays/dev');
    const missing = await cli(['ci', 'export', '--pipeline', w.pipelineFile, '--repo', w.root]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/\.github\/workflows\/ci\.yaml: cannot read the workflow/);

    const hook = await cli(['ci', 'hook', 'install', '--repo', service, '--pipeline', w.pipelineFile]);
    expect(hook.code).toBe(1);
    expect(hook.err).toMatch(/service: not a bare git repository/);
    const installed = await cli([
      'ci',
      'hook',
      'install',
      '--repo',
      w.config.bare,
      '--pipeline',
      w.pipelineFile,
    ]);
    expect(installed.code).toBe(0);
    expect(installed.out.trim()).toBe(`${w.config.bare}/hooks/post-receive`);
  });

  it.each([
    [
      'a cycle',
      `    - { name: dev, overlay: overlays/dev }
    - { name: staging, overlay: overlays/staging, from: prod }
    - { name: prod, overlay: overlays/prod, from: staging }
`,
      /slipway\.yaml:\d+:\d+: spec\.environments\[\d\]\.from: promotion cycle/,
    ],
    [
      'an unknown environment',
      `    - { name: dev, overlay: overlays/dev }
    - { name: prod, overlay: overlays/prod, from: qa }
`,
      /slipway\.yaml:11:\d+: spec\.environments\[1\]\.from: unknown environment "qa"/,
    ],
  ])(
    'refuses a pipeline with %s, naming file, line and field, before touching anything',
    async (_, envs, message) => {
      const w = world();
      const yaml = w.pipelineYaml(envs);
      w.pipeline(yaml.replace(/from: \w+ \}/g, '}')); // a valid file first, so the CLI writes it
      const { writeFileSync } = await import('node:fs');
      writeFileSync(w.pipelineFile, yaml);
      const head = w.head();
      for (const args of [
        ['pipeline', 'reconcile', '--no-cluster'],
        ['pipeline', 'status'],
      ]) {
        const r = await cli([...args, '--pipeline', w.pipelineFile, '--state', w.state]);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(message);
      }
      expect(w.head()).toBe(head);
    },
  );
});
