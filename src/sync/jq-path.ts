/**
 * The subset of jq that `ignoreDifferences[].jqPathExpressions` use in practice, evaluated as
 * `del(<expression>)` the way Argo CD runs it with gojq.
 *
 * Supported:
 *
 * | form | example |
 * |---|---|
 * | field | `.spec.replicas`, `.metadata.annotations."app.kubernetes.io/name"` |
 * | bracket field | `.data["config.yaml"]` |
 * | index | `.spec.containers[0]`, `.items[-1]` |
 * | iterate | `.spec.template.spec.containers[]`, `.webhooks[]?` |
 * | optional | `.a?`, `.a[]?` (no error on a wrong type) |
 * | pipe | `.a[] \| .b` |
 * | select | `select(.name == "x")`, `!=`, `and`, `or`, literals `"s"`, numbers, `true`, `false`, `null` |
 *
 * Anything else (functions, `..`, `//`, arithmetic, assignment, `map`, regexes, …) is rejected when
 * the Application is parsed, with a message saying what is supported, instead of being silently
 * ignored. As with gojq, an expression that errors on a particular object (iterating over `null`,
 * say) deletes nothing from it.
 * @module
 */

type Segment =
  | { kind: 'field'; name: string; optional: boolean }
  | { kind: 'index'; index: number; optional: boolean }
  | { kind: 'iterate'; optional: boolean };

type Operand = { kind: 'path'; segments: Segment[] } | { kind: 'literal'; value: unknown };

type Condition =
  | { kind: 'compare'; op: '==' | '!='; left: Operand; right: Operand }
  | { kind: 'and' | 'or'; left: Condition; right: Condition };

type Term = { kind: 'path'; segments: Segment[] } | { kind: 'select'; condition: Condition };

/** A parsed expression: a pipeline of path and select terms. */
export interface JqPathExpression {
  readonly source: string;
  readonly terms: readonly Term[];
}

/** Why an expression was rejected. */
export class JqSyntaxError extends Error {
  constructor(
    readonly expression: string,
    readonly detail: string,
  ) {
    super(
      `unsupported jq path expression ${JSON.stringify(expression)}: ${detail}; supported are paths ` +
        '(.a.b, ."k", .a["k"], .a[0], .a[], with optional ?), pipes and select(.x == "v") with ==, !=, and, or',
    );
    this.name = 'JqSyntaxError';
  }
}

/** An error while evaluating on one object (gojq's runtime errors); the object is left unchanged. */
export class JqRuntimeError extends Error {}

class Parser {
  pos = 0;

  constructor(readonly src: string) {}

  fail(detail: string): never {
    throw new JqSyntaxError(this.src, `${detail} at offset ${this.pos}`);
  }

  skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] as string)) this.pos++;
  }

  peek(text: string): boolean {
    this.skipSpace();
    return this.src.startsWith(text, this.pos);
  }

  eat(text: string): boolean {
    if (!this.peek(text)) return false;
    this.pos += text.length;
    return true;
  }

  pipeline(): Term[] {
    const terms: Term[] = [this.term()];
    while (this.eat('|')) terms.push(this.term());
    this.skipSpace();
    if (this.pos < this.src.length)
      this.fail(`unexpected ${JSON.stringify(this.src.slice(this.pos, this.pos + 10))}`);
    return terms;
  }

  term(): Term {
    this.skipSpace();
    if (this.src.startsWith('select', this.pos) && /^select\s*\(/.test(this.src.slice(this.pos))) {
      this.pos += 'select'.length;
      this.eat('(');
      const condition = this.condition();
      if (!this.eat(')')) this.fail('expected ")" to close select(');
      return { kind: 'select', condition };
    }
    return { kind: 'path', segments: this.path() };
  }

  path(): Segment[] {
    this.skipSpace();
    if (this.src[this.pos] !== '.') this.fail('expected a path starting with "."');
    if (this.src.startsWith('..', this.pos)) this.fail('recursive descent ".." is not supported');
    const segments: Segment[] = [];
    this.pos++; // the leading "."
    this.name(segments);
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === '[') {
        segments.push(this.bracket());
      } else if (ch === '.' && /[A-Za-z_"[]/.test(this.src[this.pos + 1] ?? '')) {
        this.pos++;
        this.name(segments);
      } else {
        break;
      }
    }
    return segments;
  }

  /** A field name right after a ".": an identifier or a quoted string; nothing for ".[" or ".". */
  name(segments: Segment[]): void {
    const ch = this.src[this.pos];
    if (ch !== undefined && /[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos)) as RegExpExecArray;
      this.pos += m[0].length;
      segments.push({ kind: 'field', name: m[0], optional: this.optional() });
    } else if (ch === '"') {
      segments.push({ kind: 'field', name: this.string(), optional: this.optional() });
    }
  }

  bracket(): Segment {
    this.pos++; // "["
    this.skipSpace();
    if (this.src[this.pos] === ']') {
      this.pos++;
      return { kind: 'iterate', optional: this.optional() };
    }
    if (this.src[this.pos] === '"') {
      const name = this.string();
      if (!this.eat(']')) this.fail('expected "]"');
      return { kind: 'field', name, optional: this.optional() };
    }
    const m = /^-?\d+/.exec(this.src.slice(this.pos));
    if (m === null) return this.fail('expected a string, an integer or "]" inside brackets');
    this.pos += m[0].length;
    if (!this.eat(']')) this.fail('expected "]"');
    return { kind: 'index', index: Number(m[0]), optional: this.optional() };
  }

  optional(): boolean {
    if (this.src[this.pos] === '?') {
      this.pos++;
      return true;
    }
    return false;
  }

  string(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.src.length && this.src[this.pos] !== '"') {
      if (this.src[this.pos] === '\\') this.pos++;
      this.pos++;
    }
    if (this.pos >= this.src.length) {
      this.pos = start;
      this.fail('unterminated string');
    }
    this.pos++;
    try {
      return JSON.parse(this.src.slice(start, this.pos)) as string;
    } catch {
      this.pos = start;
      return this.fail('invalid string literal');
    }
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  conjunction(): Condition {
    let left = this.comparison();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.comparison() };
    return left;
  }

  keyword(word: string): boolean {
    this.skipSpace();
    const re = new RegExp(`^${word}(?![A-Za-z0-9_])`);
    if (!re.test(this.src.slice(this.pos))) return false;
    this.pos += word.length;
    return true;
  }

  comparison(): Condition {
    if (this.eat('(')) {
      const inner = this.condition();
      if (!this.eat(')')) this.fail('expected ")"');
      return inner;
    }
    const left = this.operand();
    let op: '==' | '!=';
    if (this.eat('==')) op = '==';
    else if (this.eat('!=')) op = '!=';
    else return this.fail('expected == or != in select()');
    return { kind: 'compare', op, left, right: this.operand() };
  }

  operand(): Operand {
    this.skipSpace();
    const rest = this.src.slice(this.pos);
    if (rest.startsWith('.')) return { kind: 'path', segments: this.path() };
    if (rest.startsWith('"')) return { kind: 'literal', value: this.string() };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)(?![A-Za-z0-9_])/.exec(rest);
    if (m === null) return this.fail('expected a path or a literal');
    this.pos += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) };
  }
}

/**
 * Parses an expression of the supported subset.
 * @throws JqSyntaxError naming what is not supported.
 * @example parseJqPath('.spec.template.spec.initContainers[] | select(.name == "init-container-0")')
 */
export function parseJqPath(expression: string): JqPathExpression {
  const terms = new Parser(expression).pipeline();
  const first = terms[0];
  if (terms.length === 1 && first?.kind === 'path' && first.segments.length === 0) {
    throw new JqSyntaxError(expression, 'deleting the whole object is not allowed');
  }
  return { source: expression, terms };
}

type PathKey = string | number;
interface Cursor {
  path: PathKey[];
  value: unknown;
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v === 'number' ? 'number' : typeof v;
}

function step(cursors: Cursor[], segment: Segment): Cursor[] {
  const out: Cursor[] = [];
  for (const { path, value } of cursors) {
    const missing = value === null || value === undefined;
    switch (segment.kind) {
      case 'field':
        if (missing) out.push({ path: [...path, segment.name], value: null });
        else if (typeof value === 'object' && !Array.isArray(value)) {
          out.push({
            path: [...path, segment.name],
            value: (value as Record<string, unknown>)[segment.name] ?? null,
          });
        } else if (!segment.optional)
          throw new JqRuntimeError(`cannot index ${typeName(value)} with "${segment.name}"`);
        break;
      case 'index':
        if (missing) out.push({ path: [...path, segment.index], value: null });
        else if (Array.isArray(value)) {
          const i = segment.index < 0 ? value.length + segment.index : segment.index;
          out.push({ path: [...path, i], value: value[i] ?? null });
        } else if (!segment.optional) throw new JqRuntimeError(`cannot index ${typeName(value)} with number`);
        break;
      case 'iterate':
        if (Array.isArray(value)) {
          value.forEach((v, i) => {
            out.push({ path: [...path, i], value: v });
          });
        } else if (value !== null && typeof value === 'object') {
          for (const [k, v] of Object.entries(value)) out.push({ path: [...path, k], value: v });
        } else if (!segment.optional) throw new JqRuntimeError(`cannot iterate over ${typeName(value)}`);
        break;
    }
  }
  return out;
}

function operandValues(operand: Operand, value: unknown): unknown[] {
  if (operand.kind === 'literal') return [operand.value];
  let cursors: Cursor[] = [{ path: [], value }];
  for (const segment of operand.segments) cursors = step(cursors, segment);
  return cursors.map((c) => c.value);
}

function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => jsonEquals(v, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => jsonEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

function holds(condition: Condition, value: unknown): boolean {
  switch (condition.kind) {
    case 'and':
      return holds(condition.left, value) && holds(condition.right, value);
    case 'or':
      return holds(condition.left, value) || holds(condition.right, value);
    case 'compare': {
      const left = operandValues(condition.left, value);
      const right = operandValues(condition.right, value);
      return left.some((l) =>
        right.some((r) => jsonEquals(l ?? null, r ?? null) === (condition.op === '==')),
      );
    }
  }
}

/**
 * The paths an expression selects in `root` (jq's `path(expr)`).
 * @throws JqRuntimeError when the expression does not apply to this object.
 */
export function selectPaths(expression: JqPathExpression, root: unknown): PathKey[][] {
  let cursors: Cursor[] = [{ path: [], value: root }];
  for (const term of expression.terms) {
    if (term.kind === 'select') {
      cursors = cursors.filter((c) => holds(term.condition, c.value));
    } else {
      for (const segment of term.segments) cursors = step(cursors, segment);
    }
  }
  return cursors.map((c) => c.path);
}

/**
 * `del(expr)` on a copy of `root`: every selected path is removed (array elements from the end, so
 * indices stay valid). Returns `root` unchanged when the expression errors on it.
 * @example deleteJqPaths(parseJqPath('.a[] | select(.n == "x")'), { a: [{ n: 'x' }, { n: 'y' }] }) // { a: [{ n: 'y' }] }
 */
export function deleteJqPaths<T>(expression: JqPathExpression, root: T): T {
  let paths: PathKey[][];
  try {
    paths = selectPaths(expression, root);
  } catch (err) {
    if (err instanceof JqRuntimeError) return root;
    throw err;
  }
  if (paths.length === 0) return root;
  const out = structuredClone(root);
  const sorted = [...paths].sort(comparePathsDescending);
  for (const path of sorted) deletePath(out, path);
  return out;
}

function comparePathsDescending(a: PathKey[], b: PathKey[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as PathKey;
    const y = b[i] as PathKey;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return y - x;
    return String(y) < String(x) ? -1 : 1;
  }
  return b.length - a.length;
}

/** Removes one path from a JSON value in place; a missing path is a no-op. */
export function deletePath(root: unknown, path: readonly PathKey[]): void {
  if (path.length === 0) return;
  let parent: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return;
    parent = (parent as Record<string | number, unknown>)[key];
  }
  const last = path[path.length - 1] as PathKey;
  if (Array.isArray(parent) && typeof last === 'number') {
    if (last >= 0 && last < parent.length) parent.splice(last, 1);
  } else if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
    delete (parent as Record<string, unknown>)[String(last)];
  }
}
