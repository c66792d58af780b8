/**
 * The AnalysisRun measurement planner, after Argo's `analysis/analysis.go`: which metrics to
 * measure now (`generateMetricTasks`), how measurements update the tallies (`runMeasurements`),
 * each metric's and the run's phase (`assessMetricStatus`, `assessRunStatus`), measurement
 * retention, and when to look again (`calculateNextReconcileTime`). Pure: time is a parameter.
 * @module
 */
import { ERROR_RETRY_INTERVAL_MS, type MetricSettings } from './metric-spec.ts';
import {
  type AnalysisPhase,
  type AnalysisRunStatus,
  isCompleted,
  type Measurement,
  type MetricResult,
  type RunSummary,
} from './types.ts';

/** Argo's `analysisStatusOrder`, best to worst. */
const ORDER: readonly AnalysisPhase[] = [
  'Successful',
  'Running',
  'Pending',
  'Inconclusive',
  'Error',
  'Failed',
];

/** True when `next` is a worse phase than `current` (anything is worse than none). */
export function isWorse(current: AnalysisPhase | undefined, next: AnalysisPhase): boolean {
  return ORDER.indexOf(next) > (current === undefined ? -1 : ORDER.indexOf(current));
}

/** Kubernetes `metav1.Time`: RFC 3339 with whole seconds. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const ms = (time: string | undefined): number | undefined => (time ? Date.parse(time) : undefined);

/** The run facts the planner works from. */
export interface PlanInput {
  /** Settings of every metric, in spec order (from `validateMetrics`). */
  metrics: readonly MetricSettings[];
  /** Names of dryRun metrics. */
  dryRun: ReadonlySet<string>;
  /** `spec.terminate`. */
  terminate: boolean;
  status: AnalysisRunStatus;
}

/** One measurement to take: a new one, or the in-flight `incomplete` one to resume or terminate. */
export interface MetricTask {
  metric: string;
  incomplete?: Measurement;
}

function resultOf(status: AnalysisRunStatus, name: string): MetricResult | undefined {
  return status.metricResults?.find((r) => r.name === name);
}

function lastMeasurement(result: MetricResult | undefined): Measurement | undefined {
  return result?.measurements?.at(-1);
}

/**
 * Argo's `IsTerminating`: `spec.terminate`, or a metric already Failed, Error or Inconclusive.
 * (Argo looks only at the first such metric, and a dryRun one does not terminate the run.)
 */
export function isTerminating(terminate: boolean, status: AnalysisRunStatus): boolean {
  if (terminate) return true;
  for (const r of status.metricResults ?? []) {
    if (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive') return !r.dryRun;
  }
  return false;
}

function retryInterval(metric: MetricSettings, last: Measurement): number {
  // An Error is retried after 10s whatever the interval; so is a metric without one.
  if (last.phase === 'Error' || metric.intervalMs === undefined) return ERROR_RETRY_INTERVAL_MS;
  return metric.intervalMs;
}

/**
 * `generateMetricTasks`: the measurements due at `now`.
 *
 * @example
 * // interval 60s, last measurement finished at 10:00:00 → nothing at 10:00:59, a task at 10:01:01
 * planMeasurements(input, Date.parse('2026-01-01T10:01:01Z')) // [{ metric: 'success-rate' }]
 */
export function planMeasurements(input: PlanInput, now: number): MetricTask[] {
  const tasks: MetricTask[] = [];
  const terminating = isTerminating(input.terminate, input.status);
  const startedAt = ms(input.status.startedAt);
  for (const metric of input.metrics) {
    const result = resultOf(input.status, metric.name);
    if (isCompleted(result?.phase)) continue;
    const last = lastMeasurement(result);
    if (last !== undefined && last.finishedAt === undefined) {
      // In flight: terminate it now, or resume it once resumeAt has passed.
      const resumeAt = ms(last.resumeAt);
      if (!terminating && resumeAt !== undefined && resumeAt > now) continue;
      tasks.push({ metric: metric.name, incomplete: last });
      continue;
    }
    if (terminating) continue;
    if (last === undefined) {
      if (metric.initialDelayMs !== undefined) {
        if (startedAt === undefined || startedAt + metric.initialDelayMs > now) continue;
      }
      tasks.push({ metric: metric.name });
      continue;
    }
    if (metric.effectiveCount !== undefined && (result?.count ?? 0) >= metric.effectiveCount) continue;
    const finishedAt = ms(last.finishedAt) ?? now;
    if (now > finishedAt + retryInterval(metric, last)) tasks.push({ metric: metric.name });
  }
  return tasks;
}

/** What a provider returned for one task. */
export interface MeasurementOutcome {
  metric: string;
  measurement: Measurement;
  /** Whether the task resumed/terminated the last measurement (replaced) or took a new one. */
  replacesLast: boolean;
  /** Provider metadata for the metric result (e.g. the Prometheus query). */
  metadata?: Record<string, string>;
}

/**
 * `runMeasurements`' bookkeeping: records each outcome in its metric's result and updates the
 * counters. An Error does not count toward `count`.
 *
 * | measurement  | counters                                                             |
 * |--------------|----------------------------------------------------------------------|
 * | Successful   | count++, successful++, consecutiveError = 0, consecutiveSuccess++    |
 * | Failed       | count++, failed++, consecutiveError = 0, consecutiveSuccess = 0      |
 * | Inconclusive | count++, inconclusive++, consecutiveError = 0, consecutiveSuccess = 0|
 * | Error        | error++, consecutiveError++, consecutiveSuccess = 0                  |
 */
export function recordMeasurements(
  status: AnalysisRunStatus,
  outcomes: readonly MeasurementOutcome[],
  dryRun: ReadonlySet<string>,
  now: number,
): AnalysisRunStatus {
  const results = [...(status.metricResults ?? [])];
  for (const outcome of outcomes) {
    const i = results.findIndex((r) => r.name === outcome.metric);
    const existing = i >= 0 ? results[i] : undefined;
    const result: MetricResult = existing ? { ...existing } : { name: outcome.metric, phase: 'Running' };
    if (dryRun.has(outcome.metric)) result.dryRun = true;
    const m: Measurement = { ...outcome.measurement };
    if (isCompleted(m.phase)) {
      m.finishedAt ??= formatTime(now);
      const inc = (
        k:
          | 'count'
          | 'successful'
          | 'failed'
          | 'inconclusive'
          | 'error'
          | 'consecutiveSuccess'
          | 'consecutiveError',
      ) => {
        result[k] = (result[k] ?? 0) + 1;
      };
      if (m.phase === 'Error') {
        inc('error');
        inc('consecutiveError');
        result.consecutiveSuccess = 0;
      } else {
        inc('count');
        inc(m.phase === 'Successful' ? 'successful' : m.phase === 'Failed' ? 'failed' : 'inconclusive');
        result.consecutiveError = 0;
        if (m.phase === 'Successful') inc('consecutiveSuccess');
        else result.consecutiveSuccess = 0;
      }
    }
    const measurements = [...(result.measurements ?? [])];
    if (outcome.replacesLast && measurements.length > 0) measurements[measurements.length - 1] = m;
    else measurements.push(m);
    result.measurements = measurements;
    if (outcome.metadata && Object.keys(outcome.metadata).length > 0) result.metadata = outcome.metadata;
    if (i >= 0) results[i] = result;
    else results.push(result);
  }
  return { ...status, metricResults: results };
}

/**
 * `assessMetricFailureInconclusiveOrError`: the limit a metric broke, if any, and Argo's reason
 * text. Later checks override earlier ones: Error > Inconclusive > Failed.
 *
 * @example
 * assessMetricLimits(failureLimitZero, { name: 'm', phase: 'Running', failed: 1 }) // { phase: 'Failed', reason: 'failed (1) > failureLimit (0)' }
 */
export function assessMetricLimits(
  metric: MetricSettings,
  result: MetricResult,
): { phase: AnalysisPhase; reason: string } | undefined {
  let verdict: { phase: AnalysisPhase; reason: string } | undefined;
  const failed = result.failed ?? 0;
  const inconclusive = result.inconclusive ?? 0;
  const consecutiveError = result.consecutiveError ?? 0;
  if (metric.failureLimit >= 0 && failed > metric.failureLimit)
    verdict = { phase: 'Failed', reason: `failed (${failed}) > failureLimit (${metric.failureLimit})` };
  if (inconclusive > metric.inconclusiveLimit)
    verdict = {
      phase: 'Inconclusive',
      reason: `inconclusive (${inconclusive}) > inconclusiveLimit (${metric.inconclusiveLimit})`,
    };
  if (consecutiveError > metric.consecutiveErrorLimit)
    verdict = {
      phase: 'Error',
      reason: `consecutiveErrors (${consecutiveError}) > consecutiveErrorLimit (${metric.consecutiveErrorLimit})`,
    };
  return verdict;
}

/**
 * `assessMetricStatus`: one metric's phase from its tally.
 *
 * @example
 * // failureLimit 2: failed 3 of count 3 → Failed
 * assessMetricStatus(settings, { name: 'm', phase: 'Running', count: 3, failed: 3, measurements }, false) // 'Failed'
 * // no count, interval set, nothing broken → Running, or Successful once the run terminates
 */
export function assessMetricStatus(
  metric: MetricSettings,
  result: MetricResult,
  terminating: boolean,
): AnalysisPhase {
  if (isCompleted(result.phase)) return result.phase;
  const last = lastMeasurement(result);
  if (last === undefined) return terminating ? 'Successful' : 'Pending';
  if (!isCompleted(last.phase)) return 'Running';
  const broken = assessMetricLimits(metric, result);
  if (broken) return broken.phase;
  const csl = metric.consecutiveSuccessLimit;
  if (csl > 0 && (result.consecutiveSuccess ?? 0) >= csl) return 'Successful';
  if (metric.effectiveCount !== undefined && (result.count ?? 0) >= metric.effectiveCount) {
    const failureApplies = metric.failureLimitSet === undefined || metric.failureLimitSet >= 0;
    const successApplies = csl > 0;
    if (failureApplies && successApplies) return 'Inconclusive';
    if (successApplies) return 'Failed';
    return 'Successful';
  }
  return terminating ? 'Successful' : 'Running';
}

type Summary = { [K in keyof RunSummary]-?: number };

function countInto(summary: Summary, phase: AnalysisPhase): void {
  summary.count++;
  if (phase === 'Successful') summary.successful++;
  else if (phase === 'Failed') summary.failed++;
  else if (phase === 'Inconclusive') summary.inconclusive++;
  else if (phase === 'Error') summary.error++;
}

const emptySummary = (): Summary => ({ count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 });

/**
 * `assessRunStatus`: every metric's phase, the run's phase and message, the summaries,
 * `startedAt` (first assessment) and `completedAt` (when the phase completes).
 *
 * - a metric still running or not yet started keeps the run `Running`;
 * - otherwise the run takes the worst phase of its non-dryRun metrics
 *   (Successful < Running < Pending < Inconclusive < Error < Failed);
 * - when terminating (spec.terminate or a metric Failed/Error/Inconclusive) the run ends at once
 *   with the worst phase so far, `Successful` if there is none.
 *
 * @example
 * // success-rate: failed 1, failureLimit 0 →
 * // { phase: 'Failed', message: 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)' }
 */
export function assessRun(input: PlanInput, now: number): AnalysisRunStatus {
  const status: AnalysisRunStatus = {
    ...input.status,
    metricResults: [...(input.status.metricResults ?? [])],
  };
  status.startedAt ??= formatTime(now);
  const terminating = isTerminating(input.terminate, input.status);
  let worst: AnalysisPhase | undefined;
  let message = '';
  let everythingCompleted = true;
  const runSummary = emptySummary();
  const dryRunSummary = emptySummary();
  for (const metric of input.metrics) {
    const results = status.metricResults ?? [];
    const i = results.findIndex((r) => r.name === metric.name);
    const isDryRun = input.dryRun.has(metric.name);
    if (i < 0) {
      // Never measured (e.g. still in its initialDelay).
      everythingCompleted = false;
      countInto(isDryRun ? dryRunSummary : runSummary, 'Pending');
      continue;
    }
    const result: MetricResult = { ...results[i]! };
    const phase = assessMetricStatus(metric, result, terminating);
    if (result.phase !== phase) {
      const last = lastMeasurement(result);
      if (last?.message !== undefined) result.message = last.message;
      else delete result.message;
      result.phase = phase;
    }
    countInto(isDryRun ? dryRunSummary : runSummary, phase);
    if (!isCompleted(phase)) {
      everythingCompleted = false;
    } else {
      const broken = assessMetricLimits(metric, result);
      if (!isDryRun) {
        if (isWorse(worst, phase)) {
          worst = phase;
          if (broken) {
            message = `Metric "${metric.name}" assessed ${broken.phase} due to ${broken.reason}`;
            if (result.message) message += `: "Error Message: ${result.message}"`;
          }
        }
      } else if (broken && results[i]!.phase !== phase) {
        result.message = `Metric assessed ${phase} due to ${broken.reason}`;
      }
    }
    results[i] = result;
  }
  status.runSummary = runSummary;
  status.dryRunSummary = dryRunSummary;
  let phase: AnalysisPhase;
  if (terminating) {
    phase = worst ?? 'Successful';
    if (message === '' && input.terminate) message = 'Run Terminated';
  } else if (!everythingCompleted) phase = 'Running';
  // Every metric completed but all are dryRun: nothing can fail the run.
  else phase = worst ?? 'Successful';
  if (phase !== status.phase) {
    status.phase = phase;
    if (message !== '') status.message = message;
    else delete status.message;
  }
  if (isCompleted(phase)) status.completedAt ??= formatTime(now);
  return status;
}

/**
 * Keeps the newest `limit` measurements of each metric (10 unless `measurementRetention` says
 * otherwise). Returns the trimmed status and the measurements dropped (for provider clean-up).
 */
export function trimMeasurements(
  status: AnalysisRunStatus,
  retention: ReadonlyMap<string, number>,
  defaultLimit: number,
): { status: AnalysisRunStatus; dropped: Array<{ metric: string; measurements: Measurement[] }> } {
  const dropped: Array<{ metric: string; measurements: Measurement[] }> = [];
  const metricResults = (status.metricResults ?? []).map((r) => {
    const limit = retention.get(r.name) ?? defaultLimit;
    const list = r.measurements ?? [];
    if (list.length <= limit) return r;
    dropped.push({ metric: r.name, measurements: list.slice(0, list.length - limit) });
    return { ...r, measurements: list.slice(list.length - limit) };
  });
  return { status: { ...status, metricResults }, dropped };
}

/**
 * `calculateNextReconcileTime`: the earliest of each unfinished metric's next due time (last
 * finish + interval, or + 10s after an Error), the end of an initialDelay, and an in-flight
 * measurement's `resumeAt`. Undefined when nothing is due (every metric done or waiting on
 * nothing time-based).
 *
 * @example
 * // interval 60s, last finished 10:00:00 → 10:01:00
 * nextReconcileTime(input, now) // Date.parse('2026-01-01T10:01:00Z')
 */
export function nextReconcileTime(input: PlanInput, now: number): number | undefined {
  let next: number | undefined;
  const consider = (t: number | undefined) => {
    if (t !== undefined && (next === undefined || t < next)) next = t;
  };
  for (const metric of input.metrics) {
    const result = resultOf(input.status, metric.name);
    if (isCompleted(result?.phase)) continue;
    const last = lastMeasurement(result);
    if (last === undefined) {
      if (metric.initialDelayMs !== undefined)
        consider((ms(input.status.startedAt) ?? now) + metric.initialDelayMs);
      continue;
    }
    if (last.finishedAt === undefined) {
      consider(ms(last.resumeAt));
      continue;
    }
    if (metric.effectiveCount !== undefined && (result?.count ?? 0) >= metric.effectiveCount) continue;
    if (metric.intervalMs === undefined && last.phase !== 'Error') continue;
    consider((ms(last.finishedAt) ?? now) + retryInterval(metric, last));
  }
  return next;
}
