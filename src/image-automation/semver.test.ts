/**
 * Vectors ported from Masterminds/semver v3 (version_test.go, constraints_test.go) and
 * fluxcd/pkg/version (version_test.go).
 */
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  formatVersion,
  parseRange,
  parseStrictVersion,
  parseTagVersion,
  parseVersion,
  rewriteHyphenRanges,
  SemverError,
  satisfies,
} from './semver.ts';

function parses(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof SemverError) return false;
    throw err;
  }
}

describe('parseStrictVersion (upstream TestStrictNewVersion)', () => {
  // [version, valid]
  const cases: Array<[string, boolean]> = [
    ['1.2.3', true],
    ['1.2.3-alpha.01', false],
    ['1.2.3+test.01', true],
    ['1.2.3-alpha.-1', true],
    ['v1.2.3', false],
    ['1.0', false],
    ['v1.0', false],
    ['1', false],
    ['v1', false],
    ['1.2', false],
    ['1.2.beta', false],
    ['v1.2.beta', false],
    ['foo', false],
    ['1.2-5', false],
    ['v1.2-5', false],
    ['1.2-beta.5', false],
    ['v1.2-beta.5', false],
    ['\n1.2', false],
    ['\nv1.2', false],
    ['1.2.0-x.Y.0+metadata', true],
    ['v1.2.0-x.Y.0+metadata', false],
    ['1.2.0-x.Y.0+metadata-width-hypen', true],
    ['v1.2.0-x.Y.0+metadata-width-hypen', false],
    ['1.2.3-rc1-with-hypen', true],
    ['1.2.3-0abc123', true],
    ['1.2.3-beta.01', false],
    ['v1.2.3-rc1-with-hypen', false],
    ['1.2.3.4', false],
    ['v1.2.3.4', false],
    ['1.2.2147483648', true],
    ['1.2147483648.3', true],
    ['2147483648.3.0', true],
    ['20221209-update-renovatejson-v4', false],
    ['1.1.2+.123', false],
    ['1.0.0-alpha_beta', false],
    ['1.0.0-alpha..', false],
    ['1.0.0-alpha..1', false],
    ['01.1.1', false],
    ['1.01.1', false],
    ['1.1.01', false],
    ['9.8.7+meta+meta', false],
    ['1.2.31----RC-SNAPSHOT.12.09.1--.12+788', false],
    ['1.2.3-0123', false],
    ['1.2.3-0123.0123', false],
    ['+invalid', false],
    ['-invalid', false],
    ['-invalid.01', false],
    ['alpha+beta', false],
    ['1.2.3-alpha_beta+foo', false],
    ['1.0.0-alpha..1', false],
  ];
  it.each(cases)('%j valid=%s', (v, valid) => {
    expect(parses(() => parseStrictVersion(v))).toBe(valid);
  });
});

describe('parseVersion, loose (upstream TestNewVersion "With loose NewVersion")', () => {
  const cases: Array<[string, boolean]> = [
    ['1.2.3', true],
    ['1.2.3-alpha.01', false],
    ['1.2.3+test.01', true],
    ['1.2.3-alpha.-1', true],
    ['v1.2.3', true],
    ['1.0', true],
    ['v1.0', true],
    ['1', true],
    ['v1', true],
    ['1.2.beta', false],
    ['v1.2.beta', false],
    ['foo', false],
    ['1.2-5', true],
    ['v1.2-5', true],
    ['1.2-beta.5', true],
    ['v1.2-beta.5', true],
    ['\n1.2', false],
    ['\nv1.2', false],
    ['1.2.0-x.Y.0+metadata', true],
    ['v1.2.0-x.Y.0+metadata', true],
    ['1.2.0-x.Y.0+metadata-width-hypen', true],
    ['v1.2.0-x.Y.0+metadata-width-hypen', true],
    ['1.2.3-rc1-with-hypen', true],
    ['v1.2.3-rc1-with-hypen', true],
    ['1.2.3-0abc123', true],
    ['1.2.3-beta.01', false],
    ['1.2.3.4', false],
    ['v1.2.3.4', false],
    ['1.2.2147483648', true],
    ['1.2147483648.3', true],
    ['2147483648.3.0', true],
    ['12.3.4.1234', false],
    ['12.23.4.1234', false],
    ['12.3.34.1234', false],
    ['20221209-update-renovatejson-v4', true],
    ['1.1.2+.123', false],
    ['1.0.0-alpha_beta', false],
    ['1.0.0-alpha..', false],
    ['1.0.0-alpha..1', false],
    ['9.8.7+meta+meta', false],
    ['1.2.31----RC-SNAPSHOT.12.09.1--.12+788', false],
    ['01.1.1', true],
    ['1.01.1', true],
    ['1.1.01', true],
  ];
  it.each(cases)('%j valid=%s', (v, valid) => {
    expect(parses(() => parseVersion(v))).toBe(valid);
  });

  it('reads the parts (upstream TestParts) and rejects numbers beyond uint64', () => {
    const v = parseVersion('1.2.3-beta.1+build.123');
    expect([v.major, v.minor, v.patch, v.prerelease, v.metadata]).toEqual([
      1n,
      2n,
      3n,
      'beta.1',
      'build.123',
    ]);
    expect(parses(() => parseVersion('18446744073709551615.0.0'))).toBe(true);
    expect(parses(() => parseVersion('18446744073709551616.0.0'))).toBe(false);
  });

  it.each([
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['1.0', '1.0.0'],
    ['v1.0', '1.0.0'],
    ['1', '1.0.0'],
    ['v1', '1.0.0'],
    ['1.2-5', '1.2.0-5'],
    ['v1.2-5', '1.2.0-5'],
    ['1.2-beta.5', '1.2.0-beta.5'],
    ['v1.2-beta.5', '1.2.0-beta.5'],
    ['1.2.0-x.Y.0+metadata', '1.2.0-x.Y.0+metadata'],
    ['v1.2.0-x.Y.0+metadata', '1.2.0-x.Y.0+metadata'],
    ['1.2.0-x.Y.0+metadata-width-hypen', '1.2.0-x.Y.0+metadata-width-hypen'],
    ['v1.2.0-x.Y.0+metadata-width-hypen', '1.2.0-x.Y.0+metadata-width-hypen'],
    ['1.2.3-rc1-with-hypen', '1.2.3-rc1-with-hypen'],
    ['v1.2.3-rc1-with-hypen', '1.2.3-rc1-with-hypen'],
  ])(
    'formats %s as %s and keeps the original (upstream TestCoerceString, TestOriginal)',
    (input, expected) => {
      const v = parseVersion(input);
      expect(formatVersion(v)).toBe(expected);
      expect(v.original).toBe(input);
    },
  );
});

describe('parseTagVersion (fluxcd/pkg TestParseVersion)', () => {
  it.each([
    ['v1.2.3', true],
    ['v1.0', false],
    ['v1', false],
    ['v1.2.beta', false],
    ['v1.2-5', false],
    ['v1.2-beta.5', false],
    ['\nv1.2', false],
    ['v1.2.0-x.Y.0+metadata', true],
    ['v1.2.0-x.Y.0+metadata-width-hypen', true],
    ['v1.2.3-rc1-with-hypen', true],
    ['v1.2.3.4', false],
  ] as const)('%j is a version: %s', (tag, ok) => {
    expect(parseTagVersion(tag) !== undefined).toBe(ok);
  });

  it('keeps the tag as written', () => {
    expect(parseTagVersion('v1.2.3')?.original).toBe('v1.2.3');
    expect(parseTagVersion('latest')).toBeUndefined();
  });
});

describe('compareVersions (upstream TestCompare, TestGreaterThan)', () => {
  it.each([
    ['1.2.3', '1.5.1', -1],
    ['2.2.3', '1.5.1', 1],
    ['2.2.3', '2.2.2', 1],
    ['3.2-beta', '3.2-beta', 0],
    ['1.3', '1.1.4', 1],
    ['4.2', '4.2-beta', 1],
    ['4.2-beta', '4.2', -1],
    ['4.2-alpha', '4.2-beta', -1],
    ['4.2-alpha', '4.2-alpha', 0],
    ['4.2-beta.2', '4.2-beta.1', 1],
    ['4.2-beta2', '4.2-beta1', 1],
    ['4.2-beta', '4.2-beta.2', -1],
    ['4.2-beta', '4.2-beta.foo', -1],
    ['4.2-beta.2', '4.2-beta', 1],
    ['4.2-beta.foo', '4.2-beta', 1],
    ['1.2+bar', '1.2+baz', 0],
    ['1.0.0-beta.4', '1.0.0-beta.-2', -1],
    ['1.0.0-beta.-2', '1.0.0-beta.-3', -1],
    ['1.0.0-beta.-3', '1.0.0-beta.5', 1],
    // TestGreaterThan rows, as comparisons.
    ['3.2.0-beta.1', '3.2.0-beta.5', -1],
    ['3.2-beta.4', '3.2-beta.2', 1],
    ['7.43.0-SNAPSHOT.99', '7.43.0-SNAPSHOT.103', -1],
    ['7.43.0-SNAPSHOT.FOO', '7.43.0-SNAPSHOT.103', 1],
    ['7.43.0-SNAPSHOT.99', '7.43.0-SNAPSHOT.BAR', -1],
  ] as const)('compare(%s, %s) = %i', (a, b, expected) => {
    expect(compareVersions(parseVersion(a), parseVersion(b))).toBe(expected);
  });
});

describe('parseRange (upstream TestNewConstraint, TestParseConstraint, TestRewriteRange)', () => {
  it.each([
    ['>= 1.1', 1, 1, true],
    ['>40.50.60, < 50.70', 1, 2, true],
    ['2.0', 1, 1, true],
    ['v2.3.5-20161202202307-sha.e8fc5e5', 1, 1, true],
    ['v1.2.3-0abc', 1, 1, true],
    ['v1.2.3-beta.01', 0, 0, false],
    ['>= bar', 0, 0, false],
    ['BAR >= 1.2.3', 0, 0, false],
    ['>= 1.2.3 < 2.0', 1, 2, true],
    ['>= 1.2.3 < 2.0 || => 3.0 < 4', 2, 2, true],
    ['>= 1.2.3, < 2.0', 1, 2, true],
    ['>= 1.2.3, < 2.0 || => 3.0, < 4', 2, 2, true],
    ['3 - 4 || => 3.0, < 4', 2, 2, true],
    ['12.3.4.1234', 0, 0, false],
    ['12.23.4.1234', 0, 0, false],
    ['12.3.34.1234', 0, 0, false],
    ['12.3.34 ~1.2.3', 1, 2, true],
    ['12.3.34~ 1.2.3', 0, 0, false],
    ['1.0.0 - 2.0.0, <=2.0.0', 1, 3, true],
  ] as const)('%j: %i alternatives, %i constraints in the first, valid=%s', (input, ors, count, valid) => {
    if (!valid) {
      expect(parses(() => parseRange(input))).toBe(false);
      return;
    }
    const range = parseRange(input);
    expect(range.groups.length).toBe(ors);
    expect(range.groups[0]?.length).toBe(count);
  });

  it.each([
    ['>= 1.2', '>=', '1.2.0'],
    ['1.0', '', '1.0.0'],
    ['<= 1.2', '<=', '1.2.0'],
    ['=< 1.2', '=<', '1.2.0'],
    ['=> 1.2', '=>', '1.2.0'],
    ['v1.2', '', '1.2.0'],
    ['=1.5', '=', '1.5.0'],
    ['> 1.3', '>', '1.3.0'],
    ['< 1.4.1', '<', '1.4.1'],
    ['< 40.50.10', '<', '40.50.10'],
  ])('%j is operator %j on %s', (input, operator, version) => {
    const [c] = parseRange(input).groups[0] ?? [];
    expect(c?.operator).toBe(operator);
    expect(formatVersion(c!.version)).toBe(version);
  });

  it('rejects "foo" (upstream TestParseConstraint) and the ranges Flux rejects (TestNewSemVer)', () => {
    for (const bad of ['foo', '1.0.0p', '1x', 'x1', '-1', 'a', '', '*-*']) {
      expect(
        parses(() => parseRange(bad)),
        bad,
      ).toBe(false);
    }
    for (const good of ['1.0.x', '^1.0', '=1.0.0', '~1.0', '>=1.0', '>0,<2.0']) {
      expect(
        parses(() => parseRange(good)),
        good,
      ).toBe(true);
    }
  });

  it.each([
    ['2 - 3', '>= 2, <= 3 '],
    ['2 - 3, 2 - 3', '>= 2, <= 3 ,>= 2, <= 3 '],
    ['2 - 3, 4.0.0 - 5.1', '>= 2, <= 3 ,>= 4.0.0, <= 5.1 '],
    ['2 - 3 4.0.0 - 5.1', '>= 2, <= 3 >= 4.0.0, <= 5.1 '],
    ['1.0.0 - 2.0.0 <=2.0.0', '>= 1.0.0, <= 2.0.0 <=2.0.0'],
  ])('rewrites %j as %j', (input, output) => {
    expect(rewriteHyphenRanges(input)).toBe(output);
  });
});

// [constraint, version, satisfied]. Upstream TestConstraintCheck (single constraints, pre-releases
// admitted when the constraint names one) — the three rows for the empty constraint are left out:
// an empty *range* is an error in NewConstraint, which is the entry point Slipway (and Flux) use.
const singleConstraintRows: Array<[string, string, boolean]> = [
  ['=2.0.0', '1.2.3', false],
  ['=2.0.0', '2.0.0', true],
  ['=2.0', '1.2.3', false],
  ['=2.0', '2.0.0', true],
  ['=2.0', '2.0.1', true],
  ['4.1', '4.1.0', true],
  ['!=4.1.0', '4.1.0', false],
  ['!=4.1.0', '4.1.1', true],
  ['!=4.1', '4.1.0', false],
  ['!=4.1', '4.1.1', false],
  ['!=4.1', '5.1.0-alpha.1', false],
  ['!=4.1.0', '5.1.0-alpha.1', false],
  ['!=4.1-alpha', '4.1.0', true],
  ['!=4.1', '5.1.0', true],
  ['<11', '0.1.0', true],
  ['<11', '11.1.0', false],
  ['<1.1', '0.1.0', true],
  ['<1.1', '1.1.0', false],
  ['<1.1', '1.1.1', false],
  ['<=11', '1.2.3', true],
  ['<=11', '12.2.3', false],
  ['<=11', '11.2.3', true],
  ['<=1.1', '1.2.3', false],
  ['<=1.1', '0.1.0', true],
  ['<=1.1', '1.1.0', true],
  ['<=1.1', '1.1.1', true],
  ['>1.1', '4.1.0', true],
  ['>1.1', '1.1.0', false],
  ['>0', '0', false],
  ['>0', '1', true],
  ['>0', '0.0.1-alpha', false],
  ['>0.0', '0.0.1-alpha', false],
  ['>0-0', '0.0.1-alpha', false],
  ['>0.0-0', '0.0.1-alpha', false],
  ['>0', '0.0.0-alpha', false],
  ['>0-0', '0.0.0-alpha', false],
  ['>0.0.0-0', '0.0.0-alpha', true],
  ['>1.2.3-alpha.1', '1.2.3-alpha.2', true],
  ['>1.2.3-alpha.1', '1.3.3-alpha.2', true],
  ['>11', '11.1.0', false],
  ['>11.1', '11.1.0', false],
  ['>11.1', '11.1.1', false],
  ['>11.1', '11.2.1', true],
  ['>=11', '11.1.2', true],
  ['>=11.1', '11.1.2', true],
  ['>=11.1', '11.0.2', false],
  ['>=1.1', '4.1.0', true],
  ['>=1.1', '1.1.0', true],
  ['>=1.1', '0.0.9', false],
  ['>=0', '0.0.1-alpha', false],
  ['>=0.0', '0.0.1-alpha', false],
  ['>=0-0', '0.0.1-alpha', true],
  ['>=0.0-0', '0.0.1-alpha', true],
  ['>=0', '0.0.0-alpha', false],
  ['>=0-0', '0.0.0-alpha', true],
  ['>=0.0.0-0', '0.0.0-alpha', true],
  ['>=0.0.0-0', '1.2.3', true],
  ['>=0.0.0-0', '3.4.5-beta.1', true],
  ['<0', '0.0.0-alpha', false],
  ['<0-z', '0.0.0-alpha', true],
  ['>=0', '0', true],
  ['=0', '1', false],
  ['*', '1', true],
  ['*', '4.5.6', true],
  ['*', '1.2.3-alpha.1', false],
  ['*-0', '1.2.3-alpha.1', true],
  ['2.*', '1', false],
  ['2.*', '3.4.5', false],
  ['2.*', '2.1.1', true],
  ['2.1.*', '2.1.1', true],
  ['2.1.*', '2.2.1', false],
  ['2', '1', false],
  ['2', '3.4.5', false],
  ['2', '2.1.1', true],
  ['2.1', '2.1.1', true],
  ['2.1', '2.2.1', false],
  ['~1.2.3', '1.2.4', true],
  ['~1.2.3', '1.3.4', false],
  ['~1.2', '1.2.4', true],
  ['~1.2', '1.3.4', false],
  ['~1', '1.2.4', true],
  ['~1', '2.3.4', false],
  ['~0.2.3', '0.2.5', true],
  ['~0.2.3', '0.3.5', false],
  ['~1.2.3-beta.2', '1.2.3-beta.4', true],
  ['~1.2.3-beta.2', '1.2.4-beta.2', true],
  ['~1.2.3-beta.2', '1.3.4-beta.2', false],
  ['^1.2.3', '1.8.9', true],
  ['^1.2.3', '2.8.9', false],
  ['^1.2.3', '1.2.1', false],
  ['^1.1.0', '2.1.0', false],
  ['^1.2.0', '2.2.1', false],
  ['^1.2.0', '1.2.1-alpha.1', false],
  ['^1.2.0-alpha.0', '1.2.1-alpha.1', true],
  ['^1.2.0-alpha.0', '1.2.1-alpha.0', true],
  ['^1.2.0-alpha.2', '1.2.0-alpha.1', false],
  ['^1.2', '1.8.9', true],
  ['^1.2', '2.8.9', false],
  ['^1', '1.8.9', true],
  ['^1', '2.8.9', false],
  ['^0.2.3', '0.2.5', true],
  ['^0.2.3', '0.5.6', false],
  ['^0.2', '0.2.5', true],
  ['^0.2', '0.5.6', false],
  ['^0.0.3', '0.0.3', true],
  ['^0.0.3', '0.0.4', false],
  ['^0.0', '0.0.3', true],
  ['^0.0', '0.1.4', false],
  ['^0.0', '1.0.4', false],
  ['^0', '0.2.3', true],
  ['^0', '1.1.4', false],
  ['^0.2.3-beta.2', '0.2.3-beta.4', true],
  ['^0.2.3-beta.2', '0.2.4-beta.2', true],
  ['^0.2.3-beta.2', '0.3.4-beta.2', false],
  ['^0.2.3-beta.2', '0.2.3-beta.2', true],
];

// Upstream TestConstraintsCheck.
const rangeRows: Array<[string, string, boolean]> = [
  ['*', '1.2.3', true],
  ['~0.0.0', '1.2.3', true],
  ['0.x.x', '1.2.3', false],
  ['0.0.x', '1.2.3', false],
  ['0.0.0', '1.2.3', false],
  ['^0.0.0', '1.2.3', false],
  ['= 2.0', '1.2.3', false],
  ['= 2.0', '2.0.0', true],
  ['4.1', '4.1.0', true],
  ['4.1.x', '4.1.3', true],
  ['1.x', '1.4', true],
  ['!=4.1', '4.1.0', false],
  ['!=4.1-alpha', '4.1.0-alpha', false],
  ['!=4.1-alpha', '4.1.1-alpha', false],
  ['!=4.1-alpha', '4.1.0', true],
  ['!=4.1', '5.1.0', true],
  ['!=4.x', '5.1.0', true],
  ['!=4.x', '4.1.0', false],
  ['!=4.1.x', '4.2.0', true],
  ['!=4.2.x', '4.2.3', false],
  ['>1.1', '4.1.0', true],
  ['>1.1', '1.1.0', false],
  ['<1.1', '0.1.0', true],
  ['<1.1', '1.1.0', false],
  ['<1.1', '1.1.1', false],
  ['<1.x', '1.1.1', false],
  ['<1.x', '0.1.1', true],
  ['<1.x', '2.0.0', false],
  ['<1.1.x', '1.2.1', false],
  ['<1.1.x', '1.1.500', false],
  ['<1.1.x', '1.0.500', true],
  ['<1.2.x', '1.1.1', true],
  ['>=1.1', '4.1.0', true],
  ['>=1.1', '4.1.0-beta', false],
  ['>=1.1', '1.1.0', true],
  ['>=1.1', '0.0.9', false],
  ['<=1.1', '0.1.0', true],
  ['<=1.1', '0.1.0-alpha', false],
  ['<=1.1-a', '0.1.0-alpha', true],
  ['<=1.1', '1.1.0', true],
  ['<=1.x', '1.1.0', true],
  ['<=2.x', '3.0.0', false],
  ['<=1.1', '1.1.1', true],
  ['<=1.1.x', '1.2.500', false],
  ['<=4.5', '3.4.0', true],
  ['<=4.5', '3.7.0', true],
  ['<=4.5', '4.6.3', false],
  ['>1.1, <2', '1.1.1', false],
  ['>1.1, <2', '1.2.1', true],
  ['>1.1, <3', '4.3.2', false],
  ['>=1.1, <2, !=1.2.3', '1.2.3', false],
  ['>1.1 <2', '1.1.1', false],
  ['>1.1 <2', '1.2.1', true],
  ['>1.1    <3', '4.3.2', false],
  ['>=1.1    <2    !=1.2.3', '1.2.3', false],
  ['>=1.1, <2, !=1.2.3 || > 3', '4.1.2', true],
  ['>=1.1, <2, !=1.2.3 || > 3', '3.1.2', false],
  ['>=1.1, <2, !=1.2.3 || >= 3', '3.0.0', true],
  ['>=1.1, <2, !=1.2.3 || > 3', '3.0.0', false],
  ['>=1.1, <2, !=1.2.3 || > 3', '1.2.3', false],
  ['>=1.1 <2 !=1.2.3', '1.2.3', false],
  ['>=1.1 <2 !=1.2.3 || > 3', '4.1.2', true],
  ['>=1.1 <2 !=1.2.3 || > 3', '3.1.2', false],
  ['>=1.1 <2 !=1.2.3 || >= 3', '3.0.0', true],
  ['>=1.1 <2 !=1.2.3 || > 3', '3.0.0', false],
  ['>=1.1 <2 !=1.2.3 || > 3', '1.2.3', false],
  ['> 1.1, <     2', '1.1.1', false],
  ['>   1.1, <2', '1.2.1', true],
  ['>1.1, <  3', '4.3.2', false],
  ['>= 1.1, <     2, !=1.2.3', '1.2.3', false],
  ['> 1.1 < 2', '1.1.1', false],
  ['>1.1 < 2', '1.2.1', true],
  ['> 1.1    <3', '4.3.2', false],
  ['>=1.1    < 2    != 1.2.3', '1.2.3', false],
  ['>= 1.1, <2, !=1.2.3 || > 3', '4.1.2', true],
  ['>= 1.1, <2, != 1.2.3 || > 3', '3.1.2', false],
  ['>= 1.1, <2, != 1.2.3 || >= 3', '3.0.0', true],
  ['>= 1.1, <2, !=1.2.3 || > 3', '3.0.0', false],
  ['>= 1.1, <2, !=1.2.3 || > 3', '1.2.3', false],
  ['>= 1.1 <2 != 1.2.3', '1.2.3', false],
  ['>= 1.1 <2 != 1.2.3 || > 3', '4.1.2', true],
  ['>= 1.1 <2 != 1.2.3 || > 3', '3.1.2', false],
  ['>= 1.1 <2 != 1.2.3 || >= 3', '3.0.0', true],
  ['>= 1.1 < 2 !=1.2.3 || > 3', '3.0.0', false],
  ['>=1.1 < 2 !=1.2.3 || > 3', '1.2.3', false],
  ['>= 1.0.0  <= 2.0.0-beta', '1.0.1-beta', true],
  ['>= 1.0.0  <= 2.0.0-beta', '1.0.1', true],
  ['>= 1.0.0  <= 2.0.0-beta', '3.0.0', false],
  ['>= 1.0.0  <= 2.0.0-beta || > 3', '1.0.1-beta', true],
  ['>= 1.0.0  <= 2.0.0-beta || > 3', '3.0.1-beta', false],
  ['>= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3', '1.0.1-beta', true],
  ['>= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3', '1.0.1-beta', false],
  ['>= 1.0.0-0  <= 2.0.0', '1.0.1-beta', true],
  ['1.1 - 2', '1.1.1', true],
  ['1.5.0 - 4.5', '3.7.0', true],
  ['1.1-3', '4.3.2', false],
  ['^1.1', '1.1.1', true],
  ['^1.1', '4.3.2', false],
  ['^1.x', '1.1.1', true],
  ['^2.x', '1.1.1', false],
  ['^1.x', '2.1.1', false],
  ['^1.x', '1.1.1-beta1', false],
  ['^1.1.2-alpha', '1.2.1-beta1', true],
  ['^1.2.x-alpha', '1.1.1-beta1', false],
  ['^0.0.1', '0.0.1', true],
  ['^0.0.1', '0.3.1', false],
  ['~*', '2.1.1', true],
  ['~1', '2.1.1', false],
  ['~1', '1.3.5', true],
  ['~1', '1.4', true],
  ['~1.x', '2.1.1', false],
  ['~1.x', '1.3.5', true],
  ['~1.x', '1.4', true],
  ['~1.1', '1.1.1', true],
  ['~1.1', '1.1.1-alpha', false],
  ['~1.1-alpha', '1.1.1-beta', true],
  ['~1.1.1-beta', '1.1.1-alpha', false],
  ['~1.1.1-beta', '1.1.1', true],
  ['~1.2.3', '1.2.5', true],
  ['~1.2.3', '1.2.2', false],
  ['~1.2.3', '1.3.2', false],
  ['~1.1', '1.2.3', false],
  ['~1.3', '2.4.5', false],
  ['1.0.0 - 2.0.0 <=2.0.0', '1.5.0', true],
  ['1.0.0 - 2.0.0, <=2.0.0', '1.5.0', true],
  // TestConstraintsValidate rows not above (the boolean half of Validate is Check).
  ['<2.x', '1.1.1', true],
  ['<=2.x', '3.1.0', false],
  ['^1.1', '1.1.1-alpha', false],
  ['^1.1.1-alpha', '1.1.1-beta', true],
  ['^1.1.1-beta', '1.1.1-alpha', false],
  ['^0.0.1', '0.1.3', false],
  ['~1', '1.3.5-beta', false],
  ['~1.x', '1.3.5-beta', false],
  ['~1.3.6-alpha', '1.3.5-beta', false],
  ['~1.3.5-alpha', '1.3.5-beta', true],
  ['~1.3.5-beta', '1.3.5-alpha', false],
];

// Upstream TestConstraintsCheckIncludePrerelease: the rows whose outcome differs from the default.
const includePrereleaseRows: Array<[string, string, boolean]> = [
  ['>=1.1', '4.1.0-beta', true],
  ['>1.1', '4.1.0-beta', true],
  ['<=1.1', '0.1.0-alpha', true],
  ['<1.1', '0.1.0-alpha', true],
  ['^1.x', '1.1.1-beta1', true],
  ['~1.1', '1.1.1-alpha', true],
  ['*', '1.2.3-alpha', true],
  ['= 2.0', '2.0.1-beta', true],
  ['^1.1', '1.1.1-alpha', true],
  ['~1', '1.3.5-beta', true],
  ['~1.x', '1.3.5-beta', true],
];

describe('satisfies', () => {
  it.each(singleConstraintRows)('%j ∋ %s: %s (upstream TestConstraintCheck)', (range, version, expected) => {
    expect(satisfies(parseRange(range), parseVersion(version))).toBe(expected);
  });

  it.each(rangeRows)('%j ∋ %s: %s (upstream TestConstraintsCheck)', (range, version, expected) => {
    expect(satisfies(parseRange(range), parseVersion(version))).toBe(expected);
  });

  it.each(includePrereleaseRows)('%j ∋ %s with includePrerelease: %s', (range, version, expected) => {
    expect(satisfies(parseRange(range), parseVersion(version), true)).toBe(expected);
    expect(satisfies(parseRange(range), parseVersion(version), false)).toBe(false);
  });

  it('keeps every other upstream row unchanged with includePrerelease when the version is a release', () => {
    for (const [range, version, expected] of rangeRows) {
      if (parseVersion(version).prerelease !== '') continue;
      expect(satisfies(parseRange(range), parseVersion(version), true), `${range} ∋ ${version}`).toBe(
        expected,
      );
    }
  });
});
