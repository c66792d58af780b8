/**
 * Starts one real control plane for the whole test run (tests isolate by namespace) and stops
 * exactly its processes afterwards. Planes left by a killed earlier run are cleaned up first.
 *
 * `SLIPWAY_TEST_KUBECONFIG` points the suite at an already running cluster instead (for example
 * `slipway dev-cluster kubeconfig`), which skips the start.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ControlPlane, cleanupAbandoned } from '../../src/devcluster/control-plane.ts';
import { cacheRoot, ensureBuilt } from '../../src/devcluster/paths.ts';
import { currentProcessIdentity } from '../../src/devcluster/processes.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    planesRoot: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const planesRoot = join(cacheRoot(), 'test-planes');
  project.provide('planesRoot', planesRoot);
  const external = process.env['SLIPWAY_TEST_KUBECONFIG'];
  if (external) {
    project.provide('kubeconfig', external);
    return async () => undefined;
  }
  ensureBuilt();
  const removed = await cleanupAbandoned(planesRoot);
  for (const dir of removed) process.stderr.write(`[cluster] removed abandoned control plane ${dir}\n`);
  const plane = await ControlPlane.start({
    dir: join(planesRoot, `${process.pid}-${randomBytes(3).toString('hex')}`),
    owner: currentProcessIdentity(),
    log: (line) => process.stderr.write(`[cluster] ${line}\n`),
  });
  project.provide('kubeconfig', plane.kubeconfig);
  return async () => {
    await plane.stop({ purge: true });
  };
}
