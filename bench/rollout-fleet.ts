/**
 * The fleet the Rollout benchmarks share: `count` canary Rollouts (replicas 1, setWeight 50 then an
 * indefinite pause) created with bounded concurrency, and how many of them are Healthy.
 */
import type { KubeClient } from '../src/kube/client.ts';
import type { KubeObject } from '../src/kube/types.ts';
import { limit } from '../src/util/limit.ts';

/** Creates `ro-0` … `ro-<count-1>` in `namespace`, 16 requests at a time. */
export async function createRolloutFleet(
  client: KubeClient,
  namespace: string,
  count: number,
): Promise<void> {
  const run = limit(16);
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      run(() =>
        client.apply({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name: `ro-${i}`, namespace },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: `ro-${i}` } },
            template: {
              metadata: { labels: { app: `ro-${i}` } },
              spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] },
            },
            strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
          },
        } as KubeObject),
      ),
    ),
  );
}

/** How many Rollouts of `namespace` report phase Healthy. */
export async function countHealthyRollouts(client: KubeClient, namespace: string): Promise<number> {
  const { items } = await client.list<KubeObject & { status?: { phase?: string } }>({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    namespace,
  });
  return items.filter((r) => r.status?.phase === 'Healthy').length;
}
