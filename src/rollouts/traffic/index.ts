/**
 * Traffic routing for canary Rollouts: the NGINX Ingress router (a generated canary Ingress with
 * `canary-weight`) and the Gateway API plugin (HTTPRoute backendRef weights), the weight of each
 * reconcile, `status.canary.weights`, and the scaling that follows the weight.
 * @module
 */
export { executeTraffic } from './execute.ts';
export {
  type GatewayApiConfig,
  gatewayApiConfigOf,
  planGatewayApiWeight,
  setHTTPRouteWeight,
} from './gateway-api.ts';
export { buildCanaryIngress, canaryIngressName, planNginxWeight, validateNginxIngresses } from './nginx.ts';
export { observeTraffic, withTrafficObjects } from './observe.ts';
export { planTraffic, type TrafficInputs, type TrafficPlan } from './plan.ts';
export { planRoutedCanaryScale, type RoutedScalePlan, shouldDelayScaleDownOnAbort } from './scale.ts';
export { NO_TRAFFIC_OBJECTS, type TrafficObservation, type TrafficWrite } from './types.ts';
export { validateTrafficRouting } from './validate.ts';
export { desiredTrafficWeight, trafficWeightUpdatedMessage, weightStatus } from './weights.ts';
