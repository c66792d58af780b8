/**
 * Reads the router objects a Rollout names (its stable Ingresses, their canary Ingresses, its
 * HTTPRoutes), once per reconcile. A missing object is simply absent from the observation; the
 * planners decide what that means.
 * @module
 */
import type { KubeClient } from '../../kube/client.ts';
import type { KubeObject } from '../../kube/types.ts';
import type { DeepReadonly } from '../../util/readonly.ts';
import type { RolloutObservation } from '../observe.ts';
import type { Rollout } from '../types.ts';
import { gatewayApiConfigOf, httpRouteKey, routeNames, routeNamespace } from './gateway-api.ts';
import { canaryIngressName, stableIngressNames } from './nginx.ts';
import { NO_TRAFFIC_OBJECTS, type TrafficObservation } from './types.ts';

/** Reads the Ingresses and HTTPRoutes `rollout` routes traffic through (none without traffic routing). */
export async function observeTraffic(
  client: KubeClient,
  rollout: Rollout,
  namespace: string,
  signal?: AbortSignal,
): Promise<TrafficObservation> {
  const routing = rollout.spec.strategy.canary?.trafficRouting;
  if (routing === undefined) return NO_TRAFFIC_OBJECTS;
  const ingresses = new Map<string, DeepReadonly<KubeObject>>();
  const httpRoutes = new Map<string, DeepReadonly<KubeObject>>();
  const get = (apiVersion: string, kind: string, ns: string, name: string) =>
    client.get({ apiVersion, kind, namespace: ns, name }, signal);
  if (routing.nginx !== undefined) {
    for (const stable of stableIngressNames(routing.nginx)) {
      for (const name of [stable, canaryIngressName(rollout.metadata.name, stable)]) {
        const found = await get('networking.k8s.io/v1', 'Ingress', namespace, name);
        if (found !== undefined) ingresses.set(name, found);
      }
    }
  }
  const gateway = gatewayApiConfigOf(rollout);
  if (gateway.ok && gateway.config !== undefined) {
    const ns = routeNamespace(gateway.config, namespace);
    for (const name of routeNames(gateway.config)) {
      const found = await get('gateway.networking.k8s.io/v1', 'HTTPRoute', ns, name);
      if (found !== undefined) httpRoutes.set(httpRouteKey(ns, name), found);
    }
  }
  return { ingresses, httpRoutes };
}

/**
 * The observation with its router objects read ({@link observeTraffic}); the same object when
 * the Rollout has no traffic routing or does not parse.
 */
export async function withTrafficObjects(
  client: KubeClient,
  obs: RolloutObservation,
  signal?: AbortSignal,
): Promise<RolloutObservation> {
  const rollout = obs.rollout;
  if (rollout?.spec.strategy.canary?.trafficRouting === undefined) return obs;
  const traffic = await observeTraffic(client, rollout, obs.raw.metadata.namespace ?? '', signal);
  return { ...obs, traffic };
}
