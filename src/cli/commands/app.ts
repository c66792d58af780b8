/**
 * `slipway app list|get|diff|sync|history`: Applications as `argocd app` shows and drives them. A
 * sync writes `operation` on the Application (as `argocd app sync` does) and the controller runs it.
 * @module
 */
import type { Command } from 'commander';
import { KubeClient } from '../../kube/client.ts';
import type { KubeObject } from '../../kube/types.ts';
import type { Application, Operation } from '../../sync/application.ts';
import { SlipwayError } from '../../util/errors.ts';
import { formatTable, type Io, OUTPUT_FORMATS, type OutputFormat, printValue } from '../output.ts';

interface AppCliOptions {
  namespace: string;
  kubeconfig?: string;
  output: OutputFormat;
}

const APP_API = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' } as const;

function outputFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new SlipwayError(`must be one of ${OUTPUT_FORMATS.join(', ')}`, { subject: '-o', reason: 'Usage' });
  }
  return value as OutputFormat;
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <ns>', 'the Applications namespace', 'argocd')
    .option('--kubeconfig <path>', 'kubeconfig file')
    .option('-o, --output <format>', 'table|json|yaml', outputFormat, 'table' as OutputFormat);
}

async function withClient<T>(opts: AppCliOptions, fn: (client: KubeClient) => Promise<T>): Promise<T> {
  const client = KubeClient.fromKubeconfig({ path: opts.kubeconfig });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function getApp(
  client: KubeClient,
  name: string,
  namespace: string,
): Promise<Application & KubeObject> {
  const app = await client.get<Application & KubeObject>({ ...APP_API, name, namespace });
  if (app === undefined) {
    throw new SlipwayError('not found', { subject: `Application/${namespace}/${name}`, reason: 'NotFound' });
  }
  return app;
}

/**
 * The operation `argocd app sync` writes: the requested revision (default: the app's
 * targetRevision), prune and sync options from the spec, and who asked.
 */
export function manualSyncOperation(
  app: Application,
  options: { revision?: string; prune?: boolean; username: string },
): Operation {
  const sync: NonNullable<Operation['sync']> = {
    revision: options.revision ?? app.spec.source?.targetRevision ?? 'HEAD',
  };
  if (options.prune ?? app.spec.syncPolicy?.automated?.prune === true) sync.prune = true;
  if (app.spec.syncPolicy?.syncOptions !== undefined) sync.syncOptions = [...app.spec.syncPolicy.syncOptions];
  return { sync, initiatedBy: { username: options.username } };
}

function short(rev: string | undefined): string {
  return rev === undefined ? '' : /^[0-9a-f]{40}$/.test(rev) ? rev.slice(0, 7) : rev;
}

export function registerApp(program: Command, io: Io): void {
  const app = program
    .command('app')
    .description('inspect and sync Argo CD Applications reconciled by `slipway controller`');

  withCommon(app.command('list').description('list Applications')).action(async (opts: AppCliOptions) => {
    await withClient(opts, async (client) => {
      const { items } = await client.list<Application & KubeObject>({
        ...APP_API,
        namespace: opts.namespace,
      });
      printValue(io, opts.output, items, () =>
        formatTable(
          ['name', 'sync', 'health', 'revision', 'operation'],
          items.map((a) => [
            a.metadata.name,
            a.status?.sync?.status ?? '',
            a.status?.health?.status ?? '',
            short(a.status?.sync?.revision),
            a.status?.operationState?.phase ?? '',
          ]),
        ),
      );
    });
  });

  withCommon(
    app.command('get').description('show an Application and its resources').argument('<name>'),
  ).action(async (name: string, opts: AppCliOptions) => {
    await withClient(opts, async (client) => {
      const a = await getApp(client, name, opts.namespace);
      printValue(io, opts.output, a, () => {
        const s = a.status;
        const head = [
          `Name:          ${a.metadata.namespace}/${a.metadata.name}`,
          `Source:        ${a.spec.source?.repoURL ?? ''} ${a.spec.source?.path ?? ''}@${a.spec.source?.targetRevision ?? 'HEAD'}`,
          `Destination:   ${a.spec.destination.namespace ?? ''}`,
          `Sync Status:   ${s?.sync?.status ?? 'Unknown'} (${short(s?.sync?.revision)})`,
          `Health Status: ${s?.health?.status ?? 'Unknown'}`,
          ...(s?.operationState
            ? [`Operation:     ${s.operationState.phase}: ${s.operationState.message ?? ''}`]
            : []),
          ...(s?.conditions ?? []).map((c) => `Condition:     ${c.type}: ${c.message}`),
        ].join('\n');
        const rows = (s?.resources ?? []).map((r) => [
          r.group ?? '',
          r.kind ?? '',
          r.namespace ?? '',
          r.name ?? '',
          r.status ?? '',
          r.health?.status ?? '',
          r.requiresPruning ? 'requires pruning' : '',
        ]);
        return `${head}\n\n${formatTable(['group', 'kind', 'namespace', 'name', 'status', 'health', 'info'], rows)}`;
      });
    });
  });

  withCommon(
    app.command('history').description('list the deployments of an Application').argument('<name>'),
  ).action(async (name: string, opts: AppCliOptions) => {
    await withClient(opts, async (client) => {
      const history = (await getApp(client, name, opts.namespace)).status?.history ?? [];
      printValue(io, opts.output, history, () =>
        formatTable(
          ['id', 'date', 'revision', 'initiated by'],
          history.map((h) => [
            String(h.id),
            h.deployedAt,
            h.revision ?? '',
            h.initiatedBy?.automated ? 'automated' : (h.initiatedBy?.username ?? ''),
          ]),
        ),
      );
    });
  });

  withCommon(
    app.command('diff').description('show the resources that are out of sync').argument('<name>'),
  ).action(async (name: string, opts: AppCliOptions) => {
    await withClient(opts, async (client) => {
      const a = await getApp(client, name, opts.namespace);
      const outOfSync = (a.status?.resources ?? []).filter((r) => r.status !== 'Synced');
      printValue(io, opts.output, outOfSync, () =>
        outOfSync.length === 0
          ? `Application/${opts.namespace}/${name} is in sync at ${short(a.status?.sync?.revision)}\n`
          : formatTable(
              ['group', 'kind', 'namespace', 'name', 'status', 'info'],
              outOfSync.map((r) => [
                r.group ?? '',
                r.kind ?? '',
                r.namespace ?? '',
                r.name ?? '',
                r.status ?? '',
                r.requiresPruning ? 'requires pruning' : '',
              ]),
            ),
      );
      if (outOfSync.length > 0) process.exitCode = 1;
    });
  });

  withCommon(
    app
      .command('sync')
      .description('request a sync of an Application (the controller runs it)')
      .argument('<name>')
      .option('--revision <rev>', 'branch, tag or commit to sync to (default: the targetRevision)')
      .option('--prune', 'delete resources no longer in git'),
  ).action(async (name: string, opts: AppCliOptions & { revision?: string; prune?: boolean }) => {
    await withClient(opts, async (client) => {
      const a = await getApp(client, name, opts.namespace);
      if (a.operation !== undefined) {
        throw new SlipwayError('another operation is already in progress', {
          subject: `Application/${opts.namespace}/${name}`,
          reason: 'OperationInProgress',
        });
      }
      const operation = manualSyncOperation(a, {
        ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
        ...(opts.prune !== undefined ? { prune: opts.prune } : {}),
        username: process.env['USER'] ?? 'slipway',
      });
      // Guarded by the resourceVersion read, so a concurrent operation is never overwritten.
      await client.patch(
        { ...APP_API, name, namespace: opts.namespace },
        [
          { op: 'test', path: '/metadata/resourceVersion', value: a.metadata.resourceVersion },
          { op: 'add', path: '/operation', value: operation },
        ],
        { type: 'json' },
      );
      printValue(
        io,
        opts.output,
        operation,
        () => `sync of Application/${opts.namespace}/${name} requested (${operation.sync?.revision ?? ''})\n`,
      );
    });
  });
}
