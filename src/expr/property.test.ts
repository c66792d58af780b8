/**
 * Properties: printing a tree and parsing it back gives the same tree; int/float arithmetic agrees
 * with a direct computation of Go's rules (int64 wrap-around, `/` in float64, `%` truncating).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Node } from './ast.ts';
import { evaluate, parse, printNode, type Value } from './index.ts';
import { isValidIdentifier } from './lexer.ts';
import { binaryOperators } from './parser.ts';

const loc = { from: 0, to: 0 };

/** A tree without locations, for structural comparison. */
function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k, v]) => k !== 'loc' && v !== undefined)
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return node;
}

const names = fc.constantFrom('a', 'b', 'result', 'x_1', 'ünï');
const binaryOps = [...binaryOperators.keys()].filter((op) => op !== '|');

const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Node>({ kind: 'nil', loc }),
    fc.boolean().map((value): Node => ({ kind: 'bool', value, loc })),
    fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map((value): Node => ({ kind: 'int', value, loc })),
    fc
      .double({ min: 0, max: 1e300, noNaN: true, noDefaultInfinity: true })
      .filter((f) => !Object.is(f, -0))
      .map((value): Node => ({ kind: 'float', value, loc })),
    fc.string().map((value): Node => ({ kind: 'string', value, loc })),
    names.map((name): Node => ({ kind: 'identifier', name, loc })),
    fc
      .tuple(fc.constantFrom('not', '!', '-', '+'), tie('node'))
      .map(([op, node]): Node => ({ kind: 'unary', op, node, loc })),
    fc
      .tuple(fc.constantFrom(...binaryOps), tie('node'), tie('node'))
      .map(([op, left, right]): Node => ({ kind: 'binary', op, left, right, loc })),
    fc.tuple(tie('node'), fc.oneof(names, fc.string()), fc.boolean()).map(([base, prop, optional]): Node => {
      // As the parser builds them: a `.x` after an optional chain extends that chain; `[x]` does not.
      const inChain = base.kind === 'chain' && isValidIdentifier(prop);
      const member: Node = {
        kind: 'member',
        node: inChain && base.kind === 'chain' ? base.node : base,
        property: { kind: 'string', value: prop, loc },
        optional,
        method: false,
        loc,
      };
      return optional || inChain ? { kind: 'chain', node: member, loc } : member;
    }),
    fc
      .tuple(tie('node'), tie('node'), tie('node'))
      .map(([cond, exp1, exp2]): Node => ({ kind: 'conditional', ternary: true, cond, exp1, exp2, loc })),
    fc.array(tie('node'), { maxLength: 3 }).map((nodes): Node => ({ kind: 'array', nodes, loc })),
    fc.tuple(fc.constantFrom('all', 'filter', 'map', 'count'), tie('node'), tie('node')).map(
      ([name, collection, body]): Node => ({
        kind: 'builtin',
        name,
        args: [collection, { kind: 'predicate', node: body, loc }],
        loc,
      }),
    ),
    fc
      .tuple(fc.constantFrom('len', 'abs', 'upper'), tie('node'))
      .map(([name, arg]): Node => ({ kind: 'builtin', name, args: [arg], loc })),
  ),
})).node;

describe('printer', () => {
  it('prints trees that parse back to the same tree', () => {
    fc.assert(
      fc.property(tree, (node) => {
        const printed = printNode(node);
        expect(strip(parse(printed))).toEqual(strip(node));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a < b < c', 'a < b && b < c'],
    ['-(1 + 2) * 3', '-(1 + 2) * 3'],
    ['not (a in b)', 'not (a in b)'],
    ['a not in b', 'not (a in b)'],
    ['2 ** 3 ** 2', '2 ** 3 ** 2'],
    ['(2 ** 3) ** 2', '(2 ** 3) ** 2'],
    ['filter(x, .a > 1)', 'filter(x, {.a > 1})'],
    ['x?.y.z', 'x?.y.z'],
    ['{a: 1, "b c": 2}', '{a: 1, "b c": 2}'],
    ['1.0 + 1e6', '1.0 + 1e+06'],
  ])('%s prints as %s', (source, want) => {
    expect(printNode(parse(source))).toBe(want);
  });
});

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const float = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
const operand = fc.oneof(
  int64.map((v): Value => v),
  float.map((v): Value => v),
);

/** The literal for a value; negative numbers in parentheses so `a - -b` stays two operators. */
function literal(v: bigint | number): string {
  const text =
    typeof v === 'bigint'
      ? v === -(2n ** 63n)
        ? '(-9223372036854775807 - 1)'
        : v.toString()
      : Object.is(v, -0)
        ? '-0.0'
        : Number.isInteger(v)
          ? v.toFixed(1)
          : String(v);
  return text.startsWith('-') ? `(${text})` : text;
}

/** Go's rules, computed directly. */
function reference(op: string, a: bigint | number, b: bigint | number): Value | 'error' {
  const ints = typeof a === 'bigint' && typeof b === 'bigint';
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case '+':
      return ints ? BigInt.asIntN(64, (a as bigint) + (b as bigint)) : x + y;
    case '-':
      return ints ? BigInt.asIntN(64, (a as bigint) - (b as bigint)) : x - y;
    case '*':
      return ints ? BigInt.asIntN(64, (a as bigint) * (b as bigint)) : x * y;
    case '/':
      return x / y;
    case '%':
      if (!ints || b === 0n) return 'error';
      return BigInt.asIntN(64, (a as bigint) % (b as bigint));
    case '<':
      return ints ? a < b : x < y;
    case '>=':
      return ints ? a >= b : x >= y;
    case '==':
      return ints ? a === b : x === y;
  }
  throw new Error(op);
}

describe('arithmetic', () => {
  it('agrees with Go semantics for random int and float operands', () => {
    fc.assert(
      fc.property(fc.constantFrom('+', '-', '*', '/', '%', '<', '>=', '=='), operand, operand, (op, a, b) => {
        const x = a as bigint | number;
        const y = b as bigint | number;
        const want = reference(op, x, y);
        const source = `${literal(x)} ${op} ${literal(y)}`;
        if (want === 'error') {
          expect(() => evaluate(source)).toThrow();
        } else {
          expect(evaluate(source)).toEqual(want);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps int results ints and makes mixed results floats', () => {
    fc.assert(
      fc.property(int64, float, (i, f) => {
        expect(typeof evaluate(`${literal(i)} + ${literal(i)}`)).toBe('bigint');
        expect(typeof evaluate(`${literal(i)} + ${literal(f)}`)).toBe('number');
        expect(typeof evaluate(`${literal(i)} / 1`)).toBe('number');
      }),
    );
  });
});
