/**
 * Tag policies: given a repository's tags, which one to run. Pure functions with the semantics of
 * Flux's image-reflector-controller (`internal/policy`), plus the two policies Argo CD Image Updater
 * adds:
 *
 * | policy | chooses |
 * |---|---|
 * | `semver:<range>` | the highest version in the range (pre-releases only if the range names one) |
 * | `alphabetical[:asc\|desc]` | the last tag in that order (asc: `zesty` over `bionic`) |
 * | `numerical[:asc\|desc]` | the last tag read as a number in that order |
 * | `newest-build` | the tag whose image config has the latest `created` time |
 * | `digest:<tag>` | that (mutable) tag, pinned to its current digest |
 *
 * A tag filter (`pattern`, `extract`) runs first; the policy orders the extracted values and the
 * chosen value maps back to its original tag, as in Flux. Unlike Flux (whose candidate order comes
 * from a Go map), candidates are sorted before a policy sees them, so ties resolve the same way on
 * every run.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import type { CompiledTagFilter } from './filter.ts';
import {
  compareVersions,
  parseRange,
  parseTagVersion,
  type SemVersion,
  type SemverRange,
  satisfies,
} from './semver.ts';

/** A policy, parsed. */
export type TagPolicy =
  | { kind: 'semver'; range: SemverRange }
  | { kind: 'alphabetical'; order: SortOrder }
  | { kind: 'numerical'; order: SortOrder }
  | { kind: 'newest-build' }
  | { kind: 'digest'; tag: string };

export type SortOrder = 'asc' | 'desc';

/** Why no tag could be chosen: the policy is malformed, or nothing (yet) matches it. */
export type PolicyErrorReason = 'InvalidPolicy' | 'NoMatchingTag';

export class PolicyError extends SlipwayError {
  override readonly reason: PolicyErrorReason;

  constructor(message: string, reason: PolicyErrorReason, subject: string, cause?: unknown) {
    // A tag that matches may be pushed later; a malformed policy stays malformed.
    super(message, { subject, reason, transient: reason === 'NoMatchingTag', cause });
    this.name = 'PolicyError';
    this.reason = reason;
  }
}

/** The chosen image: a tag, and for the digest policy the digest it is pinned to. */
export interface ImageChoice {
  tag: string;
  digest?: string;
}

/** `tag` or `tag@digest`. */
export function formatChoice(choice: ImageChoice): string {
  return choice.digest ? `${choice.tag}@${choice.digest}` : choice.tag;
}

function parseOrder(value: string | undefined, spec: string): SortOrder {
  const order = (value ?? 'asc').toLowerCase();
  if (order === 'asc' || order === 'desc') return order;
  throw new PolicyError(
    `invalid order ${JSON.stringify(value)}: must be asc or desc`,
    'InvalidPolicy',
    `policy ${JSON.stringify(spec)}`,
  );
}

/**
 * Parses a policy as the CLI writes it.
 * @example parsePolicy('semver:>=1.0.0 <2.0.0') // { kind: 'semver', range }
 * @example parsePolicy('alphabetical:desc') // { kind: 'alphabetical', order: 'desc' }
 * @example parsePolicy('digest:latest') // { kind: 'digest', tag: 'latest' }
 */
export function parsePolicy(spec: string): TagPolicy {
  const colon = spec.indexOf(':');
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).trim().toLowerCase();
  const arg = colon < 0 ? undefined : spec.slice(colon + 1);
  const subject = `policy ${JSON.stringify(spec)}`;
  switch (kind) {
    case 'semver': {
      if (arg === undefined || arg.trim() === '') {
        throw new PolicyError('semver needs a range, e.g. semver:>=1.0.0 <2.0.0', 'InvalidPolicy', subject);
      }
      try {
        return { kind: 'semver', range: parseRange(arg) };
      } catch (err) {
        throw new PolicyError(
          `invalid semver range: ${err instanceof Error ? err.message : String(err)}`,
          'InvalidPolicy',
          subject,
          err,
        );
      }
    }
    case 'alphabetical':
      return { kind: 'alphabetical', order: parseOrder(arg, spec) };
    case 'numerical':
      return { kind: 'numerical', order: parseOrder(arg, spec) };
    case 'newest-build':
      if (arg !== undefined)
        throw new PolicyError('newest-build takes no argument', 'InvalidPolicy', subject);
      return { kind: 'newest-build' };
    case 'digest': {
      const tag = arg?.trim() ?? '';
      if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
        throw new PolicyError('digest needs the tag to follow, e.g. digest:latest', 'InvalidPolicy', subject);
      }
      return { kind: 'digest', tag };
    }
    default:
      throw new PolicyError(
        'unknown policy; use semver:<range>, alphabetical[:asc|desc], numerical[:asc|desc], newest-build or digest:<tag>',
        'InvalidPolicy',
        subject,
      );
  }
}

/** Byte order, as Go's `sort.Strings` (the same as UTF-16 order for the ASCII of tags). */
function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The values the policy orders, each mapped to the tag it came from: every tag as itself without a
 * filter; with one, the matching tags, extracted.
 */
export function policyCandidates(tags: readonly string[], filter?: CompiledTagFilter): Map<string, string> {
  // Sorted first, so that "a later tag wins" (Flux, for equal extracted values) is the same every run.
  const sorted = [...tags].sort(byteCompare);
  if (filter) return filter.apply(sorted);
  return new Map(sorted.map((t) => [t, t]));
}

/**
 * Flux's SemVer policy: the highest value that parses as a version (`v` allowed) and satisfies
 * the range; among equal versions, the first in order.
 * @example latestSemver(['1.0.0', '1.0.1', '1.2.0', 'latest'], parseRange('1.0.x')) // '1.0.1'
 */
export function latestSemver(values: readonly string[], range: SemverRange): string | undefined {
  let latest: SemVersion | undefined;
  for (const value of values) {
    const v = parseTagVersion(value);
    if (!v) continue;
    if (satisfies(range, v) && (latest === undefined || compareVersions(v, latest) > 0)) latest = v;
  }
  return latest?.original;
}

/**
 * Flux's Alphabetical policy: sort; `asc` takes the last, `desc` the first.
 * @example latestAlphabetical(['xenial', 'zesty', 'bionic'], 'asc') // 'zesty'
 */
export function latestAlphabetical(values: readonly string[], order: SortOrder): string | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort(byteCompare);
  return order === 'asc' ? sorted.at(-1) : sorted[0];
}

/** Go's `strconv.ParseFloat(s, 64)` for decimal and special forms; undefined where Go returns an error. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(?:inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return Number.NaN;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  // Go reports a value beyond float64 as a range error.
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Flux's Numerical policy: every value must be a number; `asc` takes the largest, `desc` the
 * smallest (on a tie, the later one).
 * @throws PolicyError when a value is not a number (filter the tags so that only numbers remain).
 * @example latestNumerical(['1606234201', '1606364286', '1606334092'], 'asc') // '1606364286'
 */
export function latestNumerical(values: readonly string[], order: SortOrder): string | undefined {
  let latest: string | undefined;
  let previous = 0;
  for (const [i, value] of values.entries()) {
    const current = parseGoFloat(value);
    if (current === undefined) {
      throw new PolicyError(
        `failed to parse invalid numeric value ${JSON.stringify(value)}; filter the tags down to numbers`,
        'InvalidPolicy',
        'policy numerical',
      );
    }
    if (i > 0 && ((order === 'asc' && current < previous) || (order === 'desc' && current > previous)))
      continue;
    latest = value;
    previous = current;
  }
  return latest;
}

/**
 * The newest build: the latest `created` time; on a tie the greater tag (Argo CD Image Updater's
 * order). Tags without a known time are passed over.
 * @example latestBuild(new Map([['a', new Date(1)], ['b', new Date(2)]])) // 'b'
 */
export function latestBuild(times: ReadonlyMap<string, Date | undefined>): string | undefined {
  let best: { value: string; time: number } | undefined;
  for (const [value, date] of times) {
    const time = date?.getTime();
    if (time === undefined || Number.isNaN(time)) continue;
    if (!best || time > best.time || (time === best.time && byteCompare(value, best.value) > 0))
      best = { value, time };
  }
  return best?.value;
}

function describe(policy: TagPolicy): string {
  switch (policy.kind) {
    case 'semver':
      return `semver:${policy.range.source}`;
    case 'alphabetical':
    case 'numerical':
      return `${policy.kind}:${policy.order}`;
    case 'newest-build':
      return 'newest-build';
    case 'digest':
      return `digest:${policy.tag}`;
  }
}

/**
 * Chooses a tag: applies the policy to the candidates' values and maps the winner back to its
 * original tag. `buildTimes` (value → created) is needed only by `newest-build`.
 * @throws PolicyError `NoMatchingTag` when nothing qualifies.
 * @example
 * selectTag(parsePolicy('semver:^1.2'), policyCandidates(['1.2.0', '1.3.1', '2.0.0', 'latest'])) // '1.3.1'
 */
export function selectTag(
  policy: TagPolicy,
  candidates: ReadonlyMap<string, string>,
  buildTimes?: ReadonlyMap<string, Date | undefined>,
): string {
  const values = [...candidates.keys()];
  let value: string | undefined;
  switch (policy.kind) {
    case 'semver':
      value = latestSemver(values, policy.range);
      break;
    case 'alphabetical':
      value = latestAlphabetical(values, policy.order);
      break;
    case 'numerical':
      value = latestNumerical(values, policy.order);
      break;
    case 'newest-build':
      value = latestBuild(new Map(values.map((v) => [v, buildTimes?.get(v)])));
      break;
    case 'digest':
      value = candidates.has(policy.tag) ? policy.tag : undefined;
      if (value === undefined) {
        throw new PolicyError(
          `tag ${JSON.stringify(policy.tag)} not found among the repository's tags`,
          'NoMatchingTag',
          `policy ${describe(policy)}`,
        );
      }
      break;
  }
  const tag = value === undefined ? undefined : candidates.get(value);
  if (tag === undefined) {
    const what =
      values.length === 0 ? 'no tags to choose from' : `none of ${values.length} candidate tags qualifies`;
    throw new PolicyError(what, 'NoMatchingTag', `policy ${describe(policy)}`);
  }
  return tag;
}

export { describe as describePolicy };
