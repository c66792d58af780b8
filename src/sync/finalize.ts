/**
 * Cascading deletion of an Application (`finalizeApplicationDeletion` in Argo CD's
 * `controller/appcontroller.go`).
 *
 * An Application that carries a resources finalizer (`resources-finalizer.argocd.argoproj.io`, or
 * its `/foreground` or `/background` form) is not removed by the API server until its controller
 * has deleted every object it tracks. Each pass:
 *
 * 1. waits while any tracked object is already being deleted (has a deletionTimestamp);
 * 2. picks the objects to delete: tracked by this app (its tracking id names the app and the object
 *    itself), not a CRD, not the Application itself, not `Delete=false`, not Helm's
 *    `resource-policy: keep`; waits while one needs `Delete=confirm`/`Prune=confirm` approval;
 * 3. deletes the highest sync wave among them (`FilterObjectsForDeletion`: the reverse of the
 *    order they were synced in), with foreground propagation unless the finalizer says
 *    `/background`;
 * 4. once nothing is left to delete, removes the finalizer, and the API server removes the app.
 *
 * Without such a finalizer the tracked objects are left alone. Pre/PostDelete hooks are not run.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import { ApiError, isConflict, isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import { limit } from '../util/limit.ts';
import { type Application, isDeletionConfirmed } from './application.ts';
import { syncWaveOf } from './hooks.ts';
import type { LiveState } from './live.ts';
import { hasAnnotationOption, isDeletionDisabled, requiresDeletionConfirmation } from './sync-options.ts';
import { isSelfReferenced, trackedAppName } from './tracking.ts';

/** The finalizer that asks for cascading deletion (foreground propagation). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** Cascading deletion with foreground propagation, named explicitly. */
export const FOREGROUND_FINALIZER = `${RESOURCES_FINALIZER}/foreground`;
/** Cascading deletion with background propagation. */
export const BACKGROUND_FINALIZER = `${RESOURCES_FINALIZER}/background`;

const CASCADE_FINALIZERS: readonly string[] = [
  RESOURCES_FINALIZER,
  FOREGROUND_FINALIZER,
  BACKGROUND_FINALIZER,
];

/** True for the three finalizers that ask for cascading deletion (`isPropagationPolicyFinalizer`). */
export function isCascadeFinalizer(finalizer: string): boolean {
  return CASCADE_FINALIZERS.includes(finalizer);
}

/** The first cascade finalizer among `finalizers` (`GetPropagationPolicy`), if any. */
export function cascadeFinalizerOf(finalizers: readonly string[] | undefined): string | undefined {
  return (finalizers ?? []).find(isCascadeFinalizer);
}

/** `finalizers` without any cascade finalizer (`UnSetCascadedDeletion`). */
export function withoutCascadeFinalizers(finalizers: readonly string[] | undefined): string[] {
  return (finalizers ?? []).filter((f) => !isCascadeFinalizer(f));
}

/**
 * The finalizer `argocd app delete --propagation-policy` adds (`getPropagationPolicyFinalizer`):
 * `foreground` → `/foreground`, `background` → `/background`, empty → the plain finalizer;
 * undefined for anything else.
 * @example propagationFinalizer('Background') === 'resources-finalizer.argocd.argoproj.io/background'
 */
export function propagationFinalizer(policy: string): string | undefined {
  switch (policy.toLowerCase()) {
    case 'background':
      return BACKGROUND_FINALIZER;
    case 'foreground':
      return FOREGROUND_FINALIZER;
    case '':
      return RESOURCES_FINALIZER;
    default:
      return undefined;
  }
}

/**
 * Whether cascading deletion deletes `obj` (`shouldBeDeleted`): not a CRD (deleting one deletes
 * every custom resource of its kind, whoever owns them), not the Application itself, not
 * `Delete=false` (on the object, else in the app's sync options), not Helm's `resource-policy: keep`.
 */
export function shouldBeDeleted(app: Application, obj: KubeObject): boolean {
  const { group } = splitApiVersion(obj.apiVersion);
  const isCrd = group === 'apiextensions.k8s.io' && obj.kind === 'CustomResourceDefinition';
  const isSelf =
    group === 'argoproj.io' &&
    obj.kind === 'Application' &&
    obj.metadata.name === app.metadata.name &&
    (obj.metadata.namespace ?? '') === (app.metadata.namespace ?? '');
  return (
    !isCrd &&
    !isSelf &&
    !isDeletionDisabled(obj, app.spec.syncPolicy?.syncOptions ?? []) &&
    !hasAnnotationOption(obj, 'helm.sh/resource-policy', 'keep')
  );
}

/**
 * The objects of the highest sync wave (`FilterObjectsForDeletion`): deletion runs the waves in
 * reverse, so what was synced last goes first.
 * @example highestWave([cm('a', 0), cm('b', 2), cm('c', 2), cm('d', 1)]).map(name) // ['b', 'c']
 */
export function highestWave(objects: readonly KubeObject[]): KubeObject[] {
  if (objects.length === 0) return [];
  const top = Math.max(...objects.map(syncWaveOf));
  return objects.filter((o) => syncWaveOf(o) === top);
}

/** What one pass of the deletion does. */
export type DeletionPlan =
  /** No cascade finalizer: Slipway has nothing to do (the objects stay). */
  | { kind: 'none' }
  /** Come back later: objects are still going away, or a deletion awaits approval. */
  | { kind: 'wait'; message: string }
  /** Delete these objects (one wave) with this propagation, then look again. */
  | { kind: 'delete'; objects: KubeObject[]; propagationPolicy: 'Foreground' | 'Background'; wave: number }
  /** Everything is gone: write these finalizers (the cascade finalizers removed). */
  | { kind: 'removeFinalizer'; finalizers: string[] };

/** Inputs of {@link planDeletion}. */
export interface DeletionInput {
  app: Application;
  /** The app's tracking instance name (`appInstanceName`). */
  instanceName: string;
  /** The live objects whose tracking names the app (from the informer cache). */
  live: readonly KubeObject[];
}

/**
 * One pass of cascading deletion (the `CascadedDeletion()` branch of
 * `finalizeApplicationDeletion`). Objects whose tracking id does not describe them (copied from
 * another object, or naming another app) are never deleted.
 * @example
 * // finalizers [resources-finalizer.argocd.argoproj.io], live: Deployment (wave 0), ConfigMap (wave 1)
 * planDeletion(input) // { kind: 'delete', objects: [ConfigMap], propagationPolicy: 'Foreground', wave: 1 }
 * // next pass, the ConfigMap gone:
 * planDeletion(input) // { kind: 'delete', objects: [Deployment], … wave: 0 }
 * // then:
 * planDeletion(input) // { kind: 'removeFinalizer', finalizers: [] }
 */
export function planDeletion(input: DeletionInput): DeletionPlan {
  const { app } = input;
  const finalizer = cascadeFinalizerOf(app.metadata.finalizers);
  if (finalizer === undefined) return { kind: 'none' };
  const owned = input.live.filter(
    (obj) =>
      trackedAppName(obj) === input.instanceName && isSelfReferenced(obj, undefined, input.instanceName),
  );
  const pending = owned.filter((o) => o.metadata.deletionTimestamp !== undefined);
  if (pending.length > 0) {
    return { kind: 'wait', message: `${owned.length} objects remaining for deletion` };
  }
  const candidates = owned.filter((o) => shouldBeDeleted(app, o));
  const deletionTimestamp = app.metadata.deletionTimestamp;
  const approved = deletionTimestamp !== undefined && isDeletionConfirmed(app, new Date(deletionTimestamp));
  const unconfirmed = candidates.find(
    (o) => !approved && requiresDeletionConfirmation(o, app.spec.syncPolicy?.syncOptions ?? []),
  );
  if (unconfirmed !== undefined) {
    return {
      kind: 'wait',
      message: `${unconfirmed.kind}/${unconfirmed.metadata.namespace ?? ''}/${unconfirmed.metadata.name ?? ''} requires manual confirmation to delete`,
    };
  }
  if (candidates.length === 0) {
    return { kind: 'removeFinalizer', finalizers: withoutCascadeFinalizers(app.metadata.finalizers) };
  }
  const objects = highestWave(candidates);
  return {
    kind: 'delete',
    objects,
    propagationPolicy: finalizer === BACKGROUND_FINALIZER ? 'Background' : 'Foreground',
    wave: syncWaveOf(objects[0] as KubeObject),
  };
}

/** What {@link finalizeApplication} needs. */
export interface FinalizeDeps {
  client: KubeClient;
  live: LiveState;
  instanceName: string;
  signal?: AbortSignal | undefined;
  /** Deletes in flight at once; default 8. */
  concurrency?: number | undefined;
}

/** The outcome of one pass: the plan carried out, and whether the app still needs passes. */
export interface FinalizeOutcome {
  plan: DeletionPlan;
  /** True until the finalizer has been removed (or there was none). */
  again: boolean;
}

/**
 * Carries out one pass of {@link planDeletion} for the Application read as `raw`: makes sure the
 * kinds it last reported are watched, deletes one wave, or removes the finalizer (a JSON patch
 * guarded by the resourceVersion read, so a concurrent edit of the finalizers is never lost).
 * @throws the API error naming the object whose deletion failed (an `AggregateError` when several
 *   did), or the error of reading discovery; the next pass starts over.
 */
export async function finalizeApplication(
  raw: KubeObject,
  app: Application,
  deps: FinalizeDeps,
): Promise<FinalizeOutcome> {
  if (cascadeFinalizerOf(app.metadata.finalizers) === undefined) {
    return { plan: { kind: 'none' }, again: false };
  }
  await watchReportedKinds(app, deps);
  const plan = planDeletion({
    app,
    instanceName: deps.instanceName,
    live: deps.live.trackedBy(deps.instanceName),
  });
  if (plan.kind === 'delete') {
    const run = limit(deps.concurrency ?? 8);
    const failures: Error[] = [];
    await Promise.all(
      plan.objects.map((obj) =>
        run(async () => {
          const ref = {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata.name ?? '',
            namespace: obj.metadata.namespace,
          };
          try {
            await deps.client.delete(ref, {
              propagationPolicy: plan.propagationPolicy,
              // Only the object that was judged: a re-created namesake is someone else's.
              ...(obj.metadata.uid ? { preconditions: { uid: obj.metadata.uid } } : {}),
              ...(deps.signal ? { signal: deps.signal } : {}),
            });
          } catch (err) {
            // Gone already (404) or replaced meanwhile (409 on the uid precondition): not ours to delete.
            if (isNotFound(err) || isConflict(err)) return;
            failures.push(err instanceof Error ? err : new Error(String(err)));
          }
        }),
      ),
    );
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      throw new AggregateError(
        failures,
        `failed to delete ${failures.length} resources: ${failures.map((f) => f.message).join('; ')}`,
      );
    }
    return { plan, again: true };
  }
  if (plan.kind === 'removeFinalizer') {
    try {
      await deps.client.patch(
        {
          apiVersion: raw.apiVersion,
          kind: raw.kind,
          name: raw.metadata.name ?? '',
          namespace: raw.metadata.namespace,
        },
        [
          { op: 'test', path: '/metadata/resourceVersion', value: raw.metadata.resourceVersion },
          { op: 'replace', path: '/metadata/finalizers', value: plan.finalizers },
        ],
        { type: 'json', fieldManager: 'slipway', ...(deps.signal ? { signal: deps.signal } : {}) },
      );
    } catch (err) {
      // The app changed since it was read (a failed `test` is 422) and is queued again; gone is done.
      if (isNotFound(err)) return { plan, again: false };
      if (err instanceof ApiError && (err.code === 422 || err.code === 409)) return { plan, again: true };
      throw err;
    }
    return { plan, again: false };
  }
  return { plan, again: plan.kind === 'wait' };
}

/**
 * Starts informers for every kind the app last reported (`status.resources` and the last sync's
 * results), so its objects are in the cache even when the controller started after the app stopped
 * rendering them. Kinds the server no longer serves have nothing left to delete.
 */
async function watchReportedKinds(app: Application, deps: FinalizeDeps): Promise<void> {
  const kinds = new Map<string, string>();
  const entries = [
    ...(app.status?.resources ?? []),
    ...(app.status?.operationState?.syncResult?.resources ?? []),
  ];
  for (const r of entries) {
    if (!r.kind || !r.version) continue;
    kinds.set(`${r.group ?? ''}/${r.kind}`, r.group ? `${r.group}/${r.version}` : r.version);
  }
  for (const [key, apiVersion] of kinds) {
    const kind = key.slice(key.indexOf('/') + 1);
    try {
      await deps.client.discovery.resourceFor(apiVersion, kind, deps.signal);
    } catch (err) {
      if (err instanceof SlipwayError && err.reason === 'NoKindMatch') continue;
      throw err;
    }
    await deps.live.ensure(apiVersion, kind);
  }
}
