/**
 * The `prometheus` provider (Argo's `metricproviders/prometheus`): an instant query, a scalar as a
 * float and a vector or matrix as a `Float64Array` of every sample, the value recorded as
 * Prometheus prints it (`"0.99"`, `"[0.99,1]"`, `"NaN"`).
 * @module
 */
import { z } from 'zod';
import { SlipwayError } from '../../util/errors.ts';
import { formatTime } from '../planner.ts';
import type { Measurement, Metric } from '../types.ts';
import { metricFetch } from './http.ts';
import { errorMeasurement, formatGoFloat, judgedMeasurement, parseProviderSpec } from './measurement.ts';
import type { MetricProvider, ProviderContext } from './types.ts';

/** `provider.prometheus`. `timeout` is in seconds (default 30). */
export const PrometheusMetricSchema = z.looseObject({
  address: z.string().min(1),
  query: z.string().min(1),
  timeout: z.number().int().positive().optional(),
  headers: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
  insecure: z.boolean().optional(),
});

const DEFAULT_TIMEOUT_S = 30;

const SampleSchema = z.tuple([z.number(), z.string()]);
const ResponseSchema = z.union([
  z.object({
    status: z.literal('success'),
    data: z.object({ resultType: z.string(), result: z.unknown() }),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** Prometheus' sample value text (`"NaN"`, `"+Inf"`, `"0.99"`) as a float. */
function parseSample(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/**
 * A query answer as Argo evaluates it: `{ result, value }`, or throws for an unsupported type.
 *
 * @example
 * toResult('vector', [{ metric: {}, value: [1, '0.99'] }]) // { result: Float64Array [0.99], value: '[0.99]' }
 * toResult('scalar', [1, 'NaN'])                           // { result: NaN, value: 'NaN' }
 */
export function toResult(resultType: string, raw: unknown): { result: unknown; value: string } {
  if (resultType === 'scalar') {
    const [, text] = SampleSchema.parse(raw);
    const f = parseSample(text);
    return { result: f, value: formatGoFloat(f) };
  }
  let samples: number[];
  if (resultType === 'vector') {
    samples = z
      .array(z.object({ value: SampleSchema }))
      .parse(raw)
      .map((s) => parseSample(s.value[1]));
  } else if (resultType === 'matrix') {
    samples = z
      .array(z.object({ values: z.array(SampleSchema) }))
      .parse(raw)
      .flatMap((s) => s.values.map((v) => parseSample(v[1])));
  } else {
    throw new SlipwayError('Prometheus metric type not supported', { reason: 'UnsupportedResultType' });
  }
  return { result: Float64Array.from(samples), value: `[${samples.map(formatGoFloat).join(',')}]` };
}

async function query(
  metric: Metric,
  ctx: ProviderContext,
): Promise<{ result: unknown; value: string; warnings: string[] }> {
  const spec = parseProviderSpec(PrometheusMetricSchema, metric.provider['prometheus'], 'prometheus');
  const url = `${spec.address.replace(/\/+$/, '')}/api/v1/query`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const h of spec.headers ?? []) headers[h.key] = h.value;
  const timeout = AbortSignal.timeout((spec.timeout ?? DEFAULT_TIMEOUT_S) * 1000);
  // The URL is in the message already (as Go's client puts it), so errors carry no subject prefix.
  const response = await metricFetch(
    url,
    {
      method: 'POST',
      headers,
      body: new URLSearchParams({ query: spec.query, time: String(ctx.now() / 1000) }).toString(),
      signal: AbortSignal.any([timeout, ctx.signal]),
    },
    spec.insecure === true,
  );
  const text = await response.text();
  let body: z.infer<typeof ResponseSchema>;
  try {
    body = ResponseSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new SlipwayError(`server returned HTTP status ${response.status} ${response.statusText}`, {
      subject: spec.address,
      reason: 'PrometheusBadResponse',
      cause: err,
    });
  }
  if (body.status === 'error')
    throw new SlipwayError(`${body.errorType ?? 'error'}: ${body.error ?? ''}`, {
      reason: 'PrometheusQueryError',
    });
  return { ...toResult(body.data.resultType, body.data.result), warnings: body.warnings ?? [] };
}

/** Creates the Prometheus provider. */
export function prometheusProvider(): MetricProvider {
  return {
    type: 'prometheus',
    async run(ctx: ProviderContext): Promise<Measurement> {
      const startedAt = formatTime(ctx.now());
      try {
        const { result, value, warnings } = await query(ctx.metric, ctx);
        const m = judgedMeasurement(ctx.metric, startedAt, value, result, ctx.now());
        if (warnings.length > 0) m.metadata = { warnings: warnings.map((w) => `"${w}"`).join(', ') };
        return m;
      } catch (err) {
        return errorMeasurement(startedAt, err, ctx.now());
      }
    },
    // Queries finish in one call; there is never anything in flight.
    resume: async (_ctx, m) => m,
    terminate: async (_ctx, m) => m,
    garbageCollect: async () => {},
    metadata(metric: Metric) {
      const spec = metric.provider['prometheus'] as { query?: unknown } | undefined;
      return typeof spec?.query === 'string' ? { ResolvedPrometheusQuery: spec.query } : undefined;
    },
  };
}
