/**
 * The one interface every metric provider implements (Argo's `metricproviders.Provider`): take a
 * measurement, resume or terminate an in-flight one, and clean up after dropped ones.
 * @module
 */
import type { AnalysisRun, Measurement, Metric } from '../types.ts';

/** What a provider is given for one measurement. */
export interface ProviderContext {
  /** The run being measured (jobs are owned by it). */
  run: AnalysisRun;
  /** The metric, with every `{{args.x}}` already substituted. */
  metric: Metric;
  /** The clock, in epoch milliseconds. */
  now: () => number;
  /** Aborts when the controller stops or the measurement's time is up. */
  signal: AbortSignal;
}

export interface MetricProvider {
  /** The key under `metric.provider` this provider serves, e.g. `prometheus`. */
  readonly type: string;
  /** Takes a new measurement. Never throws: failures are `Error` measurements. */
  run(ctx: ProviderContext): Promise<Measurement>;
  /** Continues an in-flight measurement (one without `finishedAt`). */
  resume(ctx: ProviderContext, measurement: Measurement): Promise<Measurement>;
  /** Stops an in-flight measurement because the run is terminating. */
  terminate(ctx: ProviderContext, measurement: Measurement): Promise<Measurement>;
  /** Releases what dropped measurements held (e.g. their Jobs). */
  garbageCollect(
    ctx: Omit<ProviderContext, 'metric'> & { metric: Metric },
    dropped: Measurement[],
  ): Promise<void>;
  /** Metadata recorded on the metric result (e.g. the resolved query). */
  metadata?(metric: Metric): Record<string, string> | undefined;
}
