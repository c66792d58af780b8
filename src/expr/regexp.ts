/**
 * Go (RE2) regular expressions for the `matches` operator, translated to JavaScript `RegExp`.
 *
 * The two dialects agree on most syntax; where they differ this module translates (`(?P<n>`,
 * `\z`, `\A`, `\Q..\E`, `[[:alpha:]]`, `\pL`, Go's ASCII-only `\s`) and rejects what RE2 rejects
 * (backreferences, lookaround) or what cannot be translated faithfully (flag groups other than a
 * leading `(?flags)`), with a message naming the construct.
 *
 * @module
 */

/** A pattern that failed to translate or compile; the message follows Go's `error parsing regexp: ...`. */
export class RegexpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexpError';
  }
}

const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** V8's messages for the common mistakes, in RE2's words. */
const goReasons: Record<string, string> = {
  'Unterminated group': 'missing closing )',
  "Unmatched ')'": 'unexpected )',
  'Nothing to repeat': 'missing argument to repetition operator',
  'Invalid group': 'invalid or unsupported Perl syntax',
  'Lone quantifier brackets': 'invalid repeat count',
  'numbers out of order in {} quantifier': 'invalid repeat count',
  'Range out of order in character class': 'invalid character class range',
};

/** Characters JS's `u` mode lets us escape with a backslash. */
const jsSyntax = new Set('^$\\.*+?()[]{}|/-'.split(''));
const goSpace = '\\t\\n\\f\\r ';

/** RE2's message shape: `error parsing regexp: <what>: \`<piece>\``; the piece defaults to the pattern. */
function bad(pattern: string, what: string): never {
  // Messages that already quote the offending piece (`invalid escape sequence: \`\1\``) stand as they are.
  throw new RegexpError(`error parsing regexp: ${what.endsWith('`') ? what : `${what}: \`${pattern}\``}`);
}

/** Translates a Go regexp into a JS `RegExp` with the same matching behaviour. Throws {@link RegexpError}. */
export function compileGoRegexp(pattern: string): RegExp {
  let flags = 'u';
  let i = 0;
  // A leading (?flags) applies to the whole pattern, which JS expresses with RegExp flags.
  const leading = /^\(\?([imsU]+)\)/.exec(pattern);
  if (leading) {
    for (const f of leading[1]!) {
      if (f === 'U') bad(pattern, 'the ungreedy flag (?U) is not supported');
      if (!flags.includes(f)) flags += f;
    }
    i = leading[0].length;
  }
  let out = '';
  let inClass = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const [text, next] = translateEscape(pattern, i, inClass);
      out += text;
      i = next;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        if (end < 0) bad(pattern, 'missing closing ]');
        const name = pattern.slice(i + 2, end);
        if (name.startsWith('^')) bad(pattern, `negated POSIX class [:${name}:] is not supported`);
        const cls = posixClasses[name];
        if (cls === undefined) bad(pattern, `invalid character class range: \`[:${name}:]\``);
        out += cls;
        i = end + 2;
        continue;
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (pattern[i] === '^') {
        out += '^';
        i++;
      }
      // A `]` right after `[` or `[^` is a literal in Go.
      if (pattern[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (rest.startsWith('<') && !rest.startsWith('<=') && !rest.startsWith('<!')) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 3;
        continue;
      }
      if (/^[=!]|^<[=!]/.test(rest))
        bad(pattern, `invalid or unsupported Perl syntax: \`(?${rest.slice(0, rest[0] === '<' ? 2 : 1)}\``);
      bad(
        pattern,
        `flag groups other than a leading (?flags) are not supported: \`(?${rest.split(')')[0]})\``,
      );
    }
    if (c === '{') {
      // Go treats a brace that does not start a valid repetition as a literal; JS `u` mode refuses it.
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (rep) {
        if (Number(rep[1]) > 1000 || (rep[3] !== undefined && rep[3] !== '' && Number(rep[3]) > 1000)) {
          bad(pattern, `invalid repeat count: \`${rep[0]}\``);
        }
        out += rep[0];
        i += rep[0].length;
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}') {
      out += '\\}';
      i++;
      continue;
    }
    if (c === '.' && !flags.includes('s')) {
      // Go's `.` excludes only \n; JS's also excludes \r, U+2028 and U+2029.
      out += '[^\\n]';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  if (inClass) bad(pattern, 'missing closing ]');
  try {
    return new RegExp(out, flags);
  } catch (err) {
    const raw =
      err instanceof Error
        ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')
        : String(err);
    return bad(pattern, goReasons[raw] ?? raw.toLowerCase());
  }
}

/** Translates the escape at `pattern[i]` (a backslash); returns the JS text and the next index. */
function translateEscape(pattern: string, i: number, inClass: boolean): [string, number] {
  const c = pattern[i + 1];
  if (c === undefined) bad(pattern, 'trailing backslash at end of expression');
  switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'b':
    case 'B':
    case 'n':
    case 't':
    case 'r':
    case 'f':
    case 'v':
      if (inClass && (c === 'b' || c === 'B')) bad(pattern, `invalid escape sequence: \`\\${c}\``);
      return [`\\${c}`, i + 2];
    case 'a':
      return ['\\x07', i + 2];
    case 's':
      return [inClass ? goSpace : `[${goSpace}]`, i + 2];
    case 'S':
      if (inClass) bad(pattern, '\\S inside a character class is not supported');
      return [`[^${goSpace}]`, i + 2];
    case 'A':
      return ['(?<![\\s\\S])', i + 2];
    case 'z':
      return ['(?![\\s\\S])', i + 2];
    case 'Q': {
      const end = pattern.indexOf('\\E', i + 2);
      const literal = pattern.slice(i + 2, end < 0 ? undefined : end);
      const text = Array.from(literal, (ch) => (jsSyntax.has(ch) ? `\\${ch}` : ch)).join('');
      return [text, end < 0 ? pattern.length : end + 2];
    }
    case 'x': {
      const braced = /^\{([0-9A-Fa-f]{1,8})\}/.exec(pattern.slice(i + 2));
      if (braced) return [`\\u{${braced[1]}}`, i + 2 + braced[0].length];
      const two = /^[0-9A-Fa-f]{2}/.exec(pattern.slice(i + 2));
      if (!two) bad(pattern, `invalid escape sequence: \`\\x${pattern.slice(i + 2, i + 4)}\``);
      return [`\\x${two[0]}`, i + 4];
    }
    case 'p':
    case 'P': {
      const braced = /^\{(\^?)(\w+)\}/.exec(pattern.slice(i + 2));
      const name = braced ? braced[2]! : pattern[i + 2];
      if (name === undefined || !/^\w+$/.test(name))
        bad(pattern, `invalid character class range: \`\\${c}\``);
      const negate = (c === 'P') !== Boolean(braced?.[1]);
      // One- and two-letter names are general categories; longer ones are scripts (Greek, Han, ...).
      const property = name.length <= 2 ? name : `Script=${name}`;
      return [`\\${negate ? 'P' : 'p'}{${property}}`, i + 2 + (braced ? braced[0].length : 1)];
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
      // Go accepts octal escapes starting \0 but no backreferences.
      if (c !== '0') bad(pattern, `invalid escape sequence: \`\\${c}\``);
      const oct = /^[0-7]{1,3}/.exec(pattern.slice(i + 1))![0];
      return [`\\u{${Number.parseInt(oct, 8).toString(16)}}`, i + 1 + oct.length];
    }
  }
  if (/[\p{L}\p{N}]/u.test(c)) bad(pattern, `invalid escape sequence: \`\\${c}\``);
  // Go lets any punctuation be escaped; JS `u` mode only its syntax characters.
  if (jsSyntax.has(c) && (c !== '-' || inClass)) return [`\\${c}`, i + 2];
  return [`\\u{${c.codePointAt(0)!.toString(16)}}`, i + 1 + c.length];
}
