/**
 * Vectors from fluxcd/image-reflector-controller internal/policy/*_test.go and
 * internal/controller/policy_test.go, and the two policies Flux does not have.
 */
import { describe, expect, it } from 'vitest';
import { compileTagFilter } from './filter.ts';
import {
  formatChoice,
  latestAlphabetical,
  latestBuild,
  latestNumerical,
  latestSemver,
  PolicyError,
  parseGoFloat,
  parsePolicy,
  policyCandidates,
  selectTag,
} from './policy.ts';
import { parseRange } from './semver.ts';

/** Every rotation of a list: an order-independence check without randomness. */
function rotations<T>(list: readonly T[]): T[][] {
  return list.map((_, i) => [...list.slice(i), ...list.slice(0, i)]);
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof PolicyError) return err.reason;
    throw err;
  }
}

describe('parsePolicy', () => {
  it.each([
    ['semver:>=1.0.0 <2.0.0', 'semver'],
    ['alphabetical', 'alphabetical:asc'],
    ['alphabetical:ASC', 'alphabetical:asc'],
    ['alphabetical:desc', 'alphabetical:desc'],
    ['numerical', 'numerical:asc'],
    ['numerical:desc', 'numerical:desc'],
    ['newest-build', 'newest-build'],
    ['digest:latest', 'digest:latest'],
  ])('%s', (spec, expected) => {
    const p = parsePolicy(spec);
    const got =
      p.kind === 'alphabetical' || p.kind === 'numerical'
        ? `${p.kind}:${p.order}`
        : p.kind === 'digest'
          ? `digest:${p.tag}`
          : p.kind;
    expect(got).toBe(expected);
  });

  // Upstream TestNewAlphabetical / TestNewNumerical ("invalid" order) and TestNewSemVer (invalid ranges).
  it.each([
    'alphabetical:invalid',
    'numerical:invalid',
    'semver:1.0.0p',
    'semver:1x',
    'semver:x1',
    'semver:-1',
    'semver:a',
    'semver:',
    'semver',
    'semver:*-*',
    'digest:',
    'digest:-bad',
    'newest-build:x',
    'latest',
  ])('rejects %j', (spec) => {
    expect(reasonOf(() => parsePolicy(spec))).toBe('InvalidPolicy');
  });

  it('names the policy in its error', () => {
    expect(() => parsePolicy('alphabetical:sideways')).toThrow(
      /policy "alphabetical:sideways": invalid order/,
    );
  });
});

describe('latestAlphabetical (upstream TestAlphabetical_Latest)', () => {
  it.each([
    ['Ubuntu CalVer', ['16.04', '16.04.1', '16.10', '20.04', '20.10'], 'asc', '20.10'],
    ['Ubuntu CalVer descending', ['16.04', '16.04.1', '16.10', '20.04', '20.10'], 'desc', '16.04'],
    ['Ubuntu code names', ['xenial', 'yakkety', 'zesty', 'artful', 'bionic'], 'asc', 'zesty'],
    ['Ubuntu code names descending', ['xenial', 'yakkety', 'zesty', 'artful', 'bionic'], 'desc', 'artful'],
    [
      'Timestamps',
      ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'],
      'asc',
      '1606364286',
    ],
    [
      'Unix Timestamps desc',
      ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'],
      'desc',
      '1606234201',
    ],
    [
      'Unix Timestamps prefix',
      ['rel-1606234201', 'rel-1606364286', 'rel-1606334092', 'rel-1606334284', 'rel-1606334201'],
      'asc',
      'rel-1606364286',
    ],
    [
      'RFC3339',
      [
        '2021-01-08T21-18-21Z',
        '2020-05-08T21-18-21Z',
        '2021-01-08T19-20-00Z',
        '1990-01-08T00-20-00Z',
        '2023-05-08T00-20-00Z',
      ],
      'asc',
      '2023-05-08T00-20-00Z',
    ],
    [
      'RFC3339 desc',
      [
        '2021-01-08T21-18-21Z',
        '2020-05-08T21-18-21Z',
        '2021-01-08T19-20-00Z',
        '1990-01-08T00-20-00Z',
        '2023-05-08T00-20-00Z',
      ],
      'desc',
      '1990-01-08T00-20-00Z',
    ],
  ] as const)('%s', (_label, versions, order, expected) => {
    for (const list of rotations(versions)) expect(latestAlphabetical(list, order)).toBe(expected);
  });

  it('has no answer for no tags (upstream "Empty version list")', () => {
    expect(latestAlphabetical([], 'asc')).toBeUndefined();
    expect(reasonOf(() => selectTag(parsePolicy('alphabetical'), policyCandidates([])))).toBe(
      'NoMatchingTag',
    );
  });
});

describe('latestNumerical (upstream TestNumerical_Latest)', () => {
  it.each([
    ['integers ascending', ['-62', '-88', '73', '72', '15', '16', '15', '29', '-33', '-91'], 'asc', '73'],
    ['integers descending', ['5', '-8', '-78', '25', '70', '-4', '80', '92', '-20', '-24'], 'desc', '-78'],
    [
      'floats ascending',
      [
        '47.40896403322944',
        '-27.8520927455902',
        '-27.930666514224427',
        '-31.352485948094568',
        '-50.41072694704882',
        '-21.962849842263736',
        '24.71884721436865',
        '-39.99177354004344',
        '53.47333823144817',
        '3.2008658570411086',
      ],
      'asc',
      '53.47333823144817',
    ],
    [
      'floats descending',
      [
        '-65.27202780220686',
        '57.82948329142309',
        '22.40184684363291',
        '-86.36934305697784',
        '-90.29082099756083',
        '-12.041712603564264',
        '77.70488240399305',
        '-38.98425003883552',
        '16.06867070412028',
        '53.735674335181216',
      ],
      'desc',
      '-90.29082099756083',
    ],
    [
      'Unix timestamps ascending',
      ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'],
      'asc',
      '1606364286',
    ],
    [
      'Unix timestamps descending',
      ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'],
      'desc',
      '1606234201',
    ],
    ['single value ascending', ['1'], 'asc', '1'],
    ['single value descending', ['1'], 'desc', '1'],
  ] as const)('%s', (_label, versions, order, expected) => {
    for (const list of rotations(versions)) expect(latestNumerical(list, order)).toBe(expected);
  });

  it('fails on a value that is not a number (upstream "invalid numerical value")', () => {
    expect(reasonOf(() => latestNumerical(['0', '1a', 'b'], 'asc'))).toBe('InvalidPolicy');
    expect(() => latestNumerical(['0', '1a'], 'asc')).toThrow(/"1a"/);
  });

  it.each([
    ['1', 1],
    ['-2.5', -2.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['5.', 5],
    ['Inf', Infinity],
    ['-infinity', -Infinity],
    ['1e400', undefined],
    ['0x10', undefined],
    ['', undefined],
    ['1_000', undefined],
    [' 1', undefined],
  ] as const)('parseGoFloat(%j) = %s', (input, expected) => {
    expect(parseGoFloat(input)).toBe(expected);
  });
});

describe('latestSemver (upstream TestSemVer_Latest)', () => {
  it.each([
    ['valid format', ['1.0.0', '1.0.0.1', '1.0.0p', '1.0.1', '1.2.0', '0.1.0'], '1.0.x', '1.0.1'],
    ['valid format prefix', ['v1.2.3', 'v1.0.0', 'v0.1.0'], '1.0.x', 'v1.0.0'],
    ['invalid format prefix', ['b1.2.3', 'b1.0.0', 'b0.1.0'], '1.0.x', undefined],
    ['empty list', [], '1.0.x', undefined],
    ['non-matching version list', ['1.2.0'], '1.0.x', undefined],
    // internal/controller/policy_test.go
    [
      'controller: SemVerPolicy',
      ['0.1.0', '0.1.1', '0.2.0', '1.0.0', '1.0.1', '1.0.2', '1.1.0-alpha'],
      '1.0.x',
      '1.0.2',
    ],
    ['controller: 1.x skips the pre-release', ['1.0.1', '1.0.2', '1.1.0-alpha'], '1.x', '1.0.2'],
    ['controller: ACL case', ['1.0.0', '1.0.1'], '1.0.x', '1.0.1'],
  ] as const)('%s', (_label, versions, range, expected) => {
    for (const list of rotations(versions)) expect(latestSemver(list, parseRange(range))).toBe(expected);
  });

  it('takes pre-releases only when the range names one (Flux docs: "^1.x-0" with an -rc filter)', () => {
    const tags = ['1.2.0', '1.3.0-rc.1', '1.3.0-rc.2', '2.0.0-rc.1', 'latest'];
    expect(latestSemver(tags, parseRange('>=1.0.0'))).toBe('1.2.0');
    expect(latestSemver(tags, parseRange('^1.x-0'))).toBe('1.3.0-rc.2');
    // As in Masterminds/semver (unlike npm), 2.0.0-rc.1 < 2.0.0, so it is inside "<2.0.0".
    expect(latestSemver(tags, parseRange('>=1.3.0-0 <2.0.0'))).toBe('2.0.0-rc.1');
    expect(latestSemver(tags, parseRange('>=1.3.0-0 <2.0.0-0'))).toBe('1.3.0-rc.2');
    const rcOnly = compileTagFilter({ pattern: '.*-rc.*' });
    expect(selectTag(parsePolicy('semver:^1.x-0'), policyCandidates(tags, rcOnly))).toBe('1.3.0-rc.2');
  });
});

describe('selectTag with filters (upstream internal/controller/policy_test.go)', () => {
  it('extracts the version from test-<semver> tags and answers the original tag', () => {
    const tags = ['test-0.1.0', 'test-0.1.1', 'dev-0.2.0', '1.0.0', '1.0.1', '1.0.2', '1.1.0-alpha'];
    const filter = compileTagFilter({ pattern: '^test-(.*)$', extract: '$1' });
    expect(selectTag(parsePolicy('semver:>=0.x'), policyCandidates(tags, filter))).toBe('test-0.1.1');
  });

  it('orders extracted timestamps numerically (Flux docs: RELEASE.<timestamp>)', () => {
    const tags = ['RELEASE.2023-05-08T00-20-00Z', 'RELEASE.2021-01-08T21-18-21Z', 'latest'];
    const filter = compileTagFilter({ pattern: '^RELEASE\\.(?P<timestamp>.*)Z$', extract: '$timestamp' });
    expect(selectTag(parsePolicy('alphabetical:asc'), policyCandidates(tags, filter))).toBe(
      'RELEASE.2023-05-08T00-20-00Z',
    );
    const ci = [
      'main-abc123-1700000000',
      'main-ffff00-1700000500',
      'main-0a0a0a-1600000000',
      'latest',
      'sha-1234567',
    ];
    const ts = compileTagFilter({ pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' });
    expect(selectTag(parsePolicy('numerical:asc'), policyCandidates(ci, ts))).toBe('main-ffff00-1700000500');
    expect(selectTag(parsePolicy('numerical:desc'), policyCandidates(ci, ts))).toBe('main-0a0a0a-1600000000');
  });

  it('gives the same answer whatever order the registry lists tags in', () => {
    const tags = ['1.0.0', 'v1.0.0', '1.0.0+build.1', '0.9.0'];
    const answers = new Set(
      rotations(tags).map((list) => selectTag(parsePolicy('semver:1.x'), policyCandidates(list))),
    );
    expect(answers.size).toBe(1);
  });

  it('says that nothing qualifies', () => {
    expect(() => selectTag(parsePolicy('semver:>=5'), policyCandidates(['1.0.0', 'latest']))).toThrow(
      /policy semver:>=5: none of 2 candidate tags qualifies/,
    );
  });
});

describe('newest-build', () => {
  it('chooses the latest build time, ties to the greater tag, and skips unknown times', () => {
    const times = new Map<string, Date | undefined>([
      ['a', new Date('2024-01-01T00:00:00Z')],
      ['c', new Date('2024-03-01T00:00:00Z')],
      ['b', new Date('2024-03-01T00:00:00Z')],
      ['d', undefined],
      ['e', new Date('invalid')],
    ]);
    expect(latestBuild(times)).toBe('c');
    expect(latestBuild(new Map([['d', undefined]]))).toBeUndefined();
  });

  it('chooses among filtered candidates and answers the original tag', () => {
    const tags = ['main-aaa-1', 'main-bbb-2', 'latest'];
    const candidates = policyCandidates(tags, compileTagFilter({ pattern: '^main-' }));
    const times = new Map([
      ['main-aaa-1', new Date('2024-05-01T00:00:00Z')],
      ['main-bbb-2', new Date('2024-04-01T00:00:00Z')],
    ]);
    expect(selectTag(parsePolicy('newest-build'), candidates, times)).toBe('main-aaa-1');
    expect(reasonOf(() => selectTag(parsePolicy('newest-build'), candidates))).toBe('NoMatchingTag');
  });
});

describe('digest', () => {
  it('follows the named tag when it exists', () => {
    expect(selectTag(parsePolicy('digest:latest'), policyCandidates(['latest', '1.0.0']))).toBe('latest');
    expect(() => selectTag(parsePolicy('digest:main'), policyCandidates(['latest']))).toThrow(
      /"main" not found/,
    );
  });

  it('formats a pinned choice as tag@digest', () => {
    expect(formatChoice({ tag: 'latest', digest: `sha256:${'a'.repeat(64)}` })).toBe(
      `latest@sha256:${'a'.repeat(64)}`,
    );
    expect(formatChoice({ tag: '1.2.3' })).toBe('1.2.3');
  });
});
