/**
 * The canary planner with traffic routing: what one reconcile writes to the routers and to
 * `status.canary.weights`, and how the ReplicaSets follow the weight (walking the seed's steps,
 * abort, full promotion, router errors).
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/types.ts';
import { computePodTemplateHash, computeStepHash } from '../hash.ts';
import { buildObservation } from '../observe.ts';
import { planCanary } from '../plan-canary.ts';
import { managedServiceOf, ROLLOUT_UID, replicaSetOf } from '../planner-fixtures.testlib.ts';
import type { RolloutStatus, TrafficWeights } from '../types.ts';
import { planTraffic } from './plan.ts';
import type { TrafficObservation } from './types.ts';

const NOW = new Date('2026-01-01T10:00:00Z');
const UID = ROLLOUT_UID;
const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});
const STEPS = [
  { setWeight: 10 },
  { pause: { duration: '5m' } },
  { setWeight: 30 },
  { pause: { duration: '5m' } },
  { setWeight: 60 },
  { pause: { duration: '5m' } },
];
const NGINX = { nginx: { stableIngress: 'web' } };
const strategy = (trafficRouting: object = NGINX, extra: object = {}) => ({
  canary: {
    steps: STEPS,
    canaryService: 'web-canary',
    stableService: 'web-stable',
    trafficRouting,
    ...extra,
  },
});
const V1 = computePodTemplateHash(template('v1'));
const V2 = computePodTemplateHash(template('v2'));

function rollout(status: RolloutStatus, trafficRouting: object = NGINX, extra: object = {}): KubeObject {
  const s = strategy(trafficRouting, extra);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'ns', uid: UID, generation: 1 },
    spec: { replicas: 5, selector: { matchLabels: { app: 'web' } }, template: template('v2'), strategy: s },
    status: { observedGeneration: '1', currentPodHash: V2, currentStepHash: computeStepHash(s), ...status },
  };
}
const rs = replicaSetOf;
const svc = managedServiceOf;
const stableIngress: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    rules: [
      {
        host: 'web.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'web-stable', port: { number: 80 } } },
            },
          ],
        },
      },
    ],
  },
};
const canaryIngress = (weight: number): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name: 'web-web-canary',
    namespace: 'ns',
    annotations: {
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': String(weight),
    },
    ownerReferences: [
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: UID, controller: true },
    ],
  },
  spec: {
    rules: [
      {
        host: 'web.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'web-canary', port: { number: 80 } } },
            },
          ],
        },
      },
    ],
  },
});
const weights = (canary: number, canaryHash = V2, stableHash = V1): TrafficWeights => ({
  canary: { weight: canary, podTemplateHash: canaryHash, serviceName: 'web-canary' },
  stable: { weight: 100 - canary, podTemplateHash: stableHash, serviceName: 'web-stable' },
});
const observe = (
  ro: KubeObject,
  replicaSets: KubeObject[],
  traffic: TrafficObservation,
  services = [V2, V1],
) => ({
  ...buildObservation({
    rollout: ro,
    replicaSets,
    services: [svc('web-canary', services[0] ?? ''), svc('web-stable', services[1] ?? '')],
    analysisRuns: [],
    analysisTemplates: [],
  }),
  traffic,
});
const ingresses = (...objects: KubeObject[]): TrafficObservation => ({
  ingresses: new Map(objects.map((o) => [o.metadata.name ?? '', o])),
  httpRoutes: new Map(),
});
const weightWrites = (plan: ReturnType<typeof planCanary>) =>
  (plan.traffic?.writes ?? []).map((w) =>
    w.action === 'create'
      ? ['create', w.object.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight']]
      : [
          'patch',
          (w.patch.metadata as { annotations?: Record<string, string> })?.annotations?.[
            'nginx.ingress.kubernetes.io/canary-weight'
          ],
        ],
  );

describe('planCanary with NGINX traffic routing', () => {
  it('walks the seed steps: the canary Ingress gets 10, 30, 60 as the canary gets ceil(5 × w / 100) pods, stable stays at 5', () => {
    const cases: Array<
      [index: number, prevWeight: number, canaryPods: number, want: number, scaleTo?: number]
    > = [
      // At setWeight 10 with 1 canary pod: weight 10, the step completes.
      [0, 0, 1, 10],
      // setWeight 30 with 1 pod: the canary is scaled to 2 first, traffic stays at 10.
      [2, 10, 1, 10, 2],
      [2, 10, 2, 30],
      [4, 30, 2, 30, 3],
      [4, 30, 3, 60],
    ];
    for (const [index, prevWeight, canaryPods, want, scaleTo] of cases) {
      const ro = rollout({ stableRS: V1, currentStepIndex: index, canary: { weights: weights(prevWeight) } });
      const plan = planCanary(
        observe(
          ro,
          [rs(V1, 5, 5, 1), rs(V2, canaryPods, canaryPods, 2)],
          ingresses(stableIngress, canaryIngress(prevWeight)),
        ),
        NOW,
      );
      expect(plan.status.canary?.weights).toEqual(weights(want));
      expect(weightWrites(plan)).toEqual(want === prevWeight ? [] : [['patch', String(want)]]);
      expect(plan.scale).toEqual(
        scaleTo === undefined ? [] : [{ name: `web-${V2}`, from: canaryPods, to: scaleTo }],
      );
      // The step completes only once the weight is set and the pods are there.
      expect(plan.status.currentStepIndex).toBe(scaleTo === undefined ? index + 1 : index);
    }
  });

  it('reports the weight change as TrafficWeightUpdated and PatchingCanaryIngress events', () => {
    const ro = rollout({ stableRS: V1, currentStepIndex: 2, canary: { weights: weights(10) } });
    const plan = planCanary(
      observe(ro, [rs(V1, 5, 5, 1), rs(V2, 2, 2, 2)], ingresses(stableIngress, canaryIngress(10))),
      NOW,
    );
    expect(plan.events.slice(0, 2)).toEqual([
      { reason: 'PatchingCanaryIngress', message: "Updating Ingress `web-web-canary` to desiredWeight '30'" },
      { reason: 'TrafficWeightUpdated', message: 'Traffic weight updated from 10 to 30' },
    ]);
  });

  it('abort: weight 0 and the canary Service back to stable in the same reconcile; the canary waits for abortScaleDownDelaySeconds', () => {
    const ro = rollout({
      stableRS: V1,
      currentStepIndex: 1,
      abort: true,
      abortedAt: '2026-01-01T09:59:00Z',
      canary: { weights: weights(10) },
    });
    const plan = planCanary(
      observe(ro, [rs(V1, 5, 5, 1), rs(V2, 1, 1, 2)], ingresses(stableIngress, canaryIngress(10))),
      NOW,
    );
    expect(weightWrites(plan)).toEqual([['patch', '0']]);
    expect(plan.status.canary?.weights).toEqual(weights(0));
    expect(plan.services).toEqual([{ name: 'web-canary', from: V2, to: V1 }]);
    // Stable fully available: the canary keeps its pod and gets a deadline 30 s (the default) ahead.
    expect(plan.scale).toEqual([]);
    expect(plan.annotate).toEqual([
      { name: `web-${V2}`, annotations: { 'scale-down-deadline': '2026-01-01T10:00:30Z' } },
    ]);
    expect(plan.requeueAfterMs).toBeLessThanOrEqual(30_000);
    // After the deadline the canary goes to 0.
    const later = planCanary(
      observe(
        rollout({ ...(ro.status as RolloutStatus), canary: { weights: weights(0) } }),
        [rs(V1, 5, 5, 1), rs(V2, 1, 1, 2, { 'scale-down-deadline': '2026-01-01T09:59:59Z' })],
        ingresses(stableIngress, canaryIngress(0)),
        [V1, V1],
      ),
      NOW,
    );
    expect(later.scale).toEqual([{ name: `web-${V2}`, from: 1, to: 0 }]);
    expect(weightWrites(later)).toEqual([]);
  });

  it('abort with dynamicStableScale: the weight steps down with stable availability, the canary Service waits for weight 0', () => {
    const status = {
      stableRS: V1,
      currentStepIndex: 5,
      abort: true,
      abortedAt: '2026-01-01T09:59:00Z',
      canary: { weights: weights(60) },
    };
    const dynamic = { dynamicStableScale: true };
    // Stable 3 of 5 available: 60 % cannot move yet (upstream calculateDesiredWeightOnAbortOrStableRollback).
    const holding = planCanary(
      observe(
        rollout(status, NGINX, dynamic),
        [rs(V1, 5, 3, 1), rs(V2, 3, 3, 2)],
        ingresses(stableIngress, canaryIngress(60)),
      ),
      NOW,
    );
    expect(holding.status.canary?.weights?.canary.weight).toBe(60);
    expect(holding.services).toEqual([]);
    // Stable fully available: down through the setWeight steps as the canary's pods go (3 pods → 30).
    const stepping = planCanary(
      observe(
        rollout(status, NGINX, dynamic),
        [rs(V1, 5, 5, 1), rs(V2, 3, 3, 2)],
        ingresses(stableIngress, canaryIngress(60)),
      ),
      NOW,
    );
    expect(weightWrites(stepping)).toEqual([['patch', '30']]);
    expect(stepping.services).toEqual([]);
    // One canary pod left: 0, and the canary Service follows stable.
    const drained = planCanary(
      observe(
        rollout({ ...status, canary: { weights: weights(30) } }, NGINX, dynamic),
        [rs(V1, 5, 5, 1), rs(V2, 1, 1, 2)],
        ingresses(stableIngress, canaryIngress(30)),
      ),
      NOW,
    );
    expect(weightWrites(drained)).toEqual([['patch', '0']]);
    expect(drained.services).toEqual([{ name: 'web-canary', from: V2, to: V1 }]);
  });

  it('full promotion: the weight goes to 100 at the end, then 0 once stable; the old stable waits for scaleDownDelaySeconds (upstream TestCanaryWithTrafficRoutingAddScaleDownDelay)', () => {
    // Past the last step with the canary at 5: 100 % to the canary, and the update completes.
    const end = planCanary(
      observe(
        rollout({ stableRS: V1, currentStepIndex: 6, canary: { weights: weights(60) } }),
        [rs(V1, 5, 5, 1), rs(V2, 5, 5, 2)],
        ingresses(stableIngress, canaryIngress(60)),
      ),
      NOW,
    );
    expect(weightWrites(end)).toEqual([['patch', '100']]);
    expect(end.status.stableRS).toBe(V2);
    expect(end.promotionReason).toBe('Completed all 6 canary steps');
    // Next reconcile: fully promoted → weight 0; the old stable gets its deadline.
    const after = planCanary(
      observe(
        rollout({ stableRS: V2, currentStepIndex: 6, canary: { weights: weights(100) } }),
        [rs(V1, 5, 5, 1), rs(V2, 5, 5, 2)],
        ingresses(stableIngress, canaryIngress(100)),
        [V2, V2],
      ),
      NOW,
    );
    expect(weightWrites(after)).toEqual([['patch', '0']]);
    expect(after.status.canary?.weights).toEqual(weights(0, V2, V2));
    // The router still sent the old stable traffic when this reconcile began (status weights): kept.
    expect(after.scale).toEqual([]);
    expect(after.annotate).toEqual([]);
    // Once the recorded weights no longer name it, the old stable gets its deadline.
    const next = planCanary(
      observe(
        rollout({ stableRS: V2, currentStepIndex: 6, canary: { weights: weights(0, V2, V2) } }),
        [rs(V1, 5, 5, 1), rs(V2, 5, 5, 2)],
        ingresses(stableIngress, canaryIngress(0)),
        [V2, V2],
      ),
      NOW,
    );
    expect(next.scale).toEqual([]);
    expect(next.annotate).toEqual([
      { name: `web-${V1}`, annotations: { 'scale-down-deadline': '2026-01-01T10:00:30Z' } },
    ]);
    expect(next.requeueAfterMs).toBe(30_000);
    // Past the deadline it goes to 0.
    const gone = planCanary(
      observe(
        rollout({ stableRS: V2, currentStepIndex: 6, canary: { weights: weights(0, V2, V2) } }),
        [rs(V1, 5, 5, 1, { 'scale-down-deadline': '2026-01-01T09:59:00Z' }), rs(V2, 5, 5, 2)],
        ingresses(stableIngress, canaryIngress(0)),
        [V2, V2],
      ),
      NOW,
    );
    expect(gone.scale).toEqual([{ name: `web-${V1}`, from: 5, to: 0 }]);
    expect(gone.annotate).toEqual([{ name: `web-${V1}`, annotations: { 'scale-down-deadline': null } }]);
  });

  it('promote --full keeps the current weight until the update completes', () => {
    const plan = planCanary(
      observe(
        rollout({ stableRS: V1, currentStepIndex: 1, promoteFull: true, canary: { weights: weights(10) } }),
        [rs(V1, 5, 5, 1), rs(V2, 1, 1, 2)],
        ingresses(stableIngress, canaryIngress(10)),
      ),
      NOW,
    );
    expect(weightWrites(plan)).toEqual([]);
    expect(plan.status.canary?.weights).toEqual(weights(10));
    expect(plan.scale).toEqual([{ name: `web-${V2}`, from: 1, to: 5 }]);
  });

  it('a router error stops the reconcile: nothing scaled or written, the status unchanged, a TrafficRoutingError event', () => {
    const foreign = {
      ...canaryIngress(10),
      metadata: { ...canaryIngress(10).metadata, ownerReferences: [] },
    };
    const ro = rollout({ stableRS: V1, currentStepIndex: 2, canary: { weights: weights(10) } });
    const plan = planCanary(
      observe(ro, [rs(V1, 5, 5, 1), rs(V2, 1, 1, 2)], ingresses(stableIngress, foreign)),
      NOW,
    );
    expect(plan.traffic?.failure).toEqual({
      subject: 'Ingress/ns/web-web-canary',
      message: 'canary ingress `web-web-canary` controlled by different object',
    });
    expect(plan.scale).toEqual([]);
    expect(plan.services).toEqual([]);
    expect(plan.status).toEqual(ro.status);
    expect(plan.events).toEqual([
      {
        reason: 'TrafficRoutingError',
        message: 'canary ingress `web-web-canary` controlled by different object',
      },
    ]);
  });

  it('a new update resets the steps but keeps the recorded weights; the new ReplicaSet starts at the first step’s pods', () => {
    const ro = {
      ...rollout({ stableRS: V1, currentStepIndex: 6, canary: { weights: weights(0, V1, V1) } }),
    };
    (ro.status as RolloutStatus).currentPodHash = V1;
    const plan = planCanary(observe(ro, [rs(V1, 5, 5, 1)], ingresses(stableIngress, canaryIngress(0))), NOW);
    expect(plan.status.canary?.weights).toEqual(weights(0, V1, V1));
    expect(plan.status.currentStepIndex).toBe(0);
    expect(plan.createReplicaSet?.spec).toMatchObject({ replicas: 1 }); // ceil(5 × 10 / 100)
  });
});

describe('planTraffic with the Gateway API plugin', () => {
  const route: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web-route', namespace: 'ns', resourceVersion: '7' },
    spec: {
      rules: [
        {
          backendRefs: [
            { name: 'web-stable', port: 80, weight: 90 },
            { name: 'web-canary', port: 80, weight: 10 },
          ],
        },
      ],
    },
  };
  const objects = { ingresses: new Map(), httpRoutes: new Map([['ns/web-route', route]]) };
  const plugins = { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'web-route' } } };

  it('sets the backendRef weights and records verified: true', () => {
    const obs = observe(
      rollout({ stableRS: V1, currentStepIndex: 2, canary: { weights: weights(10) } }, plugins),
      [rs(V1, 5, 5, 1), rs(V2, 2, 2, 2)],
      objects,
    );
    const rollout_ = obs.rollout;
    if (rollout_ === undefined) throw new Error('unparsed');
    const plan = planTraffic({
      rollout: rollout_,
      owner: { name: 'web', namespace: 'ns', uid: UID },
      objects,
      newRS: obs.newRS,
      stableRS: obs.stableRS,
      otherRSs: obs.otherRSs,
      aborting: false,
    });
    expect(plan.weights).toEqual({ ...weights(30), verified: true });
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]?.action === 'patch' && plan.writes[0].patch).toMatchObject({
      metadata: { resourceVersion: '7' },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'web-stable', weight: 70 },
              { name: 'web-canary', weight: 30 },
            ],
          },
        ],
      },
    });
  });

  it('no traffic routing: no writes and no weights', () => {
    const obs = buildObservation({
      rollout: { ...rollout({}), spec: { replicas: 1, strategy: { canary: {} } } },
      replicaSets: [],
      services: [],
      analysisRuns: [],
      analysisTemplates: [],
    });
    if (obs.rollout === undefined) throw new Error('unparsed');
    expect(
      planTraffic({
        rollout: obs.rollout,
        owner: { name: 'web', namespace: 'ns', uid: UID },
        objects,
        newRS: undefined,
        stableRS: undefined,
        otherRSs: [],
        aborting: false,
      }),
    ).toEqual({ writes: [], events: [], weights: undefined });
  });
});
