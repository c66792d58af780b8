/**
 * A Pratt parser for expr-lang, a port of the shape of upstream's `parser/parser.go`: the same
 * precedence table, the same special cases (chained comparisons, `not in`, `??` mixing, predicates,
 * the pipe operator, optional chains) and the same error messages and positions.
 *
 * @module
 */
import type { Loc, MemberNode, Node, PairNode } from './ast.ts';
import { ExprError } from './errors.ts';
import { goQuote, isValidIdentifier, LexError, lex, type Token, type TokenKind } from './lexer.ts';

interface OperatorInfo {
  readonly precedence: number;
  readonly right: boolean;
}

/** Unary operators and their precedence (upstream `operator.Unary`). */
export const unaryOperators: ReadonlyMap<string, OperatorInfo> = new Map([
  ['not', { precedence: 50, right: false }],
  ['!', { precedence: 50, right: false }],
  ['-', { precedence: 90, right: false }],
  ['+', { precedence: 90, right: false }],
]);

/** Binary operators, their precedence and associativity (upstream `operator.Binary`). */
export const binaryOperators: ReadonlyMap<string, OperatorInfo> = new Map([
  ['|', { precedence: 0, right: false }],
  ['or', { precedence: 10, right: false }],
  ['||', { precedence: 10, right: false }],
  ['and', { precedence: 15, right: false }],
  ['&&', { precedence: 15, right: false }],
  ['==', { precedence: 20, right: false }],
  ['!=', { precedence: 20, right: false }],
  ['<', { precedence: 20, right: false }],
  ['>', { precedence: 20, right: false }],
  ['>=', { precedence: 20, right: false }],
  ['<=', { precedence: 20, right: false }],
  ['in', { precedence: 20, right: false }],
  ['matches', { precedence: 20, right: false }],
  ['contains', { precedence: 20, right: false }],
  ['startsWith', { precedence: 20, right: false }],
  ['endsWith', { precedence: 20, right: false }],
  ['..', { precedence: 25, right: false }],
  ['+', { precedence: 30, right: false }],
  ['-', { precedence: 30, right: false }],
  ['*', { precedence: 60, right: false }],
  ['/', { precedence: 60, right: false }],
  ['%', { precedence: 60, right: false }],
  ['**', { precedence: 100, right: true }],
  ['^', { precedence: 100, right: true }],
  ['??', { precedence: 500, right: false }],
]);

const negatable = new Set(['contains', 'matches', 'startsWith', 'endsWith', 'in']);
const comparisons = new Set(['<', '>', '>=', '<=']);

/** Argument shapes of the builtins that take a predicate (upstream `predicates`). */
const predicateBuiltins: ReadonlyMap<
  string,
  ReadonlyArray<{ predicate: boolean; optional: boolean }>
> = (() => {
  const e = { predicate: false, optional: false };
  const p = { predicate: true, optional: false };
  const pOpt = { predicate: true, optional: true };
  const eOpt = { predicate: false, optional: true };
  return new Map([
    ['all', [e, p]],
    ['none', [e, p]],
    ['any', [e, p]],
    ['one', [e, p]],
    ['filter', [e, p]],
    ['map', [e, p]],
    ['count', [e, pOpt]],
    ['sum', [e, pOpt]],
    ['find', [e, p]],
    ['findIndex', [e, p]],
    ['findLast', [e, p]],
    ['findLastIndex', [e, p]],
    ['groupBy', [e, p]],
    ['sortBy', [e, p, eOpt]],
    ['reduce', [e, p, eOpt]],
  ]);
})();

/**
 * Every builtin name upstream knows (`builtin.Index`). A call of one of these parses as a builtin
 * node even when this evaluator does not implement it, so the checker can say so by name.
 */
export const builtinNames: ReadonlySet<string> = new Set([
  ...predicateBuiltins.keys(),
  ...'len type abs ceil floor round int float string trim trimPrefix trimSuffix upper lower split splitAfter'.split(
    ' ',
  ),
  ...'replace repeat join indexOf lastIndexOf hasPrefix hasSuffix max min mean median toJSON fromJSON'.split(
    ' ',
  ),
  ...'toBase64 fromBase64 now duration date timezone first last get take keys values toPairs fromPairs'.split(
    ' ',
  ),
  ...'reverse uniq concat flatten sort bitand bitor bitxor bitnand bitshl bitshr bitushr bitnot'.split(' '),
]);

/** Upstream's default cap on AST nodes (`conf.DefaultMaxNodes`). */
const maxNodes = 10_000;

/** Options of {@link parse}. */
export interface ParseOptions {
  /** Names the expression in errors (see {@link ExprError}). */
  subject?: string | undefined;
}

/** Parses an expression into a tree. Throws {@link ExprError} (phase `parse`) on bad syntax. */
export function parse(source: string, options: ParseOptions = {}): Node {
  let tokens: Token[];
  try {
    tokens = lex(source);
  } catch (err) {
    if (err instanceof LexError) throw new ExprError(err.message, 'parse', source, err.loc, options);
    throw err;
  }
  return new Parser(source, tokens, options).parseRoot();
}

/** A parse failure at a token; caught in `parseRoot` and rethrown as an `ExprError`. */
class SyntaxFault extends Error {
  constructor(
    message: string,
    readonly loc: Loc,
  ) {
    super(message);
  }
}

/** Upstream prints tokens as `Kind("value")`, or just `Kind` when the value is empty. */
function describe(token: Token): string {
  return token.value === '' ? token.kind : `${token.kind}(${goQuote(token.value)})`;
}

class Parser {
  private pos = 0;
  private current: Token;
  private depth = 0;
  private nodeCount = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
    private readonly options: ParseOptions,
  ) {
    this.current = tokens[0]!;
  }

  parseRoot(): Node {
    try {
      const node = this.parseSequence();
      if (!this.is('EOF')) this.fail(`unexpected token ${describe(this.current)}`);
      return node;
    } catch (err) {
      if (err instanceof SyntaxFault)
        throw new ExprError(err.message, 'parse', this.source, err.loc, this.options);
      throw err;
    }
  }

  private fail(message: string, token: Token = this.current): never {
    throw new SyntaxFault(message, token.loc);
  }

  private count(): void {
    if (++this.nodeCount > maxNodes)
      this.fail('compilation failed: expression exceeds maximum allowed nodes');
  }

  private next(): void {
    const token = this.tokens[this.pos + 1];
    if (token === undefined) this.fail('unexpected end of expression');
    this.pos++;
    this.current = token;
  }

  private is(kind: TokenKind, ...values: string[]): boolean {
    return this.current.kind === kind && (values.length === 0 || values.includes(this.current.value));
  }

  private expect(kind: TokenKind, ...values: string[]): void {
    if (!this.is(kind, ...values)) this.fail(`unexpected token ${describe(this.current)}`);
    this.next();
  }

  private parseSequence(): Node {
    const nodes = [this.parseExpression(0)];
    while (this.is('Operator', ';')) {
      this.next();
      if (this.is('EOF')) break;
      nodes.push(this.parseExpression(0));
    }
    if (nodes.length === 1) return nodes[0]!;
    this.count();
    return { kind: 'sequence', nodes, loc: nodes[0]!.loc };
  }

  private parseExpression(precedence: number): Node {
    if (precedence === 0 && this.is('Operator', 'let')) return this.parseLet();
    if (precedence === 0 && this.is('Operator', 'if')) return this.parseIf();

    let left = this.parsePrimary();
    let prevOperator = '';
    let opToken = this.current;
    while (opToken.kind === 'Operator') {
      const negate = opToken.value === 'not';
      let notToken: Token | undefined;
      if (negate) {
        // `a not in b`: peek past `not`; if the operator binds looser than we may parse, give `not` back.
        const backupPos = this.pos;
        this.next();
        if (!negatable.has(this.current.value)) this.fail(`unexpected token ${describe(this.current)}`);
        const info = binaryOperators.get(this.current.value)!;
        if (info.precedence < precedence) {
          this.pos = backupPos;
          this.current = this.tokens[backupPos]!;
          break;
        }
        notToken = this.current;
        opToken = this.current;
      }
      const info = binaryOperators.get(opToken.value);
      if (info === undefined || info.precedence < precedence) break;
      this.next();

      if (opToken.value === '|') {
        const ident = this.current;
        this.expect('Identifier');
        left = this.parseCall(ident, [left]);
      } else {
        if (prevOperator === '??' && opToken.value !== '??') {
          this.fail(
            `Operator (${opToken.value}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`,
            opToken,
          );
        }
        if (comparisons.has(opToken.value)) {
          left = this.parseComparison(left, opToken, info.precedence);
        } else {
          const right = this.parseExpression(info.right ? info.precedence : info.precedence + 1);
          this.count();
          left = { kind: 'binary', op: opToken.value, left, right, loc: opToken.loc };
          if (negate && notToken) {
            this.count();
            left = { kind: 'unary', op: 'not', node: left, loc: notToken.loc };
          }
        }
      }
      prevOperator = opToken.value;
      opToken = this.current;
    }
    if (precedence === 0) left = this.parseConditional(left);
    return left;
  }

  private parseLet(): Node {
    this.expect('Operator', 'let');
    const name = this.current;
    this.expect('Identifier');
    this.expect('Operator', '=');
    const value = this.parseExpression(0);
    this.expect('Operator', ';');
    const expr = this.parseSequence();
    this.count();
    return { kind: 'let', name: name.value, value, expr, loc: name.loc };
  }

  private parseIf(): Node {
    const ifToken = this.current;
    this.next();
    const cond = this.parseExpression(0);
    this.expect('Bracket', '{');
    const exp1 = this.parseSequence();
    this.expect('Bracket', '}');
    this.expect('Operator', 'else');
    let exp2: Node;
    if (this.is('Operator', 'if')) {
      exp2 = this.parseIf();
    } else {
      this.expect('Bracket', '{');
      exp2 = this.parseSequence();
      this.expect('Bracket', '}');
    }
    return { kind: 'conditional', ternary: false, cond, exp1, exp2, loc: ifToken.loc };
  }

  private parseConditional(node: Node): Node {
    while (this.is('Operator', '?')) {
      this.next();
      let exp1: Node;
      let exp2: Node;
      if (!this.is('Operator', ':')) {
        exp1 = this.parseExpression(0);
        this.expect('Operator', ':');
        exp2 = this.parseExpression(0);
      } else {
        // `a ?: b` is `a ? a : b`.
        this.next();
        exp1 = node;
        exp2 = this.parseExpression(0);
      }
      this.count();
      node = { kind: 'conditional', ternary: true, cond: node, exp1, exp2, loc: this.current.loc };
    }
    return node;
  }

  private parsePrimary(): Node {
    const token = this.current;
    if (token.kind === 'Operator') {
      const unary = unaryOperators.get(token.value);
      if (unary !== undefined) {
        this.next();
        const operand = this.parseExpression(unary.precedence);
        this.count();
        return this.parsePostfix({ kind: 'unary', op: token.value, node: operand, loc: token.loc });
      }
    }
    if (token.kind === 'Bracket' && token.value === '(') {
      this.next();
      const inner = this.parseSequence();
      this.expect('Bracket', ')');
      return this.parsePostfix(inner);
    }
    if (this.depth > 0 && token.kind === 'Operator' && (token.value === '#' || token.value === '.')) {
      let name = '';
      if (token.value === '#') {
        this.next();
        if (this.is('Identifier')) {
          name = this.current.value;
          this.next();
        }
      }
      this.count();
      return this.parsePostfix({ kind: 'pointer', name, loc: token.loc });
    }
    if (token.kind === 'Operator' && token.value === '::') {
      this.next();
      const ident = this.current;
      this.expect('Identifier');
      return this.parsePostfix(this.parseCall(ident, []));
    }
    return this.parseSecondary();
  }

  private parseSecondary(): Node {
    const token = this.current;
    let node: Node;
    switch (token.kind) {
      case 'Identifier':
        this.next();
        this.count();
        if (token.value === 'true' || token.value === 'false') {
          return { kind: 'bool', value: token.value === 'true', loc: token.loc };
        }
        if (token.value === 'nil') return { kind: 'nil', loc: token.loc };
        node = this.is('Bracket', '(')
          ? this.parseCall(token, [])
          : { kind: 'identifier', name: token.value, loc: token.loc };
        break;
      case 'Number':
        this.next();
        this.count();
        return this.parseNumber(token);
      case 'String':
        this.next();
        this.count();
        node = { kind: 'string', value: token.value, loc: token.loc };
        break;
      default:
        if (token.kind === 'Bracket' && token.value === '[') node = this.parseArray(token);
        else if (token.kind === 'Bracket' && token.value === '{') node = this.parseMap(token);
        else this.fail(`unexpected token ${describe(token)}`);
    }
    return this.parsePostfix(node);
  }

  /** Number literals as upstream's `strconv.ParseInt` / `ParseFloat` read them, `_` separators removed. */
  private parseNumber(token: Token): Node {
    const value = token.value.replaceAll('_', '');
    const lower = value.toLowerCase();
    const int = (kind: string): Node => {
      let n: bigint | undefined;
      try {
        n = BigInt(
          lower.startsWith('0') && lower.length > 1 && /^0[0-9]/.test(lower)
            ? lower.replace(/^0+(?=.)/, '')
            : lower,
        );
      } catch {
        n = undefined;
      }
      if (n === undefined || lower === '0x' || lower === '0o' || lower === '0b') {
        this.fail(`invalid ${kind} literal: strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
      }
      if (n > 0x7fffffffffffffffn) {
        this.fail(`invalid ${kind} literal: strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
      }
      return { kind: 'int', value: n, loc: token.loc };
    };
    if (lower.startsWith('0x')) return int('hex');
    if (lower.includes('.') || lower.includes('e')) {
      const f = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower) ? Number(lower) : Number.NaN;
      if (Number.isNaN(f))
        this.fail(`invalid float literal: strconv.ParseFloat: parsing ${goQuote(value)}: invalid syntax`);
      if (!Number.isFinite(f)) {
        this.fail(`invalid float literal: strconv.ParseFloat: parsing ${goQuote(value)}: value out of range`);
      }
      return { kind: 'float', value: f, loc: token.loc };
    }
    if (lower.startsWith('0b')) return int('binary');
    if (lower.startsWith('0o')) return int('octal');
    return int('integer');
  }

  /** `name(args)`: a predicate builtin, another builtin, or a call of an env function. */
  private parseCall(token: Token, args: Node[]): Node {
    const shape = predicateBuiltins.get(token.value);
    if (shape !== undefined) {
      this.expect('Bracket', '(');
      // With the pipe operator the first argument is already given.
      const rest = shape.slice(args.length);
      for (let i = 0; i < rest.length; i++) {
        const arg = rest[i]!;
        if (this.is('Bracket', ')')) {
          if (arg.optional) break;
          this.fail(`expected at least ${rest.length} arguments`);
        }
        if (i > 0) this.expect('Operator', ',');
        args.push(arg.predicate ? this.parsePredicate() : this.parseExpression(0));
      }
      if (this.is('Operator', ',')) this.next();
      this.expect('Bracket', ')');
      this.count();
      return { kind: 'builtin', name: token.value, args, loc: token.loc };
    }
    if (builtinNames.has(token.value)) {
      const all = this.parseArguments(args);
      this.count();
      return { kind: 'builtin', name: token.value, args: all, loc: token.loc };
    }
    this.count();
    const callee: Node = { kind: 'identifier', name: token.value, loc: token.loc };
    const all = this.parseArguments(args);
    this.count();
    return { kind: 'call', callee, args: all, loc: token.loc };
  }

  private parseArguments(args: Node[]): Node[] {
    const offset = args.length;
    this.expect('Bracket', '(');
    while (!this.is('Bracket', ')')) {
      if (args.length > offset) this.expect('Operator', ',');
      if (this.is('Bracket', ')')) break;
      args.push(this.parseExpression(0));
    }
    this.expect('Bracket', ')');
    return args;
  }

  private parsePredicate(): Node {
    const start = this.current;
    const braces = this.is('Bracket', '{');
    if (braces) this.next();
    this.depth++;
    let node: Node;
    if (braces) {
      node = this.parseSequence();
    } else {
      node = this.parseExpression(0);
      if (this.is('Operator', ';')) this.fail('wrap predicate with brackets { and }');
    }
    this.depth--;
    if (braces) this.expect('Bracket', '}');
    this.count();
    return { kind: 'predicate', node, loc: start.loc };
  }

  private parseArray(token: Token): Node {
    const nodes: Node[] = [];
    this.expect('Bracket', '[');
    while (!this.is('Bracket', ']')) {
      if (nodes.length > 0) {
        this.expect('Operator', ',');
        if (this.is('Bracket', ']')) break;
      }
      nodes.push(this.parseExpression(0));
    }
    this.expect('Bracket', ']');
    this.count();
    return { kind: 'array', nodes, loc: token.loc };
  }

  private parseMap(token: Token): Node {
    this.expect('Bracket', '{');
    const pairs: PairNode[] = [];
    while (!this.is('Bracket', '}')) {
      if (pairs.length > 0) {
        this.expect('Operator', ',');
        if (this.is('Bracket', '}')) break;
        if (this.is('Operator', ',')) this.fail(`unexpected token ${describe(this.current)}`);
      }
      let key: Node;
      // A key is a string, a number or an identifier (all taken as strings), or `(expression)`.
      if (this.is('Number') || this.is('String') || this.is('Identifier')) {
        this.count();
        key = { kind: 'string', value: this.current.value, loc: this.current.loc };
        this.next();
      } else if (this.is('Bracket', '(')) {
        key = this.parseExpression(0);
      } else {
        this.fail(
          `a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${describe(this.current)})`,
        );
      }
      this.expect('Operator', ':');
      const value = this.parseExpression(0);
      this.count();
      pairs.push({ kind: 'pair', key, value, loc: token.loc });
    }
    this.expect('Bracket', '}');
    this.count();
    return { kind: 'map', pairs, loc: token.loc };
  }

  private parsePostfix(start: Node): Node {
    let node = start;
    for (;;) {
      const postfix = this.current;
      if (postfix.kind !== 'Operator' && postfix.kind !== 'Bracket') break;
      const optional = postfix.value === '?.';
      if (postfix.value === '.' || postfix.value === '?.') {
        this.next();
        if (optional && this.is('Bracket', '[')) {
          node = this.parseIndex(node, this.current, true);
          continue;
        }
        const property = this.current;
        this.next();
        // Operator words such as `not` or `matches` are valid property names.
        if (
          property.kind !== 'Identifier' &&
          (property.kind !== 'Operator' || !isValidIdentifier(property.value))
        ) {
          this.fail('expected name');
        }
        this.count();
        const isChain = node.kind === 'chain';
        const base = node.kind === 'chain' ? node.node : node;
        const method = this.is('Bracket', '(');
        this.count();
        const member: MemberNode = {
          kind: 'member',
          node: base,
          property: { kind: 'string', value: property.value, loc: property.loc },
          optional,
          method,
          loc: property.loc,
        };
        if (method) {
          const args = this.parseArguments([]);
          this.count();
          node = { kind: 'call', callee: member, args, loc: property.loc };
        } else {
          node = member;
        }
        if (isChain || optional) {
          this.count();
          node = { kind: 'chain', node, loc: property.loc };
        }
      } else if (postfix.value === '[') {
        node = this.parseIndex(node, postfix, false);
      } else {
        break;
      }
    }
    return node;
  }

  /** `[i]`, `[a:b]`, `[:b]`, `[a:]`, `[:]` after `node`; `bracket` is the `[` token. */
  private parseIndex(node: Node, bracket: Token, optional: boolean): Node {
    this.next();
    if (this.is('Operator', ':')) {
      this.next();
      const to = this.is('Bracket', ']') ? undefined : this.parseExpression(0);
      this.count();
      this.expect('Bracket', ']');
      return { kind: 'slice', node, from: undefined, to, loc: bracket.loc };
    }
    const from = this.parseExpression(0);
    if (this.is('Operator', ':')) {
      this.next();
      const to = this.is('Bracket', ']') ? undefined : this.parseExpression(0);
      this.count();
      this.expect('Bracket', ']');
      return { kind: 'slice', node, from, to, loc: bracket.loc };
    }
    this.count();
    let result: Node = { kind: 'member', node, property: from, optional, method: false, loc: bracket.loc };
    if (optional) {
      this.count();
      result = { kind: 'chain', node: result, loc: bracket.loc };
    }
    this.expect('Bracket', ']');
    return result;
  }

  private parseComparison(first: Node, firstToken: Token, precedence: number): Node {
    // `a < b < c` means `a < b && b < c`.
    let left = first;
    let token = firstToken;
    let root: Node | undefined;
    for (;;) {
      const right = this.parseExpression(precedence + 1);
      this.count();
      const cmp: Node = { kind: 'binary', op: token.value, left, right, loc: token.loc };
      if (root === undefined) {
        root = cmp;
      } else {
        this.count();
        root = { kind: 'binary', op: '&&', left: root, right: cmp, loc: token.loc };
      }
      left = right;
      token = this.current;
      if (!(token.kind === 'Operator' && comparisons.has(token.value))) break;
      this.next();
    }
    return root;
  }
}
