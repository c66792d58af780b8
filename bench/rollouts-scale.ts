/**
 * The Rollout controller at 100 Rollouts (replicas 1, canary setWeight 50 + pause), two numbers:
 *
 * 1. RSS of the controller process: `slipway controller --components rollouts` started as its own
 *    process (through tsx, as the test suite runs the CLI), read from /proc/<pid>/status once it
 *    has every Rollout Healthy, next to its RSS with the informers synced and no Rollouts.
 * 2. CPU of one reconcile of an unchanged Rollout: `RolloutController.reconcile()` of an
 *    in-process controller (observation from its informer caches, plan, executor writing nothing),
 *    measured with process.cpuUsage around each call; beside it, the same observation read from the
 *    API server (`observeRollout`), as the controller did before.
 *
 * Run: node --import tsx bench/rollouts-scale.ts [count=100] [iterations=500] [compiled-main.js]
 * With a third argument the controller process runs that compiled CLI (`node <main.js> controller`)
 * instead of `node --import tsx src/cli/main.ts controller`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlane } from '../src/devcluster/control-plane.ts';
import { cacheRoot } from '../src/devcluster/paths.ts';
import {
  currentProcessIdentity,
  type ServiceProcess,
  startService,
  stopService,
} from '../src/devcluster/processes.ts';
import {
  createRolloutController,
  installMissingCrds,
  planRollout,
  ROLLOUT_CRD_FILES,
} from '../src/rollouts/controller.ts';
import { observeRollout } from '../src/rollouts/observe.ts';
import { countHealthyRollouts, createRolloutFleet } from './rollout-fleet.ts';

const count = Number(process.argv[2] ?? 100);
const iterations = Number(process.argv[3] ?? 500);
const compiledMain = process.argv[4];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (kib: number) => (kib / 1024).toFixed(1);

/** VmRSS and VmHWM (peak) of a process, in KiB. */
function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

const plane = await ControlPlane.start({
  dir: join(cacheRoot(), 'test-planes', `bench-rollouts-scale-${randomBytes(3).toString('hex')}`),
  owner: currentProcessIdentity(),
});
let child: ServiceProcess | undefined;
let controller: ReturnType<typeof createRolloutController> | undefined;
try {
  const client = plane.client();
  const namespace = 'bench-rollouts';
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });

  // As after a first run: the CRDs are installed, so the controller only checks that they exist.
  await installMissingCrds(client, ROLLOUT_CRD_FILES);

  // 1. The controller as its own process.
  const log = join(plane.dir, 'slipway-controller.log');
  child = startService(
    'slipway-controller',
    process.execPath,
    [
      ...(compiledMain !== undefined ? [compiledMain] : ['--import', 'tsx', 'src/cli/main.ts']),
      ...['controller', '--components', 'rollouts', '--kubeconfig', plane.kubeconfig],
    ],
    log,
  );
  const pid = child.pid;
  for (let i = 0; !readFileSync(log, 'utf8').includes('reconciling Rollouts'); i++) {
    if (i > 600) throw new Error(`the controller did not start:\n${readFileSync(log, 'utf8')}`);
    await sleep(100);
  }
  await sleep(2_000);
  const idle = rssOf(pid);

  const started = performance.now();
  await createRolloutFleet(client, namespace, count);
  const healthy = () => countHealthyRollouts(client, namespace);
  for (let n = await healthy(); n < count; n = await healthy()) {
    if (performance.now() - started > 180_000) throw new Error(`only ${n}/${count} Healthy after 180 s`);
    await sleep(250);
  }
  const settleS = (performance.now() - started) / 1000;
  await sleep(3_000); // the last status writes and their watch events
  const settled = rssOf(pid);
  await stopService(child);
  child = undefined;

  // 2. CPU per reconcile of an unchanged Rollout, in this process.
  const errors: unknown[] = [];
  controller = createRolloutController({ client, namespace, onError: (_k, e) => errors.push(e) });
  await controller.start();
  await sleep(2_000); // the start-up reconciles (all no-ops) pass
  const keys = Array.from({ length: count }, (_, i) => `${namespace}/ro-${i}`);
  const before = await client.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace });
  for (const key of keys) await controller.reconcile(key); // warm-up (JIT)
  const perCall: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    await controller.reconcile(keys[i % keys.length] ?? '');
    const c1 = process.cpuUsage(c0);
    perCall.push((c1.user + c1.system) / 1000);
  }
  const after = await client.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace });
  const changed = after.items.filter(
    (r, i) => r.metadata.resourceVersion !== before.items[i]?.metadata.resourceVersion,
  ).length;
  await controller.stop();
  controller = undefined;

  // The same observation from the API server (what every reconcile cost before).
  let apiCpu = 0;
  const apiIterations = Math.min(iterations, 200);
  for (let i = 0; i < apiIterations; i++) {
    const c0 = process.cpuUsage();
    const obs = await observeRollout(client, namespace, `ro-${i % count}`);
    if (obs !== undefined) planRollout(obs, new Date());
    const c1 = process.cpuUsage(c0);
    apiCpu += (c1.user + c1.system) / 1000;
  }

  perCall.sort((a, b) => a - b);
  const pct = (p: number) => perCall[Math.min(perCall.length - 1, Math.floor(perCall.length * p))] ?? NaN;
  const mean = perCall.reduce((a, b) => a + b, 0) / perCall.length;
  console.log(
    `${count} Rollouts (replicas 1, canary setWeight 50 + pause) all Healthy ${settleS.toFixed(1)} s after the first create`,
  );
  console.log(
    `controller process (${compiledMain ?? 'tsx src/cli/main.ts'}) RSS: ${mib(idle.rss)} MiB synced with no Rollouts, ${mib(settled.rss)} MiB with ${count} Healthy (peak ${mib(settled.peak)} MiB)`,
  );
  console.log(
    `reconcile of an unchanged Rollout (cache), ${iterations} calls: mean ${mean.toFixed(3)} ms CPU, median ${pct(0.5).toFixed(3)}, p90 ${pct(0.9).toFixed(3)}, p99 ${pct(0.99).toFixed(3)}; Rollouts written meanwhile: ${changed}`,
  );
  console.log(
    `same observation from the API server + plan: ${(apiCpu / apiIterations).toFixed(3)} ms CPU each (${apiIterations} calls)`,
  );
  if (errors.length > 0)
    console.log(`controller errors (${errors.length}): ${errors.slice(0, 3).map(String).join('; ')}`);
} finally {
  if (child) await stopService(child).catch(() => undefined);
  await controller?.stop().catch(() => undefined);
  await plane.stop({ purge: true });
}
