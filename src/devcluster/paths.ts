/**
 * Where the control plane's binaries and state live: a cache outside any checkout, so every clone
 * on the machine shares one build.
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../util/cache.ts';
import { SlipwayError } from '../util/errors.ts';

export { cacheRoot };

/** The package root (works from `src/` under tsx and from `dist/` after a build). */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

const buildScript = join(packageRoot, 'scripts', 'build-control-plane.sh');

export const CONTROL_PLANE_BINARIES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;

export interface ControlPlaneBuild {
  /** Folder holding `bin/` and `kwok-stages.yaml`. */
  dir: string;
  bin: string;
  stages: string;
}

/** The pinned build's folder, as the build script computes it (the script is the one place versions are pinned). */
export function controlPlaneBuild(): ControlPlaneBuild {
  const dir =
    process.env['SLIPWAY_CONTROL_PLANE_DIR'] ||
    execFileSync('bash', [buildScript, '--print-dir'], { encoding: 'utf8', env: { ...process.env } }).trim();
  return { dir, bin: join(dir, 'bin'), stages: join(dir, 'kwok-stages.yaml') };
}

export function isBuilt(build: ControlPlaneBuild): boolean {
  return CONTROL_PLANE_BINARIES.every((b) => existsSync(join(build.bin, b))) && existsSync(build.stages);
}

/** Builds the control plane when it is missing, with the build script's progress on stderr. */
export function ensureBuilt(): ControlPlaneBuild {
  const build = controlPlaneBuild();
  if (isBuilt(build)) return build;
  process.stderr.write(
    `slipway: building the control plane into ${build.dir} (first time only; see README)\n`,
  );
  const result = spawnSync('bash', [buildScript], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0 || !isBuilt(build)) {
    throw new SlipwayError(
      `the build failed (exit ${result.status ?? result.signal}); its output above names the step`,
      {
        subject: buildScript,
        reason: 'ControlPlaneBuildFailed',
      },
    );
  }
  return build;
}
