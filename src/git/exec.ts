/**
 * The one place Slipway starts git: argument arrays only, a controlled environment, a deadline that
 * kills git's whole process group, and output scrubbed of secrets before anyone sees it.
 *
 * The environment is built, not inherited: every `GIT_*` variable of the caller is dropped (a
 * Slipway run from inside a git hook would otherwise inherit `GIT_DIR`/`GIT_INDEX_FILE`), the
 * system and global config files are ignored, prompts are off, and messages are in the C locale so
 * that {@link classifyGitFailure} reads the same words on every machine. Configuration, including
 * credentials, is passed as `GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`, so it never shows in `ps` and
 * git never writes it to a config file. Needs git 2.32 or later (`GIT_CONFIG_GLOBAL`).
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SlipwayError } from '../util/errors.ts';
import { redactUrl } from './remote.ts';

/** One `key=value` of git configuration. */
export type GitConfigEntry = readonly [key: string, value: string];

export interface GitRunOptions {
  /** Working directory (the repository). */
  cwd?: string;
  /** Configuration for this command on top of {@link BASE_CONFIG}. */
  config?: readonly GitConfigEntry[];
  /** Extra environment variables (e.g. the ssh wrapper's). */
  env?: Readonly<Record<string, string>>;
  /** Deadline for the whole command; default 60 s. The process group is killed when it passes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Literal values scrubbed from every message this command produces. */
  secrets?: readonly string[];
  /** What the command talks to or works on, for error messages (a redacted URL or a folder). */
  subject?: string;
  /** Exit codes that are answers, not failures (e.g. `1` for `diff --quiet`). */
  okCodes?: readonly number[];
  /** Bytes for stdin. */
  input?: string;
  /** Read the user's own global config instead of ignoring it (only to look up their credential helper). */
  userGlobalConfig?: boolean;
}

export interface GitResult {
  code: number;
  stdout: string;
  /** stderr with secrets removed. */
  stderr: string;
}

/** Why a git command failed, read from git's own (C-locale) messages. */
export type GitFailureKind =
  | 'auth'
  | 'tls'
  | 'unreachable'
  | 'not-found'
  | 'timeout'
  | 'corrupt'
  | 'rejected'
  | 'aborted'
  | 'other';

/** A git command failed. `kind` says why; `stderr` is already free of secrets. */
export class GitCommandError extends SlipwayError {
  readonly kind: GitFailureKind;
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderr: string;
  /** The message without its subject. */
  readonly detail: string;

  constructor(
    message: string,
    details: {
      kind: GitFailureKind;
      command: string;
      exitCode: number | null;
      stderr: string;
      subject?: string;
      cause?: unknown;
    },
  ) {
    super(message, {
      ...(details.subject !== undefined ? { subject: details.subject } : {}),
      reason: REASONS[details.kind],
      transient: details.kind === 'unreachable' || details.kind === 'timeout',
      cause: details.cause,
    });
    this.name = 'GitCommandError';
    this.kind = details.kind;
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.stderr = details.stderr;
    this.detail = message;
  }
}

const REASONS: Record<GitFailureKind, string> = {
  auth: 'GitAuthenticationFailed',
  tls: 'GitTlsFailed',
  unreachable: 'GitServerUnreachable',
  'not-found': 'GitRepositoryNotFound',
  timeout: 'GitTimeout',
  corrupt: 'GitCacheCorrupt',
  rejected: 'GitPushRejected',
  aborted: 'Aborted',
  other: 'GitCommandFailed',
};

/**
 * Configuration every command gets. Only the listed transports may run (`ext::` would run a
 * command); no hooks, no signing, no background gc that could outlive a lock.
 */
export const BASE_CONFIG: readonly GitConfigEntry[] = [
  ['protocol.allow', 'never'],
  ['protocol.file.allow', 'always'],
  ['protocol.http.allow', 'always'],
  ['protocol.https.allow', 'always'],
  ['protocol.ssh.allow', 'always'],
  ['protocol.git.allow', 'always'],
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  ['commit.gpgSign', 'false'],
  ['gc.autoDetach', 'false'],
  ['maintenance.auto', 'false'],
  ['advice.detachedHead', 'false'],
  ['init.defaultBranch', 'main'],
  ['credential.interactive', 'false'],
];

/** The environment git runs with: the caller's minus every `GIT_*` and askpass variable, plus ours. */
export function gitEnvironment(
  config: readonly GitConfigEntry[],
  extra: Readonly<Record<string, string>> = {},
  userGlobalConfig = false,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('GIT_') || k === 'SSH_ASKPASS' || k === 'SSH_ASKPASS_REQUIRE') continue;
    env[k] = v;
  }
  env['LC_ALL'] = 'C';
  env['LANGUAGE'] = 'C';
  env['GIT_TERMINAL_PROMPT'] = '0';
  env['GIT_CONFIG_NOSYSTEM'] = '1';
  if (!userGlobalConfig) env['GIT_CONFIG_GLOBAL'] = '/dev/null';
  env['GIT_LITERAL_PATHSPECS'] = '1';
  env['GIT_ADVICE'] = '0';
  env['GCM_INTERACTIVE'] = 'never';
  const all = [...BASE_CONFIG, ...config];
  env['GIT_CONFIG_COUNT'] = String(all.length);
  all.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return { ...env, ...extra };
}

/** Scrubs URL userinfo and every literal secret from `text`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = redactUrl(text);
  // Longest first, so a secret that contains another is removed whole.
  for (const s of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join('***');
  }
  return out;
}

const MAX_OUTPUT = 64 * 1024 * 1024;

/** One finished git command, for metrics and benchmarks. */
export interface GitCommandRecord {
  /** `git <subcommand>`. */
  command: string;
  durationMs: number;
  /** Exit code, or null when git was killed or did not start. */
  exitCode: number | null;
}

const observers = new Set<(record: GitCommandRecord) => void>();

/** Calls `fn` after every git command; returns the function that stops it. */
export function observeGitCommands(fn: (record: GitCommandRecord) => void): () => void {
  observers.add(fn);
  return () => observers.delete(fn);
}

/**
 * Runs `git <args>` and returns its output, or throws a {@link GitCommandError}.
 *
 * git runs as the leader of its own process group: on the deadline or an abort the whole group
 * (git, `git-remote-https`, `ssh`, a local `git-receive-pack` and its hooks) gets SIGKILL, so
 * nothing keeps writing into the cache after Slipway has given up on it.
 * @example await runGit(['rev-parse', 'HEAD'], { cwd: repoDir })
 */
export function runGit(args: readonly string[], options: GitRunOptions = {}): Promise<GitResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const secrets = options.secrets ?? [];
  const command = `git ${args.find((a) => !a.startsWith('-')) ?? ''}`.trim();
  const subject = options.subject !== undefined ? redact(options.subject, secrets) : undefined;
  const fail = (
    kind: GitFailureKind,
    message: string,
    exitCode: number | null,
    stderr: string,
    cause?: unknown,
  ) =>
    new GitCommandError(redact(message, secrets), {
      kind,
      command,
      exitCode,
      stderr,
      ...(subject !== undefined ? { subject } : {}),
      cause,
    });

  return new Promise((resolvePromise, rejectPromise) => {
    if (options.signal?.aborted) {
      rejectPromise(fail('aborted', `${command} was cancelled`, null, ''));
      return;
    }
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: gitEnvironment(options.config ?? [], options.env, options.userGlobalConfig),
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let ended: 'timeout' | 'aborted' | 'overflow' | undefined;
    const killGroup = (why: 'timeout' | 'aborted' | 'overflow') => {
      ended ??= why;
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone: nothing left to stop.
      }
      // A helper that left the group (a daemonized ssh master) could hold git's pipes open and
      // delay 'close' forever; stop listening to them shortly after the kill.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, 1000).unref();
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) killGroup('overflow');
      else into.push(chunk);
    };
    child.stdout?.on('data', collect(out));
    child.stderr?.on('data', collect(err));
    // git may exit before reading its input (on an error); that EPIPE is not the failure to report.
    child.stdin?.on('error', () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => killGroup('timeout'), timeoutMs);
    const onAbort = () => killGroup('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    let settled = false;
    const cleanup = (exitCode: number | null = null): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const record = { command, durationMs: performance.now() - started, exitCode };
      for (const fn of observers) fn(record);
      return true;
    };

    child.on('error', (e: NodeJS.ErrnoException) => {
      if (!cleanup()) return;
      const why =
        e.code !== 'ENOENT'
          ? `cannot start git: ${e.message}`
          : options.cwd !== undefined && !existsSync(options.cwd)
            ? `cannot run ${command}: folder ${options.cwd} does not exist`
            : 'git is not installed (not found on PATH)';
      rejectPromise(fail('other', why, null, '', e));
    });
    child.on('close', (code, signal) => {
      if (!cleanup(ended ? null : code)) return;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = redact(Buffer.concat(err).toString('utf8'), secrets);
      if (ended === 'timeout') {
        rejectPromise(
          fail('timeout', `${command} did not finish within ${formatMs(timeoutMs)}`, null, stderr),
        );
        return;
      }
      if (ended === 'aborted') {
        rejectPromise(fail('aborted', `${command} was cancelled`, null, stderr));
        return;
      }
      if (ended === 'overflow') {
        rejectPromise(fail('other', `${command} wrote more than ${MAX_OUTPUT} bytes`, null, stderr));
        return;
      }
      const exit = code ?? -1;
      if (exit === 0 || options.okCodes?.includes(exit)) {
        resolvePromise({ code: exit, stdout, stderr });
        return;
      }
      const kind = classifyGitFailure(stderr);
      const detail = summarizeStderr(stderr) || (signal ? `killed by ${signal}` : `exit code ${exit}`);
      rejectPromise(fail(kind, `${command} failed: ${detail}`, exit, stderr));
    });
  });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The lines of git's stderr worth showing: `fatal:`/`error:` lines when there are any, else the
 * last non-empty line, joined with "; ".
 */
export function summarizeStderr(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const important = lines.filter((l) => /^(fatal|error|remote: error|ERROR):/i.test(l));
  return (important.length > 0 ? important : lines.slice(-1)).join('; ');
}

/**
 * Reads why git failed from its C-locale stderr. git exits 128 for nearly every failure, so its
 * messages are the only place the reason is written; each pattern below is one of git's (or
 * curl's, or ssh's) fixed message texts.
 * @example classifyGitFailure("fatal: Authentication failed for 'https://host/x.git/'") === 'auth'
 */
export function classifyGitFailure(stderr: string): GitFailureKind {
  const s = stderr;
  if (
    /Authentication failed for|could not read (Username|Password) for|terminal prompts disabled|Permission denied \(publickey|The requested URL returned error: 40[13]\b|HTTP Basic: Access denied|Host key verification failed/i.test(
      s,
    )
  ) {
    return 'auth';
  }
  if (
    /certificate verification failed|SSL certificate problem|certificate verify failed|gnutls_handshake\(\) failed|SSL_connect|wrong version number/i.test(
      s,
    )
  ) {
    return 'tls';
  }
  if (
    /does not appear to be a git repository|repository '.*' not found|Repository not found|The requested URL returned error: 404|couldn't find remote ref|Remote branch .* not found/i.test(
      s,
    )
  ) {
    return 'not-found';
  }
  if (
    /Could not resolve host|Failed to connect to|Connection refused|Connection timed out|Connection reset|No route to host|Network is unreachable|Could not read from remote repository|unable to connect|Operation timed out|The requested URL returned error: 5\d\d|Empty reply from server|connection closed/i.test(
      s,
    )
  ) {
    return 'unreachable';
  }
  if (
    /not a git repository|bad object|is corrupt|object file .* is empty|bad config|unable to read tree|index file corrupt|loose object .* is corrupt|broken link|bad signature|packfile .* cannot be accessed|fatal: your current branch appears to be broken|fatal: bad revision|unable to parse|invalid gitfile/i.test(
      s,
    )
  ) {
    return 'corrupt';
  }
  return 'other';
}
