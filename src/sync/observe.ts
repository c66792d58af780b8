/**
 * Observing an Application: its manifests at a revision, the live objects it tracks, and the
 * comparison of the two (diff over a server-side dry run, sync status, health). Gathered once per
 * reconcile into a read-only {@link ApplicationObservation}; nothing here writes to the cluster
 * (the dry-run applies persist nothing).
 * @module
 */
import { createHash } from 'node:crypto';
import { aggregateHealth } from '../health/aggregate.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import type { Application, ApplicationCondition, ApplicationSource, ResourceStatus } from './application.ts';
import { compileIgnoreDifferences, diffResource, type IgnoreDifferences } from './diff-normalize.ts';
import { FIELD_MANAGER } from './execute.ts';
import type { LiveState } from './live.ts';
import type { SourceCache } from './source.ts';
import {
  computeSyncStatus,
  hasChangedManagedNamespaceMetadata,
  sharedResourceConditions,
  summaryImages,
} from './status.ts';
import {
  type IsNamespaced,
  normalizeTargetObjects,
  partitionTargetsForSync,
  type Reconciliation,
  reconcile,
  withExistingLive,
  withManagedNamespaceTarget,
} from './tasks.ts';
import { setAppInstance } from './tracking.ts';
import { formatResourceKey, type HealthStatus, resourceKeyOf, type SyncStatusCode } from './types.ts';

/** What one reconcile knows about an Application, gathered once. */
export interface ApplicationObservation {
  /** The resolved commit the targets come from. */
  readonly revision: string;
  /** `Kustomize`, `Helm` or `Directory`. */
  readonly sourceType: string;
  /** Rendered, normalized and tracked targets (deletion hooks left out). */
  readonly targets: readonly KubeObject[];
  /** Targets paired with the live objects the app tracks; hooks split off. */
  readonly reconciliation: Reconciliation;
  /** Scope of each kind seen, from discovery (undefined for kinds the server does not serve). */
  readonly isNamespaced: IsNamespaced;
  /** Whether the server serves a kind. */
  readonly served: (group: string, kind: string) => boolean;
  /** The diff verdict per resource, keyed by `formatResourceKey` of live ?? target. */
  readonly modified: ReadonlyMap<string, boolean>;
  readonly syncStatus: SyncStatusCode;
  /** `status.resources`: sync status and health of each resource. */
  readonly resources: readonly ResourceStatus[];
  readonly health: HealthStatus;
  readonly images: readonly string[];
  /** Conditions raised while comparing (repeated or shared resources, invalid namespaces). */
  readonly conditions: readonly ApplicationCondition[];
}

/** What observing needs. */
export interface ObserveDeps {
  client: KubeClient;
  live: LiveState;
  sources: SourceCache;
  /** The tracking instance name of the app (`appInstanceName`). */
  instanceName: string;
  signal?: AbortSignal | undefined;
}

/**
 * Renders `source` at `revision` and compares it with what the app tracks in the cluster.
 * @throws SlipwayError when the manifests cannot be rendered or discovery fails.
 */
export async function observeApplication(
  app: Application,
  source: ApplicationSource,
  revision: string,
  deps: ObserveDeps,
): Promise<ApplicationObservation> {
  const namespace = app.spec.destination.namespace ?? '';
  const rendered = await deps.sources.render(source, revision, {
    appName: deps.instanceName,
    namespace,
    project: app.spec.project,
  });
  const { objects: syncable } = partitionTargetsForSync(rendered.objects);

  // Discovery and informers for every kind involved: targets, what status last listed, Namespaces.
  const kinds = new Map<string, string>();
  for (const obj of syncable)
    kinds.set(`${splitApiVersion(obj.apiVersion).group}/${obj.kind}`, obj.apiVersion);
  for (const r of app.status?.resources ?? []) {
    if (r.kind === undefined || r.version === undefined) continue;
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    kinds.set(`${r.group ?? ''}/${r.kind}`, apiVersion);
  }
  kinds.set('/Namespace', 'v1');
  const scopes = new Map<string, boolean | undefined>();
  await Promise.all(
    [...kinds].map(async ([key, apiVersion]) => {
      const kind = key.slice(key.indexOf('/') + 1);
      try {
        const info = await deps.client.discovery.resourceFor(apiVersion, kind, deps.signal);
        scopes.set(key, info.namespaced);
        await deps.live.ensure(apiVersion, kind);
      } catch (err) {
        // A kind the server does not serve (yet): its tasks fail, or skip their dry run for a CRD
        // that is part of the sync.
        if (err instanceof SlipwayError && err.reason === 'NoKindMatch') scopes.set(key, undefined);
        else throw err;
      }
    }),
  );
  const isNamespaced: IsNamespaced = (group, kind) => scopes.get(`${group}/${kind}`);
  const served = (group: string, kind: string) => scopes.get(`${group}/${kind}`) !== undefined;

  // Targets as Slipway applies them: namespaced, and tracked by this app.
  const normalized = normalizeTargetObjects(syncable, namespace, isNamespaced, (obj) =>
    setAppInstance(obj, deps.instanceName, namespace),
  );
  const live = deps.live.trackedBy(deps.instanceName);
  const targets = withManagedNamespaceTarget(
    normalized.objects,
    live,
    namespace,
    app.spec.syncPolicy?.managedNamespaceMetadata,
  );
  // Targets whose object exists already, untracked or tracked by another app, pair with it.
  const { reconciliation, found } = withExistingLive(reconcile(targets, live, namespace, isNamespaced), (t) =>
    deps.live.get(t.apiVersion, t.kind, t.metadata.name ?? '', t.metadata.namespace),
  );

  // Diff each pair against what the API server would make of the target.
  const ignore = compileIgnoreDifferences(app.spec.ignoreDifferences);
  const ignoreFingerprint = JSON.stringify(app.spec.ignoreDifferences ?? null);
  const modified = new Map<string, boolean>();
  const compared = await Promise.all(
    reconciliation.resources.map(async (pair) => {
      const isModified = await diffPair(deps, pair.target, pair.live, ignore, ignoreFingerprint);
      const key = formatResourceKey(resourceKeyOf((pair.live ?? pair.target) as KubeObject));
      modified.set(key, isModified);
      return { target: pair.target, live: pair.live, modified: isModified };
    }),
  );

  const status = computeSyncStatus({
    resources: compared,
    hooks: reconciliation.hooks,
    appName: deps.instanceName,
    syncOptions: app.spec.syncPolicy?.syncOptions,
    destinationNamespace: namespace,
    managedNamespaceMetadata: app.spec.syncPolicy?.managedNamespaceMetadata,
    managedNamespaceMetadataChanged: hasChangedManagedNamespaceMetadata(app),
    isNamespaced,
  });

  // Health of each resource, in the order of `status.resources`.
  const health = aggregateHealth(
    compared.map((c) => {
      const obj = (c.live ?? c.target) as KubeObject;
      const key = resourceKeyOf(obj);
      return { ...key, live: c.live, target: c.target };
    }),
  );
  const indexOf = new Map<string, number>();
  compared.forEach((c, i) => {
    const obj = (c.live ?? c.target) as KubeObject;
    const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (!indexOf.has(key)) indexOf.set(key, i);
  });
  const resources = status.resources.map((r) => {
    const i = indexOf.get(`${r.kind}/${r.namespace ?? ''}/${r.name}`);
    const h = i === undefined ? undefined : health.resources[i];
    return h === undefined
      ? r
      : { ...r, health: h.message ? { status: h.status, message: h.message } : { status: h.status } };
  });

  return {
    revision,
    sourceType: rendered.sourceType,
    targets,
    reconciliation,
    isNamespaced,
    served,
    modified,
    syncStatus: status.status,
    resources,
    health: health.message ? { status: health.status, message: health.message } : { status: health.status },
    images: summaryImages(targets),
    conditions: [
      ...normalized.conditions,
      ...status.conditions,
      ...sharedResourceConditions(found, app, deps.instanceName),
    ],
  };
}

/**
 * Whether a live object differs from its target: a missing side is a difference; otherwise the
 * target is dry-run applied (server-side, forced, as the sync would) and the prediction compared.
 * A dry run the server rejects counts as modified: the sync's own dry run reports why.
 *
 * The verdict is remembered against the live object's resourceVersion and a fingerprint of the
 * target and the ignore rules: while none of them changes, the same dry run would predict the same
 * object, so an unchanged app is compared without asking the server. Rejections are not
 * remembered (they may be passing, e.g. a webhook that was down).
 */
async function diffPair(
  deps: ObserveDeps,
  target: KubeObject | undefined,
  live: KubeObject | undefined,
  ignore: IgnoreDifferences,
  ignoreFingerprint: string,
): Promise<boolean> {
  if (target === undefined || live === undefined) return true;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(target))
    .update(ignoreFingerprint)
    .digest('base64');
  const recalled = deps.live.recalledDiff(live, fingerprint);
  if (recalled !== undefined) return recalled;
  let predicted: KubeObject;
  try {
    predicted = await deps.client.apply(target, {
      dryRun: true,
      force: true,
      fieldManager: FIELD_MANAGER,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  } catch {
    return true;
  }
  const modified = diffResource(predicted, live, { ignore }).modified;
  deps.live.rememberDiff(live, fingerprint, modified);
  return modified;
}
