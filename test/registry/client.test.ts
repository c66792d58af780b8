/**
 * The registry client against a real registry (Debian's docker-registry, distribution 2.8):
 * uploads, tags, pagination, manifests and indexes of both formats, digests, build times, and the
 * errors for a registry that is down, silent, or missing what was asked for.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devcluster/processes.ts';
import { MediaType, RegistryClient, RegistryError } from '../../src/registry/index.ts';
import {
  pushImage,
  pushIndex,
  startRegistry,
  startSilentServer,
  type TestRegistry,
} from '../support/registry.ts';

let registry: TestRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ host: registry.host, timeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
});

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected a RegistryError');
}

describe('uploads, tags and pagination', () => {
  it('lists every tag it pushed, with and without a page size', async () => {
    const tags = Array.from({ length: 12 }, (_, i) => `t${i}`);
    for (const tag of tags) await pushImage(client, 'pages/app', tag);
    expect((await client.listTags('pages/app')).sort()).toEqual([...tags].sort());
    // distribution 2.8 ignores `n` on tags/list and answers every tag in one page.
    expect((await client.listTags('pages/app', { pageSize: 5 })).sort()).toEqual([...tags].sort());
  });

  it('follows Link pages of the catalog with a small n', async () => {
    const repos = ['cat/a', 'cat/b', 'cat/c', 'cat/d', 'cat/e'];
    for (const repo of repos) await pushImage(client, repo, 'v1');
    const all = await client.listRepositories();
    const paged = await client.listRepositories({ pageSize: 2 });
    expect(paged).toEqual(all);
    expect(paged).toEqual(expect.arrayContaining(repos));
    expect(paged.length).toBeGreaterThan(2);
    // The real registry does page the catalog: asked for 2, it sends 2 and a Link to the rest.
    const raw = await request(`http://${registry.host}/v2/_catalog?n=2`);
    const body: unknown = await raw.body.json();
    expect(body).toMatchObject({ repositories: [expect.any(String), expect.any(String)] });
    expect(String(raw.headers['link'])).toMatch(/rel="next"/);
  });

  it('does not upload a blob twice', async () => {
    const blob = Buffer.from('same bytes');
    const first = await client.pushBlob('dedupe/app', blob);
    expect(await client.blobExists('dedupe/app', first.digest)).toBe(true);
    expect(await client.pushBlob('dedupe/app', blob)).toEqual(first);
    expect((await client.getBlob('dedupe/app', first.digest)).toString()).toBe('same bytes');
  });
});

describe('manifests and indexes', () => {
  it.each(['oci', 'docker'] as const)(
    'reads a %s image manifest, its digest and its build time',
    async (format) => {
      const created = new Date('2024-02-03T04:05:06Z');
      const pushed = await pushImage(client, `fmt/${format}`, 'v1', { created, format });
      const fetched = await client.getManifest(`fmt/${format}`, 'v1');
      expect(fetched.digest).toBe(pushed.digest);
      expect(fetched.mediaType).toBe(format === 'oci' ? MediaType.OciManifest : MediaType.DockerManifest);
      expect(fetched.parsed.kind).toBe('image');
      expect((await client.headManifest(`fmt/${format}`, 'v1')).digest).toBe(pushed.digest);
      expect((await client.getManifest(`fmt/${format}`, pushed.digest)).digest).toBe(pushed.digest);
      const config = await client.getImageConfig(`fmt/${format}`, 'v1');
      expect(config.created?.toISOString()).toBe(created.toISOString());
      expect(config.digest).toBe(pushed.digest);
    },
  );

  it.each(['oci', 'docker'] as const)('reads a multi-arch %s index', async (format) => {
    const repo = `multi/${format}`;
    const amd = await pushImage(client, repo, '', {
      untagged: true,
      format,
      created: new Date('2024-05-01T00:00:00Z'),
      platform: { os: 'linux', architecture: 'amd64' },
    });
    const arm = await pushImage(client, repo, '', {
      untagged: true,
      format,
      created: new Date('2024-05-02T00:00:00Z'),
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    const index = await pushIndex(client, repo, '1.0.0', [amd, arm], format);
    const head = await client.headManifest(repo, '1.0.0');
    expect(head.digest).toBe(index.digest);
    expect(head.mediaType).toBe(index.mediaType);
    const fetched = await client.getManifest(repo, '1.0.0');
    expect(fetched.parsed.kind).toBe('index');
    if (fetched.parsed.kind === 'index') {
      expect(fetched.parsed.index.manifests.map((m) => m.digest)).toEqual([amd.digest, arm.digest]);
    }
    const newest = await client.getImageConfig(repo, '1.0.0');
    expect(newest.digest).toBe(index.digest);
    expect(newest.created?.toISOString()).toBe('2024-05-02T00:00:00.000Z');
    expect(newest.configs.map((c) => c.architecture).sort()).toEqual(['amd64', 'arm64']);
    const amdOnly = await client.getImageConfig(repo, '1.0.0', {
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(amdOnly.created?.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    const missing = await failure(
      client.getImageConfig(repo, '1.0.0', { platform: { os: 'windows', architecture: 'amd64' } }),
    );
    expect(missing.reason).toBe('ManifestNotFound');
  });
});

describe('errors name the registry and say what is wrong', () => {
  it('reports an unknown repository and an unknown tag', async () => {
    const repo = await failure(client.listTags('no/such/repo'));
    expect(repo.reason).toBe('RepositoryNotFound');
    expect(repo.message).toContain(registry.host);
    expect(repo.message).toContain('no/such/repo');
    await pushImage(client, 'known/app', 'v1');
    const tag = await failure(client.getManifest('known/app', 'v404'));
    expect(tag.reason).toBe('ManifestNotFound');
    expect(tag.message).toContain(`${registry.host}/known/app:v404`);
    const head = await failure(client.headManifest('known/app', 'v404'));
    expect(head.reason).toBe('ManifestNotFound');
  });

  it('reports a registry that is down (connection refused)', async () => {
    const port = await freePort();
    const down = new RegistryClient({ host: `127.0.0.1:${port}`, timeoutMs: 5_000 });
    try {
      const err = await failure(down.listTags('app'));
      expect(err.reason).toBe('RegistryUnreachable');
      expect(err.transient).toBe(true);
      expect(err.message).toBe(
        `127.0.0.1:${port}/app: cannot reach the registry: connection refused (is it running?)`,
      );
    } finally {
      await down.close();
    }
  });

  it.each([undefined, 'http'] as const)(
    'reports a registry that never answers (scheme %s) within the timeout',
    async (scheme) => {
      const silent = await startSilentServer();
      const slow = new RegistryClient({ host: silent.host, timeoutMs: 400, ...(scheme ? { scheme } : {}) });
      try {
        const err = await failure(slow.listTags('app'));
        expect(err.reason).toBe('RegistryTimeout');
        expect(err.transient).toBe(true);
        expect(err.message).toContain(silent.host);
        expect(err.message).toContain('did not answer');
      } finally {
        await slow.close();
        await silent.stop();
      }
    },
  );

  it('refuses plain HTTP to a host that is not loopback unless it is marked insecure', () => {
    expect(() => new RegistryClient({ host: 'registry.example.com:5000', scheme: 'http' })).toThrow(
      /registry\.example\.com:5000: plain HTTP is allowed only/,
    );
    expect(
      () => new RegistryClient({ host: 'registry.example.com:5000', scheme: 'http', insecure: true }),
    ).not.toThrow();
  });

  it('stops at once when the caller aborts', async () => {
    const silent = await startSilentServer();
    const slow = new RegistryClient({ host: silent.host, scheme: 'http', timeoutMs: 30_000 });
    try {
      const controller = new AbortController();
      const pending = failure(slow.listTags('app', { signal: controller.signal }));
      setTimeout(() => controller.abort(new Error('stop')), 50);
      const err = await pending;
      expect(err.reason).toBe('Aborted');
      expect(err.transient).toBe(false);
    } finally {
      await slow.close();
      await silent.stop();
    }
  });
});
