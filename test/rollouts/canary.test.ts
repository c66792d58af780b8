/**
 * The Rollout controller on the real control plane (KWOK makes pods Ready, so ReplicaSet
 * availability moves for real). Uses the seed Rollout and its two Services; pause durations are
 * shortened only where the test would otherwise wait five minutes (noted at each substitution).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import {
  abortPatches,
  applyRolloutPatches,
  promotePatches,
  retryPatches,
} from '../../src/rollouts/actions.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { approximateWeightedCanaryStableReplicaCounts, maxSurge } from '../../src/rollouts/replica-math.ts';
import { parseRollout } from '../../src/rollouts/spec.ts';
import type { Rollout } from '../../src/rollouts/types.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';

const fixture = (name: string) =>
  parse(readFileSync(new URL(`../fixtures/seed/${name}`, import.meta.url), 'utf8'));
const HASH = 'rollouts-pod-template-hash';

interface RS extends KubeObject {
  spec: { replicas: number };
  status?: { availableReplicas?: number };
}

describe('canary Rollout controller on the real control plane', () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };
  let controller: RolloutController;
  const errors: unknown[] = [];
  const start = async () => {
    controller = createRolloutController({ client, namespace: ns.name, onError: (_k, e) => errors.push(e) });
    await controller.start();
  };

  beforeAll(async () => {
    client = sharedClient();
    ns = await createNamespace(client, 'rollouts');
    await start();
  });
  afterAll(async () => {
    await controller.stop();
    await ns.remove();
    await client.close();
  });

  const ref = (name: string) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    namespace: ns.name,
    name,
  });
  const getRollout = async (name: string): Promise<Rollout> => {
    const raw = await client.get(ref(name));
    const parsed = parseRollout(raw);
    if (!parsed.ok) throw new Error('unparseable rollout');
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
  const selectorOf = async (svc: string) => {
    const s = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: ns.name,
      name: svc,
    });
    return s?.spec.selector[HASH];
  };
  const service = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns.name },
    spec: { selector: { app: 'my-service' }, ports: [{ port: 80, targetPort: 8080 }] },
  });

  /** Waits until the rollout sits at `index`, with both ReplicaSets at replica-math's counts for `weight`. */
  const expectStep = async (
    name: string,
    index: number,
    weight: number,
    canaryHash: string,
    stableHash: string,
  ) =>
    eventually(async () => {
      const ro = await getRollout(name);
      expect(ro.status?.currentStepIndex).toBe(index);
      const want = approximateWeightedCanaryStableReplicaCounts(5, weight, 100, maxSurge(ro.spec));
      const rss = await replicaSets();
      expect(rss.get(canaryHash)?.spec.replicas).toBe(want.canary);
      expect(rss.get(canaryHash)?.status?.availableReplicas ?? 0).toBe(want.canary);
      expect(rss.get(stableHash)?.spec.replicas).toBe(want.stable);
      expect(await selectorOf('my-service-canary')).toBe(canaryHash);
      expect(await selectorOf('my-service-stable')).toBe(stableHash);
      return ro;
    }, 60_000);

  it('seed Rollout: first deploy skips steps; update walks setWeight/pause; promote, timed pause, restart, promote --full', async () => {
    await client.apply(service('my-service-canary'));
    await client.apply(service('my-service-stable'));
    await client.apply({
      ...fixture('analysis-template.yaml'),
      metadata: { name: 'success-rate', namespace: ns.name },
    });
    const seed = fixture('rollout.yaml');
    // Substitution: the second pause is 3s instead of 5m (the test waits it out); the others stay 5m.
    seed.spec.strategy.canary.steps[3] = { pause: { duration: '3s' } };
    seed.metadata.namespace = ns.name;
    await client.apply(seed);

    // First deploy: straight to 100 %, stable at once, all steps skipped.
    const first = await eventually(async () => {
      const ro = await getRollout('my-service');
      expect(ro.status?.phase).toBe('Healthy');
      expect(ro.status?.stableRS).toBe(ro.status?.currentPodHash);
      expect(ro.status?.currentStepIndex).toBe(6);
      expect(ro.status?.availableReplicas).toBe(5);
      return ro;
    }, 60_000);
    const v1 = first.status?.currentPodHash ?? '';
    expect((await replicaSets()).get(v1)?.metadata.name).toBe(`my-service-${v1}`);
    expect((await replicaSets()).get(v1)?.metadata.annotations?.['rollout.argoproj.io/revision']).toBe('1');
    await eventually(async () => expect(await selectorOf('my-service-stable')).toBe(v1));
    const runs0 = await client.list({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      namespace: ns.name,
    });
    expect(runs0.items).toHaveLength(0);

    // Update: setWeight 10, then the 5m pause (CanaryPauseStep, controllerPause).
    await client.patch(ref('my-service'), {
      spec: {
        template: {
          spec: { containers: [{ name: 'my-service', image: 'ghcr.io/myorg/my-service:def5678' }] },
        },
      },
    });
    const v2 = await eventually(async () => {
      const ro = await getRollout('my-service');
      expect(ro.status?.currentPodHash).not.toBe(v1);
      return ro.status?.currentPodHash ?? '';
    });
    let ro = await expectStep('my-service', 1, 10, v2, v1);
    ro = await eventually(async () => {
      const r = await getRollout('my-service');
      expect(r.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
      expect(r.status?.controllerPause).toBe(true);
      expect(r.status?.phase).toBe('Paused');
      return r;
    });
    expect((await replicaSets()).get(v2)?.metadata.annotations?.['rollout.argoproj.io/revision']).toBe('2');

    // Promote skips the 5m pause → setWeight 30 (step 2 starts background analysis) → the 3s pause → 60.
    await applyRolloutPatches(client, ns.name, 'my-service', promotePatches(ro));
    await expectStep('my-service', 3, 30, v2, v1);
    await eventually(async () => {
      const runs = await client.list({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        namespace: ns.name,
      });
      expect(runs.items.map((r) => r.metadata.labels?.['rollout-type'])).toEqual(['Background']);
      expect(runs.items[0]?.metadata.name).toBe(`my-service-${v2}-2`);
    });
    await expectStep('my-service', 5, 60, v2, v1);
    const paused = await eventually(async () => {
      const r = await getRollout('my-service');
      expect(r.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
      return r;
    });

    // Killed controller: a new one resumes at the same step with the same pause start (same remaining time).
    await controller.stop();
    await start();
    await new Promise((r) => setTimeout(r, 1500));
    const resumed = await getRollout('my-service');
    expect(resumed.status?.currentStepIndex).toBe(5);
    expect(resumed.status?.pauseConditions).toEqual(paused.status?.pauseConditions);

    // promote --full → Healthy on v2; both services select v2; v1 scaled to 0; analysis stopped.
    await applyRolloutPatches(client, ns.name, 'my-service', promotePatches(resumed, true));
    await eventually(async () => {
      const r = await getRollout('my-service');
      expect(r.status?.stableRS).toBe(v2);
      expect(r.status?.phase).toBe('Healthy');
      const rss = await replicaSets();
      expect(rss.get(v1)?.spec.replicas).toBe(0);
      expect(rss.get(v2)?.spec.replicas).toBe(5);
      expect(await selectorOf('my-service-canary')).toBe(v2);
      expect(await selectorOf('my-service-stable')).toBe(v2);
    }, 60_000);
    const events = await client.list<KubeObject & { reason?: string; message?: string }>({
      apiVersion: 'v1',
      kind: 'Event',
      namespace: ns.name,
      fieldSelector: 'involvedObject.name=my-service',
    });
    const messages = events.items.map((e) => `${e.reason}: ${e.message}`);
    expect(messages).toContain('RolloutStepCompleted: Rollout step 1/6 completed (setWeight: 10)');
    expect(messages).toContain('RolloutStepCompleted: Rollout step 4/6 completed (pause: 3s)');
    expect(errors).toEqual([]);
  });

  it('abort scales the canary to 0 and the stable back to R (Degraded, upstream message); retry replays the steps', async () => {
    const seed = fixture('rollout.yaml');
    seed.metadata = { name: 'abortable', namespace: ns.name };
    seed.spec.strategy.canary.canaryService = undefined;
    seed.spec.strategy.canary.stableService = undefined;
    seed.spec.strategy.canary.analysis = undefined;
    seed.spec.selector.matchLabels.app = 'abortable';
    seed.spec.template.metadata.labels.app = 'abortable';
    await client.apply(seed);
    const v1 = await eventually(async () => {
      const r = await getRollout('abortable');
      expect(r.status?.phase).toBe('Healthy');
      return r.status?.stableRS ?? '';
    }, 60_000);
    await client.patch(ref('abortable'), {
      spec: {
        template: { spec: { containers: [{ name: 'my-service', image: 'ghcr.io/myorg/my-service:bad' }] } },
      },
    });
    await eventually(async () => {
      const r = await getRollout('abortable');
      expect(r.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
    }, 60_000);
    await applyRolloutPatches(client, ns.name, 'abortable', abortPatches());
    const aborted = await eventually(async () => {
      const r = await getRollout('abortable');
      expect(r.status?.phase).toBe('Degraded');
      expect(r.status?.message).toBe('RolloutAborted: Rollout aborted update to revision 2');
      expect(r.status?.currentStepIndex).toBe(0);
      const rss = await replicaSets();
      const canary = [...rss.values()].find(
        (rs) => rs.metadata.name === `abortable-${r.status?.currentPodHash}`,
      );
      expect(canary?.spec.replicas).toBe(0);
      expect(rss.get(v1)?.spec.replicas).toBe(5);
      return r;
    }, 60_000);
    expect(aborted.status?.pauseConditions).toBeUndefined();
    await applyRolloutPatches(client, ns.name, 'abortable', retryPatches());
    await eventually(async () => {
      const r = await getRollout('abortable');
      expect(r.status?.abort).toBeUndefined();
      expect(r.status?.currentStepIndex).toBe(1);
      expect(r.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
    }, 60_000);
    expect(errors).toEqual([]);
  });

  it('a Failed background AnalysisRun (phase set on the real object) aborts the update', async () => {
    const seed = fixture('rollout.yaml');
    seed.metadata = { name: 'analyzed', namespace: ns.name };
    delete seed.spec.strategy.canary.canaryService;
    delete seed.spec.strategy.canary.stableService;
    seed.spec.selector.matchLabels.app = 'analyzed';
    seed.spec.template.metadata.labels.app = 'analyzed';
    await client.apply(seed);
    await eventually(
      async () => expect((await getRollout('analyzed')).status?.phase).toBe('Healthy'),
      60_000,
    );
    await client.patch(ref('analyzed'), {
      spec: {
        template: { spec: { containers: [{ name: 'my-service', image: 'ghcr.io/myorg/my-service:v2' }] } },
      },
    });
    const paused = await eventually(async () => {
      const r = await getRollout('analyzed');
      expect(r.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
      return r;
    }, 60_000);
    // Promote past the 5m pause: step 2 (startingStep) starts the background run.
    await applyRolloutPatches(client, ns.name, 'analyzed', promotePatches(paused));
    const runName = await eventually(async () => {
      const r = await getRollout('analyzed');
      const name = r.status?.canary?.currentBackgroundAnalysisRunStatus?.name;
      expect(name).toBe(`analyzed-${r.status?.currentPodHash}-2`);
      return name ?? '';
    }, 60_000);
    const arRef = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      namespace: ns.name,
      name: runName,
    };
    const ar = await client.get<KubeObject & { spec: { args: unknown } }>(arRef);
    expect(ar?.spec.args).toEqual([{ name: 'service-name', value: 'my-service' }]);
    expect(ar?.metadata.ownerReferences?.[0]?.name).toBe('analyzed');
    // The analysis controller's verdict, written where it would write it.
    await client.patch(arRef, {
      status: { phase: 'Failed', message: 'Metric "success-rate" assessed Failed' },
    });
    await eventually(async () => {
      const r = await getRollout('analyzed');
      expect(r.status?.phase).toBe('Degraded');
      expect(r.status?.message).toBe(
        'RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: Metric "success-rate" assessed Failed',
      );
      const rss = await replicaSets();
      expect(rss.get(r.status?.currentPodHash ?? '')?.spec.replicas).toBe(0);
      expect(rss.get(r.status?.stableRS ?? '')?.spec.replicas).toBe(5);
    }, 60_000);
    expect(errors).toEqual([]);
  });

  it('rollback to the stable template mid-update skips every step; revisionHistoryLimit deletes old ReplicaSets', async () => {
    const seed = fixture('rollout.yaml');
    seed.metadata = { name: 'rollback', namespace: ns.name };
    delete seed.spec.strategy.canary.canaryService;
    delete seed.spec.strategy.canary.stableService;
    delete seed.spec.strategy.canary.analysis;
    seed.spec.revisionHistoryLimit = 1;
    seed.spec.selector.matchLabels.app = 'rollback';
    seed.spec.template.metadata.labels.app = 'rollback';
    await client.apply(seed);
    const setImage = (image: string) =>
      client.patch(ref('rollback'), {
        spec: { template: { spec: { containers: [{ name: 'my-service', image }] } } },
      });
    const v1 = await eventually(async () => {
      const r = await getRollout('rollback');
      expect(r.status?.phase).toBe('Healthy');
      return r.status?.stableRS ?? '';
    }, 60_000);
    await setImage('ghcr.io/myorg/my-service:v2');
    await eventually(async () => {
      const r = await getRollout('rollback');
      expect(r.status?.currentPodHash).not.toBe(v1);
      expect(r.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
    }, 60_000);
    // Back to the stable template: no steps, no pause, straight to Healthy on v1.
    await setImage('ghcr.io/myorg/my-service:abc1234');
    await eventually(async () => {
      const r = await getRollout('rollback');
      expect(r.status?.currentPodHash).toBe(v1);
      expect(r.status?.currentStepIndex).toBe(6);
      expect(r.status?.pauseConditions).toBeUndefined();
      expect(r.status?.phase).toBe('Healthy');
      expect(r.status?.stableRS).toBe(v1);
    }, 60_000);
    // Two more revisions, each promoted fully: with a history limit of 1 only one idle RS stays.
    for (const tag of ['v3', 'v4']) {
      await setImage(`ghcr.io/myorg/my-service:${tag}`);
      const paused = await eventually(async () => {
        const r = await getRollout('rollback');
        expect(r.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
        return r;
      }, 60_000);
      await applyRolloutPatches(client, ns.name, 'rollback', promotePatches(paused, true));
      await eventually(
        async () => expect((await getRollout('rollback')).status?.phase).toBe('Healthy'),
        60_000,
      );
    }
    await eventually(async () => {
      const r = await getRollout('rollback');
      const { items } = await client.list<RS>({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        namespace: ns.name,
        labelSelector: 'app=rollback',
      });
      // The stable (v4) plus one idle revision.
      expect(items).toHaveLength(2);
      expect(items.map((rs) => rs.metadata.labels?.[HASH])).toContain(r.status?.stableRS);
    }, 60_000);
    expect(errors).toEqual([]);
  });

  it('a missing Service makes the Rollout Degraded with InvalidSpec and creates nothing; creating it recovers', async () => {
    const seed = fixture('rollout.yaml');
    seed.metadata = { name: 'invalid', namespace: ns.name };
    delete seed.spec.strategy.canary.analysis;
    seed.spec.strategy.canary.canaryService = 'invalid-canary';
    seed.spec.strategy.canary.stableService = 'invalid-stable';
    seed.spec.selector.matchLabels.app = 'invalid';
    seed.spec.template.metadata.labels.app = 'invalid';
    // Upstream's ValidateService: the Services must select the pod template's labels.
    const selecting = (name: string) => ({
      ...service(name),
      spec: { selector: { app: 'invalid' }, ports: [{ port: 80 }] },
    });
    await client.apply(selecting('invalid-stable'));
    await client.apply(seed);
    await eventually(async () => {
      const r = await getRollout('invalid');
      expect(r.status?.phase).toBe('Degraded');
      expect(r.status?.message).toBe(
        'InvalidSpec: The Rollout "invalid" is invalid: spec.strategy.canary.canaryService: Invalid value: "invalid-canary": services "invalid-canary" not found',
      );
    }, 60_000);
    const { items } = await client.list({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      namespace: ns.name,
      labelSelector: 'app=invalid',
    });
    expect(items).toHaveLength(0);
    // The new Service wakes the Rollout (Services are watched).
    await client.apply(selecting('invalid-canary'));
    await eventually(async () => expect((await getRollout('invalid')).status?.phase).toBe('Healthy'), 15_000);
    expect(errors).toEqual([]);
  });
});
