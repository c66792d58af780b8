/**
 * The seed's Step 18, end to end: the seed's Rollout and AnalysisTemplate on the real control
 * plane (KWOK pods), both Slipway controllers running as `slipway controller` runs them, and a real
 * Prometheus scraping one small HTTP service per version of `my-service`.
 *
 * Substitutions, and only these: the namespace, the image tag of each version, the template's
 * Prometheus `address` (the seed's in-cluster `http://prometheus.monitoring:9090` → the test's
 * Prometheus), and the three 5m pauses (→ 8s, 2s, 2s, so the walk takes seconds, not 15 minutes).
 * The analysis interval stays the seed's 60s: the first measurement is taken when the run starts.
 *
 * What the query sees: each case starts its own Prometheus scraping the versions that serve in it
 * (the stable one and the canary), so every series starts at the same moment. The seed's
 * `rate(…[2m])` pools what each version served within the window, so series of different ages
 * would weigh by age, and a bad version's errors would stay in the window two minutes after it.
 * A version failing 5 % of its requests beside a healthy one at the same rate makes the pooled
 * success rate 0.975, under the seed's `result[0] >= 0.99`; healthy versions keep it at 1.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AnalysisRunController, createAnalysisRunController } from '../../src/analysis/controller.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { approximateWeightedCanaryStableReplicaCounts, maxSurge } from '../../src/rollouts/replica-math.ts';
import { parseRollout } from '../../src/rollouts/spec.ts';
import type { Rollout } from '../../src/rollouts/types.ts';
import { sleep } from '../../src/util/abort.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';
import { startVersionService, type VersionService } from '../support/metrics-service.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

const fixture = (name: string) =>
  parse(readFileSync(new URL(`../fixtures/seed/${name}`, import.meta.url), 'utf8'));
const HASH = 'rollouts-pod-template-hash';
const IMAGE = 'ghcr.io/myorg/my-service';
/** The seed's Step 15 pauses, shortened (see the module comment). */
const PAUSES = ['8s', '2s', '2s'] as const;
const FIRST_PAUSE_MS = 8_000;

interface RS extends KubeObject {
  spec: { replicas: number };
  status?: { availableReplicas?: number };
}
interface Run extends KubeObject {
  status?: {
    phase?: string;
    message?: string;
    metricResults?: Array<{ name: string; measurements?: Array<{ phase: string; value?: string }> }>;
  };
}

describe("seed Step 18: success-rate analysis on a real Prometheus drives the seed's canary", () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };
  let rollouts: RolloutController | undefined;
  let analysis: AnalysisRunController | undefined;
  /** The current case's Prometheus and version services (one case at a time). */
  let metrics: { prometheus: TestPrometheus; versions: VersionService[] } | undefined;
  const errors: string[] = [];

  /** Both controllers, as `slipway controller` creates them (here confined to the test's namespace). */
  const startControllers = async () => {
    const onError = (key: string, err: unknown) => errors.push(`${key}: ${String(err)}`);
    analysis = createAnalysisRunController({ client, namespace: ns.name, onError });
    await analysis.start();
    rollouts = createRolloutController({ client, namespace: ns.name, onError });
    await rollouts.start();
  };
  const stopControllers = async () => {
    await rollouts?.stop();
    await analysis?.stop();
    rollouts = undefined;
    analysis = undefined;
  };
  const stopMetrics = async () => {
    await metrics?.prometheus.stop();
    await Promise.all(metrics?.versions.map((v) => v.stop()) ?? []);
    metrics = undefined;
  };

  /**
   * A case's metrics: one serving version service each, a Prometheus scraping them all, and the
   * seed's template pointed at it. Resolves once Prometheus has a rate for every series.
   */
  const serveVersions = async (...specs: Array<[version: string, errorRatio: number]>) => {
    await stopMetrics();
    const versions: VersionService[] = [];
    for (const [version, errorRatio] of specs) {
      versions.push(await startVersionService({ version, errorRatio, serving: true }));
    }
    const prometheus = await startPrometheus(versions.map((v) => v.target));
    metrics = { prometheus, versions };
    await eventually(
      async () => {
        const r = await prometheus.query('rate(http_requests_total{service="my-service"}[2m])');
        expect(r.result).toHaveLength(2 * versions.length);
      },
      30_000,
      250,
    );
    const template = fixture('analysis-template.yaml');
    template.metadata.namespace = ns.name;
    template.spec.metrics[0].provider.prometheus.address = prometheus.url;
    await client.apply(template);
  };
  /** The success rate the seed's query should measure: the serving versions' requests pooled. */
  const expectedSuccessRate = () => {
    const serving = metrics?.versions ?? [];
    const total = serving.reduce((sum, v) => sum + v.requestsPerSecond, 0);
    return serving.reduce((sum, v) => sum + v.requestsPerSecond * (1 - v.errorRatio), 0) / total;
  };

  beforeAll(async () => {
    client = sharedClient();
    ns = await createNamespace(client, 'step18');
    await startControllers(); // installs the Rollouts CRDs when the cluster lacks them
    for (const svc of ['my-service-canary', 'my-service-stable']) {
      await client.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: svc, namespace: ns.name },
        spec: { selector: { app: 'my-service' }, ports: [{ port: 80, targetPort: 8080 }] },
      });
    }
    // The template must exist for the Rollout to be valid; each case points it at its Prometheus.
    await client.apply({
      ...fixture('analysis-template.yaml'),
      metadata: { name: 'success-rate', namespace: ns.name },
    });
  }, 120_000);

  afterAll(async () => {
    await stopControllers();
    await stopMetrics();
    await ns?.remove();
    await client?.close();
  });

  const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'my-service' };
  const getRollout = async (): Promise<Rollout> => {
    const parsed = parseRollout(await client.get({ ...ref, namespace: ns.name }));
    if (!parsed.ok) throw new Error('the Rollout does not parse');
    return parsed.value;
  };
  const replicaSets = async (): Promise<Map<string, RS>> => {
    const { items } = await client.list<RS>({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      namespace: ns.name,
    });
    return new Map(items.map((rs) => [rs.metadata.labels?.[HASH] ?? '', rs]));
  };
  const selectorOf = async (svc: string) =>
    (
      await client.get<KubeObject & { spec: { selector: Record<string, string> } }>({
        apiVersion: 'v1',
        kind: 'Service',
        namespace: ns.name,
        name: svc,
      })
    )?.spec.selector[HASH];
  const getRun = (name: string) =>
    client.get<Run>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: ns.name, name });
  const measuredValue = (run: Run | undefined) =>
    Number(/^\[(.*)\]$/.exec(run?.status?.metricResults?.[0]?.measurements?.[0]?.value ?? '')?.[1]);

  /** Rolls out `version` by setting the image tag, and returns the new pod-template hash. */
  const deploy = async (version: string): Promise<string> => {
    const previousHash = (await getRollout()).status?.currentPodHash;
    await client.patch(
      { ...ref, namespace: ns.name },
      {
        spec: { template: { spec: { containers: [{ name: 'my-service', image: `${IMAGE}:${version}` }] } } },
      },
    );
    return eventually(async () => {
      const hash = (await getRollout()).status?.currentPodHash ?? '';
      expect(hash).not.toBe(previousHash);
      return hash;
    });
  };
  /** At `index`, both ReplicaSets at upstream's arithmetic for `weight` of 5 replicas, Services set. */
  const expectStep = (index: number, weight: number, canary: string, stable: string) =>
    eventually(async () => {
      const ro = await getRollout();
      expect(ro.status?.currentStepIndex).toBe(index);
      const want = approximateWeightedCanaryStableReplicaCounts(5, weight, 100, maxSurge(ro.spec));
      const rss = await replicaSets();
      expect(rss.get(canary)?.spec.replicas).toBe(want.canary);
      expect(rss.get(canary)?.status?.availableReplicas ?? 0).toBe(want.canary);
      expect(rss.get(stable)?.spec.replicas).toBe(want.stable);
      expect(await selectorOf('my-service-canary')).toBe(canary);
      expect(await selectorOf('my-service-stable')).toBe(stable);
      return ro;
    }, 30_000);

  let v1 = '';
  let v2 = '';

  it('first deploy of the seed Rollout goes straight to stable', async () => {
    const seed = fixture('rollout.yaml');
    seed.metadata.namespace = ns.name;
    const pauses = [...PAUSES];
    for (const step of seed.spec.strategy.canary.steps as Array<{ pause?: { duration: string } }>) {
      if (step.pause) step.pause.duration = pauses.shift() ?? '';
    }
    await client.apply(seed);
    v1 = await eventually(async () => {
      const ro = await getRollout();
      expect(ro.status?.phase).toBe('Healthy');
      expect(ro.status?.stableRS).toBe(ro.status?.currentPodHash);
      expect(ro.status?.currentStepIndex).toBe(6);
      expect(await selectorOf('my-service-stable')).toBe(ro.status?.stableRS);
      return ro.status?.stableRS ?? '';
    }, 60_000);
    expect(errors).toEqual([]);
  }, 90_000);

  it('a healthy version walks every step at upstream replica counts, passes the analysis and becomes stable', async () => {
    await serveVersions(['v1', 0], ['v2', 0]);
    v2 = await deploy('v2');
    await expectStep(1, 10, v2, v1);
    await expectStep(3, 30, v2, v1);
    // Step 2 (startingStep) started the background run; its first measurement is the pooled rate, 1.
    const runName = `my-service-${v2}-2`;
    const running = await eventually(async () => {
      const r = await getRun(runName);
      expect(r?.status?.phase).toBe('Running');
      return r;
    });
    expect(running?.status?.metricResults?.[0]?.measurements?.[0]?.phase).toBe('Successful');
    expect(measuredValue(running)).toBe(expectedSuccessRate());
    await expectStep(5, 60, v2, v1);
    await eventually(async () => {
      const ro = await getRollout();
      expect(ro.status?.phase).toBe('Healthy');
      expect(ro.status?.stableRS).toBe(v2);
      expect(ro.status?.currentStepIndex).toBe(6);
      const rss = await replicaSets();
      expect(rss.get(v2)?.spec.replicas).toBe(5);
      expect(rss.get(v1)?.spec.replicas).toBe(0);
      expect(await selectorOf('my-service-canary')).toBe(v2);
      expect(await selectorOf('my-service-stable')).toBe(v2);
    }, 30_000);
    // Promotion ends the background run; it never failed.
    await eventually(async () => expect((await getRun(runName))?.status?.phase).toBe('Successful'));
    expect(errors).toEqual([]);
  }, 90_000);

  it('a version failing 5 % of requests is aborted by the success-rate analysis: traffic back to stable, canary scaled to 0, Degraded', async () => {
    await serveVersions(['v2', 0], ['v3', 0.05]);
    const v3 = await deploy('v3');
    await expectStep(1, 10, v3, v2);
    // After the first pause, setWeight 30 is step 2 = startingStep: the background run starts and
    // its first measurement (taken at once) sees the 5 % errors pooled with the stable version's.
    const runName = `my-service-${v3}-3`;
    const run = await eventually(async () => {
      const r = await getRun(runName);
      expect(r?.status?.phase).toBe('Failed');
      return r;
    }, 30_000);
    expect(run?.status?.message).toBe(
      'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
    expect(run?.status?.metricResults?.[0]?.measurements?.[0]?.phase).toBe('Failed');
    // 0.975, give or take the one-scrape difference between the two series' first samples.
    expect(measuredValue(run)).toBeCloseTo(expectedSuccessRate(), 2);
    expect(measuredValue(run)).toBeLessThan(0.99);

    const aborted = await eventually(async () => {
      const ro = await getRollout();
      expect(ro.status?.phase).toBe('Degraded');
      // Upstream: RolloutAbortedMessage + ": Background analysis phase error/failed: " + the run's message.
      expect(ro.status?.message).toBe(
        `RolloutAborted: Rollout aborted update to revision 3: Background analysis phase error/failed: ${run?.status?.message}`,
      );
      expect(ro.status?.abort).toBe(true);
      const rss = await replicaSets();
      expect(rss.get(v3)?.spec.replicas).toBe(0);
      expect(rss.get(v2)?.spec.replicas).toBe(5);
      expect(await selectorOf('my-service-canary')).toBe(v2);
      expect(await selectorOf('my-service-stable')).toBe(v2);
      return ro;
    }, 30_000);
    expect(aborted.status?.stableRS).toBe(v2);
    expect(aborted.status?.currentStepIndex).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);

  it('controllers stopped during a timed pause resume at the same step with the same remaining pause time', async () => {
    await serveVersions(['v2', 0], ['v4', 0]);
    const v4 = await deploy('v4');
    const paused = await expectStep(1, 10, v4, v2);
    const pause = paused.status?.pauseConditions?.[0];
    expect(pause?.reason).toBe('CanaryPauseStep');
    const endsAt = Date.parse(pause?.startTime ?? '') + FIRST_PAUSE_MS;

    await stopControllers();
    const down = 2_000;
    await sleep(down);
    await startControllers();
    // A reconcile by the new controller: nothing to change, and it asks to be woken at the pause's end.
    const before = Date.now();
    const next = await rollouts?.reconcile(`${ns.name}/my-service`);
    const after = Date.now();
    expect(next?.requeueAfterMs).toBeGreaterThan(0);
    expect(next?.requeueAfterMs).toBeGreaterThanOrEqual(endsAt - after);
    expect(next?.requeueAfterMs).toBeLessThanOrEqual(endsAt - before + 10);
    const resumed = await getRollout();
    expect(resumed.status?.currentStepIndex).toBe(1);
    expect(resumed.status?.pauseConditions).toEqual(paused.status?.pauseConditions);

    const leftAt = await eventually(async () => {
      expect((await getRollout()).status?.currentStepIndex).toBeGreaterThan(1);
      return Date.now();
    }, 30_000);
    // Not before the pause's end, and well before a restarted clock would end it (≥ endsAt + down).
    expect(leftAt).toBeGreaterThanOrEqual(endsAt);
    expect(leftAt).toBeLessThan(endsAt + 2_000);
    expect(errors).toEqual([]);
  }, 90_000);
});
