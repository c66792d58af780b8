/**
 * scripts/build-tools.sh: pinned, idempotent, and a failure names the step and the module.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolsBinDir } from '../../src/manifests/tools.ts';
import { ensureTools, scratchDir } from './helpers.ts';

const run = promisify(execFile);
const scratch = scratchDir('slipway-build-tools-');
afterAll(() => scratch.remove());

async function build(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bash', ['scripts/build-tools.sh', ...args], {
      env,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('scripts/build-tools.sh', () => {
  beforeAll(() => {
    ensureTools();
  }, 900_000);

  it('--print-dir names the bin folder Slipway looks in', async () => {
    const res = await build({ ...process.env, SLIPWAY_CACHE: join(scratch.dir, 'c') }, ['--print-dir']);
    expect(res.stdout).toBe(`${join(scratch.dir, 'c', 'tools', 'bin')}\n`);
    expect(toolsBinDir({ SLIPWAY_CACHE: join(scratch.dir, 'c') })).toBe(
      join(scratch.dir, 'c', 'tools', 'bin'),
    );
  });

  it('is idempotent: a second run keeps the pinned binaries and says so', async () => {
    const res = await build({ ...process.env });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/\[build-tools\] kustomize v5\.\d+\.\d+ already built/);
    expect(res.stderr).toMatch(/\[build-tools\] helm v3\.\d+\.\d+ already built/);
  });

  it('without Go it names the step and exits non-zero', async () => {
    const res = await build({
      PATH: '/usr/bin:/bin',
      HOME: scratch.dir,
      SLIPWAY_CACHE: join(scratch.dir, 'nogo'),
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/FAILED at step "check go": the 'go' command is not on PATH/);
  });

  it('when a module cannot be downloaded it names the step and the module', async () => {
    const res = await build({
      ...process.env,
      SLIPWAY_CACHE: join(scratch.dir, 'offline'),
      GOMODCACHE: join(scratch.dir, 'gomodcache'),
      GOPROXY: 'off',
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(
      /FAILED at step "build kustomize": module sigs\.k8s\.io\/kustomize\/kustomize\/v5@v5\.\d+\.\d+/,
    );
  });
});
