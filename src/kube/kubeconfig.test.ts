import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../util/errors.ts';
import { loadKubeconfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'slipway-kubeconfig-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const failure = (fn: () => unknown): SlipwayError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected an error');
};

const base = (user: string, cluster = 'server: https://127.0.0.1:6443') => `apiVersion: v1
kind: Config
current-context: c
clusters:
- name: k
  cluster:
    ${cluster}
users:
- name: u
  user:
    ${user}
contexts:
- name: c
  context: {cluster: k, user: u, namespace: team-a}
`;

describe('loadKubeconfig', () => {
  it('resolves the current context: server, namespace, token', () => {
    const conn = loadKubeconfig({ path: write('token.yaml', base('token: abc')) });
    expect(conn.server).toBe('https://127.0.0.1:6443');
    expect(conn.namespace).toBe('team-a');
    expect(conn.auth).toEqual({ kind: 'token', token: 'abc' });
    expect(conn.tls.insecureSkipVerify).toBe(false);
  });

  it('reads CA data inline and client certificate files relative to the kubeconfig', () => {
    write('client.crt', 'CERT');
    write('client.key', 'KEY');
    const path = write(
      'certs.yaml',
      base(
        'client-certificate: client.crt\n    client-key: client.key',
        `server: https://h:1\n    certificate-authority-data: ${Buffer.from('CA').toString('base64')}`,
      ),
    );
    const conn = loadKubeconfig({ path });
    expect(conn.tls.ca?.toString()).toBe('CA');
    expect(conn.tls.cert?.toString()).toBe('CERT');
    expect(conn.tls.key?.toString()).toBe('KEY');
  });

  it('keeps exec plugin settings', () => {
    const conn = loadKubeconfig({
      path: write(
        'exec.yaml',
        base(
          'exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./get-token\n      args: [--x]\n      env: [{name: A, value: b}]',
        ),
      ),
    });
    expect(conn.auth.kind).toBe('exec');
    if (conn.auth.kind === 'exec') {
      expect(conn.auth.exec).toMatchObject({
        command: './get-token',
        args: ['--x'],
        env: [{ name: 'A', value: 'b' }],
        baseDir: dir,
      });
    }
  });

  it('merges $KUBECONFIG files with the first definition winning', () => {
    const first = write(
      'first.yaml',
      'current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user: {token: first}\n',
    );
    const second = write('second.yaml', base('token: second'));
    const conn = loadKubeconfig({ env: { KUBECONFIG: `${first}:${second}`, HOME: dir } });
    expect(conn.auth).toEqual({ kind: 'token', token: 'first' });
    expect(conn.server).toBe('https://127.0.0.1:6443');
  });

  it('names the file for malformed YAML', () => {
    const path = write('bad.yaml', 'clusters: [\n  - {name: x\n');
    const err = failure(() => loadKubeconfig({ path }));
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/malformed YAML/);
    expect(err.reason).toBe('InvalidKubeconfig');
  });

  it('names the file when it does not exist', () => {
    const path = join(dir, 'nope.yaml');
    expect(failure(() => loadKubeconfig({ path })).message).toBe(`${path}: cannot read kubeconfig: ENOENT`);
  });

  it('names the file and field of a missing certificate file', () => {
    const path = write(
      'missing-ca.yaml',
      base('token: t', 'server: https://h:1\n    certificate-authority: /no/such/ca.crt'),
    );
    expect(failure(() => loadKubeconfig({ path })).message).toBe(
      `${path}: clusters[0].cluster.certificate-authority: cannot read /no/such/ca.crt: ENOENT`,
    );
  });

  it('names the field of an unknown auth method', () => {
    const path = write('unknown-auth.yaml', base('magic-login: yes'));
    expect(failure(() => loadKubeconfig({ path })).message).toBe(
      `${path}: users[0].user.magic-login: unknown auth method or field`,
    );
  });

  it('refuses auth providers with a pointer to exec plugins', () => {
    const path = write('provider.yaml', base('auth-provider: {name: gcp}'));
    expect(failure(() => loadKubeconfig({ path })).message).toMatch(
      /users\[0\]\.user\.auth-provider: auth provider "gcp" is not supported/,
    );
  });

  it('names a field of the wrong type', () => {
    const path = write(
      'wrong-type.yaml',
      base('token: t', 'server: https://h:1\n    insecure-skip-tls-verify: "yes"'),
    );
    expect(failure(() => loadKubeconfig({ path })).message).toMatch(
      new RegExp(`^${path}: clusters\\[0\\]\\.cluster\\.insecure-skip-tls-verify: `),
    );
  });

  it('reports a context or cluster that does not exist', () => {
    const path = write('ctx.yaml', base('token: t'));
    expect(failure(() => loadKubeconfig({ path, context: 'other' })).message).toBe(
      `${path}: contexts: context "other" not found`,
    );
    const dangling = write(
      'dangling.yaml',
      'current-context: c\ncontexts:\n- name: c\n  context: {cluster: gone}\n',
    );
    expect(failure(() => loadKubeconfig({ path: dangling })).message).toBe(
      `${dangling}: contexts[0].context.cluster: cluster "gone" not found`,
    );
  });

  it('rejects a server that is not an http(s) URL', () => {
    const path = write('scheme.yaml', base('token: t', 'server: ftp://h'));
    expect(failure(() => loadKubeconfig({ path })).message).toBe(
      `${path}: clusters[0].cluster.server: scheme ftp: is not http or https`,
    );
  });

  it('requires both halves of a client certificate', () => {
    write('only.crt', 'CERT');
    const path = write('half.yaml', base('client-certificate: only.crt'));
    expect(failure(() => loadKubeconfig({ path })).message).toBe(
      `${path}: users[0].user.client-key: a client certificate needs both a certificate and a key`,
    );
  });
});
