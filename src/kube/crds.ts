/**
 * Installing CustomResourceDefinitions a controller needs, when the cluster lacks them.
 *
 * A CRD that already exists is left exactly as it is (another installation, e.g. Argo CD itself,
 * may own it); a missing one is created by server-side apply and waited for until `Established`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { waitFor } from '../util/abort.ts';
import { SlipwayError } from '../util/errors.ts';
import type { KubeClient } from './client.ts';
import type { KubeObject } from './types.ts';

const CRD_API = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' } as const;

/** Reads CRDs from a (multi-document) YAML file. */
export function loadCrds(file: string | URL): KubeObject[] {
  const text = readFileSync(file, 'utf8');
  const crds: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new SlipwayError(doc.errors[0]!.message, { subject: String(file), reason: 'InvalidCrd' });
    }
    const obj = doc.toJS() as KubeObject | null;
    if (obj?.kind === 'CustomResourceDefinition') crds.push(obj);
  }
  return crds;
}

export interface EnsureCrdsResult {
  /** CRDs this call created. */
  installed: string[];
  /** CRDs that were already there and were left alone. */
  present: string[];
}

/** Creates each missing CRD and waits until every created one is Established. */
export async function ensureCrds(
  client: KubeClient,
  crds: KubeObject[],
  options: { fieldManager?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<EnsureCrdsResult> {
  const result: EnsureCrdsResult = { installed: [], present: [] };
  for (const crd of crds) {
    const name = crd.metadata.name ?? '';
    const existing = await client.get({ ...CRD_API, name }, options.signal);
    if (existing) {
      result.present.push(name);
      continue;
    }
    await client.apply(crd, {
      fieldManager: options.fieldManager ?? 'slipway',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    result.installed.push(name);
  }
  for (const name of result.installed) {
    await waitFor(
      async () => {
        const crd = await client.get<
          KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }
        >({ ...CRD_API, name });
        return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
          ? true
          : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 100,
        ...(options.signal ? { signal: options.signal } : {}),
        onTimeout: () =>
          new SlipwayError('was not Established in time', {
            subject: `CustomResourceDefinition/${name}`,
            reason: 'CrdNotEstablished',
          }),
      },
    );
  }
  // Established is not yet served: aggregated discovery catches up a moment later. Wait until it
  // lists every new kind, so callers can list and watch them at once.
  for (const crd of crds.filter((c) => result.installed.includes(c.metadata.name ?? ''))) {
    const spec = crd['spec'] as {
      group: string;
      names: { kind: string };
      versions: Array<{ name: string; served?: boolean }>;
    };
    const version = spec.versions.find((v) => v.served !== false)?.name;
    if (!version) continue;
    await waitFor(
      async () => {
        await client.discovery.refresh(options.signal);
        return client.discovery
          .resourceFor(`${spec.group}/${version}`, spec.names.kind, options.signal)
          .then(() => true as const)
          .catch(() => undefined);
      },
      {
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 200,
        ...(options.signal ? { signal: options.signal } : {}),
        onTimeout: () =>
          new SlipwayError('is Established but not served by discovery', {
            subject: `CustomResourceDefinition/${crd.metadata.name}`,
            reason: 'CrdNotEstablished',
          }),
      },
    );
  }
  return result;
}
