import { describe, expect, it } from 'vitest';
import { parseApplication } from '../../sync/application.ts';
import { deletionFinalizers, manualSyncOperation, parseHistoryId } from './app.ts';
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

describe('deletionFinalizers (what `slipway app delete` writes first, as Server.Delete)', () => {
  const withFinalizers = (finalizers?: string[], deleting = false) =>
    parseApplication({
      ...seed,
      metadata: {
        ...seed.metadata,
        ...(finalizers ? { finalizers } : {}),
        ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      },
    });

  it('adds the resources finalizer by default (cascade), for the propagation policy asked', () => {
    expect(deletionFinalizers(withFinalizers(), {})).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(
      deletionFinalizers(withFinalizers(['x']), { cascade: true, propagationPolicy: 'background' }),
    ).toEqual(['x', 'resources-finalizer.argocd.argoproj.io/background']);
  });

  it('writes nothing when the finalizer is there or the app is already being deleted', () => {
    expect(
      deletionFinalizers(withFinalizers(['resources-finalizer.argocd.argoproj.io']), {}),
    ).toBeUndefined();
    expect(deletionFinalizers(withFinalizers([], true), {})).toBeUndefined();
  });

  it('removes every resources finalizer with --cascade=false, so the objects stay', () => {
    expect(
      deletionFinalizers(withFinalizers(['resources-finalizer.argocd.argoproj.io/foreground', 'x']), {
        cascade: false,
      }),
    ).toEqual(['x']);
    expect(deletionFinalizers(withFinalizers(['x']), { cascade: false })).toBeUndefined();
  });

  it('refuses a propagation policy without cascade, and an unknown policy', () => {
    expect(() => deletionFinalizers(seed, { cascade: false, propagationPolicy: 'background' })).toThrow(
      '--propagation-policy: cannot set propagation policy when cascading is disabled',
    );
    expect(() => deletionFinalizers(seed, { propagationPolicy: 'orphan' })).toThrow(
      '--propagation-policy: invalid propagation policy: orphan',
    );
  });
});

describe('parseHistoryId', () => {
  it('takes whole numbers', () => {
    expect(parseHistoryId('0')).toBe(0);
    expect(parseHistoryId('12')).toBe(12);
  });
  it.each(['', '-1', '1.5', 'last'])('rejects %j naming the argument', (text) => {
    expect(() => parseHistoryId(text)).toThrow(/^HISTORY_ID: must be a whole number/);
  });
});
