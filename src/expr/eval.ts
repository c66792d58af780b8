/**
 * The evaluator: walks a checked tree over Go-semantics values. Run-time errors use the messages
 * of upstream's VM (`cannot fetch b from float64`, `index out of range: 5 (array length is 2)`,
 * `interface conversion: interface {} is float64, not bool`) at the node whose operation failed.
 *
 * @module
 */
import type { BuiltinNode, MemberNode, Node } from './ast.ts';
import { builtins } from './builtins.ts';
import { ExprError, fault, RuntimeFault } from './errors.ts';
import { compileGoRegexp, RegexpError } from './regexp.ts';
import {
  type ArrayValue,
  add,
  byteLength,
  compare,
  divide,
  ExprFunction,
  elementAt,
  equal,
  formatValue,
  isArray,
  isMap,
  modulo,
  multiply,
  negate,
  power,
  sliceString,
  subtract,
  toInt,
  typeName,
  type Value,
} from './values.ts';

/** How the evaluator reads env variables (already converted to {@link Value}s). */
export interface Scope {
  /** The value of an env variable; `undefined` when absent. */
  lookup(name: string): Value | undefined;
  /** The whole env as a map, for `$env`. */
  all(): ReadonlyMap<string, Value>;
}

interface Iteration {
  readonly item: Value;
  readonly index: number;
  acc: Value;
}

/** Thrown by a `?.` on nil; caught by the enclosing chain node, which yields nil. */
const chainBreak = Symbol('chainBreak');

const regexpCache = new Map<string, RegExp>();

function regexp(pattern: string): RegExp {
  let re = regexpCache.get(pattern);
  if (re === undefined) {
    try {
      re = compileGoRegexp(pattern);
    } catch (err) {
      if (err instanceof RegexpError) fault(err.message);
      throw err;
    }
    if (regexpCache.size > 256) regexpCache.clear();
    regexpCache.set(pattern, re);
  }
  return re;
}

/** `x.(bool)` in upstream's VM. */
function asBool(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  return fault(`interface conversion: interface {} is ${v === null ? 'nil' : typeName(v)}, not bool`);
}

function asString(v: Value): string {
  if (typeof v === 'string') return v;
  return fault(`interface conversion: interface {} is ${v === null ? 'nil' : typeName(v)}, not string`);
}

/** Evaluates `node`. Throws {@link ExprError} (phase `run`) located at the failing node. */
export function evaluate(node: Node, scope: Scope, source: string, subject?: string): Value {
  return new Evaluator(scope, source, subject).eval(node);
}

class Evaluator {
  private readonly variables: Array<{ name: string; value: Value }> = [];
  private readonly iterations: Iteration[] = [];

  constructor(
    private readonly scope: Scope,
    private readonly source: string,
    private readonly subject: string | undefined,
  ) {}

  eval(node: Node): Value {
    try {
      return this.node(node);
    } catch (err) {
      if (err instanceof RuntimeFault) {
        throw new ExprError(err.message, 'run', this.source, node.loc, { subject: this.subject });
      }
      throw err;
    }
  }

  private node(node: Node): Value {
    switch (node.kind) {
      case 'nil':
        return null;
      case 'bool':
      case 'int':
      case 'float':
      case 'string':
        return node.value;
      case 'identifier':
        return this.identifier(node.name);
      case 'unary': {
        const v = this.eval(node.node);
        if (node.op === '-') return negate(v);
        if (node.op === '+') return v;
        return !asBool(v);
      }
      case 'binary':
        return this.binary(node.op, node.left, node.right);
      case 'chain':
        try {
          return this.eval(node.node);
        } catch (err) {
          if (err === chainBreak) return null;
          throw err;
        }
      case 'member':
        return this.member(node);
      case 'slice':
        return this.slice(this.eval(node.node), node.from, node.to);
      case 'call': {
        const fn = this.eval(node.callee);
        const args = node.args.map((a) => this.eval(a));
        return call(fn, args);
      }
      case 'builtin':
        return this.builtin(node);
      case 'predicate':
        return this.eval(node.node);
      case 'pointer': {
        const it = this.iterations.at(-1);
        if (it === undefined) return fault('cannot use pointer accessor outside predicate');
        if (node.name === '') return it.item;
        if (node.name === 'index') return BigInt(it.index);
        if (node.name === 'acc') return it.acc;
        return fault(`unknown pointer #${node.name}`);
      }
      case 'conditional':
        return asBool(this.eval(node.cond)) ? this.eval(node.exp1) : this.eval(node.exp2);
      case 'array':
        return node.nodes.map((n) => this.eval(n));
      case 'map': {
        const m = new Map<string, Value>();
        for (const pair of node.pairs) {
          const key = this.eval(pair.key);
          m.set(asString(key), this.eval(pair.value));
        }
        return m;
      }
      case 'pair':
        return fault('a map pair is not a value');
      case 'let': {
        this.variables.push({ name: node.name, value: this.eval(node.value) });
        try {
          return this.eval(node.expr);
        } finally {
          this.variables.pop();
        }
      }
      case 'sequence': {
        let last: Value = null;
        for (const n of node.nodes) last = this.eval(n);
        return last;
      }
    }
  }

  private identifier(name: string): Value {
    for (let i = this.variables.length - 1; i >= 0; i--) {
      if (this.variables[i]!.name === name) return this.variables[i]!.value;
    }
    if (name === '$env') return this.scope.all();
    const v = this.scope.lookup(name);
    return v === undefined ? fault(`unknown name ${name}`) : v;
  }

  private binary(op: string, leftNode: Node, rightNode: Node): Value {
    const left = this.eval(leftNode);
    switch (op) {
      case 'and':
      case '&&':
        return asBool(left) ? this.eval(rightNode) : false;
      case 'or':
      case '||':
        return asBool(left) ? true : this.eval(rightNode);
      case '??':
        return left !== null ? left : this.eval(rightNode);
    }
    const right = this.eval(rightNode);
    switch (op) {
      case '==':
        return equal(left, right);
      case '!=':
        return !equal(left, right);
      case '<':
      case '>':
      case '<=':
      case '>=':
        return compare(op, left, right);
      case '+':
        return add(left, right);
      case '-':
        return subtract(left, right);
      case '*':
        return multiply(left, right);
      case '/':
        return divide(left, right);
      case '%':
        return modulo(left, right);
      case '**':
      case '^':
        return power(left, right);
      case 'in':
        return contains(right, left);
      case 'matches':
        if (left === null || right === null) return false;
        if (typeof left !== 'string') {
          return fault(`interface conversion: interface {} is ${typeName(left)}, not []uint8`);
        }
        return regexp(asString(right)).test(left);
      case 'contains':
      case 'startsWith':
      case 'endsWith': {
        if (left === null || right === null) return false;
        const a = asString(left);
        const b = asString(right);
        return op === 'contains' ? a.includes(b) : op === 'startsWith' ? a.startsWith(b) : a.endsWith(b);
      }
      case '..': {
        const from = toInt(left, 'int');
        const to = toInt(right, 'int');
        const size = Math.max(to - from + 1, 0);
        if (size > 1e6) return fault('memory budget exceeded');
        return Array.from({ length: size }, (_, i) => BigInt(from + i));
      }
    }
    return fault(`unknown operator (${op})`);
  }

  private member(node: MemberNode): Value {
    const base = this.eval(node.node);
    if (base === null && node.optional) throw chainBreak;
    const key = this.eval(node.property);
    return fetch(base, key);
  }

  private slice(base: Value, fromNode: Node | undefined, toNode: Node | undefined): Value {
    const from = fromNode === undefined ? 0 : toInt(this.eval(fromNode), 'int');
    let len: number;
    if (typeof base === 'string') len = byteLength(base);
    else if (isArray(base)) len = base.length;
    else if (toNode === undefined) return fault(`invalid argument for len (type ${typeName(base)})`);
    else
      return fault(`cannot slice ${formatValue(from === 0 && fromNode === undefined ? 0n : BigInt(from))}`);
    const to = toNode === undefined ? len : toInt(this.eval(toNode), 'int');
    let a = from < 0 ? len + from : from;
    let b = to < 0 ? len + to : to;
    a = Math.max(a, 0);
    b = Math.min(Math.max(b, 0), len);
    if (a > b) a = b;
    return typeof base === 'string' ? sliceString(base, a, b) : base.slice(a, b);
  }

  /** Runs `body` for each element with `#` bound; `body` returns false to stop early. */
  private loop(
    collection: Value,
    body: (it: Iteration) => boolean | undefined,
    acc: Value = null,
    start = 0,
  ): Value {
    const items = iterable(collection);
    const it: Iteration = { item: null, index: 0, acc };
    for (let i = start; i < items.length; i++) {
      const frame: Iteration = { item: elementAt(items, i), index: i, acc: it.acc };
      this.iterations.push(frame);
      let go: boolean | undefined;
      try {
        go = body(frame);
      } finally {
        this.iterations.pop();
      }
      it.acc = frame.acc;
      if (go === false) break;
    }
    return it.acc;
  }

  private builtin(node: BuiltinNode): Value {
    const { name, args } = node;
    const collection = (): Value => this.eval(args[0]!);
    const test = (): boolean => asBool(this.eval(args[1]!));
    switch (name) {
      case 'all': {
        let result = true;
        this.loop(collection(), () => {
          result = test();
          return result;
        });
        return result;
      }
      case 'any': {
        let result = false;
        this.loop(collection(), () => {
          result = test();
          return !result;
        });
        return result;
      }
      case 'none': {
        let result = true;
        this.loop(collection(), () => {
          result = !test();
          return result;
        });
        return result;
      }
      case 'one': {
        let count = 0;
        this.loop(collection(), () => {
          if (test()) count++;
          return undefined;
        });
        return count === 1;
      }
      case 'filter': {
        const out: Value[] = [];
        this.loop(collection(), (it) => {
          if (test()) out.push(it.item);
          return undefined;
        });
        return out;
      }
      case 'map': {
        const out: Value[] = [];
        this.loop(collection(), () => {
          out.push(this.eval(args[1]!));
          return undefined;
        });
        return out;
      }
      case 'count': {
        let count = 0n;
        this.loop(collection(), (it) => {
          if (args.length === 2 ? test() : asBool(it.item)) count++;
          return undefined;
        });
        return count;
      }
      case 'sum': {
        let total: Value = 0n;
        this.loop(collection(), (it) => {
          total = add(args.length === 2 ? this.eval(args[1]!) : it.item, total);
          return undefined;
        });
        return total;
      }
      case 'find':
      case 'findIndex': {
        let found: Value = null;
        this.loop(collection(), (it) => {
          if (!test()) return undefined;
          found = name === 'find' ? it.item : BigInt(it.index);
          return false;
        });
        return found;
      }
      case 'findLast':
      case 'findLastIndex': {
        const items = iterable(collection());
        for (let i = items.length - 1; i >= 0; i--) {
          const frame: Iteration = { item: elementAt(items, i), index: i, acc: null };
          this.iterations.push(frame);
          try {
            if (test()) return name === 'findLast' ? frame.item : BigInt(i);
          } finally {
            this.iterations.pop();
          }
        }
        return null;
      }
      case 'groupBy': {
        const groups = new Map<string, Value[]>();
        this.loop(collection(), (it) => {
          const key = this.eval(args[1]!);
          if (typeof key !== 'string')
            fault(`groupBy: only string keys are supported (got ${typeName(key)})`);
          const group = groups.get(key) ?? [];
          group.push(it.item);
          groups.set(key, group);
          return undefined;
        });
        return groups;
      }
      case 'sortBy':
        return this.sortBy(collection(), args[1]!, args[2]);
      case 'reduce': {
        const items = iterable(collection());
        let start = 0;
        let acc: Value;
        if (args.length === 3) {
          acc = this.eval(args[2]!);
        } else {
          if (items.length === 0) return fault('reduce of empty array with no initial value');
          acc = elementAt(items, 0);
          start = 1;
        }
        return this.loop(
          items,
          (it) => {
            it.acc = this.eval(args[1]!);
            return undefined;
          },
          acc,
          start,
        );
      }
      case 'get':
        return get(this.eval(args[0]!), this.eval(args[1]!));
    }
    const b = builtins.get(name);
    if (b === undefined) return fault(`unknown builtin ${name}`);
    return b.run(args.map((a) => this.eval(a)));
  }

  private sortBy(collection: Value, keyNode: Node, orderNode: Node | undefined): Value {
    const keyed: Array<{ item: Value; key: Value }> = [];
    this.loop(collection, (it) => {
      keyed.push({ item: it.item, key: this.eval(keyNode) });
      return undefined;
    });
    const order = orderNode === undefined ? 'asc' : this.eval(orderNode);
    if (order !== 'asc' && order !== 'desc')
      return fault(`unknown order ${formatValue(order)}, use asc or desc`);
    keyed.sort((x, y) => (compare('<', x.key, y.key) ? -1 : compare('>', x.key, y.key) ? 1 : 0));
    if (order === 'desc') keyed.reverse();
    return keyed.map((k) => k.item);
  }
}

/** The elements a predicate builtin iterates; upstream fails in `reflect` for anything else. */
function iterable(v: Value): ArrayValue {
  if (isArray(v)) return v;
  return fault(`reflect: call of reflect.Value.Len on ${v === null ? 'zero' : `${typeName(v)}`} Value`);
}

/** Upstream's `runtime.Fetch`: index an array or string, look up a map key. */
export function fetch(base: Value, key: Value): Value {
  if (isArray(base) || typeof base === 'string') {
    const len = typeof base === 'string' ? byteLength(base) : base.length;
    let i = toInt(key, 'int');
    if (i < 0) i += len;
    if (i < 0 || i >= len) return fault(`index out of range: ${i} (array length is ${len})`);
    if (typeof base === 'string') return BigInt(Buffer.from(base, 'utf8')[i]!);
    return elementAt(base, i);
  }
  if (isMap(base)) {
    if (key === null) return base.get('') ?? null;
    if (typeof key !== 'string') {
      return fault(`reflect.Value.MapIndex: value of type ${typeName(key)} is not assignable to type string`);
    }
    return base.get(key) ?? null;
  }
  return fault(`cannot fetch ${formatValue(key)} from ${typeName(base)}`);
}

/** `get(v, i)`: like indexing, but nil instead of an error when absent. */
function get(base: Value, key: Value): Value {
  try {
    return base === null ? null : fetch(base, key);
  } catch (err) {
    if (err instanceof RuntimeFault) return null;
    throw err;
  }
}

/** Upstream's `runtime.In`: membership in an array, key of a map. */
function contains(haystack: Value, needle: Value): boolean {
  if (haystack === null) return false;
  if (isArray(haystack)) {
    for (let i = 0; i < haystack.length; i++) if (equal(elementAt(haystack, i), needle)) return true;
    return false;
  }
  if (isMap(haystack)) {
    if (needle === null) return haystack.has('');
    if (typeof needle !== 'string') {
      return fault(
        `reflect.Value.MapIndex: value of type ${typeName(needle)} is not assignable to type string`,
      );
    }
    return haystack.has(needle);
  }
  return fault(`operator "in" not defined on ${typeName(haystack)}`);
}

/** Calls an env function, converting ints to float parameters as upstream's checker arranges. */
function call(fn: Value, args: Value[]): Value {
  if (fn === null) return fault('invalid operation: cannot call nil');
  if (!(fn instanceof ExprFunction))
    return fault(`invalid operation: cannot call non-function of type ${typeName(fn)}`);
  const converted = args.map((arg, i) => {
    const want = i < fn.params.length ? fn.params[i] : fn.variadic;
    if (want === undefined || want.kind === 'unknown') return arg;
    if (want.kind === 'float' && typeof arg === 'bigint') return Number(arg);
    const ok =
      (want.kind === 'float' && typeof arg === 'number') ||
      (want.kind === 'int' && typeof arg === 'bigint') ||
      (want.kind === 'string' && typeof arg === 'string') ||
      (want.kind === 'bool' && typeof arg === 'boolean') ||
      (want.kind === 'array' && isArray(arg)) ||
      (want.kind === 'map' && isMap(arg));
    if (!ok)
      fault(
        `reflect: Call using ${arg === null ? 'zero Value' : typeName(arg)} as type ${wantName(want.kind)}`,
      );
    return arg;
  });
  if (converted.length < fn.params.length) return fault(`not enough arguments to call ${fn.name}`);
  return fn.impl(converted);
}

function wantName(kind: string): string {
  return kind === 'float' ? 'float64' : kind;
}
