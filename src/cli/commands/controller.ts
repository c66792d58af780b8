/**
 * `slipway controller`: runs the Application controller in the foreground until SIGINT or SIGTERM,
 * then stops cleanly (running reconciles are aborted; a sync in progress resumes on the next start).
 * @module
 */
import type { Command } from 'commander';
import { KubeClient } from '../../kube/client.ts';
import { parseGoDuration } from '../../sync/retry.ts';
import { SlipwayError } from '../../util/errors.ts';
import type { Io } from '../output.ts';

interface ControllerCliOptions {
  namespace?: string;
  kubeconfig?: string;
  pollInterval: string;
}

/** Parses `--poll-interval` (a Go duration: `60s`, `5m`, `1m30s`). */
export function parsePollInterval(text: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new SlipwayError(`invalid duration "${text}" (e.g. 60s, 5m)`, {
      subject: '--poll-interval',
      reason: 'Usage',
    });
  }
  return ms;
}

export function registerController(program: Command, io: Io): void {
  program
    .command('controller')
    .description(
      'run the GitOps Application controller (Argo CD semantics) in the foreground until SIGINT/SIGTERM',
    )
    .option('-n, --namespace <ns>', 'the namespace whose Applications Slipway owns (default argocd)')
    .option('--kubeconfig <path>', 'kubeconfig file (default $KUBECONFIG, then ~/.kube/config)')
    .option('--poll-interval <duration>', 'how often git is polled per Application', '60s')
    .action(async (opts: ControllerCliOptions) => {
      const { createApplicationController } = await import('../../sync/controller.ts');
      const pollIntervalMs = parsePollInterval(opts.pollInterval);
      const client = KubeClient.fromKubeconfig({ path: opts.kubeconfig });
      const namespace = opts.namespace ?? 'argocd';
      const controller = createApplicationController({
        client,
        // Only an explicitly given namespace may run beside an Argo CD controller.
        ...(opts.namespace !== undefined ? { namespace } : {}),
        pollIntervalMs,
        onError: (key, err) => io.err(`error: ${key}: ${err instanceof Error ? err.message : String(err)}\n`),
      });
      await controller.start();
      io.err(`slipway controller: reconciling Applications in namespace ${namespace}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      io.err('slipway controller: stopping\n');
      await controller.stop();
      await client.close();
    });
}
