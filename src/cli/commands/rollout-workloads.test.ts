import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/types.ts';
import { SlipwayError } from '../../util/errors.ts';
import { deploymentStatus, parseWorkload, rolloutStatus } from './rollout-workloads.ts';

describe('parseWorkload', () => {
  it.each([
    ['web', undefined, 'web'],
    ['deployment/web', 'Deployment', 'web'],
    ['deploy/web', 'Deployment', 'web'],
    ['deployment.apps/web', 'Deployment', 'web'],
    ['rollout/web', 'Rollout', 'web'],
    ['Rollouts/web', 'Rollout', 'web'],
  ])('%s', (arg, kind, name) => expect(parseWorkload(arg)).toEqual({ kind, name }));
  it.each(['statefulset/web', 'deployment/'])('%s is refused', (arg) => {
    expect(() => parseWorkload(arg)).toThrow(SlipwayError);
  });
});

const deployment = (spec: object, status: object, generation = 2): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', generation },
    spec: { replicas: 3, ...spec },
    status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3, ...status },
  }) as KubeObject;

describe('deploymentStatus (kubectl rollout status via Deployment health)', () => {
  it.each([
    [
      {},
      {},
      3,
      'Waiting for rollout to finish: observed deployment generation less than desired generation',
      false,
    ],
    [
      {},
      { updatedReplicas: 1, replicas: 4 },
      2,
      'Waiting for rollout to finish: 1 out of 3 new replicas have been updated...',
      false,
    ],
    [
      {},
      { replicas: 4 },
      2,
      'Waiting for rollout to finish: 1 old replicas are pending termination...',
      false,
    ],
    [
      {},
      { availableReplicas: 2 },
      2,
      'Waiting for rollout to finish: 2 of 3 updated replicas are available...',
      false,
    ],
    [{}, {}, 2, 'deployment "web" successfully rolled out', true],
  ])('spec %j status %j generation %i → %s', (spec, status, generation, line, done) => {
    expect(deploymentStatus(deployment(spec, status, generation))).toEqual({ line, done });
  });
  it('past its progress deadline it fails', () => {
    const reading = deploymentStatus(
      deployment(
        {},
        {
          updatedReplicas: 1,
          conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
        },
      ),
    );
    expect(reading).toEqual({
      line: 'Deployment "web" exceeded its progress deadline',
      done: true,
      failed: true,
    });
  });
});

describe('rolloutStatus', () => {
  const ro = (status: object): KubeObject =>
    ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', generation: 1 },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {},
        strategy: { canary: {} },
      },
      status: { observedGeneration: '1', ...status },
    }) as KubeObject;
  it('Degraded fails, Paused and Healthy end the wait', () => {
    const aborted = ro({
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'RolloutAborted',
          message: 'Rollout aborted update to revision 2',
        },
      ],
    });
    expect(rolloutStatus(aborted)).toMatchObject({ done: true, failed: true });
    expect(
      rolloutStatus(
        ro({ pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }] }),
      ),
    ).toEqual({
      line: 'Paused - CanaryPauseStep',
      done: true,
    });
  });
});
