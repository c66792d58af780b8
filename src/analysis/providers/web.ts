/**
 * The `web` provider (Argo's `metricproviders/webmetric`): one HTTP request; a JSON body is
 * narrowed with `jsonPath` (default `{$}`) to its first match, any other body is the result as a
 * string.
 * @module
 */
import { z } from 'zod';
import { SlipwayError } from '../../util/errors.ts';
import { formatTime } from '../planner.ts';
import type { Measurement } from '../types.ts';
import { metricFetch } from './http.ts';
import { findResults } from './jsonpath.ts';
import { errorMeasurement, judgedMeasurement, parseProviderSpec } from './measurement.ts';
import type { MetricProvider, ProviderContext } from './types.ts';

/** `provider.web`. */
export const WebMetricSchema = z.looseObject({
  url: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT']).optional(),
  headers: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
  body: z.string().optional(),
  jsonBody: z.unknown().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  jsonPath: z.string().optional(),
  insecure: z.boolean().optional(),
});

const DEFAULT_TIMEOUT_S = 10;

async function measure(ctx: ProviderContext): Promise<{ value: string; result: unknown }> {
  const spec = parseProviderSpec(WebMetricSchema, ctx.metric.provider['web'], 'web');
  const method = spec.method ?? 'GET';
  let body: string | undefined = spec.body;
  if (spec.jsonBody !== undefined) body = JSON.stringify(spec.jsonBody);
  if (body !== undefined && body !== '' && method === 'GET')
    throw new SlipwayError('Body can only be used with POST or PUT WebMetric Method types', {
      reason: 'InvalidSpec',
    });
  const headers: Record<string, string> = {};
  for (const h of spec.headers ?? []) headers[h.key] = h.value;
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'application/json';
  const timeout = AbortSignal.timeout((spec.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000);
  const response = await metricFetch(
    spec.url,
    {
      method,
      headers,
      signal: AbortSignal.any([timeout, ctx.signal]),
      ...(body !== undefined ? { body } : {}),
    },
    spec.insecure === true,
  );
  const text = await response.text();
  if (response.status < 200 || response.status >= 300)
    throw new SlipwayError(`received non 2xx response code: ${response.status}`, {
      reason: 'WebMetricBadStatus',
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not JSON: the body itself is the result.
    return { value: text, result: text };
  }
  let matches: unknown[];
  try {
    matches = findResults(data, spec.jsonPath ?? '{$}');
  } catch (err) {
    throw new SlipwayError(`Could not find JSONPath in body: ${(err as Error).message}`, {
      reason: 'JsonPathNotFound',
      cause: err,
    });
  }
  const result = matches[0] ?? null;
  return { value: JSON.stringify(result), result };
}

/** Creates the web provider. */
export function webProvider(): MetricProvider {
  return {
    type: 'web',
    async run(ctx) {
      const startedAt = formatTime(ctx.now());
      try {
        const { value, result } = await measure(ctx);
        return judgedMeasurement(ctx.metric, startedAt, value, result, ctx.now());
      } catch (err) {
        return errorMeasurement(startedAt, err, ctx.now());
      }
    },
    resume: async (_ctx, m: Measurement) => m,
    terminate: async (_ctx, m: Measurement) => m,
    garbageCollect: async () => {},
  };
}
