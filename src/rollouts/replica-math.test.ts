/**
 * Upstream's replica arithmetic tables, row for row: `utils/replicaset/canary_test.go` and
 * `utils/replicaset/replicaset_test.go` (argoproj/argo-rollouts at 9f8d111d).
 */
import { describe, expect, it } from 'vitest';
import type { DeepReadonly } from '../util/readonly.ts';
import {
  allDesiredAreAvailable,
  approximateWeightedCanaryStableReplicaCounts,
  atDesiredReplicaCountsForCanary,
  calculateReplicaCountsForBasicCanary,
  calculateReplicaCountsForTrafficRoutedCanary,
  getOtherRSs,
  getReplicaSetByTemplateHash,
  getReplicasForScaleDown,
  getStableRS,
  getValueFromIntOrPercent,
  isReplicaSetAvailable,
  isReplicaSetPartiallyAvailable,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  readyForPause,
  replicaProgressThresholdMet,
  replicaSetView,
  resolveFenceposts,
  sumActualReplicas,
  sumAvailableReplicas,
  sumReadyReplicas,
  sumReplicas,
  trafficWeightToReplicas,
} from './replica-math.ts';
import { getDesiredCanaryWeight } from './steps.ts';
import type {
  CanaryStep,
  ReplicaSetView,
  RolloutLike,
  SetCanaryScale,
  TrafficRouting,
  TrafficWeights,
} from './types.ts';

type IntOrString = number | string;

/** upstream `newRollout`: one step `{setWeight, setCanaryScale}`, stable/current hashes in status. */
function newRollout(
  replicas: number,
  setWeight: number,
  surge: IntOrString,
  unavailable: IntOrString,
  currentPodHash: string,
  stablePodHash: string,
  scs?: SetCanaryScale,
  trafficRouting?: TrafficRouting,
): RolloutLike {
  return {
    spec: {
      replicas,
      strategy: {
        canary: {
          maxSurge: surge,
          maxUnavailable: unavailable,
          steps: [{ setWeight, ...(scs ? { setCanaryScale: scs } : {}) }],
          ...(trafficRouting ? { trafficRouting } : {}),
        },
      },
    },
    status: { stableRS: stablePodHash, currentPodHash },
  };
}

/** upstream `newRS`: name and hash label alike, spec replicas and available replicas. */
function newRS(hash: string, specReplicas: number, availableReplicas: number): ReplicaSetView {
  return {
    name: hash,
    podTemplateHash: hash,
    replicas: specReplicas,
    statusReplicas: 0,
    availableReplicas,
    readyReplicas: 0,
  };
}

function canaryOf(ro: RolloutLike) {
  const canary = ro.spec.strategy.canary;
  if (!canary) throw new Error('test rollout has no canary strategy');
  return canary;
}

describe('calculateReplicaCountsForBasicCanary / …ForTrafficRoutedCanary (upstream TestCalculateReplicaCountsForCanary)', () => {
  interface Row {
    name: string;
    rolloutSpecReplicas: number;
    setWeight?: number;
    /** undefined = the zero IntOrString (int 0), as the Go struct leaves it. */
    maxSurge?: IntOrString;
    maxUnavailable?: IntOrString;
    promoteFull?: boolean;
    stableSpecReplica: number;
    stableAvailableReplica: number;
    canarySpecReplica?: number;
    canaryAvailableReplica?: number;
    expectedStableReplicaCount: number;
    expectedCanaryReplicaCount: number;
    olderRS?: ReplicaSetView;
    setCanaryScale?: SetCanaryScale;
    trafficRouting?: TrafficRouting;
    abortScaleDownDelaySeconds?: number;
    statusAbort?: boolean;
    minPodsPerReplicaSet?: number;
  }
  // biome-ignore format: upstream's table, one case per line
  const rows: Row[] = [
    { name: 'Do not add extra RSs in scaleDownCount when .Spec.Replica < AvailableReplicas', rolloutSpecReplicas: 10, setWeight: 100, maxSurge: 3, maxUnavailable: 0, stableSpecReplica: 7, stableAvailableReplica: 8, canarySpecReplica: 6, canaryAvailableReplica: 3, expectedStableReplicaCount: 7, expectedCanaryReplicaCount: 6 },
    { name: 'Use max surge int to scale up canary', rolloutSpecReplicas: 10, setWeight: 20, maxSurge: 2, maxUnavailable: 0, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 10, expectedCanaryReplicaCount: 2 },
    { name: 'Use max surge percentage to scale up canary', rolloutSpecReplicas: 10, setWeight: 20, maxSurge: '20%', maxUnavailable: 0, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 10, expectedCanaryReplicaCount: 2 },
    { name: 'Scale down extra stable replicas', rolloutSpecReplicas: 10, setWeight: 20, maxSurge: '20%', maxUnavailable: 0, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 2, canaryAvailableReplica: 2, expectedStableReplicaCount: 8, expectedCanaryReplicaCount: 2 },
    { name: 'Do not go past max surge', rolloutSpecReplicas: 10, setWeight: 30, maxSurge: 2, maxUnavailable: 0, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 10, expectedCanaryReplicaCount: 2 },
    { name: 'Use max unavailable int to scale down stableRS', rolloutSpecReplicas: 10, setWeight: 20, maxSurge: 0, maxUnavailable: 2, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 8, expectedCanaryReplicaCount: 0 },
    { name: 'Use max surge percentage to scale down stableRS', rolloutSpecReplicas: 10, setWeight: 20, maxSurge: 0, maxUnavailable: '20%', stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 8, expectedCanaryReplicaCount: 0 },
    { name: 'Do not go past max unavailable', rolloutSpecReplicas: 10, setWeight: 30, maxSurge: 0, maxUnavailable: 2, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 8, expectedCanaryReplicaCount: 0 },
    { name: 'Use Max Surge and Max Unavailable', rolloutSpecReplicas: 10, setWeight: 50, maxSurge: 2, maxUnavailable: 1, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 9, expectedCanaryReplicaCount: 2 },
    { name: 'Scale canaryRS to zero on setWeight of 0%', rolloutSpecReplicas: 10, setWeight: 0, maxSurge: 1, maxUnavailable: 1, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 1, canaryAvailableReplica: 1, expectedStableReplicaCount: 10, expectedCanaryReplicaCount: 0 },
    { name: 'Scale stable to zero on setWeight of 100%', rolloutSpecReplicas: 10, setWeight: 100, maxSurge: 1, maxUnavailable: 1, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 10, canaryAvailableReplica: 10, expectedStableReplicaCount: 0, expectedCanaryReplicaCount: 10 },
    { name: 'Do not scale canaryRS down to zero on non-zero weight', rolloutSpecReplicas: 1, setWeight: 20, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 1 },
    { name: 'Do not scale canaryRS down to zero on non-100 weight', rolloutSpecReplicas: 1, setWeight: 90, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 1 },
    { name: 'Scale canaryRS to zero on <50 weight without surge', rolloutSpecReplicas: 1, setWeight: 49, maxSurge: 0, maxUnavailable: 1, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 0 },
    { name: 'Scale stableRS down to zero on >=50 weight without surge', rolloutSpecReplicas: 1, setWeight: 51, maxSurge: 0, maxUnavailable: 1, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 0, expectedCanaryReplicaCount: 0 },
    { name: 'Scale canaryRS to one on >=50 weight without surge and stable replicas', rolloutSpecReplicas: 1, setWeight: 51, maxSurge: 0, maxUnavailable: 1, stableSpecReplica: 0, stableAvailableReplica: 0, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 0, expectedCanaryReplicaCount: 1 },
    { name: 'Scale up Stable before canaryRS', rolloutSpecReplicas: 10, setWeight: 30, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 7, expectedCanaryReplicaCount: 1, olderRS: newRS('older', 3, 3) },
    { name: 'Scale down canaryRS and stable', rolloutSpecReplicas: 10, setWeight: 30, maxSurge: 0, maxUnavailable: 3, stableSpecReplica: 8, stableAvailableReplica: 5, canarySpecReplica: 4, canaryAvailableReplica: 4, expectedStableReplicaCount: 7, expectedCanaryReplicaCount: 3 },
    { name: 'Scale down stable and canary available', rolloutSpecReplicas: 10, setWeight: 100, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 10, stableAvailableReplica: 2, canarySpecReplica: 10, canaryAvailableReplica: 8, expectedStableReplicaCount: 2, expectedCanaryReplicaCount: 9 },
    { name: 'Do not scale down canaryRS or stable when older RS count >= scaleDownCount', rolloutSpecReplicas: 10, setWeight: 30, maxSurge: 0, maxUnavailable: 1, stableSpecReplica: 8, stableAvailableReplica: 6, canarySpecReplica: 4, canaryAvailableReplica: 2, expectedStableReplicaCount: 8, expectedCanaryReplicaCount: 4, olderRS: newRS('older', 3, 3) },
    { name: 'Do not round past maxSurge with uneven setWeight divisor', rolloutSpecReplicas: 10, setWeight: 5, maxSurge: 0, maxUnavailable: 1, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 9, expectedCanaryReplicaCount: 0 },
    { name: 'Do not round past maxSurge with uneven setWeight divisor (part 2)', rolloutSpecReplicas: 10, setWeight: 5, maxSurge: 0, maxUnavailable: 1, stableSpecReplica: 9, stableAvailableReplica: 9, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 9, expectedCanaryReplicaCount: 1 },
    { name: 'Use maxUnavailable of 1 when percentage of maxUnavailable and maxSurge result in 0 replicas', rolloutSpecReplicas: 10, setWeight: 10, maxSurge: '0%', maxUnavailable: '0%', stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 9, expectedCanaryReplicaCount: 0 },
    { name: 'For canary replicas, use setCanaryScale.replicas when specified along with trafficRouting (and ignore setWeight)', rolloutSpecReplicas: 1, stableSpecReplica: 1, stableAvailableReplica: 1, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 9, setWeight: 100, setCanaryScale: { replicas: 9, matchTrafficWeight: false }, trafficRouting: {} },
    { name: 'Use setCanaryScale.weight for canary replicas when specified with trafficRouting (and ignore setWeight)', rolloutSpecReplicas: 4, stableSpecReplica: 4, stableAvailableReplica: 4, expectedStableReplicaCount: 4, expectedCanaryReplicaCount: 8, setWeight: 100, setCanaryScale: { weight: 200, matchTrafficWeight: false }, trafficRouting: {} },
    { name: 'Ignore setCanaryScale replicas/weight when matchTrafficWeight is true', rolloutSpecReplicas: 10, setWeight: 20, maxSurge: '20%', maxUnavailable: 0, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, setCanaryScale: { replicas: 9, weight: 100, matchTrafficWeight: true }, trafficRouting: {}, expectedStableReplicaCount: 10, expectedCanaryReplicaCount: 2 },
    { name: 'Ignore setCanaryScale when trafficRouting is missing and use setWeight for replicas', rolloutSpecReplicas: 10, setWeight: 20, maxSurge: '20%', maxUnavailable: 0, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, setCanaryScale: { replicas: 9, weight: 100, matchTrafficWeight: false }, expectedStableReplicaCount: 10, expectedCanaryReplicaCount: 2 },
    // verify we surge canary up correctly when stable RS is not available
    { name: 'honor maxSurge during scale up when stableRS unavailable', rolloutSpecReplicas: 4, setWeight: 100, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 4, stableAvailableReplica: 1, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 4, expectedCanaryReplicaCount: 1 },
    { name: 'scale down to maxunavailable without exceeding maxSurge', rolloutSpecReplicas: 3, setWeight: 99, maxSurge: 0, maxUnavailable: 2, stableSpecReplica: 3, stableAvailableReplica: 3, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 0 },
    { name: 'scale down to maxunavailable without exceeding maxSurge (part 2)', rolloutSpecReplicas: 3, setWeight: 99, maxSurge: 0, maxUnavailable: 2, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 2 },
    // verify we scale down stableRS while honoring maxUnavailable even when stableRS unavailable
    { name: 'honor maxUnavailable during scale down stableRS unavailable', rolloutSpecReplicas: 4, setWeight: 100, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 4, stableAvailableReplica: 1, canarySpecReplica: 1, canaryAvailableReplica: 1, expectedStableReplicaCount: 3, expectedCanaryReplicaCount: 1 },
    // verify we honor maxUnavailable when aborting or reducing weight
    { name: 'honor maxUnavailable when aborting or reducing weight part 1', rolloutSpecReplicas: 4, setWeight: 0, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 0, stableAvailableReplica: 0, canarySpecReplica: 4, canaryAvailableReplica: 4, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 4 },
    { name: 'honor maxUnavailable when aborting or reducing weight part 2', rolloutSpecReplicas: 4, setWeight: 0, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 1, stableAvailableReplica: 0, canarySpecReplica: 4, canaryAvailableReplica: 4, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 4 },
    { name: 'honor maxUnavailable when aborting or reducing weight part 3', rolloutSpecReplicas: 4, setWeight: 0, maxSurge: 1, maxUnavailable: 0, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 4, canaryAvailableReplica: 4, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 3 },
    // verify when promoting a rollout fully, we don't consider canary weight
    { name: 'promote full does not consider weight', promoteFull: true, rolloutSpecReplicas: 4, setWeight: 1, maxSurge: 4, maxUnavailable: 4, stableSpecReplica: 4, stableAvailableReplica: 4, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 0, expectedCanaryReplicaCount: 4 },
    // verify when promoting a rollout fully, we still honor maxSurge and maxUnavailable
    { name: 'promote full still honors maxSurge/maxUnavailable', promoteFull: true, rolloutSpecReplicas: 4, setWeight: 1, maxSurge: 3, maxUnavailable: 0, stableSpecReplica: 4, stableAvailableReplica: 4, canarySpecReplica: 0, canaryAvailableReplica: 0, expectedStableReplicaCount: 4, expectedCanaryReplicaCount: 3 },
    // verify when we are aborted, and have abortScaleDownDelaySeconds: 0, and use setCanaryScale, we dont scale down canary
    { name: 'aborted with abortScaleDownDelaySeconds:0 and setCanaryScale', rolloutSpecReplicas: 1, setCanaryScale: { replicas: 1, matchTrafficWeight: false }, trafficRouting: {}, abortScaleDownDelaySeconds: 0, statusAbort: true, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 1, canaryAvailableReplica: 1, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 1 },
    // verify when we are aborted, and have abortScaleDownDelaySeconds>0, and use setCanaryScale, we scale down canary
    { name: 'aborted with abortScaleDownDelaySeconds>0 and setCanaryScale', rolloutSpecReplicas: 1, setCanaryScale: { replicas: 1, matchTrafficWeight: false }, trafficRouting: {}, abortScaleDownDelaySeconds: 30, statusAbort: true, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 1, canaryAvailableReplica: 1, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 0 },
    { name: 'Honor MinPodsPerReplicaSet when using trafficRouting and starting canary', rolloutSpecReplicas: 10, setWeight: 5, stableSpecReplica: 10, stableAvailableReplica: 10, canarySpecReplica: 0, canaryAvailableReplica: 0, trafficRouting: {}, minPodsPerReplicaSet: 2, expectedStableReplicaCount: 10, expectedCanaryReplicaCount: 2 },
    { name: 'Cap MinPodsPerReplicaSet when it exceeds rollout replicas with trafficRouting', rolloutSpecReplicas: 1, setWeight: 100, promoteFull: true, stableSpecReplica: 1, stableAvailableReplica: 1, canarySpecReplica: 0, canaryAvailableReplica: 0, trafficRouting: {}, minPodsPerReplicaSet: 2, expectedStableReplicaCount: 1, expectedCanaryReplicaCount: 1 },
  ];

  it('has all 40 upstream cases', () => {
    expect(rows).toHaveLength(40);
  });

  it.each(rows)('$name', (row) => {
    const ro = newRollout(
      row.rolloutSpecReplicas,
      row.setWeight ?? 0,
      row.maxSurge ?? 0,
      row.maxUnavailable ?? 0,
      'canary',
      'stable',
      row.setCanaryScale,
      row.trafficRouting,
    );
    ro.status = { ...ro.status, promoteFull: row.promoteFull ?? false, abort: row.statusAbort ?? false };
    const canary = canaryOf(ro);
    if (row.abortScaleDownDelaySeconds !== undefined)
      canary.abortScaleDownDelaySeconds = row.abortScaleDownDelaySeconds;
    if (row.minPodsPerReplicaSet !== undefined) canary.minPodsPerReplicaSet = row.minPodsPerReplicaSet;
    const stableRS = newRS('stable', row.stableSpecReplica, row.stableAvailableReplica);
    const canaryRS = newRS('canary', row.canarySpecReplica ?? 0, row.canaryAvailableReplica ?? 0);
    const counts =
      row.trafficRouting !== undefined
        ? calculateReplicaCountsForTrafficRoutedCanary(ro, undefined, undefined, undefined)
        : calculateReplicaCountsForBasicCanary(ro, canaryRS, stableRS, [row.olderRS]);
    expect(counts.canary, 'canary replica count').toBe(row.expectedCanaryReplicaCount);
    expect(counts.stable, 'stable replica count').toBe(row.expectedStableReplicaCount);
  });
});

describe('approximateWeightedCanaryStableReplicaCounts (upstream TestApproximateWeightedNewStableReplicaCounts)', () => {
  // [replicas, weight, maxWeight, maxSurge, expCanary, expStable] // resulting canary percentage
  const rows: Array<[number, number, number, number, number, number]> = [
    [0, 0, 100, 0, 0, 0], // 0%
    [0, 50, 100, 0, 0, 0], // 0%
    [0, 100, 100, 0, 0, 0], // 0%

    [0, 0, 100, 1, 0, 0], // 0%
    [0, 50, 100, 1, 0, 0], // 0%
    [0, 100, 100, 1, 0, 0], // 0%

    [1, 0, 100, 0, 0, 1], // 0%
    [1, 1, 100, 0, 0, 1], // 0%
    [1, 49, 100, 0, 0, 1], // 0%
    [1, 50, 100, 0, 1, 0], // 100%
    [1, 99, 100, 0, 1, 0], // 100%
    [1, 100, 100, 0, 1, 0], // 100%

    [1, 0, 100, 1, 0, 1], // 0%
    [1, 1, 100, 1, 1, 1], // 50%
    [1, 49, 100, 1, 1, 1], // 50%
    [1, 50, 100, 1, 1, 1], // 50%
    [1, 99, 100, 1, 1, 1], // 50%
    [1, 100, 100, 1, 1, 0], // 100%

    [2, 0, 100, 0, 0, 2], // 0%
    [2, 1, 100, 0, 1, 1], // 50%
    [2, 50, 100, 0, 1, 1], // 50%
    [2, 99, 100, 0, 1, 1], // 50%
    [2, 100, 100, 0, 2, 0], // 100%

    [2, 0, 100, 1, 0, 2], // 0%
    [2, 1, 100, 1, 1, 2], // 33.3%
    [2, 50, 100, 1, 1, 1], // 50%
    [2, 99, 100, 1, 2, 1], // 66.6%
    [2, 100, 100, 1, 2, 0], // 100%

    [3, 10, 100, 0, 1, 2], // 33.3%
    [3, 25, 100, 0, 1, 2], // 33.3%
    [3, 33, 100, 0, 1, 2], // 33.3%
    [3, 34, 100, 0, 1, 2], // 33.3%
    [3, 49, 100, 0, 1, 2], // 33.3%
    [3, 50, 100, 0, 2, 1], // 66.6%

    [3, 10, 100, 1, 1, 3], // 25%
    [3, 25, 100, 1, 1, 3], // 25%
    [3, 33, 100, 1, 1, 2], // 33.3%
    [3, 34, 100, 1, 1, 2], // 33.3%
    [3, 49, 100, 1, 2, 2], // 50%
    [3, 50, 100, 1, 2, 2], // 50%

    [10, 0, 100, 1, 0, 10], // 0%
    [10, 1, 100, 0, 1, 9], // 10%
    [10, 14, 100, 0, 1, 9], // 10%
    [10, 15, 100, 0, 2, 8], // 20%
    [10, 16, 100, 0, 2, 8], // 20%
    [10, 99, 100, 0, 9, 1], // 90%
    [10, 100, 100, 1, 10, 0], // 100%

    [10, 0, 100, 1, 0, 10], // 0%
    [10, 1, 100, 1, 1, 10], // 9.1%
    [10, 18, 100, 1, 2, 9], // 18.1%
    [10, 19, 100, 1, 2, 9], // 18.1%
    [10, 20, 100, 1, 2, 8], // 20%
    [10, 23, 100, 1, 2, 8], // 20%
    [10, 24, 100, 1, 3, 8], // 27.2%
    [10, 25, 100, 1, 3, 8], // 27.2%
    [10, 99, 100, 1, 10, 1], // 90.9%
    [10, 100, 100, 1, 10, 0], // 100%
  ];

  it('has all 57 upstream rows', () => {
    expect(rows).toHaveLength(57);
  });

  it.each(rows)(
    'replicas:%i weight:%i maxweight:%i surge:%i → canary %i, stable %i',
    (replicas, weight, maxWeight, surge, canary, stable) => {
      expect(approximateWeightedCanaryStableReplicaCounts(replicas, weight, maxWeight, surge)).toEqual({
        canary,
        stable,
      });
    },
  );

  it('documented example (docs/features/canary): 10 replicas at setWeight 41 → 4 canary, 6 stable', () => {
    expect(approximateWeightedCanaryStableReplicaCounts(10, 41, 100, 0)).toEqual({ canary: 4, stable: 6 });
  });
});

describe('single-case upstream tests', () => {
  it('TestCalculateReplicaCountsForNewDeployment: stable == new drives the new RS to R', () => {
    const ro = newRollout(10, 10, 0, 1, 'canary', 'stable');
    const stableRS = newRS('stable', 10, 0);
    const sameRS = newRS('stable', 10, 0);
    expect(calculateReplicaCountsForBasicCanary(ro, sameRS, stableRS, [])).toEqual({ canary: 10, stable: 0 });
  });

  it('TestCalculateReplicaCountsForCanaryTrafficRouting: canary by weight, stable stays at R', () => {
    const ro = newRollout(10, 10, 0, 1, 'canary', 'stable', undefined, {});
    expect(
      calculateReplicaCountsForTrafficRoutedCanary(ro, undefined, undefined, ro.status?.canary?.weights),
    ).toEqual({
      canary: 1,
      stable: 10,
    });
  });

  it('TestCalculateReplicaCountsForCanaryStableRSdEdgeCases: no stable, or stable == new', () => {
    const ro = newRollout(10, 10, 0, 1, '', '');
    const rs = newRS('stable', 9, 9);
    expect(calculateReplicaCountsForBasicCanary(ro, rs, undefined, [])).toEqual({ canary: 10, stable: 0 });
    expect(calculateReplicaCountsForBasicCanary(ro, rs, rs, [])).toEqual({ canary: 10, stable: 0 });
  });

  it('TestTrafficWeightToReplicas', () => {
    expect(trafficWeightToReplicas(10, 0, 100)).toBe(0);
    expect(trafficWeightToReplicas(10, 20, 100)).toBe(2);
    expect(trafficWeightToReplicas(10, 25, 100)).toBe(3);
    expect(trafficWeightToReplicas(10, 33, 100)).toBe(4);
    expect(trafficWeightToReplicas(10, 99, 100)).toBe(10);
    expect(trafficWeightToReplicas(10, 100, 100)).toBe(10);
    expect(trafficWeightToReplicas(23, 100000000, 100000000)).toBe(23);
  });

  it('TestGetOtherRSs', () => {
    const rs = (name: string): ReplicaSetView => ({
      name,
      replicas: 0,
      statusReplicas: 0,
      availableReplicas: 0,
      readyReplicas: 0,
    });
    const rs1 = rs('1');
    const rs2 = rs('2');
    expect(getOtherRSs(undefined, undefined, [rs1])).toEqual([rs1]);
    expect(getOtherRSs(rs1, undefined, [rs1, rs2])).toEqual([rs2]);
    expect(getOtherRSs(undefined, rs1, [rs1, rs2])).toEqual([rs2]);
  });

  it('TestGetStableRS', () => {
    const [rs1, rs2, rs3] = ['1', '2', '3'].map((h) => newRS(h, 0, 0)) as [
      ReplicaSetView,
      ReplicaSetView,
      ReplicaSetView,
    ];
    const ro: RolloutLike = { spec: { strategy: {} } };
    expect(getStableRS(ro, rs1, [rs2, rs3])).toBeUndefined();
    ro.status = { stableRS: '1' };
    expect(getStableRS(ro, rs2, [rs3])).toBeUndefined();
    expect(getStableRS(ro, rs1, [rs2, rs3])).toBe(rs1);
    expect(getStableRS(ro, rs2, [rs1, rs2, rs3])).toBe(rs1);
  });
});

describe('calculateReplicaCountsForTrafficRoutedCanary with dynamicStableScale (upstream TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale)', () => {
  interface Row {
    name: string;
    rolloutReplicas: number;
    /** upstream calls it rolloutMaxReplicas, but it is newRollout's setWeight argument */
    setWeight: number;
    rolloutAbort: boolean;
    steps?: CanaryStep[];
    canaryWeight: number;
    stableWeight: number;
    canaryRSReplicas?: number;
    stableRSReplicas?: number;
    availableStableReplicas?: number;
    expectedCanaryReplicas: number;
    expectedStableReplicas: number;
  }
  // biome-ignore format: upstream's table, one case per line
  const rows: Row[] = [
    // E.g. if next step is to scale canary down to 2 and we have 10 replicas, we should scale stable up to 8
    { name: 'Should scale stable replica up depending on next expected canary downscale step, if abort is true', rolloutReplicas: 10, setWeight: 20, canaryWeight: 60, stableWeight: 40, canaryRSReplicas: 6, stableRSReplicas: 4, availableStableReplicas: 4, expectedCanaryReplicas: 6, expectedStableReplicas: 8, rolloutAbort: true, steps: [{ setWeight: 60 }] },
    { name: 'Should scale stable replica up depending on available canary replicas, if actual number of canaries is less than expected and abort is true', rolloutReplicas: 10, setWeight: 20, rolloutAbort: true, canaryWeight: 60, stableWeight: 40, canaryRSReplicas: 1, stableRSReplicas: 4, availableStableReplicas: 4, expectedCanaryReplicas: 6, expectedStableReplicas: 8, steps: [{ setWeight: 60 }] },
    { name: 'Should scale stable replica up depending on available stable replicas, if abort is true', rolloutReplicas: 10, setWeight: 20, rolloutAbort: true, canaryWeight: 60, stableWeight: 40, canaryRSReplicas: 2, stableRSReplicas: 8, availableStableReplicas: 4, expectedCanaryReplicas: 6, expectedStableReplicas: 8, steps: [{ setWeight: 60 }] },
    { name: 'Should scale stable up as if canaries are scaled down to 0 if stable and canary replicas not passed, and abort is true', rolloutReplicas: 10, setWeight: 20, rolloutAbort: true, canaryWeight: 60, stableWeight: 40, expectedCanaryReplicas: 6, expectedStableReplicas: 10, steps: [{ setWeight: 60 }] },
    // without steps
    { name: 'Should scale down stable', rolloutReplicas: 10, setWeight: 10, rolloutAbort: false, canaryWeight: 10, stableWeight: 90, expectedCanaryReplicas: 1, expectedStableReplicas: 9 },
    { name: 'Should take max of desired canary (20) > actual (10)', rolloutReplicas: 10, setWeight: 20, rolloutAbort: false, canaryWeight: 10, stableWeight: 90, expectedCanaryReplicas: 2, expectedStableReplicas: 9 },
    { name: 'Should leave canary scaled up if there is still traffic to it on abort', rolloutReplicas: 10, setWeight: 20, rolloutAbort: true, canaryWeight: 20, stableWeight: 80, expectedCanaryReplicas: 2, expectedStableReplicas: 10 },
    { name: 'Should reduce canary when there is less traffic to it on abort', rolloutReplicas: 10, setWeight: 20, rolloutAbort: true, canaryWeight: 10, stableWeight: 90, expectedCanaryReplicas: 1, expectedStableReplicas: 10 },
  ];

  it.each(rows)('$name', (row) => {
    const ro = newRollout(row.rolloutReplicas, row.setWeight, 0, 1, 'canary', 'stable');
    const canary = canaryOf(ro);
    canary.trafficRouting = {};
    canary.dynamicStableScale = true;
    ro.status = { ...ro.status, abort: row.rolloutAbort };
    if (row.steps) canary.steps = [...(canary.steps ?? []), ...row.steps];
    const weights: TrafficWeights = {
      canary: { weight: row.canaryWeight },
      stable: { weight: row.stableWeight },
    };
    // upstream builds a ReplicaSet only for a positive count; the canary's available equals its spec
    const stableRS =
      (row.stableRSReplicas ?? 0) > 0
        ? newRS('stable', row.stableRSReplicas ?? 0, row.availableStableReplicas ?? 0)
        : undefined;
    const canaryRS =
      (row.canaryRSReplicas ?? 0) > 0
        ? newRS('canary', row.canaryRSReplicas ?? 0, row.canaryRSReplicas ?? 0)
        : undefined;
    expect(calculateReplicaCountsForTrafficRoutedCanary(ro, canaryRS, stableRS, weights)).toEqual({
      canary: row.expectedCanaryReplicas,
      stable: row.expectedStableReplicas,
    });
  });
});

describe('getDesiredCanaryWeight on abort with dynamicStableScale (upstream TestGetDesiredCanaryWeightOnAbortWithScaleDownDelay, #4898)', () => {
  const abortedRollout = (abortDelay: number | undefined): RolloutLike => {
    const ro = newRollout(10, 50, 1, 0, 'canary', 'stable', undefined, {});
    const canary = canaryOf(ro);
    canary.steps = [{ setWeight: 10 }, { setWeight: 50 }];
    canary.dynamicStableScale = true;
    if (abortDelay !== undefined) canary.abortScaleDownDelaySeconds = abortDelay;
    ro.status = { ...ro.status, abort: true };
    return ro;
  };
  // biome-ignore format: upstream's table, one case per line
  const rows: Array<{ name: string; abortDelay: number | undefined; stableAvailable: number; expectedWeight: number }> = [
    { name: 'no explicit delay: weight is held up by canary size (progressive drain unchanged)', abortDelay: undefined, stableAvailable: 9, expectedWeight: 10 },
    { name: 'explicit delay: weight steps down gradually while stable is scaling up', abortDelay: 30, stableAvailable: 5, expectedWeight: 10 },
    { name: 'explicit delay: weight reaches zero once stable nearly covers spec.Replicas (deadlock case)', abortDelay: 30, stableAvailable: 9, expectedWeight: 0 },
    { name: 'explicit zero delay (leave canary up indefinitely): weight is held up by canary size', abortDelay: 0, stableAvailable: 9, expectedWeight: 10 },
  ];
  it.each(rows)('$name', ({ abortDelay, stableAvailable, expectedWeight }) => {
    const ro = abortedRollout(abortDelay);
    expect(
      getDesiredCanaryWeight(ro, newRS('canary', 5, 5), newRS('stable', stableAvailable, stableAvailable)),
    ).toBe(expectedWeight);
  });

  it('stable scales to spec.Replicas once weight reaches zero', () => {
    const ro = abortedRollout(30);
    const weights: TrafficWeights = { canary: { weight: 10 }, stable: { weight: 90 } };
    const counts = calculateReplicaCountsForTrafficRoutedCanary(
      ro,
      newRS('canary', 5, 5),
      newRS('stable', 9, 9),
      weights,
    );
    expect(counts.stable).toBe(10);
  });
});

describe('atDesiredReplicaCountsForCanary (upstream TestAtDesiredReplicaCountsForCanary)', () => {
  const rs = (name: string, spec: number, available: number, statusReplicas: number): ReplicaSetView => ({
    ...newRS('', spec, available),
    name,
    statusReplicas,
  });
  const weights = (canary: number, stable: number): TrafficWeights => ({
    canary: { weight: canary },
    stable: { weight: stable },
  });

  it('we are at desired replica counts and availability', () => {
    const ro = newRollout(4, 50, 1, 1, 'current', 'stable', {
      weight: 2,
      replicas: 2,
      matchTrafficWeight: false,
    });
    expect(
      atDesiredReplicaCountsForCanary(ro, rs('newRS', 2, 2, 2), rs('stableRS', 2, 2, 2), [], weights(50, 50)),
    ).toBe(true);
  });

  it('new replicaset is not at desired counts or availability', () => {
    const ro = newRollout(4, 50, 1, 1, 'current', 'stable', {
      weight: 2,
      replicas: 2,
      matchTrafficWeight: false,
    });
    expect(
      atDesiredReplicaCountsForCanary(ro, rs('newRS', 2, 1, 2), rs('stableRS', 2, 2, 2), [], weights(50, 50)),
    ).toBe(false);
  });

  it('stable replicaset is not at desired counts or availability', () => {
    const ro = newRollout(4, 75, 1, 1, 'current', 'stable', {});
    expect(
      atDesiredReplicaCountsForCanary(ro, rs('newRS', 3, 3, 3), rs('stableRS', 2, 2, 2), [], weights(75, 25)),
    ).toBe(false);
  });

  it('stable replicaset is not at desired availability but is at correct count', () => {
    // true: for the stable only the pod count is checked, not availability
    const ro = newRollout(4, 75, 1, 1, 'current', 'stable', {});
    expect(
      atDesiredReplicaCountsForCanary(ro, rs('newRS', 3, 3, 1), rs('stableRS', 1, 0, 1), [], weights(75, 25)),
    ).toBe(true);
  });

  it('test that when status field lags behind spec.replicas we fail', () => {
    const ro = newRollout(4, 50, 1, 1, 'current', 'stable', {
      weight: 2,
      replicas: 2,
      matchTrafficWeight: false,
    });
    expect(
      atDesiredReplicaCountsForCanary(ro, rs('newRS', 2, 2, 2), rs('stableRS', 2, 2, 3), [], weights(50, 50)),
    ).toBe(false);
  });

  it('basic canary: an older ReplicaSet with available pods blocks the step', () => {
    const ro = newRollout(4, 50, 1, 1, 'current', 'stable');
    const older = newRS('older', 0, 1);
    expect(
      atDesiredReplicaCountsForCanary(ro, rs('newRS', 2, 2, 2), rs('stableRS', 2, 2, 2), [older], undefined),
    ).toBe(false);
    expect(
      atDesiredReplicaCountsForCanary(
        ro,
        rs('newRS', 2, 2, 2),
        rs('stableRS', 2, 2, 2),
        [newRS('older', 0, 0)],
        undefined,
      ),
    ).toBe(true);
  });
});

describe('getReplicasForScaleDown (upstream TestGetReplicasForScaleDown)', () => {
  const rs = (spec: number, available: number) => newRS('', spec, available);
  it.each([
    ['test rs is nil', undefined, false, 0],
    ['test expected replicas is less than actual replicas', rs(3, 5), false, 3],
    ['test ignore availability', rs(3, 2), true, 3],
    ['test not ignore availability', rs(3, 2), false, 2],
  ] as const)('%s', (_name, set, ignore, want) => {
    expect(getReplicasForScaleDown(set, ignore)).toBe(want);
  });
});

describe('allDesiredAreAvailable (upstream TestAllDesiredAreAvailable)', () => {
  const fromObject = (replicas: number | undefined, available: number) =>
    replicaSetView({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs' },
      spec: replicas === undefined ? {} : { replicas },
      status: { availableReplicas: available },
    });
  it('test correct return (true) when all desired pods are available', () => {
    expect(allDesiredAreAvailable(fromObject(10, 10), 10)).toBe(true);
  });
  it('test correct return (false) when not all desired pods are available', () => {
    expect(allDesiredAreAvailable(fromObject(10, 9), 10)).toBe(false);
  });
  it('test correct return (false) when all ReplicaSet is nil', () => {
    expect(allDesiredAreAvailable(undefined, 10)).toBe(false);
  });
  it('test correct return (false) when rs.Spec.Replicas is nil and desired != 1 (GetReplicasOrDefault returns 1)', () => {
    expect(allDesiredAreAvailable(fromObject(undefined, 10), 10)).toBe(false);
  });
  it('test correct return (true) when rs.Spec.Replicas is nil and desired is 1', () => {
    expect(allDesiredAreAvailable(fromObject(undefined, 1), 1)).toBe(true);
  });
});

describe('replicaProgressThresholdMet (upstream TestAllReplicaProgressThresholdMet)', () => {
  const rs = (available: number, spec = 0) => newRS('', spec, available);
  it.each([
    [
      'test using percentage that 90% availability of pods passes',
      { type: 'Percent', value: 90 },
      rs(9),
      10,
      true,
    ],
    [
      'test using pod values that 90% availability of pods correctly passes',
      { type: 'Pods', value: 9 },
      rs(9),
      10,
      true,
    ],
    [
      'test using percentage that under 90% availability of pods correctly fails',
      { type: 'Percent', value: 90 },
      rs(8),
      10,
      false,
    ],
    ['test using pod values that under 8 pods correctly fails', { type: 'Pods', value: 8 }, rs(7), 10, false],
    [
      'test that when threshold is under 0, it defaults to 100% of pods being available to return true',
      { type: 'Pods', value: -100 },
      rs(10, 10),
      10,
      true,
    ],
    [
      'test that when threshold is nil, it defaults to 100% of pods being available to return true',
      undefined,
      rs(10, 5),
      10,
      false,
    ],
    [
      'test that when the replicaset is nil, it always returns false',
      { type: 'Pods', value: 5 },
      undefined,
      10,
      false,
    ],
    [
      'test that percentages well above the required threshold correctly pass',
      { type: 'Percent', value: 100 },
      rs(100),
      10,
      true,
    ],
    [
      'test that when desired is 0, threshold is always met (percentage type only)',
      { type: 'Percent', value: 90 },
      rs(0),
      0,
      true,
    ],
  ] as const)('%s', (_name, threshold, set, desired, want) => {
    expect(replicaProgressThresholdMet(threshold, set, desired)).toBe(want);
  });

  it('a percentage that is met up to float error still counts (2 of 3 pods at 66.66666666666667%)', () => {
    expect(replicaProgressThresholdMet({ type: 'Percent', value: 66.66666666666667 }, rs(2), 3)).toBe(true);
  });
});

describe('fenceposts (upstream TestResolveFenceposts, TestMaxSurge, TestMaxUnavailable)', () => {
  it.each([
    ['0%', '0%', 0, { surge: 0, unavailable: 1 }],
    ['39%', '39%', 10, { surge: 4, unavailable: 3 }],
    ['oops', '39%', 10, undefined],
    ['55%', 'urg', 10, undefined],
    [undefined, '39%', 10, { surge: 0, unavailable: 3 }],
    ['39%', undefined, 10, { surge: 4, unavailable: 0 }],
    [undefined, undefined, 10, { surge: 0, unavailable: 1 }],
  ] as const)('resolveFenceposts(%s, %s, %i)', (surge, unavailable, desired, want) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual(want);
  });

  it('reads a string without % as a percent, as the legacy GetValueFromIntOrPercent does', () => {
    expect(getValueFromIntOrPercent('25', 10, true)).toBe(3);
    expect(getValueFromIntOrPercent('25', 10, false)).toBe(2);
    expect(getValueFromIntOrPercent('2%5', 10, false)).toBe(2);
    expect(getValueFromIntOrPercent(' 25%', 10, false)).toBeUndefined();
  });

  const canary = (
    replicas: number | undefined,
    surge: IntOrString,
    unavailable: IntOrString,
  ): RolloutLike['spec'] => ({
    ...(replicas === undefined ? {} : { replicas }),
    strategy: { canary: { maxSurge: surge, maxUnavailable: unavailable } },
  });
  it.each([
    ['maxSurge with int', canary(10, 5, 1), 5],
    ['maxSurge with BlueGreen deployment strategy', { strategy: { blueGreen: { activeService: '' } } }, 0],
    ['maxSurge with percents', canary(10, '50%', 1), 5],
    ['default 25% rounds up', { replicas: 10, strategy: { canary: {} } }, 3],
  ] as const)('maxSurge: %s', (_name, spec, want) => {
    expect(maxSurge(spec)).toBe(want);
  });
  it.each([
    ['maxUnavailable less than replicas', canary(10, 1, 5), 5],
    ['maxUnavailable equal replicas', canary(10, 1, 10), 10],
    ['maxUnavailable greater than replicas', canary(5, 1, 10), 5],
    ['maxUnavailable with replicas is 0', canary(0, 1, 10), 0],
    [
      'maxUnavailable with BlueGreen deployment strategy',
      { strategy: { blueGreen: { activeService: '' } } },
      0,
    ],
    ['maxUnavailable less than replicas with percents', canary(10, 1, '50%'), 5],
    ['maxUnavailable equal replicas with percents', canary(10, 1, '100%'), 10],
    ['maxUnavailable greater than replicas with percents', canary(5, 1, '100%'), 5],
    ['default 25% rounds down', { replicas: 10, strategy: { canary: {} } }, 2],
  ] as const)('maxUnavailable: %s', (_name, spec, want) => {
    expect(maxUnavailable(spec)).toBe(want);
  });
});

describe('ReplicaSet sums (upstream TestGetReplicaCountForReplicaSets)', () => {
  const rs = (
    name: string,
    spec: number,
    status: number,
    ready: number,
    available: number,
  ): ReplicaSetView => ({
    name,
    replicas: spec,
    statusReplicas: status,
    readyReplicas: ready,
    availableReplicas: available,
  });
  const rs1 = rs('foo', 1, 2, 0, 0);
  const rs2 = rs('bar', 2, 3, 1, 0);
  const rs3 = rs('baz', 3, 4, 2, 1);
  it.each([
    ['1 Spec, 2 Actual, 0 Ready, 0 Available', [rs1], 1, 2, 0, 0],
    ['3 Spec, 5 Actual, 1 Ready, 0 Available', [rs1, rs2], 3, 5, 1, 0],
    ['6 Spec, 9 Actual, 3 Ready, 1 Available', [rs1, rs2, rs3], 6, 9, 3, 1],
  ] as const)('%s', (_name, sets, spec, actual, ready, available) => {
    expect(sumReplicas(sets)).toBe(spec);
    expect(sumActualReplicas(sets)).toBe(actual);
    expect(sumReadyReplicas(sets)).toBe(ready);
    expect(sumAvailableReplicas(sets)).toBe(available);
  });
});

describe('blue-green new ReplicaSet count (upstream TestNewRSNewReplicas, TestNewRSNewReplicasWitPreviewReplicaCount)', () => {
  it('blue-green without previewReplicaCount is R; no strategy is an error', () => {
    expect(
      newRSNewReplicas(
        { spec: { replicas: 3, strategy: { blueGreen: { activeService: '' } } } },
        [],
        undefined,
      ),
    ).toBe(3);
    expect(() => newRSNewReplicas({ spec: { replicas: 3, strategy: {} } }, [], undefined)).toThrow(
      'no rollout strategy provided',
    );
  });

  const foo = newRS('foo', 0, 0);
  const bar = newRS('bar', 0, 0);
  it.each([
    { name: 'No active rs is set', activeSelector: '', expectReplicaCount: 10 },
    { name: 'Active rs is the new RS', activeSelector: 'foo', expectReplicaCount: 10 },
    {
      name: "Rollout's currentPodHash doesn't match up",
      activeSelector: 'bar',
      overrideCurrentPodHash: 'baz',
      scaleUpPreviewCheckpoint: true,
      expectReplicaCount: 1,
    },
    {
      name: 'Rollout is unpaused and ready to scale up',
      activeSelector: 'bar',
      scaleUpPreviewCheckpoint: true,
      expectReplicaCount: 10,
    },
    { name: 'The rollout should use the preview value', activeSelector: 'bar', expectReplicaCount: 1 },
    {
      name: 'Ignore preview replica count during promote full',
      activeSelector: 'bar',
      expectReplicaCount: 10,
      promoteFull: true,
    },
  ])('$name', (test) => {
    const ro: RolloutLike = {
      spec: { replicas: 10, strategy: { blueGreen: { activeService: '', previewReplicaCount: 1 } } },
      status: {
        blueGreen: {
          scaleUpPreviewCheckPoint: test.scaleUpPreviewCheckpoint ?? false,
          activeSelector: test.activeSelector,
        },
        currentPodHash: test.overrideCurrentPodHash ?? 'foo',
        promoteFull: test.promoteFull ?? false,
      },
    };
    expect(newRSNewReplicas(ro, [foo, bar], foo)).toBe(test.expectReplicaCount);
  });

  it('readyForPause: the preview ReplicaSet has and runs exactly previewReplicaCount pods', () => {
    const ro: RolloutLike = {
      spec: { replicas: 10, strategy: { blueGreen: { activeService: '', previewReplicaCount: 1 } } },
      status: { blueGreen: { activeSelector: 'bar' }, currentPodHash: 'foo' },
    };
    expect(readyForPause(ro, newRS('foo', 1, 1), [newRS('foo', 1, 1), bar])).toBe(true);
    expect(readyForPause(ro, newRS('foo', 1, 0), [newRS('foo', 1, 0), bar])).toBe(false);
    expect(readyForPause(ro, newRS('foo', 2, 2), [newRS('foo', 2, 2), bar])).toBe(false);
  });

  it('getReplicaSetByTemplateHash splits the match from the other hash-labelled ReplicaSets', () => {
    const unlabelled: ReplicaSetView = {
      name: 'x',
      replicas: 0,
      statusReplicas: 0,
      availableReplicas: 0,
      readyReplicas: 0,
    };
    expect(getReplicaSetByTemplateHash([foo, bar, unlabelled], 'foo')).toEqual({ match: foo, others: [bar] });
    expect(getReplicaSetByTemplateHash([foo, bar], '')).toEqual({ match: undefined, others: [foo, bar] });
  });
});

describe('ReplicaSet availability (upstream TestIsReplicaSetAvailable, TestIsReplicaSetPartiallyAvailable)', () => {
  const rs = (spec: number, available: number) => newRS('', spec, available);
  it('available means scaled up with every pod available', () => {
    expect(isReplicaSetAvailable(undefined)).toBe(false);
    expect(isReplicaSetAvailable(rs(1, 0))).toBe(false);
    expect(isReplicaSetAvailable(rs(1, 1))).toBe(true);
    expect(isReplicaSetAvailable(rs(1, 2))).toBe(true);
    // scaled-down ReplicaSets count as not available
    expect(isReplicaSetAvailable(rs(0, 0))).toBe(false);
  });
  it('partially available means at least one pod available', () => {
    expect(isReplicaSetPartiallyAvailable(rs(2, 0))).toBe(false);
    expect(isReplicaSetPartiallyAvailable(rs(2, 1))).toBe(true);
    expect(isReplicaSetPartiallyAvailable(rs(2, 2))).toBe(true);
  });
});

describe('replicaSetView', () => {
  it('reads spec, status, labels and defaults spec.replicas to 1', () => {
    const view = replicaSetView({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'web-6f7d9',
        creationTimestamp: '2024-01-01T00:00:00Z',
        labels: { 'rollouts-pod-template-hash': '6f7d9' },
        annotations: { 'rollout.argoproj.io/revision': '3' },
      },
      spec: {},
      status: { replicas: 2, availableReplicas: 1, readyReplicas: 2 },
    });
    expect(view).toEqual({
      name: 'web-6f7d9',
      podTemplateHash: '6f7d9',
      replicas: 1,
      statusReplicas: 2,
      availableReplicas: 1,
      readyReplicas: 2,
      creationTimestamp: '2024-01-01T00:00:00Z',
      annotations: { 'rollout.argoproj.io/revision': '3' },
    });
  });

  it('names the ReplicaSet when a field has the wrong type', () => {
    expect(() =>
      replicaSetView({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'rs', namespace: 'ns' },
        spec: { replicas: 'two' },
      }),
    ).toThrow(/ReplicaSet\/ns\/rs: spec\.replicas/);
  });
});

describe('inputs straight from the informer cache', () => {
  it('accepts deeply read-only Rollouts and never changes them', () => {
    const ro: DeepReadonly<RolloutLike> = Object.freeze({
      spec: Object.freeze({
        replicas: 10,
        strategy: { canary: { maxSurge: 1, maxUnavailable: 0, steps: [{ setWeight: 30 }] } },
      }),
      status: Object.freeze({ stableRS: 'stable', currentPodHash: 'canary' }),
    });
    const before = JSON.stringify(ro);
    expect(
      calculateReplicaCountsForBasicCanary(ro, newRS('canary', 0, 0), newRS('stable', 10, 10), []),
    ).toEqual({ canary: 1, stable: 10 });
    expect(JSON.stringify(ro)).toBe(before);
  });
});

describe('differential: random cases computed by upstream Go (CalculateReplicaCountsFor{Basic,TrafficRouted}Canary)', () => {
  // Generated with math/rand seed 20260817 by running upstream's canary.go. Columns:
  // R, steps (number = setWeight, 'p' = pause, {r}/{w}/'m' = setCanaryScale replicas/weight/matchTrafficWeight),
  // currentStepIndex, maxSurge, maxUnavailable, flags (P promoteFull, A abort, T trafficRouting,
  // D dynamicStableScale), minPodsPerReplicaSet, abortScaleDownDelaySeconds, maxTrafficWeight,
  // stable [spec, available], canary [spec, available], older [spec, available] (basic canary only),
  // router weights [canary, stable], expected [canary, stable].
  type Step = number | 'p' | 'm' | { r: number } | { w: number };
  type Pair = [number, number] | null;
  type Row = [
    number,
    Step[],
    number,
    IntOrString,
    IntOrString,
    string,
    number | null,
    number | null,
    number | null,
    Pair,
    Pair,
    Pair,
    Pair,
    [number, number],
  ];
  // biome-ignore format: generated table, one case per line
  const rows: Row[] = [
    [8, [38, 'p', 'p'], 3, 0, 1, '', null, null, null, [2, 0], [2, 1], null, null, [6, 2]],
    [12, [74, 'p', 68], 2, 1, "50%", '', null, null, null, [0, 1], [3, 4], null, null, [9, 4]],
    [4, [31, 'p', 53], 2, "20%", 3, 'TD', null, 0, null, null, [4, 2], null, [20, 80], [3, 4]],
    [8, [92], 0, 2, 3, 'A', null, null, null, [10, 7], [9, 10], null, null, [0, 10]],
    [3, [{ w: 43 }, 65, 96, 36], 0, 0, "25%", 'A', null, null, null, null, [3, 1], [3, 2], null, [3, 0]],
    [6, [{ r: 2 }, 65, 87], 2, 1, 0, 'P', null, null, null, [2, 0], [7, 5], null, null, [6, 1]],
    [1, [{ r: 2 }, 45, 24], 2, "0%", 0, 'T', null, null, 1000, [1, 1], [0, 0], null, null, [2, 1]],
    [10, ['p'], 1, 3, 1, 'TD', null, null, null, [4, 1], [4, 2], null, [61, 39], [10, 4]],
    [11, ['p', 'p', 45], 0, 0, "50%", 'T', null, null, null, [1, 0], null, null, [15, 85], [0, 11]],
    [2, ['m', 53], 2, "25%", 1, '', null, null, null, [3, 0], [0, 0], null, null, [0, 1]],
    [2, ['p', 45, 2], 3, 2, 1, 'T', null, null, null, [4, 2], [2, 0], null, [4, 96], [2, 2]],
    [0, [{ w: 94 }, 77, 85], 3, 0, "0%", '', null, null, null, [0, 1], [1, 1], null, null, [0, 0]],
    [7, [38], 1, 0, "25", '', null, null, null, [1, 0], [8, 8], null, null, [7, 0]],
    [10, [96, 11], 0, 1, 0, '', null, null, null, [2, 1], [8, 6], null, null, [9, 2]],
    [4, [32, 'p', 21, { r: 1 }], 4, 3, 0, '', null, null, null, [0, 0], [0, 1], [6, 1], null, [1, 0]],
    [2, [17, 6, 71, { w: 55 }], 2, "20%", 2, 'A', null, null, null, [3, 4], [4, 5], null, null, [0, 3]],
    [0, [73, 67, 34, 'p'], 1, "25", 3, 'T', 0, null, 1000, [2, 1], [1, 1], null, [58, 42], [0, 0]],
    [5, ['p', { r: 4 }], 0, 0, "25", 'A', null, null, null, [4, 2], [4, 0], null, null, [2, 3]],
    [3, [38], 0, 1, 0, 'T', 1, null, null, [4, 1], [1, 0], null, [18, 82], [2, 3]],
    [12, [{ w: 50 }, 'p'], 0, "10%", "33%", 'TD', 2, null, null, [2, 0], [6, 1], null, [52, 48], [6, 6]],
    [10, [79], 0, "50%", "20%", 'TD', null, null, null, [12, 6], [6, 3], null, [74, 26], [8, 3]],
    [9, ['p', { r: 2 }, 93, 64], 1, 2, 3, 'AT', null, null, null, null, [10, 6], null, null, [0, 9]],
    [4, [{ r: 2 }, 'p'], 1, 0, 1, '', null, null, null, [4, 3], [1, 1], null, null, [0, 4]],
    [9, [3], 0, "25", 0, 'T', null, null, null, [7, 6], [5, 3], null, [6, 94], [1, 9]],
    [1, [{ w: 99 }, 82, 'p', { r: 0 }], 0, "33%", 0, 'T', null, null, null, [0, 0], null, null, [45, 55], [1, 1]],
    [6, [63, { r: 0 }, 87, 52], 0, 0, "100%", 'ATD', null, null, null, [0, 0], [3, 4], null, [78, 22], [5, 3]],
    [8, ['m', 'p'], 2, 0, "100%", 'T', null, null, 1000, [2, 0], [8, 5], null, [85, 15], [8, 8]],
    [11, [68, 'p', 15], 1, 3, "20%", '', null, null, null, [1, 0], [6, 2], [0, 0], null, [8, 4]],
    [0, [75, 39], 1, 1, 3, '', null, null, null, [0, 0], [2, 1], [1, 0], null, [2, 0]],
    [4, ['m'], 1, 0, "25%", '', null, null, null, [0, 1], [0, 0], null, null, [4, 0]],
    [9, [64, 0, 'p'], 1, 3, 2, 'PA', null, null, null, [1, 2], [1, 0], null, null, [9, 1]],
    [2, [12, { w: 68 }, 73], 1, "33%", 1, 'TD', null, null, null, [3, 4], [2, 3], null, [75, 25], [2, 1]],
    [5, ['p', 36, 'p'], 3, 1, 1, '', null, null, null, [0, 0], [4, 2], null, null, [5, 0]],
    [6, [14, 'p', { r: 0 }], 1, "33%", 1, 'T', null, null, null, [1, 0], [5, 2], null, [71, 29], [1, 6]],
    [4, ['m'], 1, 2, 1, '', null, null, null, [3, 3], [6, 0], null, null, [3, 3]],
    [6, ['p', { w: 79 }, 82, { r: 2 }], 2, "100%", 1, 'ATD', null, null, 1000, [0, 0], [8, 3], null, [27, 73], [1, 6]],
    [3, [20, 'p', 40, 23], 2, 0, "10%", '', null, null, null, [5, 5], [3, 2], null, null, [1, 2]],
    [6, [2, 'm'], 0, 2, "10%", 'ATD', null, 30, null, [7, 7], null, null, [57, 43], [4, 6]],
    [8, ['p', 22, 'p'], 0, 1, "25%", '', null, null, null, [4, 3], [1, 0], null, null, [1, 8]],
    [5, ['p', 21, 'm'], 2, 3, "0%", 'P', null, null, null, [6, 2], [3, 0], [6, 4], null, [3, 6]],
    [6, ['p', { r: 4 }, 'p', 'm'], 4, "50%", 1, 'T', 0, null, null, [4, 0], [1, 1], null, [16, 84], [6, 6]],
    [1, ['p', 'p', 'm'], 2, 2, "25%", '', null, null, null, [2, 1], [0, 0], null, null, [0, 1]],
    [4, [{ r: 0 }, 'p', 54], 3, "20%", 0, '', null, null, null, [4, 5], [2, 0], null, null, [2, 4]],
    [0, ['m', { w: 16 }], 0, "10%", "0%", '', null, null, null, [0, 0], [1, 1], null, null, [0, 0]],
    [0, [33, 18, { w: 62 }], 3, 1, "25%", '', null, null, null, [2, 3], [2, 3], [2, 2], null, [2, 2]],
    [12, [40, 'm', 'p', 'p'], 2, "20%", 1, '', null, null, null, [5, 6], [1, 0], null, null, [5, 8]],
    [0, [76], 1, "25", "10%", 'P', null, null, null, [0, 0], [2, 3], null, null, [0, 0]],
    [4, [90], 1, 0, 1, '', null, null, null, [3, 2], [2, 1], null, null, [2, 2]],
    [3, [54, 'm', 37, 32], 2, "25", "25", 'TD', null, null, null, [0, 1], [0, 1], null, null, [2, 2]],
    [9, ['m', { w: 67 }], 2, 1, "10%", 'P', null, null, null, [7, 3], [11, 4], null, null, [7, 3]],
    [9, ['p'], 1, 1, 0, '', null, null, null, [3, 3], [3, 3], null, null, [7, 3]],
    [5, [{ r: 2 }, { r: 1 }, 23, 'p'], 3, 1, 0, '', null, null, null, [7, 5], [2, 1], null, null, [1, 5]],
    [9, [{ w: 66 }], 0, 1, 0, 'A', null, null, null, [8, 5], [4, 0], null, null, [4, 8]],
    [10, ['p'], 0, "10%", 0, 'A', null, null, null, [7, 5], [7, 6], null, null, [5, 6]],
    [11, [26, 61, 'p'], 0, "50%", 2, 'P', null, null, null, [12, 4], [1, 2], [1, 0], null, [4, 12]],
    [6, [7, 54], 1, "25%", 1, '', null, null, null, [7, 7], [6, 1], null, null, [4, 4]],
    [9, ['p', 33, 6], 1, 1, 0, '', null, null, null, [0, 1], [11, 3], null, null, [9, 1]],
    [7, [{ w: 17 }, 16, 24], 1, "0%", "25%", 'PT', null, 0, 1000, [9, 1], [2, 1], null, [30, 70], [7, 7]],
    [6, ['p', 'p'], 1, 3, 0, '', null, null, null, [1, 1], null, null, null, [0, 6]],
    [12, [{ w: 73 }, 3], 2, "33%", 1, 'TD', null, 0, 1000, [12, 9], [7, 8], null, [33, 67], [12, 1]],
    [6, [{ r: 2 }, 41, 'm'], 3, 3, 2, 'A', null, null, null, [4, 3], [6, 7], null, null, [1, 4]],
    [2, [{ w: 89 }, 80], 0, 1, 1, '', null, null, null, [2, 2], null, [2, 0], null, [0, 2]],
    [12, [{ r: 0 }], 0, 0, 1, 'TD', null, 30, null, [3, 4], [13, 2], null, [19, 81], [0, 12]],
    [6, [12, 11, { w: 63 }], 0, 1, "20%", '', null, null, null, [7, 3], [5, 5], null, null, [2, 5]],
    [9, ['p', 62, 'p'], 3, 0, 0, '', null, null, null, [9, 7], null, null, null, [0, 8]],
    [6, [18, { r: 6 }, 26, { w: 28 }], 1, "0%", "0%", 'P', null, null, null, [6, 3], [8, 8], null, null, [6, 0]],
    [4, [87], 1, 2, 0, '', null, null, null, [2, 3], [4, 5], [3, 1], null, [4, 2]],
    [11, ['p', { w: 87 }, 37, 'p'], 0, "33%", 1, 'T', null, 30, 1000, [8, 8], [6, 6], null, [33, 67], [0, 11]],
    [2, [2], 1, "10%", 0, 'A', null, null, null, [0, 0], [4, 2], null, null, [2, 0]],
    [3, [{ w: 50 }, 99, 50, 10], 4, 1, "10%", 'A', null, null, null, [3, 2], [5, 0], null, null, [1, 3]],
    [5, [34, { w: 9 }], 2, "10%", 0, '', null, null, null, [2, 2], [0, 0], null, null, [4, 2]],
    [2, [15, { r: 2 }], 1, 0, "25%", '', null, null, null, [4, 3], [0, 0], null, null, [0, 1]],
    [3, [{ r: 4 }], 0, 1, "33%", '', null, null, null, [2, 1], [5, 1], null, null, [2, 2]],
    [10, ['p'], 0, 0, "100%", 'A', null, null, null, [9, 10], [9, 0], null, null, [0, 9]],
    [5, [{ w: 48 }], 0, "100%", "100%", 'P', null, null, null, [7, 4], [5, 2], null, null, [5, 0]],
    [4, [31], 1, 1, 1, '', null, null, null, [3, 4], [6, 4], null, null, [4, 1]],
    [4, [61, 7], 1, 3, 0, '', null, null, null, [3, 2], [6, 3], [0, 0], null, [2, 3]],
    [8, [38, 77], 0, "100%", 2, '', null, null, null, [2, 3], [10, 2], null, null, [4, 5]],
    [9, [95, 'p'], 2, 0, 1, 'PA', null, null, null, [6, 2], [7, 8], [4, 2], null, [7, 6]],
    [0, [58, 85, 10, 70], 3, "50%", 0, '', null, null, null, [2, 3], [2, 1], [1, 1], null, [2, 2]],
    [8, [99], 1, "100%", 3, '', null, null, null, [10, 3], [7, 1], [0, 0], null, [7, 4]],
    [3, ['p', 52, 'p', { r: 4 }], 2, 1, 2, '', null, null, null, [1, 2], [3, 0], null, null, [2, 1]],
    [3, [75, 'p', 'p', 6], 1, 1, 0, 'ATD', null, null, null, [0, 0], [0, 1], null, [21, 79], [1, 3]],
    [10, ['m', 'm', 'p', 41], 4, "10%", 1, 'T', null, 0, null, [12, 2], [4, 5], null, null, [10, 10]],
    [5, ['p', 'p', 'p', 49], 3, 1, 0, '', null, null, null, [2, 0], [6, 4], null, null, [5, 1]],
    [7, [65, 'p', 'm', { r: 2 }], 1, 0, "100%", 'T', 3, 0, null, [9, 8], [6, 7], null, null, [5, 7]],
    [3, [24], 1, 1, "10%", '', null, null, null, [2, 2], [2, 3], [0, 0], null, [2, 1]],
    [10, ['p', 'p', 73], 2, "25%", 0, '', null, null, null, null, [11, 3], null, null, [10, 0]],
    [10, ['p', 77, 37], 3, "10%", 0, '', null, null, null, [4, 3], null, null, null, [0, 4]],
    [6, [61, 'p'], 0, 1, "33%", 'P', null, null, null, [1, 1], [2, 3], [7, 8], null, [2, 1]],
    [6, [50], 1, 0, "0%", '', null, null, null, null, [1, 1], null, null, [6, 0]],
    [1, ['m', 67], 2, "20%", 1, 'P', null, null, null, [3, 4], [0, 1], null, null, [0, 0]],
    [2, ['p'], 0, 0, "20%", 'PTD', null, null, null, [4, 5], [1, 0], null, null, [2, 0]],
    [9, [{ w: 55 }, 41, 'm'], 0, 1, "20%", 'T', null, null, 1000, [3, 4], [4, 4], null, [58, 42], [1, 9]],
    [6, ['p', { r: 3 }, 'p'], 1, "20%", 1, '', null, null, null, null, [6, 5], [3, 2], null, [6, 0]],
    [3, [54], 1, 1, 1, '', null, null, null, [0, 1], [4, 1], null, null, [3, 1]],
    [10, [37, 'p', { r: 7 }], 3, "0%", 0, '', null, null, null, [3, 4], [1, 2], null, null, [7, 3]],
    [2, ['p', 22, 97], 1, 0, 1, '', null, null, null, null, [1, 2], [3, 4], null, [1, 0]],
    [11, [{ w: 28 }, 17, 'p', 'p'], 1, "33%", 1, '', null, null, null, [6, 5], [6, 4], null, null, [5, 9]],
    [3, ['p', 63, 'p', 90], 4, 0, 2, 'A', null, null, null, [2, 1], [3, 1], null, null, [0, 2]],
    [10, [60, { r: 1 }, { r: 4 }], 1, 0, 0, 'T', 0, 0, null, [6, 3], null, null, [73, 27], [1, 10]],
    [5, ['p', 'p', 'p', { w: 81 }], 0, 0, 1, '', null, null, null, [1, 2], [7, 6], null, null, [3, 1]],
    [8, [54, 100, 88, { w: 25 }], 1, 1, "33%", 'T', null, 30, 1000, [10, 2], null, null, [93, 7], [1, 8]],
    [5, ['p', { r: 6 }], 1, "25%", 0, 'T', 2, null, 1000, [4, 0], [1, 1], null, [40, 60], [6, 5]],
    [5, [58], 0, "100%", 0, 'TD', 1, 0, null, [1, 2], [6, 1], null, [42, 58], [3, 3]],
    [7, [40, 'm', 74, 31], 4, "25%", 3, '', null, null, null, [6, 2], [0, 1], [5, 5], null, [0, 6]],
    [6, [8, 'p', 24], 3, 2, 2, '', null, null, null, [5, 0], [0, 0], null, null, [3, 4]],
    [5, [52, 'p'], 0, "0%", 0, '', null, null, null, [1, 1], [2, 3], [5, 3], null, [2, 1]],
    [1, ['p', 'p', { r: 0 }, 'p'], 1, "20%", 1, '', null, null, null, null, [0, 0], [1, 2], null, [1, 0]],
    [0, ['m', 'p', 28], 1, "0%", "20%", 'A', null, null, null, [2, 1], [0, 1], null, null, [0, 0]],
    [2, [56, 'p', { r: 2 }, 'p'], 4, 3, 0, 'TD', null, null, null, [2, 3], [3, 4], null, [17, 83], [2, 2]],
    [4, [{ w: 0 }, 38, 56], 0, 3, 0, 'TD', null, null, null, [6, 3], [5, 3], null, null, [0, 4]],
    [12, ['p', 32, 13, 46], 3, 1, "50%", 'A', null, null, null, null, [10, 7], null, null, [12, 0]],
    [6, [45], 1, 2, "25", '', null, null, null, [8, 0], [0, 0], [6, 4], null, [0, 8]],
    [7, ['p'], 0, 0, "0%", '', null, null, null, [8, 6], [5, 2], null, null, [0, 7]],
    [1, ['p', 'p', { r: 1 }, 86], 4, 1, 0, 'P', null, null, null, [1, 2], [1, 0], null, null, [1, 1]],
    [6, ['m', 31, 'p', 27], 4, 1, "50%", 'ATD', null, null, null, [4, 1], null, null, null, [0, 6]],
    [3, [{ w: 73 }], 0, 3, "33%", '', null, null, null, [5, 6], [1, 2], null, null, [0, 5]],
    [0, [58, 'p'], 0, "100%", 1, '', null, null, null, null, [2, 1], null, null, [0, 0]],
    [7, [40], 0, "10%", 1, '', null, null, null, [1, 0], [6, 3], [1, 0], null, [6, 1]],
    [1, [6, 93], 2, "50%", 1, '', null, null, null, [3, 0], [1, 1], null, null, [1, 0]],
    [7, [75, 70, 'p'], 3, "100%", 0, 'AT', 2, null, 1000, [3, 4], [9, 2], null, [83, 17], [0, 7]],
    [6, ['p', 'p', 77, 72], 1, 3, 1, 'PTD', 2, null, 1000, [4, 0], [0, 1], null, null, [6, 0]],
    [9, [{ r: 2 }, { w: 54 }], 0, "25%", 1, 'TD', null, null, null, [2, 0], [11, 2], null, [21, 79], [2, 9]],
    [6, [75, 96], 1, "50%", "20%", '', null, null, null, [5, 5], [4, 0], null, null, [4, 5]],
    [10, ['p', 18, 'm', 59], 3, 0, 0, '', null, null, null, [10, 10], [0, 1], null, null, [0, 9]],
    [5, ['p', 'p'], 2, "10%", "0%", '', null, null, null, null, [3, 0], null, null, [5, 0]],
    [6, ['p', 'p', 'm', 97], 3, 0, 2, '', null, null, null, [3, 1], [0, 1], null, null, [3, 3]],
    [5, [11, 84, 'p'], 0, 1, "33%", 'T', null, null, null, [7, 4], null, null, [61, 39], [1, 5]],
    [0, [62, 87], 2, "0%", 0, '', null, null, null, null, [1, 1], null, null, [0, 0]],
    [9, [3], 1, 0, 3, '', null, null, null, [2, 1], [7, 4], null, null, [7, 2]],
    [12, ['p', 'm', 'p', { w: 77 }], 2, 0, 2, '', null, null, null, [4, 1], [8, 3], null, null, [8, 4]],
    [12, [12], 0, "33%", 1, '', null, null, null, [11, 12], [13, 6], [9, 2], null, [13, 11]],
    [4, [4, { w: 37 }], 1, 0, 1, '', null, null, null, [4, 5], [4, 5], null, null, [1, 3]],
    [7, [92, { w: 9 }, 'm'], 1, 0, "25%", '', null, null, null, null, [6, 5], null, null, [7, 0]],
    [1, [14], 0, 2, "33%", '', null, null, null, [2, 1], null, null, null, [0, 1]],
    [7, [2, { r: 4 }], 1, "25%", "25%", 'T', null, 30, null, [8, 7], [0, 0], null, null, [4, 7]],
    [10, ['p'], 1, "25", 1, 'A', null, null, null, [7, 0], [1, 0], [9, 4], null, [1, 7]],
    [1, [{ r: 0 }, 'm', 33, 'p'], 0, "10%", 1, 'A', null, null, null, null, [2, 2], [0, 1], null, [1, 0]],
    [2, [99, 32], 0, 2, 2, '', null, null, null, [2, 0], [4, 1], null, null, [2, 2]],
    [12, [99, 'p', 55], 3, "33%", 1, '', null, null, null, [10, 5], [2, 0], [2, 3], null, [4, 10]],
    [3, [{ w: 97 }, 90, 'm'], 1, 0, 3, 'PTD', null, null, null, [4, 0], [3, 0], null, null, [3, 0]],
    [1, [{ r: 1 }, 22, 'p', 'p'], 1, "100%", "50%", 'PTD', 1, null, 1000, [0, 0], [2, 1], null, [13, 87], [1, 1]],
    [5, [54, 85, 73], 0, 1, 1, 'AT', null, 0, null, [4, 3], [6, 7], null, [69, 31], [0, 5]],
    [6, [23], 0, 3, 3, '', null, null, null, [0, 1], [1, 1], null, null, [2, 5]],
    [10, [3, 76, { w: 8 }, 3], 1, 1, 3, 'A', null, null, null, [4, 4], [2, 1], null, null, [2, 9]],
    [1, [{ r: 2 }], 1, 0, "25%", 'T', null, 0, null, [2, 3], null, null, null, [1, 1]],
    [9, [92], 1, "100%", "20%", 'T', null, 0, null, [8, 5], [7, 0], null, [2, 98], [9, 9]],
    [0, ['p', { r: 0 }, 'p', 79], 3, "33%", "33%", '', null, null, null, [0, 0], [2, 2], null, null, [0, 0]],
    [10, [10, 'p', 'p', 42], 0, 1, 1, '', null, null, null, [8, 4], [11, 11], null, null, [5, 6]],
    [6, [10], 1, 0, 0, 'TD', null, 30, null, [5, 5], [0, 0], null, null, [6, 0]],
    [8, ['p', 'p', 47, 64], 2, "0%", 1, 'T', null, null, null, [7, 0], [2, 3], null, [60, 40], [4, 8]],
    [6, [{ w: 86 }], 1, "50%", 0, 'T', null, null, null, [2, 1], [7, 1], null, null, [6, 6]],
    [1, [39], 0, 1, "25", 'A', null, null, null, [2, 0], [2, 3], null, null, [1, 1]],
    [12, ['p'], 1, "100%", "0%", '', null, null, null, [5, 1], [13, 1], null, null, [12, 5]],
    [3, [27, 'm', 'p'], 2, 0, 0, 'T', null, 0, null, [1, 0], [2, 2], null, [54, 46], [1, 3]],
    [4, [{ w: 33 }], 1, 3, 0, '', null, null, null, [1, 2], [6, 2], null, null, [4, 2]],
    [12, [82, 'm', 'p'], 1, "20%", 3, '', null, null, null, [0, 0], [14, 2], [10, 5], null, [14, 0]],
    [3, [47, 'm', 'm'], 3, "50%", 1, '', null, null, null, [3, 2], [3, 1], null, null, [3, 1]],
    [7, ['p', 'p', 81, 'p'], 2, 1, 1, '', null, null, null, [0, 0], [4, 0], null, null, [6, 1]],
    [12, ['p', { w: 49 }, 100], 3, 0, 1, 'P', null, null, null, null, [13, 11], null, null, [12, 0]],
    [2, [76, 6, 'p'], 3, "25%", 3, '', null, null, null, [3, 3], [0, 1], null, null, [0, 0]],
    [2, [32, 91, 14], 0, "100%", "25%", 'P', null, null, null, [1, 1], [3, 3], null, null, [2, 1]],
    [6, ['p', 'p', 0], 2, "0%", 1, '', null, null, null, [0, 1], [7, 6], null, null, [5, 0]],
    [11, [51, 'p'], 2, "100%", 1, 'A', null, null, null, [6, 3], [12, 9], [3, 0], null, [12, 7]],
    [0, ['p', 15], 2, 1, 0, 'T', 3, 30, null, [0, 1], [2, 0], null, null, [0, 0]],
    [5, [{ r: 5 }, 99, 36, { w: 32 }], 4, "10%", "100%", 'A', null, null, null, [0, 0], [7, 3], null, null, [0, 0]],
    [12, [40, 85], 0, 0, 1, 'T', 0, 0, null, [8, 0], [3, 0], null, [89, 11], [5, 12]],
    [3, ['m', 'p', 'p', 'p'], 1, 0, 0, 'T', null, null, null, null, [3, 1], null, null, [0, 3]],
    [7, ['p', 'm', 11, 'p'], 4, "0%", "50%", '', null, null, null, [8, 5], [1, 1], [8, 9], null, [1, 8]],
    [6, ['p', 'm', 'p'], 1, 0, "100%", '', null, null, null, [1, 2], [6, 1], null, null, [0, 1]],
    [7, [61, 'p'], 0, 3, "25%", '', null, null, null, [7, 6], null, null, null, [0, 6]],
    [12, [49, { w: 59 }, 'p'], 0, "25", 1, 'T', 0, 0, null, [3, 1], null, null, [80, 20], [6, 12]],
    [12, [76], 0, 1, "0%", 'T', null, 30, null, [6, 4], [1, 1], null, [65, 35], [10, 12]],
    [5, ['m', 72, 98, 7], 2, 1, 3, 'A', null, null, null, [1, 0], [1, 2], null, null, [1, 5]],
    [5, ['p', 46, 'p'], 2, 1, 0, 'T', null, null, 1000, [6, 4], [6, 2], null, [50, 50], [1, 5]],
    [3, [{ w: 64 }, 75], 0, 1, 1, 'A', null, null, null, [5, 3], [4, 1], [4, 5], null, [4, 5]],
    [8, ['p', 89, { w: 20 }, 'p'], 0, 0, 3, '', null, null, null, [10, 10], [3, 0], null, null, [0, 8]],
    [8, [{ w: 67 }, 35, { r: 8 }], 1, "0%", 1, 'PA', null, null, null, [10, 9], [0, 0], [8, 7], null, [0, 10]],
    [7, ['p', 'm'], 0, 3, "33%", '', null, null, null, [9, 8], [2, 0], [1, 0], null, [2, 9]],
    [3, ['p', { w: 100 }, { r: 1 }, 'm'], 1, 2, "25", '', null, null, null, [1, 1], [3, 1], [3, 1], null, [3, 1]],
    [7, [13, { r: 8 }], 0, 0, "10%", '', null, null, null, [9, 9], [4, 1], null, null, [1, 6]],
    [3, [30], 0, 1, 1, 'AT', null, null, 1000, [4, 1], [0, 0], null, null, [0, 3]],
    [7, [46, 15], 2, 1, 1, 'TD', 0, 0, null, [6, 2], [3, 2], null, [72, 28], [7, 2]],
    [4, ['p', { r: 1 }], 0, 1, 1, '', null, null, null, [2, 0], [6, 6], null, null, [3, 2]],
    [3, [51], 1, "50%", "100%", 'P', null, null, null, [1, 0], [5, 1], [5, 1], null, [5, 1]],
    [11, ['p', { w: 42 }, 96, 'p'], 3, 1, 2, '', null, null, null, [13, 4], [10, 6], null, null, [9, 3]],
    [9, ['m'], 1, "10%", "50%", 'A', null, null, null, [0, 1], [7, 5], null, null, [5, 3]],
    [4, [27, 'p', { r: 4 }], 0, "25", 3, '', null, null, null, [0, 1], [6, 1], [4, 2], null, [6, 0]],
    [7, ['p'], 1, 1, 1, 'A', null, null, null, null, [3, 4], null, null, [7, 0]],
    [11, [87, 'p', 64, 34], 3, 1, "10%", 'PTD', null, null, null, [7, 1], [9, 2], null, null, [11, 0]],
    [5, [57, 45, { r: 4 }], 0, 1, 1, 'ATD', null, null, null, [4, 1], [3, 4], null, [79, 21], [4, 3]],
    [9, [37], 0, 1, "50%", 'T', null, 0, null, [0, 0], null, null, null, [4, 9]],
    [11, ['p', 52, 'm'], 0, 1, 1, 'P', null, null, null, [9, 7], [2, 3], [12, 6], null, [2, 9]],
    [3, [99], 1, 1, 1, 'TD', null, 0, 1000, [0, 1], [4, 0], null, [53, 47], [3, 1]],
    [1, [39, 17, 'p'], 1, 1, "25%", 'TD', null, null, null, [1, 1], [2, 3], null, [97, 3], [1, 1]],
    [3, [2, 41], 2, 0, 0, '', null, null, null, [5, 4], [4, 5], null, null, [3, 0]],
    [5, [30], 0, 1, "50%", 'T', null, 30, null, null, [0, 1], null, null, [2, 5]],
    [9, [1, 'p'], 2, "20%", "25%", '', null, null, null, [1, 2], [6, 7], [1, 0], null, [9, 1]],
    [9, ['p', 'p'], 2, 1, 1, '', null, null, null, [6, 6], [7, 4], null, null, [6, 4]],
    [0, [52, { w: 71 }, 41], 2, 1, "20%", 'T', null, 30, null, null, [2, 2], null, null, [0, 0]],
    [3, ['m', { w: 87 }], 2, 2, 3, '', null, null, null, [2, 1], [2, 2], [0, 1], null, [3, 0]],
    [12, ['m', 42], 2, 0, 1, '', null, null, null, [13, 10], [4, 5], null, null, [4, 7]],
    [8, [67, 60], 1, 0, "25", 'T', null, 30, null, [1, 2], null, null, [18, 82], [5, 8]],
    [4, [35, 'p', { r: 5 }], 1, 1, 3, 'TD', 2, 0, null, [3, 3], [0, 1], null, null, [2, 3]],
    [5, [{ r: 5 }], 0, "20%", 3, 'TD', null, 30, null, [1, 2], [4, 5], null, null, [5, 5]],
    [10, [16], 1, "50%", 0, '', null, null, null, [9, 10], [4, 4], [5, 1], null, [4, 9]],
    [1, ['p', 0, { w: 91 }], 3, 0, 0, 'P', null, null, null, [0, 1], [3, 1], null, null, [1, 0]],
    [2, [39, 59, { r: 0 }, 43], 2, "0%", "50%", '', null, null, null, [3, 3], [4, 1], [3, 1], null, [4, 3]],
    [3, ['m', 100], 0, 0, 1, 'T', null, 0, 1000, [2, 1], [4, 5], null, null, [0, 3]],
    [1, [77, 100, 4, 'p'], 2, 0, 1, '', null, null, null, null, [3, 0], null, null, [1, 0]],
    [1, ['p', 90, 'm'], 3, 1, "25%", 'TD', null, null, 1000, [2, 1], [2, 0], null, [35, 65], [1, 1]],
    [4, [21, { w: 86 }, 32], 0, "20%", "25", '', null, null, null, [2, 1], [1, 1], [2, 3], null, [1, 2]],
    [12, [57, 72, 'p'], 1, 0, 0, '', null, null, null, [14, 2], [14, 13], [13, 5], null, [14, 14]],
    [8, ['p', 64], 0, 0, 0, '', null, null, null, [8, 5], null, null, null, [0, 8]],
    [12, [86, 'p', 'p'], 2, "20%", 0, '', null, null, null, [6, 1], [4, 4], null, null, [9, 6]],
    [12, ['p', 'm', 'm'], 1, 1, 0, 'TD', null, 30, null, [6, 2], [1, 2], null, [82, 18], [0, 12]],
    [8, [50, 19], 2, "50%", 0, '', null, null, null, [3, 1], [9, 7], [4, 5], null, [9, 3]],
    [11, ['p', 94], 0, 0, "10%", 'ATD', null, 30, null, [8, 8], null, null, null, [0, 11]],
    [9, [{ r: 5 }, 22], 0, 2, "50%", 'A', null, null, null, [5, 0], [2, 1], null, null, [2, 9]],
    [2, [65, 59, 65], 1, "33%", "25", 'AT', 3, null, 1000, [3, 0], [0, 0], null, null, [0, 2]],
    [11, [37, 95], 2, 3, 0, 'T', null, null, null, [13, 6], [11, 10], null, [11, 89], [11, 11]],
    [5, [32, 'p', 'p', 'p'], 1, 1, "33%", 'T', null, 30, null, [5, 5], null, null, [9, 91], [2, 5]],
    [1, [91, 45, 12, 'p'], 4, 0, 0, '', null, null, null, [2, 3], [1, 2], [3, 4], null, [1, 2]],
    [3, ['m', 98, 'p', 89], 3, 1, "100%", 'ATD', null, 0, null, [1, 0], [1, 1], null, [78, 22], [3, 3]],
    [4, [54, 'p', 'm'], 1, 1, "25%", 'TD', 2, null, null, [4, 0], [3, 1], null, [96, 4], [3, 2]],
    [12, ['p', 54, { w: 63 }, 64], 2, 3, 1, '', null, null, null, [4, 2], [1, 2], [11, 7], null, [1, 4]],
    [6, [72, 'm', 15], 3, 2, "20%", '', null, null, null, [5, 0], [0, 1], null, null, [3, 5]],
    [5, [8, 22, 12, 'm'], 1, "33%", 1, '', null, null, null, [4, 3], [0, 0], [1, 2], null, [1, 4]],
    [11, [2, { r: 1 }, 'p', 7], 2, 1, 3, 'T', null, null, 1000, [7, 5], [5, 3], null, [60, 40], [1, 11]],
    [12, [19, 'm'], 2, 1, 1, '', null, null, null, [4, 5], [8, 9], null, null, [9, 3]],
    [5, ['p'], 0, 1, "25%", 'TD', 1, null, null, [1, 2], [6, 1], null, [26, 74], [0, 5]],
    [1, [17, 66], 0, "20%", 0, '', null, null, null, [1, 0], [3, 3], null, null, [1, 1]],
    [8, [{ r: 6 }, 'p'], 1, "33%", 0, '', null, null, null, [9, 10], [2, 1], null, null, [0, 9]],
    [12, ['p'], 1, "20%", "100%", 'T', null, 0, null, [2, 0], [12, 5], null, [86, 14], [12, 12]],
    [8, [6], 0, "25%", "25", 'TD', null, 30, 1000, [6, 3], [7, 0], null, [13, 87], [1, 8]],
    [3, ['m'], 1, 0, 1, 'ATD', null, 0, null, [5, 3], [3, 3], null, [44, 56], [2, 3]],
    [6, [0], 0, 0, 3, 'T', 0, 30, 1000, [8, 4], [2, 1], null, null, [0, 6]],
    [1, ['p'], 1, 0, 3, '', null, null, null, null, [3, 1], [2, 3], null, [3, 0]],
    [1, [11, 24, { w: 80 }, 'p'], 4, 2, 1, '', null, null, null, [1, 2], [3, 1], null, null, [1, 1]],
    [11, ['m', 'p'], 0, 1, "0%", '', null, null, null, [3, 0], [12, 2], [11, 8], null, [12, 3]],
    [9, [{ w: 12 }, 82], 1, "33%", 1, '', null, null, null, [2, 1], [0, 0], [6, 2], null, [4, 2]],
    [5, ['m', 'm'], 2, 3, "10%", 'T', null, 0, null, [1, 1], [6, 6], null, null, [5, 5]],
    [10, ['p', 15], 2, "25", "100%", 'T', null, null, null, [8, 3], [8, 1], null, [81, 19], [10, 10]],
    [4, [{ w: 15 }, 79, { r: 1 }, 8], 0, 2, 0, '', null, null, null, [1, 1], [2, 1], null, null, [2, 4]],
    [3, ['p'], 0, "25%", "100%", '', null, null, null, [2, 0], null, null, null, [0, 3]],
    [4, ['p', 'm', { r: 0 }, 67], 1, 3, 1, 'A', null, null, null, [0, 0], [6, 0], null, null, [3, 1]],
    [4, ['m', { r: 4 }], 0, 1, 0, 'AT', null, null, 1000, [2, 0], [6, 2], null, [92, 8], [0, 4]],
    [8, [71, 'p', 2, { r: 4 }], 1, 0, 2, '', null, null, null, [2, 2], [6, 1], null, null, [6, 2]],
    [0, ['p', 52], 1, 0, 3, 'T', null, null, null, [2, 0], null, null, [21, 79], [0, 0]],
    [4, [4, 'm', 57, 'p'], 3, "25%", "33%", '', null, null, null, [0, 0], null, null, null, [0, 2]],
    [11, [{ r: 11 }], 1, 1, 0, 'T', 0, 0, null, [9, 9], [0, 0], null, [65, 35], [11, 11]],
    [12, [29, 'p'], 1, 2, 0, '', null, null, null, [0, 1], null, null, null, [0, 9]],
    [12, [62], 1, 0, "10%", '', null, null, null, [13, 8], [12, 11], [9, 1], null, [12, 13]],
    [12, [94], 0, 2, 1, 'TD', null, null, null, [7, 0], [1, 1], null, [80, 20], [12, 3]],
    [3, [4], 1, 0, "20%", '', null, null, null, null, [5, 2], null, null, [3, 0]],
    [10, ['m'], 1, 0, "25", 'A', null, null, null, [0, 1], [3, 3], [2, 2], null, [3, 5]],
    [1, ['m', { w: 14 }, 'p', 100], 0, 2, "0%", 'ATD', 0, null, null, [1, 0], [0, 0], null, [37, 63], [1, 1]],
    [5, [5, 59, 77, 27], 1, 2, 1, '', null, null, null, [4, 1], [5, 0], null, null, [3, 4]],
    [6, [43], 0, 1, 0, 'TD', null, null, null, [4, 2], [4, 4], null, [14, 86], [3, 6]],
    [6, [21, 51, 88, 69], 3, 2, 0, '', null, null, null, [7, 5], [2, 0], null, null, [2, 6]],
    [6, [95], 1, 2, "25%", '', null, null, null, [3, 4], [3, 4], [4, 3], null, [3, 3]],
    [9, [39], 1, "0%", "25%", '', null, null, null, [6, 1], [8, 8], null, null, [8, 0]],
    [7, [18, { r: 0 }, 'p'], 3, "33%", "25", 'PTD', null, null, null, [8, 0], [5, 5], null, null, [7, 0]],
    [3, ['m', 86, 15], 0, 0, "20%", 'AT', null, null, 1000, [3, 4], [3, 2], null, [47, 53], [0, 3]],
    [8, [{ w: 96 }, 78], 2, 3, 0, 'A', null, null, null, [6, 7], [4, 0], null, null, [2, 7]],
    [6, ['p'], 0, 3, 1, '', null, null, null, [8, 8], [8, 0], null, null, [0, 8]],
    [12, [{ w: 94 }], 1, "25%", 0, '', null, null, null, [7, 8], [2, 0], null, null, [8, 7]],
    [7, ['p'], 1, 0, 3, '', null, null, null, [1, 2], null, null, null, [0, 1]],
    [8, [67], 0, 0, "25%", 'T', null, null, null, [0, 0], [10, 3], null, null, [6, 8]],
    [6, [2, 'p'], 0, 1, 1, '', null, null, null, null, [5, 3], null, null, [6, 0]],
    [8, ['p', 'p', 65, 95], 3, 0, 1, 'PTD', 1, 0, 1000, [8, 6], [2, 0], null, null, [8, 0]],
    [11, ['m', { r: 2 }, 9, 76], 4, "25%", 0, 'TD', null, null, null, [13, 1], null, null, [56, 44], [11, 5]],
    [7, ['p', 'p', 37], 1, 2, 2, '', null, null, null, [0, 0], [6, 3], [9, 6], null, [6, 0]],
    [3, ['p', 'p', 'p', { w: 86 }], 4, 3, "10%", '', null, null, null, [4, 5], null, [2, 3], null, [0, 4]],
    [4, [62, { w: 4 }, 86, 60], 3, "10%", 1, '', null, null, null, [5, 5], [3, 1], null, null, [3, 2]],
    [1, ['p'], 1, 1, 3, '', null, null, null, [1, 0], [1, 1], null, null, [1, 0]],
    [5, [7, { r: 4 }, 5], 2, 0, 0, '', null, null, null, [3, 4], [7, 6], null, null, [1, 3]],
    [12, [86, 58, 'p'], 0, "100%", 1, '', null, null, null, [14, 11], [8, 4], [9, 5], null, [8, 14]],
    [6, [{ r: 6 }], 0, "25%", 0, 'AT', null, null, null, [3, 1], [6, 0], null, null, [0, 6]],
    [8, ['m'], 1, 0, 0, 'PA', null, null, null, [10, 0], [2, 2], [2, 2], null, [2, 10]],
    [0, [81, 'p'], 0, 0, 1, '', null, null, null, [2, 1], [2, 3], null, null, [0, 0]],
    [0, [{ w: 6 }, { w: 40 }, 78], 0, 0, 1, 'TD', null, null, null, null, [0, 0], null, null, [0, 0]],
    [9, [57, 23, 87], 3, "33%", "25", '', null, null, null, [0, 1], [10, 9], null, null, [9, 0]],
    [12, [{ w: 62 }, 46, 75], 0, 0, 0, 'T', null, null, 1000, [4, 1], [0, 0], null, [30, 70], [1, 12]],
    [4, [{ r: 2 }], 0, 0, "25%", '', null, null, null, [0, 0], [5, 4], [0, 0], null, [3, 0]],
    [8, ['p', 38, 83], 2, 3, 2, '', null, null, null, [1, 0], [5, 5], null, null, [7, 1]],
    [1, [24, { w: 90 }, 'm', 'm'], 2, "100%", 1, 'A', null, null, null, [2, 0], [1, 1], null, null, [0, 2]],
    [9, ['m', 'p', 11], 2, "25", "33%", 'A', null, null, null, [10, 5], [3, 1], null, null, [2, 10]],
    [7, ['m', 'p', 'p'], 2, 2, "50%", '', null, null, null, [3, 2], [2, 3], null, null, [2, 7]],
    [7, [13, { w: 95 }, 'm'], 1, 3, 3, '', null, null, null, [6, 0], [4, 5], null, null, [4, 6]],
    [9, ['p', 58, 'p'], 1, "50%", 2, 'TD', 0, null, null, [6, 5], null, null, [64, 36], [6, 4]],
    [3, [{ r: 0 }], 0, 1, 0, '', null, null, null, [0, 0], [5, 6], null, null, [3, 0]],
    [8, ['m', 34], 0, "0%", 1, 'TD', null, 0, null, [1, 1], [6, 2], null, [1, 99], [0, 8]],
    [9, ['m'], 0, 1, 0, '', null, null, null, [3, 0], [5, 6], null, null, [5, 5]],
    [10, ['m', 'p', 'p'], 3, "50%", 0, 'T', 2, null, null, [9, 6], null, null, [14, 86], [10, 10]],
    [9, [37], 1, 3, 0, 'A', null, null, null, [9, 6], [2, 1], [4, 5], null, [2, 9]],
    [9, [18, 98], 0, 1, "25%", '', null, null, null, [3, 2], [1, 2], null, null, [2, 8]],
    [9, ['p', 'm'], 0, 0, 1, 'TD', null, null, null, [1, 0], [7, 7], null, [71, 29], [0, 9]],
    [1, [{ w: 84 }], 0, "0%", 1, '', null, null, null, [3, 3], [3, 0], [0, 1], null, [0, 1]],
    [12, [70, 2], 1, 0, 1, 'PATD', 0, 0, null, [0, 1], [10, 5], null, [79, 21], [12, 3]],
    [9, [{ w: 88 }, { w: 40 }], 1, 0, 0, 'P', null, null, null, [6, 5], [6, 4], null, null, [5, 4]],
    [9, ['p', 10], 0, "25", 1, 'PTD', null, null, null, [7, 4], [10, 6], null, [95, 5], [9, 1]],
    [4, ['p', 'm'], 2, 3, 1, 'T', null, null, null, null, [5, 1], null, [48, 52], [4, 4]],
    [5, [{ r: 6 }, 'p', 53, 62], 0, "100%", 0, 'TD', null, null, null, [6, 2], null, null, null, [6, 5]],
    [9, ['m', 43, 'p'], 3, 2, 0, '', null, null, null, [2, 3], [9, 3], null, null, [9, 2]],
    [7, ['p', 'p', 'p', 1], 2, 2, 1, '', null, null, null, null, [3, 0], [0, 0], null, [7, 0]],
    [3, ['p', 67, 26, 83], 1, 0, 1, '', null, null, null, [3, 0], [3, 3], [3, 3], null, [3, 3]],
    [11, [17, 29, { r: 8 }, 'p'], 0, "25%", "50%", 'AT', null, null, null, [1, 2], [7, 1], null, null, [0, 11]],
    [4, [70, 45, { w: 37 }, 25], 1, "33%", 1, '', null, null, null, [4, 3], [6, 4], null, null, [2, 4]],
    [9, [5, 68], 2, 0, 1, '', null, null, null, [5, 1], [11, 12], null, null, [9, 0]],
    [9, ['m', 73], 0, 1, "100%", '', null, null, null, [6, 2], [8, 4], null, null, [0, 6]],
    [0, [80, 84, 79, { r: 1 }], 4, 0, "20%", 'A', null, null, null, [0, 1], [1, 1], null, null, [0, 0]],
    [11, ['p'], 0, "25%", 1, 'A', null, null, null, [6, 0], [3, 3], null, null, [3, 11]],
    [11, ['p'], 1, "25%", "25%", '', null, null, null, [11, 0], [12, 5], [4, 3], null, [12, 11]],
    [7, [41, 14, 11, 43], 4, 1, "25", 'PTD', 2, 30, null, [2, 1], [0, 1], null, [31, 69], [7, 5]],
    [7, [78, 48, 27, 19], 1, "100%", 0, '', null, null, null, null, [5, 4], null, null, [7, 0]],
    [6, ['m'], 1, 1, 0, 'ATD', null, null, null, [1, 2], [6, 6], null, [19, 81], [2, 6]],
    [0, ['p'], 1, "100%", 0, 'ATD', null, 0, null, null, [2, 1], null, [72, 28], [0, 0]],
    [7, [41, 'p'], 1, 1, 1, '', null, null, null, [6, 5], [1, 0], [6, 2], null, [1, 6]],
    [8, [73], 1, 2, "33%", '', null, null, null, null, [8, 6], null, null, [8, 0]],
    [6, ['p', 92, 7], 0, 1, 3, '', null, null, null, [4, 2], null, null, null, [0, 6]],
    [10, ['m', 'p', { r: 5 }], 2, "25%", 1, 'A', null, null, null, [9, 5], [12, 6], [6, 5], null, [12, 9]],
    [2, [47, 39], 2, "100%", 0, '', null, null, null, null, [4, 3], [3, 2], null, [4, 0]],
    [10, [64, 46, 70], 0, 1, "10%", 'TD', null, 30, null, [10, 11], [7, 2], null, [60, 40], [7, 4]],
    [8, [73], 0, 2, "0%", 'AT', 2, 30, null, [7, 5], [10, 3], null, [68, 32], [0, 8]],
    [9, [21], 0, 0, "0%", '', null, null, null, [4, 4], [0, 0], [3, 0], null, [0, 6]],
    [10, [67, 55], 0, "25", "25", '', null, null, null, [12, 6], [9, 2], null, null, [7, 6]],
    [6, [32, { w: 87 }, { w: 95 }], 2, 1, 3, 'P', null, null, null, null, [4, 0], null, null, [6, 0]],
    [0, [95, 25, 'p', 26], 4, 1, "100%", '', null, null, null, [0, 0], [2, 1], [1, 2], null, [2, 0]],
    [6, [41, { r: 6 }, 92], 3, 3, "0%", 'T', null, null, null, [5, 4], [8, 4], null, [10, 90], [6, 6]],
    [7, [47, { r: 3 }, 57], 3, 0, 3, '', null, null, null, [9, 0], [4, 2], [3, 0], null, [4, 9]],
    [10, [34, 'p', 'p'], 0, 3, 0, '', null, null, null, [12, 11], null, null, null, [0, 10]],
    [2, [89], 0, 3, 0, 'PTD', null, 30, null, null, [1, 0], null, null, [2, 0]],
    [4, [70, 'p', 22], 2, 0, 0, 'TD', null, null, null, [5, 0], null, null, [12, 88], [1, 4]],
    [9, [51, 93, 40], 1, "25%", "100%", '', null, null, null, [6, 7], [4, 2], null, null, [6, 1]],
    [7, [75, 43, 'p'], 0, "33%", 1, 'T', null, null, null, [3, 1], null, null, null, [6, 7]],
    [2, ['p', 39, 'p', 69], 2, 0, 0, '', null, null, null, [4, 4], [3, 1], null, null, [1, 1]],
    [3, ['p', 98], 2, 2, "0%", '', null, null, null, [5, 1], [0, 1], null, null, [1, 3]],
    [9, [62, 'p', 'p', 36], 3, 2, "0%", '', null, null, null, [9, 3], [9, 4], [3, 4], null, [9, 9]],
    [9, ['m', 57], 2, 1, "50%", 'PTD', 1, null, null, [3, 4], [0, 1], null, [55, 45], [9, 5]],
    [3, ['p', 89, { w: 37 }], 1, 0, 1, 'T', null, 30, null, [2, 3], [1, 1], null, [92, 8], [3, 3]],
    [8, ['p', 27, 38], 3, "25%", "10%", 'TD', null, null, 1000, [10, 11], [5, 0], null, [72, 28], [8, 1]],
    [9, [68, 66], 1, 1, 1, 'T', 0, null, null, [5, 6], [5, 1], null, [18, 82], [6, 9]],
    [9, ['p', 'm'], 1, 2, 1, 'A', null, null, null, [9, 7], [2, 1], [3, 4], null, [2, 9]],
    [4, [{ r: 4 }], 1, 1, 0, 'T', null, 0, null, [1, 2], [4, 4], null, null, [4, 4]],
    [6, [16, 'p', 'p'], 2, 2, 1, '', null, null, null, [2, 2], [4, 3], [8, 8], null, [4, 2]],
    [5, [24, 77, 41], 1, 1, 1, '', null, null, null, [3, 1], [1, 1], [1, 2], null, [2, 3]],
    [9, ['p'], 0, 0, 0, '', null, null, null, [2, 0], [10, 9], [3, 2], null, [10, 2]],
    [12, [64, { r: 11 }, 20], 1, 0, "25", '', null, null, null, [0, 0], [14, 8], null, null, [9, 0]],
    [4, [100], 1, 1, 1, 'T', 3, null, null, [6, 3], null, null, null, [4, 4]],
    [4, ['p', 61], 0, 0, 0, '', null, null, null, [6, 1], [6, 0], null, null, [2, 2]],
    [9, [29, 11], 1, 1, "50%", 'T', null, null, null, [9, 10], [3, 1], null, null, [1, 9]],
    [5, ['p', 30, 82], 0, 1, 0, '', null, null, null, [3, 2], [4, 0], null, null, [3, 3]],
    [6, [18, { r: 7 }, 61], 0, "50%", 1, '', null, null, null, [2, 2], [3, 4], null, null, [3, 5]],
    [5, ['m', 'p', 100], 2, "0%", 3, '', null, null, null, [7, 0], [5, 5], null, null, [5, 0]],
    [0, [61], 1, 2, 0, 'A', null, null, null, [1, 1], null, [0, 1], null, [0, 0]],
    [4, ['m', 5, 'm'], 2, 0, 1, '', null, null, null, [0, 1], null, [2, 2], null, [0, 2]],
    [10, ['p', 57], 1, 1, 2, '', null, null, null, [3, 4], [6, 6], null, null, [6, 5]],
    [7, [70, 69, { r: 7 }], 1, "20%", "20%", 'TD', null, 30, null, [3, 2], [6, 1], null, [73, 27], [5, 3]],
    [4, ['p', 'p'], 1, "10%", "33%", '', null, null, null, null, [6, 2], null, null, [4, 0]],
    [10, [{ r: 5 }, 27, 'p', 82], 4, 3, "50%", 'TD', 0, null, null, [9, 3], [2, 1], null, [83, 17], [10, 2]],
    [0, ['m'], 1, 0, 0, 'P', null, null, null, [0, 0], [0, 0], null, null, [0, 0]],
    [5, ['m', 24, { r: 2 }, 21], 0, 1, "20%", 'T', null, null, null, null, [0, 1], null, [47, 53], [0, 5]],
    [0, ['m', 29], 1, 0, 1, 'T', null, 30, 1000, [0, 0], [1, 2], null, [41, 59], [0, 0]],
    [0, [42, 42], 2, 0, 1, '', null, null, null, [0, 1], [2, 3], null, null, [0, 0]],
    [7, [14, 'p', { w: 8 }], 3, 1, 1, 'TD', 1, 0, null, [4, 2], null, null, [69, 31], [7, 3]],
    [7, [50], 1, 3, 1, 'TD', null, 0, null, [1, 2], [6, 0], null, [87, 13], [7, 1]],
    [9, ['p', 11], 2, "25", "20%", 'A', null, null, null, [11, 1], [0, 0], null, null, [0, 9]],
    [8, ['m', 22, 23, { r: 7 }], 3, 0, 1, 'TD', 2, null, null, [3, 0], [3, 2], null, [68, 32], [7, 8]],
    [4, [64, 3, 'p', 43], 1, "25", 0, 'AT', null, 30, null, [5, 6], [1, 1], null, null, [0, 4]],
    [4, [5], 1, "10%", "50%", 'P', null, null, null, [5, 4], [1, 0], null, null, [1, 2]],
    [4, [20, 11], 1, 1, "50%", 'A', null, null, null, [0, 1], null, null, null, [0, 4]],
    [8, [11], 0, 0, 0, 'T', null, null, null, [0, 1], [5, 1], null, [94, 6], [1, 8]],
    [11, [75, 84, 3, 'm'], 3, 2, "0%", '', null, null, null, null, [4, 3], null, null, [11, 0]],
    [9, ['m'], 1, 2, 0, 'A', null, null, null, [7, 3], [11, 8], null, null, [6, 5]],
    [2, [88, 64, 'p'], 1, 0, 2, '', null, null, null, [3, 1], [1, 2], null, null, [1, 1]],
    [12, [{ w: 87 }], 1, "10%", 1, '', null, null, null, [7, 4], [0, 0], null, null, [7, 7]],
    [11, ['m', 98, { w: 64 }], 0, "25", 1, 'TD', null, null, null, [11, 8], [7, 1], null, null, [0, 11]],
    [9, [13, 70, { w: 58 }], 0, 1, 1, 'TD', null, 0, null, [11, 1], [4, 3], null, [72, 28], [2, 8]],
    [8, [99, 'p', 'p', 22], 2, 2, "20%", 'T', null, 0, null, [5, 6], [4, 5], null, [63, 37], [8, 8]],
    [8, ['p'], 0, 0, "25", '', null, null, null, [2, 0], [2, 3], null, null, [2, 6]],
    [7, [16, { r: 3 }, 23, 96], 4, "33%", 0, 'PT', null, null, null, [8, 8], [6, 4], null, null, [7, 7]],
    [8, ['p', 64], 1, 1, "100%", 'ATD', 3, 0, null, [7, 8], null, null, [82, 18], [7, 8]],
    [2, [87, 70, 46], 1, "10%", 0, '', null, null, null, [1, 0], [4, 1], [1, 2], null, [4, 1]],
    [3, [68, 64, 'm', { r: 4 }], 3, "25", 0, '', null, null, null, [0, 1], [4, 0], null, null, [3, 1]],
    [5, [{ r: 0 }, 83, 61, 16], 3, 0, "10%", '', null, null, null, [6, 4], [0, 1], null, null, [0, 4]],
    [0, [67], 0, 0, "10%", 'A', null, null, null, [1, 1], [1, 2], null, null, [0, 0]],
    [9, ['p'], 1, "0%", 0, '', null, null, null, [11, 7], [4, 0], null, null, [1, 8]],
    [6, [83, 70], 1, 0, 0, 'P', null, null, null, [1, 0], [4, 3], null, null, [5, 1]],
    [9, [{ w: 33 }, 'm', 84, 'p'], 3, 0, 1, '', null, null, null, [9, 10], [2, 3], null, null, [2, 6]],
    [0, [47, 'm'], 0, 0, 0, '', null, null, null, [2, 2], [1, 2], null, null, [0, 0]],
    [7, [28, 'p'], 1, 0, 1, '', null, null, null, [8, 9], null, null, null, [0, 6]],
    [8, [{ w: 23 }], 1, "10%", 2, '', null, null, null, [7, 4], [9, 9], null, null, [8, 1]],
    [7, ['p'], 1, "100%", 0, 'A', null, null, null, [2, 1], [5, 3], null, null, [5, 7]],
    [2, [12, { r: 1 }, 'p'], 1, 0, "100%", 'TD', 2, null, null, [0, 1], [0, 0], null, null, [2, 2]],
    [7, [25, 'm'], 0, 1, 1, '', null, null, null, [8, 4], [7, 2], null, null, [2, 6]],
    [6, [{ r: 4 }, 30, 9, 'm'], 3, "50%", 0, '', null, null, null, [8, 8], null, [3, 0], null, [0, 8]],
    [12, [30, 87], 0, 1, "25", 'T', null, null, null, [14, 8], [2, 3], null, [67, 33], [4, 12]],
    [0, [70, 3], 0, 1, "33%", '', null, null, null, [2, 3], [2, 2], [2, 1], null, [2, 2]],
  ];

  const toStep = (s: Step): CanaryStep => {
    if (typeof s === 'number') return { setWeight: s };
    if (s === 'p') return { pause: {} };
    if (s === 'm') return { setCanaryScale: { matchTrafficWeight: true } };
    return { setCanaryScale: 'r' in s ? { replicas: s.r } : { weight: s.w } };
  };
  const view = (name: string, pair: Pair) => (pair === null ? undefined : newRS(name, pair[0], pair[1]));

  it.each(rows.map((row, i) => [i, row] as const))('case %i', (_i, row) => {
    const [
      R,
      steps,
      idx,
      surge,
      unavailable,
      flags,
      minPods,
      abortDelay,
      maxW,
      stable,
      canary,
      older,
      weights,
      expected,
    ] = row;
    const routed = flags.includes('T');
    const ro: RolloutLike = {
      spec: {
        replicas: R,
        strategy: {
          canary: {
            maxSurge: surge,
            maxUnavailable: unavailable,
            steps: steps.map(toStep),
            ...(routed ? { trafficRouting: maxW === null ? {} : { maxTrafficWeight: maxW } } : {}),
            ...(flags.includes('D') ? { dynamicStableScale: true } : {}),
            ...(minPods === null ? {} : { minPodsPerReplicaSet: minPods }),
            ...(abortDelay === null ? {} : { abortScaleDownDelaySeconds: abortDelay }),
          },
        },
      },
      status: {
        stableRS: 'stable',
        currentPodHash: 'canary',
        currentStepIndex: idx,
        promoteFull: flags.includes('P'),
        abort: flags.includes('A'),
      },
    };
    const counts = routed
      ? calculateReplicaCountsForTrafficRoutedCanary(
          ro,
          view('canary', canary),
          view('stable', stable),
          weights === null ? undefined : { canary: { weight: weights[0] }, stable: { weight: weights[1] } },
        )
      : calculateReplicaCountsForBasicCanary(
          ro,
          view('canary', canary),
          view('stable', stable),
          older === null ? [] : [view('older', older)],
        );
    expect([counts.canary, counts.stable]).toEqual(expected);
  });
});
