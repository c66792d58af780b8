/**
 * What `slipway pipeline status` shows (and `-o json` prints as is): per commit, its run, its
 * bundle and that bundle's state in each environment; per environment, the current bundle and the
 * record of every promotion. Built from the replayed state and the bundle store. Pure.
 * @module
 */
import type { ReleaseBundle } from './bundle.ts';
import type { Pipeline } from './spec.ts';
import type { BundleInEnv, PipelineState, PromotionRecord, RunRecord } from './state.ts';

/** One commit of the source branch. */
export interface CommitStatus {
  sha: string;
  /** The run's state: queued, running, superseded, success, failure, cancelled, error. */
  run: RunRecord['state'] | 'unknown';
  runReason?: string;
  bundleId?: string;
  image?: string;
  message?: string;
  /** The bundle's state in each environment it reached. */
  environments: Record<string, BundleInEnv & { current: boolean }>;
}

/** One environment. */
export interface EnvironmentStatus {
  name: string;
  rule: string;
  current?: string;
  currentImage?: string;
  promotions: PromotionRecord[];
}

/** The whole view. */
export interface PipelineStatus {
  name: string;
  service: string;
  environments: EnvironmentStatus[];
  /** Newest first. */
  commits: CommitStatus[];
}

/** The status view of a pipeline. */
export function pipelineStatus(
  pipeline: Pipeline,
  state: PipelineState,
  bundles: ReadonlyMap<string, ReleaseBundle>,
): PipelineStatus {
  const environments: EnvironmentStatus[] = pipeline.order.map((name) => {
    const spec = pipeline.spec.environments.find((e) => e.name === name);
    const env = state.envs[name];
    const rule = spec?.promotion;
    const out: EnvironmentStatus = {
      name,
      rule:
        rule === undefined ? '?' : rule.type === 'auto' && rule.soak ? `auto (soak ${rule.soak})` : rule.type,
      promotions: env?.promotions ?? [],
    };
    if (env?.current !== undefined) {
      out.current = env.current;
      const b = bundles.get(env.current);
      if (b) out.currentImage = `${b.image.repository}:${b.image.tag}`;
    }
    return out;
  });
  const commits = [...state.commits].reverse().map((sha): CommitStatus => {
    const run = state.runs.find((r) => r.sha === sha);
    const bundle = [...state.bundles].reverse().find((b) => b.sha === sha);
    const c: CommitStatus = { sha, run: run?.state ?? 'unknown', environments: {} };
    if (run?.reason !== undefined) c.runReason = run.reason;
    if (bundle !== undefined) {
      c.bundleId = bundle.id;
      const b = bundles.get(bundle.id);
      if (b) {
        c.image = `${b.image.repository}:${b.image.tag}`;
        c.message = b.message;
      }
      for (const name of pipeline.order) {
        const inEnv = state.envs[name]?.bundles[bundle.id];
        if (inEnv) c.environments[name] = { ...inEnv, current: state.envs[name]?.current === bundle.id };
      }
    }
    return c;
  });
  return { name: pipeline.name, service: pipeline.spec.service, environments, commits };
}

/**
 * The table: one row per commit, a column per environment with the bundle's state there (`*`
 * marks the bundle the environment runs now).
 * @example
 * // COMMIT    RUN       BUNDLE                 DEV        STAGING             PROD
 * // 1a2b3c4   success   1a2b3c4-9f8e7d6c5b4a   healthy*   healthy*            awaiting-approval
 */
export function statusRows(status: PipelineStatus): { headers: string[]; rows: string[][] } {
  const headers = ['commit', 'run', 'bundle', ...status.environments.map((e) => e.name), 'message'];
  const rows = status.commits.map((c) => [
    c.sha.slice(0, 7),
    c.run,
    c.bundleId ?? '-',
    ...status.environments.map((e) => {
      const s = c.environments[e.name];
      return s === undefined ? '-' : `${s.state}${s.current ? '*' : ''}`;
    }),
    (c.message ?? c.runReason ?? '').slice(0, 60),
  ]);
  return { headers, rows };
}
