/**
 * The `job` provider (Argo's `metricproviders/job`): each measurement is a Kubernetes Job built
 * from `provider.job`, owned by the AnalysisRun; Complete → Successful, Failed → Failed, otherwise
 * still Running. The controller watches Jobs and requeues their run when one changes (Argo's job
 * informer), so there is no polling. Terminating deletes the Job and counts as Successful.
 * @module
 */
import type { KubeClient } from '../../kube/client.ts';
import type { KubeObject } from '../../kube/types.ts';
import { formatTime } from '../planner.ts';
import type { Measurement } from '../types.ts';
import { errorMeasurement } from './measurement.ts';
import type { MetricProvider, ProviderContext } from './types.ts';

/** Label holding the owning run's uid; the controller's Job informer selects on it. */
export const RUN_UID_LABEL = 'analysisrun.argoproj.io/uid';

const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;

interface JobSpecHolder {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

interface JobStatus {
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
}

/**
 * The Job for the `n`-th measurement of a metric (n = count + error + 1), named
 * `<run uid>.<metric>.<n>` as Argo names it, controlled by the run.
 */
export function jobFor(ctx: ProviderContext, n: number): KubeObject {
  const job = (ctx.metric.provider['job'] ?? {}) as JobSpecHolder;
  const run = ctx.run;
  const uid = run.metadata.uid ?? '';
  return {
    ...JOB,
    metadata: {
      name: `${uid}.${ctx.metric.name}.${n}`,
      namespace: run.metadata.namespace ?? 'default',
      labels: { ...(job.metadata?.labels ?? {}), [RUN_UID_LABEL]: uid },
      annotations: {
        ...(job.metadata?.annotations ?? {}),
        'analysisrun.argoproj.io/name': run.metadata.name,
        'analysisrun.argoproj.io/metric-name': ctx.metric.name,
      },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisRun',
          name: run.metadata.name,
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: job.spec ?? {},
  };
}

type JobRef = { apiVersion: 'batch/v1'; kind: 'Job'; name: string; namespace: string };

function jobRef(m: Measurement, ctx: ProviderContext): JobRef | undefined {
  const name = m.metadata?.['job-name'];
  const namespace = m.metadata?.['job-namespace'] ?? ctx.run.metadata.namespace;
  return name && namespace ? { ...JOB, name, namespace } : undefined;
}

/** Creates the job provider, writing through `client`. */
export function jobProvider(client: KubeClient): MetricProvider {
  const startOf = (ctx: ProviderContext, m: Measurement) => m.startedAt ?? formatTime(ctx.now());
  return {
    type: 'job',
    async run(ctx) {
      const startedAt = formatTime(ctx.now());
      const counted = ctx.run.status?.metricResults?.find((r) => r.name === ctx.metric.name);
      const n = (counted?.count ?? 0) + (counted?.error ?? 0) + 1;
      try {
        const job = jobFor(ctx, n);
        // Apply, not create: a measurement retried after a lost status write finds its own Job.
        await client.apply(job, { signal: ctx.signal, fieldManager: 'slipway-analysis' });
        return {
          phase: 'Running',
          startedAt,
          metadata: { 'job-name': job.metadata.name ?? '', 'job-namespace': job.metadata.namespace ?? '' },
        };
      } catch (err) {
        return errorMeasurement(startedAt, err, ctx.now());
      }
    },
    async resume(ctx, m) {
      const ref = jobRef(m, ctx);
      if (!ref) return errorMeasurement(startOf(ctx, m), 'job metadata reference missing', ctx.now());
      try {
        const job = await client.get<KubeObject & JobStatus>(ref, ctx.signal);
        if (!job)
          return errorMeasurement(startOf(ctx, m), `job ${ref.namespace}/${ref.name} not found`, ctx.now());
        const conditions = job.status?.conditions ?? [];
        const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
        if (failed)
          return { ...m, phase: 'Failed', message: failed.message ?? '', finishedAt: formatTime(ctx.now()) };
        if (conditions.some((c) => c.type === 'Complete' && c.status === 'True'))
          return { ...m, phase: 'Successful', finishedAt: formatTime(ctx.now()) };
        return { ...m, phase: 'Running' };
      } catch (err) {
        return errorMeasurement(startOf(ctx, m), err, ctx.now());
      }
    },
    async terminate(ctx, m) {
      const ref = jobRef(m, ctx);
      try {
        if (ref) await client.delete(ref, { propagationPolicy: 'Foreground', signal: ctx.signal });
      } catch (err) {
        return errorMeasurement(startOf(ctx, m), err, ctx.now());
      }
      return { ...m, phase: 'Successful', finishedAt: formatTime(ctx.now()) };
    },
    async garbageCollect(ctx, dropped) {
      for (const m of dropped) {
        const ref = jobRef(m, ctx);
        if (ref) await client.delete(ref, { propagationPolicy: 'Foreground', signal: ctx.signal });
      }
    },
  };
}
