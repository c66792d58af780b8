/**
 * Real repositories for the git and release tests: bare config repositories made with the git CLI
 * itself (not with Slipway's wrapper, so the tests check Slipway against git), temp folders, and an
 * overlay edit that needs no manifests module.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temp folder and its removal. */
export function tempDir(prefix = 'slipway-git-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** git with a clean identity and no user config, for building and inspecting fixtures. */
export function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: cwd ?? tmpdir(),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Fixture',
      GIT_AUTHOR_EMAIL: 'fixture@example.com',
      GIT_COMMITTER_NAME: 'Fixture',
      GIT_COMMITTER_EMAIL: 'fixture@example.com',
      LC_ALL: 'C',
    },
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** The seed's dev overlay for one app, with a given tag. */
export function overlayYaml(app: string, tag: string): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${app}-dev
resources:
  - ../../base
images:
  - name: ${app}
    newName: ghcr.io/myorg/${app}
    newTag: ${tag}
`;
}

/**
 * Makes a bare config repository `<root>/config.git` with `apps/<app>/{base,overlays/dev}` for
 * each app (tag `v0`), one commit on `main`, and returns its path.
 */
export function makeConfigRepo(root: string, apps: string[], files: Record<string, string> = {}): string {
  const work = join(root, 'seed-work');
  const bare = join(root, 'config.git');
  mkdirSync(work, { recursive: true });
  git(['init', '--quiet', '--initial-branch=main', work]);
  for (const app of apps) {
    write(join(work, 'apps', app, 'base', 'kustomization.yaml'), 'resources:\n  - deployment.yaml\n');
    write(
      join(work, 'apps', app, 'base', 'deployment.yaml'),
      `kind: Deployment\nmetadata:\n  name: ${app}\n`,
    );
    write(join(work, 'apps', app, 'overlays', 'dev', 'kustomization.yaml'), overlayYaml(app, 'v0'));
  }
  for (const [path, text] of Object.entries(files)) write(join(work, path), text);
  git(['add', '--all'], work);
  git(['commit', '--quiet', '-m', 'seed'], work);
  git(['clone', '--quiet', '--bare', work, bare]);
  rmSync(work, { recursive: true, force: true });
  return bare;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A file's text at `rev` in a (bare) repository. */
export function showFile(gitDir: string, rev: string, path: string): string {
  return git(['--git-dir', gitDir, 'show', `${rev}:${path}`]);
}

/** The commit `rev` points to. */
export function revParse(gitDir: string, rev: string): string {
  return git(['--git-dir', gitDir, 'rev-parse', rev]).trim();
}

/** Number of commits reachable from `rev`. */
export function commitCount(gitDir: string, rev = 'main'): number {
  return Number(git(['--git-dir', gitDir, 'rev-list', '--count', rev]).trim());
}

/**
 * An overlay edit for tests that replaces the `newTag:` line of `<path>/kustomization.yaml`
 * (the real edit is the manifests module's `setImageInKustomization`).
 */
export function setTagEdit(path: string, tag: string) {
  return async (dir: string) => {
    const file = join(dir, path, 'kustomization.yaml');
    const before = readFileSync(file, 'utf8');
    const after = before.replace(/newTag: .*/, `newTag: ${tag}`);
    if (after !== before) writeFileSync(file, after);
    return { changed: after !== before, description: `set newTag ${tag} in ${path}` };
  };
}
