/**
 * `rollout undo`: put the pod template of an earlier revision back into a Deployment (what
 * `kubectl rollout undo` does, k8s.io/kubectl `polymorphichelpers/rollback.go`) or a Rollout (what
 * `kubectl argo rollouts undo` does, `pkg/kubectl-argo-rollouts/cmd/undo`). The revision is found
 * among the ReplicaSets the workload owns by their revision annotation; revision 0 means the one
 * before the newest. The controllers then roll the restored template out as any other update.
 *
 * Pure planners ({@link planDeploymentUndo}, {@link planRolloutUndo}) decide the JSON patch or why
 * there is none; {@link undo} reads the objects and sends the patch. The patch carries a `test` of
 * the resourceVersion, so an edit that lands between the read and the write fails the undo instead
 * of being overwritten.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import { RolloutLabels } from './types.ts';

/** The workload kinds `undo` handles. */
export type UndoKind = 'Deployment' | 'Rollout';

/** `deployment.kubernetes.io/revision` and the Deployment's pod-template-hash label. */
export const DeploymentLabels = {
  revision: 'deployment.kubernetes.io/revision',
  revisionHistory: 'deployment.kubernetes.io/revision-history',
  desiredReplicas: 'deployment.kubernetes.io/desired-replicas',
  maxReplicas: 'deployment.kubernetes.io/max-replicas',
  podTemplateHash: 'pod-template-hash',
} as const;

/**
 * Deployment annotations kubectl keeps from the Deployment rather than copying from the ReplicaSet
 * (`annotationsToSkip`).
 */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  DeploymentLabels.revision,
  DeploymentLabels.revisionHistory,
  DeploymentLabels.desiredReplicas,
  DeploymentLabels.maxReplicas,
  'deprecated.deployment.rollback.to',
]);

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'replace' | 'test';
  path: string;
  value: unknown;
}

/** What an undo will do: send `patch`, or nothing (with kubectl's "skipped rollback" text). */
export type UndoPlan =
  | { action: 'patch'; patch: JsonPatchOp[]; revision: number }
  | { action: 'skip'; message: string };

type Obj = DeepReadonly<KubeObject>;
type Template = { metadata?: { labels?: Record<string, string> } & Record<string, unknown> } & Record<
  string,
  unknown
>;

const templateOf = (obj: Obj): Template =>
  structuredClone((obj as { spec?: { template?: Template } }).spec?.template ?? {}) as Template;

/** The pod template without the hash label, for comparing and for copying back. */
function withoutHashLabel(template: Template, label: string): Template {
  const copy = structuredClone(template);
  if (copy.metadata?.labels !== undefined) {
    delete copy.metadata.labels[label];
  }
  return copy;
}

/**
 * Deep equality of JSON values, ignoring key order; an empty map or list equals an absent one, as
 * `apiequality.Semantic.DeepEqual` sees a nil and an empty Go map after decoding.
 * @example sameJSON({ a: 1, b: {} }, { a: 1 }) // true
 */
export function sameJSON(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) =>
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameJSON(v, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    return [...keys].every((k) => sameJSON(ao[k], bo[k]));
  }
  return a === b;
}

/**
 * `PodTemplateEqualIgnoreHash` for a Rollout: the ReplicaSet's pod template equals `template`,
 * both without `rollouts-pod-template-hash`.
 */
export function sameTemplateIgnoringHash(rs: Obj, template: unknown): boolean {
  if (template === undefined || template === null) return false;
  return sameJSON(
    withoutHashLabel(templateOf(rs), RolloutLabels.podTemplateHash),
    withoutHashLabel(structuredClone(template) as Template, RolloutLabels.podTemplateHash),
  );
}

/** The ReplicaSets `owner` controls, with their revision (ReplicaSets without one are left out). */
export function ownedRevisions(
  owner: Obj,
  replicaSets: readonly Obj[],
  annotation: string,
): Array<{ revision: number; rs: Obj }> {
  const out: Array<{ revision: number; rs: Obj }> = [];
  for (const rs of replicaSets) {
    const owned = (rs.metadata.ownerReferences ?? []).some(
      (r) => r.uid === owner.metadata.uid && r.controller === true,
    );
    const text = rs.metadata.annotations?.[annotation];
    // Go's strconv.ParseInt: digits with an optional sign, nothing else.
    if (!owned || text === undefined || !/^[+-]?\d+$/.test(text)) continue;
    out.push({ revision: Number(text), rs });
  }
  return out;
}

/**
 * kubectl's `deploymentRevision` / the plugin's `rolloutRevision`: the ReplicaSet of revision
 * `toRevision`, or with 0 the second-newest revision.
 * @throws SlipwayError `unable to find specified revision N in history`, or `noHistory` when there
 *   is no earlier revision.
 */
export function findRevision(
  revisions: ReadonlyArray<{ revision: number; rs: Obj }>,
  toRevision: number,
  subject: string,
  noHistory: string,
): { revision: number; rs: Obj } {
  if (toRevision < 0) throw revisionNotFound(toRevision, subject);
  if (toRevision > 0) {
    const found = revisions.find((r) => r.revision === toRevision);
    if (found === undefined) throw revisionNotFound(toRevision, subject);
    return found;
  }
  const sorted = [...revisions].sort((a, b) => b.revision - a.revision);
  const previous = sorted.find((r) => r.revision < (sorted[0]?.revision ?? 0));
  if (previous === undefined) throw new SlipwayError(noHistory, { subject, reason: 'NoRolloutHistory' });
  return previous;
}

const revisionNotFound = (revision: number, subject: string) =>
  new SlipwayError(`unable to find specified revision ${revision} in history`, {
    subject,
    reason: 'RevisionNotFound',
  });

/**
 * `DeploymentRollbacker.Rollback`: refuse a paused Deployment; skip when the current template
 * already is the revision's (ignoring `pod-template-hash`); else replace `spec.template` with the
 * revision's template minus `pod-template-hash`, and the annotations with the Deployment's own
 * revision/bookkeeping annotations plus the ReplicaSet's others.
 * @example planDeploymentUndo(web /* rev 2 current *\/, [rs rev 1, rs rev 2], 0) // { action: 'patch', revision: 1, patch: [test rv, replace /spec/template, replace /metadata/annotations] }
 */
export function planDeploymentUndo(
  deployment: Obj,
  replicaSets: readonly Obj[],
  toRevision: number,
): UndoPlan {
  const name = deployment.metadata.name ?? '';
  const subject = `Deployment/${deployment.metadata.namespace ?? ''}/${name}`;
  const found = findRevision(
    ownedRevisions(deployment, replicaSets, DeploymentLabels.revision),
    toRevision,
    subject,
    `no rollout history found for deployment ${JSON.stringify(name)}`,
  );
  if ((deployment as { spec?: { paused?: boolean } }).spec?.paused === true) {
    throw new SlipwayError(
      `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${name}' and try again`,
      { subject, reason: 'DeploymentPaused' },
    );
  }
  const target = withoutHashLabel(templateOf(found.rs), DeploymentLabels.podTemplateHash);
  if (sameJSON(target, withoutHashLabel(templateOf(deployment), DeploymentLabels.podTemplateHash))) {
    return {
      action: 'skip',
      message: `skipped rollback (current template already matches revision ${toRevision})`,
    };
  }
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {}))
    if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(found.rs.metadata.annotations ?? {}))
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  return {
    action: 'patch',
    revision: found.revision,
    patch: [
      { op: 'test', path: '/metadata/resourceVersion', value: deployment.metadata.resourceVersion ?? '' },
      { op: 'replace', path: '/spec/template', value: target },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}

/**
 * `RunUndoRollout`: skip when the Rollout's template already is the revision's (ignoring
 * `rollouts-pod-template-hash`); else replace `spec.template` with the revision's template minus
 * that label. Annotations are left alone, as upstream.
 */
export function planRolloutUndo(rollout: Obj, replicaSets: readonly Obj[], toRevision: number): UndoPlan {
  const name = rollout.metadata.name ?? '';
  const subject = `Rollout/${rollout.metadata.namespace ?? ''}/${name}`;
  if ((rollout as { spec?: { workloadRef?: unknown } }).spec?.workloadRef !== undefined) {
    throw new SlipwayError('undo of a Rollout with workloadRef is not supported by Slipway', {
      subject,
      reason: 'Unsupported',
    });
  }
  const found = findRevision(
    ownedRevisions(rollout, replicaSets, RolloutLabels.revision),
    toRevision,
    subject,
    `no revision found for rollout ${JSON.stringify(name)}`,
  );
  const target = withoutHashLabel(templateOf(found.rs), RolloutLabels.podTemplateHash);
  if (sameJSON(target, withoutHashLabel(templateOf(rollout), RolloutLabels.podTemplateHash))) {
    return {
      action: 'skip',
      message: `skipped rollback (current template already matches revision ${toRevision})`,
    };
  }
  return {
    action: 'patch',
    revision: found.revision,
    patch: [
      { op: 'test', path: '/metadata/resourceVersion', value: rollout.metadata.resourceVersion ?? '' },
      { op: 'replace', path: '/spec/template', value: target },
    ],
  };
}

/** What {@link undo} did, in kubectl's words. */
export interface UndoResult {
  kind: UndoKind;
  name: string;
  /** `deployment.apps/web rolled back`, `rollout 'web' undo`, or the skip message. */
  message: string;
}

/**
 * Reads the workload (a Rollout, else a Deployment, unless `kind` says which) and its ReplicaSets,
 * plans and sends the undo.
 * @throws SlipwayError (reason `NotFound`) when neither exists, or the planners' errors.
 */
export async function undo(
  client: KubeClient,
  target: { namespace: string; name: string; kind?: UndoKind | undefined; toRevision: number },
  signal?: AbortSignal,
): Promise<UndoResult> {
  const { namespace, name } = target;
  const refs: Record<UndoKind, { apiVersion: string; kind: UndoKind; namespace: string; name: string }> = {
    Rollout: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace, name },
    Deployment: { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name },
  };
  const order: UndoKind[] = target.kind !== undefined ? [target.kind] : ['Rollout', 'Deployment'];
  for (const kind of order) {
    const obj = await client.get(refs[kind], signal).catch((err: unknown) => {
      // No Rollout CRD installed: there is no Rollout by that name either.
      if (kind === 'Rollout' && target.kind === undefined) return undefined;
      throw err;
    });
    if (obj === undefined) continue;
    const { items } = await client.list(
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace },
      signal ? { signal } : {},
    );
    const plan =
      kind === 'Deployment'
        ? planDeploymentUndo(obj, items, target.toRevision)
        : planRolloutUndo(obj, items, target.toRevision);
    if (plan.action === 'skip') return { kind, name, message: plan.message };
    try {
      await client.patch(refs[kind], plan.patch, { type: 'json', ...(signal ? { signal } : {}) });
    } catch (err) {
      throw new SlipwayError(`failed restoring revision ${target.toRevision}: ${errorMessage(err)}`, {
        subject: `${kind}/${namespace}/${name}`,
        reason: 'UndoFailed',
        cause: err,
      });
    }
    const message = kind === 'Deployment' ? `deployment.apps/${name} rolled back` : `rollout '${name}' undo`;
    return { kind, name, message };
  }
  throw new SlipwayError('not found', {
    subject:
      target.kind !== undefined
        ? `${target.kind}/${namespace}/${name}`
        : `Rollout or Deployment ${namespace}/${name}`,
    reason: 'NotFound',
  });
}
