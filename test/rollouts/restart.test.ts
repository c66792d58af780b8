/**
 * Rollout restarts on the real control plane: ports of Argo Rollouts' `TestRolloutRestart` and
 * `TestRolloutPDBRestart` (test/e2e/functional_test.go), driven through `slipway rollout restart`
 * as a user would, plus `--in` (restartAt in the future waits).
 *
 * KWOK makes every scheduled pod Ready at once, so upstream's `postStart: sleep 5` (which keeps the
 * replacement pods unready for a while and lets `ExpectReplicaCounts(4, 4, 1, 1, 1)` catch the
 * restart mid-way) has no effect here. Instead the tests assert the outcome upstream's test stands
 * for: every pod replaced by one created at or after `spec.restartAt`, the Rollout left where it was
 * (paused at its step, 1 canary + 3 stable), `status.restartedAt` set, and — sampled throughout —
 * never fewer available pods than `replicas − maxUnavailable`. The ReplicaSet controller of the real
 * kube-controller-manager recreates each evicted pod; the disruption controller computes the
 * PodDisruptionBudget that the Eviction API enforces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { parseRollout } from '../../src/rollouts/spec.ts';
import type { Rollout } from '../../src/rollouts/types.ts';
import { sleep } from '../../src/util/abort.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';
import { runClusterCli } from '../support/cli.ts';

const WAIT = 60_000;

interface Pod extends KubeObject {
  status?: { conditions?: Array<{ type: string; status: string }> };
}

let client: KubeClient;
let ns: { name: string; remove: () => Promise<void> };
let controller: RolloutController;
const errors: unknown[] = [];

beforeAll(async () => {
  client = sharedClient();
  ns = await createNamespace(client, 'rollout-restart');
  controller = createRolloutController({ client, namespace: ns.name, onError: (_k, e) => errors.push(e) });
  await controller.start();
});

afterAll(async () => {
  await controller.stop();
  await ns.remove();
  await client.close();
  expect(errors).toEqual([]);
});

/** Upstream's manifest: 4 replicas, canary `setWeight: 25` then an indefinite pause. */
const rolloutOf = (name: string, maxUnavailable: string): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name, namespace: ns.name },
  spec: {
    replicas: 4,
    strategy: { canary: { maxUnavailable, steps: [{ setWeight: 25 }, { pause: {} }] } },
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name, image: 'nginx:1.19-alpine', resources: { requests: { memory: '16Mi', cpu: '1m' } } },
        ],
      },
    },
  },
});

/** One Rollout's `Given`/`When`/`Then`. */
function fixture(name: string) {
  const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: ns.name, name };
  const get = async (): Promise<Rollout> => {
    const parsed = parseRollout(await client.get(ref));
    if (!parsed.ok) throw new Error(`Rollout ${name} does not parse`);
    return parsed.value;
  };
  const pods = async () =>
    (
      await client.list<Pod>({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: ns.name,
        labelSelector: `app=${name}`,
      })
    ).items;
  const isAvailable = (p: Pod) =>
    p.metadata.deletionTimestamp === undefined &&
    (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    get,
    pods,
    isAvailable,
    async waitForPhase(phase: string) {
      return eventually(async () => {
        const ro = await get();
        expect(ro.status?.phase, ro.status?.message).toBe(phase);
        return ro;
      }, WAIT);
    },
    /** Upstream's `HealthyRollout` then `UpdateSpec` and `WaitForRolloutStatus("Paused")`. */
    async healthyThenPaused(manifest: KubeObject) {
      await client.apply(manifest);
      await this.waitForPhase('Healthy');
      await eventually(async () => expect((await pods()).filter(isAvailable)).toHaveLength(4), WAIT);
      await client.patch(ref, {
        spec: { template: { metadata: { annotations: { 'e2e.slipway.dev/update': '1' } } } },
      });
      await this.waitForPhase('Paused');
      // 1 canary + 3 stable pods, all available, before the restart.
      await eventually(async () => {
        const all = await pods();
        expect(all.filter(isAvailable)).toHaveLength(4);
        expect(all).toHaveLength(4);
      }, WAIT);
    },
    /** `rollout restart` through the CLI; returns the restartAt it set. */
    async restart(...extra: string[]) {
      const r = await runClusterCli(['rollout', 'restart', name, '-n', ns.name, ...extra]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const restartAt = (await get()).spec.restartAt;
      expect(restartAt).toBeDefined();
      return { out: r.out, restartAt: restartAt ?? '' };
    },
    /**
     * Samples the available pods every 50 ms until `stop` resolves; returns the fewest seen and
     * the names of every pod seen (to tell that pods were replaced).
     */
    async sampleAvailable(stop: Promise<unknown>) {
      let done = false;
      const finish = () => {
        done = true;
      };
      // Settles either way (a rejection is the caller's to see, from `stop` itself).
      stop.then(finish, finish);
      let fewest = Number.POSITIVE_INFINITY;
      while (!done) {
        fewest = Math.min(fewest, (await pods()).filter(isAvailable).length);
        await sleep(50);
      }
      return fewest;
    },
  };
}

/** Every pod created at or after `restartAt` (RFC 3339 whole seconds, compared as times). */
const allNewerThan = (pods: Pod[], restartAt: string) =>
  pods.every((p) => Date.parse(p.metadata.creationTimestamp ?? '') >= Date.parse(restartAt));

describe('rollout restart (upstream TestRolloutRestart, TestRolloutPDBRestart)', () => {
  it.concurrent('TestRolloutRestart: every pod replaced, within maxUnavailable 75%, Rollout stays Paused', async () => {
    const f = fixture('rollout-restart');
    await f.healthyThenPaused(rolloutOf('rollout-restart', '75%'));
    const before = new Set((await f.pods()).map((p) => p.metadata.uid));
    // Upstream sleeps a second so the clock moves past the pods' creationTimestamps (whole seconds).
    await sleep(1_000);
    const { out, restartAt } = await f.restart();
    expect(out).toBe("rollout 'rollout-restart' restarts in 0s\n");
    const finished = eventually(async () => {
      const ro = await f.get();
      expect(ro.status?.restartedAt).toBe(restartAt);
      return ro;
    }, WAIT);
    const fewest = await f.sampleAvailable(finished);
    const ro = await finished;
    // maxUnavailable 75% of 4 = 3: at least one pod available throughout.
    expect(fewest).toBeGreaterThanOrEqual(1);
    const after = await eventually(async () => {
      const pods = await f.pods();
      expect(pods.filter(f.isAvailable)).toHaveLength(4);
      expect(pods).toHaveLength(4);
      return pods;
    }, WAIT);
    expect(after.some((p) => before.has(p.metadata.uid))).toBe(false);
    expect(allNewerThan(after, restartAt)).toBe(true);
    // The update is where it was: paused at step 1 with 1 canary and 3 stable pods (4, 4, 1, …).
    expect(ro.status?.phase).toBe('Paused');
    expect(ro.status?.currentStepIndex).toBe(1);
    expect([ro.status?.replicas, ro.status?.updatedReplicas]).toEqual([4, 1]);
  });

  it.concurrent('TestRolloutPDBRestart: a PodDisruptionBudget holds the restart until it is deleted', async () => {
    const name = 'rollout-pdb-restart';
    const f = fixture(name);
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, namespace: ns.name },
      spec: { minAvailable: 4, selector: { matchLabels: { app: name } } },
    };
    const pdbRef = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: ns.name, name };
    await client.apply(pdb);
    await f.healthyThenPaused(rolloutOf(name, '100%'));
    // The disruption controller has counted the pods: no disruption allowed.
    await eventually(async () => {
      const got = (await client.get(pdbRef)) as
        | (KubeObject & { status?: { currentHealthy?: number; disruptionsAllowed?: number } })
        | undefined;
      expect([got?.status?.currentHealthy, got?.status?.disruptionsAllowed]).toEqual([4, 0]);
    }, WAIT);
    const before = new Set((await f.pods()).map((p) => p.metadata.uid));
    await sleep(1_000);
    const { restartAt } = await f.restart();
    // Upstream: after 2s, ExpectReplicaCounts(4, 4, 1, 4, 4) — no pod was evicted.
    await sleep(2_000);
    const held = await f.pods();
    expect(held.filter(f.isAvailable)).toHaveLength(4);
    expect(held.every((p) => before.has(p.metadata.uid))).toBe(true);
    expect((await f.get()).status?.restartedAt).toBeUndefined();
    // DeleteObject("pdb") → the controller's next look (within restartPodCheckTime, 30s) restarts them.
    await client.delete(pdbRef);
    const ro = await eventually(async () => {
      const r = await f.get();
      expect(r.status?.restartedAt).toBe(restartAt);
      return r;
    }, 90_000);
    expect(ro.status?.phase).toBe('Paused');
    const after = await eventually(async () => {
      const pods = await f.pods();
      expect(pods.filter(f.isAvailable)).toHaveLength(4);
      return pods;
    }, WAIT);
    expect(after.some((p) => before.has(p.metadata.uid))).toBe(false);
    expect(allNewerThan(after, restartAt)).toBe(true);
  }, 180_000);

  it.concurrent('restart --in 3s: nothing happens before restartAt, then every pod is replaced', async () => {
    const name = 'rollout-restart-in';
    const f = fixture(name);
    await f.healthyThenPaused(rolloutOf(name, '25%'));
    const before = new Set((await f.pods()).map((p) => p.metadata.uid));
    const { out, restartAt } = await f.restart('--in', '3s');
    expect(out).toBe(`rollout '${name}' restarts in 3s\n`);
    expect(Date.parse(restartAt)).toBeGreaterThan(Date.now());
    // Until restartAt, the pods stay (checked up to a second before it).
    while (Date.now() < Date.parse(restartAt) - 1_000) {
      expect((await f.pods()).every((p) => before.has(p.metadata.uid))).toBe(true);
      expect((await f.get()).status?.restartedAt).toBeUndefined();
      await sleep(200);
    }
    const finished = eventually(
      async () => expect((await f.get()).status?.restartedAt).toBe(restartAt),
      WAIT,
    );
    const fewest = await f.sampleAvailable(finished);
    await finished;
    // maxUnavailable 25% of 4 = 1: three available throughout.
    expect(fewest).toBeGreaterThanOrEqual(3);
    const after = await eventually(async () => {
      const pods = await f.pods();
      expect(pods.filter(f.isAvailable)).toHaveLength(4);
      return pods;
    }, WAIT);
    expect(after.some((p) => before.has(p.metadata.uid))).toBe(false);
    expect(allNewerThan(after, restartAt)).toBe(true);
  });

  it('restart of a Rollout that does not exist, or with a malformed --in, fails and names it', async () => {
    const missing = await runClusterCli(['rollout', 'restart', 'nope', '-n', ns.name]);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain(`Rollout/${ns.name}/nope`);
    const bad = await runClusterCli(['rollout', 'restart', 'rollout-restart', '-n', ns.name, '--in', 'soon']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('--in');
  });
});
