/**
 * What a repository address means: its transport, the URL git is given (never with credentials in
 * it), the text shown to people, and the cache key.
 *
 * Credentials typed into an address (`https://user:token@host/repo.git`) are lifted out here and
 * handed to the credentials module, so they are never written into `.git/config`, a log or an error.
 * @module
 */
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { SlipwayError } from '../util/errors.ts';

/** The transports Slipway lets git use; everything else (`ext::`, `fd::`, ...) is refused. */
export type RemoteTransport = 'file' | 'http' | 'ssh' | 'git';

export interface Remote {
  transport: RemoteTransport;
  /** The address git is given and `.git/config` stores: no userinfo for http(s). */
  url: string;
  /** The address for messages (same as `url`: it never holds a secret). */
  display: string;
  /** For http(s): `scheme://host[:port]/`, the scope of credentials sent to it. */
  origin?: string;
  /** Username and password found in the address itself (http(s) only). */
  userinfo?: { username: string; password: string };
  /** A short stable hash of `url`, the name of the cache folder. */
  key: string;
}

// scp-like ssh address, as git reads it: `[user@]host:path` where host has no slash before the colon.
const SCP_LIKE = /^(?:[^@/\s]+@)?[^/:\s]+:(?!\/\/)/;

/**
 * Parses a repository address.
 * @example parseRemote('https://bot:s3cret@git.example.com/org/config.git').url === 'https://git.example.com/org/config.git'
 * @example parseRemote('../config').url === 'file:///abs/path/config' (relative to `cwd`)
 */
export function parseRemote(address: string, cwd: string = process.cwd()): Remote {
  const bad = (why: string) =>
    new SlipwayError(why, { subject: redactUrl(address), reason: 'InvalidRepositoryUrl' });
  if (address.trim() === '') throw bad('the repository address is empty');
  if (address.startsWith('-')) throw bad('a repository address cannot start with "-"');
  if (/[\0\n\r]/.test(address)) throw bad('the repository address contains a control character');

  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(address)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (address.includes('::')) throw bad('remote helpers (`<transport>::<address>`) are not allowed');
    if (SCP_LIKE.test(address) && !isAbsolute(address)) {
      return withKey({ transport: 'ssh', url: address, display: address });
    }
    const url = `file://${resolve(cwd, address)}`;
    return withKey({ transport: 'file', url, display: url });
  }
  if (scheme === 'file') return withKey({ transport: 'file', url: address, display: address });
  if (scheme === 'ssh' || scheme === 'git+ssh' || scheme === 'ssh+git') {
    return withKey({ transport: 'ssh', url: address, display: address });
  }
  if (scheme === 'git') return withKey({ transport: 'git', url: address, display: address });
  if (scheme !== 'http' && scheme !== 'https') throw bad(`the ${scheme}:// transport is not supported`);

  let parsed: URL;
  try {
    parsed = new URL(address);
  } catch (err) {
    throw new SlipwayError('not a valid URL', {
      subject: redactUrl(address),
      reason: 'InvalidRepositoryUrl',
      cause: err,
    });
  }
  const userinfo =
    parsed.username || parsed.password
      ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
      : undefined;
  parsed.username = '';
  parsed.password = '';
  const url = parsed.toString();
  const remote: Omit<Remote, 'key'> = {
    transport: 'http',
    url,
    display: url,
    origin: `${parsed.protocol}//${parsed.host}/`,
  };
  return withKey(userinfo ? { ...remote, userinfo } : remote);
}

function withKey(remote: Omit<Remote, 'key'>): Remote {
  return { ...remote, key: createHash('sha256').update(remote.url).digest('hex').slice(0, 20) };
}

/**
 * Removes the secret part of every URL userinfo in `text`: a password always, and a bare
 * userinfo for http(s) (where it is usually a token). ssh users (`ssh://git@host`) stay.
 * @example redactUrl('fatal: unable to access https://bot:tok@host/x.git') === 'fatal: unable to access https://***@host/x.git'
 */
export function redactUrl(text: string): string {
  return text.replace(
    /\b([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/@\s'"]*)@/g,
    (whole, scheme: string, userinfo: string) => {
      const s = scheme.toLowerCase();
      if (userinfo.includes(':') || s === 'http' || s === 'https') return `${scheme}://***@`;
      return whole;
    },
  );
}
