import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ControlPlane } from '../../src/devcluster/control-plane.ts';
import { currentProcessIdentity } from '../../src/devcluster/processes.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { ApiError, isGone } from '../../src/kube/errors.ts';
import { Informer, type InformerEvent } from '../../src/kube/informer.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createNamespace, eventually } from '../cluster/helpers.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const summary = (e: InformerEvent<ConfigMap>) =>
  `${e.type} ${e.object.metadata.name} ${e.object.data?.['v'] ?? ''}`;

// This file restarts its API server, so it runs its own control plane (etcd + kube-apiserver) and
// leaves the shared one alone.
describe('watches across an API server restart', () => {
  let plane: ControlPlane;
  let client: KubeClient;

  beforeAll(async () => {
    plane = await ControlPlane.start({
      dir: join(inject('planesRoot'), `${process.pid}-watch-${randomBytes(3).toString('hex')}`),
      owner: currentProcessIdentity(),
      controllers: false,
    });
    client = KubeClient.fromKubeconfig({ path: plane.kubeconfig });
  });
  afterAll(async () => {
    await client?.close();
    await plane?.stop({ purge: true });
  });

  it('keeps delivering events after the API server comes back, with no duplicates or gaps (relist on 410)', async () => {
    const ns = await createNamespace(client, 'watch');
    const cm = (name: string, v: string): ConfigMap => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns.name },
      data: { v },
    });
    await client.apply(cm('a', '1'));
    await client.apply(cm('b', '1'));

    const errors: unknown[] = [];
    const informer = new Informer<ConfigMap>(
      client,
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns.name },
      { backoff: { initialMs: 100, maxMs: 500 }, onError: (e) => errors.push(e) },
    );
    const events: string[] = [];
    informer.subscribe((e) => events.push(summary(e)));
    await informer.start();
    expect(events.sort()).toEqual(['added a 1', 'added b 1']);
    events.length = 0;

    await client.apply(cm('c', '1'));
    await eventually(() => expect(events).toEqual(['added c 1']));
    events.length = 0;

    const listsBefore = informer.stats.lists;
    await plane.stopApiServer();
    await plane.startApiServer();

    // Changes made after the restart: the informer must see each exactly once, whether through
    // its resumed watch or through the relist that a 410 forces.
    await eventually(() => client.apply(cm('a', '2')), 30_000);
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'b', namespace: ns.name });
    await client.apply(cm('d', '1'));

    await eventually(
      () => expect([...events].sort()).toEqual(['added d 1', 'deleted b 1', 'updated a 2']),
      60_000,
    );
    // Let any late duplicate show up before asserting there is none.
    await new Promise((r) => setTimeout(r, 1500));
    expect([...events].sort()).toEqual(['added d 1', 'deleted b 1', 'updated a 2']);
    expect(
      informer
        .list()
        .map((o) => `${o.metadata.name}=${o.data?.['v']}`)
        .sort(),
    ).toEqual(['a=2', 'c=1', 'd=1']);
    expect(errors.length).toBeGreaterThan(0); // the drop was noticed and recovered from
    expect(informer.stats.watches).toBeGreaterThan(1);
    // A restarted API server starts a new watch cache, so resuming from before the restart is
    // answered with 410 Gone and the informer relists.
    expect(informer.stats.lists).toBeGreaterThan(listsBefore);
    await informer.stop();
  });

  it('a watch from a resourceVersion the server no longer has fails with 410 Gone', async () => {
    const ns = await createNamespace(client, 'gone');
    const err = await (async () => {
      for await (const _ of client.watch({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: ns.name,
        resourceVersion: '1',
        timeoutSeconds: 5,
      })) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isGone(err)).toBe(true);
  });
});
