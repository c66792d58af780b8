/**
 * Vectors from Argo CD `controller/appcontroller_test.go` (`TestAutoSync*`, `TestSkipAutoSync`,
 * `TestAutoSyncIndicateError`, `TestAutoSyncParameterOverrides`) with the `fakeApp` and
 * `fakeMultiSourceApp` fixtures, and the e2e `TestAutoSyncSelfHealEnabled` flow.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Application, parseApplication, type ResourceStatus } from './application.ts';
import { alreadyAttemptedSync, decideAutoSync } from './autosync.ts';

const FAKE_APP = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  uid: "123"
  name: my-app
  namespace: argocd
spec:
  destination:
    namespace: dummy-namespace
    server: https://localhost:6443
  project: default
  source:
    path: some/path
    repoURL: https://github.com/argoproj/argocd-example-apps.git
  syncPolicy:
    automated: {}
status:
  operationState:
    finishedAt: 2018-09-21T23:50:29Z
    message: successfully synced
    operation:
      sync:
        revision: HEAD
    phase: Succeeded
    startedAt: 2018-09-21T23:50:25Z
    syncResult:
      resources:
      - kind: RoleBinding
        message: |-
          rolebinding.rbac.authorization.k8s.io/always-outofsync reconciled
          rolebinding.rbac.authorization.k8s.io/always-outofsync configured
        name: always-outofsync
        namespace: default
        status: Synced
      revision: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      source:
        path: some/path
        repoURL: https://github.com/argoproj/argocd-example-apps.git
`;

const FAKE_MULTI_SOURCE_APP = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  uid: "123"
  name: my-app
  namespace: argocd
spec:
  destination:
    namespace: dummy-namespace
    server: https://localhost:6443
  project: default
  sources:
  - path: some/path
    helm:
      valueFiles:
      - $values_test/values.yaml
    repoURL: https://github.com/argoproj/argocd-example-apps.git
  - path: some/other/path
    repoURL: https://github.com/argoproj/argocd-example-apps-fake.git
  - ref: values_test
    repoURL: https://github.com/argoproj/argocd-example-apps-fake-ref.git
  syncPolicy:
    automated: {}
status:
  operationState:
    finishedAt: 2018-09-21T23:50:29Z
    message: successfully synced
    operation:
      sync:
        revisions: [HEAD, HEAD, HEAD]
    phase: Succeeded
    startedAt: 2018-09-21T23:50:25Z
    syncResult:
      revisions:
      - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      - bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
      - cccccccccccccccccccccccccccccccccccccccc
      sources:
      - path: some/path
        helm:
          valueFiles:
          - $values_test/values.yaml
        repoURL: https://github.com/argoproj/argocd-example-apps.git
      - path: some/other/path
        repoURL: https://github.com/argoproj/argocd-example-apps-fake.git
      - ref: values_test
        repoURL: https://github.com/argoproj/argocd-example-apps-fake-ref.git
`;

// biome-ignore lint/suspicious/noExplicitAny: YAML fixtures are edited field by field before they are parsed.
type Mutable = Record<string, any>;

function app(edit: (doc: Mutable) => void = () => {}, yaml = FAKE_APP): Application {
  const doc = parse(yaml) as Mutable;
  edit(doc);
  return parseApplication(doc);
}

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const NOW = new Date('2018-09-22T00:00:00Z');
const outOfSync: ResourceStatus[] = [{ name: 'guestbook', kind: 'Deployment', status: 'OutOfSync' }];

describe('decideAutoSync', () => {
  it('TestAutoSync', () => {
    const d = decideAutoSync({
      app: app(),
      syncStatus: { status: 'OutOfSync', revision: B },
      resources: outOfSync,
      now: NOW,
    });
    expect(d.kind).toBe('sync');
    if (d.kind !== 'sync') return;
    expect(d.operation).toEqual({
      sync: {
        revision: B,
        source: { path: 'some/path', repoURL: 'https://github.com/argoproj/argocd-example-apps.git' },
      },
      initiatedBy: { automated: true },
      retry: { limit: 5 },
    });
    expect(d.operation.sync?.prune).toBeUndefined();
    expect(d.event).toBe(`Initiated automated sync to '${B}'`);
    expect(d.selfHeal).toBe(false);
  });

  it('TestAutoSyncEnabledSetToTrue', () => {
    const d = decideAutoSync({
      app: app((doc) => {
        doc.spec.syncPolicy.automated = { enabled: true };
      }),
      syncStatus: { status: 'OutOfSync', revision: B },
      resources: outOfSync,
      now: NOW,
    });
    expect(d.kind).toBe('sync');
  });

  it('uses spec.syncPolicy.retry and syncOptions when given', () => {
    const d = decideAutoSync({
      app: app((doc) => {
        doc.spec.syncPolicy.automated = { prune: true };
        doc.spec.syncPolicy.retry = { limit: 2, backoff: { duration: '10s' } };
        doc.spec.syncPolicy.syncOptions = ['CreateNamespace=true'];
      }),
      syncStatus: { status: 'OutOfSync', revision: B },
      resources: outOfSync,
      now: NOW,
    });
    expect(d.kind === 'sync' && d.operation).toMatchObject({
      sync: { revision: B, prune: true, syncOptions: ['CreateNamespace=true'] },
      retry: { limit: 2, backoff: { duration: '10s' } },
    });
  });

  it('TestAutoSyncNotAllowEmpty', () => {
    const d = decideAutoSync({
      app: app((doc) => {
        doc.spec.syncPolicy.automated = { prune: true };
      }),
      syncStatus: { status: 'OutOfSync', revision: B },
      resources: [],
      now: NOW,
    });
    expect(d).toEqual({
      kind: 'condition',
      condition: {
        type: 'SyncError',
        message: `Skipping sync attempt to [${B}]: auto-sync will wipe out all resources`,
      },
      reason: `Skipping sync attempt to [${B}]: auto-sync will wipe out all resources`,
    });
  });

  it('TestAutoSyncAllowEmpty', () => {
    const d = decideAutoSync({
      app: app((doc) => {
        doc.spec.syncPolicy.automated = { prune: true, allowEmpty: true };
      }),
      syncStatus: { status: 'OutOfSync', revision: B },
      resources: [],
      now: NOW,
    });
    expect(d.kind).toBe('sync');
  });

  describe('TestSkipAutoSync', () => {
    it('PreviouslySyncedToRevision', () => {
      expect(
        decideAutoSync({
          app: app(),
          syncStatus: { status: 'OutOfSync', revision: A },
          resources: [],
          now: NOW,
        }).kind,
      ).toBe('skip');
      // With something to sync, the loop guard is what stops it.
      expect(
        decideAutoSync({
          app: app(),
          syncStatus: { status: 'OutOfSync', revision: A },
          resources: outOfSync,
          now: NOW,
        }),
      ).toEqual({
        kind: 'skip',
        reason: `Skipping auto-sync: most recent sync already to [${A}]`,
      });
    });

    it('AlreadyInSyncedState', () => {
      expect(
        decideAutoSync({
          app: app(),
          syncStatus: { status: 'Synced', revision: B },
          resources: [],
          now: NOW,
        }),
      ).toEqual({
        kind: 'skip',
        reason: 'Skipping auto-sync: application status is Synced',
      });
    });

    it('Unknown status never auto-syncs', () => {
      expect(
        decideAutoSync({
          app: app(),
          syncStatus: { status: 'Unknown', revision: B },
          resources: outOfSync,
          now: NOW,
        }).kind,
      ).toBe('skip');
    });

    it('AutoSyncIsDisabled', () => {
      const d = decideAutoSync({
        app: app((doc) => {
          delete doc.spec.syncPolicy;
        }),
        syncStatus: { status: 'OutOfSync', revision: B },
        resources: [],
        now: NOW,
      });
      expect(d.kind).toBe('skip');
    });

    it('AutoSyncEnableFieldIsSetFalse', () => {
      const d = decideAutoSync({
        app: app((doc) => {
          doc.spec.syncPolicy.automated = { enabled: false };
        }),
        syncStatus: { status: 'OutOfSync', revision: B },
        resources: outOfSync,
        now: NOW,
      });
      expect(d.kind).toBe('skip');
    });

    it('ApplicationIsMarkedForDeletion', () => {
      const d = decideAutoSync({
        app: app((doc) => {
          doc.metadata.deletionTimestamp = '2018-09-22T00:00:00Z';
        }),
        syncStatus: { status: 'OutOfSync', revision: B },
        resources: outOfSync,
        now: NOW,
      });
      expect(d).toEqual({ kind: 'skip', reason: 'Skipping auto-sync: deletion in progress' });
    });

    it('an operation in progress', () => {
      const d = decideAutoSync({
        app: app((doc) => {
          doc.operation = { sync: {} };
        }),
        syncStatus: { status: 'OutOfSync', revision: B },
        resources: outOfSync,
        now: NOW,
      });
      expect(d).toEqual({ kind: 'skip', reason: 'Skipping auto-sync: another operation is in progress' });
    });

    it.each(['Failed', 'Error'])('PreviousSyncAttempt%s', (phase) => {
      const d = decideAutoSync({
        app: app((doc) => {
          doc.status.operationState = {
            operation: { sync: {} },
            phase,
            message: 'one or more objects failed to apply',
            startedAt: '2018-09-21T23:50:25Z',
            syncResult: { revision: B, source: doc.spec.source },
          };
        }),
        syncStatus: { status: 'OutOfSync', revision: B },
        resources: outOfSync,
        now: NOW,
      });
      expect(d.kind).toBe('condition');
      expect(d.kind === 'condition' && d.condition).toEqual({
        type: 'SyncError',
        message: `Failed last sync attempt to [${B}]: one or more objects failed to apply`,
      });
    });

    it('NeedsToPruneResourcesOnlyButAutomatedPruneDisabled', () => {
      const d = decideAutoSync({
        app: app(),
        syncStatus: { status: 'OutOfSync', revision: B },
        resources: [{ name: 'guestbook', kind: 'Deployment', status: 'OutOfSync', requiresPruning: true }],
        now: NOW,
      });
      expect(d).toEqual({
        kind: 'skip',
        reason: 'Skipping auto-sync: need to prune extra resources only but automated prune is disabled',
      });
    });
  });

  it('TestAutoSyncIndicateError: same revision and same parameters after a failure', () => {
    const d = decideAutoSync({
      app: app((doc) => {
        doc.spec.source.helm = { parameters: [{ name: 'a', value: '1' }] };
        doc.status.operationState = {
          operation: { sync: { source: doc.spec.source } },
          phase: 'Failed',
          startedAt: '2018-09-21T23:50:25Z',
          syncResult: { revision: A, source: doc.spec.source },
        };
      }),
      syncStatus: { status: 'OutOfSync', revision: A },
      resources: outOfSync,
      now: NOW,
    });
    expect(d.kind === 'condition' && d.condition.message).toBe(`Failed last sync attempt to [${A}]: `);
  });

  it('TestAutoSyncParameterOverrides: Single source', () => {
    const d = decideAutoSync({
      app: app((doc) => {
        doc.spec.source.helm = { parameters: [{ name: 'a', value: '1' }] };
        doc.status.operationState = {
          operation: {
            sync: { source: { repoURL: 'x', helm: { parameters: [{ name: 'a', value: '2' }] } } },
          },
          phase: 'Failed',
          startedAt: '2018-09-21T23:50:25Z',
          syncResult: { revision: A },
        };
      }),
      syncStatus: { status: 'OutOfSync', revision: A },
      resources: outOfSync,
      now: NOW,
    });
    expect(d.kind).toBe('sync');
  });

  it('TestAutoSyncParameterOverrides: Multi sources', () => {
    const d = decideAutoSync({
      app: app((doc) => {
        doc.spec.sources[0].helm = { parameters: [{ name: 'a', value: '1' }] };
        doc.status.operationState.syncResult.revisions = ['z', 'x', 'v'];
        doc.status.operationState.syncResult.sources[0].helm = { parameters: [{ name: 'a', value: '2' }] };
      }, FAKE_MULTI_SOURCE_APP),
      syncStatus: { status: 'OutOfSync', revisions: ['z', 'x', 'v'] },
      resources: outOfSync,
      now: NOW,
    });
    expect(d.kind).toBe('sync');
    expect(d.kind === 'sync' && d.operation.sync?.source).toBeUndefined();
    expect(d.kind === 'sync' && d.event).toBe("Initiated automated sync to 'z, x, v'");
  });

  describe('TestAutoSyncMultiSourceWithoutSelfHeal', () => {
    const multi = (syncedRevisions: string[]) =>
      app((doc) => {
        doc.spec.syncPolicy.automated.selfHeal = false;
        doc.status.operationState.syncResult.revisions = syncedRevisions;
      }, FAKE_MULTI_SOURCE_APP);

    it('ClusterObjectChangeShouldNotTriggerAutoSync', () => {
      const d = decideAutoSync({
        app: multi(['z', 'x', 'v']),
        syncStatus: { status: 'OutOfSync', revisions: ['z', 'x', 'v'] },
        resources: outOfSync,
        now: NOW,
      });
      expect(d.kind).toBe('skip');
    });

    it('NewRevisionChangeShouldTriggerAutoSync', () => {
      const d = decideAutoSync({
        app: multi(['z', 'x', 'v']),
        syncStatus: { status: 'OutOfSync', revisions: ['a', 'b', 'c'] },
        resources: outOfSync,
        now: NOW,
      });
      expect(d.kind).toBe('sync');
    });
  });

  describe('self-heal', () => {
    const healing = (attempts: number, finishedAt: string) =>
      app((doc) => {
        doc.spec.syncPolicy.automated = { selfHeal: true };
        doc.status.operationState.finishedAt = finishedAt;
        doc.status.operationState.operation.sync.autoHealAttemptsCount = attempts;
      });
    const resources: ResourceStatus[] = [
      {
        group: 'apps',
        kind: 'Deployment',
        name: 'guestbook-ui',
        namespace: 'dummy-namespace',
        status: 'OutOfSync',
      },
      { kind: 'Service', name: 'guestbook-ui', namespace: 'dummy-namespace', status: 'Synced' },
    ];

    it('the first heal is immediate and selective (only drifted resources, no namespace)', () => {
      const d = decideAutoSync({
        app: healing(0, '2018-09-21T23:59:59Z'),
        syncStatus: { status: 'OutOfSync', revision: A },
        resources,
        now: NOW,
      });
      expect(d.kind).toBe('sync');
      if (d.kind !== 'sync') return;
      expect(d.selfHeal).toBe(true);
      expect(d.operation.sync).toMatchObject({
        revision: A,
        autoHealAttemptsCount: 1,
        resources: [{ group: 'apps', kind: 'Deployment', name: 'guestbook-ui' }],
      });
    });

    it('later heals wait out the backoff from the last finish', () => {
      const d = decideAutoSync({
        app: healing(2, '2018-09-21T23:59:58Z'),
        syncStatus: { status: 'OutOfSync', revision: A },
        resources,
        now: NOW,
      });
      expect(d).toMatchObject({ kind: 'wait', afterMs: 4_000 });
      const due = decideAutoSync({
        app: healing(2, '2018-09-21T23:59:54Z'),
        syncStatus: { status: 'OutOfSync', revision: A },
        resources,
        now: NOW,
      });
      expect(due.kind === 'sync' && due.operation.sync?.autoHealAttemptsCount).toBe(3);
    });

    it('a new revision is a normal sync, not a heal, and resets the count', () => {
      const d = decideAutoSync({
        app: healing(4, '2018-09-21T23:59:59Z'),
        syncStatus: { status: 'OutOfSync', revision: B },
        resources,
        now: NOW,
      });
      expect(d.kind === 'sync' && d.selfHeal).toBe(false);
      expect(d.kind === 'sync' && d.operation.sync?.autoHealAttemptsCount).toBeUndefined();
      expect(d.kind === 'sync' && d.operation.sync?.resources).toBeUndefined();
    });
  });
});

describe('alreadyAttemptedSync', () => {
  it('no operation state: not attempted', () => {
    expect(
      alreadyAttemptedSync(
        app((doc) => delete doc.status),
        [A],
        true,
      ),
    ).toEqual({ attempted: false, revisions: [], phase: undefined });
  });

  it('a finished operation without results counts as attempted', () => {
    const a = app((doc) => {
      delete doc.status.operationState.syncResult;
      doc.status.operationState.phase = 'Error';
    });
    expect(alreadyAttemptedSync(a, [B], true)).toEqual({ attempted: true, revisions: [], phase: 'Error' });
  });

  it('without revision changes only the sources are compared', () => {
    expect(alreadyAttemptedSync(app(), [B], false).attempted).toBe(true);
    expect(alreadyAttemptedSync(app(), [B], true).attempted).toBe(false);
  });
});
