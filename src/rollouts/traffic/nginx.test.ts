import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/types.ts';
import { parseRollout } from '../spec.ts';
import type { Rollout } from '../types.ts';
import {
  buildCanaryIngress,
  canaryIngressName,
  hasRuleWithService,
  planNginxWeight,
  validateNginxIngresses,
} from './nginx.ts';
import type { TrafficObservation } from './types.ts';

const OWNER = { name: 'rollout', namespace: 'default', uid: 'uid-1' };

/** Upstream's `fakeRollout(stableSvc, canarySvc, stableIng, addStableIngs)`. */
function rollout(nginx: object, extra: { maxTrafficWeight?: number } = {}): Rollout {
  const parsed = parseRollout({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'rollout', namespace: 'default' },
    spec: {
      strategy: {
        canary: {
          stableService: 'stable-service',
          canaryService: 'canary-service',
          trafficRouting: { nginx, ...extra },
        },
      },
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

/** Upstream's `networkingIngress(name, port, serviceName)`. */
const networkingIngress = (name: string, port: number, serviceName: string): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'annotation-key1': 'annotation-value1' },
    labels: { 'label-key1': 'label-value1', 'label-key2': 'label-value2' },
  },
  spec: {
    ingressClassName: 'ingress-name',
    defaultBackend: { service: { name: serviceName, port: { name: 'http', number: port } } },
    rules: [
      {
        host: 'fakehost.example.com',
        http: {
          paths: [
            {
              path: '/foo',
              backend: { service: { name: serviceName, port: { name: 'http', number: port } } },
            },
          ],
        },
      },
    ],
  },
});

const objects = (...ingresses: KubeObject[]): TrafficObservation => ({
  ingresses: new Map(ingresses.map((i) => [i.metadata.name ?? '', i])),
  httpRoutes: new Map(),
});
const backendOf = (ing: KubeObject) =>
  (ing.spec as { rules: Array<{ http: { paths: Array<{ backend: { service: { name: string } } }> } }> })
    .rules[0]?.http.paths[0]?.backend.service.name;

describe('canaryIngressName (upstream TestGetCanaryIngressName)', () => {
  it('is <rollout>-<stableIngress>-canary', () => {
    expect(canaryIngressName('myrollout', 'stable-ingress')).toBe('myrollout-stable-ingress-canary');
    expect(canaryIngressName('myrollout', 'stable-ingress-additional')).toBe(
      'myrollout-stable-ingress-additional-canary',
    );
  });
  it('is cut to 253 characters, keeping the -canary suffix', () => {
    const name = canaryIngressName('myrollout', `stable-ingress${'a'.repeat(260)}`);
    expect(name).toHaveLength(253);
    expect(name.endsWith('-canary')).toBe(true);
  });
  it('is empty without a stable Ingress', () => {
    expect(canaryIngressName('myrollout', '')).toBe('');
  });
});

describe('buildCanaryIngress (upstream nginx_test.go)', () => {
  it('TestCanaryIngressCreate: canary annotations, the rule backend on the canary Service, owned by the Rollout', () => {
    const desired = buildCanaryIngress(
      rollout({ stableIngress: 'stable-ingress' }),
      OWNER,
      networkingIngress('stable-ingress', 80, 'stable-service'),
      10,
    );
    if (typeof desired === 'string') throw new Error(desired);
    expect(desired.metadata.name).toBe('rollout-stable-ingress-canary');
    expect(desired.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
    });
    expect(desired.metadata.labels).toBeUndefined();
    expect(backendOf(desired)).toBe('canary-service');
    // TestCanaryIngressRetainIngressClass; the default backend is not carried over.
    expect(desired.spec).toMatchObject({ ingressClassName: 'ingress-name' });
    expect((desired.spec as { defaultBackend?: unknown }).defaultBackend).toBeUndefined();
    expect(desired.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'rollout',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('keeps the kubernetes.io/ingress.class annotation and TLS (TestCanaryIngressRetainTLS)', () => {
    const stable = networkingIngress('stable-ingress', 80, 'stable-service');
    stable.metadata.annotations = { 'kubernetes.io/ingress.class': 'nginx-ext' };
    (stable.spec as Record<string, unknown>).tls = [
      { hosts: ['fakehost.example.com'], secretName: 'tls-secret' },
      { hosts: ['fakehost.example.com', 'test.example.com'], secretName: 'tls-secret2' },
    ];
    const desired = buildCanaryIngress(rollout({ stableIngress: 'stable-ingress' }), OWNER, stable, 15);
    if (typeof desired === 'string') throw new Error(desired);
    expect(desired.metadata.annotations?.['kubernetes.io/ingress.class']).toBe('nginx-ext');
    expect((desired.spec as { tls: unknown }).tls).toEqual([
      { hosts: ['fakehost.example.com'], secretName: 'tls-secret' },
      { hosts: ['fakehost.example.com', 'test.example.com'], secretName: 'tls-secret2' },
    ]);
  });

  it('TestCanaryIngressNotAddTLS: no TLS on the stable Ingress, none on the canary', () => {
    const desired = buildCanaryIngress(
      rollout({ stableIngress: 'stable-ingress' }),
      OWNER,
      networkingIngress('stable-ingress', 80, 'stable-service'),
      15,
    );
    expect(typeof desired !== 'string' && (desired.spec as { tls?: unknown }).tls).toBeUndefined();
  });

  it('TestCanaryIngressAdditionalAnnotations: prefixed additional annotations, full canary annotations', () => {
    const desired = buildCanaryIngress(
      rollout({
        stableIngress: 'stable-ingress',
        additionalIngressAnnotations: { 'canary-by-header': 'X-Foo', 'canary-by-header-value': 'DoCanary' },
        canaryIngressAnnotations: { 'annotation-prefix.some.group/some-key': 'some-value' },
      }),
      OWNER,
      networkingIngress('stable-ingress', 80, 'stable-service'),
      15,
    );
    if (typeof desired === 'string') throw new Error(desired);
    expect(desired.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '15',
      'nginx.ingress.kubernetes.io/canary-by-header': 'X-Foo',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'DoCanary',
      'annotation-prefix.some.group/some-key': 'some-value',
    });
  });

  it('annotationPrefix replaces nginx.ingress.kubernetes.io; canary and canary-weight always win', () => {
    const desired = buildCanaryIngress(
      rollout({
        stableIngress: 'stable-ingress',
        annotationPrefix: 'custom.nginx.io',
        additionalIngressAnnotations: { canary: 'false', 'custom.nginx.io/canary-by-cookie': 'c' },
      }),
      OWNER,
      networkingIngress('stable-ingress', 80, 'stable-service'),
      5,
    );
    if (typeof desired === 'string') throw new Error(desired);
    expect(desired.metadata.annotations).toEqual({
      'custom.nginx.io/canary': 'true',
      'custom.nginx.io/canary-weight': '5',
      'custom.nginx.io/canary-by-cookie': 'c',
    });
  });

  it('only rules using the stable Service are copied; none → upstream error text', () => {
    const stable = networkingIngress('stable-ingress', 80, 'stable-service');
    (stable.spec as { rules: unknown[] }).rules.push({
      host: 'other.example.com',
      http: { paths: [{ path: '/', backend: { service: { name: 'other', port: { number: 80 } } } }] },
    });
    const desired = buildCanaryIngress(rollout({ stableIngress: 'stable-ingress' }), OWNER, stable, 5);
    expect(typeof desired !== 'string' && (desired.spec as { rules: unknown[] }).rules).toHaveLength(1);
    expect(
      buildCanaryIngress(
        rollout({ stableIngress: 'stable-ingress' }),
        OWNER,
        networkingIngress('stable-ingress', 80, 'not-stable-service'),
        5,
      ),
    ).toBe('ingress `stable-ingress` has no rules using service stable-service backend');
  });
});

describe('planNginxWeight', () => {
  const stable = networkingIngress('stable-ingress', 80, 'stable-service');
  const ro = rollout({ stableIngress: 'stable-ingress' });
  const existingCanary = (annotations: Record<string, string>, uid = 'uid-1'): KubeObject => {
    const desired = buildCanaryIngress(ro, OWNER, stable, 10);
    if (typeof desired === 'string') throw new Error(desired);
    return {
      ...desired,
      metadata: {
        ...desired.metadata,
        annotations,
        ownerReferences: [
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'x', uid, controller: true },
        ],
      },
    };
  };

  it('TestReconcileStableIngressFound: creates the canary Ingress (CreatingCanaryIngress)', () => {
    const result = planNginxWeight(ro, OWNER, objects(stable), 10);
    expect(result.ok && result.writes.map((w) => [w.action, w.event?.message])).toEqual([
      ['create', 'Creating canary ingress `rollout-stable-ingress-canary` with weight `10`'],
    ]);
    expect(result.ok && result.verified).toBeUndefined();
  });

  it('TestCanaryIngressPatchWeight / MaxWeight: only the weight changes in the patch', () => {
    const current = existingCanary({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
    });
    const result = planNginxWeight(ro, OWNER, objects(stable, current), 15);
    expect(result.ok && result.writes).toEqual([
      {
        action: 'patch',
        ref: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          namespace: 'default',
          name: 'rollout-stable-ingress-canary',
        },
        patch: { metadata: { annotations: { 'nginx.ingress.kubernetes.io/canary-weight': '15' } } },
        event: {
          reason: 'PatchingCanaryIngress',
          message: "Updating Ingress `rollout-stable-ingress-canary` to desiredWeight '15'",
          type: 'Normal',
        },
      },
    ]);
    const withTotal = planNginxWeight(
      rollout({ stableIngress: 'stable-ingress' }, { maxTrafficWeight: 1000 }),
      OWNER,
      objects(stable, current),
      15,
    );
    expect(withTotal.ok && withTotal.writes[0]?.action === 'patch' && withTotal.writes[0].patch).toEqual({
      metadata: {
        annotations: {
          'nginx.ingress.kubernetes.io/canary-weight': '15',
          'nginx.ingress.kubernetes.io/canary-weight-total': '1000',
        },
      },
    });
  });

  it('TestCanaryIngressRetainCurrentAnnotations: annotations other controllers added stay', () => {
    const current = existingCanary({
      'nginx.ingress.kubernetes.io/canary': 'false',
      'annotation-prefix.some.group/some-key': 'some-value',
    });
    const result = planNginxWeight(ro, OWNER, objects(stable, current), 15);
    expect(result.ok && result.writes[0]?.action === 'patch' && result.writes[0].patch).toEqual({
      metadata: {
        annotations: {
          'nginx.ingress.kubernetes.io/canary': 'true',
          'nginx.ingress.kubernetes.io/canary-weight': '15',
        },
      },
    });
  });

  it('TestReconcileStableAndCanaryIngressFoundNoChange: nothing to write', () => {
    const current = existingCanary({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
    });
    expect(planNginxWeight(ro, OWNER, objects(stable, current), 10)).toEqual({
      ok: true,
      writes: [],
      verified: undefined,
    });
  });

  it('TestReconcileStableAndCanaryIngressFoundBadOwner / NoOwner: refused', () => {
    const other = existingCanary({}, 'someone-else');
    expect(planNginxWeight(ro, OWNER, objects(stable, other), 10)).toEqual({
      ok: false,
      subject: 'Ingress/default/rollout-stable-ingress-canary',
      message: 'canary ingress `rollout-stable-ingress-canary` controlled by different object',
    });
  });

  it('TestReconcileStableIngressNotFound: the error names the Ingress', () => {
    expect(planNginxWeight(ro, OWNER, objects(), 10)).toEqual({
      ok: false,
      subject: 'Ingress/default/stable-ingress',
      message:
        'error retrieving stableIngress `stable-ingress` from cache: ingress.networking.k8s.io "stable-ingress" not found',
    });
  });

  it('stableIngresses: one canary Ingress per stable Ingress', () => {
    const multi = rollout({ stableIngresses: ['stable-ingress', 'stable-ingress-additional'] });
    const result = planNginxWeight(
      multi,
      OWNER,
      objects(stable, networkingIngress('stable-ingress-additional', 80, 'stable-service')),
      20,
    );
    expect(result.ok && result.writes.map((w) => w.action === 'create' && w.object.metadata.name)).toEqual([
      'rollout-stable-ingress-canary',
      'rollout-stable-ingress-additional-canary',
    ]);
  });
});

describe('validateNginxIngresses (upstream controller_test.go, validation_references.go)', () => {
  it('both or neither of stableIngress and stableIngresses', () => {
    expect(
      validateNginxIngresses(rollout({ stableIngress: 'a', stableIngresses: ['b'] }), objects()),
    ).toEqual([
      {
        path: 'spec.strategy.canary.trafficRouting.nginx',
        type: 'Internal error',
        detail: 'Either StableIngress or StableIngresses must be configured. Both are configured.',
      },
    ]);
    expect(validateNginxIngresses(rollout({}), objects())[0]?.detail).toBe(
      'Either StableIngress or StableIngresses must be configured. Neither are configured.',
    );
  });

  it('a missing stable Ingress (TestGetReferencedIngressesNginxMultiIngress: the first missing one)', () => {
    expect(validateNginxIngresses(rollout({ stableIngress: 'gone' }), objects())).toEqual([
      {
        path: 'spec.strategy.canary.trafficRouting.nginx.stableIngress',
        type: 'Invalid value',
        value: '"gone"',
        detail: 'ingress.networking.k8s.io "gone" not found',
      },
    ]);
    const multi = rollout({ stableIngresses: ['nginx-ingress-name', 'nginx-ingress-additional'] });
    expect(
      validateNginxIngresses(multi, objects(networkingIngress('nginx-ingress-name', 80, 'stable-service'))),
    ).toEqual([
      {
        path: 'spec.strategy.canary.trafficRouting.nginx.StableIngresses',
        type: 'Invalid value',
        value: '[]string{"nginx-ingress-name", "nginx-ingress-additional"}',
        detail: 'ingress.networking.k8s.io "nginx-ingress-additional" not found',
      },
    ]);
  });

  it('a stable Ingress without the stable Service (ValidateIngress)', () => {
    expect(
      validateNginxIngresses(
        rollout({ stableIngress: 'web' }),
        objects(networkingIngress('web', 80, 'other')),
      ),
    ).toEqual([
      {
        path: 'spec.strategy.canary.trafficRouting.nginx.stableIngress',
        type: 'Invalid value',
        value: '"web"',
        detail: 'ingress `web` has no rules using service stable-service backend',
      },
    ]);
    expect(hasRuleWithService(networkingIngress('web', 80, 'stable-service'), 'stable-service')).toBe(true);
  });
});
