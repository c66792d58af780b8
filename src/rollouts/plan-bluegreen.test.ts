import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { computePodTemplateHash } from './hash.ts';
import { buildObservation } from './observe.ts';
import { planBlueGreen } from './plan-bluegreen.ts';
import { managedServiceOf, ROLLOUT_UID, replicaSetOf } from './planner-fixtures.testlib.ts';
import type { RolloutStatus } from './types.ts';

const NOW = new Date('2026-01-01T10:00:00Z');
const at = (s: number) => new Date(NOW.getTime() + s * 1000);
const UID = ROLLOUT_UID;
const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});
const V1 = computePodTemplateHash(template('v1'));
const V2 = computePodTemplateHash(template('v2'));

function rollout(status: RolloutStatus, bg: object = {}, image = 'v2'): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'ns', uid: UID, generation: 1 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(image),
      strategy: { blueGreen: { activeService: 'active', previewService: 'preview', ...bg } },
    },
    status: { observedGeneration: '1', ...status },
  };
}
const rs = replicaSetOf;
const svc = managedServiceOf;
const observe = (ro: KubeObject, rss: KubeObject[], active = V1, preview = V1) =>
  buildObservation({
    rollout: ro,
    replicaSets: rss,
    services: [svc('active', active), svc('preview', preview)],
    analysisRuns: [],
    analysisTemplates: [],
  });
const updating = (extra: RolloutStatus = {}): RolloutStatus => ({
  currentPodHash: V2,
  stableRS: V1,
  blueGreen: { activeSelector: V1, previewSelector: V1 },
  ...extra,
});
const MANUAL = { previewReplicaCount: 1, autoPromotionEnabled: false, scaleDownDelaySeconds: 30 };

describe('planBlueGreen', () => {
  it('a new template creates the new ReplicaSet at previewReplicaCount', () => {
    const plan = planBlueGreen(
      observe(rollout({ currentPodHash: V1, stableRS: V1, blueGreen: { activeSelector: V1 } }, MANUAL), [
        rs(V1, 3, 3, 1),
      ]),
      NOW,
    );
    expect(plan.createReplicaSet?.metadata.name).toBe(`web-${V2}`);
    expect((plan.createReplicaSet as unknown as { spec: { replicas: number } }).spec.replicas).toBe(1);
    expect(plan.status.currentPodHash).toBe(V2);
  });

  it('first deploy: full size, active switched as soon as all pods are available, stable', () => {
    const ro = rollout({ currentPodHash: V1 }, {}, 'v1');
    const waiting = planBlueGreen(
      buildObservation({
        rollout: ro,
        replicaSets: [rs(V1, 3, 2, 1)],
        services: [],
        analysisRuns: [],
        analysisTemplates: [],
      }),
      NOW,
    );
    expect(waiting.status.stableRS).toBeUndefined();
    const ready = planBlueGreen(
      buildObservation({
        rollout: ro,
        replicaSets: [rs(V1, 3, 3, 1)],
        services: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'active' },
            spec: { selector: { app: 'web' } },
          },
        ],
        analysisRuns: [],
        analysisTemplates: [],
      }),
      NOW,
    );
    expect(ready.services).toEqual([{ name: 'active', from: '', to: V1 }]);
    expect(ready.status.stableRS).toBe(V1);
    expect(ready.status.blueGreen?.activeSelector).toBe(V1);
  });

  it('preview ready with auto-promotion off: preview switched, BlueGreenPause added, active untouched', () => {
    const plan = planBlueGreen(observe(rollout(updating(), MANUAL), [rs(V1, 3, 3, 1), rs(V2, 1, 1, 2)]), NOW);
    expect(plan.services).toEqual([{ name: 'preview', from: V1, to: V2 }]);
    expect(plan.status.pauseConditions).toEqual([
      { reason: 'BlueGreenPause', startTime: '2026-01-01T10:00:00Z' },
    ]);
    expect(plan.status.controllerPause).toBe(true);
    expect(plan.status.phase).toBe('Paused');
    expect(plan.scale).toEqual([]);
  });

  it('promoted (controllerPause, no condition): scale-up checkpoint, new ReplicaSet to R, then the active switch', () => {
    const promoted = updating({
      controllerPause: true,
      blueGreen: { activeSelector: V1, previewSelector: V2 },
    });
    const scaleUp = planBlueGreen(
      observe(rollout(promoted, MANUAL), [rs(V1, 3, 3, 1), rs(V2, 1, 1, 2)], V1, V2),
      NOW,
    );
    expect(scaleUp.status.blueGreen?.scaleUpPreviewCheckPoint).toBe(true);
    const ro2 = rollout(
      { ...promoted, blueGreen: { ...promoted.blueGreen, scaleUpPreviewCheckPoint: true } },
      MANUAL,
    );
    const grow = planBlueGreen(observe(ro2, [rs(V1, 3, 3, 1), rs(V2, 1, 1, 2)], V1, V2), NOW);
    expect(grow.scale).toEqual([{ name: `web-${V2}`, from: 1, to: 3 }]);
    expect(grow.services).toEqual([]);
    const sw = planBlueGreen(observe(ro2, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], V1, V2), NOW);
    expect(sw.services).toEqual([{ name: 'active', from: V1, to: V2 }]);
    expect(sw.status.stableRS).toBe(V2);
    expect(sw.status.blueGreen?.scaleUpPreviewCheckPoint).toBeUndefined();
    expect(sw.annotate).toEqual([
      { name: `web-${V1}`, annotations: { 'scale-down-deadline': '2026-01-01T10:00:30Z' } },
    ]);
    expect(sw.requeueAfterMs).toBe(31_000);
  });

  it.each([
    ['before the deadline: kept', 29, []],
    ['after the deadline: scaled to 0', 31, [{ name: `web-${V1}`, from: 3, to: 0 }]],
  ])('old active ReplicaSet %s', (_name, seconds, scale) => {
    const done = updating({ stableRS: V2, blueGreen: { activeSelector: V2, previewSelector: V2 } });
    const old = rs(V1, 3, 3, 1, { 'scale-down-deadline': '2026-01-01T10:00:30Z' });
    expect(
      planBlueGreen(observe(rollout(done, MANUAL), [old, rs(V2, 3, 3, 2)], V2, V2), at(seconds)).scale,
    ).toEqual(scale);
  });

  it('autoPromotionSeconds: paused for that long, then promoted by itself', () => {
    const auto = { autoPromotionSeconds: 20 };
    const added = planBlueGreen(observe(rollout(updating(), auto), [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)]), NOW);
    expect(added.status.pauseConditions?.[0]?.reason).toBe('BlueGreenPause');
    expect(added.requeueAfterMs).toBe(20_010);
    const ro = rollout(added.status, auto);
    expect(planBlueGreen(observe(ro, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], V1, V2), at(20)).services).toEqual(
      [],
    );
    const later = planBlueGreen(observe(ro, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], V1, V2), at(21));
    expect(later.services).toEqual([{ name: 'active', from: V1, to: V2 }]);
    expect(later.status.pauseConditions).toBeUndefined();
  });

  it('default auto-promotion: no pause, switch once all pods are available', () => {
    const plan = planBlueGreen(observe(rollout(updating()), [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)]), NOW);
    expect(plan.status.pauseConditions).toBeUndefined();
    expect(plan.services.map((s) => s.name).sort()).toEqual(['active', 'preview']);
  });

  it.each([
    ['default 30s: annotated with the deadline first', {}, 0, [], '2026-01-01T10:00:30Z'],
    ['after the deadline: scaled to 0', {}, 31, [{ name: `web-${V2}`, from: 3, to: 0 }], undefined],
    ['explicit 0: never scaled down', { abortScaleDownDelaySeconds: 0 }, 31, [], undefined],
  ])('abort: active stays on stable, Degraded; new ReplicaSet %s', (_name, bg, seconds, scale, annotated) => {
    const deadline = seconds > 0 ? { 'scale-down-deadline': '2026-01-01T10:00:30Z' } : {};
    const ro = rollout(updating({ abort: true, blueGreen: { activeSelector: V1, previewSelector: V2 } }), {
      ...MANUAL,
      ...bg,
    });
    const plan = planBlueGreen(
      observe(ro, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2, deadline)], V1, V2),
      at(seconds),
    );
    expect(plan.services).toEqual([]);
    expect(plan.scale).toEqual(scale);
    expect(plan.annotate[0]?.annotations['scale-down-deadline']).toBe(annotated);
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.status.message).toBe('RolloutAborted: Rollout aborted update to revision 2');
  });

  it('a re-used ReplicaSet that is active again loses its old scale-down deadline', () => {
    const done = updating({ stableRS: V2, blueGreen: { activeSelector: V2, previewSelector: V2 } });
    const reused = rs(V2, 3, 3, 3, { 'scale-down-deadline': '2026-01-01T09:00:00Z' });
    const plan = planBlueGreen(observe(rollout(done, MANUAL), [rs(V1, 0, 0, 2), reused], V2, V2), NOW);
    expect(plan.annotate).toEqual([{ name: `web-${V2}`, annotations: { 'scale-down-deadline': null } }]);
    expect(plan.scale).toEqual([]);
  });
});

describe('planBlueGreen: pre- and post-promotion analysis', () => {
  const template: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'smoke', namespace: 'ns' },
    spec: {
      args: [{ name: 'rev' }, { name: 'hash' }],
      metrics: [{ name: 'ok', provider: { web: { url: 'http://127.0.0.1/{{args.rev}}' } } }],
    },
  } as KubeObject;
  const analysis = {
    templates: [{ templateName: 'smoke' }],
    args: [
      { name: 'rev', valueFrom: { fieldRef: { fieldPath: "metadata.labels['rev']" } } },
      { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
    ],
  };
  const run = (name: string, type: string, phase: string, message = '', created = '10:00:00'): KubeObject =>
    ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: {
        name,
        namespace: 'ns',
        creationTimestamp: `2026-01-01T${created}Z`,
        labels: { 'rollouts-pod-template-hash': V2, 'rollout-type': type },
        ownerReferences: [
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: UID, controller: true },
        ],
      },
      spec: { metrics: [] },
      status: { phase, message },
    }) as KubeObject;
  const withLabels = (ro: KubeObject): KubeObject => ({
    ...ro,
    metadata: { ...ro.metadata, labels: { rev: 'seven' } },
  });
  const obsOf = (
    status: RolloutStatus,
    bg: object,
    rss: KubeObject[],
    runs: KubeObject[],
    active = V1,
    preview = V2,
  ) =>
    buildObservation({
      rollout: withLabels(rollout(status, bg)),
      replicaSets: rss,
      services: [svc('active', active), svc('preview', preview)],
      analysisRuns: runs,
      analysisTemplates: [template],
    });
  const PRE = { prePromotionAnalysis: analysis };
  const POST = { postPromotionAnalysis: analysis };
  const preview = updating({ blueGreen: { activeSelector: V1, previewSelector: V2 } });
  const PRE_NAME = `web-${V2}-2-pre`;
  const POST_NAME = `web-${V2}-2-post`;

  it('a saturated preview starts the pre-promotion run (args from a field ref and the pod hash); active waits', () => {
    const plan = planBlueGreen(obsOf(preview, PRE, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], []), NOW);
    expect(plan.createAnalysisRuns.map((r) => r.metadata.name)).toEqual([PRE_NAME]);
    const created = plan.createAnalysisRuns[0] as KubeObject & { spec: { args: unknown[] } };
    expect(created.metadata.labels?.['rollout-type']).toBe('PrePromotion');
    expect(created.spec.args).toEqual([
      { name: 'rev', value: 'seven' },
      { name: 'hash', value: V2 },
    ]);
    expect(plan.services).toEqual([]);
    expect(plan.status.blueGreen?.prePromotionAnalysisRunStatus).toEqual({
      name: PRE_NAME,
      status: 'Pending',
      message: '',
    });
  });

  it('no pre-promotion run until the preview ReplicaSet is saturated', () => {
    const plan = planBlueGreen(obsOf(preview, PRE, [rs(V1, 3, 3, 1), rs(V2, 3, 2, 2)], []), NOW);
    expect(plan.createAnalysisRuns).toEqual([]);
  });

  it('with previewReplicaCount the run starts at that count', () => {
    const bg = { ...PRE, previewReplicaCount: 1 };
    const plan = planBlueGreen(obsOf(preview, bg, [rs(V1, 3, 3, 1), rs(V2, 1, 1, 2)], []), NOW);
    expect(plan.createAnalysisRuns.map((r) => r.metadata.name)).toEqual([PRE_NAME]);
  });

  it.each([
    ['Running', []],
    ['Successful', [{ name: 'active', from: V1, to: V2 }]],
  ])('pre-promotion %s: active switches only after success', (phase, services) => {
    const status = updating({
      blueGreen: {
        activeSelector: V1,
        previewSelector: V2,
        prePromotionAnalysisRunStatus: { name: PRE_NAME, status: 'Running' },
      },
    });
    const plan = planBlueGreen(
      obsOf(status, PRE, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], [run(PRE_NAME, 'PrePromotion', phase)]),
      NOW,
    );
    expect(plan.createAnalysisRuns).toEqual([]);
    expect(plan.services).toEqual(services);
    expect(plan.status.blueGreen?.prePromotionAnalysisRunStatus?.status).toBe(phase);
    // emitAnalysisRunStatusChanges: only a change of phase is reported.
    expect(plan.events.filter((e) => e.reason.startsWith('AnalysisRun'))).toEqual(
      phase === 'Running'
        ? []
        : [
            {
              reason: `AnalysisRun${phase}`,
              message: `PrePromotion Analysis Run '${PRE_NAME}' Status New: '${phase}' Previous: 'Running'`,
            },
          ],
    );
  });

  it('auto-promotion off: the BlueGreenPause comes only after pre-promotion analysis succeeded', () => {
    const bg = { ...PRE, autoPromotionEnabled: false };
    const status = updating({
      blueGreen: {
        activeSelector: V1,
        previewSelector: V2,
        prePromotionAnalysisRunStatus: { name: PRE_NAME, status: 'Running' },
      },
    });
    const rss = [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)];
    const running = planBlueGreen(obsOf(status, bg, rss, [run(PRE_NAME, 'PrePromotion', 'Running')]), NOW);
    expect(running.status.pauseConditions).toBeUndefined();
    const done = planBlueGreen(obsOf(status, bg, rss, [run(PRE_NAME, 'PrePromotion', 'Successful')]), NOW);
    expect(done.status.pauseConditions?.map((c) => c.reason)).toEqual(['BlueGreenPause']);
    expect(done.services).toEqual([]);
  });

  it.each([
    ['Failed', 'Metric "ok" assessed Failed due to failed (1) > failureLimit (0)'],
    ['Error', ''],
  ])('pre-promotion %s: aborted, Degraded with upstream message, active untouched', (phase, message) => {
    const status = updating({
      blueGreen: {
        activeSelector: V1,
        previewSelector: V2,
        prePromotionAnalysisRunStatus: { name: PRE_NAME, status: 'Running' },
      },
    });
    const plan = planBlueGreen(
      obsOf(status, PRE, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], [run(PRE_NAME, 'PrePromotion', phase, message)]),
      NOW,
    );
    expect(plan.status.abort).toBe(true);
    expect(plan.services).toEqual([]);
    expect(plan.status.phase).toBe('Degraded');
    const detail = `Blue/green pre-promotion analysis phase error/failed${message ? `: ${message}` : ''}`;
    expect(plan.status.message).toBe(`RolloutAborted: Rollout aborted update to revision 2: ${detail}`);
    expect(plan.events.map((e) => e.reason)).toContain('RolloutAborted');
  });

  it('Inconclusive: an InconclusiveAnalysisRun pause, no switch', () => {
    const status = updating({
      blueGreen: {
        activeSelector: V1,
        previewSelector: V2,
        prePromotionAnalysisRunStatus: { name: PRE_NAME, status: 'Running' },
      },
    });
    const plan = planBlueGreen(
      obsOf(status, PRE, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], [run(PRE_NAME, 'PrePromotion', 'Inconclusive')]),
      NOW,
    );
    expect(plan.status.pauseConditions?.map((c) => c.reason)).toEqual(['InconclusiveAnalysisRun']);
    expect(plan.status.phase).toBe('Paused');
    expect(plan.services).toEqual([]);
  });

  it('retry after an abort creates a fresh pre-promotion run', () => {
    const status = updating({
      abortedAt: '2026-01-01T09:59:00Z',
      blueGreen: {
        activeSelector: V1,
        previewSelector: V2,
        prePromotionAnalysisRunStatus: { name: PRE_NAME, status: 'Failed' },
      },
    });
    const plan = planBlueGreen(
      obsOf(status, PRE, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], [run(PRE_NAME, 'PrePromotion', 'Failed')]),
      NOW,
    );
    expect(plan.createAnalysisRuns.map((r) => r.metadata.name)).toEqual([`${PRE_NAME}.1`]);
    expect(plan.status.abortedAt).toBeUndefined();
    expect(plan.status.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('RolloutRetry');
  });

  it('after the switch the post-promotion run starts; stable (and the old ReplicaSet) wait for it', () => {
    const switched = updating({ blueGreen: { activeSelector: V2, previewSelector: V2 } });
    const plan = planBlueGreen(obsOf(switched, POST, [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], [], V2, V2), NOW);
    expect(plan.createAnalysisRuns.map((r) => r.metadata.name)).toEqual([POST_NAME]);
    expect(plan.createAnalysisRuns[0]?.metadata.labels?.['rollout-type']).toBe('PostPromotion');
    expect(plan.status.stableRS).toBe(V1);
    expect(plan.annotate).toEqual([]);
    expect(plan.scale).toEqual([]);
    expect(plan.status.message).toBe('waiting for analysis to complete');
  });

  it('post-promotion Successful: the new ReplicaSet becomes stable, the old one gets its scale-down deadline', () => {
    const switched = updating({
      blueGreen: {
        activeSelector: V2,
        previewSelector: V2,
        postPromotionAnalysisRunStatus: { name: POST_NAME, status: 'Running' },
      },
    });
    const plan = planBlueGreen(
      obsOf(
        switched,
        POST,
        [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)],
        [run(POST_NAME, 'PostPromotion', 'Successful')],
        V2,
        V2,
      ),
      NOW,
    );
    expect(plan.status.stableRS).toBe(V2);
    expect(plan.status.blueGreen?.postPromotionAnalysisRunStatus?.status).toBe('Successful');
    expect(plan.annotate).toEqual([
      { name: `web-${V1}`, annotations: { 'scale-down-deadline': '2026-01-01T10:00:30Z' } },
    ]);
    expect(plan.status.phase).toBe('Healthy');
  });

  it('post-promotion Failed: abort; the next reconcile switches active back to stable and schedules the new one down', () => {
    const switched = updating({
      blueGreen: {
        activeSelector: V2,
        previewSelector: V2,
        postPromotionAnalysisRunStatus: { name: POST_NAME, status: 'Running' },
      },
    });
    const rss = [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)];
    const failed = planBlueGreen(
      obsOf(switched, POST, rss, [run(POST_NAME, 'PostPromotion', 'Failed', 'boom')], V2, V2),
      NOW,
    );
    expect(failed.status.abort).toBe(true);
    expect(failed.status.message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Blue/green post-promotion analysis phase error/failed: boom',
    );
    expect(failed.status.stableRS).toBe(V1);
    const next = planBlueGreen(
      obsOf(failed.status, POST, rss, [run(POST_NAME, 'PostPromotion', 'Failed', 'boom')], V2, V2),
      at(1),
    );
    expect(next.services).toEqual([{ name: 'active', from: V2, to: V1 }]);
    expect(next.status.blueGreen?.activeSelector).toBe(V1);
    expect(next.status.blueGreen?.previewSelector).toBe(V2);
    expect(next.annotate).toEqual([
      { name: `web-${V2}`, annotations: { 'scale-down-deadline': '2026-01-01T10:00:31Z' } },
    ]);
    expect(next.status.phase).toBe('Degraded');
    expect(next.status.message).toBe(failed.status.message);
  });

  it('a new template terminates the previous runs and clears their status', () => {
    const status: RolloutStatus = {
      currentPodHash: V1,
      stableRS: V1,
      blueGreen: {
        activeSelector: V1,
        prePromotionAnalysisRunStatus: { name: 'old', status: 'Running' },
      },
    };
    const old = run('old', 'PrePromotion', 'Running');
    const plan = planBlueGreen(obsOf(status, PRE, [rs(V1, 3, 3, 1)], [old], V1, V1), NOW);
    expect(plan.terminateAnalysisRuns).toEqual(['old']);
    expect(plan.status.blueGreen?.prePromotionAnalysisRunStatus).toBeUndefined();
  });
});

describe('planBlueGreen: an active Service already on the new ReplicaSet (isBlueGreenFastTracked)', () => {
  it('a BlueGreenPause left over is removed, not waited on', () => {
    const status = updating({
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: '2026-01-01T09:59:00Z' }],
      controllerPause: true,
      blueGreen: { activeSelector: V2, previewSelector: V2 },
    });
    const plan = planBlueGreen(
      observe(rollout(status, MANUAL), [rs(V1, 3, 3, 1), rs(V2, 3, 3, 2)], V2, V2),
      NOW,
    );
    expect(plan.status.pauseConditions).toBeUndefined();
    expect(plan.status.stableRS).toBe(V2);
  });
});
