/**
 * Helpers providers share: measurement timestamps, `MarkMeasurementError`, and Go's
 * `strconv.FormatFloat(f, 'f', -1, 64)` for recorded values.
 * @module
 */
import type { z } from 'zod';
import { evaluateResult } from '../../expr/index.ts';
import { errorMessage, SlipwayError } from '../../util/errors.ts';
import { formatTime } from '../planner.ts';
import type { Measurement, Metric } from '../types.ts';

/** A measurement that ended in Error with `err`'s message (`MarkMeasurementError`). */
export function errorMeasurement(startedAt: string, err: unknown, now: number): Measurement {
  return { phase: 'Error', message: errorMessage(err), startedAt, finishedAt: formatTime(now) };
}

/** A finished measurement judged by the metric's conditions; an evaluation error becomes Error. */
export function judgedMeasurement(
  metric: Metric,
  startedAt: string,
  value: string,
  result: unknown,
  now: number,
): Measurement {
  const outcome = evaluateResult(result, metric);
  if (outcome.phase === 'Error') return { ...errorMeasurement(startedAt, outcome.error, now), value };
  return { phase: outcome.phase, value, startedAt, finishedAt: formatTime(now) };
}

/**
 * Go's `strconv.FormatFloat(f, 'f', -1, 64)` (Prometheus' `SampleValue.String()`): shortest
 * round-trip digits, never an exponent; `NaN`, `+Inf`, `-Inf`.
 *
 * @example
 * formatGoFloat(0.99) // '0.99'
 * formatGoFloat(1e21) // '1000000000000000000000'
 * formatGoFloat(Number.POSITIVE_INFINITY) // '+Inf'
 */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Number.POSITIVE_INFINITY) return '+Inf';
  if (f === Number.NEGATIVE_INFINITY) return '-Inf';
  const s = String(f);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const digits = `${lead}${frac}`;
  const exp = Number(expText);
  const point = 1 + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Parses `metric.provider.<type>` with `schema`; every issue is reported with its path, e.g.
 * `provider.prometheus.address: expected string, received undefined`.
 */
export function parseProviderSpec<T>(schema: z.ZodType<T>, value: unknown, type: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map(
    (i) => `${['provider', type, ...i.path.map(String)].join('.')}: ${i.message}`,
  );
  throw new SlipwayError(issues.join('; '), { reason: 'InvalidSpec' });
}
