/**
 * The external renderers: kustomize, helm and kubectl. Each is found once per lookup, run with an
 * argument array (never a shell string) under a timeout, and its failure becomes a
 * {@link SlipwayError} that quotes what the tool said.
 *
 * Lookup order for a tool: `$SLIPWAY_<TOOL>` (a path), the pinned build in
 * `${SLIPWAY_CACHE:-~/.cache/slipway}/tools/bin` (made by `scripts/build-tools.sh`), then `$PATH`.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { cacheRoot } from '../util/cache.ts';
import { SlipwayError } from '../util/errors.ts';

export type ToolName = 'kustomize' | 'helm' | 'kubectl';

/** The folder `scripts/build-tools.sh` installs into. */
export function toolsBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'tools', 'bin');
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The path of `tool`, or undefined when it is nowhere to be found. */
export async function findTool(
  tool: ToolName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const override = env[`SLIPWAY_${tool.toUpperCase()}`];
  if (override) return override;
  const pinned = join(toolsBinDir(env), tool);
  if (await isExecutable(pinned)) return pinned;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && (await isExecutable(join(dir, tool)))) return join(dir, tool);
  }
  return undefined;
}

/** How to run a tool. */
export interface RunToolOptions {
  cwd?: string;
  /** Default 120 s: a large chart renders in a few seconds, a hung one never finishes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Stdout is capped: anything past this is not a manifest set anybody applies. */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * Runs `bin args...` and returns its stdout. On a non-zero exit, a timeout or a missing binary,
 * throws a {@link SlipwayError} whose message carries the tool's stderr (the part that names the file).
 */
export function runTool(
  label: string,
  bin: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<string> {
  const timeout = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      [...args],
      {
        cwd: options.cwd,
        timeout,
        maxBuffer: MAX_OUTPUT,
        encoding: 'utf8',
        env: options.env ?? process.env,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        let why: string;
        if (e.code === 'ENOENT') why = `${bin} not found`;
        else if (e.killed && options.signal?.aborted) why = 'cancelled';
        else if (e.killed) why = `timed out after ${Math.round(timeout / 1000)}s`;
        else why = cleanToolError(stderr) || e.message;
        reject(new SlipwayError(`${label} failed: ${why}`, { reason: 'RenderFailed', cause: err }));
      },
    );
  });
}

/** A tool's stderr without Go's `Error: ` prefix and usage noise, on as few lines as it needs. */
export function cleanToolError(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !l.startsWith('Usage:'))
    .map((l) => l.replace(/^Error: /, ''))
    .join('\n')
    .trim();
}
