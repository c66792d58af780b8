/**
 * A metric's effective settings, read once: Argo's defaults (failureLimit 0, inconclusiveLimit 0,
 * consecutiveErrorLimit 4), `EffectiveCount`, parsed durations, and `ValidateMetrics`' checks and
 * messages (`utils/analysis/factory.go`). Pure.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import { parseDuration } from './duration.ts';
import type { Metric } from './types.ts';

/** `DefaultConsecutiveErrorLimit`. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** `DefaultErrorRetryInterval`: the wait before measuring again after an Error measurement. */
export const ERROR_RETRY_INTERVAL_MS = 10_000;
/** `DefaultMeasurementHistoryLimit`: measurements kept per metric. */
export const DEFAULT_MEASUREMENT_HISTORY_LIMIT = 10;

/** The numbers and durations a metric is judged by, with defaults applied. */
export interface MetricSettings {
  name: string;
  /** `EffectiveCount`: undefined means "measure until terminated". */
  effectiveCount: number | undefined;
  intervalMs: number | undefined;
  initialDelayMs: number | undefined;
  /** The spec's failureLimit, or undefined when not set (then 0 applies). */
  failureLimitSet: number | undefined;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  /** 0 when not set. */
  consecutiveSuccessLimit: number;
}

function intValue(value: number | string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (!/^[+-]?\d+$/.test(value.trim()))
    throw new SlipwayError(`${field}: ${JSON.stringify(value)} is not an integer`, { reason: 'InvalidSpec' });
  return Number.parseInt(value, 10);
}

/**
 * Reads and validates one metric (already arg-resolved).
 *
 * @example
 * metricSettings({ name: 'm', interval: '60s', provider: { prometheus: {} } })
 * // { effectiveCount: undefined, intervalMs: 60000, failureLimit: 0, consecutiveErrorLimit: 4, … }
 * metricSettings({ name: 'm', provider: { web: {} } }).effectiveCount // 1 (no count, no interval)
 * metricSettings({ name: 'm', count: 3, provider: { web: {} } })       // throws: interval must be specified when count > 1
 */
export function metricSettings(metric: Metric): MetricSettings {
  const count = intValue(metric.count, 'count');
  const failureLimitSet = intValue(metric.failureLimit, 'failureLimit');
  const failureLimit = failureLimitSet ?? 0;
  const inconclusiveLimit = intValue(metric.inconclusiveLimit, 'inconclusiveLimit') ?? 0;
  const consecutiveErrorLimit =
    intValue(metric.consecutiveErrorLimit, 'consecutiveErrorLimit') ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT;
  const consecutiveSuccessLimit = intValue(metric.consecutiveSuccessLimit, 'consecutiveSuccessLimit') ?? 0;
  const invalid = (message: string) => new SlipwayError(message, { reason: 'InvalidSpec' });

  if (consecutiveSuccessLimit < 0) throw invalid('consecutiveSuccessLimit must be >= 0');
  if (failureLimit < -1) throw invalid('failureLimit must be >= -1');
  if (consecutiveSuccessLimit === 0 && failureLimit === -1)
    throw invalid('failureLimit and consecutiveSuccessLimit cannot both be disabled');
  if (inconclusiveLimit < 0) throw invalid('inconclusiveLimit must be >= 0');
  if (consecutiveErrorLimit < 0) throw invalid('consecutiveErrorLimit must be >= 0');
  if (count !== undefined && count > 0) {
    if (failureLimit >= 0 && consecutiveSuccessLimit > 0 && count < failureLimit + consecutiveSuccessLimit)
      throw invalid('count must be >= failureLimit + consecutiveSuccessLimit');
    if (failureLimit >= 0 && count < failureLimit) throw invalid('count must be >= failureLimit');
    if (failureLimit < 0 && count < consecutiveSuccessLimit)
      throw invalid('count must be >= consecutiveSuccessLimit');
    if (count < inconclusiveLimit) throw invalid('count must be >= inconclusiveLimit');
  }
  if (count !== undefined && count > 1 && !metric.interval)
    throw invalid('interval must be specified when count > 1');
  let intervalMs: number | undefined;
  let initialDelayMs: number | undefined;
  try {
    intervalMs = metric.interval ? parseDuration(metric.interval) : undefined;
  } catch (err) {
    throw invalid(`invalid interval string: ${(err as Error).message}`);
  }
  try {
    initialDelayMs = metric.initialDelay ? parseDuration(metric.initialDelay) : undefined;
  } catch (err) {
    throw invalid(`invalid startDelay string: ${(err as Error).message}`);
  }
  const providers = Object.keys(metric.provider ?? {}).filter((k) => metric.provider[k] != null);
  if (providers.length === 0) throw invalid('no provider specified');
  if (providers.length > 1) throw invalid('multiple providers specified');

  const effectiveCount = count === undefined || count === 0 ? (metric.interval ? undefined : 1) : count;
  return {
    name: metric.name,
    effectiveCount,
    intervalMs,
    initialDelayMs,
    failureLimitSet,
    failureLimit,
    inconclusiveLimit,
    consecutiveErrorLimit,
    consecutiveSuccessLimit,
  };
}

/**
 * `ValidateMetrics`: at least one metric, unique names, each metric valid. Errors are prefixed
 * `metrics[i]: ` like Argo's.
 */
export function validateMetrics(metrics: readonly Metric[]): Map<string, MetricSettings> {
  if (metrics.length === 0) throw new SlipwayError('no metrics specified', { reason: 'InvalidSpec' });
  const settings = new Map<string, MetricSettings>();
  metrics.forEach((metric, i) => {
    if (settings.has(metric.name))
      throw new SlipwayError(`metrics[${i}]: duplicate name '${metric.name}'`, { reason: 'InvalidSpec' });
    try {
      settings.set(metric.name, metricSettings(metric));
    } catch (err) {
      throw new SlipwayError(`metrics[${i}]: ${(err as Error).message}`, {
        reason: 'InvalidSpec',
        cause: err,
      });
    }
  });
  return settings;
}

/** `GetDryRunMetrics`: names of metrics matched by a dryRun rule (unanchored regular expressions). */
export function dryRunMetrics(
  rules: ReadonlyArray<{ metricName: string }>,
  metrics: readonly Metric[],
): Set<string> {
  const names = new Set<string>();
  rules.forEach((rule, i) => {
    const re = compileRule(rule.metricName, `dryRun[${i}]`);
    const matched = metrics.filter((m) => re.test(m.name));
    if (matched.length === 0)
      throw new SlipwayError(`dryRun[${i}]: Rule didn't match any metric name(s)`, { reason: 'InvalidSpec' });
    for (const m of matched) names.add(m.name);
  });
  return names;
}

/** `GetMeasurementRetentionMetrics`: per-metric measurement limits. */
export function measurementRetention(
  rules: ReadonlyArray<{ metricName: string; limit: number }>,
  metrics: readonly Metric[],
): Map<string, number> {
  const limits = new Map<string, number>();
  rules.forEach((rule, i) => {
    const re = compileRule(rule.metricName, `measurementRetention[${i}]`);
    const matched = metrics.filter((m) => re.test(m.name));
    if (matched.length === 0)
      throw new SlipwayError(`measurementRetention[${i}]: Rule didn't match any metric name(s)`, {
        reason: 'InvalidSpec',
      });
    for (const m of matched) limits.set(m.name, rule.limit);
  });
  return limits;
}

function compileRule(pattern: string, field: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new SlipwayError(`${field}: invalid metricName pattern: ${(err as Error).message}`, {
      reason: 'InvalidSpec',
    });
  }
}
