/**
 * Errors from the API server, parsed from its `Status` body.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';

/** One entry of `Status.details.causes`; for SSA conflicts `field` is the conflicting path. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The parts of a `metav1.Status` Slipway reads. */
export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
}

/** The API server answered with an error status. */
export class ApiError extends SlipwayError {
  readonly code: number;
  readonly status: ApiStatus;

  constructor(code: number, status: ApiStatus, subject: string) {
    const message = status.message || `HTTP ${code}`;
    // Server-side apply reports fields missing from the schema as a 500 without a reason
    // ("failed to create typed patch object … field not declared in schema"). It is the object
    // that is invalid, and retrying cannot help, so it is classified as such.
    const invalidPatch =
      code === 500 && !status.reason && message.includes('failed to create typed patch object');
    super(message, {
      subject,
      reason: invalidPatch ? 'Invalid' : status.reason || `Http${code}`,
      transient: !invalidPatch && (code === 429 || code >= 500),
    });
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }

  get causes(): StatusCause[] {
    return this.status.details?.causes ?? [];
  }

  /** For a server-side apply conflict: each conflicting field with the manager that owns it. */
  get conflicts(): Array<{ field: string; manager: string; message: string }> {
    if (this.code !== 409) return [];
    return this.causes
      .filter((c) => c.reason === 'FieldManagerConflict')
      .map((c) => ({
        field: c.field ?? '',
        manager: /conflict with "([^"]*)"/.exec(c.message ?? '')?.[1] ?? '',
        message: c.message ?? '',
      }));
  }
}

export function isNotFound(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code === 404;
}

export function isConflict(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code === 409;
}

/** A watch asked for a resourceVersion the server no longer has (HTTP 410 / `Expired`). */
export function isGone(err: unknown): err is ApiError {
  return (
    err instanceof ApiError &&
    (err.code === 410 || err.status.reason === 'Expired' || err.status.reason === 'Gone')
  );
}
