/**
 * Pipeline state as a replay of append-only events: CI runs (why each started, how it ended), the
 * bundles they made, and per environment each bundle's state and every promotion with who, when,
 * why and which commit. The events are the record; the state is derived, so a restarted process
 * reads the events back and carries on where it stopped. Pure.
 *
 * A bundle's state in one environment moves as:
 *
 * ```
 * (pending) ─▶ awaiting-approval ─▶ releasing ─▶ released ─▶ synced ─▶ healthy
 *          ─▶ pr-open ──(merged)──────────────▶ released            └─▶ failed (never promoted on)
 * ```
 * @module
 */
import { z } from 'zod';

const Trigger = z.strictObject({
  kind: z.enum(['push', 'pull_request', 'manual', 'retry', 'api', 'poll', 'hook', 'webhook']),
  detail: z.string().optional(),
});
export type PipelineTrigger = z.infer<typeof Trigger>;

/** How a bundle came into an environment. */
export const RELEASE_KINDS = ['release', 'promotion', 'rollback'] as const;
export type ReleaseKind = (typeof RELEASE_KINDS)[number];

const base = { at: z.string().min(1) };
const env = z.string().min(1);
const bundle = z.string().min(1);

/** Every event of a pipeline's log. `at` is ISO 8601. */
export const PipelineEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('run-queued'), sha: z.string(), trigger: Trigger }),
  z.strictObject({ ...base, type: z.literal('run-superseded'), sha: z.string(), by: z.string() }),
  z.strictObject({ ...base, type: z.literal('run-started'), sha: z.string(), trigger: Trigger }),
  z.strictObject({
    ...base,
    type: z.literal('run-finished'),
    sha: z.string(),
    status: z.enum(['success', 'failure', 'cancelled', 'error']),
    runId: z.string().optional(),
    bundleId: z.string().optional(),
    /** Why the run gave no bundle, when it gave none. */
    reason: z.string().optional(),
  }),
  z.strictObject({ ...base, type: z.literal('bundle-created'), bundleId: bundle, sha: z.string() }),
  z.strictObject({
    ...base,
    type: z.literal('release-started'),
    env,
    bundleId: bundle,
    kind: z.enum(RELEASE_KINDS),
    by: z.string(),
    reason: z.string(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('released'),
    env,
    bundleId: bundle,
    kind: z.enum(RELEASE_KINDS),
    by: z.string(),
    reason: z.string(),
    commit: z.string(),
  }),
  z.strictObject({ ...base, type: z.literal('release-failed'), env, bundleId: bundle, error: z.string() }),
  z.strictObject({
    ...base,
    type: z.literal('pr-opened'),
    env,
    bundleId: bundle,
    branch: z.string(),
    base: z.string(),
    commit: z.string(),
    by: z.string(),
    reason: z.string(),
  }),
  z.strictObject({ ...base, type: z.literal('pr-merged'), env, bundleId: bundle, commit: z.string() }),
  z.strictObject({ ...base, type: z.literal('awaiting-approval'), env, bundleId: bundle }),
  z.strictObject({ ...base, type: z.literal('approved'), env, bundleId: bundle, by: z.string() }),
  z.strictObject({
    ...base,
    type: z.literal('observed'),
    env,
    bundleId: bundle,
    state: z.enum(['synced', 'healthy']),
    detail: z.string().optional(),
  }),
  z.strictObject({ ...base, type: z.literal('failed'), env, bundleId: bundle, reason: z.string() }),
]);
export type PipelineEvent = z.infer<typeof PipelineEventSchema>;
/** An event before it is stamped with `at`. */
export type PipelineEventInput = PipelineEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'at'>
    : never
  : never;

/** A bundle's state in one environment. */
export type BundleEnvState =
  | 'pending'
  | 'awaiting-approval'
  | 'pr-open'
  | 'releasing'
  | 'released'
  | 'synced'
  | 'healthy'
  | 'failed';

/** One bundle in one environment. */
export interface BundleInEnv {
  state: BundleEnvState;
  /** When it entered `state`. */
  since: string;
  /** The config-repo commit that released it (or the pull request's commit while open). */
  commit?: string;
  /** The pull request branch, for `pull-request` promotions. */
  branch?: string;
  approvedBy?: string;
  approvedAt?: string;
  /** Why it failed, or the last release error while pending. */
  reason?: string;
}

/** The record of a bundle written into an environment. */
export interface PromotionRecord {
  bundleId: string;
  kind: ReleaseKind;
  by: string;
  at: string;
  reason: string;
  commit: string;
}

/** One environment. */
export interface EnvState {
  /** The bundle its overlay holds (the last one released into it). */
  current?: string;
  /** Every bundle this environment has seen, by id. */
  bundles: Record<string, BundleInEnv>;
  /** Bundles that became healthy here and have not failed since, oldest first. */
  good: string[];
  promotions: PromotionRecord[];
}

/** One CI run of one commit. */
export interface RunRecord {
  sha: string;
  trigger: PipelineTrigger;
  state: 'queued' | 'running' | 'superseded' | 'success' | 'failure' | 'cancelled' | 'error';
  at: string;
  runId?: string;
  bundleId?: string;
  reason?: string;
}

/** The whole pipeline, as replayed. */
export interface PipelineState {
  /** Bundle ids in the order CI made them (newest last). */
  bundles: Array<{ id: string; sha: string; at: string }>;
  envs: Record<string, EnvState>;
  /** The latest record of each commit's run, in the order they were first queued. */
  runs: RunRecord[];
  /** Every source commit the log mentions (runs and bundles), in the order first seen. */
  commits: string[];
}

/** The state before any event. */
export function emptyState(environments: readonly string[]): PipelineState {
  const envs: Record<string, EnvState> = {};
  for (const name of environments) envs[name] = { bundles: {}, good: [], promotions: [] };
  return { bundles: [], envs, runs: [], commits: [] };
}

/**
 * The state after `events`, in order. Events of environments no longer in the spec are kept under
 * their name (their history stays readable).
 * @example replay(['dev'], [{ type: 'bundle-created', bundleId: 'abc1234-…', sha, at }]).bundles.length === 1
 */
export function replay(environments: readonly string[], events: readonly PipelineEvent[]): PipelineState {
  const state = emptyState(environments);
  for (const e of events) applyEvent(state, e);
  return state;
}

function envOf(state: PipelineState, name: string): EnvState {
  let e = state.envs[name];
  if (e === undefined) {
    e = { bundles: {}, good: [], promotions: [] };
    state.envs[name] = e;
  }
  return e;
}

function runOf(state: PipelineState, sha: string, at: string): RunRecord {
  let r = state.runs.find((x) => x.sha === sha);
  if (r === undefined) {
    r = { sha, trigger: { kind: 'manual' }, state: 'queued', at };
    state.runs.push(r);
  }
  return r;
}

/** Applies one event to `state` in place. */
export function applyEvent(state: PipelineState, e: PipelineEvent): void {
  if ('sha' in e && !state.commits.includes(e.sha)) state.commits.push(e.sha);
  switch (e.type) {
    case 'run-queued':
    case 'run-started': {
      const r = runOf(state, e.sha, e.at);
      Object.assign(r, {
        trigger: e.trigger,
        state: e.type === 'run-queued' ? 'queued' : 'running',
        at: e.at,
      });
      delete r.reason;
      return;
    }
    case 'run-superseded': {
      Object.assign(runOf(state, e.sha, e.at), {
        state: 'superseded',
        at: e.at,
        reason: `superseded by ${e.by}`,
      });
      return;
    }
    case 'run-finished': {
      const r = runOf(state, e.sha, e.at);
      r.state = e.status;
      r.at = e.at;
      if (e.runId !== undefined) r.runId = e.runId;
      if (e.bundleId !== undefined) r.bundleId = e.bundleId;
      if (e.reason !== undefined) r.reason = e.reason;
      return;
    }
    case 'bundle-created':
      if (!state.bundles.some((b) => b.id === e.bundleId))
        state.bundles.push({ id: e.bundleId, sha: e.sha, at: e.at });
      return;
    case 'release-started':
      setBundle(envOf(state, e.env), e.bundleId, { state: 'releasing', since: e.at });
      return;
    case 'released': {
      const en = envOf(state, e.env);
      setBundle(en, e.bundleId, { state: 'released', since: e.at, commit: e.commit });
      en.current = e.bundleId;
      en.promotions.push({
        bundleId: e.bundleId,
        kind: e.kind,
        by: e.by,
        at: e.at,
        reason: e.reason,
        commit: e.commit,
      });
      return;
    }
    case 'release-failed':
      setBundle(envOf(state, e.env), e.bundleId, { state: 'pending', since: e.at, reason: e.error });
      return;
    case 'pr-opened':
      setBundle(envOf(state, e.env), e.bundleId, {
        state: 'pr-open',
        since: e.at,
        commit: e.commit,
        branch: e.branch,
      });
      envOf(state, e.env).promotions.push({
        bundleId: e.bundleId,
        kind: 'promotion',
        by: e.by,
        at: e.at,
        reason: `${e.reason} (pull request branch ${e.branch} into ${e.base})`,
        commit: e.commit,
      });
      return;
    case 'pr-merged': {
      const en = envOf(state, e.env);
      setBundle(en, e.bundleId, { state: 'released', since: e.at, commit: e.commit });
      en.current = e.bundleId;
      return;
    }
    case 'awaiting-approval':
      setBundle(envOf(state, e.env), e.bundleId, { state: 'awaiting-approval', since: e.at });
      return;
    case 'approved': {
      const en = envOf(state, e.env);
      const b = en.bundles[e.bundleId];
      if (b === undefined)
        en.bundles[e.bundleId] = { state: 'pending', since: e.at, approvedBy: e.by, approvedAt: e.at };
      else Object.assign(b, { approvedBy: e.by, approvedAt: e.at });
      return;
    }
    case 'observed': {
      const en = envOf(state, e.env);
      setBundle(en, e.bundleId, { state: e.state, since: e.at });
      if (e.state === 'healthy' && !en.good.includes(e.bundleId)) en.good.push(e.bundleId);
      return;
    }
    case 'failed': {
      const en = envOf(state, e.env);
      setBundle(en, e.bundleId, { state: 'failed', since: e.at, reason: e.reason });
      en.good = en.good.filter((id) => id !== e.bundleId);
      return;
    }
  }
}

/** Moves a bundle to a new state, keeping what stays true of it (approval, commit, branch). */
function setBundle(en: EnvState, id: string, next: BundleInEnv): void {
  const prev = en.bundles[id];
  const merged: BundleInEnv = { ...next };
  if (prev?.approvedBy !== undefined) merged.approvedBy = prev.approvedBy;
  if (prev?.approvedAt !== undefined) merged.approvedAt = prev.approvedAt;
  if (merged.commit === undefined && prev?.commit !== undefined) merged.commit = prev.commit;
  if (merged.branch === undefined && prev?.branch !== undefined) merged.branch = prev.branch;
  en.bundles[id] = merged;
}
