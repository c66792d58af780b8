/**
 * Control plane start from the cache to a Ready KWOK node, N times; prints min / median / max.
 * Run: npx tsx bench/control-plane.ts [runs=5]
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ControlPlane } from '../src/devcluster/control-plane.ts';
import { cacheRoot, ensureBuilt } from '../src/devcluster/paths.ts';
import { currentProcessIdentity } from '../src/devcluster/processes.ts';

const runs = Number(process.argv[2] ?? 5);
const build = ensureBuilt();
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = join(cacheRoot(), 'test-planes', `bench-${randomBytes(3).toString('hex')}`);
  const started = performance.now();
  const plane = await ControlPlane.start({ dir, build, owner: currentProcessIdentity() });
  times.push((performance.now() - started) / 1000);
  await plane.stop({ purge: true });
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(
  `control plane start to Ready node (${runs} runs, fresh data dir and PKI each): min ${times[0]!.toFixed(2)} s, median ${median.toFixed(2)} s, max ${times.at(-1)!.toFixed(2)} s`,
);
