/**
 * Parsing `argoproj.io/v1alpha1` Applications: the seed's Application, Argo CD's annotated reference
 * manifest (`docs/operator-manual/application.yaml`), and helpers from
 * `pkg/apis/application/v1alpha1/types.go` with vectors from `types_test.go`.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ApplicationSpecError,
  asKubeObject,
  formatIssues,
  isAutomatedSyncEnabled,
  isDeletionConfirmed,
  operationResourceMatches,
  parseApplication,
  projectOf,
  revisionHistoryLimit,
  safeParseApplication,
  singleSource,
  skipsHooks,
  strategyForce,
} from './application.ts';

/** The seed guide's Step 10 Application. */
const SEED = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: my-service-dev
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/myorg/deploy-configs.git
    targetRevision: main
    path: apps/my-service/overlays/dev
  destination:
    server: https://kubernetes.default.svc
    namespace: my-service-dev
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
`;

/** Argo CD's reference manifest, abridged (comments dropped), with one tool block per source. */
const REFERENCE = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
  finalizers:
    - resources-finalizer.argocd.argoproj.io
  labels:
    name: guestbook
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps.git
    targetRevision: HEAD
    path: guestbook
    chart: chart-name
    helm:
      passCredentials: false
      parameters:
      - name: "nginx-ingress.controller.service.annotations.external-dns\\\\.alpha\\\\.kubernetes\\\\.io/hostname"
        value: mydomain.example.com
      - name: "ingress.annotations.kubernetes\\\\.io/tls-acme"
        value: "true"
        forceString: true
      fileParameters:
      - name: config
        path: files/config.json
      releaseName: guestbook
      valueFiles:
      - values-prod.yaml
      ignoreMissingValueFiles: false
      values: |
        ingress:
          enabled: true
      valuesObject:
        ingress:
          enabled: true
          hosts:
            - mydomain.example.com
      skipCrds: false
      skipSchemaValidation: false
      version: v2
      kubeVersion: 1.30.0
      apiVersions:
        - traefik.io/v1alpha1/TLSOption
        - v1/Service
      namespace: custom-namespace
  destination:
    server: https://kubernetes.default.svc
    namespace: guestbook
  info:
    - name: 'Example:'
      value: 'https://example.com'
  syncPolicy:
    automated:
      enabled: true
      prune: true
      selfHeal: true
      allowEmpty: false
    syncOptions:
    - Validate=false
    - CreateNamespace=true
    - PrunePropagationPolicy=foreground
    - PruneLast=true
    - RespectIgnoreDifferences=true
    - ApplyOutOfSyncOnly=true
    - SkipDryRunOnMissingResource=true
    - Replace=true
    managedNamespaceMetadata:
      labels:
        any: label
        you: like
      annotations:
        the: same
        applies: for
        annotations: on-the-namespace
    retry:
      limit: 5
      backoff:
        duration: 5s
        factor: 2
        maxDuration: 3m
  ignoreDifferences:
  - group: apps
    kind: Deployment
    jsonPointers:
    - /spec/replicas
  - kind: ConfigMap
    jqPathExpressions:
    - '.data["config.yaml"]'
  - group: "*"
    kind: "*"
    managedFieldsManagers:
    - kube-controller-manager
    name: my-deployment
    namespace: my-namespace
  revisionHistoryLimit: 10
`;

const KUSTOMIZE = `
kustomize:
  version: v3.5.4
  namePrefix: prod-
  nameSuffix: -some-suffix
  commonLabels:
    foo: bar
  commonAnnotations:
    beep: boop-\${ARGOCD_APP_REVISION}
  commonAnnotationsEnvsubst: true
  images:
  - quay.io/argoprojlabs/argocd-e2e-container:0.2
  - my-app=gcr.io/my-repo/my-app:0.1
  namespace: custom-namespace
  replicas:
  - name: kustomize-guestbook-ui
    count: 4
  components:
    - ../component
  patches:
    - target:
        kind: Deployment
        name: guestbook-ui
      patch: |-
        - op: add
          path: /spec/template/spec/nodeSelector/
          value:
            env: "pro"
`;

const DIRECTORY = `
directory:
  recurse: true
  jsonnet:
    extVars:
    - name: foo
      value: bar
    - code: true
      name: baz
      value: "true"
    tlas:
    - code: false
      name: foo
      value: bar
  exclude: 'config.yaml'
  include: '*.yaml'
`;

function withSource(base: string, extra: Record<string, unknown>): unknown {
  const doc = parse(base) as { spec: { source: Record<string, unknown> } };
  Object.assign(doc.spec.source, extra);
  return doc;
}

describe('parseApplication', () => {
  it("parses the seed guide's Application", () => {
    const app = parseApplication(parse(SEED));
    expect(app.metadata).toEqual({ name: 'my-service-dev', namespace: 'argocd' });
    expect(singleSource(app)).toEqual({
      repoURL: 'https://github.com/myorg/deploy-configs.git',
      targetRevision: 'main',
      path: 'apps/my-service/overlays/dev',
    });
    expect(app.spec.destination).toEqual({
      server: 'https://kubernetes.default.svc',
      namespace: 'my-service-dev',
    });
    expect(app.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true });
    expect(isAutomatedSyncEnabled(app.spec)).toBe(true);
    expect(revisionHistoryLimit(app.spec)).toBe(10);
  });

  it("parses Argo CD's reference manifest (Helm source)", () => {
    const app = parseApplication(parse(REFERENCE));
    const helm = app.spec.source?.helm;
    expect(helm?.parameters?.[1]).toEqual({
      name: 'ingress.annotations.kubernetes\\.io/tls-acme',
      value: 'true',
      forceString: true,
    });
    expect(helm?.valuesObject).toEqual({ ingress: { enabled: true, hosts: ['mydomain.example.com'] } });
    expect(app.spec.syncPolicy?.retry).toEqual({
      limit: 5,
      backoff: { duration: '5s', factor: 2, maxDuration: '3m' },
    });
    expect(app.spec.syncPolicy?.managedNamespaceMetadata?.labels).toEqual({ any: 'label', you: 'like' });
    expect(app.spec.ignoreDifferences?.map((d) => d.kind)).toEqual(['Deployment', 'ConfigMap', '*']);
    expect(app.spec.ignoreDifferences?.[2]?.managedFieldsManagers).toEqual(['kube-controller-manager']);
    expect(app.spec.info).toEqual([{ name: 'Example:', value: 'https://example.com' }]);
  });

  it('parses the kustomize and directory blocks of the reference manifest', () => {
    const base = parse(REFERENCE) as { spec: { source: Record<string, unknown> } };
    delete base.spec.source.helm;
    const k = parseApplication(withSource(JSON.stringify(base), parse(KUSTOMIZE)));
    expect(k.spec.source?.kustomize?.replicas).toEqual([{ name: 'kustomize-guestbook-ui', count: 4 }]);
    expect(k.spec.source?.kustomize?.images).toEqual([
      'quay.io/argoprojlabs/argocd-e2e-container:0.2',
      'my-app=gcr.io/my-repo/my-app:0.1',
    ]);
    const d = parseApplication(withSource(JSON.stringify(base), parse(DIRECTORY)));
    expect(d.spec.source?.directory?.jsonnet?.extVars?.[1]).toEqual({
      code: true,
      name: 'baz',
      value: 'true',
    });
  });

  it('rejects more than one tool block with upstream message (ExplicitType)', () => {
    const result = safeParseApplication(withSource(REFERENCE, { ...parse(KUSTOMIZE), ...parse(DIRECTORY) }));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues).toEqual([
      { path: 'spec.source', message: 'multiple application sources defined: Kustomize,Helm,Directory' },
    ]);
  });

  it('keeps unknown fields at every level', () => {
    const doc = parse(SEED) as Record<string, Record<string, unknown>>;
    (doc.spec as Record<string, unknown>).futureField = { a: 1 };
    ((doc.spec as { source: Record<string, unknown> }).source as Record<string, unknown>).newOption = true;
    const app = parseApplication(doc);
    expect(app.spec.futureField).toEqual({ a: 1 });
    expect(app.spec.source?.newOption).toBe(true);
  });

  it('drops nulls as the API server does (enabled: null counts as on)', () => {
    const doc = parse(SEED.replace('prune: true', 'prune: true\n      enabled: null'));
    const app = parseApplication(doc);
    expect(app.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true });
    expect(isAutomatedSyncEnabled(app.spec)).toBe(true);
  });

  it('reports every problem with its path, in one pass', () => {
    const doc = parse(SEED) as { spec: Record<string, unknown>; metadata: Record<string, unknown> };
    delete doc.spec.destination;
    doc.spec.syncPolicy = {
      retry: { limit: 'five', backoff: { duration: '5x', maxDuration: '3m' } },
      syncOptions: 'CreateNamespace=true',
    };
    doc.spec.ignoreDifferences = [{ group: 'apps', jsonPointers: ['/spec/replicas'] }];
    doc.spec.revisionHistoryLimit = 'badValue';
    const result = safeParseApplication(doc);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues).toEqual([
      { path: 'spec.destination', message: 'Invalid input: expected object, received undefined' },
      { path: 'spec.syncPolicy.syncOptions', message: 'Invalid input: expected array, received string' },
      { path: 'spec.syncPolicy.retry.limit', message: 'Invalid input: expected number, received string' },
      { path: 'spec.syncPolicy.retry.backoff.duration', message: 'unable to parse 5x as a duration' },
      { path: 'spec.ignoreDifferences[0].kind', message: 'kind is required' },
      { path: 'spec.revisionHistoryLimit', message: 'Invalid input: expected number, received string' },
    ]);
  });

  it('throws one ApplicationSpecError naming the subject and listing the issues', () => {
    const doc = parse(SEED) as { apiVersion: string };
    doc.apiVersion = 'argoproj.io/v1beta1';
    let error: unknown;
    try {
      parseApplication(doc, 'apps/dev.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApplicationSpecError);
    expect((error as ApplicationSpecError).message).toBe(
      'apps/dev.yaml: invalid Application:\napiVersion: apiVersion must be argoproj.io/v1alpha1',
    );
    expect((error as ApplicationSpecError).reason).toBe('InvalidSpec');
    expect(formatIssues((error as ApplicationSpecError).issues)).toBe(
      'apiVersion: apiVersion must be argoproj.io/v1alpha1',
    );
  });

  it('accepts a bare integer duration as seconds', () => {
    const doc = parse(SEED) as { spec: Record<string, unknown> };
    doc.spec.syncPolicy = { retry: { limit: 2, backoff: { duration: 10 } } };
    expect(parseApplication(doc).spec.syncPolicy?.retry?.backoff?.duration).toBe('10');
  });

  it('parses a written operation and status', () => {
    const doc = parse(SEED) as Record<string, unknown>;
    doc.operation = {
      sync: {
        revision: 'abc',
        prune: true,
        syncStrategy: { apply: { force: true } },
        resources: [{ kind: 'Deployment', name: 'web' }],
      },
      initiatedBy: { username: 'admin' },
      retry: { limit: -1 },
    };
    doc.status = {
      sync: { status: 'OutOfSync', revision: 'abc' },
      health: { status: 'Progressing' },
      operationState: {
        operation: { sync: { revision: 'abc' }, initiatedBy: { automated: true } },
        phase: 'Running',
        message: 'one or more tasks are running',
        startedAt: '2024-05-01T00:00:00Z',
        syncResult: {
          revision: 'abc',
          resources: [
            {
              group: 'apps',
              version: 'v1',
              kind: 'Deployment',
              namespace: 'd',
              name: 'web',
              status: 'Synced',
              hookPhase: 'Running',
              syncPhase: 'Sync',
            },
          ],
        },
      },
      history: [{ id: 0, revision: 'old', deployedAt: '2024-04-01T00:00:00Z' }],
    };
    const app = parseApplication(doc);
    expect(app.operation?.sync && strategyForce(app.operation.sync)).toBe(true);
    expect(app.operation?.sync && skipsHooks(app.operation.sync)).toBe(true);
    expect(app.status?.operationState?.syncResult?.resources?.[0]?.hookPhase).toBe('Running');
    expect(app.status?.history?.[0]?.id).toBe(0);
  });
});

describe('helpers', () => {
  const spec = (syncPolicy: unknown) =>
    parseApplication({ ...(parse(SEED) as object), spec: { destination: {}, syncPolicy } }).spec;

  it.each([
    [{ automated: {} }, true],
    [{ automated: { enabled: true } }, true],
    [{ automated: { enabled: false, prune: true } }, false],
    [{}, false],
    [undefined, false],
  ])('IsAutomatedSyncEnabled(%j) === %s', (policy, expected) => {
    expect(isAutomatedSyncEnabled(spec(policy))).toBe(expected);
  });

  it('TestApplicationSpec_GetRevisionHistoryLimit', () => {
    expect(revisionHistoryLimit({ destination: {} })).toBe(10);
    expect(revisionHistoryLimit({ destination: {}, revisionHistoryLimit: 11 })).toBe(11);
  });

  it('GetProject', () => {
    expect(projectOf({ destination: {} })).toBe('default');
    expect(projectOf({ destination: {}, project: 'team-a' })).toBe('team-a');
  });

  it('singleSource refuses multi-source and source hydrator with a clear message', () => {
    const multi = parseApplication({
      ...(parse(SEED) as object),
      spec: { destination: {}, sources: [{ repoURL: 'https://a' }, { repoURL: 'https://b', ref: 'values' }] },
    });
    expect(() => singleSource(multi)).toThrow(
      'Application/argocd/my-service-dev: multi-source Applications (spec.sources) are not supported by Slipway yet; use a single spec.source',
    );
    const hydrated = parseApplication({
      ...(parse(SEED) as object),
      spec: { destination: {}, sourceHydrator: { drySource: {} } },
    });
    expect(() => singleSource(hydrated)).toThrow('spec.sourceHydrator is not supported by Slipway yet');
    const none = parseApplication({ ...(parse(SEED) as object), spec: { destination: {} } });
    expect(() => singleSource(none)).toThrow('spec.source is required');
  });

  it('SyncOperationResource.HasIdentity', () => {
    const obj = { group: 'apps', kind: 'Deployment', namespace: 'ns', name: 'web' };
    expect(operationResourceMatches({ group: 'apps', kind: 'Deployment', name: 'web' }, obj)).toBe(true);
    expect(
      operationResourceMatches({ group: 'apps', kind: 'Deployment', name: 'web', namespace: 'ns' }, obj),
    ).toBe(true);
    expect(
      operationResourceMatches({ group: 'apps', kind: 'Deployment', name: 'web', namespace: 'other' }, obj),
    ).toBe(false);
    expect(operationResourceMatches({ kind: 'Deployment', name: 'web' }, obj)).toBe(false);
  });

  it('skipsHooks: hook strategy without resources runs hooks', () => {
    expect(skipsHooks({ syncStrategy: { hook: {} } })).toBe(false);
    expect(skipsHooks({})).toBe(false);
    expect(skipsHooks({ resources: [{ kind: 'Pod', name: 'p' }] })).toBe(true);
  });

  it('IsDeletionConfirmed', () => {
    const app = (value?: string) => ({
      metadata: value === undefined ? {} : { annotations: { 'argocd.argoproj.io/deletion-approved': value } },
    });
    const since = new Date('2024-05-01T00:00:00Z');
    expect(isDeletionConfirmed(app(), since)).toBe(false);
    expect(isDeletionConfirmed(app('garbage'), since)).toBe(false);
    expect(isDeletionConfirmed(app('2024-04-30T23:59:59Z'), since)).toBe(false);
    expect(isDeletionConfirmed(app('2024-05-01T00:00:00Z'), since)).toBe(true);
    expect(isDeletionConfirmed(app('2024-05-01T02:00:00+02:00'), since)).toBe(true);
  });

  it('asKubeObject keeps identity and metadata for annotation helpers', () => {
    const app = parseApplication(parse(SEED));
    expect(asKubeObject(app)).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'my-service-dev', namespace: 'argocd' },
    });
  });
});
