import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveArgs, resolveMetricArgs, resolveQuotedArgs } from './args.ts';
import { extractFieldPath } from './field-path.ts';
import { flattenArgs, mergeArgs, newAnalysisRunSpec } from './templates.ts';
import { AnalysisTemplateSpecSchema, type Metric } from './types.ts';

const seedTemplate = () =>
  AnalysisTemplateSpecSchema.parse(
    (
      parse(
        readFileSync(new URL('../../test/fixtures/seed/analysis-template.yaml', import.meta.url), 'utf8'),
      ) as { spec: unknown }
    ).spec,
  );

describe('resolveArgs (utils/template vectors)', () => {
  it.each([
    ['{{args.foo}}', 'bar'],
    ['{{ args.foo }}', 'bar'],
    ['x-{{args.foo}}-{{args.foo}}', 'x-bar-bar'],
    ['no tags', 'no tags'],
  ])('%s → %s', (template, out) => {
    expect(resolveArgs(template, [{ name: 'foo', value: 'bar' }])).toBe(out);
  });
  it('an unresolved tag is an error naming it', () => {
    expect(() => resolveArgs('{{args.missing}}', [{ name: 'foo', value: 'bar' }])).toThrow(
      'failed to resolve {{args.missing}}',
    );
  });
  it('an arg without a value does not resolve', () => {
    expect(() => resolveArgs('{{args.foo}}', [{ name: 'foo' }])).toThrow('failed to resolve {{args.foo}}');
  });
  it('quoted resolution escapes quotes and newlines for JSON', () => {
    expect(resolveQuotedArgs('{"q":"{{args.x}}"}', [{ name: 'x', value: 'a"b\nc' }])).toBe(
      '{"q":"a\\"b\\nc"}',
    );
  });
  it('templates every provider field of a metric (query, headers, job spec, count)', () => {
    const metric = {
      name: 'm',
      count: '{{args.count}}',
      provider: {
        web: {
          url: 'http://{{args.host}}/x',
          headers: [{ key: 'X', value: '{{ args.token }}' }],
          body: '{"a":"{{args.host}}"}',
        },
      },
    } as unknown as Metric;
    const out = resolveMetricArgs(metric, [
      { name: 'host', value: 'svc"1' },
      { name: 'count', value: '3' },
      { name: 'token', value: 't' },
    ]);
    expect(out).toEqual({
      name: 'm',
      count: '3',
      provider: {
        web: { url: 'http://svc"1/x', headers: [{ key: 'X', value: 't' }], body: '{"a":"svc"1"}' },
      },
    });
  });
});

describe('newAnalysisRunSpec (utils/analysis/helpers.go)', () => {
  it('the seed template with the service-name arg resolves its query', () => {
    const spec = newAnalysisRunSpec({
      templates: [seedTemplate()],
      args: [{ name: 'service-name', value: 'my-service' }],
    });
    expect(spec.args).toEqual([{ name: 'service-name', value: 'my-service' }]);
    const metric = resolveMetricArgs(spec.metrics[0]!, spec.args ?? []);
    expect((metric.provider['prometheus'] as { query: string }).query).toContain(
      'service="my-service",status=~"2.."',
    );
  });
  it('a template arg without a value and no incoming value is an error (MergeArgs)', () => {
    expect(() => newAnalysisRunSpec({ templates: [seedTemplate()] })).toThrow(
      'args.service-name was not resolved',
    );
  });
  it('unknown incoming args are ignored; valueFrom overrides a value', () => {
    expect(
      mergeArgs(
        [
          { name: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          { name: 'zzz', value: '1' },
        ],
        [{ name: 'a', value: 'default' }],
      ),
    ).toEqual([{ name: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]);
  });
  it('args across templates: equal values merge, a value fills an open arg, different values conflict', () => {
    expect(flattenArgs([{ args: [{ name: 'a' }] }, { args: [{ name: 'a', value: '1' }] }])).toEqual([
      { name: 'a', value: '1' },
    ]);
    expect(flattenArgs([{ args: [{ name: 'a', value: '1' }] }, { args: [{ name: 'a' }] }])).toEqual([
      { name: 'a', value: '1' },
    ]);
    expect(() =>
      flattenArgs([{ args: [{ name: 'a', value: '1' }] }, { args: [{ name: 'a', value: '2' }] }]),
    ).toThrow("Argument `a` specified multiple times with different values: '1', '2'");
  });
  it('duplicate metric names across templates are an error', () => {
    const m = { name: 'dup', provider: { web: { url: 'x' } } };
    expect(() => newAnalysisRunSpec({ templates: [{ metrics: [m] }, { metrics: [m] }] })).toThrow(
      "two metrics have the same name 'dup'",
    );
  });
  it('dryRun and measurementRetention rules are combined; duplicates rejected', () => {
    const m = (name: string) => ({ name, provider: { web: { url: 'x' } } });
    const spec = newAnalysisRunSpec({
      templates: [
        { metrics: [m('a')], dryRun: [{ metricName: 'a' }] },
        { metrics: [m('b')], measurementRetention: [{ metricName: 'b', limit: 2 }] },
      ],
    });
    expect(spec.dryRun).toEqual([{ metricName: 'a' }]);
    expect(spec.measurementRetention).toEqual([{ metricName: 'b', limit: 2 }]);
    expect(() =>
      newAnalysisRunSpec({
        templates: [
          { metrics: [m('a')], dryRun: [{ metricName: 'a' }] },
          { metrics: [m('b')], dryRun: [{ metricName: 'a' }] },
        ],
      }),
    ).toThrow("two Dry-Run metric rules have the same name 'a'");
  });
  it('fieldRef args read the Rollout: labels, spec paths', () => {
    const rollout = {
      metadata: { name: 'web', labels: { rev: '7' } },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'web:1.2' }] } } },
    };
    const spec = newAnalysisRunSpec({
      templates: [{ args: [{ name: 'rev' }, { name: 'image' }], metrics: [] }],
      args: [
        { name: 'rev', valueFrom: { fieldRef: { fieldPath: "metadata.labels['rev']" } } },
        { name: 'image', valueFrom: { fieldRef: { fieldPath: 'spec.template.spec.containers[0].image' } } },
      ],
      fieldRefObject: rollout,
    });
    expect(spec.args).toEqual([
      { name: 'rev', value: '7' },
      { name: 'image', value: 'web:1.2' },
    ]);
  });
});

describe('extractFieldPath', () => {
  const obj = { metadata: { name: 'n', namespace: 'ns', labels: { b: '2', a: '1' } }, spec: { replicas: 3 } };
  it.each([
    ['metadata.name', 'n'],
    ['metadata.namespace', 'ns'],
    ["metadata.labels['a']", '1'],
    ["metadata.labels['nope']", ''],
    ['metadata.labels', 'a="1"\nb="2"'],
    ['spec.replicas', '3'],
  ])('%s → %s', (path, value) => {
    expect(extractFieldPath(obj, path)).toBe(value);
  });
  it('rejects unsupported metadata paths and missing fields', () => {
    expect(() => extractFieldPath(obj, 'metadata.generation')).toThrow(
      'unsupported fieldPath: metadata.generation',
    );
    expect(() => extractFieldPath(obj, 'spec.nope')).toThrow('field "nope" not found in fieldPath spec.nope');
  });
});
