/**
 * Flux's `filterTags`: a regular expression that selects tags, and an optional `extract` template
 * (`$1`, `$name`, `${name}`) that turns each selected tag into the value the policy orders.
 *
 * Patterns are written for Go's RE2 (that is what Flux documents); they are translated to
 * JavaScript by the same code as the expression language's `matches` (`src/expr/regexp.ts`):
 * `(?P<name>…)` named groups, leading flags, `\A`, `\z`, POSIX classes, and a clear error for what
 * RE2 rejects. The match is unanchored, as in Flux; anchor with `^…$`.
 * @module
 */
import { compileGoRegexp } from '../expr/regexp.ts';
import { SlipwayError } from '../util/errors.ts';

/** A tag filter as Flux spells it (`spec.filterTags`). */
export interface TagFilter {
  pattern: string;
  /** Replacement template; empty or absent means "keep the tag as it is". */
  extract?: string;
}

/** A compiled filter. `apply` maps each value the policy will see to the tag it came from. */
export interface CompiledTagFilter {
  pattern: string;
  regex: RegExp;
  extract: string;
  apply(tags: readonly string[]): Map<string, string>;
}

/** Go's rule for `$N`: ASCII digits, no leading zero, and the number must stay small; else -1 (a name). */
function groupIndex(name: string): number {
  let num = 0;
  for (const c of name) {
    if (c < '0' || c > '9' || num >= 1e8) return -1;
    num = num * 10 + Number(c);
  }
  return name.length > 1 && name[0] === '0' ? -1 : num;
}

/**
 * Expands an extract template against a match the way Go's `Regexp.Expand` does: `$1` and `${1}`
 * are numbered groups, `$name` and `${name}` named ones (a name runs over letters, digits and `_`),
 * `$$` is a dollar; a group that did not take part, or does not exist, expands to nothing.
 * @example expandTemplate('$ts', /^rel-(?<ts>\d+)$/.exec('rel-17')!) // '17'
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const m = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (!m) {
      // Malformed ("$", "${", "${x"): the dollar stays as text.
      out += '$';
      continue;
    }
    const name = m[1] ?? m[2] ?? '';
    rest = rest.slice(m[0].length);
    const index = groupIndex(name);
    if (index >= 0) out += match[index] ?? '';
    else out += match.groups?.[name] ?? '';
  }
  return out + rest;
}

/**
 * Compiles a filter. An invalid pattern is an error naming it.
 * @example
 * const f = compileTagFilter({ pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' });
 * f.apply(['main-abc-1700000000', 'latest']) // Map { '1700000000' => 'main-abc-1700000000' }
 */
export function compileTagFilter(filter: TagFilter): CompiledTagFilter {
  let regex: RegExp;
  try {
    // The same RE2 → JavaScript translation the expression language's `matches` uses.
    regex = compileGoRegexp(filter.pattern);
  } catch (err) {
    if (err instanceof SlipwayError) throw err;
    throw new SlipwayError(
      `invalid regular expression pattern: ${err instanceof Error ? err.message : String(err)}`,
      {
        subject: `filter pattern ${JSON.stringify(filter.pattern)}`,
        reason: 'InvalidPolicy',
        cause: err,
      },
    );
  }
  const extract = filter.extract ?? '';
  return {
    pattern: filter.pattern,
    regex,
    extract,
    apply(tags) {
      const out = new Map<string, string>();
      for (const tag of tags) {
        const m = regex.exec(tag);
        if (!m) continue;
        // As in Flux, a later tag that extracts to the same value replaces an earlier one.
        out.set(extract === '' ? tag : expandTemplate(extract, m), tag);
      }
      return out;
    },
  };
}
