/**
 * `spec.ttlStrategy`: when a completed AnalysisRun is deleted (Argo's `isAnalysisRunTtlExceeded`).
 * Pure.
 * @module
 */
import { isCompleted } from './types.ts';

/** `spec.ttlStrategy`, in seconds. */
export interface TtlStrategy {
  secondsAfterCompletion?: number | undefined;
  secondsAfterSuccess?: number | undefined;
  secondsAfterFailure?: number | undefined;
}

/**
 * The epoch ms after which a completed run is deleted, or undefined when it is kept (not
 * completed, no completedAt, or no TTL for its phase). Success and failure TTLs win over the
 * completion TTL; the run is deleted once the whole seconds since completion exceed the TTL.
 *
 * @example
 * ttlDeadline({ secondsAfterSuccess: 30 }, { phase: 'Successful', completedAt: '2026-01-01T10:00:00Z' })
 * // Date.parse('2026-01-01T10:00:31Z')
 * ttlDeadline({ secondsAfterFailure: 30 }, { phase: 'Successful', completedAt: '…' }) // undefined
 */
export function ttlDeadline(
  ttl: TtlStrategy | undefined,
  status: { phase?: string | undefined; completedAt?: string | undefined } | undefined,
): number | undefined {
  const phase = status?.phase;
  if (!ttl || !status?.completedAt || !isCompleted(phase as never)) return undefined;
  let seconds: number | undefined;
  if (phase === 'Successful' && ttl.secondsAfterSuccess !== undefined) seconds = ttl.secondsAfterSuccess;
  else if (phase === 'Failed' && ttl.secondsAfterFailure !== undefined) seconds = ttl.secondsAfterFailure;
  else seconds = ttl.secondsAfterCompletion;
  if (seconds === undefined) return undefined;
  return Date.parse(status.completedAt) + (seconds + 1) * 1000;
}
