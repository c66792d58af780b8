/**
 * Slipway's Kubernetes client: kubeconfig, discovery, reads, server-side apply, watches and an
 * informer cache. Plain JSON throughout.
 * @module
 */

export type {
  ApplyOptions,
  DeleteOptions,
  KubeClientOptions,
  ListOptions,
  PatchType,
  WatchRequest,
} from './client.ts';
export { KubeClient } from './client.ts';
export type { EnsureCrdsResult } from './crds.ts';
export { ensureCrds, loadCrds } from './crds.ts';
export type { ResourceInfo } from './discovery.ts';
export { Discovery } from './discovery.ts';
export type { ApiStatus, StatusCause } from './errors.ts';
export { ApiError, isConflict, isGone, isNotFound } from './errors.ts';
export type { InformerEvent, InformerListener, InformerOptions, InformerStats } from './informer.ts';
export { Informer } from './informer.ts';
export type { AuthMethod, ClusterConnection, ExecConfig, LoadKubeconfigOptions } from './kubeconfig.ts';
export { loadInClusterConnection, loadKubeconfig } from './kubeconfig.ts';
export type { RequestOptions, TransportOptions } from './transport.ts';
export { KubeTransport } from './transport.ts';
export type { KubeList, KubeObject, ObjectMeta, ObjectRef, ResourceQuery } from './types.ts';
export { describeRef, refOf, splitApiVersion } from './types.ts';
export type { RawWatchEvent, WatchEventType } from './watch-stream.ts';
