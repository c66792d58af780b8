import { describe, expect, it } from 'vitest';
import { trimMeasurements } from './planner.ts';
import { ttlDeadline } from './ttl.ts';

const done = '2026-01-01T10:00:00Z';
const T = Date.parse(done);

describe('ttlDeadline (isAnalysisRunTtlExceeded)', () => {
  it.each([
    [{ secondsAfterSuccess: 30 }, 'Successful', T + 31_000],
    [{ secondsAfterFailure: 30 }, 'Successful', undefined],
    [{ secondsAfterFailure: 30 }, 'Failed', T + 31_000],
    [{ secondsAfterCompletion: 10, secondsAfterSuccess: 30 }, 'Successful', T + 31_000],
    [{ secondsAfterCompletion: 10, secondsAfterSuccess: 30 }, 'Error', T + 11_000],
    [{ secondsAfterCompletion: 10 }, 'Running', undefined],
    [undefined, 'Successful', undefined],
  ] as const)('%o, %s → %s', (ttl, phase, expected) => {
    expect(ttlDeadline(ttl, { phase, completedAt: done })).toBe(expected);
  });
  it('no completedAt → kept', () => {
    expect(ttlDeadline({ secondsAfterCompletion: 1 }, { phase: 'Successful' })).toBeUndefined();
  });
});

describe('trimMeasurements (measurementRetention)', () => {
  const measurements = Array.from({ length: 12 }, (_, i) => ({
    phase: 'Successful' as const,
    value: String(i),
  }));
  it('keeps the newest 10 by default and returns the dropped ones', () => {
    const { status, dropped } = trimMeasurements(
      { metricResults: [{ name: 'm', phase: 'Running', measurements }] },
      new Map(),
      10,
    );
    expect(status.metricResults?.[0]?.measurements?.map((m) => m.value)).toEqual([
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
      '11',
    ]);
    expect(dropped).toEqual([{ metric: 'm', measurements: measurements.slice(0, 2) }]);
  });
  it('a retention rule overrides the limit for its metric', () => {
    const { status } = trimMeasurements(
      { metricResults: [{ name: 'm', phase: 'Running', measurements }] },
      new Map([['m', 3]]),
      10,
    );
    expect(status.metricResults?.[0]?.measurements?.map((m) => m.value)).toEqual(['9', '10', '11']);
  });
});
