/**
 * Blue-green Rollouts on the real control plane: preview first (previewReplicaCount), a manual
 * BlueGreenPause, promote switches the active Service, the old ReplicaSet is scaled down after
 * scaleDownDelaySeconds (shortened to 2s so the test does not wait the default 30s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { applyRolloutPatches, promotePatches } from '../../src/rollouts/actions.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { parseRollout } from '../../src/rollouts/spec.ts';
import type { Rollout } from '../../src/rollouts/types.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';

const HASH = 'rollouts-pod-template-hash';
interface RS extends KubeObject {
  spec: { replicas: number };
  status?: { availableReplicas?: number };
}

describe('blue-green Rollout controller on the real control plane', () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };
  let controller: RolloutController;
  const errors: unknown[] = [];

  beforeAll(async () => {
    client = sharedClient();
    ns = await createNamespace(client, 'bluegreen');
    controller = createRolloutController({ client, namespace: ns.name, onError: (_k, e) => errors.push(e) });
    await controller.start();
  });
  afterAll(async () => {
    await controller.stop();
    await ns.remove();
    await client.close();
  });

  const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: '', name: 'bg' };
  const getRollout = async (): Promise<Rollout> => {
    const parsed = parseRollout(await client.get({ ...ref, namespace: ns.name }));
    if (!parsed.ok) throw new Error('unparseable rollout');
    return parsed.value;
  };
  const replicaSets = async () =>
    new Map(
      (await client.list<RS>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: ns.name })).items.map(
        (rs) => [rs.metadata.labels?.[HASH] ?? '', rs],
      ),
    );
  const selectorOf = async (name: string) =>
    (
      await client.get<KubeObject & { spec: { selector: Record<string, string> } }>({
        apiVersion: 'v1',
        kind: 'Service',
        namespace: ns.name,
        name,
      })
    )?.spec.selector[HASH];
  const service = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns.name },
    spec: { selector: { app: 'bg' }, ports: [{ port: 80 }] },
  });
  const rollout = (image: string): KubeObject => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'bg', namespace: ns.name },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'bg' } },
      template: { metadata: { labels: { app: 'bg' } }, spec: { containers: [{ name: 'web', image }] } },
      strategy: {
        blueGreen: {
          activeService: 'bg-active',
          previewService: 'bg-preview',
          previewReplicaCount: 1,
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: 2,
        },
      },
    },
  });

  it('first deploy goes active at once; an update previews, pauses, switches on promote, then scales the old one down', async () => {
    await client.apply(service('bg-active'));
    await client.apply(service('bg-preview'));
    await client.apply(rollout('registry.local/web:1'));
    const v1 = await eventually(async () => {
      const r = await getRollout();
      expect(r.status?.phase).toBe('Healthy');
      expect(r.status?.blueGreen?.activeSelector).toBe(r.status?.currentPodHash);
      expect(await selectorOf('bg-active')).toBe(r.status?.currentPodHash);
      return r.status?.currentPodHash ?? '';
    }, 60_000);

    await client.apply(rollout('registry.local/web:2'));
    const paused = await eventually(async () => {
      const r = await getRollout();
      expect(r.status?.currentPodHash).not.toBe(v1);
      expect(r.status?.pauseConditions?.map((c) => c.reason)).toEqual(['BlueGreenPause']);
      expect(r.status?.phase).toBe('Paused');
      const rss = await replicaSets();
      expect(rss.get(r.status?.currentPodHash ?? '')?.spec.replicas).toBe(1); // previewReplicaCount
      expect(rss.get(v1)?.spec.replicas).toBe(3);
      expect(await selectorOf('bg-preview')).toBe(r.status?.currentPodHash);
      expect(await selectorOf('bg-active')).toBe(v1);
      return r;
    }, 60_000);
    const v2 = paused.status?.currentPodHash ?? '';

    await applyRolloutPatches(client, ns.name, 'bg', promotePatches(paused));
    await eventually(async () => {
      const r = await getRollout();
      expect(await selectorOf('bg-active')).toBe(v2);
      expect(r.status?.stableRS).toBe(v2);
      expect((await replicaSets()).get(v2)?.spec.replicas).toBe(3);
      const deadline = (await replicaSets()).get(v1)?.metadata.annotations?.['scale-down-deadline'];
      expect(deadline).toBeDefined();
    }, 60_000);
    await eventually(async () => {
      expect((await replicaSets()).get(v1)?.spec.replicas).toBe(0);
      expect((await getRollout()).status?.phase).toBe('Healthy');
    }, 60_000);
    expect(errors).toEqual([]);
  });
});
