/**
 * Time arithmetic of syncs: Go duration strings, the operation retry backoff, the retry state
 * machine around a failed operation, and the self-heal backoff. Every function takes `now`; none
 * reads a clock.
 *
 * Operation retry (`RetryStrategy.NextRetryAt`): `wait = duration * factor^retryCount`, capped at
 * `maxDuration`; defaults 5s, 2, 3m. A `limit` of 0 means no retries, a negative limit unlimited
 * retries.
 *
 * | retryCount | default wait | `{duration: 2s, factor: 3, maxDuration: 1m}` |
 * |---|---|---|
 * | 0 | 5s | 2s |
 * | 1 | 10s | 6s |
 * | 2 | 20s | 18s |
 * | 3 | 40s | 54s |
 * | 4 | 80s | 60s (cap) |
 * | 80 | 3m (cap) | 60s (cap) |
 *
 * Self-heal (`selfHealRemainingBackoff`): the delay before self-heal attempt N, measured from the
 * previous operation's `finishedAt`, is 0, 2, 6, 18, 54, 162 s, then 300 s for every later attempt.
 *
 * Sources: `pkg/apis/application/v1alpha1/types.go`, `controller/appcontroller.go`
 * (`processRequestedAppOperation`, `selfHealRemainingBackoff`), `k8s.io/apimachinery/pkg/util/wait`
 * (`Backoff.Step`).
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import type { OperationState, RetryStrategy } from './application.ts';
import { formatTimestamp } from './types.ts';

/** `DefaultSyncRetryDuration`: 5 s. */
export const DEFAULT_RETRY_DURATION_MS = 5_000;
/** `DefaultSyncRetryFactor`: 2. */
export const DEFAULT_RETRY_FACTOR = 2;
/** `DefaultSyncRetryMaxDuration`: 3 min. */
export const DEFAULT_RETRY_MAX_DURATION_MS = 180_000;
/** The retry strategy of an automated sync when `spec.syncPolicy.retry` is unset. */
export const DEFAULT_AUTO_SYNC_RETRY: RetryStrategy = { limit: 5 };

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration (`time.ParseDuration`): an optional sign, then one or more
 * `<decimal><unit>` pairs with units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`; `"0"` alone is allowed.
 * Returns milliseconds, or undefined when the text is not a duration.
 * @example parseGoDuration('1h30m') === 5_400_000
 * @example parseGoDuration('1.5s') === 1_500
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?([^\d.]+)/u;
  while (rest !== '') {
    const m = part.exec(rest);
    if (m === null) return undefined;
    const [whole, int = '', frac = '', unit = ''] = m;
    if (int === '' && frac === '') return undefined;
    // A unit runs until the next digit or dot, as in Go; unknown units fail.
    const scale = UNIT_MS[unit];
    if (scale === undefined) return undefined;
    total += Number(`${int || '0'}.${frac || '0'}`) * scale;
    rest = rest.slice(whole.length);
  }
  return sign * total;
}

/**
 * Parses `retry.backoff.duration`/`maxDuration` (`parseStringToDuration`): a bare integer is
 * seconds, anything else a Go duration. Returns milliseconds.
 * @throws SlipwayError `unable to parse <text> as a duration` (upstream's wording).
 * @example parseRetryDuration('5') === 5_000
 * @example parseRetryDuration('3m') === 180_000
 */
export function parseRetryDuration(text: string, subject?: string): number {
  if (/^[+-]?\d+$/.test(text)) return Number(text) * 1_000;
  const ms = parseGoDuration(text);
  if (ms === undefined) {
    throw new SlipwayError(`unable to parse ${text} as a duration`, {
      ...(subject !== undefined ? { subject } : {}),
      reason: 'InvalidSpec',
    });
  }
  return ms;
}

/**
 * The wait before retry number `retryCount` (0-based), in milliseconds (`NextRetryAt` minus the
 * last attempt). A non-positive `maxDuration` disables the cap.
 * @throws SlipwayError when a duration does not parse.
 * @example retryDelayMs({}, 4) === 80_000
 * @example retryDelayMs({ backoff: { duration: '2s', factor: 3, maxDuration: '1m' } }, 4) === 60_000
 */
export function retryDelayMs(strategy: RetryStrategy | undefined, retryCount: number): number {
  let duration = DEFAULT_RETRY_DURATION_MS;
  let maxDuration = DEFAULT_RETRY_MAX_DURATION_MS;
  let factor = DEFAULT_RETRY_FACTOR;
  const backoff = strategy?.backoff;
  if (backoff !== undefined) {
    if (backoff.duration !== undefined && backoff.duration !== '') {
      duration = parseRetryDuration(String(backoff.duration), 'spec.syncPolicy.retry.backoff.duration');
    }
    if (backoff.maxDuration !== undefined && backoff.maxDuration !== '') {
      maxDuration = parseRetryDuration(
        String(backoff.maxDuration),
        'spec.syncPolicy.retry.backoff.maxDuration',
      );
    }
    if (backoff.factor !== undefined) factor = backoff.factor;
  }
  let wait = duration * factor ** retryCount;
  if (maxDuration > 0) wait = Math.min(maxDuration, wait);
  return wait;
}

/** The earliest time of retry number `retryCount` after `lastAttempt` (`NextRetryAt`). */
export function nextRetryAt(
  strategy: RetryStrategy | undefined,
  lastAttempt: Date,
  retryCount: number,
): Date {
  return new Date(lastAttempt.getTime() + retryDelayMs(strategy, retryCount));
}

/** True while another retry is allowed: `retryCount < limit`, or any count when `limit < 0`. */
export function canRetry(strategy: RetryStrategy | undefined, retryCount: number): boolean {
  const limit = strategy?.limit ?? 0;
  return limit < 0 || retryCount < limit;
}

/** Go's `time.Kitchen` layout (`3:04PM`), in UTC: how retry messages print the retry time. */
export function kitchenTime(date: Date): string {
  const h24 = date.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  return `${h12}:${mm}${h24 < 12 ? 'AM' : 'PM'}`;
}

/** What to do with an operation that is `Running` with a `finishedAt`: a failed attempt awaiting retry. */
export type RetryResume =
  /** Not yet: come back at `retryAt`. */
  | { kind: 'wait'; retryAt: Date; waitMs: number }
  /** Start the retry with this state (results and finish time cleared). */
  | { kind: 'retry'; state: OperationState }
  /** The retry strategy is invalid: the operation ends in this `Error` state. */
  | { kind: 'error'; state: OperationState };

/**
 * Decides whether a failed attempt is due for retry (the `Running && finishedAt != nil` branch of
 * `processRequestedAppOperation`). The wait uses the *incremented* retry count, so the time printed
 * by {@link completeFailedOperation} (computed before the increment) is earlier than the real retry:
 * an upstream quirk Slipway keeps so messages match.
 *
 * With `retry.refresh`, the requested revision(s) are cleared so the retry syncs the latest commit.
 * @example
 * // retryCount 1, default backoff, finishedAt 12:00:00 → retry at 12:00:10
 * planRetryResume(state, new Date('…12:00:05Z')) // { kind: 'wait', waitMs: 5000, … }
 * planRetryResume(state, new Date('…12:00:10Z')) // { kind: 'retry', state: { message: 'Retrying operation. Attempt #1', … } }
 */
export function planRetryResume(state: OperationState, now: Date): RetryResume {
  const finishedAt = state.finishedAt === undefined ? undefined : new Date(state.finishedAt);
  if (finishedAt === undefined) return { kind: 'retry', state };
  const retryCount = state.retryCount ?? 0;
  let retryAt: Date;
  try {
    retryAt = nextRetryAt(state.operation.retry, finishedAt, retryCount);
  } catch (err) {
    return {
      kind: 'error',
      state: {
        ...state,
        phase: 'Error',
        message: err instanceof SlipwayError ? rawMessage(err) : String(err),
      },
    };
  }
  const waitMs = retryAt.getTime() - now.getTime();
  if (waitMs > 0) return { kind: 'wait', retryAt, waitMs };
  const refresh = state.operation.retry?.refresh === true;
  const next: OperationState = structuredClone(state);
  if (refresh && next.operation.sync !== undefined) {
    delete next.operation.sync.revision;
    delete next.operation.sync.revisions;
  }
  next.message = `Retrying operation${refresh ? ' with latest revisions' : ''}. Attempt #${retryCount}`;
  delete next.finishedAt;
  delete next.syncResult;
  return { kind: 'retry', state: next };
}

/**
 * The state to write after a sync step ended `Failed` or `Error` (the tail of
 * `processRequestedAppOperation`). While retries remain (and the operation is not terminating),
 * the phase goes back to `Running` with `finishedAt = now`, the count is incremented and the
 * message gains `. Retrying attempt #N at <3:04PM>.`; otherwise the message gains
 * `, triggered by <cause>` for a terminated operation and ` (retried N times).` when it was retried.
 * Any other phase is returned unchanged (with `finishedAt` set when completed).
 * @example
 * completeFailedOperation({ phase: 'Failed', message: 'boom', retryCount: 0, operation: { retry: { limit: 2 } }, … }, now)
 *   // { phase: 'Running', retryCount: 1, message: 'boom. Retrying attempt #1 at 12:00PM.', finishedAt: now }
 */
export function completeFailedOperation(
  state: OperationState,
  now: Date,
  options: { terminating?: boolean; terminatingCause?: string } = {},
): OperationState {
  const next: OperationState = structuredClone(state);
  if (next.phase === 'Failed' || next.phase === 'Error') {
    const retryCount = next.retryCount ?? 0;
    if (!options.terminating && canRetry(next.operation.retry, retryCount)) {
      try {
        const retryAt = nextRetryAt(next.operation.retry, now, retryCount);
        next.phase = 'Running';
        next.finishedAt = formatTimestamp(now);
        next.retryCount = retryCount + 1;
        next.message = `${next.message ?? ''}. Retrying attempt #${retryCount + 1} at ${kitchenTime(retryAt)}.`;
        return next;
      } catch (err) {
        next.phase = 'Error';
        next.message = `${next.message ?? ''} (failed to retry: ${err instanceof SlipwayError ? rawMessage(err) : String(err)})`;
      }
    } else {
      if (options.terminating && options.terminatingCause) {
        next.message = `${next.message ?? ''}, triggered by ${options.terminatingCause}`;
      }
      if (retryCount > 0) next.message = `${next.message ?? ''} (retried ${retryCount} times).`;
    }
  }
  if (next.phase === 'Failed' || next.phase === 'Error' || next.phase === 'Succeeded') {
    next.finishedAt = formatTimestamp(now);
  }
  return next;
}

/** The message of a SlipwayError without its subject prefix. */
function rawMessage(err: SlipwayError): string {
  return err.subject !== undefined && err.message.startsWith(`${err.subject}: `)
    ? err.message.slice(err.subject.length + 2)
    : err.message;
}

/** The self-heal backoff (`--self-heal-backoff-*` flags). */
export interface SelfHealBackoff {
  /** `--self-heal-backoff-timeout-seconds`, default 2 s. */
  durationMs: number;
  /** `--self-heal-backoff-factor`, default 3. */
  factor: number;
  /** `--self-heal-backoff-cap-seconds`, default 300 s. */
  capMs: number;
}

/** Upstream's default self-heal backoff: 2 s × 3ⁿ, capped at 5 min. */
export const DEFAULT_SELF_HEAL_BACKOFF: SelfHealBackoff = { durationMs: 2_000, factor: 3, capMs: 300_000 };

/**
 * The delay before self-heal attempt number `attempts` (0-based count of attempts already made):
 * the last value of `attempts` calls to k8s `wait.Backoff.Step()` (no jitter). Once a step would
 * pass the cap, the backoff stays at the cap.
 * @example [0, 1, 2, 3, 4, 5, 6, 40].map((n) => selfHealDelayMs(n)) // [0, 2000, 6000, 18000, 54000, 162000, 300000, 300000]
 */
export function selfHealDelayMs(
  attempts: number,
  backoff: SelfHealBackoff = DEFAULT_SELF_HEAL_BACKOFF,
): number {
  let duration = backoff.durationMs;
  let steps = attempts;
  let delay = 0;
  for (let i = 0; i < attempts; i++) {
    if (steps < 1) {
      delay = duration;
      continue;
    }
    steps--;
    const current = duration;
    if (backoff.factor !== 0) {
      duration = duration * backoff.factor;
      if (backoff.capMs > 0 && duration > backoff.capMs) {
        duration = backoff.capMs;
        steps = 0;
      }
    }
    delay = current;
  }
  return delay;
}

/** Inputs of {@link selfHealRemainingBackoffMs}. */
export interface SelfHealTiming {
  /** `operation.sync.autoHealAttemptsCount` of the last operation. */
  attempts: number;
  /** `status.operationState`; undefined when the app has none (then self-heal is immediate). */
  lastOperation: { finishedAt?: string | undefined } | undefined;
  now: Date;
  /** The backoff; `null` selects the legacy fixed timeout. Default {@link DEFAULT_SELF_HEAL_BACKOFF}. */
  backoff?: SelfHealBackoff | null;
  /** Legacy `--self-heal-timeout-seconds`, used only when `backoff` is null; default 0. */
  timeoutMs?: number;
}

/**
 * How long self-heal must still wait (`selfHealRemainingBackoff`); 0 or less means heal now. The
 * delay counts from the last operation's `finishedAt`; without one the full delay remains.
 * @example selfHealRemainingBackoffMs({ attempts: 2, lastOperation: { finishedAt: '2024-01-01T00:00:00Z' }, now: new Date('2024-01-01T00:00:04Z') }) === 2000
 */
export function selfHealRemainingBackoffMs(input: SelfHealTiming): number {
  if (input.lastOperation === undefined) return 0;
  const finishedAt = input.lastOperation.finishedAt;
  const since = finishedAt === undefined ? undefined : input.now.getTime() - new Date(finishedAt).getTime();
  const backoff = input.backoff === undefined ? DEFAULT_SELF_HEAL_BACKOFF : input.backoff;
  const delay = backoff === null ? (input.timeoutMs ?? 0) : selfHealDelayMs(input.attempts, backoff);
  return since === undefined ? delay : delay - since;
}
