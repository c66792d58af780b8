/**
 * Argo CD's own e2e scenarios (argoproj/argo-cd 37ee0097cf, `test/e2e/`), ported to Slipway's
 * Application controller on the shared real control plane, with real git repositories holding the
 * upstream fixtures (`upstream-testdata/`). Each `it` names the upstream test it ports and asserts
 * that test's expectations: operation phase, sync and health status, per-resource status, result
 * numbering, hook phases, hook deletion by policy, prune order.
 *
 * The control plane's node is KWOK, which plays a kubelet without running containers. Where that
 * matters, the scenario changes the committed copy of the fixture, and says so:
 *
 * - KWOK finishes only Pods that a Job owns, so a `restartPolicy: Never` Pod of the `hook` fixture
 *   (a command that exits) is committed as a Job of the same name, annotations and pod spec
 *   ({@link runnableOnKwok}). A command `false` (exit 1) becomes a Job that fails for real: its pods
 *   cannot be scheduled (a nodeSelector no node has) and the Job controller fails it after
 *   `activeDeadlineSeconds: 1` (`DeadlineExceeded`). Expected messages are then the Job's.
 * - KWOK starts any image, so the "invalid image" Deployments are kept unavailable the same way:
 *   pods that cannot be scheduled.
 * - KWOK runs no `preStop` hooks, so the test runs the `syncwaves-prune-order` Pod's hook itself:
 *   on deletion it removes the Pod's finalizer with the Pod's own ServiceAccount (impersonated),
 *   which only works while the Role and RoleBinding still exist.
 *
 * Two checks go beyond upstream and say so: `TestHookDiff` also diffs after a sync (a live hook is
 * still no difference), and `TestHookBeforeHookCreation` has a variant whose old hook takes a while
 * to go.
 *
 * Not ported: `TestFixingDegradedApp` needs a `resource.customizations.health` Lua override for
 * ConfigMaps, which Slipway does not read.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeClient } from '../../src/kube/client.ts';
import { ensureCrds, loadCrds } from '../../src/kube/crds.ts';
import { loadKubeconfig } from '../../src/kube/kubeconfig.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import {
  APPLICATION_API,
  APPLICATION_CRD_FILE,
  type ApplicationController,
  createApplicationController,
} from '../../src/sync/controller.ts';
import { createNamespace, eventually, sharedClient, uniqueName } from '../cluster/helpers.ts';
import { runClusterCli } from '../support/cli.ts';
import { ConfigRepo } from './helpers.ts';

const UPSTREAM = new URL('./upstream-testdata/', import.meta.url);
const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';

interface ResourceResult {
  group?: string;
  version?: string;
  kind: string;
  namespace?: string;
  name: string;
  status?: string;
  message?: string;
  hookType?: string;
  hookPhase?: string;
  syncPhase?: string;
  images?: string[];
}
interface AppStatus {
  sync?: { status?: string; revision?: string };
  health?: { status?: string };
  resources?: Array<{
    kind?: string;
    name?: string;
    status?: string;
    hook?: boolean;
    health?: { status?: string };
  }>;
  operationState?: {
    phase?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    syncResult?: { resources?: ResourceResult[] };
  };
}
type App = KubeObject & {
  spec: { source: { repoURL: string; path: string }; destination: { server: string; namespace: string } };
  status?: AppStatus;
  operation?: unknown;
};
type Job = KubeObject & {
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
};
interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

// ---- fixtures --------------------------------------------------------------------------------

/** The files of an upstream fixture folder, by name. */
function upstreamFixture(name: string): Map<string, string> {
  const dir = new URL(`${name}/`, UPSTREAM);
  return new Map(readdirSync(dir).map((file) => [file, readFileSync(new URL(file, dir), 'utf8')]));
}

/** Decodes a JSON pointer (RFC 6901) into its tokens. */
function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * Applies a JSON patch (RFC 6902 `add`, `replace`, `remove`) to a document in place, as upstream's
 * `PatchFile` does to a fixture file.
 */
function applyJsonPatch(doc: unknown, ops: readonly PatchOp[]): void {
  for (const op of ops) {
    const tokens = pointer(op.path);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`cannot patch the document root (${op.path})`);
    let parent = doc as Record<string, unknown> | unknown[];
    for (const token of tokens) {
      const next = Array.isArray(parent) ? parent[Number(token)] : parent[token];
      if (typeof next !== 'object' || next === null) throw new Error(`no ${op.path} to patch`);
      parent = next as Record<string, unknown> | unknown[];
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'remove') parent.splice(index, 1);
      else if (op.op === 'add') parent.splice(index, 0, op.value);
      else parent[index] = op.value;
    } else if (op.op === 'remove') {
      delete parent[last];
    } else {
      parent[last] = op.value;
    }
  }
}

/** A node selector no node has: pods wait unscheduled, as a kubelet would leave a broken container. */
const UNSCHEDULABLE = { 'slipway.dev/no-such-node': 'true' };

type Manifest = Record<string, unknown> & {
  kind?: string;
  metadata?: Record<string, unknown>;
  spec?: Record<string, unknown> & {
    restartPolicy?: string;
    containers?: Array<{ command?: string[] }>;
  };
};

/**
 * A Pod that runs a command to its end (`restartPolicy: Never`) as KWOK can finish it: a Job with
 * the same metadata and pod spec. A command `false` becomes a Job that really fails (unschedulable
 * pods, deadline one second). Anything else is returned unchanged.
 */
function runnableOnKwok(doc: Manifest): Manifest {
  if (doc.kind !== 'Pod' || doc.spec?.restartPolicy !== 'Never') return doc;
  const fails = doc.spec.containers?.some((c) => c.command?.[0] === 'false') ?? false;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: doc.metadata ?? {},
    spec: {
      ...(fails ? { activeDeadlineSeconds: 1 } : {}),
      backoffLimit: 0,
      template: { spec: fails ? { ...doc.spec, nodeSelector: UNSCHEDULABLE } : doc.spec },
    },
  };
}

// ---- the suite ---------------------------------------------------------------------------------

describe('upstream Argo CD e2e scenarios on Slipway', () => {
  let client: KubeClient;
  let controller: ApplicationController;
  let appNs: { name: string; remove: () => Promise<void> };
  const errors: unknown[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  let current: Scenario | undefined;
  let gitCache: string;

  beforeAll(async () => {
    client = sharedClient();
    await ensureCrds(client, loadCrds(APPLICATION_CRD_FILE));
    client.discovery.invalidate();
    appNs = await createNamespace(client, 'e2e-apps');
    gitCache = mkdtempSync(join(tmpdir(), 'slipway-e2e-cache-'));
    controller = createApplicationController({
      gitCacheRoot: gitCache,
      client,
      namespace: appNs.name,
      pollIntervalMs: 1_000,
      concurrency: 8,
      onError: (_key, err) => errors.push(err),
    });
    await controller.start();
  });
  afterEach(async (ctx) => {
    // A failed scenario leaves its app's status and the controller's errors in the output.
    if (ctx.task.result?.state === 'fail' && current) {
      const app = await current.app().catch(() => undefined);
      console.log(
        ctx.task.name,
        JSON.stringify({ errors: errors.map(String), status: app?.status }, null, 1),
      );
    }
    errors.length = 0;
    current = undefined;
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await controller?.stop();
    await appNs?.remove();
    await client?.close();
    if (gitCache) rmSync(gitCache, { recursive: true, force: true });
  });

  const cli = runClusterCli;

  /**
   * Upstream's `Given(t).Path(fixture)`: a git repository holding the fixture at `path`, a fresh
   * deployment namespace, and an app name. Files are edited in memory and committed by
   * {@link Scenario.createApp} (or {@link Scenario.commit}).
   */
  async function given(fixture: string): Promise<Scenario> {
    const repo = new ConfigRepo();
    cleanups.push(() => repo.cleanup());
    const dest = await createNamespace(client, 'e2e');
    cleanups.push(() => dest.remove());
    const s = new Scenario(fixture, repo, dest.name, uniqueName(fixture.slice(0, 20)));
    current = s;
    cleanups.push(() =>
      client.delete({ ...APPLICATION_API, name: s.name, namespace: appNs.name }).then(() => undefined),
    );
    return s;
  }

  class Scenario {
    readonly path: string;
    readonly files: Map<string, string>;
    /** Applied to every committed document (the KWOK adaptations). */
    transform: (doc: Manifest) => Manifest = (doc) => doc;

    constructor(
      fixture: string,
      readonly repo: ConfigRepo,
      readonly dest: string,
      readonly name: string,
    ) {
      this.path = `e2e/${fixture}`;
      this.files = upstreamFixture(fixture);
    }

    /** Upstream's `PatchFile`: a JSON patch applied to every document of the file. */
    patchFile(file: string, patch: string): this {
      const text = this.files.get(file);
      if (text === undefined) throw new Error(`no ${file} in ${this.path}`);
      const docs = parseAllDocuments(text).map((d) => d.toJS() as Manifest);
      for (const doc of docs) applyJsonPatch(doc, JSON.parse(patch) as PatchOp[]);
      this.files.set(file, docs.map((d) => stringify(d)).join('---\n'));
      return this;
    }

    addFile(file: string, text: string): this {
      this.files.set(file, text);
      return this;
    }

    deleteFile(file: string): this {
      this.files.delete(file);
      this.repo.remove(`${this.path}/${file}`);
      return this;
    }

    /** Writes the files (through {@link transform}) and commits them. */
    commit(message: string): string {
      for (const [file, text] of this.files) {
        if (!file.endsWith('.yaml')) {
          this.repo.write(`${this.path}/${file}`, text);
          continue;
        }
        const docs = parseAllDocuments(text).map((d) => this.transform(d.toJS() as Manifest));
        this.repo.write(`${this.path}/${file}`, docs.map((d) => stringify(d)).join('---\n'));
      }
      return this.repo.commit(message);
    }

    /** Upstream's `CreateApp()`: an Application without automated sync, as `argocd app create` makes it. */
    async createApp(): Promise<void> {
      this.commit('fixture');
      await client.apply({
        ...APPLICATION_API,
        metadata: { name: this.name, namespace: appNs.name },
        spec: {
          project: 'default',
          source: { repoURL: this.repo.url, targetRevision: 'HEAD', path: this.path },
          destination: { server: 'https://kubernetes.default.svc', namespace: this.dest },
        },
      });
    }

    async app(): Promise<App> {
      const app = await client.get<App>({ ...APPLICATION_API, name: this.name, namespace: appNs.name });
      if (app === undefined) throw new Error(`Application ${this.name} is gone`);
      return app;
    }

    /**
     * Upstream's `Sync()`: `slipway app sync`, then waits for that operation to finish (as
     * `argocd app sync` does) and returns the app.
     */
    async sync(...flags: string[]): Promise<App> {
      return (await this.requestSync(...flags))();
    }

    /** Upstream's `Async(true).Sync()`: requests the sync; the function returned waits for its end. */
    async requestSync(...flags: string[]): Promise<() => Promise<App>> {
      // The app must have been seen by the controller before a sync is requested, as upstream's
      // `argocd app sync` waits for the app to exist.
      const before = await eventually(async () => {
        const a = await this.app();
        expect(a.status?.sync?.status).toBeDefined();
        return a.status?.operationState;
      }, 60_000);
      const requested = await cli(['app', 'sync', this.name, '-n', appNs.name, ...flags]);
      expect(requested.err).toBe('');
      expect(requested.code).toBe(0);
      return () =>
        eventually(
          async () => {
            const a = await this.app();
            const op = a.status?.operationState;
            expect(a.operation).toBeUndefined();
            expect(['Succeeded', 'Failed', 'Error']).toContain(op?.phase);
            expect(op?.startedAt !== before?.startedAt || op?.finishedAt !== before?.finishedAt).toBe(true);
            return a;
          },
          60_000,
          200,
        );
    }

    /** Retries `check` on the current app until it passes (upstream's `Then().Expect(...)`). */
    expect(check: (app: App) => void | Promise<void>, timeoutMs = 30_000): Promise<App> {
      return eventually(
        async () => {
          const app = await this.app();
          await check(app);
          return app;
        },
        timeoutMs,
        200,
      );
    }

    get(apiVersion: string, kind: string, name: string): Promise<KubeObject | undefined> {
      return client.get({ apiVersion, kind, name, namespace: this.dest });
    }

    /** Upstream's `Refresh(type)`: the refresh annotation. */
    async refresh(type: 'normal' | 'hard'): Promise<void> {
      await client.patch(
        { ...APPLICATION_API, name: this.name, namespace: appNs.name },
        { metadata: { annotations: { 'argocd.argoproj.io/refresh': type } } },
        { type: 'merge' },
      );
    }
  }

  // ---- expectations (upstream `fixture/app/expectation.go`) ----------------------------------

  const results = (app: App) => app.status?.operationState?.syncResult?.resources ?? [];
  const resource = (app: App, kind: string, name: string) =>
    app.status?.resources?.find((r) => r.kind === kind && r.name === name);
  /** `ResourceResultIs`: the result of `kind/name` has exactly these fields. */
  function resultIs(app: App, expected: ResourceResult): void {
    const found = results(app).find((r) => r.kind === expected.kind && r.name === expected.name);
    expect(found).toEqual({ group: '', ...expected });
  }
  /** A hook that completed has no hook finalizer left (upstream's `Pod(...)` check). */
  async function withoutHookFinalizer(s: Scenario, kind: string, name: string): Promise<void> {
    await eventually(async () => {
      const live = await s.get(kind === 'Job' ? 'batch/v1' : 'v1', kind, name);
      expect(live).toBeDefined();
      expect(live?.metadata.annotations?.['argocd.argoproj.io/hook']).toBeDefined();
      expect(live?.metadata.finalizers ?? []).not.toContain(HOOK_FINALIZER);
    }, 10_000);
  }
  /** The message a completed Job hook reports: its `Complete` condition's, else the apply message. */
  async function completeMessage(s: Scenario, name: string): Promise<string> {
    const job = (await s.get('batch/v1', 'Job', name)) as Job | undefined;
    const message = job?.status?.conditions?.find((c) => c.type === 'Complete')?.message;
    return message || `job.batch/${name} created`;
  }
  /** The Job controller's message for a Job past `activeDeadlineSeconds` (`DeadlineExceeded`). */
  const DEADLINE_MESSAGE = 'Job was active longer than specified deadline';
  const E2E_IMAGE = 'quay.io/argoprojlabs/argocd-e2e-container:0.1';

  // ---- app_management_test.go ------------------------------------------------------------------

  // argo-cd test/e2e/app_management_test.go TestAppCreation
  it('TestAppCreation: a new app over guestbook is OutOfSync and listed', async () => {
    const s = await given('guestbook');
    await s.createApp();
    const app = await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('OutOfSync');
    });
    expect(app.metadata.name).toBe(s.name);
    expect(app.spec.source.repoURL).toBe(s.repo.url);
    expect(app.spec.source.path).toBe(s.path);
    expect(app.spec.destination.namespace).toBe(s.dest);
    expect(app.spec.destination.server).toBe('https://kubernetes.default.svc');
    const list = await cli(['app', 'list', '-n', appNs.name]);
    expect(list.code).toBe(0);
    expect(list.out).toContain(s.name);
    // Creating it again is idempotent.
    await s.createApp();
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('OutOfSync');
    });
  });

  // argo-cd test/e2e/app_management_test.go TestTrackAppStateAndSyncApp
  it('TestTrackAppStateAndSyncApp: guestbook syncs to Synced and Healthy', async () => {
    const s = await given('guestbook');
    await s.createApp();
    const synced = await s.sync();
    expect(synced.status?.operationState?.phase).toBe('Succeeded');
    expect(synced.status?.operationState?.syncResult).toBeDefined();
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
      expect(a.status?.health?.status).toBe('Healthy');
    });
    const get = await cli(['app', 'get', s.name, '-n', appNs.name]);
    expect(get.out).toMatch(new RegExp(`\\s+Service\\s+${s.dest}\\s+guestbook-ui\\s+Synced`));
    expect(get.out).toMatch(new RegExp(`apps\\s+Deployment\\s+${s.dest}\\s+guestbook-ui\\s+Synced`));
  });

  // ---- sync_waves_test.go ----------------------------------------------------------------------

  // argo-cd test/e2e/sync_waves_test.go TestOneProgressingDeploymentIsSucceededAndSynced
  it('TestOneProgressingDeploymentIsSucceededAndSynced', async () => {
    const s = await given('one-deployment');
    s.patchFile(
      'deployment.yaml',
      `[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "alpine:ops!"}]`,
    );
    // KWOK starts any image: keep the pods unscheduled instead, so the Deployment stays unavailable.
    s.patchFile(
      'deployment.yaml',
      JSON.stringify([{ op: 'add', path: '/spec/template/spec/nodeSelector', value: UNSCHEDULABLE }]),
    );
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(results(app)).toHaveLength(1);
    await s.expect((a) => {
      expect(a.status?.health?.status).toBe('Progressing');
      expect(a.status?.sync?.status).toBe('Synced');
    });
  });

  // argo-cd test/e2e/sync_waves_test.go TestDegradedDeploymentIsSucceededAndSynced
  it('TestDegradedDeploymentIsSucceededAndSynced', async () => {
    const s = await given('one-deployment');
    s.patchFile(
      'deployment.yaml',
      `[
    {"op": "replace", "path": "/spec/progressDeadlineSeconds", "value": 1},
    {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "alpine:ops!"}
]`,
    );
    s.patchFile(
      'deployment.yaml',
      JSON.stringify([{ op: 'add', path: '/spec/template/spec/nodeSelector', value: UNSCHEDULABLE }]),
    );
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(results(app)).toHaveLength(1);
    await s.expect((a) => {
      expect(a.status?.health?.status).toBe('Degraded');
      expect(a.status?.sync?.status).toBe('Synced');
    });
  });

  // argo-cd test/e2e/sync_waves_test.go TestSyncPruneOrderWithSyncWaves
  it('TestSyncPruneOrderWithSyncWaves: prunes in reverse wave order', async () => {
    const s = await given('syncwaves-prune-order');
    const pod = { apiVersion: 'v1', kind: 'Pod', name: 'pod-with-finalizers', namespace: s.dest };
    // As upstream's deferred `patch-resource`: never leave the Pod stuck behind a failed run.
    cleanups.push(async () => {
      const live = await client.get(pod);
      if (live?.metadata.finalizers?.length) {
        await client.patch(pod, [{ op: 'remove', path: '/metadata/finalizers' }], { type: 'json' });
      }
    });
    const preStop = startPreStopHook(s.dest);
    cleanups.push(() => preStop.stop());

    await s.createApp();
    // creation order: sa & role -> rolebinding -> pod
    await s.sync();
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
      expect(a.status?.health?.status).toBe('Healthy');
    });
    // Waves are two seconds apart; creation times have whole seconds.
    const created = await Promise.all(
      [
        ['v1', 'ServiceAccount', 'modify-pods-sa'],
        ['rbac.authorization.k8s.io/v1', 'Role', 'modify-pods-role'],
        ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'modify-pods-rolebinding'],
        ['v1', 'Pod', 'pod-with-finalizers'],
      ].map(async ([v = '', k = '', n = '']) =>
        Date.parse((await s.get(v, k, n))?.metadata.creationTimestamp ?? ''),
      ),
    );
    expect(created[0]).toBeLessThan(created[2] as number);
    expect(created[2]).toBeLessThan(created[3] as number);

    s.deleteFile('pod.yaml').deleteFile('rbac.yaml').commit('delete pod and rbac');
    await s.refresh('hard');
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('OutOfSync');
    });
    // prune order: pod -> rolebinding -> sa & role
    const app = await s.sync('--prune');
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(results(app)).toHaveLength(4);
    expect(results(app).every((r) => r.status === 'Pruned')).toBe(true);
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
      expect(a.status?.health?.status).toBe('Healthy');
    });
    expect(await client.get(pod)).toBeUndefined();
    // The Pod's preStop hook could remove its finalizer: its RBAC was still there when it ran.
    expect(preStop.outcomes).toContain('removed');
    expect(preStop.outcomes).not.toContain('forbidden');
  }, 90_000);

  /**
   * The `syncwaves-prune-order` Pod's `preStop` hook, which KWOK does not run: once the Pod is being
   * deleted, remove its finalizers as its ServiceAccount `modify-pods-sa`. Records each attempt.
   */
  function startPreStopHook(namespace: string): { outcomes: string[]; stop: () => Promise<void> } {
    const connection = loadKubeconfig({ path: inject('kubeconfig') });
    const asPod = KubeClient.fromConnection({
      ...connection,
      impersonate: {
        user: `system:serviceaccount:${namespace}:modify-pods-sa`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      },
    });
    const ref = { apiVersion: 'v1', kind: 'Pod', name: 'pod-with-finalizers', namespace };
    const outcomes: string[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const live = await client.get(ref).catch(() => undefined);
        if (live?.metadata.deletionTimestamp && live.metadata.finalizers?.length) {
          try {
            await asPod.patch(ref, [{ op: 'remove', path: '/metadata/finalizers' }], { type: 'json' });
            outcomes.push('removed');
          } catch (err) {
            outcomes.push(/forbidden/i.test(String(err)) ? 'forbidden' : String(err));
          }
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    return {
      outcomes,
      stop: async () => {
        running = false;
        await loop;
        await asPod.close();
      },
    };
  }

  // ---- hook_test.go ----------------------------------------------------------------------------

  /** Upstream's `Path("hook")`, committed runnable on KWOK. */
  async function hookFixture(): Promise<Scenario> {
    const s = await given('hook');
    s.transform = runnableOnKwok;
    return s;
  }

  for (const hookType of ['PreSync', 'Sync', 'PostSync'] as const) {
    // argo-cd test/e2e/hook_test.go TestPreSyncHookSuccessful, TestSyncHookSuccessful,
    // TestPostSyncHookSuccessful (testHookSuccessful)
    it(`Test${hookType}HookSuccessful`, async () => {
      const s = await hookFixture();
      s.patchFile(
        'hook.yaml',
        `[{"op": "replace", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/hook": "${hookType}"}}]`,
      );
      await s.createApp();
      const app = await s.sync();
      expect(app.status?.operationState?.phase).toBe('Succeeded');
      expect(results(app)).toHaveLength(2);
      resultIs(app, {
        version: 'v1',
        group: 'batch',
        kind: 'Job',
        namespace: s.dest,
        name: 'hook',
        status: 'Synced',
        message: await completeMessage(s, 'hook'),
        hookType,
        hookPhase: 'Succeeded',
        syncPhase: hookType,
        images: [E2E_IMAGE],
      });
      await s.expect((a) => {
        expect(a.status?.sync?.status).toBe('Synced');
        expect(resource(a, 'Job', 'pod')?.status).toBe('Synced');
        expect(resource(a, 'Job', 'pod')?.health?.status).toBe('Healthy');
      });
      await withoutHookFinalizer(s, 'Job', 'hook');
    });
  }

  // argo-cd test/e2e/hook_test.go TestPreSyncHookFailure
  it('TestPreSyncHookFailure: a failed PreSync hook stops the sync before the main phase', async () => {
    const s = await hookFixture();
    s.patchFile(
      'hook.yaml',
      `[{"op": "replace", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/hook": "PreSync"}}]`,
    );
    // make hook fail
    s.patchFile('hook.yaml', `[{"op": "replace", "path": "/spec/containers/0/command", "value": ["false"]}]`);
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Failed');
    expect(results(app)).toHaveLength(1);
    resultIs(app, {
      version: 'v1',
      group: 'batch',
      kind: 'Job',
      namespace: s.dest,
      name: 'hook',
      status: 'Synced',
      message: DEADLINE_MESSAGE,
      hookType: 'PreSync',
      hookPhase: 'Failed',
      syncPhase: 'PreSync',
      images: [E2E_IMAGE],
    });
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('OutOfSync');
      expect(resource(a, 'Job', 'pod')?.health?.status).toBe('Missing');
      expect(resource(a, 'Job', 'pod')?.status).toBe('OutOfSync');
    });
    expect(await s.get('batch/v1', 'Job', 'pod')).toBeUndefined();
    await withoutHookFinalizer(s, 'Job', 'hook');
  });

  // argo-cd test/e2e/hook_test.go TestSyncHookFailure
  it('TestSyncHookFailure: a failed Sync hook fails the sync, the resource is still Synced', async () => {
    const s = await hookFixture();
    s.patchFile('hook.yaml', `[{"op": "replace", "path": "/spec/containers/0/command/0", "value": "false"}]`);
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Failed');
    expect(results(app)).toHaveLength(2);
    await s.expect((a) => {
      // even though the hook failed, we expect the pod to be in sync
      expect(a.status?.sync?.status).toBe('Synced');
      expect(resource(a, 'Job', 'pod')?.status).toBe('Synced');
    });
    await withoutHookFinalizer(s, 'Job', 'hook');
  });

  // argo-cd test/e2e/hook_test.go TestPostSyncHookFailure
  it('TestPostSyncHookFailure: a failed PostSync hook fails the sync after the main phase', async () => {
    const s = await hookFixture();
    s.patchFile(
      'hook.yaml',
      `[{"op": "replace", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/hook": "PostSync"}}]`,
    );
    s.patchFile('hook.yaml', `[{"op": "replace", "path": "/spec/containers/0/command/0", "value": "false"}]`);
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Failed');
    expect(results(app)).toHaveLength(2);
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
      expect(resource(a, 'Job', 'pod')?.status).toBe('Synced');
    });
    await withoutHookFinalizer(s, 'Job', 'hook');
  });

  // argo-cd test/e2e/hook_test.go TestSyncFailHookPodFailure
  it('TestSyncFailHookPodFailure: a SyncFail hook runs when the sync fails', async () => {
    const s = await hookFixture();
    s.addFile(
      'sync-fail-hook.yaml',
      `
apiVersion: v1
kind: Pod
metadata:
  annotations:
    argocd.argoproj.io/hook: SyncFail
  name: sync-fail-hook
spec:
  containers:
    - command:
        - "true"
      image: "quay.io/argoprojlabs/argocd-e2e-container:0.1"
      imagePullPolicy: IfNotPresent
      name: main
  restartPolicy: Never
`,
    );
    s.patchFile(
      'hook.yaml',
      `[{"op": "replace", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/hook": "PostSync"}}]`,
    );
    s.patchFile('hook.yaml', `[{"op": "replace", "path": "/spec/containers/0/command/0", "value": "false"}]`);
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Failed');
    resultIs(app, {
      version: 'v1',
      group: 'batch',
      kind: 'Job',
      namespace: s.dest,
      name: 'sync-fail-hook',
      message: await completeMessage(s, 'sync-fail-hook'),
      hookType: 'SyncFail',
      status: 'Synced',
      hookPhase: 'Succeeded',
      syncPhase: 'SyncFail',
      images: [E2E_IMAGE],
    });
  });

  // argo-cd test/e2e/hook_test.go TestHookDeletePolicyHookSucceededHookExit0
  it('TestHookDeletePolicyHookSucceededHookExit0: deletes the hook on success', async () => {
    const s = await hookFixture();
    s.patchFile(
      'hook.yaml',
      `[{"op": "add", "path": "/metadata/annotations/argocd.argoproj.io~1hook-delete-policy", "value": "HookSucceeded"}]`,
    );
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    await eventually(async () => {
      expect(await s.get('batch/v1', 'Job', 'hook')).toBeUndefined();
    }, 10_000);
  });

  // argo-cd test/e2e/hook_test.go TestHookDeletePolicyHookSucceededHookExit1
  it('TestHookDeletePolicyHookSucceededHookExit1: keeps a HookSucceeded hook that failed', async () => {
    const s = await hookFixture();
    s.patchFile(
      'hook.yaml',
      `[{"op": "add", "path": "/metadata/annotations/argocd.argoproj.io~1hook-delete-policy", "value": "HookSucceeded"}]`,
    );
    s.patchFile('hook.yaml', `[{"op": "replace", "path": "/spec/containers/0/command/0", "value": "false"}]`);
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Failed');
    expect(results(app)).toHaveLength(2);
    expect(await s.get('batch/v1', 'Job', 'hook')).toBeDefined();
  });

  // argo-cd test/e2e/hook_test.go TestHookDeletePolicyHookFailedHookExit0
  it('TestHookDeletePolicyHookFailedHookExit0: keeps a HookFailed hook that succeeded', async () => {
    const s = await hookFixture();
    s.patchFile(
      'hook.yaml',
      `[{"op": "add", "path": "/metadata/annotations/argocd.argoproj.io~1hook-delete-policy", "value": "HookFailed"}]`,
    );
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(results(app)).toHaveLength(2);
    expect(await s.get('batch/v1', 'Job', 'hook')).toBeDefined();
  });

  // argo-cd test/e2e/hook_test.go TestHookDeletePolicyHookFailedHookExit1
  it('TestHookDeletePolicyHookFailedHookExit1: deletes a HookFailed hook that failed', async () => {
    const s = await hookFixture();
    s.patchFile(
      'hook.yaml',
      `[{"op": "add", "path": "/metadata/annotations/argocd.argoproj.io~1hook-delete-policy", "value": "HookFailed"}]`,
    );
    s.patchFile('hook.yaml', `[{"op": "replace", "path": "/spec/containers/0/command/0", "value": "false"}]`);
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Failed');
    expect(results(app)).toHaveLength(2);
    await eventually(async () => {
      expect(await s.get('batch/v1', 'Job', 'hook')).toBeUndefined();
    }, 10_000);
  });

  // argo-cd test/e2e/hook_test.go TestHookBeforeHookCreation
  it('TestHookBeforeHookCreation: runs the hook again on the next sync, as a new object', async () => {
    const s = await hookFixture();
    s.patchFile(
      'hook.yaml',
      `[{"op": "add", "path": "/metadata/annotations/argocd.argoproj.io~1hook-delete-policy", "value": "BeforeHookCreation"}]`,
    );
    await s.createApp();
    const first = await s.sync();
    expect(first.status?.operationState?.phase).toBe('Succeeded');
    expect(results(first)).toHaveLength(2);
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
      expect(a.status?.health?.status).toBe('Healthy');
    });
    const hook1 = await s.get('batch/v1', 'Job', 'hook');
    expect(hook1?.metadata.creationTimestamp).toBeTruthy();
    // pause to ensure that the timestamp will change
    await new Promise((r) => setTimeout(r, 1_000));

    const second = await s.sync();
    expect(second.status?.operationState?.phase).toBe('Succeeded');
    expect(results(second)).toHaveLength(2);
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
      expect(a.status?.health?.status).toBe('Healthy');
    });
    const hook2 = await s.get('batch/v1', 'Job', 'hook');
    expect(hook2?.metadata.creationTimestamp).toBeTruthy();
    expect(hook2?.metadata.creationTimestamp).not.toBe(hook1?.metadata.creationTimestamp);
    expect(hook2?.metadata.uid).not.toBe(hook1?.metadata.uid);
  });

  // Not upstream: TestHookBeforeHookCreation with an old hook that takes a while to go (held by a
  // finalizer), so the operation's steps meet it while it is terminating.
  it('BeforeHookCreation waits for the old hook to go before creating the new one', async () => {
    const s = await hookFixture();
    await s.createApp();
    expect((await s.sync()).status?.operationState?.phase).toBe('Succeeded');
    const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'hook', namespace: s.dest };
    const old = await withoutHookFinalizer(s, 'Job', 'hook').then(() => client.get(ref));
    await client.patch(ref, { metadata: { finalizers: ['slipway.dev/test-hold'] } }, { type: 'merge' });
    cleanups.push(async () => {
      const live = await client.get(ref);
      if (live?.metadata.uid === old?.metadata.uid && live?.metadata.finalizers?.length)
        await client.patch(ref, { metadata: { finalizers: null } }, { type: 'merge' });
    });

    const done = await s.requestSync();
    await eventually(async () => {
      expect((await client.get(ref))?.metadata.deletionTimestamp).toBeDefined();
    }, 30_000);
    // Several steps of the operation see the old hook terminating; the sync keeps waiting.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await s.app()).status?.operationState?.phase).toBe('Running');
    await client.patch(ref, { metadata: { finalizers: null } }, { type: 'merge' });
    const app = await done();
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(results(app)).toHaveLength(2);
    const hook = await s.get('batch/v1', 'Job', 'hook');
    expect(hook?.metadata.uid).toBeDefined();
    expect(hook?.metadata.uid).not.toBe(old?.metadata.uid);
  });

  // argo-cd test/e2e/hook_test.go TestHookSkip
  it('TestHookSkip: never creates a resource annotated Skip', async () => {
    const s = await hookFixture();
    // should not create this pod
    s.patchFile(
      'pod.yaml',
      `[{"op": "replace", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/hook": "Skip"}}]`,
    );
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(results(app)).toHaveLength(1);
    expect(await s.get('batch/v1', 'Job', 'pod')).toBeUndefined();
  });

  // argo-cd test/e2e/hook_test.go TestAutomaticallyNamingUnnamedHook
  it('TestAutomaticallyNamingUnnamedHook: names a hook that has no name, per phase', async () => {
    const s = await hookFixture();
    s.patchFile('hook.yaml', `[{"op": "remove", "path": "/metadata/name"}]`);
    // make this part of two sync tasks
    s.patchFile(
      'hook.yaml',
      `[{"op": "replace", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/hook": "PreSync,PostSync"}}]`,
    );
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
    });
    const resources = results(app);
    expect(resources).toHaveLength(3);
    // make sure we don't use the same name
    expect(resources[0]?.name ?? '').toContain('presync');
    expect(resources[2]?.name ?? '').toContain('postsync');
  });

  // argo-cd test/e2e/hook_test.go TestSyncHookResourceFailure
  it('TestSyncHookResourceFailure: a Deployment that never gets ready still syncs Succeeded', async () => {
    const s = await given('hook-and-deployment');
    // The readiness probe keeps the pod unready on a kubelet; KWOK makes every pod ready, so keep
    // it unscheduled instead.
    s.patchFile(
      'deployment.yaml',
      JSON.stringify([{ op: 'add', path: '/spec/template/spec/nodeSelector', value: UNSCHEDULABLE }]),
    );
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
      expect(a.status?.health?.status).toBe('Progressing');
    });
  });

  // argo-cd test/e2e/hook_test.go TestPostSyncHookPodFailure
  it('TestPostSyncHookPodFailure: a failed resource keeps the PostSync hook from running', async () => {
    const s = await hookFixture();
    s.patchFile(
      'hook.yaml',
      `[{"op": "add", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/hook": "PostSync"}}]`,
    );
    // make pod fail
    s.patchFile('pod.yaml', `[{"op": "replace", "path": "/spec/containers/0/command/0", "value": "false"}]`);
    await s.createApp();
    const app = await s.sync();
    expect(results(app)).toHaveLength(1);
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('Synced');
      expect(resource(a, 'Job', 'pod')?.status).toBe('Synced');
      expect(resource(a, 'Job', 'pod')?.health?.status).toBe('Degraded');
    });
    expect(await s.get('batch/v1', 'Job', 'hook')).toBeUndefined();
  });

  // argo-cd test/e2e/hook_test.go TestSyncFailHookPodFailureSyncFailFailure
  it('TestSyncFailHookPodFailureSyncFailFailure: a failing SyncFail hook is marked Failed', async () => {
    const s = await hookFixture();
    const syncFailHook = (name: string, command: string) => `
apiVersion: v1
kind: Pod
metadata:
  annotations:
    argocd.argoproj.io/hook: SyncFail
  name: ${name}
spec:
  containers:
    - command:
        - "${command}"
      image: "quay.io/argoprojlabs/argocd-e2e-container:0.1"
      imagePullPolicy: IfNotPresent
      name: main
  restartPolicy: Never
`;
    s.addFile('successful-sync-fail-hook.yaml', syncFailHook('successful-sync-fail-hook', 'true'));
    s.addFile('failed-sync-fail-hook.yaml', syncFailHook('failed-sync-fail-hook', 'false'));
    s.patchFile(
      'hook.yaml',
      `[{"op": "replace", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/hook": "PostSync"}}]`,
    );
    s.patchFile('hook.yaml', `[{"op": "replace", "path": "/spec/containers/0/command/0", "value": "false"}]`);
    await s.createApp();
    const app = await s.sync();
    expect(results(app)).toHaveLength(4);
    resultIs(app, {
      version: 'v1',
      group: 'batch',
      kind: 'Job',
      namespace: s.dest,
      name: 'successful-sync-fail-hook',
      images: [E2E_IMAGE],
      status: 'Synced',
      message: await completeMessage(s, 'successful-sync-fail-hook'),
      hookType: 'SyncFail',
      hookPhase: 'Succeeded',
      syncPhase: 'SyncFail',
    });
    resultIs(app, {
      version: 'v1',
      group: 'batch',
      kind: 'Job',
      namespace: s.dest,
      name: 'failed-sync-fail-hook',
      images: [E2E_IMAGE],
      status: 'Synced',
      message: DEADLINE_MESSAGE,
      hookType: 'SyncFail',
      hookPhase: 'Failed',
      syncPhase: 'SyncFail',
    });
    expect(app.status?.operationState?.phase).toBe('Failed');
    await withoutHookFinalizer(s, 'Job', 'failed-sync-fail-hook');
  });

  // argo-cd test/e2e/hook_test.go TestNamingNonHookResource
  it('TestNamingNonHookResource: does not name a resource that is not a hook', async () => {
    const s = await hookFixture();
    s.patchFile('pod.yaml', `[{"op": "remove", "path": "/metadata/name"}]`);
    await s.createApp();
    const app = await s.sync();
    expect(app.status?.operationState?.phase).toBe('Failed');
    // It fails because the resource has no name: Slipway does not make one up for it.
    expect(app.status?.operationState?.message).toBe('one or more objects failed to apply (dry run)');
    expect(results(app).find((r) => r.kind === 'Job' && r.hookType === undefined)).toMatchObject({
      name: '',
      status: 'SyncFailed',
    });
  });

  // argo-cd test/e2e/diff_test.go TestHookDiff
  it('TestHookDiff: hooks do not appear in `app diff`', async () => {
    const s = await hookFixture();
    await s.createApp();
    await s.expect((a) => {
      expect(a.status?.sync?.status).toBe('OutOfSync');
    });
    const row = (name: string) => new RegExp(`batch\\s+Job\\s+${s.dest}\\s+${name}\\s`);
    const diff = await cli(['app', 'diff', s.name, '-n', appNs.name]);
    expect(diff.out).toMatch(row('pod'));
    expect(diff.out).not.toMatch(row('hook'));
    // Not in upstream's test, but upstream's rule (`argocd app diff` skips hooks): a hook that is
    // live after a sync is not a difference either.
    s.patchFile('pod.yaml', `[{"op": "add", "path": "/metadata/labels", "value": {"changed": "yes"}}]`);
    await s.sync();
    s.commit('change pod');
    await s.expect(async (a) => {
      expect(resource(a, 'Job', 'hook')?.hook).toBe(true);
      expect(resource(a, 'Job', 'pod')?.status).toBe('OutOfSync');
    });
    const after = await cli(['app', 'diff', s.name, '-n', appNs.name]);
    expect(after.out).toMatch(row('pod'));
    expect(after.out).not.toMatch(row('hook'));
  });
});
