/**
 * Releases over ssh against a real OpenSSH server that the test starts on 127.0.0.1 with its own
 * host key, client key and config (Debian `openssh-server`; skipped with a message when sshd is
 * not installed). Host keys are checked against a known_hosts file: an unknown server is refused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  logTail,
  type ServiceProcess,
  startService,
  stopService,
} from '../../src/devcluster/processes.ts';
import { GitCommandError } from '../../src/git/index.ts';
import { release } from '../../src/release/index.ts';
import { waitFor } from '../../src/util/abort.ts';
import { commitCount, makeConfigRepo, revParse, setTagEdit, showFile, tempDir } from './helpers.ts';

const SSHD = '/usr/sbin/sshd';
const OVERLAY = 'apps/my-service/overlays/dev';

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(!existsSync(SSHD))('release over ssh (OpenSSH sshd on loopback)', () => {
  const tmp = tempDir('slipway-ssh-');
  const user = userInfo().username;
  let sshd: ServiceProcess | undefined;
  let port = 0;
  let bare = '';
  let url = '';
  const key = join(tmp.dir, 'client_key');
  const knownHosts = join(tmp.dir, 'known_hosts');

  beforeAll(async () => {
    const keygen = (file: string) =>
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    keygen(join(tmp.dir, 'host_key'));
    keygen(key);
    writeFileSync(join(tmp.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
    port = await freePort();
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${readFileSync(join(tmp.dir, 'host_key.pub'), 'utf8')}`);
    const config = join(tmp.dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(tmp.dir, 'host_key')}`,
        'PidFile none',
        `AuthorizedKeysFile ${join(tmp.dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${user}`,
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    // sshd started as root needs its privilege-separation directory (created by the Debian service
    // scripts, which this test does not run).
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const log = join(tmp.dir, 'sshd.log');
    sshd = startService('sshd', SSHD, ['-D', '-e', '-f', config], log);
    await waitFor(async () => ((await canConnect(port)) ? true : undefined), {
      timeoutMs: 10_000,
      onTimeout: () => new Error(`sshd did not listen on ${port}:\n${logTail(log)}`),
    });
    bare = makeConfigRepo(tmp.dir, ['my-service']);
    url = `ssh://${user}@127.0.0.1:${port}${bare}`;
  });

  afterAll(async () => {
    if (sshd) await stopService(sshd);
    tmp.remove();
  });

  it('clones and pushes with the key and known_hosts from the environment', async () => {
    const result = await release({
      repo: url,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'ssh1'),
      message: 'Update my-service to ssh1',
      cacheRoot: join(tmp.dir, 'cache'),
      env: { SLIPWAY_SSH_KEY: key, SLIPWAY_SSH_KNOWN_HOSTS: knownHosts },
    });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(revParse(bare, 'main')).toBe(result.commit);
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain('newTag: ssh1');
  });

  it('refuses a server whose host key is not in known_hosts, naming it', async () => {
    const count = commitCount(bare);
    const empty = join(tmp.dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const err = await release({
      repo: url,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'mitm'),
      message: 'm',
      cacheRoot: join(tmp.dir, 'cache-unknown-host'),
      env: { SLIPWAY_SSH_KEY: key, SLIPWAY_SSH_KNOWN_HOSTS: empty },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitCommandError);
    expect((err as GitCommandError).reason).toBe('GitAuthenticationFailed');
    expect((err as Error).message).toContain(`${url}: authentication failed`);
    expect((err as GitCommandError).stderr).toContain('Host key verification failed');
    expect(commitCount(bare)).toBe(count);
  });

  it('reports a key the server does not accept as an authentication failure', async () => {
    const stranger = join(tmp.dir, 'stranger_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const err = await release({
      repo: url,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'x'),
      message: 'm',
      cacheRoot: join(tmp.dir, 'cache-stranger'),
      env: { SLIPWAY_SSH_KEY: stranger, SLIPWAY_SSH_KNOWN_HOSTS: knownHosts },
    }).catch((e: unknown) => e);
    expect((err as GitCommandError).reason).toBe('GitAuthenticationFailed');
    expect((err as Error).message).toContain('the server refused the credentials from SLIPWAY_SSH_KEY');
    expect((err as GitCommandError).stderr).toContain('Permission denied (publickey)');
  });
});
