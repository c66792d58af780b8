import { describe, expect, it } from 'vitest';
import { parseRollout } from '../spec.ts';
import type { ReplicaSetView, Rollout, RolloutStatus } from '../types.ts';
import {
  desiredTrafficWeight,
  desiredWeightOnAbortOrStableRollback,
  replicasAvailableForWeight,
  trafficWeightUpdatedMessage,
  weightStatus,
} from './weights.ts';

/** A routed canary Rollout (upstream's `newCanaryRollout` + a traffic router), with `status`. */
function rollout(spec: {
  replicas: number;
  steps: object[];
  canary?: object;
  trafficRouting?: object;
  status?: RolloutStatus;
}): Rollout {
  const parsed = parseRollout({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'foo', namespace: 'default' },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { app: 'foo' } },
      strategy: {
        canary: {
          canaryService: 'canary',
          stableService: 'stable',
          maxSurge: 1,
          maxUnavailable: 0,
          steps: spec.steps,
          trafficRouting: spec.trafficRouting ?? { nginx: { stableIngress: 'ing' } },
          ...spec.canary,
        },
      },
    },
    status: spec.status ?? {},
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}
const rs = (hash: string, replicas: number, available: number): ReplicaSetView => ({
  name: `foo-${hash}`,
  podTemplateHash: hash,
  replicas,
  statusReplicas: replicas,
  availableReplicas: available,
  readyReplicas: available,
});
const weights = (canary: number, stable: number, canaryHash = 'new', stableHash = 'old') => ({
  canary: { weight: canary, serviceName: 'canary', podTemplateHash: canaryHash },
  stable: { weight: stable, serviceName: 'stable', podTemplateHash: stableHash },
});
const updating = (index: number, extra: RolloutStatus = {}): RolloutStatus => ({
  stableRS: 'old',
  currentPodHash: 'new',
  currentStepIndex: index,
  ...extra,
});

describe('desiredTrafficWeight (upstream rollout/trafficrouting_test.go)', () => {
  it.each([
    [
      'TestRolloutUseDesiredWeight: at the pause after setWeight 10, canary 1/1',
      rollout({ replicas: 10, steps: [{ setWeight: 10 }, { pause: {} }], status: updating(1) }),
      rs('old', 10, 10),
      rs('new', 1, 1),
      10,
    ],
    [
      'TestRolloutUseDesiredWeight100: past the last step, canary 10/10',
      rollout({ replicas: 10, steps: [{ setWeight: 10 }, { pause: {} }], status: updating(2) }),
      rs('old', 10, 10),
      rs('new', 10, 10),
      100,
    ],
    [
      'TestRolloutUsePreviousSetWeight: setWeight 20 with the canary still at 1 pod',
      rollout({ replicas: 10, steps: [{ setWeight: 10 }, { setWeight: 20 }], status: updating(1) }),
      rs('old', 10, 10),
      rs('new', 1, 1),
      10,
    ],
    [
      'TestRolloutUseDynamicWeightOnPromoteFull (dynamicStableScale): maxWeight × 5 available / 10',
      rollout({
        replicas: 10,
        steps: [{ setWeight: 5 }, { setWeight: 25 }],
        canary: { dynamicStableScale: true },
        status: updating(1, { promoteFull: true, canary: { weights: weights(5, 95) } }),
      }),
      rs('old', 5, 5),
      rs('new', 10, 5),
      50,
    ],
    [
      'TestRolloutUseDynamicWeightOnPromoteFull (no dynamicStableScale): the current weight is kept',
      rollout({
        replicas: 10,
        steps: [{ setWeight: 5 }, { setWeight: 25 }],
        status: updating(1, { promoteFull: true, canary: { weights: weights(5, 95) } }),
      }),
      rs('old', 10, 10),
      rs('new', 10, 5),
      5,
    ],
    [
      'TestRolloutSetWeightToZeroWhenFullyRolledOut: stable == current',
      rollout({
        replicas: 10,
        steps: [{ setWeight: 10 }],
        status: { stableRS: 'old', currentPodHash: 'old', currentStepIndex: 1 },
      }),
      rs('old', 10, 10),
      rs('old', 10, 10),
      0,
    ],
    [
      'aborted (no dynamicStableScale) → 0 at once',
      rollout({
        replicas: 10,
        steps: [{ setWeight: 10 }, { pause: {} }],
        status: updating(0, { abort: true, canary: { weights: weights(10, 90) } }),
      }),
      rs('old', 10, 10),
      rs('new', 1, 1),
      0,
    ],
    [
      'a new ReplicaSet with no available pod never gets traffic',
      rollout({ replicas: 10, steps: [{ setWeight: 10 }, { pause: {} }], status: updating(1) }),
      rs('old', 10, 10),
      rs('new', 1, 0),
      0,
    ],
  ])('%s → %s', (_name, ro, stableRS, newRS, want) => {
    const decision = desiredTrafficWeight(ro, { newRS, stableRS, otherRSs: [] });
    expect(decision.weight).toBe(want);
    expect(decision.apply).toBe(true);
  });

  it('the seed steps walk 10 → 30 → 60 → 100, holding the previous weight until the canary has its pods', () => {
    const steps = [
      { setWeight: 10 },
      { pause: { duration: '5m' } },
      { setWeight: 30 },
      { pause: { duration: '5m' } },
      { setWeight: 60 },
      { pause: { duration: '5m' } },
    ];
    const at = (index: number, canaryPods: number) =>
      desiredTrafficWeight(rollout({ replicas: 5, steps, status: updating(index) }), {
        newRS: rs('new', canaryPods, canaryPods),
        stableRS: rs('old', 5, 5),
        otherRSs: [],
      }).weight;
    // ceil(5 × w / 100) canary pods per step: 1, 2, 3, then 5.
    expect([
      at(0, 1),
      at(1, 1),
      at(2, 1),
      at(2, 2),
      at(3, 2),
      at(4, 2),
      at(4, 3),
      at(5, 3),
      at(6, 5),
    ]).toEqual([10, 10, 10, 30, 30, 30, 60, 60, 100]);
  });

  it('leaves the routers alone while the stable cannot take the rest of the traffic', () => {
    const ro = rollout({ replicas: 10, steps: [{ setWeight: 10 }, { pause: {} }], status: updating(1) });
    // 90 % to stable needs 9 available stable pods (90 × 10 / 100).
    expect(
      desiredTrafficWeight(ro, { newRS: rs('new', 1, 1), stableRS: rs('old', 10, 8), otherRSs: [] }).apply,
    ).toBe(false);
    expect(
      desiredTrafficWeight(ro, { newRS: rs('new', 1, 1), stableRS: rs('old', 10, 9), otherRSs: [] }).apply,
    ).toBe(true);
    expect(
      desiredTrafficWeight(ro, { newRS: rs('new', 1, 1), stableRS: undefined, otherRSs: [] }).apply,
    ).toBe(false);
  });

  it('dynamically rolling back to stable balances the previous canary hash (#3020)', () => {
    const ro = rollout({
      replicas: 5,
      steps: [{ setWeight: 50 }, { pause: {} }],
      canary: { dynamicStableScale: true },
      status: {
        stableRS: 'old',
        currentPodHash: 'old',
        currentStepIndex: 2,
        canary: { weights: weights(50, 50, 'mid') },
      },
    });
    const decision = desiredTrafficWeight(ro, {
      newRS: rs('old', 5, 3),
      stableRS: rs('old', 5, 3),
      otherRSs: [],
    });
    expect(decision.canaryHash).toBe('mid');
  });
});

describe('desiredWeightOnAbortOrStableRollback with dynamicStableScale (upstream TestDynamicScaling…WhenAborted)', () => {
  it.each([
    [
      'DontIncreaseWeightWhenAborted',
      [{ setWeight: 50 }, { pause: {} }],
      rs('old', 5, 4),
      rs('new', 0, 0),
      [0, 100],
      0,
    ],
    [
      'DecreaseWeightAccordingToStepWeightsAvailabilityWhenAborted',
      [{ setWeight: 50 }, { pause: {} }],
      rs('old', 5, 3),
      rs('new', 4, 4),
      [100, 0],
      50,
    ],
    [
      'DecreaseWeightAccordingToStableAvailabilityWhenAborted',
      [{ pause: {} }],
      rs('old', 5, 1),
      rs('new', 4, 4),
      [100, 0],
      80,
    ],
  ] as const)('%s → %s', (_name, steps, stableRS, newRS, [c, s], want) => {
    const ro = rollout({
      replicas: 5,
      steps: [...steps],
      canary: { dynamicStableScale: true, maxUnavailable: 1 },
      status: updating(1, { abort: true, canary: { weights: weights(c, s) } }),
    });
    expect(desiredWeightOnAbortOrStableRollback(ro, { newRS, stableRS, otherRSs: [] })).toBe(want);
    expect(desiredTrafficWeight(ro, { newRS, stableRS, otherRSs: [] }).weight).toBe(want);
  });

  it('is 0 without dynamicStableScale', () => {
    const ro = rollout({ replicas: 5, steps: [{ setWeight: 50 }], status: updating(0, { abort: true }) });
    expect(
      desiredWeightOnAbortOrStableRollback(ro, {
        newRS: rs('new', 3, 3),
        stableRS: rs('old', 5, 5),
        otherRSs: [],
      }),
    ).toBe(0);
  });
});

describe('replicasAvailableForWeight (upstream TestCheckReplicasAvailable…)', () => {
  it.each([
    ['80 % available with an 80 % threshold', 4, { type: 'Percent', value: 80 }, true],
    ['60 % available with an 80 % threshold', 3, { type: 'Percent', value: 80 }, false],
    ['no threshold needs all 5', 4, undefined, false],
  ])('R=10, weight 50 (5 pods), %s', (_name, available, threshold, want) => {
    const ro = rollout({
      replicas: 10,
      steps: [],
      canary: threshold ? { replicaProgressThreshold: threshold } : {},
    });
    expect(replicasAvailableForWeight(ro, rs('x', 5, available), 50)).toBe(want);
  });

  it.each([
    [2, 1, 50_000_000, true],
    [2, 0, 50_000_000, false],
    [2, 2, 100_000_000, true],
  ])(
    'maxTrafficWeight 100000000: R=%s, %s available, weight %s → %s',
    (replicas, available, weight, want) => {
      const ro = rollout({
        replicas,
        steps: [],
        trafficRouting: { nginx: { stableIngress: 'ing' }, maxTrafficWeight: 100_000_000 },
      });
      expect(replicasAvailableForWeight(ro, rs('x', replicas, available), weight)).toBe(want);
    },
  );
});

describe('weightStatus and its event', () => {
  it('stable takes the rest of the max weight; a change is reported', () => {
    const ro = rollout({ replicas: 5, steps: [], status: { canary: { weights: weights(10, 90) } } });
    expect(weightStatus(ro, 'new', 'old', 30)).toEqual({ modified: true, weights: weights(30, 70) });
    expect(weightStatus(ro, 'new', 'old', 10).modified).toBe(false);
    // A new canary hash at the same weight is a change too.
    expect(weightStatus(ro, 'newer', 'old', 10).modified).toBe(true);
  });

  it('uses maxTrafficWeight for the stable share', () => {
    const ro = rollout({
      replicas: 5,
      steps: [],
      trafficRouting: { nginx: { stableIngress: 'ing' }, maxTrafficWeight: 1000 },
    });
    expect(weightStatus(ro, 'new', 'old', 150).weights.stable.weight).toBe(850);
  });

  it.each([
    [undefined, 10, 'Traffic weight updated to 10'],
    [10, 30, 'Traffic weight updated from 10 to 30'],
    [60, 0, 'Traffic weight updated from 60 to 0'],
    [30, 30, 'Traffic weight updated '],
  ])('trafficWeightUpdatedMessage(%s, %s) → %j', (prev, next, want) => {
    expect(trafficWeightUpdatedMessage(prev, next)).toBe(want);
  });
});
