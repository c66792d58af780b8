import { describe, expect, it } from 'vitest';
import { formatIdentity, parseIdentity } from './identity.ts';

describe('parseIdentity', () => {
  it.each([
    ['CI Bot <ci@example.com>', { name: 'CI Bot', email: 'ci@example.com' }],
    ['  Jane Doe   <jane@example.com>  ', { name: 'Jane Doe', email: 'jane@example.com' }],
    ['José <j@example.com>', { name: 'José', email: 'j@example.com' }],
  ])('%j', (text, identity) => {
    expect(parseIdentity(text)).toEqual(identity);
    expect(parseIdentity(formatIdentity(identity))).toEqual(identity);
  });

  it.each(['ci@example.com', '<ci@example.com>', 'A <b> <c>', 'A <b c>', 'A\nB <c@d>', 'A <>'])(
    'refuses %j naming the flag',
    (text) => {
      expect(() => parseIdentity(text)).toThrow(/^--author: expected "Name <email>"/);
    },
  );
});
