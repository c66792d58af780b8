/**
 * The shapes of Kubernetes objects as Slipway handles them: plain JSON, never a model class, so
 * fields Slipway does not know pass through untouched.
 * @module
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** Any Kubernetes object. Unknown fields are kept as they are. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Names one object. `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

/** A list answer. */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** Which objects of one kind: all of them, or those in a namespace and/or matching selectors. */
export interface ResourceQuery {
  apiVersion: string;
  kind: string;
  /** Omit for all namespaces (or for cluster-scoped kinds). */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects: how errors name objects. */
export function describeRef(ref: {
  kind: string;
  name?: string | undefined;
  namespace?: string | undefined;
}): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name ?? ''}` : `${ref.kind}/${ref.name ?? ''}`;
}

export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    namespace: obj.metadata.namespace,
  };
}

/** Splits `apps/v1` into group `apps` and version `v1`; `v1` is the core group `""`. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
