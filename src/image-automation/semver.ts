/**
 * Semantic versions and range constraints with the semantics of `Masterminds/semver` v3, the
 * library Flux's image policies use:
 *
 * - {@link parseStrictVersion} is `StrictNewVersion` (exactly `X.Y.Z[-pre][+meta]`);
 *   {@link parseVersion} is `NewVersion` (loose: `v` prefix, `1`, `1.2`, leading zeros);
 *   {@link parseTagVersion} is Flux's `version.ParseVersion` (strict, but a leading `v` is allowed).
 * - {@link parseRange} accepts `>=1.0.0 <2.0.0`, `>=1.1, <2`, `~1.2`, `^1.2.3`, `1.x`, `2.*`,
 *   `1.0.0 - 2.0.0`, `!=1.2.3`, and `||` between alternatives.
 * - **Pre-releases:** an AND group of a range matches a pre-release version only when one of its own
 *   constraints names a pre-release (`^1.x-0`, `>=1.2.0-rc.1`), or when `includePrerelease` is set.
 *
 * Numbers are `bigint`, as upstream's are `uint64`.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';

/** A parsed version. `original` is the text it was parsed from (a tag keeps its `v`). */
export interface SemVersion {
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Pre-release identifiers without the `-`, or `''`. */
  prerelease: string;
  /** Build metadata without the `+`, or `''`. Ignored by comparison. */
  metadata: string;
  original: string;
}

/** A version or range that does not parse. */
export class SemverError extends SlipwayError {
  constructor(message: string, input: string, options: { cause?: unknown } = {}) {
    super(message, { subject: JSON.stringify(input), reason: 'InvalidSemver', cause: options.cause });
    this.name = 'SemverError';
  }
}

const UINT64_MAX = (1n << 64n) - 1n;
const NUM = /^[0-9]+$/;
const ALLOWED = /^[0-9A-Za-z-]+$/;

function parseUint(s: string): bigint | undefined {
  if (!NUM.test(s)) return undefined;
  const n = BigInt(s);
  return n <= UINT64_MAX ? n : undefined;
}

function validatePrerelease(pre: string, input: string): void {
  for (const part of pre.split('.')) {
    if (part === '') throw new SemverError('invalid prerelease string', input);
    if (NUM.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new SemverError('version segment starts with 0', input);
    } else if (!ALLOWED.test(part)) {
      throw new SemverError('invalid prerelease string', input);
    }
  }
}

function validateMetadata(meta: string, input: string): void {
  for (const part of meta.split('.')) {
    if (part === '' || !ALLOWED.test(part)) throw new SemverError('invalid metadata string', input);
  }
}

/**
 * Parses exactly `MAJOR.MINOR.PATCH[-PRERELEASE][+METADATA]` (no `v`, no leading zeros).
 * @example parseStrictVersion('1.2.3-rc.1+build.5') // major 1n, minor 2n, patch 3n, prerelease 'rc.1'
 */
export function parseStrictVersion(input: string): SemVersion {
  if (input === '') throw new SemverError('version string empty', input);
  const parts = input.split('.');
  if (parts.length < 3) throw new SemverError('invalid semantic version', input);
  // Like Go's SplitN(v, ".", 3): the third part keeps any further dots (pre-release, metadata).
  const rest = parts.slice(2).join('.');
  let patchPart = rest;
  let metadata = '';
  let prerelease = '';
  const plus = patchPart.indexOf('+');
  if (plus >= 0) {
    metadata = patchPart.slice(plus + 1);
    patchPart = patchPart.slice(0, plus);
    validateMetadata(metadata, input);
  }
  const dash = patchPart.indexOf('-');
  if (dash >= 0) {
    prerelease = patchPart.slice(dash + 1);
    patchPart = patchPart.slice(0, dash);
    validatePrerelease(prerelease, input);
  }
  const numbers = [parts[0] ?? '', parts[1] ?? '', patchPart];
  for (const p of numbers) {
    if (!NUM.test(p)) throw new SemverError('invalid characters in version', input);
    if (p.length > 1 && p[0] === '0') throw new SemverError('version segment starts with 0', input);
  }
  const [major, minor, patch] = numbers.map((p) => parseUint(p));
  if (major === undefined || minor === undefined || patch === undefined) {
    throw new SemverError('version segment out of range', input);
  }
  return { major, minor, patch, prerelease, metadata, original: input };
}

const LOOSE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/**
 * Parses a version loosely, as upstream's `NewVersion` does by default: a `v` prefix, missing minor
 * or patch (`1.2` is `1.2.0`) and leading zeros in numbers are accepted.
 */
export function parseVersion(input: string): SemVersion {
  const m = LOOSE.exec(input);
  if (!m) throw new SemverError('invalid semantic version', input);
  const major = parseUint(m[1] ?? '');
  const minor = m[2] ? parseUint(m[2].slice(1)) : 0n;
  const patch = m[3] ? parseUint(m[3].slice(1)) : 0n;
  if (major === undefined || minor === undefined || patch === undefined) {
    throw new SemverError('error parsing version segment: value out of range', input);
  }
  const prerelease = m[5] ?? '';
  const metadata = m[8] ?? '';
  if (prerelease) validatePrerelease(prerelease, input);
  if (metadata) validateMetadata(metadata, input);
  return { major, minor, patch, prerelease, metadata, original: input };
}

/**
 * A tag read as a version the way Flux does: strict semver, with an optional leading `v`.
 * Returns undefined for a tag that is not a version (`latest`, `1.0`, `main-abc123`).
 * @example parseTagVersion('v1.2.3')?.original // 'v1.2.3'
 * @example parseTagVersion('1.0') // undefined
 */
export function parseTagVersion(tag: string): SemVersion | undefined {
  try {
    const v = parseStrictVersion(tag.startsWith('v') ? tag.slice(1) : tag);
    return { ...v, original: tag };
  } catch (err) {
    if (err instanceof SemverError) return undefined;
    throw err;
  }
}

/** The version as `X.Y.Z[-pre][+meta]` (no `v`). */
export function formatVersion(v: SemVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ''}${v.metadata ? `+${v.metadata}` : ''}`;
}

function cmp(a: bigint, b: bigint): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrePart(s: string, o: string): -1 | 0 | 1 {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const si = parseUint(s);
  const oi = parseUint(o);
  if (si === undefined && oi === undefined) return s > o ? 1 : -1;
  if (oi === undefined) return -1; // a number sorts before an identifier
  if (si === undefined) return 1;
  return si > oi ? 1 : -1;
}

function comparePrerelease(a: string, b: string): -1 | 0 | 1 {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = comparePrePart(as[i] ?? '', bs[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Orders two versions by precedence (semver §11): numbers, then a pre-release sorts before its
 * release, identifiers compared numerically or lexically. Metadata is ignored.
 * @example compareVersions(parseVersion('1.2.3-rc.10'), parseVersion('1.2.3-rc.9')) // 1
 */
export function compareVersions(a: SemVersion, b: SemVersion): -1 | 0 | 1 {
  const d = cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch);
  if (d !== 0) return d;
  if (a.prerelease === '' && b.prerelease === '') return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

// ---------------------------------------------------------------------------------------------
// Constraints

type Operator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

// Longest first, so that `>=` is not read as `>` followed by `=…`.
const OPERATORS: readonly Operator[] = ['!=', '>=', '=>', '<=', '=<', '~>', '=', '>', '<', '~', '^'];

/** One comparison, e.g. `>=1.2` (`version` 1.2.0, `patchDirty`). */
export interface Constraint {
  operator: Operator;
  /** The version text as written after the operator (`1.x`, `v2`, `1.2.3-rc.1`). */
  original: string;
  /** The version compared against, wildcards set to 0. */
  version: SemVersion;
  /** The major, minor or patch was a wildcard or missing. */
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

/** A parsed range: alternatives (`||`) of AND groups. */
export interface SemverRange {
  source: string;
  groups: Constraint[][];
  /** Per group: one of its constraints names a pre-release, so the group admits pre-releases. */
  groupAdmitsPrerelease: boolean[];
}

// Upstream's cvRegex, anchored: note that `|` is (literally) part of the number class there too.
const CONSTRAINT_VERSION =
  /^v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?/;
const CV = String.raw`v?[0-9|xX*]+(?:\.[0-9|xX*]+)?(?:\.[0-9|xX*]+)?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?`;
const HYPHEN_RANGE = new RegExp(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`, 'g');

/** Ranges longer than this are refused: no real range is, and it bounds the parser's work. */
const MAX_RANGE_LENGTH = 1024;

function isX(s: string): boolean {
  return s === 'x' || s === 'X' || s === '*';
}

/** `1 - 2` → `>= 1, <= 2 ` (upstream rewriteRange); exported for its vectors. */
export function rewriteHyphenRanges(range: string): string {
  return range.replace(HYPHEN_RANGE, (_m, from: string, to: string) => `>= ${from}, <= ${to} `);
}

function buildConstraint(operator: Operator, m: RegExpExecArray, input: string): Constraint {
  const text = m[0];
  const major = m[1] ?? '';
  const minor = m[2] ?? '';
  const patch = m[3] ?? '';
  const pre = m[4] ?? '';
  let ver = text;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === '') {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(minor.slice(1)) || minor === '') {
    ver = `${major}.0.0${pre}`;
    dirty = true;
    minorDirty = true;
  } else if (isX(patch.slice(1)) || patch === '') {
    ver = `${major}${minor}.0${pre}`;
    dirty = true;
    patchDirty = true;
  }
  let version: SemVersion;
  try {
    version = parseVersion(ver);
  } catch (err) {
    throw new SemverError(`improper constraint: ${operator}${text}`, input, { cause: err });
  }
  return { operator, original: text, version, dirty, minorDirty, patchDirty };
}

/** Reads one AND group (`>=1.1, <2 !=1.2.3`) as upstream's validConstraintRegex + findConstraintRegex do. */
function parseGroup(segment: string, input: string): Constraint[] {
  const out: Constraint[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < segment.length && /\s/.test(segment[i] ?? '')) i++;
  };
  for (;;) {
    skipSpace();
    const operator = OPERATORS.find((op) => segment.startsWith(op, i)) ?? '';
    i += operator.length;
    skipSpace();
    const m = CONSTRAINT_VERSION.exec(segment.slice(i));
    if (!m) throw new SemverError(`improper constraint: ${segment.trim() || segment}`, input);
    out.push(buildConstraint(operator, m, input));
    i += m[0].length;
    const before = i;
    skipSpace();
    if (i >= segment.length) return out;
    if (segment[i] === ',') {
      i++;
      continue;
    }
    // Constraints are separated by a comma or by whitespace; anything else glued on is an error.
    if (i === before) throw new SemverError(`improper constraint: ${segment.trim()}`, input);
  }
}

/**
 * Parses a range.
 * @example parseRange('>=1.0.0 <2.0.0 || ^3.1')
 * @throws SemverError naming the range when it does not parse (e.g. `''`, `1x`, `*-*`).
 */
export function parseRange(range: string): SemverRange {
  if (range.length > MAX_RANGE_LENGTH)
    throw new SemverError(`range longer than ${MAX_RANGE_LENGTH} characters`, range);
  const rewritten = rewriteHyphenRanges(range);
  const groups = rewritten.split('||').map((segment) => parseGroup(segment, range));
  return {
    source: range,
    groups,
    groupAdmitsPrerelease: groups.map((g) => g.some((c) => c.version.prerelease !== '')),
  };
}

function tilde(v: SemVersion, c: Constraint): boolean {
  if (compareVersions(v, c.version) < 0) return false;
  // ~0.0.0 (and ~*) is "any version".
  if (
    c.version.major === 0n &&
    c.version.minor === 0n &&
    c.version.patch === 0n &&
    !c.minorDirty &&
    !c.patchDirty
  ) {
    return true;
  }
  if (v.major !== c.version.major) return false;
  if (v.minor !== c.version.minor && !c.minorDirty) return false;
  return true;
}

function caret(v: SemVersion, c: Constraint): boolean {
  if (compareVersions(v, c.version) < 0) return false;
  // ^X.y.z with X > 0 (or ^X.x): same major.
  if (c.version.major > 0n || c.minorDirty) return v.major === c.version.major;
  if (v.major > 0n) return false;
  // ^0.Y.z with Y > 0 (or ^0.Y.x): same minor.
  if (c.version.minor > 0n || c.patchDirty) return v.minor === c.version.minor;
  if (v.minor > 0n) return false;
  // ^0.0.Z: exactly that patch.
  return v.patch === c.version.patch;
}

/** Whether `v` meets one constraint; pre-release versions only when `includePre`. */
export function checkConstraint(v: SemVersion, c: Constraint, includePre: boolean): boolean {
  if (v.prerelease !== '' && !includePre) return false;
  const con = c.version;
  switch (c.operator) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : compareVersions(v, con) === 0;
    case '!=': {
      if (c.dirty) {
        if (con.major !== v.major) return true;
        if (con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.prerelease !== '' || con.prerelease !== '')
            return comparePrerelease(v.prerelease, con.prerelease) !== 0;
          return false;
        }
      }
      return compareVersions(v, con) !== 0;
    }
    case '>':
      if (!c.dirty) return compareVersions(v, con) === 1;
      if (v.major > con.major) return true;
      if (v.major < con.major) return false;
      // `>11` needs 12 or higher; `>11.1` needs 11.2 or higher.
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return compareVersions(v, con) === 1;
    case '<':
      return compareVersions(v, con) < 0;
    case '>=':
    case '=>':
      return compareVersions(v, con) >= 0;
    case '<=':
    case '=<':
      if (!c.dirty) return compareVersions(v, con) <= 0;
      if (v.major > con.major) return false;
      if (v.major === con.major && v.minor > con.minor && !c.minorDirty) return false;
      return true;
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c);
  }
}

/**
 * True when `v` satisfies `range`: some `||` alternative has every constraint met.
 * @example satisfies(parseRange('^1.2'), parseVersion('1.9.0')) // true
 * @example satisfies(parseRange('>=1.0.0'), parseVersion('1.2.0-rc.1')) // false: the range names no pre-release
 */
export function satisfies(range: SemverRange, v: SemVersion, includePrerelease = false): boolean {
  return range.groups.some((group, i) => {
    const includePre = includePrerelease || (range.groupAdmitsPrerelease[i] ?? false);
    return group.every((c) => checkConstraint(v, c, includePre));
  });
}
