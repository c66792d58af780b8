import { describe, expect, it } from 'vitest';
import { challengeScopes, parseWwwAuthenticate } from './challenge.ts';

describe('parseWwwAuthenticate', () => {
  it('parses the vector of distribution TestAuthChallengeParse (escapes in quoted strings)', () => {
    const header =
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",other=fun,slashed="he\\"\\l\\lo"';
    expect(parseWwwAuthenticate(header)).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          other: 'fun',
          slashed: 'he"llo',
        },
      },
    ]);
  });

  it('parses the challenge distribution 2.8 sends for a pull, with several scopes', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="http://127.0.0.1:4000/token",service="slipway-test",scope="repository:app:pull repository:lib/base:pull,push",error="insufficient_scope"',
    );
    expect(c?.params).toEqual({
      realm: 'http://127.0.0.1:4000/token',
      service: 'slipway-test',
      scope: 'repository:app:pull repository:lib/base:pull,push',
      error: 'insufficient_scope',
    });
    expect(challengeScopes(c!)).toEqual(['repository:app:pull', 'repository:lib/base:pull,push']);
  });

  it('parses a Basic challenge, lower-casing scheme and parameter names', () => {
    expect(parseWwwAuthenticate('BASIC Realm="basic-realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'basic-realm' } },
    ]);
  });

  it('splits several challenges in one header value (RFC 7235 §4.1)', () => {
    expect(
      parseWwwAuthenticate('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"'),
    ).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
  });

  it('reads challenges from several header values', () => {
    expect(
      parseWwwAuthenticate(['Bearer realm="https://a/token",service="a"', 'Basic realm="b"']).map(
        (c) => c.scheme,
      ),
    ).toEqual(['bearer', 'basic']);
  });

  it('accepts whitespace around "=" and between parameters', () => {
    expect(parseWwwAuthenticate('Bearer  realm = "r" ,  service= s')).toEqual([
      { scheme: 'bearer', params: { realm: 'r', service: 's' } },
    ]);
  });

  it('parses a token68 challenge and a bare scheme', () => {
    expect(parseWwwAuthenticate('Negotiate YIIB9wYGKwYBBQUCoIIB7zCCAeu==, Basic')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YIIB9wYGKwYBBQUCoIIB7zCCAeu==' },
      { scheme: 'basic', params: {} },
    ]);
  });

  it('keeps commas inside quoted values', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="https://a/token?x=1,2",scope="repository:a:pull,push"');
    expect(c?.params).toEqual({ realm: 'https://a/token?x=1,2', scope: 'repository:a:pull,push' });
  });

  it('returns nothing for a missing or empty header and never loops on junk', () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(' , ,')).toEqual([]);
    expect(parseWwwAuthenticate('"quoted" =,= Basic realm="x"').at(-1)).toEqual({
      scheme: 'basic',
      params: { realm: 'x' },
    });
  });

  it('keeps the first of a repeated parameter and tolerates an unterminated quote', () => {
    expect(parseWwwAuthenticate('Bearer realm="a", realm="b", service="unterminated')).toEqual([
      { scheme: 'bearer', params: { realm: 'a', service: 'unterminated' } },
    ]);
  });
});
