/**
 * An evaluator for the expr-lang/expr language (github.com/expr-lang/expr v1.17), the language of
 * Argo Rollouts' `successCondition` / `failureCondition`: lexer, Pratt parser, type checker over
 * the env's types, and a Go-semantics evaluator (64-bit ints distinct from floats).
 *
 * @example
 * import { compile, evaluateCondition, evaluateResult } from '../expr/index.ts';
 * const program = compile('len(result) > 0 && all(result, {# > 0.9})');
 * program.run({ result: [0.95, 0.97] }); // true
 * evaluateCondition('result[0] >= 0.99', Float64Array.of(0.995)); // true
 * evaluateResult(Float64Array.of(0.5), { successCondition: 'result[0] >= 0.99' }); // { phase: 'Failed' }
 *
 * @module
 */
export {
  type AnalysisPhase,
  argoEnv,
  asFloat,
  asInt,
  type EvaluateResultOutcome,
  evaluateCondition,
  evaluateResult,
  isInfFunction,
  isNaNFunction,
  type MetricConditions,
} from './argo.ts';
export type { Node } from './ast.ts';
export { ExprError, type ExprErrorPhase } from './errors.ts';
export type { Nature } from './nature.ts';
export { parse } from './parser.ts';
export { printNode } from './print.ts';
export { type CompileOptions, compile, type Env, evaluate, Program, toJs, toValue } from './program.ts';
export { ExprFunction, formatValue, type Value } from './values.ts';
