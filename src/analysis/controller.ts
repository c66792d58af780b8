/**
 * The AnalysisRun controller: for each run, read it from the informer cache, take the
 * measurements that are due (bounded concurrency, each under a timeout), write the status once,
 * and requeue at the next due time. All progress lives in `status`, so a restarted controller
 * carries on where the last one stopped.
 *
 * @example
 * const analysis = createAnalysisRunController({ client, namespace: 'shop' });
 * await analysis.start();
 * // …
 * await analysis.stop();
 * @module
 */

import type { KubeClient } from '../kube/client.ts';
import { Controller, splitKey } from '../kube/controller.ts';
import { ensureCrds, loadCrds } from '../kube/crds.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { limit } from '../util/limit.ts';
import { sourceFile } from '../util/source-files.ts';
import { resolveMetricArgs } from './args.ts';
import { formatTime, isTerminating, type MeasurementOutcome } from './planner.ts';
import { defaultProviders, type MetricProvider, providerFor } from './providers/index.ts';
import { RUN_UID_LABEL } from './providers/job.ts';
import { concludeRun, prepareRun, REDACTED } from './run-plan.ts';
import { readSecretArgs, type SecretArgs } from './secrets.ts';
import { ttlDeadline } from './ttl.ts';
import {
  type AnalysisRun,
  AnalysisRunSchema,
  type AnalysisRunStatus,
  isCompleted,
  type Measurement,
  type Metric,
  runSubject,
} from './types.ts';

const AR = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun' } as const;
const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' } as const;
const FIELD_MANAGER = 'slipway-analysis';

export interface AnalysisRunControllerOptions {
  client: KubeClient;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  /** Called when a reconcile throws (it is retried with backoff). */
  onError?: (key: string, err: unknown) => void;
  /** Providers by type; default prometheus, web and job. */
  providers?: Map<string, MetricProvider>;
  /** Measurements taken at once per run; default 8. */
  measurementConcurrency?: number;
  /** Upper bound on one measurement, on top of the provider's own timeout; default 60 s. */
  measurementTimeoutMs?: number;
  /** Runs reconciled at once; default 4. */
  concurrency?: number;
  /** The clock (epoch ms); default `Date.now`. */
  now?: () => number;
}

export interface AnalysisRunController {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The analysis CRDs by name, and the vendored file of each (shipped with the Rollouts CRDs). */
const ANALYSIS_CRD_FILES: ReadonlyArray<[name: string, file: string]> = [
  ['analysisruns.argoproj.io', 'analysis-run-crd.yaml'],
  ['analysistemplates.argoproj.io', 'analysis-template-crd.yaml'],
  ['clusteranalysistemplates.argoproj.io', 'cluster-analysis-template-crd.yaml'],
];

/** Creates the controller; nothing runs until `start()`. */
export function createAnalysisRunController(options: AnalysisRunControllerOptions): AnalysisRunController {
  const { client } = options;
  const now = options.now ?? Date.now;
  const providers = options.providers ?? defaultProviders(client);
  const informer = new Informer<KubeObject>(client, { ...AR, namespace: options.namespace });
  // A Job measurement finishes when its Job does: a change to a run's Job requeues the run.
  const jobs = new Informer<KubeObject>(client, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    namespace: options.namespace,
    labelSelector: RUN_UID_LABEL,
  });
  const controller = new Controller({
    name: 'analysisruns',
    primary: informer,
    related: [{ informer: jobs, keysFor: ({ object }) => ownerRunKeys(object) }],
    concurrency: options.concurrency ?? 4,
    ...(options.onError ? { onError: options.onError } : {}),
    reconcile: async (key, signal) => {
      const { namespace, name } = splitKey(key);
      const cached = informer.get(name, namespace);
      if (!cached) return undefined;
      return reconcileAnalysisRun(structuredClone(cached) as KubeObject, {
        client,
        providers,
        now,
        signal,
        concurrency: options.measurementConcurrency ?? 8,
        timeoutMs: options.measurementTimeoutMs ?? 60_000,
      });
    },
  });
  return {
    start: async () => {
      // The analysis kinds are Argo Rollouts' CRDs; install them when the cluster lacks them.
      // Only a missing CRD's file is parsed (they are large; the parse would stay in the heap).
      const missing: string[] = [];
      for (const [name, file] of ANALYSIS_CRD_FILES) {
        if ((await client.get({ ...CRD, name })) === undefined) missing.push(file);
      }
      if (missing.length > 0) {
        await ensureCrds(
          client,
          missing.flatMap((f) => loadCrds(sourceFile(`rollouts/crds/${f}`))),
        );
      }
      await controller.start();
    },
    stop: () => controller.stop(),
  };
}

/** `namespace/name` of the AnalysisRun controlling `obj`, if any. */
function ownerRunKeys(obj: {
  readonly metadata: {
    readonly namespace?: string | undefined;
    readonly ownerReferences?:
      | ReadonlyArray<{
          readonly kind: string;
          readonly name: string;
          readonly controller?: boolean | undefined;
        }>
      | undefined;
  };
}): string[] {
  const owner = obj.metadata.ownerReferences?.find((o) => o.kind === 'AnalysisRun' && o.controller);
  return owner ? [`${obj.metadata.namespace ?? ''}/${owner.name}`] : [];
}

/** What {@link reconcileAnalysisRun} needs. */
export interface ReconcileDeps {
  client: KubeClient;
  providers: ReadonlyMap<string, MetricProvider>;
  now: () => number;
  signal: AbortSignal;
  concurrency: number;
  timeoutMs: number;
}

/** Brings one AnalysisRun forward: observe → plan → measure → report. */
export async function reconcileAnalysisRun(
  obj: KubeObject,
  deps: ReconcileDeps,
): Promise<{ requeueAfterMs: number } | undefined> {
  const subject = `AnalysisRun/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
  const parsed = AnalysisRunSchema.safeParse(obj);
  if (!parsed.success) {
    const status = obj['status'] as AnalysisRunStatus | undefined;
    if (status?.phase === 'Error') return undefined;
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    await writeStatus(deps, obj, status, { phase: 'Error', message: `Analysis spec invalid: ${issues}` });
    return undefined;
  }
  const run = parsed.data;
  if (isCompleted(run.status?.phase)) return collectExpired(run, deps);

  // Plan (pure): resolve args, validate, pick the measurements due now.
  const prepared = prepareRun(run, deps.now());
  if (prepared.kind === 'invalid') {
    await writeStatus(deps, obj, run.status, prepared.status);
    return undefined;
  }

  // Measure: read secret args only now, run the tasks with bounded concurrency and time.
  let args: SecretArgs = { args: run.spec.args ?? [], secrets: [] };
  if (prepared.tasks.length > 0) {
    try {
      args = await readSecretArgs(deps.client, run, deps.signal);
    } catch (err) {
      // A missing Secret or key makes the run Error, as in Argo; API trouble is retried.
      if (!(err instanceof SlipwayError) || err.transient) throw err;
      const message = `Unable to resolve metric arguments: ${errorMessage(err)}`;
      await writeStatus(deps, obj, run.status, {
        ...(run.status ?? {}),
        phase: 'Error',
        message,
        startedAt: run.status?.startedAt ?? formatTime(deps.now()),
        completedAt: formatTime(deps.now()),
      });
      return undefined;
    }
  }
  const outcomes = await measure(run, prepared, args, deps, subject);

  // Report: one status write, then requeue at the next due time.
  const conclusion = concludeRun(prepared, outcomes, deps.now());
  await garbageCollect(run, conclusion.dropped, prepared.metrics, deps);
  await writeStatus(deps, obj, run.status, conclusion.status);
  if (isCompleted(conclusion.status.phase))
    return collectExpired({ ...run, status: conclusion.status }, deps);
  if (conclusion.nextAt === undefined) return undefined;
  return { requeueAfterMs: Math.max(0, conclusion.nextAt - deps.now()) + 5 };
}

/** Deletes a completed run whose `ttlStrategy` has expired, or requeues for when it will. */
async function collectExpired(
  run: AnalysisRun,
  deps: ReconcileDeps,
): Promise<{ requeueAfterMs: number } | undefined> {
  const deadline = ttlDeadline(run.spec.ttlStrategy, run.status);
  if (deadline === undefined || run.metadata['deletionTimestamp']) return undefined;
  const wait = deadline - deps.now();
  if (wait > 0) return { requeueAfterMs: wait };
  await deps.client.delete(
    { ...AR, name: run.metadata.name, namespace: run.metadata.namespace },
    { signal: deps.signal, ...(run.metadata.uid ? { preconditions: { uid: run.metadata.uid } } : {}) },
  );
  return undefined;
}

async function measure(
  run: AnalysisRun,
  prepared: Extract<ReturnType<typeof prepareRun>, { kind: 'measure' }>,
  args: SecretArgs,
  deps: ReconcileDeps,
  subject: string,
): Promise<MeasurementOutcome[]> {
  const terminating = isTerminating(prepared.input.terminate, prepared.input.status);
  const run1 = limit(deps.concurrency);
  return Promise.all(
    prepared.tasks.map((task) =>
      run1(async (): Promise<MeasurementOutcome> => {
        const template = run.spec.metrics.find((m) => m.name === task.metric);
        const signal = AbortSignal.any([deps.signal, AbortSignal.timeout(deps.timeoutMs)]);
        let measurement: Measurement;
        let provider: MetricProvider | undefined;
        let metric = prepared.metrics.get(task.metric);
        try {
          metric = resolveMetricArgs(template ?? metric, args.args);
          if (!metric) throw new SlipwayError(`metric ${task.metric} not found`, { subject });
          provider = providerFor(deps.providers, metric);
          const ctx = { run, metric, now: deps.now, signal };
          if (!task.incomplete) measurement = await provider.run(ctx);
          else if (terminating) {
            measurement = await provider.terminate(ctx, task.incomplete);
            if (measurement.phase === 'Successful') measurement.message = 'Metric Terminated';
          } else measurement = await provider.resume(ctx, task.incomplete);
        } catch (err) {
          const at = formatTime(deps.now());
          measurement = {
            ...(task.incomplete ?? { startedAt: at }),
            phase: 'Error',
            message: errorMessage(err),
          };
        }
        if (measurement.message) measurement.message = redact(measurement.message, args.secrets);
        const metadata = metric && provider?.metadata?.(metric);
        return {
          metric: task.metric,
          measurement,
          replacesLast: task.incomplete !== undefined,
          ...(metadata ? { metadata: redactAll(metadata, args.secrets) } : {}),
        };
      }),
    ),
  );
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s !== '') out = out.split(s).join(REDACTED);
  return out;
}

function redactAll(map: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, redact(v, secrets)]));
}

async function garbageCollect(
  run: AnalysisRun,
  dropped: ReadonlyArray<{ metric: string; measurements: Measurement[] }>,
  metrics: ReadonlyMap<string, Metric>,
  deps: ReconcileDeps,
): Promise<void> {
  for (const d of dropped) {
    const metric = metrics.get(d.metric);
    if (!metric) continue;
    try {
      const provider = providerFor(deps.providers, metric);
      await provider.garbageCollect({ run, metric, now: deps.now, signal: deps.signal }, d.measurements);
    } catch {
      // Clean-up is best effort: the owner reference removes leftovers with the run.
    }
  }
}

/**
 * Writes `next` as the run's status, once, and only if it changed. The AnalysisRun CRD has no
 * status subresource, so this is a merge patch of the object itself; fields that disappeared are
 * sent as null.
 */
async function writeStatus(
  deps: ReconcileDeps,
  obj: KubeObject,
  previous: AnalysisRunStatus | undefined,
  next: AnalysisRunStatus,
): Promise<void> {
  if (JSON.stringify(previous ?? {}) === JSON.stringify(next)) return;
  const patch: Record<string, unknown> = { ...next };
  for (const key of Object.keys(previous ?? {})) if (!(key in next)) patch[key] = null;
  await deps.client.patch(
    { ...AR, name: obj.metadata.name ?? '', namespace: obj.metadata.namespace },
    { metadata: { resourceVersion: obj.metadata.resourceVersion }, status: patch },
    { type: 'merge', fieldManager: FIELD_MANAGER, signal: deps.signal },
  );
}

export type { AnalysisRun };
export { runSubject };
