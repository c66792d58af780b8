/**
 * Step logic against upstream's unit tests (argoproj/argo-rollouts at 9f8d111d):
 * `utils/replicaset/canary_test.go`, `utils/replicaset/replicaset_test.go`,
 * `utils/rollout/rolloututil_test.go`, `pkg/apis/rollouts/v1alpha1/types_test.go`,
 * `rollout/pause_test.go`, and the pure parts of `rollout/canary_test.go` scenarios.
 */
import { describe, expect, it } from 'vitest';
import { computePodTemplateHash, computeStepHash } from './hash.ts';
import { parseGoDuration, pauseDurationSeconds } from './spec.ts';
import {
  beforeStartingStep,
  calculatePauseStatus,
  canaryStepString,
  completedBlueGreenPause,
  completedCanaryPauseStep,
  completedCurrentCanaryStep,
  decideCanaryPause,
  dynamicRollbackToStableHash,
  getCanaryReplicasOrWeight,
  getCurrentCanaryStep,
  getCurrentExperimentStep,
  getCurrentSetWeight,
  isFastRollback,
  isFullyPromoted,
  isRollbackWithinWindow,
  isUnpausing,
  nextStepIndex,
  podTemplateChanged,
  requiresManualAction,
  resetCurrentStepIndex,
  shouldFullPromote,
  shouldVerifyWeight,
  stepsChanged,
  useSetCanaryScale,
} from './steps.ts';
import type { CanaryStep, ReplicaSetView, RolloutLike, RolloutSpec, RolloutStatus } from './types.ts';

const canaryRollout = (
  steps: CanaryStep[] | undefined,
  status: RolloutStatus = {},
  extra: Partial<NonNullable<RolloutSpec['strategy']['canary']>> = {},
): RolloutLike => ({
  spec: { replicas: 10, strategy: { canary: { ...(steps ? { steps } : {}), ...extra } } },
  status,
});

const rs = (
  hash: string,
  replicas: number,
  available: number,
  creationTimestamp?: string,
): ReplicaSetView => ({
  name: `ro-${hash}`,
  podTemplateHash: hash,
  replicas,
  statusReplicas: replicas,
  availableReplicas: available,
  readyReplicas: available,
  ...(creationTimestamp ? { creationTimestamp } : {}),
});

const at = (iso: string) => new Date(iso);

describe('getCurrentCanaryStep (upstream TestGetCurrentCanaryStep)', () => {
  it('no steps → no step and no index', () => {
    expect(getCurrentCanaryStep(canaryRollout(undefined))).toEqual({ step: undefined, index: undefined });
  });
  it('index 0 of one pause step → that step', () => {
    const ro = canaryRollout([{ pause: {} }], { currentStepIndex: 0 });
    expect(getCurrentCanaryStep(ro)).toEqual({ step: { pause: {} }, index: 0 });
  });
  it('index past the last step → no step', () => {
    const ro = canaryRollout([{ pause: {} }], { currentStepIndex: 1 });
    expect(getCurrentCanaryStep(ro)).toEqual({ step: undefined, index: 1 });
  });
  it('an unset index is step 0', () => {
    expect(getCurrentCanaryStep(canaryRollout([{ setWeight: 5 }])).index).toBe(0);
  });
});

describe('getCurrentSetWeight (upstream TestGetCurrentSetWeight)', () => {
  const ro = (index: number, abort = false) =>
    canaryRollout([{ setWeight: 10 }], { currentStepIndex: index, abort });
  it('past the last step → 100', () => expect(getCurrentSetWeight(ro(1))).toBe(100));
  it('at the setWeight step → its weight', () => expect(getCurrentSetWeight(ro(0))).toBe(10));
  it('aborted → 0', () => expect(getCurrentSetWeight(ro(0, true))).toBe(0));
  it('walks back to the nearest setWeight, 0 when there is none', () => {
    const steps: CanaryStep[] = [{ pause: {} }, { setWeight: 20 }, { pause: {} }, { analysis: {} }];
    expect(getCurrentSetWeight(canaryRollout(steps, { currentStepIndex: 0 }))).toBe(0);
    expect(getCurrentSetWeight(canaryRollout(steps, { currentStepIndex: 3 }))).toBe(20);
  });
  it('past the last step uses trafficRouting.maxTrafficWeight', () => {
    const r = canaryRollout(
      [{ setWeight: 10 }],
      { currentStepIndex: 1 },
      { trafficRouting: { maxTrafficWeight: 1000 } },
    );
    expect(getCurrentSetWeight(r)).toBe(1000);
  });
});

describe('getCanaryReplicasOrWeight (upstream TestGetCanaryReplicasOrWeight)', () => {
  it('test full promote rollout', () => {
    expect(getCanaryReplicasOrWeight({ spec: { strategy: {} }, status: { promoteFull: true } })).toEqual({
      weight: 100,
    });
  });
  it('test canary step weight', () => {
    const ro = canaryRollout(
      [{ setWeight: 10 }, { setCanaryScale: { weight: 20 } }],
      { currentStepIndex: 1, stableRS: 'stable-rs' },
      { trafficRouting: {} },
    );
    expect(getCanaryReplicasOrWeight(ro)).toEqual({ weight: 20 });
  });
  it('test canary step replicas', () => {
    const ro = canaryRollout(
      [{ setWeight: 10 }, { setCanaryScale: { replicas: 5 } }],
      { currentStepIndex: 1, stableRS: 'stable-rs' },
      { trafficRouting: {} },
    );
    expect(getCanaryReplicasOrWeight(ro)).toEqual({ replicas: 5, weight: 0 });
  });
  it('test get current step weight (blue-green, no stable yet → max weight)', () => {
    expect(
      getCanaryReplicasOrWeight({
        spec: { strategy: { blueGreen: { activeService: '' } } },
        status: { abort: true },
      }),
    ).toEqual({ weight: 100 });
  });
  it('new == stable → max weight', () => {
    const ro = canaryRollout([{ setWeight: 10 }], { stableRS: 'a', currentPodHash: 'a' });
    expect(getCanaryReplicasOrWeight(ro)).toEqual({ weight: 100 });
  });
});

describe('useSetCanaryScale: carry-over between steps', () => {
  const steps: CanaryStep[] = [
    { setCanaryScale: { replicas: 3 } },
    { setWeight: 20 },
    { pause: {} },
    { setCanaryScale: { matchTrafficWeight: true } },
    { setWeight: 40 },
  ];
  const ro = (index: number, extra = {}) =>
    canaryRollout(
      steps,
      { currentStepIndex: index, stableRS: 's', currentPodHash: 'c', ...extra },
      { trafficRouting: {} },
    );
  it('stays in force on the steps after it', () => {
    expect(useSetCanaryScale(ro(0))).toEqual({ replicas: 3 });
    expect(useSetCanaryScale(ro(2))).toEqual({ replicas: 3 });
    expect(getCanaryReplicasOrWeight(ro(2))).toEqual({ replicas: 3, weight: 0 });
  });
  it('matchTrafficWeight cancels it from there on', () => {
    expect(useSetCanaryScale(ro(3))).toBeUndefined();
    expect(useSetCanaryScale(ro(4))).toBeUndefined();
    expect(getCanaryReplicasOrWeight(ro(4))).toEqual({ weight: 40 });
  });
  it('is ignored without traffic routing, and past the last step', () => {
    expect(useSetCanaryScale(canaryRollout(steps, { currentStepIndex: 2 }))).toBeUndefined();
    expect(useSetCanaryScale(ro(5))).toBeUndefined();
  });
  it('while aborted, only applies with abortScaleDownDelaySeconds: 0', () => {
    expect(useSetCanaryScale(ro(2, { abort: true }))).toBeUndefined();
    const keep = canaryRollout(
      steps,
      { currentStepIndex: 2, abort: true },
      { trafficRouting: {}, abortScaleDownDelaySeconds: 0 },
    );
    expect(useSetCanaryScale(keep)).toEqual({ replicas: 3 });
  });
});

describe('beforeStartingStep (upstream TestBeforeStartingStep)', () => {
  it('no startingStep → false; with startingStep 1: index 0 → true, index 1 → false', () => {
    const ro: RolloutLike = { spec: { strategy: { canary: { analysis: {} } } } };
    expect(beforeStartingStep(ro)).toBe(false);
    ro.spec.strategy.canary = { analysis: { startingStep: 1 } };
    expect(beforeStartingStep(ro)).toBe(false);
    ro.spec.strategy.canary.steps = [{ setWeight: 1 }, { pause: {} }];
    ro.status = { currentStepIndex: 0 };
    expect(beforeStartingStep(ro)).toBe(true);
    ro.status = { currentStepIndex: 1 };
    expect(beforeStartingStep(ro)).toBe(false);
  });
});

describe('getCurrentExperimentStep (upstream TestGetCurrentExperiment)', () => {
  it('finds the nearest experiment at or before the current step', () => {
    const steps: CanaryStep[] = [{ experiment: { duration: '1s' } }, { pause: {} }];
    expect(getCurrentExperimentStep(canaryRollout(steps, { currentStepIndex: 0 }))?.duration).toBe('1s');
    expect(getCurrentExperimentStep(canaryRollout(steps, { currentStepIndex: 1 }))?.duration).toBe('1s');
    expect(getCurrentExperimentStep(canaryRollout(steps, { currentStepIndex: 2 }))).toBeUndefined();
    const noExperiment: CanaryStep[] = [{ setWeight: 10 }, { pause: {} }];
    expect(getCurrentExperimentStep(canaryRollout(noExperiment, { currentStepIndex: 1 }))).toBeUndefined();
  });
});

describe('canaryStepString (upstream TestCanaryStepString)', () => {
  it.each([
    [{ setWeight: 20 }, 'setWeight: 20'],
    [{ pause: {} }, 'pause'],
    [{ pause: { duration: 10 } }, 'pause: 10'],
    [{ pause: { duration: '10s' } }, 'pause: 10s'],
    [{ experiment: {} }, 'experiment'],
    [{ analysis: {} }, 'analysis'],
    [{ setCanaryScale: { weight: 20 } }, 'setCanaryScale{weight: 20}'],
    [{ setCanaryScale: { matchTrafficWeight: true } }, 'setCanaryScale{matchTrafficWeight: true}'],
    [{ setCanaryScale: { replicas: 5 } }, 'setCanaryScale{replicas: 5}'],
    [{ plugin: { name: 'foo' } }, 'plugin: foo'],
    [{ setHeaderRoute: { name: 'foo' } }, 'setHeaderRoute: foo'],
    [{ setMirrorRoute: { name: 'foo' } }, 'setMirrorRoute: foo'],
  ] as Array<[CanaryStep, string]>)('%j → %s', (step, text) => {
    expect(canaryStepString(step)).toBe(text);
  });
});

describe('pause duration (upstream TestRolloutPauseDuration)', () => {
  // [text, time.ParseDuration in ns (null = error), RolloutPause.DurationSeconds], from Go (amd64)
  const GO_DURATION_VECTORS: Array<[string, string | null, number]> = [
    ['0', '0', 0],
    ['10', null, 10],
    ['10s', '10000000000', 10],
    ['1h', '3600000000000', 3600],
    ['1ms', '1000000', 0],
    ['1z', null, -1],
    ['20000000000', null, -1],
    ['1h30m', '5400000000000', 5400],
    ['1.5m', '90000000000', 90],
    ['-5s', '-5000000000', -5],
    ['+5s', '5000000000', 5],
    ['-0', '0', 0],
    ['', null, -1],
    ['.5s', '500000000', 0],
    ['5.s', '5000000000', 5],
    ['1.5h', '5400000000000', 5400],
    ['2562047h', '9223369200000000000', -2147483648],
    ['2562048h', null, -1],
    ['9223372036854775807ns', '9223372036854775807', -2147483648],
    ['9223372036854775808ns', null, -1],
    ['-9223372036854775808ns', '-9223372036854775808', -2147483648],
    ['1µs', '1000', 0],
    ['1μs', '1000', 0],
    ['1us', '1000', 0],
    ['3m20s500ms', '200500000000', 200],
    ['0.000000001s', '1', 0],
    ['0.0000000001s', '0', 0],
    ['1.0000000000000000000001s', '1000000000', 1],
    ['100000000000000000000ns', null, -1],
    ['1d', null, -1],
    ['s', null, -1],
    ['-', null, -1],
    ['+', null, -1],
    ['.s', null, -1],
    ['10 s', null, -1],
    ['2147483647', null, 2147483647],
    ['2147483648', null, -1],
    ['-2147483648', null, -2147483648],
    ['-2147483649', null, -1],
    ['+10', null, 10],
    ['0x10', null, -1],
    ['1e3s', null, -1],
    ['596523h', '2147482800000000000', 2147482800],
    ['596524h', '2147486400000000000', -2147483648],
    ['1h-5m', null, -1],
  ];
  it.each(GO_DURATION_VECTORS)('%j → ParseDuration %s, DurationSeconds %i', (text, nanos, seconds) => {
    expect(parseGoDuration(text)).toBe(nanos === null ? undefined : BigInt(nanos));
    expect(pauseDurationSeconds(text)).toBe(seconds);
  });
  it.each([
    [undefined, 0],
    [10, 10],
    ['10', 10],
    ['10s', 10],
    ['1h', 3600],
    ['1ms', 0],
    ['1z', -1],
    ['20000000000', -1], // out of int32, and not a duration
    ['1h30m', 5400],
    ['1.5m', 90],
    ['-5s', -5],
  ] as const)('%s → %i', (duration, seconds) => {
    expect(pauseDurationSeconds(duration)).toBe(seconds);
  });
});

describe('pauses', () => {
  const started = '2024-05-01T10:00:00Z';
  const paused = (extra: RolloutStatus = {}): RolloutStatus => ({
    controllerPause: true,
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: started }],
    ...extra,
  });

  it('a zero-length pause is done as soon as time has moved (upstream TestCompletedCanaryPauseStep)', () => {
    const ro = canaryRollout([{ pause: { duration: 0 } }], paused());
    expect(completedCanaryPauseStep(ro, { duration: 0 }, at('2024-05-01T10:00:00.001Z'))).toBe(true);
    expect(completedCanaryPauseStep(ro, { duration: 0 }, at(started))).toBe(false);
  });

  it('a two-hour pause started now is not done (upstream TestCompletedCanaryPauseStepInProgress)', () => {
    const ro = canaryRollout([{ pause: { duration: 7200 } }], paused());
    expect(completedCanaryPauseStep(ro, { duration: 7200 }, at('2024-05-01T10:00:01Z'))).toBe(false);
  });

  it('a 60s pause started 61s ago is done (upstream TestResumeRolloutAfterPauseDuration)', () => {
    const ro = canaryRollout(
      [{ setWeight: 10 }, { pause: { duration: 60 } }, { setWeight: 20 }],
      paused({ currentStepIndex: 1 }),
    );
    const now = at('2024-05-01T10:01:01Z');
    expect(completedCurrentCanaryStep(ro, { atDesiredReplicaCounts: true }, now)).toBe(true);
    expect(completedCurrentCanaryStep(ro, { atDesiredReplicaCounts: true }, at('2024-05-01T10:01:00Z'))).toBe(
      false,
    );
    const next = nextStepIndex(ro, {
      templateOrStepsChanged: false,
      rollbackWithinWindow: false,
      aborted: false,
      stepCompleted: true,
    });
    expect(next.currentStepIndex).toBe(2);
    // The step's pause condition is removed, and with none left controllerPause is dropped.
    expect(calculatePauseStatus(ro.status, { removePauseReasons: ['CanaryPauseStep'] }, now)).toEqual({});
  });

  it('a user pause (spec.paused) freezes a timed pause (upstream TestNoResumeAfterPauseDurationIfUserPaused)', () => {
    const ro = canaryRollout(
      [{ setWeight: 10 }, { pause: { duration: 60 } }, { setWeight: 20 }],
      paused({ currentStepIndex: 1 }),
    );
    ro.spec.paused = true;
    expect(completedCurrentCanaryStep(ro, { atDesiredReplicaCounts: true }, at('2024-05-01T10:01:03Z'))).toBe(
      false,
    );
    expect(decideCanaryPause(ro)).toEqual({ paused: false, addPauseCondition: false });
  });

  it('an indefinite pause ends only when a user clears the condition (promote)', () => {
    const ro = canaryRollout([{ pause: {} }], paused());
    expect(completedCanaryPauseStep(ro, {}, at('2030-01-01T00:00:00Z'))).toBe(false);
    const promoted = canaryRollout([{ pause: {} }], { controllerPause: true });
    expect(isUnpausing(promoted.status)).toBe(true);
    expect(completedCanaryPauseStep(promoted, {}, at(started))).toBe(true);
  });

  it('decideCanaryPause adds the condition once, then reports when a timed pause ends', () => {
    const steps: CanaryStep[] = [{ pause: { duration: '30s' } }];
    expect(decideCanaryPause(canaryRollout(steps, {}))).toEqual({ paused: true, addPauseCondition: true });
    expect(decideCanaryPause(canaryRollout(steps, paused()))).toEqual({
      paused: true,
      addPauseCondition: false,
      resumeAt: at('2024-05-01T10:00:30Z'),
    });
    // controllerPause without a condition: a user resumed; do not pause again.
    expect(decideCanaryPause(canaryRollout(steps, { controllerPause: true }))).toEqual({
      paused: true,
      addPauseCondition: false,
    });
    expect(decideCanaryPause(canaryRollout([{ setWeight: 5 }], {}))).toEqual({
      paused: false,
      addPauseCondition: false,
    });
    expect(decideCanaryPause(canaryRollout(steps, { promoteFull: true }))).toEqual({
      paused: false,
      addPauseCondition: false,
    });
  });

  it('calculatePauseStatus adds a condition with controllerPause (upstream TestCalculatePauseStatus)', () => {
    const now = at('2024-05-01T10:00:00.700Z');
    expect(
      calculatePauseStatus(
        { controllerPause: false, pauseConditions: [] },
        { addPauseReasons: ['CanaryPauseStep'] },
        now,
      ),
    ).toEqual({
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2024-05-01T10:00:00Z' }],
      controllerPause: true,
    });
  });

  it('calculatePauseStatus removing the last condition drops controllerPause (upstream TestCalculatePauseStatusRemovePause)', () => {
    expect(
      calculatePauseStatus(paused(), { removePauseReasons: ['CanaryPauseStep'] }, at('2024-05-01T10:01:00Z')),
    ).toEqual({});
  });

  it('calculatePauseStatus keeps the start time of a reason already present, and an abort clears conditions', () => {
    const now = at('2024-05-01T11:00:00Z');
    expect(calculatePauseStatus(paused(), { addPauseReasons: ['CanaryPauseStep'] }, now)).toEqual(paused());
    expect(
      calculatePauseStatus(paused(), { addPauseReasons: ['InconclusiveAnalysisRun'] }, now).pauseConditions,
    ).toEqual([
      { reason: 'CanaryPauseStep', startTime: started },
      { reason: 'InconclusiveAnalysisRun', startTime: '2024-05-01T11:00:00Z' },
    ]);
    expect(calculatePauseStatus(paused(), { addAbort: true }, now)).toEqual({
      abort: true,
      abortedAt: '2024-05-01T11:00:00Z',
    });
    expect(calculatePauseStatus({ abort: true, abortedAt: started }, {}, now)).toEqual({
      abort: true,
      abortedAt: started,
    });
    expect(calculatePauseStatus({ abort: true, abortedAt: started }, { removeAbort: true }, now)).toEqual({});
    expect(calculatePauseStatus(paused(), { clearPauseConditions: true }, now)).toEqual({});
  });

  describe('completedBlueGreenPause (upstream TestCompletedBlueGreenPause*)', () => {
    const bg = (
      autoPromotionEnabled?: boolean,
      autoPromotionSeconds?: number,
      status: RolloutStatus = {},
    ): RolloutLike => ({
      spec: {
        strategy: {
          blueGreen: {
            activeService: 'a',
            ...(autoPromotionEnabled === undefined ? {} : { autoPromotionEnabled }),
            ...(autoPromotionSeconds === undefined ? {} : { autoPromotionSeconds }),
          },
        },
      },
      status,
    });
    const bgPaused = (checkpoint: boolean): RolloutStatus => ({
      controllerPause: true,
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: started }],
      blueGreen: { scaleUpPreviewCheckPoint: checkpoint },
    });
    it('past the preview scale-up checkpoint → done', () => {
      expect(completedBlueGreenPause(bg(undefined, undefined, bgPaused(true)), at(started))).toBe(true);
    });
    it('auto-promotion disabled and still paused → not done', () => {
      expect(completedBlueGreenPause(bg(false, undefined, bgPaused(false)), at(started))).toBe(false);
    });
    it('auto-promotion disabled, condition cleared by a user → done', () => {
      expect(completedBlueGreenPause(bg(false, undefined, { controllerPause: true }), at(started))).toBe(
        true,
      );
    });
    it('autoPromotionSeconds counts from the pause start, strictly after', () => {
      expect(completedBlueGreenPause(bg(true, 10, bgPaused(false)), at('2024-05-01T10:00:10Z'))).toBe(false);
      expect(completedBlueGreenPause(bg(true, 10, bgPaused(false)), at('2024-05-01T10:00:11Z'))).toBe(true);
      expect(completedBlueGreenPause(bg(true, 10, {}), at('2024-05-01T10:00:11Z'))).toBe(false);
    });
    it('auto-promotion without delay → done at once, unless a pause is being added', () => {
      expect(completedBlueGreenPause(bg(undefined, undefined, {}), at(started))).toBe(true);
      expect(completedBlueGreenPause(bg(undefined, undefined, {}), at(started), true)).toBe(false);
    });
  });

  describe('requiresManualAction (upstream TestRequiresManualAction_*)', () => {
    it('inconclusive analysis and experiments need a human', () => {
      expect(requiresManualAction('InconclusiveAnalysisRun', canaryRollout([]))).toBe(true);
      expect(requiresManualAction('InconclusiveExperiment', canaryRollout([]))).toBe(true);
    });
    it('an indefinite pause step needs a human; a timed one does not', () => {
      expect(
        requiresManualAction('CanaryPauseStep', canaryRollout([{ pause: {} }], { currentStepIndex: 0 })),
      ).toBe(true);
      expect(
        requiresManualAction(
          'CanaryPauseStep',
          canaryRollout([{ pause: { duration: '1h' } }], { currentStepIndex: 0 }),
        ),
      ).toBe(false);
    });
    it('a blue-green pause needs a human only with auto-promotion disabled', () => {
      const bg = (autoPromotionEnabled: boolean): RolloutLike => ({
        spec: { strategy: { blueGreen: { activeService: 'a', autoPromotionEnabled } } },
      });
      expect(requiresManualAction('BlueGreenPause', bg(false))).toBe(true);
      expect(requiresManualAction('BlueGreenPause', bg(true))).toBe(false);
    });
  });
});

describe('restarting steps (upstream TestResetCurrentStepIndex, TestCheckStepHashChange, TestCheckPodSpecChange)', () => {
  it('resetCurrentStepIndex: 0 with steps, unset without', () => {
    expect(resetCurrentStepIndex({ strategy: { canary: { steps: [{ setWeight: 1 }] } } })).toBe(0);
    expect(resetCurrentStepIndex({ strategy: { canary: {} } })).toBeUndefined();
  });

  it('stepsChanged: no recorded hash, or a different one', () => {
    const strategy = { canary: {} };
    expect(stepsChanged({}, strategy)).toBe(true);
    expect(stepsChanged({ currentStepHash: computeStepHash(strategy) }, strategy)).toBe(false);
    expect(stepsChanged({ currentStepHash: 'different-hash' }, strategy)).toBe(true);
  });

  it('podTemplateChanged: no recorded hash is no change; the new RS label wins', () => {
    const template = {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
    };
    const hash = computePodTemplateHash(template);
    const newRS = rs(hash, 1, 1);
    expect(podTemplateChanged({}, template, newRS)).toBe(false);
    expect(podTemplateChanged({ currentPodHash: hash }, template, newRS)).toBe(false);
    expect(podTemplateChanged({ currentPodHash: 'different-hash' }, template, newRS)).toBe(true);
    expect(podTemplateChanged({ currentPodHash: hash }, template, undefined)).toBe(false);
    expect(podTemplateChanged({ currentPodHash: hash, collisionCount: 1 }, template, undefined)).toBe(true);
  });
});

describe('nextStepIndex (the step index of syncRolloutStatusCanary)', () => {
  const steps: CanaryStep[] = [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }];
  const base = {
    templateOrStepsChanged: false,
    rollbackWithinWindow: false,
    aborted: false,
    stepCompleted: false,
  };

  it('moves on by one when the step is done, with the RolloutStepCompleted event text', () => {
    const ro = canaryRollout(steps, { currentStepIndex: 1, stableRS: 's', currentPodHash: 'c' });
    expect(nextStepIndex(ro, { ...base, stepCompleted: true })).toEqual({
      currentStepIndex: 2,
      event: { reason: 'RolloutStepCompleted', message: 'Rollout step 2/3 completed (pause)' },
    });
    expect(nextStepIndex(ro, base)).toEqual({ currentStepIndex: 1 });
  });

  it('resets to step 0 when the template or steps change (upstream TestResetCurrentStepIndexOnStepChange)', () => {
    const ro = canaryRollout(steps, { currentStepIndex: 2, stableRS: 's', currentPodHash: 'c' });
    expect(nextStepIndex(ro, { ...base, templateOrStepsChanged: true, newRSHash: 'd' })).toEqual({
      currentStepIndex: 0,
    });
  });

  it('skips every step when going back to the stable template (upstream TestRollBackToStable)', () => {
    const ro = canaryRollout(steps, { currentStepIndex: 1, stableRS: 's', currentPodHash: 'c' });
    expect(nextStepIndex(ro, { ...base, templateOrStepsChanged: true, newRSHash: 's' })).toEqual({
      currentStepIndex: 3,
      event: { reason: 'SkipSteps', message: 'Rollback to stable ReplicaSets' },
    });
  });

  it('skips every step on a rollback within the window to a ReplicaSet with pods (upstream TestRollBackToActiveReplicaSetWithinWindow)', () => {
    const ro = canaryRollout(steps, { currentStepIndex: 1, stableRS: 's', currentPodHash: 'c' });
    const inputs = {
      ...base,
      templateOrStepsChanged: true,
      newRSHash: 'old',
      rollbackWithinWindow: true,
      newRSActive: true,
    };
    expect(nextStepIndex(ro, inputs)).toEqual({
      currentStepIndex: 3,
      event: { reason: 'SkipSteps', message: 'Rollback to active ReplicaSets within RollbackWindow' },
    });
    expect(nextStepIndex(ro, { ...inputs, newRSActive: false })).toEqual({ currentStepIndex: 0 });
  });

  it('an aborted update goes back to step 0 (upstream TestHandleCanaryAbort), or past the end when new == stable', () => {
    const ro = canaryRollout([{ setWeight: 10 }, { setWeight: 20 }, { setWeight: 30 }], {
      currentStepIndex: 2,
      abort: true,
      stableRS: 's',
      currentPodHash: 'c',
    });
    expect(nextStepIndex(ro, { ...base, aborted: true })).toEqual({ currentStepIndex: 0 });
    expect(nextStepIndex(ro, { ...base, aborted: true, newRSHash: 's' })).toEqual({ currentStepIndex: 3 });
  });

  it('without steps the index stays unset', () => {
    const ro = canaryRollout(undefined, { stableRS: 's', currentPodHash: 'c' });
    expect(nextStepIndex(ro, base)).toEqual({ currentStepIndex: undefined });
    expect(nextStepIndex(ro, { ...base, aborted: true })).toEqual({ currentStepIndex: undefined });
  });
});

describe('completedCurrentCanaryStep', () => {
  const now = at('2024-05-01T10:00:00Z');
  const ro = (step: CanaryStep) => canaryRollout([step, { setWeight: 100 }], { currentStepIndex: 0 });
  it('setWeight waits for replica counts and an unverified weight blocks it', () => {
    expect(completedCurrentCanaryStep(ro({ setWeight: 20 }), { atDesiredReplicaCounts: true }, now)).toBe(
      true,
    );
    expect(completedCurrentCanaryStep(ro({ setWeight: 20 }), { atDesiredReplicaCounts: false }, now)).toBe(
      false,
    );
    expect(
      completedCurrentCanaryStep(
        ro({ setWeight: 20 }),
        { atDesiredReplicaCounts: true, weightsVerified: false },
        now,
      ),
    ).toBe(false);
  });
  it('setCanaryScale waits for replica counts only', () => {
    expect(
      completedCurrentCanaryStep(
        ro({ setCanaryScale: { replicas: 1 } }),
        { atDesiredReplicaCounts: true, weightsVerified: false },
        now,
      ),
    ).toBe(true);
  });
  it('analysis and experiment steps need a Successful run', () => {
    expect(
      completedCurrentCanaryStep(
        ro({ analysis: {} }),
        { atDesiredReplicaCounts: true, stepAnalysisPhase: 'Running' },
        now,
      ),
    ).toBe(false);
    expect(
      completedCurrentCanaryStep(
        ro({ analysis: {} }),
        { atDesiredReplicaCounts: true, stepAnalysisPhase: 'Inconclusive' },
        now,
      ),
    ).toBe(false);
    expect(
      completedCurrentCanaryStep(
        ro({ analysis: {} }),
        { atDesiredReplicaCounts: false, stepAnalysisPhase: 'Successful' },
        now,
      ),
    ).toBe(true);
    expect(
      completedCurrentCanaryStep(
        ro({ experiment: {} }),
        { atDesiredReplicaCounts: true, experimentPhase: 'Successful' },
        now,
      ),
    ).toBe(true);
  });
  it('route steps are done on arrival; nothing completes past the last step', () => {
    expect(
      completedCurrentCanaryStep(
        ro({ setHeaderRoute: { name: 'h' } }),
        { atDesiredReplicaCounts: false },
        now,
      ),
    ).toBe(true);
    expect(
      completedCurrentCanaryStep(
        ro({ setMirrorRoute: { name: 'm' } }),
        { atDesiredReplicaCounts: false },
        now,
      ),
    ).toBe(true);
    expect(
      completedCurrentCanaryStep(
        canaryRollout([{ setWeight: 5 }], { currentStepIndex: 1 }),
        { atDesiredReplicaCounts: true },
        now,
      ),
    ).toBe(false);
  });
});

describe('shouldFullPromote: the first deploy and the end of an update', () => {
  const steps: CanaryStep[] = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }];
  const newRS = rs('new', 10, 10, '2024-05-02T00:00:00Z');
  const stableRS = rs('stable', 10, 10, '2024-05-01T00:00:00Z');
  const inputs = { newRS, stableRS, allRSs: [newRS, stableRS], aborted: false };

  it('no stable ReplicaSet → "Initial deploy": the first deploy skips steps and analysis', () => {
    const ro = canaryRollout(steps, { currentStepIndex: 0, currentPodHash: 'new' });
    expect(shouldFullPromote(ro, { ...inputs, stableRS: undefined })).toBe('Initial deploy');
    expect(
      shouldFullPromote(
        { spec: { strategy: { blueGreen: { activeService: 'a' } } } },
        { ...inputs, stableRS: undefined },
      ),
    ).toBe('Initial deploy');
  });

  it('mid-update → no promotion; after the last step with the new RS available → completed', () => {
    expect(
      shouldFullPromote(
        canaryRollout(steps, { currentStepIndex: 1, stableRS: 'stable', currentPodHash: 'new' }),
        inputs,
      ),
    ).toBe('');
    expect(
      shouldFullPromote(
        canaryRollout(steps, { currentStepIndex: 3, stableRS: 'stable', currentPodHash: 'new' }),
        inputs,
      ),
    ).toBe('Completed all 3 canary steps');
    expect(
      shouldFullPromote(canaryRollout(undefined, { stableRS: 'stable', currentPodHash: 'new' }), inputs),
    ).toBe('Completed all 0 canary steps');
  });

  it('waits for the new ReplicaSet to be available (or meet the progress threshold)', () => {
    const ro = canaryRollout(steps, { currentStepIndex: 3, stableRS: 'stable', currentPodHash: 'new' });
    const notReady = rs('new', 10, 9);
    expect(shouldFullPromote(ro, { ...inputs, newRS: notReady })).toBe('');
    ro.spec.strategy.canary = {
      ...ro.spec.strategy.canary,
      replicaProgressThreshold: { type: 'Percent', value: 90 },
    };
    expect(shouldFullPromote(ro, { ...inputs, newRS: notReady })).toBe('Completed all 3 canary steps');
  });

  it('aborted → never; promoteFull → "Full promotion requested"; back to stable → "Fast rollback"', () => {
    const ro = canaryRollout(steps, {
      currentStepIndex: 1,
      stableRS: 'stable',
      currentPodHash: 'new',
      promoteFull: true,
    });
    expect(shouldFullPromote(ro, { ...inputs, aborted: true })).toBe('');
    expect(shouldFullPromote(ro, inputs)).toBe('Full promotion requested');
    const back = canaryRollout(steps, { currentStepIndex: 3, stableRS: 'stable', currentPodHash: 'stable' });
    expect(shouldFullPromote(back, { ...inputs, newRS: stableRS })).toBe('Fast rollback');
  });

  it('blue-green: completed after the switch and a successful post-promotion analysis', () => {
    const bg: RolloutLike = {
      spec: { replicas: 10, strategy: { blueGreen: { activeService: 'a', postPromotionAnalysis: {} } } },
      status: { stableRS: 'stable', currentPodHash: 'new' },
    };
    const bgInputs = { ...inputs, activeSelector: 'new', currentPodHash: 'new' };
    expect(shouldFullPromote(bg, { ...bgInputs, activeSelector: '' })).toBe('Initial deploy');
    expect(shouldFullPromote(bg, { ...bgInputs, activeSelector: 'stable' })).toBe('');
    expect(shouldFullPromote(bg, { ...bgInputs, postPromotionAnalysisPhase: 'Running' })).toBe('');
    expect(shouldFullPromote(bg, { ...bgInputs, postPromotionAnalysisPhase: 'Successful' })).toBe(
      'Completed blue-green update',
    );
    expect(
      shouldFullPromote(bg, {
        ...bgInputs,
        targetsVerified: false,
        postPromotionAnalysisPhase: 'Successful',
      }),
    ).toBe('');
  });
});

describe('rollback window (e2e TestRollbackAnalysisWithinWindow: window 2, revisions 1→4, re-apply 2)', () => {
  const rev = (n: number) => rs(`rev${n}`, n === 4 ? 2 : 0, n === 4 ? 2 : 0, `2024-05-0${n}T00:00:00Z`);
  const all = [rev(1), rev(2), rev(3), rev(4)];
  const ro = (revisions: number): RolloutLike => ({
    spec: {
      replicas: 2,
      rollbackWindow: { revisions },
      strategy: { canary: { steps: [{ setWeight: 50 }] } },
    },
    status: { stableRS: 'rev4', currentPodHash: 'rev2' },
  });
  it('revision 2 is inside a window of 2 (only revision 3 lies between it and stable)', () => {
    expect(isRollbackWithinWindow(ro(2), rev(2), rev(4), all)).toBe(true);
    expect(isFastRollback(ro(2), rev(2), rev(4), all)).toBe(true);
  });
  it('revision 1 is outside it (revisions 2 and 3 lie between)', () => {
    expect(isRollbackWithinWindow(ro(2), rev(1), rev(4), all)).toBe(false);
    expect(isFastRollback(ro(2), rev(1), rev(4), all)).toBe(false);
  });
  it('no window, or a newer ReplicaSet, is never within it; experiment ReplicaSets do not count', () => {
    expect(isRollbackWithinWindow(ro(0), rev(2), rev(4), all)).toBe(false);
    expect(isRollbackWithinWindow(ro(2), rev(4), rev(2), all)).toBe(false);
    const experiment = { ...rev(3), annotations: { 'experiment.argoproj.io/name': 'exp' } };
    expect(isRollbackWithinWindow(ro(2), rev(1), rev(4), [rev(1), rev(2), experiment, rev(4)])).toBe(true);
  });
  it('blue-green: a ReplicaSet within its scale-down delay is a fast rollback', () => {
    const bg: RolloutLike = {
      spec: { strategy: { blueGreen: { activeService: 'a' } } },
      status: { stableRS: 'rev4' },
    };
    expect(isFastRollback(bg, rev(1), rev(4), all, true)).toBe(true);
    expect(isFastRollback(bg, rev(1), rev(4), all, false)).toBe(false);
  });
});

describe('misc rolloututil (upstream TestIsFullyPromoted, TestShouldVerifyWeight, TestIsDynamicallyRollingBackToStable)', () => {
  it('isFullyPromoted compares stable and current hashes', () => {
    expect(
      isFullyPromoted({ spec: { strategy: {} }, status: { stableRS: 'abc123', currentPodHash: 'abc123' } }),
    ).toBe(true);
    expect(
      isFullyPromoted({ spec: { strategy: {} }, status: { stableRS: 'abc123', currentPodHash: 'def456' } }),
    ).toBe(false);
  });

  it('shouldVerifyWeight at a setWeight step mid-update and at the end', () => {
    const ro = canaryRollout([{ setWeight: 20 }], { stableRS: '34feab23f', currentStepIndex: 0 });
    expect(shouldVerifyWeight(ro, 20)).toBe(true);
    expect(shouldVerifyWeight(canaryRollout([{ setWeight: 20 }], { currentStepIndex: 0 }), 20)).toBe(false);
    expect(shouldVerifyWeight(canaryRollout(undefined, { stableRS: '34feab23f' }), 20)).toBe(false);
    expect(shouldVerifyWeight(canaryRollout(undefined, { stableRS: '34feab23f' }), 100)).toBe(true);
  });

  it('dynamicRollbackToStableHash: traffic still on the old canary while stable is not yet full', () => {
    const ro = (weightsHash: string | undefined): RolloutLike => ({
      spec: { replicas: 5, strategy: { canary: { trafficRouting: {}, dynamicStableScale: true } } },
      status: {
        stableRS: 'stable',
        currentPodHash: 'stable',
        ...(weightsHash
          ? {
              canary: {
                weights: { canary: { weight: 10, podTemplateHash: weightsHash }, stable: { weight: 90 } },
              },
            }
          : {}),
      },
    });
    expect(dynamicRollbackToStableHash(ro('canary'), rs('stable', 5, 3))).toBe('canary');
    expect(dynamicRollbackToStableHash(ro('canary'), rs('stable', 5, 5))).toBeUndefined();
    expect(dynamicRollbackToStableHash(ro('stable'), rs('stable', 5, 3))).toBeUndefined();
    expect(dynamicRollbackToStableHash(ro(undefined), rs('stable', 5, 3))).toBeUndefined();
  });
});
