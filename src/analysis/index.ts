/**
 * Argo Rollouts analysis in Slipway: AnalysisRun spec building from (Cluster)AnalysisTemplates,
 * the pure measurement planner, the metric providers (prometheus, web, job) and the AnalysisRun
 * controller.
 *
 * @example
 * import { createAnalysisRunController, newAnalysisRunSpec } from '../analysis/index.ts';
 * const spec = newAnalysisRunSpec({ templates: [template.spec], args: [{ name: 'service-name', value: 'web' }] });
 * const controller = createAnalysisRunController({ client, namespace: 'shop' });
 * await controller.start();
 * @module
 */
export { resolveArgs, resolveMetricArgs, resolveQuotedArgs } from './args.ts';
export {
  type AnalysisRunController,
  type AnalysisRunControllerOptions,
  createAnalysisRunController,
  reconcileAnalysisRun,
} from './controller.ts';
export { parseDuration } from './duration.ts';
export { extractFieldPath } from './field-path.ts';
export { type MetricSettings, metricSettings, validateMetrics } from './metric-spec.ts';
export {
  assessMetricStatus,
  assessRun,
  isTerminating,
  type MeasurementOutcome,
  type MetricTask,
  nextReconcileTime,
  type PlanInput,
  planMeasurements,
  recordMeasurements,
  trimMeasurements,
} from './planner.ts';
export {
  defaultProviders,
  jobProvider,
  type MetricProvider,
  type ProviderContext,
  prometheusProvider,
  webProvider,
} from './providers/index.ts';
export { concludeRun, type PreparedRun, prepareRun } from './run-plan.ts';
export { fetchTemplates, type TemplateRef } from './template-refs.ts';
export {
  type AnalysisRunSource,
  flattenArgs,
  mergeArgs,
  newAnalysisRunSpec,
  resolveFieldRefs,
} from './templates.ts';
export * from './types.ts';
