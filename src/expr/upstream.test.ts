/**
 * Vectors recorded from the real expr-lang/expr v1.17.8 (`expr.Compile(code, expr.Env(env))` then
 * `expr.Run`, env decoded from JSON as Go's encoding/json does, `floats` as `[]float64`), and
 * upstream's `TestParse_error` table. Each row holds the result, or the compile or run error text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExprError, evaluate, parse, type Value } from './index.ts';
import { formatFloat } from './values.ts';

interface Row {
  code: string;
  env: Record<string, unknown>;
  floats?: string[];
  result?: unknown;
  compileError?: string;
  runError?: string;
}

const rows: Row[] = JSON.parse(
  readFileSync(new URL('./testdata/expr-v1.17.8.json', import.meta.url), 'utf8'),
);
const parseErrors: Array<{ input: string; error: string }> = JSON.parse(
  readFileSync(new URL('./testdata/parse-errors-v1.17.8.json', import.meta.url), 'utf8'),
);

/** The oracle's description of a value: Go kind plus `%v` text for scalars. */
function describeValue(v: Value): unknown {
  if (v === null) return { t: 'nil' };
  if (typeof v === 'bigint') return { t: 'int', v: v.toString() };
  if (typeof v === 'number') return { t: 'float', v: formatFloat(v) };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'string') return { t: 'string', v };
  if (v instanceof Float64Array || Array.isArray(v))
    return { t: 'array', v: Array.from(v as ArrayLike<Value>, describeValue) };
  if (v instanceof Map)
    return { t: 'map', v: Object.fromEntries([...v].map(([k, x]) => [k, describeValue(x)])) };
  return { t: 'func' };
}

function outcome(row: Row): Record<string, unknown> {
  const env: Record<string, unknown> = { ...row.env };
  for (const k of row.floats ?? []) env[k] = Float64Array.from(env[k] as number[]);
  try {
    return { result: describeValue(evaluate(row.code, env)) };
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    return err.phase === 'run' ? { runError: err.message } : { compileError: err.message };
  }
}

describe('expr v1.17.8 recorded vectors', () => {
  it('has the recorded corpus', () => {
    expect(rows.length).toBeGreaterThan(350);
  });

  it.each(rows)('$code', (row) => {
    const { code: _code, env: _env, floats: _floats, ...want } = row;
    expect(outcome(row)).toEqual(want);
  });
});

describe('upstream TestParse_error', () => {
  it.each(parseErrors)('$input', ({ input, error }) => {
    expect(() => parse(input)).toThrow(expect.objectContaining({ message: error, phase: 'parse' }));
  });
});
