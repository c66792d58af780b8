import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stopRecorded } from '../../src/devcluster/control-plane.ts';

const run = promisify(execFile);
const devDir = mkdtempSync(join(tmpdir(), 'slipway-devcluster-'));

/** Runs the CLI from source, as a user would run the installed command. */
async function slipway(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, SLIPWAY_DEV_CLUSTER_DIR: devDir },
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('slipway CLI', () => {
  afterAll(async () => {
    await stopRecorded(devDir);
    rmSync(devDir, { recursive: true, force: true });
  });

  it('--help lists the commands; version prints the package version', async () => {
    const help = await slipway('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/dev-cluster/);
    expect(help.stdout).toMatch(/version/);
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    expect((await slipway('version')).stdout).toBe(`slipway ${version} (node ${process.versions.node})\n`);
    expect(JSON.parse((await slipway('version', '-o', 'json')).stdout)).toEqual({
      slipway: version,
      node: process.versions.node,
    });
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const res = await slipway('frobnicate');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('dev-cluster: status before up, up, kubeconfig, kubectl get nodes, status, down', async () => {
    const before = await slipway('dev-cluster', 'status');
    expect(before.code).toBe(3);
    expect(before.stdout).toMatch(/not created/);
    expect((await slipway('dev-cluster', 'kubeconfig')).code).toBe(3);

    const up = await slipway('dev-cluster', 'up');
    expect(up.code).toBe(0);
    const kubeconfig = join(devDir, 'kubeconfig');
    expect(up.stdout).toBe(`${kubeconfig}\n`);
    expect(up.stderr).toMatch(/node kwok-node-0 Ready/);

    expect((await slipway('dev-cluster', 'kubeconfig')).stdout).toBe(`${kubeconfig}\n`);
    const nodes = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '--no-headers']);
    expect(nodes.stdout).toMatch(/^kwok-node-0\s+Ready\s/);

    const status = await slipway('dev-cluster', 'status', '-o', 'json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      running: boolean;
      version: string;
      processes: Array<{ name: string; running: boolean }>;
    };
    expect(parsed.running).toBe(true);
    expect(parsed.version).toMatch(/^v1\.\d+\.\d+$/);
    expect(parsed.processes.map((p) => p.name)).toEqual([
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kwok',
    ]);

    // A second `up` finds it running and says so.
    const again = await slipway('dev-cluster', 'up');
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already running/);

    const down = await slipway('dev-cluster', 'down');
    expect(down.stderr).toMatch(/stopped \(5 processes\)/);
    const after = await slipway('dev-cluster', 'status', '-o', 'json');
    expect(after.code).toBe(3);
    expect((JSON.parse(after.stdout) as { running: boolean }).running).toBe(false);
  });
});
