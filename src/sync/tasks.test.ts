/**
 * Vectors from gitops-engine `pkg/sync/sync_tasks_test.go`, `sync_task_test.go`,
 * `sync_context_test.go` (task building), `reconcile_test.go`, and Argo CD
 * `controller/state_test.go` (`NormalizeTargetObjects`), `controller/sync_namespace_test.go`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import {
  type BuildSyncTasksInput,
  buildSyncTasks,
  compareTasks,
  deletesBeforeCreation,
  deletesOnFailure,
  deletesOnSuccess,
  kindOrder,
  managedNamespaceTarget,
  mirrorPruneWaves,
  newSyncTask,
  normalizeTargetObjects,
  reconcile,
  resourceImages,
  type SyncTask,
  setResourceResult,
  sortSyncTasks,
  taskHookType,
  withExistingLive,
} from './tasks.ts';
import { annotate, FAKE_NS, newCRD, newHook, newNamespace, newPod, newService } from './testdata/objects.ts';

const STARTED = new Date('2024-05-01T00:00:00Z');

function build(partial: Partial<BuildSyncTasksInput>) {
  return buildSyncTasks({
    resources: [],
    hooks: [],
    namespace: FAKE_NS,
    revision: 'FooBarBaz',
    startedAt: STARTED,
    ...partial,
  });
}

function bare(fields: Record<string, unknown>): KubeObject {
  return { apiVersion: '', kind: '', metadata: {}, ...fields } as KubeObject;
}

describe('kind order', () => {
  it('Test_syncTasks_kindOrder', () => {
    expect(kindOrder('Namespace')).toBe(-35);
    expect(kindOrder('APIService')).toBe(-1);
    expect(kindOrder('MyCRD')).toBe(0);
  });
});

describe('compareTasks / sortSyncTasks', () => {
  // The twelve tasks of upstream's `unsortedTasks`, labelled by what makes each one distinct.
  const labelled: Array<[string, SyncTask]> = [
    ['Pod', newSyncTask('Sync', bare({ apiVersion: 'v1', kind: 'Pod' }), undefined)],
    ['Service', newSyncTask('Sync', bare({ apiVersion: 'v1', kind: 'Service' }), undefined)],
    [
      'PersistentVolume',
      newSyncTask('Sync', bare({ apiVersion: 'v1', kind: 'PersistentVolume' }), undefined),
    ],
    ['SyncFail', newSyncTask('SyncFail', bare({}), undefined)],
    [
      'wave 1',
      newSyncTask(
        'Sync',
        bare({ metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '1' } } }),
        undefined,
      ),
    ],
    ['b', newSyncTask('Sync', bare({ metadata: { name: 'b' } }), undefined)],
    ['a', newSyncTask('Sync', bare({ metadata: { name: 'a' } }), undefined)],
    [
      'wave -1',
      newSyncTask(
        'Sync',
        bare({ metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '-1' } } }),
        undefined,
      ),
    ],
    ['no kind', newSyncTask('Sync', bare({ apiVersion: 'v1' }), undefined)],
    ['PreSync', newSyncTask('PreSync', bare({}), undefined)],
    ['PostSync', newSyncTask('PostSync', bare({}), undefined)],
    ['ConfigMap', newSyncTask('Sync', bare({ apiVersion: 'v1', kind: 'ConfigMap' }), undefined)],
  ];

  it('TestSortSyncTask', () => {
    const sorted = [...labelled].sort(([, a], [, b]) => compareTasks(a, b)).map(([label]) => label);
    expect(sorted).toEqual([
      'PreSync',
      'wave -1',
      'ConfigMap',
      'PersistentVolume',
      'Service',
      'Pod',
      'no kind',
      'a',
      'b',
      'wave 1',
      'PostSync',
      'SyncFail',
    ]);
  });

  it('TestSyncNamespaceAgainstCRD', () => {
    const crd = newSyncTask('Sync', bare({ kind: 'Workflow' }), undefined);
    const namespace = newSyncTask('Sync', bare({ kind: 'Namespace' }), undefined);
    expect([crd, namespace].sort(compareTasks)).toEqual([namespace, crd]);
  });

  it('TestSyncTasksSort_NamespaceAndObjectInNamespace', () => {
    const hook1 = newSyncTask(
      'PreSync',
      bare({ kind: 'Job', metadata: { namespace: 'myNamespace1', name: 'mySyncHookJob1' } }),
      undefined,
    );
    const hook2 = newSyncTask(
      'PreSync',
      bare({ kind: 'Job', metadata: { namespace: 'myNamespace2', name: 'mySyncHookJob2' } }),
      undefined,
    );
    const ns = (name: string, wave: string) =>
      newSyncTask(
        'Sync',
        bare({
          kind: 'Namespace',
          metadata: { name, annotations: { 'argocd.argoproj.io/sync-wave': wave } },
        }),
        undefined,
      );
    const sorted = sortSyncTasks([hook1, hook2, ns('myNamespace1', '1'), ns('myNamespace2', '2')]);
    expect(sorted.map((t) => t.key.name)).toEqual([
      'myNamespace1',
      'mySyncHookJob1',
      'myNamespace2',
      'mySyncHookJob2',
    ]);
    // The namespaces took their dependents' phase and wave.
    expect([sorted[0]?.phase, sorted[0]?.wave, sorted[2]?.phase, sorted[2]?.wave]).toEqual([
      'PreSync',
      0,
      'PreSync',
      0,
    ]);
  });

  it('TestSyncTasksSort_CRDAndCR', () => {
    const cr = newSyncTask('PreSync', bare({ kind: 'Workflow', apiVersion: 'argoproj.io/v1' }), undefined);
    const crd = newSyncTask(
      'Sync',
      bare({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        spec: { group: 'argoproj.io', names: { kind: 'Workflow' } },
      }),
      undefined,
    );
    const sorted = sortSyncTasks([cr, crd]);
    expect(sorted.map((t) => t.key.kind)).toEqual(['CustomResourceDefinition', 'Workflow']);
    expect(sorted[0]?.phase).toBe('PreSync');
  });

  it('moves a prune-only namespace nowhere (prune tasks take no part in dependency fixes)', () => {
    const prunedNs = newSyncTask('Sync', undefined, newNamespace('gone'));
    const pod = newSyncTask('Sync', newPod('p', 'gone'), undefined);
    expect(sortSyncTasks([pod, prunedNs]).map((t) => t.key.kind)).toEqual(['Namespace', 'Pod']);
  });
});

describe('task predicates (sync_task_test.go)', () => {
  const hookWith = (type: string, policy: string) =>
    annotate(
      annotate(newPod(), 'argocd.argoproj.io/hook', type),
      'argocd.argoproj.io/hook-delete-policy',
      policy,
    );

  it('Test_syncTask_hookType', () => {
    expect(taskHookType(newSyncTask('Sync', undefined, newPod()))).toBeUndefined();
    expect(
      taskHookType(newSyncTask('PreSync', undefined, newHook('hook', 'PreSync', 'BeforeHookCreation'))),
    ).toBe('PreSync');
    expect(taskHookType(newSyncTask('Sync', undefined, newHook('hook', 'Sync', 'BeforeHookCreation')))).toBe(
      'Sync',
    );
    expect(
      taskHookType(newSyncTask('PostSync', undefined, newHook('hook', 'PostSync', 'BeforeHookCreation'))),
    ).toBe('PostSync');
  });

  it('Test_syncTask_deleteOnPhaseCompletion', () => {
    expect(deletesOnSuccess(newSyncTask('Sync', undefined, newPod()))).toBe(false);
    expect(deletesOnSuccess(newSyncTask('Sync', undefined, hookWith('Sync', 'HookSucceeded')))).toBe(true);
    expect(deletesOnFailure(newSyncTask('Sync', undefined, hookWith('Sync', 'HookFailed')))).toBe(true);
  });

  it('Test_syncTask_deleteBeforeCreation', () => {
    expect(deletesBeforeCreation(newSyncTask('Sync', undefined, newPod()))).toBe(false);
    // must be hook
    expect(
      deletesBeforeCreation(
        newSyncTask(
          'Sync',
          undefined,
          annotate(newPod(), 'argocd.argoproj.io/hook-delete-policy', 'BeforeHookCreation'),
        ),
      ),
    ).toBe(false);
    // no need to delete if no live obj
    expect(
      deletesBeforeCreation(newSyncTask('Sync', hookWith('Sync', 'BeforeHookCreation'), undefined)),
    ).toBe(false);
    expect(
      deletesBeforeCreation(newSyncTask('Sync', undefined, hookWith('Sync', 'BeforeHookCreation'))),
    ).toBe(true);
  });

  it('Test_syncTask_wave', () => {
    expect(newSyncTask('Sync', newPod(), undefined).wave).toBe(0);
    expect(newSyncTask('Sync', annotate(newPod(), 'argocd.argoproj.io/sync-wave', '1'), undefined).wave).toBe(
      1,
    );
  });
});

describe('buildSyncTasks (sync_context_test.go)', () => {
  it('TestSelectiveSyncOnly', () => {
    const built = build({
      resources: [{ target: newPod('pod-1') }, { target: newPod('pod-2') }],
      include: (key) => key.kind === 'Pod' && key.name === 'pod-1',
    });
    expect(built.valid).toBe(true);
    expect(built.tasks.map((t) => t.key.name)).toEqual(['pod-1']);
  });

  it('TestUnnamedHooksGetUniqueNames: Truncated revision', () => {
    const pod = annotate(newPod(''), 'argocd.argoproj.io/hook', 'PreSync,PostSync');
    const built = build({ hooks: [pod] });
    expect(built.tasks).toHaveLength(2);
    expect(built.tasks[0]?.key.name).toContain('foobarb-presync-');
    expect(built.tasks[1]?.key.name).toContain('foobarb-postsync-');
    expect(pod.metadata.name).toBe('');
  });

  it('TestUnnamedHooksGetUniqueNames: Short revision', () => {
    const pod = annotate(newPod(''), 'argocd.argoproj.io/hook', 'PreSync,PostSync');
    const built = build({ hooks: [pod], revision: 'foobar' });
    expect(built.tasks[0]?.key.name).toContain('foobar-presync-');
    expect(built.tasks[1]?.key.name).toContain('foobar-postsync-');
  });

  it('generated hook names end in the operation start in unix seconds', () => {
    const pod = annotate(
      { ...newPod(''), metadata: { generateName: 'migrate-' } },
      'argocd.argoproj.io/hook',
      'PreSync',
    );
    expect(build({ hooks: [pod] }).tasks[0]?.key.name).toBe(
      `migrate-foobarb-presync-${STARTED.getTime() / 1000}`,
    );
  });

  it('hooks get the hook finalizer once', () => {
    const built = build({ hooks: [newHook('h', 'Sync', 'HookSucceeded')] });
    expect(built.tasks[0]?.target?.metadata.finalizers).toEqual(['argocd.argoproj.io/hook-finalizer']);
  });

  it('TestManagedResourceAreNotNamed', () => {
    const pod = newPod('');
    const built = build({ resources: [{ target: pod }] });
    expect(built.tasks).toHaveLength(1);
    expect(built.tasks[0]?.key.name).toBe('');
  });

  it('TestDeDupingTasks', () => {
    const pod = annotate(newPod(), 'argocd.argoproj.io/hook', 'Sync');
    expect(build({ resources: [{ target: pod }], hooks: [pod] }).tasks).toHaveLength(1);
  });

  it('TestObjectsGetANamespace', () => {
    const pod = newPod();
    const built = build({ resources: [{ target: pod }] });
    expect(built.tasks[0]?.key.namespace).toBe(FAKE_NS);
    expect(built.tasks[0]?.id).toBe(`/Pod/${FAKE_NS}/my-pod:Sync`);
    expect(pod.metadata.namespace).toBeUndefined();
  });

  it('TestDoNotSyncOrPruneHooks: hooks among resources are neither applied nor pruned', () => {
    const target = annotate(newPod('do-not-create-me'), 'argocd.argoproj.io/hook', 'PreSync');
    const live = annotate(newService('do-not-prune-me', FAKE_NS), 'argocd.argoproj.io/hook', 'PreSync');
    expect(build({ resources: [{ target }, { live }], skipHooks: true }).tasks).toEqual([]);
  });

  it('a Skip resource yields no task', () => {
    const pod = annotate(newPod(), 'argocd.argoproj.io/hook', 'Skip');
    expect(build({ resources: [{ target: pod }] }).tasks).toEqual([]);
  });

  describe('TestNamespaceAutoCreation', () => {
    it('no pre-sync task if resource is managed', () => {
      const built = build({
        resources: [{ target: newNamespace(FAKE_NS) }],
        createNamespace: { live: undefined },
      });
      expect(built.tasks).toHaveLength(1);
      expect(built.tasks[0]?.phase).toBe('Sync');
    });

    it('pre-sync task when resource is not managed', () => {
      const built = build({ resources: [{ target: newPod() }], createNamespace: { live: undefined } });
      expect(built.tasks).toHaveLength(2);
      const ns = built.tasks[0];
      expect([ns?.phase, ns?.key.kind, ns?.key.name, ns?.key.namespace]).toEqual([
        'PreSync',
        'Namespace',
        FAKE_NS,
        '',
      ]);
      expect(ns?.target).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FAKE_NS } });
    });

    it('pre-sync task when resource is not managed with existing sync', () => {
      const built = build({
        resources: [{ target: newPod() }],
        createNamespace: { live: undefined },
        results: [
          {
            group: '',
            version: 'v1',
            kind: 'Namespace',
            namespace: '',
            name: FAKE_NS,
            syncPhase: 'PreSync',
            status: 'Synced',
            hookPhase: 'Running',
          },
        ],
      });
      expect(built.tasks).toHaveLength(2);
      expect(built.tasks[0]?.operationState).toBe('Running');
    });

    it('no pre-sync task created if no modifier', () => {
      expect(build({ resources: [{ target: newPod() }] }).tasks).toHaveLength(1);
    });

    it('TestNamespaceAutoCreationForNonExistingNs: an existing namespace without managed metadata needs no task', () => {
      const built = build({
        resources: [{ target: newPod() }],
        createNamespace: { live: newNamespace(FAKE_NS) },
      });
      expect(built.tasks).toHaveLength(1);
    });

    it('pre-sync task error should be created if looking up the namespace fails', () => {
      const built = build({
        resources: [{ target: newPod() }],
        createNamespace: { live: { error: 'connection refused' } },
      });
      expect(built.valid).toBe(true);
      expect(built.tasks).toHaveLength(2);
      expect(built.tasks[0]).toMatchObject({
        phase: 'PreSync',
        syncStatus: 'SyncFailed',
        operationState: 'Error',
        message: 'namespace auto creation failed: connection refused',
      });
    });

    it('managed namespace metadata updates an existing namespace', () => {
      const built = build({
        resources: [{ target: newPod() }],
        createNamespace: { live: newNamespace(FAKE_NS), managedNamespaceMetadata: { labels: { team: 'a' } } },
      });
      expect(built.tasks[0]?.target?.metadata).toEqual({
        name: FAKE_NS,
        labels: { team: 'a' },
        annotations: { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' },
      });
      expect(built.tasks[0]?.live?.metadata.name).toBe(FAKE_NS);
    });
  });

  // TestSyncCustomResources: [name, skipDryRunAnnotation, appLevelSkip, crdAlreadyPresent, crdInSameSync, wantDryRun, wantSuccess]
  it.each([
    ['unknown crd', false, false, false, false, true, false],
    ['crd present in same sync', false, false, false, true, false, true],
    ['crd is already present in cluster', false, false, true, false, true, true],
    ['crd is already present in cluster, skip dry run annotated', true, false, true, false, true, true],
    ['unknown crd, skip dry run annotated', true, false, false, false, false, true],
    ['unknown crd, skip dry run annotated on app level', false, true, false, false, false, true],
  ])(
    'TestSyncCustomResources: %s',
    (_name, annotated, appLevel, present, inSync, wantDryRun, wantSuccess) => {
      const cr: KubeObject = { apiVersion: 'test.io/v1', kind: 'TestCrd', metadata: { name: 'my-resource' } };
      if (annotated) annotate(cr, 'argocd.argoproj.io/sync-options', 'SkipDryRunOnMissingResource=true');
      const resources = [{ target: cr }, ...(inSync ? [{ target: newCRD() }] : [])];
      const built = build({
        resources,
        skipDryRunOnMissingResource: appLevel,
        discovery: (group, _version, kind) =>
          group === 'test.io' && kind === 'TestCrd' && !present ? { kind: 'missing' } : { kind: 'served' },
      });
      expect(built.valid).toBe(wantSuccess);
      const task = built.tasks.find((t) => t.key.kind === 'TestCrd');
      expect(!task?.skipDryRun).toBe(wantDryRun);
      if (!wantSuccess) expect(task?.message).toBe('TestCrd.test.io "" not found');
    },
  );

  it('TestSyncNotPermittedNamespace', () => {
    const built = build({
      resources: [{ target: newPod('p', 'kube-system') }, { target: newService() }],
      permission: () => 'not permitted in project',
    });
    expect(built.valid).toBe(false);
    expect(built.results[0]?.message).toContain('not permitted in project');
    expect(built.results[0]?.status).toBe('SyncFailed');
  });

  it('TestSync_getSyncTasks_FailureMessage: a discovery error fails the task with its message', () => {
    const built = build({
      resources: [{ target: newService('test-service', FAKE_NS), live: newService('test-service', FAKE_NS) }],
      discovery: () => ({ kind: 'error', message: 'discovery failed' }),
    });
    expect(built.valid).toBe(false);
    expect(built.results).toEqual([
      {
        group: '',
        version: 'v1',
        kind: 'Service',
        namespace: FAKE_NS,
        name: 'test-service',
        syncPhase: 'Sync',
        status: 'SyncFailed',
        message: 'discovery failed',
      },
    ]);
  });

  describe('TestWaveReorderingOfPruneTasks', () => {
    const waves = (pairs: Array<[KubeObject | undefined, KubeObject | undefined]>, pruneLast = false) =>
      Object.fromEntries(
        build({ resources: pairs.map(([target, live]) => ({ target, live })), pruneLast }).tasks.map((t) => [
          t.key.name,
          t.wave,
        ]),
      );
    const objs = (annotations: Record<string, Record<string, string>>) => {
      const make = (name: string) => {
        const obj = name === 'ns' ? newNamespace('ns') : newPod(name);
        obj.metadata.annotations = annotations[name] ?? {};
        return obj;
      };
      return Object.fromEntries(
        ['ns', 'pod-1', 'pod-2', 'pod-3', 'pod-4', 'pod-5', 'pod-6', 'pod-7'].map((n) => [n, make(n)]),
      ) as Record<string, KubeObject>;
    };

    it('same wave: no prune tasks, all prune tasks, mixed: no change', () => {
      const o = objs({});
      const all = ['ns', 'pod-1', 'pod-2', 'pod-3', 'pod-4'];
      const zero = Object.fromEntries(all.map((n) => [n, 0]));
      expect(waves(all.map((n) => [o[n], undefined]))).toEqual(zero);
      expect(waves(all.map((n) => [undefined, o[n]]))).toEqual(zero);
      expect(
        waves([
          [o.ns, o.ns],
          [undefined, o['pod-1']],
          [o['pod-2'], undefined],
          [undefined, o['pod-3']],
          [undefined, o['pod-4']],
        ]),
      ).toEqual(zero);
    });

    const wave = (w: string) => ({ 'argocd.argoproj.io/sync-wave': w });
    const different = () =>
      objs({ ns: wave('0'), 'pod-1': wave('1'), 'pod-2': wave('2'), 'pod-3': wave('3'), 'pod-4': wave('4') });

    it('differentWave_noPruneTasks', () => {
      const o = different();
      expect(waves(['ns', 'pod-1', 'pod-2', 'pod-3', 'pod-4'].map((n) => [o[n], undefined]))).toEqual({
        ns: 0,
        'pod-1': 1,
        'pod-2': 2,
        'pod-3': 3,
        'pod-4': 4,
      });
    });

    it('differentWave_allPruneTasks', () => {
      const o = different();
      expect(waves(['ns', 'pod-1', 'pod-2', 'pod-3', 'pod-4'].map((n) => [undefined, o[n]]))).toEqual({
        ns: 4,
        'pod-1': 3,
        'pod-2': 2,
        'pod-3': 1,
        'pod-4': 0,
      });
    });

    it('differentWave_mixedTasks', () => {
      const o = different();
      expect(
        waves([
          [o.ns, o.ns],
          [undefined, o['pod-1']],
          [o['pod-2'], undefined],
          [undefined, o['pod-3']],
          [undefined, o['pod-4']],
        ]),
      ).toEqual({
        'pod-1': 4,
        'pod-3': 3,
        'pod-4': 1,
        ns: 0,
        'pod-2': 2,
      });
    });

    const pruneLastObjs = () => {
      const o = different();
      annotate(o['pod-2'] as KubeObject, 'argocd.argoproj.io/sync-options', 'PruneLast=true');
      return o;
    };
    const pruneAllButNs = (o: Record<string, KubeObject>) =>
      [[o.ns, o.ns], ...['pod-1', 'pod-2', 'pod-3', 'pod-4'].map((n) => [undefined, o[n]])] as Array<
        [KubeObject | undefined, KubeObject | undefined]
      >;

    it('pruneLast', () => {
      expect(waves(pruneAllButNs(pruneLastObjs()), true)).toEqual({
        'pod-1': 5,
        'pod-2': 5,
        'pod-3': 5,
        'pod-4': 5,
        ns: 0,
      });
    });

    it('pruneLastIndividualResources', () => {
      expect(waves(pruneAllButNs(pruneLastObjs()), false)).toEqual({
        'pod-1': 4,
        'pod-2': 5,
        'pod-3': 2,
        'pod-4': 1,
        ns: 0,
      });
    });

    it('mixedTasks', () => {
      const o = objs({
        ns: wave('-1'),
        'pod-1': wave('1'),
        'pod-2': wave('3'),
        'pod-3': wave('3'),
        'pod-4': wave('3'),
        'pod-5': wave('4'),
        'pod-6': wave('5'),
        'pod-7': wave('5'),
      });
      const targets = [o.ns, undefined, o['pod-2'], undefined, undefined, undefined, o['pod-6'], undefined];
      const lives = [o.ns, o['pod-1'], undefined, o['pod-3'], o['pod-4'], o['pod-5'], o['pod-6'], o['pod-7']];
      expect(waves(targets.map((t, i) => [t, lives[i]]))).toEqual({
        'pod-1': 5,
        'pod-3': 4,
        'pod-4': 4,
        'pod-5': 3,
        'pod-7': 1,
        ns: -1,
        'pod-2': 3,
        'pod-6': 5,
      });
    });
  });

  describe('TestPruneLast', () => {
    const lastWave = (pods: KubeObject[], pruneLast: boolean) => {
      const built = build({
        resources: [{ target: pods[0] }, { live: pods[1] }, { live: pods[2] }],
        pruneLast,
      });
      return built.tasks[built.tasks.length - 1]?.wave;
    };

    it('syncPhaseSameWave', () => {
      expect(lastWave([newPod('pod-1'), newPod('pod-2'), newPod('pod-3')], true)).toBe(1);
    });

    it('syncPhaseDifferentWave', () => {
      const pods = [
        annotate(newPod('pod-1'), 'argocd.argoproj.io/sync-wave', '2'),
        annotate(newPod('pod-2'), 'argocd.argoproj.io/sync-wave', '1'),
        annotate(newPod('pod-3'), 'argocd.argoproj.io/sync-wave', '7'),
      ];
      expect(lastWave(pods, true)).toBe(8);
    });

    it('pruneLastIndividualResources', () => {
      const pods = [
        annotate(newPod('pod-1'), 'argocd.argoproj.io/sync-wave', '2'),
        annotate(
          annotate(newPod('pod-2'), 'argocd.argoproj.io/sync-wave', '1'),
          'argocd.argoproj.io/sync-options',
          'PruneLast=true',
        ),
        annotate(
          annotate(newPod('pod-3'), 'argocd.argoproj.io/sync-wave', '7'),
          'argocd.argoproj.io/sync-options',
          'PruneLast=true',
        ),
      ];
      expect(lastWave(pods, false)).toBe(8);
    });
  });

  it('restores task state from stored results and attaches live health', () => {
    const pod = newPod('p', FAKE_NS);
    const built = build({
      resources: [{ target: pod, live: pod }],
      results: [
        {
          group: '',
          version: 'v1',
          kind: 'Pod',
          namespace: FAKE_NS,
          name: 'p',
          syncPhase: 'Sync',
          status: 'Synced',
          hookPhase: 'Running',
          message: 'pod/p created',
        },
      ],
      health: () => ({ status: 'Progressing', message: 'starting' }),
    });
    expect(built.tasks[0]).toMatchObject({
      syncStatus: 'Synced',
      operationState: 'Running',
      message: 'pod/p created',
      liveHealth: { status: 'Progressing', message: 'starting' },
    });
  });

  it('hooks find their live object among managed resources (cluster-scoped keys match any namespace)', () => {
    const hook = newHook('hook-1', 'Sync', 'BeforeHookCreation');
    const built = build({ resources: [{ live: hook }], hooks: [hook] });
    expect(built.tasks).toHaveLength(1);
    expect(built.tasks[0]?.live).toBe(hook);
  });

  it('a BeforeHookCreation hook whose old object is being deleted skips the dry run, others do not', () => {
    const hook = newHook('hook-1', 'Sync', 'BeforeHookCreation');
    const terminating = structuredClone(hook);
    terminating.metadata.deletionTimestamp = '2024-05-01T00:00:01Z';
    expect(build({ resources: [{ live: terminating }], hooks: [hook] }).tasks[0]?.skipDryRun).toBe(true);
    expect(build({ resources: [{ live: hook }], hooks: [hook] }).tasks[0]?.skipDryRun).toBe(false);
    const kept = newHook('hook-2', 'Sync', 'HookFailed');
    const keptTerminating = structuredClone(kept);
    keptTerminating.metadata.deletionTimestamp = '2024-05-01T00:00:01Z';
    expect(build({ resources: [{ live: keptTerminating }], hooks: [kept] }).tasks[0]?.skipDryRun).toBe(false);
  });
});

describe('setResourceResult', () => {
  it('appends in order of first appearance and keeps the old message when the new one is empty', () => {
    const a = newSyncTask('Sync', newPod('a', 'ns'), undefined);
    const b = newSyncTask('Sync', newService('b', 'ns'), undefined);
    let r = setResourceResult([], a, 'Synced', 'Running', 'pod/a created');
    r = setResourceResult(r.results, b, 'Synced', 'Running', '');
    r = setResourceResult(r.results, a, 'Synced', 'Succeeded', '');
    expect(r.results.map((x) => [x.name, x.hookPhase, x.message])).toEqual([
      ['a', 'Succeeded', 'pod/a created'],
      ['b', 'Running', undefined],
    ]);
    expect(r.results[0]?.images).toEqual(['nginx:1.7.9']);
  });
});

describe('resourceImages (kube_test.go TestGetResourceImages)', () => {
  it.each([
    [
      'deployment with two containers',
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'nginx', image: 'nginx:1.7.9' },
                { name: 'agent', image: 'agent:1.0.0' },
              ],
            },
          },
        },
      },
      ['nginx:1.7.9', 'agent:1.0.0'],
    ],
    [
      'pod with containers',
      { spec: { containers: [{ image: 'nginx:1.21' }, { image: 'busybox:1.35' }] } },
      ['nginx:1.21', 'busybox:1.35'],
    ],
    [
      'cronjob with containers',
      {
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: 'busybox:1.28' }] } } } } },
      },
      ['busybox:1.28'],
    ],
    ['configmap without containers', { data: { a: 'b' } }, []],
    ['deployment without containers', { spec: { template: { spec: { volumes: [] } } } }, []],
    [
      'deployment with container without image',
      { spec: { template: { spec: { containers: [{ name: 'x' }] } } } },
      [],
    ],
  ])('%s', (_name, body, expected) => {
    expect(resourceImages({ apiVersion: 'v1', kind: 'X', metadata: {}, ...body })).toEqual(expected);
  });
});

describe('withExistingLive (GetManagedLiveObjs: targets that exist but are not tracked by the app)', () => {
  it('pairs untracked targets with the cluster’s object and never adds prune candidates', () => {
    const reconciled = reconcile(
      [newPod('tracked', 'dest'), newPod('other-owner', 'dest'), newPod('new', 'dest')],
      [newPod('tracked', 'dest'), newPod('gone', 'dest')],
      'dest',
      () => true,
    );
    const cluster = new Map([
      [
        'other-owner',
        annotate(newPod('other-owner', 'dest'), 'argocd.argoproj.io/tracking-id', 'b:/Pod:dest/other-owner'),
      ],
      ['tracked', newPod('tracked', 'dest')],
      ['unrelated', newPod('unrelated', 'dest')],
    ]);
    const { reconciliation, found } = withExistingLive(reconciled, (t) => cluster.get(t.metadata.name ?? ''));
    expect(reconciliation.resources.map((p) => [p.target?.metadata.name, p.live?.metadata.name])).toEqual([
      ['tracked', 'tracked'],
      ['other-owner', 'other-owner'],
      ['new', undefined],
      [undefined, 'gone'],
    ]);
    expect(found.map((o) => o.metadata.name)).toEqual(['other-owner']);
    expect(reconciliation.hooks).toBe(reconciled.hooks);
  });
});

describe('reconcile (reconcile_test.go)', () => {
  it('TestReconcileWithUnknownDiscoveryDataForClusterScopedResources', () => {
    const target = newNamespace('my-namespace');
    const live = { ...newNamespace('my-namespace'), metadata: { name: 'my-namespace', uid: 'c99ff56d' } };
    const result = reconcile([target], [live], 'some-namespace', () => undefined);
    expect(result.resources).toEqual([{ target, live }]);
  });

  it('pairs namespaced targets in the destination namespace and leaves extras to prune', () => {
    const result = reconcile(
      [
        newPod('a'),
        annotate(newPod('h'), 'argocd.argoproj.io/hook', 'PreSync'),
        annotate(newPod('g'), 'argocd.argoproj.io/hook', 'Garbage'),
      ],
      [newPod('a', 'dest'), newPod('extra', 'dest')],
      'dest',
      () => true,
    );
    expect(result.resources.map((p) => [p.target?.metadata.name, p.live?.metadata.name])).toEqual([
      ['a', 'a'],
      [undefined, 'extra'],
    ]);
    expect(result.hooks.map((h) => h.metadata.name)).toEqual(['h']);
  });

  it('keeps one of two live objects with the same UID, preferring the one Git names', () => {
    const apps = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns', uid: 'u1' },
    };
    const ext = {
      apiVersion: 'extensions/v1beta1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns', uid: 'u1' },
    };
    const result = reconcile(
      [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }],
      [ext, apps],
      'ns',
      () => true,
    );
    expect(result.resources).toHaveLength(1);
    expect(result.resources[0]?.live).toBe(apps);
  });
});

describe('normalizeTargetObjects (state_test.go)', () => {
  const clusterRole = (verb: string): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'my-cluster-role' },
    rules: [{ verbs: [verb], resources: ['pods'] }],
  });

  it('Test_NormalizeTargetObjects_ClusterScopeTracking', () => {
    const seen: Array<string | undefined> = [];
    normalizeTargetObjects(
      [{ ...clusterRole('get'), metadata: { name: 'test', namespace: 'test' } }],
      'dest',
      () => false,
      (o) => {
        seen.push(o.metadata.namespace);
        return o;
      },
    );
    expect(seen).toEqual([undefined]);
  });

  it('Test_NormalizeTargetObjects_Deduplication', () => {
    const { objects, conditions } = normalizeTargetObjects(
      [clusterRole('get'), clusterRole('list'), clusterRole('watch')],
      'dest',
      () => false,
    );
    expect(objects).toHaveLength(1);
    expect(objects[0]?.rules).toEqual([{ verbs: ['watch'], resources: ['pods'] }]);
    expect(conditions).toEqual([
      {
        type: 'RepeatedResourceWarning',
        message:
          'Resource rbac.authorization.k8s.io/ClusterRole//my-cluster-role appeared 3 times among application resources.',
      },
    ]);
  });

  it('Test_NormalizeTargetObjects_GenerateName', () => {
    const pod = (): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'test-pod-', namespace: 'default' },
    });
    const { objects, conditions } = normalizeTargetObjects([pod(), pod()], 'dest', () => false);
    expect(objects).toHaveLength(2);
    expect(conditions).toEqual([]);
  });

  it('Test_NormalizeTargetObjects_NamespacedResourceWithTracking', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'my-config' },
      data: { key: 'value' },
    };
    let tracked = '';
    const { objects } = normalizeTargetObjects(
      [cm],
      'my-app-namespace',
      () => true,
      (o) => {
        tracked = o.metadata.namespace ?? '';
        return o;
      },
    );
    expect(tracked).toBe('my-app-namespace');
    expect(objects[0]?.metadata.namespace).toBe('my-app-namespace');
    expect(cm.metadata.namespace).toBeUndefined();
  });
});

describe('managedNamespaceTarget (sync_namespace_test.go Test_shouldNamespaceSync)', () => {
  const live = newNamespace('some-namespace');
  it.each([
    [
      'namespace does not yet exist and managedNamespaceMetadata nil',
      undefined,
      undefined,
      true,
      undefined,
      undefined,
    ],
    [
      'namespace does not yet exist and managedNamespaceMetadata not nil',
      undefined,
      {},
      true,
      undefined,
      { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' },
    ],
    [
      'namespace does not yet exist and managedNamespaceMetadata has labels',
      undefined,
      { labels: { 'my-cool-label': 'some-value' } },
      true,
      { 'my-cool-label': 'some-value' },
      { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' },
    ],
    [
      'namespace does not yet exist and managedNamespaceMetadata has annotations',
      undefined,
      { annotations: { 'my-cool-annotation': 'some-value' } },
      true,
      undefined,
      { 'my-cool-annotation': 'some-value', 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' },
    ],
    ['namespace exists and managedNamespaceMetadata nil', live, undefined, false, undefined, undefined],
    [
      'namespace exists and managedNamespaceMetadata has labels',
      live,
      { labels: { a: 'b' } },
      true,
      { a: 'b' },
      { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' },
    ],
  ] as const)('%s', (_name, liveNs, metadata, sync, labels, annotations) => {
    const result = managedNamespaceTarget('some-namespace', liveNs, metadata);
    expect(result.sync).toBe(sync);
    if (sync) {
      expect(result.target.metadata.labels).toEqual(labels);
      expect(result.target.metadata.annotations).toEqual(annotations);
    }
  });
});

describe('properties', () => {
  const taskArb = fc.record({
    phase: fc.constantFrom('PreSync', 'Sync', 'PostSync', 'SyncFail' as const),
    wave: fc.integer({ min: -3, max: 3 }),
    kind: fc.constantFrom('Namespace', 'ConfigMap', 'Service', 'Deployment', 'Job', 'MyCustomKind'),
  });

  it('the order of sorted tasks does not depend on the input order (distinct names)', () => {
    fc.assert(
      fc.property(fc.array(taskArb, { maxLength: 12 }), fc.integer(), (specs, seed) => {
        const tasks = specs.map((s, i) =>
          newSyncTask(
            s.phase as 'Sync',
            {
              apiVersion: 'v1',
              kind: s.kind,
              metadata: { name: `obj-${i}`, annotations: { 'argocd.argoproj.io/sync-wave': String(s.wave) } },
            },
            undefined,
          ),
        );
        const shuffled = [...tasks].sort(
          (a, b) => ((a.key.name.length * 31 + seed) % 7) - ((b.key.name.length * 17 + seed) % 5),
        );
        const names = (list: SyncTask[]) => [...list].sort(compareTasks).map((t) => t.id);
        expect(names(shuffled)).toEqual(names(tasks));
      }),
    );
  });

  it('mirroring prune waves twice restores them', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 10 }), (waves) => {
        const tasks = waves.map((w, i) =>
          newSyncTask(
            'Sync',
            undefined,
            annotate(newPod(`p${i}`), 'argocd.argoproj.io/sync-wave', String(w)),
          ),
        );
        expect(mirrorPruneWaves(mirrorPruneWaves(tasks)).map((t) => t.wave)).toEqual(waves);
      }),
    );
  });
});
