/**
 * The GitHub Actions workflow file, as Slipway's CI runner reads it: YAML parsed with `yaml`
 * (errors carry `file:line:col`, alias bombs are refused), then validated with zod into a
 * {@link Workflow}. Every problem is an issue with a path such as
 * `jobs.build-and-push.steps[3].with` and, where the node can be found, its line.
 *
 * The model covers what the seed's Step 3 workflow uses plus the step keys a single-job runner
 * can honour; keys it cannot honour (`strategy`, `services`, `container`, …) are refused by name
 * rather than silently ignored.
 * @module
 */
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '../util/errors.ts';

/** Alias expansions allowed per document; a "billion laughs" file exceeds it and is refused. */
export const MAX_ALIAS_COUNT = 100;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const envMap = z.record(z.string(), scalar.nullable());
const stringList = z.union([z.string(), z.array(z.string())]);

const EventFilter = z
  .looseObject({
    branches: z.array(z.string()).optional(),
    'branches-ignore': z.array(z.string()).optional(),
    tags: z.array(z.string()).optional(),
    paths: z.array(z.string()).optional(),
    'paths-ignore': z.array(z.string()).optional(),
  })
  .nullable();

const On = z.union([
  z.string(),
  z.array(z.string()),
  z.looseObject({ push: EventFilter.optional(), pull_request: EventFilter.optional() }),
]);

const StepSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a step id starts with a letter or _ and has only A-Z a-z 0-9 _ -')
      .optional(),
    name: z.string().optional(),
    uses: z.string().min(1).optional(),
    run: z.string().optional(),
    with: z.record(z.string(), scalar.nullable()).optional(),
    env: envMap.optional(),
    if: scalar.optional(),
    shell: z.string().optional(),
    'working-directory': z.string().optional(),
    'timeout-minutes': z.union([z.number().positive(), z.string()]).optional(),
    'continue-on-error': z.union([z.boolean(), z.string()]).optional(),
  })
  .refine((s) => (s.uses === undefined) !== (s.run === undefined), {
    message: 'a step has exactly one of `uses` and `run`',
  });

const JobSchema = z.strictObject({
  name: z.string().optional(),
  'runs-on': z.union([stringList, z.looseObject({})]),
  permissions: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  env: envMap.optional(),
  if: scalar.optional(),
  'timeout-minutes': z.union([z.number().positive(), z.string()]).optional(),
  needs: stringList.optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  defaults: z
    .strictObject({
      run: z
        .strictObject({ shell: z.string().optional(), 'working-directory': z.string().optional() })
        .optional(),
    })
    .optional(),
  steps: z.array(StepSchema).min(1),
});

const WorkflowSchema = z.strictObject({
  name: z.string().optional(),
  'run-name': z.string().optional(),
  on: On,
  env: envMap.optional(),
  permissions: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  concurrency: z.unknown().optional(),
  jobs: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a job id starts with a letter or _'),
    JobSchema,
  ),
});

/** A validated workflow. */
export type Workflow = z.infer<typeof WorkflowSchema>;
/** One job of a workflow. */
export type WorkflowJob = z.infer<typeof JobSchema>;
/** One step of a job. */
export type WorkflowStep = z.infer<typeof StepSchema>;

/** One problem in a workflow file. */
export interface WorkflowIssue {
  /** Where, e.g. `jobs.build-and-push.steps[3].with`; empty for the whole file. */
  path: string;
  message: string;
  /** 1-based line of the offending node, when known. */
  line?: number;
}

/** A workflow file that cannot be used; `issues` lists every problem found. */
export class InvalidWorkflowError extends SlipwayError {
  readonly issues: readonly WorkflowIssue[];
  constructor(file: string, issues: WorkflowIssue[], cause?: unknown) {
    const lines = issues.map(
      (i) =>
        `${i.line !== undefined ? `line ${i.line}: ` : ''}${i.path === '' ? '' : `${i.path}: `}${i.message}`,
    );
    super(lines.join('; '), { subject: file, reason: 'InvalidWorkflow', cause });
    this.name = 'InvalidWorkflowError';
    this.issues = issues;
  }
}

/** Formats a zod/YAML path: `['jobs', 'x', 'steps', 3, 'with']` → `jobs.x.steps[3].with`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * Parses and validates a workflow file's text. `file` names it in every error.
 * @throws {SlipwayError} `InvalidWorkflowYaml` with `file:line:col` for YAML errors,
 *   {@link InvalidWorkflowError} for schema problems.
 */
export function parseWorkflow(text: string, file: string): Workflow {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const { line, col } = lines.linePos(problem.pos[0]);
    throw new SlipwayError(problem.message.split('\n')[0] ?? problem.message, {
      subject: `${file}:${line}:${col}`,
      reason: 'InvalidWorkflowYaml',
      cause: problem,
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new SlipwayError(`cannot be read: ${err instanceof Error ? err.message : String(err)}`, {
      subject: file,
      reason: 'InvalidWorkflowYaml',
      cause: err,
    });
  }
  const parsed = WorkflowSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue): WorkflowIssue => {
    const line = lineOf(doc, lines, issue.path);
    const base = { path: formatPath(issue.path), message: issue.message };
    return line === undefined ? base : { ...base, line };
  });
  throw new InvalidWorkflowError(file, issues, parsed.error);
}

function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // The deepest node that exists along the path: a missing key is reported at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * Picks the job to run. A workflow with one job needs no choice; with several, `jobId` must name one.
 * @throws {SlipwayError} `JobNotFound` or `AmbiguousJob`, naming the file and the job ids.
 */
export function selectJob(workflow: Workflow, file: string, jobId?: string): [string, WorkflowJob] {
  const ids = Object.keys(workflow.jobs);
  if (jobId !== undefined) {
    const job = workflow.jobs[jobId];
    if (job === undefined) {
      throw new SlipwayError(`no job '${jobId}' (jobs: ${ids.join(', ') || 'none'})`, {
        subject: `${file}: jobs`,
        reason: 'JobNotFound',
      });
    }
    return [jobId, job];
  }
  const [only, ...rest] = ids;
  const job = only === undefined ? undefined : workflow.jobs[only];
  if (only === undefined || job === undefined) {
    throw new SlipwayError('the workflow has no jobs', { subject: `${file}: jobs`, reason: 'JobNotFound' });
  }
  if (rest.length > 0) {
    throw new SlipwayError(
      `the workflow has ${ids.length} jobs (${ids.join(', ')}); only one job runs at a time, pick it with --job`,
      { subject: `${file}: jobs`, reason: 'AmbiguousJob' },
    );
  }
  return [only, job];
}

/** A step's display name as GitHub shows it: `name`, else `Run <first line>` or the action. */
export function stepDisplayName(step: WorkflowStep, index: number): string {
  if (step.name !== undefined) return step.name;
  if (step.run !== undefined) return `Run ${step.run.split('\n')[0]?.trim() ?? ''}`;
  if (step.uses !== undefined) return `Run ${step.uses}`;
  return `step ${index + 1}`;
}
