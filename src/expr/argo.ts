/**
 * Argo Rollouts' use of expr: the functions it adds to the env (`asInt`, `asFloat`, `isNaN`,
 * `isInf`, `isNil`, `default`), `EvalCondition` and `EvaluateResult`, with Argo's exact rules and
 * messages (`argoproj/argo-rollouts: utils/evaluate/evaluate.go`).
 *
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import { parseGoFloat } from './builtins.ts';
import { ExprError, fault } from './errors.ts';
import { boolNature, floatNature, int64Nature, type Nature, natureName, unknown } from './nature.ts';
import { compile, type Program, toValue } from './program.ts';
import { ExprFunction, floatToInt, INT64_MAX, INT64_MIN, typeName, type Value } from './values.ts';

/** The phase of one measurement, as Argo's `AnalysisPhase`. */
export type AnalysisPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** A metric's conditions; an empty or absent string means "not set", as in Argo. */
export interface MetricConditions {
  successCondition?: string | undefined;
  failureCondition?: string | undefined;
}

/** The outcome of {@link evaluateResult}: a phase, and for `Error` the reason. */
export type EvaluateResultOutcome =
  | { readonly phase: 'Successful' | 'Failed' | 'Inconclusive' }
  | { readonly phase: 'Error'; readonly error: SlipwayError };

/** Go's `%v %v` of `reflect.TypeOf(in), in` in Argo's "not supported" panics. */
function describeArgument(v: Value): string {
  if (v === null) return '<nil> <nil>';
  return `${typeName(v)} ${typeof v === 'string' ? v : String(v)}`;
}

/** Go's `strconv.ParseInt(s, 10, 64)`. */
function parseInt64(s: string): bigint {
  if (!/^[+-]?\d+$/.test(s)) return fault(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX)
    return fault(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** `asInt(x)`: numbers truncated to int64, decimal strings parsed; Argo panics on anything else. */
export const asInt = new ExprFunction('asInt', [unknown], int64Nature, ([v = null]) => {
  if (typeof v === 'number') return floatToInt(v);
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') return parseInt64(v);
  return fault(`asInt() not supported on ${describeArgument(v)}`);
});

/** `asFloat(x)`: numbers as float64, strings parsed with Go's `strconv.ParseFloat`. */
export const asFloat = new ExprFunction('asFloat', [unknown], floatNature, ([v = null]) => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const f = parseGoFloat(v);
    return f ?? fault(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  return fault(`asFloat() not supported on ${describeArgument(v)}`);
});

/** `isNaN(f)`: Go's `math.IsNaN`, typed `func(float64) bool`. */
export const isNaNFunction = new ExprFunction('isNaN', [floatNature], boolNature, ([f]) => Number.isNaN(f));

/** `isInf(f)`: `math.IsInf(f, 0)`. */
export const isInfFunction = new ExprFunction(
  'isInf',
  [floatNature],
  boolNature,
  ([f]) => f === Number.POSITIVE_INFINITY || f === Number.NEGATIVE_INFINITY,
);

/** Argo's `isNil`: nil (JS `null`/`undefined`) for a metric result. */
export function isNilResult(result: unknown): boolean {
  return result === null || result === undefined;
}

/**
 * The env Argo Rollouts evaluates a condition in. Note Argo's quirk, kept here: `isNil(x)` and
 * `default(x, d)` ignore their first argument and look at the measurement's `result` itself.
 */
export function argoEnv(result: unknown): Record<string, unknown> {
  const nil = isNilResult(result);
  return {
    result: nil ? null : result,
    asInt,
    asFloat,
    isNaN: isNaNFunction,
    isInf: isInfFunction,
    isNil: new ExprFunction('isNil', [unknown], boolNature, () => nil),
    default: new ExprFunction('default', [unknown, unknown], unknown, ([, fallback = null]) =>
      nil ? fallback : toValue(result, 'result'),
    ),
  };
}

const programs = new Map<string, Program>();
const maxPrograms = 512;

function programFor(condition: string): Program {
  let program = programs.get(condition);
  if (program === undefined) {
    program = compile(condition);
    if (programs.size >= maxPrograms) programs.clear();
    programs.set(condition, program);
  }
  return program;
}

/** What `%T` prints for a condition's non-bool output: the static type when known (`int64` from `asInt`). */
function outputType(value: Value, nature: Nature): string {
  return nature.kind === 'int' || nature.kind === 'float' || nature.kind === 'string'
    ? natureName(nature)
    : typeName(value);
}

/**
 * Argo's `EvalCondition`: evaluates `condition` with `result` (and Argo's functions) in the env and
 * requires a bool. Errors carry Argo's bare message (no position: Argo unwraps expr's `file.Error`);
 * the positioned {@link ExprError} is the `cause`.
 *
 * @example
 * evaluateCondition('result[0] >= 0.99', Float64Array.of(0.995)) // true
 */
export function evaluateCondition(condition: string, result: unknown): boolean {
  let outcome: { value: Value; nature: Nature };
  try {
    outcome = programFor(condition).runWithNature(argoEnv(result));
  } catch (err) {
    if (err instanceof ExprError) throw new SlipwayError(err.description, { reason: err.reason, cause: err });
    if (err instanceof TypeError)
      throw new SlipwayError(err.message, { reason: 'InvalidMetricResult', cause: err });
    throw err;
  }
  if (typeof outcome.value !== 'boolean') {
    throw new SlipwayError(`expected bool, but got ${outputType(outcome.value, outcome.nature)}`, {
      reason: 'ExprTypeError',
    });
  }
  return outcome.value;
}

function isNilOrEmpty(result: unknown): boolean {
  if (isNilResult(result)) return true;
  return (Array.isArray(result) || result instanceof Float64Array) && result.length === 0;
}

function wrap(err: unknown, conditionType: string, expression: string, result: unknown): SlipwayError {
  const reason = err instanceof SlipwayError ? err.reason : 'ExprError';
  if (isNilOrEmpty(result)) {
    return new SlipwayError(
      `could not evaluate ${conditionType} "${expression}": metric result is nil or empty: no data returned from the metric provider`,
      { reason, cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new SlipwayError(`could not evaluate ${conditionType} "${expression}": ${message}`, {
    reason,
    cause: err,
  });
}

/**
 * Argo's `EvaluateResult`: the phase of a measurement from its success and failure conditions.
 *
 * - neither set: `Successful`;
 * - only `successCondition`: `Successful` when true, else `Failed`;
 * - only `failureCondition`: `Failed` when true, else `Successful`;
 * - both: `Failed` when the failure condition holds, else `Successful` when the success condition
 *   holds, else `Inconclusive`;
 * - any evaluation error: `Error`.
 */
export function evaluateResult(result: unknown, metric: MetricConditions): EvaluateResultOutcome {
  const success = metric.successCondition ?? '';
  const failure = metric.failureCondition ?? '';
  let successCondition = false;
  let failCondition = false;
  for (const [expression, conditionType] of [
    [success, 'successCondition'],
    [failure, 'failureCondition'],
  ] as const) {
    if (expression === '') continue;
    try {
      const holds = evaluateCondition(expression, result);
      if (conditionType === 'successCondition') successCondition = holds;
      else failCondition = holds;
    } catch (err) {
      return { phase: 'Error', error: wrap(err, conditionType, expression, result) };
    }
  }
  if (success === '' && failure === '') return { phase: 'Successful' };
  if (success !== '' && failure === '') failCondition = !successCondition;
  if (success === '' && failure !== '') successCondition = !failCondition;
  if (failCondition) return { phase: 'Failed' };
  if (!successCondition) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}
