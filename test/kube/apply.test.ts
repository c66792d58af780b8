import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { ApiError } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createNamespace, sharedClient } from '../cluster/helpers.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

describe('server-side apply on the real API server', () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };

  beforeAll(async () => {
    client = sharedClient();
    ns = await createNamespace(client, 'apply');
  });
  afterAll(async () => {
    await ns.remove();
    await client.close();
  });

  const cm = (name: string, data: Record<string, string>): ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns.name },
    data,
  });

  it('reports a conflict with another field manager, naming the fields; force takes ownership', async () => {
    await client.apply(cm('shared', { owner: 'alice', color: 'blue' }), { fieldManager: 'alice' });

    const err = await client
      .apply(cm('shared', { owner: 'bob', color: 'red' }), { fieldManager: 'bob' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect(apiErr.code).toBe(409);
    expect(apiErr.message).toContain(`ConfigMap/${ns.name}/shared`);
    expect(apiErr.conflicts.map((c) => c.field).sort()).toEqual(['.data.color', '.data.owner']);
    expect(apiErr.conflicts.every((c) => c.manager === 'alice')).toBe(true);

    const forced = await client.apply<ConfigMap>(cm('shared', { owner: 'bob', color: 'red' }), {
      fieldManager: 'bob',
      force: true,
    });
    expect(forced.data).toEqual({ owner: 'bob', color: 'red' });
    const managers = (
      forced.metadata.managedFields as Array<{ manager: string; fieldsV1?: { 'f:data'?: object } }>
    )
      .filter((m) => m.fieldsV1?.['f:data'])
      .map((m) => m.manager);
    expect(managers).toEqual(['bob']);
  });

  it('dry-run validates and returns the result without persisting it', async () => {
    const result = await client.apply<ConfigMap>(cm('dry', { a: '1' }), { dryRun: true });
    expect(result.data).toEqual({ a: '1' });
    expect(
      await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'dry', namespace: ns.name }),
    ).toBeUndefined();
  });

  it('an unknown field is rejected, named, and not retried', async () => {
    const bad = { ...cm('strict', { a: '1' }), notAField: true };
    const err = await client.apply(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    // The API server answers 500 for fields its schema lacks; Slipway classifies it as Invalid and final.
    expect((err as ApiError).reason).toBe('Invalid');
    expect((err as ApiError).transient).toBe(false);
    expect((err as ApiError).message).toContain('.notAField: field not declared in schema');
    expect(
      await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'strict', namespace: ns.name }),
    ).toBeUndefined();
  });

  it('a field dropped from a manager’s apply is removed when it was the only owner', async () => {
    await client.apply(cm('drop', { keep: '1', drop: '2' }), { fieldManager: 'solo' });
    const after = await client.apply<ConfigMap>(cm('drop', { keep: '1' }), { fieldManager: 'solo' });
    expect(after.data).toEqual({ keep: '1' });
  });

  it('lists page by page and returns every object', async () => {
    for (let i = 0; i < 7; i++) await client.apply(cm(`page-${i}`, { i: String(i) }));
    const pages: number[] = [];
    for await (const page of client.listPages(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns.name, labelSelector: '' },
      { limit: 3 },
    )) {
      pages.push(page.items.length);
    }
    const { items } = await client.list<ConfigMap>(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns.name },
      { limit: 3 },
    );
    const names = items.map((i) => i.metadata.name).filter((n) => n?.startsWith('page-'));
    expect(names).toHaveLength(7);
    expect(pages.length).toBeGreaterThan(1);
    expect(items.every((i) => i.kind === 'ConfigMap' && i.apiVersion === 'v1')).toBe(true);
  });

  it('patches the status subresource and applies status with its own field manager', async () => {
    await client.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'status-target', namespace: ns.name },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 's' } },
        template: { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
      },
    });
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'status-target', namespace: ns.name };
    const patched = await client.patchStatus<KubeObject & { status?: { observedGeneration?: number } }>(
      ref,
      { observedGeneration: 42 },
      { fieldManager: 'status-writer' },
    );
    expect(patched.status?.observedGeneration).toBe(42);
  });
});
