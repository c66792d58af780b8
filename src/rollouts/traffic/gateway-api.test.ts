import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/types.ts';
import { parseRollout } from '../spec.ts';
import type { Rollout } from '../types.ts';
import {
  BACKEND_REF_NOT_FOUND,
  gatewayApiConfigOf,
  httpRouteKey,
  planGatewayApiWeight,
  routeNames,
  setHTTPRouteWeight,
} from './gateway-api.ts';

const SERVICES = { canary: 'argo-rollouts-canary-service', stable: 'argo-rollouts-stable-service' };

function rollout(config: unknown, canary: object = {}): Rollout {
  const parsed = parseRollout({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'rollout', namespace: 'default' },
    spec: {
      strategy: {
        canary: {
          canaryService: SERVICES.canary,
          stableService: SERVICES.stable,
          trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': config } },
          ...canary,
        },
      },
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

/** The plugin's `mocks.HTTPRouteObj`: one rule, stable then canary backendRef. */
const httpRoute = (
  name = 'argo-rollouts-http-route',
  namespace = 'default',
  rules?: unknown[],
): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace, resourceVersion: '42' },
  spec: {
    parentRefs: [{ name: 'argo-rollouts-gateway' }],
    rules: rules ?? [
      {
        backendRefs: [
          { name: SERVICES.stable, port: 80, weight: 100 },
          { name: SERVICES.canary, port: 80, weight: 0 },
        ],
      },
    ],
  },
});
const weightsOf = (route: KubeObject | string) =>
  typeof route === 'string'
    ? route
    : (route.spec as { rules: Array<{ backendRefs: Array<{ weight?: number }> }> }).rules.map((r) =>
        r.backendRefs.map((b) => b.weight),
      );

describe('setHTTPRouteWeight (plugin pkg/plugin/plugin_test.go)', () => {
  it('SetHTTPRouteWeight: 30 → stable 70, canary 30', () => {
    expect(weightsOf(setHTTPRouteWeight(httpRoute(), SERVICES, 30, {}))).toEqual([[70, 30]]);
  });

  it('SetHTTPRouteWeightAddsAndRemovesLabel: in-progress while weight > 0, removed at 0', () => {
    const at25 = setHTTPRouteWeight(httpRoute(), SERVICES, 25, {});
    if (typeof at25 === 'string') throw new Error(at25);
    expect(at25.metadata.labels).toEqual({ 'rollouts.argoproj.io/gatewayapi-canary': 'in-progress' });
    const at0 = setHTTPRouteWeight(at25, SERVICES, 0, {});
    expect(typeof at0 !== 'string' && at0.metadata.labels).toEqual({});
    const custom = setHTTPRouteWeight(httpRoute(), SERVICES, 5, {
      inProgressLabelKey: 'team/canary',
      inProgressLabelValue: 'yes',
    });
    expect(typeof custom !== 'string' && custom.metadata.labels).toEqual({ 'team/canary': 'yes' });
    const disabled = setHTTPRouteWeight(httpRoute(), SERVICES, 5, { disableInProgressLabel: true });
    expect(typeof disabled !== 'string' && disabled.metadata.labels).toBeUndefined();
  });

  it('SetWeightDoesNotClobberHTTPHeaderRouteWeight (#158, #169): injected header rules keep their weight', () => {
    const route = httpRoute(undefined, undefined, [
      {
        backendRefs: [
          { name: SERVICES.stable, port: 80 },
          { name: SERVICES.canary, port: 80 },
        ],
      },
      { name: 'header-route', backendRefs: [{ name: SERVICES.canary, port: 80 }] },
      { backendRefs: [{ name: SERVICES.canary, port: 80 }] },
    ]);
    expect(weightsOf(setHTTPRouteWeight(route, SERVICES, 0, {}, new Set(['header-route'])))).toEqual([
      [100, 0],
      [undefined],
      [undefined],
    ]);
  });

  it('every rule with both Services is set; a Service without a backendRef is the plugin error', () => {
    const twoRules = httpRoute(undefined, undefined, [
      { backendRefs: [{ name: SERVICES.canary }, { name: SERVICES.stable }] },
      { backendRefs: [{ name: SERVICES.stable }, { name: 'other' }, { name: SERVICES.canary }] },
    ]);
    expect(weightsOf(setHTTPRouteWeight(twoRules, SERVICES, 10, {}))).toEqual([
      [10, 90],
      [90, undefined, 10],
    ]);
    const noCanary = httpRoute(undefined, undefined, [{ backendRefs: [{ name: SERVICES.stable }] }]);
    expect(setHTTPRouteWeight(noCanary, SERVICES, 10, {})).toBe(BACKEND_REF_NOT_FOUND);
  });
});

describe('the plugin config', () => {
  it('routes: httpRoutes, then httpRoute; namespace defaults to the Rollout’s', () => {
    const parsed = gatewayApiConfigOf(rollout({ httpRoute: 'b', httpRoutes: [{ name: 'a' }] }));
    expect(parsed.ok && parsed.config && routeNames(parsed.config)).toEqual(['a', 'b']);
  });

  it('refuses what Slipway does not run, and a config without routes (GatewayAPIManifestError)', () => {
    const parsed = gatewayApiConfigOf(rollout({ grpcRoute: 'g' }));
    expect(!parsed.ok && parsed.issues).toEqual([
      {
        path: 'spec.strategy.canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"].grpcRoute',
        type: 'Forbidden',
        detail: 'grpcRoute is not supported by Slipway',
      },
      {
        path: 'spec.strategy.canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"]',
        type: 'Required value',
        detail: "No routes configured. At least one of 'httpRoutes' or 'httpRoute' must be set",
      },
    ]);
    const badName = gatewayApiConfigOf(rollout({ httpRoutes: [{ name: '' }] }));
    expect(!badName.ok && badName.issues[0]?.path).toBe(
      'spec.strategy.canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"].httpRoutes[0].name',
    );
  });
});

describe('planGatewayApiWeight', () => {
  const objects = (...routes: KubeObject[]) => ({
    ingresses: new Map(),
    httpRoutes: new Map(
      routes.map((r) => [httpRouteKey(r.metadata.namespace ?? '', r.metadata.name ?? ''), r]),
    ),
  });

  it('SetWeightViaRoutes: one merge patch per route, carrying the resourceVersion read; verified', () => {
    const ro = rollout({ httpRoutes: [{ name: 'r1' }, { name: 'r2' }], namespace: 'gw' });
    const result = planGatewayApiWeight(
      ro,
      'default',
      { httpRoutes: [{ name: 'r1' }, { name: 'r2' }], namespace: 'gw' },
      objects(httpRoute('r1', 'gw'), httpRoute('r2', 'gw')),
      30,
    );
    expect(result.ok && result.verified).toBe(true);
    expect(
      result.ok && result.writes.map((w) => w.action === 'patch' && [w.ref.namespace, w.ref.name]),
    ).toEqual([
      ['gw', 'r1'],
      ['gw', 'r2'],
    ]);
    const first = result.ok ? result.writes[0] : undefined;
    expect(first?.action === 'patch' && first.patch).toEqual({
      metadata: {
        labels: { 'rollouts.argoproj.io/gatewayapi-canary': 'in-progress' },
        resourceVersion: '42',
      },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: SERVICES.stable, port: 80, weight: 70 },
              { name: SERVICES.canary, port: 80, weight: 30 },
            ],
          },
        ],
      },
    });
  });

  it('nothing to write when the route already carries the weights', () => {
    const ro = rollout({ httpRoute: 'argo-rollouts-http-route' });
    expect(
      planGatewayApiWeight(ro, 'default', { httpRoute: 'argo-rollouts-http-route' }, objects(httpRoute()), 0),
    ).toEqual({
      ok: true,
      writes: [],
      verified: true,
    });
  });

  it('a missing HTTPRoute or backendRef fails the whole set, with the plugin’s text', () => {
    const ro = rollout({ httpRoute: 'missing' });
    expect(planGatewayApiWeight(ro, 'default', { httpRoute: 'missing' }, objects(), 10)).toEqual({
      ok: false,
      subject: 'HTTPRoute/default/missing',
      message: 'failed to set weight via plugin: httproutes.gateway.networking.k8s.io "missing" not found',
    });
    const half = httpRoute('half', 'default', [{ backendRefs: [{ name: SERVICES.stable }] }]);
    expect(planGatewayApiWeight(ro, 'default', { httpRoute: 'half' }, objects(half), 10)).toEqual({
      ok: false,
      subject: 'HTTPRoute/default/half',
      message: `failed to set weight via plugin: ${BACKEND_REF_NOT_FOUND}`,
    });
  });
});
