/**
 * The lexer of expr-lang, following upstream's state machine (`parser/lexer/state.go`) token for
 * token, so that the parser sees the same token stream and reports the same positions.
 *
 * @module
 */
import type { Loc } from './ast.ts';

/** Token kinds, named as upstream prints them in `unexpected token Kind("value")`. */
export type TokenKind = 'Identifier' | 'Number' | 'String' | 'Operator' | 'Bracket' | 'EOF';

/** One token; `value` of a string token is already unescaped. */
export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly loc: Loc;
}

/** A lexing failure at a code-point span; the parser turns it into an `ExprError`. */
export class LexError extends Error {
  constructor(
    message: string,
    readonly loc: Loc,
  ) {
    super(message);
    this.name = 'LexError';
  }
}

/** Words that lex as operators rather than identifiers. */
const operatorWords = new Set([
  'in',
  'or',
  'and',
  'matches',
  'contains',
  'startsWith',
  'endsWith',
  'let',
  'if',
  'else',
]);
/** Operators that `not` may prefix (`not in`, `not matches`, ...). */
const negatable = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);

const spaceRe = /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$/;
const letterRe = /^\p{L}$/u;
const digitRe = /^\p{Nd}$/u;

/** Go's `unicode.IsSpace`. */
export function isSpace(r: string): boolean {
  return spaceRe.test(r);
}

/** Go's `utils.IsAlphabetic`: `_`, `$` or a Unicode letter. */
export function isAlphabetic(r: string): boolean {
  return r === '_' || r === '$' || letterRe.test(r);
}

/** Go's `utils.IsAlphaNumeric`. */
export function isAlphaNumeric(r: string): boolean {
  return isAlphabetic(r) || digitRe.test(r);
}

/** Whether `s` can be printed as a bare identifier (`a.b`, `{b: 1}`), as upstream's `IsValidIdentifier`. */
export function isValidIdentifier(s: string): boolean {
  const runes = Array.from(s);
  if (runes.length === 0 || !isAlphabetic(runes[0]!)) return false;
  return runes.every(isAlphaNumeric);
}

const EOF = '';

/** Splits `source` into tokens, ending with an `EOF` token. Throws {@link LexError}. */
export function lex(source: string): Token[] {
  return new Lexer(source).run();
}

class Lexer {
  private readonly runes: string[];
  private start = 0;
  private end = 0;
  private readonly tokens: Token[] = [];

  constructor(source: string) {
    this.runes = Array.from(source);
  }

  run(): Token[] {
    for (;;) {
      const r = this.next();
      if (r === EOF) {
        const len = this.runes.length;
        this.tokens.push({ kind: 'EOF', value: '', loc: { from: Math.max(len - 1, 0), to: len } });
        return this.tokens;
      }
      this.root(r);
    }
  }

  private next(): string {
    const r = this.runes[this.end];
    if (r === undefined) {
      this.end = this.runes.length + 1; // past the end, so that backup() returns to the length
      return EOF;
    }
    this.end++;
    return r;
  }

  private peek(): string {
    return this.runes[this.end] ?? EOF;
  }

  private backup(): void {
    if (this.end > 0) this.end--;
  }

  private accept(valid: string): boolean {
    const r = this.peek();
    if (r !== EOF && valid.includes(r)) {
      this.end++;
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid)) {
      // consume
    }
  }

  private word(): string {
    return this.runes.slice(this.start, Math.min(this.end, this.runes.length)).join('');
  }

  private emit(kind: TokenKind, value: string = this.word()): void {
    this.tokens.push({ kind, value, loc: { from: this.start, to: this.end } });
    this.start = this.end;
  }

  private fail(message: string): never {
    // Upstream points at the last rune read (one past the end at EOF).
    const end = Math.min(this.end, this.runes.length + 1);
    throw new LexError(message, { from: end - 1, to: end });
  }

  private root(r: string): void {
    if (isSpace(r)) {
      this.start = this.end;
    } else if (r === "'" || r === '"') {
      this.emit('String', this.scanString(r));
    } else if (r === '`') {
      this.emit('String', this.scanRawString());
    } else if ((r === 'b' || r === 'B') && (this.peek() === "'" || this.peek() === '"')) {
      this.fail('bytes literals (b"...") are not supported');
    } else if (r >= '0' && r <= '9') {
      this.backup();
      this.number();
    } else if (r === '?') {
      this.accept('.?');
      this.emit('Operator');
    } else if (r === '/') {
      this.slash();
    } else if (r === '#') {
      this.pointer();
    } else if (r === '|') {
      this.accept('|');
      this.emit('Operator');
    } else if (r === ':') {
      this.accept(':');
      this.emit('Operator');
    } else if ('([{)]}'.includes(r)) {
      this.emit('Bracket');
    } else if (',;%+-^'.includes(r)) {
      this.emit('Operator');
    } else if ('&!=*<>'.includes(r)) {
      this.accept('&=*');
      this.emit('Operator');
    } else if (r === '.') {
      if (/^[0-9]$/.test(this.peek())) {
        this.number();
      } else {
        this.accept('.');
        this.emit('Operator');
      }
    } else if (isAlphaNumeric(r)) {
      this.backup();
      this.identifier();
    } else {
      this.fail(`unrecognized character: ${goRune(r)}`);
    }
  }

  private number(): void {
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    const end = this.end;
    if (this.accept('.')) {
      // `1..2` is a range: leave both dots to the operator.
      if (this.peek() === '.') {
        this.end = end;
        this.emit('Number');
        return;
      }
      this.acceptRun(digits);
    }
    if (this.accept('eE')) {
      this.accept('+-');
      this.acceptRun(digits);
    }
    const following = this.peek();
    if (following !== EOF && isAlphaNumeric(following)) {
      this.next();
      this.fail(`bad number syntax: ${goQuote(this.word())}`);
    }
    this.emit('Number');
  }

  private identifier(): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !isAlphaNumeric(r)) break;
    }
    this.backup();
    const word = this.word();
    if (word === 'not') {
      this.not();
    } else {
      this.emit(operatorWords.has(word) ? 'Operator' : 'Identifier');
    }
  }

  /** `not` followed by a negatable operator lexes as two operator tokens (`not`, `in`). */
  private not(): void {
    this.emit('Operator');
    while (this.accept(' ')) {
      // skip spaces only, as upstream
    }
    this.start = this.end;
    const end = this.end;
    for (;;) {
      const r = this.next();
      if (r === EOF || !isAlphaNumeric(r)) break;
    }
    this.backup();
    if (negatable.has(this.word())) this.emit('Operator');
    else this.end = end;
  }

  private slash(): void {
    if (this.accept('/')) {
      for (;;) {
        const r = this.next();
        if (r === EOF || r === '\n') break;
      }
      this.start = Math.min(this.end, this.runes.length);
      this.end = this.start;
      return;
    }
    if (this.accept('*')) {
      for (;;) {
        const r = this.next();
        if (r === EOF) this.fail('unclosed comment');
        if (r === '*' && this.accept('/')) break;
      }
      this.start = this.end;
      return;
    }
    this.emit('Operator');
  }

  private pointer(): void {
    this.accept('#');
    this.emit('Operator');
    for (;;) {
      const r = this.next();
      if (r === EOF || !isAlphaNumeric(r)) break;
    }
    this.backup();
    if (this.word() !== '') this.emit('Identifier');
  }

  /** Scans a quoted string and returns its unescaped value (upstream's `scanString` + `unescape`). */
  private scanString(quote: string): string {
    let out = '';
    for (;;) {
      const r = this.next();
      if (r === quote) return out;
      if (r === '\n' || r === EOF) this.fail('literal not terminated');
      if (r === '\r') {
        // Upstream normalises \r\n and \r to \n inside literals.
        if (this.peek() === '\n') this.end++;
        out += '\n';
      } else if (r === '\\') {
        out += this.scanEscape(quote);
      } else {
        out += r;
      }
    }
  }

  private scanEscape(quote: string): string {
    const c = this.next();
    switch (c) {
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      case '\\':
        return '\\';
      case quote:
        return quote;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        const digits = c + this.hexOrOctal(8, 2);
        if (c > '3') this.fail('unable to unescape string');
        return String.fromCodePoint(Number.parseInt(digits, 8));
      }
      case 'x':
        return String.fromCodePoint(Number.parseInt(this.hexOrOctal(16, 2), 16));
      case 'u': {
        if (this.peek() === '{') {
          this.end++;
          let digits = '';
          while (this.peek() !== '}') {
            const p = this.peek();
            if (!/^[0-9a-fA-F]$/.test(p) || digits.length >= 6) this.fail('invalid char escape');
            digits += this.next();
          }
          if (digits === '') this.fail('invalid char escape');
          this.end++;
          return this.codePoint(Number.parseInt(digits, 16));
        }
        return this.codePoint(Number.parseInt(this.hexOrOctal(16, 4), 16));
      }
      case 'U':
        return this.codePoint(Number.parseInt(this.hexOrOctal(16, 8), 16));
      default:
        return this.fail('invalid char escape');
    }
  }

  private hexOrOctal(base: 8 | 16, n: number): string {
    const valid = base === 8 ? /^[0-7]$/ : /^[0-9a-fA-F]$/;
    let digits = '';
    for (let i = 0; i < n; i++) {
      const r = this.next();
      if (!valid.test(r)) this.fail('invalid char escape');
      digits += r;
    }
    return digits;
  }

  /** A backtick string: raw, with a doubled backtick standing for one. */
  private scanRawString(): string {
    let out = '';
    for (;;) {
      const r = this.next();
      if (r === EOF) this.fail('literal not terminated');
      if (r === '`') {
        if (this.peek() === '`') {
          this.end++;
          out += '`';
          continue;
        }
        return out;
      }
      out += r;
    }
  }

  /** A code point from `\u`/`\U`; Go encodes a lone surrogate as U+FFFD. */
  private codePoint(v: number): string {
    if (v > 0x10ffff) this.fail('unable to unescape string');
    return v >= 0xd800 && v <= 0xdfff ? '\uFFFD' : String.fromCodePoint(v);
  }
}

/** Go's `%#U` of a rune: `U+0040 '@'`. */
function goRune(r: string): string {
  const cp = r.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${r}'`;
}

/** Go's `strconv.Quote` (as used by `%#v` / `%q`): double quotes, Go escapes, printable runes kept. */
export function goQuote(s: string): string {
  let out = '"';
  for (const r of s) {
    const cp = r.codePointAt(0)!;
    switch (r) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (
      /^[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]$/u.test(r) ||
      (cp >= 0x80 && /^\p{Zs}$/u.test(r) && cp !== 0x20)
    )
      out +=
        cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += r;
  }
  return `${out}"`;
}
