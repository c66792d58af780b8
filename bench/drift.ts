/**
 * Self-heal latency: an automated Application with `selfHeal: true` owns a Deployment (replicas 2);
 * the bench patches `spec.replicas` to 5 behind its back and times until the controller puts 2
 * back. Two series of N (default 5), each with the median: the first drift of N fresh apps (no
 * backoff), and N drifts in a row on one app (Argo CD's self-heal backoff: 0, 2, 6, 18, 54 s).
 * Run: npx tsx bench/drift.ts [runs=5]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ControlPlane } from '../src/devcluster/control-plane.ts';
import { cacheRoot } from '../src/devcluster/paths.ts';
import { currentProcessIdentity } from '../src/devcluster/processes.ts';
import type { KubeObject } from '../src/kube/types.ts';
import { APPLICATION_API, createApplicationController } from '../src/sync/controller.ts';

const runs = Number(process.argv[2] ?? 5);
const git = (args: string[], cwd?: string) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const root = mkdtempSync(join(tmpdir(), 'slipway-bench-drift-'));
const bare = join(root, 'configs.git');
const work = join(root, 'work');
git(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
git(['init', '--quiet', '--initial-branch=main', work]);
git(['remote', 'add', 'origin', bare], work);
mkdirSync(join(work, 'app'), { recursive: true });
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }] },
    },
  },
};
writeFileSync(join(work, 'app', 'deployment.yaml'), stringify(deployment));
git(['add', '--all'], work);
git(
  ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '--quiet', '-m', 'seed'],
  work,
);
git(['push', '--quiet', 'origin', 'main'], work);

// No kube-controller-manager: the Deployment never gets pods, so only Slipway touches `replicas`.
const plane = await ControlPlane.start({
  dir: join(cacheRoot(), 'test-planes', `bench-drift-${randomBytes(3).toString('hex')}`),
  owner: currentProcessIdentity(),
  controllers: false,
});
let controller: ReturnType<typeof createApplicationController> | undefined;
try {
  const client = plane.client();
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
  const errors: unknown[] = [];
  controller = createApplicationController({
    client,
    namespace: 'argocd',
    pollIntervalMs: 600_000,
    gitCacheRoot: join(root, 'git-cache'),
    onError: (_k, e) => errors.push(e),
  });
  await controller.start();
  const until = async (want: () => Promise<boolean>, what: string, timeoutMs = 90_000) => {
    const started = performance.now();
    while (!(await want())) {
      if (performance.now() - started > timeoutMs) {
        throw new Error(`timed out waiting for ${what}; errors: ${errors.map(String).join('; ')}`);
      }
      await sleep(10);
    }
  };

  /** A synced app `drift-<id>` owning Deployment `web` in namespace `bench-drift-<id>`. */
  const syncedApp = async (id: string) => {
    const namespace = `bench-drift-${id}`;
    const name = `drift-${id}`;
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await client.apply({
      ...APPLICATION_API,
      metadata: { name, namespace: 'argocd' },
      spec: {
        project: 'default',
        source: { repoURL: `file://${bare}`, targetRevision: 'main', path: 'app' },
        destination: { server: 'https://kubernetes.default.svc', namespace },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    } as KubeObject);
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web' };
    const replicas = async () =>
      ((await client.get(ref)) as (KubeObject & { spec: { replicas?: number } }) | undefined)?.spec.replicas;
    const synced = async () => {
      const app = (await client.get({ ...APPLICATION_API, namespace: 'argocd', name })) as
        | (KubeObject & { status?: { sync?: { status?: string }; operationState?: { phase?: string } } })
        | undefined;
      return app?.status?.sync?.status === 'Synced' && app.status.operationState?.phase === 'Succeeded';
    };
    await until(async () => (await replicas()) === 2 && (await synced()), `the initial sync of ${name}`);
    /** Drifts `replicas` to 5 and returns the ms until 2 is back; then waits for Synced. */
    const drift = async (what: string) => {
      await sleep(1_000); // settle: the app is Synced and no reconcile is in flight
      const started = performance.now();
      await client.patch(ref, { spec: { replicas: 5 } }, { type: 'merge' });
      await until(async () => (await replicas()) === 2, `self-heal ${what}`);
      const ms = performance.now() - started;
      await until(synced, `Synced after self-heal ${what}`);
      return ms;
    };
    return drift;
  };
  const report = (label: string, times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`${label}:`);
    console.log(`  each: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`);
    console.log(`  median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (polled every 10 ms)`);
  };

  // (1) The first drift of each of `runs` fresh apps: no self-heal backoff applies yet.
  const first: number[] = [];
  for (let i = 0; i < runs; i++) {
    const drift = await syncedApp(String(i));
    first.push(await drift(`of app ${i}`));
  }
  // (2) `runs` drifts in a row on one app: Argo CD's self-heal backoff (0, 2, 6, 18, 54 s after the
  // previous heal finished) applies, as in upstream.
  const drift = await syncedApp('repeat');
  const repeated: number[] = [];
  for (let i = 0; i < runs; i++) repeated.push(await drift(`#${i + 1}`));

  report(`first drift of ${runs} fresh apps (replicas 2 -> 5 by merge patch) until restored to 2`, first);
  report(`${runs} drifts in a row on one app (self-heal backoff applies) until restored`, repeated);
  if (errors.length > 0) console.log(`controller errors: ${errors.map(String).join('; ')}`);
} finally {
  await controller?.stop().catch(() => undefined);
  await plane.stop({ purge: true });
  rmSync(root, { recursive: true, force: true });
}
