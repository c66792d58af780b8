import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KWOK_NODE_NAME } from '../../src/devcluster/control-plane.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';

interface Pod extends KubeObject {
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}

const deployment = (namespace: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'registry.local/web:1.0.0' }] },
    },
  },
});

describe('workloads on the real control plane', () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };

  beforeAll(async () => {
    client = sharedClient();
    ns = await createNamespace(client, 'workloads');
  });
  afterAll(async () => {
    await ns.remove();
    await client.close();
  });

  const readyPods = async (): Promise<Pod[]> => {
    const { items } = await client.list<Pod>({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: ns.name,
      labelSelector: 'app=web',
    });
    return items.filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        p.spec.nodeName === KWOK_NODE_NAME &&
        p.status?.phase === 'Running' &&
        p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
  };

  const allPods = async () =>
    (await client.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: ns.name })).items;

  it('a Deployment of 3 becomes one ReplicaSet and 3 Ready pods on the KWOK node; scales to 5, then 1', async () => {
    await client.apply(deployment(ns.name, 3));

    const rs = await eventually(async () => {
      const { items } = await client.list({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: ns.name });
      expect(items).toHaveLength(1);
      return items[0]!;
    });
    expect(rs.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      controller: true,
    });

    await eventually(async () => expect(await readyPods()).toHaveLength(3));

    await client.apply(deployment(ns.name, 5));
    await eventually(async () => expect(await readyPods()).toHaveLength(5));

    await client.apply(deployment(ns.name, 1));
    // Scale-down completes only when KWOK finalises the deleted pods.
    await eventually(async () => {
      expect(await readyPods()).toHaveLength(1);
      expect(await allPods()).toHaveLength(1);
    });
    await eventually(async () => {
      const d = await client.get<KubeObject & { status?: { availableReplicas?: number } }>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        namespace: ns.name,
      });
      expect(d?.status?.availableReplicas).toBe(1);
    });
  });

  it('foreground deletion of the Deployment leaves no ReplicaSet and no Pod', async () => {
    const deleted = await client.delete(
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns.name },
      { propagationPolicy: 'Foreground' },
    );
    expect(deleted).toBe(true);
    await eventually(async () => {
      expect(
        await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns.name }),
      ).toBeUndefined();
      const rs = await client.list({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: ns.name });
      expect(rs.items).toHaveLength(0);
      expect(await allPods()).toHaveLength(0);
    });
    // Deleting what is gone is not an error.
    expect(
      await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns.name }),
    ).toBe(false);
  });
});
