/**
 * Argo Rollouts' own end-to-end scenarios (`test/e2e/*_test.go` upstream), ported to Slipway's
 * controllers on the real control plane (KWOK pods become Ready). Each test names the upstream test
 * it ports and keeps its steps and expectations; where upstream runs its `sleep-job` Job template,
 * these run a `web` metric against a real HTTP server on loopback whose answer is the job's exit
 * code (so "exit-code 1" fails the measurement just as the failed Job does upstream), taken after
 * an `initialDelay` of the job's `duration`, measured by Slipway's real AnalysisRun controller.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalysisRunController, createAnalysisRunController } from '../../src/analysis/controller.ts';
import { freePort } from '../../src/devcluster/processes.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import {
  abortPatches,
  applyRolloutPatches,
  promotePatches,
  retryPatches,
} from '../../src/rollouts/actions.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { parseRollout } from '../../src/rollouts/spec.ts';
import type { Rollout } from '../../src/rollouts/types.ts';
import { sleep } from '../../src/util/abort.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';

const HASH = 'rollouts-pod-template-hash';
const REVISION = 'rollout.argoproj.io/revision';
const WAIT = 60_000;

interface RS extends KubeObject {
  spec: { replicas: number };
  status?: { replicas?: number; availableReplicas?: number };
}

let client: KubeClient;
let ns: { name: string; remove: () => Promise<void> };
let rollouts: RolloutController;
let analysis: AnalysisRunController;
let server: Server;
let baseUrl: string;
const errors: unknown[] = [];

beforeAll(async () => {
  client = sharedClient();
  ns = await createNamespace(client, 'upstream-e2e');
  // The "job": /exit/<code> answers {"code": <code>}; the template succeeds on code 0.
  server = createServer((req, res) => {
    const code = Number(/^\/exit\/(-?\d+)$/.exec(req.url ?? '')?.[1] ?? '2');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${port}`;
  rollouts = createRolloutController({ client, namespace: ns.name, onError: (_k, e) => errors.push(e) });
  await rollouts.start();
  analysis = createAnalysisRunController({ client, namespace: ns.name });
  await analysis.start();
  // Upstream's `sleep-job`, as a web check: args exit-code (default 0) and duration (default 0).
  for (const [name, metric] of [
    ['sleep-job', {}],
    ['sleep-job-long', { count: 3, interval: '10s' }],
  ] as const) {
    await client.apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name, namespace: ns.name },
      spec: {
        args: [
          { name: 'exit-code', value: '0' },
          { name: 'duration', value: '0' },
        ],
        metrics: [
          {
            name: 'sleep-job',
            // The job sleeps `duration` seconds before it exits.
            initialDelay: '{{args.duration}}s',
            ...metric,
            successCondition: 'result == 0',
            provider: { web: { url: `${baseUrl}/exit/{{args.exit-code}}`, jsonPath: '{$.code}' } },
          },
        ],
      },
    });
  }
});

afterAll(async () => {
  await analysis.stop();
  await rollouts.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ns.remove();
  await client.close();
  expect(errors).toEqual([]);
});

/** Upstream's `newService(name, app)`. */
const newService = (name: string, app: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns.name },
  spec: { selector: { app }, ports: [{ port: 80 }] },
});

/** A blue-green Rollout named `name` selecting `app: name`, with `cpu` in its pod template. */
const blueGreen = (name: string, strategy: object, replicas?: number, cpu = '5m'): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name, namespace: ns.name },
  spec: {
    ...(replicas !== undefined ? { replicas } : {}),
    strategy: { blueGreen: strategy },
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name, image: 'nginx:1.19-alpine', resources: { requests: { memory: '16Mi', cpu } } }],
      },
    },
  },
});

/** The e2e fixture's `When`/`Then` for one Rollout. */
function fixture(name: string) {
  const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: ns.name, name };
  const get = async (): Promise<Rollout> => {
    const parsed = parseRollout(await client.get(ref));
    if (!parsed.ok) throw new Error(`Rollout ${name} does not parse`);
    return parsed.value;
  };
  const replicaSets = async () =>
    (await client.list<RS>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: ns.name })).items.filter(
      (rs) => rs.metadata.ownerReferences?.some((o) => o.name === name),
    );
  const revisionOfHash = async (hash: string | undefined) =>
    (await replicaSets()).find((rs) => rs.metadata.labels?.[HASH] === hash)?.metadata.annotations?.[REVISION];
  const selector = async (service: string) =>
    (
      await client.get<KubeObject & { spec: { selector: Record<string, string> } }>({
        apiVersion: 'v1',
        kind: 'Service',
        namespace: ns.name,
        name: service,
      })
    )?.spec.selector[HASH];
  const f = {
    get,
    async waitForStatus(phase: string) {
      return eventually(async () => {
        const r = await get();
        expect(r.status?.phase, r.status?.message).toBe(phase);
        return r;
      }, WAIT);
    },
    async analysisRuns() {
      return (
        await client.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: ns.name })
      ).items.filter((ar) => ar.metadata.ownerReferences?.some((o) => o.name === name));
    },
    stableRevision: async () => revisionOfHash((await get()).status?.stableRS),
    activeRevision: async (service = `${name}-active`) => revisionOfHash(await selector(service)),
    previewRevision: async (service = `${name}-preview`) => revisionOfHash(await selector(service)),
    /** `ExpectRevisionPodCount`: spec.replicas of the ReplicaSet with that revision. */
    revisionReplicas: async (revision: string) =>
      (await replicaSets()).find((rs) => rs.metadata.annotations?.[REVISION] === revision)?.spec.replicas,
    /** `UpdateSpec()`: a pod template change, which starts an update. */
    async updateSpec() {
      await client.patch(ref, {
        spec: { template: { metadata: { annotations: { 'e2e/update': String(Date.now()) } } } },
      });
    },
    async promote(full = false) {
      await applyRolloutPatches(client, ns.name, name, promotePatches(await get(), full));
    },
    abort: () => applyRolloutPatches(client, ns.name, name, abortPatches()),
    retry: () => applyRolloutPatches(client, ns.name, name, retryPatches()),
  };
  return f;
}

describe('upstream e2e scenarios (argo-rollouts test/e2e) on Slipway', () => {
  // Ports analysis_test.go TestBlueGreenAnalysis: pre- and post-promotion analysis around a manual
  // promotion, then re-applying the original manifest is a fast-tracked rollback (no new runs).
  it('TestBlueGreenAnalysis', async () => {
    const name = 'bluegreen-analysis';
    const f = fixture(name);
    const args = [{ name: 'duration', value: '5' }];
    const strategy = {
      activeService: `${name}-active`,
      previewService: `${name}-preview`,
      prePromotionAnalysis: { templates: [{ templateName: 'sleep-job' }], args },
      // Three measurements 10s apart stand in for upstream's 5s sleep: long enough to look at.
      postPromotionAnalysis: { templates: [{ templateName: 'sleep-job-long' }], args },
      autoPromotionEnabled: false,
    };
    const original = blueGreen(name, strategy);
    await client.apply(newService(`${name}-active`, name));
    await client.apply(newService(`${name}-preview`, name));
    await client.apply(original);
    await f.waitForStatus('Healthy');
    expect(await f.analysisRuns()).toHaveLength(0);

    // isRollback compares ReplicaSet creationTimestamps, which have one-second resolution: the
    // rollback at the end is only recognised when revision 2 is created in a later second.
    await sleep(1100);
    // As upstream: a change the re-apply of the original manifest reverts (cpu 5m → 4m).
    await client.apply(blueGreen(name, strategy, undefined, '4m'));
    const paused = await f.waitForStatus('Paused');
    expect(paused.status?.blueGreen?.prePromotionAnalysisRunStatus?.status).toBe('Successful');
    expect(await f.analysisRuns()).toHaveLength(1);
    expect(await f.activeRevision()).toBe('1');
    expect(await f.previewRevision()).toBe('2');

    await sleep(2000); // as upstream: "promoting too fast causes test to flake"
    await f.promote();
    await eventually(async () => expect(await f.activeRevision()).toBe('2'), WAIT);
    await eventually(async () => expect(await f.analysisRuns()).toHaveLength(2), WAIT);
    // ExpectReplicaCounts(1, 2, 1, 1, 1) (desired, current, updated, ready, available — the last
    // two from the active ReplicaSet) and still Progressing while post-promotion analysis runs.
    await eventually(async () => {
      const r = await f.get();
      const s = r.status;
      expect([
        r.spec.replicas ?? 1,
        s?.replicas,
        s?.updatedReplicas,
        s?.readyReplicas,
        s?.availableReplicas,
      ]).toEqual([1, 2, 1, 1, 1]);
      expect(s?.phase).toBe('Progressing');
      expect(s?.stableRS).not.toBe(s?.currentPodHash);
    }, WAIT);
    const healthy = await f.waitForStatus('Healthy');
    expect(healthy.status?.blueGreen?.postPromotionAnalysisRunStatus?.status).toBe('Successful');
    expect(await f.analysisRuns()).toHaveLength(2);
    expect(await f.activeRevision()).toBe('2');
    expect(await f.previewRevision()).toBe('2');

    await client.apply(original); // a rollback: skips pause and analysis
    await sleep(2000); // as upstream: checking too early would miss a needlessly created run
    await eventually(async () => {
      expect((await f.get()).status?.phase).toBe('Healthy');
      expect(await f.stableRevision()).toBe('3');
      expect(await f.activeRevision()).toBe('3');
      expect(await f.previewRevision()).toBe('3');
    }, WAIT);
    expect(await f.analysisRuns()).toHaveLength(2);
  });

  // Ports analysis_test.go TestBlueGreenPrePromotionFail: a failing pre-promotion run aborts
  // (active stays on revision 1); fixing the args and retrying runs a second analysis and promotes.
  it('TestBlueGreenPrePromotionFail', async () => {
    const name = 'pre-promotion-fail';
    const f = fixture(name);
    const strategy = (exitCode: string) => ({
      abortScaleDownDelaySeconds: 0,
      activeService: `${name}-active`,
      previewService: `${name}-preview`,
      previewReplicaCount: 1,
      prePromotionAnalysis: {
        templates: [{ templateName: 'sleep-job' }],
        args: [
          { name: 'exit-code', value: exitCode },
          { name: 'duration', value: '5' },
        ],
      },
    });
    await client.apply(newService(`${name}-active`, name));
    await client.apply(newService(`${name}-preview`, name));
    await client.apply(blueGreen(name, strategy('1'), 2));
    await f.waitForStatus('Healthy');
    expect(await f.analysisRuns()).toHaveLength(0);

    await f.updateSpec();
    const degraded = await f.waitForStatus('Degraded');
    expect(degraded.status?.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: Blue\/green pre-promotion analysis phase error\/failed: /,
    );
    expect(await f.analysisRuns()).toHaveLength(1);
    expect(await f.stableRevision()).toBe('1');
    expect(await f.activeRevision()).toBe('1');
    expect(await f.previewRevision()).toBe('2');

    await client.patch(
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: ns.name, name },
      { spec: { strategy: { blueGreen: { prePromotionAnalysis: strategy('0').prePromotionAnalysis } } } },
    );
    await f.retry();
    await f.waitForStatus('Healthy');
    expect(await f.analysisRuns()).toHaveLength(2);
    expect(await f.stableRevision()).toBe('2');
    expect(await f.activeRevision()).toBe('2');
    expect(await f.previewRevision()).toBe('2');
  });

  // Ports analysis_test.go TestBlueGreenPostPromotionFail: after the promotion the post-promotion
  // run fails; active goes back to revision 1, preview stays on 2, stable never moved.
  it('TestBlueGreenPostPromotionFail', async () => {
    const name = 'post-promotion-fail';
    const f = fixture(name);
    await client.apply(newService(`${name}-active`, name));
    await client.apply(newService(`${name}-preview`, name));
    await client.apply(
      blueGreen(name, {
        activeService: `${name}-active`,
        previewService: `${name}-preview`,
        autoPromotionEnabled: false,
        postPromotionAnalysis: {
          templates: [{ templateName: 'sleep-job-long' }],
          args: [
            { name: 'exit-code', value: '1' },
            { name: 'duration', value: '5' },
          ],
        },
      }),
    );
    await f.waitForStatus('Healthy');
    expect(await f.analysisRuns()).toHaveLength(0);

    await f.updateSpec();
    await f.waitForStatus('Paused');
    expect(await f.stableRevision()).toBe('1');
    expect(await f.activeRevision()).toBe('1');
    expect(await f.previewRevision()).toBe('2');

    await sleep(2000); // as upstream: "promoting too fast causes test to flake"
    await f.promote();
    await eventually(async () => {
      expect(await f.activeRevision()).toBe('2');
      expect(await f.stableRevision()).toBe('1');
      expect(await f.previewRevision()).toBe('2');
    }, WAIT);

    const degraded = await f.waitForStatus('Degraded');
    expect(degraded.status?.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: Blue\/green post-promotion analysis phase error\/failed: /,
    );
    await eventually(async () => expect(await f.activeRevision()).toBe('1'), WAIT);
    expect(await f.analysisRuns()).toHaveLength(1);
    expect(await f.stableRevision()).toBe('1');
    expect(await f.previewRevision()).toBe('2');
  });

  // Ports functional_test.go TestBlueGreenPromoteFull: `promote --full` while pre-promotion
  // analysis runs ends it and skips post-promotion analysis: one AnalysisRun in all.
  it('TestBlueGreenPromoteFull', async () => {
    const name = 'bluegreen-promote-full';
    const f = fixture(name);
    await client.apply(newService(`${name}-active`, name));
    await client.apply(
      blueGreen(
        name,
        {
          activeService: `${name}-active`,
          autoPromotionEnabled: false,
          prePromotionAnalysis: {
            templates: [{ templateName: 'sleep-job-long' }],
            args: [{ name: 'duration', value: '10' }],
          },
          postPromotionAnalysis: { templates: [{ templateName: 'sleep-job' }] },
        },
        3,
        '1m',
      ),
    );
    await f.waitForStatus('Healthy');
    await f.updateSpec();
    await eventually(async () => {
      expect((await f.get()).status?.blueGreen?.prePromotionAnalysisRunStatus?.status).toBe('Running');
    }, WAIT);
    await f.promote(true);
    await f.waitForStatus('Healthy');
    expect(await f.analysisRuns()).toHaveLength(1);
    expect(await f.activeRevision()).toBe('2');
  });

  // Ports functional_test.go TestBlueGreenScaleDownOnAbort: an abort during the preview scales the
  // preview ReplicaSet to zero after abortScaleDownDelaySeconds (1s).
  it('TestBlueGreenScaleDownOnAbort', async () => {
    const name = 'bluegreen-scaledown-on-abort';
    const f = fixture(name);
    await client.apply(newService(`${name}-active`, name));
    await client.apply(newService(`${name}-preview`, name));
    await client.apply(
      blueGreen(
        name,
        {
          abortScaleDownDelaySeconds: 1,
          activeService: `${name}-active`,
          previewService: `${name}-preview`,
          previewReplicaCount: 1,
          scaleDownDelaySeconds: 5,
          autoPromotionEnabled: false,
        },
        2,
        '1m',
      ),
    );
    await f.waitForStatus('Healthy');
    await f.updateSpec();
    await f.waitForStatus('Paused');
    expect(await f.revisionReplicas('2')).toBe(1);
    expect(await f.revisionReplicas('1')).toBe(2);

    await f.abort();
    await f.waitForStatus('Degraded');
    await sleep(3000);
    await eventually(async () => expect(await f.revisionReplicas('2')).toBe(0), WAIT);
    expect(await f.revisionReplicas('1')).toBe(2);
  });
});
