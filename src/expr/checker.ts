/**
 * The type checker: upstream's `checker/checker.go` rules over {@link Nature}s inferred from the
 * env, so that `1 + "a"`, `unknown name x` or `asFloat(result) == "1.1"` fail before evaluation
 * with upstream's messages, while operations on statically unknown values (JSON contents) are left
 * to run-time checks, as upstream leaves them.
 *
 * @module
 */
import type { BuiltinNode, MemberNode, Node } from './ast.ts';
import { builtins, type Signature, unsupportedBuiltins } from './builtins.ts';
import { ExprError } from './errors.ts';
import {
  anyArray,
  anyMap,
  arrayOf,
  assignable,
  boolNature,
  comparable,
  elemOf,
  floatNature,
  intNature,
  isNumber,
  isUnknown,
  type Nature,
  natureName,
  nilNature,
  stringNature,
  unknown,
} from './nature.ts';
import { compileGoRegexp, RegexpError } from './regexp.ts';

/** What the checker knows of the env: the nature of each variable. */
export type EnvNatures = ReadonlyMap<string, Nature>;

/** Type-checks `node` against the env; returns the nature of the result. Throws {@link ExprError} (phase `check`). */
export function check(node: Node, env: EnvNatures, source: string, subject?: string): Nature {
  return new Checker(env, source, subject).visit(node);
}

/** A check failure at a node; carries the upstream message. */
class TypeFault extends Error {
  constructor(
    message: string,
    readonly node: Node,
  ) {
    super(message);
  }
}

interface PredicateScope {
  readonly collection: Nature;
  readonly vars: ReadonlyMap<string, Nature>;
}

type Check = 'bool' | 'string' | 'int' | 'number' | 'map' | 'array';

function isAnyOf(n: Nature, checks: readonly Check[]): boolean {
  return checks.some((c) =>
    c === 'number'
      ? isNumber(n)
      : c === 'int'
        ? n.kind === 'int'
        : c === 'bool'
          ? n.kind === 'bool'
          : n.kind === c,
  );
}

/** Upstream's `MaybeCompatible`: one side unknown and the other passes a check (or both unknown). */
function maybe(l: Nature, r: Nature, ...checks: Check[]): boolean {
  return (
    (isUnknown(l) && isUnknown(r)) ||
    (isUnknown(l) && isAnyOf(r, checks)) ||
    (isUnknown(r) && isAnyOf(l, checks))
  );
}

class Checker {
  private readonly predicates: PredicateScope[] = [];
  private readonly variables: Array<{ name: string; nature: Nature }> = [];

  constructor(
    private readonly env: EnvNatures,
    private readonly source: string,
    private readonly subject: string | undefined,
  ) {}

  visit(node: Node): Nature {
    try {
      return this.node(node);
    } catch (err) {
      if (err instanceof TypeFault) {
        throw new ExprError(err.message, 'check', this.source, err.node.loc, { subject: this.subject });
      }
      throw err;
    }
  }

  private node(node: Node): Nature {
    switch (node.kind) {
      case 'nil':
        return nilNature;
      case 'bool':
        return boolNature;
      case 'int':
        return intNature;
      case 'float':
        return floatNature;
      case 'string':
        return stringNature;
      case 'identifier':
        return this.identifier(node.name, node);
      case 'unary':
        return this.unary(node.op, this.node(node.node), node);
      case 'binary':
        return this.binary(node.op, node.left, node.right, node);
      case 'chain':
        return this.node(node.node);
      case 'member':
        return this.member(node);
      case 'slice': {
        const base = this.node(node.node);
        if (isUnknown(base)) return unknown;
        if (base.kind !== 'string' && base.kind !== 'array')
          throw new TypeFault(`cannot slice ${natureName(base)}`, node);
        for (const bound of [node.from, node.to]) {
          if (bound === undefined) continue;
          const n = this.node(bound);
          if (n.kind !== 'int' && !isUnknown(n))
            throw new TypeFault(`non-integer slice index ${natureName(n)}`, bound);
        }
        return base;
      }
      case 'call':
        return this.call(node.callee, node.args, node);
      case 'builtin':
        return this.builtin(node);
      case 'predicate':
        return { kind: 'predicate', out: this.node(node.node) };
      case 'pointer':
        return this.pointer(node.name, node);
      case 'conditional': {
        const cond = this.node(node.cond);
        if (cond.kind !== 'bool' && !isUnknown(cond)) {
          throw new TypeFault(`non-bool expression (type ${natureName(cond)}) used as condition`, node.cond);
        }
        const t1 = this.node(node.exp1);
        const t2 = this.node(node.exp2);
        if (t1.kind === 'nil') return t2;
        if (t2.kind === 'nil') return t1;
        if (assignable(t1, t2)) {
          if (
            t1.kind === 'array' &&
            t2.kind === 'array' &&
            !(assignable(t1.elem, t2.elem) && assignable(t2.elem, t1.elem))
          ) {
            return anyArray;
          }
          return t1;
        }
        return unknown;
      }
      case 'array': {
        let prev: Nature = unknown;
        let same = true;
        node.nodes.forEach((n, i) => {
          const cur = this.node(n);
          if (i > 0 && cur.kind !== prev.kind) same = false;
          prev = cur;
        });
        return same ? arrayOf(prev) : anyArray;
      }
      case 'map':
        for (const pair of node.pairs) this.node(pair);
        return anyMap;
      case 'pair':
        this.node(node.key);
        this.node(node.value);
        return nilNature;
      case 'let': {
        if (this.env.has(node.name)) throw new TypeFault(`cannot redeclare ${node.name}`, node);
        if (builtins.has(node.name) || unsupportedBuiltins.has(node.name)) {
          throw new TypeFault(`cannot redeclare builtin ${node.name}`, node);
        }
        if (this.variables.some((v) => v.name === node.name)) {
          throw new TypeFault(`cannot redeclare variable ${node.name}`, node);
        }
        const nature = this.node(node.value);
        this.variables.push({ name: node.name, nature });
        const out = this.node(node.expr);
        this.variables.pop();
        return out;
      }
      case 'sequence': {
        let last: Nature = unknown;
        for (const n of node.nodes) last = this.node(n);
        return last;
      }
    }
  }

  private identifier(name: string, node: Node): Nature {
    for (let i = this.variables.length - 1; i >= 0; i--) {
      if (this.variables[i]!.name === name) return this.variables[i]!.nature;
    }
    if (name === '$env') return unknown;
    const nature = this.env.get(name);
    if (nature === undefined) throw new TypeFault(`unknown name ${name}`, node);
    return nature;
  }

  private unary(op: string, n: Nature, node: Node): Nature {
    if (op === '!' || op === 'not') {
      if (n.kind === 'bool' || isUnknown(n)) return boolNature;
    } else if (isNumber(n)) {
      return n;
    } else if (isUnknown(n)) {
      return unknown;
    }
    throw new TypeFault(`invalid operation: ${op} (mismatched type ${natureName(n)})`, node);
  }

  private binary(op: string, leftNode: Node, rightNode: Node, node: Node): Nature {
    const l = this.node(leftNode);
    const r = this.node(rightNode);
    const numeric = (): Nature =>
      isUnknown(l) || isUnknown(r)
        ? unknown
        : l.kind === 'float' || r.kind === 'float'
          ? floatNature
          : intNature;
    switch (op) {
      case '==':
      case '!=':
        if (comparable(l, r)) return boolNature;
        break;
      case 'or':
      case '||':
      case 'and':
      case '&&':
        if ((l.kind === 'bool' && r.kind === 'bool') || maybe(l, r, 'bool')) return boolNature;
        break;
      case '<':
      case '>':
      case '>=':
      case '<=':
        if ((isNumber(l) && isNumber(r)) || (l.kind === 'string' && r.kind === 'string')) return boolNature;
        if (maybe(l, r, 'number', 'string')) return boolNature;
        break;
      case '-':
      case '*':
        if (isNumber(l) && isNumber(r)) return numeric();
        if (maybe(l, r, 'number')) return unknown;
        break;
      case '+':
        if (isNumber(l) && isNumber(r)) return numeric();
        if (l.kind === 'string' && r.kind === 'string') return stringNature;
        if (maybe(l, r, 'number', 'string')) return unknown;
        break;
      case '/':
      case '**':
      case '^':
        if ((isNumber(l) && isNumber(r)) || maybe(l, r, 'number')) return floatNature;
        break;
      case '%':
        if ((l.kind === 'int' && r.kind === 'int') || maybe(l, r, 'int')) return intNature;
        break;
      case 'in':
        if (r.kind === 'map') {
          if (!isUnknown(l) && !assignable(l, stringNature)) {
            throw new TypeFault(`cannot use ${natureName(l)} as type string in map key`, node);
          }
          return boolNature;
        }
        if (r.kind === 'array') {
          if (!comparable(l, r.elem)) {
            throw new TypeFault(`cannot use ${natureName(l)} as type ${natureName(r.elem)} in array`, node);
          }
          return boolNature;
        }
        if (isUnknown(l) && isAnyOf(r, ['string', 'array', 'map'])) return boolNature;
        if (isUnknown(r)) return boolNature;
        break;
      case 'matches':
        if (rightNode.kind === 'string') {
          try {
            compileGoRegexp(rightNode.value);
          } catch (err) {
            if (err instanceof RegexpError) throw new TypeFault(err.message, node);
            throw err;
          }
        }
        if ((l.kind === 'string' && r.kind === 'string') || maybe(l, r, 'string')) return boolNature;
        break;
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if ((l.kind === 'string' && r.kind === 'string') || maybe(l, r, 'string')) return boolNature;
        break;
      case '..':
        if ((l.kind === 'int' && r.kind === 'int') || maybe(l, r, 'int')) return arrayOf(intNature);
        break;
      case '??':
        if (l.kind === 'nil') return r;
        if (r.kind === 'nil') return l;
        return assignable(r, l) ? l : unknown;
      default:
        throw new TypeFault(`unknown operator (${op})`, node);
    }
    throw new TypeFault(
      `invalid operation: ${op} (mismatched types ${natureName(l)} and ${natureName(r)})`,
      node,
    );
  }

  private member(node: MemberNode): Nature {
    const { node: baseNode, property } = node;
    if (baseNode.kind === 'identifier' && baseNode.name === '$env' && property.kind === 'string') {
      const n = this.env.get(property.value);
      if (n === undefined && !node.optional) throw new TypeFault(`unknown name ${property.value}`, node);
      return n ?? unknown;
    }
    const base = this.node(baseNode);
    const prop = this.node(property);
    if (isUnknown(base)) return unknown;
    if (property.kind === 'string' && base.kind === 'nil') {
      throw new TypeFault(`type nil has no field ${property.value}`, node);
    }
    if (base.kind === 'map') {
      if (!assignable(prop, stringNature) && !isUnknown(prop)) {
        throw new TypeFault(
          `cannot use ${natureName(prop)} to get an element from ${natureName(base)}`,
          property,
        );
      }
      return base.elem;
    }
    if (base.kind === 'array') {
      if (prop.kind !== 'int' && !isUnknown(prop)) {
        throw new TypeFault(
          `array elements can only be selected using an integer (got ${natureName(prop)})`,
          property,
        );
      }
      return base.elem;
    }
    if (property.kind === 'string') {
      const what = node.method ? 'method' : 'field';
      throw new TypeFault(`type ${natureName(base)} has no ${what} ${property.value}`, node);
    }
    throw new TypeFault(`type ${natureName(base)}[${natureName(prop)}] is undefined`, node);
  }

  private call(callee: Node, args: readonly Node[], node: Node): Nature {
    if (callee.kind === 'identifier' && callee.name === '$env') {
      throw new TypeFault('map[string]interface {} is not callable', node);
    }
    const fn = this.node(callee);
    if (isUnknown(fn)) {
      for (const a of args) this.node(a);
      return unknown;
    }
    const name =
      callee.kind === 'identifier'
        ? callee.name
        : callee.kind === 'member' && callee.property.kind === 'string'
          ? callee.property.value
          : 'function';
    if (fn.kind === 'func') {
      if (fn.fn === undefined) return unknown;
      const signature: Signature = fn.fn.variadic
        ? { params: fn.fn.params, variadic: fn.fn.variadic, result: fn.fn.result }
        : { params: fn.fn.params, result: fn.fn.result };
      const result = this.checkArguments(name, signature, args, node);
      if (typeof result === 'string') throw new TypeFault(result, this.faultNode ?? node);
      return result;
    }
    if (fn.kind === 'nil') throw new TypeFault(`${name} is nil; cannot call nil as function`, node);
    throw new TypeFault(`${natureName(fn)} is not callable`, node);
  }

  /** The node a failed `checkArguments` points at (an argument, or the call). */
  private faultNode: Node | undefined;

  /** Upstream's `checkArguments`: arity, then each argument against its parameter. */
  private checkArguments(name: string, sig: Signature, args: readonly Node[], node: Node): Nature | string {
    this.faultNode = node;
    const n = sig.params.length;
    if (sig.variadic ? args.length < n : args.length !== n) {
      for (const a of args) this.node(a);
      return args.length > n && !sig.variadic
        ? `too many arguments to call ${name}`
        : `not enough arguments to call ${name}`;
    }
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const got = this.node(arg);
      const want = i < n ? sig.params[i]! : sig.variadic!;
      if (want.kind === 'float' && got.kind === 'int') continue; // upstream rewrites int literals to floats
      if (want.kind === 'int' && got.kind === 'int') continue;
      if (got.kind === 'nil') {
        if (want.kind === 'unknown') continue;
        this.faultNode = arg;
        return `cannot use nil as argument (type ${natureName(want)}) to call ${name}`;
      }
      if (!assignable(got, want) && !isUnknown(got)) {
        this.faultNode = arg;
        // The trailing space is upstream's.
        return `cannot use ${natureName(got)} as argument (type ${natureName(want)}) to call ${name} `;
      }
    }
    return sig.result;
  }

  private pointer(name: string, node: Node): Nature {
    const scope = this.predicates.at(-1);
    if (scope === undefined) throw new TypeFault('cannot use pointer accessor outside predicate', node);
    if (name === '') {
      if (isUnknown(scope.collection)) return unknown;
      if (scope.collection.kind === 'array') return scope.collection.elem;
      throw new TypeFault(`cannot use ${natureName(scope.collection)} as array`, node);
    }
    const v = scope.vars.get(name);
    if (v === undefined) throw new TypeFault(`unknown pointer #${name}`, node);
    return v;
  }

  /** Visits a predicate with `#` bound to the collection's elements. */
  private predicate(collection: Nature, node: Node, vars: ReadonlyMap<string, Nature> = new Map()): Nature {
    this.predicates.push({ collection, vars });
    try {
      const n = this.node(node);
      return n.kind === 'predicate' ? n.out : n;
    } finally {
      this.predicates.pop();
    }
  }

  private builtin(node: BuiltinNode): Nature {
    const { name, args } = node;
    const collectionOf = (): Nature => {
      const c = this.node(args[0]!);
      if (c.kind !== 'array' && !isUnknown(c)) {
        throw new TypeFault(`builtin ${name} takes only array (got ${natureName(c)})`, args[0]!);
      }
      return c;
    };
    const boolOut = (out: Nature): void => {
      if (out.kind !== 'bool' && !isUnknown(out)) {
        throw new TypeFault(`predicate should return boolean (got ${natureName(out)})`, args[1]!);
      }
    };
    switch (name) {
      case 'all':
      case 'none':
      case 'any':
      case 'one': {
        const c = collectionOf();
        boolOut(this.predicate(c, args[1]!));
        return boolNature;
      }
      case 'filter': {
        const c = collectionOf();
        boolOut(this.predicate(c, args[1]!));
        return isUnknown(c) ? anyArray : arrayOf(elemOf(c));
      }
      case 'map': {
        const c = collectionOf();
        return arrayOf(this.predicate(c, args[1]!, new Map([['index', intNature]])));
      }
      case 'count': {
        const c = collectionOf();
        if (args.length === 2) boolOut(this.predicate(c, args[1]!));
        return intNature;
      }
      case 'sum': {
        const c = collectionOf();
        if (args.length === 2) return this.predicate(c, args[1]!);
        return isUnknown(c) ? unknown : elemOf(c);
      }
      case 'find':
      case 'findLast': {
        const c = collectionOf();
        boolOut(this.predicate(c, args[1]!));
        return isUnknown(c) ? unknown : elemOf(c);
      }
      case 'findIndex':
      case 'findLastIndex': {
        const c = collectionOf();
        boolOut(this.predicate(c, args[1]!));
        return intNature;
      }
      case 'groupBy': {
        const c = collectionOf();
        this.predicate(c, args[1]!);
        return { kind: 'map', name: 'map[interface {}][]interface {}', elem: arrayOf(elemOf(c)) };
      }
      case 'sortBy': {
        const c = collectionOf();
        this.predicate(c, args[1]!);
        if (args.length === 3) {
          const order = this.node(args[2]!);
          if (order.kind !== 'string' && !isUnknown(order)) {
            throw new TypeFault(
              `sortBy order argument must be a string (got ${natureName(order)})`,
              args[2]!,
            );
          }
        }
        return c;
      }
      case 'reduce': {
        const c = collectionOf();
        const out = this.predicate(
          c,
          args[1]!,
          new Map([
            ['index', intNature],
            ['acc', unknown],
          ]),
        );
        if (args.length === 3) this.node(args[2]!);
        return out;
      }
      case 'get': {
        if (args.length !== 2)
          throw new TypeFault(`invalid number of arguments (expected 2, got ${args.length})`, node);
        const base = this.node(args[0]!);
        const prop = this.node(args[1]!);
        if (isUnknown(base)) return unknown;
        if (base.kind === 'array') {
          if (prop.kind !== 'int' && !isUnknown(prop))
            throw new TypeFault(`non-integer slice index ${natureName(prop)}`, args[1]!);
          return base.elem;
        }
        if (base.kind === 'map') {
          if (!assignable(prop, stringNature) && !isUnknown(prop)) {
            throw new TypeFault(
              `cannot use ${natureName(prop)} to get an element from ${natureName(base)}`,
              args[1]!,
            );
          }
          return base.elem;
        }
        throw new TypeFault(`type ${natureName(base)} does not support indexing`, args[0]!);
      }
    }
    if (unsupportedBuiltins.has(name)) {
      throw new TypeFault(`builtin ${name} is not supported by Slipway's expression evaluator`, node);
    }
    const b = builtins.get(name);
    if (b === undefined) throw new TypeFault(`unknown builtin ${name}`, node);
    if (b.validate) {
      const result = b.validate(args.map((a) => this.node(a)));
      if ('error' in result) throw new TypeFault(result.error, node);
      return result;
    }
    let last: string | undefined;
    let lastNode: Node = node;
    for (const overload of b.overloads ?? []) {
      const result = this.checkArguments(name, overload, args, node);
      if (typeof result !== 'string') return result;
      last = result;
      lastNode = this.faultNode ?? node;
    }
    throw new TypeFault(last ?? `no matching overload for ${name}`, lastNode);
  }
}
