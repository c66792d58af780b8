/**
 * Validation of what a Rollout refers to (upstream's `getRolloutReferencedResources` +
 * `ValidateRolloutReferencedResources`): the AnalysisTemplates its analyses name must exist, a
 * template run as step, pre- or post-promotion analysis must end (every metric has a count), and
 * the Services it names must select the pod template's labels and belong to no other Rollout.
 * Each problem is a {@link SpecIssue} with upstream's path and text, so it lands in the
 * `InvalidSpec` condition exactly as Argo Rollouts writes it.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import type { RolloutObservation } from './observe.ts';
import type { SpecIssue } from './spec.ts';
import type { RolloutAnalysis } from './types.ts';
import { RolloutLabels } from './types.ts';

/** One analysis block of a Rollout and where it sits (upstream `GetAnalysisTemplateWithTypeFieldPath`). */
interface AnalysisUse {
  path: string;
  analysis: DeepReadonly<RolloutAnalysis>;
  /** Background runs may run forever; every other kind must end. */
  background: boolean;
}

function analysisUses(obs: RolloutObservation): AnalysisUse[] {
  const strategy = obs.rollout?.spec.strategy;
  const uses: AnalysisUse[] = [];
  const bg = strategy?.blueGreen;
  if (bg?.prePromotionAnalysis !== undefined)
    uses.push({
      path: 'spec.strategy.blueGreen.prePromotionAnalysis.templates',
      analysis: bg.prePromotionAnalysis,
      background: false,
    });
  if (bg?.postPromotionAnalysis !== undefined)
    uses.push({
      path: 'spec.strategy.blueGreen.postPromotionAnalysis.templates',
      analysis: bg.postPromotionAnalysis,
      background: false,
    });
  const canary = strategy?.canary;
  (canary?.steps ?? []).forEach((step, i) => {
    if (step.analysis !== undefined)
      uses.push({
        path: `spec.strategy.canary.steps[${i}].analysis.templates`,
        analysis: step.analysis,
        background: false,
      });
  });
  if (canary?.analysis !== undefined)
    uses.push({
      path: 'spec.strategy.canary.analysis.templates',
      analysis: canary.analysis,
      background: true,
    });
  return uses;
}

interface TemplateMetric {
  name?: unknown;
  count?: unknown;
  interval?: unknown;
}

/**
 * AnalysisTemplates the Rollout's analyses name that do not exist in its namespace, and
 * templates that cannot serve a run that must end. Cluster-scoped references are not checked
 * here (the observation holds only the namespace's templates).
 * @example // prePromotionAnalysis names "gone" → { path: 'spec.strategy.blueGreen.prePromotionAnalysis.templates', type: 'Invalid value', value: '"gone"', detail: "AnalysisTemplate 'gone' not found" }
 */
export function analysisTemplateIssues(obs: RolloutObservation): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const use of analysisUses(obs)) {
    for (const ref of use.analysis.templates ?? []) {
      if (ref.clusterScope === true) continue;
      const template = obs.analysisTemplates.get(ref.templateName) as
        | DeepReadonly<KubeObject & { spec?: { metrics?: TemplateMetric[] } }>
        | undefined;
      if (template === undefined) {
        issues.push({
          path: use.path,
          type: 'Invalid value',
          value: JSON.stringify(ref.templateName),
          detail: `AnalysisTemplate '${ref.templateName}' not found`,
        });
        continue;
      }
      if (use.background) continue;
      for (const metric of template.spec?.metrics ?? []) {
        // `EffectiveCount`: no count and no interval is one measurement; an interval without a
        // count measures forever, which only a background run may do.
        const noCount = metric.count === undefined || metric.count === null || Number(metric.count) === 0;
        if (noCount && typeof metric.interval === 'string' && metric.interval !== '') {
          issues.push({
            path: use.path,
            type: 'Invalid value',
            value: JSON.stringify(ref.templateName),
            detail: `AnalysisTemplate ${ref.templateName} has metric ${String(metric.name ?? '')} which runs indefinitely. Invalid value for count: `,
          });
        }
      }
    }
  }
  return issues;
}

/**
 * `ValidateService`: a Service the strategy names whose selector asks for a label the pod template
 * does not carry (other than `rollouts-pod-template-hash`), or that another Rollout manages.
 * @example // selector {app: other}, template labels {app: web} → 'Service "active" has unmatch label "app" in rollout'
 */
export function serviceIssues(obs: RolloutObservation): SpecIssue[] {
  const rollout = obs.rollout;
  if (rollout === undefined) return [];
  const labels =
    (
      obs.raw as DeepReadonly<
        KubeObject & { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }
      >
    ).spec?.template?.metadata?.labels ?? {};
  const { canary, blueGreen } = rollout.spec.strategy;
  const named: Array<[string, string | undefined]> = [
    ['spec.strategy.blueGreen.activeService', blueGreen?.activeService],
    ['spec.strategy.blueGreen.previewService', blueGreen?.previewService],
    ['spec.strategy.canary.canaryService', canary?.canaryService],
    ['spec.strategy.canary.stableService', canary?.stableService],
  ];
  const issues: SpecIssue[] = [];
  for (const [path, name] of named) {
    const svc = name === undefined || name === '' ? undefined : obs.services.get(name);
    if (svc === undefined) continue;
    for (const key of Object.keys(svc.selector).sort()) {
      if (key === RolloutLabels.podTemplateHash) continue;
      if (labels[key] !== svc.selector[key]) {
        issues.push({
          path,
          type: 'Invalid value',
          value: JSON.stringify(svc.name),
          detail: `Service ${JSON.stringify(svc.name)} has unmatch label ${JSON.stringify(key)} in rollout`,
        });
      }
    }
    const manager = svc.annotations[RolloutLabels.managedByRollouts];
    if (manager !== undefined && manager !== obs.raw.metadata.name) {
      issues.push({
        path,
        type: 'Invalid value',
        value: JSON.stringify(svc.name),
        detail: `Service ${JSON.stringify(svc.name)} is managed by another Rollout`,
      });
    }
  }
  return issues;
}
