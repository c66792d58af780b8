/**
 * The lexer and parser of GitHub Actions expressions (the text inside `${{ … }}` and `if:`).
 *
 * Grammar, lowest precedence first, as docs.github.com "Evaluate expressions in workflows and
 * actions" lists the operators: `||`, `&&`, `== !=`, `< <= > >=`, `!`, then postfix property
 * access (`a.b`, `a['b']`, `a.*`) and calls (`f(x, y)`). Literals are `null`, `true`, `false`,
 * numbers in any JSON form plus hex (`0xff`), octal (`0o10`), `Infinity` and `NaN`, and
 * 'single-quoted strings' where `''` is a quote. There is no unary minus: `-9.2` is one number
 * token, as in GitHub's lexer. Double quotes are an error, as on GitHub.
 * @module
 */

/** A parsed expression. */
export type ExprNode =
  | { kind: 'literal'; value: null | boolean | number | string }
  | { kind: 'context'; name: string }
  | { kind: 'property'; object: ExprNode; name: string }
  | { kind: 'index'; object: ExprNode; index: ExprNode }
  | { kind: 'filter'; object: ExprNode }
  | { kind: 'call'; name: string; args: ExprNode[] }
  | { kind: 'not'; operand: ExprNode }
  | { kind: 'binary'; op: BinaryOp; left: ExprNode; right: ExprNode };

/** Binary operators. */
export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A syntax error; `message` says what and where (1-based column in the expression). */
export class ExprSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'ExprSyntaxError';
  }
}

type Token =
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'id'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', '.', ',', '*'];

/**
 * Parses a number the way GitHub's lexer and its string-to-number coercion do: JSON numbers with
 * an optional sign, hex `0x…`, octal `0o…`, `Infinity`, `NaN`. Anything else is `NaN`.
 * Surrounding whitespace is ignored; the empty string is `0` (coercion rule, not a literal).
 * @example parseNumber(' 0xFF ') === 255; parseNumber('1e3') === 1000; parseNumber('abc') is NaN
 */
export function parseNumber(text: string): number {
  const s = text.trim();
  if (s === '') return 0;
  const m = /^([+-]?)(.*)$/.exec(s);
  const sign = m?.[1] === '-' ? -1 : 1;
  const body = m?.[2] ?? '';
  if (/^0x[0-9a-f]+$/i.test(body)) return sign * Number.parseInt(body.slice(2), 16);
  if (/^0o[0-7]+$/i.test(body)) return sign * Number.parseInt(body.slice(2), 8);
  if (body === 'Infinity') return sign * Number.POSITIVE_INFINITY;
  if (body === 'NaN') return Number.NaN;
  if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) return sign * Number(body);
  return Number.NaN;
}

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i + 1;
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExprSyntaxError(`unterminated string starting at column ${at}`, at);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i];
        i++;
      }
      out.push({ t: 'str', v, at });
      continue;
    }
    if (c === '"') throw new ExprSyntaxError(`strings use single quotes, not " (column ${at})`, at);
    const signedInfinity = /^[-+]Infinity(?![A-Za-z0-9_-])/.exec(src.slice(i))?.[0];
    if (signedInfinity !== undefined) {
      out.push({ t: 'num', v: parseNumber(signedInfinity), at });
      i += signedInfinity.length;
      continue;
    }
    const startsNumber = /[0-9]/.test(c) || (/[-+.]/.test(c) && /[0-9.]/.test(src[i + 1] ?? ''));
    if (startsNumber) {
      const m = /^[-+]?(?:0[xXoO][0-9a-fA-F]+|[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?)[a-zA-Z0-9_.]*/.exec(
        src.slice(i),
      );
      const word = m?.[0] ?? c;
      const v = parseNumber(word);
      if (Number.isNaN(v)) throw new ExprSyntaxError(`unexpected symbol '${word}' at column ${at}`, at);
      out.push({ t: 'num', v, at });
      i += word.length;
      continue;
    }
    if (/[a-zA-Z_]/.test(c)) {
      const word = /^[a-zA-Z_][a-zA-Z0-9_-]*/.exec(src.slice(i))?.[0] ?? c;
      out.push({ t: 'id', v: word, at });
      i += word.length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ExprSyntaxError(`unexpected symbol '${c}' at column ${at}`, at);
    out.push({ t: 'op', v: op, at });
    i += op.length;
  }
  out.push({ t: 'end', at: src.length + 1 });
  return out;
}

/**
 * Parses one expression.
 * @throws {ExprSyntaxError} on any syntax error.
 * @example parse("github.event_name == 'push'") // { kind: 'binary', op: '==', … }
 */
export function parseExpression(src: string): ExprNode {
  const tokens = lex(src);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { t: 'end', at: src.length + 1 };
  const isOp = (v: string) => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const describe = (t: Token) => (t.t === 'end' ? 'end of expression' : `'${String(t.v)}' at column ${t.at}`);
  const expect = (v: string) => {
    const t = peek();
    if (t.t !== 'op' || t.v !== v)
      throw new ExprSyntaxError(`expected '${v}' but found ${describe(t)}`, t.at);
    pos++;
  };

  const binaryLevel = (ops: BinaryOp[], next: () => ExprNode) => (): ExprNode => {
    let left = next();
    for (;;) {
      const t = peek();
      if (t.t !== 'op' || !(ops as string[]).includes(t.v)) return left;
      pos++;
      left = { kind: 'binary', op: t.v as BinaryOp, left, right: next() };
    }
  };

  const primary = (): ExprNode => {
    const t = peek();
    pos++;
    if (t.t === 'num' || t.t === 'str') return { kind: 'literal', value: t.v };
    if (t.t === 'op' && t.v === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.t === 'id') {
      if (t.v === 'null') return { kind: 'literal', value: null };
      if (t.v === 'true') return { kind: 'literal', value: true };
      if (t.v === 'false') return { kind: 'literal', value: false };
      if (t.v === 'Infinity') return { kind: 'literal', value: Number.POSITIVE_INFINITY };
      if (t.v === 'NaN') return { kind: 'literal', value: Number.NaN };
      if (isOp('(')) {
        pos++;
        const args: ExprNode[] = [];
        if (!isOp(')')) {
          args.push(or());
          while (isOp(',')) {
            pos++;
            args.push(or());
          }
        }
        expect(')');
        return { kind: 'call', name: t.v, args };
      }
      return { kind: 'context', name: t.v };
    }
    throw new ExprSyntaxError(`unexpected ${describe(t)}`, t.at);
  };

  const postfix = (): ExprNode => {
    let node = primary();
    for (;;) {
      if (isOp('.')) {
        pos++;
        const t = peek();
        pos++;
        if (t.t === 'op' && t.v === '*') node = { kind: 'filter', object: node };
        else if (t.t === 'id') node = { kind: 'property', object: node, name: t.v };
        else throw new ExprSyntaxError(`expected a property name after '.' but found ${describe(t)}`, t.at);
      } else if (isOp('[')) {
        pos++;
        if (isOp('*')) {
          pos++;
          node = { kind: 'filter', object: node };
        } else node = { kind: 'index', object: node, index: or() };
        expect(']');
      } else return node;
    }
  };

  const unary = (): ExprNode => {
    if (isOp('!')) {
      pos++;
      return { kind: 'not', operand: unary() };
    }
    return postfix();
  };
  const comparison = binaryLevel(['<', '<=', '>', '>='], unary);
  const equality = binaryLevel(['==', '!='], comparison);
  const and = binaryLevel(['&&'], equality);
  const or: () => ExprNode = binaryLevel(['||'], and);

  if (peek().t === 'end') throw new ExprSyntaxError('the expression is empty', 1);
  const node = or();
  const rest = peek();
  if (rest.t !== 'end') throw new ExprSyntaxError(`unexpected ${describe(rest)}`, rest.at);
  return node;
}

/** Names of every function called anywhere in `node`. */
export function calledFunctions(node: ExprNode, into: Set<string> = new Set()): Set<string> {
  switch (node.kind) {
    case 'call':
      into.add(node.name.toLowerCase());
      for (const a of node.args) calledFunctions(a, into);
      break;
    case 'property':
    case 'filter':
      calledFunctions(node.object, into);
      break;
    case 'index':
      calledFunctions(node.object, into);
      calledFunctions(node.index, into);
      break;
    case 'not':
      calledFunctions(node.operand, into);
      break;
    case 'binary':
      calledFunctions(node.left, into);
      calledFunctions(node.right, into);
      break;
    default:
      break;
  }
  return into;
}

/** Names of every top-level context (`github`, `steps`, …) read anywhere in `node`, lower-cased. */
export function referencedContexts(node: ExprNode, into: Set<string> = new Set()): Set<string> {
  switch (node.kind) {
    case 'context':
      into.add(node.name.toLowerCase());
      break;
    case 'call':
      for (const a of node.args) referencedContexts(a, into);
      break;
    case 'property':
    case 'filter':
      referencedContexts(node.object, into);
      break;
    case 'index':
      referencedContexts(node.object, into);
      referencedContexts(node.index, into);
      break;
    case 'not':
      referencedContexts(node.operand, into);
      break;
    case 'binary':
      referencedContexts(node.left, into);
      referencedContexts(node.right, into);
      break;
    default:
      break;
  }
  return into;
}
