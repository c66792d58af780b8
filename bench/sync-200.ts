/**
 * The Application controller at fleet scale: 200 Applications (each a ConfigMap, a Service and a
 * Deployment in its own namespace, plain directories of one config repo served over HTTP by
 * `git http-backend`), all synced; then
 *  (a) a no-op reconcile of all 200 (every app queued at once, until the queue is empty),
 *  (b) the controller process's memory with 200 apps (RSS and heap after GC),
 *  (c) a signed GitHub push webhook → the touched app's sync started (its `operation` written).
 * Run: node --expose-gc --import tsx bench/sync-200.ts [apps=200] [rounds=5]
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ControlPlane } from '../src/devcluster/control-plane.ts';
import { cacheRoot } from '../src/devcluster/paths.ts';
import { currentProcessIdentity } from '../src/devcluster/processes.ts';
import type { KubeObject } from '../src/kube/types.ts';
import { appsToRefresh, startWebhookServer } from '../src/server/index.ts';
import { APPLICATION_API, createApplicationController } from '../src/sync/controller.ts';
import { startGitHttpServer } from '../test/git/http-git-server.ts';

const appCount = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
const git = (args: string[], cwd?: string) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

// ---- the config repository: apps/app-N/{config,service,deployment}.yaml
const root = mkdtempSync(join(tmpdir(), 'slipway-bench-fleet-'));
const bare = join(root, 'repos', 'configs.git');
const work = join(root, 'work');
mkdirSync(join(root, 'repos'));
git(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
git(['init', '--quiet', '--initial-branch=main', work]);
git(['remote', 'add', 'origin', bare], work);
const commit = (message: string) => {
  git(['add', '--all'], work);
  git(['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-qm', message], work);
  git(['push', '--quiet', 'origin', 'main'], work);
};
const writeApp = (i: number, tag: string) => {
  const dir = join(work, 'apps', `app-${i}`);
  mkdirSync(dir, { recursive: true });
  const labels = { app: `app-${i}` };
  writeFileSync(
    join(dir, 'config.yaml'),
    stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config' }, data: { index: `${i}` } }),
  );
  writeFileSync(
    join(dir, 'service.yaml'),
    stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    }),
  );
  writeFileSync(
    join(dir, 'deployment.yaml'),
    stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'web', image: `registry.example/web:${tag}` }] },
        },
      },
    }),
  );
};
for (let i = 0; i < appCount; i++) writeApp(i, 'v1');
commit('fleet');

const server = await startGitHttpServer({ root: join(root, 'repos'), anonymousRead: true });
const repoURL = `${server.origin}/configs.git`;
const plane = await ControlPlane.start({
  dir: join(cacheRoot(), 'test-planes', `bench-fleet-${randomBytes(3).toString('hex')}`),
  owner: currentProcessIdentity(),
  controllers: false,
});
let controller: ReturnType<typeof createApplicationController> | undefined;
let webhooks: Awaited<ReturnType<typeof startWebhookServer>> | undefined;
try {
  const client = plane.client();
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
  gc();
  const baseline = process.memoryUsage();
  const errors: unknown[] = [];
  controller = createApplicationController({
    client,
    namespace: 'argocd',
    pollIntervalMs: 600_000,
    gitCacheRoot: join(root, 'git-cache'),
    onError: (_k, e) => errors.push(e),
  });
  await controller.start();
  const secret = randomBytes(16).toString('hex');
  webhooks = await startWebhookServer({
    githubSecret: secret,
    onPush: async (event) => {
      const { items } = await client.list({ ...APPLICATION_API, namespace: 'argocd' });
      const chosen = appsToRefresh(items as unknown as Parameters<typeof appsToRefresh>[0], event);
      const names = chosen.map((app) => app.metadata.name);
      if (names.length > 0) controller?.pushed(repoURL, names);
      return chosen.length;
    },
  });

  // ---- 200 automated Applications, until every one is Synced
  const started = performance.now();
  for (let i = 0; i < appCount; i++) {
    await client.apply({
      ...APPLICATION_API,
      metadata: { name: `app-${i}`, namespace: 'argocd' },
      spec: {
        project: 'default',
        source: { repoURL, targetRevision: 'main', path: `apps/app-${i}` },
        destination: { server: 'https://kubernetes.default.svc', namespace: `fleet-${i}` },
        syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
      },
    } as KubeObject);
  }
  type AppStatus = { status?: { sync?: { status?: string }; operationState?: { phase?: string } } };
  for (;;) {
    const { items } = await client.list({ ...APPLICATION_API, namespace: 'argocd' });
    const synced = items.filter((a) => (a as AppStatus).status?.sync?.status === 'Synced').length;
    if (synced === appCount && controller.pending === 0) break;
    if (performance.now() - started > 600_000)
      throw new Error(
        `only ${synced}/${appCount} synced; errors: ${errors.slice(0, 3).map(String).join('; ')}`,
      );
    await sleep(500);
  }
  const syncedMs = performance.now() - started;
  await sleep(3_000); // let the reconciles that follow the syncs drain

  // ---- (a) no-op reconcile of every app
  const waitIdle = async () => {
    while (controller!.pending > 0) await new Promise((r) => setImmediate(r));
  };
  const noop: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await waitIdle();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < appCount; i++) controller.refresh(`app-${i}`);
    await waitIdle();
    noop.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / 1000);
    await sleep(200);
  }

  // ---- (b) memory with every app loaded
  gc();
  const loaded = process.memoryUsage();

  // ---- (c) a push webhook → the touched app's operation written
  const latencies: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // One push at a time: the previous push's refreshes (every app of the repo) are done.
    await waitIdle();
    await sleep(200);
    const target = (r * 37 + 5) % appCount;
    writeApp(target, `v${r + 2}`);
    commit(`release ${target}`);
    const after = git(['rev-parse', 'HEAD'], work).trim();
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after,
      repository: { html_url: `${server.origin}/configs`, default_branch: 'main' },
      commits: [{ added: [], removed: [], modified: [`apps/app-${target}/deployment.yaml`] }],
    });
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const t0 = performance.now();
    const res = await fetch(`${webhooks.url}/api/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': signature,
      },
      body,
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    for (;;) {
      const app = (await client.get({ ...APPLICATION_API, namespace: 'argocd', name: `app-${target}` })) as
        | (KubeObject & {
            operation?: unknown;
            status?: {
              operationState?: { syncResult?: { revision?: string }; operation?: { sync?: unknown } };
            };
          })
        | undefined;
      const state = app?.status?.operationState;
      if (app?.operation !== undefined || state?.syncResult?.revision === after) break;
      if (performance.now() - t0 > 30_000) throw new Error(`no sync of app-${target} within 30 s`);
      await sleep(5);
    }
    latencies.push(performance.now() - t0);
    await sleep(500);
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`apps: ${appCount} (ConfigMap + Service + Deployment each), repo over HTTP (git http-backend)`);
  console.log(`all synced from creation: ${(syncedMs / 1000).toFixed(1)} s`);
  console.log(
    `(a) no-op reconcile of all ${appCount} apps: median ${median(noop).toFixed(0)} ms (${noop.map((x) => x.toFixed(0)).join(', ')} ms), CPU median ${median(cpus).toFixed(0)} ms`,
  );
  console.log(
    `(b) process memory with ${appCount} apps after GC: RSS ${mib(loaded.rss)} (baseline before the controller ${mib(baseline.rss)}), heap ${mib(loaded.heapUsed)} (baseline ${mib(baseline.heapUsed)})`,
  );
  console.log(
    `(c) webhook received -> sync started: median ${median(latencies).toFixed(0)} ms (${latencies.map((x) => x.toFixed(0)).join(', ')} ms)`,
  );
  if (errors.length > 0)
    console.log(`controller errors (${errors.length}): ${errors.slice(0, 3).map(String).join('; ')}`);
} finally {
  await webhooks?.close().catch(() => undefined);
  await controller?.stop().catch(() => undefined);
  await plane.stop({ purge: true });
  await server.close();
  rmSync(root, { recursive: true, force: true });
}
