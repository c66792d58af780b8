/**
 * `slipway ci run`: runs a service repository's CI workflow (the seed's Step 3 file unchanged) on
 * one commit, streaming timestamped log lines, then a summary; exits 1 when the run failed.
 *
 * With `-o text` (default) the log and the summary go to stdout; with `-o json` the log goes to
 * stderr and stdout carries only the run record (the same object `runWorkflow` returns), so it
 * stays parseable.
 *
 * The `ci` command is shared: other `ci` subcommands attach to it with {@link ciCommand}.
 * @module
 */
import type { Command } from 'commander';
import { type LogLine, type RunResult, runWorkflow } from '../../ci/index.ts';
import { SlipwayError } from '../../util/errors.ts';
import { ExitCode, formatTable, type Io } from '../output.ts';
import { parseDuration } from './image-watch.ts';

interface CiRunCliOptions {
  repo: string;
  sha: string;
  event: string;
  env: string[];
  job?: string;
  workflow: string;
  scanOptional?: boolean;
  strictPlatforms?: boolean;
  trivyReport?: string;
  stepTimeout?: string;
  insecureRegistry: string[];
  ref: string;
  repository?: string;
  output: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The `ci` command of `program`, created on first use (several files add subcommands to it). */
export function ciCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'ci') ??
    program.command('ci').description("run a service's CI workflow (lint, tests, build, scan, push)")
  );
}

/**
 * `--env K=V` items as a map; the value may hold `=` and be empty.
 * @throws {SlipwayError} `InvalidFlag` naming the bad item.
 */
export function parseEnvFlags(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new SlipwayError(`expected NAME=VALUE with a variable name, got ${JSON.stringify(item)}`, {
        subject: '--env',
        reason: 'InvalidFlag',
      });
    }
    out[key] = item.slice(eq + 1);
  }
  return out;
}

/** One streamed log line: `<time> [<step>] <text>`, stderr lines tagged. */
export function formatLogLine(line: LogLine): string {
  return `${line.time} [${line.stepName}]${line.stream === 'stderr' ? ' (stderr)' : ''} ${line.text}\n`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The end-of-run summary: steps, pushed tags, scan counts, status and where the log is. */
export function formatRunSummary(result: RunResult): string {
  const rows = result.steps.map((s) => [
    s.name,
    s.outcome,
    s.outcome === 'skipped' ? '' : seconds(s.durationMs),
    s.error ?? s.note ?? '',
  ]);
  const lines = [
    '',
    formatTable(['step', 'outcome', 'time', 'detail'], rows).trimEnd(),
    '',
    ...result.published.map((p) => `published ${p.reference}@${p.digest}`),
  ];
  if (result.scan !== undefined) {
    const s = result.scan;
    lines.push(
      `scan: CRITICAL ${s.critical}, HIGH ${s.high}, MEDIUM ${s.medium}, LOW ${s.low}, UNKNOWN ${s.unknown} (${s.passed ? 'passed' : 'failed'})`,
    );
  }
  lines.push(
    `run ${result.runId}: ${result.status}${result.failedStep ? ` (failed step: ${result.failedStep})` : ''} in ${seconds(result.durationMs)}, ${result.repository}@${result.sha.slice(0, 12)}`,
    `log: ${result.logPath}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Registers `slipway ci run`. */
export function registerCi(program: Command, io: Io): void {
  ciCommand(program)
    .command('run')
    .description(
      'run the CI workflow of a repository on one commit in a clean checkout; secrets come from SLIPWAY_SECRET_<NAME>',
    )
    .option('--repo <dir>', 'the service repository (a clone or a bare repository)', '.')
    .option('--sha <rev>', 'the commit to run (any revision git understands)', 'HEAD')
    .option('--event <name>', 'github.event_name: push | pull_request', 'push')
    .option('--env <name=value>', 'replace a workflow env value at every level (repeatable)', collect, [])
    .option('--job <id>', 'the job to run when the workflow has several')
    .option('--workflow <path>', 'the workflow file in the repository', '.github/workflows/ci.yaml')
    .option('--ref <ref>', 'github.ref', 'refs/heads/main')
    .option('--repository <owner/name>', "github.repository (default: from the repository's origin)")
    .option('--scan-optional', 'pass the scan step with a note when trivy is not installed')
    .option('--strict-platforms', 'fail the build when an asked platform cannot be built here')
    .option(
      '--trivy-report <file>',
      'use this trivy JSON report instead of running trivy (or SLIPWAY_TRIVY_REPORT)',
    )
    .option('--step-timeout <duration>', 'timeout of steps without timeout-minutes (e.g. 10m)')
    .option(
      '--insecure-registry <host>',
      'reach this registry without TLS verification (repeatable)',
      collect,
      [],
    )
    .option('-o, --output <format>', 'text | json', 'text')
    .action(async (opts: CiRunCliOptions) => {
      if (opts.event !== 'push' && opts.event !== 'pull_request') {
        throw new SlipwayError(`expected push or pull_request, got ${JSON.stringify(opts.event)}`, {
          subject: '--event',
          reason: 'InvalidFlag',
        });
      }
      if (opts.output !== 'text' && opts.output !== 'json') {
        throw new SlipwayError(`expected text or json, got ${JSON.stringify(opts.output)}`, {
          subject: '--output',
          reason: 'InvalidFlag',
        });
      }
      const json = opts.output === 'json';
      const stream = json ? io.err : io.out;
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let result: RunResult;
      try {
        result = await runWorkflow({
          repoDir: opts.repo,
          commit: opts.sha,
          trigger: { kind: 'manual', detail: 'slipway ci run' },
          eventName: opts.event,
          ref: opts.ref,
          workflowPath: opts.workflow,
          envOverrides: parseEnvFlags(opts.env),
          insecureRegistries: opts.insecureRegistry,
          onLog: (line) => stream(formatLogLine(line)),
          signal: controller.signal,
          ...(opts.job !== undefined ? { job: opts.job } : {}),
          ...(opts.repository !== undefined ? { repository: opts.repository } : {}),
          ...(opts.scanOptional ? { scanOptional: true } : {}),
          ...(opts.strictPlatforms ? { strictPlatforms: true } : {}),
          ...(opts.trivyReport !== undefined ? { trivyReport: opts.trivyReport } : {}),
          ...(opts.stepTimeout !== undefined
            ? { defaultStepTimeoutMs: parseDuration(opts.stepTimeout, '--step-timeout') }
            : {}),
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      if (json) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else io.out(formatRunSummary(result));
      if (result.status !== 'success') process.exitCode = ExitCode.Failure;
    });
}
