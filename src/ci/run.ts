/**
 * `runWorkflow`: runs one job of a service repository's GitHub Actions workflow on one commit.
 *
 * The run, as straight steps:
 * 1. resolve the commit and clone it into a fresh temporary folder (never the user's tree);
 * 2. read and validate the workflow from that checkout, pick the job, check every expression;
 * 3. for each step: evaluate `if:` (implicit `success() &&`), then run the script
 *    (`bash --noprofile --norc -eo pipefail <file>`, expressions substituted before the file is
 *    written, as GitHub does) or dispatch `uses:` to its {@link ActionHandler}; read
 *    `$GITHUB_OUTPUT`, `$GITHUB_ENV`, `$GITHUB_PATH` and `$GITHUB_STEP_SUMMARY` afterwards;
 * 4. record each step's outcome, outputs and duration, and remove the temporary folder.
 *
 * A failing step fails the job: later steps are skipped unless their `if:` asks for
 * `failure()`/`always()`; `continue-on-error` keeps the job going. Errors of the setup (no such
 * commit, an invalid workflow) are thrown as {@link SlipwayError}; everything that happens
 * inside a step is part of the returned {@link RunResult}.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../util/cache.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { type ActionRegistry, actionName, defaultActions } from './actions.ts';
import { type BuilderStorage, builderStorage } from './builder.ts';
import { checkJobExpressions } from './check.ts';
import { checkoutCommit, originRepository, resolveCommit } from './checkout.ts';
import { Masker } from './commands.ts';
import { type GithubInfo, githubContext, refName, runnerContext, secretsFromEnv } from './contexts.ts';
import { type ExpressionScope, type ExprValue, evaluateCondition, type JobStatus } from './expressions.ts';
import { hashFiles } from './hash-files.ts';
import { type LogLine, RunLog } from './log.ts';
import { CiRunState, type PublishedImage } from './run-state.ts';
import { executeStep, type StepResult } from './step.ts';
import { workflowTriggers } from './triggers.ts';
import type { ScanSummary } from './trivy.ts';
import { parseWorkflow, selectJob, stepDisplayName } from './workflow.ts';

export type { StepResult } from './step.ts';

/** Why a run started; stored with its result. */
export interface RunTrigger {
  kind: 'push' | 'pull_request' | 'manual' | 'retry' | 'api';
  /** Free text, e.g. the webhook delivery id or the user who asked. */
  detail?: string;
}

/** Options of {@link runWorkflow}. */
export interface RunWorkflowOptions {
  /** The service repository (a local clone or a bare repository). */
  repoDir: string;
  /** The commit to run: a SHA or any revision `git rev-parse` understands. */
  commit: string;
  trigger: RunTrigger;
  /** The workflow file inside the repository; default `.github/workflows/ci.yaml`. */
  workflowPath?: string;
  /** The job to run when the workflow has several. */
  job?: string;
  /** `github.event_name`; default `push`. */
  eventName?: 'push' | 'pull_request';
  /** `github.ref`; default `refs/heads/main`. */
  ref?: string;
  /** `github.repository`; default the `owner/name` of the `origin` remote, else `local/<folder>`. */
  repository?: string;
  /** `github.actor`; default `slipway`. */
  actor?: string;
  /** Environment values that replace the workflow's at every level (e.g. `REGISTRY`). */
  envOverrides?: Readonly<Record<string, string>>;
  /** Secrets on top of the `SLIPWAY_SECRET_<NAME>` variables of `processEnv`. */
  secrets?: Readonly<Record<string, string>>;
  /** The environment secrets are read from and steps inherit a few variables of; default `process.env`. */
  processEnv?: Readonly<Record<string, string | undefined>>;
  /** More variable names steps inherit from `processEnv`, beyond {@link INHERITED_ENV}. */
  inheritEnv?: readonly string[];
  /** Timeout of a step without `timeout-minutes`; default 360 minutes (GitHub's). */
  defaultStepTimeoutMs?: number;
  /** SIGTERM → SIGKILL grace when a step is stopped; default 5 s. */
  killGraceMs?: number;
  /** Handlers for `uses:`; default {@link defaultActions}. */
  actions?: ActionRegistry;
  /** Actions (names without `@ref`) to skip with a note instead of running, e.g. `docker/setup-buildx-action`. */
  skipActions?: readonly string[];
  /** Where run folders are made; default `$SLIPWAY_CACHE/ci-runs` or `~/.cache/slipway/ci-runs`. */
  logRoot?: string;
  /** Called with every (masked) log line. */
  onLog?: (line: LogLine) => void;
  /** Keep the checkout after the run (for debugging); default false. */
  keepWorkspace?: boolean;
  /**
   * buildah/podman storage; default `<cache>/buildah/{root,runroot}` under `$SLIPWAY_CACHE` of
   * `processEnv` (so builds never touch the user's own container storage).
   */
  buildStorage?: BuilderStorage;
  /** Fail a build when an asked platform cannot be built here, instead of skipping it; default false. */
  strictPlatforms?: boolean;
  /** Pass the scan step with a note when trivy is not installed and no report is given; default false. */
  scanOptional?: boolean;
  /** A trivy JSON report to use instead of running trivy; default `SLIPWAY_TRIVY_REPORT` of `processEnv`. */
  trivyReport?: string;
  /** Registries (`host[:port]`) to reach without TLS verification, beyond loopback ones. */
  insecureRegistries?: readonly string[];
  /** Architectures with a QEMU binfmt handler; default read from `/proc/sys/fs/binfmt_misc`. */
  emulatedArchitectures?: ReadonlySet<string>;
  signal?: AbortSignal;
}

/** The record of one run. */
export interface RunResult {
  runId: string;
  trigger: RunTrigger;
  status: JobStatus;
  sha: string;
  ref: string;
  eventName: 'push' | 'pull_request';
  repository: string;
  job: string;
  workflowPath: string;
  /** Whether the workflow's `on:` asks for this event on this branch (runs go ahead either way). */
  workflowTriggers: boolean;
  steps: StepResult[];
  /** Display name of the step that failed the job, if any. */
  failedStep?: string;
  /** The run's log folder and its `run.log`. */
  logDir: string;
  logPath: string;
  /** What the steps wrote to `$GITHUB_STEP_SUMMARY`, in order. */
  summary: string;
  /** Every tag the run pushed, with the digest the registry holds under it, in push order. */
  published: PublishedImage[];
  /** Vulnerability counts of the run's scans (added up when there are several); absent when nothing was scanned. */
  scan?: ScanSummary;
  startedAt: string;
  durationMs: number;
}

/** Default folder of run logs. */
export function defaultLogRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const cache = env['SLIPWAY_CACHE'] ?? join(homedir(), '.cache', 'slipway');
  return join(cache, 'ci-runs');
}

function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Variables steps inherit from Slipway's own environment (plus `LC_*`); see {@link inheritedEnv}. */
export const INHERITED_ENV: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TERM',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/**
 * The environment steps inherit: only {@link INHERITED_ENV}, `LC_*` and the caller's `extra`
 * names. Steps run the repository's code, so Slipway's own credentials (kubeconfig, registry or
 * git tokens, `SLIPWAY_SECRET_*`) must not reach them through the environment; what a step
 * needs comes from the workflow's `env:`, the overrides, or `secrets.*`.
 */
function inheritedEnv(
  env: Readonly<Record<string, string | undefined>>,
  extra: readonly string[] = [],
): Record<string, string> {
  const allowed = new Set([...INHERITED_ENV, ...extra]);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || k.startsWith('SLIPWAY_SECRET_')) continue;
    if (allowed.has(k) || k.startsWith('LC_')) out[k] = v;
  }
  return out;
}

/**
 * Runs one job of the workflow on one commit and returns its record.
 * @throws {SlipwayError} when the commit cannot be found or checked out, or the workflow is invalid.
 * @example
 * const result = await runWorkflow({ repoDir: '.', commit: 'HEAD', trigger: { kind: 'manual' } });
 * result.steps.find((s) => s.id === 'tag')?.outputs['tag']
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunResult> {
  const started = new Date();
  const t0 = performance.now();
  const processEnv = options.processEnv ?? process.env;
  const workflowPath = options.workflowPath ?? '.github/workflows/ci.yaml';
  const eventName = options.eventName ?? 'push';
  const ref = options.ref ?? 'refs/heads/main';

  // 1. The commit and its clean checkout.
  const sha = await resolveCommit(options.repoDir, options.commit);
  const repository =
    options.repository ??
    (await originRepository(options.repoDir)) ??
    `local/${options.repoDir.replace(/\/+$/, '').split('/').at(-1) ?? 'repo'}`;
  const root = mkdtempSync(join(tmpdir(), 'slipway-ci-'));
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'temp');
  const stepFiles = join(root, 'files');
  mkdirSync(runnerTemp);
  mkdirSync(stepFiles);
  const runId = newRunId(started);
  const logDir = join(options.logRoot ?? defaultLogRoot(processEnv), runId);
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, 'run.log');

  const secrets = secretsFromEnv(processEnv, options.secrets);
  const masker = new Masker(Object.values(secrets));
  const log = new RunLog(logPath, masker, options.onLog);
  const trivyReport = options.trivyReport ?? processEnv['SLIPWAY_TRIVY_REPORT'];
  const state = new CiRunState(root, runId, {
    storage: options.buildStorage ?? builderStorage(cacheRoot(processEnv)),
    strictPlatforms: options.strictPlatforms ?? false,
    scanOptional: options.scanOptional ?? false,
    insecureRegistries: options.insecureRegistries ?? [],
    ...(trivyReport !== undefined && trivyReport !== '' ? { trivyReport } : {}),
    ...(options.emulatedArchitectures ? { emulatedArchitectures: options.emulatedArchitectures } : {}),
  });
  try {
    await checkoutCommit(options.repoDir, sha, workspace, options.signal);

    // 2. The workflow, as committed.
    const file = workflowPath;
    let text: string;
    try {
      text = readFileSync(join(workspace, workflowPath), 'utf8');
    } catch (err) {
      throw new SlipwayError(`the commit ${sha.slice(0, 12)} has no workflow file`, {
        subject: file,
        reason: 'WorkflowNotFound',
        cause: err,
      });
    }
    const workflow = parseWorkflow(text, file);
    const [jobId, job] = selectJob(workflow, file, options.job);
    checkJobExpressions(file, jobId, job, workflow.env ?? {});

    const info: GithubInfo = {
      sha,
      ref,
      repository,
      eventName,
      actor: options.actor ?? 'slipway',
      workspace,
      job: jobId,
      runId,
    };
    const note = (text: string) => log.write(-1, 'runner', 'runner', text);
    note(`run ${runId}: ${repository}@${sha} (${eventName} ${ref}), job ${jobId}`);
    const triggers = workflowTriggers(workflow, eventName, refName(ref));
    if (!triggers) note(`note: the workflow's on: does not ask for ${eventName} on ${ref}`);

    // 3. The steps.
    const steps: StepResult[] = [];
    const stepsContext: Record<string, ExprValue> = {};
    const githubEnv: Record<string, string> = {};
    const extraPath: string[] = [];
    const summaries: string[] = [];
    let status: JobStatus = 'success';
    let failedStep: string | undefined;
    const baseScope = (): ExpressionScope => ({
      contexts: {
        github: githubContext(info),
        secrets,
        steps: stepsContext,
        runner: runnerContext(runnerTemp),
        job: { status },
        env: {},
      },
      status,
      hashFiles: (patterns) => hashFiles(workspace, patterns),
    });
    const jobRuns = evaluateCondition(job.if, baseScope());
    const jobTimeoutMs =
      typeof job['timeout-minutes'] === 'number' ? job['timeout-minutes'] * 60_000 : undefined;
    const signals = [options.signal, jobTimeoutMs ? AbortSignal.timeout(jobTimeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const signal = AbortSignal.any(signals);
    const registry = options.actions ?? defaultActions();
    const skip = new Set((options.skipActions ?? []).map((a) => actionName(a)));

    for (const [index, step] of job.steps.entries()) {
      if (signal.aborted && status !== 'cancelled') status = 'cancelled';
      const name = stepDisplayName(step, index);
      const result = jobRuns
        ? await executeStep({
            index,
            step,
            name,
            path: `jobs.${jobId}.steps[${index}]`,
            file,
            workflowEnv: workflow.env ?? {},
            jobEnv: job.env ?? {},
            jobDefaults: job.defaults?.run ?? {},
            githubEnv,
            envOverrides: options.envOverrides ?? {},
            extraPath,
            baseEnv: inheritedEnv(processEnv, options.inheritEnv),
            info,
            runnerTemp,
            stepFiles,
            scope: baseScope(),
            masker,
            log,
            registry,
            run: state,
            skip,
            defaultTimeoutMs: options.defaultStepTimeoutMs ?? 360 * 60_000,
            killGraceMs: options.killGraceMs ?? 5000,
            signal,
          })
        : skippedStep(index, step.id, name);
      steps.push(result);
      if (result.summary !== undefined && result.summary !== '') summaries.push(result.summary);
      if (step.id !== undefined) {
        stepsContext[step.id] = {
          outputs: result.outputs,
          outcome: result.outcome,
          conclusion: result.conclusion,
        };
      }
      if (result.conclusion === 'failure' && status === 'success') {
        status = 'failure';
        failedStep = name;
      }
      if (result.outcome === 'cancelled') status = 'cancelled';
    }
    if (signal.aborted && status === 'success') status = 'cancelled';
    note(`run ${runId} finished: ${status}${failedStep ? ` (failed step: ${failedStep})` : ''}`);

    // 4. The record.
    const result: RunResult = {
      runId,
      trigger: options.trigger,
      status,
      sha,
      ref,
      eventName,
      repository,
      job: jobId,
      workflowPath,
      workflowTriggers: triggers,
      steps,
      logDir,
      logPath,
      summary: summaries.join('\n'),
      published: [...state.published],
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
    };
    if (failedStep !== undefined) result.failedStep = failedStep;
    const scan = state.scanSummary();
    if (scan !== undefined) result.scan = scan;
    // The record on disk is masked like the log (a step may have echoed a secret into an output).
    writeFileSync(join(logDir, 'result.json'), `${masker.mask(JSON.stringify(result, null, 2))}\n`, {
      mode: 0o600,
    });
    return result;
  } catch (err) {
    log.write(-1, 'runner', 'runner', `run ${runId} could not run: ${errorMessage(err)}`);
    throw err;
  } finally {
    // The images the run built go before the log closes, so a failed clean-up is in the log.
    await state.close((text) => log.write(-1, 'runner', 'runner', text));
    await log.close();
    if (!options.keepWorkspace) rmSync(root, { recursive: true, force: true });
  }
}

function skippedStep(index: number, id: string | undefined, name: string): StepResult {
  const r: StepResult = {
    index,
    name,
    outcome: 'skipped',
    conclusion: 'skipped',
    outputs: {},
    durationMs: 0,
    note: 'the job condition is false',
  };
  if (id !== undefined) r.id = id;
  return r;
}
