/**
 * Gathers what the Rollout controller needs to know about one Rollout, once per reconcile, into a
 * read-only {@link RolloutObservation} (upstream's `newRolloutContext`). The planners read only this.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import { computePodTemplateHash } from './hash.ts';
import { getOtherRSs, replicaSetView } from './replica-math.ts';
import { parseRollout } from './spec.ts';
import type { ReplicaSetView, Rollout } from './types.ts';
import { RolloutLabels } from './types.ts';

/** A ReplicaSet as both the arithmetic's view and the object it came from. */
export interface ObservedReplicaSet extends ReplicaSetView {
  /** `rollout.argoproj.io/revision`, 0 when absent. */
  revision: number;
  object: DeepReadonly<KubeObject>;
}

/** A Service the Rollout names, as far as selector switching needs it. */
export interface ObservedService {
  name: string;
  selector: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

/** An AnalysisRun owned by the Rollout. */
export interface ObservedAnalysisRun {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** `status.phase`, '' while the analysis controller has not written one. */
  phase: string;
  message: string;
  terminate: boolean;
  creationTimestamp: string;
}

/** Everything one reconcile of a Rollout reads, gathered once. */
export interface RolloutObservation {
  /** The Rollout object as read (wire JSON; the hashes are computed over it). */
  raw: DeepReadonly<KubeObject>;
  /** The Rollout parsed with defaults, or the parse issues. */
  rollout: Rollout | undefined;
  parseError: string | undefined;
  /** Pod-template hash of `spec.template` (with `status.collisionCount`). */
  podHash: string;
  /** Every ReplicaSet the Rollout owns. */
  allRSs: readonly ObservedReplicaSet[];
  /** new: the ReplicaSet for the current `spec.template`. */
  newRS: ObservedReplicaSet | undefined;
  /** stable: the ReplicaSet that traffic returns to on abort (`status.stableRS`). */
  stableRS: ObservedReplicaSet | undefined;
  /** other: every owned ReplicaSet that is neither new nor stable. */
  otherRSs: readonly ObservedReplicaSet[];
  /** The Services the strategy names that exist, by name. */
  services: ReadonlyMap<string, ObservedService>;
  /** AnalysisRuns the Rollout owns. */
  analysisRuns: readonly ObservedAnalysisRun[];
  /** AnalysisTemplates of the namespace, by name (for creating runs). */
  analysisTemplates: ReadonlyMap<string, DeepReadonly<KubeObject>>;
}

const owns = (owner: DeepReadonly<KubeObject>, obj: DeepReadonly<KubeObject>): boolean =>
  (obj.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.controller === true);

/** The {@link ObservedReplicaSet} of a ReplicaSet object. */
export function observeReplicaSet(object: DeepReadonly<KubeObject>): ObservedReplicaSet {
  const view = replicaSetView(object as KubeObject);
  const revision = Number(object.metadata.annotations?.[RolloutLabels.revision] ?? '0');
  return { ...view, revision: Number.isSafeInteger(revision) ? revision : 0, object };
}

/** The {@link ObservedAnalysisRun} of an AnalysisRun object. */
export function observeAnalysisRun(object: DeepReadonly<KubeObject>): ObservedAnalysisRun {
  const status = (object as { status?: { phase?: unknown; message?: unknown } }).status;
  const spec = (object as { spec?: { terminate?: unknown } }).spec;
  return {
    name: object.metadata.name ?? '',
    labels: object.metadata.labels ?? {},
    phase: typeof status?.phase === 'string' ? status.phase : '',
    message: typeof status?.message === 'string' ? status.message : '',
    terminate: spec?.terminate === true,
    creationTimestamp: object.metadata.creationTimestamp ?? '',
  };
}

/** Pure part of observation: sorts already-listed objects into their roles. */
export function buildObservation(input: {
  rollout: DeepReadonly<KubeObject>;
  replicaSets: readonly DeepReadonly<KubeObject>[];
  services: readonly DeepReadonly<KubeObject>[];
  analysisRuns: readonly DeepReadonly<KubeObject>[];
  analysisTemplates: readonly DeepReadonly<KubeObject>[];
}): RolloutObservation {
  const raw = input.rollout;
  const parsed = parseRollout(raw);
  const rollout = parsed.ok ? parsed.value : undefined;
  const parseError = parsed.ok ? undefined : parsed.issues.map((i) => `${i.path}: ${i.detail}`).join('; ');
  const rawSpec = (raw as { spec?: { template?: unknown } }).spec;
  const podHash = computePodTemplateHash(rawSpec?.template, rollout?.status?.collisionCount);
  const allRSs = input.replicaSets.filter((rs) => owns(raw, rs)).map(observeReplicaSet);
  const newRS = allRSs.find((rs) => rs.podTemplateHash === podHash);
  const stableHash = rollout?.status?.stableRS ?? '';
  const stableRS = stableHash === '' ? undefined : allRSs.find((rs) => rs.podTemplateHash === stableHash);
  const otherNames = new Set(getOtherRSs(newRS, stableRS, allRSs).map((rs) => rs.name));
  const services = new Map<string, ObservedService>();
  for (const svc of input.services) {
    const spec = (svc as { spec?: { selector?: Record<string, string> } }).spec;
    services.set(svc.metadata.name ?? '', {
      name: svc.metadata.name ?? '',
      selector: spec?.selector ?? {},
      annotations: svc.metadata.annotations ?? {},
    });
  }
  return {
    raw,
    rollout,
    parseError,
    podHash,
    allRSs,
    newRS,
    stableRS,
    otherRSs: allRSs.filter((rs) => otherNames.has(rs.name)),
    services,
    analysisRuns: input.analysisRuns.filter((ar) => owns(raw, ar)).map(observeAnalysisRun),
    analysisTemplates: new Map(input.analysisTemplates.map((t) => [t.metadata.name ?? '', t])),
  };
}

/**
 * Reads one Rollout and everything it owns or names from the API server. Undefined when the
 * Rollout is gone (its children go with it by garbage collection).
 */
export async function observeRollout(
  client: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<RolloutObservation | undefined> {
  const rollout = await client.get(
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace, name },
    signal,
  );
  if (rollout === undefined || rollout.metadata.deletionTimestamp !== undefined) return undefined;
  const opts = signal ? { signal } : {};
  const list = async (apiVersion: string, kind: string) =>
    (await client.list({ apiVersion, kind, namespace }, opts)).items;
  const [replicaSets, services, analysisRuns, analysisTemplates] = await Promise.all([
    list('apps/v1', 'ReplicaSet'),
    list('v1', 'Service'),
    list('argoproj.io/v1alpha1', 'AnalysisRun'),
    list('argoproj.io/v1alpha1', 'AnalysisTemplate'),
  ]);
  return buildObservation({ rollout, replicaSets, services, analysisRuns, analysisTemplates });
}
