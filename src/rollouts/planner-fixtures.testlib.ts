/**
 * Objects the Rollout planner tests observe: the ReplicaSets and Services of a Rollout `web` in
 * namespace `ns` (uid {@link ROLLOUT_UID}), shaped as the API server returns them.
 */
import type { KubeObject } from '../kube/types.ts';

/** The uid of the Rollout `web` the fixtures belong to. */
export const ROLLOUT_UID = 'ro-uid';

/** A ReplicaSet of `web` for pod-template `hash`, at `revision`, with `available` of `replicas` ready. */
export function replicaSetOf(
  hash: string,
  replicas: number,
  available: number,
  revision: number,
  annotations: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'ns',
      labels: { 'rollouts-pod-template-hash': hash },
      annotations: { 'rollout.argoproj.io/revision': String(revision), ...annotations },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'web',
          uid: ROLLOUT_UID,
          controller: true,
        },
      ],
    },
    spec: { replicas },
    status: { replicas, availableReplicas: available, readyReplicas: available },
  };
}

/** A Service `web` manages, selecting pod-template `hash`. */
export const managedServiceOf = (name: string, hash: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name,
    namespace: 'ns',
    annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'web' },
  },
  spec: { selector: { app: 'web', 'rollouts-pod-template-hash': hash } },
});
