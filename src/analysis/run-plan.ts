/**
 * One reconcile of an AnalysisRun, as pure steps around the measurements: {@link prepareRun}
 * (resolve args, validate, decide what to measure) and {@link concludeRun} (record measurements,
 * assess, trim, next due time). Mirrors Argo's `reconcileAnalysisRun`.
 * @module
 */
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { resolveMetricArgs } from './args.ts';
import {
  DEFAULT_MEASUREMENT_HISTORY_LIMIT,
  dryRunMetrics,
  measurementRetention,
  validateMetrics,
} from './metric-spec.ts';
import {
  assessRun,
  formatTime,
  type MeasurementOutcome,
  type MetricTask,
  nextReconcileTime,
  type PlanInput,
  planMeasurements,
  recordMeasurements,
  trimMeasurements,
} from './planner.ts';
import type { AnalysisRun, AnalysisRunStatus, Argument, Measurement, Metric } from './types.ts';

/** What a reconcile must do: measure `tasks`, or (`status` only) just write an Error status. */
export type PreparedRun =
  | { kind: 'invalid'; status: AnalysisRunStatus }
  | {
      kind: 'measure';
      input: PlanInput;
      metrics: Map<string, Metric>;
      retention: Map<string, number>;
      tasks: MetricTask[];
    };

/** Stand-in for secret values while planning: the real values are read only to measure. */
export const REDACTED = '*****';

/** Args with secret references replaced by {@link REDACTED}; both value and valueFrom is an error. */
export function argsWithoutSecrets(args: readonly Argument[]): Argument[] {
  return args.map((arg) => {
    if (arg.value !== undefined && arg.valueFrom !== undefined)
      throw new SlipwayError(`arg ${arg.name} has both Value and ValueFrom fields`, {
        reason: 'InvalidSpec',
      });
    return arg.valueFrom?.secretKeyRef ? { name: arg.name, value: REDACTED } : arg;
  });
}

function errorStatus(run: AnalysisRun, message: string, now: number): AnalysisRunStatus {
  return {
    ...(run.status ?? {}),
    phase: 'Error',
    message,
    startedAt: run.status?.startedAt ?? formatTime(now),
    completedAt: formatTime(now),
  };
}

/**
 * Resolves the run's metrics (secrets redacted), validates them and plans the measurements due
 * at `now`. Argo's messages: `Unable to resolve metric arguments: …`, `Analysis spec invalid: …`.
 *
 * @example
 * prepareRun(runWithMissingArg, now)
 * // { kind: 'invalid', status: { phase: 'Error', message: 'Unable to resolve metric arguments: failed to resolve {{args.service-name}}', … } }
 */
export function prepareRun(run: AnalysisRun, now: number): PreparedRun {
  let resolved: Metric[];
  try {
    const args = argsWithoutSecrets(run.spec.args ?? []);
    resolved = run.spec.metrics.map((m) => resolveMetricArgs(m, args));
  } catch (err) {
    return {
      kind: 'invalid',
      status: errorStatus(run, `Unable to resolve metric arguments: ${errorMessage(err)}`, now),
    };
  }
  try {
    const settings = validateMetrics(resolved);
    const dryRun = dryRunMetrics(run.spec.dryRun ?? [], resolved);
    const retention = measurementRetention(run.spec.measurementRetention ?? [], resolved);
    const input: PlanInput = {
      metrics: [...settings.values()],
      dryRun,
      terminate: run.spec.terminate === true,
      status: run.status ?? {},
    };
    return {
      kind: 'measure',
      input,
      metrics: new Map(resolved.map((m) => [m.name, m])),
      retention,
      tasks: planMeasurements(input, now),
    };
  } catch (err) {
    return { kind: 'invalid', status: errorStatus(run, `Analysis spec invalid: ${errorMessage(err)}`, now) };
  }
}

/** The outcome of {@link concludeRun}: the new status, measurements to clean up, next due time. */
export interface RunConclusion {
  status: AnalysisRunStatus;
  dropped: Array<{ metric: string; measurements: Measurement[] }>;
  /** Epoch ms of the next reconcile, if anything is time-based and still open. */
  nextAt: number | undefined;
}

/** Records the measurements taken, assesses the run, trims history and finds the next due time. */
export function concludeRun(
  prepared: Extract<PreparedRun, { kind: 'measure' }>,
  outcomes: readonly MeasurementOutcome[],
  now: number,
): RunConclusion {
  const recorded = recordMeasurements(prepared.input.status, outcomes, prepared.input.dryRun, now);
  const assessed = assessRun({ ...prepared.input, status: recorded }, now);
  const { status, dropped } = trimMeasurements(
    assessed,
    prepared.retention,
    DEFAULT_MEASUREMENT_HISTORY_LIMIT,
  );
  const done = status.phase !== 'Running' && status.phase !== 'Pending' && status.phase !== undefined;
  return {
    status,
    dropped,
    nextAt: done ? undefined : nextReconcileTime({ ...prepared.input, status }, now),
  };
}
