/**
 * Content digests (`<algorithm>:<hex>`), as the OCI image spec and `opencontainers/go-digest`
 * define them: parsing with the same error kinds, computing, and verifying fetched bytes.
 * @module
 */
import { createHash } from 'node:crypto';
import { SlipwayError } from '../util/errors.ts';

/** The digest algorithms Slipway can compute and verify (the two the OCI image spec registers). */
export const DIGEST_ALGORITHMS = { sha256: 64, sha512: 128 } as const;

export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS;

/** Why a string is not a usable digest; the names follow go-digest's `ErrDigest*` errors. */
export type DigestErrorCode = 'DigestInvalidFormat' | 'DigestInvalidLength' | 'DigestUnsupported';

/** A digest that does not parse. `code` says which rule it broke. */
export class InvalidDigestError extends SlipwayError {
  readonly code: DigestErrorCode;

  constructor(code: DigestErrorCode, digest: string) {
    const what = {
      DigestInvalidFormat: 'invalid digest format',
      DigestInvalidLength: 'invalid digest length',
      DigestUnsupported: 'unsupported digest algorithm',
    }[code];
    super(`${what} (expected e.g. sha256:<64 hex digits>)`, {
      subject: digest.length > 140 ? `${digest.slice(0, 140)}…` : digest,
      reason: 'InvalidDigest',
    });
    this.name = 'InvalidDigestError';
    this.code = code;
  }
}

// The shape of any digest, registered algorithm or not (go-digest's DigestRegexp).
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function isSupported(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(DIGEST_ALGORITHMS, algorithm);
}

/**
 * Checks `digest` and returns it unchanged, or throws {@link InvalidDigestError}.
 * @example parseDigest('sha256:' + 'f'.repeat(64)) // ok
 * @example parseDigest('sha256:ffff') // throws, code DigestInvalidLength
 */
export function parseDigest(digest: string): string {
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length) throw new InvalidDigestError('DigestInvalidFormat', digest);
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  if (!isSupported(algorithm)) {
    throw new InvalidDigestError(
      ANY_DIGEST.test(digest) ? 'DigestUnsupported' : 'DigestInvalidFormat',
      digest,
    );
  }
  if (encoded.length !== DIGEST_ALGORITHMS[algorithm]) {
    throw new InvalidDigestError('DigestInvalidLength', digest);
  }
  if (!/^[a-f0-9]+$/.test(encoded)) throw new InvalidDigestError('DigestInvalidFormat', digest);
  return digest;
}

/** The algorithm part of a digest that {@link parseDigest} accepted. */
export function digestAlgorithm(digest: string): DigestAlgorithm {
  const algorithm = parseDigest(digest).slice(0, digest.indexOf(':'));
  return algorithm as DigestAlgorithm;
}

/** The digest of `bytes`, e.g. `sha256:e3b0c442…` for no bytes. */
export function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** True when `bytes` hash to `expected` (computed with `expected`'s own algorithm). */
export function matchesDigest(bytes: Uint8Array, expected: string): boolean {
  return computeDigest(bytes, digestAlgorithm(expected)) === expected;
}
