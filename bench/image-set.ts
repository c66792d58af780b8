/**
 * `slipway image set` next to `kustomize edit set image` on the same file, and `slipway render`'s
 * overhead beyond the kustomize binary's own `kustomize build`, in the same run.
 *
 * Run: npx tsx bench/image-set.ts [runs=30]
 * Needs the pinned kustomize (scripts/build-tools.sh). Each row prints min / median / max.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseImageSpec, renderPath, setImageInKustomization } from '../src/manifests/index.ts';
import { findTool } from '../src/manifests/tools.ts';

const runs = Number(process.argv[2] ?? 30);
const kustomize = await findTool('kustomize');
if (!kustomize) throw new Error('kustomize not found: run scripts/build-tools.sh');

const fixture = fileURLToPath(new URL('../test/manifests/fixtures/deploy-configs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
const repo = join(scratch, 'deploy-configs');
cpSync(fixture, repo, { recursive: true });
const overlay = join(repo, 'apps', 'my-service', 'overlays', 'dev');
// The CLI as installed: compiled with the build config into a scratch package beside the real
// node_modules, so the process row measures node + the compiled CLI, not a TypeScript loader.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const built = join(scratch, 'pkg');
mkdirSync(built);
const tsc = join(packageDir, 'node_modules', '.bin', 'tsc');
try {
  execFileSync(tsc, ['-p', join(packageDir, 'tsconfig.build.json'), '--outDir', join(built, 'dist')], {
    stdio: 'ignore',
  });
} catch {
  // Type errors elsewhere in the tree do not stop tsc from emitting JavaScript.
}
copyFileSync(join(packageDir, 'package.json'), join(built, 'package.json'));
symlinkSync(join(packageDir, 'node_modules'), join(built, 'node_modules'));
const cli = join(built, 'dist', 'cli', 'main.js');

interface Stats {
  min: number;
  median: number;
  max: number;
}

async function measure(fn: (i: number) => unknown | Promise<unknown>, n = runs): Promise<Stats> {
  await fn(-1); // warm up (file cache, JIT, lazy imports)
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { min: times[0] ?? 0, median: times[Math.floor(times.length / 2)] ?? 0, max: times.at(-1) ?? 0 };
}

const ms = (s: Stats) =>
  `min ${s.min.toFixed(2)} ms, median ${s.median.toFixed(2)} ms, max ${s.max.toFixed(2)} ms`;
// Alternate tags so every run really rewrites the file.
const tag = (i: number) => `bench${i & 1}`;

try {
  const upstream = await measure((i) =>
    execFileSync(kustomize, ['edit', 'set', 'image', `my-service=ghcr.io/myorg/my-service:${tag(i)}`], {
      cwd: overlay,
    }),
  );
  cpSync(fixture, repo, { recursive: true });
  const library = await measure((i) =>
    setImageInKustomization(overlay, parseImageSpec(`my-service=ghcr.io/myorg/my-service:${tag(i)}`)),
  );
  const cliProcess = await measure((i) =>
    execFileSync(process.execPath, [
      cli,
      'image',
      'set',
      `my-service=ghcr.io/myorg/my-service:${tag(i)}`,
      '--kustomization',
      overlay,
    ]),
  );
  const build = await measure(() => execFileSync(kustomize, ['build', overlay]));
  const render = await measure(() => renderPath(overlay, { root: repo }));

  console.log(`image set, ${runs} runs on the seed's dev overlay (read, edit, write):`);
  console.log(`  kustomize edit set image (process)        ${ms(upstream)}`);
  console.log(`  setImageInKustomization (in-process)      ${ms(library)}`);
  console.log(`  slipway image set (node dist, process)     ${ms(cliProcess)}`);
  console.log(
    `  ratio kustomize / slipway in-process      ${(upstream.median / library.median).toFixed(1)}x`,
  );
  console.log(`render of the same overlay, ${runs} runs:`);
  console.log(`  kustomize build (process)                 ${ms(build)}`);
  console.log(`  renderPath (walk + kustomize + parse)     ${ms(render)}`);
  console.log(`  overhead beyond kustomize build (median)  ${(render.median - build.median).toFixed(2)} ms`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
