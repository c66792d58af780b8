/**
 * Prints a tree back to source, as upstream's `ast/print.go` does: minimal parentheses from the
 * precedence table, so that printing and re-parsing gives the same tree.
 *
 * @module
 */
import type { Node } from './ast.ts';
import { goQuote, isValidIdentifier } from './lexer.ts';
import { binaryOperators, unaryOperators } from './parser.ts';
import { formatFloat } from './values.ts';

const precedence = (op: string): number => binaryOperators.get(op)?.precedence ?? 0;
const isBoolean = (op: string): boolean => op === 'and' || op === 'or' || op === '&&' || op === '||';

/** A float literal that re-parses as a float (`1` would come back as an int). */
function floatLiteral(f: number): string {
  const s = formatFloat(f);
  return /[.eEN]/.test(s) ? s : `${s}.0`;
}

/** The source text of a tree. */
export function printNode(node: Node): string {
  switch (node.kind) {
    case 'nil':
      return 'nil';
    case 'bool':
      return String(node.value);
    case 'int':
      return node.value.toString();
    case 'float':
      return floatLiteral(node.value);
    case 'string':
      return goQuote(node.value);
    case 'identifier':
      return node.name;
    case 'unary': {
      const op = node.op === 'not' ? 'not ' : node.op;
      const inner = node.node;
      const wrap =
        (inner.kind === 'binary' && precedence(inner.op) < (unaryOperators.get(node.op)?.precedence ?? 0)) ||
        inner.kind === 'conditional' ||
        // `- -1` must not print as `--1`, and `-(-1)` keeps the literal's sign apart.
        (inner.kind === 'unary' && node.op !== 'not' && inner.op !== 'not');
      return wrap ? `${op}(${printNode(inner)})` : `${op}${printNode(inner)}`;
    }
    case 'binary':
      return printBinary(node.op, node.left, node.right);
    case 'chain':
      return printNode(node.node);
    case 'member': {
      const base = operand(node.node);
      const prop = node.property;
      const named = prop.kind === 'string' && isValidIdentifier(prop.value);
      if (node.optional) return named ? `${base}?.${prop.value}` : `${base}?.[${printNode(prop)}]`;
      if (named && node.node.kind === 'pointer' && node.node.name === '') return `.${prop.value}`;
      return named ? `${base}.${prop.value}` : `${base}[${printNode(prop)}]`;
    }
    case 'slice': {
      const from = node.from ? printNode(node.from) : '';
      const to = node.to ? printNode(node.to) : '';
      return `${operand(node.node)}[${from}:${to}]`;
    }
    case 'call':
      return `${printNode(node.callee)}(${node.args.map(printNode).join(', ')})`;
    case 'builtin':
      return `${node.name}(${node.args.map(printNode).join(', ')})`;
    case 'predicate':
      return `{${printNode(node.node)}}`;
    case 'pointer':
      return `#${node.name}`;
    case 'conditional': {
      if (!node.ternary) {
        const tail =
          node.exp2.kind === 'conditional' && !node.exp2.ternary
            ? printNode(node.exp2)
            : `{ ${printNode(node.exp2)} }`;
        return `if ${printNode(node.cond)} { ${printNode(node.exp1)} } else ${tail}`;
      }
      const part = (n: Node) =>
        n.kind === 'conditional' || n.kind === 'let' || n.kind === 'sequence'
          ? `(${printNode(n)})`
          : printNode(n);
      return `${part(node.cond)} ? ${part(node.exp1)} : ${part(node.exp2)}`;
    }
    case 'array':
      return `[${node.nodes.map(printNode).join(', ')}]`;
    case 'map':
      return `{${node.pairs.map(printNode).join(', ')}}`;
    case 'pair': {
      const key = node.key;
      if (key.kind === 'string')
        return `${isValidIdentifier(key.value) ? key.value : goQuote(key.value)}: ${printNode(node.value)}`;
      return `(${printNode(key)}): ${printNode(node.value)}`;
    }
    case 'let':
      return `let ${node.name} = ${printNode(node.value)}; ${printNode(node.expr)}`;
    case 'sequence':
      return node.nodes.map(printNode).join('; ');
  }
}

/** The base of `a.b`, `a[i]`, `a[i:j]`: literals and operators need parentheses to take a postfix. */
function operand(n: Node): string {
  const bare =
    n.kind === 'identifier' ||
    n.kind === 'member' ||
    n.kind === 'chain' ||
    n.kind === 'call' ||
    n.kind === 'builtin' ||
    n.kind === 'pointer' ||
    n.kind === 'slice' ||
    n.kind === 'array' ||
    n.kind === 'map' ||
    n.kind === 'string';
  return bare ? printNode(n) : `(${printNode(n)})`;
}

function printBinary(op: string, left: Node, right: Node): string {
  const p = precedence(op);
  const rightAssoc = binaryOperators.get(op)?.right ?? false;
  let lwrap = false;
  let rwrap = false;
  if (left.kind === 'unary' && (unaryOperators.get(left.op)?.precedence ?? 0) < p) lwrap = true;
  if (left.kind === 'binary') {
    const lp = precedence(left.op);
    if (lp < p || (lp === p && rightAssoc) || left.op === '??' || (isBoolean(left.op) && op !== left.op))
      lwrap = true;
  }
  if (right.kind === 'binary') {
    const rp = precedence(right.op);
    if (rp < p || (rp === p && !rightAssoc) || (isBoolean(right.op) && op !== right.op)) rwrap = true;
  }
  // A unary operand on the right binds tighter anyway, except that `not` (50) is looser than
  // arithmetic, and `- -x` would lex as `--`: wrap it.
  if (right.kind === 'unary' && (unaryOperators.get(right.op)?.precedence ?? 0) < p) rwrap = true;
  for (const [n, side] of [
    [left, 'l'],
    [right, 'r'],
  ] as const) {
    if (n.kind === 'conditional' || n.kind === 'let' || n.kind === 'sequence') {
      if (side === 'l') lwrap = true;
      else rwrap = true;
    }
  }
  // Comparisons chain in the parser (`a < b < c`), so a comparison operand must stay grouped.
  const comparison = (o: string) => o === '<' || o === '>' || o === '<=' || o === '>=';
  if (comparison(op) && left.kind === 'binary' && comparison(left.op)) lwrap = true;
  if (comparison(op) && right.kind === 'binary' && comparison(right.op)) rwrap = true;
  if (op === '??' && right.kind === 'binary' && right.op !== '??') rwrap = true;
  if (left.kind === 'binary' && left.op === '|') lwrap = true;
  const l = lwrap ? `(${printNode(left)})` : printNode(left);
  const r = rwrap ? `(${printNode(right)})` : printNode(right);
  if (op === '..') return `${l}..${r}`;
  return `${l} ${op} ${r}`;
}
