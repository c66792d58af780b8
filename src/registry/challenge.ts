/**
 * `WWW-Authenticate` parsing (RFC 7235 §4.1): one or more challenges, each a scheme followed by
 * either comma-separated `name=value` parameters (value a token or a quoted string) or a token68.
 *
 * Registries answer 401 with `Basic realm="…"` or, for the token flow of the distribution spec,
 * `Bearer realm="https://auth/token",service="registry",scope="repository:app:pull"`.
 * @module
 */

/** One challenge. Scheme and parameter names are lower-cased (they are case-insensitive). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
  /** The token68 form (`Negotiate abc==`), when the challenge has one instead of parameters. */
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  skipSeparators(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }

  token(): string {
    const start = this.pos;
    while (TCHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A quoted string; a backslash escapes any character. An unterminated string runs to the end. */
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done) {
      const c = this.peek();
      if (c === '\\') {
        this.pos++;
        if (!this.done) out += this.peek();
        this.pos++;
      } else if (c === '"') {
        this.pos++;
        break;
      } else {
        out += c;
        this.pos++;
      }
    }
    return out;
  }

  /** True when the text at the cursor is `token BWS "=" BWS (token | quoted-string)`: a parameter. */
  atParam(): boolean {
    const save = this.pos;
    const name = this.token();
    this.skipSpace();
    let result = false;
    if (name !== '' && this.peek() === '=') {
      this.pos++;
      this.skipSpace();
      result = this.peek() === '"' || TCHAR.test(this.peek());
    }
    this.pos = save;
    return result;
  }
}

function parseOne(s: Scanner, out: AuthChallenge[]): void {
  const scheme = s.token();
  if (scheme === '') {
    // Not a challenge: skip one character so that junk cannot stall the parser.
    s.pos++;
    return;
  }
  const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
  out.push(challenge);
  s.skipSpace();
  if (s.done || s.peek() === ',') return;
  if (!s.atParam()) {
    // token68: its characters, then any '=' padding.
    const start = s.pos;
    while (TOKEN68_CHAR.test(s.peek())) s.pos++;
    while (s.peek() === '=') s.pos++;
    if (s.pos > start) challenge.token68 = s.text.slice(start, s.pos);
    return;
  }
  for (;;) {
    const name = s.token().toLowerCase();
    s.skipSpace();
    s.pos++; // '='
    s.skipSpace();
    const value = s.peek() === '"' ? s.quoted() : s.token();
    // The first occurrence wins, as a repeated parameter is a malformed challenge anyway.
    if (!Object.hasOwn(challenge.params, name)) challenge.params[name] = value;
    s.skipSpace();
    if (s.peek() !== ',') return;
    // After a comma comes another parameter of this challenge, or the next challenge's scheme.
    const save = s.pos;
    s.skipSeparators();
    if (!s.atParam()) {
      s.pos = save;
      return;
    }
  }
}

/**
 * Parses every challenge in one or more `WWW-Authenticate` header values.
 * @example
 * parseWwwAuthenticate('Bearer realm="https://auth.example.com/token",service="registry.example.com"')
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com' } }]
 */
export function parseWwwAuthenticate(values: string | readonly string[] | undefined): AuthChallenge[] {
  if (values === undefined) return [];
  const out: AuthChallenge[] = [];
  for (const value of typeof values === 'string' ? [values] : values) {
    const s = new Scanner(value);
    for (;;) {
      s.skipSeparators();
      if (s.done) break;
      parseOne(s, out);
    }
  }
  return out;
}

/** The space-separated scopes of a Bearer challenge (`scope="repository:a:pull repository:b:pull"`). */
export function challengeScopes(challenge: AuthChallenge): string[] {
  return (challenge.params['scope'] ?? '').split(' ').filter((s) => s !== '');
}
