import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { type Application, parseApplication } from './application.ts';
import {
  BACKGROUND_FINALIZER,
  cascadeFinalizerOf,
  FOREGROUND_FINALIZER,
  highestWave,
  planDeletion,
  propagationFinalizer,
  RESOURCES_FINALIZER,
  shouldBeDeleted,
  withoutCascadeFinalizers,
} from './finalize.ts';

const NS = 'my-service-dev';

function app(finalizers: string[] | undefined, edit?: (spec: Record<string, unknown>) => void): Application {
  const spec: Record<string, unknown> = {
    source: { repoURL: 'file:///repo', path: 'apps/x' },
    destination: { namespace: NS },
  };
  edit?.(spec);
  return parseApplication({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: 'guestbook',
      namespace: 'argocd',
      deletionTimestamp: '2026-01-01T00:00:00Z',
      ...(finalizers ? { finalizers } : {}),
    },
    spec,
  });
}

/** A live object tracked by `owner` (its tracking id describing itself unless `trackingId` says otherwise). */
function obj(
  kind: string,
  name: string,
  options: {
    wave?: number;
    owner?: string;
    apiVersion?: string;
    trackingId?: string;
    annotations?: Record<string, string>;
    deleting?: boolean;
  } = {},
): KubeObject {
  const apiVersion = options.apiVersion ?? (kind === 'Deployment' ? 'apps/v1' : 'v1');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const annotations: Record<string, string> = {
    'argocd.argoproj.io/tracking-id':
      options.trackingId ?? `${options.owner ?? 'guestbook'}:${group}/${kind}:${NS}/${name}`,
    ...(options.annotations ?? {}),
  };
  if (options.wave !== undefined) annotations['argocd.argoproj.io/sync-wave'] = String(options.wave);
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace: NS,
      annotations,
      ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:01Z' } : {}),
    },
  };
}

const names = (objects: readonly KubeObject[]) => objects.map((o) => o.metadata.name).sort();

describe('the resources finalizers (application_defaults.go, types.go)', () => {
  it.each([
    [[RESOURCES_FINALIZER], RESOURCES_FINALIZER],
    [['other', BACKGROUND_FINALIZER], BACKGROUND_FINALIZER],
    [[FOREGROUND_FINALIZER, RESOURCES_FINALIZER], FOREGROUND_FINALIZER],
    [['pre-delete-finalizer.argocd.argoproj.io'], undefined],
    [[], undefined],
  ])('%j cascades with %s', (finalizers, expected) => {
    expect(cascadeFinalizerOf(finalizers)).toBe(expected);
  });

  it('removes every cascade finalizer and keeps the others', () => {
    expect(withoutCascadeFinalizers([RESOURCES_FINALIZER, 'keep/me', BACKGROUND_FINALIZER])).toEqual([
      'keep/me',
    ]);
  });

  it.each([
    ['', RESOURCES_FINALIZER],
    ['foreground', FOREGROUND_FINALIZER],
    ['Background', BACKGROUND_FINALIZER],
    ['orphan', undefined],
  ])('propagation policy %j is finalizer %s (getPropagationPolicyFinalizer)', (policy, finalizer) => {
    expect(propagationFinalizer(policy)).toBe(finalizer);
  });
});

describe('shouldBeDeleted', () => {
  const a = app([RESOURCES_FINALIZER]);
  it('deletes ordinary objects', () => {
    expect(shouldBeDeleted(a, obj('ConfigMap', 'c'))).toBe(true);
  });
  it('keeps CRDs, the Application itself, Delete=false and helm resource-policy keep', () => {
    expect(
      shouldBeDeleted(
        a,
        obj('CustomResourceDefinition', 'x.example.com', { apiVersion: 'apiextensions.k8s.io/v1' }),
      ),
    ).toBe(false);
    const self: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'guestbook', namespace: 'argocd' },
    };
    expect(shouldBeDeleted(a, self)).toBe(false);
    expect(
      shouldBeDeleted(
        a,
        obj('ConfigMap', 'c', { annotations: { 'argocd.argoproj.io/sync-options': 'Delete=false' } }),
      ),
    ).toBe(false);
    expect(
      shouldBeDeleted(a, obj('ConfigMap', 'c', { annotations: { 'helm.sh/resource-policy': 'keep' } })),
    ).toBe(false);
  });
  it('takes Delete=false from the app when the object says nothing, the object winning', () => {
    const keepAll = app([RESOURCES_FINALIZER], (spec) => {
      spec['syncPolicy'] = { syncOptions: ['Delete=false'] };
    });
    expect(shouldBeDeleted(keepAll, obj('ConfigMap', 'c'))).toBe(false);
    expect(
      shouldBeDeleted(
        keepAll,
        obj('ConfigMap', 'c', { annotations: { 'argocd.argoproj.io/sync-options': 'Delete=true' } }),
      ),
    ).toBe(true);
  });
});

describe('highestWave (FilterObjectsForDeletion)', () => {
  it.each([
    [[], []],
    [[['a', 0]], ['a']],
    [
      [
        ['a', 0],
        ['b', 2],
        ['c', 2],
        ['d', 1],
      ],
      ['b', 'c'],
    ],
    [
      [
        ['a', -1],
        ['b', -5],
      ],
      ['a'],
    ],
    [
      [
        ['a', 0],
        ['b', undefined],
      ],
      ['a', 'b'],
    ], // no annotation is wave 0
  ] as Array<[Array<[string, number | undefined]>, string[]]>)('%j → %j', (input, expected) => {
    const objects = input.map(([name, wave]) => obj('ConfigMap', name, wave === undefined ? {} : { wave }));
    expect(names(highestWave(objects))).toEqual(expected);
  });
});

describe('planDeletion (finalizeApplicationDeletion)', () => {
  const deployment = obj('Deployment', 'web');
  const service = obj('Service', 'web', { wave: 1 });
  const config = obj('ConfigMap', 'settings', { wave: 2 });

  it('does nothing without a cascade finalizer: the objects stay', () => {
    expect(planDeletion({ app: app(undefined), instanceName: 'guestbook', live: [deployment] })).toEqual({
      kind: 'none',
    });
    expect(
      planDeletion({ app: app(['example.com/other']), instanceName: 'guestbook', live: [deployment] }),
    ).toEqual({ kind: 'none' });
  });

  it('deletes the highest wave first, foreground by default, and removes the finalizer last', () => {
    const a = app([RESOURCES_FINALIZER, 'example.com/other']);
    const step = (live: KubeObject[]) => planDeletion({ app: a, instanceName: 'guestbook', live });
    expect(step([deployment, service, config])).toMatchObject({
      kind: 'delete',
      wave: 2,
      propagationPolicy: 'Foreground',
      objects: [config],
    });
    expect(step([deployment, service])).toMatchObject({ kind: 'delete', wave: 1, objects: [service] });
    expect(step([deployment])).toMatchObject({ kind: 'delete', wave: 0, objects: [deployment] });
    expect(step([])).toEqual({ kind: 'removeFinalizer', finalizers: ['example.com/other'] });
  });

  it('uses background propagation for the /background finalizer', () => {
    const plan = planDeletion({
      app: app([BACKGROUND_FINALIZER]),
      instanceName: 'guestbook',
      live: [deployment],
    });
    expect(plan).toMatchObject({ kind: 'delete', propagationPolicy: 'Background' });
  });

  it('waits while any tracked object is still being deleted', () => {
    const going = obj('Service', 'web', { wave: 1, deleting: true });
    expect(
      planDeletion({ app: app([RESOURCES_FINALIZER]), instanceName: 'guestbook', live: [deployment, going] }),
    ).toEqual({ kind: 'wait', message: '2 objects remaining for deletion' });
  });

  it("never deletes another app's objects, nor one whose tracking id was copied from another object", () => {
    const foreign = obj('ConfigMap', 'foreign', { owner: 'other-app', wave: 5 });
    const copied = obj('ConfigMap', 'copy', { wave: 5, trackingId: `guestbook:/ConfigMap:${NS}/settings` });
    const plan = planDeletion({
      app: app([RESOURCES_FINALIZER]),
      instanceName: 'guestbook',
      live: [deployment, foreign, copied],
    });
    expect(plan).toMatchObject({ kind: 'delete', objects: [deployment] });
    expect(
      planDeletion({ app: app([RESOURCES_FINALIZER]), instanceName: 'guestbook', live: [foreign, copied] }),
    ).toEqual({ kind: 'removeFinalizer', finalizers: [] });
  });

  it('skips objects that are kept (Delete=false) and finishes without them', () => {
    const kept = obj('ConfigMap', 'kept', {
      wave: 9,
      annotations: { 'argocd.argoproj.io/sync-options': 'Delete=false' },
    });
    const a = app([RESOURCES_FINALIZER]);
    expect(planDeletion({ app: a, instanceName: 'guestbook', live: [kept, deployment] })).toMatchObject({
      kind: 'delete',
      objects: [deployment],
    });
    expect(planDeletion({ app: a, instanceName: 'guestbook', live: [kept] })).toEqual({
      kind: 'removeFinalizer',
      finalizers: [],
    });
  });

  it('waits for approval of a Delete=confirm object until deletion-approved is at or after the deletion', () => {
    const confirm = obj('ConfigMap', 'precious', {
      annotations: { 'argocd.argoproj.io/sync-options': 'Delete=confirm' },
    });
    const pending = planDeletion({
      app: app([RESOURCES_FINALIZER]),
      instanceName: 'guestbook',
      live: [confirm],
    });
    expect(pending).toEqual({
      kind: 'wait',
      message: `ConfigMap/${NS}/precious requires manual confirmation to delete`,
    });
    const approvedRaw = app([RESOURCES_FINALIZER]);
    approvedRaw.metadata.annotations = { 'argocd.argoproj.io/deletion-approved': '2026-01-01T00:00:05Z' };
    expect(planDeletion({ app: approvedRaw, instanceName: 'guestbook', live: [confirm] })).toMatchObject({
      kind: 'delete',
      objects: [confirm],
    });
  });
});
