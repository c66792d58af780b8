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
import { ConfigRepo, seedApplication } from './helpers.ts';

interface AppStatus {
  sync?: { status?: string; revision?: string };
  health?: { status?: string };
  resources?: Array<{ kind?: string; name?: string; status?: string; requiresPruning?: boolean }>;
  summary?: { images?: string[] };
  operationState?: {
    phase?: string;
    message?: string;
    syncResult?: {
      revision?: string;
      resources?: Array<{
        kind: string;
        name: string;
        status?: string;
        hookPhase?: string;
        message?: string;
      }>;
    };
  };
  history?: Array<{ id: number; revision?: string }>;
  conditions?: Array<{ type: string; message: string }>;
}
type App = KubeObject & { status?: AppStatus; operation?: unknown };
type Deployment = KubeObject & {
  spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
};

describe('the Application controller on a real control plane with real git repositories', () => {
  let client: KubeClient;
  let gitCache: string;
  const cleanups: Array<() => Promise<void> | void> = [];
  let last: { appNs: string; errors: unknown[]; name?: string } | undefined;

  beforeAll(async () => {
    client = sharedClient();
    await ensureCrds(client, loadCrds(APPLICATION_CRD_FILE));
    client.discovery.invalidate();
    gitCache = mkdtempSync(join(tmpdir(), 'slipway-sync-cache-'));
  });
  afterEach(async (ctx) => {
    if (process.env['SLIPWAY_DEBUG_SYNC'] && last) {
      const a = await getApp(last.appNs, last.name).catch(() => undefined);
      console.log(
        ctx.task.name,
        JSON.stringify({ errors: last.errors.map(String), status: a?.status, op: a?.operation }, null, 1),
      );
    }
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    rmSync(gitCache, { recursive: true, force: true });
    await client.close();
  });

  const cli = runClusterCli;

  /** A per-test app namespace, config repo, destination namespace and running controller. */
  async function setup(options: { pollIntervalMs?: number } = {}) {
    const appNs = await createNamespace(client, 'apps');
    const repo = new ConfigRepo();
    const dest = uniqueName('dest');
    cleanups.push(() => repo.cleanup());
    cleanups.push(() => appNs.remove());
    cleanups.push(async () => {
      // Every test's app tracks its objects under the seed's name; wait until they are gone so the
      // next test's controller does not find them.
      await client.delete(
        { apiVersion: 'v1', kind: 'Namespace', name: dest },
        { propagationPolicy: 'Background' },
      );
      await eventually(
        async () => {
          expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: dest })).toBeUndefined();
        },
        90_000,
        250,
      );
    });
    const errors: unknown[] = [];
    const controller = createApplicationController({
      client,
      namespace: appNs.name,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      gitCacheRoot: gitCache,
      onError: (_key, err) => errors.push(err),
    });
    cleanups.push(() => controller.stop());
    const env = { appNs: appNs.name, repo, dest, controller, errors };
    last = env;
    return env;
  }

  const getApp = async (ns: string, name = 'my-service-dev') =>
    (await client.get<App>({ ...APPLICATION_API, name, namespace: ns })) as App;
  const getDeployment = (ns: string) =>
    client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'my-service', namespace: ns });

  it('applies a release into dev (a new image tag committed) automatically', async () => {
    const { appNs, repo, dest, controller } = await setup();
    repo.useDevNamespace(dest).commit('dev namespace for this test');
    await client.apply(
      seedApplication(repo.url, appNs, (a) => {
        a.spec.destination.namespace = dest;
      }),
    );
    await controller.start();

    const first = await eventually(async () => {
      const d = await getDeployment(dest);
      expect(d?.spec.template.spec.containers[0]?.image).toBe('ghcr.io/myorg/my-service:abc1234');
      return d;
    }, 60_000);
    expect(first?.metadata.annotations?.['argocd.argoproj.io/tracking-id']).toBe(
      `my-service-dev:apps/Deployment:${dest}/my-service`,
    );

    const path = 'apps/my-service/overlays/dev/kustomization.yaml';
    const release = repo
      .write(path, repo.read(path).replace('newTag: abc1234', 'newTag: def5678'))
      .commit('release def5678');
    await eventually(async () => {
      const d = await getDeployment(dest);
      expect(d?.spec.template.spec.containers[0]?.image).toBe('ghcr.io/myorg/my-service:def5678');
    }, 60_000);
    const app = await eventually(async () => {
      const a = await getApp(appNs);
      expect(a.status?.sync?.status).toBe('Synced');
      expect(a.status?.sync?.revision).toBe(release);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      return a;
    }, 30_000);
    expect(app.status?.summary?.images).toEqual(['ghcr.io/myorg/my-service:def5678']);
    expect(app.status?.history?.map((h) => h.revision)).toContain(release);
    expect(app.status?.resources?.map((r) => `${r.kind}/${r.name}`).sort()).toEqual([
      'Deployment/my-service',
      'Service/my-service',
    ]);
    expect(app.operation).toBeUndefined();
  });

  /** Starts the seed app (destination `dest`) and waits for its first successful sync. */
  async function deployed(
    env: Awaited<ReturnType<typeof setup>>,
    edit?: Parameters<typeof seedApplication>[2],
  ) {
    env.repo.useDevNamespace(env.dest).commit('dev namespace for this test');
    await client.apply(
      seedApplication(env.repo.url, env.appNs, (a) => {
        a.spec.destination.namespace = env.dest;
        edit?.(a);
      }),
    );
    await env.controller.start();
    await eventually(async () => {
      const a = await getApp(env.appNs);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      expect(await getDeployment(env.dest)).toBeDefined();
    }, 60_000);
  }

  /** `kubectl scale`-style drift: another field manager changes replicas. */
  const scale = (ns: string, replicas: number) =>
    client.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'my-service', namespace: ns },
      { spec: { replicas } },
      { type: 'merge', fieldManager: 'kubectl' },
    );

  it('undoes replicas drift in dev with selfHeal, as a selective sync without a history entry', async () => {
    const env = await setup({ pollIntervalMs: 600_000 });
    await deployed(env);
    const before = (await getApp(env.appNs)).status?.history?.length;
    await scale(env.dest, 5);
    await eventually(async () => {
      expect((await getDeployment(env.dest))?.spec.replicas).toBe(1);
    }, 30_000);
    const app = await eventually(async () => {
      const a = await getApp(env.appNs);
      expect(a.status?.sync?.status).toBe('Synced');
      return a;
    }, 30_000);
    expect(app.status?.history?.length).toBe(before);

    // A second drift right after: self-heal waits out its backoff (2 s after the last heal) and heals again.
    await scale(env.dest, 3);
    await eventually(async () => {
      expect((await getDeployment(env.dest))?.spec.replicas).toBe(1);
      const a = await getApp(env.appNs);
      const sync = (a.status?.operationState as { operation?: { sync?: { autoHealAttemptsCount?: number } } })
        ?.operation?.sync;
      expect(sync?.autoHealAttemptsCount).toBe(2);
    }, 30_000);
  });

  it('keeps replicas drift without selfHeal until the next revision', async () => {
    const env = await setup({ pollIntervalMs: 1_000 });
    await deployed(env, (a) => {
      a.spec.syncPolicy = { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] };
    });
    await scale(env.dest, 4);
    await eventually(async () => {
      const a = await getApp(env.appNs);
      expect(a.status?.sync?.status).toBe('OutOfSync');
      expect(a.status?.resources?.find((r) => r.kind === 'Deployment')?.status).toBe('OutOfSync');
    }, 30_000);
    // Several polls later the drift is still there.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await getDeployment(env.dest))?.spec.replicas).toBe(4);
    const path = 'apps/my-service/overlays/dev/kustomization.yaml';
    env.repo
      .write(path, env.repo.read(path).replace('newTag: abc1234', 'newTag: b2c3d4e'))
      .commit('next release');
    await eventually(async () => {
      const d = await getDeployment(env.dest);
      expect(d?.spec.template.spec.containers[0]?.image).toBe('ghcr.io/myorg/my-service:b2c3d4e');
      expect(d?.spec.replicas).toBe(1);
    }, 30_000);
  });

  it('leaves an app without automated sync OutOfSync until `slipway app sync`', async () => {
    const env = await setup();
    env.repo.useDevNamespace(env.dest).commit('dev namespace for this test');
    await client.apply(
      seedApplication(env.repo.url, env.appNs, (a) => {
        a.spec.destination.namespace = env.dest;
        a.spec.syncPolicy = { syncOptions: ['CreateNamespace=true'] };
      }),
    );
    await env.controller.start();
    await eventually(async () => {
      expect((await getApp(env.appNs)).status?.sync?.status).toBe('OutOfSync');
    }, 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await getDeployment(env.dest)).toBeUndefined();
    const diff = await cli(['app', 'diff', 'my-service-dev', '-n', env.appNs]);
    expect(diff.code).toBe(1);
    expect(diff.out).toMatch(/apps\s+Deployment\s+\S+\s+my-service\s+OutOfSync/);

    const synced = await cli(['app', 'sync', 'my-service-dev', '-n', env.appNs]);
    expect(synced.code).toBe(0);
    const app = await eventually(async () => {
      const a = await getApp(env.appNs);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      expect(a.status?.sync?.status).toBe('Synced');
      return a;
    }, 60_000);
    expect(await getDeployment(env.dest)).toBeDefined();
    const revision = app.status?.operationState?.syncResult?.revision ?? '';
    expect(revision).toMatch(/^[0-9a-f]{40}$/);
    expect(app.operation).toBeUndefined();

    const list = await cli(['app', 'list', '-n', env.appNs]);
    expect(list.out).toMatch(
      new RegExp(`my-service-dev\\s+Synced\\s+\\w+\\s+${revision.slice(0, 7)}\\s+Succeeded`),
    );
    const history = await cli(['app', 'history', 'my-service-dev', '-n', env.appNs, '-o', 'json']);
    expect(JSON.parse(history.out)).toEqual([expect.objectContaining({ id: 0, revision })]);
    const get = await cli(['app', 'get', 'my-service-dev', '-n', env.appNs]);
    expect(get.out).toContain('Sync Status:   Synced');
  });

  it('prunes a manifest deleted from git, and keeps one annotated Prune=false', async () => {
    const env = await setup();
    env.repo.write(
      'apps/my-service/base/config.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep-me\n  annotations:\n    argocd.argoproj.io/sync-options: Prune=false\ndata:\n  a: "1"\n',
    );
    env.repo.write(
      'apps/my-service/base/kustomization.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n  - config.yaml\n',
    );
    await deployed(env);
    const svc = () =>
      client.get({ apiVersion: 'v1', kind: 'Service', name: 'my-service', namespace: env.dest });
    const cm = () =>
      client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'keep-me', namespace: env.dest });
    expect(await svc()).toBeDefined();
    expect(await cm()).toBeDefined();

    env.repo.write(
      'apps/my-service/base/kustomization.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n',
    );
    env.repo
      .remove('apps/my-service/base/service.yaml')
      .remove('apps/my-service/base/config.yaml')
      .commit('drop service and config');
    await eventually(async () => {
      expect(await svc()).toBeUndefined();
    }, 60_000);
    const app = await eventually(async () => {
      const a = await getApp(env.appNs);
      const results = a.status?.operationState?.syncResult?.resources ?? [];
      expect(results.find((r) => r.kind === 'ConfigMap')?.status).toBe('PruneSkipped');
      return a;
    }, 30_000);
    expect(await cm()).toBeDefined();
    expect(app.status?.resources?.find((r) => r.kind === 'ConfigMap')?.requiresPruning).toBe(true);
  });

  it('fails the sync on a PreSync hook that cannot be applied, with nothing else applied', async () => {
    const env = await setup();
    env.repo.write(
      'apps/my-service/base/presync.yaml',
      // A Pod without an image: the API server rejects it, so the dry run of the sync fails.
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSync\nspec:\n  restartPolicy: Never\n  containers:\n    - name: migrate\n',
    );
    env.repo.write(
      'apps/my-service/base/kustomization.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n  - presync.yaml\n',
    );
    env.repo.useDevNamespace(env.dest).commit('add a broken PreSync hook');
    await client.apply(
      seedApplication(env.repo.url, env.appNs, (a) => {
        a.spec.destination.namespace = env.dest;
      }),
    );
    await env.controller.start();
    const app = await eventually(async () => {
      const a = await getApp(env.appNs);
      expect(a.status?.operationState?.message).toContain('one or more objects failed to apply (dry run)');
      return a;
    }, 60_000);
    // The automated sync's default retry (limit 5) schedules the next attempt.
    expect(app.status?.operationState?.message).toMatch(/Retrying attempt #\d+ at/);
    const hook = app.status?.operationState?.syncResult?.resources?.find((r) => r.kind === 'Pod');
    expect(hook?.status).toBe('SyncFailed');
    expect(hook?.message).toContain('spec.containers[0].image: Required value');
    expect(await getDeployment(env.dest)).toBeUndefined();
    expect(
      await client.get({ apiVersion: 'v1', kind: 'Service', name: 'my-service', namespace: env.dest }),
    ).toBeUndefined();
    expect(
      await client.get({ apiVersion: 'v1', kind: 'Pod', name: 'migrate', namespace: env.dest }),
    ).toBeUndefined();
  });

  /** Three ConfigMaps in waves 0, 1 and 2, in a plain directory `apps/waves`. */
  function wavesApp(env: Awaited<ReturnType<typeof setup>>, name: string): KubeObject {
    for (const [name, wave] of [
      ['first', 0],
      ['second', 1],
      ['third', 2],
    ] as const) {
      env.repo.write(
        `apps/waves/${name}.yaml`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\ndata:\n  wave: "${wave}"\n`,
      );
    }
    env.repo.commit('waves');
    return seedApplication(env.repo.url, env.appNs, (a) => {
      a.metadata.name = name;
      a.spec.source.path = 'apps/waves';
      a.spec.destination.namespace = env.dest;
    });
  }
  const configMap = (ns: string, name: string) =>
    client.get({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: ns });

  it('applies sync waves in order', async () => {
    const env = await setup();
    const name = uniqueName('waves');
    await client.apply(wavesApp(env, name));
    await env.controller.start();
    await eventually(async () => {
      expect((await getApp(env.appNs, name)).status?.operationState?.phase).toBe('Succeeded');
    }, 60_000);
    const created = await Promise.all(
      ['first', 'second', 'third'].map(async (n) =>
        Date.parse((await configMap(env.dest, n))?.metadata.creationTimestamp ?? ''),
      ),
    );
    // Waves are two seconds apart; creation times have whole seconds.
    expect(created[0]).toBeLessThan(created[1] as number);
    expect(created[1]).toBeLessThan(created[2] as number);
  });

  it('resumes a sync after the controller is stopped mid-way and started again', async () => {
    const env = await setup();
    const name = uniqueName('waves');
    if (last) last.name = name;
    await client.apply(wavesApp(env, name));
    await env.controller.start();
    await eventually(async () => {
      const a = await getApp(env.appNs, name);
      expect(a.status?.operationState?.phase).toBe('Running');
      expect(a.status?.operationState?.syncResult?.resources?.some((r) => r.name === 'first')).toBe(true);
    }, 60_000);
    await env.controller.stop();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await configMap(env.dest, 'third')).toBeUndefined();
    expect((await getApp(env.appNs, name)).status?.operationState?.phase).toBe('Running');

    const restarted = createApplicationController({
      client,
      namespace: env.appNs,
      pollIntervalMs: 1_000,
      gitCacheRoot: gitCache,
    });
    cleanups.push(() => restarted.stop());
    await restarted.start();
    const app = await eventually(async () => {
      const a = await getApp(env.appNs, name);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      return a;
    }, 60_000);
    expect(await configMap(env.dest, 'third')).toBeDefined();
    expect(app.status?.history).toHaveLength(1);
    expect(app.status?.operationState?.syncResult?.resources?.map((r) => r.name).sort()).toEqual([
      env.dest,
      'first',
      'second',
      'third',
    ]);
  });

  it('refreshes at once on the refresh annotation, and removes it when done', async () => {
    const env = await setup({ pollIntervalMs: 600_000 });
    await deployed(env);
    const path = 'apps/my-service/overlays/dev/kustomization.yaml';
    const release = env.repo
      .write(path, env.repo.read(path).replace('newTag: abc1234', 'newTag: c0ffee1'))
      .commit('release');
    // The poll interval is ten minutes: nothing happens without a refresh.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await getApp(env.appNs)).status?.sync?.revision).not.toBe(release);
    await client.patch(
      { ...APPLICATION_API, name: 'my-service-dev', namespace: env.appNs },
      { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } },
      { type: 'merge' },
    );
    await eventually(async () => {
      const d = await getDeployment(env.dest);
      expect(d?.spec.template.spec.containers[0]?.image).toBe('ghcr.io/myorg/my-service:c0ffee1');
      const a = await getApp(env.appNs);
      expect(a.status?.sync?.revision).toBe(release);
      expect(a.metadata.annotations?.['argocd.argoproj.io/refresh']).toBeUndefined();
    }, 30_000);
  });

  it('refuses to start beside an Argo CD application controller unless the namespace is explicit', async () => {
    const ns = await createNamespace(client, 'argocd');
    cleanups.push(() => ns.remove());
    await client.apply({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: 'argocd-application-controller',
        namespace: ns.name,
        labels: { 'app.kubernetes.io/name': 'argocd-application-controller' },
      },
      spec: {
        replicas: 0,
        serviceName: 'argocd-application-controller',
        selector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-application-controller' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'argocd-application-controller' } },
          spec: { containers: [{ name: 'c', image: 'quay.io/argoproj/argocd:v3.0.0' }] },
        },
      },
    });
    cleanups.push(async () => {
      await client.delete({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'argocd-application-controller',
        namespace: ns.name,
      });
    });
    const implicit = createApplicationController({ client, gitCacheRoot: gitCache });
    await expect(implicit.start()).rejects.toThrow(
      new RegExp(
        `an Argo CD application controller is running \\(StatefulSet/${ns.name}/argocd-application-controller\\)`,
      ),
    );
    const explicit = createApplicationController({ client, namespace: ns.name, gitCacheRoot: gitCache });
    cleanups.push(() => explicit.stop());
    await expect(explicit.start()).resolves.toBeUndefined();
  });

  it('runs PreSync and PostSync hooks around the sync and deletes a HookSucceeded hook afterwards', async () => {
    const env = await setup();
    const hook = (name: string, type: string, policy?: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/hook: ${type}\n${
        policy ? `    argocd.argoproj.io/hook-delete-policy: ${policy}\n` : ''
      }data:\n  phase: ${type}\n`;
    env.repo.write('apps/my-service/base/pre.yaml', hook('pre', 'PreSync', 'HookSucceeded'));
    env.repo.write('apps/my-service/base/post.yaml', hook('post', 'PostSync'));
    env.repo.write(
      'apps/my-service/base/kustomization.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n  - pre.yaml\n  - post.yaml\n',
    );
    env.repo.useDevNamespace(env.dest).commit('hooks');
    await client.apply(
      seedApplication(env.repo.url, env.appNs, (a) => {
        a.spec.destination.namespace = env.dest;
      }),
    );
    await env.controller.start();
    const app = await eventually(async () => {
      const a = await getApp(env.appNs);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      return a;
    }, 150_000); // the Sync wave waits for the Deployment to be available (minReadySeconds: 15)
    const results = app.status?.operationState?.syncResult?.resources ?? [];
    expect(results.find((r) => r.name === 'pre')).toMatchObject({ hookPhase: 'Succeeded', status: 'Synced' });
    expect(results.find((r) => r.name === 'post')).toMatchObject({
      hookPhase: 'Succeeded',
      status: 'Synced',
    });
    await eventually(async () => {
      expect(await configMap(env.dest, 'pre')).toBeUndefined();
    }, 30_000);
    const post = await configMap(env.dest, 'post');
    expect(post?.metadata.finalizers ?? []).not.toContain('argocd.argoproj.io/hook-finalizer');
    // PostSync runs after the Sync phase: the Deployment existed before the PostSync hook.
    const deployment = await getDeployment(env.dest);
    expect(Date.parse(post?.metadata.creationTimestamp ?? '')).toBeGreaterThanOrEqual(
      Date.parse(deployment?.metadata.creationTimestamp ?? ''),
    );
    // A live hook is listed as a hook, without a sync status of its own.
    const listed = app.status?.resources?.find((r) => r.name === 'post') as {
      hook?: boolean;
      status?: string;
    };
    expect(listed).toMatchObject({ hook: true });
    expect(listed.status).toBeUndefined();
  }, 200_000);

  it('syncs to the revision `slipway app sync --revision` names, and stays OutOfSync with the branch', async () => {
    const env = await setup();
    const tagged = env.repo.useDevNamespace(env.dest).commit('dev namespace for this test');
    env.repo.tag('v1');
    const path = 'apps/my-service/overlays/dev/kustomization.yaml';
    const head = env.repo
      .write(path, env.repo.read(path).replace('newTag: abc1234', 'newTag: def5678'))
      .commit('release');
    await client.apply(
      seedApplication(env.repo.url, env.appNs, (a) => {
        a.spec.destination.namespace = env.dest;
        a.spec.syncPolicy = { syncOptions: ['CreateNamespace=true'] };
      }),
    );
    await env.controller.start();
    await eventually(async () => {
      expect((await getApp(env.appNs)).status?.sync?.revision).toBe(head);
    }, 30_000);
    expect((await cli(['app', 'sync', 'my-service-dev', '-n', env.appNs, '--revision', 'v1'])).code).toBe(0);
    const app = await eventually(async () => {
      const a = await getApp(env.appNs);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      return a;
    }, 60_000);
    expect(app.status?.operationState?.syncResult?.revision).toBe(tagged);
    expect((await getDeployment(env.dest))?.spec.template.spec.containers[0]?.image).toBe(
      'ghcr.io/myorg/my-service:abc1234',
    );
    await eventually(async () => {
      const a = await getApp(env.appNs);
      expect(a.status?.sync).toMatchObject({ status: 'OutOfSync', revision: head });
      expect(a.status?.history?.map((h) => h.revision)).toEqual([tagged]);
    }, 30_000);
  });
});
