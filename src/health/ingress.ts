/**
 * Ingress health (gitops-engine `health_ingress.go`), for `networking.k8s.io` and `extensions`.
 * @module
 */
import type { HealthCheck, UntypedObject } from './check.ts';
import { type HealthStatus, healthOf } from './types.ts';

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * Healthy once `status.loadBalancer.ingress` lists an address, else Progressing. Any version, and
 * no typed conversion: a mistyped status reads as "no address", as with Go's `NestedSlice`.
 * @example ingressHealth({ status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } }) // { status: 'Healthy' }
 */
export function ingressHealth(obj: UntypedObject): HealthStatus {
  const ingresses = field(field(obj['status'], 'loadBalancer'), 'ingress');
  return healthOf(Array.isArray(ingresses) && ingresses.length > 0 ? 'Healthy' : 'Progressing');
}

/** The Ingress check. */
export const checkIngress: HealthCheck = (obj) => ingressHealth(obj);
