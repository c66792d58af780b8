/**
 * Vectors ported from distribution/reference (reference_test.go, normalize_test.go).
 */
import { describe, expect, it } from 'vitest';
import {
  familiarName,
  InvalidReferenceError,
  isLoopbackHost,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  type ReferenceErrorCode,
  referenceName,
  referenceString,
  registryApiHost,
  withDigest,
  withName,
  withTag,
} from './reference.ts';

const F64 = 'f'.repeat(64);

function codeOf(fn: () => unknown): ReferenceErrorCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof InvalidReferenceError) return err.code;
    throw err;
  }
}

// TestReferenceParse: input, expected error, or repository (name), domain, tag, digest.
type ParseCase = {
  input: string;
  err?: ReferenceErrorCode;
  repository?: string;
  domain?: string;
  tag?: string;
  digest?: string;
};
const parseCases: ParseCase[] = [
  { input: 'test_com', repository: 'test_com' },
  { input: 'test.com:tag', repository: 'test.com', tag: 'tag' },
  { input: 'test.com:5000', repository: 'test.com', tag: '5000' },
  { input: 'test.com/repo:tag', domain: 'test.com', repository: 'test.com/repo', tag: 'tag' },
  { input: 'test:5000/repo', domain: 'test:5000', repository: 'test:5000/repo' },
  { input: 'test:5000/repo:tag', domain: 'test:5000', repository: 'test:5000/repo', tag: 'tag' },
  {
    input: `test:5000/repo@sha256:${F64}`,
    domain: 'test:5000',
    repository: 'test:5000/repo',
    digest: `sha256:${F64}`,
  },
  {
    input: `test:5000/repo:tag@sha256:${F64}`,
    domain: 'test:5000',
    repository: 'test:5000/repo',
    tag: 'tag',
    digest: `sha256:${F64}`,
  },
  { input: '', err: 'NameEmpty' },
  { input: ':justtag', err: 'ReferenceInvalidFormat' },
  { input: `@sha256:${F64}`, err: 'ReferenceInvalidFormat' },
  { input: `repo@sha256:${'f'.repeat(34)}`, err: 'DigestInvalidLength' },
  { input: `validname@invaliddigest:${F64}`, err: 'DigestUnsupported' },
  { input: 'Uppercase:tag', err: 'NameContainsUppercase' },
  { input: 'test:5000/Uppercase/lowercase:tag', err: 'NameContainsUppercase' },
  { input: 'lowercase:Uppercase', repository: 'lowercase', tag: 'Uppercase' },
  { input: `domain/${'a'.repeat(256)}:tag`, err: 'NameTooLong' },
  {
    input: `${'a/'.repeat(127)}a:tag-puts-this-over-max`,
    domain: 'a',
    repository: `${'a/'.repeat(127)}a`,
    tag: 'tag-puts-this-over-max',
  },
  { input: 'aa/asdf$$^/aa', err: 'ReferenceInvalidFormat' },
  {
    input: 'sub-dom1.foo.com/bar/baz/quux',
    domain: 'sub-dom1.foo.com',
    repository: 'sub-dom1.foo.com/bar/baz/quux',
  },
  {
    input: 'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    domain: 'sub-dom1.foo.com',
    repository: 'sub-dom1.foo.com/bar/baz/quux',
    tag: 'some-long-tag',
  },
  {
    input: 'b.gcr.io/test.example.com/my-app:test.example.com',
    domain: 'b.gcr.io',
    repository: 'b.gcr.io/test.example.com/my-app',
    tag: 'test.example.com',
  },
  {
    input: 'xn--n3h.com/myimage:xn--n3h.com',
    domain: 'xn--n3h.com',
    repository: 'xn--n3h.com/myimage',
    tag: 'xn--n3h.com',
  },
  {
    input: `xn--7o8h.com/myimage:xn--7o8h.com@sha256:${F64}`,
    domain: 'xn--7o8h.com',
    repository: 'xn--7o8h.com/myimage',
    tag: 'xn--7o8h.com',
    digest: `sha256:${F64}`,
  },
  { input: 'foo_bar.com:8080', repository: 'foo_bar.com', tag: '8080' },
  { input: 'foo/foo_bar.com:8080', domain: 'foo', repository: 'foo/foo_bar.com', tag: '8080' },
  { input: '192.168.1.1', repository: '192.168.1.1' },
  { input: '192.168.1.1:tag', repository: '192.168.1.1', tag: 'tag' },
  { input: '192.168.1.1:5000', repository: '192.168.1.1', tag: '5000' },
  { input: '192.168.1.1/repo', domain: '192.168.1.1', repository: '192.168.1.1/repo' },
  { input: '192.168.1.1:5000/repo', domain: '192.168.1.1:5000', repository: '192.168.1.1:5000/repo' },
  {
    input: '192.168.1.1:5000/repo:5050',
    domain: '192.168.1.1:5000',
    repository: '192.168.1.1:5000/repo',
    tag: '5050',
  },
  { input: '[2001:db8::1]', err: 'ReferenceInvalidFormat' },
  { input: '[2001:db8::1]:5000', err: 'ReferenceInvalidFormat' },
  { input: '[2001:db8::1]:tag', err: 'ReferenceInvalidFormat' },
  { input: '[2001:db8::1]/repo', domain: '[2001:db8::1]', repository: '[2001:db8::1]/repo' },
  {
    input: '[2001:db8:1:2:3:4:5:6]/repo:tag',
    domain: '[2001:db8:1:2:3:4:5:6]',
    repository: '[2001:db8:1:2:3:4:5:6]/repo',
    tag: 'tag',
  },
  { input: '[2001:db8::1]:5000/repo', domain: '[2001:db8::1]:5000', repository: '[2001:db8::1]:5000/repo' },
  {
    input: '[2001:db8::1]:5000/repo:tag',
    domain: '[2001:db8::1]:5000',
    repository: '[2001:db8::1]:5000/repo',
    tag: 'tag',
  },
  {
    input: `[2001:db8::1]:5000/repo@sha256:${F64}`,
    domain: '[2001:db8::1]:5000',
    repository: '[2001:db8::1]:5000/repo',
    digest: `sha256:${F64}`,
  },
  {
    input: `[2001:db8::1]:5000/repo:tag@sha256:${F64}`,
    domain: '[2001:db8::1]:5000',
    repository: '[2001:db8::1]:5000/repo',
    tag: 'tag',
    digest: `sha256:${F64}`,
  },
  { input: '[2001:db8::]:5000/repo', domain: '[2001:db8::]:5000', repository: '[2001:db8::]:5000/repo' },
  { input: '[::1]:5000/repo', domain: '[::1]:5000', repository: '[::1]:5000/repo' },
  { input: '[fe80::1%eth0]:5000/repo', err: 'ReferenceInvalidFormat' },
  { input: '[fe80::1%@invalidzone]:5000/repo', err: 'ReferenceInvalidFormat' },
  {
    input: `example.com/${'a'.repeat(255)}:tag`,
    domain: 'example.com',
    repository: `example.com/${'a'.repeat(255)}`,
    tag: 'tag',
  },
];

describe('parseReference (upstream TestReferenceParse)', () => {
  it.each(parseCases)('$input', (tc) => {
    if (tc.err) {
      expect(codeOf(() => parseReference(tc.input))).toBe(tc.err);
      return;
    }
    const ref = parseReference(tc.input);
    expect(referenceString(ref)).toBe(tc.input);
    expect(referenceName(ref)).toBe(tc.repository);
    expect(ref.domain).toBe(tc.domain ?? '');
    expect(ref.tag).toBe(tc.tag);
    expect(ref.digest).toBe(tc.digest);
  });

  it('accepts sha512, which Slipway registers (upstream expects ErrDigestUnsupported only because its test binary does not)', () => {
    const digest = `sha512:${'f'.repeat(128)}`;
    expect(parseReference(`validname@${digest}`).digest).toBe(digest);
    expect(codeOf(() => parseReference(`validname@sha384:${'f'.repeat(96)}`))).toBe('DigestUnsupported');
  });

  it('names the input in the error', () => {
    expect(() => parseReference('aa/asdf$$^/aa')).toThrow('aa/asdf$$^/aa: invalid reference format');
  });
});

describe('withName (upstream TestWithNameFailure, TestDomainAndPath)', () => {
  it.each([
    ['', 'ReferenceInvalidFormat'],
    [':justtag', 'ReferenceInvalidFormat'],
    [`@sha256:${F64}`, 'ReferenceInvalidFormat'],
    [`validname@invaliddigest:${F64}`, 'ReferenceInvalidFormat'],
    ['example.com/repo:tag', 'ReferenceInvalidFormat'],
    [`example.com/${'a'.repeat(256)}`, 'NameTooLong'],
    ['aa/asdf$$^/aa', 'ReferenceInvalidFormat'],
  ] as const)('rejects %j', (input, code) => {
    expect(codeOf(() => withName(input))).toBe(code);
  });

  it.each([
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', '', 'test_com/foo'],
    ['test:8080/foo', 'test:8080', 'foo'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
  ])('%s → domain %j, path %j', (input, domain, path) => {
    expect(withName(input)).toEqual({ domain, path });
  });
});

describe('withTag / withDigest (upstream TestWithTag, TestWithDigest)', () => {
  const d = 'sha256:1234567890098765432112345667890098765';
  it.each([
    ['test.com/foo', undefined, 'tag', 'test.com/foo:tag'],
    ['foo', undefined, 'tag2', 'foo:tag2'],
    ['test.com:8000/foo', undefined, 'tag4', 'test.com:8000/foo:tag4'],
    ['test.com:8000/foo', undefined, 'TAG5', 'test.com:8000/foo:TAG5'],
    ['test.com:8000/foo', d, 'TAG5', `test.com:8000/foo:TAG5@${d}`],
  ])('withTag(%s, %s, %s) = %s', (name, digest, tag, combined) => {
    let ref = withName(name);
    if (digest) ref = withDigest(ref, digest);
    expect(referenceString(withTag(ref, tag))).toBe(combined);
  });

  it.each([
    ['test.com/foo', undefined, `test.com/foo@${d}`],
    ['foo', undefined, `foo@${d}`],
    ['test.com:8000/foo', undefined, `test.com:8000/foo@${d}`],
    ['test.com:8000/foo', 'latest', `test.com:8000/foo:latest@${d}`],
  ])('withDigest(%s, tag %s) = %s', (name, tag, combined) => {
    let ref = withName(name);
    if (tag) ref = withTag(ref, tag);
    expect(referenceString(withDigest(ref, d))).toBe(combined);
  });

  it('rejects a bad tag and a bad digest (upstream TestInvalidReferenceComponents)', () => {
    const ref = parseNormalizedNamed('busybox');
    expect(codeOf(() => withTag(ref, '-foo'))).toBe('TagInvalidFormat');
    expect(codeOf(() => withDigest(ref, 'foo'))).toBe('DigestInvalidFormat');
    expect(codeOf(() => parseNormalizedNamed('-foo'))).not.toBe('ok');
  });
});

describe('parseNamed (upstream TestParseNamed)', () => {
  it.each([
    ['test.com/foo', 'test.com', 'foo', undefined],
    ['test:8080/foo', 'test:8080', 'foo', undefined],
    ['test_com/foo', '', '', 'NameNotCanonical'],
    ['test.com', '', '', 'NameNotCanonical'],
    ['foo', '', '', 'NameNotCanonical'],
    ['library/foo', '', '', 'NameNotCanonical'],
    ['docker.io/library/foo', 'docker.io', 'library/foo', undefined],
    ['docker.io/foo', '', '', 'NameNotCanonical'],
  ] as const)('%s', (input, domain, path, err) => {
    if (err) {
      expect(codeOf(() => parseNamed(input))).toBe(err);
      return;
    }
    expect(parseNamed(input)).toEqual({ domain, path });
  });
});

describe('parseNormalizedNamed (upstream TestValidateReferenceName, TestValidateRemoteName)', () => {
  const valid = [
    'docker/docker',
    'library/debian',
    'debian',
    'localhost/library/debian',
    'localhost/debian',
    'LOCALDOMAIN/library/debian',
    'LOCALDOMAIN/debian',
    'docker.io/docker/docker',
    'docker.io/library/debian',
    'docker.io/debian',
    'index.docker.io/docker/docker',
    'index.docker.io/library/debian',
    'index.docker.io/debian',
    '127.0.0.1:5000/docker/docker',
    '127.0.0.1:5000/library/debian',
    '127.0.0.1:5000/debian',
    '192.168.0.1',
    '192.168.0.1:80',
    '192.168.0.1:8/debian',
    '192.168.0.2:25000/debian',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker',
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    'Docker/docker',
    'DOCKER/docker',
    // TestValidateRemoteName
    'docker-rules/docker',
    'docker---rules/docker',
    'doc/docker',
    'd/docker',
    'jess/t',
    'dock__er/docker',
  ];
  const invalid = [
    'https://github.com/docker/docker',
    'docker/Docker',
    '-docker',
    '-docker/docker',
    '-docker.io/docker/docker',
    'docker///docker',
    'docker.io/docker/Docker',
    'docker.io/docker///docker',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    '[2001:db8:3:4::192.0.2.33]:5000/debian',
    '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    // TestValidateRemoteName
    'docker-/docker',
    '-docker-/docker',
    '____/____',
    '_docker/_docker',
    'dock..er/docker',
    'dock_.er/docker',
    'dock-.er/docker',
    'docker/',
    `${'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(4)}/docker`,
  ];
  it.each(valid)('accepts %s', (name) => {
    expect(codeOf(() => parseNormalizedNamed(name))).toBe('ok');
  });
  it.each(invalid)('rejects %s', (name) => {
    expect(codeOf(() => parseNormalizedNamed(name))).not.toBe('ok');
  });
});

describe('normalisation (upstream TestParseRepositoryInfo)', () => {
  const cases = [
    {
      remote: 'fooo',
      familiar: 'localhost/fooo',
      full: 'localhost/fooo',
      ambiguous: '',
      domain: 'localhost',
    },
    {
      remote: 'fooo/bar',
      familiar: 'localhost/fooo/bar',
      full: 'localhost/fooo/bar',
      ambiguous: '',
      domain: 'localhost',
    },
    {
      remote: 'fooo',
      familiar: 'LOCALDOMAIN/fooo',
      full: 'LOCALDOMAIN/fooo',
      ambiguous: '',
      domain: 'LOCALDOMAIN',
    },
    {
      remote: 'fooo/bar',
      familiar: 'LOCALDOMAIN/fooo/bar',
      full: 'LOCALDOMAIN/fooo/bar',
      ambiguous: '',
      domain: 'LOCALDOMAIN',
    },
    {
      remote: 'fooo/bar',
      familiar: 'fooo/bar',
      full: 'docker.io/fooo/bar',
      ambiguous: 'index.docker.io/fooo/bar',
      domain: 'docker.io',
    },
    {
      remote: 'library/ubuntu',
      familiar: 'ubuntu',
      full: 'docker.io/library/ubuntu',
      ambiguous: 'library/ubuntu',
      domain: 'docker.io',
    },
    {
      remote: 'nonlibrary/ubuntu',
      familiar: 'nonlibrary/ubuntu',
      full: 'docker.io/nonlibrary/ubuntu',
      ambiguous: '',
      domain: 'docker.io',
    },
    {
      remote: 'other/library',
      familiar: 'other/library',
      full: 'docker.io/other/library',
      ambiguous: '',
      domain: 'docker.io',
    },
    {
      remote: 'private/moonbase',
      familiar: '127.0.0.1:8000/private/moonbase',
      full: '127.0.0.1:8000/private/moonbase',
      ambiguous: '',
      domain: '127.0.0.1:8000',
    },
    {
      remote: 'privatebase',
      familiar: '127.0.0.1:8000/privatebase',
      full: '127.0.0.1:8000/privatebase',
      ambiguous: '',
      domain: '127.0.0.1:8000',
    },
    {
      remote: 'private/moonbase',
      familiar: 'example.com/private/moonbase',
      full: 'example.com/private/moonbase',
      ambiguous: '',
      domain: 'example.com',
    },
    {
      remote: 'privatebase',
      familiar: 'example.com/privatebase',
      full: 'example.com/privatebase',
      ambiguous: '',
      domain: 'example.com',
    },
    {
      remote: 'private/moonbase',
      familiar: 'example.com:8000/private/moonbase',
      full: 'example.com:8000/private/moonbase',
      ambiguous: '',
      domain: 'example.com:8000',
    },
    {
      remote: 'privatebasee',
      familiar: 'example.com:8000/privatebasee',
      full: 'example.com:8000/privatebasee',
      ambiguous: '',
      domain: 'example.com:8000',
    },
    {
      remote: 'library/ubuntu-12.04-base',
      familiar: 'ubuntu-12.04-base',
      full: 'docker.io/library/ubuntu-12.04-base',
      ambiguous: 'index.docker.io/library/ubuntu-12.04-base',
      domain: 'docker.io',
    },
    {
      remote: 'library/foo',
      familiar: 'foo',
      full: 'docker.io/library/foo',
      ambiguous: 'docker.io/foo',
      domain: 'docker.io',
    },
    {
      remote: 'library/foo/bar',
      familiar: 'library/foo/bar',
      full: 'docker.io/library/foo/bar',
      ambiguous: '',
      domain: 'docker.io',
    },
    {
      remote: 'store/foo/bar',
      familiar: 'store/foo/bar',
      full: 'docker.io/store/foo/bar',
      ambiguous: '',
      domain: 'docker.io',
    },
    { remote: 'bar', familiar: 'Foo/bar', full: 'Foo/bar', ambiguous: '', domain: 'Foo' },
    { remote: 'bar', familiar: 'FOO/bar', full: 'FOO/bar', ambiguous: '', domain: 'FOO' },
  ];
  const rows = cases.flatMap((tc) =>
    [tc.familiar, tc.full, tc.ambiguous].filter((r) => r !== '').map((input) => ({ input, ...tc })),
  );
  it.each(rows)('$input', (tc) => {
    const ref = parseNormalizedNamed(tc.input);
    expect(familiarName(ref)).toBe(tc.familiar);
    expect(referenceString(ref)).toBe(tc.full);
    expect(ref.domain).toBe(tc.domain);
    expect(ref.path).toBe(tc.remote);
  });

  it('keeps tag and digest (upstream TestParseReferenceWithTagAndDigest)', () => {
    const short = 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
    const ref = parseNormalizedNamed(short);
    expect(referenceString(ref)).toBe(`docker.io/library/${short}`);
    expect(ref.tag).toBe('latest');
    expect(ref.digest).toBe('sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa');
  });
});

describe('hosts', () => {
  it.each([
    ['docker.io', 'registry-1.docker.io'],
    ['index.docker.io', 'registry-1.docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
  ])('registryApiHost(%s) = %s', (domain, host) => {
    expect(registryApiHost(domain)).toBe(host);
  });

  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1', true],
    ['127.1.2.3:80', true],
    ['[::1]:5000', true],
    ['[::1]', true],
    ['128.0.0.1:5000', false],
    ['registry.local:5000', false],
    ['127.0.0.1.example.com', false],
    ['[2001:db8::1]:5000', false],
  ] as const)('isLoopbackHost(%s) = %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
