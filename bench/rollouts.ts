/**
 * Rollout controller at 100 Rollouts (replicas 1, canary with a pause step): RSS of this process
 * before the controller starts and after every Rollout is Healthy (after a forced GC), then the CPU
 * and wall time of observing + planning one unchanged Rollout, N times.
 * Run: node --expose-gc --import tsx bench/rollouts.ts [count=100] [iterations=200]
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ControlPlane } from '../src/devcluster/control-plane.ts';
import { cacheRoot } from '../src/devcluster/paths.ts';
import { currentProcessIdentity } from '../src/devcluster/processes.ts';
import { createRolloutController, planRollout } from '../src/rollouts/controller.ts';
import { observeRollout } from '../src/rollouts/observe.ts';
import { countHealthyRollouts, createRolloutFleet } from './rollout-fleet.ts';

const count = Number(process.argv[2] ?? 100);
const iterations = Number(process.argv[3] ?? 200);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (n: number) => (n / 2 ** 20).toFixed(1);

// With kube-controller-manager: the ReplicaSets get pods, which KWOK runs, so Rollouts become Healthy.
const plane = await ControlPlane.start({
  dir: join(cacheRoot(), 'test-planes', `bench-rollouts-${randomBytes(3).toString('hex')}`),
  owner: currentProcessIdentity(),
});
let controller: ReturnType<typeof createRolloutController> | undefined;
try {
  const client = plane.client();
  const namespace = 'bench-rollouts';
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace }); // warm the client
  gc();
  gc();
  const baseline = process.memoryUsage();
  const errors: unknown[] = [];
  controller = createRolloutController({ client, namespace, onError: (_k, e) => errors.push(e) });
  await controller.start();
  gc();
  gc();
  const idle = process.memoryUsage();

  const started = performance.now();
  await createRolloutFleet(client, namespace, count);
  const healthy = () => countHealthyRollouts(client, namespace);
  for (let n = await healthy(); n < count; n = await healthy()) {
    if (performance.now() - started > 150_000) {
      throw new Error(
        `only ${n}/${count} Healthy after 150 s; errors: ${errors.slice(0, 3).map(String).join('; ')}`,
      );
    }
    await sleep(250);
  }
  const settleS = (performance.now() - started) / 1000;
  await sleep(3_000); // let the last status writes and their watch events pass
  gc();
  gc();
  const settled = process.memoryUsage();

  // One unchanged Rollout: what a no-op reconcile computes (its reads and the plan), N times.
  const now = new Date();
  let observeCpu = 0;
  let observeWall = 0;
  let planCpu = 0;
  let empty = true;
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const obs = await observeRollout(client, namespace, 'ro-0');
    const w1 = performance.now();
    const c1 = process.cpuUsage(c0);
    if (obs === undefined) throw new Error('ro-0 is gone');
    const p0 = process.cpuUsage();
    const plan = planRollout(obs, now);
    const p1 = process.cpuUsage(p0);
    observeWall += w1 - w0;
    observeCpu += c1.user + c1.system;
    planCpu += p1.user + p1.system;
    if (plan.createReplicaSet || plan.scale.length > 0 || plan.services.length > 0) empty = false;
  }

  console.log(
    `${count} Rollouts (replicas 1, canary setWeight 50 + pause) all Healthy ${settleS.toFixed(1)} s after the first create`,
  );
  console.log(
    `RSS: baseline ${mib(baseline.rss)} MiB, controller started (informers synced, no Rollouts) ${mib(idle.rss)} MiB, settled ${mib(settled.rss)} MiB (+${mib(settled.rss - baseline.rss)} MiB over baseline); heapUsed ${mib(baseline.heapUsed)} -> ${mib(settled.heapUsed)} MiB`,
  );
  console.log(
    `unchanged Rollout, ${iterations} iterations: observe (API reads) ${(observeCpu / 1000 / iterations).toFixed(2)} ms CPU / ${(observeWall / iterations).toFixed(2)} ms wall each; plan ${(planCpu / 1000 / iterations).toFixed(3)} ms CPU each; plan was ${empty ? 'empty (no ReplicaSet/scale/Service action)' : 'NOT empty'}`,
  );
  if (errors.length > 0)
    console.log(`controller errors (${errors.length}): ${errors.slice(0, 3).map(String).join('; ')}`);
} finally {
  await controller?.stop().catch(() => undefined);
  await plane.stop({ purge: true });
}
