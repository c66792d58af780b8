/**
 * The git runner against the real git binary: deadlines that kill git's whole process group,
 * cancellation, secrets scrubbed from what git prints, and the environment git really sees.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processIdentity } from '../../src/devcluster/processes.ts';
import { GitCommandError, observeGitCommands, runGit } from '../../src/git/index.ts';
import { sleep } from '../../src/util/abort.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('slipway-exec-');
afterAll(() => tmp.remove());

/** `git <alias>` running a shell snippet: a stand-in for a long git subprocess (a hook, ssh). */
const alias = (name: string, script: string) => ({ config: [[`alias.${name}`, `!${script}`]] as const });

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && processIdentity(pid) !== undefined; i++) await sleep(20);
  return processIdentity(pid) === undefined;
}

describe('runGit', () => {
  it('kills the whole process group at the deadline and says which command timed out', async () => {
    const pidFile = join(tmp.dir, 'slow.pid');
    const err = await runGit(['slow'], {
      ...alias('slow', `sh -c 'echo $$ > ${pidFile}; exec sleep 30'`),
      cwd: tmp.dir,
      timeoutMs: 2000,
      subject: 'the test',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitCommandError);
    expect((err as GitCommandError).kind).toBe('timeout');
    expect((err as Error).message).toBe('the test: git slow did not finish within 2s');
    expect(await gone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });

  it('kills the group when the signal aborts', async () => {
    const pidFile = join(tmp.dir, 'abort.pid');
    const controller = new AbortController();
    const running = runGit(['hang'], {
      ...alias('hang', `sh -c 'echo $$ > ${pidFile}; exec sleep 30'`),
      cwd: tmp.dir,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    for (let i = 0; i < 100; i++) {
      const text = (() => {
        try {
          return readFileSync(pidFile, 'utf8');
        } catch {
          return '';
        }
      })();
      if (text.trim() !== '') break;
      await sleep(20);
    }
    controller.abort();
    const err = await running;
    expect((err as GitCommandError).kind).toBe('aborted');
    expect(await gone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });

  it('scrubs secrets and URL passwords from what git prints, in the error and its stderr', async () => {
    const err = await runGit(['leak'], {
      ...alias('leak', "echo 'fatal: token s3cr3t-T0KEN at https://bot:pw1234@h/x.git' >&2; exit 128"),
      cwd: tmp.dir,
      secrets: ['s3cr3t-T0KEN'],
    }).catch((e: unknown) => e);
    const e = err as GitCommandError;
    expect(e.message).toBe('git leak failed: fatal: token *** at https://***@h/x.git');
    expect(e.stderr).not.toContain('s3cr3t-T0KEN');
    expect(e.stderr).not.toContain('pw1234');
    expect(e.exitCode).toBe(128);
  });

  it("runs git with no user or system config, no prompts, and none of the caller's GIT_ variables", async () => {
    const before = process.env['GIT_DIR'];
    process.env['GIT_DIR'] = '/nonexistent/.git';
    try {
      const result = await runGit(['env'], { ...alias('env', 'env'), cwd: tmp.dir });
      const env = new Map(
        result.stdout
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(env.get('GIT_TERMINAL_PROMPT')).toBe('0');
      expect(env.get('GIT_CONFIG_NOSYSTEM')).toBe('1');
      expect(env.get('GIT_CONFIG_GLOBAL')).toBe('/dev/null');
      expect(env.get('LC_ALL')).toBe('C');
      // git sets GIT_DIR for aliases itself only inside a repository; the caller's value is gone.
      expect(env.get('GIT_DIR')).not.toBe('/nonexistent/.git');
    } finally {
      if (before === undefined) delete process.env['GIT_DIR'];
      else process.env['GIT_DIR'] = before;
    }
  });

  it('reports every command to observers, with its exit code', async () => {
    const seen: Array<{ command: string; exitCode: number | null }> = [];
    const stop = observeGitCommands((r) => seen.push({ command: r.command, exitCode: r.exitCode }));
    await runGit(['--version']).catch(() => undefined);
    await runGit(['fail'], { ...alias('fail', 'exit 3'), cwd: tmp.dir }).catch(() => undefined);
    stop();
    await runGit(['--version']);
    expect(seen).toEqual([
      { command: 'git', exitCode: 0 },
      { command: 'git fail', exitCode: 3 },
    ]);
  });

  it('treats listed exit codes as answers', async () => {
    const result = await runGit(['one'], { ...alias('one', 'exit 1'), cwd: tmp.dir, okCodes: [1] });
    expect(result.code).toBe(1);
  });
});
