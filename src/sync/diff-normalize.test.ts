/**
 * Vectors from Argo CD `util/argo/normalizers/diff_normalizer_test.go`,
 * `util/argo/managedfields/managed_fields_test.go` (behaviour), gitops-engine
 * `pkg/diff/diff_test.go` (`TestSecretStringData`, `TestNormalizeSecret`, `TestHideSecretData`,
 * `TestNullCreationTimestamp`) and `docs/user-guide/diffing.md`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import {
  compileIgnoreDifferences,
  deepEqual,
  diffPaths,
  diffResource,
  fieldsV1Leaves,
  globMatch,
  normalizeForDiff,
  normalizeManagedFields,
  normalizePair,
  normalizeSecret,
  parseJsonPointer,
  redactSecrets,
  removeAtPointer,
  unifiedDiff,
} from './diff-normalize.ts';
import { newDeployment } from './testdata/objects.ts';

const deployment = () => newDeployment('guestbook-ui', 'default');
const containersOf = (obj: KubeObject) =>
  (obj.spec as { template: { spec: { containers?: unknown[] } } }).template.spec.containers;

describe('JSON pointers', () => {
  it('parses RFC 6901 escapes (diffing.md node-role label)', () => {
    expect(parseJsonPointer('/metadata/labels/node-role.kubernetes.io~1worker')).toEqual([
      'metadata',
      'labels',
      'node-role.kubernetes.io/worker',
    ]);
    expect(parseJsonPointer('/a~0b')).toEqual(['a~b']);
  });

  it('rejects pointers that do not start with /', () => {
    expect(() => parseJsonPointer('spec/replicas')).toThrow(
      'invalid JSON pointer "spec/replicas": it must start with "/"',
    );
  });

  it('removes object keys and array items; a missing path is a no-op', () => {
    const doc = { a: { b: 1, c: [1, 2, 3] } };
    removeAtPointer(doc, ['a', 'c', '1']);
    removeAtPointer(doc, ['a', 'missing']);
    removeAtPointer(doc, ['x', 'y']);
    removeAtPointer(doc, ['a', 'c', '9']);
    expect(doc).toEqual({ a: { b: 1, c: [1, 3] } });
  });
});

describe('ignoreDifferences (diff_normalizer_test.go)', () => {
  it('TestNormalizeObjectWithMatchedGroupKind', () => {
    const ignore = compileIgnoreDifferences([
      {
        group: 'apps',
        kind: 'Deployment',
        jsonPointers: ['/not-matching-path', '/spec/template/spec/containers'],
      },
    ]);
    const d = deployment();
    expect(containersOf(ignore.apply(d))).toBeUndefined();
    expect(containersOf(d)).toBeDefined();
  });

  it('TestNormalizeNoMatchedGroupKinds', () => {
    const ignore = compileIgnoreDifferences([{ group: '', kind: 'Service', jsonPointers: ['/spec'] }]);
    expect(ignore.apply(deployment()).spec).toBeDefined();
  });

  it('TestNormalizeMissingJsonPointer', () => {
    const ignore = compileIgnoreDifferences([
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/garbage'] },
      {
        group: 'apiextensions.k8s.io',
        kind: 'CustomResourceDefinition',
        jsonPointers: ['/spec/additionalPrinterColumns/0/priority'],
      },
    ]);
    expect(ignore.apply(deployment())).toEqual(deployment());
  });

  it('TestNormalizeGlobMatch', () => {
    const ignore = compileIgnoreDifferences([
      { group: '*', kind: '*', jsonPointers: ['/spec/template/spec/containers'] },
    ]);
    expect(containersOf(ignore.apply(deployment()))).toBeUndefined();
  });

  it('TestNormalizeJQPathExpression', () => {
    const ignore = compileIgnoreDifferences([
      {
        group: 'apps',
        kind: 'Deployment',
        jqPathExpressions: ['.spec.template.spec.initContainers[] | select(.name == "init-container-0")'],
      },
    ]);
    const d = deployment();
    (d.spec as { template: { spec: Record<string, unknown> } }).template.spec.initContainers = [
      { name: 'init-container-0' },
      { name: 'init-container-1' },
    ];
    const out = ignore.apply(d);
    expect(
      (out.spec as { template: { spec: { initContainers: unknown[] } } }).template.spec.initContainers,
    ).toEqual([{ name: 'init-container-1' }]);
  });

  it('TestNormalizeIllegalJQPathExpression: reported with its path', () => {
    expect(() =>
      compileIgnoreDifferences([
        {
          group: 'apps',
          kind: 'Deployment',
          jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "missing-quote)'],
        },
        { kind: 'ConfigMap', jsonPointers: ['data'] },
      ]),
    ).toThrow(
      /spec\.ignoreDifferences\[0\]\.jqPathExpressions\[0\]: unsupported jq path expression .*unterminated string[\s\S]*spec\.ignoreDifferences\[1\]\.jsonPointers\[0\]: invalid JSON pointer "data"/,
    );
  });

  it('TestNormalizeJQPathExpressionWithError', () => {
    const ignore = compileIgnoreDifferences([
      { group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.fakeField.foo[]'] },
    ]);
    expect(ignore.apply(deployment())).toEqual(deployment());
  });

  it('matches name and namespace when given', () => {
    const ignore = compileIgnoreDifferences([
      {
        group: 'apps',
        kind: 'Deployment',
        name: 'guestbook-ui',
        namespace: 'default',
        jsonPointers: ['/spec/replicas'],
      },
    ]);
    expect((ignore.apply(deployment()).spec as { replicas?: number }).replicas).toBeUndefined();
    expect((ignore.apply(newDeployment('other', 'default')).spec as { replicas?: number }).replicas).toBe(1);
    expect((ignore.apply(newDeployment('guestbook-ui', 'prod')).spec as { replicas?: number }).replicas).toBe(
      1,
    );
  });

  it.each([
    ['*', 'apps', true],
    ['', 'apps', false],
    ['', '', true],
    ['app?', 'apps', true],
    ['*.k8s.io', 'networking.k8s.io', true],
    ['*.k8s.io', 'k8s.io', false],
    ['{apps,batch}', 'batch', true],
    ['[!a]pps', 'apps', false],
    ['Deployment', 'Deployment', true],
  ])('glob %j matches %j: %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });
});

describe('managed fields', () => {
  const hpaOwned = (liveReplicas: number): KubeObject => ({
    ...deployment(),
    metadata: {
      name: 'guestbook-ui',
      namespace: 'default',
      managedFields: [
        {
          manager: 'argocd-controller',
          operation: 'Apply',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:template': {} } },
        },
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
        },
        {
          manager: 'image-updater',
          operation: 'Update',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:spec': {
              'f:template': {
                'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } } },
              },
            },
          },
        },
      ],
    },
    spec: { ...(deployment().spec as object), replicas: liveReplicas },
  });

  it('reads leaf paths of a fieldsV1 set', () => {
    expect(
      fieldsV1Leaves({
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {} } } },
      }),
    ).toEqual([
      [
        { kind: 'field', name: 'metadata' },
        { kind: 'field', name: 'labels' },
        { kind: 'field', name: 'app' },
      ],
      [
        { kind: 'field', name: 'spec' },
        { kind: 'field', name: 'containers' },
        { kind: 'key', fields: { name: 'nginx' } },
        { kind: 'field', name: 'image' },
      ],
    ]);
  });

  it("ignores a field a trusted manager owns when it differs (an HPA's replicas)", () => {
    const { live, target } = normalizeManagedFields(hpaOwned(5), deployment(), ['kube-controller-manager']);
    expect((live.spec as { replicas?: number }).replicas).toBeUndefined();
    expect((target.spec as { replicas?: number }).replicas).toBeUndefined();
  });

  it('keeps the field when the values agree, or the manager is not trusted', () => {
    expect(
      (
        normalizeManagedFields(hpaOwned(1), deployment(), ['kube-controller-manager']).live.spec as {
          replicas: number;
        }
      ).replicas,
    ).toBe(1);
    expect(
      (normalizeManagedFields(hpaOwned(5), deployment(), ['someone-else']).live.spec as { replicas: number })
        .replicas,
    ).toBe(5);
  });

  it('follows keyed list items (k:{"name":"app"})', () => {
    const live = hpaOwned(1);
    containersOf(live)?.splice(0, 1, { name: 'app', image: 'ghcr.io/acme/app:2.0.0' });
    const { live: l, target: t } = normalizeManagedFields(live, deployment(), ['image-updater']);
    expect(containersOf(l)).toEqual([{ name: 'app' }]);
    expect(containersOf(t)).toEqual([{ name: 'app' }]);
  });

  it('applies through ignoreDifferences.managedFieldsManagers and normalizePair', () => {
    const ignore = compileIgnoreDifferences([
      { group: '*', kind: '*', managedFieldsManagers: ['kube-controller-manager'] },
    ]);
    const pair = normalizePair(deployment(), hpaOwned(5), { ignore });
    expect(deepEqual(pair.predicted, pair.live)).toBe(true);
  });
});

describe('normalizeForDiff', () => {
  it('drops server-set metadata, status, tracking and last-applied annotations', () => {
    const live: KubeObject = {
      ...deployment(),
      metadata: {
        name: 'guestbook-ui',
        namespace: 'default',
        uid: 'u',
        resourceVersion: '25848035',
        generation: 3,
        creationTimestamp: '2018-11-19T11:30:40Z',
        selfLink: '/apis/apps/v1/namespaces/default/deployments/guestbook-ui',
        deletionGracePeriodSeconds: 30,
        managedFields: [{ manager: 'x' }],
        annotations: {
          'argocd.argoproj.io/tracking-id': 'guestbook:apps/Deployment:default/guestbook-ui',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
        labels: {},
      },
      status: { replicas: 1 },
    };
    expect(normalizeForDiff(live)).toEqual({
      ...deployment(),
      metadata: { name: 'guestbook-ui', namespace: 'default' },
    });
    expect(normalizeForDiff(live, { ignoreStatus: false }).status).toEqual({ replicas: 1 });
  });

  it('TestSecretStringData: stringData equals the live base64 data', () => {
    const config: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'my-secret' },
      type: 'Opaque',
      stringData: { foo: 'bar', bar: '1234' },
      data: { baz: 'cXV4' },
    };
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'my-secret',
        creationTimestamp: '2018-11-19T11:30:40Z',
        resourceVersion: '25848035',
        uid: '8b4a2766',
      },
      type: 'Opaque',
      data: { foo: 'YmFy', bar: 'MTIzNA==', baz: 'cXV4' },
    };
    expect(diffPaths(normalizeForDiff(live), normalizeForDiff(config))).toEqual([]);
  });

  it('TestNormalizeSecret: stringData moves into data, null values become empty, non-strings stay', () => {
    const secret = normalizeSecret({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'test-secret' },
      type: 'Opaque',
      data: { key1: 'key1', key2: null },
      stringData: { key3: 'key3', key4: true },
    });
    expect(secret.stringData).toBeUndefined();
    expect(secret.data).toEqual({ key1: 'key1', key2: '', key3: 'a2V5Mw==', key4: true });
  });
});

describe('diffPaths', () => {
  it('lists differing paths with readable keys', () => {
    const a = {
      metadata: { labels: { 'app.kubernetes.io/name': 'x' } },
      spec: { replicas: 1, containers: [{ image: 'a' }] },
    };
    const b = {
      metadata: { labels: { 'app.kubernetes.io/name': 'y' } },
      spec: { replicas: 1, containers: [{ image: 'b' }, { image: 'c' }] },
    };
    expect(diffPaths(a, b)).toEqual([
      'metadata.labels["app.kubernetes.io/name"]',
      'spec.containers[0].image',
      'spec.containers[1]',
    ]);
  });

  it('ignores key order and undefined fields', () => {
    expect(deepEqual({ a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1, d: undefined })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: 1 }, { a: '1' })).toBe(false);
  });
});

describe('redactSecrets (TestHideSecretData)', () => {
  const secret = (
    data: Record<string, string> | undefined,
    annotations?: Record<string, string>,
  ): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', ...(annotations ? { annotations } : {}) },
    ...(data ? { data } : {}),
  });
  const R1 = '++++++++';
  const R2 = '++++++++++++';
  const R3 = '++++++++++++++++';

  it('same keys different values', () => {
    const r = redactSecrets(
      secret({ key1: 'test', key2: 'test' }),
      secret({ key1: 'test-1', key2: 'test-1' }),
    );
    expect(r.target?.data).toEqual({ key1: R1, key2: R1 });
    expect(r.live?.data).toEqual({ key1: R2, key2: R2 });
  });

  it('same keys same values', () => {
    const r = redactSecrets(secret({ key1: 'test', key2: 'test' }), secret({ key1: 'test', key2: 'test' }));
    expect([r.target?.data, r.live?.data]).toEqual([
      { key1: R1, key2: R1 },
      { key1: R1, key2: R1 },
    ]);
  });

  it('different keys different values', () => {
    const r = redactSecrets(
      secret({ key1: 'test', key2: 'test' }),
      secret({ key2: 'test-1', key3: 'test-1' }),
    );
    expect(r.target?.data).toEqual({ key1: R1, key2: R1 });
    expect(r.live?.data).toEqual({ key2: R2, key3: R1 });
  });

  it('handle empty target secret', () => {
    const r = redactSecrets(secret(undefined), secret({ namespace: 'ZGVmYXVsdA==', token: 'dG9rZW4=' }));
    expect(r.target?.data).toBeUndefined();
    expect(r.live?.data).toEqual({ namespace: R1, token: R1 });
  });

  it('live last applied config', () => {
    const last = JSON.stringify(secret({ key1: 'test1' }));
    const r = redactSecrets(
      secret({ key1: 'test2' }),
      secret({ key1: 'test3' }, { 'kubectl.kubernetes.io/last-applied-configuration': last }),
    );
    expect(r.target?.data).toEqual({ key1: R1 });
    expect(r.live?.data).toEqual({ key1: R2 });
    const masked = JSON.parse(
      r.live?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}',
    ) as KubeObject;
    expect(masked.data).toEqual({ key1: R3 });
  });

  it('leaves non-Secrets and the inputs alone', () => {
    const d = deployment();
    expect(redactSecrets(d, d)).toEqual({ target: d, live: d });
    const input = secret({ a: 'x' });
    redactSecrets(input, undefined);
    expect(input.data).toEqual({ a: 'x' });
  });
});

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('shows one hunk with context', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h'].join('\n');
    expect(unifiedDiff(before, after)).toBe(
      ['--- live', '+++ desired', '@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', ''].join(
        '\n',
      ),
    );
  });

  it('splits distant changes into hunks and handles additions at the end', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const after = [...lines];
    after[1] = 'X';
    after.push('new');
    expect(unifiedDiff(lines.join('\n'), after.join('\n'))).toBe(
      [
        '--- live',
        '+++ desired',
        '@@ -1,5 +1,5 @@',
        ' l0',
        '-l1',
        '+X',
        ' l2',
        ' l3',
        ' l4',
        '@@ -18,3 +18,4 @@',
        ' l17',
        ' l18',
        ' l19',
        '+new',
        '',
      ].join('\n'),
    );
  });

  it('a creation diffs against nothing', () => {
    expect(unifiedDiff('', 'a\nb\n', { before: 'live', after: 'desired' })).toBe(
      '--- live\n+++ desired\n@@ -0,0 +1,2 @@\n+a\n+b\n',
    );
  });
});

describe('diffResource', () => {
  it('reports the changed image and a readable diff', () => {
    const live = {
      ...deployment(),
      metadata: { name: 'guestbook-ui', namespace: 'default', resourceVersion: '7' },
      status: { replicas: 1 },
    };
    const predicted = deployment();
    containersOf(predicted)?.splice(0, 1, { name: 'app', image: 'ghcr.io/acme/app:1.1.0' });
    const d = diffResource(predicted, live);
    expect(d.modified).toBe(true);
    expect(d.paths).toEqual(['spec.template.spec.containers[0].image']);
    expect(d.text).toContain('-        - image: ghcr.io/acme/app:1.0.0');
    expect(d.text).toContain('+        - image: ghcr.io/acme/app:1.1.0');
  });

  it('ignoreDifferences removes the only difference', () => {
    const live = { ...deployment(), spec: { ...(deployment().spec as object), replicas: 5 } };
    const ignore = compileIgnoreDifferences([
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(diffResource(deployment(), live, { ignore })).toMatchObject({
      modified: false,
      paths: [],
      text: '',
    });
  });

  it('creation and deletion', () => {
    expect(diffResource(deployment(), undefined)).toMatchObject({ modified: true, paths: ['.'] });
    expect(diffResource(undefined, deployment())).toMatchObject({ modified: true, paths: ['.'] });
  });

  it('never prints Secret values', () => {
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: 'b2xk' },
    };
    const predicted: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { password: 'new-secret' },
    };
    const d = diffResource(predicted, live);
    expect(d.paths).toEqual(['data.password']);
    expect(d.text).not.toContain('b2xk');
    expect(d.text).not.toContain(Buffer.from('new-secret').toString('base64'));
    // The target's value is masked first, as upstream orders them.
    expect(d.text).toContain('-  password: ++++++++++++\n');
    expect(d.text).toContain('+  password: ++++++++\n');
  });
});

describe('properties', () => {
  it('no Secret value (plain or base64) ever appears in a diff', () => {
    const value = fc
      .string({ minLength: 4, maxLength: 20 })
      .filter((s) => !/^[+\s]*$/.test(s) && !s.includes('\n'));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'password', 'token'), value),
        fc.dictionary(fc.constantFrom('a', 'b', 'password'), value),
        (liveData, desired) => {
          const live: KubeObject = {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 's' },
            data: Object.fromEntries(
              Object.entries(liveData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
            ),
          };
          const predicted: KubeObject = {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 's' },
            stringData: desired,
          };
          const { text } = diffResource(predicted, live);
          for (const v of [...Object.values(liveData), ...Object.values(desired)]) {
            expect(text).not.toContain(Buffer.from(v).toString('base64'));
          }
        },
      ),
    );
  });

  it('a value has no differences with itself, and differences are symmetric', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(diffPaths(a, a)).toEqual([]);
        expect(diffPaths(a, b).length === 0).toBe(diffPaths(b, a).length === 0);
      }),
    );
  });
});
