/**
 * `slipway rollout undo` and `slipway rollout status` on the real control plane: on a Deployment
 * (rolled by the real kube-controller-manager, KWOK pods become Ready) they do what `kubectl rollout
 * undo|status` do; on a Rollout (Slipway's controller) `undo` restores the revision's template, and
 * the controller re-uses that revision's ReplicaSet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';
import { runClusterCli } from '../support/cli.ts';

interface Workload extends KubeObject {
  spec: { template: { spec: { containers: Array<{ image: string }> } } };
  status?: { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number };
}

let client: KubeClient;
let ns: { name: string; remove: () => Promise<void> };
let controller: RolloutController;

beforeAll(async () => {
  client = sharedClient();
  ns = await createNamespace(client, 'undo');
  controller = createRolloutController({ client, namespace: ns.name });
  await controller.start();
});
afterAll(async () => {
  await controller.stop();
  await ns.remove();
  await client.close();
});

const run = (...args: string[]) => runClusterCli(['rollout', ...args, '-n', ns.name]);

const deployment = (image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns.name },
  spec: {
    replicas: 3,
    minReadySeconds: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
  },
});
const depRef = () => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns.name, name: 'web' });
const imageOf = async (ref: ReturnType<typeof depRef>) =>
  (await client.get<Workload>(ref))?.spec.template.spec.containers[0]?.image;
const revisions = async (owner: string) =>
  new Map(
    (await client.list({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: ns.name })).items
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.name === owner))
      .map((rs) => [
        rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ??
          rs.metadata.annotations?.['rollout.argoproj.io/revision'] ??
          '',
        {
          name: rs.metadata.name ?? '',
          image: (rs as Workload).spec.template.spec.containers[0]?.image,
        },
      ]),
  );

describe('rollout status and undo on a Deployment (kubectl rollout semantics)', () => {
  it('status waits through the rolling update; undo goes back one revision, then to a chosen one', async () => {
    await client.apply(deployment('registry.local/web:1'));
    const first = await run('status', 'deployment/web', '--timeout', '60');
    expect(first.code).toBe(0);
    expect(first.out.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');

    await client.apply(deployment('registry.local/web:2'));
    const second = await run('status', 'deployment/web', '--timeout', '60');
    expect(second.code).toBe(0);
    // minReadySeconds and maxUnavailable 0 make the update take visible steps first.
    expect(second.out).toMatch(/Waiting for rollout to finish: /);
    expect(second.out.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    const rolled = await client.get<Workload>(depRef());
    expect(rolled?.status?.updatedReplicas).toBe(3);
    expect(rolled?.status?.availableReplicas).toBe(3);

    const undo = await run('undo', 'web');
    expect(undo).toMatchObject({ code: 0, out: 'deployment.apps/web rolled back\n' });
    expect(await imageOf(depRef())).toBe('registry.local/web:1');
    expect((await run('status', 'web', '--timeout', '60')).code).toBe(0);
    // The Deployment controller moves the re-used ReplicaSet to the newest revision, as with kubectl.
    await eventually(async () => {
      const revs = await revisions('web');
      expect(revs.get('3')?.image).toBe('registry.local/web:1');
      expect([...revs.keys()].sort()).toEqual(['2', '3']);
    });

    const again = await run('undo', 'deployment/web', '--to-revision', '3');
    expect(again).toMatchObject({
      code: 0,
      out: 'skipped rollback (current template already matches revision 3)\n',
    });
    const toTwo = await run('undo', 'deployment/web', '--to-revision', '2');
    expect(toTwo.code).toBe(0);
    expect(await imageOf(depRef())).toBe('registry.local/web:2');
    // The restored template has no pod-template-hash label (the controller adds its own).
    const restored = await client.get<Workload & { spec: { template: { metadata: { labels: object } } } }>(
      depRef(),
    );
    expect(restored?.spec.template.metadata.labels).toEqual({ app: 'web' });
  });

  it('errors as kubectl: a revision not in history, a paused Deployment, an unknown name', async () => {
    await eventually(async () => expect((await run('status', 'deployment/web')).code).toBe(0), 60_000);
    const missing = await run('undo', 'deployment/web', '--to-revision', '9');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      `error: Deployment/${ns.name}/web: unable to find specified revision 9 in history\n`,
    );
    const before = await imageOf(depRef());
    await client.patch(depRef(), { spec: { paused: true } });
    const paused = await run('undo', 'deployment/web');
    expect(paused.code).toBe(1);
    expect(paused.err).toContain(
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/web' and try again",
    );
    expect(await imageOf(depRef())).toBe(before); // nothing changed
    await client.patch(depRef(), { spec: { paused: false } });
    const unknown = await run('undo', 'nothing-here');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe(`error: Rollout or Deployment ${ns.name}/nothing-here: not found\n`);
    const badType = await run('undo', 'statefulset/web');
    expect(badType.code).toBe(1);
    expect(badType.err).toContain('expected NAME, rollout/NAME or deployment/NAME');
  });
});

describe('rollout undo on a Rollout (kubectl argo rollouts undo)', () => {
  it('restores the previous revision’s template; the controller re-uses its ReplicaSet as revision 3', async () => {
    const rollout = (image: string): KubeObject => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'ro', namespace: ns.name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'ro' } },
        template: { metadata: { labels: { app: 'ro' } }, spec: { containers: [{ name: 'ro', image }] } },
        strategy: { canary: {} },
      },
    });
    const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: ns.name, name: 'ro' };
    await client.apply(rollout('registry.local/ro:1'));
    expect((await run('status', 'ro', '--timeout', '60')).out).toContain('Healthy');
    await client.apply(rollout('registry.local/ro:2'));
    await eventually(async () => {
      expect((await run('status', 'rollout/ro', '--timeout', '1')).out).toContain('Healthy');
      expect((await revisions('ro')).get('2')?.image).toBe('registry.local/ro:2');
    }, 60_000);
    const rev1 = (await revisions('ro')).get('1')?.name;

    const undo = await run('undo', 'ro');
    expect(undo).toMatchObject({ code: 0, out: "rollout 'ro' undo\n" });
    expect(await imageOf(ref)).toBe('registry.local/ro:1');
    await eventually(async () => {
      const revs = await revisions('ro');
      expect(revs.get('3')?.name).toBe(rev1); // the same ReplicaSet, not a new one
      expect(revs.size).toBe(2);
      expect((await run('status', 'ro', '--timeout', '1')).out).toContain('Healthy');
    }, 60_000);
  });
});
