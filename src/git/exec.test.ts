import { describe, expect, it } from 'vitest';
import { BASE_CONFIG, classifyGitFailure, gitEnvironment, redact, summarizeStderr } from './exec.ts';

// git 2.39 / curl 7.88 (GnuTLS and OpenSSL builds) / OpenSSH 9.2 messages, as the real tools print them (C locale).
const VECTORS: Array<[string, ReturnType<typeof classifyGitFailure>]> = [
  ["fatal: Authentication failed for 'http://127.0.0.1:40000/config.git/'\n", 'auth'],
  ["fatal: could not read Username for 'http://127.0.0.1:40000': terminal prompts disabled\n", 'auth'],
  [
    'git@127.0.0.1: Permission denied (publickey).\r\nfatal: Could not read from remote repository.\n',
    'auth',
  ],
  ['Host key verification failed.\r\nfatal: Could not read from remote repository.\n', 'auth'],
  [
    "fatal: unable to access 'http://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server\n",
    'unreachable',
  ],
  [
    "fatal: unable to access 'https://nonexistent.invalid/x.git/': Could not resolve host: nonexistent.invalid\n",
    'unreachable',
  ],
  [
    'ssh: connect to host 127.0.0.1 port 1: Connection refused\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n',
    'unreachable',
  ],
  ["fatal: unable to access 'http://h/x.git/': The requested URL returned error: 502\n", 'unreachable'],
  [
    "fatal: unable to access 'https://127.0.0.1:36583/config.git/': server certificate verification failed. CAfile: none CRLfile: none\n",
    'tls',
  ],
  ["fatal: unable to access 'https://h/x.git/': SSL certificate problem: self-signed certificate\n", 'tls'],
  [
    "fatal: '/nonexistent/repo.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
    'not-found',
  ],
  ["fatal: repository 'http://127.0.0.1:4000/missing.git/' not found\n", 'not-found'],
  ['fatal: not a git repository (or any of the parent directories): .git\n', 'corrupt'],
  ['fatal: bad config line 1 in file /cache/x/config\n', 'corrupt'],
  [
    'error: object file .git/objects/ab/cdef is empty\nfatal: loose object abcdef (stored in x) is corrupt\n',
    'corrupt',
  ],
  ["fatal: pathspec 'apps/x' did not match any file(s) known to git\n", 'other'],
];

describe('classifyGitFailure', () => {
  it.each(VECTORS)('%j is %s', (stderr, kind) => {
    expect(classifyGitFailure(stderr)).toBe(kind);
  });
});

describe('summarizeStderr', () => {
  it('keeps fatal and error lines only', () => {
    expect(summarizeStderr('hint: x\nerror: one\nremote: noise\nfatal: two\n')).toBe(
      'error: one; fatal: two',
    );
  });
  it('falls back to the last line', () => {
    expect(summarizeStderr('first\nlast line\n\n')).toBe('last line');
  });
});

describe('redact', () => {
  it('removes every literal secret, longest first, and URL userinfo', () => {
    const text = "Authorization: Basic Ym90Omh1bnRlcjI= for 'https://bot:hunter2@h/x.git' hunter2";
    const out = redact(text, ['hunter2', 'bot:hunter2', 'Ym90Omh1bnRlcjI=']);
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('Ym90Omh1bnRlcjI=');
    expect(out).toBe("Authorization: Basic *** for 'https://***@h/x.git' ***");
  });
  it('ignores secrets too short to be anything but noise', () => {
    expect(redact('a b c', ['a'])).toBe('a b c');
  });
});

describe('gitEnvironment', () => {
  const env = gitEnvironment([['http.extraHeader', 'X: y']], { EXTRA: '1' }, false, {
    PATH: '/usr/bin',
    HOME: '/home/u',
    GIT_DIR: '/elsewhere/.git',
    GIT_INDEX_FILE: '/elsewhere/index',
    GIT_ASKPASS: '/usr/bin/ksshaskpass',
    SSH_ASKPASS: '/usr/bin/ssh-askpass',
    LANG: 'de_DE.UTF-8',
  });

  it("drops the caller's git and askpass variables", () => {
    for (const k of ['GIT_DIR', 'GIT_INDEX_FILE', 'GIT_ASKPASS', 'SSH_ASKPASS'])
      expect(env[k]).toBeUndefined();
  });

  it('ignores system and global config, never prompts, speaks C', () => {
    expect(env).toMatchObject({
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      LC_ALL: 'C',
      PATH: '/usr/bin',
      HOME: '/home/u',
      EXTRA: '1',
    });
  });

  it('passes configuration as GIT_CONFIG_KEY_n/VALUE_n, ours after the base', () => {
    const n = Number(env['GIT_CONFIG_COUNT']);
    expect(n).toBe(BASE_CONFIG.length + 1);
    expect(env[`GIT_CONFIG_KEY_${n - 1}`]).toBe('http.extraHeader');
    expect(env[`GIT_CONFIG_VALUE_${n - 1}`]).toBe('X: y');
    const keys = Array.from({ length: n }, (_, i) => env[`GIT_CONFIG_KEY_${i}`]);
    expect(keys).toContain('protocol.allow');
  });

  it('reads the global config only when asked (to find the credential helper)', () => {
    expect(gitEnvironment([], {}, true, {})['GIT_CONFIG_GLOBAL']).toBeUndefined();
  });
});
