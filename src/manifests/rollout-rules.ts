/**
 * The parts of Argo Rollouts' spec validation that a CRD schema cannot express
 * (`pkg/apis/rollouts/validation/validation.go`, v1.9): the Rollout controller marks a Rollout that
 * breaks them `InvalidSpec` and does nothing, so Slipway reports them before they are committed.
 * Messages are upstream's.
 *
 * @module
 */
import type { SchemaIssue } from './schema-validator.ts';

export const INVALID_STEP_MESSAGE =
  'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause';
export const INVALID_STRATEGY_MESSAGE = 'Multiple Strategies can not be listed';
export const INVALID_DURATION_MESSAGE = 'Duration needs to be greater than 0';
export const invalidSetWeightMessage = (max: number): string => `SetWeight needs to be between 0 and ${max}`;

const STEP_KINDS = [
  'experiment',
  'pause',
  'setWeight',
  'analysis',
  'setCanaryScale',
  'setHeaderRoute',
  'setMirrorRoute',
  'plugin',
] as const;
/** upstream `hasMultipleStepsType` only counts these four. */
const EXCLUSIVE_STEP_KINDS = ['setWeight', 'pause', 'experiment', 'analysis'] as const;

const UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Go's `time.ParseDuration` in seconds (truncated), or undefined when it does not parse.
 * `"5m"` → 300, `"1h30m"` → 5400, `"1.5s"` → 1, `"5"` → undefined (Go needs a unit).
 */
export function parseGoDurationSeconds(text: string): number | undefined {
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  if (m[2] === '0') return 0;
  let nanos = 0;
  for (const part of (m[2] ?? '').matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    nanos += Number(part[1]) * (UNIT_NANOS[part[2] ?? ''] ?? 0);
  }
  return sign * Math.trunc(nanos / 1e9);
}

/**
 * upstream `RolloutPause.DurationSeconds`: an integer is seconds; a string is an integer (seconds)
 * or a Go duration; anything unparseable is -1.
 */
export function pauseDurationSeconds(duration: unknown): number {
  if (duration === undefined || duration === null) return 0;
  if (typeof duration === 'number') return duration;
  if (typeof duration !== 'string') return -1;
  if (/^[-+]?\d+$/.test(duration)) {
    const n = Number(duration);
    return n >= -(2 ** 31) && n < 2 ** 31 ? n : -1;
  }
  return parseGoDurationSeconds(duration) ?? -1;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** The Rollout spec rules, as issues with field paths. Schema errors are reported separately. */
export function rolloutIssues(rollout: { readonly [key: string]: unknown }): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const strategy = record(record(rollout['spec'])?.['strategy']);
  if (strategy?.['canary'] !== undefined && strategy['blueGreen'] !== undefined) {
    issues.push({ path: 'spec.strategy', segments: ['spec', 'strategy'], message: INVALID_STRATEGY_MESSAGE });
  }
  const canary = record(strategy?.['canary']);
  const steps = canary?.['steps'];
  if (!Array.isArray(steps)) return issues;
  const maxWeight = Number(record(canary?.['trafficRouting'])?.['maxTrafficWeight'] ?? 100);
  steps.forEach((raw, i) => {
    const path = `spec.strategy.canary.steps[${i}]`;
    const segments = ['spec', 'strategy', 'canary', 'steps', i];
    const step = record(raw) ?? {};
    const present = (k: string) => step[k] !== undefined && step[k] !== null;
    if (EXCLUSIVE_STEP_KINDS.filter(present).length > 1 || !STEP_KINDS.some(present)) {
      issues.push({ path, segments, message: INVALID_STEP_MESSAGE });
    }
    const weight = step['setWeight'];
    if (typeof weight === 'number' && (weight < 0 || weight > maxWeight)) {
      issues.push({
        path: `${path}.setWeight`,
        segments: [...segments, 'setWeight'],
        message: invalidSetWeightMessage(maxWeight),
      });
    }
    const pause = record(step['pause']);
    if (pause && pauseDurationSeconds(pause['duration']) < 0) {
      issues.push({
        path: `${path}.pause.duration`,
        segments: [...segments, 'pause', 'duration'],
        message: INVALID_DURATION_MESSAGE,
      });
    }
  });
  return issues;
}
