/**
 * Runs one step's script as its own process group and reports its output line by line.
 *
 * The script is a file (`bash --noprofile --norc -eo pipefail <file>`, GitHub's default for
 * `shell: bash`): Slipway never builds a shell command line. The process is the leader of a new
 * group, so a timeout or an abort signals everything the step started — `make`, its children,
 * and anything put in the background with `&` — with `kill(-pid)`: SIGTERM first, SIGKILL after
 * a grace period. When the script exits normally, background children it left behind are killed
 * too (GitHub kills a job's orphans when the job ends; Slipway does it per step, so no step can
 * outlive the run).
 * @module
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runInBackground } from '../util/background.ts';

/** How a step's process ended. */
export interface ProcessOutcome {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the shell could not be started at all. */
  spawnError?: Error;
}

/** Options of {@link runScript}. */
export interface RunScriptOptions {
  /** The program and its arguments, the script file last (e.g. `['bash', '--noprofile', …, file]`). */
  argv: readonly [string, ...string[]];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** SIGTERM → SIGKILL grace; default 5 s. */
  killGraceMs?: number;
  signal?: AbortSignal;
  /** Called for every complete output line (without its newline). */
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is already gone, which is what we wanted.
  }
}

/** Runs a script and resolves when it and its process group are done. Never rejects. */
export function runScript(options: RunScriptOptions): Promise<ProcessOutcome> {
  const [program, ...args] = options.argv;
  const grace = options.killGraceMs ?? 5000;
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: null, timedOut, aborted: true });
      return;
    }
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const streamsDone: Promise<void>[] = [];
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name];
      if (stream === null) continue;
      const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      rl.on('line', (line) => options.onLine(name, line));
      streamsDone.push(new Promise((r) => rl.once('close', () => r())));
    }
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const finish = (outcome: ProcessOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.on('error', (err) => finish({ exitCode: null, signal: null, timedOut, aborted, spawnError: err }));
    child.on('exit', (exitCode, signal) => {
      // Orphans (a `sleep 600 &`) still hold the pipes; end them so output closes and nothing
      // the step started outlives it.
      killGroup(child.pid, 'SIGKILL');
      const flushed = Promise.all(streamsDone);
      const bounded = new Promise<void>((r) => setTimeout(r, 2000).unref());
      runInBackground('ci step output flush', async () => {
        await Promise.race([flushed, bounded]);
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ exitCode, signal, timedOut, aborted });
      });
    });
  });
}
