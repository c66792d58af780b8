import { describe, expect, it } from 'vitest';
import {
  computeDigest,
  type DigestErrorCode,
  InvalidDigestError,
  matchesDigest,
  parseDigest,
} from './digest.ts';

function codeOf(digest: string): DigestErrorCode | 'ok' {
  try {
    parseDigest(digest);
    return 'ok';
  } catch (err) {
    if (err instanceof InvalidDigestError) return err.code;
    throw err;
  }
}

describe('digests', () => {
  // Vectors after opencontainers/go-digest's TestParseDigest.
  it.each([
    ['sha256:e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b', 'ok'],
    [
      'sha384:d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d',
      'DigestUnsupported',
    ],
    [`sha512:${'a'.repeat(128)}`, 'ok'],
    ['e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b', 'DigestInvalidFormat'],
    ['sha256:e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046', 'DigestInvalidLength'],
    ['sha256:E58FCF7418D4390DEC8E8FB69D88C06EC07039D651FEDD3AA72AF9972E7D046B', 'DigestInvalidFormat'],
    ['sha256:', 'DigestInvalidFormat'],
    [':e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b', 'DigestInvalidFormat'],
    ['foo:d41d8cd98f00b204e9800998ecf8427e', 'DigestUnsupported'],
    ['SHA256:e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b', 'DigestInvalidFormat'],
  ] as const)('parseDigest(%s) → %s', (digest, expected) => {
    expect(codeOf(digest)).toBe(expected);
  });

  it('computes and verifies digests with the algorithm the digest names', () => {
    const empty = new Uint8Array();
    expect(computeDigest(empty)).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const hello = Buffer.from('hello');
    expect(matchesDigest(hello, computeDigest(hello, 'sha512'))).toBe(true);
    expect(matchesDigest(hello, computeDigest(Buffer.from('hellO')))).toBe(false);
  });
});
