/**
 * Carries out a {@link RolloutPlan}: thin, in a fixed order (new ReplicaSet, annotations, restart
 * evictions, scaling, Services, AnalysisRuns, history cleanup), and finally one status write —
 * skipped when nothing in the status changed.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeClient } from '../kube/client.ts';
import { isConflict, isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import type { RolloutObservation } from './observe.ts';
import type { RolloutPlan } from './plan.ts';
import { evictPod } from './restart.ts';
import { executeTraffic } from './traffic/execute.ts';
import { RolloutLabels, type RolloutStatus } from './types.ts';

const FIELD_MANAGER = 'slipway-rollouts';

/** Event reasons recorded as Warning (upstream records these with `Warnf`). */
const WARNING_REASONS: ReadonlySet<string> = new Set(['RolloutAborted', 'TrafficRoutingError']);

/**
 * The JSON merge patch (RFC 7386) that turns `from` into `to`: changed fields set, removed fields
 * null, nested objects diffed, arrays replaced whole. Undefined when they are equal.
 * @example mergePatchDiff({ a: 1, b: { c: 1, d: 2 } }, { b: { c: 1 } }) // { a: null, b: { d: null } }
 */
export function mergePatchDiff(from: unknown, to: unknown): unknown {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  // Key order does not count: the API server hands objects back with their keys sorted, so a
  // condition the planner built in another order is still the same condition (no patch needed).
  if (!isObj(from) || !isObj(to))
    return isDeepStrictEqual(asJson(from), asJson(to)) ? undefined : (to ?? null);
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!(key in to) || to[key] === undefined) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const d = key in from ? mergePatchDiff(from[key], value) : value;
    if (d !== undefined) patch[key] = d;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** `value` as it would travel (JSON): undefined members dropped. */
const asJson = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/** Writes `plan` for the observed Rollout. Throws on the first failed write (the reconcile is retried). */
export async function executePlan(
  client: KubeClient,
  obs: RolloutObservation,
  plan: RolloutPlan,
  signal?: AbortSignal,
  now: Date = new Date(),
): Promise<void> {
  const namespace = obs.raw.metadata.namespace ?? '';
  const opts = { fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) };
  const rsRef = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace, name });
  const arRef = (name: string) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    namespace,
    name,
  });
  if (plan.createReplicaSet !== undefined) {
    try {
      await client.create(plan.createReplicaSet, opts);
    } catch (err) {
      // Created by an earlier reconcile whose status write was lost: the next observation finds it.
      if (!isConflict(err)) throw err;
    }
  }
  for (const { name, annotations } of plan.annotate) {
    await client.patch(rsRef(name), { metadata: { annotations } }, opts);
  }
  // Restart evictions before scaling (upstream's order). A pod a disruption budget protects stays;
  // the restart is then not done yet, whatever the plan thought (its requeue looks again).
  let evictionRefused = false;
  for (const pod of plan.evictPods ?? []) {
    if (!(await evictPod(client, namespace, pod, signal))) evictionRefused = true;
  }
  for (const { name, to } of plan.scale) {
    await client.patch(rsRef(name), { spec: { replicas: to } }, opts);
  }
  for (const svc of plan.services) {
    await client.patch(
      { apiVersion: 'v1', kind: 'Service', namespace, name: svc.name },
      {
        metadata: { annotations: { [RolloutLabels.managedByRollouts]: obs.raw.metadata.name ?? '' } },
        spec: { selector: { [RolloutLabels.podTemplateHash]: svc.to } },
      },
      { ...opts, type: 'strategic' },
    );
  }
  // Routers after Services (upstream's order); a router failure records its events, then throws.
  if (plan.traffic?.failure !== undefined) await recordEvents(client, obs, plan, now);
  await executeTraffic(client, plan.traffic, opts);
  for (const run of plan.createAnalysisRuns) {
    try {
      await client.create(run, opts);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
  for (const name of plan.terminateAnalysisRuns) {
    await client.patch(arRef(name), { spec: { terminate: true } }, opts).catch(ignoreNotFound);
  }
  for (const name of plan.deleteAnalysisRuns) {
    await client.delete(arRef(name), { ...(signal ? { signal } : {}) });
  }
  for (const name of plan.deleteReplicaSets) {
    await client.delete(rsRef(name), { ...(signal ? { signal } : {}) });
  }
  await recordEvents(client, obs, plan, now);
  const prevStatus = (obs.raw as KubeObject & { status?: unknown }).status ?? {};
  const status = evictionRefused
    ? withoutRestartDone(plan.status, obs.rollout?.status?.restartedAt)
    : plan.status;
  const diff = mergePatchDiff(prevStatus, status);
  if (diff !== undefined) {
    await client.patchStatus(
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace, name: obs.raw.metadata.name ?? '' },
      diff,
      opts,
    );
  }
}

/** `status` with `restartedAt` back at `previous`: a restart the plan finished but an eviction did not. */
function withoutRestartDone(status: RolloutStatus, previous: string | undefined): RolloutStatus {
  const { restartedAt: _planned, ...rest } = status;
  return previous === undefined ? rest : { ...rest, restartedAt: previous };
}

function ignoreNotFound(err: unknown): undefined {
  if (isNotFound(err)) return undefined;
  throw err;
}

/**
 * Writes the plan's events as core/v1 Events on the Rollout (what `kubectl describe rollout`
 * shows). Best effort, as upstream's recorder: a failed event never fails the reconcile.
 */
async function recordEvents(
  client: KubeClient,
  obs: RolloutObservation,
  plan: RolloutPlan,
  now: Date,
): Promise<void> {
  const { name = '', namespace = '', uid = '' } = obs.raw.metadata;
  const time = now.toISOString();
  for (const event of plan.events) {
    await client
      .create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${name}.`, namespace },
        involvedObject: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name, namespace, uid },
        reason: event.reason,
        message: event.message,
        type: WARNING_REASONS.has(event.reason) ? 'Warning' : 'Normal',
        source: { component: 'slipway-rollouts' },
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      })
      .catch(() => undefined);
  }
}
