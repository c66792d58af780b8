/**
 * More of Argo Rollouts' own end-to-end scenarios (`test/e2e/functional_test.go`, `canary_test.go`,
 * `bluegreen_test.go` upstream): the canary ones and the blue-green ones `upstream-e2e.test.ts`
 * does not carry, on Slipway's controllers and the real control plane. Each test names the upstream
 * test it ports and keeps its manifest, steps and expectations (replica and pod counts, phases,
 * events).
 *
 * KWOK makes every scheduled pod Ready at once, so two upstream devices are modelled by scheduling:
 * - a "bad" version (upstream: `command: [/bad-command]`, a container that never becomes Ready) is a
 *   pod template whose `nodeSelector` no node matches: its pods stay Pending, never available;
 * - "slow to become Ready" (upstream: a readiness probe with `initialDelaySeconds: 10` against a
 *   `progressDeadlineSeconds: 5`) is a `nodeSelector` on a label the test adds to the KWOK node
 *   only when upstream's pods would turn Ready (and takes off again before the next update), so
 *   the pods are Pending past the deadline and then become available — with the template, and
 *   so the pod-template hash, unchanged.
 *
 * The tests are independent Rollouts in one namespace and run concurrently, as upstream's suites
 * do, to keep the file near a minute.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalysisRunController, createAnalysisRunController } from '../../src/analysis/controller.ts';
import { KWOK_NODE_NAME } from '../../src/devcluster/control-plane.ts';
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
/** A node label no node carries: pods selecting it never schedule (the "bad" version). */
const BAD_NODE_SELECTOR = { 'e2e.slipway.dev/bad-version': 'never-scheduled' };

interface RS extends KubeObject {
  spec: { replicas: number };
}
interface Pod extends KubeObject {
  metadata: KubeObject['metadata'] & { deletionTimestamp?: string };
}
interface Event extends KubeObject {
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
}

let client: KubeClient;
let ns: { name: string; remove: () => Promise<void> };
let rollouts: RolloutController;
let analysis: AnalysisRunController;
let server: Server;
const errors: unknown[] = [];
const nodeGates: string[] = [];
/** Stops the fixtures' Rollout watches (one per test, each listening on this signal). */
const watches = new AbortController();
setMaxListeners(32, watches.signal);

beforeAll(async () => {
  client = sharedClient();
  ns = await createNamespace(client, 'upstream-e2e-canary');
  // Upstream's `sleep-job` Job, as a web check: /exit/<code> answers {"code": <code>}, measured
  // after an initialDelay of the job's `duration`; the template succeeds on code 0.
  server = createServer((req, res) => {
    const code = Number(/^\/exit\/(-?\d+)$/.exec(req.url ?? '')?.[1] ?? '2');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  rollouts = createRolloutController({ client, namespace: ns.name, onError: (_k, e) => errors.push(e) });
  await rollouts.start();
  analysis = createAnalysisRunController({ client, namespace: ns.name });
  await analysis.start();
  await client.apply({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'sleep-job', namespace: ns.name },
    spec: {
      args: [
        { name: 'exit-code', value: '0' },
        { name: 'duration', value: '0s' },
      ],
      metrics: [
        {
          name: 'sleep-job',
          initialDelay: '{{args.duration}}',
          successCondition: 'result == 0',
          provider: {
            web: { url: `http://127.0.0.1:${port}/exit/{{args.exit-code}}`, jsonPath: '{$.code}' },
          },
        },
      ],
    },
  });
});

afterAll(async () => {
  watches.abort();
  await analysis.stop();
  await rollouts.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // Take off any readiness gate label a failed test left on the shared node.
  for (const key of nodeGates) await gateNode(key, false).catch(() => undefined);
  await ns.remove();
  await client.close();
  expect(errors).toEqual([]);
});

/** Adds (`open`) or removes the node label `key` that a slow-to-be-Ready template selects. */
async function gateNode(key: string, open: boolean): Promise<void> {
  await client.patch(
    { apiVersion: 'v1', kind: 'Node', name: KWOK_NODE_NAME },
    { metadata: { labels: { [key]: open ? 'ready' : null } } },
  );
}

/** Upstream's `newService(name, app)`. */
const newService = (name: string, app: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns.name },
  spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
});

/** A Rollout `name` selecting `app: name`: upstream's nginx pod template plus `spec` and `podSpec`. */
const rolloutOf = (name: string, spec: object, podSpec: object = {}): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name, namespace: ns.name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name,
            image: 'nginx:1.19-alpine',
            ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
            resources: { requests: { memory: '16Mi', cpu: '1m' } },
          },
        ],
        ...podSpec,
      },
    },
    ...spec,
  },
});

/**
 * Every phase the Rollout `name` passes through, in order (consecutive repeats once), from a watch
 * that starts before the Rollout exists — upstream's `WaitForRolloutStatus` watches too, so a phase
 * that lasts one status write (a one-replica blue-green update's Progressing) is still seen.
 */
async function watchPhases(name: string): Promise<string[]> {
  const phases: string[] = [];
  const query = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    namespace: ns.name,
    fieldSelector: `metadata.name=${name}`,
  };
  let { resourceVersion } = await client.list(query);
  void (async () => {
    while (!watches.signal.aborted) {
      try {
        for await (const event of client.watch<KubeObject & { status?: { phase?: string } }>({
          ...query,
          resourceVersion,
          timeoutSeconds: 60,
          signal: watches.signal,
        })) {
          resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
          const phase = event.type === 'BOOKMARK' ? undefined : event.object.status?.phase;
          if (phase !== undefined && phase !== phases.at(-1)) phases.push(phase);
        }
      } catch (err) {
        if (!watches.signal.aborted) errors.push(err);
        return;
      }
    }
  })();
  return phases;
}

/** The e2e fixture's `When`/`Then` for one Rollout. */
async function fixture(name: string) {
  const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: ns.name, name };
  const phases = await watchPhases(name);
  /** How far `waitForStatus` has read `phases`. */
  let seen = 0;
  const get = async (): Promise<Rollout> => {
    const parsed = parseRollout(await client.get(ref));
    if (!parsed.ok) throw new Error(`Rollout ${name} does not parse`);
    return parsed.value;
  };
  const replicaSets = async () =>
    (await client.list<RS>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: ns.name })).items.filter(
      (rs) => rs.metadata.ownerReferences?.some((o) => o.name === name),
    );
  /** Upstream's `expectPodCountByHash`: pods with the hash, not counting ones being deleted. */
  const podCount = async (hash: string | undefined) =>
    hash === undefined
      ? 0
      : (
          await client.list<Pod>({
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: ns.name,
            labelSelector: `${HASH}=${hash}`,
          })
        ).items.filter((p) => p.metadata.deletionTimestamp === undefined).length;
  const hashOfRevision = async (revision: string) =>
    (await replicaSets()).find((rs) => rs.metadata.annotations?.[REVISION] === revision)?.metadata.labels?.[
      HASH
    ];
  const f = {
    get,
    async apply(spec: object, podSpec: object = {}) {
      await client.apply(rolloutOf(name, spec, podSpec));
    },
    /** `WaitForRolloutStatus`: the next time the watch sees `phase` (consumes the phases up to it). */
    async waitForStatus(phase: string) {
      await eventually(async () => {
        const at = phases.indexOf(phase, seen);
        expect(
          at,
          `${phase} after [${phases.slice(seen).join(', ')}] (${(await get()).status?.message})`,
        ).not.toBe(-1);
        seen = at + 1;
      }, WAIT);
      return get();
    },
    /** Where the next `waitForStatus` starts reading the watched phases. */
    mark: () => seen,
    /** The phases the watch saw from a `mark()` on. */
    phasesSince: (from: number) => phases.slice(from),
    async waitForStepIndex(index: number) {
      return eventually(async () => expect((await get()).status?.currentStepIndex).toBe(index), WAIT);
    },
    async analysisRuns() {
      return (
        await client.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace: ns.name })
      ).items.filter((ar) => ar.metadata.ownerReferences?.some((o) => o.name === name));
    },
    /** `ExpectRevisionPodCount`, waited for: pods of the ReplicaSet with that revision. */
    async expectRevisionPodCount(revision: string, count: number) {
      await eventually(async () => expect(await podCount(await hashOfRevision(revision))).toBe(count), WAIT);
    },
    /** `ExpectCanaryStablePodCount`, waited for: pods of `currentPodHash` and of `stableRS`. */
    async expectCanaryStablePodCount(canary: number, stable: number) {
      await eventually(async () => {
        const s = (await get()).status;
        expect([await podCount(s?.currentPodHash), await podCount(s?.stableRS)]).toEqual([canary, stable]);
      }, WAIT);
    },
    /** `ExpectReplicaCounts(desired, current, updated, ready, available)`, waited for. */
    async expectReplicaCounts(counts: [number, number, number, number, number]) {
      await eventually(async () => {
        const r = await get();
        const s = r.status;
        expect([
          r.spec.replicas ?? 1,
          s?.replicas,
          s?.updatedReplicas,
          s?.readyReplicas,
          s?.availableReplicas,
        ]).toEqual(counts);
      }, WAIT);
    },
    /** Reasons of the Events on this Rollout, in the order they were recorded. */
    async eventReasons() {
      const { items } = await client.list<Event>({
        apiVersion: 'v1',
        kind: 'Event',
        namespace: ns.name,
        fieldSelector: `involvedObject.kind=Rollout,involvedObject.name=${name}`,
      });
      return items
        .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
        .map((e) => e.reason);
    },
    /** `UpdateSpec()`: a pod template change, which starts an update. */
    async updateSpec() {
      await client.patch(ref, {
        spec: { template: { metadata: { annotations: { 'e2e/update': String(Date.now()) } } } },
      });
    },
    patchSpec: (spec: object) => client.patch(ref, { spec }),
    async promote(full = false) {
      await applyRolloutPatches(client, ns.name, name, promotePatches(await get(), full));
    },
    abort: () => applyRolloutPatches(client, ns.name, name, abortPatches()),
    retry: () => applyRolloutPatches(client, ns.name, name, retryPatches()),
  };
  return f;
}

/** A node label only this test's pods select, so the test decides when they become Ready. */
function readinessGate(name: string) {
  // `<ns suffix>-<rollout>` stays within a label name's 63 characters for these Rollout names.
  const key = `e2e.slipway.dev/${ns.name.slice(-6)}-${name}`;
  nodeGates.push(key);
  return {
    podSpec: { nodeSelector: { [key]: 'ready' } },
    open: () => gateNode(key, true),
    close: () => gateNode(key, false),
  };
}

describe.concurrent('upstream e2e scenarios (argo-rollouts test/e2e), canary and more, on Slipway', () => {
  // Ports functional_test.go TestRolloutAbortRetryPromote: abort at the timed pause scales the
  // canary down, retry brings it back to the same step, and the pause then ends by itself; the
  // Rollout's events come in upstream's order.
  it('TestRolloutAbortRetryPromote', async () => {
    const f = await fixture('abort-retry-promote');
    await f.apply({ strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: '3s' } }] } } });
    await f.waitForStatus('Healthy');
    await f.updateSpec();
    await f.waitForStatus('Paused');
    await f.expectRevisionPodCount('1', 1);
    await f.expectRevisionPodCount('2', 1);

    await f.abort();
    await f.waitForStatus('Degraded');
    await f.retry();
    await f.waitForStatus('Paused');
    await f.expectRevisionPodCount('1', 1);
    await f.expectRevisionPodCount('2', 1);

    await f.waitForStatus('Healthy'); // the `pause: {duration: 3s}` step ends by itself
    await f.expectRevisionPodCount('1', 0);
    await f.expectRevisionPodCount('2', 1);
    // Upstream's list starts with RolloutAddedToInformer, an event of its informer cache, which a
    // controller without that cache does not have; the rest is upstream's sequence.
    await eventually(
      async () =>
        expect(await f.eventReasons()).toEqual([
          'RolloutUpdated', // Rollout updated to revision 1
          'NewReplicaSetCreated', // Created ReplicaSet … (revision 1)
          'RolloutNotCompleted', // Rollout not completed, started update to revision 2
          'ScalingReplicaSet', // Scaled up ReplicaSet … (revision 1) from 0 to 1
          'RolloutCompleted', // Rollout completed update to revision 1: Initial deploy
          'RolloutUpdated', // Rollout updated to revision 2
          'NewReplicaSetCreated', // Created ReplicaSet … (revision 2)
          'RolloutNotCompleted', // Rollout not completed, started update to revision 3
          'ScalingReplicaSet', // Scaled up ReplicaSet … (revision 2) from 0 to 1
          'RolloutStepCompleted', // Rollout step 1/2 completed (setWeight: 50)
          'RolloutPaused', // Rollout is paused (CanaryPauseStep)
          'ScalingReplicaSet', // Scaled down ReplicaSet … (revision 2) from 1 to 0
          'RolloutAborted', // Rollout aborted update to revision 2
          'ScalingReplicaSet', // Scaled up ReplicaSet … (revision 2) from 0 to 1
          'RolloutStepCompleted', // Rollout step 1/2 completed (setWeight: 50)
          'RolloutPaused', // Rollout is paused (CanaryPauseStep)
          'RolloutStepCompleted', // Rollout step 2/2 completed (pause: 3s)
          'RolloutResumed', // Rollout is resumed
          'ScalingReplicaSet', // Scaled down ReplicaSet … (revision 1) from 1 to 0
          'RolloutCompleted', // Rollout completed update to revision 2: Completed all 2 canary steps
        ]),
      10_000,
    );
  });

  // Ports functional_test.go TestCanaryPromoteFull: promote past a 24h pause into an inline
  // analysis step, promote past that to an indefinite pause, abort, then `promote --full`: Healthy
  // with the one inline run only (the background analysis starts at step 4, never reached).
  it('TestCanaryPromoteFull', async () => {
    const f = await fixture('canary-promote-full');
    await f.apply({
      strategy: {
        canary: {
          analysis: { templates: [{ templateName: 'sleep-job' }], startingStep: 4 },
          steps: [
            { pause: { duration: '24h' } },
            {
              analysis: {
                templates: [{ templateName: 'sleep-job' }],
                args: [{ name: 'duration', value: '24h' }],
              },
            },
            { pause: {} },
            { analysis: { templates: [{ templateName: 'sleep-job' }] } },
          ],
        },
      },
    });
    await f.waitForStatus('Healthy');
    await f.updateSpec();
    await f.waitForStatus('Paused'); // at step 1 (pause: {duration: 24h})
    await f.promote();
    await sleep(3000);
    await eventually(
      async () =>
        expect((await f.get()).status?.canary?.currentStepAnalysisRunStatus?.status).toBe('Running'),
      WAIT,
    );
    const atAnalysis = await f.get();
    expect(atAnalysis.status?.phase).toBe('Progressing'); // at step 2 (analysis: sleep-job - 24h)
    expect(atAnalysis.status?.currentStepIndex).toBe(1);
    expect(await f.analysisRuns()).toHaveLength(1);

    await f.promote();
    await sleep(2000);
    await f.waitForStatus('Paused'); // at step 3 (pause: {})
    await f.abort();
    await sleep(1000);
    await f.promote(true);
    await f.waitForStatus('Healthy');
    expect(await f.analysisRuns()).toHaveLength(1); // no new analysis was created
  });

  // Ports functional_test.go TestRolloutGoodToBadUpdate: a bad update (pods never Ready) exceeds
  // its 10s deadline with one surged canary pod beside the four stable ones; a second bad update
  // replaces that canary (revision 2 → 0 pods, revision 3 → 1) and is Degraded again.
  it('TestRolloutGoodToBadUpdate', async () => {
    const f = await fixture('good2bad');
    const strategy = { canary: { maxSurge: 1, maxUnavailable: 0 } };
    await f.apply({ replicas: 4, strategy });
    await f.waitForStatus('Healthy');
    // Upstream: `command: [/bad-command]` — here a nodeSelector no node matches.
    await f.patchSpec({
      progressDeadlineSeconds: 10,
      template: { spec: { nodeSelector: BAD_NODE_SELECTOR } },
    });
    await f.waitForStatus('Degraded');
    await f.expectCanaryStablePodCount(1, 4);

    // Upstream: `command: [/bad-command2]` — another unschedulable template.
    await f.patchSpec({ template: { spec: { nodeSelector: { ...BAD_NODE_SELECTOR, second: 'bad' } } } });
    await f.waitForStatus('Progressing');
    await f.waitForStatus('Degraded');
    await f.expectRevisionPodCount('1', 4);
    await f.expectRevisionPodCount('2', 0);
    await f.expectRevisionPodCount('3', 1);
  });

  // Ports functional_test.go TestRolloutBadToGoodUpdate: a first deploy that never becomes Ready
  // is Degraded; fixing the template brings revision 2 to all four pods and revision 1 to none.
  it('TestRolloutBadToGoodUpdate', async () => {
    const f = await fixture('bad2good');
    const strategy = { canary: { maxSurge: 1, maxUnavailable: 0 } };
    await f.apply(
      { replicas: 4, progressDeadlineSeconds: 10, strategy },
      { nodeSelector: BAD_NODE_SELECTOR },
    );
    await f.waitForStatus('Degraded');
    // Upstream: `command: null`.
    await f.patchSpec({ progressDeadlineSeconds: 60, template: { spec: { nodeSelector: null } } });
    await f.waitForStatus('Healthy');
    await f.expectRevisionPodCount('2', 4);
    await f.expectRevisionPodCount('1', 0);
  });

  // Ports functional_test.go TestRolloutBadToBadUpdate: from a Degraded first deploy, another bad
  // template gets one surged pod and leaves the four of revision 1 alone.
  it('TestRolloutBadToBadUpdate', async () => {
    const f = await fixture('bad2bad');
    const strategy = { canary: { maxSurge: 1, maxUnavailable: 0 } };
    await f.apply(
      { replicas: 4, progressDeadlineSeconds: 10, strategy },
      { nodeSelector: BAD_NODE_SELECTOR },
    );
    await f.waitForStatus('Degraded');
    await f.patchSpec({ template: { spec: { nodeSelector: { ...BAD_NODE_SELECTOR, second: 'bad' } } } });
    await f.waitForStatus('Progressing');
    await f.waitForStatus('Degraded');
    await f.expectRevisionPodCount('2', 1);
    await f.expectRevisionPodCount('1', 4);
  });

  // Ports canary_test.go TestCanarySetCanaryScale (upstream's nginx-template: 4 replicas, canary
  // and stable Services, NGINX traffic routing): setCanaryScale weight, then replicas, then
  // matchTrafficWeight set the canary's pods independently of the traffic weight.
  it('TestCanarySetCanaryScale', async () => {
    const name = 'set-canary-scale';
    const f = await fixture(name);
    await client.apply(newService(`${name}-canary`, name));
    await client.apply(newService(`${name}-stable`, name));
    await client.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: `${name}-ingress`,
        namespace: ns.name,
        annotations: { 'kubernetes.io/ingress.class': 'nginx' },
      },
      spec: {
        rules: [
          {
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: `${name}-stable`, port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    await f.apply({
      replicas: 4,
      strategy: {
        canary: {
          canaryService: `${name}-canary`,
          stableService: `${name}-stable`,
          trafficRouting: { nginx: { stableIngress: `${name}-ingress` } },
          steps: [
            { pause: {} },
            { setCanaryScale: { weight: 25 } },
            { pause: { duration: '100s' } },
            { setWeight: 50 },
            { pause: { duration: '10s' } },
            { setCanaryScale: { replicas: 3 } },
            { pause: {} },
            { setCanaryScale: { matchTrafficWeight: true } },
            { pause: { duration: '5s' } },
          ],
        },
      },
    });
    await f.waitForStatus('Healthy');
    await f.updateSpec();
    await f.waitForStatus('Paused'); // at step 0
    await f.expectCanaryStablePodCount(0, 4);
    await f.promote();
    await f.waitForStepIndex(2);
    await f.expectCanaryStablePodCount(1, 4);
    await f.promote();
    await f.waitForStepIndex(4);
    await f.expectCanaryStablePodCount(1, 4);
    await f.promote();
    await f.waitForStepIndex(6);
    await f.expectCanaryStablePodCount(3, 4);
    await f.promote();
    await f.waitForStepIndex(8);
    await f.expectCanaryStablePodCount(2, 4);
    await f.promote();
    await f.waitForStatus('Healthy');
    await f.expectCanaryStablePodCount(4, 4);
  });

  // Ports canary_test.go TestCanaryWithSpecPause: a first deploy slower than its deadline is
  // Degraded, then Healthy; `spec.paused: true` then pauses it without a Progressing condition of
  // reason RolloutPaused and status Unknown appearing (checked for 5s, as upstream).
  it('TestCanaryWithSpecPause', async () => {
    const name = 'rollout-canary-with-spec-pause';
    const f = await fixture(name);
    const gate = readinessGate(name);
    await f.apply(
      {
        replicas: 3,
        revisionHistoryLimit: 2,
        progressDeadlineSeconds: 5,
        strategy: { canary: { steps: [{ setWeight: 20 }] } },
      },
      gate.podSpec,
    );
    await f.waitForStatus('Degraded');
    await gate.open(); // upstream: the readiness probe's initialDelaySeconds (10) has passed
    await f.waitForStatus('Healthy');
    await eventually(async () => expect((await f.get()).status?.availableReplicas).toBe(3), WAIT);

    await f.patchSpec({ paused: true });
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      const conditions = (await f.get()).status?.conditions ?? [];
      expect(
        conditions.filter(
          (c) => c.type === 'Progressing' && c.reason === 'RolloutPaused' && c.status === 'Unknown',
        ),
      ).toEqual([]);
      await sleep(100);
    }
    await f.waitForStatus('Paused');
    await gate.close();
  });

  // Ports canary_test.go TestCanaryProgressDeadlineExceededWithPause: a canary slower than its
  // deadline is Degraded, then reaches the indefinite pause (1 canary pod, 3 stable); promoting
  // makes it Degraded again while the new pods are not Ready, then Healthy.
  it('TestCanaryProgressDeadlineExceededWithPause', async () => {
    const name = 'rollout-canary-deadline-with-pause';
    const f = await fixture(name);
    const gate = readinessGate(name);
    await f.apply(
      {
        replicas: 3,
        revisionHistoryLimit: 2,
        progressDeadlineSeconds: 5,
        strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      },
      gate.podSpec,
    );
    await f.waitForStatus('Degraded');
    await gate.open();
    await f.waitForStatus('Healthy');
    await eventually(async () => expect((await f.get()).status?.availableReplicas).toBe(3), WAIT);
    await gate.close();

    await f.updateSpec();
    await f.waitForStatus('Degraded');
    await gate.open();
    await f.waitForStatus('Paused');
    await f.expectCanaryStablePodCount(1, 3);
    await gate.close();

    await f.promote();
    await f.waitForStatus('Degraded');
    await gate.open();
    await f.waitForStatus('Healthy');
    await gate.close();
  });

  // Ports functional_test.go TestRolloutPauseDurationGreaterThanProgressDeadlineSeconds: a timed
  // pause of 30s with a 5s deadline never makes the Rollout Degraded on its way to Healthy
  // (upstream's `WatchRolloutStatus("Healthy")` fails on Degraded).
  it('TestRolloutPauseDurationGreaterThanProgressDeadlineSeconds', async () => {
    const f = await fixture('rollout-canary');
    await f.apply({
      replicas: 3,
      progressDeadlineSeconds: 5,
      strategy: { canary: { steps: [{ setWeight: 32 }, { pause: { duration: '30s' } }, { setWeight: 67 }] } },
    });
    await f.waitForStatus('Healthy');
    await f.updateSpec();
    const from = f.mark();
    await f.waitForStatus('Healthy');
    // Through the 30s pause (Paused) to Healthy, never Degraded.
    expect(f.phasesSince(from)).toContain('Paused');
    expect(f.phasesSince(from)).not.toContain('Degraded');
  });

  // Ports functional_test.go TestBlueGreenScaleDownDelay: with a one-day scaleDownDelaySeconds the
  // old ReplicaSets stay up, at most scaleDownDelayRevisionLimit (2) of them; lowering the limit to
  // 1 scales revision 2 down at once.
  it('TestBlueGreenScaleDownDelay', async () => {
    const name = 'bluegreen-scaledowndelay';
    const f = await fixture(name);
    await client.apply(newService(`${name}-active`, name));
    const blueGreen = {
      activeService: `${name}-active`,
      scaleDownDelaySeconds: 86400,
      scaleDownDelayRevisionLimit: 2,
    };
    await f.apply({ replicas: 1, strategy: { blueGreen } });
    await f.waitForStatus('Healthy');
    const update = async () => {
      await f.updateSpec();
      await f.waitForStatus('Progressing');
      await f.waitForStatus('Healthy');
    };
    await update();
    await f.expectRevisionPodCount('2', 1);
    await f.expectRevisionPodCount('1', 1);
    await f.expectReplicaCounts([1, 2, 1, 1, 1]);

    await update();
    await update();
    await sleep(1000);
    await f.expectRevisionPodCount('4', 1);
    await f.expectRevisionPodCount('3', 1);
    await f.expectRevisionPodCount('2', 1);
    await f.expectRevisionPodCount('1', 0);
    await f.expectReplicaCounts([1, 3, 1, 1, 1]);

    await f.patchSpec({ strategy: { blueGreen: { scaleDownDelayRevisionLimit: 1 } } });
    await sleep(1000);
    await f.expectRevisionPodCount('4', 1);
    await f.expectRevisionPodCount('3', 1);
    await f.expectRevisionPodCount('2', 0);
    await f.expectRevisionPodCount('1', 0);
    await f.expectReplicaCounts([1, 2, 1, 1, 1]);
  });

  // Ports bluegreen_test.go TestBlueGreenPreviewReplicaCount: the preview runs previewReplicaCount
  // (1) pods beside the 2 active ones; after promotion the new ReplicaSet has all 2 and the old
  // one waits out scaleDownDelaySeconds.
  it('TestBlueGreenPreviewReplicaCount', async () => {
    const name = 'bluegreen-preview-replicas';
    const f = await fixture(name);
    await client.apply(newService(`${name}-active`, name));
    await client.apply(newService(`${name}-preview`, name));
    await f.apply({
      replicas: 2,
      strategy: {
        blueGreen: {
          activeService: `${name}-active`,
          previewService: `${name}-preview`,
          previewReplicaCount: 1,
          scaleDownDelaySeconds: 5,
          autoPromotionEnabled: false,
        },
      },
    });
    await f.waitForStatus('Healthy');
    await f.updateSpec();
    await f.waitForStatus('Paused');
    await f.expectRevisionPodCount('2', 1);
    await f.expectRevisionPodCount('1', 2);
    await f.expectReplicaCounts([2, 3, 1, 2, 2]);

    await f.promote();
    await f.waitForStatus('Healthy');
    await f.expectReplicaCounts([2, 4, 2, 2, 2]);
  });
});
