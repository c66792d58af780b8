/**
 * Argo Rollouts' `utils/evaluate/evaluate_test.go`, ported: EvaluateResult phases, EvalCondition,
 * and the env functions (asInt, asFloat, isNaN, isInf, isNil, default).
 */
import { describe, expect, it } from 'vitest';
import type { SlipwayError } from '../util/errors.ts';
import { argoEnv, asFloat, asInt, ExprError, evaluateCondition, evaluateResult } from './index.ts';

const invalidRefCondition = 'a == true';

describe('evaluateResult (Argo EvaluateResult)', () => {
  it.each([
    ['both set, success holds', 'true', 'false', 'Successful'],
    ['both set, failure holds', 'true', 'true', 'Failed'],
    ['both set, neither holds', 'false', 'false', 'Inconclusive'],
    ['only failure set, not failing', '', 'false', 'Successful'],
    ['only success set, not successful', 'false', '', 'Failed'],
    ['neither set', '', '', 'Successful'],
    ['only failure set, failing', '', 'true', 'Failed'],
    ['only success set, successful', 'true', '', 'Successful'],
  ] as const)('%s', (_name, successCondition, failureCondition, phase) => {
    expect(evaluateResult(true, { successCondition, failureCondition })).toEqual({ phase });
  });

  it('is Error when the success condition cannot be evaluated', () => {
    const outcome = evaluateResult(true, { successCondition: invalidRefCondition, failureCondition: 'true' });
    expect(outcome.phase).toBe('Error');
    if (outcome.phase !== 'Error') return;
    expect(outcome.error.message).toBe('could not evaluate successCondition "a == true": unknown name a');
  });

  it('is Error when the failure condition cannot be evaluated', () => {
    const outcome = evaluateResult(true, {
      successCondition: 'true',
      failureCondition: 'invalidVar == true',
    });
    expect(outcome.phase).toBe('Error');
    if (outcome.phase !== 'Error') return;
    expect(outcome.error.message).toContain('could not evaluate failureCondition');
    expect(outcome.error.message).toContain('invalidVar == true');
  });

  it.each([
    ['nil', null],
    ['an empty slice', new Float64Array(0)],
    ['an empty array', []],
  ])('explains a %s result', (_name, result) => {
    const outcome = evaluateResult(result, { successCondition: 'result[0] >= 0.95' });
    expect(outcome.phase).toBe('Error');
    if (outcome.phase !== 'Error') return;
    expect(outcome.error.message).toBe(
      'could not evaluate successCondition "result[0] >= 0.95": metric result is nil or empty: no data returned from the metric provider',
    );
  });

  it('keeps the positioned expr error as the cause', () => {
    const outcome = evaluateResult(Float64Array.of(1), { successCondition: 'result[0] >= "x"' });
    if (outcome.phase !== 'Error') throw new Error('expected an error');
    const cause = (outcome.error.cause as SlipwayError).cause;
    expect(cause).toBeInstanceOf(ExprError);
    expect((cause as ExprError).column).toBe(11);
  });
});

describe('evaluateCondition (Argo EvalCondition)', () => {
  it('compares the result', () => {
    expect(evaluateCondition('result == true', true)).toBe(true);
    expect(evaluateCondition('result == false', true)).toBe(false);
  });

  it('refuses a non-bool result with Go type names', () => {
    expect(() => evaluateCondition('1', true)).toThrow(
      expect.objectContaining({ message: 'expected bool, but got int', reason: 'ExprTypeError' }),
    );
    expect(() => evaluateCondition('asInt(result)', '3')).toThrow('expected bool, but got int64');
    expect(() => evaluateCondition('result', 1.5)).toThrow('expected bool, but got float64');
    expect(() => evaluateCondition('result', null)).toThrow('expected bool, but got <nil>');
  });

  it('names unknown variables without position, as Argo unwraps file errors', () => {
    expect(() => evaluateCondition('invalidVariable', true)).toThrow(
      expect.objectContaining({ message: 'unknown name invalidVariable', reason: 'ExprTypeError' }),
    );
  });

  it('walks nested maps (TestEvaluateArray)', () => {
    const result = { service_apdex: { label: null, values: { values: [2, 2] } } };
    expect(evaluateCondition('all(result.service_apdex.values.values, {# > 1})', result)).toBe(true);
  });

  it('finds a value in a []float64 (TestEvaluateInOperator)', () => {
    expect(evaluateCondition('2 in result', Float64Array.of(2, 2))).toBe(true);
  });

  it('compares a float64 (TestEvaluateFloat64)', () => {
    expect(evaluateCondition('result > 1', 5)).toBe(true);
  });

  it('refuses methods on a bool (TestEvaluateInvalidStruct)', () => {
    expect(() => evaluateCondition("result.Name() == 'hi'", true)).toThrow('type bool has no method Name');
  });

  it('fails asInt on a decimal string (TestEvaluateAsIntPanic)', () => {
    expect(() => evaluateCondition('asInt(result) == 1.1', '1.1')).toThrow(
      'strconv.ParseInt: parsing "1.1": invalid syntax',
    );
  });

  it.each([
    ['1', 'asInt(result) == 1', true],
    [1n, 'asInt(result) == 1', true],
    [1.123, 'asInt(result) == 1', true],
  ])('asInt(%s) (TestEvaluateAsInt)', (input, expression, want) => {
    expect(evaluateCondition(expression, input)).toBe(want);
  });

  it.each([
    ['NotANum', 'asFloat(result) == 1.1', /strconv\.ParseFloat: parsing "NotANum": invalid syntax/],
    ['1.1', 'asFloat(result) == "1.1"', /invalid operation: == \(mismatched types float64 and string\)/],
  ])('asFloat error for %s (TestEvaluateAsFloatError)', (input, expression, pattern) => {
    expect(() => evaluateCondition(expression, input)).toThrow(pattern);
  });

  it.each([
    ['1.1', 'asFloat(result) == 1.1'],
    ['1.1', 'asFloat(result) >= 1.1'],
    ['1.1', 'asFloat(result) <= 1.1'],
    [1.1, 'asFloat(result) == 1.1'],
    [1n, 'asFloat(result) == 1'],
    [1n, 'asFloat(result) >= 1'],
  ])('asFloat(%s) (TestEvaluateAsFloat)', (input, expression) => {
    expect(evaluateCondition(expression, input)).toBe(true);
  });

  it('evaluates the common Prometheus conditions', () => {
    expect(evaluateCondition('result[0] >= 0.99', Float64Array.of(0.995))).toBe(true);
    expect(evaluateCondition('len(result) > 0 && all(result, {# > 0.9})', Float64Array.of(0.95, 0.91))).toBe(
      true,
    );
    expect(evaluateCondition('len(result) > 0 && all(result, {# > 0.9})', new Float64Array(0))).toBe(false);
    expect(evaluateCondition('isNaN(result) || result < 0.5', Number.NaN)).toBe(true);
    expect(evaluateCondition('isInf(result)', Number.POSITIVE_INFINITY)).toBe(true);
  });

  it('types []float64 elements statically, as Argo sees Prometheus vectors', () => {
    expect(() => evaluateCondition('result[0] == "x"', Float64Array.of(1))).toThrow(
      'invalid operation: == (mismatched types float64 and string)',
    );
    // A JSON array's elements are interface{}: the same comparison is simply false.
    expect(evaluateCondition('result[0] == "x"', [1])).toBe(false);
  });
});

describe('Argo env functions', () => {
  it.each([
    ['1', 1n],
    ['-42', -42n],
  ])('asInt parses %s (TestAsInt)', (input, want) => {
    expect(asInt.impl([input])).toBe(want);
  });

  it.each(['notint', '1.1'])('asInt refuses %s (TestAsInt)', (input) => {
    expect(() => asInt.impl([input])).toThrow(/strconv\.ParseInt/);
  });

  it('asInt refuses other types like Argo', () => {
    expect(() => asInt.impl([true])).toThrow('asInt() not supported on bool true');
  });

  it.each([
    ['1', 1],
    ['1.1', 1.1],
  ])('asFloat parses %s (TestAsFloat)', (input, want) => {
    expect(asFloat.impl([input])).toBe(want);
  });

  it('asFloat refuses a non-number (TestAsFloat)', () => {
    expect(() => asFloat.impl(['notfloat'])).toThrow(
      'strconv.ParseFloat: parsing "notfloat": invalid syntax',
    );
  });

  it('isNil and default look at the measurement result, not their argument (TestDefaultFunc, TestIsNilFunc)', () => {
    expect(evaluateCondition('isNil(result)', null)).toBe(true);
    expect(evaluateCondition('isNil(result)', 1)).toBe(false);
    expect(evaluateCondition('isNil(result)', false)).toBe(false);
    expect(evaluateCondition('isNil(123)', null)).toBe(true);
    expect(evaluateCondition('default(result, 0) == 0', null)).toBe(true);
    expect(evaluateCondition('default(result, 2) == 2', undefined)).toBe(true);
    expect(evaluateCondition('default(result, 0) == 1', 1)).toBe(true);
  });

  it('builds the env Argo evaluates in', () => {
    expect(Object.keys(argoEnv(1)).sort()).toEqual([
      'asFloat',
      'asInt',
      'default',
      'isInf',
      'isNaN',
      'isNil',
      'result',
    ]);
  });
});
