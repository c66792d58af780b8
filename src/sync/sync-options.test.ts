/**
 * Vectors from gitops-engine `pkg/sync/resource/annotations_test.go`, `sync_context_test.go`
 * (`TestSyncOptionValidate`, `TestSync_Replace`, `TestSync_ServerSideApply`, `TestSync_Force`,
 * `TestSyncContext_GetDeleteOptions_*`), Argo CD `pkg/apis/application/v1alpha1/types_test.go`
 * (`TestSyncOptions_HasOption`) and `controller/state_test.go` (`Test_isObjRequiresDeletionConfirmation`).
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import {
  annotationCsv,
  annotationOptionValue,
  applyModeFor,
  hasAnnotationOption,
  hasIgnoreExtraneous,
  hasOption,
  isPruneLast,
  isPruningDisabled,
  operationSyncOptions,
  optionValue,
  requiresDeletionConfirmation,
  requiresPruneConfirmation,
  usesServerSideDiff,
  validateResourceSyncOptions,
  validateSyncOptions,
} from './sync-options.ts';
import { annotate, newCRD, newNamespace, newPod } from './testdata/objects.ts';

const withFoo = (value: string) => annotate(newPod(), 'foo', value);
const syncOpts = (obj: KubeObject, value: string) => annotate(obj, 'argocd.argoproj.io/sync-options', value);

describe('annotation CSVs (annotations_test.go)', () => {
  it.each([
    ['Nil', newPod(), 'bar', [], false],
    ['Empty', withFoo(''), 'bar', [], false],
    ['Single', withFoo('bar'), 'bar', ['bar'], true],
    ['DeDup', withFoo('bar,bar'), 'bar', ['bar'], true],
    ['Double', withFoo('bar,baz'), 'baz', ['bar', 'baz'], true],
    ['Spaces', withFoo('bar '), 'bar', ['bar'], true],
  ])('TestHasAnnotationOption: %s', (_name, obj, value, values, want) => {
    expect(annotationCsv(obj, 'foo')).toEqual(values);
    expect(hasAnnotationOption(obj, 'foo', value)).toBe(want);
  });

  it.each([
    ['Nil', newPod(), 'bar', undefined],
    ['Empty', withFoo(''), 'bar', undefined],
    ['Standalone', withFoo('bar'), 'bar', undefined],
    ['Single', withFoo('bar=baz'), 'bar', 'baz'],
    ['DeDup', withFoo('bar=baz1,bar=baz2'), 'bar', 'baz1'],
    ['Double', withFoo('bar=qux,baz=quux'), 'baz', 'quux'],
    ['Spaces', withFoo('bar=baz '), 'bar', 'baz'],
  ])('TestGetAnnotationOptionValue: %s', (_name, obj, key, want) => {
    expect(annotationOptionValue(obj, 'foo', key)).toBe(want);
  });
});

describe('sync option lists (types_test.go)', () => {
  it('TestSyncOptions_HasOption', () => {
    expect(hasOption(undefined, 'a=1')).toBe(false);
    expect(hasOption([], 'a=1')).toBe(false);
    expect(hasOption(['a=1'], 'a=1')).toBe(true);
  });

  it('GetOptionValue takes the first key=value entry', () => {
    expect(optionValue(['Prune=confirm', 'Prune=false'], 'Prune')).toBe('confirm');
    expect(optionValue(['Prune'], 'Prune')).toBeUndefined();
  });

  it('matching is case-sensitive, as upstream', () => {
    expect(operationSyncOptions(['ServerSideApply=True']).serverSideApply).toBe(false);
    expect(operationSyncOptions(['ServerSideApply=true']).serverSideApply).toBe(true);
  });

  it('defaults', () => {
    expect(operationSyncOptions(undefined)).toEqual({
      createNamespace: false,
      pruneLast: false,
      applyOutOfSyncOnly: false,
      prunePropagationPolicy: 'foreground',
      replace: false,
      serverSideApply: false,
      validate: true,
      respectIgnoreDifferences: false,
      skipDryRunOnMissingResource: false,
      failOnSharedResource: false,
      clientSideApplyMigration: true,
      prune: undefined,
      delete: undefined,
    });
  });

  it.each([
    [[], 'foreground'],
    [['PrunePropagationPolicy=background'], 'background'],
    [['PrunePropagationPolicy=orphan'], 'orphan'],
    [['PrunePropagationPolicy=orphan', 'PrunePropagationPolicy=background'], 'background'],
    [['PrunePropagationPolicy=Orphan'], 'foreground'],
  ])('TestSyncContext_GetDeleteOptions: %j → %s', (options, policy) => {
    expect(operationSyncOptions(options).prunePropagationPolicy).toBe(policy);
  });
});

describe('per-resource options', () => {
  it('TestSyncOptionValidate', () => {
    const app = operationSyncOptions([]);
    const mode = (annotation: string) =>
      applyModeFor(annotation ? syncOpts(newPod(), annotation) : newPod(), undefined, {
        app,
        strategyForce: false,
        dryRun: false,
      }).validate;
    expect([mode(''), mode('Validate=true'), mode('Validate=false')]).toEqual([true, true, false]);
    expect(
      applyModeFor(newPod(), undefined, {
        app: operationSyncOptions(['Validate=false']),
        strategyForce: false,
        dryRun: false,
      }).validate,
    ).toBe(false);
  });

  it('TestSync_Replace: replace when live, create when not, update for CRDs and Namespaces', () => {
    const app = operationSyncOptions([]);
    const opts = { app, strategyForce: false, dryRun: false };
    const pod = syncOpts(newPod(), 'Replace=true');
    expect(applyModeFor(pod, undefined, opts).verb).toBe('create');
    expect(applyModeFor(pod, newPod(), opts).verb).toBe('replace');
    expect(applyModeFor(syncOpts(newCRD(), 'Replace=true'), newCRD(), opts).verb).toBe('update');
    expect(applyModeFor(syncOpts(newNamespace(), 'Replace=true'), newNamespace(), opts).verb).toBe('update');
    expect(applyModeFor(newPod(), syncOpts(newPod(), 'Replace=true'), opts).verb).toBe('replace');
    expect(
      applyModeFor(newPod(), newPod(), { ...opts, app: operationSyncOptions(['Replace=true']) }).verb,
    ).toBe('replace');
    expect(applyModeFor(newPod(), newPod(), opts).verb).toBe('apply');
  });

  it('TestSync_ServerSideApply: app or resource turns it on, ServerSideApply=false on the resource opts out, dry runs never', () => {
    const on = { app: operationSyncOptions(['ServerSideApply=true']), strategyForce: false, dryRun: false };
    const off = { ...on, app: operationSyncOptions([]) };
    expect(applyModeFor(newPod(), undefined, on).serverSide).toBe(true);
    expect(applyModeFor(syncOpts(newPod(), 'ServerSideApply=true'), undefined, off).serverSide).toBe(true);
    expect(applyModeFor(syncOpts(newPod(), 'ServerSideApply=false'), undefined, on).serverSide).toBe(false);
    expect(applyModeFor(newPod(), undefined, { ...on, dryRun: true }).serverSide).toBe(false);
    expect(applyModeFor(newPod(), undefined, off).serverSide).toBe(false);
  });

  it('TestSync_Force: strategy force, or Force=true on either object', () => {
    const app = operationSyncOptions([]);
    expect(applyModeFor(newPod(), undefined, { app, strategyForce: true, dryRun: false }).force).toBe(true);
    expect(
      applyModeFor(syncOpts(newPod(), 'Force=true,Replace=true'), newPod(), {
        app,
        strategyForce: false,
        dryRun: false,
      }),
    ).toMatchObject({
      force: true,
      verb: 'replace',
    });
    expect(
      applyModeFor(newPod(), syncOpts(newPod(), 'Force=true'), { app, strategyForce: false, dryRun: false })
        .force,
    ).toBe(true);
    expect(applyModeFor(newPod(), newPod(), { app, strategyForce: false, dryRun: false }).force).toBe(false);
  });

  it('Prune options: the resource annotation beats the app default', () => {
    expect(isPruningDisabled(syncOpts(newPod(), 'Prune=false'), undefined)).toBe(true);
    expect(isPruningDisabled(newPod(), 'false')).toBe(true);
    expect(isPruningDisabled(syncOpts(newPod(), 'Prune=true'), 'false')).toBe(false);
    expect(requiresPruneConfirmation(syncOpts(newPod(), 'Prune=confirm'), 'false')).toBe(true);
    expect(requiresPruneConfirmation(newPod(), 'confirm')).toBe(true);
  });

  it('PruneLast from the app or the live object', () => {
    expect(isPruneLast(newPod(), true)).toBe(true);
    expect(isPruneLast(syncOpts(newPod(), 'PruneLast=true'), false)).toBe(true);
    expect(isPruneLast(newPod(), false)).toBe(false);
  });

  it.each([
    ['nil object', undefined, [], false],
    ['no options', newPod(), [], false],
    ['Delete=confirm on the resource', syncOpts(newPod(), 'Delete=confirm'), [], true],
    ['Prune=confirm on the resource', syncOpts(newPod(), 'Prune=confirm'), [], true],
    ['Delete=confirm app-wide', newPod(), ['Delete=confirm'], true],
    ['Prune=confirm app-wide', newPod(), ['Prune=confirm'], true],
    [
      'resource Delete=false beats app Delete=confirm',
      syncOpts(newPod(), 'Delete=false'),
      ['Delete=confirm'],
      false,
    ],
  ])('Test_isObjRequiresDeletionConfirmation: %s', (_name, obj, appOptions, expected) => {
    expect(requiresDeletionConfirmation(obj, appOptions)).toBe(expected);
  });
});

describe('compare options', () => {
  it('IgnoreExtraneous', () => {
    expect(
      hasIgnoreExtraneous(annotate(newPod(), 'argocd.argoproj.io/compare-options', 'IgnoreExtraneous')),
    ).toBe(true);
    expect(hasIgnoreExtraneous(newPod())).toBe(false);
  });

  it('ServerSideDiff: the annotation turns it on; =false wins over the controller default', () => {
    const app = (value?: string): KubeObject =>
      value === undefined
        ? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' } }
        : annotate(
            { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' } },
            'argocd.argoproj.io/compare-options',
            value,
          );
    expect(usesServerSideDiff(app(), false)).toBe(false);
    expect(usesServerSideDiff(app('ServerSideDiff=true'), false)).toBe(true);
    expect(usesServerSideDiff(app(), true)).toBe(true);
    expect(usesServerSideDiff(app('ServerSideDiff=false'), true)).toBe(false);
    expect(usesServerSideDiff(app('IncludeMutationWebhook=true,ServerSideDiff=true'), false)).toBe(true);
  });
});

describe('validateSyncOptions', () => {
  it('accepts every documented option', () => {
    const all = [
      'Prune=false',
      'Prune=confirm',
      'PruneLast=true',
      'Delete=false',
      'CreateNamespace=true',
      'ServerSideApply=true',
      'Replace=true',
      'Force=true',
      'Validate=false',
      'ApplyOutOfSyncOnly=true',
      'PrunePropagationPolicy=foreground',
      'PrunePropagationPolicy=background',
      'PrunePropagationPolicy=orphan',
      'RespectIgnoreDifferences=true',
      'SkipDryRunOnMissingResource=true',
      'FailOnSharedResource=true',
    ];
    expect(validateSyncOptions(all, 'spec.syncPolicy.syncOptions')).toEqual([]);
  });

  it('reports what upstream would silently ignore, with paths', () => {
    expect(
      validateSyncOptions(
        ['ServerSideApply=True', 'CreateNamespaces=true', 'Prune'],
        'spec.syncPolicy.syncOptions',
      ),
    ).toEqual([
      {
        path: 'spec.syncPolicy.syncOptions[0]',
        message: '"ServerSideApply=True" has no effect: ServerSideApply takes true or false (case-sensitive)',
      },
      {
        path: 'spec.syncPolicy.syncOptions[1]',
        message: '"CreateNamespaces=true" is not a known sync option',
      },
      {
        path: 'spec.syncPolicy.syncOptions[2]',
        message: '"Prune" has no effect: Prune takes false or confirm or true (case-sensitive)',
      },
    ]);
  });

  it('app-only options on a resource are reported', () => {
    expect(validateResourceSyncOptions(syncOpts(newPod(), 'CreateNamespace=true,Prune=false'))).toEqual([
      {
        path: 'metadata.annotations["argocd.argoproj.io/sync-options"][0]',
        message: '"CreateNamespace=true" only has an effect in spec.syncPolicy.syncOptions',
      },
    ]);
  });
});
