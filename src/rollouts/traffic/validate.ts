/**
 * What Slipway refuses, as `InvalidSpec`, about a Rollout's traffic routing before anything is
 * touched: the referenced Ingresses (upstream's checks and messages), the Gateway API plugin's
 * config, and the canary steps Slipway's routers do not run.
 * @module
 */
import type { SpecIssue } from '../spec.ts';
import type { Rollout } from '../types.ts';
import { gatewayApiConfigOf } from './gateway-api.ts';
import { validateNginxIngresses } from './nginx.ts';
import type { TrafficObservation } from './types.ts';

/**
 * The traffic-routing issues of a Rollout that passed upstream's own validation, in the order
 * they are reported: unsupported steps, the plugin config, then the Ingresses.
 * @example // steps [{ setHeaderRoute: { name: 'h' } }] with the Gateway API plugin →
 * // [{ path: 'spec.strategy.canary.steps[0].setHeaderRoute', type: 'Forbidden', detail: 'setHeaderRoute steps are not supported by Slipway' }]
 */
export function validateTrafficRouting(rollout: Rollout, objects: TrafficObservation): SpecIssue[] {
  const canary = rollout.spec.strategy.canary;
  if (canary?.trafficRouting === undefined) return [];
  const issues: SpecIssue[] = [];
  (canary.steps ?? []).forEach((step, i) => {
    for (const kind of ['setHeaderRoute', 'setMirrorRoute'] as const) {
      if (step[kind] !== undefined) {
        issues.push({
          path: `spec.strategy.canary.steps[${i}].${kind}`,
          type: 'Forbidden',
          detail: `${kind} steps are not supported by Slipway`,
        });
      }
    }
  });
  if (canary.trafficRouting.managedRoutes !== undefined) {
    issues.push({
      path: 'spec.strategy.canary.trafficRouting.managedRoutes',
      type: 'Forbidden',
      detail: 'managed routes (header and mirror routes) are not supported by Slipway',
    });
  }
  const gateway = gatewayApiConfigOf(rollout);
  if (!gateway.ok) issues.push(...gateway.issues);
  issues.push(...validateNginxIngresses(rollout, objects));
  return issues;
}
