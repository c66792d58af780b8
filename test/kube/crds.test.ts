import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import { ensureCrds, loadCrds } from '../../src/kube/crds.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createNamespace, sharedClient } from '../cluster/helpers.ts';

const fixture = (name: string) =>
  parse(readFileSync(new URL(`../fixtures/seed/${name}`, import.meta.url), 'utf8')) as KubeObject;
const argoCdCrds = () => loadCrds(new URL('../../src/sync/crds/application-crd.yaml', import.meta.url));
const rolloutCrds = () =>
  ['rollout', 'analysis-template', 'cluster-analysis-template', 'analysis-run', 'experiment'].flatMap((f) =>
    loadCrds(new URL(`../../src/rollouts/crds/${f}-crd.yaml`, import.meta.url)),
  );

describe('upstream CRDs and the seed’s objects', () => {
  let client: KubeClient;
  let ns: { name: string; remove: () => Promise<void> };

  beforeAll(async () => {
    client = sharedClient();
    ns = await createNamespace(client, 'seed');
  });
  afterAll(async () => {
    await ns.remove();
    await client.close();
  });

  it('installs missing CRDs once and leaves present ones alone', async () => {
    const crds = [...argoCdCrds(), ...rolloutCrds()];
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([
      'analysisruns.argoproj.io',
      'analysistemplates.argoproj.io',
      'applications.argoproj.io',
      'clusteranalysistemplates.argoproj.io',
      'experiments.argoproj.io',
      'rollouts.argoproj.io',
    ]);
    const first = await ensureCrds(client, crds);
    expect([...first.installed, ...first.present].sort()).toHaveLength(6);
    const second = await ensureCrds(client, crds);
    expect(second.installed).toEqual([]);
    expect(second.present).toHaveLength(6);
  });

  it('the seed’s Application, Rollout and AnalysisTemplate apply unchanged under strict validation', async () => {
    await ensureCrds(client, [...argoCdCrds(), ...rolloutCrds()]);
    for (const name of ['application-dev.yaml', 'rollout.yaml', 'analysis-template.yaml']) {
      const obj = fixture(name);
      obj.metadata.namespace = ns.name;
      const applied = await client.apply(obj, { dryRun: false });
      expect(applied.kind).toBe(obj.kind);
      expect(applied['spec']).toMatchObject(obj['spec'] as object);
    }
  });
});
