/**
 * The OCI registry capability: image references, digests, a distribution-API client (tags,
 * manifests, blobs, uploads; anonymous, Basic and Bearer auth), and its errors.
 * @module
 */
export { type AuthChallenge, challengeScopes, parseWwwAuthenticate } from './challenge.ts';
export {
  type CallOptions,
  type FetchedManifest,
  type ImageConfigInfo,
  RESPONSE_LIMITS,
  RegistryClient,
  type RegistryClientOptions,
  type RegistryCredentials,
} from './client.ts';
export {
  computeDigest,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestErrorCode,
  digestAlgorithm,
  InvalidDigestError,
  matchesDigest,
  parseDigest,
} from './digest.ts';
export { isRegistryNotFound, RegistryError, type RegistryErrorReason } from './errors.ts';
export { type Link, nextLink, parseLinkHeader } from './link.ts';
export {
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  isImageMediaType,
  isIndexMediaType,
  MANIFEST_ACCEPT,
  MediaType,
  type ParsedManifest,
  type Platform,
  parseManifest,
} from './manifest.ts';
export {
  familiarName,
  familiarString,
  type ImageReference,
  InvalidReferenceError,
  isLoopbackHost,
  isValidTag,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  REPOSITORY_NAME_MAX,
  type ReferenceErrorCode,
  referenceName,
  referenceString,
  registryApiHost,
  withDigest,
  withName,
  withTag,
} from './reference.ts';
