/**
 * Builds the AnalysisRun a Rollout creates from its AnalysisTemplates and arguments (upstream's
 * `utils/analysis/factory.go`): metrics, dry-run and retention settings of every template
 * concatenated, template arguments resolved from the Rollout's `args` (a literal `value`, a pod
 * template hash, or a `fieldRef` into the Rollout's metadata). The AnalysisRun object is the whole
 * interface to the analysis controller: the Rollout controller creates it and reads `status.phase`.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import type { RolloutObservation } from './observe.ts';
import type { RolloutAnalysis } from './types.ts';
import { RolloutLabels } from './types.ts';

/** `rollout-type` label values. */
export type AnalysisRunType = 'Step' | 'Background' | 'PrePromotion' | 'PostPromotion';

/** What a run is built from, besides the Rollout's `analysis` block. */
export interface AnalysisRunInputs {
  rollout: {
    name: string;
    namespace: string;
    uid: string;
    labels?: Readonly<Record<string, string>> | undefined;
    annotations?: Readonly<Record<string, string>> | undefined;
  };
  /** AnalysisTemplates of the namespace by name. */
  templates: ReadonlyMap<string, DeepReadonly<KubeObject>>;
  name: string;
  type: AnalysisRunType;
  podHash: string;
  stableHash: string;
  stepIndex?: number | undefined;
}

interface TemplateArg {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

/**
 * The value of a Rollout `fieldRef` argument: `metadata.name`, `metadata.namespace`,
 * `metadata.uid`, `metadata.labels['k']` or `metadata.annotations['k']`.
 */
export function resolveFieldRef(fieldPath: string, ro: AnalysisRunInputs['rollout']): string | undefined {
  if (fieldPath === 'metadata.name') return ro.name;
  if (fieldPath === 'metadata.namespace') return ro.namespace;
  if (fieldPath === 'metadata.uid') return ro.uid;
  const m = /^metadata\.(labels|annotations)\['([^']*)'\]$/.exec(fieldPath);
  if (m === null) return undefined;
  return (m[1] === 'labels' ? ro.labels : ro.annotations)?.[m[2] ?? ''];
}

/**
 * The AnalysisRun object for `analysis` (not yet created), owned by the Rollout.
 * @throws SlipwayError (reason `AnalysisTemplateNotFound`) naming the missing template, or
 *   (reason `InvalidAnalysisArgs`) naming an argument that has no value.
 */
export function buildAnalysisRun(
  analysis: DeepReadonly<RolloutAnalysis>,
  inputs: AnalysisRunInputs,
): KubeObject {
  const { rollout } = inputs;
  const metrics: unknown[] = [];
  const dryRun: unknown[] = [...(analysis.dryRun ?? [])];
  const measurementRetention: unknown[] = [...(analysis.measurementRetention ?? [])];
  const args = new Map<string, TemplateArg>();
  for (const ref of analysis.templates ?? []) {
    const template = inputs.templates.get(ref.templateName);
    if (template === undefined) {
      throw new SlipwayError('not found', {
        subject: `AnalysisTemplate/${rollout.namespace}/${ref.templateName}`,
        reason: 'AnalysisTemplateNotFound',
      });
    }
    const spec = (template as { spec?: Record<string, unknown> }).spec ?? {};
    metrics.push(...((spec.metrics as unknown[] | undefined) ?? []));
    dryRun.push(...((spec.dryRun as unknown[] | undefined) ?? []));
    measurementRetention.push(...((spec.measurementRetention as unknown[] | undefined) ?? []));
    for (const arg of (spec.args as TemplateArg[] | undefined) ?? []) {
      if (!args.has(arg.name) || arg.value !== undefined) args.set(arg.name, { ...arg });
    }
  }
  for (const arg of analysis.args ?? []) {
    const existing = args.get(arg.name);
    if (existing === undefined) continue; // upstream ignores arguments no template declares
    const from = arg.valueFrom;
    let value = arg.value;
    if (from?.podTemplateHashValue !== undefined) {
      value = from.podTemplateHashValue === 'Stable' ? inputs.stableHash : inputs.podHash;
    } else if (from?.fieldRef !== undefined) {
      value = resolveFieldRef(from.fieldRef.fieldPath, rollout);
    }
    if (value !== undefined) args.set(arg.name, { name: arg.name, value });
  }
  for (const arg of args.values()) {
    if (arg.value === undefined && arg.valueFrom === undefined) {
      throw new SlipwayError(`args.${arg.name} was not resolved`, {
        subject: `Rollout/${rollout.namespace}/${rollout.name}`,
        reason: 'InvalidAnalysisArgs',
      });
    }
  }
  const labels: Record<string, string> = {
    ...(analysis.analysisRunMetadata?.labels ?? {}),
    [RolloutLabels.podTemplateHash]: inputs.podHash,
    [RolloutLabels.rolloutType]: inputs.type,
  };
  if (inputs.stepIndex !== undefined) labels[RolloutLabels.stepIndex] = String(inputs.stepIndex);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: inputs.name,
      namespace: rollout.namespace,
      labels,
      ...(analysis.analysisRunMetadata?.annotations
        ? { annotations: { ...analysis.analysisRunMetadata.annotations } }
        : {}),
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: rollout.name,
          uid: rollout.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      metrics,
      args: [...args.values()],
      ...(dryRun.length > 0 ? { dryRun } : {}),
      ...(measurementRetention.length > 0 ? { measurementRetention } : {}),
    },
  };
}

/** A new AnalysisRun for a Rollout, or why it cannot be made (the Rollout then aborts). */
export type NewAnalysisRun = { name: string; run: KubeObject } | { name: string; error: string };

/**
 * Builds the AnalysisRun `analysis` asks for, named `base` (or `base.N`, the first name no run of
 * the Rollout has), for the observed Rollout's new pod template. A template or argument that cannot
 * be resolved comes back as `error` (upstream aborts the update with that message).
 */
export function newAnalysisRun(
  obs: RolloutObservation,
  analysis: DeepReadonly<RolloutAnalysis>,
  input: { base: string; type: AnalysisRunType; stableHash: string; stepIndex?: number | undefined },
): NewAnalysisRun {
  const taken = new Set(obs.analysisRuns.map((r) => r.name));
  let name = input.base;
  for (let n = 1; taken.has(name); n++) name = `${input.base}.${n}`;
  const metadata = obs.raw.metadata;
  try {
    const run = buildAnalysisRun(analysis, {
      rollout: {
        name: metadata.name ?? '',
        namespace: metadata.namespace ?? '',
        uid: metadata.uid ?? '',
        labels: metadata.labels,
        annotations: metadata.annotations,
      },
      templates: obs.analysisTemplates,
      name,
      type: input.type,
      podHash: obs.podHash,
      stableHash: input.stableHash,
      stepIndex: input.stepIndex,
    });
    return { name, run };
  } catch (err) {
    if (!(err instanceof SlipwayError)) throw err;
    return { name, error: err.message };
  }
}
