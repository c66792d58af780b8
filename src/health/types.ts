/**
 * Health codes and their order, as Argo CD's gitops-engine defines them (`pkg/health/health.go`).
 * @module
 */

/**
 * How healthy one object is.
 *
 * - `Healthy`: 100% healthy.
 * - `Suspended`: paused or suspended, waiting for an outside event (a paused Deployment or Rollout).
 * - `Progressing`: not healthy yet, but may still get there.
 * - `Missing`: not in the cluster (only aggregation produces it; no per-kind check does).
 * - `Degraded`: failed, or could not become healthy in time.
 * - `Unknown`: the assessment itself failed (an unparseable object, a health script error).
 */
export type HealthStatusCode = 'Healthy' | 'Suspended' | 'Progressing' | 'Missing' | 'Degraded' | 'Unknown';

/** The result of assessing one object. `message` is omitted when upstream's message is empty. */
export interface HealthStatus {
  status: HealthStatusCode;
  message?: string;
}

/** Best to worst: gitops-engine's `healthOrder`. */
export const HEALTH_ORDER: readonly HealthStatusCode[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];

/** True when `candidate` is a valid health code (what Argo CD accepts from a health script). */
export function isHealthStatusCode(candidate: unknown): candidate is HealthStatusCode {
  return typeof candidate === 'string' && (HEALTH_ORDER as readonly string[]).includes(candidate);
}

/**
 * Whether `next` is worse than `current` (gitops-engine's `IsWorse`).
 * @example isWorse('Progressing', 'Degraded') // true
 * @example isWorse('Degraded', 'Missing') // false: Missing ranks better than Degraded
 */
export function isWorse(current: HealthStatusCode, next: HealthStatusCode): boolean {
  return HEALTH_ORDER.indexOf(next) > HEALTH_ORDER.indexOf(current);
}

/** Builds a status, dropping an empty message as Go's `omitempty` does. */
export function healthOf(status: HealthStatusCode, message?: string): HealthStatus {
  return message ? { status, message } : { status };
}
