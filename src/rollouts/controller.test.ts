import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { argoRolloutsConflict, planRollout, referencingKeys } from './controller.ts';
import { buildObservation } from './observe.ts';

const NOW = new Date('2026-01-01T10:00:00Z');
const rollout = (strategy: object, spec: object = {}): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'web', namespace: 'ns', uid: 'u', generation: 3 },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'x' }] } },
    strategy,
    ...spec,
  },
});
const observe = (ro: KubeObject, services: string[] = []) =>
  buildObservation({
    rollout: ro,
    replicaSets: [],
    services: services.map((name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: {} })),
    analysisRuns: [],
    analysisTemplates: [],
  });

describe('planRollout', () => {
  it.each([
    [
      'upstream validation (upstream field paths and text)',
      rollout({ canary: { steps: [{ setWeight: 200 }] } }),
      [],
      'InvalidSpec: The Rollout "web" is invalid: spec.strategy.steps[0].setWeight: Invalid value: 200: SetWeight needs to be between 0 and 100',
    ],
    [
      'a Service the strategy names is missing',
      rollout({ canary: { canaryService: 'c', stableService: 's' } }),
      ['s'],
      'InvalidSpec: The Rollout "web" is invalid: spec.strategy.canary.canaryService: Invalid value: "c": services "c" not found',
    ],
    [
      'the stable Ingress of nginx traffic routing does not exist (upstream text)',
      rollout({
        canary: { canaryService: 'c', stableService: 's', trafficRouting: { nginx: { stableIngress: 'i' } } },
      }),
      ['c', 's'],
      'InvalidSpec: The Rollout "web" is invalid: spec.strategy.canary.trafficRouting.nginx.stableIngress: Invalid value: "i": ingress.networking.k8s.io "i" not found',
    ],
  ])('%s → Degraded InvalidSpec, nothing else written, retried in 20s', (_name, ro, services, message) => {
    const plan = planRollout(observe(ro, services), NOW);
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.status.message).toBe(message);
    expect(plan.status.observedGeneration).toBe('3');
    expect(plan.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['InvalidSpec', 'True', 'InvalidSpec'],
    ]);
    expect(plan.createReplicaSet).toBeUndefined();
    expect(plan.scale).toEqual([]);
    expect(plan.requeueAfterMs).toBe(20_000);
  });

  it('a valid canary goes to the canary planner (first reconcile creates the ReplicaSet)', () => {
    const plan = planRollout(observe(rollout({ canary: {} })), NOW);
    expect(plan.createReplicaSet?.kind).toBe('ReplicaSet');
  });
});

describe('argoRolloutsConflict', () => {
  const argo: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'argo-rollouts',
      namespace: 'argo-rollouts',
      labels: { 'app.kubernetes.io/name': 'argo-rollouts' },
    },
  };
  it('names the Argo Rollouts Deployment Slipway stands aside for', () => {
    const err = argoRolloutsConflict([argo], undefined);
    expect(err?.reason).toBe('ArgoRolloutsPresent');
    expect(err?.subject).toBe('Deployment/argo-rollouts/argo-rollouts');
  });
  it('no conflict without such a Deployment, or with an instance id', () => {
    expect(argoRolloutsConflict([], undefined)).toBeUndefined();
    expect(argoRolloutsConflict([argo], 'slipway')).toBeUndefined();
  });
});

describe('referencingKeys', () => {
  it('the Rollouts of the same namespace whose strategy names the Service', () => {
    const ro = (name: string, namespace: string, strategy: object): KubeObject => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, namespace },
      spec: { strategy },
    });
    const rollouts = [
      ro('a', 'ns', { canary: { canaryService: 'svc' } }),
      ro('b', 'ns', { blueGreen: { activeService: 'other', previewService: 'svc' } }),
      ro('c', 'other-ns', { canary: { stableService: 'svc' } }),
      ro('d', 'ns', { canary: {} }),
    ];
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns' } };
    expect(referencingKeys(rollouts, svc)).toEqual(['ns/a', 'ns/b']);
  });
});
