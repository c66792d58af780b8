import { describe, expect, it } from 'vitest';
import { findResults } from './jsonpath.ts';
import { formatGoFloat } from './measurement.ts';
import { toResult } from './prometheus.ts';

describe('formatGoFloat (strconv.FormatFloat f, -1)', () => {
  it.each([
    [0.99, '0.99'],
    [10, '10'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e22, '-25000000000000000000000'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
  ])('%d → %s', (f, s) => expect(formatGoFloat(f)).toBe(s));
});

describe('Prometheus results (metricproviders/prometheus vectors)', () => {
  it('scalar → float, value as Prometheus prints it', () => {
    expect(toResult('scalar', [1, '10'])).toEqual({ result: 10, value: '10' });
    const nan = toResult('scalar', [1, 'NaN']);
    expect(Number.isNaN(nan.result)).toBe(true);
    expect(nan.value).toBe('NaN');
    expect(toResult('scalar', [1, '+Inf']).value).toBe('+Inf');
  });
  it('vector → Float64Array of samples, "[10,11]"', () => {
    const r = toResult('vector', [
      { metric: {}, value: [1, '10'] },
      { metric: {}, value: [1, '11'] },
    ]);
    expect(Array.from(r.result as Float64Array)).toEqual([10, 11]);
    expect(r.value).toBe('[10,11]');
  });
  it('matrix → every sample flattened', () => {
    const r = toResult('matrix', [
      {
        metric: {},
        values: [
          [1, '11'],
          [2, '12'],
        ],
      },
      {
        metric: {},
        values: [
          [1, '13'],
          [2, '14'],
        ],
      },
    ]);
    expect(r.value).toBe('[11,12,13,14]');
  });
  it('empty vector → empty array, "[]"', () => {
    expect(toResult('vector', []).value).toBe('[]');
  });
  it('string → Prometheus metric type not supported', () => {
    expect(() => toResult('string', [1, 'x'])).toThrow('Prometheus metric type not supported');
  });
});

describe('JSONPath subset (webmetric vectors)', () => {
  it.each([
    [{ a: 1 }, '{$}', [{ a: 1 }]],
    [{ key: [{ key2: { value: '1' } }] }, '{$.key[0].key2.value}', ['1']],
    [{ data: { ok: true } }, '{.data.ok}', [true]],
    [{ key: [1, 2, 3, 4, 5, 6] }, '{$.key}', [[1, 2, 3, 4, 5, 6]]],
    [{ key: [{ v: 1 }, { v: 2 }] }, '{$.key[*].v}', [1, 2]],
    [{ 'a.b': 3 }, "{$['a.b']}", [3]],
    [{ key: [1, 2] }, '{$.key[-1]}', [2]],
  ])('%j %s', (data, path, out) => expect(findResults(data, path)).toEqual(out));
  it('a missing field is not found', () => {
    expect(() => findResults({ a: 1 }, '{$.b}')).toThrow('b is not found');
  });
  it('filters are rejected clearly', () => {
    expect(() => findResults({ a: 1 }, '{$.a[?(@.x==1)]}')).toThrow('unsupported JSONPath');
  });
});

describe('provider spec errors name the field', () => {
  it('a prometheus metric without an address', async () => {
    const { prometheusProvider } = await import('./prometheus.ts');
    const m = await prometheusProvider().run({
      run: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        metadata: { name: 'r' },
        spec: { metrics: [] },
      },
      metric: { name: 'm', provider: { prometheus: { query: 'up' } } },
      now: () => 0,
      signal: AbortSignal.timeout(1000),
    });
    expect(m.phase).toBe('Error');
    expect(m.message).toMatch(/^provider\.prometheus\.address: /);
  });
});
