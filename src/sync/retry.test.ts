/**
 * Vectors from Argo CD `pkg/apis/application/v1alpha1/types_test.go`
 * (`TestRetryStrategy_NextRetryAt*`), `controller/appcontroller_test.go` (`TestSelfHealRemainingBackoff`)
 * and the retry loop of `processRequestedAppOperation`.
 */
import { describe, expect, it } from 'vitest';
import type { OperationState } from './application.ts';
import {
  canRetry,
  completeFailedOperation,
  kitchenTime,
  nextRetryAt,
  parseGoDuration,
  parseRetryDuration,
  planRetryResume,
  retryDelayMs,
  selfHealDelayMs,
  selfHealRemainingBackoffMs,
} from './retry.ts';

const NOW = new Date('2024-05-01T12:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('durations', () => {
  it.each([
    ['5s', 5_000],
    ['3m', 180_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['300ms', 300],
    ['2h45m30.5s', 9_930_500],
    ['-1m', -60_000],
    ['0', 0],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['.5s', 500],
  ])('parseGoDuration(%j) === %d', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each(['', '5', 's', '1x', '1.s.', '--1s', '1 s', '.s'])(
    'parseGoDuration(%j) is not a duration',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );

  it('parseStringToDuration: bare integers are seconds', () => {
    expect(parseRetryDuration('5')).toBe(5_000);
    expect(parseRetryDuration('2m')).toBe(120_000);
    expect(() => parseRetryDuration('5x')).toThrow('unable to parse 5x as a duration');
  });
});

describe('operation retry backoff', () => {
  it.each([
    [0, 5],
    [1, 10],
    [2, 20],
    [3, 40],
    [4, 80],
    [80, 180],
    [100, 180],
  ])('TestRetryStrategy_NextRetryAtDefaultBackoff: retry %d waits %ds', (count, seconds) => {
    expect(nextRetryAt({}, NOW, count)).toEqual(at(seconds));
  });

  it.each([
    [0, 2],
    [1, 6],
    [2, 18],
    [3, 54],
    [4, 60],
  ])('TestRetryStrategy_NextRetryAtCustomBackoff: retry %d waits %ds', (count, seconds) => {
    expect(nextRetryAt({ backoff: { duration: '2s', factor: 3, maxDuration: '1m' } }, NOW, count)).toEqual(
      at(seconds),
    );
  });

  it('a non-positive maxDuration disables the cap', () => {
    expect(retryDelayMs({ backoff: { maxDuration: '0' } }, 10)).toBe(5_000 * 2 ** 10);
  });

  it('limit: 0 never retries, a negative limit always does', () => {
    expect(canRetry({}, 0)).toBe(false);
    expect(canRetry({ limit: 2 }, 1)).toBe(true);
    expect(canRetry({ limit: 2 }, 2)).toBe(false);
    expect(canRetry({ limit: -1 }, 1_000)).toBe(true);
  });

  it('Go time.Kitchen', () => {
    expect([
      kitchenTime(new Date('2024-05-01T00:05:00Z')),
      kitchenTime(new Date('2024-05-01T12:00:09Z')),
      kitchenTime(new Date('2024-05-01T15:04:00Z')),
    ]).toEqual(['12:05AM', '12:00PM', '3:04PM']);
  });
});

describe('the retry loop (processRequestedAppOperation)', () => {
  const failed = (retry: OperationState['operation']['retry'], retryCount = 0): OperationState => ({
    operation: { sync: { revision: 'abc' }, ...(retry !== undefined ? { retry } : {}) },
    phase: 'Failed',
    message: 'one or more objects failed to apply, reason: boom',
    startedAt: '2024-05-01T11:59:00Z',
    retryCount,
  });

  it('a failure with retries left goes back to Running with the retry time in the message', () => {
    const next = completeFailedOperation(failed({ limit: 2 }), NOW);
    expect(next).toMatchObject({
      phase: 'Running',
      retryCount: 1,
      finishedAt: '2024-05-01T12:00:00Z',
      message: 'one or more objects failed to apply, reason: boom. Retrying attempt #1 at 12:00PM.',
    });
  });

  it('the wait uses the incremented count (upstream quirk): attempt #1 runs 10s after the failure', () => {
    const next = completeFailedOperation(failed({ limit: 2 }), NOW);
    expect(planRetryResume(next, at(9))).toMatchObject({ kind: 'wait', waitMs: 1_000 });
    const resumed = planRetryResume(next, at(10));
    expect(resumed.kind).toBe('retry');
    if (resumed.kind !== 'retry') return;
    expect(resumed.state.message).toBe('Retrying operation. Attempt #1');
    expect(resumed.state.finishedAt).toBeUndefined();
    expect(resumed.state.syncResult).toBeUndefined();
    expect(resumed.state.operation.sync?.revision).toBe('abc');
  });

  it('retry.refresh clears the requested revision', () => {
    const next = completeFailedOperation(failed({ limit: 1, refresh: true }), NOW);
    const resumed = planRetryResume(next, at(60));
    expect(resumed.kind === 'retry' && resumed.state.message).toBe(
      'Retrying operation with latest revisions. Attempt #1',
    );
    expect(resumed.kind === 'retry' && resumed.state.operation.sync?.revision).toBeUndefined();
  });

  it('retries exhausted: the message says how many times it was retried', () => {
    const next = completeFailedOperation(failed({ limit: 2 }, 2), NOW);
    expect(next).toMatchObject({
      phase: 'Failed',
      finishedAt: '2024-05-01T12:00:00Z',
      message: 'one or more objects failed to apply, reason: boom (retried 2 times).',
    });
  });

  it('no retry strategy: the failure is final and unchanged', () => {
    expect(completeFailedOperation(failed(undefined), NOW)).toMatchObject({
      phase: 'Failed',
      message: 'one or more objects failed to apply, reason: boom',
    });
  });

  it('a terminated operation is not retried and names its cause', () => {
    const next = completeFailedOperation(failed({ limit: 5 }), NOW, {
      terminating: true,
      terminatingCause: 'controller sync timeout',
    });
    expect(next.message).toBe(
      'one or more objects failed to apply, reason: boom, triggered by controller sync timeout',
    );
  });

  it('an invalid backoff turns the failure into an Error', () => {
    const next = completeFailedOperation(failed({ limit: 1, backoff: { duration: 'soon' } }), NOW);
    expect(next).toMatchObject({
      phase: 'Error',
      message:
        'one or more objects failed to apply, reason: boom (failed to retry: unable to parse soon as a duration)',
    });
  });
});

describe('self-heal backoff', () => {
  it('delays 0, 2, 6, 18, 54, 162 s, then 300 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 40].map((n) => selfHealDelayMs(n) / 1000)).toEqual([
      0, 2, 6, 18, 54, 162, 300, 300, 300,
    ]);
  });

  // TestSelfHealRemainingBackoff: {Factor 3, Duration 2s, Cap 2m}; [attempts, finishedAt offset (s) or null, expected (s)]
  it.each([
    [0, 0, 0],
    [1, 0, 2],
    [2, 0, 6],
    [3, null, 18],
    [4, null, 54],
    [5, null, 120],
    [6, null, 120],
    [6, 0, 120],
    [40, -60, 60],
  ])('TestSelfHealRemainingBackoff: %d attempts, finished %s s ago', (attempts, offset, expected) => {
    const remaining = selfHealRemainingBackoffMs({
      attempts,
      lastOperation: offset === null ? {} : { finishedAt: at(offset).toISOString() },
      now: NOW,
      backoff: { durationMs: 2_000, factor: 3, capMs: 120_000 },
    });
    expect(remaining).toBe(expected * 1000);
    expect(remaining <= 0).toBe(expected === 0);
  });

  it('no operation state: heal now', () => {
    expect(selfHealRemainingBackoffMs({ attempts: 3, lastOperation: undefined, now: NOW })).toBe(0);
  });

  it('legacy fixed timeout when the backoff is disabled', () => {
    expect(
      selfHealRemainingBackoffMs({
        attempts: 9,
        lastOperation: { finishedAt: at(-2).toISOString() },
        now: NOW,
        backoff: null,
        timeoutMs: 5_000,
      }),
    ).toBe(3_000);
  });
});
