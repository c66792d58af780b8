/**
 * The metric providers Slipway runs, by their key under `metric.provider`.
 * @module
 */
import type { KubeClient } from '../../kube/client.ts';
import { SlipwayError } from '../../util/errors.ts';
import type { Metric } from '../types.ts';
import { jobProvider } from './job.ts';
import { prometheusProvider } from './prometheus.ts';
import type { MetricProvider } from './types.ts';
import { webProvider } from './web.ts';

export type { MetricProvider, ProviderContext } from './types.ts';
export { jobProvider, prometheusProvider, webProvider };

/** The providers for one controller: prometheus and web always; job when a client is given. */
export function defaultProviders(client?: KubeClient): Map<string, MetricProvider> {
  const list = [prometheusProvider(), webProvider(), ...(client ? [jobProvider(client)] : [])];
  return new Map(list.map((p) => [p.type, p]));
}

/** The provider a metric names (`newProvider`); unknown ones are an error the run records. */
export function providerFor(providers: ReadonlyMap<string, MetricProvider>, metric: Metric): MetricProvider {
  const type = Object.keys(metric.provider).find((k) => metric.provider[k] != null) ?? '';
  const provider = providers.get(type);
  if (!provider)
    throw new SlipwayError(`no valid provider in metric '${metric.name}'`, { reason: 'UnsupportedProvider' });
  return provider;
}
