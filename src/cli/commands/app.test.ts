import { describe, expect, it } from 'vitest';
import { parseApplication } from '../../sync/application.ts';
import { manualSyncOperation } from './app.ts';
import { parsePollInterval } from './controller.ts';

const seed = parseApplication({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'my-service-dev', namespace: 'argocd' },
  spec: {
    project: 'default',
    source: {
      repoURL: 'https://github.com/myorg/deploy-configs.git',
      targetRevision: 'main',
      path: 'apps/my-service/overlays/dev',
    },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'my-service-dev' },
    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
  },
});

describe('manualSyncOperation (what `slipway app sync` writes)', () => {
  it('syncs the targetRevision with the spec sync options and prune, initiated by the user', () => {
    expect(manualSyncOperation(seed, { username: 'alice' })).toEqual({
      sync: { revision: 'main', prune: true, syncOptions: ['CreateNamespace=true'] },
      initiatedBy: { username: 'alice' },
    });
  });

  it('takes --revision and an explicit --prune choice', () => {
    const op = manualSyncOperation(
      { ...seed, spec: { ...seed.spec, syncPolicy: {} } },
      { username: 'bob', revision: 'v1.2.3' },
    );
    expect(op).toEqual({ sync: { revision: 'v1.2.3' }, initiatedBy: { username: 'bob' } });
  });
});

describe('parsePollInterval', () => {
  it.each([
    ['60s', 60_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parsePollInterval(text)).toBe(ms);
  });

  it.each(['', '60', 'soon', '-5s', '0s'])('rejects %j naming the flag', (text) => {
    expect(() => parsePollInterval(text)).toThrow(/--poll-interval: invalid duration/);
  });
});
