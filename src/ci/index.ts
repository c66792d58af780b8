/**
 * Slipway's CI runner: reads a service repository's GitHub Actions workflow (the seed's Step 3
 * file unchanged) and runs one job's steps on a clean checkout of a commit.
 *
 * - `workflow.ts`: YAML + zod model of the workflow file;
 * - `expr-parse.ts`, `expressions.ts`: the GitHub Actions expression language (pure);
 * - `contexts.ts`, `commands.ts`, `check.ts`, `hash-files.ts`, `triggers.ts`: contexts, step files,
 *   static checks, `on:` filters;
 * - `run.ts`, `step.ts`, `process.ts`, `checkout.ts`, `log.ts`: the effectful runner;
 * - `actions.ts`: native handlers for `uses:`.
 * @module
 */
export {
  type ActionHandler,
  type ActionInvocation,
  ActionRegistry,
  type ActionResult,
  actionName,
  defaultActions,
} from './actions.ts';
export { addMaskValue, Masker, parseKeyValueFile } from './commands.ts';
export { SECRET_ENV_PREFIX } from './contexts.ts';
export {
  ExpressionError,
  type ExpressionScope,
  type ExprValue,
  evaluateCondition,
  evaluateExpression,
  evaluateValue,
  interpolate,
  type JobStatus,
} from './expressions.ts';
export type { LogLine } from './log.ts';
export {
  defaultLogRoot,
  INHERITED_ENV,
  type RunResult,
  type RunTrigger,
  type RunWorkflowOptions,
  runWorkflow,
} from './run.ts';
export type { StepOutcome, StepResult } from './step.ts';
export { branchMatches, workflowTriggers } from './triggers.ts';
export {
  InvalidWorkflowError,
  parseWorkflow,
  selectJob,
  type Workflow,
  type WorkflowIssue,
  type WorkflowJob,
  type WorkflowStep,
} from './workflow.ts';
