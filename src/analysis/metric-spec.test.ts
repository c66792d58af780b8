import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';
import { dryRunMetrics, metricSettings, validateMetrics } from './metric-spec.ts';
import { prepareRun } from './run-plan.ts';
import type { AnalysisRun, Metric } from './types.ts';

const provider = { web: { url: 'http://x' } };
const m = (extra: Partial<Metric>): Metric => ({ name: 'm', provider, ...extra }) as Metric;

describe('parseDuration (Go time.ParseDuration)', () => {
  it.each([
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['0', 0],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each([
    ['5', 'time: missing unit in duration "5"'],
    ['', 'time: invalid duration ""'],
    ['5x', 'time: unknown unit "x" in duration "5x"'],
  ])('%s is rejected', (text, message) => expect(() => parseDuration(text)).toThrow(message));
});

describe('metricSettings (EffectiveCount, defaults, ValidateMetric)', () => {
  it('defaults: failureLimit 0, inconclusiveLimit 0, consecutiveErrorLimit 4', () => {
    expect(metricSettings(m({}))).toMatchObject({
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      effectiveCount: 1,
    });
  });
  it('EffectiveCount: interval without count is unbounded; count wins', () => {
    expect(metricSettings(m({ interval: '1s' })).effectiveCount).toBeUndefined();
    expect(metricSettings(m({ interval: '1s', count: 0 })).effectiveCount).toBeUndefined();
    expect(metricSettings(m({ interval: '1s', count: '3' })).effectiveCount).toBe(3);
  });
  it.each([
    [{ count: 2 }, 'interval must be specified when count > 1'],
    [{ count: 1, failureLimit: 2 }, 'count must be >= failureLimit'],
    [{ count: 1, inconclusiveLimit: 2 }, 'count must be >= inconclusiveLimit'],
    [{ failureLimit: -2 }, 'failureLimit must be >= -1'],
    [{ failureLimit: -1 }, 'failureLimit and consecutiveSuccessLimit cannot both be disabled'],
    [{ consecutiveErrorLimit: -1 }, 'consecutiveErrorLimit must be >= 0'],
    [{ interval: '5' }, 'invalid interval string: time: missing unit in duration "5"'],
    [{ count: 'abc' }, 'count: "abc" is not an integer'],
    [{ provider: {} }, 'no provider specified'],
    [{ provider: { web: {}, prometheus: {} } }, 'multiple providers specified'],
  ] as Array<[Partial<Metric>, string]>)('%o → %s', (extra, message) => {
    expect(() => metricSettings(m(extra))).toThrow(message);
  });
  it('validateMetrics prefixes the index and rejects duplicates and empty lists', () => {
    expect(() => validateMetrics([])).toThrow('no metrics specified');
    expect(() => validateMetrics([m({}), m({})])).toThrow("metrics[1]: duplicate name 'm'");
    expect(() => validateMetrics([m({ count: 2 })])).toThrow(
      'metrics[0]: interval must be specified when count > 1',
    );
  });
  it('dryRun rules are regular expressions and must match something', () => {
    expect([...dryRunMetrics([{ metricName: '.*' }], [m({ name: 'a' }), m({ name: 'b' })])]).toEqual([
      'a',
      'b',
    ]);
    expect(() => dryRunMetrics([{ metricName: 'zzz' }], [m({ name: 'a' })])).toThrow(
      "dryRun[0]: Rule didn't match any metric name(s)",
    );
  });
});

describe('prepareRun', () => {
  const run = (spec: AnalysisRun['spec']): AnalysisRun => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'r', namespace: 'ns' },
    spec,
  });
  it('an unresolvable arg makes the run Error with upstream’s message', () => {
    const prepared = prepareRun(run({ metrics: [m({ provider: { web: { url: '{{args.host}}' } } })] }), 0);
    expect(prepared.kind).toBe('invalid');
    expect(prepared.kind === 'invalid' && prepared.status).toMatchObject({
      phase: 'Error',
      message: 'Unable to resolve metric arguments: failed to resolve {{args.host}}',
    });
  });
  it('an invalid metric makes the run Error: "Analysis spec invalid: …"', () => {
    const prepared = prepareRun(run({ metrics: [m({ count: 3 })] }), 0);
    expect(prepared.kind === 'invalid' && prepared.status.message).toBe(
      'Analysis spec invalid: metrics[0]: interval must be specified when count > 1',
    );
  });
  it('secret args are redacted while planning', () => {
    const prepared = prepareRun(
      run({
        metrics: [m({ provider: { web: { url: 'http://x/?t={{args.token}}' } } })],
        args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      }),
      0,
    );
    expect(prepared.kind === 'measure' && prepared.metrics.get('m')?.provider).toEqual({
      web: { url: 'http://x/?t=*****' },
    });
  });
  it('an arg with both value and valueFrom is an error', () => {
    const prepared = prepareRun(
      run({
        metrics: [m({})],
        args: [{ name: 'a', value: '1', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      }),
      0,
    );
    expect(prepared.kind === 'invalid' && prepared.status.message).toBe(
      'Unable to resolve metric arguments: arg a has both Value and ValueFrom fields',
    );
  });
});
