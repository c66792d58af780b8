/**
 * The `ci` subcommands that start pipeline runs and export the workflow:
 *
 * - `slipway ci watch --pipeline FILE`: polls the source remote for new commits on the branch;
 * - `slipway ci hook install --repo BARE_REPO --pipeline FILE`: a post-receive hook that hands
 *   each pushed branch to `slipway ci hook receive` (an argument array, no shell);
 * - `slipway ci hook receive`: what the hook calls (one commit: run, bundle, release);
 * - `slipway ci export --pipeline FILE [--repo DIR]`: the equivalent GitHub Actions workflow.
 *
 * `slipway ci run` (one run, no pipeline) is in `ci.ts`; these attach to the same `ci` command.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  exportWorkflow,
  handlePush,
  installHook,
  loadPipeline,
  type PushOutcome,
  watchSource,
} from '../../pipeline/index.ts';
import { SlipwayError } from '../../util/errors.ts';
import { ExitCode, type Io } from '../output.ts';
import { ciCommand } from './ci.ts';
import { parseDuration } from './image-watch.ts';
import { type PipelineCliOptions, pipelineOptions, withPipelineDeps } from './pipeline.ts';

/** One line for a run's outcome. */
export function formatOutcome(o: PushOutcome): string {
  const sha = o.sha.slice(0, 7);
  switch (o.kind) {
    case 'superseded':
      return `${sha}: superseded by ${o.by.slice(0, 7)}\n`;
    case 'duplicate':
      return `${sha}: already built${o.bundleId ? ` (bundle ${o.bundleId})` : ''}\n`;
    case 'failed':
      return `${sha}: no bundle: ${o.reason}\n`;
    case 'bundled': {
      const released = o.reconcile?.actions.filter((a) => a.type === 'release' && a.outcome === 'done') ?? [];
      const into = released.map((a) =>
        a.type === 'release' ? `${a.env} (${a.detail?.slice(0, 7) ?? ''})` : '',
      );
      return `${sha}: bundle ${o.bundle.id}${into.length > 0 ? `, released into ${into.join(', ')}` : ''}\n`;
    }
  }
}

/** The `slipway` argv of this process, for the hook to call back (`node [loader flags] <entry>`). */
function selfCommand(): string[] {
  const entry = process.argv[1];
  if (entry === undefined)
    throw new SlipwayError('cannot tell how slipway was started', { reason: 'Internal' });
  return [process.execPath, ...process.execArgv, resolve(entry)];
}

export function registerCiPipeline(program: Command, io: Io): void {
  const ci = ciCommand(program);

  pipelineOptions(
    ci
      .command('watch')
      .description('poll the source repository for new commits on the branch and run the pipeline'),
  )
    .option('--name <pipeline>', 'the pipeline (default: the only one in the file)')
    .option('--interval <duration>', 'time between polls', '30s')
    .action(async (opts: PipelineCliOptions & { name?: string; interval: string }) => {
      const intervalMs = parseDuration(opts.interval, '--interval');
      await withPipelineDeps(opts, opts.name, io, async (deps) => {
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          await watchSource(deps, {
            intervalMs,
            signal: stop.signal,
            onOutcome: (o) => io.out(formatOutcome(o)),
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
    });

  const hook = ci
    .command('hook')
    .description('run the pipeline from a post-receive hook of a local bare repository');
  hook
    .command('install')
    .description('write hooks/post-receive into a bare repository')
    .requiredOption('--repo <dir>', 'the bare repository that receives pushes')
    .option('--pipeline <file>', 'the pipeline file', 'slipway.yaml')
    .option('--name <pipeline>', 'the pipeline (default: the only one in the file)')
    .option('--state <dir>', 'state folder the runs record into')
    .option('--no-cluster', 'do not observe Applications')
    .option('--foreground', 'make the push wait for the run (default: the run is detached)')
    .option('--force', 'replace a post-receive hook Slipway did not write')
    .option('--slipway <path>', 'the slipway executable the hook runs (default: the one running now)')
    .action(
      (opts: {
        repo: string;
        pipeline: string;
        name?: string;
        state?: string;
        cluster: boolean;
        foreground?: boolean;
        force?: boolean;
        slipway?: string;
      }) => {
        const pipelineFile = resolve(opts.pipeline);
        const pipeline = loadPipeline(pipelineFile, opts.name); // refuse a broken file now, not at push time
        const repoDir = resolve(opts.repo);
        const extraArgs = [
          '--repo',
          repoDir,
          '--name',
          pipeline.name,
          ...(opts.state ? ['--state', resolve(opts.state)] : []),
          ...(opts.cluster ? [] : ['--no-cluster']),
        ];
        const path = installHook({
          repoDir,
          pipelineFile,
          command: opts.slipway ? [resolve(opts.slipway)] : selfCommand(),
          extraArgs,
          ...(opts.foreground ? { foreground: true } : {}),
          ...(opts.force ? { force: true } : {}),
        });
        io.out(`${path}\n`);
      },
    );

  pipelineOptions(hook.command('receive').description('handle one pushed ref (called by the hook)'))
    .requiredOption('--ref <ref>', 'the pushed ref, e.g. refs/heads/main')
    .requiredOption('--sha <sha>', 'the commit the ref now points at')
    .option('--repo <dir>', 'the repository that received the push (default: the pipeline source)')
    .option('--name <pipeline>', 'the pipeline (default: the only one in the file)')
    .action(async (opts: PipelineCliOptions & { ref: string; sha: string; repo?: string; name?: string }) => {
      // git runs hooks with GIT_DIR and friends set; none of that may leak into the run's git calls.
      for (const k of Object.keys(process.env)) if (k.startsWith('GIT_')) delete process.env[k];
      await withPipelineDeps(opts, opts.name, io, async (deps) => {
        const branch = deps.pipeline.spec.source.branch;
        if (opts.ref !== `refs/heads/${branch}`) {
          io.err(`${opts.ref}: not ${branch}, nothing to run\n`);
          return;
        }
        const outcome = await handlePush(
          { ...deps, ...(opts.repo ? { sourceDir: resolve(opts.repo) } : {}) },
          opts.sha,
          { kind: 'hook', detail: `post-receive ${opts.ref}` },
        );
        io.out(formatOutcome(outcome));
        if (outcome.kind === 'failed') process.exitCode = ExitCode.Failure;
      });
    });

  ci.command('export')
    .description('write the GitHub Actions workflow equivalent to what the runner executes')
    .option('--pipeline <file>', 'the pipeline file', 'slipway.yaml')
    .option('--name <pipeline>', 'the pipeline (default: the only one in the file)')
    .option('--repo <dir>', "the service repository's work tree the workflow is read from", '.')
    .option('--out <file>', 'write here instead of stdout')
    .action((opts: { pipeline: string; name?: string; repo: string; out?: string }) => {
      const pipeline = loadPipeline(opts.pipeline, opts.name);
      const file = join(opts.repo, pipeline.spec.source.workflow);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new SlipwayError('cannot read the workflow', {
          subject: file,
          reason: 'WorkflowNotFound',
          cause: err,
        });
      }
      const out = exportWorkflow(pipeline, text, file);
      if (opts.out) writeFileSync(opts.out, out);
      else io.out(out);
    });
}
