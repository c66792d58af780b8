import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'slipway-build-'));

async function build(env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run('bash', ['scripts/build-control-plane.sh'], { env, timeout: 120_000 });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

describe('scripts/build-control-plane.sh failures', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('without Go it names the step and exits non-zero', async () => {
    const res = await build({
      PATH: '/usr/bin:/bin',
      HOME: scratch,
      SLIPWAY_CACHE: join(scratch, 'cache-nogo'),
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/FAILED at step "check go": the 'go' command is not on PATH/);
  });

  it('when a module cannot be downloaded it names the step and the module', async () => {
    // An empty module cache and no proxy: the first download fails.
    const res = await build({
      ...process.env,
      SLIPWAY_CACHE: join(scratch, 'cache-offline'),
      GOMODCACHE: join(scratch, 'gomodcache'),
      GOPROXY: 'off',
      GOFLAGS: '-modcacherw',
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(
      /FAILED at step "etcd: go mod tidy": module go\.etcd\.io\/etcd\/server\/v3@v3\.\d+\.\d+/,
    );
  });

  it('--print-dir names the versioned cache folder without building', async () => {
    const { stdout } = await run('bash', ['scripts/build-control-plane.sh', '--print-dir'], {
      env: { ...process.env, SLIPWAY_CACHE: '/nonexistent-cache' },
    });
    expect(stdout.trim()).toMatch(
      /^\/nonexistent-cache\/control-plane\/k8s-v1\.\d+\.\d+_etcd-v3\.\d+\.\d+_kwok-v\d+\.\d+\.\d+$/,
    );
  });
});
