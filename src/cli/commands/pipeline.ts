/**
 * `slipway pipeline status [NAME]`: per commit, its run, its bundle and that bundle's state in each
 * environment (`*` marks what an environment runs now); `-o json` prints the same view object.
 * `slipway pipeline reconcile`: one promotion pass (or `--watch`: keep going), observing the
 * environments' Applications in the cluster.
 * @module
 */
import type { Command } from 'commander';
import { parseIdentity } from '../../git/index.ts';
import { KubeClient } from '../../kube/client.ts';
import {
  BundleStore,
  EventLog,
  loadPipeline,
  type Pipeline,
  type PipelineDeps,
  pipelineStatus,
  type ReconcileResult,
  reconcilePipeline,
  replay,
  stateRoot,
  statusRows,
} from '../../pipeline/index.ts';
import { sleep } from '../../util/abort.ts';
import { errorMessage, SlipwayError } from '../../util/errors.ts';
import { formatTable, type Io, OUTPUT_FORMATS, type OutputFormat, printValue } from '../output.ts';
import { parseDuration } from './image-watch.ts';

/** Options every pipeline command shares. */
export interface PipelineCliOptions {
  pipeline: string;
  state?: string;
  kubeconfig?: string;
  cluster: boolean;
  author?: string;
}

/** Adds the shared options: the pipeline file, the state folder, the cluster. */
export function pipelineOptions(cmd: Command): Command {
  return cmd
    .option(
      '--pipeline <file>',
      'the pipeline file (slipway.yaml at the config repository root)',
      'slipway.yaml',
    )
    .option(
      '--state <dir>',
      'where bundles and pipeline events are kept (default $SLIPWAY_STATE or ~/.local/state/slipway)',
    )
    .option('--kubeconfig <path>', 'kubeconfig of the cluster the Applications live in')
    .option('--no-cluster', 'do not observe Applications (environments count as healthy once released)')
    .option(
      '--author <identity>',
      'author of release commits, "Name <email>" (default Slipway <slipway@localhost>)',
    );
}

/** What {@link buildPipelineDeps} reads: the shared pipeline options, or the controller's. */
export interface PipelineDepsOptions {
  state?: string | undefined;
  kubeconfig?: string | undefined;
  /** Observe the environments' Applications (when any environment names one). */
  cluster: boolean;
  author?: string | undefined;
}

/** The dependencies of several pipelines, and how to release what they hold. */
export interface BuiltPipelineDeps {
  /** One per pipeline, in the order given. */
  deps: PipelineDeps[];
  /** Closes the cluster client this call opened (never one passed in). */
  close: () => Promise<void>;
}

/**
 * The dependencies of each of `pipelines`: the state folder, the release author, and one cluster
 * client shared by all — `shared` when the caller has one (the controller), otherwise opened here,
 * and only when some environment names an Application (a pipeline of plain overlays needs no cluster).
 */
export function buildPipelineDeps(
  pipelines: readonly Pipeline[],
  opts: PipelineDepsOptions,
  io: Io,
  shared?: KubeClient,
): BuiltPipelineDeps {
  const needsCluster =
    opts.cluster && pipelines.some((p) => p.spec.environments.some((e) => e.application !== undefined));
  const kube = needsCluster ? (shared ?? KubeClient.fromKubeconfig({ path: opts.kubeconfig })) : undefined;
  const author = opts.author ? parseIdentity(opts.author) : undefined;
  const root = opts.state ?? stateRoot();
  const deps = pipelines.map(
    (pipeline): PipelineDeps => ({
      pipeline,
      stateRoot: root,
      log: (line) => io.err(`${line}\n`),
      ...(kube ? { kube } : {}),
      ...(author ? { author } : {}),
    }),
  );
  return {
    deps,
    close: async () => {
      if (kube !== undefined && kube !== shared) await kube.close();
    },
  };
}

/**
 * Runs `fn` with the dependencies of a pipeline command (and closes the cluster client after).
 */
export async function withPipelineDeps<T>(
  opts: PipelineCliOptions,
  name: string | undefined,
  io: Io,
  fn: (deps: PipelineDeps) => Promise<T>,
): Promise<T> {
  const built = buildPipelineDeps([loadPipeline(opts.pipeline, name)], opts, io);
  try {
    return await fn(built.deps[0]!);
  } finally {
    await built.close();
  }
}

/**
 * Reconciles every pipeline of `deps` again and again, `intervalMs` apart, until `signal` aborts:
 * what `pipeline reconcile --watch` and the controller's pipelines component run. A failed pass is
 * reported and retried on the next round (one broken pipeline does not stop the others); actions
 * carried out are printed by `onActions`.
 */
export async function reconcileLoop(
  deps: readonly PipelineDeps[],
  options: {
    intervalMs: number;
    signal: AbortSignal;
    onActions: (pipeline: Pipeline, result: ReconcileResult) => void;
    onError: (pipeline: Pipeline, err: unknown) => void;
  },
): Promise<void> {
  while (!options.signal.aborted) {
    for (const d of deps) {
      if (options.signal.aborted) break;
      try {
        const result = await reconcilePipeline({ ...d, signal: options.signal });
        if (result.actions.length > 0) options.onActions(d.pipeline, result);
      } catch (err) {
        if (options.signal.aborted) break;
        options.onError(d.pipeline, err);
      }
    }
    await sleep(options.intervalMs, options.signal).catch(() => undefined);
  }
}

function outputFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new SlipwayError(`must be one of ${OUTPUT_FORMATS.join(', ')}`, { subject: '-o', reason: 'Usage' });
  }
  return value as OutputFormat;
}

/** The status view of `pipeline` from the state folder. */
export function readStatus(pipeline: Pipeline, root: string) {
  const state = replay(pipeline.order, new EventLog(root, pipeline.name).read());
  const store = new BundleStore(root);
  const bundles = new Map(state.bundles.map((b) => [b.id, store.get(pipeline.spec.service, b.id)]));
  return pipelineStatus(pipeline, state, bundles);
}

/** One line per action of a reconcile. */
export function formatActions(result: ReconcileResult): string {
  if (result.actions.length === 0)
    return `nothing to do${result.requeueAt ? ` (next check ${result.requeueAt})` : ''}\n`;
  return result.actions
    .map((a) => {
      const what =
        a.type === 'record'
          ? `record ${a.event.type}${'env' in a.event ? ` ${a.event.env}` : ''}`
          : a.type === 'wait'
            ? `wait ${a.env} until ${a.until}`
            : `${a.type === 'release' ? a.kind : 'pull request'} ${a.bundleId} into ${a.env}`;
      return `${what}: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}\n`;
    })
    .join('');
}

export function registerPipeline(program: Command, io: Io): void {
  const pipeline = program
    .command('pipeline')
    .description('release bundles and their promotion through environments');

  pipelineOptions(
    pipeline
      .command('status')
      .description("per commit, each environment's bundle and state")
      .argument('[name]', 'the pipeline (default: the only one in the file)'),
  )
    .option('-o, --output <format>', 'table|json|yaml', outputFormat, 'table' as OutputFormat)
    .action(async (name: string | undefined, opts: PipelineCliOptions & { output: OutputFormat }) => {
      const p = loadPipeline(opts.pipeline, name);
      const view = readStatus(p, opts.state ?? stateRoot());
      printValue(io, opts.output, view, () => {
        if (view.commits.length === 0) io.err(`no runs recorded for pipeline ${p.name}\n`);
        const { headers, rows } = statusRows(view);
        const envs = view.environments
          .map((e) => `${e.name} (${e.rule}): ${e.currentImage ?? '-'}`)
          .join('\n');
        return `${envs}\n\n${view.commits.length > 0 ? formatTable(headers, rows) : ''}`;
      });
    });

  pipelineOptions(
    pipeline
      .command('reconcile')
      .description('observe the environments and carry out the next promotions, rollbacks and records')
      .argument('[name]', 'the pipeline (default: the only one in the file)'),
  )
    .option('--watch', 'keep reconciling until interrupted')
    .option('--interval <duration>', 'time between passes with --watch', '10s')
    .action(
      async (name: string | undefined, opts: PipelineCliOptions & { watch?: boolean; interval: string }) => {
        const intervalMs = parseDuration(opts.interval, '--interval');
        await withPipelineDeps(opts, name, io, async (deps) => {
          if (!opts.watch) {
            io.out(formatActions(await reconcilePipeline(deps)));
            return;
          }
          const stop = new AbortController();
          const onSignal = () => stop.abort();
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          try {
            await reconcileLoop([deps], {
              intervalMs,
              signal: stop.signal,
              onActions: (_, result) => io.out(formatActions(result)),
              onError: (p, err) => io.err(`error: ${p.name}: ${errorMessage(err)}\n`),
            });
          } finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
        });
      },
    );
}
