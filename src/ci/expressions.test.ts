// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is GitHub expression syntax under test, not a JS placeholder
/**
 * Vectors from docs.github.com "Evaluate expressions in workflows and actions" (literals, operators,
 * coercion table, function examples) and the operator/coercion tables of the
 * `github-actions-expressions` crate's test data, which restate GitHub's behaviour.
 */
import { describe, expect, it } from 'vitest';
import {
  type ExpressionScope,
  type ExprValue,
  evaluateCondition,
  evaluateExpression,
  evaluateValue,
  interpolate,
} from './expressions.ts';

const scope = (
  contexts: Record<string, ExprValue> = {},
  extra: Partial<ExpressionScope> = {},
): ExpressionScope => ({
  contexts: {
    github: {
      event_name: 'push',
      sha: 'abc123',
      ref: 'refs/heads/main',
      event: { issue: { labels: [{ name: 'bug' }, { name: 'help wanted' }] } },
    },
    env: { REGISTRY: 'ghcr.io' },
    steps: { tag: { outputs: { tag: 'deadbee' }, outcome: 'success', conclusion: 'success' } },
    ...contexts,
  },
  ...extra,
});
const ev = (src: string, contexts?: Record<string, ExprValue>) => evaluateExpression(src, scope(contexts));

describe('literals (docs: Example of literals)', () => {
  it.each<[string, ExprValue]>([
    ['null', null],
    ['false', false],
    ['true', true],
    ['711', 711],
    ['-9.2', -9.2],
    ['0xff', 255],
    ['-2.99e-2', -0.0299],
    ["'Mona the Octocat'", 'Mona the Octocat'],
    ["'It''s open source!'", "It's open source!"],
    ['1e3', 1000],
    ['0o10', 8],
  ])('%s', (src, want) => expect(ev(src)).toBe(want));

  it('renders literals into env values as GitHub does', () => {
    expect(evaluateValue('${{ null }}', scope())).toBe(null);
    expect(interpolate('${{ null }}', scope())).toBe('');
    expect(interpolate('${{ false }}', scope())).toBe('false');
    expect(interpolate('${{ 0xff }}', scope())).toBe('255');
    expect(interpolate("${{ 'It''s open source!' }}", scope())).toBe("It's open source!");
  });

  it('rejects double-quoted strings', () => {
    expect(() => ev('"x"')).toThrow(/single quotes/);
  });
});

describe('operators and coercion', () => {
  it.each<[string, boolean]>([
    // coerce_number: null, booleans, strings to numbers
    ['null == 0', true],
    ['true == 1', true],
    ['false == 0', true],
    ["'' == 0", true],
    ["' 123456.789 ' == 123456.789", true],
    ["' +123456.789 ' == 123456.789", true],
    ["' -123456.789 ' == -123456.789", true],
    ["' 0xff ' == 255", true],
    ["' 0xFF ' == 255", true],
    ["' 0o10 ' == 8", true],
    ["' Infinity ' == Infinity", true],
    ["' -Infinity ' == -Infinity", true],
    ["' NaN ' != NaN", true],
    ["'abc' == NaN", false],
    ['NaN == NaN', false],
    // strings compare case-insensitively
    ["'ABC' == 'abc'", true],
    ["'abc' != 'ABD'", true],
    // op_lt / op_gt
    ['false < true', true],
    ['true < true', false],
    ['1 < 2', true],
    ['1.001 < 1.002', true],
    ["'abc' < 'def'", true],
    ["'b' < 'a'", false],
    ["'def' > 'abc'", true],
    ['2 > 1', true],
    ['1 >= 1', true],
    ['1 <= 0', false],
    ["'a' < 1", false],
    // null-vs-string coercion goes through numbers
    ["null == ''", true],
    ["'1' == true", true],
  ])('%s → %s', (src, want) => expect(ev(src)).toBe(want));

  it('compares arrays and objects by identity only', () => {
    expect(ev('test < test', { test: [] })).toBe(false);
    expect(ev('test == test', { test: {} })).toBe(true);
    expect(ev("fromJSON('[]') == fromJSON('[]')")).toBe(false);
    expect(ev('test == 0', { test: [] })).toBe(false);
  });

  it('&& and || return an operand, ! negates truthiness', () => {
    expect(ev("'a' && 'b'")).toBe('b');
    expect(ev("'' && 'b'")).toBe('');
    expect(ev("'' || 'b'")).toBe('b');
    expect(ev('0 || null')).toBe(null);
    expect(ev('!0')).toBe(true);
    expect(ev("!'x'")).toBe(false);
    expect(ev("!fromJSON('{}')")).toBe(false);
  });

  it('binds ! tighter than comparisons, comparisons tighter than == , == tighter than && and ||', () => {
    expect(ev('1 < 2 == true')).toBe(true);
    expect(ev('true || false && false')).toBe(true);
    expect(ev('!false == true')).toBe(true);
    expect(ev('(true || false) && false')).toBe(false);
  });
});

describe('property access', () => {
  it('reads contexts, nested properties and indexes, case-insensitively', () => {
    expect(ev('github.sha')).toBe('abc123');
    expect(ev('steps.tag.outputs.tag')).toBe('deadbee');
    expect(ev("github['event_name']")).toBe('push');
    expect(ev('GITHUB.EVENT_NAME')).toBe('push');
    expect(ev('env.REGISTRY')).toBe('ghcr.io');
    expect(ev("fromJSON('[10,20]')[1]")).toBe(20);
  });

  it('missing properties are null', () => {
    expect(ev('steps.nope.outputs.tag')).toBe(null);
    expect(ev('github.sha.length')).toBe(null);
    expect(interpolate('x${{ steps.none.outputs.a }}y', scope())).toBe('xy');
  });

  it('filters with * (docs: join(github.event.issue.labels.*.name))', () => {
    expect(ev('github.event.issue.labels.*.name')).toEqual(['bug', 'help wanted']);
    expect(ev("join(github.event.issue.labels.*.name, ', ')")).toBe('bug, help wanted');
    expect(ev("contains(github.event.issue.labels.*.name, 'bug')")).toBe(true);
  });

  it('names an unknown context', () => {
    expect(() => ev('vars.X')).toThrow(/unrecognized named-value 'vars'/);
  });
});

describe('functions (docs examples)', () => {
  it.each<[string, ExprValue]>([
    ["contains('Hello world', 'llo')", true],
    ["contains('Hello world', 'LLO')", true],
    ['contains(fromJSON(\'["push", "pull_request"]\'), github.event_name)', true],
    ['contains(fromJSON(\'["pull_request"]\'), github.event_name)', false],
    ["startsWith('Hello world', 'He')", true],
    ["startsWith('Hello world', 'he')", true],
    ["endsWith('Hello world', 'ld')", true],
    ["endsWith('Hello world', 'LD')", true],
    ["format('Hello {0} {1} {2}', 'Mona', 'the', 'Octocat')", 'Hello Mona the Octocat'],
    ["format('{{Hello {0} {1} {2}!}}', 'Mona', 'the', 'Octocat')", '{Hello Mona the Octocat!}'],
    ['join(fromJSON(\'["a","b"]\'))', 'a,b'],
    ["join('abc', '-')", 'abc'],
    ['toJSON(fromJSON(\'{"a":1}\'))', '{\n  "a": 1\n}'],
    ["fromJSON('true')", true],
    ["fromJSON('42') == 42", true],
  ])('%s', (src, want) => expect(ev(src)).toEqual(want));

  it('names an unknown function and bad arity', () => {
    expect(() => ev('nope(1)')).toThrow(/unrecognized function 'nope'/);
    expect(() => ev("contains('a')")).toThrow(/takes 2 argument/);
    expect(() => ev("format('{1}', 'a')")).toThrow(/invalid placeholder/);
    expect(() => ev("fromJSON('{')")).toThrow(/fromJSON/);
  });

  it('hashFiles calls the caller and is an error where unavailable', () => {
    expect(() => ev("hashFiles('x')")).toThrow(/not available/);
    const s = scope({}, { hashFiles: (p) => `h:${p.join('|')}` });
    expect(evaluateExpression("hashFiles('a', '!b')", s)).toBe('h:a|!b');
  });

  it('status functions read the job status', () => {
    const failed = scope({}, { status: 'failure' });
    expect(evaluateExpression('success()', failed)).toBe(false);
    expect(evaluateExpression('failure()', failed)).toBe(true);
    expect(evaluateExpression('always()', failed)).toBe(true);
    expect(evaluateExpression('cancelled()', scope({}, { status: 'cancelled' }))).toBe(true);
  });
});

describe('interpolation and whole-value expressions', () => {
  it("keeps the type of a whole-value expression (the seed's push: input)", () => {
    expect(evaluateValue("${{ github.event_name == 'push' }}", scope())).toBe(true);
    expect(
      evaluateValue("${{ github.event_name == 'push' }}", scope({ github: { event_name: 'pull_request' } })),
    ).toBe(false);
  });

  it("substitutes several expressions (the seed's tags:)", () => {
    const tags =
      '${{ env.REGISTRY }}/acme/api:${{ steps.tag.outputs.tag }}\n${{ env.REGISTRY }}/acme/api:latest\n';
    expect(evaluateValue(tags, scope())).toBe('ghcr.io/acme/api:deadbee\nghcr.io/acme/api:latest\n');
  });

  it("does not end an expression at '}}' inside a string", () => {
    expect(interpolate("a${{ format('{0}}}', 'x') }}b", scope())).toBe('ax}b');
  });

  it('reports an unclosed ${{', () => {
    expect(() => interpolate('a ${{ github.sha', scope())).toThrow(/never closed/);
  });
});

describe('if: conditions', () => {
  const ok = scope();
  const failed = scope({}, { status: 'failure' });
  it.each<[string | undefined, ExpressionScope, boolean]>([
    [undefined, ok, true],
    [undefined, failed, false],
    ["github.event_name == 'push'", ok, true],
    ["${{ github.event_name == 'push' }}", ok, true],
    // implicit success() && …
    ["github.event_name == 'push'", failed, false],
    ["failure() && github.event_name == 'push'", failed, true],
    ['always()', failed, true],
    ['${{ always() }}', failed, true],
    ["github.ref == 'refs/heads/dev'", ok, false],
    ['', ok, true],
  ])('%s', (cond, s, want) => expect(evaluateCondition(cond, s)).toBe(want));

  it('a boolean condition is honoured', () => {
    expect(evaluateCondition(false as unknown as string, ok)).toBe(false);
  });
});
