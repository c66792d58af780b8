/**
 * Invalid Rollouts on the real control plane: each bad spec or bad reference gives phase Degraded
 * with upstream's `InvalidSpec` condition and message (`The Rollout "x" is invalid: <field error>`),
 * and nothing is scaled — no ReplicaSet is created, no Service selector touched. A malformed
 * condition expression is not a spec error upstream: the measurement is an Error, the run errors,
 * and the update is aborted with the evaluation error in the message.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalysisRunController, createAnalysisRunController } from '../../src/analysis/controller.ts';
import { freePort } from '../../src/devcluster/processes.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { parseRollout } from '../../src/rollouts/spec.ts';
import type { Rollout } from '../../src/rollouts/types.ts';
import { createNamespace, eventually, sharedClient } from '../cluster/helpers.ts';

const WAIT = 60_000;
let client: KubeClient;
let ns: { name: string; remove: () => Promise<void> };
let rollouts: RolloutController;
let analysis: AnalysisRunController;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  client = sharedClient();
  ns = await createNamespace(client, 'invalid');
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${port}`;
  rollouts = createRolloutController({ client, namespace: ns.name });
  await rollouts.start();
  analysis = createAnalysisRunController({ client, namespace: ns.name });
  await analysis.start();
});
afterAll(async () => {
  await analysis.stop();
  await rollouts.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ns.remove();
  await client.close();
});

const service = (name: string, selector: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns.name },
  spec: { selector, ports: [{ port: 80 }] },
});

/** A Rollout `name` (labels `app: name`) with `strategy` and spec overrides. */
const rollout = (name: string, strategy: object, spec: object = {}): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name, namespace: ns.name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'web', image: 'registry.local/web:1' }] },
    },
    strategy,
    ...spec,
  },
});

const getRollout = async (name: string): Promise<Rollout> => {
  const parsed = parseRollout(
    await client.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: ns.name, name }),
  );
  if (!parsed.ok) throw new Error(`Rollout ${name} does not parse`);
  return parsed.value;
};
const ownedReplicaSets = async (name: string) =>
  (await client.list({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: ns.name })).items.filter((rs) =>
    rs.metadata.ownerReferences?.some((o) => o.name === name),
  );

/** Waits for the InvalidSpec condition with `detail`, then checks nothing was created. */
async function expectInvalid(name: string, detail: string) {
  const message = `The Rollout "${name}" is invalid: ${detail}`;
  const r = await eventually(async () => {
    const r = await getRollout(name);
    expect(r.status?.phase).toBe('Degraded');
    return r;
  }, WAIT);
  expect(r.status?.message).toBe(`InvalidSpec: ${message}`);
  const cond = r.status?.conditions?.find((c) => c.type === 'InvalidSpec');
  expect(cond).toMatchObject({ status: 'True', reason: 'InvalidSpec', message });
  expect(await ownedReplicaSets(name)).toEqual([]);
}

describe('invalid Rollouts: InvalidSpec, Degraded, nothing scaled', () => {
  it('a setWeight over 100', async () => {
    await client.apply(rollout('weight', { canary: { steps: [{ setWeight: 150 }, { pause: {} }] } }));
    await expectInvalid(
      'weight',
      'spec.strategy.steps[0].setWeight: Invalid value: 150: SetWeight needs to be between 0 and 100',
    );
  });

  it('both canary and blueGreen', async () => {
    await client.apply(service('both-active', { app: 'both' }));
    await client.apply(rollout('both', { canary: {}, blueGreen: { activeService: 'both-active' } }));
    const r = await eventually(async () => {
      const r = await getRollout('both');
      expect(r.status?.phase).toBe('Degraded');
      return r;
    }, WAIT);
    expect(r.status?.message).toMatch(
      /^InvalidSpec: The Rollout "both" is invalid: spec\.strategy\.strategy: Invalid value: .*: Multiple Strategies can not be listed$/,
    );
    expect(await ownedReplicaSets('both')).toEqual([]);
  });

  it('a missing active Service; creating it later recovers (requeued as upstream)', async () => {
    await client.apply(rollout('nosvc', { blueGreen: { activeService: 'nosvc-active' } }));
    await expectInvalid(
      'nosvc',
      'spec.strategy.blueGreen.activeService: Invalid value: "nosvc-active": services "nosvc-active" not found',
    );
    await client.apply(service('nosvc-active', { app: 'nosvc' }));
    await eventually(async () => {
      const r = await getRollout('nosvc');
      expect(r.status?.phase).toBe('Healthy');
      expect(r.status?.conditions?.some((c) => c.type === 'InvalidSpec')).toBe(false);
    }, WAIT);
  });

  it('a selector that does not match the template labels', async () => {
    await client.apply(
      rollout('selector', { canary: {} }, { selector: { matchLabels: { app: 'something-else' } } }),
    );
    await expectInvalid(
      'selector',
      'spec.template.metadata.labels: Invalid value: {"app":"selector"}: `selector` does not match template `labels`',
    );
  });

  it('a Service whose selector asks for a label the pods do not carry', async () => {
    await client.apply(service('unmatched-active', { app: 'unmatched', tier: 'front' }));
    await client.apply(rollout('unmatched', { blueGreen: { activeService: 'unmatched-active' } }));
    await expectInvalid(
      'unmatched',
      'spec.strategy.blueGreen.activeService: Invalid value: "unmatched-active": Service "unmatched-active" has unmatch label "tier" in rollout',
    );
    const svc = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: ns.name,
      name: 'unmatched-active',
    });
    expect(svc?.spec.selector).toEqual({ app: 'unmatched', tier: 'front' }); // untouched
  });

  it('an unknown AnalysisTemplate in pre-promotion analysis and in a canary step', async () => {
    await client.apply(service('noat-active', { app: 'noat' }));
    await client.apply(
      rollout('noat', {
        blueGreen: {
          activeService: 'noat-active',
          prePromotionAnalysis: { templates: [{ templateName: 'gone' }] },
        },
      }),
    );
    await expectInvalid(
      'noat',
      `spec.strategy.blueGreen.prePromotionAnalysis.templates: Invalid value: "gone": AnalysisTemplate 'gone' not found`,
    );
    await client.apply(
      rollout('noat-step', {
        canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: 'gone' }] } }] },
      }),
    );
    await expectInvalid(
      'noat-step',
      `spec.strategy.canary.steps[1].analysis.templates: Invalid value: "gone": AnalysisTemplate 'gone' not found`,
    );
  });

  // Ports functional_test.go TestFixInvalidSpec: a background analysis naming a template that does
  // not exist yet is Degraded; once the template is created the Rollout becomes Healthy.
  it('TestFixInvalidSpec', async () => {
    await client.apply(
      rollout(
        'fix-invalid-spec',
        { canary: { analysis: { templates: [{ templateName: 'doesnt-exist-yet' }] } } },
        { replicas: 0 },
      ),
    );
    await expectInvalid(
      'fix-invalid-spec',
      `spec.strategy.canary.analysis.templates: Invalid value: "doesnt-exist-yet": AnalysisTemplate 'doesnt-exist-yet' not found`,
    );
    await client.apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'doesnt-exist-yet', namespace: ns.name },
      spec: {
        metrics: [
          {
            name: 'web',
            interval: '5s',
            successCondition: 'result.ok == true',
            provider: { web: { url: `${baseUrl}/version` } },
          },
        ],
      },
    });
    // Invalid specs are looked at again every 20s, as upstream.
    await eventually(
      async () => expect((await getRollout('fix-invalid-spec')).status?.phase).toBe('Healthy'),
      WAIT,
    );
  });

  it('a malformed condition expression: the measurement errors and the update is aborted (as upstream, not InvalidSpec)', async () => {
    const name = 'badexpr';
    await client.apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'badexpr', namespace: ns.name },
      spec: {
        metrics: [
          {
            name: 'web',
            consecutiveErrorLimit: 0,
            successCondition: 'result.ok ==',
            provider: { web: { url: `${baseUrl}/version` } },
          },
        ],
      },
    });
    await client.apply(service(`${name}-active`, { app: name }));
    const strategy = {
      blueGreen: {
        activeService: `${name}-active`,
        prePromotionAnalysis: { templates: [{ templateName: 'badexpr' }] },
      },
    };
    await client.apply(rollout(name, strategy));
    const v1 = await eventually(async () => {
      const r = await getRollout(name);
      expect(r.status?.phase).toBe('Healthy');
      return r.status?.currentPodHash ?? '';
    }, WAIT);
    await client.apply(
      rollout(name, strategy, {
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'web', image: 'registry.local/web:2' }] },
        },
      }),
    );
    const degraded = await eventually(async () => {
      const r = await getRollout(name);
      expect(r.status?.phase).toBe('Degraded');
      return r;
    }, WAIT);
    expect(degraded.status?.conditions?.some((c) => c.type === 'InvalidSpec')).toBe(false);
    expect(degraded.status?.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: Blue\/green pre-promotion analysis phase error\/failed: Metric "web" assessed Error due to consecutiveErrors \(1\) > consecutiveErrorLimit \(0\): /,
    );
    expect(degraded.status?.blueGreen?.activeSelector).toBe(v1);
  });
});
