/**
 * Helpers for tests on the real control plane: a client for the shared plane, a namespace per
 * test, and `eventually` for waiting on controllers.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { sleep } from '../../src/util/abort.ts';

/** A client for the run's shared control plane. */
export function sharedClient(): KubeClient {
  return KubeClient.fromKubeconfig({ path: inject('kubeconfig') });
}

/** A unique, DNS-safe name with a prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Creates a fresh namespace; the returned function deletes it. */
export async function createNamespace(
  client: KubeClient,
  prefix = 't',
): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = uniqueName(prefix);
  await client.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'slipway.dev/test': 'true' } },
  });
  return {
    name,
    remove: async () => {
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', name }, { propagationPolicy: 'Background' });
    },
  };
}

/** Retries `check` until it stops throwing (returning its value) or `timeoutMs` passes (rethrowing the last error). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(intervalMs);
    }
  }
}

export type { KubeObject };
