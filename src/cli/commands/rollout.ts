/**
 * `slipway rollout get|status|promote|abort|retry|pause|restart|set-image|undo|controller`: the
 * `kubectl argo rollouts` operations Slipway users need, sending the same patches, plus a command
 * that runs Slipway's Rollout controller in the foreground.
 * @module
 */
import type { Command } from 'commander';
import { KubeClient } from '../../kube/client.ts';
import type { KubeObject } from '../../kube/types.ts';
import {
  abortPatches,
  applyRolloutPatches,
  pausePatches,
  promotePatches,
  retryPatches,
} from '../../rollouts/actions.ts';
import { getRolloutPhase } from '../../rollouts/conditions.ts';
import {
  type ObservedAnalysisRun,
  type ObservedReplicaSet,
  observeAnalysisRun,
  observeReplicaSet,
} from '../../rollouts/observe.ts';
import { restartAtFor, restartPatch } from '../../rollouts/restart.ts';
import { parseRollout } from '../../rollouts/spec.ts';
import { getCurrentCanaryStep, getCurrentSetWeight } from '../../rollouts/steps.ts';
import type { Rollout } from '../../rollouts/types.ts';
import { SlipwayError } from '../../util/errors.ts';
import { formatTable, type Io } from '../output.ts';
import { registerWorkloadCommands } from './rollout-workloads.ts';

interface CommonOptions {
  namespace: string;
  kubeconfig?: string;
}

/** What `rollout get` shows: the Rollout, its ReplicaSets and AnalysisRuns. */
export interface RolloutView {
  rollout: Rollout;
  replicaSets: ObservedReplicaSet[];
  analysisRuns: ObservedAnalysisRun[];
}

const imageOf = (rs: ObservedReplicaSet) => {
  const spec = (rs.object as { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } })
    .spec;
  return (spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '').join(',');
};

/**
 * The `get` summary: status, strategy with step i/n, set weight and actual weight (basic canary:
 * canary available × 100 / all available), replica counts, then one row per ReplicaSet (revision,
 * role, image, ready counts) and AnalysisRun.
 */
export function formatRolloutView(view: RolloutView): string {
  const { rollout: ro } = view;
  const status = ro.status ?? {};
  const { phase, message } = getRolloutPhase(ro);
  const lines: string[] = [];
  const kv = (k: string, v: string | number) => lines.push(`${`${k}:`.padEnd(16)}${v}`);
  kv('Name', ro.metadata.name);
  kv('Namespace', ro.metadata.namespace ?? '');
  kv('Status', message ? `${phase} - ${message}` : phase);
  const canary = ro.spec.strategy.canary;
  if (canary !== undefined) {
    kv('Strategy', 'Canary');
    const steps = canary.steps ?? [];
    const { index } = getCurrentCanaryStep(ro);
    if (steps.length > 0) kv('  Step', `${index ?? steps.length}/${steps.length}`);
    kv('  SetWeight', getCurrentSetWeight(ro));
    const canaryRS = view.replicaSets.find((rs) => rs.podTemplateHash === status.currentPodHash);
    const available = status.availableReplicas ?? 0;
    const actual =
      canary.trafficRouting !== undefined
        ? (status.canary?.weights?.canary.weight ?? 0)
        : available > 0
          ? Math.floor(((canaryRS?.availableReplicas ?? 0) * 100) / available)
          : 0;
    kv('  ActualWeight', actual);
  } else {
    kv('Strategy', 'BlueGreen');
  }
  kv('Replicas', '');
  kv('  Desired', ro.spec.replicas ?? 1);
  kv('  Current', status.replicas ?? 0);
  kv('  Updated', status.updatedReplicas ?? 0);
  kv('  Ready', status.readyReplicas ?? 0);
  kv('  Available', status.availableReplicas ?? 0);
  // Blue-green names the Services' ReplicaSets (`stable,active`, `preview`) as upstream's tree does.
  const blueGreen = ro.spec.strategy.blueGreen !== undefined;
  const role = (rs: ObservedReplicaSet) =>
    [
      rs.podTemplateHash === status.stableRS ? 'stable' : '',
      blueGreen && rs.podTemplateHash === status.blueGreen?.activeSelector ? 'active' : '',
      blueGreen &&
      rs.podTemplateHash === status.blueGreen?.previewSelector &&
      rs.podTemplateHash !== status.blueGreen?.activeSelector
        ? 'preview'
        : '',
      !blueGreen && rs.podTemplateHash === status.currentPodHash && rs.podTemplateHash !== status.stableRS
        ? 'canary'
        : '',
    ]
      .filter(Boolean)
      .join(',');
  const rows = [...view.replicaSets]
    .sort((a, b) => b.revision - a.revision)
    .map((rs) => [
      rs.name,
      'ReplicaSet',
      rs.replicas === 0 ? 'ScaledDown' : rs.availableReplicas >= rs.replicas ? 'Healthy' : 'Progressing',
      `revision:${rs.revision}`,
      role(rs) || '-',
      imageOf(rs),
      `${rs.readyReplicas}/${rs.replicas}`,
    ]);
  for (const ar of view.analysisRuns)
    rows.push([
      ar.name,
      'AnalysisRun',
      ar.phase || 'Pending',
      '-',
      ar.labels['rollout-type'] ?? '-',
      '-',
      '-',
    ]);
  return `${lines.join('\n')}\n\n${formatTable(['name', 'kind', 'status', 'revision', 'role', 'image', 'ready'], rows)}`;
}

async function readView(client: KubeClient, namespace: string, name: string): Promise<RolloutView> {
  const raw = await client.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace, name });
  if (raw === undefined)
    throw new SlipwayError('not found', { subject: `Rollout/${namespace}/${name}`, reason: 'NotFound' });
  const parsed = parseRollout(raw);
  if (!parsed.ok) {
    throw new SlipwayError(parsed.issues.map((i) => `${i.path}: ${i.detail}`).join('; '), {
      subject: `Rollout/${namespace}/${name}`,
      reason: 'InvalidRollout',
    });
  }
  const owned = (o: KubeObject) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === raw.metadata.uid);
  const rss = await client.list({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace });
  const ars = await client
    .list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', namespace })
    .catch(() => ({ items: [] }));
  return {
    rollout: parsed.value,
    replicaSets: rss.items.filter(owned).map(observeReplicaSet),
    analysisRuns: ars.items.filter(owned).map(observeAnalysisRun),
  };
}

const clientFor = (opts: CommonOptions) =>
  KubeClient.fromKubeconfig(opts.kubeconfig !== undefined ? { path: opts.kubeconfig } : {});

/** Runs `fn` with a client that is closed afterwards. */
async function withClient<T>(opts: CommonOptions, fn: (client: KubeClient) => Promise<T>): Promise<T> {
  const client = clientFor(opts);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export function registerRollout(program: Command, io: Io): void {
  const cmd = program.command('rollout').description('inspect and drive Argo Rollouts (Rollout objects)');
  const common = (c: Command) =>
    c.option('-n, --namespace <ns>', 'namespace', 'default').option('--kubeconfig <path>', 'kubeconfig file');

  common(
    cmd
      .command('get')
      .argument('<name>')
      .description('show a Rollout, its steps, ReplicaSets and AnalysisRuns'),
  ).action((name: string, opts: CommonOptions) =>
    withClient(opts, async (client) =>
      io.out(formatRolloutView(await readView(client, opts.namespace, name))),
    ),
  );

  // status and undo also serve plain Deployments (Step 16's rolling updates).
  registerWorkloadCommands(cmd, io);

  const operation = (
    verb: string,
    description: string,
    patches: (view: RolloutView, opts: { full?: boolean }) => ReturnType<typeof abortPatches>,
  ) => {
    const c = common(cmd.command(verb).argument('<name>').description(description));
    if (verb === 'promote') c.option('--full', 'skip every remaining step and analysis');
    c.action((name: string, opts: CommonOptions & { full?: boolean }) =>
      withClient(opts, async (client) => {
        const view = await readView(client, opts.namespace, name);
        await applyRolloutPatches(client, opts.namespace, name, patches(view, opts));
        io.out(
          `rollout '${name}' ${verb === 'retry' ? 'retried' : verb === 'abort' ? 'aborted' : `${verb}d`}\n`,
        );
      }),
    );
  };
  operation('promote', 'end the current pause or step (--full: promote to stable at once)', (v, o) =>
    promotePatches(v.rollout, o.full ?? false),
  );
  operation('abort', 'abort the update: back to the stable ReplicaSet', () => abortPatches());
  operation('retry', 'retry an aborted update from its first step', () => retryPatches());
  operation('pause', 'pause the Rollout (spec.paused)', () => pausePatches());

  common(
    cmd
      .command('restart')
      .argument('<name>')
      .option('-i, --in <duration>', 'restart after this long (e.g. 30s, 5m, 1h); default now')
      .description(
        "restart the Rollout's pods (spec.restartAt): each pod older than then is evicted, a few at a time within maxUnavailable",
      ),
  ).action((name: string, opts: CommonOptions & { in?: string }) =>
    withClient(opts, async (client) => {
      // Validated before anything is sent.
      const restartAt = restartAtFor(new Date(), opts.in);
      await client.patch(
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: opts.namespace, name },
        restartPatch(restartAt),
      );
      io.out(`rollout '${name}' restarts in ${opts.in ?? '0s'}\n`);
    }),
  );

  common(
    cmd
      .command('set-image')
      .argument('<name>')
      .argument('<container=image>', 'container name and new image')
      .description('change a container image of the pod template (starts an update)'),
  ).action((name: string, assignment: string, opts: CommonOptions) =>
    withClient(opts, async (client) => {
      const eq = assignment.indexOf('=');
      if (eq <= 0)
        throw new SlipwayError('expected CONTAINER=IMAGE', {
          subject: assignment,
          reason: 'InvalidArgument',
        });
      const container = assignment.slice(0, eq);
      const image = assignment.slice(eq + 1);
      const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: opts.namespace, name };
      const raw = await client.get<
        KubeObject & {
          spec?: { template?: { spec?: { containers?: Array<{ name: string; image?: string }> } } };
        }
      >(ref);
      if (raw === undefined)
        throw new SlipwayError('not found', {
          subject: `Rollout/${opts.namespace}/${name}`,
          reason: 'NotFound',
        });
      const containers = raw.spec?.template?.spec?.containers ?? [];
      if (!containers.some((c) => c.name === container)) {
        throw new SlipwayError(`no container named ${container}`, {
          subject: `Rollout/${opts.namespace}/${name}`,
          reason: 'InvalidArgument',
        });
      }
      const next = containers.map((c) => (c.name === container ? { ...c, image } : c));
      // Merge patches replace lists whole; resourceVersion makes a concurrent edit fail instead of being lost.
      await client.patch(ref, {
        metadata: { resourceVersion: raw.metadata.resourceVersion },
        spec: { template: { spec: { containers: next } } },
      });
      io.out(`rollout '${name}' image updated\n`);
    }),
  );

  cmd
    .command('controller')
    .description('run the Rollout controller in the foreground until interrupted')
    .option('-n, --namespace <ns>', 'watch only this namespace (default: all)')
    .option('--kubeconfig <path>', 'kubeconfig file')
    .option('--instance-id <id>', 'reconcile only Rollouts with this controller-instance-id label')
    .action(async (opts: { namespace?: string; kubeconfig?: string; instanceId?: string }) => {
      const { createRolloutController } = await import('../../rollouts/controller.ts');
      const client = KubeClient.fromKubeconfig(
        opts.kubeconfig !== undefined ? { path: opts.kubeconfig } : {},
      );
      const controller = createRolloutController({
        client,
        ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
        ...(opts.instanceId !== undefined ? { instanceId: opts.instanceId } : {}),
        onError: (key, err) => io.err(`error: ${key}: ${err instanceof Error ? err.message : String(err)}\n`),
      });
      await controller.start();
      io.out('rollout controller running\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await controller.stop();
      await client.close();
    });
}
