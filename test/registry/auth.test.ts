/**
 * Registry auth against the real registry: Basic (htpasswd with bcrypt, as `htpasswd -B` makes it)
 * and the Bearer token flow (the registry's `auth.token` verifying RS256 tokens from a token server
 * started by the test). Secrets must never appear in an error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError } from '../../src/registry/index.ts';
import {
  pushImage,
  startRegistry,
  startTokenServer,
  type TestRegistry,
  type TokenServer,
} from '../support/registry.ts';

const PASSWORD = 's3cret-Pa55word';
const WRONG = 'wrong-Pa55word-xyz';

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected a RegistryError');
}

function expectNoSecret(err: Error): void {
  const text = `${err.message}\n${err.stack ?? ''}\n${JSON.stringify(err)}`;
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(WRONG);
  expect(text).not.toContain(Buffer.from(`alice:${PASSWORD}`).toString('base64'));
  expect(text).not.toContain(Buffer.from(`alice:${WRONG}`).toString('base64'));
}

describe('basic auth (htpasswd, bcrypt)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { kind: 'htpasswd', users: { alice: PASSWORD } } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes and lists with the right credentials', async () => {
    const client = new RegistryClient({
      host: registry.host,
      credentials: { username: 'alice', password: PASSWORD },
    });
    try {
      await client.ping();
      const pushed = await pushImage(client, 'private/app', '1.0.0');
      expect(await client.listTags('private/app')).toEqual(['1.0.0']);
      expect((await client.headManifest('private/app', '1.0.0')).digest).toBe(pushed.digest);
    } finally {
      await client.close();
    }
  });

  it('says the credentials were refused, naming user and host but not the password', async () => {
    const client = new RegistryClient({
      host: registry.host,
      credentials: { username: 'alice', password: WRONG },
    });
    try {
      const err = await failure(client.listTags('private/app'));
      expect(err.reason).toBe('RegistryUnauthorized');
      expect(err.status).toBe(401);
      expect(err.transient).toBe(false);
      expect(err.message).toContain(registry.host);
      expect(err.message).toContain('refused the credentials of user "alice"');
      expectNoSecret(err);
    } finally {
      await client.close();
    }
  });

  it('says credentials are needed when none were given', async () => {
    const client = new RegistryClient({ host: registry.host });
    try {
      const err = await failure(client.listTags('private/app'));
      expect(err.reason).toBe('RegistryUnauthorized');
      expect(err.message).toContain('requires credentials; none were given');
    } finally {
      await client.close();
    }
  });
});

describe('bearer token flow', () => {
  let tokens: TokenServer;
  let registry: TestRegistry;
  beforeAll(async () => {
    tokens = await startTokenServer({ users: { alice: PASSWORD }, anonymousPull: true });
    registry = await startRegistry({ auth: { kind: 'token', tokenServer: tokens } });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it('fetches a token per scope, caches it, and pushes with a push scope', async () => {
    const client = new RegistryClient({
      host: registry.host,
      credentials: { username: 'alice', password: PASSWORD },
    });
    try {
      tokens.requests.length = 0;
      await pushImage(client, 'team/app', '1.0.0');
      await pushImage(client, 'team/app', '1.1.0');
      // Two images, each 2 blob checks, 2 uploads and a manifest: one token per scope, reused.
      // (The blob existence checks pull; the uploads push.)
      expect(tokens.requests.map((r) => r.scopes)).toEqual([
        ['repository:team/app:pull'],
        ['repository:team/app:pull,push'],
      ]);
      expect(tokens.requests.every((r) => r.user === 'alice')).toBe(true);

      const before = tokens.requests.length;
      expect((await client.listTags('team/app')).sort()).toEqual(['1.0.0', '1.1.0']);
      await client.headManifest('team/app', '1.0.0');
      await client.listTags('team/app');
      // Pulling uses the cached pull token.
      expect(tokens.requests.length).toBe(before);
      // A new client has no cache: it is challenged once and fetches its own token.
      const fresh = new RegistryClient({
        host: registry.host,
        credentials: { username: 'alice', password: PASSWORD },
      });
      try {
        await fresh.listTags('team/app');
        await fresh.listTags('team/app');
      } finally {
        await fresh.close();
      }
      expect(tokens.requests.slice(before).map((r) => r.scopes)).toEqual([['repository:team/app:pull']]);

      await pushImage(client, 'team/other', 'v1');
      expect(tokens.requests.at(-1)?.scopes).toEqual(['repository:team/other:pull,push']);
    } finally {
      await client.close();
    }
  });

  it('pulls anonymously when the token server allows it, and is refused a push', async () => {
    const writer = new RegistryClient({
      host: registry.host,
      credentials: { username: 'alice', password: PASSWORD },
    });
    const anonymous = new RegistryClient({ host: registry.host });
    try {
      await pushImage(writer, 'public/app', 'v1');
      expect(await anonymous.listTags('public/app')).toEqual(['v1']);
      const err = await failure(pushImage(anonymous, 'public/app', 'v2'));
      expect(err.reason).toBe('RegistryUnauthorized');
      expect(err.message).toContain(registry.host);
      expect(err.message).toContain('refused anonymous access');
    } finally {
      await writer.close();
      await anonymous.close();
    }
  });

  it('reports credentials the token server refuses, without the password', async () => {
    const client = new RegistryClient({
      host: registry.host,
      credentials: { username: 'alice', password: WRONG },
    });
    try {
      const err = await failure(client.listTags('team/app'));
      expect(err.reason).toBe('RegistryUnauthorized');
      expect(err.message).toContain(registry.host);
      expect(err.message).toContain(
        `token server 127.0.0.1:${new URL(tokens.realm).port} refused the credentials of user "alice"`,
      );
      expectNoSecret(err);
    } finally {
      await client.close();
    }
  });
});

describe('TLS', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('talks HTTPS with the registry CA, refuses an untrusted certificate, and accepts it when insecure', async () => {
    const trusted = new RegistryClient({ host: registry.host, ca: registry.caPem ?? '' });
    const untrusted = new RegistryClient({ host: registry.host });
    const insecure = new RegistryClient({ host: registry.host, insecure: true });
    try {
      await pushImage(trusted, 'tls/app', 'v1');
      expect(await trusted.listTags('tls/app')).toEqual(['v1']);
      const err = await failure(untrusted.listTags('tls/app'));
      expect(err.reason).toBe('RegistryUnreachable');
      expect(err.message).toContain(registry.host);
      expect(err.message).toContain('TLS certificate is not trusted');
      expect(await insecure.listTags('tls/app')).toEqual(['v1']);
    } finally {
      await trusted.close();
      await untrusted.close();
      await insecure.close();
    }
  });
});
