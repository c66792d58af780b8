/**
 * Vectors from gitops-engine `pkg/sync/hook/hook_test.go`, `hook/delete_policy_test.go`,
 * `hook/helm/*_test.go`, `syncwaves/waves_test.go`, `ignore/ignore_test.go`, `sync_phase_test.go`,
 * `sync_context_test.go` (`TestUnnamedHooksGetUniqueNames`), and Argo CD `controller/hook_test.go`.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import {
  generatedHookName,
  goAtoi,
  hasHookDeletePolicy,
  helmHookTypes,
  helmHookWeight,
  hookDeletePolicies,
  hookTypes,
  isAnyHook,
  isDeletionHookOf,
  isHelmHook,
  isHook,
  isIgnored,
  isSkip,
  syncPhasesOf,
  syncWaveOf,
} from './hooks.ts';
import { partitionTargetsForSync } from './tasks.ts';
import { annotate, newCRD, newPod } from './testdata/objects.ts';

const example = (hook: string) => annotate(newPod(), 'argocd.argoproj.io/hook', hook);
const helm = (hook: string) => annotate(newPod(), 'helm.sh/hook', hook);
const withAnnotations = (annotations: Record<string, string> | undefined): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: annotations === undefined ? {} : { annotations },
});

describe('hook types (hook_test.go)', () => {
  it('TestNoHooks', () => {
    const obj = withAnnotations(undefined);
    expect([isHook(obj), isSkip(obj), hookTypes(obj)]).toEqual([false, false, []]);
  });

  it.each(['PreSync', 'Sync', 'PostSync', 'SyncFail'])('TestOneHook: %s', (type) => {
    const obj = example(type);
    expect([isHook(obj), isSkip(obj), hookTypes(obj)]).toEqual([true, false, [type]]);
  });

  it('TestSkipHook', () => {
    const obj = example('Skip');
    expect([isHook(obj), isSkip(obj), hookTypes(obj)]).toEqual([false, true, ['Skip']]);
  });

  it('TestGarbageHook', () => {
    const obj = example('Garbage');
    expect([isHook(obj), isSkip(obj), hookTypes(obj)]).toEqual([true, false, []]);
  });

  it('TestTwoHooks', () => {
    const obj = example('PreSync,PostSync');
    expect([isHook(obj), isSkip(obj)]).toEqual([true, false]);
    expect(hookTypes(obj).sort()).toEqual(['PostSync', 'PreSync']);
  });

  it('TestDupHookTypes', () => {
    expect(hookTypes(example('Sync,Sync'))).toEqual(['Sync']);
  });

  it('TestSkipAndHook', () => {
    const obj = example('Skip,PreSync,PostSync');
    expect([isHook(obj), isSkip(obj)]).toEqual([true, false]);
    expect(hookTypes(obj).sort()).toEqual(['PostSync', 'PreSync', 'Skip']);
  });

  it('TestGarbageAndHook', () => {
    const obj = example('Sync,Garbage');
    expect([isHook(obj), isSkip(obj), hookTypes(obj)]).toEqual([true, false, ['Sync']]);
  });

  it('TestHelmHook', () => {
    const obj = helm('pre-install');
    expect([isHook(obj), isSkip(obj), hookTypes(obj)]).toEqual([true, false, ['PreSync']]);
  });

  it('TestGarbageHelmHook', () => {
    const obj = helm('garbage');
    expect([isHook(obj), isSkip(obj), hookTypes(obj)]).toEqual([true, false, []]);
  });

  it('TestBothHooks: Helm hooks are ignored when an Argo CD hook is present', () => {
    expect(hookTypes(annotate(example('Sync'), 'helm.sh/hook', 'pre-install'))).toEqual(['Sync']);
  });

  it('tolerates spaces around values', () => {
    expect(hookTypes(example(' PreSync , PostSync '))).toEqual(['PreSync', 'PostSync']);
  });
});

describe('helm (hook/helm/*_test.go)', () => {
  it('TestIsHook', () => {
    expect(isHelmHook(newPod())).toBe(false);
    expect(isHelmHook(helm('anything'))).toBe(true);
    // helm calls "crd-install" a hook, but it really can't be treated as such
    expect(isHelmHook(annotate(newCRD(), 'helm.sh/hook', 'crd-install'))).toBe(false);
  });

  it('TestTypes', () => {
    expect(helmHookTypes(newPod())).toEqual([]);
    expect(
      ['pre-install', 'pre-upgrade', 'post-upgrade', 'post-install'].map((t) => helmHookTypes(helm(t))),
    ).toEqual([['pre-install'], ['pre-upgrade'], ['post-upgrade'], ['post-install']]);
    for (const unsupported of [
      'crd-install',
      'pre-rollback',
      'post-rollback',
      'test-success',
      'test-failure',
    ]) {
      expect(helmHookTypes(helm(unsupported))).toEqual([]);
    }
  });

  it('TestType_HookType', () => {
    expect(
      ['pre-install', 'pre-upgrade', 'post-upgrade', 'post-install'].map((t) => hookTypes(helm(t))),
    ).toEqual([['PreSync'], ['PreSync'], ['PostSync'], ['PostSync']]);
  });

  it('TestWeight', () => {
    expect(helmHookWeight(newPod())).toBe(0);
    expect(helmHookWeight(annotate(newPod(), 'helm.sh/hook-weight', '1'))).toBe(1);
  });

  it('TestDeletePolicies (helm)', () => {
    expect(
      hookDeletePolicies(annotate(newPod(), 'helm.sh/hook-delete-policy', 'before-hook-creation')),
    ).toEqual(['BeforeHookCreation']);
    expect(hookDeletePolicies(annotate(newPod(), 'helm.sh/hook-delete-policy', 'hook-succeeded'))).toEqual([
      'HookSucceeded',
    ]);
    expect(hookDeletePolicies(annotate(newPod(), 'helm.sh/hook-delete-policy', 'hook-failed'))).toEqual([
      'HookFailed',
    ]);
  });
});

describe('delete policies (delete_policy_test.go)', () => {
  const policy = (value: string) => annotate(newPod(), 'argocd.argoproj.io/hook-delete-policy', value);

  it('TestDeletePolicies', () => {
    expect(hookDeletePolicies(newPod())).toEqual(['BeforeHookCreation']);
    expect(hookDeletePolicies(policy('garbage'))).toEqual(['BeforeHookCreation']);
    expect(hookDeletePolicies(policy('BeforeHookCreation'))).toEqual(['BeforeHookCreation']);
    expect(hookDeletePolicies(policy('HookSucceeded'))).toEqual(['HookSucceeded']);
    expect(hookDeletePolicies(policy('HookFailed'))).toEqual(['HookFailed']);
    expect(hookDeletePolicies(annotate(newPod(), 'helm.sh/hook-delete-policy', 'hook-succeeded'))).toEqual([
      'HookSucceeded',
    ]);
  });

  it('Test_syncTask_hasHookDeletePolicy: a non-hook has no policy', () => {
    expect(hasHookDeletePolicy(newPod(), 'BeforeHookCreation')).toBe(false);
    expect(hasHookDeletePolicy(policy('BeforeHookCreation'), 'BeforeHookCreation')).toBe(false);
    expect(
      hasHookDeletePolicy(
        annotate(policy('BeforeHookCreation'), 'argocd.argoproj.io/hook', 'Sync'),
        'BeforeHookCreation',
      ),
    ).toBe(true);
    expect(
      hasHookDeletePolicy(
        annotate(policy('HookSucceeded'), 'argocd.argoproj.io/hook', 'Sync'),
        'HookSucceeded',
      ),
    ).toBe(true);
    expect(
      hasHookDeletePolicy(annotate(policy('HookFailed'), 'argocd.argoproj.io/hook', 'Sync'), 'HookFailed'),
    ).toBe(true);
  });
});

describe('waves (syncwaves/waves_test.go)', () => {
  it('TestWave', () => {
    expect(syncWaveOf(newPod())).toBe(0);
    expect(syncWaveOf(annotate(newPod(), 'argocd.argoproj.io/sync-wave', '1'))).toBe(1);
    expect(syncWaveOf(annotate(newPod(), 'helm.sh/hook-weight', '1'))).toBe(1);
  });

  it('the Argo CD wave wins over the Helm weight; a non-integer wave falls back to the weight', () => {
    expect(
      syncWaveOf(
        annotate(annotate(newPod(), 'helm.sh/hook-weight', '5'), 'argocd.argoproj.io/sync-wave', '-2'),
      ),
    ).toBe(-2);
    expect(
      syncWaveOf(
        annotate(annotate(newPod(), 'helm.sh/hook-weight', '5'), 'argocd.argoproj.io/sync-wave', '1.5'),
      ),
    ).toBe(5);
  });

  it.each([
    ['1', 1],
    ['-1', -1],
    ['+3', 3],
    ['007', 7],
    [' 1', undefined],
    ['1 ', undefined],
    ['1.0', undefined],
    ['', undefined],
    ['99999999999999999999', undefined],
  ])('goAtoi(%j) (strconv.Atoi)', (text, expected) => {
    expect(goAtoi(text)).toBe(expected);
  });
});

describe('ignore and phases (ignore_test.go, sync_phase_test.go)', () => {
  it('TestIgnore', () => {
    expect(isIgnored(newPod())).toBe(false);
    expect(isIgnored(example('Sync'))).toBe(false);
    expect(isIgnored(example('garbage'))).toBe(true);
    expect(isIgnored(helm('pre-install'))).toBe(false);
    expect(isIgnored(helm('garbage'))).toBe(true);
  });

  it.each([
    ['TestSyncPhaseNone', withAnnotations(undefined), ['Sync']],
    ['TestSyncPhasePreSync', example('PreSync'), ['PreSync']],
    ['TestSyncPhaseSync', example('Sync'), ['Sync']],
    ['TestSyncPhaseSkip', example('Skip'), []],
    ['TestSyncPhaseGarbage', example('Garbage'), []],
    ['TestSyncPhasePost', example('PostSync'), ['PostSync']],
    ['TestSyncPhaseFail', example('SyncFail'), ['SyncFail']],
    ['TestSyncPhaseTwoPhases', example('PreSync,PostSync'), ['PreSync', 'PostSync']],
    ['TestSyncDuplicatedPhases', example('PreSync,PreSync'), ['PreSync']],
    ['TestSyncDuplicatedPhases (helm)', helm('pre-install,pre-upgrade'), ['PreSync']],
  ])('%s', (_name, obj, phases) => {
    expect(syncPhasesOf(obj)).toEqual(phases);
  });
});

describe('generated hook names', () => {
  it('TestUnnamedHooksGetUniqueNames: revisions of 8+ characters are cut to 7, shorter ones kept', () => {
    const at = new Date('2024-05-01T00:00:00Z');
    expect(generatedHookName('', 'FooBarBaz', 'PreSync', at)).toBe('foobarb-presync-1714521600');
    expect(generatedHookName('', 'foobar', 'PostSync', at)).toBe('foobar-postsync-1714521600');
    expect(generatedHookName('db-migrate-', '1234567', 'Sync', at)).toBe(
      'db-migrate-1234567-sync-1714521600',
    );
  });
});

describe('deletion hooks (controller/hook_test.go)', () => {
  it.each([
    ['ArgoCD PreDelete hook', 'PreDelete', { 'argocd.argoproj.io/hook': 'PreDelete' }, true],
    ['Helm PreDelete hook', 'PreDelete', { 'helm.sh/hook': 'pre-delete' }, true],
    ['ArgoCD PostDelete hook', 'PostDelete', { 'argocd.argoproj.io/hook': 'PostDelete' }, true],
    ['Helm PostDelete hook', 'PostDelete', { 'helm.sh/hook': 'post-delete' }, true],
    ['Not a hook', 'PreDelete', { 'some-other': 'annotation' }, false],
    ['Wrong hook type', 'PreDelete', { 'argocd.argoproj.io/hook': 'PostDelete' }, false],
    ['Nil annotations', 'PreDelete', undefined, false],
    [
      'Helm PreDelete & PostDelete hook (pre)',
      'PreDelete',
      { 'helm.sh/hook': 'pre-delete,post-delete' },
      true,
    ],
    [
      'ArgoCD PostDelete & PreDelete hook (pre)',
      'PreDelete',
      { 'argocd.argoproj.io/hook': 'PostDelete,PreDelete' },
      true,
    ],
    [
      'ArgoCD PostDelete & PreDelete hook (post)',
      'PostDelete',
      { 'argocd.argoproj.io/hook': 'PostDelete,PreDelete' },
      true,
    ],
    [
      'Helm PostDelete & PreDelete hook (post)',
      'PostDelete',
      { 'helm.sh/hook': 'post-delete,pre-delete' },
      true,
    ],
  ] as const)(
    'TestIsHookOfType / TestIsPreDeleteHook / TestIsPostDeleteHook: %s',
    (_name, type, annotations, expected) => {
      expect(isDeletionHookOf(withAnnotations(annotations), type)).toBe(expected);
    },
  );

  it.each([
    ['ArgoCD PreDelete hook', { 'argocd.argoproj.io/hook': 'PreDelete' }, true],
    ['ArgoCD PostDelete hook', { 'argocd.argoproj.io/hook': 'PostDelete' }, true],
    ['ArgoCD PreSync hook', { 'argocd.argoproj.io/hook': 'PreSync' }, true],
    ['Not a hook', { 'some-other': 'annotation' }, false],
  ])('TestIsHook (controller): %s', (_name, annotations, expected) => {
    expect(isAnyHook(withAnnotations(annotations))).toBe(expected);
  });

  it.each([
    [
      'PostSync with PreDelete and PostDelete in same annotation stays in sync set',
      { 'argocd.argoproj.io/hook': 'PostSync,PreDelete,PostDelete' },
      ['x'],
      true,
      true,
    ],
    [
      'PreDelete-only manifest excluded from sync',
      { 'argocd.argoproj.io/hook': 'PreDelete' },
      [],
      true,
      false,
    ],
    [
      'PostDelete-only manifest excluded from sync',
      { 'argocd.argoproj.io/hook': 'PostDelete' },
      [],
      false,
      true,
    ],
    ['Helm pre-delete only excluded from sync', { 'helm.sh/hook': 'pre-delete' }, [], true, false],
    [
      'Helm pre-install with pre-delete stays in sync (sync-phase hook wins)',
      { 'helm.sh/hook': 'pre-install,pre-delete' },
      ['x'],
      true,
      false,
    ],
    ['Non-hook resource unchanged', { app: 'x' }, ['x'], false, false],
  ])('TestPartitionTargetObjsForSync: %s', (_name, annotations, names, pre, post) => {
    const obj = { ...withAnnotations(annotations), metadata: { name: 'x', annotations } };
    const result = partitionTargetsForSync([obj]);
    expect(result.objects.map((o) => o.metadata.name)).toEqual(names);
    expect([result.hasPreDeleteHooks, result.hasPostDeleteHooks]).toEqual([pre, post]);
  });
});
