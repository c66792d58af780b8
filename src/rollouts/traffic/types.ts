/**
 * What the traffic routers read and write: the objects observed once per reconcile, and the writes
 * a traffic plan asks the executor to make.
 * @module
 */
import type { KubeObject, ObjectRef } from '../../kube/types.ts';
import type { DeepReadonly } from '../../util/readonly.ts';

/**
 * The router objects a Rollout names, as read in this reconcile. A name that is absent from a map
 * was looked up and not found.
 */
export interface TrafficObservation {
  /** Ingresses by name (the stable Ingresses and their generated canary Ingresses). */
  ingresses: ReadonlyMap<string, DeepReadonly<KubeObject>>;
  /** HTTPRoutes by `namespace/name`. */
  httpRoutes: ReadonlyMap<string, DeepReadonly<KubeObject>>;
}

/** An empty observation (no traffic routing, or nothing found). */
export const NO_TRAFFIC_OBJECTS: TrafficObservation = { ingresses: new Map(), httpRoutes: new Map() };

/** A Kubernetes event a router records (as upstream's `Recorder.Eventf`). */
export interface TrafficEvent {
  reason: string;
  message: string;
  /** Warning for errors, Normal otherwise. */
  type: 'Normal' | 'Warning';
}

/**
 * One write to a router object.
 *
 * - `create`: the object does not exist yet (a generated canary Ingress).
 * - `patch`: a JSON merge patch; when it carries `metadata.resourceVersion` the API server refuses
 *   it if the object changed since it was read (HTTPRoute rules are replaced whole, as upstream's
 *   Update does, so a concurrent edit must not be overwritten).
 */
export type TrafficWrite =
  | { action: 'create'; object: KubeObject; event?: TrafficEvent }
  | { action: 'patch'; ref: ObjectRef; patch: Record<string, unknown>; event?: TrafficEvent };

/** What one router would write for one weight, or why it cannot. */
export type RouterResult =
  | {
      ok: true;
      writes: TrafficWrite[];
      /** `VerifyWeight`: undefined when the router cannot verify (NGINX), true when it did. */
      verified: boolean | undefined;
    }
  | { ok: false; subject: string; message: string };
