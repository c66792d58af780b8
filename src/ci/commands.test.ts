import { describe, expect, it } from 'vitest';
import { addMaskValue, Masker, parseKeyValueFile, parsePathFile } from './commands.ts';
import { refName, repositoryFromRemoteUrl, secretsFromEnv } from './contexts.ts';
import { globToRegExp } from './hash-files.ts';

describe('parseKeyValueFile ($GITHUB_OUTPUT / $GITHUB_ENV)', () => {
  it('reads name=value and heredoc entries; later entries win', () => {
    const text = 'tag=abc123\nurl=a=b\nnotes<<EOF\nline 1\n\nline=3\nEOF\ntag=def\n';
    expect(parseKeyValueFile(text)).toEqual({ tag: 'def', url: 'a=b', notes: 'line 1\n\nline=3' });
  });
  it('accepts an empty value and CRLF lines', () => {
    expect(parseKeyValueFile('a=\r\nb<<X\r\n1\r\nX\r\n')).toEqual({ a: '', b: '1' });
  });
  it('rejects an unclosed heredoc and a line without =', () => {
    expect(() => parseKeyValueFile('a<<EOF\nx\n')).toThrow(/never closed/);
    expect(() => parseKeyValueFile('garbage\n')).toThrow(/neither/);
  });
  it('reads $GITHUB_PATH', () => {
    expect(parsePathFile('/opt/a\n\n/opt/b\n')).toEqual(['/opt/a', '/opt/b']);
  });
});

describe('masking', () => {
  it('masks longest first, each line of a multi-line secret, and ignores blanks', () => {
    const m = new Masker(['abcd', 'abcdef', '  ', 'one\ntwo']);
    expect(m.mask('x abcdef y abcd z one two')).toBe('x *** y *** z *** ***');
  });
  it('recognises ::add-mask::', () => {
    expect(addMaskValue('::add-mask::s3cret')).toBe('s3cret');
    expect(addMaskValue('echo ::add-mask::x')).toBeUndefined();
    expect(addMaskValue('::add-mask::')).toBeUndefined();
  });
});

describe('contexts', () => {
  it.each([
    ['git@github.com:acme/api.git', 'acme/api'],
    ['https://github.com/acme/api', 'acme/api'],
    ['https://github.com/acme/api.git/', 'acme/api'],
    ['ssh://git@host:22/org/svc.git', 'org/svc'],
    ['file:///srv/git/team/svc.git', 'team/svc'],
    ['/srv/git/team/svc', 'team/svc'],
  ])('repository of %s is %s', (url, want) => expect(repositoryFromRemoteUrl(url)).toBe(want));

  it('ref names', () => {
    expect(refName('refs/heads/main')).toBe('main');
    expect(refName('refs/tags/v1.2.0')).toBe('v1.2.0');
    expect(refName('refs/pull/7/merge')).toBe('7/merge');
  });

  it('reads secrets only from SLIPWAY_SECRET_*', () => {
    expect(
      secretsFromEnv({ SLIPWAY_SECRET_GITHUB_TOKEN: 't', PATH: '/bin', SLIPWAY_SECRET_: 'x' }, { B: 'b' }),
    ).toEqual({
      GITHUB_TOKEN: 't',
      B: 'b',
    });
  });
});

describe('hashFiles globs', () => {
  it.each([
    ['**/package-lock.json', 'package-lock.json', true],
    ['**/package-lock.json', 'a/b/package-lock.json', true],
    ['*.json', 'a/x.json', false],
    ['src/**', 'src/a/b.ts', true],
    ['src/?.ts', 'src/a.ts', true],
    ['./Makefile', 'Makefile', true],
  ])('%s matches %s: %s', (glob, path, want) => expect(globToRegExp(glob).test(path)).toBe(want));
});
