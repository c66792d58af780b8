import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff.ts';
import { applyEdits, needsQuotes, parseEditable, scalarText } from './yaml-edit.ts';

describe('needsQuotes: strings that YAML 1.1 or 1.2 would read as something else', () => {
  it.each([
    '',
    '1234',
    '3.2e2',
    '1.10',
    '0755',
    '0x1F',
    'on',
    'off',
    'yes',
    'y',
    'N',
    'true',
    'null',
    '~',
    ' x',
    'a: b',
    'a #b',
    '*ref',
    '&x',
    '!tag',
    '@x',
    '-',
  ])('%j', (value) => {
    expect(needsQuotes(value)).toBe(true);
  });
  it.each([
    'abc1234',
    'v1.2.3',
    'ghcr.io/myorg/my-service',
    'localhost:5000/a',
    'sha256:abcd',
    'my-tag',
    '1.2.3',
  ])('%j stays plain', (value) => {
    expect(needsQuotes(value)).toBe(false);
    expect(scalarText(value)).toBe(value);
  });
});

describe('applyEdits', () => {
  it('applies splices from the end, two inserts at one offset keep their order', () => {
    expect(
      applyEdits('abcdef', [
        { start: 1, end: 2, text: 'B' },
        { start: 4, end: 4, text: '1' },
        { start: 4, end: 4, text: '2' },
      ]),
    ).toBe('aBcd12ef');
  });
  it('refuses overlapping splices', () => {
    expect(() =>
      applyEdits('abcdef', [
        { start: 1, end: 4, text: '' },
        { start: 2, end: 5, text: '' },
      ]),
    ).toThrow(/overlapping/);
  });
});

describe('parseEditable', () => {
  it('reads YAML 1.1 as kustomize does: on is true, 0755 is octal, dates stay strings', () => {
    const { doc } = parseEditable('f.yaml', 'a: on\nb: 0755\nc: 2001-12-14\n');
    expect(doc.toJS()).toEqual({ a: true, b: 493, c: '2001-12-14' });
  });
});

describe('lineDiff', () => {
  it('reports only the lines that differ', () => {
    expect(lineDiff('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n')).toEqual({ removed: ['b'], added: ['B', 'e'] });
    expect(lineDiff('same\n', 'same\n')).toEqual({ removed: [], added: [] });
  });
});
