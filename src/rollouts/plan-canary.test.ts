import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { computePodTemplateHash, computeStepHash } from './hash.ts';
import { buildObservation } from './observe.ts';
import { planCanary } from './plan-canary.ts';
import {
  approximateWeightedCanaryStableReplicaCounts,
  calculateReplicaCountsForBasicCanary,
} from './replica-math.ts';
import { parseRollout } from './spec.ts';
import type { RolloutStatus } from './types.ts';

const NOW = new Date('2026-01-01T10:00:00Z');
const at = (s: number) => new Date(NOW.getTime() + s * 1000);
const UID = 'ro-uid';
const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});
const STEPS = [{ setWeight: 20 }, { pause: { duration: 60 } }, { setWeight: 60 }, { pause: {} }];
const strategy = (extra: object = {}) => ({
  canary: { steps: STEPS, canaryService: 'canary', stableService: 'stable', ...extra },
});
const V1 = computePodTemplateHash(template('v1'));
const V2 = computePodTemplateHash(template('v2'));
const STEP_HASH = computeStepHash(strategy());

function rollout(status: RolloutStatus, spec: object = {}, image = 'v2'): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'ns', uid: UID, generation: 1 },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app: 'web' } },
      template: template(image),
      strategy: strategy(),
      ...spec,
    },
    status: { observedGeneration: '1', ...status },
  };
}
function rs(hash: string, replicas: number, available: number, revision: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'ns',
      labels: { 'rollouts-pod-template-hash': hash },
      annotations: { 'rollout.argoproj.io/revision': String(revision) },
      ownerReferences: [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: UID, controller: true },
      ],
      creationTimestamp: `2026-01-01T0${revision}:00:00Z`,
    },
    spec: { replicas },
    status: { replicas, availableReplicas: available, readyReplicas: available },
  };
}
const svc = (name: string, hash: string | undefined, managed = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name,
    namespace: 'ns',
    annotations: managed ? { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'web' } : {},
  },
  spec: { selector: hash ? { app: 'web', 'rollouts-pod-template-hash': hash } : { app: 'web' } },
});
const run = (name: string, type: string, phase: string): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: {
    name,
    namespace: 'ns',
    labels: { 'rollout-type': type, 'rollouts-pod-template-hash': V2 },
    ownerReferences: [
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: UID, controller: true },
    ],
    creationTimestamp: '2026-01-01T09:00:00Z',
  },
  spec: {},
  status: { phase, message: 'metric "x" assessed Failed' },
});
const TEMPLATE: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'success-rate', namespace: 'ns' },
  spec: { args: [{ name: 'service-name' }], metrics: [{ name: 'success-rate', provider: { job: {} } }] },
};

const updating = (extra: RolloutStatus = {}): RolloutStatus => ({
  currentPodHash: V2,
  currentStepHash: STEP_HASH,
  stableRS: V1,
  currentStepIndex: 0,
  ...extra,
});
const observe = (
  ro: KubeObject,
  rss: KubeObject[],
  extra: { services?: KubeObject[]; runs?: KubeObject[] } = {},
) =>
  buildObservation({
    rollout: ro,
    replicaSets: rss,
    services: extra.services ?? [svc('canary', V1), svc('stable', V1)],
    analysisRuns: extra.runs ?? [],
    analysisTemplates: [TEMPLATE],
  });
const parsed = (ro: KubeObject) => {
  const p = parseRollout(ro);
  if (!p.ok) throw new Error('bad fixture');
  return p.value;
};

/** The status of a Rollout fully on V1, as the planner writes it once V1 is available. */
const healthyStatus = (): RolloutStatus => {
  const done = { currentPodHash: V1, currentStepHash: STEP_HASH, stableRS: V1, currentStepIndex: 4 };
  const status = planCanary(observe(rollout(done, {}, 'v1'), [rs(V1, 5, 5, 1)]), NOW).status;
  expect(status.phase).toBe('Healthy');
  return status;
};

describe('planCanary', () => {
  it('first deploy: creates the ReplicaSet at full size, then makes it stable past every step', () => {
    const ro = rollout({}, {}, 'v1');
    const plan = planCanary(observe(ro, []), NOW);
    const created = plan.createReplicaSet as KubeObject & {
      spec: { replicas: number; selector: { matchLabels: object } };
    };
    expect(created.metadata.name).toBe(`web-${V1}`);
    expect(created.spec.replicas).toBe(5);
    expect(created.spec.selector.matchLabels).toEqual({ app: 'web', 'rollouts-pod-template-hash': V1 });
    expect(created.metadata.annotations).toEqual({ 'rollout.argoproj.io/revision': '1' });
    expect(created.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Rollout',
      uid: UID,
      controller: true,
    });
    expect(plan.status.currentPodHash).toBe(V1);
    expect(plan.status.currentStepHash).toBe(STEP_HASH);

    const next = rollout(plan.status, {}, 'v1');
    const plan2 = planCanary(observe(next, [rs(V1, 5, 0, 1)]), at(1));
    expect(plan2.status.stableRS).toBe(V1);
    expect(plan2.events).toContainEqual({
      reason: 'RolloutCompleted',
      message: `Rollout completed update to revision 1 (${V1}): Initial deploy`,
    });
    expect(plan2.status.currentStepIndex).toBe(4);
    expect(plan2.status.phase).toBe('Progressing');
  });

  it('an update starts at step 0 and scales exactly as CalculateReplicaCountsForBasicCanary', () => {
    const ro = rollout(updating());
    const obs = observe(ro, [rs(V1, 5, 5, 1), rs(V2, 0, 0, 2)]);
    const want = calculateReplicaCountsForBasicCanary(parsed(ro), obs.newRS, obs.stableRS, obs.otherRSs);
    const plan = planCanary(obs, NOW);
    const changes = plan.scale.map((s) => [s.name, s.to]);
    // Upstream order: stable first if it must change, otherwise the canary.
    const expected = want.stable !== 5 ? [[`web-${V1}`, want.stable]] : [[`web-${V2}`, want.canary]];
    expect(changes).toEqual(expected);
    expect(plan.status.currentStepIndex).toBe(0);
  });

  it('at desired counts a setWeight step completes; the next pause step pauses and asks to be woken at its end', () => {
    const ro = rollout(updating());
    const want = approximateWeightedCanaryStableReplicaCounts(5, 20, 100, 2); // R=5, setWeight 20, maxSurge 25% → 2
    const obsAt = observe(ro, [rs(V1, want.stable, want.stable, 1), rs(V2, want.canary, want.canary, 2)]);
    const plan = planCanary(obsAt, NOW);
    expect(plan.scale).toEqual([]);
    expect(plan.status.currentStepIndex).toBe(1);
    expect(plan.events).toContainEqual({
      reason: 'RolloutStepCompleted',
      message: 'Rollout step 1/4 completed (setWeight: 20)',
    });

    const ro2 = rollout({ ...updating(), currentStepIndex: 1 });
    const obs2 = observe(ro2, [rs(V1, want.stable, want.stable, 1), rs(V2, want.canary, want.canary, 2)]);
    const paused = planCanary(obs2, NOW);
    expect(paused.status.pauseConditions).toEqual([
      { reason: 'CanaryPauseStep', startTime: '2026-01-01T10:00:00Z' },
    ]);
    expect(paused.status.controllerPause).toBe(true);
    expect(paused.status.phase).toBe('Paused');
    expect(paused.status.message).toBe('CanaryPauseStep');
    // Woken 10 ms past the pause's end (the end itself is not yet "past" it).
    expect(paused.requeueAfterMs).toBe(60_010);

    const ro3 = rollout(paused.status);
    // 30s later a restarted controller sees the same start: 30s (+10 ms) remain.
    expect(
      planCanary(
        observe(ro3, [rs(V1, want.stable, want.stable, 1), rs(V2, want.canary, want.canary, 2)]),
        at(30),
      ).requeueAfterMs,
    ).toBe(30_010);
    expect(
      planCanary(
        observe(ro3, [rs(V1, want.stable, want.stable, 1), rs(V2, want.canary, want.canary, 2)]),
        at(60),
      ).status.currentStepIndex,
    ).toBe(1);
    const done = planCanary(
      observe(ro3, [rs(V1, want.stable, want.stable, 1), rs(V2, want.canary, want.canary, 2)]),
      at(61),
    );
    expect(done.status.currentStepIndex).toBe(2);
    expect(done.status.pauseConditions).toBeUndefined();
    expect(done.status.controllerPause).toBeUndefined();
    // Upstream (TestRolloutAbortRetryPromote): the step completes, then `sendStateChangeEvents`
    // reports the resume.
    expect(done.events.slice(-2)).toEqual([
      { reason: 'RolloutStepCompleted', message: 'Rollout step 2/4 completed (pause: 60)' },
      { reason: 'RolloutResumed', message: 'Rollout is resumed' },
    ]);
  });

  it('an abort clears the pause conditions without a RolloutResumed event', () => {
    const ro = rollout({
      ...updating(),
      currentStepIndex: 1,
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T10:00:00Z' }],
      abort: true,
    });
    const plan = planCanary(observe(ro, [rs(V1, 5, 5, 1), rs(V2, 1, 1, 2)]), NOW);
    expect(plan.status.pauseConditions).toBeUndefined();
    expect(plan.events.map((e) => e.reason)).not.toContain('RolloutResumed');
    expect(plan.events.map((e) => e.reason)).toContain('RolloutAborted');
  });

  it("an update records upstream's reset events in order: updated, created, not completed, scaled up from 0", () => {
    const healthy = healthyStatus();
    const plan = planCanary(observe(rollout(healthy), [rs(V1, 5, 5, 1)]), at(1));
    const created = plan.createReplicaSet as KubeObject & { spec: { replicas: number } };
    expect(created.spec.replicas).toBeGreaterThan(0);
    expect(plan.events).toEqual([
      { reason: 'RolloutUpdated', message: 'Rollout updated to revision 2' },
      { reason: 'NewReplicaSetCreated', message: `Created ReplicaSet web-${V2} (revision 2)` },
      {
        reason: 'RolloutNotCompleted',
        message: `Rollout not completed, started update to revision 2 (${V2})`,
      },
      {
        reason: 'ScalingReplicaSet',
        message: `Scaled up ReplicaSet web-${V2} (revision 2) from 0 to ${created.spec.replicas}`,
      },
    ]);
  });

  it('spec.paused on a completed Rollout keeps Progressing NewReplicaSetAvailable (TestCanaryWithSpecPause)', () => {
    const plan = planCanary(
      observe(rollout(healthyStatus(), { paused: true }, 'v1'), [rs(V1, 5, 5, 1)]),
      at(1),
    );
    const condition = (type: string) => plan.status.conditions?.find((c) => c.type === type);
    expect(condition('Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(condition('Paused')).toMatchObject({ status: 'True', reason: 'RolloutPaused' });
    expect([plan.status.phase, plan.status.message]).toEqual(['Paused', 'manually paused']);
  });

  it.each<[string, RolloutStatus, number, { paused?: boolean }?]>([
    [
      'promote cleared the conditions (controllerPause, no condition) → next step',
      { controllerPause: true },
      4,
    ],
    [
      'indefinite pause with its condition → stays',
      {
        controllerPause: true,
        pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T09:00:00Z' }],
      },
      3,
    ],
    ['spec.paused freezes the step', { controllerPause: true }, 3, { paused: true }],
  ])('%s', (_name, extra, index, spec = {}) => {
    const ro = rollout({ ...updating(), currentStepIndex: 3, ...extra }, spec);
    const plan = planCanary(observe(ro, [rs(V1, 2, 2, 1), rs(V2, 3, 3, 2)]), NOW);
    expect(plan.status.currentStepIndex).toBe(index);
  });

  it('spec.paused halts scaling and reports Paused "manually paused"', () => {
    const ro = rollout(updating(), { paused: true });
    const plan = planCanary(observe(ro, [rs(V1, 5, 5, 1), rs(V2, 0, 0, 2)]), NOW);
    expect(plan.scale).toEqual([]);
    expect(plan.status.phase).toBe('Paused');
    expect(plan.status.message).toBe('manually paused');
  });

  it('abort: canary scaled down by the weight-0 arithmetic, step 0, Degraded with upstream message, canary Service → stable', () => {
    const ro = rollout({ ...updating(), currentStepIndex: 1, abort: true });
    const obs = observe(ro, [rs(V1, 4, 4, 1), rs(V2, 2, 2, 2)], {
      services: [svc('canary', V2), svc('stable', V1)],
    });
    const want = calculateReplicaCountsForBasicCanary(
      { ...parsed(ro) },
      obs.newRS,
      obs.stableRS,
      obs.otherRSs,
    );
    const plan = planCanary(obs, NOW);
    expect(want.canary).toBeLessThan(2);
    expect(plan.scale[0]).toEqual(
      want.stable !== 4
        ? { name: `web-${V1}`, from: 4, to: want.stable }
        : { name: `web-${V2}`, from: 2, to: want.canary },
    );
    expect(plan.status.currentStepIndex).toBe(0);
    expect(plan.status.abortedAt).toBe('2026-01-01T10:00:00Z');
    expect(plan.events.map((e) => e.reason)).toEqual([
      'ScalingReplicaSet',
      'SwitchService',
      'RolloutAborted',
    ]);
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.status.message).toBe('RolloutAborted: Rollout aborted update to revision 2');
    expect(plan.services).toEqual([{ name: 'canary', from: V2, to: V1 }]);
  });

  it('retry (abort cleared, abortedAt kept) writes the RolloutRetry Progressing condition', () => {
    const ro = rollout({ ...updating(), abortedAt: '2026-01-01T09:00:00Z' });
    const plan = planCanary(observe(ro, [rs(V1, 5, 5, 1), rs(V2, 0, 0, 2)]), NOW);
    expect(plan.status.abortedAt).toBeUndefined();
    expect(plan.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RolloutRetry',
      message: 'Retrying Rollout after abort',
    });
  });

  it('fast rollback: the stable template again skips every step', () => {
    const ro = rollout(updating({ currentStepIndex: 1 }), {}, 'v1');
    const plan = planCanary(observe(ro, [rs(V1, 4, 4, 1), rs(V2, 2, 2, 2)]), NOW);
    expect(plan.status.currentPodHash).toBe(V1);
    expect(plan.status.currentStepIndex).toBe(4);
    expect(plan.events).toContainEqual({ reason: 'SkipSteps', message: 'Rollback to stable ReplicaSets' });
    expect(plan.annotate).toEqual([
      { name: `web-${V1}`, annotations: { 'rollout.argoproj.io/revision': '3' } },
    ]);
  });

  describe('analysis', () => {
    const withAnalysis = {
      strategy: strategy({
        analysis: {
          templates: [{ templateName: 'success-rate' }],
          startingStep: 1,
          args: [{ name: 'service-name', value: 'web' }],
        },
      }),
    };
    const bgStatus = (name: string, status: string) => ({
      canary: { currentBackgroundAnalysisRunStatus: { name, status, message: '' } },
    });

    it('no background run before startingStep; from it, one run built from the template and args', () => {
      const before = planCanary(
        observe(rollout(updating(), withAnalysis), [rs(V1, 5, 5, 1), rs(V2, 0, 0, 2)]),
        NOW,
      );
      expect(before.createAnalysisRuns).toEqual([]);
      const ro = rollout({ ...updating(), currentStepIndex: 1 }, withAnalysis);
      const plan = planCanary(observe(ro, [rs(V1, 4, 4, 1), rs(V2, 2, 2, 2)]), NOW);
      expect(plan.createAnalysisRuns).toHaveLength(1);
      const ar = plan.createAnalysisRuns[0] as KubeObject & { spec: { args: unknown; metrics: unknown[] } };
      expect(ar.metadata.name).toBe(`web-${V2}-2`);
      expect(ar.metadata.labels).toEqual({ 'rollouts-pod-template-hash': V2, 'rollout-type': 'Background' });
      expect(ar.spec.args).toEqual([{ name: 'service-name', value: 'web' }]);
      expect(ar.spec.metrics).toHaveLength(1);
      expect(plan.status.canary?.currentBackgroundAnalysisRunStatus?.name).toBe(`web-${V2}-2`);
    });

    it.each([
      [
        'Failed',
        'Rollout aborted update to revision 2: Background analysis phase error/failed: metric "x" assessed Failed',
      ],
      [
        'Error',
        'Rollout aborted update to revision 2: Background analysis phase error/failed: metric "x" assessed Failed',
      ],
    ])('a %s background run aborts the update', (phase, message) => {
      const name = `web-${V2}-2`;
      const ro = rollout({ ...updating(), currentStepIndex: 1, ...bgStatus(name, 'Running') }, withAnalysis);
      const plan = planCanary(
        observe(ro, [rs(V1, 4, 4, 1), rs(V2, 2, 2, 2)], { runs: [run(name, 'Background', phase)] }),
        NOW,
      );
      expect(plan.status.abort).toBe(true);
      expect(plan.status.conditions?.find((c) => c.type === 'Progressing')?.message).toBe(message);
      expect(plan.createAnalysisRuns).toEqual([]);
    });

    it('an Inconclusive run pauses with InconclusiveAnalysisRun', () => {
      const name = `web-${V2}-2`;
      const ro = rollout({ ...updating(), currentStepIndex: 1 }, withAnalysis);
      const plan = planCanary(
        observe(ro, [rs(V1, 4, 4, 1), rs(V2, 2, 2, 2)], { runs: [run(name, 'Background', 'Inconclusive')] }),
        NOW,
      );
      expect(plan.status.pauseConditions?.map((c) => c.reason)).toContain('InconclusiveAnalysisRun');
      expect(plan.status.phase).toBe('Paused');
    });

    it('a step analysis run completes its step only when Successful', () => {
      const spec = {
        strategy: {
          canary: {
            steps: [
              { setWeight: 40 },
              {
                analysis: {
                  templates: [{ templateName: 'success-rate' }],
                  args: [{ name: 'service-name', value: 'web' }],
                },
              },
            ],
          },
        },
      };
      const stepHash = computeStepHash(spec.strategy);
      const status = { ...updating(), currentStepHash: stepHash, currentStepIndex: 1 };
      const created = planCanary(observe(rollout(status, spec), [rs(V1, 4, 4, 1), rs(V2, 2, 2, 2)]), NOW);
      expect(
        created.createAnalysisRuns.map((r) => [r.metadata.name, r.metadata.labels?.['step-index']]),
      ).toEqual([[`web-${V2}-2-1`, '1']]);
      const stepRun = (phase: string) => {
        const r = run(`web-${V2}-2-1`, 'Step', phase);
        (r.metadata.labels as Record<string, string>)['step-index'] = '1';
        return r;
      };
      const running = planCanary(
        observe(rollout(status, spec), [rs(V1, 3, 3, 1), rs(V2, 2, 2, 2)], { runs: [stepRun('Running')] }),
        NOW,
      );
      expect(running.status.currentStepIndex).toBe(1);
      expect(running.createAnalysisRuns).toEqual([]);
      const ok = planCanary(
        observe(rollout(status, spec), [rs(V1, 3, 3, 1), rs(V2, 2, 2, 2)], { runs: [stepRun('Successful')] }),
        NOW,
      );
      expect(ok.status.currentStepIndex).toBe(2);
    });
  });

  it('services: a managed Service switches once the ReplicaSet has an available pod; an unmanaged one waits for all', () => {
    const ro = rollout(updating());
    const partial = observe(ro, [rs(V1, 5, 5, 1), rs(V2, 2, 1, 2)]);
    expect(planCanary(partial, NOW).services).toEqual([{ name: 'canary', from: V1, to: V2 }]);
    const unmanaged = observe(ro, [rs(V1, 5, 5, 1), rs(V2, 2, 1, 2)], {
      services: [svc('canary', undefined, false), svc('stable', V1)],
    });
    expect(planCanary(unmanaged, NOW).services).toEqual([]);
    const none = observe(ro, [rs(V1, 5, 5, 1), rs(V2, 2, 0, 2)]);
    expect(planCanary(none, NOW).services).toEqual([]);
  });

  it('revisionHistoryLimit deletes the oldest idle ReplicaSets beyond the limit', () => {
    const ro = rollout(updating(), { revisionHistoryLimit: 1 });
    const obs = observe(ro, [
      rs('a', 0, 0, 1),
      rs('b', 0, 0, 2),
      rs('c', 0, 0, 3),
      rs(V1, 5, 5, 4),
      rs(V2, 0, 0, 5),
    ]);
    expect(planCanary(obs, NOW).deleteReplicaSets).toEqual(['web-a', 'web-b']);
  });

  it('progress deadline: no progress for progressDeadlineSeconds → ProgressDeadlineExceeded; with progressDeadlineAbort → abort', () => {
    const cond = {
      type: 'Progressing',
      status: 'True' as const,
      reason: 'ReplicaSetUpdated',
      message: 'x',
      lastUpdateTime: '2026-01-01T09:00:00Z',
      lastTransitionTime: '2026-01-01T09:00:00Z',
    };
    const status = {
      ...updating(),
      conditions: [cond],
      replicas: 7,
      updatedReplicas: 2,
      readyReplicas: 6,
      availableReplicas: 6,
    };
    const rss = [rs(V1, 5, 5, 1), rs(V2, 2, 1, 2)];
    const plan = planCanary(observe(rollout(status, { progressDeadlineSeconds: 60 }), rss), NOW);
    expect(plan.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
    expect(plan.status.phase).toBe('Degraded');
    const aborting = planCanary(
      observe(rollout(status, { progressDeadlineSeconds: 60, progressDeadlineAbort: true }), rss),
      NOW,
    );
    expect(aborting.status.abort).toBe(true);
  });

  it('finished AnalysisRuns beyond the history limits are deleted, oldest first; the current one is kept', () => {
    const spec = { analysis: { successfulRunHistoryLimit: 1, unsuccessfulRunHistoryLimit: 1 } };
    const aged = (name: string, phase: string, hour: number) => {
      const r = run(name, 'Background', phase);
      r.metadata.creationTimestamp = `2026-01-01T0${hour}:00:00Z`;
      return r;
    };
    const runs = [
      aged('s1', 'Successful', 1),
      aged('s2', 'Successful', 2),
      aged('s3', 'Successful', 3),
      aged('f1', 'Failed', 1),
      aged('e2', 'Error', 2),
      aged('r4', 'Running', 4),
    ];
    const plan = planCanary(
      observe(rollout(updating(), spec), [rs(V1, 5, 5, 1), rs(V2, 0, 0, 2)], { runs }),
      NOW,
    );
    expect(plan.deleteAnalysisRuns).toEqual(['s2', 's1', 'f1']);
  });
});
