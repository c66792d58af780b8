/**
 * The pipeline reconciler, as straight steps: replay the events into state, observe each
 * environment (its Application and Rollouts in the cluster, its open pull-request branches in the
 * config repository), plan with the pure {@link planPipeline}, carry out the actions (releases and
 * rollbacks through `src/release`, pull-request branches, records), and repeat while a pass still
 * changes something. One reconciler per pipeline at a time (a lock file beside its event log), so
 * `slipway promote` and a running controller never act on the same state twice.
 *
 * Nothing is half-released: every write to git is one commit pushed without force (with
 * compare-and-retry), recorded as `release-started` before and `released` or `release-failed`
 * after; a process killed in between leaves `releasing`, which the next pass does again
 * (idempotently: an overlay that already names the image makes no commit).
 * @module
 */
import { join, posix } from 'node:path';
import { z } from 'zod';
import { type GitIdentity, runGit, withRepo } from '../git/index.ts';
import { lockPath, withLock } from '../git/lock.ts';
import type { KubeClient } from '../kube/client.ts';
import { parseImageSpec } from '../manifests/index.ts';
import { imageEdit, normalizeOverlayPath, release } from '../release/index.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { bundleImage, type ReleaseBundle } from './bundle.ts';
import { BundleStore } from './bundle-store.ts';
import { EventLog } from './event-log.ts';
import { type EnvObservation, type PipelineAction, planPipeline, type RolloutObservation } from './plan.ts';
import type { Pipeline, PipelineEnvironment } from './spec.ts';
import { type PipelineEventInput, type PipelineState, replay } from './state.ts';

/** What a reconcile needs. */
export interface PipelineDeps {
  pipeline: Pipeline;
  /** `$SLIPWAY_STATE` (see `stateRoot`). */
  stateRoot: string;
  /** The cluster the environments' Applications live in; without it, Applications are not observed. */
  kube?: KubeClient;
  /** Git cache root; default `${SLIPWAY_CACHE:-~/.cache/slipway}/git`. */
  gitCacheRoot?: string;
  /** Where git credentials are read from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Author and committer of release commits; default Slipway. */
  author?: GitIdentity;
  /**
   * Observes the environments instead of reading Applications and Rollouts from `kube` (a server
   * passes its informer caches' view; pull-request merges are still read from git).
   */
  observe?: (spec: PipelineEnvironment) => Promise<Pick<EnvObservation, 'app' | 'appMissing' | 'rollouts'>>;
  /** The clock; default `new Date()`. */
  now?: () => Date;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** The outcome of one reconcile. */
export interface ReconcileResult {
  /** Every action carried out, in order, with its outcome. */
  actions: Array<PipelineAction & { outcome: 'done' | 'failed'; detail?: string }>;
  state: PipelineState;
  /** The earliest time a soak ends, when something waits for one. */
  requeueAt?: string;
}

const MAX_PASSES = 8;

/**
 * Brings the pipeline one step closer to its desired state: at most {@link MAX_PASSES} rounds of
 * observe → plan → act, stopping when a round changes nothing.
 */
export async function reconcilePipeline(deps: PipelineDeps): Promise<ReconcileResult> {
  const log = new EventLog(deps.stateRoot, deps.pipeline.name);
  return withLock(lockPath(join(log.path, '..', 'reconcile')), async () => {
    const done: ReconcileResult['actions'] = [];
    let requeueAt: string | undefined;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      // 1. The state, from the record.
      const state = replay(deps.pipeline.order, log.read());
      const bundles = loadBundles(deps, state);
      // 2. What the cluster and the config repository show.
      const observed = await observePipeline(deps, state);
      // 3. The plan.
      const now = (deps.now ?? (() => new Date()))();
      const images = Object.fromEntries([...bundles].map(([id, b]) => [id, bundleImage(b)]));
      const plan = planPipeline(deps.pipeline, state, images, observed, now);
      const waits = plan.filter((a) => a.type === 'wait');
      requeueAt = waits.map((w) => w.until).sort()[0];
      const work = plan.filter((a) => a.type !== 'wait');
      if (work.length === 0) return { actions: done, state, ...(requeueAt ? { requeueAt } : {}) };
      // 4. The actions, in order; a failed write is recorded and ends this reconcile.
      for (const action of work) {
        const outcome = await execute(deps, log, action, bundles);
        done.push({ ...action, ...outcome });
        if (outcome.outcome === 'failed') {
          // Recorded; the next reconcile tries again (a retry in this one would fail the same way).
          return { actions: done, state: replay(deps.pipeline.order, log.read()) };
        }
      }
    }
    const state = replay(deps.pipeline.order, log.read());
    return { actions: done, state, ...(requeueAt ? { requeueAt } : {}) };
  });
}

/** The bundles the state names, from the store (a missing one is an error: the record is broken). */
function loadBundles(deps: PipelineDeps, state: PipelineState): Map<string, ReleaseBundle> {
  const store = new BundleStore(deps.stateRoot);
  const out = new Map<string, ReleaseBundle>();
  for (const b of state.bundles) out.set(b.id, store.get(deps.pipeline.spec.service, b.id));
  return out;
}

/** The fields of an Application's status the pipeline reads. */
const AppStatusSchema = z.looseObject({
  spec: z.looseObject({ source: z.looseObject({ path: z.string().optional() }).optional() }).optional(),
  status: z
    .looseObject({
      sync: z.looseObject({ status: z.string().optional() }).optional(),
      health: z.looseObject({ status: z.string().optional() }).optional(),
      summary: z.looseObject({ images: z.array(z.string()).optional() }).optional(),
      resources: z
        .array(
          z.looseObject({
            group: z.string().optional(),
            kind: z.string().optional(),
            namespace: z.string().optional(),
            name: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

const RolloutSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), generation: z.number().optional() }),
  spec: z
    .looseObject({
      template: z
        .looseObject({
          spec: z
            .looseObject({ containers: z.array(z.looseObject({ image: z.string().optional() })).optional() })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({
      phase: z.string().optional(),
      abort: z.boolean().optional(),
      message: z.string().optional(),
      observedGeneration: z.union([z.string(), z.number()]).optional(),
    })
    .optional(),
});

/** Each environment's Application, Rollouts and merged pull requests. */
export async function observePipeline(
  deps: PipelineDeps,
  state: PipelineState,
): Promise<Record<string, EnvObservation>> {
  const out: Record<string, EnvObservation> = {};
  for (const spec of deps.pipeline.spec.environments) {
    const obs: EnvObservation = {
      rollouts: [],
      mergedPullRequests: await mergedPullRequests(deps, spec, state),
    };
    if (deps.observe !== undefined) Object.assign(obs, await deps.observe(spec));
    else if (spec.application !== undefined && deps.kube !== undefined) {
      const namespace = spec.applicationNamespace ?? 'argocd';
      const raw = await deps.kube.get({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        name: spec.application,
        namespace,
      });
      if (raw === undefined) obs.appMissing = true;
      else {
        const app = AppStatusSchema.parse(raw);
        obs.app = {
          images: app.status?.summary?.images ?? [],
          ...(app.status?.sync?.status ? { syncStatus: app.status.sync.status } : {}),
          ...(app.status?.health?.status ? { healthStatus: app.status.health.status } : {}),
        };
        const rollouts: RolloutObservation[] = [];
        for (const r of app.status?.resources ?? []) {
          if (r.kind !== 'Rollout' || r.group !== 'argoproj.io' || !r.name) continue;
          const live = await deps.kube.get({
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name: r.name,
            ...(r.namespace ? { namespace: r.namespace } : {}),
          });
          if (live === undefined) continue;
          const ro = RolloutSchema.parse(live);
          const observedGen = ro.status?.observedGeneration;
          rollouts.push({
            name: ro.metadata.name,
            aborted: ro.status?.abort === true,
            images: (ro.spec?.template?.spec?.containers ?? []).flatMap((c) => (c.image ? [c.image] : [])),
            upToDate: observedGen !== undefined && String(observedGen) === String(ro.metadata.generation),
            ...(ro.status?.phase ? { phase: ro.status.phase } : {}),
            ...(ro.status?.message ? { message: ro.status.message } : {}),
          });
        }
        obs.rollouts = rollouts;
      }
    }
    out[spec.name] = obs;
  }
  return out;
}

/** The base branch of pull-request promotions into `spec`. */
function pullRequestBase(deps: PipelineDeps, spec: PipelineEnvironment): string {
  return spec.promotion.type === 'pull-request' && spec.promotion.base !== undefined
    ? spec.promotion.base
    : deps.pipeline.spec.config.branch;
}

/**
 * Open pull requests whose commit is reachable from the tracked branch (merged with a merge commit
 * or fast-forward). A squash or rebase merge makes a new commit and is not recognised.
 */
async function mergedPullRequests(
  deps: PipelineDeps,
  spec: PipelineEnvironment,
  state: PipelineState,
): Promise<Record<string, string>> {
  const open = Object.entries(state.envs[spec.name]?.bundles ?? {}).filter(
    ([, b]) => b.state === 'pr-open' && b.commit !== undefined,
  );
  if (open.length === 0) return {};
  const base = pullRequestBase(deps, spec);
  return withRepo(repoOptions(deps), async (repo) => {
    const head = await repo.fetchBranch(base);
    const merged: Record<string, string> = {};
    for (const [id, b] of open) {
      const commit = b.commit ?? '';
      const answer = await runGit(['merge-base', '--is-ancestor', commit, head], {
        cwd: repo.gitDir,
        subject: repo.gitDir,
        okCodes: [1, 128], // 1: not an ancestor; 128: the commit is not in this cache
      });
      if (answer.code === 0) merged[id] = commit;
    }
    return merged;
  });
}

function repoOptions(deps: PipelineDeps) {
  return {
    url: deps.pipeline.spec.config.repo,
    ...(deps.gitCacheRoot ? { cacheRoot: deps.gitCacheRoot } : {}),
    ...(deps.env ? { env: deps.env } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  };
}

/**
 * The overlay folder of an environment, relative to the config repository's root: `config.path`
 * joined with its `overlay`.
 */
export function overlayPath(pipeline: Pipeline, env: string): string {
  const spec = pipeline.spec.environments.find((e) => e.name === env);
  if (spec?.overlay === undefined) {
    throw new SlipwayError(`environment "${env}" has no overlay to release into`, {
      subject: `pipeline ${pipeline.name}: environments.${env}.overlay`,
      reason: 'NoOverlay',
    });
  }
  return normalizeOverlayPath(
    posix.join(pipeline.spec.config.path, spec.overlay),
    `environments.${env}.overlay`,
  );
}

/**
 * The commit message of a write into an environment: the seed's wording for a release from CI,
 * `promote <env> to <tag>: <why>` and `rollback <env> to <tag>: <why>` otherwise; trailers name the
 * bundle, environment and actor.
 * @example releaseMessage('rollback', 'staging', bundle, 'rollout my-service aborted', 'slipway')
 *   // 'rollback staging to abc1234: rollout my-service aborted\n\nSlipway-Bundle: abc1234-…\n…'
 */
export function releaseMessage(
  kind: 'release' | 'promotion' | 'rollback',
  env: string,
  bundle: ReleaseBundle,
  reason: string,
  by: string,
): string {
  const tag = bundle.image.tag;
  const subject =
    kind === 'release'
      ? `Update ${bundle.service} to ${tag}`
      : `${kind === 'rollback' ? 'rollback' : 'promote'} ${env} to ${tag}: ${reason}`;
  return [
    oneLine(subject),
    '',
    `Slipway-Bundle: ${bundle.id}`,
    `Slipway-Environment: ${env}`,
    `Slipway-Image: ${bundleImage(bundle)}@${bundle.image.digest}`,
    `Slipway-Source: ${bundle.sourceSha}`,
    `Slipway-By: ${oneLine(by)}`,
    ...(kind === 'release' ? [] : [`Slipway-Reason: ${oneLine(reason)}`]),
    '',
  ].join('\n');
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

async function execute(
  deps: PipelineDeps,
  log: EventLog,
  action: PipelineAction,
  bundles: ReadonlyMap<string, ReleaseBundle>,
): Promise<{ outcome: 'done' | 'failed'; detail?: string }> {
  const now = () => (deps.now ?? (() => new Date()))();
  switch (action.type) {
    case 'wait':
      return { outcome: 'done' };
    case 'record':
      log.append(action.event, now());
      deps.log?.(`${deps.pipeline.name}: ${describeEvent(action.event)}`);
      return { outcome: 'done' };
    case 'release': {
      const bundle = bundles.get(action.bundleId);
      if (bundle === undefined) return { outcome: 'failed', detail: `no bundle ${action.bundleId}` };
      const { env, bundleId, kind, by, reason } = action;
      log.append({ type: 'release-started', env, bundleId, kind, by, reason }, now());
      try {
        const path = overlayPath(deps.pipeline, env);
        const { url, ...rest } = repoOptions(deps);
        const result = await release({
          ...rest,
          repo: url,
          branch: deps.pipeline.spec.config.branch,
          path,
          edit: imageEdit(path, parseImageSpec(`${bundle.service}=${bundleImage(bundle)}`)),
          message: releaseMessage(kind, env, bundle, reason, by),
          ...(deps.author ? { author: deps.author } : {}),
        });
        log.append({ type: 'released', env, bundleId, kind, by, reason, commit: result.commit }, now());
        deps.log?.(
          `${deps.pipeline.name}: ${kind} ${bundle.image.tag} into ${env}: ${result.changed ? `commit ${result.commit.slice(0, 7)}` : 'already there'}`,
        );
        return { outcome: 'done', detail: result.commit };
      } catch (err) {
        log.append({ type: 'release-failed', env, bundleId, error: errorMessage(err) }, now());
        deps.log?.(
          `${deps.pipeline.name}: ${kind} ${bundle.image.tag} into ${env} failed: ${errorMessage(err)}`,
        );
        return { outcome: 'failed', detail: errorMessage(err) };
      }
    }
    case 'open-pull-request': {
      const bundle = bundles.get(action.bundleId);
      if (bundle === undefined) return { outcome: 'failed', detail: `no bundle ${action.bundleId}` };
      const spec = deps.pipeline.spec.environments.find((e) => e.name === action.env);
      try {
        if (spec === undefined)
          throw new SlipwayError(`no environment ${action.env}`, { reason: 'InternalError' });
        const base = pullRequestBase(deps, spec);
        const commit = await pushPromotionBranch(
          deps,
          action.env,
          bundle,
          base,
          action.branch,
          action.reason,
        );
        log.append(
          {
            type: 'pr-opened',
            env: action.env,
            bundleId: bundle.id,
            branch: action.branch,
            base,
            commit,
            by: 'slipway',
            reason: action.reason,
          },
          now(),
        );
        deps.log?.(
          `${deps.pipeline.name}: pushed ${action.branch} (${commit.slice(0, 7)}) for ${action.env}`,
        );
        return { outcome: 'done', detail: commit };
      } catch (err) {
        log.append(
          { type: 'release-failed', env: action.env, bundleId: bundle.id, error: errorMessage(err) },
          now(),
        );
        return { outcome: 'failed', detail: errorMessage(err) };
      }
    }
  }
}

/**
 * Pushes the promotion as its own branch off `base`: the same edit and message a direct promotion
 * would commit, so merging the branch is the promotion. An existing branch with the same change is
 * reused (a retry after a crash); the push is never forced.
 */
async function pushPromotionBranch(
  deps: PipelineDeps,
  env: string,
  bundle: ReleaseBundle,
  base: string,
  branch: string,
  reason: string,
): Promise<string> {
  const path = overlayPath(deps.pipeline, env);
  return withRepo(repoOptions(deps), async (repo) => {
    const head = await repo.fetchBranch(base);
    const work = await repo.checkout(head, [path]);
    const edit = await imageEdit(path, parseImageSpec(`${bundle.service}=${bundleImage(bundle)}`))(work);
    const commit = edit.changed
      ? await repo.commit({
          parent: head,
          paths: [path],
          message: releaseMessage('promotion', env, bundle, reason, 'slipway'),
          ...(deps.author ? { author: deps.author } : {}),
        })
      : undefined;
    if (commit === undefined) {
      throw new SlipwayError(`${path} on ${base} already names ${bundleImage(bundle)}; nothing to propose`, {
        subject: repo.remote.display,
        reason: 'NothingToPromote',
      });
    }
    const pushed = await repo.push(commit, branch);
    if (pushed.code !== 0 || /^!/m.test(pushed.stdout)) {
      throw new SlipwayError(
        `the push of ${branch} was rejected: ${pushed.stdout.trim() || pushed.stderr.trim()}`,
        {
          subject: repo.remote.display,
          reason: 'GitPushRejected',
        },
      );
    }
    return commit;
  });
}

function describeEvent(e: PipelineEventInput): string {
  const env = 'env' in e ? ` ${e.env}` : '';
  const bundle = 'bundleId' in e && e.bundleId !== undefined ? ` ${e.bundleId}` : '';
  return `${e.type}${env}${bundle}`;
}
