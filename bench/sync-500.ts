/**
 * Initial sync of one Application of N objects (default 500: half ConfigMaps, half Services) from a
 * plain-directory source in a real file:// git repo, side by side with `kubectl apply --server-side`
 * of the same manifests into a fresh namespace on the same control plane; then the wall time of one
 * no-op reconcile of the synced app.
 * Run: npx tsx bench/sync-500.ts [count=500]
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { ControlPlane } from '../src/devcluster/control-plane.ts';
import { cacheRoot } from '../src/devcluster/paths.ts';
import { currentProcessIdentity } from '../src/devcluster/processes.ts';
import type { KubeObject } from '../src/kube/types.ts';
import { APPLICATION_API, createApplicationController } from '../src/sync/controller.ts';

const count = Number(process.argv[2] ?? 500);
const run = promisify(execFile);
const git = (args: string[], cwd?: string) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the config repository: 10 files of count/10 objects, no namespaces (the destination decides)
const root = mkdtempSync(join(tmpdir(), 'slipway-bench-sync-'));
const bare = join(root, 'configs.git');
const work = join(root, 'work');
const manifests = join(work, 'app');
git(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
git(['init', '--quiet', '--initial-branch=main', work]);
git(['remote', 'add', 'origin', bare], work);
mkdirSync(manifests, { recursive: true });
const objects: object[] = [];
for (let i = 0; i < count / 2; i++) {
  objects.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, labels: { bench: 'sync' } },
    data: { index: String(i), payload: 'x'.repeat(200) },
  });
  objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, labels: { bench: 'sync' } },
    spec: { selector: { app: `app-${i}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
}
const perFile = Math.ceil(objects.length / 10);
for (let f = 0; f < 10; f++) {
  const docs = objects.slice(f * perFile, (f + 1) * perFile);
  writeFileSync(join(manifests, `part-${f}.yaml`), docs.map((d) => stringify(d)).join('---\n'));
}
git(['add', '--all'], work);
git(
  ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '--quiet', '-m', 'seed'],
  work,
);
git(['push', '--quiet', 'origin', 'main'], work);

const plane = await ControlPlane.start({
  dir: join(cacheRoot(), 'test-planes', `bench-sync-${randomBytes(3).toString('hex')}`),
  owner: currentProcessIdentity(),
  controllers: false,
});
const gitCache = join(root, 'git-cache');
let controller: ReturnType<typeof createApplicationController> | undefined;
try {
  const client = plane.client();
  for (const name of ['argocd', 'bench-slipway', 'bench-kubectl']) {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const countIn = async (namespace: string) => {
    const labelSelector = 'bench=sync';
    const cms = await client.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace, labelSelector });
    const svcs = await client.list({ apiVersion: 'v1', kind: 'Service', namespace, labelSelector });
    return cms.items.length + svcs.items.length;
  };

  // The reconcile start marker: the one clock read reconcileApplication makes itself.
  const reconcileStarts: number[] = [];
  const clock = () => {
    const stack = new Error().stack ?? '';
    if (/\n\s+at reconcileApplication /.test(stack.split('\n').slice(0, 3).join('\n'))) {
      reconcileStarts.push(performance.now());
      onReconcileStart?.();
    }
    return new Date();
  };
  let onReconcileStart: (() => void) | undefined;
  const errors: unknown[] = [];
  controller = createApplicationController({
    client,
    namespace: 'argocd',
    pollIntervalMs: 600_000,
    gitCacheRoot: gitCache,
    clock,
    onError: (_k, e) => errors.push(e),
  });
  await controller.start();

  // (a) Slipway: create the Application with automated sync, wait for Succeeded and every object.
  const startedA = performance.now();
  await client.apply({
    ...APPLICATION_API,
    metadata: { name: 'bench', namespace: 'argocd' },
    spec: {
      project: 'default',
      source: { repoURL: `file://${bare}`, targetRevision: 'main', path: 'app' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'bench-slipway' },
      syncPolicy: { automated: { prune: true, selfHeal: false } },
    },
  } as KubeObject);
  let succeededAt: number | undefined;
  // Objects listed right after Succeeded was first seen: fewer than `count` would mean the phase
  // was written before every object was visible.
  let presentAtSucceeded = 0;
  for (;;) {
    const app = (await client.get({ ...APPLICATION_API, namespace: 'argocd', name: 'bench' })) as
      | (KubeObject & { status?: { operationState?: { phase?: string; message?: string } } })
      | undefined;
    const phase = app?.status?.operationState?.phase;
    if (phase === 'Succeeded' && succeededAt === undefined) {
      succeededAt = performance.now();
      presentAtSucceeded = await countIn('bench-slipway');
    }
    if (phase === 'Failed' || phase === 'Error')
      throw new Error(`sync ${phase}: ${app?.status?.operationState?.message}`);
    if (succeededAt !== undefined && (await countIn('bench-slipway')) === count) break;
    if (performance.now() - startedA > 150_000)
      throw new Error(`timed out; errors: ${errors.map(String).join('; ')}`);
    await sleep(50);
  }
  const slipwayMs = performance.now() - startedA;
  const phaseMs = (succeededAt ?? performance.now()) - startedA;

  // (b) kubectl apply --server-side of the same directory into a fresh namespace.
  const startedB = performance.now();
  await run(
    '/usr/bin/kubectl',
    ['--kubeconfig', plane.kubeconfig, 'apply', '--server-side', '-n', 'bench-kubectl', '-f', manifests],
    { maxBuffer: 64 * 2 ** 20 },
  );
  const kubectlMs = performance.now() - startedB;
  const kubectlCount = await countIn('bench-kubectl');

  // (c) No-op reconcile: keep the key queued so each reconcile starts right after the previous one
  // ends; the gap between consecutive reconcile starts is one reconcile (plus queue hand-off).
  await sleep(2_000); // let the post-sync reconciles (status, live-state events) drain
  const rounds = 20;
  const before = reconcileStarts.length;
  const done = new Promise<void>((resolve) => {
    onReconcileStart = () => {
      if (reconcileStarts.length - before > rounds) {
        onReconcileStart = undefined;
        resolve();
      } else controller?.refresh('bench');
    };
  });
  const cpu0 = process.cpuUsage();
  controller.refresh('bench');
  await done;
  const cpu = process.cpuUsage(cpu0);
  const starts = reconcileStarts.slice(before);
  const gaps = starts
    .slice(1)
    .map((t, i) => t - starts[i]!)
    .sort((x, y) => x - y);
  const median = gaps[Math.floor(gaps.length / 2)]!;

  console.log(
    `objects: ${count} (${count / 2} ConfigMaps + ${count / 2} Services), 10 files, plain directory`,
  );
  console.log(
    `(a) Slipway initial sync: Application created -> operationState Succeeded ${(phaseMs / 1000).toFixed(2)} s; -> all ${count} objects listed ${(slipwayMs / 1000).toFixed(2)} s (${presentAtSucceeded} listed when Succeeded was first seen)`,
  );
  console.log(
    `(b) kubectl apply --server-side -f <dir>: ${(kubectlMs / 1000).toFixed(2)} s (${kubectlCount} objects)`,
  );
  console.log(`    ratio Slipway / kubectl: ${(slipwayMs / kubectlMs).toFixed(2)}x`);
  console.log(
    `(c) no-op reconcile of the synced app (${gaps.length} back-to-back): median ${median.toFixed(1)} ms, min ${gaps[0]!.toFixed(1)} ms, max ${gaps.at(-1)!.toFixed(1)} ms; process CPU ${((cpu.user + cpu.system) / 1000 / gaps.length).toFixed(1)} ms per reconcile`,
  );
  if (errors.length > 0) console.log(`controller errors: ${errors.map(String).join('; ')}`);
} finally {
  await controller?.stop().catch(() => undefined);
  await plane.stop({ purge: true });
  rmSync(root, { recursive: true, force: true });
}
