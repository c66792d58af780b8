import { describe, expect, it } from 'vitest';
import { metricSettings } from './metric-spec.ts';
import {
  assessMetricStatus,
  assessRun,
  nextReconcileTime,
  type PlanInput,
  planMeasurements,
  recordMeasurements,
} from './planner.ts';
import type { Measurement, Metric, MetricResult } from './types.ts';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const provider = { web: { url: 'http://x' } };
const done = (phase: Measurement['phase'], finishedSec = 0): Measurement => ({
  phase,
  startedAt: at(finishedSec),
  finishedAt: at(finishedSec),
});

function settings(m: Partial<Metric>) {
  return metricSettings({ name: 'm', provider, ...m } as Metric);
}

// Ported from argo-rollouts analysis/analysis_test.go (TestAssessMetricStatus*), via the reference's table.
describe('assessMetricStatus (upstream vectors)', () => {
  const cases: Array<{
    name: string;
    metric: Partial<Metric>;
    result: Partial<MetricResult>;
    last?: Measurement['phase'] | undefined;
    expect: string;
    terminating: string | undefined;
  }> = [
    {
      name: 'no measurements',
      metric: {},
      result: {},
      last: undefined,
      expect: 'Pending',
      terminating: 'Successful',
    },
    {
      name: 'last measurement running',
      metric: {},
      result: {},
      last: 'Running',
      expect: 'Running',
      terminating: 'Running',
    },
    {
      name: 'failed > failureLimit',
      metric: { failureLimit: 2, interval: '60s' },
      result: { failed: 3, count: 3 },
      expect: 'Failed',
      terminating: 'Failed',
    },
    {
      name: 'failed == failureLimit',
      metric: { failureLimit: 3, interval: '60s' },
      result: { failed: 3, count: 3 },
      expect: 'Running',
      terminating: 'Successful',
    },
    {
      name: 'inconclusive > limit',
      metric: { inconclusiveLimit: 2, interval: '60s' },
      result: { inconclusive: 3, count: 3 },
      expect: 'Inconclusive',
      terminating: 'Inconclusive',
    },
    {
      name: 'inconclusive == limit',
      metric: { inconclusiveLimit: 3, interval: '60s' },
      result: { inconclusive: 3, count: 3 },
      expect: 'Running',
      terminating: 'Successful',
    },
    {
      name: 'consecutiveError 5 > default 4',
      metric: { interval: '60s' },
      result: { consecutiveError: 5, error: 5 },
      last: 'Error',
      expect: 'Error',
      terminating: 'Error',
    },
    {
      name: 'consecutiveError 4 == default 4',
      metric: { interval: '60s' },
      result: { consecutiveError: 4, error: 4 },
      last: 'Error',
      expect: 'Running',
      terminating: 'Successful',
    },
    {
      name: 'count reached',
      metric: { count: 10, interval: '1s' },
      result: { successful: 10, count: 10 },
      expect: 'Successful',
      terminating: 'Successful',
    },
    {
      name: 'count reached with inconclusives',
      metric: { count: 10, interval: '1s' },
      result: { successful: 5, inconclusive: 5, count: 10 },
      expect: 'Inconclusive',
      terminating: 'Inconclusive',
    },
    {
      name: 'CSL 3 met, FL -1',
      metric: { consecutiveSuccessLimit: 3, failureLimit: -1, interval: '1s' },
      result: { consecutiveSuccess: 3, successful: 3, count: 7, failed: 4 },
      expect: 'Successful',
      terminating: 'Successful',
    },
    {
      name: 'CSL 5 not met, FL -1',
      metric: { consecutiveSuccessLimit: 5, failureLimit: -1, interval: '1s' },
      result: { consecutiveSuccess: 3, count: 3 },
      expect: 'Running',
      terminating: 'Successful',
    },
    {
      name: 'CSL 5 not met at count 7, FL -1',
      metric: { consecutiveSuccessLimit: 5, failureLimit: -1, count: 7, interval: '1s' },
      result: { consecutiveSuccess: 3, count: 7 },
      expect: 'Failed',
      terminating: 'Failed',
    },
    {
      name: 'CSL 3 met with count 7, FL -1',
      metric: { consecutiveSuccessLimit: 3, failureLimit: -1, count: 7, interval: '1s' },
      result: { consecutiveSuccess: 3, count: 3 },
      expect: 'Successful',
      terminating: 'Successful',
    },
    {
      name: 'CSL 5 count 9 not reached',
      metric: { consecutiveSuccessLimit: 5, failureLimit: -1, count: 9, interval: '1s' },
      result: { consecutiveSuccess: 3, count: 7 },
      expect: 'Running',
      terminating: 'Successful',
    },
    {
      name: 'FL 4 CSL 4: neither',
      metric: { failureLimit: 4, consecutiveSuccessLimit: 4, interval: '1s' },
      result: { failed: 3, consecutiveSuccess: 3, count: 6 },
      expect: 'Running',
      terminating: 'Successful',
    },
    {
      name: 'FL 4 CSL 4: failed',
      metric: { failureLimit: 4, consecutiveSuccessLimit: 4, interval: '1s' },
      result: { failed: 5, consecutiveSuccess: 0, count: 5 },
      expect: 'Failed',
      terminating: 'Failed',
    },
    {
      name: 'FL 4 CSL 4: succeeded',
      metric: { failureLimit: 4, consecutiveSuccessLimit: 4, interval: '1s' },
      result: { failed: 3, consecutiveSuccess: 4, count: 7 },
      expect: 'Successful',
      terminating: 'Successful',
    },
    {
      name: 'FL 4 CSL 4 count 10: both applicable at count',
      metric: { failureLimit: 4, consecutiveSuccessLimit: 4, count: 10, interval: '1s' },
      result: { failed: 4, consecutiveSuccess: 3, count: 10 },
      expect: 'Inconclusive',
      terminating: 'Inconclusive',
    },
    {
      name: 'FL 4 CSL 4 count 10: failed at count',
      metric: { failureLimit: 4, consecutiveSuccessLimit: 4, count: 10, interval: '1s' },
      result: { failed: 5, consecutiveSuccess: 3, count: 10 },
      expect: 'Failed',
      terminating: 'Failed',
    },
    {
      name: 'FL 4 CSL 4 count 10: succeeded at count',
      metric: { failureLimit: 4, consecutiveSuccessLimit: 4, count: 10, interval: '1s' },
      result: { failed: 4, consecutiveSuccess: 4, count: 10 },
      expect: 'Successful',
      terminating: 'Successful',
    },
    {
      name: 'FL 4 CSL 4 count 10: not yet',
      metric: { failureLimit: 4, consecutiveSuccessLimit: 4, count: 10, interval: '1s' },
      result: { failed: 3, consecutiveSuccess: 3, count: 8 },
      expect: 'Running',
      terminating: 'Successful',
    },
    {
      name: 'FL 4 CSL 4 count 10: failed before count',
      metric: { failureLimit: 4, consecutiveSuccessLimit: 4, count: 10, interval: '1s' },
      result: { failed: 5, consecutiveSuccess: 4, count: 9 },
      expect: 'Failed',
      terminating: 'Failed',
    },
  ];
  it.each(cases)('$name → $expect / terminating $terminating', (c) => {
    const lastPhase = 'last' in c ? c.last : 'Successful';
    const result: MetricResult = {
      name: 'm',
      phase: 'Running',
      ...c.result,
      measurements:
        lastPhase === undefined ? [] : [lastPhase === 'Running' ? { phase: 'Running' } : done(lastPhase)],
    };
    expect(assessMetricStatus(settings(c.metric), result, false)).toBe(c.expect);
    expect(assessMetricStatus(settings(c.metric), result, true)).toBe(c.terminating);
  });
});

function input(
  metrics: Array<Partial<Metric> & { name: string }>,
  results: MetricResult[],
  extra: Partial<PlanInput> = {},
): PlanInput {
  return {
    metrics: metrics.map((m) => metricSettings({ provider, ...m } as Metric)),
    dryRun: new Set(),
    terminate: false,
    status: { startedAt: at(0), metricResults: results },
    ...extra,
  };
}

describe('assessRun', () => {
  it('one metric still running keeps the run Running (TestAssessRunStatus)', () => {
    const status = assessRun(
      input(
        [{ name: 'latency' }, { name: 'success-rate', interval: '60s' }],
        [
          {
            name: 'latency',
            phase: 'Successful',
            count: 1,
            successful: 1,
            measurements: [done('Successful')],
          },
          { name: 'success-rate', phase: 'Running', measurements: [{ phase: 'Running' }] },
        ],
      ),
      T0,
    );
    expect(status.phase).toBe('Running');
  });

  it('a failed metric fails the run with upstream’s message', () => {
    const status = assessRun(
      input(
        [{ name: 'latency' }, { name: 'success-rate', interval: '60s' }],
        [
          {
            name: 'latency',
            phase: 'Successful',
            count: 1,
            successful: 1,
            measurements: [done('Successful')],
          },
          { name: 'success-rate', phase: 'Running', count: 1, failed: 1, measurements: [done('Failed')] },
        ],
      ),
      T0,
    );
    expect(status.phase).toBe('Failed');
    expect(status.message).toBe('Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)');
    expect(status.completedAt).toBe(at(0));
    expect(status.runSummary).toEqual({ count: 2, successful: 1, failed: 1, inconclusive: 0, error: 0 });
  });

  it('a failed metric terminates a sibling that never measured (it becomes Successful) and the run is Failed', () => {
    // e2e rollout-degraded-inline-multiple-analysis: A has initialDelay, B fails.
    const i = input(
      [
        { name: 'a', initialDelay: '10000s' },
        { name: 'b', count: 2, interval: '1s', failureLimit: 1 },
      ],
      [{ name: 'b', phase: 'Failed', count: 2, failed: 2, measurements: [done('Failed'), done('Failed')] }],
    );
    const status = assessRun(
      {
        ...i,
        status: {
          ...i.status,
          metricResults: [
            ...(i.status.metricResults ?? []),
            { name: 'a', phase: 'Pending', measurements: [] },
          ],
        },
      },
      T0,
    );
    expect(status.metricResults?.find((r) => r.name === 'a')?.phase).toBe('Successful');
    expect(status.phase).toBe('Failed');
  });

  it('spec.terminate with nothing measured → Successful "Run Terminated"', () => {
    const status = assessRun(input([{ name: 'm', interval: '60s' }], [], { terminate: true }), T0);
    expect(status.phase).toBe('Successful');
    expect(status.message).toBe('Run Terminated');
  });

  it('consecutive errors past the limit end the run in Error with the last error message', () => {
    const errors = Array.from({ length: 5 }, (_, k) => ({
      ...done('Error', k),
      message: 'connection refused',
    }));
    const status = assessRun(
      input(
        [{ name: 'm', interval: '60s' }],
        [{ name: 'm', phase: 'Running', error: 5, consecutiveError: 5, measurements: errors }],
      ),
      T0,
    );
    expect(status.phase).toBe('Error');
    expect(status.message).toBe(
      'Metric "m" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: connection refused"',
    );
  });

  it('a dryRun metric’s failure does not affect the run and is counted in dryRunSummary', () => {
    const status = assessRun(
      input(
        [{ name: 'real' }, { name: 'dry' }],
        [
          { name: 'real', phase: 'Running', count: 1, successful: 1, measurements: [done('Successful')] },
          {
            name: 'dry',
            phase: 'Running',
            count: 1,
            failed: 1,
            dryRun: true,
            measurements: [done('Failed')],
          },
        ],
        { dryRun: new Set(['dry']) },
      ),
      T0,
    );
    expect(status.phase).toBe('Successful');
    expect(status.dryRunSummary).toEqual({ count: 1, successful: 0, failed: 1, inconclusive: 0, error: 0 });
    expect(status.metricResults?.find((r) => r.name === 'dry')?.message).toBe(
      'Metric assessed Failed due to failed (1) > failureLimit (0)',
    );
  });

  it('a run of only dryRun metrics ends Successful', () => {
    const status = assessRun(
      input(
        [{ name: 'dry' }],
        [
          {
            name: 'dry',
            phase: 'Running',
            count: 1,
            failed: 1,
            dryRun: true,
            measurements: [done('Failed')],
          },
        ],
        {
          dryRun: new Set(['dry']),
        },
      ),
      T0,
    );
    expect(status.phase).toBe('Successful');
  });
});

describe('planMeasurements', () => {
  it('measures a never-measured metric at once', () => {
    expect(planMeasurements(input([{ name: 'm', interval: '60s' }], []), T0)).toEqual([{ metric: 'm' }]);
  });
  it('waits for initialDelay from status.startedAt', () => {
    const i = input([{ name: 'm', initialDelay: '30s' }], []);
    expect(planMeasurements(i, T0 + 29_000)).toEqual([]);
    expect(planMeasurements(i, T0 + 31_000)).toEqual([{ metric: 'm' }]);
    expect(nextReconcileTime(i, T0)).toBe(T0 + 30_000);
  });
  it('measures again only after the interval', () => {
    const i = input(
      [{ name: 'm', interval: '60s' }],
      [{ name: 'm', phase: 'Running', count: 1, successful: 1, measurements: [done('Successful')] }],
    );
    expect(planMeasurements(i, T0 + 60_000)).toEqual([]);
    expect(planMeasurements(i, T0 + 60_001)).toEqual([{ metric: 'm' }]);
    expect(nextReconcileTime(i, T0)).toBe(T0 + 60_000);
  });
  it('retries an Error after 10s even with a longer interval; Errors do not count', () => {
    const i = input(
      [{ name: 'm', interval: '60s' }],
      [{ name: 'm', phase: 'Running', error: 1, consecutiveError: 1, measurements: [done('Error')] }],
    );
    expect(planMeasurements(i, T0 + 10_001)).toEqual([{ metric: 'm' }]);
    expect(nextReconcileTime(i, T0)).toBe(T0 + 10_000);
  });
  it('stops at the effective count', () => {
    const i = input(
      [{ name: 'm', count: 2, interval: '1s' }],
      [
        {
          name: 'm',
          phase: 'Running',
          count: 2,
          successful: 2,
          measurements: [done('Successful'), done('Successful')],
        },
      ],
    );
    expect(planMeasurements(i, T0 + 5000)).toEqual([]);
  });
  it('resumes an in-flight measurement after resumeAt, and terminates it at once when terminating', () => {
    const inflight: Measurement = { phase: 'Running', startedAt: at(0), resumeAt: at(10) };
    const results: MetricResult[] = [{ name: 'm', phase: 'Running', measurements: [inflight] }];
    expect(planMeasurements(input([{ name: 'm' }], results), T0 + 5000)).toEqual([]);
    expect(planMeasurements(input([{ name: 'm' }], results), T0 + 11_000)).toEqual([
      { metric: 'm', incomplete: inflight },
    ]);
    expect(planMeasurements(input([{ name: 'm' }], results, { terminate: true }), T0 + 5000)).toEqual([
      { metric: 'm', incomplete: inflight },
    ]);
  });
  it('takes no new measurements while terminating', () => {
    expect(planMeasurements(input([{ name: 'm', interval: '1s' }], [], { terminate: true }), T0)).toEqual([]);
  });
});

describe('recordMeasurements', () => {
  it('counts per upstream: Error does not increment count; Successful resets consecutiveError', () => {
    let status = recordMeasurements(
      {},
      [{ metric: 'm', replacesLast: false, measurement: { phase: 'Error', message: 'x' } }],
      new Set(),
      T0,
    );
    expect(status.metricResults?.[0]).toMatchObject({ error: 1, consecutiveError: 1, consecutiveSuccess: 0 });
    expect(status.metricResults?.[0]?.count).toBeUndefined();
    status = recordMeasurements(
      status,
      [{ metric: 'm', replacesLast: false, measurement: { phase: 'Successful' } }],
      new Set(),
      T0,
    );
    expect(status.metricResults?.[0]).toMatchObject({
      count: 1,
      successful: 1,
      consecutiveError: 0,
      consecutiveSuccess: 1,
    });
    expect(status.metricResults?.[0]?.measurements?.[1]?.finishedAt).toBe(at(0));
  });
  it('replaces an in-flight measurement instead of appending', () => {
    const status = recordMeasurements(
      { metricResults: [{ name: 'm', phase: 'Running', measurements: [{ phase: 'Running' }] }] },
      [{ metric: 'm', replacesLast: true, measurement: { phase: 'Failed' } }],
      new Set(),
      T0,
    );
    expect(status.metricResults?.[0]?.measurements).toHaveLength(1);
    expect(status.metricResults?.[0]).toMatchObject({ failed: 1, count: 1 });
  });
});
