/**
 * Manual approval: `slipway promote PIPELINE ENV --approve [--bundle ID]` records who approved
 * which bundle for which environment and when, then reconciles (so the release follows at once
 * when the environment it comes from is healthy).
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import { EventLog } from './event-log.ts';
import { type PipelineDeps, type ReconcileResult, reconcilePipeline } from './reconcile.ts';
import type { Pipeline } from './spec.ts';
import { type PipelineState, replay } from './state.ts';

/**
 * The bundle an approval of `env` means: the one named, or else the one waiting for approval there
 * (the newest if several). Refuses a bundle that failed in the environment it would come from or
 * in `env`, or that never became healthy where it comes from. Pure.
 */
export function approvalTarget(
  pipeline: Pipeline,
  state: PipelineState,
  env: string,
  bundleId?: string,
): string {
  const spec = pipeline.spec.environments.find((e) => e.name === env);
  const subject = `pipeline ${pipeline.name}`;
  if (spec === undefined) {
    throw new SlipwayError(`no environment "${env}" (environments: ${pipeline.order.join(', ')})`, {
      subject,
      reason: 'UnknownEnvironment',
    });
  }
  const index = pipeline.order.indexOf(env);
  const from =
    index <= 0
      ? undefined
      : (spec.from ?? pipeline.spec.environments[pipeline.spec.environments.indexOf(spec) - 1]?.name);
  const here = state.envs[env];
  const target =
    bundleId ??
    Object.entries(here?.bundles ?? {})
      .filter(([, b]) => b.state === 'awaiting-approval')
      .map(([id]) => id)
      .sort((a, b) => rank(state, a) - rank(state, b))
      .at(-1);
  if (target === undefined) {
    throw new SlipwayError(`nothing awaits approval in ${env}; name the bundle with --bundle`, {
      subject,
      reason: 'NothingToApprove',
    });
  }
  if (!state.bundles.some((b) => b.id === target)) {
    throw new SlipwayError(`no bundle ${target}`, { subject, reason: 'BundleNotFound' });
  }
  if (here?.bundles[target]?.state === 'failed') {
    throw new SlipwayError(`bundle ${target} failed in ${env}; it is not promoted there again`, {
      subject,
      reason: 'BundleFailed',
    });
  }
  if (from !== undefined) {
    const source = state.envs[from];
    if (source?.bundles[target]?.state === 'failed') {
      throw new SlipwayError(`bundle ${target} failed in ${from}; it is never promoted from there`, {
        subject,
        reason: 'BundleFailed',
      });
    }
    if (!source?.good.includes(target)) {
      throw new SlipwayError(`bundle ${target} has not been healthy in ${from} yet`, {
        subject,
        reason: 'BundleNotReady',
      });
    }
  }
  return target;
}

function rank(state: PipelineState, id: string): number {
  return state.bundles.findIndex((b) => b.id === id);
}

/** Records the approval and reconciles. */
export async function approvePromotion(
  deps: PipelineDeps,
  env: string,
  options: { bundleId?: string; by: string },
): Promise<{ bundleId: string; reconcile: ReconcileResult }> {
  const log = new EventLog(deps.stateRoot, deps.pipeline.name);
  const rule = deps.pipeline.spec.environments.find((e) => e.name === env)?.promotion.type;
  if (rule !== undefined && rule !== 'manual') {
    throw new SlipwayError(`${env} is promoted by rule "${rule}", not by approval`, {
      subject: `pipeline ${deps.pipeline.name}`,
      reason: 'NotManual',
    });
  }
  const state = replay(deps.pipeline.order, log.read());
  const bundleId = approvalTarget(deps.pipeline, state, env, options.bundleId);
  log.append({ type: 'approved', env, bundleId, by: options.by }, (deps.now ?? (() => new Date()))());
  return { bundleId, reconcile: await reconcilePipeline(deps) };
}
