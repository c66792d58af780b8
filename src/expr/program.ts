/**
 * Compiled programs: parse once, then type-check and evaluate against many envs.
 *
 * A check result is cached per env "shape" (the natures of the variables the expression uses), so
 * evaluating the same condition against a stream of metric results checks it once.
 *
 * @module
 */
import type { Node } from './ast.ts';
import { check } from './checker.ts';
import { ExprError } from './errors.ts';
import { evaluate as evaluateTree, type Scope } from './eval.ts';
import { type Nature, natureKey, natureOf } from './nature.ts';
import { parse } from './parser.ts';
import { ExprFunction, INT64_MAX, INT64_MIN, type Value } from './values.ts';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Names the expression in every error, e.g. `AnalysisTemplate/ns/name: metrics[0].successCondition`. */
  subject?: string;
}

/** Env variables as callers hold them: JSON-like data, bigints for ints, {@link ExprFunction}s. */
export type Env = Readonly<Record<string, unknown>>;

/** Converts a JS value into a {@link Value}; `path` names it in errors. */
export function toValue(v: unknown, path: string): Value {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string':
    case 'number':
      return v;
    case 'bigint':
      if (v < INT64_MIN || v > INT64_MAX) throw new TypeError(`${path}: ${v} does not fit in a 64-bit int`);
      return v;
  }
  if (v instanceof Float64Array || v instanceof ExprFunction) return v;
  if (Array.isArray(v)) {
    // Arrays of primitives (the usual metric result) are used as they are.
    if (v.every((x) => typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean')) return v;
    return v.map((x, i) => toValue(x, `${path}[${i}]`));
  }
  if (v instanceof Map) {
    const out = new Map<string, Value>();
    for (const [k, x] of v) {
      if (typeof k !== 'string') throw new TypeError(`${path}: map keys must be strings`);
      out.set(k, toValue(x, `${path}.${k}`));
    }
    return out;
  }
  if (
    typeof v === 'object' &&
    (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)
  ) {
    const out = new Map<string, Value>();
    for (const [k, x] of Object.entries(v)) out.set(k, toValue(x, `${path}.${k}`));
    return out;
  }
  const kind = typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
  throw new TypeError(`${path}: unsupported value of type ${kind}`);
}

/** Converts a result back to plain JS: ints become numbers when safe (bigint otherwise), maps objects. */
export function toJs(v: Value): unknown {
  if (typeof v === 'bigint') return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
  if (v instanceof Float64Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(toJs);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toJs(x)]));
  return v;
}

/** Names of the env variables an expression reads (`$env` meaning all of them). */
function referencedNames(node: Node, out: Set<string>, declared: Set<string> = new Set()): Set<string> {
  switch (node.kind) {
    case 'identifier':
      if (!declared.has(node.name)) out.add(node.name);
      break;
    case 'let': {
      referencedNames(node.value, out, declared);
      const inner = new Set(declared).add(node.name);
      referencedNames(node.expr, out, inner);
      break;
    }
    default:
      for (const child of children(node)) referencedNames(child, out, declared);
  }
  return out;
}

function letNames(node: Node, out: string[] = []): string[] {
  if (node.kind === 'let') out.push(node.name);
  for (const child of children(node)) letNames(child, out);
  return out;
}

/** The direct children of a node. */
export function children(node: Node): Node[] {
  switch (node.kind) {
    case 'unary':
    case 'chain':
    case 'predicate':
      return [node.node];
    case 'binary':
      return [node.left, node.right];
    case 'member':
      return [node.node, node.property];
    case 'slice':
      return [node.node, ...(node.from ? [node.from] : []), ...(node.to ? [node.to] : [])];
    case 'call':
      return [node.callee, ...node.args];
    case 'builtin':
      return [...node.args];
    case 'conditional':
      return [node.cond, node.exp1, node.exp2];
    case 'array':
    case 'sequence':
      return [...node.nodes];
    case 'map':
      return [...node.pairs];
    case 'pair':
      return [node.key, node.value];
    case 'let':
      return [node.value, node.expr];
    default:
      return [];
  }
}

const maxCachedShapes = 32;

/** A parsed expression, reusable across envs. Create with {@link compile}. */
export class Program {
  readonly source: string;
  readonly ast: Node;
  private readonly subject: string | undefined;
  private readonly names: readonly string[];
  private readonly usesAll: boolean;
  /** Names bound by `let`; the checker refuses those that shadow env variables. */
  private readonly letNames: readonly string[];
  private readonly checked = new Map<string, Nature | ExprError>();

  constructor(source: string, options: CompileOptions = {}) {
    this.source = source;
    this.subject = options.subject;
    this.ast = parse(source, { subject: options.subject });
    const names = referencedNames(this.ast, new Set());
    this.usesAll = names.has('$env');
    names.delete('$env');
    this.names = [...names];
    this.letNames = letNames(this.ast);
  }

  /**
   * Type-checks the program against an env and returns the nature of its result.
   * Throws {@link ExprError} (phase `check`).
   */
  check(env: Env): Nature {
    return this.checkValues(this.scopeOf(env));
  }

  /** Checks and evaluates the program against `env`. Throws {@link ExprError} or `TypeError` for bad env values. */
  run(env: Env): Value {
    const scope = this.scopeOf(env);
    this.checkValues(scope);
    return evaluateTree(this.ast, scope, this.source, this.subject);
  }

  /** Like {@link run}, and also returns the statically known result nature (used for `%T`-style messages). */
  runWithNature(env: Env): { value: Value; nature: Nature } {
    const scope = this.scopeOf(env);
    const nature = this.checkValues(scope);
    return { value: evaluateTree(this.ast, scope, this.source, this.subject), nature };
  }

  private scopeOf(env: Env): Scope & { natures: Map<string, Nature> } {
    const values = new Map<string, Value>();
    const natures = new Map<string, Nature>();
    const names = this.usesAll ? Object.keys(env) : this.names;
    for (const name of names) {
      if (!Object.hasOwn(env, name)) continue;
      const v = toValue(env[name], name);
      values.set(name, v);
      natures.set(name, natureOf(v));
    }
    // The checker refuses a `let` that shadows an env variable, so it must see those names.
    for (const name of this.letNames) {
      if (Object.hasOwn(env, name) && !natures.has(name)) natures.set(name, { kind: 'unknown' });
    }
    return {
      natures,
      lookup: (name) => values.get(name),
      all: () => values,
    };
  }

  private checkValues(scope: { natures: Map<string, Nature> }): Nature {
    const keyNames = this.usesAll ? [...scope.natures.keys()].sort() : [...this.names, ...this.letNames];
    const key = keyNames
      .map((n) => `${n}=${scope.natures.has(n) ? natureKey(scope.natures.get(n)!) : '-'}`)
      .join(';');
    let result = this.checked.get(key);
    if (result === undefined) {
      try {
        result = check(this.ast, scope.natures, this.source, this.subject);
      } catch (err) {
        if (!(err instanceof ExprError)) throw err;
        result = err;
      }
      if (this.checked.size >= maxCachedShapes) this.checked.clear();
      this.checked.set(key, result);
    }
    if (result instanceof ExprError) throw result;
    return result;
  }
}

/** Parses an expression once for repeated evaluation. Throws {@link ExprError} (phase `parse`). */
export function compile(source: string, options: CompileOptions = {}): Program {
  return new Program(source, options);
}

/** Parses, checks and evaluates an expression in one go. */
export function evaluate(source: string, env: Env = {}, options: CompileOptions = {}): Value {
  return compile(source, options).run(env);
}
