/**
 * The syntax tree of an expr-lang expression, shaped after upstream's `ast/node.go`.
 *
 * Locations are rune (code point) offsets into the source, as upstream counts them, so error
 * positions match `expr`'s `(line:column)` output even for non-ASCII expressions.
 *
 * @module
 */

/** A half-open span `[from, to)` of code points in the expression source. */
export interface Loc {
  readonly from: number;
  readonly to: number;
}

/** `nil` */
export interface NilNode {
  readonly kind: 'nil';
  readonly loc: Loc;
}
/** `true` / `false` */
export interface BoolNode {
  readonly kind: 'bool';
  readonly value: boolean;
  readonly loc: Loc;
}
/** An integer literal; held as a bigint because expr's `int` is 64-bit. */
export interface IntNode {
  readonly kind: 'int';
  readonly value: bigint;
  readonly loc: Loc;
}
/** A float literal (`1.5`, `.5`, `1e3`). */
export interface FloatNode {
  readonly kind: 'float';
  readonly value: number;
  readonly loc: Loc;
}
/** A string literal, already unescaped. */
export interface StringNode {
  readonly kind: 'string';
  readonly value: string;
  readonly loc: Loc;
}
/** A name: an env variable, a `let` variable or `$env`. */
export interface IdentifierNode {
  readonly kind: 'identifier';
  readonly name: string;
  readonly loc: Loc;
}
/** `not x`, `!x`, `-x`, `+x`. */
export interface UnaryNode {
  readonly kind: 'unary';
  readonly op: string;
  readonly node: Node;
  readonly loc: Loc;
}
/** Any binary operator, including `and`, `in`, `matches`, `..`, `??`. */
export interface BinaryNode {
  readonly kind: 'binary';
  readonly op: string;
  readonly left: Node;
  readonly right: Node;
  readonly loc: Loc;
}
/** `a.b`, `a?.b`, `a[i]`, `a?.[i]`; `method` marks `a.b(...)`. */
export interface MemberNode {
  readonly kind: 'member';
  readonly node: Node;
  readonly property: Node;
  readonly optional: boolean;
  readonly method: boolean;
  readonly loc: Loc;
}
/** The root of an optional chain: a `nil` anywhere inside short-circuits the whole chain to `nil`. */
export interface ChainNode {
  readonly kind: 'chain';
  readonly node: Node;
  readonly loc: Loc;
}
/** `a[from:to]` with either bound optional. */
export interface SliceNode {
  readonly kind: 'slice';
  readonly node: Node;
  readonly from: Node | undefined;
  readonly to: Node | undefined;
  readonly loc: Loc;
}
/** A call of an env function, e.g. Argo's `asInt(result)`. */
export interface CallNode {
  readonly kind: 'call';
  readonly callee: Node;
  readonly args: readonly Node[];
  readonly loc: Loc;
}
/** A call of a language builtin (`len`, `all`, `filter`, ...). */
export interface BuiltinNode {
  readonly kind: 'builtin';
  readonly name: string;
  readonly args: readonly Node[];
  readonly loc: Loc;
}
/** The closure argument of `all`, `filter`, ...: `{# > 0}` or a bare expression. */
export interface PredicateNode {
  readonly kind: 'predicate';
  readonly node: Node;
  readonly loc: Loc;
}
/** `#` (name `''`), `#index`, `#acc`; `.field` is a member node on an unnamed pointer. */
export interface PointerNode {
  readonly kind: 'pointer';
  readonly name: string;
  readonly loc: Loc;
}
/** `c ? a : b`, `c ?: b` (ternary) or `if c { a } else { b }`. */
export interface ConditionalNode {
  readonly kind: 'conditional';
  readonly ternary: boolean;
  readonly cond: Node;
  readonly exp1: Node;
  readonly exp2: Node;
  readonly loc: Loc;
}
/** `[a, b]` */
export interface ArrayNode {
  readonly kind: 'array';
  readonly nodes: readonly Node[];
  readonly loc: Loc;
}
/** One `key: value` of a map literal; identifier and number keys are string nodes. */
export interface PairNode {
  readonly kind: 'pair';
  readonly key: Node;
  readonly value: Node;
  readonly loc: Loc;
}
/** `{a: 1, "b": 2, (expr): 3}` */
export interface MapNode {
  readonly kind: 'map';
  readonly pairs: readonly PairNode[];
  readonly loc: Loc;
}
/** `let name = value; expr` */
export interface LetNode {
  readonly kind: 'let';
  readonly name: string;
  readonly value: Node;
  readonly expr: Node;
  readonly loc: Loc;
}
/** `a; b; c` — evaluates all, yields the last. */
export interface SequenceNode {
  readonly kind: 'sequence';
  readonly nodes: readonly Node[];
  readonly loc: Loc;
}

/** Every node of the tree. */
export type Node =
  | NilNode
  | BoolNode
  | IntNode
  | FloatNode
  | StringNode
  | IdentifierNode
  | UnaryNode
  | BinaryNode
  | MemberNode
  | ChainNode
  | SliceNode
  | CallNode
  | BuiltinNode
  | PredicateNode
  | PointerNode
  | ConditionalNode
  | ArrayNode
  | PairNode
  | MapNode
  | LetNode
  | SequenceNode;
