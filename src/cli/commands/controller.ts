/**
 * `slipway controller`: runs Slipway's controllers in the foreground until SIGINT or SIGTERM — the
 * Application controller (GitOps sync), the Rollout controller and the AnalysisRun controller, and
 * with `--pipeline FILE` the pipelines component (continuous promotion and rollback, as
 * `pipeline reconcile --watch`) — and, with `--webhook-listen`, the git webhook endpoint: a push
 * refreshes the Applications tracking it and starts a CI run of each pipeline whose source
 * repository and branch it names. Stops cleanly: running reconciles are aborted, an in-flight CI run
 * is cancelled (its steps' process groups killed) and recorded so, and a sync or rollout in progress
 * resumes on the next start from what its status records.
 * @module
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { KubeClient } from '../../kube/client.ts';
import type { Pipeline } from '../../pipeline/index.ts';
import type { PushEvent } from '../../server/index.ts';
import { parseGoDuration } from '../../sync/retry.ts';
import { errorMessage, SlipwayError } from '../../util/errors.ts';
import type { Io } from '../output.ts';
import { parseDuration } from './image-watch.ts';

interface ControllerCliOptions {
  namespace?: string;
  kubeconfig?: string;
  pollInterval: string;
  components?: string;
  webhookListen?: string;
  webhookSecretFile?: string;
  webhookAllowUnsigned?: boolean;
  pipeline?: string[];
  state?: string;
  author?: string;
  pipelineInterval: string;
}

const COMPONENTS = ['applications', 'rollouts', 'analysis', 'pipelines'] as const;
type Component = (typeof COMPONENTS)[number];

/**
 * The components to run: `--components` when given, otherwise applications, rollouts and analysis,
 * plus pipelines when `--pipeline` is given. The pipelines component needs a pipeline file, and a
 * pipeline file needs the pipelines component (a file that would be silently ignored is a mistake).
 */
export function chooseComponents(components: string | undefined, pipelineFiles: number): Set<Component> {
  const chosen = parseComponents(
    components ?? `applications,rollouts,analysis${pipelineFiles > 0 ? ',pipelines' : ''}`,
  );
  if (chosen.has('pipelines') && pipelineFiles === 0) {
    throw new SlipwayError('the pipelines component needs at least one --pipeline FILE', {
      subject: '--components',
      reason: 'Usage',
    });
  }
  if (!chosen.has('pipelines') && pipelineFiles > 0) {
    throw new SlipwayError('pipelines are run by the pipelines component: include it in --components', {
      subject: '--pipeline',
      reason: 'Usage',
    });
  }
  return chosen;
}

/**
 * Every pipeline of every file, refusing two of one name: they would share one event log and
 * state folder.
 * @throws {SlipwayError} naming the file and field of a bad pipeline, or the duplicate name.
 */
export async function loadControllerPipelines(files: readonly string[]): Promise<Pipeline[]> {
  const { loadPipelines } = await import('../../pipeline/index.ts');
  const seen = new Map<string, string>();
  const all: Pipeline[] = [];
  for (const file of files) {
    for (const p of loadPipelines(file)) {
      const other = seen.get(p.name);
      if (other !== undefined) {
        throw new SlipwayError(`pipeline "${p.name}" is also defined in ${other}`, {
          subject: `${file}: metadata.name`,
          reason: 'DuplicatePipeline',
        });
      }
      seen.set(p.name, file);
      all.push(p);
    }
  }
  return all;
}

/** Parses `--components` (a comma list of applications, rollouts, analysis, pipelines). */
export function parseComponents(text: string): Set<Component> {
  const chosen = new Set<Component>();
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (!name) continue;
    if (!(COMPONENTS as readonly string[]).includes(name)) {
      throw new SlipwayError(`unknown component "${name}" (choose from ${COMPONENTS.join(', ')})`, {
        subject: '--components',
        reason: 'Usage',
      });
    }
    chosen.add(name as Component);
  }
  if (chosen.size === 0)
    throw new SlipwayError('no component chosen', { subject: '--components', reason: 'Usage' });
  return chosen;
}

/** Parses `--webhook-listen` (`host:port` or `:port`, default host 127.0.0.1). */
export function parseListen(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = colon > 0 ? text.slice(0, colon).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = Number(colon >= 0 ? text.slice(colon + 1) : text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SlipwayError(`invalid address "${text}" (e.g. 127.0.0.1:8080)`, {
      subject: '--webhook-listen',
      reason: 'Usage',
    });
  }
  return { host, port };
}

/** Parses `--poll-interval` (a Go duration: `60s`, `5m`, `1m30s`). */
export function parsePollInterval(text: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new SlipwayError(`invalid duration "${text}" (e.g. 60s, 5m)`, {
      subject: '--poll-interval',
      reason: 'Usage',
    });
  }
  return ms;
}

/** A running component: how to stop it. */
type Stop = () => Promise<void>;

/** `onPush` parts: each answers how many apps it refreshed or runs it started. */
type PushPart = (event: PushEvent) => Promise<number> | number;

export function registerController(program: Command, io: Io): void {
  program
    .command('controller')
    .description(
      'run the Application (GitOps sync), Rollout and AnalysisRun controllers, and with --pipeline the pipelines (CI runs on webhook pushes, continuous promotion), in the foreground until SIGINT/SIGTERM',
    )
    .option('-n, --namespace <ns>', 'the namespace whose Applications Slipway owns (default argocd)')
    .option('--kubeconfig <path>', 'kubeconfig file (default $KUBECONFIG, then ~/.kube/config)')
    .option('--poll-interval <duration>', 'how often git is polled per Application', '60s')
    .option(
      '--components <list>',
      'controllers to run: applications, rollouts, analysis, pipelines (default: the first three, plus pipelines with --pipeline)',
    )
    .option(
      '--pipeline <file>',
      'a pipeline file (slipway.yaml; may hold several pipelines) whose pushes, promotions and rollbacks this controller carries out; repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--state <dir>',
      'where bundles and pipeline events are kept (default $SLIPWAY_STATE or ~/.local/state/slipway)',
    )
    .option(
      '--author <identity>',
      'author of release commits, "Name <email>" (default Slipway <slipway@localhost>)',
    )
    .option('--pipeline-interval <duration>', 'time between promotion passes of the pipelines', '10s')
    .option(
      '--webhook-listen <addr>',
      'serve POST /api/webhook (GitHub push events: refresh Applications, start pipeline runs) on this address, e.g. 127.0.0.1:8080',
    )
    .option(
      '--webhook-secret-file <path>',
      'file holding the GitHub webhook secret (signatures are verified)',
    )
    .option('--webhook-allow-unsigned', 'accept unsigned webhooks (only on a trusted network)')
    .action(async (opts: ControllerCliOptions) => {
      const pipelineFiles = opts.pipeline ?? [];
      const components = chooseComponents(opts.components, pipelineFiles.length);
      const pollIntervalMs = parsePollInterval(opts.pollInterval);
      const pipelineIntervalMs = parseDuration(opts.pipelineInterval, '--pipeline-interval');
      const listen = opts.webhookListen !== undefined ? parseListen(opts.webhookListen) : undefined;
      if (listen && !components.has('applications') && !components.has('pipelines')) {
        throw new SlipwayError(
          'webhooks refresh Applications and start pipeline runs: include the applications or pipelines component',
          { subject: '--webhook-listen', reason: 'Usage' },
        );
      }
      const secret = opts.webhookSecretFile !== undefined ? readSecret(opts.webhookSecretFile) : undefined;
      // Bad pipeline files are refused before anything starts.
      const pipelines = components.has('pipelines') ? await loadControllerPipelines(pipelineFiles) : [];
      const needsCluster =
        components.has('applications') ||
        components.has('rollouts') ||
        components.has('analysis') ||
        pipelines.some((p) => p.spec.environments.some((e) => e.application !== undefined));
      const client = needsCluster ? KubeClient.fromKubeconfig({ path: opts.kubeconfig }) : undefined;
      const namespace = opts.namespace ?? 'argocd';
      const onError = (key: string, err: unknown) => io.err(`error: ${key}: ${errorMessage(err)}\n`);
      const stops: Stop[] = [];
      const pushParts: PushPart[] = [];
      try {
        if (client && components.has('applications')) {
          const { createApplicationController } = await import('../../sync/controller.ts');
          const { appsToRefresh } = await import('../../server/index.ts');
          const apps = createApplicationController({
            client,
            // Only an explicitly given namespace may run beside an Argo CD controller.
            ...(opts.namespace !== undefined ? { namespace } : {}),
            pollIntervalMs,
            onError,
          });
          await apps.start();
          stops.push(() => apps.stop());
          io.err(`slipway controller: reconciling Applications in namespace ${namespace}\n`);
          pushParts.push(async (event) => {
            const { items } = await client.list({
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Application',
              namespace,
            });
            const chosen = appsToRefresh(items as unknown as Parameters<typeof appsToRefresh>[0], event);
            const byRepo = new Map<string, string[]>();
            for (const app of chosen) {
              const repoURL = app.spec.source?.repoURL ?? '';
              byRepo.set(repoURL, [...(byRepo.get(repoURL) ?? []), app.metadata.name]);
            }
            for (const [repoURL, names] of byRepo) apps.pushed(repoURL, names);
            return chosen.length;
          });
        }
        if (client && components.has('analysis')) {
          const { createAnalysisRunController } = await import('../../analysis/controller.ts');
          const analysis = createAnalysisRunController({ client, onError });
          await analysis.start();
          stops.push(() => analysis.stop());
          io.err('slipway controller: running AnalysisRuns\n');
        }
        if (client && components.has('rollouts')) {
          const { createRolloutController } = await import('../../rollouts/controller.ts');
          const rollouts = createRolloutController({ client, onError });
          await rollouts.start();
          stops.push(() => rollouts.stop());
          io.err('slipway controller: reconciling Rollouts\n');
        }
        if (components.has('pipelines')) {
          const running = await startPipelines(pipelines, opts, pipelineIntervalMs, io, client);
          stops.push(running.stop);
          if (listen) pushParts.push(running.onPush);
          io.err(`slipway controller: running pipelines ${pipelines.map((p) => p.name).join(', ')}\n`);
        }
        // Last, so it stops first: no push is accepted once the components begin to stop.
        if (listen) {
          const { startWebhookServer } = await import('../../server/index.ts');
          const server = await startWebhookServer({
            ...listen,
            githubSecret: secret,
            allowUnsigned: opts.webhookAllowUnsigned ?? false,
            // Every part sees the push even when another fails (an API server hiccup must not
            // cost a CI run); any failure still answers 500, so GitHub redelivers, and a
            // redelivered commit that was built already runs nothing (see `handlePush`).
            onPush: async (event) => {
              const answers = await Promise.allSettled(pushParts.map(async (part) => part(event)));
              const failed = answers.find((a) => a.status === 'rejected');
              if (failed) throw failed.reason;
              return answers.reduce((n, a) => n + (a.status === 'fulfilled' ? a.value : 0), 0);
            },
            log: (line) => io.err(`${line}\n`),
          });
          stops.push(() => server.close());
          io.err(`slipway controller: webhooks on ${server.url}/api/webhook\n`);
        }
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        io.err('slipway controller: stopping\n');
      } finally {
        for (const stop of stops.reverse()) await stop();
        await client?.close();
      }
    });
}

/**
 * The pipelines component: the promotion loop of every pipeline (as `pipeline reconcile --watch`)
 * and the webhook part that starts a run for a push to a pipeline's source branch. `stop` aborts
 * the loop and every run in flight (the CI runner kills its steps' process groups and records the
 * run as cancelled) and waits for them, so nothing is left running.
 */
async function startPipelines(
  pipelines: readonly Pipeline[],
  opts: ControllerCliOptions,
  intervalMs: number,
  io: Io,
  client: KubeClient | undefined,
): Promise<{ onPush: PushPart; stop: Stop }> {
  const { handlePush, pipelinePushHandler } = await import('../../pipeline/index.ts');
  const { buildPipelineDeps, formatActions, reconcileLoop } = await import('./pipeline.ts');
  const { formatOutcome } = await import('./ci-pipeline.ts');
  const built = buildPipelineDeps(pipelines, { ...opts, cluster: true }, io, client);
  const abort = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const onPush = pipelinePushHandler(
    built.deps.map((deps) => ({
      pipeline: deps.pipeline,
      handle: (sha: string, delivery: string) => {
        const sourceDir = localSource(deps.pipeline.spec.source.repo);
        const run = handlePush({ ...deps, signal: abort.signal, ...(sourceDir ? { sourceDir } : {}) }, sha, {
          kind: 'webhook',
          detail: delivery,
        }).then((outcome) => io.err(`${deps.pipeline.name}: ${formatOutcome(outcome)}`));
        const tracked = run.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        return tracked;
      },
    })),
  );
  const loop = reconcileLoop(built.deps, {
    intervalMs,
    signal: abort.signal,
    onActions: (p, result) =>
      io.err(
        formatActions(result)
          .split('\n')
          .filter(Boolean)
          .map((line) => `${p.name}: ${line}\n`)
          .join(''),
      ),
    onError: (p, err) => io.err(`error: pipeline ${p.name}: ${errorMessage(err)}\n`),
  });
  return {
    onPush,
    stop: async () => {
      abort.abort();
      await Promise.allSettled([loop, ...inFlight]);
      await built.close();
    },
  };
}

/**
 * The folder of a source repository on this machine (an absolute path or a `file://` URL), which a
 * run checks out from directly — as `ci hook receive --repo` does — instead of a cached clone.
 */
export function localSource(repo: string): string | undefined {
  if (isAbsolute(repo)) return repo;
  if (!repo.startsWith('file://')) return undefined;
  try {
    return fileURLToPath(repo);
  } catch {
    return undefined; // file://host/... names no local folder
  }
}

function readSecret(path: string): string {
  try {
    const secret = readFileSync(path, 'utf8').trim();
    if (!secret) throw new Error('the file is empty');
    return secret;
  } catch (err) {
    throw new SlipwayError(
      `cannot read the webhook secret: ${err instanceof Error ? err.message : String(err)}`,
      {
        subject: path,
        reason: 'Usage',
        cause: err,
      },
    );
  }
}
