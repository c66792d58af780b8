import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { SlipwayError } from '../../src/util/errors.ts';
import { createNamespace, eventually, sharedClient, uniqueName } from '../cluster/helpers.ts';

/** JSON with object keys sorted, so two values compare byte for byte regardless of key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

describe('custom resources', () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };
  const group = `${uniqueName('widgets')}.slipway.test`;
  const crdName = `gadgets.${group}`;

  beforeAll(async () => {
    client = sharedClient();
    ns = await createNamespace(client, 'crd');
  });
  afterAll(async () => {
    await client.delete({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: crdName,
    });
    await ns.remove();
    await client.close();
  });

  it('discovery finds a new CRD without a restart, and unknown fields round-trip byte-equal through apply and get', async () => {
    // Discovery is loaded before the CRD exists: the kind is unknown now…
    const before = await client
      .get({ apiVersion: `${group}/v1`, kind: 'Gadget', name: 'x', namespace: ns.name })
      .catch((e: unknown) => e);
    expect(before).toBeInstanceOf(SlipwayError);
    expect((before as SlipwayError).reason).toBe('NoKindMatch');

    await client.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crdName },
      spec: {
        group,
        names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget', listKind: 'GadgetList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    await eventually(async () => {
      const crd = await client.get<
        KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }
      >({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: crdName,
      });
      expect(crd?.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    });

    // Fields no TypeScript model knows, of every JSON type, nested; key order deliberately unsorted.
    const spec = {
      zeta: 'last',
      alpha: { nested: { deeper: [1, 2.5, -3, 1e21, 'four', true, false, { k: 'v' }, []] } },
      futureField: { 'x-y.z/w': 'dots and slashes', unicode: 'ünïcødé ✓ 🚀', empty: {}, emptyList: [] },
      bigInt: 9007199254740991,
      float: 0.1,
      negative: -0.5,
      bool: false,
    };
    // …and the same client finds it after the CRD is established, with no restart.
    const applied = await eventually(() =>
      client.apply({
        apiVersion: `${group}/v1`,
        kind: 'Gadget',
        metadata: { name: 'g1', namespace: ns.name },
        spec,
      }),
    );
    const got = await client.get({
      apiVersion: `${group}/v1`,
      kind: 'Gadget',
      name: 'g1',
      namespace: ns.name,
    });
    expect(canonicalJson(applied['spec'])).toBe(canonicalJson(spec));
    expect(canonicalJson(got?.['spec'])).toBe(canonicalJson(spec));

    // Status goes through the status subresource, and unknown status fields survive too.
    const status = { observed: { anything: ['goes', 1, { here: true }] } };
    await client.applyStatus({
      apiVersion: `${group}/v1`,
      kind: 'Gadget',
      metadata: { name: 'g1', namespace: ns.name },
      status,
    });
    const withStatus = await client.get({
      apiVersion: `${group}/v1`,
      kind: 'Gadget',
      name: 'g1',
      namespace: ns.name,
    });
    expect(canonicalJson(withStatus?.['status'])).toBe(canonicalJson(status));
    expect(canonicalJson(withStatus?.['spec'])).toBe(canonicalJson(spec));
  });
});
