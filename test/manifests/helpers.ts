/**
 * Helpers for the manifests tests: the real kustomize and helm binaries (built by
 * scripts/build-tools.sh when missing), scratch copies of the fixture config repository, and the
 * CLI run in-process with its output captured.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import { toolsBinDir } from '../../src/manifests/tools.ts';

export const FIXTURE_REPO = fileURLToPath(new URL('./fixtures/deploy-configs', import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-tools.sh', import.meta.url));

/** The pinned kustomize and helm, built into the cache first if missing (minutes, once per machine). */
export function ensureTools(): { kustomize: string; helm: string } {
  const bin = toolsBinDir();
  const kustomize = join(bin, 'kustomize');
  const helm = join(bin, 'helm');
  if (!existsSync(kustomize) || !existsSync(helm)) {
    process.stderr.write(`[manifests] building kustomize and helm into ${bin} (first time only)\n`);
    const res = spawnSync('bash', [BUILD_SCRIPT], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 900_000,
    });
    if (res.status !== 0) throw new Error(`scripts/build-tools.sh failed (exit ${res.status ?? res.signal})`);
  }
  return { kustomize, helm };
}

/** A scratch directory removed by the returned function. */
export function scratchDir(prefix = 'slipway-manifests-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh copy of the fixture config repository inside `parent`. */
export function copyFixtureRepo(parent: string): string {
  const repo = join(parent, 'deploy-configs');
  cpSync(FIXTURE_REPO, repo, { recursive: true });
  return repo;
}

/** Runs `slipway ...args` in-process and returns its exit code and output. */
export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'slipway', ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}
