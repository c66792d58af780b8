/**
 * The one error type Slipway throws on purpose.
 *
 * Every error names what it is about (`subject`: a file, a field, a server, or `Kind/namespace/name`),
 * carries a machine-readable `reason` that maps onto a status condition, and keeps its `cause`.
 * Whether it is worth retrying is carried in `transient`, never guessed from the message text.
 *
 * @module
 */
export interface SlipwayErrorOptions {
  /** What the error is about: a file path, `file: field`, a server URL or `Kind/namespace/name`. */
  subject?: string;
  /** A CamelCase reason, e.g. `InvalidKubeconfig`, `ServerUnreachable`. */
  reason?: string;
  /** True when the same call may succeed later (network errors, 5xx, conflicts). */
  transient?: boolean;
  cause?: unknown;
}

export class SlipwayError extends Error {
  readonly subject: string | undefined;
  readonly reason: string;
  readonly transient: boolean;

  constructor(message: string, options: SlipwayErrorOptions = {}) {
    super(options.subject ? `${options.subject}: ${message}` : message, { cause: options.cause });
    this.name = 'SlipwayError';
    this.subject = options.subject;
    this.reason = options.reason ?? 'Error';
    this.transient = options.transient ?? false;
  }
}

/** The message of any thrown value, for places that must turn an error into text. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
