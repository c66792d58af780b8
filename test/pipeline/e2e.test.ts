/**
 * Promotion with the real control plane: the seed's Applications for dev, staging and prod (their
 * overlays from test/manifests/fixtures/deploy-configs in a real git repository), Slipway's
 * Application controller syncing them and its Rollout controller running a canary in staging.
 * A bundle released into dev syncs, is promoted to staging automatically once dev is Synced and
 * Healthy, and waits in prod for an approval, after which prod syncs it. Then a newer bundle's
 * canary in staging is aborted: the previous bundle is re-released there by a commit that says why,
 * and the cluster follows git back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { ensureCrds, loadCrds } from '../../src/kube/crds.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { approvePromotion, type ReconcileResult, reconcilePipeline } from '../../src/pipeline/index.ts';
import { abortPatches, applyRolloutPatches, promotePatches } from '../../src/rollouts/actions.ts';
import { createRolloutController, type RolloutController } from '../../src/rollouts/controller.ts';
import { parseRollout } from '../../src/rollouts/spec.ts';
import {
  APPLICATION_API,
  APPLICATION_CRD_FILE,
  type ApplicationController,
  createApplicationController,
} from '../../src/sync/controller.ts';
import { createNamespace, eventually, sharedClient, uniqueName } from '../cluster/helpers.ts';
import { git } from '../git/helpers.ts';
import { seedApplication } from '../sync/helpers.ts';
import { PipelineWorld, tagOf } from './helpers.ts';

type Workload = KubeObject & {
  spec: { template: { spec: { containers: Array<{ image: string }> } } };
  status?: { phase?: string; abort?: boolean };
};

/** A canary Rollout in staging: 50 % and an indefinite pause, so a human (or analysis) decides. */
const STAGING_ROLLOUT = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: my-service-canary
spec:
  replicas: 2
  strategy:
    canary:
      steps:
        - setWeight: 50
        - pause: {}
  selector:
    matchLabels:
      app: my-service-canary
  template:
    metadata:
      labels:
        app: my-service-canary
    spec:
      containers:
        - name: my-service
          image: my-service
`;

describe('pipeline e2e: dev → staging (auto) → prod (approval), and a rollback in staging', () => {
  let client: KubeClient;
  let w: PipelineWorld;
  let appNs: { name: string; remove: () => Promise<void> };
  let apps: ApplicationController;
  let rollouts: RolloutController;
  const dest: Record<string, string> = {};
  const errors: unknown[] = [];

  beforeAll(async () => {
    client = sharedClient();
    await ensureCrds(client, loadCrds(APPLICATION_CRD_FILE));
    client.discovery.invalidate();
    w = new PipelineWorld();
    appNs = await createNamespace(client, 'pipe-apps');
    // Each environment deploys into its own fresh namespace; staging also runs a canary Rollout.
    for (const env of ['dev', 'staging', 'prod']) {
      dest[env] = uniqueName(`pipe-${env}`);
      const path = `apps/my-service/overlays/${env}/kustomization.yaml`;
      let k = w.config.read(path).replace(`namespace: my-service-${env}`, `namespace: ${dest[env]}`);
      if (env === 'staging') {
        k = k.replace('  - ../../base\n', '  - ../../base\n  - rollout.yaml\n');
        w.config.write(`apps/my-service/overlays/${env}/rollout.yaml`, STAGING_ROLLOUT);
      }
      w.config.write(path, k);
    }
    // No 15 s minReadySeconds wait per environment in a test.
    const base = 'apps/my-service/base/deployment.yaml';
    w.config.write(base, w.config.read(base).replace('  minReadySeconds: 15\n', ''));
    w.config.commit('test environments');
    for (const env of ['dev', 'staging', 'prod']) {
      await client.apply(
        seedApplication(w.config.url, appNs.name, (a) => {
          a.metadata.name = `my-service-${env}`;
          a.spec.source.path = `apps/my-service/overlays/${env}`;
          a.spec.destination.namespace = dest[env]!;
        }),
      );
    }
    apps = createApplicationController({
      client,
      namespace: appNs.name,
      pollIntervalMs: 1_000,
      gitCacheRoot: `${w.cache}-controller`,
      onError: (_k, e) => errors.push(e),
    });
    await apps.start();
    rollouts = createRolloutController({
      client,
      namespace: dest['staging'],
      onError: (_k, e) => errors.push(e),
    });
    await rollouts.start();
  });

  afterAll(async () => {
    await apps?.stop();
    await rollouts?.stop();
    for (const ns of Object.values(dest)) {
      await client.delete(
        { apiVersion: 'v1', kind: 'Namespace', name: ns },
        { propagationPolicy: 'Background' },
      );
    }
    await appNs?.remove();
    w?.cleanup();
    await client?.close();
  });

  const pipelineYaml = () =>
    w.pipelineYaml(`    - { name: dev, overlay: overlays/dev, application: my-service-dev, applicationNamespace: ${appNs.name} }
    - { name: staging, overlay: overlays/staging, application: my-service-staging, applicationNamespace: ${appNs.name} }
    - { name: prod, overlay: overlays/prod, application: my-service-prod, applicationNamespace: ${appNs.name}, promotion: { type: manual } }
`);
  const image = (tag: string) => `ghcr.io/myorg/my-service:${tag}`;
  const deployment = (env: string) =>
    client.get<Workload>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'my-service',
      namespace: dest[env],
    });
  const canary = () =>
    client.get<Workload>({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'my-service-canary',
      namespace: dest['staging'],
    });
  const promoteCanary = async () => {
    const parsed = parseRollout(await canary());
    if (!parsed.ok) throw new Error('unparseable Rollout');
    await applyRolloutPatches(
      client,
      dest['staging']!,
      'my-service-canary',
      promotePatches(parsed.value, true),
    );
  };
  const appHealth = async (env: string) => {
    const a = await client.get<KubeObject & { status?: { health?: { status?: string } } }>({
      ...APPLICATION_API,
      name: `my-service-${env}`,
      namespace: appNs.name,
    });
    return a?.status?.health?.status;
  };

  it('promotes a bundle from dev to staging automatically, and to prod after approval', async () => {
    const pipeline = w.pipeline(pipelineYaml());
    const deps = w.deps(pipeline, { kube: client });
    const b1 = await w.addBundle(pipeline, 1);
    // The controller loop, as `slipway pipeline reconcile --watch` runs it.
    let last: ReconcileResult | undefined;
    const converge = (check: (r: ReconcileResult) => void, timeoutMs = 90_000) =>
      eventually(
        async () => {
          last = await reconcilePipeline(deps);
          check(last);
        },
        timeoutMs,
        500,
      ).catch(async (err: unknown) => {
        const statuses = await Promise.all(
          ['dev', 'staging', 'prod'].map(async (env) =>
            client.get({ ...APPLICATION_API, name: `my-service-${env}`, namespace: appNs.name }),
          ),
        );
        const st = statuses.map(
          (a) => (a as { status?: { health?: unknown; resources?: unknown; sync?: unknown } })?.status,
        );
        console.log(
          JSON.stringify(
            {
              health: st.map((x) => [x?.health, x?.sync, x?.resources]),
              canary: (await canary())?.status,
              errors: errors.map(String),
            },
            null,
            1,
          ).slice(0, 8000),
        );
        throw err;
      });

    // dev is Synced and Healthy → staging gets b1 automatically; its canary pauses at 50 %, so
    // staging is synced but its rollout has not finished: nothing is offered to prod yet.
    await converge((r) => {
      expect(r.state.envs['dev']?.bundles[b1.id]?.state).toBe('healthy');
      expect(r.state.envs['staging']?.bundles[b1.id]?.state).toBe('synced');
    });
    await eventually(async () => expect((await canary())?.status?.phase).toBe('Paused'), 60_000);
    expect((await reconcilePipeline(deps)).state.envs['prod']?.bundles[b1.id]).toBeUndefined();
    // The canary is promoted to the end: the rollout finishes, staging is healthy, prod waits.
    await promoteCanary();
    await converge((r) => {
      expect(r.state.envs['staging']?.bundles[b1.id]?.state).toBe('healthy');
      expect(r.state.envs['prod']?.bundles[b1.id]?.state).toBe('awaiting-approval');
    });
    expect((await deployment('dev'))?.spec.template.spec.containers[0]?.image).toBe(image(b1.image.tag));
    expect((await deployment('staging'))?.spec.template.spec.containers[0]?.image).toBe(image(b1.image.tag));
    expect((await canary())?.spec.template.spec.containers[0]?.image).toBe(image(b1.image.tag));
    // prod has not moved: the overlay still says the seed's tag, and so does the cluster.
    expect(tagOf(w.overlay('prod'))).toBe('abc1234');
    expect((await deployment('prod'))?.spec.template.spec.containers[0]?.image).toBe(image('abc1234'));

    const approved = await approvePromotion(deps, 'prod', { by: 'release-manager' });
    expect(approved.bundleId).toBe(b1.id);
    expect(tagOf(w.overlay('prod'))).toBe(b1.image.tag);
    await converge((r) => expect(r.state.envs['prod']?.bundles[b1.id]?.state).toBe('healthy'));
    expect((await deployment('prod'))?.spec.template.spec.containers[0]?.image).toBe(image(b1.image.tag));
    expect(errors).toEqual([]);
  }, 300_000);

  it('re-releases the previous bundle into staging by a commit when the canary is aborted', async () => {
    const pipeline = w.pipeline(pipelineYaml());
    const deps = w.deps(pipeline, { kube: client });
    const b1 = (await reconcilePipeline(deps)).state.envs['staging']?.current ?? '';
    const b2 = await w.addBundle(pipeline, 2);
    // dev takes b2, then staging does: its canary pauses at 50 %.
    await eventually(
      async () => {
        await reconcilePipeline(deps);
        expect(tagOf(w.overlay('staging'))).toBe(b2.image.tag);
        const ro = await canary();
        expect(ro?.spec.template.spec.containers[0]?.image).toBe(image(b2.image.tag));
        expect(ro?.status?.phase).toBe('Paused');
      },
      120_000,
      500,
    );
    // The canary fails: aborted, as an analysis or an operator would.
    await applyRolloutPatches(client, dest['staging']!, 'my-service-canary', abortPatches());
    const stagingHead = w.head();
    const rolledBack = await eventually(
      async () => {
        const r = await reconcilePipeline(deps);
        expect(r.state.envs['staging']?.current).toBe(b1);
        return r;
      },
      60_000,
      500,
    );
    // git is true again: the staging overlay names b1, by one commit that says why.
    const b1Tag = b1.slice(0, 7);
    expect(tagOf(w.overlay('staging'))).toBe(b1Tag);
    expect(git(['rev-parse', 'main^'], w.config.bare).trim()).toBe(stagingHead);
    expect(w.message(w.head())).toMatch(
      new RegExp(`^rollback staging to ${b1Tag}: rollout my-service-canary aborted`),
    );
    expect(rolledBack.state.envs['staging']?.bundles[b2.id]?.state).toBe('failed');
    // The cluster follows: the canary goes back to b1 and is healthy; b2 never reaches prod.
    await eventually(
      async () => {
        const r = await reconcilePipeline(deps);
        const ro = await canary();
        expect(ro?.spec.template.spec.containers[0]?.image).toBe(image(b1Tag));
        expect(await appHealth('staging')).toBe('Healthy');
        expect(r.state.envs['staging']?.bundles[b1]?.state).toBe('healthy');
      },
      120_000,
      500,
    );
    const final = await reconcilePipeline(deps);
    expect(final.state.envs['prod']?.bundles[b2.id]).toBeUndefined();
    expect(final.state.envs['staging']?.current).toBe(b1);
    expect(tagOf(w.overlay('prod'))).toBe(b1Tag);
  }, 300_000);
});
