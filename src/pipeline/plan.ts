/**
 * The promotion planner: from the pipeline's state (replayed events) and what the cluster and the
 * config repository show now, the next actions. Pure: the time comes in as `now`, observations come
 * in as data, and the actions go out to the executor (`reconcile.ts`).
 *
 * Per environment, in promotion order:
 *
 * 1. **Observe the current bundle**: its pull request merged → released; its Application Synced
 *    to the bundle's image → synced; and Healthy with every Rollout's phase Healthy → healthy.
 *    An aborted or Degraded Rollout, or a Degraded Application, after the bundle synced → failed,
 *    and the previous good bundle is re-released there (a rollback that keeps git true).
 * 2. **Promote into it**: the first environment takes the newest bundle CI made; every other one
 *    takes its `from` environment's current bundle once that is healthy there (and has soaked).
 *    A bundle that failed in an environment is never promoted from it, nor again into it, and an
 *    environment never goes back to an older bundle except by rollback. Then its rule: `auto`
 *    releases; `pull-request` opens a branch; `manual` waits for an approval of that bundle.
 * @module
 */
import { parseGoDuration } from '../sync/index.ts';
import type { Pipeline } from './spec.ts';
import type { EnvState, PipelineEventInput, PipelineState, ReleaseKind } from './state.ts';

/** The Application of an environment, as its status shows it. */
export interface AppObservation {
  /** `status.sync.status`: Synced, OutOfSync, Unknown. */
  syncStatus?: string;
  /** `status.health.status`: Healthy, Progressing, Degraded, Suspended, Missing, Unknown. */
  healthStatus?: string;
  /** `status.summary.images`: the images the rendered manifests name. */
  images: readonly string[];
}

/** A Rollout the Application deploys. */
export interface RolloutObservation {
  name: string;
  /** `status.phase`: Healthy, Progressing, Paused, Degraded. */
  phase?: string;
  /** `status.abort`: the rollout was aborted (by analysis or by hand). */
  aborted: boolean;
  /**
   * `status.observedGeneration` is the spec's generation: the status speaks of the spec as it is.
   * A stale status (the sync just changed the spec) is neither a failure nor done.
   */
  upToDate: boolean;
  /**
   * The images of its pod template (`spec.template.spec.containers[].image`), when known: a status
   * is about a bundle only when the spec runs that bundle's image.
   */
  images?: readonly string[];
  message?: string;
}

/** What one environment shows now. */
export interface EnvObservation {
  /** The Application; undefined when the environment names none, or it does not exist (yet). */
  app?: AppObservation;
  /** True when the environment names an Application but it was not found. */
  appMissing?: boolean;
  rollouts: readonly RolloutObservation[];
  /** Bundles whose pull-request commit is now reachable from the tracked branch: id → that commit. */
  mergedPullRequests: Readonly<Record<string, string>>;
}

/** One thing to do. */
export type PipelineAction =
  /** Write the bundle into the environment's overlay (commit and push to the tracked branch). */
  | { type: 'release'; env: string; bundleId: string; kind: ReleaseKind; by: string; reason: string }
  /** Push branch `slipway/promote-<env>-<shortSha>` with the change; recorded as pending until merged. */
  | { type: 'open-pull-request'; env: string; bundleId: string; branch: string; reason: string }
  /** Record a fact (a state change that needs no write outside the log). */
  | { type: 'record'; event: PipelineEventInput }
  /** Nothing to do in `env` before `until` (a soak); the caller may requeue then. */
  | { type: 'wait'; env: string; bundleId: string; until: string; reason: string };

/** Who acts when nobody asked: the pipeline controller itself. */
export const SLIPWAY_ACTOR = 'slipway';

/** The branch a pull-request promotion pushes. */
export function promotionBranch(env: string, bundleId: string): string {
  return `slipway/promote-${env}-${bundleId.slice(0, 7)}`;
}

/** The image an overlay names for a bundle id, as the planner needs it. */
export type BundleImages = Readonly<Record<string, string>>;

/**
 * The next actions of a pipeline.
 * @param images each known bundle's image reference (`repository:tag`), to recognise it in an
 *   Application's `summary.images`.
 * @example
 * // dev healthy on b1 for 11 minutes, staging `auto` with soak 10m, on b0:
 * planPipeline(pipeline, state, images, observed, now)
 * // → [{ type: 'release', env: 'staging', bundleId: 'b1', kind: 'promotion', ... }]
 */
export function planPipeline(
  pipeline: Pipeline,
  state: PipelineState,
  images: BundleImages,
  observed: Readonly<Record<string, EnvObservation>>,
  now: Date,
): PipelineAction[] {
  const actions: PipelineAction[] = [];
  const order = new Map(state.bundles.map((b, i) => [b.id, i]));
  const rank = (id: string | undefined) => (id === undefined ? -1 : (order.get(id) ?? -1));
  for (const name of pipeline.order) {
    const spec = pipeline.spec.environments.find((e) => e.name === name);
    if (spec === undefined) continue;
    const env = state.envs[name] ?? { bundles: {}, good: [], promotions: [] };
    const obs = observed[name] ?? { rollouts: [], mergedPullRequests: {} };

    // 1. The current bundle, as the cluster and the config repository show it.
    const observedActions = observeCurrent(name, env, obs, images, spec.application !== undefined);
    actions.push(...observedActions);
    if (observedActions.some((a) => a.type === 'release')) continue; // a rollback is under way

    // 2. What comes into this environment next.
    const index = pipeline.order.indexOf(name);
    const from = index === 0 ? undefined : (spec.from ?? previousListed(pipeline, name));
    const candidates =
      from === undefined ? newestBundle(state) : promotable(state.envs[from], from, spec, now);
    if (candidates.kind === 'wait') {
      if (candidates.bundleId !== env.current) {
        actions.push({
          type: 'wait',
          env: name,
          bundleId: candidates.bundleId,
          until: candidates.until,
          reason: candidates.reason,
        });
      }
      continue;
    }
    const eligible = candidates.ids.filter(
      (id) => env.bundles[id]?.state !== 'failed' && rank(id) > rank(env.current) && id !== env.current,
    );
    const source = from === undefined ? 'CI' : from;
    const rule = spec.promotion;
    if (rule.type === 'manual') {
      // An approval names one bundle; the newest approved one that may come in goes.
      const approved = eligible.filter((id) => env.bundles[id]?.approvedBy !== undefined);
      const pick = approved.at(-1);
      if (pick !== undefined) {
        if (!inFlight(env, pick)) {
          const b = env.bundles[pick];
          actions.push({
            type: 'release',
            env: name,
            bundleId: pick,
            kind: from === undefined ? 'release' : 'promotion',
            by: b?.approvedBy ?? SLIPWAY_ACTOR,
            reason: `approved by ${b?.approvedBy ?? '?'} at ${b?.approvedAt ?? '?'} (from ${source})`,
          });
        } else if (env.bundles[pick]?.state === 'releasing') actions.push(resume(name, pick, env, from));
        continue;
      }
      // Only the bundle the source environment runs healthy now is put up for approval.
      const next = eligible.filter((id) => id === candidates.current).at(-1);
      if (next !== undefined && env.bundles[next]?.state !== 'awaiting-approval') {
        actions.push({ type: 'record', event: { type: 'awaiting-approval', env: name, bundleId: next } });
      }
      continue;
    }
    const next = eligible.at(-1);
    if (next === undefined) continue;
    const current = env.bundles[next];
    if (current?.state === 'releasing') {
      actions.push(resume(name, next, env, from));
      continue;
    }
    if (inFlight(env, next)) continue;
    if (rule.type === 'pull-request') {
      actions.push({
        type: 'open-pull-request',
        env: name,
        bundleId: next,
        branch: promotionBranch(name, next),
        reason: `promote from ${source}`,
      });
      continue;
    }
    actions.push({
      type: 'release',
      env: name,
      bundleId: next,
      kind: from === undefined ? 'release' : 'promotion',
      by: SLIPWAY_ACTOR,
      reason:
        from === undefined
          ? 'green CI run'
          : `${from} is healthy${rule.soak ? ` and soaked ${rule.soak}` : ''}`,
    });
  }
  return actions;
}

/** A release that started and has no outcome (the process stopped): do it again, it is idempotent. */
function resume(env: string, bundleId: string, state: EnvState, from: string | undefined): PipelineAction {
  const last = [...state.promotions].reverse().find((p) => p.bundleId === bundleId);
  return {
    type: 'release',
    env,
    bundleId,
    kind: from === undefined ? 'release' : 'promotion',
    by: last?.by ?? SLIPWAY_ACTOR,
    reason: 'resuming a release that did not finish',
  };
}

/** True while a bundle is on its way into the environment (or is there). */
function inFlight(env: EnvState, id: string): boolean {
  const s = env.bundles[id]?.state;
  return s === 'releasing' || s === 'pr-open' || s === 'released' || s === 'synced' || s === 'healthy';
}

function previousListed(pipeline: Pipeline, name: string): string | undefined {
  const i = pipeline.spec.environments.findIndex((e) => e.name === name);
  return i > 0 ? pipeline.spec.environments[i - 1]?.name : undefined;
}

type Candidates =
  /** `ids`: what may come in (oldest first); `current`: the source's healthy current bundle. */
  | { kind: 'ids'; ids: string[]; current?: string }
  | { kind: 'wait'; bundleId: string; until: string; reason: string };

/** The first environment's candidate: the newest bundle CI made. */
function newestBundle(state: PipelineState): Candidates {
  const newest = state.bundles.at(-1);
  return newest ? { kind: 'ids', ids: [newest.id], current: newest.id } : { kind: 'ids', ids: [] };
}

/**
 * What `from` offers to the next environment: its good bundles (healthy, never failed there),
 * oldest first — and the current one only once it has soaked. Manual approvals may pick an older
 * good bundle; the other rules take the newest.
 */
function promotable(
  from: EnvState | undefined,
  fromName: string,
  spec: Pipeline['spec']['environments'][number],
  now: Date,
): Candidates {
  if (from === undefined) return { kind: 'ids', ids: [] };
  const good = from.good.filter((id) => from.bundles[id]?.state !== 'failed');
  const current = from.current;
  const currentState = current === undefined ? undefined : from.bundles[current];
  const soak = spec.promotion.type === 'auto' && spec.promotion.soak ? spec.promotion.soak : undefined;
  if (current !== undefined && currentState?.state === 'healthy' && soak !== undefined) {
    const until = new Date(Date.parse(currentState.since) + (parseGoDuration(soak) ?? 0));
    if (until > now) {
      return {
        kind: 'wait',
        bundleId: current,
        until: until.toISOString(),
        reason: `${fromName} must stay healthy for ${soak}`,
      };
    }
  }
  // Only the current bundle is offered while it is healthy: a good bundle that is no longer current
  // there (replaced, or rolled back from) is offered to manual approvals only.
  const healthyNow = current !== undefined && currentState?.state === 'healthy' ? current : undefined;
  if (spec.promotion.type !== 'manual') {
    return healthyNow ? { kind: 'ids', ids: [healthyNow], current: healthyNow } : { kind: 'ids', ids: [] };
  }
  return { kind: 'ids', ids: good, ...(healthyNow ? { current: healthyNow } : {}) };
}

/** Step 1: the current bundle's state from the observation, and a rollback when it failed. */
function observeCurrent(
  name: string,
  env: EnvState,
  obs: EnvObservation,
  images: BundleImages,
  hasApplication: boolean,
): PipelineAction[] {
  const actions: PipelineAction[] = [];
  // Pull requests that were merged: the bundle is now in the tracked branch.
  for (const [id, b] of Object.entries(env.bundles)) {
    const merged = obs.mergedPullRequests[id];
    if (b.state === 'pr-open' && merged !== undefined) {
      actions.push({ type: 'record', event: { type: 'pr-merged', env: name, bundleId: id, commit: merged } });
      // Judged from the next pass on, once the record says it is current.
      return actions;
    }
  }
  const id = env.current;
  if (id === undefined) return actions;
  const state = env.bundles[id]?.state;
  if (state !== 'released' && state !== 'synced' && state !== 'healthy') return actions;
  if (!hasApplication) {
    // Nothing to observe: written into git is as far as Slipway can follow it.
    if (state === 'released') {
      actions.push({
        type: 'record',
        event: {
          type: 'observed',
          env: name,
          bundleId: id,
          state: 'healthy',
          detail: 'no Application to observe',
        },
      });
    }
    return actions;
  }
  const app = obs.app;
  const image = images[id];
  if (app === undefined || image === undefined || !app.images.includes(image)) return actions;

  // Judged only once the sync applied what the overlay says (Synced): before that, the Rollout
  // and the health still describe the previous bundle (e.g. the canary a rollback replaces).
  const failure = app.syncStatus === 'Synced' ? failureOf(app, obs.rollouts, image) : undefined;
  if (failure !== undefined) {
    actions.push({ type: 'record', event: { type: 'failed', env: name, bundleId: id, reason: failure } });
    const previous = [...env.good].reverse().find((g) => g !== id && env.bundles[g]?.state !== 'failed');
    if (previous !== undefined) {
      actions.push({
        type: 'release',
        env: name,
        bundleId: previous,
        kind: 'rollback',
        by: SLIPWAY_ACTOR,
        reason: failure,
      });
    }
    return actions;
  }
  const synced = app.syncStatus === 'Synced';
  if (synced && state === 'released') {
    actions.push({ type: 'record', event: { type: 'observed', env: name, bundleId: id, state: 'synced' } });
  }
  const rolloutsDone = obs.rollouts.every((r) => r.upToDate && r.phase === 'Healthy');
  if (synced && app.healthStatus === 'Healthy' && rolloutsDone && state !== 'healthy') {
    actions.push({ type: 'record', event: { type: 'observed', env: name, bundleId: id, state: 'healthy' } });
  }
  return actions;
}

/** Why the environment counts as failed, if it does. */
function failureOf(
  app: AppObservation,
  rollouts: readonly RolloutObservation[],
  image: string,
): string | undefined {
  for (const r of rollouts) {
    if (!r.upToDate || (r.images !== undefined && r.images.length > 0 && !r.images.includes(image))) continue;
    if (r.aborted) return `rollout ${r.name} aborted${r.message ? `: ${r.message}` : ''}`;
    if (r.phase === 'Degraded') return `rollout ${r.name} degraded${r.message ? `: ${r.message}` : ''}`;
  }
  if (app.healthStatus === 'Degraded') return 'application degraded';
  return undefined;
}
