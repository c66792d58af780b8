/**
 * gitops-engine's hook tests: `pkg/sync/hook/hook_test.go`, `pkg/sync/hook/helm/hook_test.go` and
 * `pkg/sync/ignore/ignore_test.go`.
 */
import { describe, expect, it } from 'vitest';
import type { UntypedObject } from './check.ts';
import { hasHookFinalizer, hookTypes, isHook, isIgnoredHook, isSkipHook } from './hooks.ts';

/** gitops-engine's `testingutils.NewPod()` with annotations. */
function pod(annotations: Record<string, string> = {}): UntypedObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'my-pod', namespace: 'fake-argocd-ns', annotations },
  };
}
const example = (hook: string) => pod({ 'argocd.argoproj.io/hook': hook });

describe('hook_test.go', () => {
  it('TestNoHooks', () => {
    const obj = {};
    expect(isHook(obj)).toBe(false);
    expect(isSkipHook(obj)).toBe(false);
    expect(hookTypes(obj)).toEqual([]);
  });

  it.each(['PreSync', 'Sync', 'PostSync', 'SyncFail'])('TestOneHook %s', (hook) => {
    const obj = example(hook);
    expect(isHook(obj)).toBe(true);
    expect(isSkipHook(obj)).toBe(false);
    expect(hookTypes(obj)).toEqual([hook]);
  });

  it('TestSkipHook: Skip alone is not a hook', () => {
    const obj = example('Skip');
    expect(isHook(obj)).toBe(false);
    expect(isSkipHook(obj)).toBe(true);
    expect(hookTypes(obj)).toEqual(['Skip']);
  });

  it('TestGarbageHook: a misspelt hook is a hook of no phase', () => {
    const obj = example('Garbage');
    expect(isHook(obj)).toBe(true);
    expect(isSkipHook(obj)).toBe(false);
    expect(hookTypes(obj)).toEqual([]);
  });

  it('TestTwoHooks', () => {
    const obj = example('PreSync,PostSync');
    expect(isHook(obj)).toBe(true);
    expect(isSkipHook(obj)).toBe(false);
    expect(hookTypes(obj)).toEqual(['PreSync', 'PostSync']);
  });

  it('TestDupHookTypes', () => {
    expect(hookTypes(example('Sync,Sync'))).toEqual(['Sync']);
  });

  it('TestSkipAndHook', () => {
    const obj = example('Skip,PreSync,PostSync');
    expect(isHook(obj)).toBe(true);
    expect(isSkipHook(obj)).toBe(false);
    expect(hookTypes(obj)).toEqual(['Skip', 'PreSync', 'PostSync']);
  });

  it('TestGarbageAndHook', () => {
    const obj = example('Sync,Garbage');
    expect(isHook(obj)).toBe(true);
    expect(isSkipHook(obj)).toBe(false);
    expect(hookTypes(obj)).toEqual(['Sync']);
  });

  it('TestHelmHook', () => {
    const obj = pod({ 'helm.sh/hook': 'pre-install' });
    expect(isHook(obj)).toBe(true);
    expect(isSkipHook(obj)).toBe(false);
    expect(hookTypes(obj)).toEqual(['PreSync']);
  });

  it('TestGarbageHelmHook', () => {
    const obj = pod({ 'helm.sh/hook': 'garbage' });
    expect(isHook(obj)).toBe(true);
    expect(isSkipHook(obj)).toBe(false);
    expect(hookTypes(obj)).toEqual([]);
  });

  it('TestBothHooks: the Argo CD annotation wins over Helm', () => {
    const obj = pod({ 'argocd.argoproj.io/hook': 'Sync', 'helm.sh/hook': 'pre-install' });
    expect(hookTypes(obj)).toEqual(['Sync']);
  });
});

describe('helm hook_test.go TestIsHook', () => {
  it('treats any helm.sh/hook but crd-install as a hook', () => {
    expect(isHook(pod())).toBe(false);
    expect(isHook(pod({ 'helm.sh/hook': 'anything' }))).toBe(true);
    expect(isHook(pod({ 'helm.sh/hook': 'crd-install' }))).toBe(false);
  });

  it('maps Helm hook types onto sync phases', () => {
    expect(hookTypes(pod({ 'helm.sh/hook': 'pre-install, pre-upgrade,post-upgrade,post-install' }))).toEqual([
      'PreSync',
      'PreSync',
      'PostSync',
      'PostSync',
    ]);
  });
});

describe('ignore_test.go TestIgnore', () => {
  it('ignores hooks whose types are all unknown', () => {
    expect(isIgnoredHook(pod())).toBe(false);
    expect(isIgnoredHook(example('Sync'))).toBe(false);
    expect(isIgnoredHook(example('garbage'))).toBe(true);
    expect(isIgnoredHook(pod({ 'helm.sh/hook': 'pre-install' }))).toBe(false);
    expect(isIgnoredHook(pod({ 'helm.sh/hook': 'garbage' }))).toBe(true);
  });
});

describe('annotations as apimachinery reads them', () => {
  it('reads no annotations at all when one value is not a string', () => {
    const obj = { metadata: { annotations: { 'argocd.argoproj.io/hook': 'Sync', other: 1 } } };
    expect(isHook(obj)).toBe(false);
  });

  it('finds the hook finalizer only in a list of strings', () => {
    expect(hasHookFinalizer({ metadata: { finalizers: ['argocd.argoproj.io/hook-finalizer'] } })).toBe(true);
    expect(hasHookFinalizer({ metadata: { finalizers: ['argocd.argoproj.io/hook-finalizer', 1] } })).toBe(
      false,
    );
    expect(hasHookFinalizer({ metadata: 'x' })).toBe(false);
  });
});
