/**
 * Test objects, the same manifests as gitops-engine's `pkg/utils/testing/testdata.go`, as plain JSON.
 * Every builder returns a fresh object.
 */
import type { KubeObject } from '../../kube/types.ts';
import type { HookDeletePolicy, HookType } from '../types.ts';

export const FAKE_NS = 'fake-argocd-ns';

export function newPod(name = 'my-pod', namespace?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
    spec: {
      containers: [{ image: 'nginx:1.7.9', name: 'nginx', resources: { requests: { cpu: 0.2 } } }],
    },
  };
}

export function newService(name = 'my-service', namespace?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
    spec: {
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      selector: { app: 'my-service' },
    },
  };
}

export function newNamespace(name = 'testnamespace'): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function newCRD(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'testcrds.argoproj.io' },
    spec: { group: 'test.io', version: 'v1', scope: 'Namespaced', names: { plural: 'testcrds', kind: 'TestCrd' } },
  };
}

export function newDeployment(name = 'my-deployment', namespace?: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/app:1.0.0' }] },
      },
    },
  };
}

/** Returns `obj` with the annotation set (mutates and returns it, like `testingutils.Annotate`). */
export function annotate(obj: KubeObject, key: string, value: string): KubeObject {
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [key]: value };
  return obj;
}

/** `newHook` of gitops-engine's helper_test.go: a Pod hook in the fake namespace with the finalizer. */
export function newHook(name: string, type: HookType, policy: HookDeletePolicy): KubeObject {
  const obj = newPod(name, FAKE_NS);
  annotate(obj, 'argocd.argoproj.io/hook', type);
  annotate(obj, 'argocd.argoproj.io/hook-delete-policy', policy);
  obj.metadata.finalizers = ['argocd.argoproj.io/hook-finalizer'];
  return obj;
}

/** A copy of `obj` in `namespace`. */
export function inNamespace(obj: KubeObject, namespace: string): KubeObject {
  const out = structuredClone(obj);
  out.metadata.namespace = namespace;
  return out;
}
