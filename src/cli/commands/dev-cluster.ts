/**
 * `slipway dev-cluster up|down|status|kubeconfig`: the test suite's control plane, for a user.
 * @module
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { ControlPlane, readState, stopRecorded } from '../../devcluster/control-plane.ts';
import { cacheRoot } from '../../devcluster/paths.ts';
import { isSameProcess } from '../../devcluster/processes.ts';
import { errorMessage } from '../../util/errors.ts';
import { ExitCode, formatTable, type Io, type OutputFormat, printValue } from '../output.ts';

/** The dev cluster's folder: `$SLIPWAY_DEV_CLUSTER_DIR`, default `<cache>/dev-cluster`. */
export function devClusterDir(): string {
  return process.env['SLIPWAY_DEV_CLUSTER_DIR'] || join(cacheRoot(), 'dev-cluster');
}

export interface DevClusterStatus {
  running: boolean;
  dir: string;
  kubeconfig: string | null;
  server: string | null;
  version: string | null;
  processes: Array<{ name: string; pid: number; running: boolean }>;
  error?: string;
}

export async function devClusterStatus(dir: string): Promise<DevClusterStatus> {
  const state = readState(dir);
  if (!state) return { running: false, dir, kubeconfig: null, server: null, version: null, processes: [] };
  const processes = state.processes.map((p) => ({
    name: p.name,
    pid: p.pid,
    running: isSameProcess(p, p.binary),
  }));
  const status: DevClusterStatus = {
    running: false,
    dir,
    kubeconfig: state.kubeconfig,
    server: `https://127.0.0.1:${state.ports.apiServer}`,
    version: null,
    processes,
  };
  if (processes.length > 0 && processes.every((p) => p.running)) {
    const plane = await ControlPlane.attach(dir);
    try {
      const v = await plane!.client().version(AbortSignal.timeout(5000));
      status.version = v.gitVersion;
      status.running = true;
    } catch (err) {
      status.error = errorMessage(err);
    } finally {
      await plane?.client().close();
    }
  }
  return status;
}

export function registerDevCluster(program: Command, io: Io): void {
  const cmd = program
    .command('dev-cluster')
    .description(
      'a local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, KWOK node)',
    );

  cmd
    .command('up')
    .description(
      'start the dev cluster (building the control plane first if needed) and print its kubeconfig path',
    )
    .action(async () => {
      const dir = devClusterDir();
      const current = await devClusterStatus(dir);
      if (current.running) {
        io.err(`dev cluster already running (${current.version}) at ${current.server}\n`);
        io.out(`${current.kubeconfig}\n`);
        return;
      }
      const plane = await ControlPlane.start({ dir, log: (line) => io.err(`${line}\n`) });
      await plane.client().close();
      io.err(`kubeconfig: ${plane.kubeconfig}\n  kubectl --kubeconfig "${plane.kubeconfig}" get nodes\n`);
      io.out(`${plane.kubeconfig}\n`);
    });

  cmd
    .command('down')
    .description('stop the dev cluster (its data is kept unless --purge)')
    .option('--purge', 'also delete its data, certificates and kubeconfig')
    .action(async (opts: { purge?: boolean }) => {
      const dir = devClusterDir();
      const stopped = await stopRecorded(dir);
      if (opts.purge) {
        const { rmSync } = await import('node:fs');
        rmSync(dir, { recursive: true, force: true });
      }
      io.err(stopped > 0 ? `dev cluster stopped (${stopped} processes)\n` : 'dev cluster was not running\n');
    });

  cmd
    .command('status')
    .description('whether the dev cluster is running, and its version')
    .option('-o, --output <format>', 'table|json|yaml', 'table')
    .action(async (opts: { output: OutputFormat }) => {
      const status = await devClusterStatus(devClusterDir());
      printValue(io, opts.output, status, () => {
        if (!status.kubeconfig) return 'dev cluster: not created (run `slipway dev-cluster up`)\n';
        const head = status.running
          ? `dev cluster: running, Kubernetes ${status.version}, ${status.server}\nkubeconfig: ${status.kubeconfig}\n`
          : `dev cluster: stopped${status.error ? ` (${status.error})` : ''}\n`;
        return (
          head +
          formatTable(
            ['component', 'pid', 'state'],
            status.processes.map((p) => [p.name, String(p.pid), p.running ? 'running' : 'stopped']),
          )
        );
      });
      if (!status.running) process.exitCode = ExitCode.NotReady;
    });

  cmd
    .command('kubeconfig')
    .description("print only the dev cluster's kubeconfig path")
    .action(() => {
      const state = readState(devClusterDir());
      if (!state) {
        io.err('error: no dev cluster (run `slipway dev-cluster up`)\n');
        process.exitCode = ExitCode.NotReady;
        return;
      }
      io.out(`${state.kubeconfig}\n`);
    });
}
