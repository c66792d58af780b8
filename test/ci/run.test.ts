/**
 * The CI runner end to end: a real service repository made with the git CLI, the seed's Step 3
 * workflow copied in verbatim, real bash/make processes, and a real OCI registry (Debian
 * `docker-registry`) for the login step's "no credentials, registry needs none" rule.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ActionHandler,
  defaultActions,
  type ExprValue,
  type LogLine,
  runWorkflow,
} from '../../src/ci/index.ts';
import { SlipwayError } from '../../src/util/errors.ts';
import { git, tempDir } from '../git/helpers.ts';
import { startRegistry, type TestRegistry } from '../support/registry.ts';

const SEED_WORKFLOW = join(import.meta.dirname, '../fixtures/seed/ci.yaml');

const MAKEFILE = `lint:
\t@echo "lint ok"
test-unit:
\t@if [ -e FAIL_UNIT ]; then echo "unit tests failed" >&2; exit 1; fi
\t@echo "unit ok"
test-integration:
\t@echo "integration ok"
`;

function write(root: string, path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

function commitAll(repo: string, message: string): string {
  git(['add', '--all'], repo);
  git(['commit', '--quiet', '-m', message], repo);
  return git(['rev-parse', 'HEAD'], repo).trim();
}

/** Whether a pid is gone (or a zombie nobody reaped yet, which runs nothing). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return /\) Z /.test(stat);
}

/** A handler for build-push that records its inputs: the extension point another engineer fills. */
function recordingBuildPush(into: Record<string, ExprValue>[]): ActionHandler {
  return {
    name: 'docker/build-push-action',
    run: async (inv) => {
      into.push({ ...inv.inputs });
      return { outputs: { digest: 'sha256:none' } };
    },
  };
}

describe('runWorkflow on the seed workflow', () => {
  // Made in beforeAll, so a filtered run that skips this suite leaves nothing behind.
  let tmp: { dir: string; remove: () => void };
  let repo: string;
  let logRoot: string;
  let registry: TestRegistry;
  let head: string;
  let shortHead: string;

  beforeAll(async () => {
    tmp = tempDir('slipway-ci-test-');
    repo = join(tmp.dir, 'orders-api');
    logRoot = join(tmp.dir, 'logs');
    registry = await startRegistry();
    mkdirSync(repo);
    git(['init', '--quiet', '--initial-branch=main', repo]);
    git(['remote', 'add', 'origin', 'https://github.com/acme/orders-api.git'], repo);
    write(repo, 'Makefile', MAKEFILE);
    write(repo, 'Dockerfile', 'FROM scratch\nCOPY Makefile /\n');
    mkdirSync(join(repo, '.github/workflows'), { recursive: true });
    copyFileSync(SEED_WORKFLOW, join(repo, '.github/workflows/ci.yaml'));
    head = commitAll(repo, 'service');
    shortHead = git(['rev-parse', '--short', 'HEAD'], repo).trim();
  });

  afterAll(async () => {
    await registry?.stop();
    tmp?.remove();
  });

  const base = () => ({
    repoDir: repo,
    commit: head,
    logRoot,
    processEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmp.dir },
    envOverrides: { REGISTRY: registry.host },
  });

  it('runs lint, tests, login (skipped: no credentials needed) and the tag step, then stops at the scan without trivy', async () => {
    const lines: LogLine[] = [];
    const result = await runWorkflow({
      ...base(),
      trigger: { kind: 'push', detail: 'delivery 42' },
      skipActions: ['docker/setup-buildx-action', 'docker/build-push-action'],
      onLog: (l) => lines.push(l),
    });
    const byName = Object.fromEntries(result.steps.map((s) => [s.name, s]));
    expect(result.trigger).toEqual({ kind: 'push', detail: 'delivery 42' });
    expect(result.repository).toBe('acme/orders-api');
    expect(result.workflowTriggers).toBe(true);
    expect(result.sha).toBe(head);
    expect(result.steps.map((s) => s.outcome)).toEqual([
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
      'failure',
    ]);
    expect(byName['Run actions/checkout@v4']?.note).toMatch(/checkout already done/);
    expect(byName['Set up Docker Buildx']?.note).toMatch(/skipped on request/);
    expect(byName['Log in to container registry']?.note).toBe(
      `login skipped: empty credentials, and registry ${registry.host} needs none`,
    );
    const tag = result.steps.find((s) => s.id === 'tag');
    expect(tag?.outputs).toEqual({ tag: shortHead });
    expect(result.status).toBe('failure');
    expect(result.failedStep).toBe('Scan image for CVEs');
    expect(byName['Scan image for CVEs']?.error).toMatch(/trivy is not installed \(not found on PATH\)/);
    expect(result.published).toEqual([]);
    expect(result.scan).toBeUndefined();
    const log = readFileSync(result.logPath, 'utf8');
    expect(log).toMatch(/^\S+Z \[Run linting\] lint ok$/m);
    expect(log).toMatch(/\[Run unit tests\] unit ok/);
    expect(log).toMatch(/\[Run integration tests\] integration ok/);
    expect(lines.some((l) => l.stepName === 'Run linting' && l.text === 'lint ok')).toBe(true);
    expect(JSON.parse(readFileSync(join(result.logDir, 'result.json'), 'utf8')).runId).toBe(result.runId);
  });

  it("evaluates the seed's push: input to true for push and false for pull_request, with the REGISTRY override in tags", async () => {
    for (const eventName of ['push', 'pull_request'] as const) {
      const seen: Record<string, ExprValue>[] = [];
      const result = await runWorkflow({
        ...base(),
        trigger: { kind: eventName },
        eventName,
        skipActions: ['docker/setup-buildx-action', 'aquasecurity/trivy-action'],
        actions: defaultActions().register(recordingBuildPush(seen)),
      });
      expect(result.status).toBe('success');
      expect(seen).toHaveLength(1);
      expect(seen[0]?.['push']).toBe(eventName === 'push');
      expect(seen[0]?.['tags']).toBe(
        `${registry.host}/acme/orders-api:${shortHead}\n${registry.host}/acme/orders-api:latest\n`,
      );
      expect(seen[0]?.['context']).toBe('.');
    }
  });

  it('stops at the first action that fails, skipping every later step', async () => {
    const failing: ActionHandler = {
      name: 'docker/setup-buildx-action',
      run: async (inv) => {
        throw new SlipwayError('no builder today', {
          subject: `step '${inv.stepName}'`,
          reason: 'BuilderNotFound',
        });
      },
    };
    const result = await runWorkflow({
      ...base(),
      trigger: { kind: 'manual' },
      actions: defaultActions().register(failing),
    });
    expect(result.failedStep).toBe('Set up Docker Buildx');
    expect(result.steps[4]?.error).toBe("step 'Set up Docker Buildx': no builder today");
    expect(result.steps.slice(5).every((s) => s.outcome === 'skipped')).toBe(true);
    expect(result.steps.find((s) => s.id === 'tag')?.outputs).toEqual({});
  });

  it('fails the login step naming the registry when it needs credentials and none are given', async () => {
    const locked = await startRegistry({ auth: { kind: 'htpasswd', users: { ci: 'pw-123456' } } });
    try {
      const result = await runWorkflow({
        ...base(),
        envOverrides: { REGISTRY: locked.host },
        trigger: { kind: 'push' },
        skipActions: ['docker/setup-buildx-action'],
      });
      expect(result.failedStep).toBe('Log in to container registry');
      expect(result.steps[5]?.error).toMatch(
        new RegExp(
          `password empty\\) and registry ${locked.host.replace(/\./g, '\\.')} does not accept anonymous access`,
        ),
      );
      expect(result.steps.find((s) => s.id === 'tag')?.outcome).toBe('skipped');
    } finally {
      await locked.stop();
    }
  });

  it('stops at a failing make test-unit and names the step', async () => {
    const work = join(tmp.dir, 'failing');
    git(['clone', '--quiet', repo, work]);
    write(work, 'FAIL_UNIT', 'x\n');
    const failing = commitAll(work, 'break unit tests');
    const result = await runWorkflow({
      ...base(),
      repoDir: work,
      commit: failing,
      trigger: { kind: 'push' },
    });
    expect(result.status).toBe('failure');
    expect(result.failedStep).toBe('Run unit tests');
    const unit = result.steps[2];
    expect(unit?.exitCode).toBe(2);
    expect(unit?.error).toBe("step 'Run unit tests' failed: the script exited with code 2");
    expect(result.steps.slice(3).map((s) => s.outcome)).toEqual(Array(6).fill('skipped'));
    expect(readFileSync(result.logPath, 'utf8')).toMatch(/\[Run unit tests\] \(stderr\) unit tests failed/);
  });
});

describe('runWorkflow features', () => {
  // Made in beforeAll, so a filtered run that skips this suite leaves nothing behind.
  let tmp: { dir: string; remove: () => void };
  let repo: string;
  let logRoot: string;

  beforeAll(() => {
    tmp = tempDir('slipway-ci-feat-');
    repo = join(tmp.dir, 'svc');
    logRoot = join(tmp.dir, 'logs');
    mkdirSync(repo);
    git(['init', '--quiet', '--initial-branch=main', repo]);
    write(repo, 'Makefile', MAKEFILE);
    write(repo, 'sub/dir/file.txt', 'hello\n');
  });
  afterAll(() => tmp?.remove());

  /** Commits `workflow` as .github/workflows/ci.yaml and returns the commit. */
  const withWorkflow = (workflow: string) => {
    write(repo, '.github/workflows/ci.yaml', workflow);
    return commitAll(repo, 'workflow');
  };
  const env = () => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmp.dir });

  it('kills a step that hangs at its timeout, with the children it started', async () => {
    const pidFile = join(tmp.dir, 'child.pid');
    const commit = withWorkflow(`on: push
jobs:
  hang:
    runs-on: ubuntu-latest
    steps:
      - name: Hang
        timeout-minutes: 0.05
        run: |
          sleep 600 &
          echo $! > "$PIDFILE"
          sleep 600
      - name: After
        run: echo never
`);
    const result = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
      envOverrides: { PIDFILE: pidFile },
      killGraceMs: 500,
    });
    expect(result.failedStep).toBe('Hang');
    expect(result.steps[0]?.error).toBe(
      "step 'Hang' did not finish within 3s and was killed with its processes",
    );
    expect(result.steps[1]?.outcome).toBe('skipped');
    const child = Number(readFileSync(pidFile, 'utf8').trim());
    expect(child).toBeGreaterThan(1);
    expect(processGone(child)).toBe(true);
  });

  it('ends background processes a step leaves behind when it exits', async () => {
    const pidFile = join(tmp.dir, 'orphan.pid');
    const commit = withWorkflow(`on: push
jobs:
  orphan:
    runs-on: ubuntu-latest
    steps:
      - name: Leave a child
        run: |
          sleep 600 &
          echo $! > "$PIDFILE"
      - name: Next
        run: echo next
`);
    const result = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
      envOverrides: { PIDFILE: pidFile },
    });
    expect(result.steps.map((s) => s.outcome)).toEqual(['success', 'success']);
    expect(processGone(Number(readFileSync(pidFile, 'utf8').trim()))).toBe(true);
  });

  it('masks secrets and ::add-mask:: values in every log line', async () => {
    const commit = withWorkflow(`on: push
jobs:
  secret:
    runs-on: ubuntu-latest
    steps:
      - name: Leak
        env:
          KEY: \${{ secrets.DEPLOY_KEY }}
        run: |
          echo "inline \${{ secrets.DEPLOY_KEY }}"
          echo "env $KEY" >&2
          DERIVED="derived-$KEY-value"
          echo "::add-mask::$DERIVED"
          echo "derived $DERIVED"
          echo "missing [\${{ secrets.NOT_SET }}]"
`);
    const lines: LogLine[] = [];
    const secret = 'hunter2-very-secret';
    const result = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: { ...env(), SLIPWAY_SECRET_DEPLOY_KEY: secret },
      onLog: (l) => lines.push(l),
    });
    expect(result.status).toBe('success');
    const log = readFileSync(result.logPath, 'utf8');
    expect(log).not.toContain(secret);
    expect(log).not.toContain('derived-');
    expect(log).toContain('inline ***');
    expect(log).toContain('env ***');
    expect(log).toContain('derived ***');
    expect(log).toContain('missing []');
    expect(lines.map((l) => l.text).join('\n')).not.toContain(secret);
  });

  it('passes outputs, $GITHUB_ENV heredocs, $GITHUB_PATH, working-directory, continue-on-error and failure()', async () => {
    symlinkSync('/', join(repo, 'escape'));
    const commit = withWorkflow(`on: push
env:
  GREETING: hello
jobs:
  feat:
    runs-on: ubuntu-latest
    steps:
      - id: first
        run: |
          echo "one=1" >> "$GITHUB_OUTPUT"
          { echo "multi<<EOF"; echo "a"; echo "b"; echo "EOF"; } >> "$GITHUB_OUTPUT"
          { echo "NOTES<<END"; echo "x=y"; echo "z"; echo "END"; } >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-ran\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "## done" >> "$GITHUB_STEP_SUMMARY"
          test ! -e DIRTY
      - id: second
        working-directory: sub/dir
        env:
          ONE: \${{ steps.first.outputs.one }}
        run: |
          test "$(cat file.txt)" = hello
          test "$ONE" = 1
          test "$NOTES" = "$(printf 'x=y\\nz')"
          test "$GREETING" = hello
          test "\${{ steps.first.outputs.multi }}" = "$(printf 'a\\nb')"
          mytool
          echo "hash=\${{ hashFiles('Makefile') }}" >> "$GITHUB_OUTPUT"
      - id: soft
        continue-on-error: true
        run: exit 3
      - id: hard
        run: exit 4
      - id: skipped
        run: echo no
      - id: onfail
        if: failure() && steps.soft.outcome == 'failure' && steps.soft.conclusion == 'success'
        run: echo recovered
      - id: outside
        if: always()
        working-directory: ../..
        run: echo escaped
      - id: through-link
        if: always()
        working-directory: escape
        run: echo escaped
      - id: missing
        if: always()
        working-directory: nope
        run: echo missing
`);
    writeFileSync(join(repo, 'DIRTY'), 'uncommitted\n');
    const result = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
    });
    rmSync(join(repo, 'DIRTY'));
    const byId = Object.fromEntries(result.steps.map((s) => [s.id, s]));
    expect(byId['first']?.outputs).toEqual({ one: '1', multi: 'a\nb' });
    expect(byId['second']?.outcome).toBe('success');
    const inner = createHash('sha256')
      .update(readFileSync(join(repo, 'Makefile')))
      .digest();
    expect(byId['second']?.outputs['hash']).toBe(createHash('sha256').update(inner).digest('hex'));
    expect(byId['soft']).toMatchObject({ outcome: 'failure', conclusion: 'success', exitCode: 3 });
    expect(byId['hard']).toMatchObject({ outcome: 'failure', conclusion: 'failure', exitCode: 4 });
    expect(byId['skipped']?.outcome).toBe('skipped');
    expect(byId['onfail']?.outcome).toBe('success');
    expect(byId['outside']?.error).toMatch(/working-directory\): '\.\.\/\.\.' is outside the checkout/);
    expect(byId['through-link']?.error).toMatch(
      /'escape' leads outside the checkout through a symbolic link/,
    );
    expect(byId['missing']?.error).toMatch(/'nope' does not exist in the checkout/);
    expect(result.failedStep).toBe('Run exit 4');
    expect(result.summary).toBe('## done\n');
    expect(readFileSync(result.logPath, 'utf8')).toContain('tool-ran');
  });

  it('layers env as workflow < job < $GITHUB_ENV < step < overrides', async () => {
    const commit = withWorkflow(`on: push
env: { A: w, B: w, C: w, D: w }
jobs:
  layers:
    runs-on: ubuntu-latest
    env:
      B: j
      C: j
      D: j
      FROM_WF: \${{ env.A }}
    steps:
      - run: |
          echo "C=g" >> "$GITHUB_ENV"
          echo "D=g" >> "$GITHUB_ENV"
      - id: show
        env: { D: s }
        run: echo "seen=$A$B$C$D-$FROM_WF-\${{ env.A }}" >> "$GITHUB_OUTPUT"
`);
    const result = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
      envOverrides: { A: 'o' },
    });
    expect(result.steps[1]?.outputs).toEqual({ seen: 'ojgs-o-o' });
  });

  it('fills the github and runner contexts and inherits only allowed variables', async () => {
    const commit = withWorkflow(`on: push
jobs:
  ctx:
    runs-on: ubuntu-latest
    steps:
      - id: c
        run: |
          echo "ctx=\${{ runner.os }}|\${{ github.ref_name }}|\${{ github.actor }}|\${{ github.event_name }}|\${{ github.sha }}|\${{ github.repository }}" >> "$GITHUB_OUTPUT"
          test "\${{ github.workspace }}" = "$GITHUB_WORKSPACE"
          test "$(pwd)" = "$GITHUB_WORKSPACE"
          test -d "\${{ runner.temp }}"
          echo "vars=$GITHUB_SHA|$GITHUB_REF|$GITHUB_EVENT_NAME|$RUNNER_OS|$CI" >> "$GITHUB_OUTPUT"
          echo "inherited=\${KUBECONFIG:-unset}|\${SLIPWAY_SECRET_TOKEN:-unset}|\${EXTRA:-unset}" >> "$GITHUB_OUTPUT"
`);
    const result = await runWorkflow({
      repoDir: repo,
      commit: 'HEAD',
      logRoot,
      trigger: { kind: 'pull_request' },
      eventName: 'pull_request',
      ref: 'refs/heads/feature/x',
      actor: 'mona',
      repository: 'acme/svc',
      processEnv: { ...env(), KUBECONFIG: '/root/.kube/admin', SLIPWAY_SECRET_TOKEN: 'tok-123', EXTRA: 'e' },
      inheritEnv: ['EXTRA'],
    });
    expect(result.status).toBe('success');
    expect(result.sha).toBe(commit);
    expect(result.workflowTriggers).toBe(false);
    expect(result.steps[0]?.outputs).toEqual({
      ctx: `Linux|feature/x|mona|pull_request|${commit}|acme/svc`,
      vars: `${commit}|refs/heads/feature/x|pull_request|Linux|true`,
      inherited: 'unset|unset|e',
    });
  });

  it('cancels a running step when the signal aborts and reports the run as cancelled', async () => {
    const commit = withWorkflow(`on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - name: Slow
        run: sleep 600
      - name: Cleanup
        if: always()
        run: echo cleanup
`);
    const controller = new AbortController();
    const lines: LogLine[] = [];
    const running = runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
      killGraceMs: 500,
      signal: controller.signal,
      onLog: (l) => {
        lines.push(l);
        if (l.text === 'starting Slow') setTimeout(() => controller.abort(), 200);
      },
    });
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(result.steps[0]).toMatchObject({ outcome: 'cancelled', error: "step 'Slow' was cancelled" });
  });

  it('stops the job at its timeout-minutes', async () => {
    const commit = withWorkflow(`on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    timeout-minutes: 0.02
    steps:
      - name: Slow
        run: sleep 600
`);
    const result = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
      killGraceMs: 500,
    });
    expect(result.status).toBe('cancelled');
    expect(result.steps[0]?.error).toBe("step 'Slow' was cancelled: the job's timeout-minutes passed");
  });

  it('names file, line and column of malformed workflow YAML', async () => {
    const commit = withWorkflow('name: CI\non:\n  push:\n    branches: [main\njobs: {}\n');
    const err = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).subject).toMatch(/^\.github\/workflows\/ci\.yaml:\d+:\d+$/);
    expect((err as SlipwayError).reason).toBe('InvalidWorkflowYaml');
  });

  it('refuses an unsupported expression before any step runs, naming the step and the expression', async () => {
    const marker = join(tmp.dir, 'ran');
    const commit = withWorkflow(`on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: First
        run: touch "${marker}"
      - name: Shout
        run: echo \${{ toUpper(github.sha) }}
`);
    const err = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe(
      ".github/workflows/ci.yaml: jobs.a.steps[1].run: step 'Shout': unrecognized function 'toupper' in 'toUpper(github.sha)'",
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('fails a step whose action is unknown, naming the action', async () => {
    const commit = withWorkflow(`on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
`);
    const result = await runWorkflow({
      repoDir: repo,
      commit,
      logRoot,
      trigger: { kind: 'manual' },
      processEnv: env(),
    });
    expect(result.steps[0]?.error).toMatch(
      /action 'actions\/setup-node@v4' is not supported by Slipway's CI runner/,
    );
  });
});
