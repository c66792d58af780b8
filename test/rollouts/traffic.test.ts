/**
 * Traffic routing on the real control plane: the seed Rollout routed through the NGINX Ingress
 * router (a real Ingress, the generated canary Ingress) and through Gateway API HTTPRoutes (the
 * standard CRDs vendored from sigs.k8s.io/gateway-api, see test/fixtures/gateway-api/SOURCE).
 * No ingress or gateway controller runs: the tests assert what the routers are told, which is
 * what Slipway writes. KWOK makes pods Ready, so availability moves for real.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import { ensureCrds, loadCrds } from '../../src/kube/crds.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { abortPatches, applyRolloutPatches, promotePatches } from '../../src/rollouts/actions.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { parseRollout } from '../../src/rollouts/spec.ts';
import type { Rollout } from '../../src/rollouts/types.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';

const fixture = (name: string) =>
  parse(readFileSync(new URL(`../fixtures/seed/${name}`, import.meta.url), 'utf8'));
const HASH = 'rollouts-pod-template-hash';
const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

interface RS extends KubeObject {
  spec: { replicas: number };
  status?: { availableReplicas?: number };
}
interface BackendRef {
  name: string;
  port?: number;
  weight?: number;
}
interface HTTPRoute extends KubeObject {
  spec: { rules: Array<{ backendRefs: BackendRef[] }> };
}

describe('canary traffic routing on the real control plane', () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };
  let controller: RolloutController;
  const errors: unknown[] = [];

  beforeAll(async () => {
    client = sharedClient();
    await ensureCrds(
      client,
      loadCrds(new URL('../fixtures/gateway-api/gateway.networking.k8s.io_httproutes.yaml', import.meta.url)),
    );
    ns = await createNamespace(client, 'traffic');
    controller = createRolloutController({ client, namespace: ns.name, onError: (_k, e) => errors.push(e) });
    await controller.start();
  });
  afterAll(async () => {
    await controller.stop();
    await ns.remove();
    await client.close();
  });

  const ref = (name: string) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    namespace: ns.name,
    name,
  });
  const getRollout = async (name: string): Promise<Rollout> => {
    const parsed = parseRollout(await client.get(ref(name)));
    if (!parsed.ok) throw new Error('unparseable rollout');
    return parsed.value;
  };
  const replicaSets = async (app: string): Promise<Map<string, RS>> => {
    const { items } = await client.list<RS>({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      namespace: ns.name,
      labelSelector: `app=${app}`,
    });
    return new Map(items.map((rs) => [rs.metadata.labels?.[HASH] ?? '', rs]));
  };
  const ingress = (name: string) =>
    client.get<
      KubeObject & {
        spec: { rules: Array<{ http: { paths: Array<{ backend: { service: { name: string } } }> } }> };
      }
    >({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: ns.name, name });
  const httpRoute = (name: string) =>
    client.get<HTTPRoute>({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      namespace: ns.name,
      name,
    });
  const selectorOf = async (svc: string) =>
    (
      await client.get<KubeObject & { spec: { selector: Record<string, string> } }>({
        apiVersion: 'v1',
        kind: 'Service',
        namespace: ns.name,
        name: svc,
      })
    )?.spec.selector[HASH];
  const service = (name: string, app: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns.name },
    spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const stableIngress = (name: string, svc: string): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns.name, annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
    spec: {
      rules: [
        {
          host: `${name}.example.com`,
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  });
  /** The seed Rollout as `name` (own labels and Services), analysis left out (no Prometheus here). */
  const seedRollout = (name: string, trafficRouting: unknown) => {
    const seed = fixture('rollout.yaml');
    seed.metadata = { name, namespace: ns.name };
    delete seed.spec.strategy.canary.analysis;
    seed.spec.strategy.canary.canaryService = `${name}-canary`;
    seed.spec.strategy.canary.stableService = `${name}-stable`;
    seed.spec.strategy.canary.trafficRouting = trafficRouting;
    seed.spec.selector.matchLabels.app = name;
    seed.spec.template.metadata.labels.app = name;
    return seed;
  };
  const setImage = (name: string, tag: string) =>
    client.patch(ref(name), {
      spec: {
        template: {
          spec: { containers: [{ name: 'my-service', image: `ghcr.io/myorg/my-service:${tag}` }] },
        },
      },
    });
  /** Deploys `name` and waits for Healthy; returns the stable hash. */
  const deployHealthy = async (name: string, rollout: unknown) => {
    await client.apply(service(`${name}-canary`, name));
    await client.apply(service(`${name}-stable`, name));
    await client.apply(rollout as KubeObject);
    return eventually(async () => {
      const r = await getRollout(name);
      expect(r.status?.phase).toBe('Healthy');
      expect(r.status?.stableRS).toBe(r.status?.currentPodHash);
      return r.status?.stableRS ?? '';
    }, 60_000);
  };
  /** Waits for the pause after a setWeight step, at `index`. */
  const pausedAt = (name: string, index: number) =>
    eventually(async () => {
      const r = await getRollout(name);
      expect(r.status?.currentStepIndex).toBe(index);
      expect(r.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
      return r;
    }, 60_000);

  it('NGINX: the canary Ingress weight follows setWeight 10/30/60, then 0 after promotion with the stable Service on the new hash', async () => {
    await client.apply(stableIngress('web', 'web-stable'));
    const v1 = await deployHealthy('web', seedRollout('web', { nginx: { stableIngress: 'web' } }));

    // Fully promoted: the canary Ingress exists at weight 0, owned by the Rollout, backend switched.
    const canaryName = 'web-web-canary';
    const created = await eventually(async () => {
      const ing = await ingress(canaryName);
      expect(ing?.metadata.annotations?.[WEIGHT]).toBe('0');
      return ing;
    }, 30_000);
    expect(created?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary']).toBe('true');
    expect(created?.metadata.annotations?.['kubernetes.io/ingress.class']).toBe('nginx');
    expect(created?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Rollout',
      name: 'web',
      controller: true,
    });
    expect(created?.spec.rules[0]?.http.paths[0]?.backend.service.name).toBe('web-canary');

    await setImage('web', 'v2');
    const v2 = await eventually(async () => {
      const r = await getRollout('web');
      expect(r.status?.currentPodHash).not.toBe(v1);
      return r.status?.currentPodHash ?? '';
    });
    // Each setWeight: the Ingress weight, status.canary.weights and the traffic-routed pod counts
    // (canary ceil(5 × w / 100), stable stays at 5).
    for (const [index, weight, canaryPods] of [
      [1, 10, 1],
      [3, 30, 2],
      [5, 60, 3],
    ] as const) {
      const paused = await pausedAt('web', index);
      await eventually(async () => {
        expect((await ingress(canaryName))?.metadata.annotations?.[WEIGHT]).toBe(String(weight));
        const r = await getRollout('web');
        expect(r.status?.canary?.weights).toEqual({
          canary: { weight, podTemplateHash: v2, serviceName: 'web-canary' },
          stable: { weight: 100 - weight, podTemplateHash: v1, serviceName: 'web-stable' },
        });
        const rss = await replicaSets('web');
        expect(rss.get(v2)?.spec.replicas).toBe(canaryPods);
        expect(rss.get(v1)?.spec.replicas).toBe(5);
      }, 30_000);
      expect(await selectorOf('web-canary')).toBe(v2);
      expect(await selectorOf('web-stable')).toBe(v1);
      await applyRolloutPatches(client, ns.name, 'web', promotePatches(paused));
    }

    // Past the last step: promoted; weight back to 0, both Services on v2; the old stable keeps its
    // pods until its scale-down deadline (scaleDownDelaySeconds, 30 s by default).
    await eventually(async () => {
      const r = await getRollout('web');
      expect(r.status?.phase).toBe('Healthy');
      expect(r.status?.stableRS).toBe(v2);
      expect((await ingress(canaryName))?.metadata.annotations?.[WEIGHT]).toBe('0');
      expect(r.status?.canary?.weights?.canary).toEqual({
        weight: 0,
        podTemplateHash: v2,
        serviceName: 'web-canary',
      });
      expect(r.status?.canary?.weights?.stable.weight).toBe(100);
      expect(await selectorOf('web-stable')).toBe(v2);
      expect(await selectorOf('web-canary')).toBe(v2);
      const old = (await replicaSets('web')).get(v1);
      expect(old?.metadata.annotations?.['scale-down-deadline']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(old?.spec.replicas).toBe(5);
    }, 60_000);
    const events = await client.list<KubeObject & { reason?: string; message?: string }>({
      apiVersion: 'v1',
      kind: 'Event',
      namespace: ns.name,
      fieldSelector: 'involvedObject.name=web',
    });
    const messages = events.items.map((e) => `${e.reason}: ${e.message}`);
    expect(messages).toContain('TrafficWeightUpdated: Traffic weight updated from 0 to 10');
    expect(messages).toContain('TrafficWeightUpdated: Traffic weight updated from 60 to 100');
    expect(messages).toContain(
      "PatchingCanaryIngress: Updating Ingress `web-web-canary` to desiredWeight '10'",
    );
    // Each weight is written once: an unchanged canary Ingress is not patched again.
    const patches = messages.filter((m) => m.startsWith('PatchingCanaryIngress'));
    expect(patches).toEqual([...new Set(patches)]);
    expect(patches).toHaveLength(5); // 10, 30, 60, 100, then 0
    expect(errors).toEqual([]);
  });

  it('NGINX: abort sends the weight to 0 and the canary Service to stable; the canary is scaled down after abortScaleDownDelaySeconds', async () => {
    await client.apply(stableIngress('shop', 'shop-stable'));
    const rollout = seedRollout('shop', { nginx: { stableIngress: 'shop' } });
    rollout.spec.strategy.canary.abortScaleDownDelaySeconds = 3;
    const v1 = await deployHealthy('shop', rollout);
    await setImage('shop', 'bad');
    await pausedAt('shop', 1);
    await eventually(async () =>
      expect((await ingress('shop-shop-canary'))?.metadata.annotations?.[WEIGHT]).toBe('10'),
    );
    await applyRolloutPatches(client, ns.name, 'shop', abortPatches());
    await eventually(async () => {
      const r = await getRollout('shop');
      expect(r.status?.phase).toBe('Degraded');
      expect(r.status?.message).toBe('RolloutAborted: Rollout aborted update to revision 2');
      expect((await ingress('shop-shop-canary'))?.metadata.annotations?.[WEIGHT]).toBe('0');
      expect(r.status?.canary?.weights?.canary.weight).toBe(0);
      expect(await selectorOf('shop-canary')).toBe(v1);
    }, 30_000);
    // Then, after the 3 s abort delay, the canary ReplicaSet goes to 0; the stable stays at 5.
    await eventually(async () => {
      const r = await getRollout('shop');
      const rss = await replicaSets('shop');
      expect(rss.get(r.status?.currentPodHash ?? '')?.spec.replicas).toBe(0);
      expect(rss.get(v1)?.spec.replicas).toBe(5);
    }, 30_000);
    expect(errors).toEqual([]);
  });

  it('Gateway API: the HTTPRoute backendRef weights follow the steps, and the in-progress label comes and goes', async () => {
    await client.apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'api-route', namespace: ns.name },
      spec: {
        parentRefs: [{ name: 'gateway' }],
        rules: [
          {
            backendRefs: [
              { name: 'api-stable', port: 80 },
              { name: 'api-canary', port: 80 },
            ],
          },
        ],
      },
    });
    const plugins = { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'api-route' } } };
    const v1 = await deployHealthy('api', seedRollout('api', plugins));
    const weights = async () =>
      (await httpRoute('api-route'))?.spec.rules[0]?.backendRefs.map((b) => [b.name, b.weight]);
    await eventually(async () =>
      expect(await weights()).toEqual([
        ['api-stable', 100],
        ['api-canary', 0],
      ]),
    );
    await setImage('api', 'v2');
    for (const [index, weight] of [
      [1, 10],
      [3, 30],
      [5, 60],
    ] as const) {
      const paused = await pausedAt('api', index);
      await eventually(async () => {
        expect(await weights()).toEqual([
          ['api-stable', 100 - weight],
          ['api-canary', weight],
        ]);
        const route = await httpRoute('api-route');
        expect(route?.metadata.labels?.['rollouts.argoproj.io/gatewayapi-canary']).toBe('in-progress');
        // The plugin verifies what it sets.
        expect((await getRollout('api')).status?.canary?.weights?.verified).toBe(true);
      }, 30_000);
      await applyRolloutPatches(client, ns.name, 'api', promotePatches(paused));
    }
    await eventually(async () => {
      const r = await getRollout('api');
      expect(r.status?.phase).toBe('Healthy');
      expect(r.status?.stableRS).not.toBe(v1);
      expect(await weights()).toEqual([
        ['api-stable', 100],
        ['api-canary', 0],
      ]);
      expect(
        (await httpRoute('api-route'))?.metadata.labels?.['rollouts.argoproj.io/gatewayapi-canary'],
      ).toBeUndefined();
    }, 60_000);
    expect(errors).toEqual([]);
  });

  it('bad references: a missing stable Ingress is InvalidSpec (nothing created); an HTTPRoute without the canary backendRef is a TrafficRoutingError', async () => {
    await client.apply(service('lost-canary', 'lost'));
    await client.apply(service('lost-stable', 'lost'));
    await client.apply(seedRollout('lost', { nginx: { stableIngress: 'nowhere' } }));
    await eventually(async () => {
      const r = await getRollout('lost');
      expect(r.status?.phase).toBe('Degraded');
      expect(r.status?.message).toBe(
        'InvalidSpec: The Rollout "lost" is invalid: spec.strategy.canary.trafficRouting.nginx.stableIngress: Invalid value: "nowhere": ingress.networking.k8s.io "nowhere" not found',
      );
    }, 30_000);
    expect((await replicaSets('lost')).size).toBe(0);
    expect(await ingress('lost-nowhere-canary')).toBeUndefined();

    await client.apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'half-route', namespace: ns.name },
      spec: {
        parentRefs: [{ name: 'gateway' }],
        rules: [{ backendRefs: [{ name: 'half-stable', port: 80 }] }],
      },
    });
    const before = errors.length;
    await client.apply(service('half-canary', 'half'));
    await client.apply(service('half-stable', 'half'));
    await client.apply(
      seedRollout('half', { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'half-route' } } }),
    );
    await eventually(async () => {
      const events = await client.list<KubeObject & { reason?: string; message?: string; type?: string }>({
        apiVersion: 'v1',
        kind: 'Event',
        namespace: ns.name,
        fieldSelector: 'involvedObject.name=half',
      });
      expect(events.items.map((e) => [e.type, e.reason, e.message])).toContainEqual([
        'Warning',
        'TrafficRoutingError',
        'failed to set weight via plugin: backendRef was not found in httpRoute',
      ]);
    }, 30_000);
    expect(errors.slice(before).map((e) => (e as Error).message)).toContain(
      `HTTPRoute/${ns.name}/half-route: failed to set weight via plugin: backendRef was not found in httpRoute`,
    );
    // The route was not touched (weight is the CRD's default).
    expect((await httpRoute('half-route'))?.spec.rules[0]?.backendRefs[0]?.weight).toBe(1); // the CRD's default
    errors.splice(before);
  });
});
