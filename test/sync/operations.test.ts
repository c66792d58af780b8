/**
 * Operations on Applications, on the real control plane with real git repositories: rollback to a
 * history entry, cascading deletion through the resources finalizer, and terminating a running
 * operation. Every app gets a unique name, so its tracking ids name only its own objects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { ensureCrds, loadCrds } from '../../src/kube/crds.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import {
  APPLICATION_API,
  APPLICATION_CRD_FILE,
  createApplicationController,
} from '../../src/sync/controller.ts';
import { createNamespace, eventually, sharedClient, uniqueName } from '../cluster/helpers.ts';
import { runClusterCli } from '../support/cli.ts';
import { ConfigRepo, type SeedApp, seedApplication } from './helpers.ts';

interface OperationState {
  phase?: string;
  message?: string;
  retryCount?: number;
  operation?: {
    sync?: { revision?: string; source?: { path?: string }; syncStrategy?: unknown; prune?: boolean };
    initiatedBy?: { username?: string };
  };
  syncResult?: {
    revision?: string;
    resources?: Array<{ kind: string; name: string; status?: string; hookPhase?: string; message?: string }>;
  };
}
interface AppStatus {
  sync?: { status?: string; revision?: string };
  operationState?: OperationState;
  history?: Array<{ id: number; revision?: string; source?: { path?: string } }>;
  conditions?: Array<{ type: string; message: string }>;
}
type App = KubeObject & { status?: AppStatus; operation?: unknown };
type Deployment = KubeObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } };

const OVERLAY = 'apps/my-service/overlays/dev/kustomization.yaml';
const BASE = 'apps/my-service/base/kustomization.yaml';
const TRACKING = 'argocd.argoproj.io/tracking-id';

const baseKustomization = (resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join('')}`;
const configMap = (name: string, wave: number, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n${extra}data:\n  wave: "${wave}"\n`;

describe('Application operations on a real control plane: rollback, cascading deletion, terminate', () => {
  let client: KubeClient;
  let gitCache: string;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    client = sharedClient();
    await ensureCrds(client, loadCrds(APPLICATION_CRD_FILE));
    client.discovery.invalidate();
    gitCache = mkdtempSync(join(tmpdir(), 'slipway-ops-cache-'));
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    rmSync(gitCache, { recursive: true, force: true });
    await client.close();
  });

  const cli = runClusterCli;

  /** A namespace for Applications, a config repo, a destination namespace, a unique app name and a controller. */
  async function setup() {
    const appNs = await createNamespace(client, 'apps');
    const repo = new ConfigRepo();
    const dest = uniqueName('dest');
    const name = uniqueName('app');
    cleanups.push(() => repo.cleanup());
    cleanups.push(async () => {
      // An Application that still carries a finalizer would keep its namespace from going away.
      const app = await client.get({ ...APPLICATION_API, name, namespace: appNs.name });
      if (app?.metadata.finalizers?.length) {
        await client.patch(
          { ...APPLICATION_API, name, namespace: appNs.name },
          { metadata: { finalizers: null } },
        );
      }
      await appNs.remove();
    });
    cleanups.push(async () => {
      await client.delete(
        { apiVersion: 'v1', kind: 'Namespace', name: dest },
        { propagationPolicy: 'Background' },
      );
    });
    const errors: unknown[] = [];
    const controller = createApplicationController({
      client,
      namespace: appNs.name,
      pollIntervalMs: 1_000,
      gitCacheRoot: gitCache,
      onError: (_key, err) => errors.push(err),
    });
    cleanups.push(() => controller.stop());
    return { appNs: appNs.name, repo, dest, name, controller, errors };
  }
  type Env = Awaited<ReturnType<typeof setup>>;

  /** The seed's dev Application under the env's name, deploying into its destination namespace. */
  const application = (env: Env, edit?: (app: SeedApp) => void) =>
    seedApplication(env.repo.url, env.appNs, (a) => {
      a.metadata.name = env.name;
      a.spec.destination.namespace = env.dest;
      edit?.(a);
    });

  const getApp = async (env: Env) =>
    client.get<App>({ ...APPLICATION_API, name: env.name, namespace: env.appNs });
  const appOf = async (env: Env) => {
    const app = await getApp(env);
    if (app === undefined) throw new Error(`Application ${env.name} not found`);
    return app;
  };
  const getDeployment = (ns: string) =>
    client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'my-service', namespace: ns });
  const getConfigMap = (ns: string, name: string) =>
    client.get({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: ns });
  const imageOf = async (ns: string) => (await getDeployment(ns))?.spec.template.spec.containers[0]?.image;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('rolls back to an earlier deployment: its image tag and a since-removed ConfigMap return', async () => {
    const env = await setup();
    env.repo.write('apps/my-service/base/settings.yaml', configMap('settings', 0));
    env.repo.write(BASE, baseKustomization(['deployment.yaml', 'service.yaml', 'settings.yaml']));
    const first = env.repo.useDevNamespace(env.dest).commit('release abc1234 with settings');
    await client.apply(
      application(env, (a) => (a.spec.syncPolicy = { syncOptions: ['CreateNamespace=true'] })),
    );
    await env.controller.start();

    // Deployment 0: the first revision, synced by hand.
    expect(await cli(['app', 'sync', env.name, '-n', env.appNs])).toMatchObject({ code: 0, err: '' });
    await eventually(async () => {
      const a = await appOf(env);
      expect(a.operation).toBeUndefined();
      expect(a.status?.history?.map((h) => h.revision)).toEqual([first]);
    }, 60_000);
    expect(await getConfigMap(env.dest, 'settings')).toBeDefined();

    // Deployment 1: a new tag, and the ConfigMap removed from git (pruned).
    env.repo.write(OVERLAY, env.repo.read(OVERLAY).replace('newTag: abc1234', 'newTag: def5678'));
    env.repo.write(BASE, baseKustomization(['deployment.yaml', 'service.yaml']));
    const second = env.repo
      .remove('apps/my-service/base/settings.yaml')
      .commit('release def5678, no settings');
    await eventually(async () => expect((await appOf(env)).status?.sync?.revision).toBe(second), 30_000);
    expect(await cli(['app', 'sync', env.name, '-n', env.appNs, '--prune'])).toMatchObject({
      code: 0,
      err: '',
    });
    await eventually(async () => {
      const a = await appOf(env);
      expect(a.operation).toBeUndefined();
      expect(a.status?.history?.map((h) => h.revision)).toEqual([first, second]);
      expect(await getConfigMap(env.dest, 'settings')).toBeUndefined();
    }, 60_000);
    expect(await imageOf(env.dest)).toBe('ghcr.io/myorg/my-service:def5678');

    // Roll back to deployment 0.
    const rollback = await cli(['app', 'rollback', env.name, '0', '-n', env.appNs]);
    expect(rollback).toMatchObject({ code: 0, err: '' });
    expect(rollback.out).toContain(`to deployment 0 (${first.slice(0, 7)}) requested`);
    const app = await eventually(async () => {
      const a = await appOf(env);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      expect(a.status?.history).toHaveLength(3);
      return a;
    }, 60_000);
    expect(await imageOf(env.dest)).toBe('ghcr.io/myorg/my-service:abc1234');
    const restored = await getConfigMap(env.dest, 'settings');
    expect(restored?.metadata.annotations?.[TRACKING]).toBe(`${env.name}:/ConfigMap:${env.dest}/settings`);
    const state = app.status?.operationState;
    expect(state?.syncResult?.revision).toBe(first);
    expect(state?.operation?.sync).toMatchObject({
      revision: first,
      source: { path: 'apps/my-service/overlays/dev' },
      syncStrategy: { apply: {} },
    });
    expect(state?.operation?.initiatedBy?.username).toEqual(expect.any(String));
    // A new history entry (id 2) records what was deployed again.
    expect(app.status?.history?.[2]).toMatchObject({ id: 2, revision: first });
    // The spec still follows the branch: OutOfSync against its head.
    await eventually(async () => {
      expect((await appOf(env)).status?.sync).toMatchObject({ status: 'OutOfSync', revision: second });
    }, 30_000);

    const history = await cli(['app', 'history', env.name, '-n', env.appNs]);
    expect(history.out).toMatch(new RegExp(`\\n2\\s+\\S+\\s+${first}`));
  });

  it('rolls back to a deployment made from another path: the source its history entry recorded is rendered', async () => {
    const env = await setup();
    env.repo.useDevNamespace(env.dest);
    const next = env.repo.read(OVERLAY).replace('newTag: abc1234', 'newTag: def5678');
    env.repo.write('apps/my-service/overlays/dev-next/kustomization.yaml', next).commit('a second overlay');
    await client.apply(
      application(env, (a) => (a.spec.syncPolicy = { syncOptions: ['CreateNamespace=true'] })),
    );
    await env.controller.start();
    const synced = async (count: number) =>
      eventually(async () => {
        const a = await appOf(env);
        expect(a.operation).toBeUndefined();
        expect(a.status?.history).toHaveLength(count);
        return a;
      }, 60_000);

    expect(await cli(['app', 'sync', env.name, '-n', env.appNs])).toMatchObject({ code: 0, err: '' });
    await synced(1);
    const ref = { ...APPLICATION_API, name: env.name, namespace: env.appNs };
    await client.patch(ref, { spec: { source: { path: 'apps/my-service/overlays/dev-next' } } });
    await eventually(async () => expect((await appOf(env)).status?.sync?.status).toBe('OutOfSync'), 30_000);
    expect(await cli(['app', 'sync', env.name, '-n', env.appNs])).toMatchObject({ code: 0, err: '' });
    await synced(2);
    expect(await imageOf(env.dest)).toBe('ghcr.io/myorg/my-service:def5678');

    expect(await cli(['app', 'rollback', env.name, '0', '-n', env.appNs])).toMatchObject({
      code: 0,
      err: '',
    });
    const app = await synced(3);
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(await imageOf(env.dest)).toBe('ghcr.io/myorg/my-service:abc1234');
    expect(app.status?.history?.map((h) => h.source?.path)).toEqual([
      'apps/my-service/overlays/dev',
      'apps/my-service/overlays/dev-next',
      'apps/my-service/overlays/dev',
    ]);
    // Compared with the spec's path again, the app is OutOfSync.
    await eventually(async () => expect((await appOf(env)).status?.sync?.status).toBe('OutOfSync'), 30_000);
  });

  it('refuses a rollback while automated sync is on, and one to an id not in the history', async () => {
    const appNs = await createNamespace(client, 'apps');
    cleanups.push(() => appNs.remove());
    const name = uniqueName('app');
    // The seed's dev Application as is: automated, with selfHeal. No controller is needed to refuse.
    await client.apply(
      seedApplication('https://github.com/myorg/deploy-configs.git', appNs.name, (a) => {
        a.metadata.name = name;
      }),
    );
    const refused = await cli(['app', 'rollback', name, '0', '-n', appNs.name]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      `error: Application/${appNs.name}/${name}: rollback cannot be initiated when auto-sync is enabled\n`,
    );
    const ref = { ...APPLICATION_API, name, namespace: appNs.name };
    expect((await client.get<App>(ref))?.operation).toBeUndefined();

    await client.patch(ref, { spec: { syncPolicy: { automated: null } } });
    const unknown = await cli(['app', 'rollback', name, '3', '-n', appNs.name]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain(`application ${appNs.name}/${name} does not have deployment with id 3`);
    const notANumber = await cli(['app', 'rollback', name, 'latest', '-n', appNs.name]);
    expect(notANumber.err).toContain('HISTORY_ID: must be a whole number');
    expect((await client.get<App>(ref))?.operation).toBeUndefined();
  });

  it("deletes the app's objects on cascading delete, highest wave first, and nothing it does not own", async () => {
    const env = await setup();
    env.repo.write('apps/my-service/base/settings.yaml', configMap('settings', 1));
    env.repo.write(BASE, baseKustomization(['deployment.yaml', 'service.yaml', 'settings.yaml']));
    env.repo.useDevNamespace(env.dest).commit('settings in wave 1');
    await client.apply(application(env));
    await env.controller.start();
    await eventually(async () => {
      expect((await appOf(env)).status?.operationState?.phase).toBe('Succeeded');
      expect(await getConfigMap(env.dest, 'settings')).toBeDefined();
    }, 90_000);

    // In the same namespace: an untracked ConfigMap, and one another Application tracks.
    await client.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bystander', namespace: env.dest },
      data: { owner: 'nobody' },
    });
    await client.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'foreign',
        namespace: env.dest,
        annotations: { [TRACKING]: `other-app:/ConfigMap:${env.dest}/foreign` },
      },
      data: { owner: 'other-app' },
    });

    // Watch the deletions as they happen, to see the order of the waves.
    const order: string[] = [];
    const stopWatches = new AbortController();
    cleanups.push(() => stopWatches.abort());
    const watchDeletion = (apiVersion: string, kind: string, name: string) => {
      let established: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => {
        established = resolve;
      });
      const done = (async () => {
        try {
          const events = client.watch({
            apiVersion,
            kind,
            namespace: env.dest,
            fieldSelector: `metadata.name=${name}`,
            signal: stopWatches.signal,
          });
          for await (const event of events) {
            if (event.type === 'ADDED') established();
            const going = event.type === 'DELETED' || event.object.metadata.deletionTimestamp !== undefined;
            if (going && !order.includes(kind)) order.push(kind);
          }
        } catch (err) {
          if (!stopWatches.signal.aborted) throw err;
        }
      })();
      return { ready, done };
    };
    const watches = [
      watchDeletion('v1', 'ConfigMap', 'settings'),
      watchDeletion('apps/v1', 'Deployment', 'my-service'),
    ];
    await Promise.all(watches.map((w) => w.ready));

    const deleted = await cli(['app', 'delete', env.name, '-n', env.appNs]);
    expect(deleted).toMatchObject({ code: 0, err: '' });
    expect(deleted.out).toContain(`application '${env.name}' deleted (its resources are being deleted)`);
    await eventually(async () => expect(await getApp(env)).toBeUndefined(), 90_000, 250);
    stopWatches.abort();
    await Promise.all(watches.map((w) => w.done));

    expect(await getDeployment(env.dest)).toBeUndefined();
    expect(
      await client.get({ apiVersion: 'v1', kind: 'Service', name: 'my-service', namespace: env.dest }),
    ).toBeUndefined();
    expect(await getConfigMap(env.dest, 'settings')).toBeUndefined();
    expect(await getConfigMap(env.dest, 'bystander')).toBeDefined();
    expect(await getConfigMap(env.dest, 'foreign')).toBeDefined();
    // Wave 1 went before wave 0.
    expect(order).toEqual(['ConfigMap', 'Deployment']);
    expect(env.errors).toEqual([]);
  }, 180_000);

  it('leaves the objects in place when the app is deleted without the finalizer (--cascade=false)', async () => {
    const env = await setup();
    env.repo.useDevNamespace(env.dest).commit('dev namespace for this test');
    // Declared with the finalizer, as apps often are; --cascade=false takes it off before deleting.
    const app = application(env);
    app.metadata.finalizers = ['resources-finalizer.argocd.argoproj.io'];
    await client.apply(app);
    await env.controller.start();
    await eventually(async () => {
      expect((await appOf(env)).status?.operationState?.phase).toBe('Succeeded');
      expect(await getDeployment(env.dest)).toBeDefined();
    }, 90_000);

    const deleted = await cli(['app', 'delete', env.name, '-n', env.appNs, '--cascade=false']);
    expect(deleted).toMatchObject({ code: 0, out: `application '${env.name}' deleted\n` });
    await eventually(async () => expect(await getApp(env)).toBeUndefined(), 30_000, 250);
    // Give the controller time to (not) act.
    await pause(3_000);
    const deployment = await getDeployment(env.dest);
    expect(deployment?.metadata.deletionTimestamp).toBeUndefined();
    expect(deployment?.metadata.annotations?.[TRACKING]).toBe(
      `${env.name}:apps/Deployment:${env.dest}/my-service`,
    );
    expect(
      await client.get({ apiVersion: 'v1', kind: 'Service', name: 'my-service', namespace: env.dest }),
    ).toBeDefined();
  }, 150_000);

  it('terminates a sync blocked on a wave that never gets healthy: Failed, no retry, nothing more applied', async () => {
    const env = await setup();
    // A claim no provisioner will ever bind (there is no StorageClass): wave 0 stays Progressing.
    env.repo.write(
      'apps/blocked/claim.yaml',
      'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n',
    );
    env.repo.write('apps/blocked/after.yaml', configMap('after', 1));
    env.repo.commit('a wave that never gets healthy');
    await client.apply(
      application(env, (a) => {
        a.spec.source.path = 'apps/blocked';
        a.spec.syncPolicy = { syncOptions: ['CreateNamespace=true'] };
      }),
    );
    await env.controller.start();
    const ref = { ...APPLICATION_API, name: env.name, namespace: env.appNs };
    // Any writer can start a sync, here one with a retry strategy (which termination must not use).
    await client.patch(ref, {
      operation: {
        sync: { revision: 'main', syncOptions: ['CreateNamespace=true'] },
        initiatedBy: { username: 'tester' },
        retry: { limit: 3 },
      },
    });
    await eventually(async () => {
      const state = (await appOf(env)).status?.operationState;
      expect(state?.phase).toBe('Running');
      const claim = state?.syncResult?.resources?.find((r) => r.kind === 'PersistentVolumeClaim');
      expect(claim).toMatchObject({ status: 'Synced', hookPhase: 'Running' });
    }, 60_000);
    await pause(2_000);
    expect((await appOf(env)).status?.operationState?.phase).toBe('Running');

    const terminated = await cli(['app', 'terminate-op', env.name, '-n', env.appNs]);
    expect(terminated).toMatchObject({ code: 0, out: `Application '${env.name}' operation terminating\n` });
    const app = await eventually(async () => {
      const a = await appOf(env);
      expect(a.status?.operationState?.phase).toBe('Failed');
      return a;
    }, 30_000);
    expect(app.status?.operationState?.message).toBe('Operation terminated');
    expect(app.status?.operationState?.retryCount).toBeUndefined();
    expect(app.operation).toBeUndefined();

    // No retry follows and the next wave is never applied.
    await pause(4_000);
    const later = await appOf(env);
    expect(later.status?.operationState).toMatchObject({ phase: 'Failed', message: 'Operation terminated' });
    expect(later.status?.history ?? []).toEqual([]);
    expect(await getConfigMap(env.dest, 'after')).toBeUndefined();

    const again = await cli(['app', 'terminate-op', env.name, '-n', env.appNs]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('Unable to terminate operation. No operation is in progress');
  }, 150_000);

  it('terminates a sync waiting on a PreSync hook: the running hook loses its finalizer and is deleted', async () => {
    const env = await setup();
    // A hook that never completes (a claim nobody binds stays Progressing), then the app's object.
    env.repo.write(
      'apps/hooked/migrate.yaml',
      'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSync\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n',
    );
    env.repo.write('apps/hooked/main.yaml', configMap('main', 0));
    env.repo.commit('a PreSync hook that never completes');
    await client.apply(
      application(env, (a) => {
        a.spec.source.path = 'apps/hooked';
        a.spec.syncPolicy = { syncOptions: ['CreateNamespace=true'] };
      }),
    );
    await env.controller.start();
    expect(await cli(['app', 'sync', env.name, '-n', env.appNs])).toMatchObject({ code: 0, err: '' });
    const hook = () =>
      client.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'migrate', namespace: env.dest });
    await eventually(async () => {
      const state = (await appOf(env)).status?.operationState;
      expect(state?.phase).toBe('Running');
      expect(state?.syncResult?.resources?.find((r) => r.name === 'migrate')?.hookPhase).toBe('Running');
      expect((await hook())?.metadata.finalizers).toContain('argocd.argoproj.io/hook-finalizer');
    }, 60_000);

    expect(await cli(['app', 'terminate-op', env.name, '-n', env.appNs])).toMatchObject({ code: 0, err: '' });
    const app = await eventually(async () => {
      const a = await appOf(env);
      expect(a.status?.operationState?.phase).toBe('Failed');
      return a;
    }, 30_000);
    expect(app.status?.operationState?.message).toBe('Operation terminated');
    expect(
      app.status?.operationState?.syncResult?.resources?.find((r) => r.name === 'migrate'),
    ).toMatchObject({
      hookPhase: 'Failed',
      message: 'Terminated',
    });
    await eventually(async () => expect(await hook()).toBeUndefined(), 30_000, 250);
    expect(await getConfigMap(env.dest, 'main')).toBeUndefined();
  }, 150_000);
});
