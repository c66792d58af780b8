/**
 * `slipway rollout …` against the real control plane with Slipway's Rollout controller running.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';
import { runClusterCli } from '../support/cli.ts';

describe('slipway rollout CLI', () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };
  let controller: RolloutController;

  beforeAll(async () => {
    client = sharedClient();
    ns = await createNamespace(client, 'rollout-cli');
    controller = createRolloutController({ client, namespace: ns.name });
    await controller.start();
  });
  afterAll(async () => {
    await controller.stop();
    await ns.remove();
    await client.close();
  });

  const run = (...args: string[]) => runClusterCli(['rollout', ...args, '-n', ns.name]);

  it('get, status, set-image, promote --full, abort (status exits 1 on Degraded), retry', async () => {
    const seed = parse(readFileSync(new URL('../fixtures/seed/rollout.yaml', import.meta.url), 'utf8'));
    seed.metadata.namespace = ns.name;
    // No Services or AnalysisTemplate here: this test is about the CLI, not selectors or analysis.
    delete seed.spec.strategy.canary.canaryService;
    delete seed.spec.strategy.canary.stableService;
    delete seed.spec.strategy.canary.analysis;
    await client.apply(seed);

    const healthy = await eventually(async () => {
      const r = await run('status', 'my-service', '--timeout', '1');
      expect(r.out).toContain('Healthy');
      return r;
    }, 60_000);
    expect(healthy.code).toBe(0);
    const got = await run('get', 'my-service');
    expect(got.code).toBe(0);
    expect(got.out).toMatch(/Strategy:\s+Canary/);
    expect(got.out).toMatch(/Step:\s+6\/6/);
    expect(got.out).toMatch(
      /my-service-\w+\s+ReplicaSet\s+Healthy\s+revision:1\s+stable\s+ghcr.io\/myorg\/my-service:abc1234\s+5\/5/,
    );

    expect((await run('set-image', 'my-service', 'my-service=ghcr.io/myorg/my-service:def5678')).code).toBe(
      0,
    );
    await eventually(async () => {
      const r = await run('get', 'my-service');
      expect(r.out).toMatch(/Status:\s+Paused - CanaryPauseStep/);
      expect(r.out).toMatch(/Step:\s+1\/6/);
      expect(r.out).toMatch(/SetWeight:\s+10/);
      // R=5, weight 10: 1 canary pod of 6 available → 16.
      expect(r.out).toMatch(/ActualWeight:\s+16/);
    }, 60_000);
    expect((await run('status', 'my-service')).out).toContain('Paused - CanaryPauseStep');

    expect((await run('abort', 'my-service')).code).toBe(0);
    const degraded = await eventually(async () => {
      const r = await run('status', 'my-service', '--timeout', '1');
      expect(r.code).toBe(1);
      return r;
    }, 60_000);
    expect(degraded.err).toContain('RolloutAborted: Rollout aborted update to revision 2');

    expect((await run('retry', 'my-service')).code).toBe(0);
    await eventually(
      async () => expect((await run('get', 'my-service')).out).toMatch(/Status:\s+Paused - CanaryPauseStep/),
      60_000,
    );
    expect((await run('promote', 'my-service', '--full')).code).toBe(0);
    await eventually(async () => {
      const r = await run('get', 'my-service');
      expect(r.out).toMatch(/Status:\s+Healthy/);
      expect(r.out).toMatch(/revision:2\s+stable\s+ghcr.io\/myorg\/my-service:def5678\s+5\/5/);
    }, 60_000);
  });
});
