/**
 * Errors from talking to a registry. Each names the registry host (in its subject, and so in its
 * message) and carries a reason a caller can act on without reading the text. Credentials and
 * tokens never appear in any of them.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';

/** Why a registry call failed. */
export type RegistryErrorReason =
  /** Connection refused, DNS failure, TLS failure, reset: nothing usable answered. */
  | 'RegistryUnreachable'
  /** No (complete) answer within the timeout. */
  | 'RegistryTimeout'
  /** 401: no credentials were given, or the registry (or its token server) refused them. */
  | 'RegistryUnauthorized'
  /** 403: the credentials are valid but may not do this. */
  | 'RegistryForbidden'
  /** 404 for the repository itself. */
  | 'RepositoryNotFound'
  /** 404 for a tag or manifest digest. */
  | 'ManifestNotFound'
  /** 404 for a blob. */
  | 'BlobNotFound'
  /** Fetched content does not hash to the digest that names it. */
  | 'DigestMismatch'
  /** A manifest, index, config or token answer that does not parse. */
  | 'InvalidResponse'
  /** An answer larger than Slipway accepts for its kind. */
  | 'ResponseTooLarge'
  /** Plain HTTP (or an HTTP token realm) to a host that is neither loopback nor marked insecure. */
  | 'InsecureRegistry'
  /** The caller's signal aborted the call. */
  | 'Aborted'
  /** Any other non-success answer (5xx, 429, unexpected 4xx). */
  | 'RegistryError';

export interface RegistryErrorOptions {
  /** The registry host, e.g. `127.0.0.1:5000`; named in every message. */
  host: string;
  /** What was asked for, e.g. `app:1.2.3` or `app@sha256:…`; joined to the host in the subject. */
  target?: string;
  reason: RegistryErrorReason;
  status?: number;
  /** The registry's own error code (`NAME_UNKNOWN`, `MANIFEST_UNKNOWN`, `DENIED`, …). */
  code?: string;
  transient?: boolean;
  cause?: unknown;
}

/** A registry call failed; `reason` says how. */
export class RegistryError extends SlipwayError {
  override readonly reason: RegistryErrorReason;
  readonly host: string;
  readonly status: number | undefined;
  readonly code: string | undefined;

  constructor(message: string, options: RegistryErrorOptions) {
    const transient =
      options.transient ??
      (options.reason === 'RegistryUnreachable' ||
        options.reason === 'RegistryTimeout' ||
        (options.reason === 'RegistryError' &&
          (options.status === undefined || options.status === 429 || options.status >= 500)));
    super(message, {
      subject: options.target ? `${options.host}/${options.target}` : options.host,
      reason: options.reason,
      transient,
      cause: options.cause,
    });
    this.name = 'RegistryError';
    this.reason = options.reason;
    this.host = options.host;
    this.status = options.status;
    this.code = options.code;
  }
}

/** True for a 404 of a repository, tag/manifest or blob. */
export function isRegistryNotFound(err: unknown): err is RegistryError {
  return (
    err instanceof RegistryError &&
    (err.reason === 'RepositoryNotFound' ||
      err.reason === 'ManifestNotFound' ||
      err.reason === 'BlobNotFound')
  );
}
