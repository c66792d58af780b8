/**
 * `slipway app list|get|diff|sync|history|rollback|terminate-op|delete`: Applications as `argocd
 * app` shows and drives them. A sync or rollback writes `operation` on the Application (as Argo CD's
 * API server does) and the controller runs it; `terminate-op` sets the running operation's phase to
 * `Terminating`; `delete` adds the resources finalizer (cascade) or removes it, then deletes.
 * @module
 */
import type { Command } from 'commander';
import { KubeClient } from '../../kube/client.ts';
import { ApiError } from '../../kube/errors.ts';
import type { KubeObject } from '../../kube/types.ts';
import type { Application, Operation } from '../../sync/application.ts';
import {
  cascadeFinalizerOf,
  isCascadeFinalizer,
  propagationFinalizer,
  withoutCascadeFinalizers,
} from '../../sync/finalize.ts';
import { findHistoryEntry, rollbackOperation } from '../../sync/rollback.ts';
import { sleep } from '../../util/abort.ts';
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
    .description(
      'inspect, sync, roll back and delete Argo CD Applications reconciled by `slipway controller`',
    );

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
      // Hooks are never a difference (`argocd app diff` skips them, `app_diff.go` getObjectMap).
      const outOfSync = (a.status?.resources ?? []).filter((r) => r.status !== 'Synced' && !r.hook);
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
      const { operation } = await setOperation(client, name, opts.namespace, (a) =>
        manualSyncOperation(a, {
          ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
          ...(opts.prune !== undefined ? { prune: opts.prune } : {}),
          username: process.env['USER'] ?? 'slipway',
        }),
      );
      printValue(
        io,
        opts.output,
        operation,
        () => `sync of Application/${opts.namespace}/${name} requested (${operation.sync?.revision ?? ''})\n`,
      );
    });
  });

  withCommon(
    app
      .command('rollback')
      .description('roll an Application back to a deployment in its history (not while auto-sync is on)')
      .addHelpText(
        'after',
        '\nWithout HISTORY_ID the deployment before the last is used. The sync runs no hooks, and the app shows\nOutOfSync afterwards: its spec still follows the branch.',
      )
      .argument('<name>')
      .argument('[HISTORY_ID]', 'the `id` of a `slipway app history` entry')
      .option('--prune', 'delete resources the earlier revision does not have'),
  ).action(async (name: string, id: string | undefined, opts: AppCliOptions & { prune?: boolean }) => {
    await withClient(opts, async (client) => {
      const historyId = id === undefined ? undefined : parseHistoryId(id);
      const { app: a, operation } = await setOperation(client, name, opts.namespace, (a) =>
        rollbackOperation(a, {
          id: historyId,
          prune: opts.prune === true,
          username: process.env['USER'] ?? 'slipway',
        }),
      );
      const entry = findHistoryEntry(a, historyId);
      printValue(
        io,
        opts.output,
        operation,
        () =>
          `rollback of Application/${opts.namespace}/${name} to deployment ${entry.id} (${short(entry.revision)}) requested\n`,
      );
    });
  });

  withCommon(
    app
      .command('terminate-op')
      .description('stop the running operation of an Application (it ends Failed, without retries)')
      .argument('<name>'),
  ).action(async (name: string, opts: AppCliOptions) => {
    await withClient(opts, async (client) => {
      const subject = `Application/${opts.namespace}/${name}`;
      // As upstream's server: retry on a lost race (here a failed resourceVersion test), up to 10 times.
      for (let attempt = 1; ; attempt++) {
        const a = await getApp(client, name, opts.namespace);
        if (a.operation === undefined || a.status?.operationState === undefined) {
          throw new SlipwayError('Unable to terminate operation. No operation is in progress', {
            subject,
            reason: 'NoOperation',
          });
        }
        try {
          await client.patch(
            { ...APP_API, name, namespace: opts.namespace },
            [
              { op: 'test', path: '/metadata/resourceVersion', value: a.metadata.resourceVersion },
              { op: 'replace', path: '/status/operationState/phase', value: 'Terminating' },
            ],
            { type: 'json' },
          );
          break;
        } catch (err) {
          if (!lostRace(err)) throw err;
          if (attempt >= WRITE_ATTEMPTS) {
            throw new SlipwayError('Failed to terminate app. Too many conflicts', {
              subject,
              reason: 'Conflict',
              cause: err,
            });
          }
          await sleep(100);
        }
      }
      printValue(
        io,
        opts.output,
        { name, namespace: opts.namespace, phase: 'Terminating' },
        () => `Application '${name}' operation terminating\n`,
      );
    });
  });

  withCommon(
    app
      .command('delete')
      .description('delete an Application (with cascade, the default: its resources first)')
      .addHelpText(
        'after',
        '\nCascade adds the resources-finalizer.argocd.argoproj.io finalizer: the controller deletes every object\nthe app tracks, highest sync wave first, then lets the Application go. --cascade=false removes it, so\nthe objects stay.',
      )
      .argument('<name>')
      .option('--cascade [bool]', 'delete the resources of the Application too (default true)', parseBool)
      .option(
        '-p, --propagation-policy <policy>',
        'how resources are deleted with cascade: foreground|background (default foreground)',
      ),
  ).action(
    async (
      name: string,
      opts: AppCliOptions & { cascade?: boolean | string; propagationPolicy?: string },
    ) => {
      await withClient(opts, async (client) => {
        const subject = `Application/${opts.namespace}/${name}`;
        let a: Application & KubeObject;
        let finalizers: string[] | undefined;
        // The controller writes status all the time: a lost race reads again and retries.
        for (let attempt = 1; ; attempt++) {
          a = await getApp(client, name, opts.namespace);
          finalizers = deletionFinalizers(a, {
            cascade:
              opts.cascade === undefined ? undefined : opts.cascade === true || opts.cascade === 'true',
            propagationPolicy: opts.propagationPolicy,
          });
          if (finalizers === undefined) break;
          try {
            await client.patch(
              { ...APP_API, name, namespace: opts.namespace },
              [
                { op: 'test', path: '/metadata/resourceVersion', value: a.metadata.resourceVersion },
                { op: 'add', path: '/metadata/finalizers', value: finalizers },
              ],
              { type: 'json' },
            );
            break;
          } catch (err) {
            if (!lostRace(err)) throw err;
            if (attempt >= WRITE_ATTEMPTS) {
              throw new SlipwayError('failed to set the finalizers: too many conflicts', {
                subject,
                reason: 'Conflict',
                cause: err,
              });
            }
            await sleep(100);
          }
        }
        await client.delete({ ...APP_API, name, namespace: opts.namespace });
        const cascade = cascadeFinalizerOf(finalizers ?? a.metadata.finalizers) !== undefined;
        printValue(
          io,
          opts.output,
          { name, namespace: opts.namespace, cascade },
          () => `application '${name}' deleted${cascade ? ' (its resources are being deleted)' : ''}\n`,
        );
      });
    },
  );
}

/** How often a write guarded by the resourceVersion read is tried before giving up (as upstream). */
const WRITE_ATTEMPTS = 10;

/** True for a lost race of a guarded write: a failed `test` (422) or a conflict (409). */
function lostRace(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 409 || err.code === 422);
}

/**
 * Starts an operation as upstream's server does (`Sync`/`Rollback`, then `SetAppOperation`): read
 * the app, build the operation, refuse while another operation is in progress, write `operation` guarded by the resourceVersion read (so a concurrent
 * operation is never overwritten), and on a lost race read again and retry, up to 10 times.
 */
async function setOperation(
  client: KubeClient,
  name: string,
  namespace: string,
  build: (app: Application & KubeObject) => Operation,
): Promise<{ app: Application & KubeObject; operation: Operation }> {
  const subject = `Application/${namespace}/${name}`;
  for (let attempt = 1; ; attempt++) {
    const app = await getApp(client, name, namespace);
    // Built (and so checked) first: a refused rollback says why, whatever else is going on.
    const operation = build(app);
    if (app.operation !== undefined) {
      throw new SlipwayError('another operation is already in progress', {
        subject,
        reason: 'OperationInProgress',
      });
    }
    try {
      await client.patch(
        { ...APP_API, name, namespace },
        [
          { op: 'test', path: '/metadata/resourceVersion', value: app.metadata.resourceVersion },
          { op: 'add', path: '/operation', value: operation },
        ],
        { type: 'json' },
      );
      return { app, operation };
    } catch (err) {
      if (!lostRace(err)) throw err;
      if (attempt >= WRITE_ATTEMPTS) {
        throw new SlipwayError('failed to set the operation: too many conflicts', {
          subject,
          reason: 'Conflict',
          cause: err,
        });
      }
      await sleep(100);
    }
  }
}

/**
 * A history id as given on the command line.
 * @throws SlipwayError naming the argument when it is not a whole number.
 */
export function parseHistoryId(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new SlipwayError(
      `must be a whole number (an id from \`slipway app history\`), got ${JSON.stringify(text)}`,
      {
        subject: 'HISTORY_ID',
        reason: 'Usage',
      },
    );
  }
  return Number(text);
}

function parseBool(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new SlipwayError(`must be true or false, got ${JSON.stringify(text)}`, {
    subject: '--cascade',
    reason: 'Usage',
  });
}

/**
 * The finalizers to write before deleting an Application (`Server.Delete`), or undefined when they
 * stay as they are. Cascade (the default) adds the resources finalizer for the propagation policy
 * unless one is there or the app is already being deleted (Kubernetes refuses new finalizers then);
 * `cascade: false` removes any resources finalizer, so the objects are left in place.
 * @throws SlipwayError for a propagation policy with `cascade: false`, or an unknown policy.
 * @example deletionFinalizers(app, {}) // ['resources-finalizer.argocd.argoproj.io']
 * @example deletionFinalizers(app, { cascade: false }) // undefined (no finalizer to remove)
 */
export function deletionFinalizers(
  app: Application,
  options: { cascade?: boolean | undefined; propagationPolicy?: string | undefined },
): string[] | undefined {
  const current = app.metadata.finalizers ?? [];
  if (options.cascade === false) {
    if (options.propagationPolicy !== undefined) {
      throw new SlipwayError('cannot set propagation policy when cascading is disabled', {
        subject: '--propagation-policy',
        reason: 'Usage',
      });
    }
    return current.some(isCascadeFinalizer) ? withoutCascadeFinalizers(current) : undefined;
  }
  const finalizer = propagationFinalizer(options.propagationPolicy ?? '');
  if (finalizer === undefined) {
    throw new SlipwayError(`invalid propagation policy: ${options.propagationPolicy ?? ''}`, {
      subject: '--propagation-policy',
      reason: 'Usage',
    });
  }
  if (current.includes(finalizer) || app.metadata.deletionTimestamp !== undefined) return undefined;
  return [...current, finalizer];
}
