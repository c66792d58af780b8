/**
 * `slipway controller`: runs Slipway's controllers in the foreground until SIGINT or SIGTERM — the
 * Application controller (GitOps sync), the Rollout controller and the AnalysisRun controller — and,
 * with `--webhook-listen`, the git webhook endpoint that refreshes Applications on a push. Stops
 * cleanly: running reconciles are aborted, and a sync or rollout in progress resumes on the next
 * start from what its status records.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KubeClient } from '../../kube/client.ts';
import { parseGoDuration } from '../../sync/retry.ts';
import { SlipwayError } from '../../util/errors.ts';
import type { Io } from '../output.ts';

interface ControllerCliOptions {
  namespace?: string;
  kubeconfig?: string;
  pollInterval: string;
  components: string;
  webhookListen?: string;
  webhookSecretFile?: string;
  webhookAllowUnsigned?: boolean;
}

const COMPONENTS = ['applications', 'rollouts', 'analysis'] as const;
type Component = (typeof COMPONENTS)[number];

/** Parses `--components` (a comma list of applications, rollouts, analysis). */
export function parseComponents(text: string): Set<Component> {
  const chosen = new Set<Component>();
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (!name) continue;
    if (!(COMPONENTS as readonly string[]).includes(name)) {
      throw new SlipwayError(`unknown component "${name}" (choose from ${COMPONENTS.join(', ')})`, {
        subject: '--components',
        reason: 'Usage',
      });
    }
    chosen.add(name as Component);
  }
  if (chosen.size === 0)
    throw new SlipwayError('no component chosen', { subject: '--components', reason: 'Usage' });
  return chosen;
}

/** Parses `--webhook-listen` (`host:port` or `:port`, default host 127.0.0.1). */
export function parseListen(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = colon > 0 ? text.slice(0, colon).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = Number(colon >= 0 ? text.slice(colon + 1) : text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SlipwayError(`invalid address "${text}" (e.g. 127.0.0.1:8080)`, {
      subject: '--webhook-listen',
      reason: 'Usage',
    });
  }
  return { host, port };
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
      'run the Application (GitOps sync), Rollout and AnalysisRun controllers in the foreground until SIGINT/SIGTERM',
    )
    .option('-n, --namespace <ns>', 'the namespace whose Applications Slipway owns (default argocd)')
    .option('--kubeconfig <path>', 'kubeconfig file (default $KUBECONFIG, then ~/.kube/config)')
    .option('--poll-interval <duration>', 'how often git is polled per Application', '60s')
    .option(
      '--components <list>',
      'controllers to run: applications, rollouts, analysis',
      'applications,rollouts,analysis',
    )
    .option(
      '--webhook-listen <addr>',
      'serve POST /api/webhook (GitHub push events) on this address, e.g. 127.0.0.1:8080',
    )
    .option(
      '--webhook-secret-file <path>',
      'file holding the GitHub webhook secret (signatures are verified)',
    )
    .option('--webhook-allow-unsigned', 'accept unsigned webhooks (only on a trusted network)')
    .action(async (opts: ControllerCliOptions) => {
      const components = parseComponents(opts.components);
      const pollIntervalMs = parsePollInterval(opts.pollInterval);
      const listen = opts.webhookListen !== undefined ? parseListen(opts.webhookListen) : undefined;
      if (listen && !components.has('applications')) {
        throw new SlipwayError('webhooks refresh Applications: include the applications component', {
          subject: '--webhook-listen',
          reason: 'Usage',
        });
      }
      const secret = opts.webhookSecretFile !== undefined ? readSecret(opts.webhookSecretFile) : undefined;
      const client = KubeClient.fromKubeconfig({ path: opts.kubeconfig });
      const namespace = opts.namespace ?? 'argocd';
      const onError = (key: string, err: unknown) =>
        io.err(`error: ${key}: ${err instanceof Error ? err.message : String(err)}\n`);
      const stops: Array<() => Promise<void>> = [];
      try {
        if (components.has('applications')) {
          const { createApplicationController } = await import('../../sync/controller.ts');
          const apps = createApplicationController({
            client,
            // Only an explicitly given namespace may run beside an Argo CD controller.
            ...(opts.namespace !== undefined ? { namespace } : {}),
            pollIntervalMs,
            onError,
          });
          await apps.start();
          stops.push(() => apps.stop());
          io.err(`slipway controller: reconciling Applications in namespace ${namespace}\n`);
          if (listen) {
            const { appsToRefresh, startWebhookServer } = await import('../../server/index.ts');
            const server = await startWebhookServer({
              ...listen,
              githubSecret: secret,
              allowUnsigned: opts.webhookAllowUnsigned ?? false,
              onPush: async (event) => {
                const { items } = await client.list({
                  apiVersion: 'argoproj.io/v1alpha1',
                  kind: 'Application',
                  namespace,
                });
                const chosen = appsToRefresh(items as unknown as Parameters<typeof appsToRefresh>[0], event);
                const byRepo = new Map<string, string[]>();
                for (const app of chosen) {
                  const repoURL = app.spec.source?.repoURL ?? '';
                  byRepo.set(repoURL, [...(byRepo.get(repoURL) ?? []), app.metadata.name]);
                }
                for (const [repoURL, names] of byRepo) apps.pushed(repoURL, names);
                return chosen.length;
              },
              log: (line) => io.err(`${line}\n`),
            });
            stops.push(() => server.close());
            io.err(`slipway controller: webhooks on ${server.url}/api/webhook\n`);
          }
        }
        if (components.has('analysis')) {
          const { createAnalysisRunController } = await import('../../analysis/controller.ts');
          const analysis = createAnalysisRunController({ client, onError });
          await analysis.start();
          stops.push(() => analysis.stop());
          io.err('slipway controller: running AnalysisRuns\n');
        }
        if (components.has('rollouts')) {
          const { createRolloutController } = await import('../../rollouts/controller.ts');
          const rollouts = createRolloutController({ client, onError });
          await rollouts.start();
          stops.push(() => rollouts.stop());
          io.err('slipway controller: reconciling Rollouts\n');
        }
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
      } finally {
        for (const stop of stops.reverse()) await stop();
        await client.close();
      }
    });
}

function readSecret(path: string): string {
  try {
    const secret = readFileSync(path, 'utf8').trim();
    if (!secret) throw new Error('the file is empty');
    return secret;
  } catch (err) {
    throw new SlipwayError(
      `cannot read the webhook secret: ${err instanceof Error ? err.message : String(err)}`,
      {
        subject: path,
        reason: 'Usage',
        cause: err,
      },
    );
  }
}
