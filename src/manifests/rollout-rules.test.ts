import { describe, expect, it } from 'vitest';
import {
  INVALID_DURATION_MESSAGE,
  INVALID_STEP_MESSAGE,
  INVALID_STRATEGY_MESSAGE,
  invalidSetWeightMessage,
  parseGoDurationSeconds,
  pauseDurationSeconds,
  rolloutIssues,
} from './rollout-rules.ts';

describe('parseGoDurationSeconds (Go time.ParseDuration vectors, truncated to seconds)', () => {
  it.each([
    ['0', 0],
    ['5s', 5],
    ['30s', 30],
    ['1478s', 1478],
    ['-5s', -5],
    ['+5s', 5],
    ['-0', 0],
    ['5.0s', 5],
    ['5.6s', 5],
    ['5.s', 5],
    ['.5s', 0],
    ['1.004s', 1],
    ['10ns', 0],
    ['13ms', 0],
    ['15m', 900],
    ['16h', 57600],
    ['3h30m', 12600],
    ['10.5s4m', 250],
    ['-2m3.4s', -123],
    ['1h2m3s4ms5us6ns', 3723],
    ['39h9m14.425s', 140954],
  ])('%s → %i', (text, seconds) => {
    expect(parseGoDurationSeconds(text)).toBe(seconds);
  });
  it.each(['', '3', '-', 's', '.', '-.', '.s', '+.s', '1d', '5 m'])('%j does not parse', (text) => {
    expect(parseGoDurationSeconds(text)).toBeUndefined();
  });
});

describe('pauseDurationSeconds (RolloutPause.DurationSeconds)', () => {
  it('integers and integer strings are seconds, other strings Go durations, the rest -1', () => {
    expect(pauseDurationSeconds(undefined)).toBe(0);
    expect(pauseDurationSeconds(30)).toBe(30);
    expect(pauseDurationSeconds('30')).toBe(30);
    expect(pauseDurationSeconds('5m')).toBe(300);
    expect(pauseDurationSeconds('1z')).toBe(-1);
    expect(pauseDurationSeconds('20000000000')).toBe(-1);
  });
});

const rollout = (canary: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  spec: { strategy: { canary, ...extra } },
});

describe('rolloutIssues', () => {
  it("accepts the seed's canary steps", () => {
    const steps = [
      { setWeight: 10 },
      { pause: { duration: '5m' } },
      { setWeight: 30 },
      { pause: { duration: '5m' } },
      { setWeight: 60 },
      { pause: { duration: '5m' } },
    ];
    expect(rolloutIssues(rollout({ steps }))).toEqual([]);
  });

  it('a step with no known action, or two of setWeight/pause/experiment/analysis, is invalid', () => {
    expect(rolloutIssues(rollout({ steps: [{}] }))).toEqual([
      {
        path: 'spec.strategy.canary.steps[0]',
        segments: ['spec', 'strategy', 'canary', 'steps', 0],
        message: INVALID_STEP_MESSAGE,
      },
    ]);
    expect(rolloutIssues(rollout({ steps: [{ setWeight: 10, pause: {} }] }))[0]?.message).toBe(
      INVALID_STEP_MESSAGE,
    );
    // setCanaryScale with setWeight is not counted by upstream's hasMultipleStepsType.
    expect(rolloutIssues(rollout({ steps: [{ setWeight: 10, setCanaryScale: { weight: 5 } }] }))).toEqual([]);
  });

  it('setWeight must lie within 0..maxTrafficWeight (100 by default)', () => {
    expect(rolloutIssues(rollout({ steps: [{ setWeight: 101 }] }))).toEqual([
      {
        path: 'spec.strategy.canary.steps[0].setWeight',
        segments: ['spec', 'strategy', 'canary', 'steps', 0, 'setWeight'],
        message: invalidSetWeightMessage(100),
      },
    ]);
    expect(
      rolloutIssues(rollout({ steps: [{ setWeight: 900 }], trafficRouting: { maxTrafficWeight: 1000 } })),
    ).toEqual([]);
    expect(rolloutIssues(rollout({ steps: [{ setWeight: -1 }] }))[0]?.message).toBe(
      invalidSetWeightMessage(100),
    );
  });

  it('a pause duration that does not parse is invalid', () => {
    expect(rolloutIssues(rollout({ steps: [{ pause: { duration: '5 minutes' } }] }))[0]).toMatchObject({
      path: 'spec.strategy.canary.steps[0].pause.duration',
      message: INVALID_DURATION_MESSAGE,
    });
  });

  it('canary and blueGreen together are refused', () => {
    expect(rolloutIssues(rollout({}, { blueGreen: { activeService: 'a' } }))[0]?.message).toBe(
      INVALID_STRATEGY_MESSAGE,
    );
  });
});
