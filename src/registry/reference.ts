/**
 * Image references, parsed by the grammar of `distribution/reference` (the one Docker, containerd
 * and Flux use):
 *
 * ```
 * reference      := name [ ":" tag ] [ "@" digest ]
 * name           := [domain '/'] remote-name
 * domain         := host [':' port-number]
 * host           := domain-name | IPv4address | \[ IPv6address \]
 * path-component := [a-z0-9]+ (separator [a-z0-9]+)*     separator := [_.] | __ | -+
 * tag            := [\w][\w.-]{0,127}
 * ```
 *
 * {@link parseReference} is upstream's `Parse` (no defaults); {@link parseNormalizedNamed} adds
 * Docker's defaults (`ubuntu` → `docker.io/library/ubuntu`), which is what a user typing an image
 * name expects.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import { InvalidDigestError, parseDigest } from './digest.ts';

/** A parsed reference. `domain` is `''` only from {@link parseReference} on a name without one. */
export interface ImageReference {
  /** Registry host with optional port, e.g. `127.0.0.1:5000`, `docker.io`, `[::1]:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/ubuntu`. */
  path: string;
  tag?: string;
  digest?: string;
}

/** The rule a reference broke; names follow `distribution/reference`'s `Err*` values. */
export type ReferenceErrorCode =
  | 'NameEmpty'
  | 'ReferenceInvalidFormat'
  | 'NameContainsUppercase'
  | 'NameTooLong'
  | 'NameNotCanonical'
  | 'TagInvalidFormat'
  | 'HexIdentifier'
  | 'DigestInvalidFormat'
  | 'DigestInvalidLength'
  | 'DigestUnsupported';

const MESSAGES: Record<ReferenceErrorCode, string> = {
  NameEmpty: 'repository name must have at least one component',
  ReferenceInvalidFormat: 'invalid reference format',
  NameContainsUppercase: 'repository name must be lowercase',
  NameTooLong: `repository name must not be more than ${255} characters`,
  NameNotCanonical: 'repository name must be canonical',
  TagInvalidFormat: 'invalid tag format',
  HexIdentifier: 'invalid repository name: cannot specify 64-byte hexadecimal strings',
  DigestInvalidFormat: 'invalid digest format',
  DigestInvalidLength: 'invalid digest length',
  DigestUnsupported: 'unsupported digest algorithm',
};

/** A reference that does not parse; the subject is the input text. */
export class InvalidReferenceError extends SlipwayError {
  readonly code: ReferenceErrorCode;

  constructor(code: ReferenceErrorCode, input: string, cause?: unknown) {
    super(MESSAGES[code], {
      subject: input === '' ? '(empty image reference)' : input,
      reason: 'InvalidReference',
      cause,
    });
    this.name = 'InvalidReferenceError';
    this.code = code;
  }
}

/** Upstream's `RepositoryNameTotalLengthMax`: the limit applies to the path, not the domain. */
export const REPOSITORY_NAME_MAX = 255;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';

// The grammar, built from the same pieces as upstream's regexp.go.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

const REFERENCE = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const ANCHORED_TAG = new RegExp(`^${tagPattern}$`);
const ANCHORED_IDENTIFIER = /^[a-f0-9]{64}$/;

function digestError(err: unknown, input: string): never {
  if (err instanceof InvalidDigestError) throw new InvalidReferenceError(err.code, input, err);
  throw err;
}

/**
 * Parses `input` exactly as written, with no defaults (upstream `reference.Parse`).
 * @example parseReference('test:5000/repo:tag') // { domain: 'test:5000', path: 'repo', tag: 'tag' }
 * @example parseReference('ubuntu') // { domain: '', path: 'ubuntu' }
 */
export function parseReference(input: string): ImageReference {
  if (input === '') throw new InvalidReferenceError('NameEmpty', input);
  const m = REFERENCE.exec(input);
  if (!m) {
    const lower = input.toLowerCase();
    if (lower !== input && REFERENCE.test(lower))
      throw new InvalidReferenceError('NameContainsUppercase', input);
    throw new InvalidReferenceError('ReferenceInvalidFormat', input);
  }
  const name = m[1] ?? '';
  const nameMatch = ANCHORED_NAME.exec(name);
  const ref: ImageReference = { domain: nameMatch?.[1] ?? '', path: nameMatch ? (nameMatch[2] ?? '') : name };
  if (ref.path.length > REPOSITORY_NAME_MAX) throw new InvalidReferenceError('NameTooLong', input);
  if (m[2]) ref.tag = m[2];
  if (m[3]) {
    try {
      ref.digest = parseDigest(m[3]);
    } catch (err) {
      digestError(err, input);
    }
  }
  return ref;
}

/** A name without tag or digest (upstream `WithName`). */
export function withName(name: string): ImageReference {
  const m = ANCHORED_NAME.exec(name);
  if (!m) throw new InvalidReferenceError('ReferenceInvalidFormat', name);
  const path = m[2] ?? '';
  if (path.length > REPOSITORY_NAME_MAX) throw new InvalidReferenceError('NameTooLong', name);
  return { domain: m[1] ?? '', path };
}

/** `ref` with `tag` set (its digest, if any, is kept). */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!ANCHORED_TAG.test(tag)) throw new InvalidReferenceError('TagInvalidFormat', tag);
  return { ...ref, tag };
}

/** `ref` with `digest` set (its tag, if any, is kept). */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  if (!new RegExp(`^${digestPattern}$`).test(digest)) {
    throw new InvalidReferenceError('DigestInvalidFormat', digest);
  }
  return { ...ref, digest };
}

/** True when `tag` is a valid tag. */
export function isValidTag(tag: string): boolean {
  return ANCHORED_TAG.test(tag);
}

// Docker's defaulting of the domain (upstream splitDockerDomain).
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_PREFIX + name };
  const maybeDomain = name.slice(0, slash);
  const maybeRemainder = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === 'localhost') {
    // localhost is a reserved namespace and always a domain.
    domain = maybeDomain;
    remainder = maybeRemainder;
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    domain = DEFAULT_DOMAIN;
    remainder = maybeRemainder;
  } else if (/[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    // A dot or a colon (host name, IP, host:port), or upper case (not allowed in a path): a domain.
    domain = maybeDomain;
    remainder = maybeRemainder;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses a name as a user types it, with Docker's defaults (upstream `ParseNormalizedNamed`).
 * @example parseNormalizedNamed('ubuntu:22.04') // { domain: 'docker.io', path: 'library/ubuntu', tag: '22.04' }
 * @example parseNormalizedNamed('127.0.0.1:5000/app') // { domain: '127.0.0.1:5000', path: 'app' }
 */
export function parseNormalizedNamed(input: string): ImageReference {
  if (ANCHORED_IDENTIFIER.test(input)) throw new InvalidReferenceError('HexIdentifier', input);
  const { domain, remainder } = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) throw new InvalidReferenceError('NameContainsUppercase', input);
  try {
    return parseReference(`${domain}/${remainder}`);
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw new InvalidReferenceError(err.code, input, err);
    throw err;
  }
}

/** Parses a name that must already be in canonical form, e.g. `docker.io/library/foo` (upstream `ParseNamed`). */
export function parseNamed(input: string): ImageReference {
  const ref = parseNormalizedNamed(input);
  if (referenceString(ref) !== input) throw new InvalidReferenceError('NameNotCanonical', input);
  return ref;
}

/** `domain/path`, or just `path` when there is no domain. */
export function referenceName(ref: ImageReference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** The whole reference: `name[:tag][@digest]`. */
export function referenceString(ref: ImageReference): string {
  return referenceName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** The short form Docker prints: `docker.io/library/redis` → `redis`, `docker.io/a/b` → `a/b`. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return referenceName(ref);
  if (ref.path.startsWith(OFFICIAL_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** {@link familiarName} plus the tag and digest. */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** The host that serves the registry API for `domain`: Docker Hub's names map to `registry-1.docker.io`. */
export function registryApiHost(domain: string): string {
  return domain === DEFAULT_DOMAIN || domain === LEGACY_DEFAULT_DOMAIN ? 'registry-1.docker.io' : domain;
}

/** True for `localhost`, `127.0.0.0/8` and `[::1]`, with or without a port. */
export function isLoopbackHost(hostWithPort: string): boolean {
  let hostname = hostWithPort;
  if (hostname.startsWith('[')) hostname = hostname.slice(1, hostname.indexOf(']'));
  else if (hostname.includes(':')) hostname = hostname.slice(0, hostname.lastIndexOf(':'));
  hostname = hostname.toLowerCase();
  return hostname === 'localhost' || hostname === '::1' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}
