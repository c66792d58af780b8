/**
 * Informer cache of N ConfigMaps (default 5,000): time to sync and memory held.
 * Starts its own control plane (without controllers), fills a namespace, then measures in this
 * process: wall time of `informer.start()` and the heap / RSS growth after a forced GC.
 * Run: node --expose-gc --import tsx bench/informer.ts [count=5000]
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ControlPlane } from '../src/devcluster/control-plane.ts';
import { cacheRoot } from '../src/devcluster/paths.ts';
import { currentProcessIdentity } from '../src/devcluster/processes.ts';
import { Informer } from '../src/kube/informer.ts';
import { limit } from '../src/util/limit.ts';

const count = Number(process.argv[2] ?? 5000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const plane = await ControlPlane.start({
  dir: join(cacheRoot(), 'test-planes', `bench-informer-${randomBytes(3).toString('hex')}`),
  owner: currentProcessIdentity(),
  controllers: false,
});
try {
  const client = plane.client();
  const namespace = 'bench';
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const run = limit(32);
  const fillStart = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      run(() =>
        client.apply({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}`, namespace, labels: { app: 'bench', shard: String(i % 10) } },
          data: { index: String(i), payload: 'x'.repeat(200) },
        }),
      ),
    ),
  );
  console.log(
    `filled ${count} ConfigMaps by server-side apply in ${((performance.now() - fillStart) / 1000).toFixed(1)} s (32 concurrent)`,
  );

  const informer = new Informer(client, { apiVersion: 'v1', kind: 'ConfigMap', namespace });
  const started = performance.now();
  await informer.start();
  const syncMs = performance.now() - started;
  gc();
  gc();
  const held = process.memoryUsage();
  await informer.stop();
  // What the cache itself retains: memory with it, minus memory once it is released.
  const release = { informer: informer as Informer | undefined };
  release.informer = undefined;
  gc();
  gc();
  const released = process.memoryUsage();
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  console.log(
    `informer synced ${count} ConfigMaps in ${syncMs.toFixed(0)} ms; cache retains ${mib(held.heapUsed - released.heapUsed)} MiB of heap; process RSS ${mib(held.rss)} MiB`,
  );
} finally {
  await plane.stop({ purge: true });
}
