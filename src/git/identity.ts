/**
 * Who a commit is by: `Name <email>`, as git writes it.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';

export interface GitIdentity {
  name: string;
  email: string;
}

/** The identity Slipway commits as when none is given. */
export const SLIPWAY_IDENTITY: GitIdentity = { name: 'Slipway', email: 'slipway@localhost' };

/**
 * Parses `Name <email>`. git forbids `<`, `>` and newlines inside either part (it would write a
 * broken commit header), so they are refused here with the field named.
 * @example parseIdentity('CI Bot <ci@example.com>') // { name: 'CI Bot', email: 'ci@example.com' }
 */
export function parseIdentity(text: string, field = '--author'): GitIdentity {
  const match = /^\s*([^<>\n]*?)\s*<([^<>\s]+)>\s*$/.exec(text);
  if (!match || match[1] === '' || match[2] === undefined) {
    throw new SlipwayError(`expected "Name <email>", got ${JSON.stringify(text)}`, {
      subject: field,
      reason: 'InvalidIdentity',
    });
  }
  return { name: match[1] ?? '', email: match[2] };
}

/** `Name <email>`. */
export function formatIdentity(identity: GitIdentity): string {
  return `${identity.name} <${identity.email}>`;
}
