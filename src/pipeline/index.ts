/**
 * Pipelines: the spec that ties a service's source, image, config repository and environments
 * together; release bundles and their store; the event log replayed into pipeline state; the pure
 * promotion planner and the reconciler that carries out its plans (releases, pull-request
 * branches, approvals, rollbacks that keep git true); CI triggers; `ci export`.
 *
 * - `spec.ts`, `load.ts`: the pipeline file;
 * - `bundle.ts`, `bundle-store.ts`: immutable release bundles;
 * - `state.ts`, `event-log.ts`: events and their replay;
 * - `plan.ts` (pure), `reconcile.ts`, `approve.ts`: promotion and rollback;
 * - `runs.ts`, `triggers.ts`: from a pushed commit to a bundle (poll, hook, webhook);
 * - `status.ts`, `export.ts`: `pipeline status` and `ci export`.
 * @module
 */
export { approvalTarget, approvePromotion } from './approve.ts';
export {
  type BundleContent,
  bundleFromRun,
  bundleId,
  bundleImage,
  bundleRefusal,
  type CommitInfo,
  canonicalJson,
  createBundle,
  type GreenRun,
  type ReleaseBundle,
  ReleaseBundleSchema,
  type ScanSummary,
  SHORT_SHA_LENGTH,
} from './bundle.ts';
export { BundleStore, stateRoot } from './bundle-store.ts';
export { EventLog } from './event-log.ts';
export { exportWorkflow, githubRepository } from './export.ts';
export { loadPipeline, loadPipelines } from './load.ts';
export {
  type AppObservation,
  type EnvObservation,
  type PipelineAction,
  planPipeline,
  promotionBranch,
  type RolloutObservation,
  SLIPWAY_ACTOR,
} from './plan.ts';
export {
  observePipeline,
  overlayPath,
  type PipelineDeps,
  type ReconcileResult,
  reconcilePipeline,
  releaseMessage,
} from './reconcile.ts';
export { type CiDeps, commitInfo, handlePush, type PushOutcome } from './runs.ts';
export {
  DEFAULT_WORKFLOW,
  PIPELINE_API_VERSION,
  type Pipeline,
  type PipelineEnvironment,
  type PipelineIssue,
  type PipelineSpec,
  PipelineSpecError,
  PipelineSpecSchema,
  type PromotionRule,
  parsePipelines,
  promotionOrder,
} from './spec.ts';
export {
  applyEvent,
  type BundleEnvState,
  type BundleInEnv,
  type EnvState,
  emptyState,
  type PipelineEvent,
  type PipelineEventInput,
  PipelineEventSchema,
  type PipelineState,
  type PipelineTrigger,
  type PromotionRecord,
  type ReleaseKind,
  type RunRecord,
  replay,
} from './state.ts';
export {
  type CommitStatus,
  type EnvironmentStatus,
  type PipelineStatus,
  pipelineStatus,
  statusRows,
} from './status.ts';
export {
  type HookOptions,
  hookScript,
  installHook,
  pipelinePushHandler,
  type WatchOptions,
  type WebhookPipeline,
  watchSource,
} from './triggers.ts';
