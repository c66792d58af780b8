/**
 * Vectors from Argo CD `util/argo/resource_tracking_test.go`, `controller/state_test.go`
 * (`TestIsLiveResourceManaged`) and `docs/user-guide/resource_tracking.md`.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import {
  appInstanceName,
  buildTrackingId,
  isSelfReferenced,
  parseTrackingId,
  removeAppInstance,
  setAppInstance,
  trackedAppName,
  trackingIdOf,
  truncateLabel,
  WRONG_TRACKING_FORMAT,
} from './tracking.ts';

/** `util/argo/testdata/svc.yaml`. */
function svc(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'my-service', namespace: 'default' },
    spec: { ports: [{ port: 80 }], selector: { app: 'my-service' } },
  };
}

function configMap(name: string, trackingId: string, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, annotations: { 'argocd.argoproj.io/tracking-id': trackingId } },
  };
}

describe('tracking ids', () => {
  it('TestParseAppInstanceValue', () => {
    expect(parseTrackingId('app:<group>/<kind>:<namespace>/<name>')).toEqual({
      applicationName: 'app',
      group: '<group>',
      kind: '<kind>',
      namespace: '<namespace>',
      name: '<name>',
    });
  });

  it('TestParseAppInstanceValueColon', () => {
    expect(parseTrackingId('app:<group>/<kind>:<namespace>/<name>:<colon>').name).toBe('<name>:<colon>');
  });

  it.each(['app', 'app;group/kind/ns', 'app:group/kind', 'app:group:ns/name', 'app:group/kind:ns'])(
    'TestParseAppInstanceValueWrongFormat: %s',
    (value) => {
      expect(() => parseTrackingId(value)).toThrow(WRONG_TRACKING_FORMAT);
    },
  );

  it('TestParseAppInstanceValueCorrectFormat', () => {
    expect(() => parseTrackingId('app:group/kind:test/ns')).not.toThrow();
  });

  it.each([
    [
      {
        applicationName: 'my-app',
        group: 'apps',
        kind: 'Deployment',
        namespace: 'default',
        name: 'my-deployment',
      },
      'my-app:apps/Deployment:default/my-deployment',
    ],
    [
      {
        applicationName: 'your-application-name',
        group: '',
        kind: 'Namespace',
        namespace: '',
        name: 'your-namespace-name',
      },
      'your-application-name:/Namespace:/your-namespace-name',
    ],
    [
      { applicationName: 'my-app', group: '', kind: 'Service', namespace: 'default', name: 'guestbook-ui' },
      'my-app:/Service:default/guestbook-ui',
    ],
  ])('build and parse round-trip (docs vectors): %s', (value, id) => {
    expect(buildTrackingId(value)).toBe(id);
    expect(parseTrackingId(id)).toEqual(value);
  });

  it('a cluster-scoped object without a namespace takes the destination namespace in its id', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' } };
    expect(
      setAppInstance(ns, 'my-app', 'guestbook').metadata.annotations?.['argocd.argoproj.io/tracking-id'],
    ).toBe('my-app:/Namespace:guestbook/foo');
    expect(setAppInstance(ns, 'my-app', '').metadata.annotations?.['argocd.argoproj.io/tracking-id']).toBe(
      'my-app:/Namespace:/foo',
    );
  });

  it('app names outside the controller namespace are <ns>_<name> (Application.InstanceName)', () => {
    expect(appInstanceName('guestbook', 'argocd', 'argocd')).toBe('guestbook');
    expect(appInstanceName('guestbook', undefined, 'argocd')).toBe('guestbook');
    expect(appInstanceName('guestbook', 'team-a', 'argocd')).toBe('team-a_guestbook');
  });
});

describe('setting and reading tracking', () => {
  it('TestSetAppInstanceLabel', () => {
    const obj = setAppInstance(svc(), 'my-app', '', { method: 'label' });
    expect(trackedAppName(obj, { method: 'label' })).toBe('my-app');
    expect(obj.metadata.annotations).toBeUndefined();
  });

  it('TestSetAppInstanceAnnotation', () => {
    const input = svc();
    const obj = setAppInstance(input, 'my-app', '');
    expect(trackedAppName(obj)).toBe('my-app');
    expect(obj.metadata.annotations?.['argocd.argoproj.io/tracking-id']).toBe(
      'my-app:/Service:default/my-service',
    );
    expect(input.metadata.annotations).toBeUndefined();
  });

  it('TestGetAppName_AnnotationWithExistingInstallationID', () => {
    const obj = setAppInstance(svc(), 'my-app', '', { installationId: 'some-installation-id' });
    expect(trackedAppName(obj)).toBe('my-app');
    expect(trackedAppName(obj, { installationId: 'different-id' })).toBe('');
    expect(trackedAppName(obj, { installationId: 'some-installation-id' })).toBe('my-app');
  });

  it('TestSetAppInstanceAnnotationAndLabel', () => {
    const obj = setAppInstance(svc(), 'my-app', '', { method: 'annotation+label' });
    expect(trackedAppName(obj, { method: 'annotation+label' })).toBe('my-app');
    expect(obj.metadata.labels?.['app.kubernetes.io/instance']).toBe('my-app');
  });

  it('TestSetAppInstanceAnnotationAndLabelLongName', () => {
    const name = 'my-app-with-an-extremely-long-name-that-is-over-sixty-three-characters';
    const obj = setAppInstance(svc(), name, '', { method: 'annotation+label' });
    expect(trackedAppName(obj, { method: 'annotation+label' })).toBe(name);
    expect(obj.metadata.labels?.['app.kubernetes.io/instance']).toBe(
      'my-app-with-an-extremely-long-name-that-is-over-sixty-three-cha',
    );
  });

  it('TestSetAppInstanceAnnotationAndLabelLongNameBadEnding', () => {
    const name = 'the-very-suspicious-name-with-precisely-sixty-three-characters-with-hyphen';
    const obj = setAppInstance(svc(), name, '', { method: 'annotation+label' });
    expect(trackedAppName(obj, { method: 'annotation+label' })).toBe(name);
    expect(obj.metadata.labels?.['app.kubernetes.io/instance']).toBe(
      'the-very-suspicious-name-with-precisely-sixty-three-characters',
    );
  });

  it('TestSetAppInstanceAnnotationAndLabelOutOfBounds', () => {
    expect(() => setAppInstance(svc(), '-'.repeat(64), '', { method: 'annotation+label' })).toThrow(
      'unable to truncate label to not end with a special character',
    );
  });

  it('label-only tracking keeps a long name whole', () => {
    const name = 'my-app-with-an-extremely-long-name-that-is-over-sixty-three-characters';
    expect(
      setAppInstance(svc(), name, '', { method: 'label' }).metadata.labels?.['app.kubernetes.io/instance'],
    ).toBe(name);
  });

  it.each([
    ['TestTruncateLabel_Short', 'my-app', 'my-app'],
    [
      'TestTruncateLabel_AtLimit',
      'the-very-suspicious-name-with-precisely-sixty-three-characters0',
      'the-very-suspicious-name-with-precisely-sixty-three-characters0',
    ],
    [
      'TestTruncateLabel_LongName',
      'my-app-with-an-extremely-long-name-that-is-over-sixty-three-characters',
      'my-app-with-an-extremely-long-name-that-is-over-sixty-three-cha',
    ],
    [
      'TestTruncateLabel_TrailingSpecialCharsStripped',
      'the-very-suspicious-name-with-precisely-sixty-three-characters-with-hyphen',
      'the-very-suspicious-name-with-precisely-sixty-three-characters',
    ],
  ])('%s', (_name, input, expected) => {
    expect(truncateLabel(input)).toBe(expected);
  });

  it('TestTruncateLabel_AllSpecialChars', () => {
    expect(() => truncateLabel('-'.repeat(64))).toThrow(
      'unable to truncate label to not end with a special character',
    );
  });

  it('TestSetAppInstanceAnnotationNotFound', () => {
    expect(trackedAppName(svc())).toBe('');
  });

  it('a malformed id counts as untracked', () => {
    expect(trackingIdOf(configMap('x', 'garbage'))).toBeUndefined();
  });

  it('TestRemoveAppInstance_*', () => {
    const both = setAppInstance(svc(), 'my-app', '', { method: 'annotation+label', installationId: 'i' });
    const removed = removeAppInstance(both, 'annotation+label');
    expect(removed.metadata.annotations).toEqual({});
    expect(removed.metadata.labels).toEqual({});
    const custom = { ...svc(), metadata: { ...svc().metadata, labels: { 'my-custom-label': 'keep-me' } } };
    const defaultCase = removeAppInstance(setAppInstance(custom, 'my-app', ''), 'unknown-method');
    expect(defaultCase.metadata.annotations?.['argocd.argoproj.io/tracking-id']).toBeUndefined();
    expect(defaultCase.metadata.labels).toEqual({ 'my-custom-label': 'keep-me' });
    const labelOnly = removeAppInstance(setAppInstance(svc(), 'my-app', '', { method: 'label' }), 'label');
    expect(labelOnly.metadata.labels?.['app.kubernetes.io/instance']).toBeUndefined();
  });
});

describe('TestIsLiveResourceManaged (isSelfReferencedObj)', () => {
  const managed = configMap('configmap1', 'guestbook:/ConfigMap:default/configmap1');
  const wrongName = configMap('configmap2', 'guestbook:/ConfigMap:default/configmap1');
  const wrongKind = configMap('configmap2', 'guestbook:/Service:default/configmap2');
  const wrongGroup = configMap('configmap2', 'guestbook:apps/ConfigMap:default/configmap2');
  const wrongNamespace = configMap('configmap2', 'guestbook:/ConfigMap:fakens/configmap2');

  it('will return true if trackingid matches the resource', () => {
    expect(isSelfReferenced(managed, structuredClone(managed), 'guestbook', { method: 'label' })).toBe(true);
    expect(isSelfReferenced(managed, structuredClone(managed), 'guestbook')).toBe(true);
  });

  it('will return true if tracked with label', () => {
    const labelled: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'configmap1',
        namespace: 'default',
        labels: { 'app.kubernetes.io/instance': 'guestbook' },
      },
    };
    expect(isSelfReferenced(labelled, structuredClone(labelled), 'guestbook', { method: 'label' })).toBe(
      true,
    );
  });

  it.each([
    ['wrong resource name', wrongName, 'annotation'],
    ['wrong resource group', wrongGroup, 'annotation'],
    ['wrong kind', wrongKind, 'annotation'],
    ['wrong namespace', wrongNamespace, 'annotation+label'],
  ] as const)('will handle if trackingId has %s and config is nil', (_name, live, method) => {
    expect(isSelfReferenced(live, undefined, 'guestbook', { method: 'label' })).toBe(true);
    expect(isSelfReferenced(live, undefined, 'guestbook', { method })).toBe(false);
  });

  it('will return true if live is nil', () => {
    expect(isSelfReferenced(undefined, undefined, 'guestbook')).toBe(true);
  });

  it('will handle upgrade in desired state APIGroup', () => {
    const live: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'some-ingress',
        namespace: 'default',
        annotations: {
          'argocd.argoproj.io/tracking-id': 'guestbook:extensions/Ingress:default/some-ingress',
        },
      },
    };
    const config = structuredClone(live);
    config.metadata.annotations = {};
    expect(isSelfReferenced(live, config, 'guestbook')).toBe(true);
  });

  it('a cluster-scoped live object (no namespace) matches any namespace in its id', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'foo',
        annotations: { 'argocd.argoproj.io/tracking-id': 'my-app:/Namespace:guestbook/foo' },
      },
    };
    expect(isSelfReferenced(ns, undefined, 'my-app')).toBe(true);
  });
});
