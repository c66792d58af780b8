/**
 * Bad input and faults for the Application controller, on the real control plane with real git
 * repositories: kinds without a CRD, manifests the API server rejects, namespace mistakes, paths
 * and kustomizations that do not render, two Applications claiming one object, and an API server
 * that goes away in the middle of a sync. In every case the operation fails (or retries) with a
 * message naming the resource or the field, nothing of a failed wave is applied, and nothing
 * another Application owns is pruned.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ControlPlane } from '../../src/devcluster/control-plane.ts';
import { currentProcessIdentity } from '../../src/devcluster/processes.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { ensureCrds, loadCrds } from '../../src/kube/crds.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import {
  APPLICATION_API,
  APPLICATION_CRD_FILE,
  createApplicationController,
} from '../../src/sync/controller.ts';
import { errorMessage } from '../../src/util/errors.ts';
import { createNamespace, eventually, sharedClient, uniqueName } from '../cluster/helpers.ts';
import { runClusterCli } from '../support/cli.ts';
import { ConfigRepo, type SeedApp, seedApplication } from './helpers.ts';

interface ResourceResult {
  kind: string;
  name: string;
  namespace?: string;
  status?: string;
  message?: string;
}
interface AppStatus {
  sync?: { status?: string };
  resources?: Array<{ kind?: string; name?: string; namespace?: string; status?: string }>;
  operationState?: { phase?: string; message?: string; syncResult?: { resources?: ResourceResult[] } };
  history?: unknown[];
  conditions?: Array<{ type: string; message: string }>;
}
type App = KubeObject & { status?: AppStatus };

const configMap = (name: string, extra = '', data = 'a: "1"') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}data:\n  ${data}\n`;

/** Runs a controller for one test: an app namespace, a config repository, a destination. */
class Env {
  readonly errors: unknown[] = [];
  readonly repo = new ConfigRepo();
  readonly dest = uniqueName('dest');
  readonly cleanups: Array<() => Promise<void> | void> = [];
  appNs = '';
  #controller: ReturnType<typeof createApplicationController> | undefined;

  constructor(
    readonly client: KubeClient,
    readonly gitCache: string,
  ) {}

  async start(): Promise<this> {
    const ns = await createNamespace(this.client, 'apps');
    this.appNs = ns.name;
    this.cleanups.push(
      () => this.repo.cleanup(),
      () => ns.remove(),
      async () => {
        await this.client.delete(
          { apiVersion: 'v1', kind: 'Namespace', name: this.dest },
          { propagationPolicy: 'Background' },
        );
      },
    );
    this.#controller = createApplicationController({
      client: this.client,
      namespace: this.appNs,
      pollIntervalMs: 1_000,
      gitCacheRoot: this.gitCache,
      onError: (_key, err) => this.errors.push(err),
    });
    this.cleanups.push(() => this.#controller?.stop());
    await this.#controller.start();
    return this;
  }

  /** Commits `files` (if any) under `apps/<dir>/` and applies an Application for that path. */
  async app(
    dir: string,
    files: Record<string, string>,
    edit?: (app: SeedApp) => void,
  ): Promise<{ name: string; revision: string }> {
    for (const [file, text] of Object.entries(files)) this.repo.write(`apps/${dir}/${file}`, text);
    // Without files, the app uses what is committed already (no new revision for other apps).
    const revision = Object.keys(files).length > 0 ? this.repo.commit(`apps/${dir}`) : '';
    const name = uniqueName(dir.replaceAll('/', '-'));
    await this.client.apply(
      seedApplication(this.repo.url, this.appNs, (a) => {
        a.metadata.name = name;
        a.spec.source.path = `apps/${dir}`;
        a.spec.destination.namespace = this.dest;
        edit?.(a);
      }),
    );
    return { name, revision };
  }

  get(name: string): Promise<App> {
    return this.client.get<App>({ ...APPLICATION_API, name, namespace: this.appNs }) as Promise<App>;
  }

  configMap(name: string, namespace = this.dest): Promise<KubeObject | undefined> {
    return this.client.get({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace });
  }

  /** Waits for the app's operation to end in `phase` and returns the app. */
  async ended(name: string, phase: 'Succeeded' | 'Failed' | 'Error', timeoutMs = 60_000): Promise<App> {
    return eventually(async () => {
      const a = await this.get(name);
      expect(a.status?.operationState?.phase, JSON.stringify(a.status?.operationState?.message)).toBe(phase);
      return a;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c();
  }
}

const result = (app: App, kind: string, name: string) =>
  app.status?.operationState?.syncResult?.resources?.find((r) => r.kind === kind && r.name === name);

describe('bad input and faults on a real control plane with real git repositories', () => {
  let client: KubeClient;
  let gitCache: string;
  let env: Env | undefined;

  beforeAll(async () => {
    client = sharedClient();
    await ensureCrds(client, loadCrds(APPLICATION_CRD_FILE));
    client.discovery.invalidate();
    gitCache = mkdtempSync(join(tmpdir(), 'slipway-faults-cache-'));
  });
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });
  afterAll(async () => {
    rmSync(gitCache, { recursive: true, force: true });
    await client.close();
  });
  const cli = runClusterCli;
  const start = async () => {
    env = await new Env(client, gitCache).start();
    return env;
  };

  it('fails the sync on a kind without a CRD, naming it, with nothing of the wave applied', async () => {
    const e = await start();
    const group = `nocrd-${randomBytes(3).toString('hex')}.example.com`;
    const { name } = await e.app('nocrd', {
      'config.yaml': configMap('plain'),
      'widget.yaml': `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 1\n`,
    });
    const app = await eventually(async () => {
      const a = await e.get(name);
      expect(result(a, 'Widget', 'w1')?.status).toBe('SyncFailed');
      return a;
    }, 60_000);
    expect(app.status?.operationState?.phase).not.toBe('Succeeded');
    // Upstream's message (gitops-engine getSyncTasks): the kind and group the server does not serve.
    expect(result(app, 'Widget', 'w1')?.message).toBe(`Widget.${group} "" not found`);
    expect(await e.configMap('plain')).toBeUndefined();
  });

  it('fails the sync on a manifest that fails strict field validation, naming the field', async () => {
    const e = await start();
    const { name } = await e.app('strict', {
      'good.yaml': configMap('good'),
      'bad.yaml': configMap('bad', '', 'a: "1"\nspec:\n  replicas: 2'),
    });
    const app = await eventually(async () => {
      const a = await e.get(name);
      expect(a.status?.operationState?.message).toContain('one or more objects failed to apply (dry run)');
      return a;
    }, 60_000);
    expect(result(app, 'ConfigMap', 'bad')).toMatchObject({ status: 'SyncFailed' });
    expect(result(app, 'ConfigMap', 'bad')?.message).toMatch(/\.spec: field not declared in schema/);
    expect(await e.configMap('good')).toBeUndefined();
    expect(await e.configMap('bad')).toBeUndefined();
  });

  it('fails the sync on an object in a namespace that does not exist, with nothing else applied', async () => {
    const e = await start();
    const absent = uniqueName('absent');
    const { name } = await e.app('absent-ns', {
      'ok.yaml': configMap('ok'),
      'elsewhere.yaml': configMap('elsewhere', `  namespace: ${absent}\n`),
    });
    const app = await eventually(async () => {
      const a = await e.get(name);
      expect(result(a, 'ConfigMap', 'elsewhere')?.status).toBe('SyncFailed');
      return a;
    }, 60_000);
    expect(result(app, 'ConfigMap', 'elsewhere')?.message).toContain(`namespaces "${absent}" not found`);
    expect(app.status?.operationState?.phase).not.toBe('Succeeded');
    expect(await e.configMap('ok')).toBeUndefined();
  });

  it('applies a cluster-scoped object that names a namespace cluster-wide, as Argo CD does', async () => {
    const e = await start();
    const role = uniqueName('faults-role');
    e.cleanups.push(async () => {
      await client.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: role });
    });
    const { name } = await e.app('cluster-scoped', {
      'role.yaml': `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${role}\n  namespace: somewhere\nrules: []\n`,
    });
    const app = await e.ended(name, 'Succeeded');
    const live = await client.get({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      name: role,
    });
    expect(live?.metadata.namespace).toBeUndefined();
    expect(app.status?.resources?.find((r) => r.kind === 'ClusterRole')).toMatchObject({
      name: role,
      namespace: '',
    });
  });

  it('reports a path that does not exist as a ComparisonError naming the field', async () => {
    const e = await start();
    const { name, revision } = await e.app('exists', { 'cm.yaml': configMap('cm') }, (a) => {
      a.spec.source.path = 'apps/nowhere';
    });
    const app = await eventually(async () => {
      const a = await e.get(name);
      expect(a.status?.conditions?.find((c) => c.type === 'ComparisonError')?.message).toContain(
        `spec.source.path: apps/nowhere: no such directory in ${e.repo.url} at ${revision.slice(0, 7)}`,
      );
      return a;
    }, 60_000);
    expect(app.status?.sync?.status).toBe('Unknown');
    expect(app.status?.operationState).toBeUndefined();
  });

  it('reports a kustomize error as a ComparisonError naming the file, and applies nothing', async () => {
    const e = await start();
    const { name } = await e.app('broken-kustomize', {
      'kustomization.yaml': 'resources:\n  - cm.yaml\n  - missing.yaml\n',
      'cm.yaml': configMap('from-kustomize'),
    });
    const app = await eventually(async () => {
      const a = await e.get(name);
      expect(a.status?.conditions?.find((c) => c.type === 'ComparisonError')?.message).toMatch(
        /^apps\/broken-kustomize: kustomize build failed: .*'missing\.yaml'/s,
      );
      return a;
    }, 60_000);
    // The message speaks of the repository's paths, not of Slipway's cache.
    expect(app.status?.conditions?.find((c) => c.type === 'ComparisonError')?.message).not.toContain(
      gitCache,
    );
    expect(app.status?.sync?.status).toBe('Unknown');
    expect(await e.configMap('from-kustomize')).toBeUndefined();
  });

  it('two Applications claiming one object: a SharedResourceWarning, FailOnSharedResource stops the sync, and the first owner never prunes what the second took over', async () => {
    const e = await start();
    // Both apps' files in one commit: A, automated without selfHeal, has then synced the revision
    // B uses, and does not take the object back after B's takeover (two automated apps would fight,
    // in Argo CD as here).
    e.repo.write('apps/owner-b/shared.yaml', configMap('shared', '', 'owner: b'));
    e.repo.write('apps/owner-b/b-only.yaml', configMap('b-only'));
    const a = await e.app(
      'owner-a',
      { 'shared.yaml': configMap('shared', '', 'owner: a'), 'a-only.yaml': configMap('a-only') },
      (app) => {
        app.spec.syncPolicy = { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] };
      },
    );
    await e.ended(a.name, 'Succeeded');
    const trackingOf = async (n: string) =>
      (await e.configMap(n))?.metadata.annotations?.['argocd.argoproj.io/tracking-id'];
    expect(await trackingOf('shared')).toBe(`${a.name}:/ConfigMap:${e.dest}/shared`);

    // B claims the same ConfigMap and refuses to share it; it is synced by hand.
    const b = await e.app('owner-b', {}, (app) => {
      app.spec.syncPolicy = { syncOptions: ['CreateNamespace=true', 'FailOnSharedResource=true'] };
    });
    const warning = `ConfigMap/shared is part of applications ${e.appNs}/${b.name} and ${a.name}`;
    await eventually(async () => {
      const appB = await e.get(b.name);
      expect(appB.status?.conditions?.find((c) => c.type === 'SharedResourceWarning')?.message).toBe(warning);
    }, 30_000);
    expect((await cli(['app', 'sync', b.name, '-n', e.appNs])).code).toBe(0);
    const failed = await e.ended(b.name, 'Failed');
    expect(failed.status?.operationState?.message).toBe(`Shared resource found: ${warning}`);
    expect((await e.configMap('shared'))?.['data']).toEqual({ owner: 'a' });
    expect(await trackingOf('shared')).toBe(`${a.name}:/ConfigMap:${e.dest}/shared`);
    expect(await e.configMap('b-only')).toBeUndefined();

    // Without FailOnSharedResource, B takes the object over, as Argo CD does, and A says so.
    await client.patch(
      { ...APPLICATION_API, name: b.name, namespace: e.appNs },
      { spec: { syncPolicy: { syncOptions: ['CreateNamespace=true'] } } },
      { type: 'merge' },
    );
    expect((await cli(['app', 'sync', b.name, '-n', e.appNs])).code).toBe(0);
    await e.ended(b.name, 'Succeeded');
    expect((await e.configMap('shared'))?.['data']).toEqual({ owner: 'b' });
    expect(await e.configMap('b-only')).toBeDefined();
    expect(await trackingOf('shared')).toBe(`${b.name}:/ConfigMap:${e.dest}/shared`);
    await eventually(async () => {
      const appA = await e.get(a.name);
      expect(appA.status?.conditions?.find((c) => c.type === 'SharedResourceWarning')?.message).toBe(
        `ConfigMap/shared is part of applications ${e.appNs}/${a.name} and ${b.name}`,
      );
    }, 30_000);

    // A drops the object from git and prunes: what B now owns stays; A's own leftovers go.
    e.repo.remove('apps/owner-a/shared.yaml').remove('apps/owner-a/a-only.yaml');
    e.repo.write('apps/owner-a/other.yaml', configMap('a-other'));
    const next = e.repo.commit('A lets go');
    await eventually(async () => {
      const appA = await e.get(a.name);
      expect(
        (appA.status?.operationState as { syncResult?: { revision?: string } })?.syncResult?.revision,
      ).toBe(next);
      expect(appA.status?.operationState?.phase).toBe('Succeeded');
      expect(await e.configMap('a-only')).toBeUndefined();
    }, 60_000);
    const results = JSON.stringify({
      a: (await e.get(a.name)).status?.operationState?.syncResult?.resources,
      b: (await e.get(b.name)).status?.operationState,
    });
    expect((await e.configMap('shared'))?.['data'], results).toEqual({ owner: 'b' });
    expect(await e.configMap('b-only')).toBeDefined();
  }, 200_000);

  it('RespectIgnoreDifferences=true: a sync keeps the live value of an ignored field and applies the rest', async () => {
    const e = await start();
    const { name } = await e.app(
      'respect',
      { 'tuned.yaml': configMap('tuned', '', 'a: "1"\n  tuned: git') },
      (app) => {
        app.spec.syncPolicy = {
          automated: { prune: true },
          syncOptions: ['CreateNamespace=true', 'RespectIgnoreDifferences=true'],
        };
        Object.assign(app.spec, {
          ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data/tuned'] }],
        });
      },
    );
    await e.ended(name, 'Succeeded');
    await client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'tuned', namespace: e.dest },
      { data: { tuned: 'live' } },
      { type: 'merge', fieldManager: 'kubectl' },
    );
    // The ignored field's drift does not make the app OutOfSync.
    await eventually(async () => {
      expect((await e.get(name)).status?.sync?.status).toBe('Synced');
    }, 30_000);
    const next = e.repo
      .write('apps/respect/tuned.yaml', configMap('tuned', '', 'a: "2"\n  tuned: git'))
      .commit('a: 2');
    await eventually(async () => {
      const app = await e.get(name);
      expect(
        (app.status?.operationState as { syncResult?: { revision?: string } })?.syncResult?.revision,
      ).toBe(next);
      expect(app.status?.operationState?.phase).toBe('Succeeded');
    }, 60_000);
    expect((await e.configMap('tuned'))?.['data']).toEqual({ a: '2', tuned: 'live' });
  });
});

// This test stops its API server, so it runs its own control plane and leaves the shared one alone.
describe('an API server that goes away mid-sync', () => {
  let plane: ControlPlane;
  let client: KubeClient;
  let gitCache: string;

  beforeAll(async () => {
    plane = await ControlPlane.start({
      dir: join(inject('planesRoot'), `${process.pid}-faults-${randomBytes(3).toString('hex')}`),
      owner: currentProcessIdentity(),
      controllers: false,
    });
    client = KubeClient.fromKubeconfig({ path: plane.kubeconfig });
    await ensureCrds(client, loadCrds(APPLICATION_CRD_FILE));
    client.discovery.invalidate();
    gitCache = mkdtempSync(join(tmpdir(), 'slipway-faults-cache-'));
  });
  afterAll(async () => {
    await client?.close();
    await plane?.stop({ purge: true });
    if (gitCache) rmSync(gitCache, { recursive: true, force: true });
  });

  it('retries and finishes the operation once the server is back, wave by wave, each resource applied once', async () => {
    const e = await new Env(client, gitCache).start();
    try {
      const files: Record<string, string> = {};
      for (const [n, wave] of [
        ['first', 0],
        ['second', 1],
        ['third', 2],
      ] as const) {
        files[`${n}.yaml`] = configMap(n, `  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n`);
      }
      const { name } = await e.app('waves', files);
      await eventually(async () => {
        const a = await e.get(name);
        expect(a.status?.operationState?.phase).toBe('Running');
        expect(result(a, 'ConfigMap', 'first')).toBeDefined();
      }, 60_000);
      const before = e.errors.length;
      await plane.stopApiServer();
      await new Promise((r) => setTimeout(r, 4_000));
      await plane.startApiServer();

      const app = await e.ended(name, 'Succeeded', 90_000);
      // While the server was away, the controller's errors named it.
      const outage = e.errors.slice(before).map(errorMessage);
      expect(outage.length).toBeGreaterThan(0);
      expect(outage.some((m) => m.includes(plane.server) || /ECONNREFUSED|connect/i.test(m))).toBe(true);
      const results = app.status?.operationState?.syncResult?.resources ?? [];
      expect(
        results
          .filter((r) => r.kind === 'ConfigMap')
          .map((r) => `${r.name} ${r.status}`)
          .sort(),
      ).toEqual(['first Synced', 'second Synced', 'third Synced']);
      expect(app.status?.history).toHaveLength(1);
      const created = await Promise.all(
        ['first', 'second', 'third'].map(async (n) =>
          Date.parse((await e.configMap(n))?.metadata.creationTimestamp ?? ''),
        ),
      );
      expect(created[0]).toBeLessThanOrEqual(created[1] as number);
      expect(created[1]).toBeLessThanOrEqual(created[2] as number);
    } finally {
      await e.stop();
    }
  }, 200_000);
});
