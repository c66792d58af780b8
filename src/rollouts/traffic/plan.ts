/**
 * The traffic part of one canary reconcile (upstream `reconcileTrafficRouting`): the weight of this
 * round ({@link desiredTrafficWeight}), what each configured router writes for it, and the next
 * `status.canary.weights`. Pure.
 * @module
 */
import { Reason } from '../conditions.ts';
import type { ReplicaSetView, Rollout, TrafficWeights } from '../types.ts';
import { gatewayApiConfigOf, planGatewayApiWeight } from './gateway-api.ts';
import { planNginxWeight, type RolloutOwner } from './nginx.ts';
import type { TrafficEvent, TrafficObservation, TrafficWrite } from './types.ts';
import { desiredTrafficWeight, trafficWeightUpdatedMessage, weightStatus } from './weights.ts';

/** The traffic writes and status of one reconcile. */
export interface TrafficPlan {
  /** Router writes, in router order (NGINX, then the Gateway API plugin). */
  writes: TrafficWrite[];
  events: TrafficEvent[];
  /** The next `status.canary.weights`; undefined without traffic routing. */
  weights: TrafficWeights | undefined;
  /** A router could not set the weight: the reconcile stops with this error (upstream `TrafficRoutingError`). */
  failure?: { subject: string; message: string };
}

/** What {@link planTraffic} reads. */
export interface TrafficInputs {
  rollout: Rollout;
  owner: RolloutOwner;
  objects: TrafficObservation;
  newRS: ReplicaSetView | undefined;
  stableRS: ReplicaSetView | undefined;
  otherRSs: readonly ReplicaSetView[];
  /**
   * The abort state after this reconcile's changes. Upstream sends traffic back on the reconcile
   * after the one that aborts; Slipway does it in the same one (the safe direction, and sooner).
   */
  aborting: boolean;
}

/**
 * Plans the routers' writes and `status.canary.weights` for this reconcile.
 * @example // seed Rollout with nginx, step 0 (setWeight 10), canary 1/1 available, stable 5/5
 * // → writes: [create Ingress my-service-my-ingress-canary with canary-weight "10"],
 * //   weights: { canary: { weight: 10, … }, stable: { weight: 90, … } }, event "Traffic weight updated from 0 to 10"
 */
export function planTraffic(inputs: TrafficInputs): TrafficPlan {
  const { rollout, owner, objects } = inputs;
  const prev = rollout.status ?? {};
  const routing = rollout.spec.strategy.canary?.trafficRouting;
  if (routing === undefined) return { writes: [], events: [], weights: undefined };
  const prevWeights = prev.canary?.weights;
  const ro = { spec: rollout.spec, status: { ...prev, abort: inputs.aborting }, metadata: rollout.metadata };
  const decision = desiredTrafficWeight(ro, inputs);
  // The stable cannot take the rest of the traffic yet: leave the routers and the status alone.
  if (!decision.apply)
    return { writes: [], events: [], weights: prevWeights && structuredClone(prevWeights) };

  const writes: TrafficWrite[] = [];
  const events: TrafficEvent[] = [];
  let verified: boolean | undefined;
  const results = [];
  if (routing.nginx !== undefined) results.push(planNginxWeight(rollout, owner, objects, decision.weight));
  const gateway = gatewayApiConfigOf(rollout);
  if (gateway.ok && gateway.config !== undefined)
    results.push(planGatewayApiWeight(rollout, owner.namespace, gateway.config, objects, decision.weight));
  for (const result of results) {
    if (!result.ok) {
      const event: TrafficEvent = { reason: 'TrafficRoutingError', message: result.message, type: 'Warning' };
      return {
        writes: [],
        events: [event],
        weights: prevWeights && structuredClone(prevWeights),
        failure: { subject: result.subject, message: result.message },
      };
    }
    writes.push(...result.writes);
    verified = result.verified;
  }
  for (const w of writes) if (w.event !== undefined) events.push(w.event);

  const { modified, weights } = weightStatus(ro, decision.canaryHash, decision.stableHash, decision.weight);
  const next: TrafficWeights =
    modified || prevWeights === undefined ? weights : (structuredClone(prevWeights) as TrafficWeights);
  if (modified) {
    events.push({
      reason: Reason.TrafficWeightUpdated,
      message: trafficWeightUpdatedMessage(prevWeights?.canary.weight, decision.weight),
      type: 'Normal',
    });
  }
  if (verified === undefined) delete next.verified;
  else next.verified = verified;
  return { writes, events, weights: next };
}
