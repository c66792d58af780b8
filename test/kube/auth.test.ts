import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../src/devcluster/processes.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { ApiError } from '../../src/kube/errors.ts';
import { loadKubeconfig } from '../../src/kube/kubeconfig.ts';
import { SlipwayError } from '../../src/util/errors.ts';

// The shared plane's certificates sit beside its kubeconfig (absent with SLIPWAY_TEST_KUBECONFIG).
const kubeconfigPath = inject('kubeconfig');
const pkiDir = join(dirname(kubeconfigPath), 'pki');
const hasPki = existsSync(join(pkiDir, 'admin.crt'));
const work = mkdtempSync(join(tmpdir(), 'slipway-auth-'));

function kubeconfigWith(
  name: string,
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'k', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    }),
  );
  return path;
}

async function whoAmI(path: string): Promise<string> {
  const client = KubeClient.fromKubeconfig({ path });
  try {
    const review = await client.transport.request<{ status: { userInfo: { username: string } } }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    return review.status.userInfo.username;
  } finally {
    await client.close();
  }
}

describe.skipIf(!hasPki)('authentication against the real API server', () => {
  const shared = loadKubeconfig({ path: kubeconfigPath });
  const token = readFileSync(join(pkiDir, 'admin.token'), 'utf8').trim();
  const caData = readFileSync(join(pkiDir, 'ca.crt')).toString('base64');

  it('bearer token with a CA file', async () => {
    expect(
      await whoAmI(
        kubeconfigWith(
          'token',
          { server: shared.server, 'certificate-authority': join(pkiDir, 'ca.crt') },
          { token },
        ),
      ),
    ).toBe('slipway-admin');
  });

  it('client certificate with inline CA data', async () => {
    const path = kubeconfigWith(
      'cert',
      { server: shared.server, 'certificate-authority-data': caData },
      { 'client-certificate': join(pkiDir, 'admin.crt'), 'client-key': join(pkiDir, 'admin.key') },
    );
    expect(await whoAmI(path)).toBe('slipway-admin');
  });

  it('insecure-skip-tls-verify without a CA', async () => {
    expect(
      await whoAmI(
        kubeconfigWith('insecure', { server: shared.server, 'insecure-skip-tls-verify': true }, { token }),
      ),
    ).toBe('slipway-admin');
  });

  it('a token file', async () => {
    writeFileSync(join(work, 'token.txt'), `${token}\n`);
    expect(
      await whoAmI(
        kubeconfigWith(
          'tokenfile',
          { server: shared.server, 'certificate-authority-data': caData },
          { tokenFile: 'token.txt' },
        ),
      ),
    ).toBe('slipway-admin');
  });

  it('an exec credential plugin (run without a shell, with its env)', async () => {
    const plugin = join(work, 'get-token.mjs');
    writeFileSync(
      plugin,
      `#!/usr/bin/env node
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: { token: process.env.PLUGIN_TOKEN, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }));
`,
    );
    chmodSync(plugin, 0o755);
    const path = kubeconfigWith(
      'exec',
      { server: shared.server, 'certificate-authority-data': caData },
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: './get-token.mjs',
          env: [{ name: 'PLUGIN_TOKEN', value: token }],
        },
      },
    );
    expect(await whoAmI(path)).toBe('slipway-admin');
  });

  it('a failing exec plugin is reported by name', async () => {
    const path = kubeconfigWith(
      'exec-fail',
      { server: shared.server, 'certificate-authority-data': caData },
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'false' } },
    );
    const err = await whoAmI(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).message).toMatch(/^exec credential plugin false: failed/);
  });

  it('a wrong token is a 401 naming the request', async () => {
    const err = await whoAmI(
      kubeconfigWith(
        'bad-token',
        { server: shared.server, 'certificate-authority-data': caData },
        { token: 'wrong' },
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(401);
  });

  it('an untrusted server certificate is refused', async () => {
    const err = await whoAmI(kubeconfigWith('no-ca', { server: shared.server }, { token })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).reason).toBe('ServerUnreachable');
    expect((err as SlipwayError).message).toContain(shared.server);
  });
});

describe('unreachable API servers', () => {
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Accepts TCP connections and never says a word: a hung server.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('a closed port fails at once with an error naming the server', async () => {
    const port = await freePort();
    const client = KubeClient.fromKubeconfig({
      path: kubeconfigWith(
        'closed',
        { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true },
        { token: 't' },
      ),
    });
    const err = await client.version().catch((e: unknown) => e);
    await client.close();
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).message).toBe(
      `https://127.0.0.1:${port}: cannot reach the API server: ECONNREFUSED`,
    );
    expect((err as SlipwayError).transient).toBe(true);
  });

  it('a server that never answers fails within the connect timeout, no hang', async () => {
    const client = KubeClient.fromKubeconfig({
      path: kubeconfigWith(
        'silent',
        { server: `https://127.0.0.1:${silentPort}`, 'insecure-skip-tls-verify': true },
        { token: 't' },
      ),
      connectTimeoutMs: 300,
    });
    const err = await client.version().catch((e: unknown) => e);
    await client.close();
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).reason).toBe('ServerUnreachable');
    expect((err as SlipwayError).message).toBe(
      `https://127.0.0.1:${silentPort}: cannot reach the API server: connect timeout after 300 ms`,
    );
  });

  it('a request timeout bounds a server that accepts TLS but never answers the request', async () => {
    // The real API server's port, but a request to a watch that never sends: bounded by timeoutMs.
    const shared = loadKubeconfig({ path: kubeconfigPath });
    const client = KubeClient.fromConnection(shared);
    const err = await client.transport
      .request({
        path: '/api/v1/namespaces/default/configmaps',
        query: { watch: 1, timeoutSeconds: 60 },
        timeoutMs: 300,
      })
      .catch((e: unknown) => e);
    await client.close();
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).reason).toBe('ServerTimeout');
    expect((err as SlipwayError).message).toBe(
      `${shared.server}: no answer from the API server within 300 ms`,
    );
  });
});
