/**
 * Exponential backoff with full jitter, as a pure function of the attempt number.
 * @module
 */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Upper bound of any delay, in ms. */
  maxMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Fraction of the delay that is randomised, 0..1; default 0.2. */
  jitter?: number;
}

/**
 * The delay before retry number `attempt` (0-based).
 * @example backoffDelay(3, { initialMs: 100, maxMs: 5000, jitter: 0 }) === 800
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxMs, options.initialMs * (options.factor ?? 2) ** Math.max(0, attempt));
  const jitter = options.jitter ?? 0.2;
  return Math.round(base * (1 - jitter + jitter * random()));
}
