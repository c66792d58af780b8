/** Vectors from fluxcd/image-reflector-controller internal/policy/filter_test.go, plus RE2 spellings. */
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../util/errors.ts';
import { compileTagFilter, expandTemplate } from './filter.ts';

describe('compileTagFilter (upstream TestRegexFilter)', () => {
  const complex = [
    '123-123.123.abcd123-debug',
    '123-123.123.abcd123',
    '123-123.123.abcd456-debug',
    '123-123.123.abcd456',
  ];
  it.each([
    { label: 'none', tags: ['a'], pattern: '', extract: '', expected: ['a'] },
    {
      label: 'valid pattern',
      tags: ['ver1', 'ver2', 'ver3', 'rel1'],
      pattern: '^ver',
      extract: '',
      expected: ['ver1', 'ver2', 'ver3'],
    },
    {
      label: 'valid pattern with capture group',
      tags: ['ver1', 'ver2', 'ver3', 'rel1'],
      pattern: 'ver(\\d+)',
      extract: '$1',
      expected: ['1', '2', '3'],
    },
    {
      label: 'complex regex 1',
      tags: complex,
      pattern: '^(123-[0-9]+\\.[0-9]+\\.[a-z0-9]+-debug)',
      extract: '',
      expected: ['123-123.123.abcd123-debug', '123-123.123.abcd456-debug'],
    },
    {
      label: 'complex regex 2 (named group)',
      tags: complex,
      pattern: '^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+[^-debug])',
      extract: '$tag',
      expected: ['123-123.123.abcd123', '123-123.123.abcd456'],
    },
    {
      label: 'complex regex 3 (named group, anchored)',
      tags: complex,
      pattern: '^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+$)',
      extract: '$tag',
      expected: ['123-123.123.abcd123', '123-123.123.abcd456'],
    },
  ])('$label', ({ tags, pattern, extract, expected }) => {
    const values = [...compileTagFilter({ pattern, extract }).apply(tags).keys()].sort();
    expect(values).toEqual(expected);
  });

  it('maps each extracted value back to its tag', () => {
    const f = compileTagFilter({ pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' });
    expect(f.apply(['main-abc123-1700000000', 'main-def456-1700000100', 'latest', 'v1.2.3'])).toEqual(
      new Map([
        ['1700000000', 'main-abc123-1700000000'],
        ['1700000100', 'main-def456-1700000100'],
      ]),
    );
  });

  it('reports an invalid pattern with the pattern (upstream "invalid regex")', () => {
    expect(() => compileTagFilter({ pattern: '^test-(.*', extract: '$1' })).toThrow(SlipwayError);
    expect(() => compileTagFilter({ pattern: '^test-(.*', extract: '$1' })).toThrow(
      /filter pattern "\^test-\(\.\*".*invalid regular expression/,
    );
  });
});

describe('RE2 patterns in filters', () => {
  it.each([
    ['^(?P<ts>[0-9]+)$', ['17'], ['a17']],
    ['(?i)^RELEASE\\.(?P<timestamp>.*)Z$', ['release.2024Z', 'RELEASE.xZ'], ['RELEASE-xZ']],
    ['\\Av[0-9]+\\z', ['v12'], ['v12\n', 'xv1']],
    ['^[[:alnum:]_]+$', ['a_1'], ['a-1']],
    ['[]a]', [']', 'a'], ['b']],
    ['[^]a]', ['b'], [']', 'a']],
  ])('%s', (pattern, matching, notMatching) => {
    const f = compileTagFilter({ pattern });
    for (const tag of matching) expect(f.regex.test(tag), tag).toBe(true);
    for (const tag of notMatching) expect(f.regex.test(tag), tag).toBe(false);
  });

  it('refuses what RE2 rejects, naming the pattern', () => {
    expect(() => compileTagFilter({ pattern: '(a)\\1' })).toThrow(
      /filter pattern "\(a\)\\\\1": invalid regular expression pattern/,
    );
  });
});

describe('expandTemplate (Go Regexp.Expand)', () => {
  const m = /^(?<name>[a-z]+)-(\d+)(-x)?$/.exec('rel-42')!;
  // Go templates, not JavaScript ones: `${name}` is meant literally.
  const brace = (s: string) => `\${${s}}`;
  it.each([
    ['$name', 'rel'],
    [brace('name'), 'rel'],
    ['$1/$2', 'rel/42'],
    [`${brace('2')}x`, '42x'],
    ['$2x', ''], // "$2x" names the group "2x", which does not exist
    ['$3', ''], // did not take part
    ['$9', ''], // no such group
    ['$$1', '$1'],
    ['cost: $', 'cost: $'],
    ['$' + '{name', '$' + '{name'],
    ['$01', ''], // a leading zero makes it a name
    ['plain', 'plain'],
  ])('%j → %j', (template, expected) => {
    expect(expandTemplate(template, m)).toBe(expected);
  });
});
