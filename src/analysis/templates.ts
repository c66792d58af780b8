/**
 * Building an AnalysisRun from AnalysisTemplates and ClusterAnalysisTemplates, with Argo's merge
 * rules (`utils/analysis/helpers.go`: `NewAnalysisRunFromTemplates`, `FlattenTemplates`,
 * `MergeArgs`). Pure: the caller fetches the templates and the object `fieldRef`s point into.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import { extractFieldPath } from './field-path.ts';
import type { AnalysisRunSpec, AnalysisTemplateSpec, Argument, Metric } from './types.ts';

function fail(message: string): never {
  throw new SlipwayError(message, { reason: 'InvalidAnalysisTemplate' });
}

/** Combines the args of several templates: same-named args may not carry different values. */
export function flattenArgs(templates: readonly AnalysisTemplateSpec[]): Argument[] {
  const combined: Argument[] = [];
  for (const template of templates) {
    for (const arg of template.args ?? []) {
      const i = combined.findIndex((a) => a.name === arg.name);
      const prev = i >= 0 ? combined[i] : undefined;
      if (prev === undefined) {
        combined.push({ ...arg });
        continue;
      }
      if (prev.value !== undefined && arg.value !== undefined && prev.value !== arg.value)
        fail(
          `Argument \`${arg.name}\` specified multiple times with different values: '${prev.value}', '${arg.value}'`,
        );
      // A value already set is never replaced by a template that leaves it open.
      if (prev.value === undefined) combined[i] = { ...arg };
    }
  }
  return combined;
}

function flattenNamed<T extends { name?: string; metricName?: string }>(
  lists: ReadonlyArray<readonly T[] | undefined>,
  what: string,
): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  for (const item of lists.flatMap((l) => l ?? [])) {
    const name = item.name ?? item.metricName ?? '';
    if (seen.has(name)) fail(`two ${what} have the same name '${name}'`);
    seen.add(name);
    out.push(item);
  }
  return out;
}

/**
 * Argo's `MergeArgs`: the templates' args, with a same-named incoming arg overriding the value (or
 * valueFrom); incoming args the templates do not declare are ignored. Every arg must end up with
 * a value or a valueFrom.
 *
 * @example
 * mergeArgs([{ name: 'service-name', value: 'web' }], [{ name: 'service-name' }])
 * // [{ name: 'service-name', value: 'web' }]
 * mergeArgs([], [{ name: 'service-name' }]) // throws: args.service-name was not resolved
 */
export function mergeArgs(incoming: readonly Argument[], templateArgs: readonly Argument[]): Argument[] {
  const merged = templateArgs.map((a) => ({ ...a }));
  for (const arg of incoming) {
    const target = merged.find((a) => a.name === arg.name);
    if (target === undefined) continue;
    if (arg.value !== undefined) {
      target.value = arg.value;
      delete target.valueFrom;
    } else if (arg.valueFrom !== undefined) {
      target.valueFrom = arg.valueFrom;
      delete target.value;
    }
  }
  for (const arg of merged) {
    if (arg.value === undefined && arg.valueFrom === undefined) fail(`args.${arg.name} was not resolved`);
  }
  return merged;
}

/**
 * Turns `valueFrom.fieldRef` args into literal values read from `object` (the Rollout); other
 * args (literal values, `secretKeyRef`, which the analysis controller reads at measurement time)
 * are kept as they are.
 */
export function resolveFieldRefs(args: readonly Argument[], object: unknown): Argument[] {
  return args.map((arg) => {
    const fieldPath = arg.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath === undefined) return arg;
    try {
      return { name: arg.name, value: extractFieldPath(object, fieldPath) };
    } catch (err) {
      throw new SlipwayError(`args.${arg.name}: ${(err as Error).message}`, {
        reason: 'InvalidFieldPath',
        cause: err,
      });
    }
  });
}

/** What {@link newAnalysisRunSpec} builds a run from. */
export interface AnalysisRunSource {
  /** The specs of the AnalysisTemplates, then the ClusterAnalysisTemplates, in reference order. */
  templates: readonly AnalysisTemplateSpec[];
  /** Args given by the referrer (the Rollout step or strategy), overriding template args. */
  args?: readonly Argument[];
  /** The object `valueFrom.fieldRef` paths are read from (the Rollout). */
  fieldRefObject?: unknown;
}

/**
 * Argo's `NewAnalysisRunFromTemplates`: the spec of a run combining every template's metrics,
 * dryRun and measurementRetention rules, with args merged and fieldRefs resolved. Errors name the
 * conflict the way Argo does (`two metrics have the same name 'x'`, `args.x was not resolved`).
 *
 * @example
 * newAnalysisRunSpec({
 *   templates: [{ args: [{ name: 'service-name' }], metrics: [successRate] }],
 *   args: [{ name: 'service-name', value: 'my-service' }],
 * })
 * // { metrics: [successRate], args: [{ name: 'service-name', value: 'my-service' }] }
 */
export function newAnalysisRunSpec(source: AnalysisRunSource): AnalysisRunSpec {
  const metrics: Metric[] = flattenNamed(
    source.templates.map((t) => t.metrics),
    'metrics',
  );
  const dryRun = flattenNamed(
    source.templates.map((t) => t.dryRun),
    'Dry-Run metric rules',
  );
  const measurementRetention = flattenNamed(
    source.templates.map((t) => t.measurementRetention),
    'Measurement Retention metric rules',
  );
  const args = resolveFieldRefs(
    mergeArgs(source.args ?? [], flattenArgs(source.templates)),
    source.fieldRefObject,
  );
  const spec: AnalysisRunSpec = { metrics };
  if (args.length > 0) spec.args = args;
  if (dryRun.length > 0) spec.dryRun = dryRun;
  if (measurementRetention.length > 0) spec.measurementRetention = measurementRetention;
  return spec;
}
