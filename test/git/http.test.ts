/**
 * Releases over smart HTTP against git's own `git http-backend` with Basic authentication, a
 * closed port, and a server that never answers. Credentials must never reach the cache's files,
 * an error message or a log line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devcluster/processes.ts';
import { GitCommandError } from '../../src/git/index.ts';
import { release } from '../../src/release/index.ts';
import { SlipwayError } from '../../src/util/errors.ts';
import { commitCount, git, makeConfigRepo, revParse, setTagEdit, showFile, tempDir } from './helpers.ts';
import { type GitHttpServer, startGitHttpServer, startSilentServer } from './http-git-server.ts';

const PASSWORD = 'pa55-Wörd/with:colon';
const USER = 'release-bot';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const OVERLAY = 'apps/my-service/overlays/dev';
const FORBIDDEN = [PASSWORD, encodeURIComponent(PASSWORD), BASIC];

/** Every file under `dir`, as bytes decoded loosely: for "does this secret appear anywhere". */
function allText(dir: string): string {
  if (!existsSync(dir)) return '';
  let out = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out += statSync(path).isDirectory()
      ? allText(path)
      : readFileSync(path).toString('latin1') + readFileSync(path, 'utf8');
  }
  return out;
}

function expectNoSecret(text: string): void {
  for (const secret of FORBIDDEN) expect(text).not.toContain(secret);
}

describe('release over HTTP (git http-backend, Basic auth)', () => {
  const tmp = tempDir('slipway-http-');
  let server: GitHttpServer;
  let open: GitHttpServer;
  let bare: string;
  let url: string;

  beforeAll(async () => {
    bare = makeConfigRepo(tmp.dir, ['my-service', 'other']);
    git(['--git-dir', bare, 'config', 'http.receivepack', 'true']);
    server = await startGitHttpServer({ root: tmp.dir, users: { [USER]: PASSWORD } });
    open = await startGitHttpServer({ root: tmp.dir, users: { [USER]: PASSWORD }, anonymousRead: true });
    url = `${server.origin}/config.git`;
  });
  afterAll(async () => {
    await server.close();
    await open.close();
    tmp.remove();
  });

  it('clones and pushes with credentials from the environment, which never touch disk or output', async () => {
    const cacheRoot = join(tmp.dir, 'cache-env');
    const logs: string[] = [];
    const result = await release({
      repo: url,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'http1'),
      message: 'Update my-service to http1',
      cacheRoot,
      env: { SLIPWAY_GIT_USERNAME: USER, SLIPWAY_GIT_PASSWORD: PASSWORD },
      log: (l) => logs.push(l),
    });
    expect(result.changed).toBe(true);
    expect(revParse(bare, 'main')).toBe(result.commit);
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain('newTag: http1');
    expect(server.requests.some((r) => r.user === USER && r.path.endsWith('/git-receive-pack'))).toBe(true);

    const config = readFileSync(
      join(cacheRoot, readdirSync(cacheRoot).find((n) => !n.includes('.'))!, 'config'),
      'utf8',
    );
    expect(config).toContain(`url = ${url}`);
    expectNoSecret(allText(cacheRoot));
    expectNoSecret(logs.join('\n'));
  });

  it('takes credentials typed into the URL out of it before git stores the remote', async () => {
    const cacheRoot = join(tmp.dir, 'cache-url');
    const withUserinfo = `http://${USER}:${encodeURIComponent(PASSWORD)}@${server.origin.slice('http://'.length)}/config.git`;
    const logs: string[] = [];
    const result = await release({
      repo: withUserinfo,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'http2'),
      message: 'Update my-service to http2',
      cacheRoot,
      env: {},
      log: (l) => logs.push(l),
    });
    expect(revParse(bare, 'main')).toBe(result.commit);
    expect(allText(cacheRoot)).toContain(url);
    expectNoSecret(allText(cacheRoot));
    expectNoSecret(logs.join('\n'));
  });

  it("uses the user's own credential helper when the environment has no credentials", async () => {
    const home = join(tmp.dir, 'home');
    mkdirSync(home);
    const store = join(home, 'git-credentials');
    writeFileSync(
      store,
      `http://${USER}:${encodeURIComponent(PASSWORD)}@${server.origin.slice('http://'.length)}\n`,
    );
    // The rest of the user's config must stay ignored: this rewrite would send git nowhere.
    writeFileSync(
      join(home, '.gitconfig'),
      `[credential]\n\thelper = store --file=${store}\n[url "http://127.0.0.1:1/"]\n\tinsteadOf = ${server.origin}/\n`,
    );
    const cacheRoot = join(tmp.dir, 'cache-helper');
    const result = await release({
      repo: url,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'helper'),
      message: 'Update my-service to helper',
      cacheRoot,
      env: { HOME: home },
    });
    expect(revParse(bare, 'main')).toBe(result.commit);
    expectNoSecret(allText(cacheRoot));
  });

  it('names the server, not the password, when the credentials are rejected; nothing is pushed or cached', async () => {
    const before = revParse(bare, 'main');
    const cacheRoot = join(tmp.dir, 'cache-bad');
    const wrong = `${PASSWORD}-wrong`;
    const err = await release({
      repo: url,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'never'),
      message: 'never',
      cacheRoot,
      env: { SLIPWAY_GIT_USERNAME: USER, SLIPWAY_GIT_PASSWORD: wrong },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitCommandError);
    const e = err as GitCommandError;
    expect(e.reason).toBe('GitAuthenticationFailed');
    expect(e.subject).toBe(url);
    expect(e.message).toContain(url);
    expect(e.message).toContain(
      `${url}: authentication failed: the server refused the credentials from SLIPWAY_GIT_USERNAME/SLIPWAY_GIT_PASSWORD`,
    );
    for (const text of [e.message, e.stderr, String(e.stack)]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(Buffer.from(`${USER}:${wrong}`).toString('base64'));
    }
    expect(revParse(bare, 'main')).toBe(before);
    // The failed first clone left nothing: no cache folder, no temporary folder.
    expect(readdirSync(cacheRoot).filter((n) => !n.endsWith('.lock'))).toEqual([]);
  });

  it('fetches anonymously, fails the push without credentials, and the same cache then pushes with them', async () => {
    const openUrl = `${open.origin}/config.git`;
    const cacheRoot = join(tmp.dir, 'cache-open');
    const before = revParse(bare, 'main');
    const count = commitCount(bare);
    const err = await release({
      repo: openUrl,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'anon'),
      message: 'anon',
      cacheRoot,
      env: {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).reason).toBe('GitAuthenticationFailed');
    expect((err as Error).message).toContain(`${openUrl}: authentication failed (no credentials`);
    expect(revParse(bare, 'main')).toBe(before);

    const result = await release({
      repo: openUrl,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'anon2'),
      message: 'Update my-service to anon2',
      cacheRoot,
      env: { SLIPWAY_GIT_TOKEN: PASSWORD, SLIPWAY_GIT_USERNAME: USER },
    });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(commitCount(bare)).toBe(count + 1);
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain('newTag: anon2');
  });

  it('reports a closed port as an unreachable server, by name', async () => {
    const port = await freePort();
    const dead = `http://127.0.0.1:${port}/config.git`;
    const err = await release({
      repo: dead,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'x'),
      message: 'x',
      cacheRoot: join(tmp.dir, 'cache-dead'),
      env: {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitCommandError);
    expect((err as GitCommandError).reason).toBe('GitServerUnreachable');
    expect((err as GitCommandError).transient).toBe(true);
    expect((err as Error).message).toContain(`${dead}: cannot reach the server`);
  });

  it('gives up on a server that accepts and never answers, at the deadline, leaving no cache behind', async () => {
    const silent = await startSilentServer();
    const cacheRoot = join(tmp.dir, 'cache-silent');
    try {
      const slow = `${silent.origin}/config.git`;
      const err = await release({
        repo: slow,
        path: OVERLAY,
        edit: setTagEdit(OVERLAY, 'x'),
        message: 'x',
        cacheRoot,
        env: { SLIPWAY_GIT_TOKEN: PASSWORD },
        timeoutMs: 1500,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitCommandError);
      expect((err as GitCommandError).reason).toBe('GitTimeout');
      expect((err as Error).message).toBe(
        `${slow}: the server did not answer in time: git fetch did not finish within 1500ms`,
      );
      expectNoSecret((err as Error).message);
      expect(readdirSync(cacheRoot).filter((n) => !n.endsWith('.lock'))).toEqual([]);
    } finally {
      await silent.close();
    }
  });
});

describe('release over HTTPS with a private CA', () => {
  const tmp = tempDir('slipway-https-');
  let server: GitHttpServer;
  let bare: string;
  let url: string;
  const ca = join(tmp.dir, 'ca.pem');

  beforeAll(async () => {
    const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: tmp.dir, stdio: 'ignore' });
    ssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'].concat(
        ['-subj', '/CN=slipway test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem'],
      ),
    );
    ssl(
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
      ].concat(['-keyout', 'key.pem', '-out', 'server.csr']),
    );
    writeFileSync(join(tmp.dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
      ].concat(['-days', '1', '-extfile', 'san.ext', '-out', 'cert.pem']),
    );
    bare = makeConfigRepo(tmp.dir, ['my-service']);
    git(['--git-dir', bare, 'config', 'http.receivepack', 'true']);
    server = await startGitHttpServer({
      root: tmp.dir,
      users: { [USER]: PASSWORD },
      tls: {
        key: readFileSync(join(tmp.dir, 'key.pem'), 'utf8'),
        cert: readFileSync(join(tmp.dir, 'cert.pem'), 'utf8'),
      },
    });
    url = `${server.origin}/config.git`;
  });
  afterAll(async () => {
    await server.close();
    tmp.remove();
  });

  it('pushes when SLIPWAY_GIT_CA_FILE names the CA', async () => {
    const result = await release({
      repo: url,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'tls1'),
      message: 'Update my-service to tls1',
      cacheRoot: join(tmp.dir, 'cache-ca'),
      env: { SLIPWAY_GIT_TOKEN: PASSWORD, SLIPWAY_GIT_USERNAME: USER, SLIPWAY_GIT_CA_FILE: ca },
    });
    expect(url.startsWith('https://127.0.0.1:')).toBe(true);
    expect(revParse(bare, 'main')).toBe(result.commit);
  });

  it('refuses a certificate it cannot verify, naming the server and the fix', async () => {
    const before = revParse(bare, 'main');
    const err = await release({
      repo: url,
      path: OVERLAY,
      edit: setTagEdit(OVERLAY, 'tls2'),
      message: 'm',
      cacheRoot: join(tmp.dir, 'cache-noca'),
      env: { SLIPWAY_GIT_TOKEN: PASSWORD, SLIPWAY_GIT_USERNAME: USER },
    }).catch((e: unknown) => e);
    expect((err as SlipwayError).reason).toBe('GitTlsFailed');
    expect((err as Error).message).toContain(`${url}: cannot verify the server's TLS certificate`);
    expect((err as Error).message).toContain('SLIPWAY_GIT_CA_FILE');
    expectNoSecret((err as Error).message);
    expect(revParse(bare, 'main')).toBe(before);
  });
});
