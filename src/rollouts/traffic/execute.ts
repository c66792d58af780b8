/**
 * Writes a {@link TrafficPlan}'s router changes, in order. Thin: every decision was made by the
 * planner.
 * @module
 */
import type { KubeClient } from '../../kube/client.ts';
import { isConflict } from '../../kube/errors.ts';
import { SlipwayError } from '../../util/errors.ts';
import type { TrafficPlan } from './plan.ts';

/**
 * Creates or patches each router object. A canary Ingress another reconcile created meanwhile is
 * left for the next reconcile (which reads it and patches it); any other failure is rethrown
 * naming the object, and the reconcile is retried.
 */
export async function executeTraffic(
  client: KubeClient,
  plan: TrafficPlan | undefined,
  options: { fieldManager: string; signal?: AbortSignal },
): Promise<void> {
  for (const write of plan?.writes ?? []) {
    if (write.action === 'create') {
      try {
        await client.create(write.object, options);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      continue;
    }
    await client.patch(write.ref, write.patch, { ...options, type: 'merge' });
  }
  if (plan?.failure !== undefined) {
    throw new SlipwayError(plan.failure.message, {
      subject: plan.failure.subject,
      reason: 'TrafficRoutingError',
      transient: true,
    });
  }
}
