import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { compileIgnoreDifferences } from './diff-normalize.ts';
import { respectIgnoreDifferences, withLiveIgnoredFields } from './respect-ignore.ts';

function deployment(replicas: number, images: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', annotations: { team: 'a' } },
    spec: {
      replicas,
      template: {
        spec: { containers: Object.entries(images).map(([name, image]) => ({ name, image })) },
      },
    },
    ...extra,
  } as unknown as KubeObject;
}
const spec = (obj: KubeObject) =>
  obj['spec'] as {
    replicas?: number;
    template: { spec: { containers: Array<{ name: string; image: string }> } };
  };

describe('withLiveIgnoredFields (RespectIgnoreDifferences=true)', () => {
  it('keeps the live value of a JSON-pointer field and applies every other field from git', () => {
    const ignore = compileIgnoreDifferences([
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
    ]);
    const target = deployment(1, { web: 'web:2' });
    const live = deployment(5, { web: 'web:1' });
    const out = withLiveIgnoredFields(target, live, ignore);
    expect(spec(out).replicas).toBe(5);
    expect(spec(out).template.spec.containers).toEqual([{ name: 'web', image: 'web:2' }]);
    expect(spec(target).replicas).toBe(1); // inputs are not modified
  });

  it('keeps a list item’s ignored field by name (jq path expression), whatever the order', () => {
    const ignore = compileIgnoreDifferences([
      {
        group: 'apps',
        kind: 'Deployment',
        jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "sidecar") | .image'],
      },
    ]);
    const target = deployment(1, { web: 'web:2', sidecar: 'proxy:1' });
    const live = deployment(1, { sidecar: 'proxy:9', web: 'web:1' });
    expect(spec(withLiveIgnoredFields(target, live, ignore)).template.spec.containers).toEqual([
      { name: 'web', image: 'web:2' },
      { name: 'sidecar', image: 'proxy:9' },
    ]);
  });

  it('keeps a whole list item the rules remove, and leaves out an ignored field live does not have', () => {
    const ignore = compileIgnoreDifferences([
      {
        group: 'apps',
        kind: 'Deployment',
        jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "injected")'],
        jsonPointers: ['/metadata/annotations/team'],
      },
    ]);
    const target = deployment(1, { web: 'web:2' });
    const live = deployment(1, { web: 'web:1', injected: 'mesh:1' });
    delete (live.metadata.annotations as Record<string, string>)['team'];
    const out = withLiveIgnoredFields(target, live, ignore);
    expect(spec(out).template.spec.containers).toEqual([
      { name: 'web', image: 'web:2' },
      { name: 'injected', image: 'mesh:1' },
    ]);
    expect(out.metadata.annotations?.['team']).toBeUndefined();
  });

  it('keeps fields owned by managedFieldsManagers, and never copies status', () => {
    const ignore = compileIgnoreDifferences([
      { group: 'apps', kind: 'Deployment', managedFieldsManagers: ['hpa'] },
    ]);
    const live = deployment(7, { web: 'web:1' }, { status: { replicas: 7 } });
    live.metadata.managedFields = [
      { manager: 'hpa', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ];
    const out = withLiveIgnoredFields(deployment(2, { web: 'web:2' }), live, ignore);
    expect(spec(out).replicas).toBe(7);
    expect(spec(out).template.spec.containers[0]?.image).toBe('web:2');
    expect(out['status']).toBeUndefined();
    expect(out.metadata.managedFields).toBeUndefined();
  });

  it('returns the target unchanged without rules for it or without a live object', () => {
    const ignore = compileIgnoreDifferences([{ kind: 'ConfigMap', jsonPointers: ['/data'] }]);
    const target = deployment(1, { web: 'web:2' });
    expect(withLiveIgnoredFields(target, deployment(3, { web: 'x' }), ignore)).toBe(target);
    const other = compileIgnoreDifferences([
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(withLiveIgnoredFields(target, undefined, other)).toBe(target);
  });

  it('maps over a reconciliation, leaving prune pairs alone', () => {
    const ignore = compileIgnoreDifferences([
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
    ]);
    const prune = { live: deployment(2, {}) };
    const pairs = respectIgnoreDifferences(
      [{ target: deployment(1, { web: 'a' }), live: deployment(4, { web: 'a' }) }, prune],
      ignore,
    );
    expect(spec(pairs[0]?.target as KubeObject).replicas).toBe(4);
    expect(pairs[1]).toBe(prune);
  });
});
