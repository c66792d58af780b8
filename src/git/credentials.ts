/**
 * Credentials for git, from the environment or the user's own credential helper, handed to git as
 * per-command configuration (`GIT_CONFIG_KEY_n`), so they are never written into a remote URL, the
 * cache's `.git/config`, a log or an error message.
 *
 * | variable | meaning |
 * |---|---|
 * | `SLIPWAY_GIT_TOKEN` | a token, sent as HTTP basic password (username `SLIPWAY_GIT_USERNAME`, default `x-access-token`) |
 * | `SLIPWAY_GIT_USERNAME` + `SLIPWAY_GIT_PASSWORD` | HTTP basic credentials |
 * | `SLIPWAY_GIT_CA_FILE` | PEM file of the CA that signed the https server's certificate (a private CA) |
 * | `SLIPWAY_SSH_KEY` | private key file for ssh remotes (else ssh's defaults and agent) |
 * | `SLIPWAY_SSH_KNOWN_HOSTS` | known_hosts file for ssh remotes; host keys must match it |
 *
 * Without these, https remotes use the user's own credential helper (`credential.*` from their
 * global git config, the only part of it Slipway reads) and ssh remotes use ssh's defaults
 * (`~/.ssh/config`, the agent). The caller's `GIT_SSH_COMMAND`/`GIT_ASKPASS` are ignored: nothing
 * may prompt.
 * @module
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitConfigEntry } from './exec.ts';
import { runGit } from './exec.ts';
import type { Remote } from './remote.ts';

/** HTTP basic credentials; `source` says where they came from, for messages. */
export interface BasicCredentials {
  username: string;
  password: string;
  source: string;
}

/** What git needs to reach one remote: configuration, environment, and the values to scrub. */
export interface GitAccess {
  config: GitConfigEntry[];
  env: Record<string, string>;
  /** Every secret value in any form git might echo (password, `user:password`, its base64). */
  secrets: string[];
  /** Where the credentials came from, for an authentication error's hint. */
  source: string | undefined;
}

/**
 * Basic credentials from the environment, or from the address itself, or none.
 * @example credentialsFromEnv({ SLIPWAY_GIT_TOKEN: 't0k' }) // { username: 'x-access-token', password: 't0k', ... }
 */
export function credentialsFromEnv(
  env: NodeJS.ProcessEnv,
  remote?: Pick<Remote, 'userinfo'>,
): BasicCredentials | undefined {
  const token = env['SLIPWAY_GIT_TOKEN'];
  if (token) {
    return {
      username: env['SLIPWAY_GIT_USERNAME'] || 'x-access-token',
      password: token,
      source: 'SLIPWAY_GIT_TOKEN',
    };
  }
  const username = env['SLIPWAY_GIT_USERNAME'];
  const password = env['SLIPWAY_GIT_PASSWORD'];
  if (username && password) {
    return { username, password, source: 'SLIPWAY_GIT_USERNAME/SLIPWAY_GIT_PASSWORD' };
  }
  if (remote?.userinfo) return { ...remote.userinfo, source: 'the repository URL' };
  return undefined;
}

/** The secret forms of `creds` that must never appear in output. */
export function secretsOf(creds: BasicCredentials): string[] {
  const pair = `${creds.username}:${creds.password}`;
  const secrets = [
    creds.password,
    encodeURIComponent(creds.password),
    pair,
    Buffer.from(pair).toString('base64'),
  ];
  // `https://<token>@host/...`: with no password, the username is the secret.
  if (creds.password === '') secrets.push(creds.username, encodeURIComponent(creds.username));
  return secrets;
}

/**
 * The configuration that sends `creds` to `remote`: an `Authorization: Basic` header scoped to the
 * remote's origin (`http.<origin>.extraHeader`), so a redirect to another host does not carry it.
 * Without credentials, the user's own credential helpers (`credential.*` from their global config,
 * which is otherwise ignored) are passed through.
 */
export async function gitAccess(
  remote: Remote,
  options: { env?: NodeJS.ProcessEnv; credentials?: BasicCredentials; cacheRoot: string },
): Promise<GitAccess> {
  const env = options.env ?? process.env;
  if (remote.transport === 'ssh') {
    return { config: [], env: sshEnv(env, options.cacheRoot), secrets: [], source: sshSource(env) };
  }
  if (remote.transport !== 'http' || remote.origin === undefined) {
    return { config: [], env: {}, secrets: [], source: undefined };
  }
  const tls: GitConfigEntry[] = env['SLIPWAY_GIT_CA_FILE']
    ? [[`http.${remote.origin}.sslCAInfo`, env['SLIPWAY_GIT_CA_FILE']]]
    : [];
  const creds = options.credentials ?? credentialsFromEnv(env, remote);
  if (creds) {
    const header = `Authorization: Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    return {
      config: [...tls, [`http.${remote.origin}.extraHeader`, header]],
      env: {},
      secrets: secretsOf(creds),
      source: creds.source,
    };
  }
  const helpers = await userCredentialConfig(env['HOME']);
  return {
    config: [...tls, ...helpers],
    env: {},
    secrets: [],
    source: helpers.length > 0 ? 'your git credential helper' : undefined,
  };
}

const userHelpers = new Map<string, Promise<GitConfigEntry[]>>();

/**
 * The user's `credential.*` settings from their global git config (`$HOME/.gitconfig`), read once
 * per home folder and process (none without a home). Everything else in that file stays ignored.
 */
export function userCredentialConfig(
  home: string | undefined = process.env['HOME'],
): Promise<GitConfigEntry[]> {
  if (home === undefined || home === '') return Promise.resolve([]);
  let found = userHelpers.get(home);
  if (found === undefined) {
    found = runGit(['config', '--global', '--get-regexp', '^credential\\.'], {
      userGlobalConfig: true,
      env: { HOME: home },
      okCodes: [1],
      timeoutMs: 10_000,
    }).then(
      (r) =>
        r.stdout
          .split('\n')
          .filter((l) => l !== '')
          .map((l): GitConfigEntry => {
            const space = l.indexOf(' ');
            return space < 0 ? [l, ''] : [l.slice(0, space), l.slice(space + 1)];
          }),
      // No readable global config: there is no helper to use.
      () => [],
    );
    userHelpers.set(home, found);
  }
  return found;
}

function sshSource(env: NodeJS.ProcessEnv): string {
  return env['SLIPWAY_SSH_KEY'] ? 'SLIPWAY_SSH_KEY' : 'your ssh keys and agent';
}

/**
 * ssh for git: `BatchMode` (never a prompt), the key and known_hosts from the environment. The
 * options go through a fixed wrapper script that quotes them, so no shell text is built from input
 * and `GIT_SSH_COMMAND` is not needed.
 */
function sshEnv(env: NodeJS.ProcessEnv, cacheRoot: string): Record<string, string> {
  const out: Record<string, string> = { GIT_SSH: sshWrapper(cacheRoot), GIT_SSH_VARIANT: 'ssh' };
  const key = env['SLIPWAY_SSH_KEY'];
  const knownHosts = env['SLIPWAY_SSH_KNOWN_HOSTS'];
  if (key) out['SLIPWAY_SSH_KEY'] = key;
  if (knownHosts) out['SLIPWAY_SSH_KNOWN_HOSTS'] = knownHosts;
  return out;
}

const SSH_WRAPPER = `#!/bin/sh
# Written by Slipway: ssh for git that never prompts. Options come from the environment, quoted.
set -- -o BatchMode=yes -o ConnectTimeout=30 "$@"
if [ -n "$SLIPWAY_SSH_KEY" ]; then
  set -- -i "$SLIPWAY_SSH_KEY" -o IdentitiesOnly=yes "$@"
fi
if [ -n "$SLIPWAY_SSH_KNOWN_HOSTS" ]; then
  set -- -o "UserKnownHostsFile=\\"$SLIPWAY_SSH_KNOWN_HOSTS\\"" -o StrictHostKeyChecking=yes "$@"
fi
exec ssh "$@"
`;

/** Writes the ssh wrapper into the cache (atomically, once) and returns its path. */
export function sshWrapper(cacheRoot: string): string {
  const path = join(cacheRoot, 'ssh-wrapper.sh');
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== SSH_WRAPPER) {
    mkdirSync(cacheRoot, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, SSH_WRAPPER, { mode: 0o755 });
    chmodSync(tmp, 0o755);
    renameSync(tmp, path);
  }
  return path;
}
