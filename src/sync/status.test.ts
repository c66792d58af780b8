/**
 * Vectors from Argo CD `controller/state_test.go` (`TestCompareAppState*`,
 * `Test_appStateManager_persistRevisionHistory`), `pkg/apis/application/v1alpha1/types_test.go`
 * (`TestRevisionHistories_Trunc`) and `controller/sync.go` / `controller/appcontroller.go` for the
 * operation state's shape.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { type Application, parseApplication, type RevisionHistory } from './application.ts';
import {
  appendHistory,
  computeSyncStatus,
  hasChangedManagedNamespaceMetadata,
  isOperationInProgress,
  newOperationState,
  newSyncOperationResult,
  qualifiedName,
  type SyncStatusInput,
  setConditions,
  sharedResourceConditions,
  shouldRecordHistory,
  summaryImages,
  syncPrecondition,
  truncateHistory,
  withStepOutcome,
} from './status.ts';
import { withManagedNamespaceTarget } from './tasks.ts';
import { annotate, newDeployment, newNamespace, newPod } from './testdata/objects.ts';
import { setAppInstance } from './tracking.ts';

const DEST = 'fake-dest-ns';
const tracked = (obj: KubeObject) => setAppInstance(obj, 'my-app', DEST);

function compare(resources: SyncStatusInput['resources'], extra: Partial<SyncStatusInput> = {}) {
  return computeSyncStatus({ resources, appName: 'my-app', destinationNamespace: DEST, ...extra });
}

describe('computeSyncStatus (CompareAppState)', () => {
  it('TestCompareAppStateMissing: a target missing from the cluster is OutOfSync', () => {
    const result = compare([{ target: tracked(newPod('my-pod', DEST)), modified: true }]);
    expect(result.status).toBe('OutOfSync');
    expect(result.resources).toEqual([
      { group: '', version: 'v1', kind: 'Pod', namespace: DEST, name: 'my-pod', status: 'OutOfSync' },
    ]);
    expect(result.conditions).toEqual([]);
  });

  it('TestCompareAppStateExtra: an extra live object is OutOfSync and requires pruning', () => {
    const result = compare([{ live: tracked(newPod('my-pod', DEST)), modified: false }]);
    expect(result.status).toBe('OutOfSync');
    expect(result.resources[0]).toMatchObject({ status: 'OutOfSync', requiresPruning: true });
  });

  it('an unmodified resource is Synced', () => {
    const pod = tracked(newPod('my-pod', DEST));
    expect(compare([{ target: pod, live: pod, modified: false }])).toMatchObject({
      status: 'Synced',
      resources: [{ status: 'Synced' }],
    });
  });

  it('TestCompareAppStateSkipHook: Skip resources have no status and keep the app Synced', () => {
    const pod = annotate(newPod('my-pod', DEST), 'argocd.argoproj.io/hook', 'Skip');
    const result = compare([{ target: pod, modified: true }]);
    expect(result.status).toBe('Synced');
    expect(result.resources).toHaveLength(1);
    expect(result.resources[0]?.status).toBeUndefined();
  });

  it('TestCompareAppStateExtraHook: an extra live hook has no status and keeps the app Synced', () => {
    const hook = tracked(annotate(newPod('my-pod', DEST), 'argocd.argoproj.io/hook', 'PreSync'));
    const result = compare([{ live: hook, modified: false }]);
    expect(result.status).toBe('Synced');
    expect(result.resources[0]).toMatchObject({ hook: true, requiresPruning: true });
    expect(result.resources[0]?.status).toBeUndefined();
  });

  it.each([
    ['Sync hook with wave 2', 'Sync', '2', 2],
    ['PreSync hook with wave 1', 'PreSync', '1', 1],
    ['PostSync hook with negative wave', 'PostSync', '-1', -1],
    ['Sync hook without explicit wave', 'Sync', '', 0],
  ])('TestCompareAppStateSyncHookSyncWave: %s', (_name, type, wave, expected) => {
    const hook = annotate(newPod('my-pod', DEST), 'argocd.argoproj.io/hook', type);
    if (wave !== '') annotate(hook, 'argocd.argoproj.io/sync-wave', wave);
    const result = compare([{ live: structuredClone(hook), modified: false }], { hooks: [hook] });
    expect(result.resources[0]?.hook).toBe(true);
    expect(result.resources[0]?.syncWave ?? 0).toBe(expected);
  });

  it('TestCompareAppStateRequireDeletion', () => {
    const pods = [
      annotate(newPod('my-pod-1', DEST), 'argocd.argoproj.io/sync-options', 'Delete=confirm'),
      annotate(newPod('my-pod-2', DEST), 'argocd.argoproj.io/sync-options', 'Prune=confirm'),
      newPod('my-pod-3', DEST),
    ].map(tracked);
    const result = compare(pods.map((p) => ({ target: p, live: p, modified: true })));
    expect(result.status).toBe('OutOfSync');
    expect(result.resources.filter((r) => r.requiresDeletionConfirmation)).toHaveLength(2);
  });

  it('TestCompareAppStateCompareOptionIgnoreExtraneous: the resource is OutOfSync, the app is not', () => {
    const pod = tracked(
      annotate(newPod('my-pod', DEST), 'argocd.argoproj.io/compare-options', 'IgnoreExtraneous'),
    );
    const result = compare([{ live: pod, modified: false }]);
    expect(result.status).toBe('Synced');
    expect(result.resources[0]?.status).toBe('OutOfSync');
  });

  it('a live object whose tracking id names another object is neither compared nor pruned', () => {
    const copy = setAppInstance(newPod('original', DEST), 'my-app', DEST);
    copy.metadata.name = 'copied-secret';
    const result = compare([{ live: copy, modified: false }]);
    expect(result.status).toBe('Synced');
    expect(result.resources[0]?.status).toBeUndefined();
    expect(result.resources[0]?.requiresPruning).toBeUndefined();
  });

  it('a resource the project does not permit is Unknown; failed manifests make everything Unknown', () => {
    const pod = tracked(newPod('p', DEST));
    expect(
      compare([{ target: pod, live: pod, modified: false, permitted: false }]).resources[0]?.status,
    ).toBe('Unknown');
    const failed = compare([{ target: pod, live: pod, modified: true }], { failedToLoad: true });
    expect(failed.status).toBe('Unknown');
    expect(failed.resources[0]?.status).toBe('Unknown');
  });

  it('a namespaced object without a namespace raises InvalidSpecError', () => {
    const result = compare([{ target: newDeployment('web'), modified: true }], { isNamespaced: () => true });
    expect(result.conditions).toEqual([
      { type: 'InvalidSpecError', message: 'Namespace for web apps/v1, Kind=Deployment is missing.' },
    ]);
  });

  it('changed managedNamespaceMetadata makes the app OutOfSync', () => {
    const pod = tracked(newPod('p', DEST));
    expect(
      compare([{ target: pod, live: pod, modified: false }], { managedNamespaceMetadataChanged: true })
        .status,
    ).toBe('OutOfSync');
  });

  it('TestCompareAppStateManagedNamespaceMetadataWithLiveNsDoesNotGetPruned', () => {
    const live = annotate(newNamespace(DEST), 'argocd.argoproj.io/sync-options', 'ServerSideApply=true');
    const targets = withManagedNamespaceTarget([], [live], DEST, {});
    expect(targets).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: DEST, annotations: { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' } },
      },
    ]);
    expect(withManagedNamespaceTarget([], [live], DEST, undefined)).toEqual([]);
    expect(withManagedNamespaceTarget([newNamespace(DEST)], [live], DEST, {})).toHaveLength(1);
    const result = compare([{ target: targets[0], live, modified: false }], { managedNamespaceMetadata: {} });
    expect(result.resources[0]?.status).toBe('Synced');
  });

  it('the managed namespace not yet created is not OutOfSync for being absent', () => {
    const result = compare([{ target: newNamespace(DEST), modified: true }], {
      managedNamespaceMetadata: {},
    });
    expect(result).toMatchObject({ status: 'Synced', resources: [{ status: 'Synced' }] });
  });
});

describe('hasChangedManagedNamespaceMetadata', () => {
  const app = (wanted: unknown, applied: unknown): Application =>
    parseApplication({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a' },
      spec: { destination: {}, syncPolicy: wanted === undefined ? {} : { managedNamespaceMetadata: wanted } },
      status: {
        operationState: {
          operation: {},
          phase: 'Succeeded',
          startedAt: '2024-05-01T00:00:00Z',
          syncResult: {
            revision: 'a',
            ...(applied === undefined ? {} : { managedNamespaceMetadata: applied }),
          },
        },
      },
    });
  it('compares spec with what the last sync applied', () => {
    expect(hasChangedManagedNamespaceMetadata(app({ labels: { a: '1' } }, { labels: { a: '1' } }))).toBe(
      false,
    );
    expect(hasChangedManagedNamespaceMetadata(app({ labels: { a: '2' } }, { labels: { a: '1' } }))).toBe(
      true,
    );
    expect(hasChangedManagedNamespaceMetadata(app({ labels: { a: '1' } }, undefined))).toBe(true);
    expect(hasChangedManagedNamespaceMetadata(app(undefined, { labels: { a: '1' } }))).toBe(false);
  });
});

describe('summaryImages', () => {
  it('collects containers and init containers of every pod spec, unique and sorted', () => {
    const cron: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'backup' },
      spec: {
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: 'r', image: 'restic/restic:0.16' }] } } },
        },
      },
    };
    const web = newDeployment('web');
    (web.spec as { template: { spec: Record<string, unknown> } }).template.spec.initContainers = [
      { name: 'migrate', image: 'ghcr.io/acme/migrate:1' },
    ];
    const pod = newPod('p');
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { image: 'not-an-image' },
    };
    expect(summaryImages([web, cron, pod, newDeployment('web2'), cm])).toEqual([
      'ghcr.io/acme/app:1.0.0',
      'ghcr.io/acme/migrate:1',
      'nginx:1.7.9',
      'restic/restic:0.16',
    ]);
  });
});

describe('history', () => {
  const entry = (i: number, revision = ''): RevisionHistory => ({
    id: i,
    revision,
    deployedAt: '2024-05-01T00:00:00Z',
  });

  it('TestRevisionHistories_Trunc', () => {
    expect(truncateHistory([], 1)).toEqual([]);
    expect(truncateHistory([entry(0)], 1)).toHaveLength(1);
    expect(truncateHistory([entry(0), entry(1)], 1)).toHaveLength(1);
    expect(truncateHistory([entry(0), entry(1), entry(2, 'my-revision')], 1)).toEqual([
      entry(2, 'my-revision'),
    ]);
    expect(truncateHistory([entry(0)], -1)).toEqual([]);
  });

  it('Test_appStateManager_persistRevisionHistory', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    let history: RevisionHistory[] = [];
    const add = (limit: number) => {
      history = appendHistory(
        history,
        { revision: 'my-revision', deployStartedAt: '2024-05-01T11:59:00Z' },
        now,
        limit,
      );
    };
    for (let i = 1; i <= 10; i++) {
      add(10);
      expect(history).toHaveLength(i);
    }
    add(10);
    expect(history).toHaveLength(10);
    add(11);
    expect(history).toHaveLength(11);
    add(9);
    expect(history).toHaveLength(9);
    expect(history[history.length - 1]).toEqual({
      id: 12,
      revision: 'my-revision',
      deployedAt: '2024-05-01T12:00:00Z',
      deployStartedAt: '2024-05-01T11:59:00Z',
    });
    add(-1);
    expect(history).toEqual([]);
  });

  it('records source and initiator; ids continue from the last entry', () => {
    const history = appendHistory(
      [entry(41)],
      {
        revision: 'abc',
        source: { repoURL: 'https://git/x', path: 'p' },
        deployStartedAt: 's',
        initiatedBy: { automated: true },
      },
      new Date('2024-05-01T00:00:00Z'),
      10,
    );
    expect(history[1]).toEqual({
      id: 42,
      revision: 'abc',
      source: { repoURL: 'https://git/x', path: 'p' },
      deployedAt: '2024-05-01T00:00:00Z',
      deployStartedAt: 's',
      initiatedBy: { automated: true },
    });
  });

  it('only successful, real, non-selective syncs are recorded', () => {
    expect(shouldRecordHistory({}, 'Succeeded')).toBe(true);
    expect(shouldRecordHistory({}, 'Failed')).toBe(false);
    expect(shouldRecordHistory({ dryRun: true }, 'Succeeded')).toBe(false);
    expect(shouldRecordHistory({ resources: [{ kind: 'Pod', name: 'p' }] }, 'Succeeded')).toBe(false);
  });
});

describe('operation state', () => {
  const app = parseApplication({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'a' },
    spec: {
      destination: { namespace: 'd' },
      source: { repoURL: 'https://git/x', path: 'p', targetRevision: 'main' },
    },
  });

  it('NewOperationState and newSyncOperationResult', () => {
    const state = newOperationState(
      { sync: { revision: 'main' }, initiatedBy: { username: 'admin' } },
      new Date('2024-05-01T12:00:00.5Z'),
    );
    expect(state).toEqual({
      operation: { sync: { revision: 'main' }, initiatedBy: { username: 'admin' } },
      phase: 'Running',
      startedAt: '2024-05-01T12:00:00Z',
    });
    expect(newSyncOperationResult(app, { revision: 'main' })).toEqual({
      revision: 'main',
      source: app.spec.source,
    });
    const rollback = { repoURL: 'https://git/x', path: 'p', targetRevision: 'v1' };
    expect(newSyncOperationResult(app, { revision: 'abc', source: rollback })).toEqual({
      revision: 'abc',
      source: rollback,
    });
  });

  it('withStepOutcome sets finishedAt only when the phase is final', () => {
    const state = newOperationState({ sync: {} }, new Date('2024-05-01T12:00:00Z'));
    const results = [
      {
        group: '',
        version: 'v1',
        kind: 'Pod',
        namespace: 'd',
        name: 'p',
        status: 'Synced' as const,
        hookPhase: 'Running' as const,
        syncPhase: 'Sync' as const,
      },
    ];
    const running = withStepOutcome(
      state,
      { phase: 'Running', message: 'one or more tasks are running', results },
      new Date('2024-05-01T12:00:01Z'),
    );
    expect(running.finishedAt).toBeUndefined();
    expect(running.syncResult?.resources).toEqual(results);
    const done = withStepOutcome(
      running,
      { phase: 'Succeeded', message: 'successfully synced (all tasks run)', results },
      new Date('2024-05-01T12:00:02Z'),
    );
    expect(done).toMatchObject({ phase: 'Succeeded', finishedAt: '2024-05-01T12:00:02Z' });
    expect(state.syncResult).toBeUndefined();
  });

  it('isOperationInProgress', () => {
    expect(isOperationInProgress(app)).toBe(false);
    expect(isOperationInProgress({ ...app, operation: { sync: {} } })).toBe(true);
    const running = { ...app, status: { operationState: newOperationState({}, new Date()) } };
    expect(isOperationInProgress(running)).toBe(true);
  });
});

describe('setConditions (ApplicationStatus.SetConditions)', () => {
  const now = new Date('2024-05-01T12:00:00Z');

  it('replaces evaluated types, keeps others, and keeps the time of an unchanged condition', () => {
    const existing = [
      {
        type: 'SyncError',
        message: 'Failed last sync attempt to [abc]: boom',
        lastTransitionTime: '2024-05-01T10:00:00Z',
      },
      { type: 'SharedResourceWarning', message: 'x', lastTransitionTime: '2024-05-01T09:00:00Z' },
    ];
    expect(
      setConditions(
        existing,
        [{ type: 'SyncError', message: 'Failed last sync attempt to [abc]: boom' }],
        ['SyncError'],
        now,
      ),
    ).toEqual([
      { type: 'SharedResourceWarning', message: 'x', lastTransitionTime: '2024-05-01T09:00:00Z' },
      {
        type: 'SyncError',
        message: 'Failed last sync attempt to [abc]: boom',
        lastTransitionTime: '2024-05-01T10:00:00Z',
      },
    ]);
    expect(setConditions(existing, [], ['SyncError'], now)).toEqual([existing[1]]);
    expect(
      setConditions(existing, [{ type: 'SyncError', message: 'new' }], ['SyncError'], now),
    ).toContainEqual({
      type: 'SyncError',
      message: 'new',
      lastTransitionTime: '2024-05-01T12:00:00Z',
    });
  });
});

describe('shared resources and preconditions (CompareAppState, SyncAppState)', () => {
  const app = { metadata: { name: 'my-app', namespace: 'argocd' } };

  it('warns about live objects another app tracks', () => {
    const mine = setAppInstance(newPod('a', DEST), 'my-app', DEST);
    const theirs = setAppInstance(newPod('b', DEST), 'team-a_other', DEST);
    const untracked = newPod('c', DEST);
    expect(sharedResourceConditions([mine, theirs, untracked], app, 'my-app')).toEqual([
      {
        type: 'SharedResourceWarning',
        message: 'Pod/b is part of applications argocd/my-app and team-a/other',
      },
    ]);
    expect(qualifiedName({ metadata: { name: 'x' } })).toBe('x');
  });

  it('FailOnSharedResource fails the sync; comparison errors end it in Error', () => {
    const shared = {
      type: 'SharedResourceWarning',
      message: 'Pod/b is part of applications argocd/my-app and other',
    };
    expect(syncPrecondition([shared], ['FailOnSharedResource=true'])).toEqual({
      phase: 'Failed',
      message: 'Shared resource found: Pod/b is part of applications argocd/my-app and other',
    });
    expect(syncPrecondition([shared], [])).toBeUndefined();
    expect(
      syncPrecondition(
        [
          { type: 'ComparisonError', message: 'Failed to load target state: boom' },
          { type: 'InvalidSpecError', message: 'Namespace for web apps/v1, Kind=Deployment is missing.' },
        ],
        [],
      ),
    ).toEqual({
      phase: 'Error',
      message:
        'ComparisonError: Failed to load target state: boom;InvalidSpecError: Namespace for web apps/v1, Kind=Deployment is missing.',
    });
  });
});
