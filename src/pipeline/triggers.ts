/**
 * What starts a pipeline run: polling the source remote (`slipway ci watch`), a post-receive hook
 * in a local bare repository (`slipway ci hook install`), and GitHub push webhooks on the server's
 * endpoint. Each hands a commit to {@link handlePush}, which records why the run started.
 * @module
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { withRepo } from '../git/index.ts';
import type { PushEvent } from '../server/index.ts';
import { webURLRegex } from '../server/index.ts';
import { sleep } from '../util/abort.ts';
import { runInBackground } from '../util/background.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { EventLog } from './event-log.ts';
import { reconcilePipeline } from './reconcile.ts';
import { type CiDeps, handlePush, type PushOutcome } from './runs.ts';
import type { Pipeline } from './spec.ts';
import { replay } from './state.ts';

/** Options of {@link watchSource}. */
export interface WatchOptions {
  /** Time between polls; default 30 s. */
  intervalMs?: number;
  /** Also reconcile promotions after every poll; default true. */
  reconcile?: boolean;
  signal: AbortSignal;
  /** Called with each outcome (tests and the CLI print them). */
  onOutcome?: (outcome: PushOutcome) => void;
}

/**
 * Polls the source remote for the branch head (`ls-remote`, no clone) until `signal` aborts; a head
 * not yet run starts a run. Runs go on while polling continues (a newer head supersedes a queued
 * one); on abort, waits for the runs it started.
 */
export async function watchSource(deps: CiDeps, options: WatchOptions): Promise<void> {
  const spec = deps.pipeline.spec;
  const log = new EventLog(deps.stateRoot, deps.pipeline.name);
  const inFlight = new Set<Promise<void>>();
  let lastSeen: string | undefined;
  const intervalMs = options.intervalMs ?? 30_000;
  try {
    while (!options.signal.aborted) {
      try {
        const head = await withRepo(
          {
            url: spec.source.repo,
            ...(deps.gitCacheRoot ? { cacheRoot: deps.gitCacheRoot } : {}),
            ...(deps.env ? { env: deps.env } : {}),
            signal: options.signal,
          },
          (repo) => repo.resolveRef(spec.source.branch),
        );
        const known = replay(deps.pipeline.order, log.read()).runs.some(
          (r) => r.sha === head && r.state !== 'superseded',
        );
        if (head !== lastSeen && !known) {
          const run = handlePush({ ...deps, signal: options.signal }, head, {
            kind: 'poll',
            detail: `${spec.source.branch} moved to ${head.slice(0, 7)}`,
          }).then((o) => options.onOutcome?.(o));
          const tracked = run.finally(() => inFlight.delete(tracked));
          inFlight.add(tracked);
          // Observed by `inFlight` and awaited on stop; a failure here is reported, not lost.
          runInBackground(`pipeline ${deps.pipeline.name} run ${head.slice(0, 7)}`, () => tracked);
        }
        lastSeen = head;
        if (options.reconcile !== false && inFlight.size === 0) await reconcilePipeline(deps);
      } catch (err) {
        if (options.signal.aborted) break;
        deps.log?.(`${deps.pipeline.name}: poll failed: ${errorMessage(err)}`);
      }
      await sleep(intervalMs, options.signal).catch(() => undefined);
    }
  } finally {
    await Promise.allSettled([...inFlight]);
  }
}

/** Options of {@link installHook}. */
export interface HookOptions {
  /** The bare repository that receives pushes. */
  repoDir: string;
  /** The pipeline file (absolute). */
  pipelineFile: string;
  /** The argv that runs `slipway` (e.g. `[node, /path/bin/slipway.js]`). */
  command: readonly string[];
  /** Extra arguments to `slipway ci hook receive` (e.g. `--state DIR`). */
  extraArgs?: readonly string[];
  /** Wait for the run to finish before the push completes; default false (the run is detached). */
  foreground?: boolean;
  /** Replace a post-receive hook Slipway did not write; default false. */
  force?: boolean;
}

const HOOK_MARKER = '// slipway post-receive hook';

/**
 * The post-receive hook: a Node script (git runs it with the pushed `<old> <new> <ref>` lines on
 * stdin) that calls `slipway ci hook receive --ref <ref> --sha <new>` for each updated branch, with
 * an argument array — nothing from the push reaches a shell. Values are embedded as JSON literals.
 */
export function hookScript(options: Omit<HookOptions, 'repoDir' | 'force'>): string {
  const argv = [
    ...options.command,
    'ci',
    'hook',
    'receive',
    '--pipeline',
    options.pipelineFile,
    ...(options.extraArgs ?? []),
  ];
  return `#!${process.execPath}
${HOOK_MARKER}: hands each pushed branch to \`slipway ci hook receive\`.
'use strict';
const argv = ${JSON.stringify(argv)};
const foreground = ${JSON.stringify(options.foreground === true)};
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  const { spawn } = await import('node:child_process');
  for (const line of input.split('\\n')) {
    const [, sha, ref] = line.trim().split(' ');
    if (!sha || !ref || !ref.startsWith('refs/heads/') || /^0+$/.test(sha)) continue;
    const args = [...argv.slice(1), '--ref', ref, '--sha', sha];
    if (foreground) {
      const code = await new Promise((resolve) => {
        spawn(argv[0], args, { stdio: ['ignore', 'inherit', 'inherit'] }).on('close', resolve);
      });
      if (code !== 0) process.stderr.write('slipway: the pipeline run for ' + ref + ' failed (exit ' + code + ')\\n');
    } else {
      spawn(argv[0], args, { stdio: 'ignore', detached: true }).unref();
      process.stdout.write('slipway: pipeline run for ' + ref + ' ' + sha.slice(0, 7) + ' started\\n');
    }
  }
});
`;
}

/**
 * Writes `hooks/post-receive` into a bare repository.
 * @throws {SlipwayError} when the folder is not a bare repository, or another hook is there.
 */
export function installHook(options: HookOptions): string {
  const hooks = join(options.repoDir, 'hooks');
  if (!existsSync(join(options.repoDir, 'HEAD')) || !existsSync(join(options.repoDir, 'objects'))) {
    throw new SlipwayError('not a bare git repository', {
      subject: options.repoDir,
      reason: 'NotARepository',
    });
  }
  if (!isAbsolute(options.pipelineFile)) {
    throw new SlipwayError('must be an absolute path', { subject: '--pipeline', reason: 'InvalidPath' });
  }
  const path = join(hooks, 'post-receive');
  if (existsSync(path) && !options.force && !readFileSync(path, 'utf8').includes(HOOK_MARKER)) {
    throw new SlipwayError('a post-receive hook is already installed (use --force to replace it)', {
      subject: path,
      reason: 'HookExists',
    });
  }
  writeFileSync(path, hookScript(options), { mode: 0o755 });
  chmodSync(path, 0o755);
  return path;
}

/** A pipeline the webhook can start, and how to start it. */
export interface WebhookPipeline {
  pipeline: Pipeline;
  handle: (sha: string, delivery: string) => Promise<unknown>;
}

/**
 * The `onPush` part for service repositories: a verified GitHub push (see `src/server`) to a
 * pipeline's source repository and branch starts a run in the background. Returns how many runs
 * it started (the HTTP answer comes before the run ends).
 */
export function pipelinePushHandler(pipelines: readonly WebhookPipeline[]): (event: PushEvent) => number {
  return (event) => {
    let started = 0;
    // A deleted branch (after = 40 zeros) has nothing to run.
    if (!/^[0-9a-f]{40}$/.test(event.after) || /^0+$/.test(event.after)) return 0;
    for (const p of pipelines) {
      const source = p.pipeline.spec.source;
      const matches = event.webURLs.some((url) => {
        try {
          return webURLRegex(url).test(source.repo);
        } catch {
          return false; // an unparsable URL in a payload names no pipeline
        }
      });
      if (!matches || event.revision !== source.branch) continue;
      started++;
      runInBackground(`pipeline ${p.pipeline.name} webhook ${event.after.slice(0, 7)}`, () =>
        p.handle(event.after, `github push ${event.before.slice(0, 7)}..${event.after.slice(0, 7)}`),
      );
    }
    return started;
  };
}
