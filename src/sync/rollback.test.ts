import { describe, expect, it } from 'vitest';
import { type Application, parseApplication } from './application.ts';
import { findHistoryEntry, rollbackOperation } from './rollback.ts';

const SOURCE = {
  repoURL: 'https://github.com/myorg/deploy-configs.git',
  targetRevision: 'main',
  path: 'apps/my-service/overlays/prod',
};
const SHA = (c: string) => c.repeat(40);

/** The seed's prod Application (no automated block) with three recorded deployments. */
function prodApp(
  edit?: (app: Record<string, unknown> & { spec: Record<string, unknown> }) => void,
): Application {
  const raw = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'my-service-prod', namespace: 'argocd' },
    spec: {
      project: 'default',
      source: SOURCE,
      destination: { server: 'https://kubernetes.default.svc', namespace: 'my-service-prod' },
      syncPolicy: { syncOptions: ['CreateNamespace=true'] } as Record<string, unknown>,
    },
    status: {
      history: [
        { id: 3, revision: SHA('a'), source: SOURCE, deployedAt: '2026-01-01T00:00:00Z' },
        {
          id: 4,
          revision: SHA('b'),
          source: { ...SOURCE, path: 'old/path' },
          deployedAt: '2026-01-02T00:00:00Z',
        },
        { id: 5, revision: SHA('c'), source: SOURCE, deployedAt: '2026-01-03T00:00:00Z' },
      ],
    },
  };
  edit?.(raw);
  return parseApplication(raw);
}

describe('findHistoryEntry (the entry `argocd app rollback NAME [ID]` picks)', () => {
  it.each([
    [3, SHA('a')],
    [4, SHA('b')],
    [5, SHA('c')],
    [undefined, SHA('b')], // no id: the deployment before the last
  ])('id %s is revision %s', (id, revision) => {
    expect(findHistoryEntry(prodApp(), id).revision).toBe(revision);
  });

  it('names the app and the id that is not in the history (upstream wording)', () => {
    expect(() => findHistoryEntry(prodApp(), 2)).toThrow(
      'application argocd/my-service-prod does not have deployment with id 2',
    );
  });

  it('without an id needs two deployments', () => {
    const app = prodApp((a) => {
      (a['status'] as { history: unknown[] }).history.splice(0, 2);
    });
    expect(() => findHistoryEntry(app, undefined)).toThrow(
      "application 'my-service-prod' should have at least two successful deployments",
    );
  });
});

describe('rollbackOperation (server/application Rollback)', () => {
  it("syncs the entry's revision and source with the apply strategy, the spec's sync options and the user", () => {
    expect(rollbackOperation(prodApp(), { id: 4, username: 'alice' })).toEqual({
      sync: {
        revision: SHA('b'),
        source: { ...SOURCE, path: 'old/path' },
        syncOptions: ['CreateNamespace=true'],
        syncStrategy: { apply: {} },
      },
      initiatedBy: { username: 'alice' },
    });
  });

  it('carries --prune and dry run only when asked', () => {
    const op = rollbackOperation(prodApp(), { id: 3, prune: true, dryRun: true, username: 'bob' });
    expect(op.sync).toMatchObject({ revision: SHA('a'), prune: true, dryRun: true });
    expect(rollbackOperation(prodApp(), { id: 3, username: 'bob' }).sync).not.toHaveProperty('prune');
  });

  it.each([
    [{ automated: {} }],
    [{ automated: { prune: true, selfHeal: true } }],
    [{ automated: { enabled: true } }],
  ])('is refused while automated sync is on (%j)', (syncPolicy) => {
    const app = prodApp((a) => {
      a.spec['syncPolicy'] = syncPolicy;
    });
    expect(() => rollbackOperation(app, { id: 3, username: 'alice' })).toThrow(
      'Application/argocd/my-service-prod: rollback cannot be initiated when auto-sync is enabled',
    );
  });

  it('is allowed when automated sync is switched off with enabled: false', () => {
    const app = prodApp((a) => {
      a.spec['syncPolicy'] = { automated: { enabled: false, prune: true } };
    });
    expect(rollbackOperation(app, { id: 3, username: 'alice' }).sync?.revision).toBe(SHA('a'));
  });

  it('checks automated sync before the id, as upstream does', () => {
    const app = prodApp((a) => {
      a.spec['syncPolicy'] = { automated: {} };
    });
    expect(() => rollbackOperation(app, { id: 99, username: 'alice' })).toThrow(/auto-sync is enabled/);
  });

  it('is refused while the app is being deleted', () => {
    const app = prodApp((a) => {
      (a['metadata'] as Record<string, unknown>)['deletionTimestamp'] = '2026-01-04T00:00:00Z';
    });
    expect(() => rollbackOperation(app, { id: 3, username: 'alice' })).toThrow('application is deleting');
  });

  it('is refused for an unknown id and for an entry without a source', () => {
    expect(() => rollbackOperation(prodApp(), { id: 7, username: 'alice' })).toThrow(
      'does not have deployment with id 7',
    );
    const app = prodApp((a) => {
      (a['status'] as { history: unknown[] }).history.push({
        id: 6,
        revision: SHA('d'),
        deployedAt: '2026-01-04T00:00:00Z',
      });
    });
    expect(() => rollbackOperation(app, { id: 6, username: 'alice' })).toThrow(
      'cannot rollback to revision deployed with Argo CD v0.11 or lower. sync to revision instead.',
    );
  });

  it('refuses a recorded source that would not parse, naming the field', () => {
    const app = prodApp((a) => {
      (a['status'] as { history: unknown[] }).history.push({
        id: 6,
        revision: SHA('d'),
        source: { path: 'x' },
        deployedAt: '2026-01-04T00:00:00Z',
      });
    });
    expect(() => rollbackOperation(app, { id: 6, username: 'alice' })).toThrow(
      /status\.history: history entry 6 cannot be rolled back to:\noperation\.sync\.source\.repoURL: repoURL is required/,
    );
  });
});
