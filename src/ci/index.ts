/**
 * Slipway's CI runner: reads a service repository's GitHub Actions workflow (the seed's Step 3
 * file unchanged) and runs one job's steps on a clean checkout of a commit.
 *
 * - `workflow.ts`: YAML + zod model of the workflow file;
 * - `expr-parse.ts`, `expressions.ts`: the GitHub Actions expression language (pure);
 * - `contexts.ts`, `commands.ts`, `check.ts`, `hash-files.ts`, `triggers.ts`: contexts, step files,
 *   static checks, `on:` filters;
 * - `run.ts`, `step.ts`, `process.ts`, `checkout.ts`, `log.ts`: the effectful runner;
 * - `actions.ts`: the handler registry for `uses:`; `docker-actions.ts` (setup-buildx, login,
 *   build-push) and `trivy-action.ts` run them natively, with `builder.ts` and `platforms.ts`
 *   (buildah/podman/docker command lines, buildable platforms), `trivy.ts` (reports and the gate),
 *   `action-inputs.ts`, `tool.ts` (external tools in process groups) and `run-state.ts` (what the
 *   actions of one run share).
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
export {
  BUILDER_KINDS,
  type BuilderKind,
  type BuilderStorage,
  type BuilderTool,
  builderStorage,
  findBuilder,
} from './builder.ts';
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
export { dockerfileRunsCommands, planPlatforms, readBinfmtArchitectures } from './platforms.ts';
export {
  defaultLogRoot,
  INHERITED_ENV,
  type RunResult,
  type RunTrigger,
  type RunWorkflowOptions,
  runWorkflow,
} from './run.ts';
export type { PublishedImage } from './run-state.ts';
export type { StepOutcome, StepResult } from './step.ts';
export { branchMatches, workflowTriggers } from './triggers.ts';
export { parseTrivyReport, type ScanSummary, SEVERITIES, type Severity, type TrivyReport } from './trivy.ts';
export {
  InvalidWorkflowError,
  parseWorkflow,
  selectJob,
  type Workflow,
  type WorkflowIssue,
  type WorkflowJob,
  type WorkflowStep,
} from './workflow.ts';
