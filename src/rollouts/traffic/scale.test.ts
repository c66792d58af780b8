import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/types.ts';
import { buildObservation } from '../observe.ts';
import type { RolloutStatus } from '../types.ts';
import { planRoutedCanaryScale, shouldDelayScaleDownOnAbort } from './scale.ts';

const NOW = new Date('2026-01-01T10:00:00Z');
const UID = 'ro-uid';
const DEADLINE = 'scale-down-deadline';
const FUTURE = '2026-01-01T10:00:10Z';
const PAST = '2026-01-01T09:59:50Z';

function rollout(replicas: number, canary: object, status: RolloutStatus): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'foo', namespace: 'ns', uid: UID },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'foo' } },
      template: { metadata: { labels: { app: 'foo' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      strategy: {
        canary: {
          canaryService: 'canary',
          stableService: 'stable',
          maxSurge: 1,
          maxUnavailable: 1,
          steps: [{ setWeight: 10 }],
          trafficRouting: { nginx: { stableIngress: 'ing' } },
          ...canary,
        },
      },
    },
    status,
  };
}
function rs(
  hash: string,
  replicas: number,
  available: number,
  revision: number,
  deadline?: string,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `foo-${hash}`,
      namespace: 'ns',
      labels: { 'rollouts-pod-template-hash': hash },
      annotations: {
        'rollout.argoproj.io/revision': String(revision),
        ...(deadline === undefined ? {} : { [DEADLINE]: deadline }),
      },
      ownerReferences: [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'foo', uid: UID, controller: true },
      ],
    },
    spec: { replicas },
    status: { replicas, availableReplicas: available, readyReplicas: available },
  };
}
/** Plans with the new ReplicaSet being `newHash` (the observation's pod hash is replaced). */
function plan(
  ro: KubeObject,
  replicaSets: KubeObject[],
  newHash: string,
  services: Record<string, string> = {},
) {
  const base = buildObservation({
    rollout: ro,
    replicaSets,
    services: Object.entries(services).map(([name, hash]) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { 'rollouts-pod-template-hash': hash } },
    })),
    analysisRuns: [],
    analysisTemplates: [],
  });
  const parsed = base.rollout;
  if (parsed === undefined) throw new Error(base.parseError);
  const newRS = base.allRSs.find((r) => r.podTemplateHash === newHash);
  const obs = {
    ...base,
    podHash: newHash,
    newRS,
    otherRSs: base.allRSs.filter((r) => r.name !== newRS?.name && r.name !== base.stableRS?.name),
  };
  return planRoutedCanaryScale(
    obs,
    parsed,
    parsed.status?.canary?.weights,
    parsed.status?.canary?.weights,
    NOW,
  );
}

describe('planRoutedCanaryScale: old ReplicaSets', () => {
  it('TestCanaryWithTrafficRoutingAddScaleDownDelay: the previous stable keeps its pods and gets a deadline 30 s ahead', () => {
    const ro = rollout(1, {}, { stableRS: 'v2', currentPodHash: 'v2', currentStepIndex: 1 });
    expect(plan(ro, [rs('v1', 1, 1, 1), rs('v2', 1, 1, 2)], 'v2')).toEqual({
      scale: [],
      annotate: [{ name: 'foo-v1', annotations: { [DEADLINE]: '2026-01-01T10:00:30Z' } }],
      requeueAfterMs: 30_000,
    });
  });

  it('TestCanaryWithTrafficRoutingScaleDownLimit: beyond scaleDownDelayRevisionLimit, older ones go to 0 (deadline dropped)', () => {
    const ro = rollout(
      1,
      { scaleDownDelayRevisionLimit: 1 },
      { stableRS: 'v3', currentPodHash: 'v3', currentStepIndex: 1 },
    );
    expect(plan(ro, [rs('v1', 1, 1, 1, FUTURE), rs('v2', 1, 1, 2, FUTURE), rs('v3', 1, 1, 3)], 'v3')).toEqual(
      {
        scale: [{ name: 'foo-v1', from: 1, to: 0 }],
        annotate: [{ name: 'foo-v1', annotations: { [DEADLINE]: null } }],
        requeueAfterMs: 10_000,
      },
    );
  });

  it('a passed deadline scales the old stable to 0', () => {
    const ro = rollout(1, {}, { stableRS: 'v2', currentPodHash: 'v2', currentStepIndex: 1 });
    expect(plan(ro, [rs('v1', 1, 1, 1, PAST), rs('v2', 1, 1, 2)], 'v2').scale).toEqual([
      { name: 'foo-v1', from: 1, to: 0 },
    ]);
  });

  it('dynamicStableScale: the old stable goes to 0 at once (its traffic left with the weight)', () => {
    const ro = rollout(
      1,
      { dynamicStableScale: true },
      { stableRS: 'v2', currentPodHash: 'v2', currentStepIndex: 1 },
    );
    expect(plan(ro, [rs('v1', 1, 1, 1), rs('v2', 1, 1, 2)], 'v2')).toEqual({
      scale: [{ name: 'foo-v1', from: 1, to: 0 }],
      annotate: [],
    });
  });

  it('an intermediate ReplicaSet (V1 → V2 → V3 mid-update) goes to 0 at once', () => {
    const ro = rollout(4, {}, { stableRS: 'v1', currentPodHash: 'v3', currentStepIndex: 0 });
    expect(plan(ro, [rs('v1', 4, 4, 1), rs('v2', 1, 1, 2), rs('v3', 1, 1, 3)], 'v3').scale).toEqual([
      { name: 'foo-v2', from: 1, to: 0 },
    ]);
  });

  it('a ReplicaSet a Service or the recorded weights still point at is kept', () => {
    const ro = rollout(4, {}, { stableRS: 'v1', currentPodHash: 'v3', currentStepIndex: 0 });
    expect(
      plan(ro, [rs('v1', 4, 4, 1), rs('v2', 1, 1, 2), rs('v3', 1, 1, 3)], 'v3', { canary: 'v2' }).scale,
    ).toEqual([]);
    const weighted = rollout(
      4,
      {},
      {
        stableRS: 'v1',
        currentPodHash: 'v3',
        currentStepIndex: 0,
        canary: {
          weights: {
            canary: { weight: 10, podTemplateHash: 'v2', serviceName: 'canary' },
            stable: { weight: 90, podTemplateHash: 'v1', serviceName: 'stable' },
          },
        },
      },
    );
    expect(plan(weighted, [rs('v1', 4, 4, 1), rs('v2', 1, 1, 2), rs('v3', 1, 1, 3)], 'v3').scale).toEqual([]);
  });

  it('moving back to a ReplicaSet within its delay removes its deadline', () => {
    const ro = rollout(1, {}, { stableRS: 'v1', currentPodHash: 'v1', currentStepIndex: 1 });
    expect(plan(ro, [rs('v1', 1, 1, 1, FUTURE)], 'v1').annotate).toEqual([
      { name: 'foo-v1', annotations: { [DEADLINE]: null } },
    ]);
  });
});

describe('planRoutedCanaryScale: abort', () => {
  const aborted = (canary: object = {}) =>
    rollout(5, canary, { stableRS: 'v1', currentPodHash: 'v2', currentStepIndex: 0, abort: true });

  it('the canary is kept until abortScaleDownDelaySeconds after the stable is fully available', () => {
    expect(plan(aborted(), [rs('v1', 5, 4, 1), rs('v2', 1, 1, 2)], 'v2')).toEqual({
      scale: [],
      annotate: [],
    });
    expect(
      plan(aborted({ abortScaleDownDelaySeconds: 5 }), [rs('v1', 5, 5, 1), rs('v2', 1, 1, 2)], 'v2'),
    ).toEqual({
      scale: [],
      annotate: [{ name: 'foo-v2', annotations: { [DEADLINE]: '2026-01-01T10:00:05Z' } }],
      requeueAfterMs: 5000,
    });
    expect(plan(aborted(), [rs('v1', 5, 5, 1), rs('v2', 1, 1, 2, FUTURE)], 'v2')).toEqual({
      scale: [],
      annotate: [],
      requeueAfterMs: 10_000,
    });
    expect(plan(aborted(), [rs('v1', 5, 5, 1), rs('v2', 1, 1, 2, PAST)], 'v2').scale).toEqual([
      { name: 'foo-v2', from: 1, to: 0 },
    ]);
  });

  it('shouldDelayScaleDownOnAbort: not with an explicit 0 (kept for good), nor dynamicStableScale without an explicit delay', () => {
    expect(shouldDelayScaleDownOnAbort(parsed(aborted({ abortScaleDownDelaySeconds: 0 })), true, true)).toBe(
      false,
    );
    expect(shouldDelayScaleDownOnAbort(parsed(aborted()), true, true)).toBe(true);
    expect(shouldDelayScaleDownOnAbort(parsed(aborted({ dynamicStableScale: true })), true, true)).toBe(
      false,
    );
    expect(shouldDelayScaleDownOnAbort(parsed(aborted()), false, true)).toBe(false);
    expect(shouldDelayScaleDownOnAbort(parsed(aborted()), true, false)).toBe(false);
  });
});

function parsed(ro: KubeObject) {
  const obs = buildObservation({
    rollout: ro,
    replicaSets: [],
    services: [],
    analysisRuns: [],
    analysisTemplates: [],
  });
  if (obs.rollout === undefined) throw new Error(obs.parseError);
  return obs.rollout;
}
