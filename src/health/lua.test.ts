/**
 * The Lua semantics the script ports rely on, checked against gopher-lua v1.1.2 (the version argo-cd
 * uses): `tonumber` vectors recorded from it (`testdata/recorded/lua-tonumber.json`), and its error
 * texts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eq, getn, index, ipairs, lt, runHealthScript, tonumber, truthy } from './lua.ts';

const vectors: Array<{ input: string; result: number | null }> = JSON.parse(
  readFileSync(new URL('./testdata/recorded/lua-tonumber.json', import.meta.url), 'utf8'),
);

describe('tonumber, as recorded from gopher-lua', () => {
  it.each(vectors)('tonumber($input)', ({ input, result }) => {
    expect(tonumber(input)).toBe(result ?? undefined);
  });

  it('passes numbers through and gives nil for other types', () => {
    expect(tonumber(3)).toBe(3);
    for (const value of [true, null, undefined, {}, []]) expect(tonumber(value)).toBeUndefined();
  });
});

describe('Lua value semantics', () => {
  it('indexes tables, yields nil on strings and lists, fails on other values', () => {
    expect(index({ a: 1 }, 'a', 1)).toBe(1);
    expect(index({ a: null }, 'a', 1)).toBeUndefined();
    expect(index({}, 'constructor', 1)).toBeUndefined();
    expect(index([1], 'a', 1)).toBeUndefined();
    expect(index('text', 'a', 1)).toBeUndefined();
    expect(runHealthScript(() => ({ status: index(undefined, 'spec', 7), message: '' }))).toEqual({
      status: 'Unknown',
      message: "<string>:7: attempt to index a non-table object(nil) with key 'spec'",
    });
    expect(runHealthScript(() => ({ status: index(false, 'x', 2), message: '' })).message).toBe(
      "<string>:2: attempt to index a non-table object(boolean) with key 'x'",
    );
  });

  it('compares numbers and strings (by bytes) and fails on mixed types', () => {
    expect(lt(1, 2, 1)).toBe(true);
    expect(lt('b', 'a', 1)).toBe(false);
    // U+FFFF sorts before U+1F600 in UTF-8, after it in UTF-16.
    expect(lt('\uffff', '\u{1f600}', 1)).toBe(true);
    expect(runHealthScript(() => ({ status: lt(1, '2', 9), message: '' })).message).toBe(
      '<string>:9: attempt to compare number with string',
    );
  });

  it('treats only nil and false as false, and nil as equal to nil', () => {
    expect([0, '', 'false', {}].every(truthy)).toBe(true);
    expect([false, null, undefined].some(truthy)).toBe(false);
    expect(eq(null, undefined)).toBe(true);
    expect(eq(1, '1')).toBe(false);
    expect(eq({}, {})).toBe(false);
  });

  it('iterates lists without their null items, and tables without an array part not at all', () => {
    expect(ipairs([1, null, 2], 1)).toEqual([1, 2]);
    expect(ipairs({ 1: 'a' }, 1)).toEqual([]);
    expect(getn([null, 'x'], 1)).toBe(1);
    expect(runHealthScript(() => ({ status: ipairs(undefined, 100), message: '' })).message).toBe(
      '<string>:100: bad argument #1 to ipairs (table expected, got nil)',
    );
    expect(runHealthScript(() => ({ status: getn('x', 44), message: '' })).message).toBe(
      '<string>:44: bad argument #1 to getn (table expected, got string)',
    );
  });
});

describe('runHealthScript result', () => {
  it('accepts the six health codes and drops an empty message', () => {
    expect(runHealthScript(() => ({ status: 'Missing', message: '' }))).toEqual({ status: 'Missing' });
    expect(runHealthScript(() => ({ status: 'Healthy', message: undefined }))).toEqual({ status: 'Healthy' });
  });

  it('turns other statuses into Unknown with Argo CD message', () => {
    for (const status of ['', 'healthy', 'Paused', undefined]) {
      expect(runHealthScript(() => ({ status, message: 'm' }))).toEqual({
        status: 'Unknown',
        message: 'Lua returned an invalid health status',
      });
    }
  });

  it('names non-string results instead of leaving the status empty', () => {
    expect(runHealthScript(() => ({ status: 'Healthy', message: 5 }))).toEqual({
      status: 'Unknown',
      message: 'health script returned a string status and a number message; both must be strings',
    });
  });

  it('lets programming errors through', () => {
    expect(() =>
      runHealthScript(() => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});
