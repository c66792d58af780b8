/**
 * Pipelines: the spec that ties a service's source, image, config repository and environments
 * together, and (to come) release bundles, promotion and rollback that keeps git true.
 * @module
 */
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
