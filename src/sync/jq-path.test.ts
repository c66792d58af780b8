/**
 * The jq path subset, with vectors from Argo CD `util/argo/normalizers/diff_normalizer_test.go`
 * and `docs/user-guide/diffing.md`.
 */
import { describe, expect, it } from 'vitest';
import { deleteJqPaths, JqSyntaxError, parseJqPath, selectPaths } from './jq-path.ts';

const del = (expression: string, value: unknown) => deleteJqPaths(parseJqPath(expression), value);

describe('parseJqPath', () => {
  it.each([
    '.spec.replicas',
    '.spec.template.spec.initContainers[] | select(.name == "injected-init-container")',
    '.webhooks[]?.clientConfig.caBundle',
    '.data["config.yaml"]',
    '.metadata.annotations."app.kubernetes.io/name"',
    '.items[0]',
    '.items[-1].name',
    '.a.["b"]',
    '.a[] | select(.x == 1 and .y != "z") | .b',
    '.a[] | select(.x == null or (.y == true and .z == false))',
  ])('accepts %s', (expression) => {
    expect(() => parseJqPath(expression)).not.toThrow();
  });

  it.each([
    [
      'TestNormalizeIllegalJQPathExpression',
      '.spec.template.spec.containers[] | select(.name == "missing-quote)',
      'unterminated string',
    ],
    ['recursive descent', '..|.image?', 'recursive descent ".." is not supported'],
    ['functions', '.a | map(.b)', 'expected a path starting with "."'],
    ['assignment', '.a = 1', 'unexpected "= 1"'],
    ['alternative', '.a // .b', 'unexpected "// .b"'],
    ['regex select', '.a[] | select(.name | test("x"))', 'expected == or != in select()'],
    ['identity', '.', 'deleting the whole object is not allowed'],
    ['nothing', '', 'expected a path starting with "."'],
    [
      'TestJQPathExpressionReturnsHelpfulError',
      '.nothing) | .data["config.yaml"] |= (fromjson | del(.auth) | tojson',
      'unexpected ")',
    ],
  ])('rejects %s with a clear message', (_name, expression, detail) => {
    let error: unknown;
    try {
      parseJqPath(expression);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(JqSyntaxError);
    expect((error as Error).message).toContain(detail);
    expect((error as Error).message).toContain('supported are paths');
  });
});

describe('del(expression)', () => {
  it('TestNormalizeJQPathExpression: removes the selected list item', () => {
    const deployment = {
      spec: {
        template: { spec: { initContainers: [{ name: 'init-container-0' }, { name: 'init-container-1' }] } },
      },
    };
    const out = del('.spec.template.spec.initContainers[] | select(.name == "init-container-0")', deployment);
    expect(out).toEqual({ spec: { template: { spec: { initContainers: [{ name: 'init-container-1' }] } } } });
    expect(deployment.spec.template.spec.initContainers).toHaveLength(2);
  });

  it('TestNormalizeJQPathExpressionWithError: an expression that errors leaves the object unchanged', () => {
    const deployment = { spec: { replicas: 1 } };
    expect(del('.spec.fakeField.foo[]', deployment)).toBe(deployment);
  });

  it('a missing field is a no-op (path into null)', () => {
    expect(del('.spec.missing.deeper', { spec: { a: 1 } })).toEqual({ spec: { a: 1 } });
  });

  it('optional iteration over a missing list (diffing.md caBundle)', () => {
    expect(
      del('.webhooks[]?.clientConfig.caBundle', {
        webhooks: [
          { name: 'a', clientConfig: { caBundle: 'x', url: 'u' } },
          { name: 'b', clientConfig: {} },
        ],
      }),
    ).toEqual({
      webhooks: [
        { name: 'a', clientConfig: { url: 'u' } },
        { name: 'b', clientConfig: {} },
      ],
    });
    expect(del('.webhooks[]?.clientConfig.caBundle', { metadata: {} })).toEqual({ metadata: {} });
  });

  it('bracketed and quoted keys', () => {
    expect(del('.data["config.yaml"]', { data: { 'config.yaml': 'x', other: 'y' } })).toEqual({
      data: { other: 'y' },
    });
    expect(
      del('.metadata.annotations."a.b/c"', { metadata: { annotations: { 'a.b/c': '1', d: '2' } } }),
    ).toEqual({ metadata: { annotations: { d: '2' } } });
  });

  it('deletes several list items without shifting indices', () => {
    expect(del('.a[] | select(.keep != true)', { a: [{ n: 1 }, { n: 2, keep: true }, { n: 3 }] })).toEqual({
      a: [{ n: 2, keep: true }],
    });
  });

  it('a field of selected items, and and/or conditions', () => {
    const value = {
      c: [
        { name: 'app', image: 'x', env: [] },
        { name: 'sidecar', image: 'y' },
      ],
    };
    expect(del('.c[] | select(.name == "sidecar" or .name == "app") | .image', value)).toEqual({
      c: [{ name: 'app', env: [] }, { name: 'sidecar' }],
    });
    expect(selectPaths(parseJqPath('.c[] | select(.name == "app" and .image == "x")'), value)).toEqual([
      ['c', 0],
    ]);
  });

  it('negative indices count from the end', () => {
    expect(del('.a[-1]', { a: [1, 2, 3] })).toEqual({ a: [1, 2] });
  });
});
