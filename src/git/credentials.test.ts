import { describe, expect, it } from 'vitest';
import { credentialsFromEnv, secretsOf } from './credentials.ts';

describe('credentialsFromEnv', () => {
  it('takes a token, with x-access-token as the default username', () => {
    expect(credentialsFromEnv({ SLIPWAY_GIT_TOKEN: 'tok' })).toEqual({
      username: 'x-access-token',
      password: 'tok',
      source: 'SLIPWAY_GIT_TOKEN',
    });
    expect(credentialsFromEnv({ SLIPWAY_GIT_TOKEN: 'tok', SLIPWAY_GIT_USERNAME: 'bot' })?.username).toBe(
      'bot',
    );
  });

  it('takes a username and password pair', () => {
    expect(credentialsFromEnv({ SLIPWAY_GIT_USERNAME: 'u', SLIPWAY_GIT_PASSWORD: 'p' })).toEqual({
      username: 'u',
      password: 'p',
      source: 'SLIPWAY_GIT_USERNAME/SLIPWAY_GIT_PASSWORD',
    });
  });

  it('prefers the environment over credentials typed into the address', () => {
    const remote = { userinfo: { username: 'a', password: 'b' } };
    expect(credentialsFromEnv({ SLIPWAY_GIT_TOKEN: 't' }, remote)?.password).toBe('t');
    expect(credentialsFromEnv({}, remote)).toEqual({
      username: 'a',
      password: 'b',
      source: 'the repository URL',
    });
  });

  it('has none when nothing is set (a username alone is not enough)', () => {
    expect(credentialsFromEnv({ SLIPWAY_GIT_USERNAME: 'u' })).toBeUndefined();
  });
});

describe('secretsOf', () => {
  it('lists every form git could echo', () => {
    const secrets = secretsOf({ username: 'bot', password: 'p/ss', source: 'x' });
    expect(secrets).toEqual(['p/ss', 'p%2Fss', 'bot:p/ss', Buffer.from('bot:p/ss').toString('base64')]);
  });
});

describe('secretsOf a token typed as the username', () => {
  it('treats the username as the secret when there is no password', () => {
    expect(secretsOf({ username: 'ghp_abc/def', password: '', source: 'the repository URL' })).toEqual(
      expect.arrayContaining(['ghp_abc/def', 'ghp_abc%2Fdef']),
    );
  });
});
