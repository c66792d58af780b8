import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { buildObservation } from './observe.ts';
import { analysisTemplateIssues, serviceIssues } from './references.ts';

const rollout = (strategy: object): KubeObject =>
  ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'ns', uid: 'u' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [] } },
      strategy,
    },
  }) as KubeObject;
const template = (name: string, metrics: object[]): KubeObject =>
  ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: { metrics },
  }) as KubeObject;
const service = (name: string, selector: Record<string, string>, manager?: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'ns',
      ...(manager ? { annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': manager } } : {}),
    },
    spec: { selector },
  }) as KubeObject;
const observe = (ro: KubeObject, templates: KubeObject[] = [], services: KubeObject[] = []) =>
  buildObservation({
    rollout: ro,
    replicaSets: [],
    services,
    analysisRuns: [],
    analysisTemplates: templates,
  });

describe('analysisTemplateIssues (getReferencedRolloutAnalyses + ValidateAnalysisTemplateWithType)', () => {
  const once = template('once', [{ name: 'm', provider: { web: { url: 'http://x' } } }]);
  const forever = template('forever', [
    { name: 'm', interval: '5s', provider: { web: { url: 'http://x' } } },
  ]);
  it.each([
    [
      'pre-promotion',
      { blueGreen: { activeService: 'a', prePromotionAnalysis: { templates: [{ templateName: 'gone' }] } } },
      'spec.strategy.blueGreen.prePromotionAnalysis.templates',
    ],
    [
      'post-promotion',
      { blueGreen: { activeService: 'a', postPromotionAnalysis: { templates: [{ templateName: 'gone' }] } } },
      'spec.strategy.blueGreen.postPromotionAnalysis.templates',
    ],
    [
      'a step',
      { canary: { steps: [{ pause: {} }, { analysis: { templates: [{ templateName: 'gone' }] } }] } },
      'spec.strategy.canary.steps[1].analysis.templates',
    ],
    [
      'background',
      { canary: { analysis: { templates: [{ templateName: 'gone' }] } } },
      'spec.strategy.canary.analysis.templates',
    ],
  ])('a missing template in %s analysis', (_name, strategy, path) => {
    expect(analysisTemplateIssues(observe(rollout(strategy), [once]))).toEqual([
      { path, type: 'Invalid value', value: '"gone"', detail: "AnalysisTemplate 'gone' not found" },
    ]);
  });
  it('a metric without count but with an interval may only run in the background', () => {
    const bgUse = { canary: { analysis: { templates: [{ templateName: 'forever' }] } } };
    expect(analysisTemplateIssues(observe(rollout(bgUse), [forever]))).toEqual([]);
    const pre = {
      blueGreen: { activeService: 'a', prePromotionAnalysis: { templates: [{ templateName: 'forever' }] } },
    };
    expect(analysisTemplateIssues(observe(rollout(pre), [forever]))[0]?.detail).toBe(
      'AnalysisTemplate forever has metric m which runs indefinitely. Invalid value for count: ',
    );
  });
  it('existing templates and cluster-scoped references give no issue here', () => {
    const pre = {
      blueGreen: {
        activeService: 'a',
        prePromotionAnalysis: {
          templates: [{ templateName: 'once' }, { templateName: 'c', clusterScope: true }],
        },
      },
    };
    expect(analysisTemplateIssues(observe(rollout(pre), [once]))).toEqual([]);
  });
});

describe('serviceIssues (ValidateService)', () => {
  const bg = { blueGreen: { activeService: 'active', previewService: 'preview' } };
  it('selectors that only ask for template labels (and the hash) are fine', () => {
    const services = [
      service('active', { app: 'web', 'rollouts-pod-template-hash': 'abc' }),
      service('preview', { app: 'web', tier: 'front' }),
    ];
    expect(serviceIssues(observe(rollout(bg), [], services))).toEqual([]);
  });
  it('a label the template lacks or has with another value', () => {
    const services = [service('active', { app: 'other', zone: 'a' }), service('preview', { app: 'web' })];
    expect(serviceIssues(observe(rollout(bg), [], services)).map((i) => i.detail)).toEqual([
      'Service "active" has unmatch label "app" in rollout',
      'Service "active" has unmatch label "zone" in rollout',
    ]);
  });
  it('a Service another Rollout manages', () => {
    const services = [
      service('active', { app: 'web' }, 'someone'),
      service('preview', { app: 'web' }, 'web'),
    ];
    expect(serviceIssues(observe(rollout(bg), [], services))).toEqual([
      {
        path: 'spec.strategy.blueGreen.activeService',
        type: 'Invalid value',
        value: '"active"',
        detail: 'Service "active" is managed by another Rollout',
      },
    ]);
  });
});
