/**
 * How fast the Rollout controller reacts, on a real control plane with both controllers running
 * in this process (as `slipway controller` runs them) and a real Prometheus:
 *
 * 1. Abort applied after the AnalysisRun turns Failed: a canary (setWeight 50, then an indefinite
 *    pause; background analysis from step 1 with the seed's success-rate template) is updated to a
 *    version whose service fails 5 % of requests. From the moment this process's watch sees the
 *    run's `status.phase: Failed` to the moment it sees the abort applied: both Services selecting
 *    the stable ReplicaSet and `status.abort` written; and, apart, the canary ReplicaSet at 0.
 * 2. Step transition after a timed pause ends: a canary (setWeight 50, pause 2s, pause) is
 *    updated; from the pause's end (`pauseConditions[].startTime` + 2 s) to the moment the watch
 *    sees `currentStepIndex` move past the pause.
 *
 * Both ends of each interval are seen through the same kind of watch (this process's informers),
 * so the watch delay cancels out. Run: node --import tsx bench/rollouts-latency.ts [runs=10]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createAnalysisRunController } from '../src/analysis/controller.ts';
import { ControlPlane } from '../src/devcluster/control-plane.ts';
import { cacheRoot } from '../src/devcluster/paths.ts';
import { currentProcessIdentity } from '../src/devcluster/processes.ts';
import { Informer } from '../src/kube/informer.ts';
import type { KubeObject } from '../src/kube/types.ts';
import { createRolloutController } from '../src/rollouts/controller.ts';
import { startVersionService, type VersionService } from '../test/support/metrics-service.ts';
import { startPrometheus, type TestPrometheus } from '../test/support/prometheus.ts';

const runs = Number(process.argv[2] ?? 10);
const HASH = 'rollouts-pod-template-hash';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Status {
  abort?: boolean;
  phase?: string;
  stableRS?: string;
  currentPodHash?: string;
  currentStepIndex?: number;
  pauseConditions?: Array<{ reason: string; startTime: string }>;
}
type Obj = KubeObject & { status?: Status & Record<string, unknown>; spec?: Record<string, unknown> };

const plane = await ControlPlane.start({
  dir: join(cacheRoot(), 'test-planes', `bench-rollouts-latency-${randomBytes(3).toString('hex')}`),
  owner: currentProcessIdentity(),
});
const versions: VersionService[] = [];
let prometheus: TestPrometheus | undefined;
const stops: Array<() => Promise<void>> = [];
try {
  const client = plane.client();
  const namespace = 'bench-latency';
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });

  // Metrics: the stable version and a bad one (5 % errors) serving side by side: pooled 0.975.
  versions.push(await startVersionService({ version: 'stable', serving: true }));
  versions.push(await startVersionService({ version: 'bad', errorRatio: 0.05, serving: true }));
  prometheus = await startPrometheus(versions.map((v) => v.target));
  for (let i = 0; ; i++) {
    const r = await prometheus.query('rate(http_requests_total[2m])');
    if ((r.result as unknown[]).length === 4) break;
    if (i > 120) throw new Error('Prometheus has no rates');
    await sleep(250);
  }

  const errors: string[] = [];
  const onError = (key: string, err: unknown) => errors.push(`${key}: ${String(err)}`);
  const analysis = createAnalysisRunController({ client, namespace, onError });
  await analysis.start();
  stops.push(() => analysis.stop());
  const rollouts = createRolloutController({ client, namespace, onError });
  await rollouts.start();
  stops.push(() => rollouts.stop());

  const template = parse(
    readFileSync(new URL('../test/fixtures/seed/analysis-template.yaml', import.meta.url), 'utf8'),
  );
  template.metadata.namespace = namespace;
  template.spec.metrics[0].provider.prometheus.address = prometheus.url;
  await client.apply(template);
  for (const svc of ['abort-canary', 'abort-stable']) {
    await client.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: svc, namespace },
      spec: { selector: { app: 'abort' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
  }

  // This process's own view, through watches.
  const watch = (apiVersion: string, kind: string) => {
    const informer = new Informer<Obj>(client, { apiVersion, kind, namespace });
    stops.push(() => informer.stop());
    return informer;
  };
  const ros = watch('argoproj.io/v1alpha1', 'Rollout');
  const ars = watch('argoproj.io/v1alpha1', 'AnalysisRun');
  const svcs = watch('v1', 'Service');
  const rss = watch('apps/v1', 'ReplicaSet');
  await Promise.all([ros, ars, svcs, rss].map((i) => i.start()));
  /** Resolves with the time `check` first holds, checked at every watch event (and now). */
  const when = (check: () => boolean, timeoutMs = 60_000): Promise<number> =>
    new Promise((resolve, reject) => {
      const unsubscribe = [ros, ars, svcs, rss].map((i) => i.subscribe(() => test()));
      const timer = setTimeout(() => done(() => reject(new Error('timed out'))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        for (const u of unsubscribe) u();
        f();
      };
      const test = () => {
        if (check()) {
          const t = performance.now() + performance.timeOrigin;
          done(() => resolve(t));
        }
      };
      test();
    });
  const status = (name: string) => ros.get(name, namespace)?.status ?? {};
  const rolloutSpec = (name: string, app: string, steps: unknown[], extra: Record<string, unknown>) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:0' }] },
      },
      strategy: { canary: { steps, ...extra } },
    },
  });
  const setImage = (name: string, image: string) =>
    client.patch(
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace, name },
      { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } },
    );
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? Number.NaN;
    return `median ${at(0.5).toFixed(0)} ms, max ${(s[s.length - 1] ?? Number.NaN).toFixed(0)} ms (${s.map((x) => x.toFixed(0)).join(', ')})`;
  };

  // 1. Abort after a Failed AnalysisRun.
  await client.apply(
    rolloutSpec('abort', 'abort', [{ setWeight: 50 }, { pause: {} }], {
      canaryService: 'abort-canary',
      stableService: 'abort-stable',
      analysis: {
        templates: [{ templateName: 'success-rate' }],
        startingStep: 1,
        args: [{ name: 'service-name', value: 'my-service' }],
      },
    }),
  );
  await when(() => status('abort').phase === 'Healthy');
  const abortLatency: number[] = [];
  const scaleLatency: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const stable = status('abort').stableRS ?? '';
    const before = status('abort').currentPodHash;
    await setImage('abort', `registry.example/app:bad-${i}`);
    await when(() => (status('abort').currentPodHash ?? before) !== before);
    const hash = status('abort').currentPodHash ?? '';
    const failedAt = await when(() =>
      ars.list().some((r) => r.metadata.labels?.[HASH] === hash && r.status?.phase === 'Failed'),
    );
    const selects = (svc: string) =>
      (svcs.get(svc, namespace)?.spec?.['selector'] as Record<string, string> | undefined)?.[HASH];
    const appliedAt = await when(
      () =>
        status('abort').abort === true &&
        selects('abort-canary') === stable &&
        selects('abort-stable') === stable,
    );
    const scaledAt = await when(
      () => (rss.get(`abort-${hash}`, namespace)?.spec?.['replicas'] as number | undefined) === 0,
    );
    abortLatency.push(appliedAt - failedAt);
    scaleLatency.push(scaledAt - failedAt);
  }

  // 2. Step transition after a timed pause.
  await client.apply(
    rolloutSpec('pause', 'pause', [{ setWeight: 50 }, { pause: { duration: '2s' } }, { pause: {} }], {}),
  );
  await when(() => status('pause').phase === 'Healthy');
  const pauseLatency: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const before = status('pause').currentPodHash;
    await setImage('pause', `registry.example/app:good-${i}`);
    await when(() => (status('pause').currentPodHash ?? before) !== before);
    await when(
      () => status('pause').currentStepIndex === 1 && (status('pause').pauseConditions ?? []).length > 0,
    );
    const endsAt = Date.parse(status('pause').pauseConditions?.[0]?.startTime ?? '') + 2_000;
    const movedAt = await when(() => (status('pause').currentStepIndex ?? 0) >= 2);
    pauseLatency.push(movedAt - endsAt);
  }

  console.log(
    `abort applied (Services → stable, status.abort) after the AnalysisRun turned Failed, ${runs} runs: ${stats(abortLatency)}`,
  );
  console.log(`canary ReplicaSet at 0 after the AnalysisRun turned Failed: ${stats(scaleLatency)}`);
  console.log(
    `step transition after a 2s pause's end (startTime + 2s), ${runs} runs: ${stats(pauseLatency)}`,
  );
  if (errors.length > 0)
    console.log(`controller errors (${errors.length}): ${errors.slice(0, 3).join('; ')}`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await prometheus?.stop();
  await Promise.all(versions.map((v) => v.stop()));
  await plane.stop({ purge: true });
}
