/**
 * The CI stage end to end on real parts: the sample service (test/fixtures/sample-service, with
 * the seed's workflow verbatim) in a real git repository, real make/node test runs, real buildah
 * (vfs storage, chroot isolation) building FROM scratch, a real OCI registry (Debian
 * `docker-registry`) on loopback, and `slipway ci run` as a real process.
 *
 * trivy is not installed on the test machine: the scan step reads trivy reports instead — trivy's
 * own golden report with CRITICAL findings, or a clean one (see test/ci/fixtures/README.md).
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runWorkflow } from '../../src/ci/index.ts';
import { isRegistryNotFound, RegistryClient } from '../../src/registry/index.ts';
import { git, tempDir } from '../git/helpers.ts';
import { startRegistry, type TestRegistry } from '../support/registry.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'test/fixtures/sample-service');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const CRITICAL_REPORT = join(FIXTURES, 'trivy-alpine-39-high-critical.json');
const CLEAN_REPORT = join(FIXTURES, 'trivy-clean.json');
const REPOSITORY = 'acme/orders-api';

function commitAll(repo: string, message: string): string {
  git(['add', '--all'], repo);
  git(['commit', '--quiet', '-m', message], repo);
  return git(['rev-parse', 'HEAD'], repo).trim();
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return /\) Z /.test(stat);
}

/** `slipway ci run …` as a real process; resolves with its exit code and output. */
async function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'ci', 'run', ...args],
      { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('ci run: build, scan and push the sample service', () => {
  let tmp: { dir: string; remove: () => void };
  let repo: string;
  let cache: string;
  let registry: TestRegistry;
  let head: string;
  let short: string;

  beforeAll(async () => {
    tmp = tempDir('slipway-ci-build-');
    repo = join(tmp.dir, 'orders-api');
    cache = join(tmp.dir, 'cache');
    registry = await startRegistry();
    cpSync(SAMPLE, repo, { recursive: true });
    git(['init', '--quiet', '--initial-branch=main', repo]);
    git(['remote', 'add', 'origin', `https://github.com/${REPOSITORY}.git`], repo);
    head = commitAll(repo, 'sample service');
    short = git(['rev-parse', '--short', 'HEAD'], repo).trim();
  });

  afterAll(async () => {
    await registry?.stop();
    tmp?.remove();
  });

  const childEnv = (extra: Record<string, string> = {}) => ({
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: tmp.dir,
    SLIPWAY_CACHE: cache,
    ...extra,
  });
  const storage = () => ({ root: join(cache, 'buildah/root'), runroot: join(cache, 'buildah/runroot') });
  const base = (repoDir = repo) => ({
    repoDir,
    commit: 'HEAD',
    trigger: { kind: 'push' as const },
    logRoot: join(tmp.dir, 'runs'),
    processEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmp.dir },
    buildStorage: storage(),
    envOverrides: { REGISTRY: registry.host },
  });
  /** A clone of the service with `change` applied and committed. */
  const variant = (name: string, change: (dir: string) => void): string => {
    const dir = join(tmp.dir, name);
    git(['clone', '--quiet', repo, dir]);
    git(['remote', 'set-url', 'origin', `https://github.com/${REPOSITORY}.git`], dir);
    change(dir);
    commitAll(dir, name);
    return dir;
  };
  /** The repository's tags; none when nothing was ever pushed to it. */
  const tags = async (): Promise<string[]> => {
    const client = new RegistryClient({ host: registry.host });
    try {
      return await client.listTags(REPOSITORY);
    } catch (err) {
      if (isRegistryNotFound(err)) return [];
      throw err;
    } finally {
      await client.close();
    }
  };
  const localImages = () =>
    execFileSync(
      'buildah',
      ['--root', storage().root, '--runroot', storage().runroot, '--storage-driver', 'vfs', 'images', '-aq'],
      { encoding: 'utf8' },
    ).trim();

  it('runs every step and pushes :<short sha> and :latest with the digest the registry holds', async () => {
    const { code, stdout, stderr } = await cli(
      ['--repo', repo, '--env', `REGISTRY=${registry.host}`, '--trivy-report', CLEAN_REPORT, '-o', 'json'],
      childEnv(),
    );
    expect(stderr).toMatch(/^\S+Z \[Run unit tests\] .*pass 2/m);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as RunResult;
    expect(result.status).toBe('success');
    expect(result.sha).toBe(head);
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['Run actions/checkout@v4', 'success'],
      ['Run linting', 'success'],
      ['Run unit tests', 'success'],
      ['Run integration tests', 'success'],
      ['Set up Docker Buildx', 'success'],
      ['Log in to container registry', 'success'],
      ['Generate image tag', 'success'],
      ['Build and push image', 'success'],
      ['Scan image for CVEs', 'success'],
    ]);
    const image = `${registry.host}/${REPOSITORY}`;
    const digest = result.published[0]?.digest ?? '';
    expect(result.published).toEqual([
      { reference: `${image}:${short}`, digest },
      { reference: `${image}:latest`, digest },
    ]);
    const build = result.steps.find((s) => s.name === 'Build and push image');
    expect(build?.outputs['digest']).toBe(digest);
    expect(JSON.parse(build?.outputs['metadata'] ?? '{}')).toMatchObject({
      'containerimage.digest': digest,
      'image.name': `${image}:${short},${image}:latest`,
    });
    expect(result.scan).toEqual({ critical: 0, high: 0, medium: 0, low: 0, unknown: 0, passed: true });

    // The registry holds that digest under both tags: an index of the seed's two platforms
    // (the Dockerfile runs no commands, so arm64 needs no emulator).
    const client = new RegistryClient({ host: registry.host });
    try {
      expect((await client.headManifest(REPOSITORY, short)).digest).toBe(digest);
      expect((await client.headManifest(REPOSITORY, 'latest')).digest).toBe(digest);
      const index = await client.getManifest(REPOSITORY, digest);
      expect(index.parsed.kind).toBe('index');
      if (index.parsed.kind === 'index') {
        expect(index.parsed.index.manifests.map((m) => m.platform?.architecture).sort()).toEqual([
          'amd64',
          'arm64',
        ]);
      }
    } finally {
      await client.close();
    }
    // Notes for what cannot apply here, and nothing left in the builder storage.
    const log = readFileSync(result.logPath, 'utf8');
    expect(log).toMatch(/note: cache-from type=gha is ignored/);
    expect(log).toMatch(/note: linux\/arm64 is built without an emulator/);
    expect(localImages()).toBe('');
  });

  it('stops at a failing unit test: nothing is built or pushed, the CLI exits 1 with a summary', async () => {
    const broken = variant('broken-unit', (dir) => {
      const file = join(dir, 'src/greeting.js');
      writeFileSync(file, readFileSync(file, 'utf8').replace('`hello, ', '`hi, '));
    });
    const brokenShort = git(['rev-parse', '--short', 'HEAD'], broken).trim();
    const { code, stdout } = await cli(
      ['--repo', broken, '--env', `REGISTRY=${registry.host}`, '--trivy-report', CLEAN_REPORT],
      childEnv(),
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^\S+Z \[Run unit tests\] .*not ok 1 - greets by name/m);
    expect(stdout).toMatch(/^Build and push image\s+skipped\s*$/m);
    expect(stdout).toMatch(/: failure \(failed step: Run unit tests\)/);
    expect(stdout).not.toMatch(/^published /m);
    expect(await tags()).not.toContain(brokenShort);
  });

  it("builds without pushing for a pull_request (the seed's push: expression is false)", async () => {
    const pr = variant('pull-request', (dir) => writeFileSync(join(dir, 'CHANGELOG'), 'pr\n'));
    const prShort = git(['rev-parse', '--short', 'HEAD'], pr).trim();
    const result = await runWorkflow({ ...base(pr), eventName: 'pull_request', trivyReport: CLEAN_REPORT });
    expect(result.status).toBe('success');
    expect(result.published).toEqual([]);
    const build = result.steps.find((s) => s.name === 'Build and push image');
    expect(build?.note).toBe('built linux/amd64, linux/arm64; not pushed');
    expect(build?.outputs['digest']).toBe('');
    expect(build?.outputs['imageid']).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await tags()).not.toContain(prShort);
    expect(localImages()).toBe('');
  });

  it('fails the scan step on a report with CRITICAL findings and records the counts', async () => {
    const result = await runWorkflow({ ...base(), trivyReport: CRITICAL_REPORT });
    expect(result.status).toBe('failure');
    expect(result.failedStep).toBe('Scan image for CVEs');
    expect(result.scan).toEqual({ critical: 2, high: 0, medium: 0, low: 0, unknown: 0, passed: false });
    const scan = result.steps.at(-1);
    expect(scan?.error).toBe(
      "step 'Scan image for CVEs': 2 finding(s) at CRITICAL,HIGH in " +
        `${registry.host}/${REPOSITORY}:${short} (CRITICAL 2, HIGH 0, MEDIUM 0, LOW 0, UNKNOWN 0); exit-code 1 fails the step`,
    );
    const log = readFileSync(result.logPath, 'utf8');
    expect(log).toMatch(/\[Scan image for CVEs\] Total: 2 \(HIGH: 0, CRITICAL: 2\)/);
    expect(log).toMatch(/\[Scan image for CVEs\] musl\s+CVE-2019-14697\s+CRITICAL/);
  });

  it('fails the scan step clearly when trivy is absent, and skips it when scanning is optional', async () => {
    const strict = await runWorkflow(base());
    expect(strict.failedStep).toBe('Scan image for CVEs');
    expect(strict.steps.at(-1)?.error).toBe(
      `step 'Scan image for CVEs': cannot scan ${registry.host}/${REPOSITORY}:${short}: trivy is not installed (not found on PATH); ` +
        'install trivy, give a report with SLIPWAY_TRIVY_REPORT=<file>, or mark scanning optional (--scan-optional)',
    );
    expect(strict.scan).toBeUndefined();
    const optional = await runWorkflow({ ...base(), scanOptional: true });
    expect(optional.status).toBe('success');
    expect(optional.steps.at(-1)?.note).toBe(
      'scan skipped: trivy is not installed (not found on PATH); scanning is optional for this run',
    );
    expect(optional.scan).toBeUndefined();
  });

  it('logs in with verified credentials kept out of every log, and names the registry that refuses', async () => {
    const locked = await startRegistry({ auth: { kind: 'htpasswd', users: { ci: 'pw-correct-9187' } } });
    try {
      const overrides = { REGISTRY: locked.host };
      // Right credentials: the login is verified, buildah pushes with the run's auth file.
      const ok = await runWorkflow({
        ...base(),
        envOverrides: overrides,
        actor: 'ci',
        secrets: { GITHUB_TOKEN: 'pw-correct-9187' },
        trivyReport: CLEAN_REPORT,
      });
      expect(ok.status).toBe('success');
      expect(ok.published.map((p) => p.reference)).toEqual([
        `${locked.host}/${REPOSITORY}:${short}`,
        `${locked.host}/${REPOSITORY}:latest`,
      ]);
      const okLog = readFileSync(ok.logPath, 'utf8') + readFileSync(join(ok.logDir, 'result.json'), 'utf8');
      expect(okLog).toMatch(/logged in to 127\.0\.0\.1:\d+ as "ci"/);
      expect(okLog).not.toContain('pw-correct-9187');
      expect(okLog).not.toContain(Buffer.from('ci:pw-correct-9187').toString('base64'));

      // Wrong credentials: the login step fails naming the registry; nothing is built.
      const wrong = await runWorkflow({
        ...base(),
        envOverrides: overrides,
        actor: 'ci',
        secrets: { GITHUB_TOKEN: 'not-the-password' },
      });
      expect(wrong.failedStep).toBe('Log in to container registry');
      expect(wrong.steps[5]?.error).toMatch(
        new RegExp(`^step 'Log in to container registry': login to registry ${locked.host} as "ci" failed: `),
      );
      expect(wrong.published).toEqual([]);
      expect(readFileSync(wrong.logPath, 'utf8')).not.toContain('not-the-password');

      // No login at all: the registry refuses buildah's push, and the error names it.
      const refused = await runWorkflow({
        ...base(),
        envOverrides: overrides,
        skipActions: ['docker/login-action'],
      });
      expect(refused.failedStep).toBe('Build and push image');
      expect(refused.steps[7]?.error).toMatch(
        new RegExp(
          `^step 'Build and push image': the push of ${locked.host}/${REPOSITORY}:${short} to registry ${locked.host} failed: .*buildah exited with code \\d+: .*(authentication required|unauthorized)`,
          'i',
        ),
      );
      expect(refused.published).toEqual([]);
      expect(localImages()).toBe('');
    } finally {
      await locked.stop();
    }
  });

  it('kills a hanging step with its whole process group at the step timeout', async () => {
    const pidFile = join(tmp.dir, 'hang.pid');
    const hanging = variant('hanging', (dir) => {
      writeFileSync(
        join(dir, 'test/integration/server.test.js'),
        [
          "import { writeFileSync } from 'node:fs';",
          "import { test } from 'node:test';",
          "test('never ends', async () => {",
          '  writeFileSync(process.env.HANG_PID_FILE, String(process.pid));',
          '  await new Promise(() => setInterval(() => {}, 1000));',
          '});',
          '',
        ].join('\n'),
      );
    });
    const result = await runWorkflow({
      ...base(hanging),
      envOverrides: { REGISTRY: registry.host, HANG_PID_FILE: pidFile },
      defaultStepTimeoutMs: 4000,
      killGraceMs: 500,
    });
    expect(result.failedStep).toBe('Run integration tests');
    expect(result.steps[3]?.error).toBe(
      "step 'Run integration tests' did not finish within 4s and was killed with its processes",
    );
    // The test file ran in a grandchild (make → node --test → node): it is gone too.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(processGone(pid)).toBe(true);
    expect(result.published).toEqual([]);
  });

  it('refuses a platform it cannot build in strict mode, before building anything', async () => {
    const withRun = variant('with-run', (dir) => {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY src/ /srv/\nRUN ["/srv/setup"]\n');
    });
    const result = await runWorkflow({
      ...base(withRun),
      strictPlatforms: true,
      emulatedArchitectures: new Set(),
      trivyReport: CLEAN_REPORT,
    });
    expect(result.failedStep).toBe('Build and push image');
    expect(result.steps[7]?.error).toBe(
      "step 'Build and push image': platforms: cannot build linux/arm64 (no QEMU binfmt handler for arm64 is registered and the Dockerfile has RUN steps); strict platforms refuse to skip them",
    );
  });

  it('fails the builder setup clearly when no builder is installed', async () => {
    // A PATH with only what the steps before it need.
    const bin = join(tmp.dir, 'bin-without-builders');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['bash', 'make', 'git', 'sh']) {
      const path = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      if (!existsSync(join(bin, tool))) symlinkSync(path, join(bin, tool));
    }
    if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
    const result = await runWorkflow({ ...base(), processEnv: { PATH: bin, HOME: tmp.dir } });
    expect(result.failedStep).toBe('Set up Docker Buildx');
    expect(result.steps[4]?.error).toBe(
      "step 'Set up Docker Buildx': no image builder is installed: looked for buildah, podman and docker on PATH; install buildah (apt-get install buildah)",
    );
  });

  it('names the file and line of a malformed workflow and exits 1', async () => {
    const malformed = variant('malformed', (dir) => {
      const file = join(dir, '.github/workflows/ci.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace('  build-and-push:', '  build-and-push:\n   bad: [unclosed'),
      );
    });
    const { code, stderr } = await cli(['--repo', malformed], childEnv());
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: \.github\/workflows\/ci\.yaml:\d+:\d+: /m);
  });
});
