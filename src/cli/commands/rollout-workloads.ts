/**
 * `slipway rollout status|undo` for both kinds of workload a rolling update runs on: Argo Rollouts
 * `Rollout`s and plain `Deployment`s (the seed's Step 16). NAME may be written `rollout/NAME` or
 * `deployment/NAME`; a bare NAME is the Rollout of that name, else the Deployment.
 *
 * - `status` waits as `kubectl argo rollouts status` (Rollout: Healthy or Paused ends it, Degraded
 *   fails) or `kubectl rollout status` (Deployment: its health as Argo CD judges it, which follows
 *   kubectl's rules for updated, old and available replicas, so `maxSurge`, `maxUnavailable` and
 *   `minReadySeconds` act through the Deployment controller's counts).
 * - `undo [--to-revision N]` restores an earlier revision's pod template (`src/rollouts/undo.ts`).
 * @module
 */
import type { Command } from 'commander';
import { assessHealth } from '../../health/index.ts';
import { KubeClient } from '../../kube/client.ts';
import type { KubeObject } from '../../kube/types.ts';
import { getRolloutPhase } from '../../rollouts/conditions.ts';
import { parseRollout } from '../../rollouts/spec.ts';
import { type UndoKind, undo } from '../../rollouts/undo.ts';
import { sleep } from '../../util/abort.ts';
import { SlipwayError } from '../../util/errors.ts';
import { ExitCode, type Io } from '../output.ts';

interface CommonOptions {
  namespace: string;
  kubeconfig?: string;
}

/**
 * `TYPE/NAME` or `NAME`: the kind (when given) and the name.
 * @example parseWorkload('deployment/web') // { kind: 'Deployment', name: 'web' }
 * @example parseWorkload('web') // { kind: undefined, name: 'web' }
 * @throws SlipwayError (reason `InvalidArgument`) for another type.
 */
export function parseWorkload(arg: string): { kind: UndoKind | undefined; name: string } {
  const slash = arg.indexOf('/');
  if (slash < 0) return { kind: undefined, name: arg };
  const type = arg.slice(0, slash).toLowerCase();
  const name = arg.slice(slash + 1);
  const kinds: Record<string, UndoKind> = {
    deployment: 'Deployment',
    deployments: 'Deployment',
    'deployment.apps': 'Deployment',
    deploy: 'Deployment',
    rollout: 'Rollout',
    rollouts: 'Rollout',
    'rollout.argoproj.io': 'Rollout',
    ro: 'Rollout',
  };
  const kind = kinds[type];
  if (kind === undefined || name === '') {
    throw new SlipwayError('expected NAME, rollout/NAME or deployment/NAME', {
      subject: arg,
      reason: 'InvalidArgument',
    });
  }
  return { kind, name };
}

/** One look at a workload's progress: the line to print and whether waiting is over. */
export interface StatusReading {
  line: string;
  done: boolean;
  /** Set when the workload failed (Rollout Degraded, Deployment past its progress deadline). */
  failed?: boolean;
}

/**
 * A Deployment's progress as `kubectl rollout status` reports it, from its health: Healthy →
 * `deployment "web" successfully rolled out`; Degraded → failed; anything else → keep waiting.
 */
export function deploymentStatus(deployment: KubeObject): StatusReading {
  const name = deployment.metadata.name ?? '';
  const health = assessHealth(deployment);
  if (health?.status === 'Healthy')
    return { line: `deployment ${JSON.stringify(name)} successfully rolled out`, done: true };
  const message = health?.message ?? 'Waiting for rollout to finish';
  if (health?.status === 'Degraded') return { line: message, done: true, failed: true };
  return { line: message, done: false };
}

/** A Rollout's progress as `kubectl argo rollouts status` reports it: phase and message. */
export function rolloutStatus(rollout: KubeObject): StatusReading {
  const parsed = parseRollout(rollout);
  if (!parsed.ok) {
    const detail = parsed.issues.map((i) => `${i.path}: ${i.detail}`).join('; ');
    return { line: `Degraded - InvalidSpec: ${detail}`, done: true, failed: true };
  }
  const { phase, message } = getRolloutPhase(parsed.value);
  const line = message ? `${phase} - ${message}` : phase;
  if (phase === 'Degraded') return { line, done: true, failed: true };
  return { line, done: phase === 'Healthy' || phase === 'Paused' };
}

const refFor = (kind: UndoKind, namespace: string, name: string) =>
  kind === 'Rollout'
    ? { apiVersion: 'argoproj.io/v1alpha1', kind, namespace, name }
    : { apiVersion: 'apps/v1', kind, namespace, name };

/** Reads the workload: the Rollout, else the Deployment (or the kind asked for). */
async function readWorkload(
  client: KubeClient,
  namespace: string,
  arg: string,
): Promise<{ kind: UndoKind; object: KubeObject }> {
  const { kind, name } = parseWorkload(arg);
  for (const k of kind !== undefined ? [kind] : (['Rollout', 'Deployment'] as const)) {
    const object = await client.get(refFor(k, namespace, name)).catch((err: unknown) => {
      // Without the Rollout CRD there is no Rollout of that name either.
      if (kind === undefined && k === 'Rollout') return undefined;
      throw err;
    });
    if (object !== undefined) return { kind: k, object };
  }
  throw new SlipwayError('not found', {
    subject:
      kind !== undefined ? `${kind}/${namespace}/${name}` : `Rollout or Deployment ${namespace}/${name}`,
    reason: 'NotFound',
  });
}

async function withClient<T>(opts: CommonOptions, fn: (client: KubeClient) => Promise<T>): Promise<T> {
  const client = KubeClient.fromKubeconfig(opts.kubeconfig !== undefined ? { path: opts.kubeconfig } : {});
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const common = (c: Command) =>
  c.option('-n, --namespace <ns>', 'namespace', 'default').option('--kubeconfig <path>', 'kubeconfig file');

/** Adds `status` and `undo` to the `rollout` command. */
export function registerWorkloadCommands(rollout: Command, io: Io): void {
  common(
    rollout
      .command('status')
      .argument('<name>', 'NAME, rollout/NAME or deployment/NAME')
      .description(
        'wait until the Rollout is Healthy or Paused (exit 0) or Degraded (exit 1); for a Deployment, until it is rolled out',
      )
      .option('--timeout <seconds>', 'give up after this long (exit 3); 0 waits forever', '0'),
  ).action((arg: string, opts: CommonOptions & { timeout: string }) =>
    withClient(opts, async (client) => {
      const seconds = Number(opts.timeout);
      if (!Number.isFinite(seconds) || seconds < 0)
        throw new SlipwayError('must be a number of seconds', {
          subject: '--timeout',
          reason: 'InvalidArgument',
        });
      const deadline = seconds > 0 ? Date.now() + seconds * 1000 : Number.POSITIVE_INFINITY;
      let last = '';
      for (;;) {
        const { kind, object } = await readWorkload(client, opts.namespace, arg);
        const reading = kind === 'Rollout' ? rolloutStatus(object) : deploymentStatus(object);
        if (reading.line !== last) io.out(`${reading.line}\n`);
        last = reading.line;
        if (reading.failed)
          throw new SlipwayError(reading.line, {
            subject: `${kind}/${opts.namespace}/${object.metadata.name ?? ''}`,
            reason: kind === 'Rollout' ? 'RolloutDegraded' : 'ProgressDeadlineExceeded',
          });
        if (reading.done) return;
        if (Date.now() > deadline) {
          process.exitCode = ExitCode.NotReady;
          return;
        }
        await sleep(1000);
      }
    }),
  );

  common(
    rollout
      .command('undo')
      .argument('<name>', 'NAME, rollout/NAME or deployment/NAME')
      .description('roll back to the previous revision (or --to-revision) of a Rollout or Deployment')
      .option('--to-revision <n>', 'the revision to roll back to; 0 is the previous one', '0'),
  ).action((arg: string, opts: CommonOptions & { toRevision: string }) =>
    withClient(opts, async (client) => {
      if (!/^-?\d+$/.test(opts.toRevision))
        throw new SlipwayError('must be an integer', { subject: '--to-revision', reason: 'InvalidArgument' });
      const { kind, name } = parseWorkload(arg);
      const result = await undo(client, {
        namespace: opts.namespace,
        name,
        kind,
        toRevision: Number(opts.toRevision),
      });
      io.out(`${result.message}\n`);
    }),
  );
}
