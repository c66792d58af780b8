/**
 * The AnalysisRun / AnalysisTemplate shapes (argoproj.io/v1alpha1) as Slipway reads them: zod
 * schemas for the fields the analysis controller acts on; everything else passes through.
 * @module
 */
import { z } from 'zod';

/** Kubernetes IntOrString: `3` or `"3"` (a templated `"{{args.count}}"` is resolved before use). */
export const IntOrStringSchema = z.union([z.number().int(), z.string()]);

/** One argument: a literal value, or a value from a Secret key or a field of another object. */
export const ArgumentSchema = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .object({
      secretKeyRef: z.object({ name: z.string(), key: z.string() }).optional(),
      fieldRef: z.object({ fieldPath: z.string() }).optional(),
      podTemplateHashValue: z.string().optional(),
    })
    .optional(),
});
export type Argument = z.infer<typeof ArgumentSchema>;

/** One metric: what to measure (`provider`), how often, and how to judge it. */
export const MetricSchema = z.looseObject({
  name: z.string(),
  interval: z.string().optional(),
  initialDelay: z.string().optional(),
  count: IntOrStringSchema.optional(),
  successCondition: z.string().optional(),
  failureCondition: z.string().optional(),
  failureLimit: IntOrStringSchema.optional(),
  inconclusiveLimit: IntOrStringSchema.optional(),
  consecutiveErrorLimit: IntOrStringSchema.optional(),
  consecutiveSuccessLimit: IntOrStringSchema.optional(),
  provider: z.record(z.string(), z.unknown()),
});
export type Metric = z.infer<typeof MetricSchema>;

/** `dryRun: [{metricName}]`; the name may be a regular expression such as `.*`. */
export const DryRunSchema = z.object({ metricName: z.string() });
/** `measurementRetention: [{metricName, limit}]`. */
export const MeasurementRetentionSchema = z.object({ metricName: z.string(), limit: z.number().int() });

/** `AnalysisRun.spec`. */
export const AnalysisRunSpecSchema = z.looseObject({
  metrics: z.array(MetricSchema),
  args: z.array(ArgumentSchema).optional(),
  terminate: z.boolean().optional(),
  dryRun: z.array(DryRunSchema).optional(),
  measurementRetention: z.array(MeasurementRetentionSchema).optional(),
  ttlStrategy: z
    .object({
      secondsAfterCompletion: z.number().int().optional(),
      secondsAfterSuccess: z.number().int().optional(),
      secondsAfterFailure: z.number().int().optional(),
    })
    .optional(),
});
export type AnalysisRunSpec = z.infer<typeof AnalysisRunSpecSchema>;

/** `AnalysisTemplate.spec` / `ClusterAnalysisTemplate.spec`. */
export const AnalysisTemplateSpecSchema = z.looseObject({
  metrics: z.array(MetricSchema).optional(),
  args: z.array(ArgumentSchema).optional(),
  dryRun: z.array(DryRunSchema).optional(),
  measurementRetention: z.array(MeasurementRetentionSchema).optional(),
  templates: z
    .array(z.object({ templateName: z.string().optional(), clusterScope: z.boolean().optional() }))
    .optional(),
});
export type AnalysisTemplateSpec = z.infer<typeof AnalysisTemplateSpecSchema>;

/** The phases of a run, a metric and a measurement. */
export const AnalysisPhaseSchema = z.enum([
  'Pending',
  'Running',
  'Successful',
  'Failed',
  'Error',
  'Inconclusive',
]);
export type AnalysisPhase = z.infer<typeof AnalysisPhaseSchema>;

/** True for the phases a run, metric or measurement never leaves. */
export function isCompleted(phase: AnalysisPhase | undefined): boolean {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}

/** One measurement. Times are RFC 3339 strings, as the API server stores them. */
export const MeasurementSchema = z.object({
  phase: AnalysisPhaseSchema,
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  value: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  resumeAt: z.string().optional(),
});
export type Measurement = z.infer<typeof MeasurementSchema>;

/** The running tally of one metric. */
export const MetricResultSchema = z.object({
  name: z.string(),
  phase: AnalysisPhaseSchema,
  measurements: z.array(MeasurementSchema).optional(),
  message: z.string().optional(),
  count: z.number().int().optional(),
  successful: z.number().int().optional(),
  failed: z.number().int().optional(),
  inconclusive: z.number().int().optional(),
  error: z.number().int().optional(),
  consecutiveError: z.number().int().optional(),
  consecutiveSuccess: z.number().int().optional(),
  dryRun: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
export type MetricResult = z.infer<typeof MetricResultSchema>;

/** Metric counts by phase (`runSummary` / `dryRunSummary`). */
export const RunSummarySchema = z.object({
  count: z.number().int().optional(),
  successful: z.number().int().optional(),
  failed: z.number().int().optional(),
  inconclusive: z.number().int().optional(),
  error: z.number().int().optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** `AnalysisRun.status`. */
export const AnalysisRunStatusSchema = z.object({
  phase: AnalysisPhaseSchema.optional(),
  message: z.string().optional(),
  metricResults: z.array(MetricResultSchema).optional(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  runSummary: RunSummarySchema.optional(),
  dryRunSummary: RunSummarySchema.optional(),
});
export type AnalysisRunStatus = z.infer<typeof AnalysisRunStatusSchema>;

/** An AnalysisRun object. */
export const AnalysisRunSchema = z.looseObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('AnalysisRun'),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
  }),
  spec: AnalysisRunSpecSchema,
  status: AnalysisRunStatusSchema.optional(),
});
export type AnalysisRun = z.infer<typeof AnalysisRunSchema>;

/** `AnalysisRun/ns/name`: how errors name a run. */
export function runSubject(run: {
  metadata: { name?: string | undefined; namespace?: string | undefined };
}): string {
  return `AnalysisRun/${run.metadata.namespace ?? ''}/${run.metadata.name ?? ''}`;
}
