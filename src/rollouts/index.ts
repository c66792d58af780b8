/**
 * The Rollout capability: Argo Rollouts' `Rollout` (argoproj.io/v1alpha1) run by Slipway's own
 * controller, and the user operations on it.
 * @module
 */
export type { RolloutPatches } from './actions.ts';
export { abortPatches, applyRolloutPatches, pausePatches, promotePatches, retryPatches } from './actions.ts';
export type { RolloutController, RolloutControllerOptions } from './controller.ts';
export { checkNoArgoRollouts, createRolloutController, planRollout } from './controller.ts';
export type { RolloutObservation } from './observe.ts';
export { observeRollout } from './observe.ts';
export type { RolloutPlan } from './plan.ts';
export { planCanary } from './plan-canary.ts';
