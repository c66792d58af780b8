import { describe, expect, it } from 'vitest';
import { abortPatches, pausePatches, promotePatches, retryPatches } from './actions.ts';
import type { RolloutLike } from './types.ts';

const canary = (status: RolloutLike['status'], paused = false): RolloutLike => ({
  spec: {
    paused,
    strategy: { canary: { steps: [{ setWeight: 10 }, { pause: {} }, { analysis: {} }] } },
  } as RolloutLike['spec'],
  status,
});

// The patches of `kubectl argo rollouts promote|abort|retry|pause` (pkg/kubectl-argo-rollouts/cmd).
describe('promotePatches', () => {
  it.each<[string, RolloutLike, boolean, object]>([
    [
      'pause conditions present → clear them',
      canary({
        currentStepIndex: 1,
        pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 't' }],
        controllerPause: true,
      }),
      false,
      { status: { pauseConditions: null } },
    ],
    [
      'no pause condition → skip the running step',
      canary({ currentStepIndex: 2 }),
      false,
      { status: { pauseConditions: null, currentStepIndex: 3 } },
    ],
    [
      'inconclusive step analysis after a controller pause → skip it and unpause',
      canary({
        currentStepIndex: 2,
        controllerPause: true,
        pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: 't' }],
        canary: { currentStepAnalysisRunStatus: { name: 'r', status: 'Inconclusive' } },
      }),
      false,
      { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 3 } },
    ],
    [
      'spec.paused → unpause too',
      canary({ currentStepIndex: 1, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 't' }] }, true),
      false,
      { spec: { paused: false }, status: { pauseConditions: null } },
    ],
    [
      '--full while updating',
      canary({ currentPodHash: 'b', stableRS: 'a' }),
      true,
      { status: { promoteFull: true } },
    ],
    ['--full when already stable → nothing', canary({ currentPodHash: 'a', stableRS: 'a' }), true, {}],
  ])('%s', (_name, ro, full, expected) => {
    expect(promotePatches(ro, full)).toEqual(expected);
  });
});

describe('abort, retry, pause', () => {
  it('send the plain upstream patches', () => {
    expect(abortPatches()).toEqual({ status: { abort: true } });
    expect(retryPatches()).toEqual({ status: { abort: false } });
    expect(pausePatches()).toEqual({ spec: { paused: true } });
  });
});
