/**
 * Conditions and phase against upstream's tests (argoproj/argo-rollouts at 9f8d111d):
 * `utils/conditions/rollouts_test.go` and `utils/rollout/rolloututil_test.go`.
 */
import { describe, expect, it } from 'vitest';
import {
  calculateRolloutPhase,
  formatTime,
  getCondition,
  getRolloutPhase,
  isGenerationObserved,
  Message,
  newCondition,
  removeCondition,
  rolloutCompleted,
  rolloutHealthy,
  rolloutProgressing,
  rolloutTimedOut,
  setCondition,
} from './conditions.ts';
import { computePodTemplateHash } from './hash.ts';
import type { RolloutCondition, RolloutLike, RolloutSpec, RolloutStatus } from './types.ts';

const cond = (
  type: string,
  status: RolloutCondition['status'],
  reason: string,
  lastUpdateTime = '',
): RolloutCondition => ({
  type,
  status,
  reason,
  message: '',
  lastUpdateTime,
  lastTransitionTime: '',
});
const condInvalidSpec = () => cond('InvalidSpec', 'False', 'ForSomeReason');
const condInvalidSpec2 = () => cond('InvalidSpec', 'True', 'BecauseItIs');
const condAvailable = () => cond('Available', 'True', 'AwesomeController');

describe('getCondition (upstream TestGetCondition)', () => {
  const status: RolloutStatus = { conditions: [condInvalidSpec(), condAvailable()] };
  it('condition exists', () => expect(getCondition(status, 'Available')).toEqual(condAvailable()));
  it('condition does not exist', () => expect(getCondition(status, 'Paused')).toBeUndefined());
});

describe('setCondition (upstream TestSetCondition)', () => {
  const before = '2024-05-01T09:59:00Z';
  const now = '2024-05-01T10:00:00Z';
  it('set for the first time', () => {
    expect(setCondition([], condAvailable())).toEqual({ conditions: [condAvailable()], changed: true });
  });
  it('simple set', () => {
    expect(setCondition([condInvalidSpec()], condAvailable()).conditions).toEqual([
      condInvalidSpec(),
      condAvailable(),
    ]);
  });
  it('No Changes', () => {
    expect(setCondition([condAvailable()], condAvailable())).toEqual({
      conditions: [condAvailable()],
      changed: false,
    });
  });
  it('Phase change', () => {
    const next = cond('Available', 'False', 'AwesomeController', now);
    expect(setCondition([cond('Available', 'True', 'AwesomeController', before)], next).conditions).toEqual([
      next,
    ]);
  });
  it('No status change', () => {
    const prev = cond('Available', 'True', 'AwesomeController', before);
    expect(setCondition([prev], cond('Available', 'True', 'AwesomeController', now))).toEqual({
      conditions: [prev],
      changed: false,
    });
  });
  it('overwrite', () => {
    expect(setCondition([condInvalidSpec()], condInvalidSpec2()).conditions).toEqual([condInvalidSpec2()]);
  });
  it('a new reason with the same status keeps lastTransitionTime', () => {
    const prev = { ...cond('Progressing', 'True', 'ReplicaSetUpdated'), lastTransitionTime: before };
    const next = newCondition('Progressing', 'True', 'NewReplicaSetAvailable', 'done', new Date(now));
    expect(setCondition([prev], next).conditions).toEqual([{ ...next, lastTransitionTime: before }]);
  });
});

describe('removeCondition (upstream TestRemoveCondition)', () => {
  it('remove from empty status', () => expect(removeCondition(undefined, 'InvalidSpec')).toEqual([]));
  it('simple remove', () => expect(removeCondition([condInvalidSpec()], 'InvalidSpec')).toEqual([]));
  it("doesn't remove anything", () => {
    expect(removeCondition([condInvalidSpec(), condAvailable()], 'Paused')).toEqual([
      condInvalidSpec(),
      condAvailable(),
    ]);
  });
});

describe('rolloutProgressing (upstream TestRolloutProgressing)', () => {
  const counts = (current: number, updated: number, ready: number, available: number): RolloutStatus => ({
    replicas: current,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
  });
  const bgStatus = (
    c: number,
    u: number,
    r: number,
    a: number,
    activeSelector: string,
    previewSelector: string,
  ): RolloutStatus => ({
    ...counts(c, u, r, a),
    blueGreen: { activeSelector, previewSelector },
  });
  const canaryStatus = (
    c: number,
    u: number,
    r: number,
    a: number,
    stableRS: string,
    index: number,
    stepHash: string,
  ): RolloutStatus => ({
    ...counts(c, u, r, a),
    stableRS,
    currentStepIndex: index,
    currentStepHash: stepHash,
  });
  // RolloutProgressing(rollout, newStatus): the rollout carries the old status.
  const progressing = (
    strategy: RolloutSpec['strategy'],
    newStatus: RolloutStatus,
    oldStatus: RolloutStatus,
  ) => rolloutProgressing({ spec: { strategy }, status: oldStatus }, newStatus);
  const bg = { blueGreen: { activeService: '' } };
  const canary = { canary: {} };
  it.each([
    [
      'BlueGreen: Active Selector change',
      bg,
      bgStatus(1, 1, 1, 1, 'active', 'preview'),
      bgStatus(1, 1, 1, 1, '', 'preview'),
      true,
    ],
    [
      'BlueGreen: Preview Selector change',
      bg,
      bgStatus(1, 1, 1, 1, 'active', 'preview'),
      bgStatus(1, 1, 1, 1, 'active', ''),
      true,
    ],
    [
      'BlueGreen: No change',
      bg,
      bgStatus(1, 1, 1, 1, 'active', 'preview'),
      bgStatus(1, 1, 1, 1, 'active', 'preview'),
      false,
    ],
    [
      'Canary: Stable Selector change',
      canary,
      canaryStatus(1, 1, 1, 1, 'active', 1, 'abcdef'),
      canaryStatus(1, 1, 1, 1, '', 1, 'abcdef'),
      true,
    ],
    [
      'Canary: StepIndex change',
      canary,
      canaryStatus(1, 1, 1, 1, 'active', 1, 'abcdef'),
      canaryStatus(1, 1, 1, 1, 'active', 2, 'abcdef'),
      true,
    ],
    [
      'Canary: StepHash change',
      canary,
      canaryStatus(1, 1, 1, 1, 'active', 1, 'abcdef'),
      canaryStatus(1, 1, 1, 1, 'active', 1, '12345'),
      true,
    ],
    [
      'Canary: No change',
      canary,
      canaryStatus(1, 1, 1, 1, 'active', 1, 'abcdef'),
      canaryStatus(1, 1, 1, 1, 'active', 1, 'abcdef'),
      false,
    ],
    [
      'Updated Replica change',
      canary,
      canaryStatus(1, 1, 1, 1, 'active', 1, 'abcdef'),
      canaryStatus(1, 2, 1, 1, 'active', 1, 'abcdef'),
      true,
    ],
    [
      'Ready Replica change',
      canary,
      canaryStatus(1, 1, 1, 1, 'active', 1, 'abcdef'),
      canaryStatus(1, 1, 2, 1, 'active', 1, 'abcdef'),
      true,
    ],
    [
      'Available Replica change',
      canary,
      canaryStatus(1, 1, 1, 1, 'active', 1, 'abcdef'),
      canaryStatus(1, 1, 1, 2, 'active', 1, 'abcdef'),
      true,
    ],
    [
      'Old Replica Replica change',
      canary,
      canaryStatus(2, 1, 1, 1, 'active', 1, 'abcdef'),
      canaryStatus(1, 1, 1, 2, 'active', 1, 'abcdef'),
      true,
    ],
  ] as const)('%s', (_name, strategy, updated, old, expected) => {
    // Called as upstream does: RolloutProgressing(updatedRollout, &oldStatus).
    expect(progressing(strategy, old, updated)).toBe(expected);
  });
});

describe('rolloutHealthy (upstream TestRolloutHealthy)', () => {
  // The hash of an empty pod template: upstream's test fixture uses it as currentPodHash.
  const emptyTemplateHash = computePodTemplateHash({});
  it('the empty-template hash is the one upstream hard-codes (658c46c486)', () =>
    expect(emptyTemplateHash).toBe('658c46c486'));

  const rollout = (desired: number, current: number, updated: number, available: number): RolloutLike => ({
    metadata: { generation: 123 },
    spec: { replicas: desired, strategy: {} },
    status: {
      replicas: current,
      updatedReplicas: updated,
      availableReplicas: available,
      currentPodHash: emptyTemplateHash,
    },
  });
  const observed = (ro: RolloutLike, correct: boolean): RolloutLike =>
    correct ? { ...ro, status: { ...ro.status, observedGeneration: '123' } } : ro;
  const bgRollout = (
    d: number,
    c: number,
    u: number,
    a: number,
    correct: boolean,
    activeSelector: string,
    previewSelector: string,
  ) => {
    const ro = observed(rollout(d, c, u, a), correct);
    ro.spec.strategy = { blueGreen: { previewService: 'preview', activeService: 'active' } };
    ro.status = { ...ro.status, blueGreen: { activeSelector, previewSelector } };
    return ro;
  };
  const canaryRollout = (
    d: number,
    c: number,
    u: number,
    a: number,
    correct: boolean,
    stableRS: string,
    hasSteps: boolean,
    stepIndex?: number,
  ) => {
    const ro = observed(rollout(d, c, u, a), correct);
    ro.spec.strategy = { canary: { steps: hasSteps ? [{ setWeight: 30 }] : [] } };
    ro.status = {
      ...ro.status,
      stableRS,
      ...(stepIndex === undefined ? {} : { currentStepIndex: stepIndex }),
    };
    return ro;
  };
  it.each([
    ['BlueGreen complete', bgRollout(5, 5, 5, 5, true, '658c46c486', '658c46c486'), true],
    [
      'BlueGreen complete with extra old replicas',
      bgRollout(5, 6, 5, 5, true, '658c46c486', '658c46c486'),
      true,
    ],
    [
      'BlueGreen not completed: active service does not point at updated rs',
      bgRollout(1, 1, 1, 1, true, 'not-active', ''),
      false,
    ],
    [
      'BlueGreen not completed: preview service does not point at updated rs',
      bgRollout(1, 1, 1, 1, true, '6cb88c6bcf', ''),
      false,
    ],
    ['CanaryWithSteps Completed', canaryRollout(1, 1, 1, 1, true, 'active', true, 1), false],
    ['CanaryWithSteps Not Completed: Steps left', canaryRollout(1, 1, 1, 1, true, 'active', true, 0), false],
    ['CanaryNoSteps Completed', canaryRollout(1, 1, 1, 1, true, 'active', false), false],
    ['Canary Not Completed: Diff stableRs', canaryRollout(1, 1, 1, 1, true, 'not-active', false), false],
    ['not complete: min but not all pods become available', rollout(5, 5, 5, 4), false],
    ['not complete: all pods are available but not all active', rollout(5, 5, 4, 5), false],
    ['Canary not complete: still running old pods', rollout(1, 2, 1, 1), false],
    ['not complete: Mismatching ObservedGeneration', rollout(1, 2, 1, 1), false],
  ] as const)('%s', (_name, ro, expected) => {
    expect(rolloutHealthy(ro, ro.status ?? {})).toBe(expected);
  });

  it('a canary at the last step, stable == current and no extra replicas is healthy', () => {
    const ro = canaryRollout(1, 1, 1, 1, true, emptyTemplateHash, true, 1);
    expect(rolloutHealthy(ro, ro.status ?? {})).toBe(true);
  });
});

describe('rolloutCompleted (upstream TestRolloutComplete)', () => {
  it('stable == current', () => {
    const hash = computePodTemplateHash({});
    expect(rolloutCompleted({ currentPodHash: hash, stableRS: hash })).toBe(true);
    expect(rolloutCompleted({ currentPodHash: hash, stableRS: 'not-current-pod-hash' })).toBe(false);
    expect(rolloutCompleted({})).toBe(false);
  });
});

describe('rolloutTimedOut (upstream TestRolloutTimedOut)', () => {
  const now = new Date('2024-05-01T10:00:10Z');
  const before = '2024-05-01T10:00:00Z'; // 10s ago
  const progressing = (reason: string, lastUpdate: string): RolloutStatus => ({
    conditions: [cond('Progressing', 'True', reason, lastUpdate)],
  });
  it.each([
    ['Has no progressing condition', 0, { conditions: [] } as RolloutStatus, false],
    [
      'Rollout is already has timed out condition',
      0,
      progressing('ProgressDeadlineExceeded', formatTime(now)),
      true,
    ],
    ['Rollout has not timed out', 30, progressing('ReplicaSetUpdated', before), false],
    ['Rollout has timed out', 5, progressing('ReplicaSetUpdated', before), true],
    ['Rollout has not time out when paused', 5, progressing('RolloutPaused', before), false],
    ['Rollout has not time out when aborted', 5, progressing('RolloutAborted', before), false],
  ] as const)('%s', (_name, progressDeadlineSeconds, status, expected) => {
    expect(rolloutTimedOut({ progressDeadlineSeconds, strategy: {} }, status, now)).toBe(expected);
  });
  it('the deadline must be strictly exceeded', () => {
    expect(
      rolloutTimedOut(
        { progressDeadlineSeconds: 10, strategy: {} },
        progressing('ReplicaSetUpdated', before),
        now,
      ),
    ).toBe(false);
  });
});

describe('phase (upstream rolloututil_test.go)', () => {
  const canary = (): RolloutLike => ({
    metadata: { generation: 0 },
    spec: {
      replicas: 5,
      strategy: { canary: { steps: [{ setWeight: 10 }, { pause: { duration: 60 } }, { setWeight: 20 }] } },
    },
    status: { currentStepIndex: 1, replicas: 4, readyReplicas: 1, updatedReplicas: 3, availableReplicas: 2 },
  });
  const blueGreen = (): RolloutLike => ({
    metadata: { generation: 0 },
    spec: { replicas: 5, strategy: { blueGreen: { activeService: '' } } },
    status: { currentStepIndex: 1, replicas: 4, readyReplicas: 1, updatedReplicas: 3, availableReplicas: 2 },
  });
  const phase = (ro: RolloutLike) => getRolloutPhase(ro);

  it('TestRolloutStatusDegraded', () => {
    const ro = canary();
    ro.status = {
      ...ro.status,
      conditions: [{ ...cond('Progressing', 'False', 'ProgressDeadlineExceeded'), message: 'timed out' }],
    };
    expect(phase(ro)).toEqual({ phase: 'Degraded', message: 'ProgressDeadlineExceeded: timed out' });
  });

  it('InvalidSpec and RolloutAborted are Degraded with the reason', () => {
    const ro = canary();
    ro.status = { conditions: [{ ...cond('InvalidSpec', 'True', 'InvalidSpec'), message: 'bad' }] };
    expect(calculateRolloutPhase(ro.spec, ro.status)).toEqual({
      phase: 'Degraded',
      message: 'InvalidSpec: bad',
    });
    ro.status = {
      conditions: [{ ...cond('Progressing', 'False', 'RolloutAborted'), message: Message.rolloutAborted(2) }],
    };
    expect(calculateRolloutPhase(ro.spec, ro.status)).toEqual({
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
    });
  });

  it('TestRolloutStatusPaused', () => {
    const ro = canary();
    ro.spec.paused = true;
    expect(phase(ro)).toEqual({ phase: 'Paused', message: 'manually paused' });
  });

  it('a pause condition pauses with its reason', () => {
    const ro = canary();
    ro.status = {
      ...ro.status,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2024-05-01T10:00:00Z' }],
      controllerPause: true,
    };
    expect(calculateRolloutPhase(ro.spec, ro.status)).toEqual({
      phase: 'Paused',
      message: 'CanaryPauseStep',
    });
  });

  describe('TestRolloutStatusProgressing', () => {
    it('more replicas need to be updated', () => {
      const ro = canary();
      ro.status = { ...ro.status, updatedReplicas: 4, availableReplicas: 4, replicas: 5 };
      expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'more replicas need to be updated' });
    });
    it('updated replicas are still becoming available', () => {
      const ro = canary();
      ro.status = { ...ro.status, updatedReplicas: 5, availableReplicas: 4, replicas: 5 };
      expect(phase(ro)).toEqual({
        phase: 'Progressing',
        message: 'updated replicas are still becoming available',
      });
    });
    it('old replicas are pending termination', () => {
      const ro = canary();
      ro.status = { ...ro.status, updatedReplicas: 5, availableReplicas: 5, replicas: 7 };
      expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'old replicas are pending termination' });
    });
    it('active service cutover pending', () => {
      const ro = blueGreen();
      ro.status = {
        ...ro.status,
        blueGreen: { activeSelector: 'abc1234' },
        stableRS: 'abc1234',
        currentPodHash: 'def5678',
        replicas: 5,
        updatedReplicas: 5,
        availableReplicas: 5,
      };
      expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'active service cutover pending' });
    });
    it('waiting for analysis to complete', () => {
      const ro = blueGreen();
      ro.spec.strategy = { blueGreen: { activeService: '', postPromotionAnalysis: {} } };
      ro.status = {
        ...ro.status,
        blueGreen: { activeSelector: 'def5678' },
        stableRS: 'abc1234',
        currentPodHash: 'def5678',
        replicas: 5,
        updatedReplicas: 5,
        availableReplicas: 5,
      };
      expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'waiting for analysis to complete' });
    });
    it('waiting for post-promotion verification to complete', () => {
      const ro = blueGreen();
      ro.status = {
        ...ro.status,
        blueGreen: { activeSelector: 'def5678' },
        stableRS: 'abc1234',
        currentPodHash: 'def5678',
        replicas: 5,
        updatedReplicas: 5,
        availableReplicas: 5,
      };
      expect(phase(ro)).toEqual({
        phase: 'Progressing',
        message: 'waiting for post-promotion verification to complete',
      });
    });
    it('a new rollout with hashes but no updated replicas', () => {
      const ro = canary();
      delete ro.spec.replicas;
      ro.status = { observedGeneration: '0', stableRS: 'abc1234', currentPodHash: 'abc1234' };
      expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'more replicas need to be updated' });
    });
    it('observed generation is not updated', () => {
      const ro = canary();
      ro.metadata = { generation: 2 };
      delete ro.spec.replicas;
      ro.status = { stableRS: 'abc1234', currentPodHash: 'abc1234', observedGeneration: '1' };
      expect(phase(ro)).toEqual({
        phase: 'Progressing',
        message: 'waiting for rollout spec update to be observed',
      });
    });
    it('a v0.9 legacy hash in observedGeneration counts as observed', () => {
      const ro = canary();
      ro.metadata = { generation: 2 };
      delete ro.spec.replicas;
      ro.status = { stableRS: 'abc1234', currentPodHash: 'abc1234', observedGeneration: '7d66d4485f' };
      expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'more replicas need to be updated' });
    });
    it('an all-numeric legacy hash above the generation counts as observed', () => {
      const ro = canary();
      ro.metadata = { generation: 2 };
      delete ro.spec.replicas;
      ro.status = { stableRS: 'abc1234', currentPodHash: 'abc1234', observedGeneration: '1366344857' };
      expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'more replicas need to be updated' });
    });
    it('rollout is restarting', () => {
      const ro = canary();
      ro.spec.restartAt = '2024-05-01T09:59:00Z';
      ro.status = {
        ...ro.status,
        replicas: 5,
        updatedReplicas: 5,
        availableReplicas: 5,
        readyReplicas: 5,
        stableRS: 'abc1234',
        currentPodHash: 'abc1234',
      };
      expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'rollout is restarting' });
    });
  });

  describe('TestRolloutStatusHealthy', () => {
    it('canary', () => {
      const ro = canary();
      ro.status = {
        ...ro.status,
        replicas: 5,
        updatedReplicas: 5,
        availableReplicas: 5,
        readyReplicas: 5,
        stableRS: 'abc1234',
        currentPodHash: 'abc1234',
      };
      expect(phase(ro)).toEqual({ phase: 'Healthy', message: '' });
    });
    it('blue-green', () => {
      const ro = blueGreen();
      ro.status = {
        ...ro.status,
        replicas: 5,
        updatedReplicas: 5,
        availableReplicas: 5,
        readyReplicas: 5,
        blueGreen: { activeSelector: 'abc1234' },
        currentPodHash: 'abc1234',
        stableRS: 'abc1234',
      };
      expect(phase(ro)).toEqual({ phase: 'Healthy', message: '' });
    });
    it('restart done (restartedAt == restartAt)', () => {
      const ro = canary();
      ro.spec.restartAt = '2024-05-01T09:59:00Z';
      ro.status = {
        ...ro.status,
        restartedAt: '2024-05-01T09:59:00Z',
        replicas: 5,
        updatedReplicas: 5,
        availableReplicas: 5,
        readyReplicas: 5,
        stableRS: 'abc1234',
        currentPodHash: 'abc1234',
      };
      expect(phase(ro)).toEqual({ phase: 'Healthy', message: '' });
    });
  });

  it('TestIsUnpausing: the controller phase until a user clears the conditions, then "waiting for rollout to unpause"', () => {
    const ro = canary();
    ro.status = {
      ...ro.status,
      phase: 'Paused',
      message: 'canary pause',
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2024-05-01T10:00:00Z' }],
      controllerPause: true,
    };
    expect(phase(ro)).toEqual({ phase: 'Paused', message: 'canary pause' });
    ro.status = { ...ro.status, pauseConditions: [] };
    expect(phase(ro)).toEqual({ phase: 'Progressing', message: 'waiting for rollout to unpause' });
  });

  it.each([
    ['test parse generation failed', 'invalid', 0, true],
    ['test status.generation more than spec.generation', '10', 9, true],
    ['test status.generation equal to spec.generation', '10', 10, true],
    ['test status.generation less than spec.generation', '10', 11, false],
  ] as const)('isGenerationObserved: %s', (_name, observedGeneration, generation, expected) => {
    expect(
      isGenerationObserved({
        metadata: { generation },
        spec: { strategy: {} },
        status: { observedGeneration },
      }),
    ).toBe(expected);
  });
});

describe('builders and messages', () => {
  it('newCondition stamps both times in whole seconds', () => {
    expect(
      newCondition(
        'Paused',
        'True',
        'RolloutPaused',
        Message.rolloutPaused,
        new Date('2024-05-01T10:20:30.999Z'),
      ),
    ).toEqual({
      type: 'Paused',
      status: 'True',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
      lastUpdateTime: '2024-05-01T10:20:30Z',
      lastTransitionTime: '2024-05-01T10:20:30Z',
    });
  });
  it('message templates print as upstream formats them', () => {
    expect(Message.replicaSetProgressing('web-6f7d9')).toBe('ReplicaSet "web-6f7d9" is progressing.');
    expect(Message.replicaSetCompleted('web-6f7d9')).toBe(
      'ReplicaSet "web-6f7d9" has successfully progressed.',
    );
    expect(Message.replicaSetTimeOut('web-6f7d9')).toBe('ReplicaSet "web-6f7d9" has timed out progressing.');
    expect(Message.rolloutCompleted(3, '6f7d9', 'Completed all 2 canary steps')).toBe(
      'Rollout completed update to revision 3 (6f7d9): Completed all 2 canary steps',
    );
    expect(Message.rolloutStepCompleted(1, 2, 'setWeight: 50')).toBe(
      'Rollout step 1/2 completed (setWeight: 50)',
    );
    expect(Message.scalingReplicaSet('up', 'web-6f7d9', 2, 0, 1)).toBe(
      'Scaled up ReplicaSet web-6f7d9 (revision 2) from 0 to 1',
    );
    expect(Message.rolloutNotCompleted(2, '6f7d9')).toBe(
      'Rollout not completed, started update to revision 2 (6f7d9)',
    );
  });
});
