/**
 * The pipeline spec: `slipway.yaml` at the root of the config repository, or a `Pipeline`
 * resource (group `slipway.dev`) — one schema for both. It names the service, where its source
 * and CI workflow live, the image it builds, the config repository and app path, and the ordered
 * environments with the rule that promotes a release into each.
 *
 * @example
 * apiVersion: slipway.dev/v1alpha1
 * kind: Pipeline
 * metadata: { name: my-service }
 * spec:
 *   service: my-service
 *   source: { repo: https://github.com/myorg/my-service.git, branch: main }
 *   image: { repository: ghcr.io/myorg/my-service }
 *   config: { repo: https://github.com/myorg/deploy-configs.git, path: apps/my-service }
 *   environments:
 *     - { name: dev, overlay: overlays/dev, application: my-service-dev, promotion: { type: auto } }
 *     - { name: staging, overlay: overlays/staging, promotion: { type: auto, soak: 10m } }
 *     - { name: prod, overlay: overlays/prod, promotion: { type: manual } }
 *
 * Every problem is reported as `<file>:<line>:<column>: <field>: <what is wrong>`.
 * @module
 */
import { isAbsolute, normalize } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '../util/errors.ts';

export const PIPELINE_API_VERSION = 'slipway.dev/v1alpha1';
export const DEFAULT_WORKFLOW = '.github/workflows/ci.yaml';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Go's `time.ParseDuration` units, as the rest of the Argo world writes durations. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** A repository-relative path that stays inside the repository. */
const RelativePath = z
  .string()
  .min(1)
  .refine(
    (p) => !isAbsolute(p) && !normalize(p).startsWith('..'),
    'must be a path inside the repository (no leading / or ..)',
  );

const Promotion = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('auto'),
    /** Time the previous environment must stay Synced and Healthy before promotion. */
    soak: z.string().regex(DURATION, 'must be a duration such as 10m or 1h30m').optional(),
  }),
  z.strictObject({
    type: z.literal('pull-request'),
    /** Branch the pull request targets; default the config branch. */
    base: z.string().min(1).optional(),
  }),
  z.strictObject({
    type: z.literal('manual'),
  }),
]);

const Environment = z
  .strictObject({
    name: z.string().regex(DNS_LABEL, 'must be a DNS label (lowercase letters, digits, -)'),
    /** Overlay folder, relative to `config.path`. */
    overlay: RelativePath.optional(),
    /** The Argo CD Application that deploys this environment. */
    application: z.string().regex(DNS_LABEL, 'must be a DNS label').optional(),
    /** Namespace of that Application; default `argocd`. */
    applicationNamespace: z.string().regex(DNS_LABEL, 'must be a DNS label').optional(),
    /** The environment releases come from; default the one listed before. */
    from: z.string().optional(),
    promotion: Promotion.default({ type: 'auto' }),
  })
  .refine((e) => e.overlay !== undefined || e.application !== undefined, {
    message: 'needs an overlay, an application, or both',
  });

export const PipelineSpecSchema = z.strictObject({
  service: z.string().regex(DNS_LABEL, 'must be a DNS label'),
  source: z.strictObject({
    repo: z.string().min(1),
    branch: z.string().min(1).default('main'),
    workflow: RelativePath.default(DEFAULT_WORKFLOW),
    /** `owner/name` for `github.repository`; default: the path of the repo URL. */
    repository: z
      .string()
      .regex(/^[^/\s]+\/[^/\s]+$/, 'must be owner/name')
      .optional(),
  }),
  image: z.strictObject({
    repository: z.string().min(1),
  }),
  config: z.strictObject({
    repo: z.string().min(1),
    branch: z.string().min(1).default('main'),
    path: RelativePath,
  }),
  /** Overrides of the workflow's top-level `env` (e.g. `REGISTRY`). */
  env: z.record(z.string(), z.string()).default({}),
  /** When true, a workflow without a usable scanner still passes its scan step (with a warning). */
  scanOptional: z.boolean().default(false),
  environments: z.array(Environment).min(1, 'at least one environment is required'),
});

const PipelineResourceSchema = z.strictObject({
  apiVersion: z.literal(PIPELINE_API_VERSION),
  kind: z.literal('Pipeline'),
  metadata: z.looseObject({
    name: z.string().regex(DNS_LABEL, 'must be a DNS label'),
    namespace: z.string().optional(),
  }),
  spec: PipelineSpecSchema,
});

export type PipelineSpec = z.infer<typeof PipelineSpecSchema>;
export type PipelineEnvironment = PipelineSpec['environments'][number];
export type PromotionRule = PipelineEnvironment['promotion'];

export interface Pipeline {
  name: string;
  spec: PipelineSpec;
  /** Environment names in promotion order (each after the one it is promoted from). */
  order: string[];
}

/** One problem in a pipeline file, with where it is. */
export interface PipelineIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted path, e.g. `spec.environments[1].promotion.type`. */
  path: string;
  message: string;
}

export class PipelineSpecError extends SlipwayError {
  readonly issues: PipelineIssue[];
  constructor(issues: PipelineIssue[]) {
    const lines = issues.map(
      (i) => `${i.file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}`,
    );
    super(lines.join('\n'), { reason: 'InvalidPipeline' });
    this.issues = issues;
  }
}

function dotted(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/**
 * The environments in promotion order, or the problems: a duplicate name, an unknown `from`, or a
 * cycle. The first environment receives CI's releases; every other one is promoted from its `from`,
 * by default the environment listed before it.
 * @example promotionOrder([{ name: 'dev' }, { name: 'staging' }, { name: 'prod' }]) // { order: ['dev', 'staging', 'prod'] }
 */
export function promotionOrder(environments: ReadonlyArray<{ name: string; from?: string | undefined }>): {
  order: string[];
  issues: Array<{ index: number; field: string; message: string }>;
} {
  const issues: Array<{ index: number; field: string; message: string }> = [];
  const names = new Map<string, number>();
  environments.forEach((e, i) => {
    if (names.has(e.name))
      issues.push({ index: i, field: 'name', message: `duplicate environment "${e.name}"` });
    else names.set(e.name, i);
  });
  const parent = new Map<string, string | undefined>();
  environments.forEach((e, i) => {
    if (names.get(e.name) !== i) return; // a duplicate, already reported
    const from = e.from ?? (i === 0 ? undefined : environments[i - 1]?.name);
    if (from !== undefined && !names.has(from)) {
      issues.push({ index: i, field: 'from', message: `unknown environment "${from}"` });
    }
    if (from === e.name)
      issues.push({ index: i, field: 'from', message: 'an environment cannot be promoted from itself' });
    parent.set(e.name, from);
  });
  if (issues.length > 0) return { order: [], issues };
  // Walk each chain to its root; meeting a name twice is a cycle.
  for (const [i, e] of environments.entries()) {
    const seen = new Set<string>([e.name]);
    for (let p = parent.get(e.name); p !== undefined; p = parent.get(p)) {
      if (seen.has(p)) {
        issues.push({ index: i, field: 'from', message: `promotion cycle: ${[...seen, p].join(' → ')}` });
        break;
      }
      seen.add(p);
    }
  }
  if (issues.length > 0) return { order: [], issues };
  // Every environment but the first defaults to a parent, and any explicit chain back to the first
  // would have been a cycle above: so the first environment is the only root.
  // Breadth-first from the root, keeping list order among siblings.
  const order: string[] = [];
  const queue = environments.length > 0 ? [environments[0]!.name] : [];
  while (queue.length > 0) {
    const name = queue.shift()!;
    order.push(name);
    for (const e of environments) if (parent.get(e.name) === name) queue.push(e.name);
  }
  return { order, issues };
}

/**
 * Parses and validates pipeline documents (YAML, one or more `---`-separated `Pipeline`s). Throws a
 * {@link PipelineSpecError} listing every problem with its file, line and field.
 */
export function parsePipelines(text: string, file: string): Pipeline[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const issues: PipelineIssue[] = [];
  const pipelines: Pipeline[] = [];
  const at = (offset: number | undefined) => lineCounter.linePos(offset ?? 0);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    for (const err of doc.errors) {
      const pos = at(err.pos[0]);
      issues.push({
        file,
        line: pos.line,
        column: pos.col,
        path: '',
        message: `malformed YAML: ${err.message.split('\n')[0]}`,
      });
    }
    if (doc.errors.length > 0) continue;
    const raw: unknown = doc.toJS({ maxAliasCount: 100 });
    if (raw === null || raw === undefined) continue;
    const where = (path: ReadonlyArray<PropertyKey>) => {
      // The deepest node that exists along the path: a missing key is reported at its parent.
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as Array<string | number>, true) as
          | { range?: [number, number, number] }
          | undefined;
        if (node?.range) return at(node.range[0]);
      }
      return { line: 1, col: 1 };
    };
    const parsed = PipelineResourceSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const path = keys.length > 0 ? [...issue.path, keys[0]!] : issue.path;
        const pos = where(path);
        issues.push({
          file,
          line: pos.line,
          column: pos.col,
          path: dotted(path),
          message: keys.length > 0 ? 'unknown field' : issue.message,
        });
      }
      continue;
    }
    const { order, issues: orderIssues } = promotionOrder(parsed.data.spec.environments);
    for (const o of orderIssues) {
      const path = ['spec', 'environments', o.index, o.field];
      const pos = where(path);
      issues.push({ file, line: pos.line, column: pos.col, path: dotted(path), message: o.message });
    }
    if (orderIssues.length === 0)
      pipelines.push({ name: parsed.data.metadata.name, spec: parsed.data.spec, order });
  }
  if (issues.length > 0) throw new PipelineSpecError(issues);
  if (pipelines.length === 0) {
    throw new PipelineSpecError([{ file, line: 1, column: 1, path: '', message: 'no Pipeline found' }]);
  }
  const seen = new Set<string>();
  for (const p of pipelines) {
    if (seen.has(p.name))
      throw new PipelineSpecError([
        { file, line: 1, column: 1, path: 'metadata.name', message: `duplicate pipeline "${p.name}"` },
      ]);
    seen.add(p.name);
  }
  return pipelines;
}
