import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../util/errors.ts';
import { parseManifests } from './render.ts';

describe('parseManifests', () => {
  it('reads YAML 1.1 as the cluster does, skips empty documents and expands Lists', () => {
    const text = [
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: a}',
      'data: {enabled: on, mode: 0755, date: 2001-12-14, quoted: "on"}',
      '---',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- {apiVersion: v1, kind: Service, metadata: {name: b}}',
      '- {apiVersion: v1, kind: Service, metadata: {name: c}}',
      '',
    ].join('\n');
    const objects = parseManifests(text, 'out.yaml');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/a',
      'Service/b',
      'Service/c',
    ]);
    expect(objects[0]?.['data']).toEqual({ enabled: true, mode: 493, date: '2001-12-14', quoted: 'on' });
  });

  it('a syntax error names source:line:col', () => {
    try {
      parseManifests('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a\n', 'pod.yaml');
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(SlipwayError);
      expect((err as SlipwayError).subject).toMatch(/^pod\.yaml:\d+:\d+$/);
    }
  });

  it('a document without apiVersion and kind is refused at its line', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: Pod\n---\nfoo: bar\n', 'x.yaml')).toThrow(
      /x\.yaml:3: is not a Kubernetes object/,
    );
  });

  it('refuses alias bombs', () => {
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    expect(() => parseManifests(bomb, 'bomb.yaml')).toThrow(/alias/i);
  });
});
