/**
 * Runs one external tool of an action (buildah, podman, docker, trivy) the way `run:` steps run:
 * an argument array, its own process group killed whole when the step's signal aborts (the step's
 * timeout, the job's, or a cancel), every output line to the step's log (masked there). Nothing is
 * ever passed through a shell.
 * @module
 */
import { basename } from 'node:path';
import { SlipwayError } from '../util/errors.ts';
import { runScript } from './process.ts';

/** Options of {@link runTool}. */
export interface RunToolOptions {
  argv: readonly [string, ...string[]];
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Writes one output line to the step's log; stderr lines are passed too. */
  log: (line: string) => void;
  /** Who is running it, for errors: `step 'Build and push image'`. */
  subject: string;
  /** What it was doing, for errors: `push of 127.0.0.1:5000/app:abc`. */
  what: string;
  /** Don't log stdout (it is data, e.g. JSON that the caller parses). */
  quietStdout?: boolean;
  /** SIGTERM → SIGKILL grace; default 5 s. */
  killGraceMs?: number;
}

/** What a finished tool printed. */
export interface ToolOutput {
  stdout: string[];
  stderr: string[];
}

/** Lines kept of a tool's stderr for the error message. */
const ERROR_TAIL = 6;
/** Lines kept in memory per stream: tools print progress; the log has all of it. */
const MAX_LINES = 10_000;

/**
 * Runs the tool and resolves with its output when it exits 0.
 * @throws {SlipwayError} `ToolFailed` naming the tool, what it was doing and the tail of its stderr;
 *   `ToolNotFound` when it cannot be started; `StepCancelled` when the signal stopped it.
 */
export async function runTool(options: RunToolOptions): Promise<ToolOutput> {
  const out: ToolOutput = { stdout: [], stderr: [] };
  const program = basename(options.argv[0]);
  const outcome = await runScript({
    argv: options.argv,
    cwd: options.cwd,
    env: options.env,
    // The step's signal carries every deadline; this only guards against a signal that never fires.
    timeoutMs: 24 * 3600_000,
    killGraceMs: options.killGraceMs ?? 5000,
    signal: options.signal,
    onLine: (stream, text) => {
      const list = stream === 'stdout' ? out.stdout : out.stderr;
      if (list.length < MAX_LINES) list.push(text);
      if (stream === 'stderr' || !options.quietStdout) options.log(text);
    },
  });
  if (outcome.spawnError) {
    throw new SlipwayError(`cannot start ${program} for the ${options.what}: ${outcome.spawnError.message}`, {
      subject: options.subject,
      reason: 'ToolNotFound',
      cause: outcome.spawnError,
    });
  }
  if (outcome.aborted || outcome.timedOut) {
    const reason: unknown = options.signal.reason;
    const timeout = reason instanceof DOMException && reason.name === 'TimeoutError';
    throw new SlipwayError(
      `${program} was stopped during the ${options.what}${timeout ? ': the step reached its timeout' : ': the run was cancelled'}`,
      { subject: options.subject, reason: 'StepCancelled', cause: reason },
    );
  }
  if (outcome.exitCode !== 0) {
    // Tools print progress on stderr too: their own `Error: …` lines say what went wrong.
    const lines = out.stderr.filter((l) => l.trim() !== '');
    const errors = lines.filter((l) => /^(error|fatal)\b/i.test(l.trim()));
    const tail = (errors.length > 0 ? errors : lines).slice(-ERROR_TAIL).join(' | ');
    const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
    throw new SlipwayError(`the ${options.what} failed: ${program} ${how}${tail ? `: ${tail}` : ''}`, {
      subject: options.subject,
      reason: 'ToolFailed',
    });
  }
  return out;
}
