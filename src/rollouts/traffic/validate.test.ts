import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/types.ts';
import { parseRollout } from '../spec.ts';
import type { Rollout } from '../types.ts';
import { NO_TRAFFIC_OBJECTS } from './types.ts';
import { validateTrafficRouting } from './validate.ts';

function rollout(trafficRouting: object | undefined, steps: object[] = [{ setWeight: 10 }]): Rollout {
  const parsed = parseRollout({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web' },
    spec: { strategy: { canary: { canaryService: 'c', stableService: 's', steps, trafficRouting } } },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}
const ingress: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web' },
  spec: { rules: [{ http: { paths: [{ backend: { service: { name: 's' } } }] } }] },
};
const GATEWAY = { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'r' } } };

describe('validateTrafficRouting', () => {
  it('nothing to say without traffic routing, or with a valid router', () => {
    expect(validateTrafficRouting(rollout(undefined), NO_TRAFFIC_OBJECTS)).toEqual([]);
    expect(validateTrafficRouting(rollout(GATEWAY), NO_TRAFFIC_OBJECTS)).toEqual([]);
    expect(
      validateTrafficRouting(rollout({ nginx: { stableIngress: 'web' } }), {
        ingresses: new Map([['web', ingress]]),
        httpRoutes: new Map(),
      }),
    ).toEqual([]);
  });

  it('setHeaderRoute / setMirrorRoute steps and managed routes are refused clearly', () => {
    const ro = rollout({ ...GATEWAY, managedRoutes: [{ name: 'h' }] }, [
      { setWeight: 10 },
      { setHeaderRoute: { name: 'h', match: [{ headerName: 'x', headerValue: { exact: 'y' } }] } },
      { setMirrorRoute: { name: 'h', percentage: 10 } },
    ]);
    expect(validateTrafficRouting(ro, NO_TRAFFIC_OBJECTS)).toEqual([
      {
        path: 'spec.strategy.canary.steps[1].setHeaderRoute',
        type: 'Forbidden',
        detail: 'setHeaderRoute steps are not supported by Slipway',
      },
      {
        path: 'spec.strategy.canary.steps[2].setMirrorRoute',
        type: 'Forbidden',
        detail: 'setMirrorRoute steps are not supported by Slipway',
      },
      {
        path: 'spec.strategy.canary.trafficRouting.managedRoutes',
        type: 'Forbidden',
        detail: 'managed routes (header and mirror routes) are not supported by Slipway',
      },
    ]);
  });

  it('a missing stable Ingress, with upstream’s path and text', () => {
    expect(validateTrafficRouting(rollout({ nginx: { stableIngress: 'web' } }), NO_TRAFFIC_OBJECTS)).toEqual([
      {
        path: 'spec.strategy.canary.trafficRouting.nginx.stableIngress',
        type: 'Invalid value',
        value: '"web"',
        detail: 'ingress.networking.k8s.io "web" not found',
      },
    ]);
  });
});
