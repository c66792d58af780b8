import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { dotPath, SchemaValidator, withoutNulls } from './schema-validator.ts';

let validator: SchemaValidator;
beforeAll(async () => {
  validator = await SchemaValidator.load();
});

/** Sets (or with `undefined`, deletes) the field at `path` of a test object. */
function put(obj: unknown, path: Array<string | number>, value: unknown): void {
  let cur = obj as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'my-service', namespace: 'my-service-dev', labels: { app: 'my-service' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'my-service' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'my-service' } },
      spec: {
        containers: [
          {
            name: 'my-service',
            image: 'ghcr.io/myorg/my-service:abc1234',
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 1 } },
          },
        ],
      },
    },
  },
});

// The seed's Rollout, AnalysisTemplate and Application (Steps 10, 15, 17).
const seedRollout = (): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'my-service' },
  spec: {
    replicas: 5,
    strategy: {
      canary: {
        steps: [
          { setWeight: 10 },
          { pause: { duration: '5m' } },
          { setWeight: 30 },
          { pause: { duration: '5m' } },
          { setWeight: 60 },
          { pause: { duration: '5m' } },
        ],
        canaryService: 'my-service-canary',
        stableService: 'my-service-stable',
        analysis: {
          templates: [{ templateName: 'success-rate' }],
          startingStep: 2,
          args: [{ name: 'service-name', value: 'my-service' }],
        },
      },
    },
    selector: { matchLabels: { app: 'my-service' } },
    template: {
      metadata: { labels: { app: 'my-service' } },
      spec: { containers: [{ name: 'my-service', image: 'ghcr.io/myorg/my-service:abc1234' }] },
    },
  },
});

describe('SchemaValidator (Kubernetes v1.36.3 OpenAPI v3, Argo CRDs)', () => {
  it('records the pinned versions it validates against', () => {
    expect(validator.versions).toMatchObject({
      kubernetes: 'v1.36.3',
      argoRollouts: 'v1.9.1',
      argoCd: 'v3.5.1',
    });
  });

  it('knows scope: Deployments are namespaced, Namespaces and ClusterRoles are not', () => {
    expect(validator.kind('apps/v1', 'Deployment')?.namespaced).toBe(true);
    expect(validator.kind('v1', 'Namespace')?.namespaced).toBe(false);
    expect(validator.kind('rbac.authorization.k8s.io/v1', 'ClusterRole')?.namespaced).toBe(false);
    expect(validator.kind('argoproj.io/v1alpha1', 'Rollout')?.namespaced).toBe(true);
    expect(validator.kind('example.com/v1', 'Widget')).toBeUndefined();
  });

  it('accepts a valid Deployment (null fields are unset, as the API server reads them)', () => {
    const d = deployment();
    put(d, ['metadata', 'creationTimestamp'], null);
    expect(validator.validate(d)).toEqual({ known: true, issues: [] });
  });

  it('rejects unknown fields, wrong types, bad quantities and missing required fields, each at its path', () => {
    const d = deployment();
    const container = ['spec', 'template', 'spec', 'containers', 0];
    put(d, [...container, 'imagePullPolicyy'], 'Always');
    put(d, ['spec', 'replicas'], '3');
    put(d, [...container, 'resources', 'requests', 'cpu'], '100x');
    put(d, ['spec', 'selector'], undefined);
    const { issues } = validator.validate(d);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'spec.template.spec.containers[0].imagePullPolicyy',
          message: 'unknown field "imagePullPolicyy"',
        }),
        expect.objectContaining({ path: 'spec.replicas', message: 'must be integer' }),
        expect.objectContaining({ path: 'spec', message: 'missing required field "selector"' }),
        expect.objectContaining({ path: 'spec.template.spec.containers[0].resources.requests.cpu' }),
      ]),
    );
    expect(issues).toHaveLength(4);
    const unknown = issues.find((i) => i.path.endsWith('imagePullPolicyy'));
    expect(unknown?.segments).toEqual(['spec', 'template', 'spec', 'containers', 0, 'imagePullPolicyy']);
  });

  it('checks int32 ranges and int-or-string fields', () => {
    const d = deployment();
    put(d, ['spec', 'replicas'], 2 ** 31);
    put(d, ['spec', 'strategy', 'rollingUpdate', 'maxSurge'], true);
    const paths = validator.validate(d).issues.map((i) => i.path);
    expect(paths).toEqual(['spec.replicas', 'spec.strategy.rollingUpdate.maxSurge']);
  });

  it("accepts the seed's Rollout, AnalysisTemplate and Application", () => {
    expect(validator.validate(seedRollout()).issues).toEqual([]);
    const template: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'success-rate' },
      spec: {
        args: [{ name: 'service-name' }],
        metrics: [
          {
            name: 'success-rate',
            interval: '60s',
            successCondition: 'result[0] >= 0.99',
            provider: {
              prometheus: { address: 'http://prometheus.monitoring:9090', query: 'sum(rate(x[2m]))' },
            },
          },
        ],
      },
    };
    expect(validator.validate(template)).toEqual({ known: true, issues: [] });
    const application: KubeObject = {
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
    };
    expect(validator.validate(application)).toEqual({ known: true, issues: [] });
  });

  it('rejects a Rollout step with an unknown action or a non-integer weight', () => {
    const r = seedRollout();
    put(r, ['spec', 'strategy', 'canary', 'steps', 2], { setWeigth: 30 });
    put(r, ['spec', 'strategy', 'canary', 'steps', 4], { setWeight: 'sixty' });
    expect(validator.validate(r).issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.strategy.canary.steps[2].setWeigth: unknown field "setWeigth"',
      'spec.strategy.canary.steps[4].setWeight: must be integer',
    ]);
  });

  it('rejects unknown metadata fields on custom resources (the server reads them as ObjectMeta)', () => {
    const r = seedRollout();
    put(r, ['metadata', 'lables'], { a: 'b' });
    expect(validator.validate(r).issues.map((i) => i.path)).toEqual(['metadata.lables']);
  });

  it('reports kinds it has no schema for as unknown, without issues', () => {
    expect(validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: {} })).toEqual({
      known: false,
      issues: [],
    });
  });
});

describe('helpers', () => {
  it('dotPath and withoutNulls', () => {
    expect(dotPath('/spec/containers/0/env/1/name')).toBe('spec.containers[0].env[1].name');
    expect(dotPath('/metadata/annotations/a~1b')).toBe('metadata.annotations.a/b');
    expect(withoutNulls({ a: null, b: [{ c: null, d: 1 }] })).toEqual({ b: [{ d: 1 }] });
  });
});
