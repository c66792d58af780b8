/**
 * One step of a run: its environment, its `if:`, then its script or its action, and what it left
 * in the step files. Called by `runWorkflow` in order; returns the step's record and never throws
 * for anything the step itself did.
 * @module
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import type { ActionRegistry } from './actions.ts';
import { actionName } from './actions.ts';
import { addMaskValue, type Masker, parseKeyValueFile, parsePathFile } from './commands.ts';
import { defaultStepEnv, type GithubInfo, type RawMap, scalarText } from './contexts.ts';
import {
  ExpressionError,
  type ExpressionScope,
  type ExprValue,
  evaluateCondition,
  evaluateValue,
  interpolate,
  isTruthy,
  toText,
} from './expressions.ts';
import type { RunLog } from './log.ts';
import { runScript } from './process.ts';
import type { CiRunState } from './run-state.ts';
import type { WorkflowStep } from './workflow.ts';

/** `success`/`failure` as the step ended; `skipped` when it did not run. */
export type StepOutcome = 'success' | 'failure' | 'cancelled' | 'skipped';

/** The record of one step. */
export interface StepResult {
  index: number;
  id?: string;
  name: string;
  /** The `uses:` value of an action step. */
  uses?: string;
  /** What happened (`steps.<id>.outcome`). */
  outcome: StepOutcome;
  /** What counts for the job, after `continue-on-error` (`steps.<id>.conclusion`). */
  conclusion: StepOutcome;
  outputs: Record<string, string>;
  durationMs: number;
  exitCode?: number | null;
  /** Why the step failed, naming the step. */
  error?: string;
  /** A handler's remark (e.g. why a login was skipped). */
  note?: string;
  /** What the step wrote to `$GITHUB_STEP_SUMMARY`. */
  summary?: string;
}

/** Everything {@link executeStep} needs; the runner owns all of it. */
export interface StepContext {
  index: number;
  step: WorkflowStep;
  name: string;
  /** `jobs.<id>.steps[<n>]`, for messages. */
  path: string;
  file: string;
  workflowEnv: RawMap;
  jobEnv: RawMap;
  jobDefaults: { shell?: string | undefined; 'working-directory'?: string | undefined };
  /** Values written to `$GITHUB_ENV` so far; this step's additions are merged in. */
  githubEnv: Record<string, string>;
  envOverrides: Readonly<Record<string, string>>;
  /** Folders added with `$GITHUB_PATH` so far, first = highest priority. */
  extraPath: string[];
  baseEnv: Record<string, string>;
  info: GithubInfo;
  runnerTemp: string;
  stepFiles: string;
  /** Contexts without `env` (filled in here). */
  scope: ExpressionScope;
  masker: Masker;
  log: RunLog;
  registry: ActionRegistry;
  /** What the actions of the run share. */
  run: CiRunState;
  skip: ReadonlySet<string>;
  defaultTimeoutMs: number;
  killGraceMs: number;
  signal: AbortSignal;
}

/** A step-level failure with the message the record shows. */
class StepFailure extends Error {}

/** Builds the step's `env`: workflow < job < `$GITHUB_ENV` < step < overrides. */
function stepEnv(ctx: StepContext): { env: Record<string, string>; scope: ExpressionScope } {
  const env: Record<string, string> = {};
  const scopeWith = (): ExpressionScope => ({
    ...ctx.scope,
    contexts: { ...ctx.scope.contexts, env: { ...env } },
  });
  // Values from `$GITHUB_ENV` are data a script wrote, never expressions to evaluate.
  const layer = (map: RawMap, where: string, literal = false) => {
    for (const [k, v] of Object.entries(map)) {
      if (ctx.envOverrides[k] !== undefined) continue;
      env[k] =
        typeof v === 'string' && !literal ? evalText(v, scopeWith(), `${where}.${k}`, ctx) : scalarText(v);
    }
    Object.assign(env, ctx.envOverrides);
  };
  layer(ctx.workflowEnv, 'env');
  layer(ctx.jobEnv, `${ctx.path.replace(/\.steps\[\d+\]$/, '')}.env`);
  layer(ctx.githubEnv, '$GITHUB_ENV', true);
  layer(ctx.step.env ?? {}, `${ctx.path}.env`);
  return { env, scope: scopeWith() };
}

function expressionFailure(err: unknown, where: string, ctx: StepContext): Error {
  if (err instanceof ExpressionError) {
    return new StepFailure(
      `step '${ctx.name}' (${ctx.file}: ${where}): ${err.message} in '${err.expression}'`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

function evalText(value: string, scope: ExpressionScope, where: string, ctx: StepContext): string {
  try {
    return interpolate(value, scope);
  } catch (err) {
    throw expressionFailure(err, where, ctx);
  }
}

function evalAny(
  value: string | number | boolean | null,
  scope: ExpressionScope,
  where: string,
  ctx: StepContext,
): ExprValue {
  if (typeof value !== 'string') return value;
  try {
    return evaluateValue(value, scope);
  } catch (err) {
    throw expressionFailure(err, where, ctx);
  }
}

/** Runs one step and returns its record. */
export async function executeStep(ctx: StepContext): Promise<StepResult> {
  const t0 = performance.now();
  const { step } = ctx;
  const record: StepResult = {
    index: ctx.index,
    name: ctx.name,
    outcome: 'skipped',
    conclusion: 'skipped',
    outputs: {},
    durationMs: 0,
  };
  if (step.id !== undefined) record.id = step.id;
  if (step.uses !== undefined) record.uses = step.uses;
  const line = (text: string) => ctx.log.write(ctx.index, ctx.name, 'runner', text);

  let continueOnError = false;
  try {
    const { env, scope } = stepEnv(ctx);
    let runs: boolean;
    try {
      runs = evaluateCondition(step.if, scope);
    } catch (err) {
      throw expressionFailure(err, `${ctx.path}.if`, ctx);
    }
    if (!runs) {
      line(`skipped: the condition ${step.if === undefined ? 'success()' : `'${String(step.if)}'`} is false`);
      return record;
    }
    const coe = step['continue-on-error'];
    continueOnError =
      coe === undefined ? false : isTruthy(evalAny(coe, scope, `${ctx.path}.continue-on-error`, ctx));
    line(`starting ${ctx.name}`);
    if (step.run !== undefined) await runStep(ctx, env, scope, record);
    else await usesStep(ctx, env, scope, record);
  } catch (err) {
    record.outcome = ctx.signal.aborted ? 'cancelled' : 'failure';
    // Handlers' errors already name the step as their subject; others get it here.
    const named =
      err instanceof StepFailure ||
      (err instanceof SlipwayError && (err.subject ?? '').startsWith(`step '${ctx.name}'`));
    record.error = named ? errorMessage(err) : `step '${ctx.name}': ${errorMessage(err)}`;
    line(`error: ${record.error}`);
  }
  record.conclusion = record.outcome === 'failure' && continueOnError ? 'success' : record.outcome;
  record.durationMs = Math.round(performance.now() - t0);
  line(
    `${ctx.name}: ${record.outcome}${record.conclusion !== record.outcome ? ` (continue-on-error: ${record.conclusion})` : ''}`,
  );
  return record;
}

/**
 * The working directory of a `run:` step: it must exist and, with symbolic links resolved, stay
 * inside the checkout (a repository cannot point a step at the runner's own files).
 */
function workingDirectory(ctx: StepContext, scope: ExpressionScope): string {
  const raw = ctx.step['working-directory'] ?? ctx.jobDefaults['working-directory'];
  if (raw === undefined) return ctx.info.workspace;
  const where = `${ctx.file}: ${ctx.path}.working-directory`;
  const wanted = resolve(ctx.info.workspace, evalText(raw, scope, `${ctx.path}.working-directory`, ctx));
  const inside = (dir: string, root: string) => {
    const rel = relative(root, dir);
    return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  };
  if (!inside(wanted, ctx.info.workspace)) {
    throw new StepFailure(`step '${ctx.name}' (${where}): '${raw}' is outside the checkout`);
  }
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    throw new StepFailure(`step '${ctx.name}' (${where}): '${raw}' does not exist in the checkout`);
  }
  if (!inside(real, realpathSync(ctx.info.workspace))) {
    throw new StepFailure(
      `step '${ctx.name}' (${where}): '${raw}' leads outside the checkout through a symbolic link`,
    );
  }
  return real;
}

function shellArgv(ctx: StepContext, script: string): [string, ...string[]] {
  const shell = ctx.step.shell ?? ctx.jobDefaults.shell ?? 'bash';
  // GitHub's templates for these shells (`{0}` is the script file).
  if (shell === 'bash') return ['bash', '--noprofile', '--norc', '-eo', 'pipefail', script];
  if (shell === 'sh') return ['sh', '-e', script];
  throw new StepFailure(
    `step '${ctx.name}' (${ctx.file}: ${ctx.path}.shell): shell '${shell}' is not supported (bash, sh)`,
  );
}

/** A step timeout for messages: `5 minute(s)`, or seconds when it is not whole minutes (`3s`). */
function limitText(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} minute(s)` : `${Math.round(ms / 100) / 10}s`;
}

function timeoutMs(ctx: StepContext, scope: ExpressionScope): number {
  const raw = ctx.step['timeout-minutes'];
  if (raw === undefined) return ctx.defaultTimeoutMs;
  const minutes = Number(toText(evalAny(raw, scope, `${ctx.path}.timeout-minutes`, ctx)));
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new StepFailure(
      `step '${ctx.name}' (${ctx.file}: ${ctx.path}.timeout-minutes): '${String(raw)}' is not a positive number`,
    );
  }
  return minutes * 60_000;
}

async function runStep(
  ctx: StepContext,
  env: Record<string, string>,
  scope: ExpressionScope,
  record: StepResult,
): Promise<void> {
  const script = evalText(ctx.step.run ?? '', scope, `${ctx.path}.run`, ctx);
  const dir = join(ctx.stepFiles, String(ctx.index));
  mkdirSync(dir, { recursive: true });
  const scriptFile = join(dir, 'script.sh');
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '', { mode: 0o600 });
  writeFileSync(scriptFile, script, { mode: 0o700 });
  const cwd = workingDirectory(ctx, scope);
  const limit = timeoutMs(ctx, scope);
  const argv = shellArgv(ctx, scriptFile);
  const basePath = ctx.baseEnv['PATH'] ?? '/usr/local/bin:/usr/bin:/bin';
  const processEnv = {
    ...ctx.baseEnv,
    ...defaultStepEnv(ctx.info, ctx.runnerTemp),
    ...env,
    ...files,
    PATH: [...ctx.extraPath, env['PATH'] ?? basePath].join(delimiter),
  };
  const outcome = await runScript({
    argv,
    cwd,
    env: processEnv,
    timeoutMs: limit,
    killGraceMs: ctx.killGraceMs,
    signal: ctx.signal,
    onLine: (stream, text) => {
      const mask = addMaskValue(text);
      if (mask !== undefined) {
        ctx.masker.add(mask);
        return;
      }
      ctx.log.write(ctx.index, ctx.name, stream, text);
    },
  });
  record.exitCode = outcome.exitCode;
  // Outputs and env are read even after a failure: GitHub keeps what the step wrote.
  readStepFiles(ctx, files, record);
  if (outcome.spawnError)
    throw new StepFailure(`step '${ctx.name}': cannot start ${argv[0]}: ${outcome.spawnError.message}`);
  if (outcome.timedOut) {
    throw new StepFailure(
      `step '${ctx.name}' did not finish within ${limitText(limit)} and was killed with its processes`,
    );
  }
  if (outcome.aborted) {
    // AbortSignal.timeout's reason: the job's own timeout-minutes, which GitHub also treats as a cancel.
    const reason: unknown = ctx.signal.reason;
    const jobTimeout = reason instanceof DOMException && reason.name === 'TimeoutError';
    throw new StepFailure(
      `step '${ctx.name}' was cancelled${jobTimeout ? ": the job's timeout-minutes passed" : ''}`,
    );
  }
  if (outcome.exitCode !== 0) {
    const why = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
    throw new StepFailure(`step '${ctx.name}' failed: the script ${why}`);
  }
  record.outcome = 'success';
}

function readStepFiles(
  ctx: StepContext,
  files: Record<'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY', string>,
  record: StepResult,
): void {
  const read = (key: keyof typeof files) => readFileSync(files[key], 'utf8');
  try {
    record.outputs = parseKeyValueFile(read('GITHUB_OUTPUT'));
    Object.assign(ctx.githubEnv, parseKeyValueFile(read('GITHUB_ENV')));
  } catch (err) {
    throw new StepFailure(`step '${ctx.name}': ${errorMessage(err)}`);
  }
  ctx.extraPath.unshift(...parsePathFile(read('GITHUB_PATH')).reverse());
  const summary = read('GITHUB_STEP_SUMMARY');
  if (summary !== '') record.summary = ctx.masker.mask(summary);
}

async function usesStep(
  ctx: StepContext,
  env: Record<string, string>,
  scope: ExpressionScope,
  record: StepResult,
): Promise<void> {
  const uses = ctx.step.uses ?? '';
  const name = actionName(uses);
  if (ctx.skip.has(name)) {
    record.outcome = 'success';
    record.note = `skipped on request (${name})`;
    ctx.log.write(ctx.index, ctx.name, 'runner', record.note);
    return;
  }
  const handler = ctx.registry.lookup(uses);
  if (handler === undefined) {
    throw new StepFailure(
      `step '${ctx.name}' (${ctx.file}: ${ctx.path}.uses): action '${uses}' is not supported by Slipway's CI runner (supported: ${ctx.registry.names().join(', ')})`,
    );
  }
  const inputs: Record<string, ExprValue> = {};
  for (const [k, v] of Object.entries(ctx.step.with ?? {}))
    inputs[k] = evalAny(v, scope, `${ctx.path}.with.${k}`, ctx);
  // An action's tools run under the step's timeout as a script does: the signal kills their groups.
  const limit = timeoutMs(ctx, scope);
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(limit)]);
  const basePath = ctx.baseEnv['PATH'] ?? '/usr/local/bin:/usr/bin:/bin';
  let result: Awaited<ReturnType<typeof handler.run>>;
  try {
    result = await handler.run({
      uses,
      stepName: ctx.name,
      inputs,
      workspace: ctx.info.workspace,
      env: {
        ...ctx.baseEnv,
        ...defaultStepEnv(ctx.info, ctx.runnerTemp),
        ...env,
        PATH: [...ctx.extraPath, env['PATH'] ?? basePath].join(delimiter),
      },
      run: ctx.run,
      log: (text) => ctx.log.write(ctx.index, ctx.name, 'stdout', text),
      addMask: (value) => ctx.masker.add(value),
      signal,
    });
  } catch (err) {
    if (signal.aborted && !ctx.signal.aborted) {
      throw new StepFailure(
        `step '${ctx.name}' did not finish within ${limitText(limit)} and was stopped: ${errorMessage(err)}`,
      );
    }
    throw err;
  }
  record.outputs = result.outputs ?? {};
  if (result.note !== undefined) record.note = result.note;
  record.outcome = 'success';
}
