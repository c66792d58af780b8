import { describe, expect, it } from 'vitest';
import { type EnvObservation, type PipelineAction, planPipeline, promotionBranch } from './plan.ts';
import { parsePipelines } from './spec.ts';
import { type PipelineEvent, type PipelineEventInput, replay } from './state.ts';

const spec = (staging: string, prod: string, extra = '') =>
  parsePipelines(
    `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: my-service }
spec:
  service: my-service
  source: { repo: file:///src.git }
  image: { repository: registry.local/my-service }
  config: { repo: file:///config.git, path: apps/my-service }
  environments:
    - { name: dev, overlay: overlays/dev, application: my-service-dev }
    - { name: staging, overlay: overlays/staging, application: my-service-staging, promotion: ${staging} }
    - { name: prod, overlay: overlays/prod, application: my-service-prod, promotion: ${prod} }
${extra}`,
    'slipway.yaml',
  )[0]!;

const AUTO = spec('{ type: auto }', '{ type: manual }');
const T0 = Date.parse('2026-11-27T10:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000);

/** Events at one minute apart from T0. */
function events(...inputs: PipelineEventInput[]): PipelineEvent[] {
  return inputs.map((e, i) => ({ ...e, at: at(i).toISOString() }) as PipelineEvent);
}

const B1 = 'aaaaaaa-000000000001';
const B2 = 'bbbbbbb-000000000002';
const images = { [B1]: 'registry.local/my-service:aaaaaaa', [B2]: 'registry.local/my-service:bbbbbbb' };

const created = (id: string): PipelineEventInput => ({
  type: 'bundle-created',
  bundleId: id,
  sha: id[0]!.repeat(40),
});
const released = (
  env: string,
  id: string,
  kind: 'release' | 'promotion' | 'rollback' = 'release',
): PipelineEventInput => ({
  type: 'released',
  env,
  bundleId: id,
  kind,
  by: 'slipway',
  reason: 'test',
  commit: 'c'.repeat(40),
});
const healthy = (env: string, id: string): PipelineEventInput => ({
  type: 'observed',
  env,
  bundleId: id,
  state: 'healthy',
});

/** An Application showing `image`, with a status. */
function app(
  image: string | undefined,
  sync = 'Synced',
  health = 'Healthy',
  rollouts: EnvObservation['rollouts'] = [],
): EnvObservation {
  return {
    app: { images: image ? [image] : [], syncStatus: sync, healthStatus: health },
    rollouts,
    mergedPullRequests: {},
  };
}

function plan(
  pipeline = AUTO,
  evs: PipelineEvent[],
  observed: Record<string, EnvObservation> = {},
  now = at(60),
): PipelineAction[] {
  return planPipeline(pipeline, replay(pipeline.order, evs), images, observed, now);
}

describe('planPipeline', () => {
  it('releases a new bundle into the first environment', () => {
    expect(plan(AUTO, events(created(B1)))).toEqual([
      { type: 'release', env: 'dev', bundleId: B1, kind: 'release', by: 'slipway', reason: 'green CI run' },
    ]);
  });

  it('releases only the newest bundle into the first environment (a newer one supersedes)', () => {
    const actions = plan(AUTO, events(created(B1), created(B2)));
    expect(actions).toEqual([expect.objectContaining({ type: 'release', env: 'dev', bundleId: B2 })]);
  });

  it('does nothing while the release is in the overlay but not yet synced', () => {
    expect(plan(AUTO, events(created(B1), released('dev', B1)), { dev: app(images[B2]) })).toEqual([]);
  });

  it('records synced, then healthy, from the Application', () => {
    const evs = events(created(B1), released('dev', B1));
    expect(plan(AUTO, evs, { dev: app(images[B1], 'Synced', 'Progressing') })).toEqual([
      { type: 'record', event: { type: 'observed', env: 'dev', bundleId: B1, state: 'synced' } },
    ]);
    expect(plan(AUTO, evs, { dev: app(images[B1]) })).toEqual([
      { type: 'record', event: { type: 'observed', env: 'dev', bundleId: B1, state: 'synced' } },
      { type: 'record', event: { type: 'observed', env: 'dev', bundleId: B1, state: 'healthy' } },
    ]);
  });

  it('waits for every Rollout to finish (phase Healthy, status current) before healthy', () => {
    const evs = events(created(B1), released('dev', B1), {
      type: 'observed',
      env: 'dev',
      bundleId: B1,
      state: 'synced',
    });
    const rollout = (phase: string, upToDate = true) => [
      { name: 'my-service', phase, aborted: false, upToDate },
    ];
    expect(plan(AUTO, evs, { dev: app(images[B1], 'Synced', 'Healthy', rollout('Paused')) })).toEqual([]);
    expect(plan(AUTO, evs, { dev: app(images[B1], 'Synced', 'Healthy', rollout('Healthy', false)) })).toEqual(
      [],
    );
    expect(plan(AUTO, evs, { dev: app(images[B1], 'Synced', 'Healthy', rollout('Healthy')) })).toEqual([
      { type: 'record', event: { type: 'observed', env: 'dev', bundleId: B1, state: 'healthy' } },
    ]);
  });

  it('an environment without an Application is healthy once released', () => {
    const p = parsePipelines(
      `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: s }
spec:
  service: s
  source: { repo: r }
  image: { repository: i }
  config: { repo: c, path: apps/s }
  environments: [{ name: dev, overlay: overlays/dev }]
`,
      'f',
    )[0]!;
    expect(plan(p, events(created(B1), released('dev', B1)))).toEqual([
      {
        type: 'record',
        event: {
          type: 'observed',
          env: 'dev',
          bundleId: B1,
          state: 'healthy',
          detail: 'no Application to observe',
        },
      },
    ]);
  });

  it('auto: promotes to the next environment once the previous one is healthy', () => {
    const evs = events(created(B1), released('dev', B1), healthy('dev', B1));
    expect(plan(AUTO, evs, { dev: app(images[B1]) })).toEqual([
      {
        type: 'release',
        env: 'staging',
        bundleId: B1,
        kind: 'promotion',
        by: 'slipway',
        reason: 'dev is healthy',
      },
    ]);
  });

  it('auto: not while the previous environment is only synced', () => {
    const evs = events(created(B1), released('dev', B1), {
      type: 'observed',
      env: 'dev',
      bundleId: B1,
      state: 'synced',
    });
    expect(plan(AUTO, evs, { dev: app(images[B1], 'Synced', 'Progressing') })).toEqual([]);
  });

  it('auto with soak: waits until the previous environment has been healthy that long', () => {
    const p = spec('{ type: auto, soak: 10m }', '{ type: manual }');
    // healthy at minute 2 (third event)
    const evs = events(created(B1), released('dev', B1), healthy('dev', B1));
    expect(plan(p, evs, { dev: app(images[B1]) }, at(11))).toEqual([
      {
        type: 'wait',
        env: 'staging',
        bundleId: B1,
        until: at(12).toISOString(),
        reason: 'dev must stay healthy for 10m',
      },
    ]);
    expect(plan(p, evs, { dev: app(images[B1]) }, at(12))).toEqual([
      {
        type: 'release',
        env: 'staging',
        bundleId: B1,
        kind: 'promotion',
        by: 'slipway',
        reason: 'dev is healthy and soaked 10m',
      },
    ]);
  });

  it('manual: records awaiting-approval once, then releases the approved bundle naming the approver', () => {
    const evs = events(
      created(B1),
      released('dev', B1),
      healthy('dev', B1),
      released('staging', B1, 'promotion'),
      healthy('staging', B1),
    );
    const observed = { dev: app(images[B1]), staging: app(images[B1]) };
    expect(plan(AUTO, evs, observed)).toEqual([
      { type: 'record', event: { type: 'awaiting-approval', env: 'prod', bundleId: B1 } },
    ]);
    const waiting = [...evs, ...events({ type: 'awaiting-approval', env: 'prod', bundleId: B1 })];
    expect(plan(AUTO, waiting, observed)).toEqual([]);
    const approved = [...waiting, ...events({ type: 'approved', env: 'prod', bundleId: B1, by: 'alice' })];
    expect(plan(AUTO, approved, observed)).toEqual([
      expect.objectContaining({ type: 'release', env: 'prod', bundleId: B1, kind: 'promotion', by: 'alice' }),
    ]);
  });

  it('manual: an approval of an older good bundle promotes that one', () => {
    const evs = events(
      created(B1),
      released('dev', B1),
      healthy('dev', B1),
      created(B2),
      released('dev', B2),
      healthy('dev', B2),
      { type: 'approved', env: 'staging', bundleId: B1, by: 'bob' },
    );
    const p = spec('{ type: manual }', '{ type: manual }');
    expect(plan(p, evs, { dev: app(images[B2]) })).toEqual([
      expect.objectContaining({ type: 'release', env: 'staging', bundleId: B1, by: 'bob' }),
    ]);
  });

  it('pull-request: opens the promotion branch, then records the merge', () => {
    const p = spec('{ type: pull-request }', '{ type: manual }');
    const evs = events(created(B1), released('dev', B1), healthy('dev', B1));
    expect(plan(p, evs, { dev: app(images[B1]) })).toEqual([
      {
        type: 'open-pull-request',
        env: 'staging',
        bundleId: B1,
        branch: 'slipway/promote-staging-aaaaaaa',
        reason: 'promote from dev',
      },
    ]);
    const open = [
      ...evs,
      ...events({
        type: 'pr-opened',
        env: 'staging',
        bundleId: B1,
        branch: promotionBranch('staging', B1),
        base: 'main',
        commit: 'd'.repeat(40),
        by: 'slipway',
        reason: 'promote from dev',
      }),
    ];
    expect(plan(p, open, { dev: app(images[B1]) })).toEqual([]);
    const merged = {
      dev: app(images[B1]),
      staging: { ...app(undefined), mergedPullRequests: { [B1]: 'd'.repeat(40) } },
    };
    expect(plan(p, open, merged)).toEqual([
      { type: 'record', event: { type: 'pr-merged', env: 'staging', bundleId: B1, commit: 'd'.repeat(40) } },
    ]);
  });

  it('a failed rollout marks the bundle failed and re-releases the previous good bundle (rollback)', () => {
    const evs = events(
      created(B1),
      released('staging', B1, 'promotion'),
      healthy('staging', B1),
      created(B2),
      released('staging', B2, 'promotion'),
    );
    const aborted = [
      { name: 'my-service', phase: 'Degraded', aborted: true, upToDate: true, message: 'analysis failed' },
    ];
    const actions = plan(AUTO, evs, { staging: app(images[B2], 'Synced', 'Degraded', aborted) });
    expect(
      actions.filter(
        (a) => ('env' in a ? a.env : 'event' in a && 'env' in a.event ? a.event.env : '') === 'staging',
      ),
    ).toEqual([
      {
        type: 'record',
        event: {
          type: 'failed',
          env: 'staging',
          bundleId: B2,
          reason: 'rollout my-service aborted: analysis failed',
        },
      },
      {
        type: 'release',
        env: 'staging',
        bundleId: B1,
        kind: 'rollback',
        by: 'slipway',
        reason: 'rollout my-service aborted: analysis failed',
      },
    ]);
  });

  it('a Degraded Application after the release is a failure too; a stale Rollout status is not', () => {
    const evs = events(
      created(B1),
      released('dev', B1),
      healthy('dev', B1),
      created(B2),
      released('dev', B2),
    );
    expect(plan(AUTO, evs, { dev: app(images[B2], 'Synced', 'Degraded') })[0]).toEqual({
      type: 'record',
      event: { type: 'failed', env: 'dev', bundleId: B2, reason: 'application degraded' },
    });
    const stale = [{ name: 'r', phase: 'Degraded', aborted: true, upToDate: false }];
    expect(plan(AUTO, evs, { dev: app(images[B2], 'Synced', 'Progressing', stale) })).toEqual([
      { type: 'record', event: { type: 'observed', env: 'dev', bundleId: B2, state: 'synced' } },
    ]);
  });

  it('a Rollout still running the previous image, or an Application not yet Synced, is not blamed on the new bundle', () => {
    const evs = events(
      created(B1),
      released('dev', B1),
      healthy('dev', B1),
      created(B2),
      released('dev', B2),
    );
    const old = [{ name: 'r', phase: 'Degraded', aborted: true, upToDate: true, images: [images[B1]] }];
    expect(plan(AUTO, evs, { dev: app(images[B2], 'Synced', 'Progressing', old) })).toEqual([
      { type: 'record', event: { type: 'observed', env: 'dev', bundleId: B2, state: 'synced' } },
    ]);
    const now = [{ name: 'r', phase: 'Degraded', aborted: true, upToDate: true, images: [images[B2]] }];
    expect(plan(AUTO, evs, { dev: app(images[B2], 'OutOfSync', 'Degraded', now) })).toEqual([]);
    expect(plan(AUTO, evs, { dev: app(images[B2], 'Synced', 'Degraded', now) })[0]).toMatchObject({
      type: 'record',
      event: { type: 'failed', bundleId: B2 },
    });
  });

  it('a Degraded Application before it shows the new image is not blamed on the new bundle', () => {
    const evs = events(
      created(B1),
      released('dev', B1),
      healthy('dev', B1),
      created(B2),
      released('dev', B2),
    );
    expect(plan(AUTO, evs, { dev: app(images[B1], 'OutOfSync', 'Degraded') })).toEqual([]);
  });

  it('a bundle that failed in an environment is never promoted from it, nor released there again', () => {
    const evs = events(
      created(B1),
      released('dev', B1),
      healthy('dev', B1),
      created(B2),
      released('dev', B2),
      { type: 'failed', env: 'dev', bundleId: B2, reason: 'rollout aborted' },
      released('dev', B1, 'rollback'),
      healthy('dev', B1),
    );
    const actions = plan(AUTO, evs, { dev: app(images[B1]) });
    // dev: newest bundle B2 failed there → not again; staging: dev's current is B1 → promoted, never B2.
    expect(actions).toEqual([expect.objectContaining({ type: 'release', env: 'staging', bundleId: B1 })]);
    expect(actions.some((a) => 'bundleId' in a && a.bundleId === B2)).toBe(false);
  });

  it('a manual approval of a bundle that failed upstream does not release it', () => {
    const evs = events(
      created(B1),
      released('staging', B1),
      { type: 'observed', env: 'staging', bundleId: B1, state: 'healthy' },
      { type: 'failed', env: 'staging', bundleId: B1, reason: 'degraded' },
      { type: 'approved', env: 'prod', bundleId: B1, by: 'mallory' },
    );
    const actions = plan(AUTO, evs, { staging: app(images[B1], 'Synced', 'Degraded') });
    expect(actions.filter((a) => a.type === 'release' && a.env === 'prod')).toEqual([]);
  });

  it('never takes an environment back to an older bundle except by rollback', () => {
    // staging rolled back to B1 while prod already runs B2: prod is not "promoted" to B1.
    const p = spec('{ type: auto }', '{ type: auto }');
    const evs = events(
      created(B1),
      created(B2),
      released('prod', B2, 'promotion'),
      healthy('prod', B2),
      released('staging', B1, 'rollback'),
      healthy('staging', B1),
      released('dev', B2),
      healthy('dev', B2),
    );
    expect(
      plan(p, evs, { dev: app(images[B2]), staging: app(images[B1]), prod: app(images[B2]) }).filter(
        (a) => a.type === 'release' && a.env === 'prod',
      ),
    ).toEqual([]);
  });

  it('resumes a release that started and has no outcome', () => {
    const evs = events(created(B1), {
      type: 'release-started',
      env: 'dev',
      bundleId: B1,
      kind: 'release',
      by: 'slipway',
      reason: 'green CI run',
    });
    expect(plan(AUTO, evs)).toEqual([
      expect.objectContaining({
        type: 'release',
        env: 'dev',
        bundleId: B1,
        reason: 'resuming a release that did not finish',
      }),
    ]);
  });

  it('retries a release whose push failed (the bundle stays pending with the error)', () => {
    const evs = events(created(B1), {
      type: 'release-failed',
      env: 'dev',
      bundleId: B1,
      error: 'push refused',
    });
    const state = replay(AUTO.order, evs);
    expect(state.envs['dev']?.bundles[B1]).toMatchObject({ state: 'pending', reason: 'push refused' });
    expect(plan(AUTO, evs)).toEqual([expect.objectContaining({ type: 'release', env: 'dev', bundleId: B1 })]);
  });

  it('follows `from` instead of list order', () => {
    const p = parsePipelines(
      `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: s }
spec:
  service: s
  source: { repo: r }
  image: { repository: i }
  config: { repo: c, path: apps/s }
  environments:
    - { name: dev, overlay: overlays/dev }
    - { name: prod, overlay: overlays/prod, from: staging }
    - { name: staging, overlay: overlays/staging, from: dev }
`,
      'f',
    )[0]!;
    const evs = events(created(B1), released('dev', B1), healthy('dev', B1));
    expect(plan(p, evs)).toEqual([
      expect.objectContaining({ type: 'release', env: 'staging', bundleId: B1 }),
    ]);
  });
});
