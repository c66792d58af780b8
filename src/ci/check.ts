/**
 * Checks every expression of a job before any step runs, so a typo in step 8 does not surface
 * after steps 1–7 already pushed something: each `${{ }}` and `if:` must parse, call only known
 * functions and read only contexts the runner provides. Problems become {@link WorkflowIssue}s
 * naming the step and the expression. Pure.
 * @module
 */
import { calledFunctions, ExprSyntaxError, parseExpression, referencedContexts } from './expr-parse.ts';
import { ExpressionError, splitTemplate } from './expressions.ts';
import { InvalidWorkflowError, stepDisplayName, type WorkflowIssue, type WorkflowJob } from './workflow.ts';

/** Functions the evaluator implements (lower-case). */
export const KNOWN_FUNCTIONS: ReadonlySet<string> = new Set([
  'contains',
  'startswith',
  'endswith',
  'format',
  'join',
  'tojson',
  'fromjson',
  'hashfiles',
  'success',
  'always',
  'cancelled',
  'failure',
]);

/** Contexts a step's expressions may read. */
export const STEP_CONTEXTS: ReadonlySet<string> = new Set([
  'github',
  'env',
  'secrets',
  'steps',
  'runner',
  'job',
]);

function checkExpression(source: string, where: string, label: string, issues: WorkflowIssue[]): void {
  try {
    const node = parseExpression(source);
    for (const f of calledFunctions(node)) {
      if (!KNOWN_FUNCTIONS.has(f))
        issues.push({ path: where, message: `${label}: unrecognized function '${f}' in '${source}'` });
    }
    for (const c of referencedContexts(node)) {
      if (!STEP_CONTEXTS.has(c)) {
        issues.push({
          path: where,
          message: `${label}: unrecognized named-value '${c}' in '${source}' (available: ${[...STEP_CONTEXTS].join(', ')})`,
        });
      }
    }
  } catch (err) {
    if (!(err instanceof ExprSyntaxError)) throw err;
    issues.push({ path: where, message: `${label}: ${err.message} in '${source}'` });
  }
}

function checkTemplate(value: unknown, where: string, label: string, issues: WorkflowIssue[]): void {
  if (typeof value !== 'string') return;
  try {
    for (const part of splitTemplate(value)) {
      if ('expr' in part) checkExpression(part.expr, where, label, issues);
    }
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    issues.push({ path: where, message: `${label}: ${err.message}` });
  }
}

function checkCondition(value: unknown, where: string, label: string, issues: WorkflowIssue[]): void {
  if (typeof value !== 'string') return;
  const trimmed = value.trim();
  if (trimmed === '') return;
  if (trimmed.includes('${{')) checkTemplate(trimmed, where, label, issues);
  else checkExpression(trimmed, where, label, issues);
}

/**
 * All expression problems of one job.
 * @throws {InvalidWorkflowError} listing every problem, each with the step's path and name.
 */
export function checkJobExpressions(
  file: string,
  jobId: string,
  job: WorkflowJob,
  workflowEnv: Record<string, unknown> = {},
): void {
  const issues: WorkflowIssue[] = [];
  for (const [k, v] of Object.entries(workflowEnv)) checkTemplate(v, `env.${k}`, 'workflow env', issues);
  const jobPath = `jobs.${jobId}`;
  for (const [k, v] of Object.entries(job.env ?? {}))
    checkTemplate(v, `${jobPath}.env.${k}`, `job '${jobId}'`, issues);
  checkCondition(job.if, `${jobPath}.if`, `job '${jobId}'`, issues);
  job.steps.forEach((step, i) => {
    const at = `${jobPath}.steps[${i}]`;
    const label = `step '${stepDisplayName(step, i)}'`;
    checkCondition(step.if, `${at}.if`, label, issues);
    checkTemplate(step.run, `${at}.run`, label, issues);
    checkTemplate(step['working-directory'], `${at}.working-directory`, label, issues);
    checkTemplate(step['timeout-minutes'], `${at}.timeout-minutes`, label, issues);
    checkTemplate(step['continue-on-error'], `${at}.continue-on-error`, label, issues);
    for (const [k, v] of Object.entries(step.env ?? {})) checkTemplate(v, `${at}.env.${k}`, label, issues);
    for (const [k, v] of Object.entries(step.with ?? {})) checkTemplate(v, `${at}.with.${k}`, label, issues);
  });
  if (issues.length > 0) throw new InvalidWorkflowError(file, issues);
}
