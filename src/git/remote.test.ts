import { describe, expect, it } from 'vitest';
import { parseRemote, redactUrl } from './remote.ts';

describe('parseRemote', () => {
  it.each([
    // address, transport, url given to git
    ['https://git.example.com/org/config.git', 'http', 'https://git.example.com/org/config.git'],
    ['http://127.0.0.1:8080/config.git', 'http', 'http://127.0.0.1:8080/config.git'],
    ['ssh://git@git.example.com:2222/org/config.git', 'ssh', 'ssh://git@git.example.com:2222/org/config.git'],
    ['git@github.com:myorg/deploy-configs.git', 'ssh', 'git@github.com:myorg/deploy-configs.git'],
    ['file:///srv/git/config.git', 'file', 'file:///srv/git/config.git'],
    ['/srv/git/config.git', 'file', 'file:///srv/git/config.git'],
    ['git://git.example.com/config.git', 'git', 'git://git.example.com/config.git'],
  ] as const)('%s is %s', (address, transport, url) => {
    const remote = parseRemote(address);
    expect(remote.transport).toBe(transport);
    expect(remote.url).toBe(url);
    expect(remote.key).toMatch(/^[0-9a-f]{20}$/);
  });

  it('resolves a relative path against cwd', () => {
    expect(parseRemote('../config.git', '/srv/work').url).toBe('file:///srv/config.git');
  });

  it('lifts credentials out of an https address', () => {
    const remote = parseRemote('https://bot:s3cr%2Fet@git.example.com/org/config.git');
    expect(remote.url).toBe('https://git.example.com/org/config.git');
    expect(remote.display).toBe('https://git.example.com/org/config.git');
    expect(remote.origin).toBe('https://git.example.com/');
    expect(remote.userinfo).toEqual({ username: 'bot', password: 's3cr/et' });
    expect(JSON.stringify(remote)).not.toContain('s3cr%2Fet');
  });

  it('gives the same cache key with or without credentials in the address', () => {
    expect(parseRemote('https://x:y@h.example/r.git').key).toBe(parseRemote('https://h.example/r.git').key);
  });

  it.each([
    ['', 'empty'],
    ['--upload-pack=touch /tmp/pwned', 'cannot start with "-"'],
    ['ext::sh -c touch% /tmp/pwned', 'remote helpers'],
    ['fd::17', 'remote helpers'],
    ['ftp://host/repo.git', 'ftp:// transport is not supported'],
    ['https://exa mple.com/x', 'not a valid URL'],
    ['https://host/x\nfoo', 'control character'],
  ])('refuses %j (%s)', (address, why) => {
    expect(() => parseRemote(address)).toThrow(why);
  });

  it('does not echo a password when it refuses an address', () => {
    expect(() => parseRemote('ftp://bot:hunter22@host/repo.git')).toThrow(/ftp:\/\/\*\*\*@host/);
  });
});

describe('redactUrl', () => {
  it.each([
    [
      "fatal: unable to access 'https://bot:tok123@h/x.git/'",
      "fatal: unable to access 'https://***@h/x.git/'",
    ],
    ['https://tok123@h/x.git', 'https://***@h/x.git'],
    ['ssh://git@h/x.git', 'ssh://git@h/x.git'],
    ['ssh://git:pw@h/x.git', 'ssh://***@h/x.git'],
    ['no url here', 'no url here'],
    ['two: http://a:b@h1/ and https://c:d@h2/', 'two: http://***@h1/ and https://***@h2/'],
  ])('%s', (input, output) => {
    expect(redactUrl(input)).toBe(output);
  });
});
