/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) started on a free
 * loopback port with its own config, storage in a temp folder, and optionally htpasswd (bcrypt)
 * auth, token auth against a small token server of the test's own, or TLS. Also: pushing images
 * made of small random blobs with the build times a test chooses, through Slipway's own client.
 *
 * Only processes started here are stopped here (by pid and start time, via devcluster/processes).
 */
import { execFile, spawn } from 'node:child_process';
import { createSign, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { stringify } from 'yaml';
import {
  freePort,
  logTail,
  type ServiceProcess,
  startService,
  stopService,
} from '../../src/devcluster/processes.ts';
import { computeDigest, MediaType, type Platform, type RegistryClient } from '../../src/registry/index.ts';
import { sleep } from '../../src/util/abort.ts';

const run = promisify(execFile);

/** The registry binary of Debian's docker-registry package. */
export const REGISTRY_BINARY = process.env['SLIPWAY_TEST_REGISTRY_BINARY'] ?? '/usr/bin/docker-registry';

export interface RegistryAuthBasic {
  kind: 'htpasswd';
  users: Record<string, string>;
}

export interface RegistryAuthToken {
  kind: 'token';
  /** The token server that signs the tokens (its realm and signing certificate). */
  tokenServer: TokenServer;
}

export interface StartRegistryOptions {
  auth?: RegistryAuthBasic | RegistryAuthToken;
  /** Serve HTTPS with a certificate for 127.0.0.1 signed by a fresh CA (returned as `caPem`). */
  tls?: boolean;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`, as in image references. */
  host: string;
  port: number;
  dir: string;
  /** The CA that signed the serving certificate, when `tls`. */
  caPem?: string;
  process: ServiceProcess;
  stop(): Promise<void>;
}

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { timeout: 60_000 });
}

/** A CA and a serving certificate for 127.0.0.1 (and localhost), made with the openssl CLI. */
async function makeServingCert(dir: string): Promise<{ caPem: string; cert: string; key: string }> {
  const p = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=slipway-test-ca',
  ]);
  await openssl(['req', ...ec, '-keyout', p('tls.key'), '-out', p('tls.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(p('tls.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await openssl([
    'x509',
    '-req',
    '-in',
    p('tls.csr'),
    '-CA',
    p('ca.crt'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('tls.crt'),
    '-days',
    '2',
    '-extfile',
    p('tls.ext'),
  ]);
  return { caPem: readFileSync(p('ca.crt'), 'utf8'), cert: p('tls.crt'), key: p('tls.key') };
}

/** An htpasswd file with bcrypt hashes, made by `htpasswd -B` (the password goes in on stdin). */
async function writeHtpasswd(file: string, users: Record<string, string>): Promise<void> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    const line = await new Promise<string>((resolve, reject) => {
      const child = spawn('htpasswd', ['-B', '-i', '-n', user], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(out.trim()) : reject(new Error(`htpasswd failed: ${err}`)),
      );
      child.stdin.end(password);
    });
    lines.push(line);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

async function waitReady(url: string, proc: ServiceProcess, caPem?: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  const { Agent } = await import('undici');
  const agent = new Agent({ connect: caPem ? { ca: caPem } : {} });
  try {
    for (;;) {
      try {
        const res = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(2_000) });
        await res.body.dump();
        if (res.statusCode === 200 || res.statusCode === 401) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline)
        throw new Error(`registry did not become ready at ${url}:\n${logTail(proc.log)}`);
      await sleep(50);
    }
  } finally {
    await agent.close();
  }
}

/** Starts a registry on a free port (retrying if another process takes the port first). */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(`${REGISTRY_BINARY} not found: apt-get install -y docker-registry apache2-utils`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'slipway-registry-'));
  mkdirSync(join(dir, 'data'));
  const tls = options.tls ? await makeServingCert(dir) : undefined;
  let auth: Record<string, unknown> | undefined;
  if (options.auth?.kind === 'htpasswd') {
    await writeHtpasswd(join(dir, 'htpasswd'), options.auth.users);
    auth = { htpasswd: { realm: 'slipway-test', path: join(dir, 'htpasswd') } };
  } else if (options.auth?.kind === 'token') {
    const ts = options.auth.tokenServer;
    writeFileSync(join(dir, 'token-ca.crt'), ts.certPem);
    auth = {
      token: {
        realm: ts.realm,
        service: ts.service,
        issuer: ts.issuer,
        rootcertbundle: join(dir, 'token-ca.crt'),
      },
    };
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = {
      version: 0.1,
      log: { level: 'info', accesslog: { disabled: false } },
      storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
      http: {
        addr: `127.0.0.1:${port}`,
        secret: randomBytes(16).toString('hex'),
        ...(tls ? { tls: { certificate: tls.cert, key: tls.key } } : {}),
      },
      ...(auth ? { auth } : {}),
    };
    writeFileSync(join(dir, 'config.yml'), stringify(config));
    const log = join(dir, `registry-${attempt}.log`);
    const proc = startService('docker-registry', REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], log);
    try {
      await waitReady(`${tls ? 'https' : 'http'}://127.0.0.1:${port}/v2/`, proc, tls?.caPem);
    } catch (err) {
      await stopService(proc, 2_000);
      if (attempt < 3 && /address already in use/.test(logTail(log))) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const registry: TestRegistry = {
      host: `127.0.0.1:${port}`,
      port,
      dir,
      process: proc,
      stop: async () => {
        await stopService(proc, 5_000);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    if (tls) registry.caPem = tls.caPem;
    return registry;
  }
}

// ---------------------------------------------------------------------------------------------
// Token server (the distribution token flow, signing RS256 JWTs the registry verifies via x5c)

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPem: string;
  /** Every token request: the user it authenticated (undefined for anonymous) and the scopes asked. */
  requests: Array<{ user: string | undefined; scopes: string[] }>;
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  /** Whether anonymous callers get pull tokens; default false (401). */
  anonymousPull?: boolean;
  /** Token lifetime in seconds; default 300. */
  expiresIn?: number;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Starts a token server on a free loopback port with an RSA key and a self-signed certificate. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-token-'));
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=slipway-test-token-signer',
  ]);
  const keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
  const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const x5c = [new X509Certificate(certPem).raw.toString('base64')];
  const service = 'slipway-test-registry';
  const issuer = 'slipway-test-issuer';
  const requests: TokenServer['requests'] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const scopes = url.searchParams.getAll('scope');
    let user: string | undefined;
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (options.users[name] === undefined || options.users[name] !== decoded.slice(colon + 1)) {
        requests.push({ user: name, scopes });
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"invalid credentials"}');
        return;
      }
      user = name;
    } else if (!options.anonymousPull) {
      requests.push({ user: undefined, scopes });
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"authentication required"}');
      return;
    }
    requests.push({ user, scopes });
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (!type || !name || actions === undefined) return [];
      const wanted = actions.split(',');
      const granted = user ? wanted : wanted.filter((a) => a === 'pull');
      return [{ type, name, actions: granted }];
    });
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 300;
    const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c }));
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: user ?? '',
        aud: service,
        exp: now + expiresIn,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(keyPem);
    const token = `${head}.${claims}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: expiresIn,
        issued_at: new Date(now * 1000).toISOString(),
      }),
    );
  };
  const server: Server = createServer(handle);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPem,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------
// A registry that never answers: accepts connections and stays silent

export interface SilentServer {
  host: string;
  stop(): Promise<void>;
}

/** A TCP server on a free loopback port that accepts connections and never sends a byte. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Images

export interface PushedImage {
  digest: string;
  size: number;
  mediaType: string;
  configDigest: string;
  platform: Platform;
}

export interface PushImageOptions {
  /** The config's `created` time; default now. */
  created?: Date;
  platform?: Platform;
  /** OCI (default) or Docker schema 2 media types. */
  format?: 'oci' | 'docker';
  /** Push the manifest without a tag (as an index child); `tag` is ignored then. */
  untagged?: boolean;
}

/** Pushes an image with one small random layer and a config with the given `created`; returns its descriptor. */
export async function pushImage(
  client: RegistryClient,
  repository: string,
  tag: string,
  options: PushImageOptions = {},
): Promise<PushedImage> {
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const docker = options.format === 'docker';
  const raw = randomBytes(64);
  const layer = gzipSync(raw);
  const config = Buffer.from(
    JSON.stringify({
      created: (options.created ?? new Date()).toISOString(),
      architecture: platform.architecture,
      os: platform.os,
      config: {},
      rootfs: { type: 'layers', diff_ids: [computeDigest(raw)] },
    }),
  );
  const layerDesc = await client.pushBlob(repository, layer);
  const configDesc = await client.pushBlob(repository, config);
  const mediaType = docker ? MediaType.DockerManifest : MediaType.OciManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? MediaType.DockerConfig : MediaType.OciConfig, ...configDesc },
      layers: [{ mediaType: docker ? MediaType.DockerLayerGzip : MediaType.OciLayerGzip, ...layerDesc }],
    }),
  );
  const reference = options.untagged ? computeDigest(manifest) : tag;
  const digest = await client.pushManifest(repository, reference, manifest, mediaType);
  return { digest, size: manifest.length, mediaType, configDigest: configDesc.digest, platform };
}

/** Pushes an index (OCI image index, or Docker manifest list) of `children` under `tag`. */
export async function pushIndex(
  client: RegistryClient,
  repository: string,
  tag: string,
  children: readonly PushedImage[],
  format: 'oci' | 'docker' = 'oci',
): Promise<{ digest: string; mediaType: string }> {
  const mediaType = format === 'docker' ? MediaType.DockerManifestList : MediaType.OciIndex;
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: children.map((c) => ({
        mediaType: c.mediaType,
        digest: c.digest,
        size: c.size,
        platform: c.platform,
      })),
    }),
  );
  const digest = await client.pushManifest(repository, tag, index, mediaType);
  return { digest, mediaType };
}
