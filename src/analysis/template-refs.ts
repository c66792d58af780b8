/**
 * Reading the templates a Rollout refers to: `templateName` (AnalysisTemplate in the Rollout's
 * namespace) or `clusterScope: true` (ClusterAnalysisTemplate), following nested `templates:`
 * references depth first, each template read once. The specs feed {@link newAnalysisRunSpec}.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import { type AnalysisTemplateSpec, AnalysisTemplateSpecSchema } from './types.ts';

/** One `templates[]` entry of a Rollout analysis or of a template. */
export interface TemplateRef {
  templateName?: string | undefined;
  clusterScope?: boolean | undefined;
}

/**
 * The specs of `refs` and of every template they include, in reference order (AnalysisTemplates
 * then ClusterAnalysisTemplates at each level, as Argo orders them). A missing template or an
 * invalid spec is an error naming it.
 */
export async function fetchTemplates(
  client: KubeClient,
  namespace: string,
  refs: readonly TemplateRef[],
  signal?: AbortSignal,
): Promise<AnalysisTemplateSpec[]> {
  const out: AnalysisTemplateSpec[] = [];
  const seen = new Set<string>();
  const visit = async (level: readonly TemplateRef[]): Promise<void> => {
    const ordered = [...level.filter((r) => !r.clusterScope), ...level.filter((r) => r.clusterScope)];
    for (const ref of ordered) {
      const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      const name = ref.templateName ?? '';
      const subject = ref.clusterScope ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
      if (seen.has(subject)) continue;
      seen.add(subject);
      const obj = await client.get<KubeObject>(
        { apiVersion: 'argoproj.io/v1alpha1', kind, name, ...(ref.clusterScope ? {} : { namespace }) },
        signal,
      );
      if (!obj)
        throw new SlipwayError(`${kind.toLowerCase()} not found`, { subject, reason: 'TemplateNotFound' });
      const parsed = AnalysisTemplateSpecSchema.safeParse(obj['spec']);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ');
        throw new SlipwayError(issues, { subject, reason: 'InvalidAnalysisTemplate' });
      }
      out.push(parsed.data);
      if (parsed.data.templates?.length) await visit(parsed.data.templates);
    }
  };
  await visit(refs);
  return out;
}
