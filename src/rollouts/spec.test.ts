/**
 * Rollout spec parsing, defaults and validation. Validation cases are upstream's
 * `pkg/apis/rollouts/validation/validation_test.go` (argoproj/argo-rollouts at 9f8d111d), asserting the
 * first issue's message as upstream does; paths name the field itself (see spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  abortScaleDownDelay,
  canaryIngressAnnotationPrefixOrDefault,
  formatLabelSelector,
  formatSpecIssue,
  gatewayApiConfig,
  hasExplicitAbortScaleDownDelay,
  invalidSpecMessage,
  isDNS1123Label,
  isQualifiedName,
  isSupportedMetadataFieldPath,
  isValidLabelValue,
  maxTrafficWeight,
  parseGoDuration,
  parseRollout,
  parseRolloutSpec,
  parseRolloutStatus,
  progressDeadlineSecondsOrDefault,
  revisionHistoryLimitOrDefault,
  scaleDownDelaySecondsOrDefault,
  selectorMatches,
  unsupportedFeatures,
  upstreamFieldPath,
  ValidationMessage,
  validateRollout,
  validateRolloutStrategy,
  validateRolloutStrategyBlueGreen,
  validateRolloutStrategyCanary,
} from './spec.ts';
import type { CanaryStrategy, RolloutSpec } from './types.ts';

const M = ValidationMessage;

/** Parses a spec given as wire JSON (as the tests in upstream build typed objects). */
function spec(value: unknown): RolloutSpec {
  const result = parseRolloutSpec(value);
  if (!result.ok) throw new Error(result.issues.map((i) => formatSpecIssue(i)).join('\n'));
  return result.value;
}

const canarySpec = (canary: unknown, rest: Record<string, unknown> = {}) =>
  spec({ strategy: { canary }, ...rest });
const firstDetail = (issues: ReturnType<typeof validateRollout>) => issues[0]?.detail;

/** upstream TestValidateRollout's base Rollout */
const baseRollout = () => ({
  selector: { matchLabels: { key: 'value' } },
  strategy: { canary: {} as Record<string, unknown> },
  template: {
    metadata: { labels: { key: 'value' } },
    spec: { containers: [{ resources: {}, image: 'foo', name: 'image-name' }] },
  },
});

// name, spec (wire JSON), the errors upstream's ValidateRollout returns (Go field.Error strings)
const VALIDATION_VECTORS: Array<[string, string, string[]]> = [
  [
    'valid basic canary',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [],
  ],
  [
    'missing selector',
    '{"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      "spec.selector: Required value: Rollout has missing field '.spec.selector'",
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ],
  ],
  [
    'empty selector',
    '{"selector": {}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
  ],
  [
    'selector does not match template',
    '{"selector": {"matchLabels": {"app": "other"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ],
  ],
  [
    'selector In without values',
    '{"selector": {"matchExpressions": [{"key": "app", "operator": "In"}]}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"In"}]}: invalid label selector',
    ],
  ],
  [
    'selector with an invalid operator',
    '{"selector": {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["web"]}]}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Equals","values":["web"]}]}: invalid label selector',
    ],
  ],
  [
    'selector with an invalid label key',
    '{"selector": {"matchLabels": {"bad key!": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      "spec.selector.matchLabels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'spec.selector: Invalid value: {"matchLabels":{"bad key!":"web"}}: invalid label selector',
    ],
  ],
  [
    'selector with a bad prefix',
    '{"selector": {"matchLabels": {"Bad_Prefix/app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      "spec.selector.matchLabels: Invalid value: \"Bad_Prefix/app\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'spec.selector: Invalid value: {"matchLabels":{"Bad_Prefix/app":"web"}}: invalid label selector',
    ],
  ],
  [
    'template label value invalid',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web", "tier": "-front-"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      "spec.template.labels: Invalid value: \"-front-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  ],
  [
    'no containers',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    ['spec.template.spec.containers: Required value'],
  ],
  [
    'container name, image and duplicates',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "Bad_Name", "image": ""}, {"name": "Bad_Name", "image": "x"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      "spec.template.spec.containers[0].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.template.spec.containers[0].image: Required value',
      "spec.template.spec.containers[1].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.template.spec.containers[1].name: Duplicate value: "Bad_Name"',
    ],
  ],
  [
    'container name with dots',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a.b", "image": "x"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    ['spec.template.spec.containers[0].name: Invalid value: "a.b": must not contain dots'],
  ],
  [
    'missing container name',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"image": "x"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    ['spec.template.spec.containers[0].name: Required value'],
  ],
  [
    'restartPolicy Never',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}], "restartPolicy": "Never"}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  ],
  [
    'activeDeadlineSeconds',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}], "activeDeadlineSeconds": 30}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}}',
    [
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ],
  ],
  [
    'negative replicas',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}, "replicas": -1}',
    ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'minReadySeconds above the deadline',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}, "minReadySeconds": 700}',
    ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds'],
  ],
  [
    'negative progress deadline',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}, "progressDeadlineSeconds": -5}',
    [
      'spec.progressDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0',
      'spec.progressDeadlineSeconds: Invalid value: -5: must be greater than minReadySeconds',
    ],
  ],
  [
    'negative revisionHistoryLimit',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "10s"}}]}}, "revisionHistoryLimit": -1}',
    ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'both strategies',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {}, "blueGreen": {"activeService": "a", "previewService": "b"}}}',
    [
      'spec.strategy.strategy: Invalid value: "blueGreen: true canary: true": Multiple Strategies can not be listed',
    ],
  ],
  [
    'no strategy',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {}}',
    [
      "spec.strategy.strategy: Required value: Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
    ],
  ],
  [
    'blue-green same services',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"blueGreen": {"activeService": "web", "previewService": "web"}}}',
    [
      'spec.strategy.activeService: Invalid value: "web": This rollout uses the same service for the active and preview services, but two different services are required.',
    ],
  ],
  [
    'blue-green without preview',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"blueGreen": {"activeService": "web"}}}',
    [],
  ],
  [
    'blue-green scale-down limit above history',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"blueGreen": {"activeService": "a", "previewService": "b", "scaleDownDelayRevisionLimit": 20}}}',
    [
      "spec.strategy.scaleDownDelayRevisionLimit: Invalid value: 20: This rollout's revision history limit can not be smaller than the rollout's scale down limit",
    ],
  ],
  [
    'valid blue-green',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"blueGreen": {"activeService": "a", "previewService": "b", "autoPromotionEnabled": false, "prePromotionAnalysis": {"templates": [{"templateName": "smoke"}]}}}}',
    [],
  ],
  [
    'maxSurge and maxUnavailable zero',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"maxSurge": 0, "maxUnavailable": "0%"}}}',
    ['spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero'],
  ],
  [
    'maxSurge string zero',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"maxSurge": "0", "maxUnavailable": 0}}}',
    ['spec.strategy.maxSurge: Invalid value: "0": MaxSurge and MaxUnavailable both can not be zero'],
  ],
  [
    'duplicate canary services',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web", "stableService": "web"}}}',
    [
      'spec.strategy.stableService: Invalid value: "web": This rollout uses the same service for the stable and canary services, but two different services are required.',
    ],
  ],
  [
    'setWeight above 100',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 101}]}}}',
    ['spec.strategy.steps[0].setWeight: Invalid value: 101: SetWeight needs to be between 0 and 100'],
  ],
  [
    'negative setWeight',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": -1}]}}}',
    ['spec.strategy.steps[0].setWeight: Invalid value: -1: SetWeight needs to be between 0 and 100'],
  ],
  [
    'empty step',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{}]}}}',
    [
      'spec.strategy.steps[0]: Invalid value: "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoute: true step.Plugin: true": Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause',
    ],
  ],
  [
    'two kinds in one step',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setWeight": 10, "pause": {}}]}}}',
    [
      'spec.strategy.steps[0]: Invalid value: "step.Experiment: false step.Pause: true step.SetWeight: true step.Analysis: false": Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause',
    ],
  ],
  [
    'pause duration 1z',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"pause": {"duration": "1z"}}]}}}',
    ['spec.strategy.steps[0].pause.duration: Invalid value: -1: Duration needs to be greater than 0'],
  ],
  [
    'pause duration -1',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"pause": {"duration": -1}}]}}}',
    ['spec.strategy.steps[0].pause.duration: Invalid value: -1: Duration needs to be greater than 0'],
  ],
  [
    'pause duration huge',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"pause": {"duration": "20000000000"}}]}}}',
    ['spec.strategy.steps[0].pause.duration: Invalid value: -1: Duration needs to be greater than 0'],
  ],
  [
    'setCanaryScale without traffic routing',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"setCanaryScale": {"replicas": 1}}]}}}',
    ['spec.strategy.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set'],
  ],
  [
    'nginx without services',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"trafficRouting": {"nginx": {"stableIngress": "web"}}, "steps": [{"setWeight": 10}]}}}',
    [
      'spec.strategy.stableService: Invalid value: "": Canary service and Stable service must to be set to use Traffic Routing',
      'spec.strategy.canaryService: Invalid value: "": Canary service and Stable service must to be set to use Traffic Routing',
    ],
  ],
  [
    'scaleDownDelaySeconds without traffic routing',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"scaleDownDelaySeconds": 30}}}',
    [
      'spec.strategy.scaleDownDelaySeconds: Invalid value: 30: Canary scaleDownDelaySeconds can only be used with traffic routing',
    ],
  ],
  [
    'dynamicStableScale without traffic routing',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"dynamicStableScale": true}}}',
    [
      'spec.strategy.dynamicStableScale: Invalid value: true: Canary dynamicStableScale can only be used with traffic routing',
    ],
  ],
  [
    'dynamicStableScale with scaleDownDelaySeconds',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"nginx": {"stableIngress": "web"}}, "dynamicStableScale": true, "scaleDownDelaySeconds": 30}}}',
    [
      'spec.strategy.dynamicStableScale: Invalid value: true: Canary dynamicStableScale cannot be used with scaleDownDelaySeconds',
    ],
  ],
  [
    'maxTrafficWeight with ALB',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"alb": {"ingress": "web", "servicePort": 80}, "maxTrafficWeight": 1000}, "steps": [{"setWeight": 500}]}}}',
    [
      'spec.strategy.trafficRouting.maxTrafficWeight: Invalid value: 1000: Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins',
    ],
  ],
  [
    'valid nginx with maxTrafficWeight',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"nginx": {"stableIngress": "web"}, "maxTrafficWeight": 1000}, "steps": [{"setWeight": 500}, {"pause": {}}]}}}',
    [],
  ],
  [
    'setHeaderRoute without traffic routing',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "steps": [{"setHeaderRoute": {"name": "h", "match": [{"headerName": "agent", "headerValue": {"exact": "chrome"}}]}}]}}}',
    [
      'spec.strategy.steps[0].setHeaderRoute: Invalid value: {"name":"h","match":[{"headerName":"agent","headerValue":{"exact":"chrome"}}]}: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix',
    ],
  ],
  [
    'setHeaderRoute istio with two values',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"istio": {"virtualService": {"name": "vs"}}, "managedRoutes": [{"name": "h"}]}, "steps": [{"setHeaderRoute": {"name": "h", "match": [{"headerName": "agent", "headerValue": {"exact": "chrome", "regex": "chrome(.*)"}}]}}]}}}',
    [
      'spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: {"exact":"chrome","regex":"chrome(.*)"}: StringMatch match value must have exactly one of the following: exact, regex, prefix',
    ],
  ],
  [
    'setHeaderRoute ALB prefix',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"alb": {"ingress": "i", "servicePort": 80}, "managedRoutes": [{"name": "h"}]}, "steps": [{"setHeaderRoute": {"name": "h", "match": [{"headerName": "agent", "headerValue": {"prefix": "chrome"}}]}}]}}}',
    [
      'spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: {"prefix":"chrome"}: SetHeaderRoute match value invalid. ALB supports \'exact\' value only',
    ],
  ],
  [
    'setHeaderRoute missing header value',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"istio": {"virtualService": {"name": "vs"}}, "managedRoutes": [{"name": "h"}]}, "steps": [{"setHeaderRoute": {"name": "h", "match": [{"headerName": "agent"}]}}]}}}',
    [
      'spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: null: StringMatch value missed, match value must have one of the following: exact, regex, prefix',
    ],
  ],
  [
    'setMirrorRoute without managedRoutes',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"istio": {"virtualService": {"name": "vs"}}}, "steps": [{"setMirrorRoute": {"name": "m", "match": [{"method": {"exact": "GET"}}]}}]}}}',
    [
      "spec.strategy.trafficRouting.managedRoutes: Required value: Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
    ],
  ],
  [
    'setMirrorRoute with an empty method and a route not managed',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"istio": {"virtualService": {"name": "vs"}}, "managedRoutes": [{"name": "other"}]}, "steps": [{"setMirrorRoute": {"name": "m", "match": [{"method": {}, "path": {"exact": "/a", "prefix": "/"}}], "percentage": 10}}]}}}',
    [
      'spec.strategy.steps[0].setMirrorRoute.match[0]: Invalid value: {}: StringMatch value missed, match value must have one of the following: exact, regex, prefix',
      'spec.strategy.steps[0].setMirrorRoute.match[0]: Invalid value: {"exact":"/a","prefix":"/"}: StringMatch match value must have exactly one of the following: exact, regex, prefix',
      'spec.strategy.steps[0].setMirrorRoute.match[0]: Invalid value: {}: StringMatch value missed, match value must have one of the following: exact, regex, prefix',
      'spec.strategy.steps[0].setMirrorRoute: Invalid value: "m": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes',
    ],
  ],
  [
    'setMirrorRoute without traffic routing',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "steps": [{"setMirrorRoute": {"name": "m", "percentage": 50}}]}}}',
    [
      'spec.strategy.steps[0].setMirrorRoute: Invalid value: {"name":"m","percentage":50}: SetMirrorRoute requires TrafficRouting, supports Istio and Plugins',
    ],
  ],
  [
    'valid gateway API plugin with header route',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "web", "namespace": "prod"}}, "managedRoutes": [{"name": "h"}]}, "steps": [{"setWeight": 10}, {"setHeaderRoute": {"name": "h", "match": [{"headerName": "X-Canary", "headerValue": {"exact": "yes"}}]}}, {"pause": {}}]}}}',
    [],
  ],
  [
    'analysis args with a bad fieldRef',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"analysis": {"templates": [{"templateName": "t"}], "args": [{"name": "a", "valueFrom": {"fieldRef": {"fieldPath": "metadata.label[\'app\']"}}}, {"name": "b", "value": "v"}]}}]}}}',
    [
      'spec.strategy.steps[0].analyses: Invalid value: [{"name":"a","valueFrom":{"fieldRef":{"fieldPath":"metadata.label[\'app\']"}}},{"name":"b","value":"v"}]: Analyses arguments must refer to valid object metadata supported by downwardAPI',
    ],
  ],
  [
    'analysis args with good fieldRefs',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"analysis": {"templates": [{"templateName": "t"}], "args": [{"name": "a", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels[\'app\']"}}}, {"name": "n", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}, {"name": "h", "valueFrom": {"podTemplateHashValue": "Stable"}}]}}]}}}',
    [],
  ],
  [
    'analysis args with a bad annotation key',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"analysis": {"args": [{"name": "a", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations[\'bad key\']"}}}]}}]}}}',
    [
      'spec.strategy.steps[0].analyses: Invalid value: [{"name":"a","valueFrom":{"fieldRef":{"fieldPath":"metadata.annotations[\'bad key\']"}}}]: Analyses arguments must refer to valid object metadata supported by downwardAPI',
    ],
  ],
  [
    'experiment template weight without traffic routing',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"steps": [{"experiment": {"templates": [{"name": "t", "specRef": "canary", "weight": 20}]}}]}}}',
    [
      'spec.strategy.steps[0].experiment.templates[0].weight: Invalid value: 20: Experiment template weight cannot be set unless TrafficRouting is enabled',
    ],
  ],
  [
    'experiment template weight with nginx',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable", "trafficRouting": {"nginx": {"stableIngress": "web"}}, "steps": [{"experiment": {"templates": [{"name": "t", "specRef": "canary", "weight": 20}]}}]}}}',
    [
      'spec.strategy.steps[0].experiment.templates[0].weight: Invalid value: 20: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time',
    ],
  ],
  [
    'ping pong duplicate',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"pingPong": {"pingService": "p", "pongService": "p"}, "trafficRouting": {"alb": {"ingress": "i", "servicePort": 80, "rootService": "root"}}}}}',
    [
      'spec.strategy.pingPong.pingService: Invalid value: "p": This rollout uses the same service for the ping and pong services, but two different services are required.',
    ],
  ],
  [
    'ping pong with nginx',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"pingPong": {"pingService": "ping", "pongService": "pong"}, "trafficRouting": {"nginx": {"stableIngress": "web"}}}}}',
    [
      'spec.strategy.trafficRouting.alb: Invalid value: null: Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only',
      'spec.strategy.stableService: Invalid value: "": Canary service and Stable service must to be set to use Traffic Routing',
      'spec.strategy.canaryService: Invalid value: "": Canary service and Stable service must to be set to use Traffic Routing',
    ],
  ],
  [
    'ping pong ALB without root service',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"pingPong": {"pingService": "ping", "pongService": ""}, "trafficRouting": {"alb": {"ingress": "i", "servicePort": 80}}}}}',
    [
      'spec.strategy.pingPong.pongService: Invalid value: "": Ping service and Pong service must to be set to use Ping-Pong feature',
      'spec.strategy.trafficRouting.alb.rootService: Invalid value: "": Root service field is required for the configuration with ALB and ping-pong feature enabled',
    ],
  ],
  [
    'anti-affinity both unset',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"antiAffinity": {}}}}',
    [
      'spec.strategy.antiAffinity: Invalid value: "antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: false antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: false": AntiAffinity must have exactly one strategy listed',
    ],
  ],
  [
    'anti-affinity heavy',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"canary": {"antiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 0}}}}}',
    ['spec.strategy.antiAffinity.weight: Invalid value: 0: AntiAffinity weight must be between 1-100'],
  ],
  [
    'blue-green anti-affinity both set',
    '{"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, "strategy": {"blueGreen": {"activeService": "a", "previewService": "b", "antiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 50}, "requiredDuringSchedulingIgnoredDuringExecution": {}}}}}',
    [
      'spec.strategy.antiAffinity: Invalid value: "antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: true antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: true": AntiAffinity must have exactly one strategy listed',
    ],
  ],
  [
    'workloadRef with template',
    '{"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}}, "strategy": {"canary": {}}}',
    ['spec.template: Internal error: template must be empty for workload reference rollout'],
  ],
  [
    'workloadRef without template',
    '{"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "strategy": {"canary": {"steps": [{"setWeight": 50}]}}}',
    [],
  ],
  [
    'many problems at once',
    '{"replicas": -2, "selector": {"matchLabels": {"app": "x"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}], "restartPolicy": "OnFailure"}}, "minReadySeconds": 900, "strategy": {"canary": {"canaryService": "s", "stableService": "s", "maxSurge": "0%", "maxUnavailable": 0, "steps": [{"setWeight": 200}, {"pause": {"duration": "forever"}}, {"setCanaryScale": {"weight": 5}}]}}}',
    [
      'spec.replicas: Invalid value: -2: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
      'spec.strategy.maxSurge: Invalid value: "0%": MaxSurge and MaxUnavailable both can not be zero',
      'spec.strategy.stableService: Invalid value: "s": This rollout uses the same service for the stable and canary services, but two different services are required.',
      'spec.strategy.steps[0].setWeight: Invalid value: 200: SetWeight needs to be between 0 and 100',
      'spec.strategy.steps[1].pause.duration: Invalid value: -1: Duration needs to be greater than 0',
      'spec.strategy.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set',
    ],
  ],
];

describe('validateRollout against upstream (vectors from argo-rollouts ValidateRollout, k8s 1.34.5)', () => {
  it.each(VALIDATION_VECTORS)('%s', (_name, wire, expected) => {
    const parsed = parseRolloutSpec(JSON.parse(wire));
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => formatSpecIssue(i)).join('\n'));
    expect(validateRollout(parsed.value).map((i) => formatSpecIssue(i, { upstreamPaths: true }))).toEqual(
      expected,
    );
  });

  it('without upstreamPaths the path names the field itself', () => {
    const parsed = parseRolloutSpec({ strategy: { canary: { steps: [{ setWeight: 101 }] } } });
    if (!parsed.ok) throw new Error('parse failed');
    const issue = validateRolloutStrategy(parsed.value)[0];
    expect(issue && formatSpecIssue(issue)).toBe(
      'spec.strategy.canary.steps[0].setWeight: Invalid value: 101: SetWeight needs to be between 0 and 100',
    );
    expect(issue && invalidSpecMessage('web', issue, { upstreamPaths: true })).toBe(
      'The Rollout "web" is invalid: spec.strategy.steps[0].setWeight: Invalid value: 101: SetWeight needs to be between 0 and 100',
    );
    expect(upstreamFieldPath('spec.strategy')).toBe('spec.strategy.strategy');
    expect(upstreamFieldPath('spec.strategy.blueGreen.activeService')).toBe('spec.strategy.activeService');
    expect(upstreamFieldPath('spec.strategy.canaryX')).toBe('spec.strategy.canaryX');
  });
});

describe('validateRollout (upstream TestValidateRollout)', () => {
  it('missing selector', () => {
    const ro = { ...baseRollout(), selector: undefined };
    expect(firstDetail(validateRollout(spec(ro)))).toBe("Rollout has missing field '.spec.selector'");
    expect(formatSpecIssue(validateRollout(spec(ro))[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      "spec.selector: Required value: Rollout has missing field '.spec.selector'",
    );
  });

  it('empty selector', () => {
    const issues = validateRollout(spec({ ...baseRollout(), selector: {} }));
    expect(firstDetail(issues)).toBe('empty selector is invalid for deployment');
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
    );
  });

  it('invalid progressDeadlineSeconds', () => {
    const issues = validateRollout(spec({ ...baseRollout(), minReadySeconds: 601 }));
    expect(issues[0]?.path).toBe('spec.progressDeadlineSeconds');
    expect(issues[0]?.detail).toBe('must be greater than minReadySeconds');
  });

  it('successful run', () => {
    const ro = {
      ...baseRollout(),
      strategy: { blueGreen: { activeService: 'active', previewService: 'preview' } },
    };
    expect(validateRollout(spec(ro))).toEqual([]);
  });

  it('privileged container', () => {
    const ro = baseRollout();
    const container = ro.template.spec.containers[0] as Record<string, unknown>;
    container.securityContext = { privileged: true };
    expect(validateRollout(spec(ro))).toEqual([]);
  });

  it('selector not matching the template labels (ValidatePodTemplateSpecForReplicaSet)', () => {
    const ro = { ...baseRollout(), selector: { matchLabels: { key: 'other' } } };
    const issues = validateRollout(spec(ro));
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      'spec.template.metadata.labels: Invalid value: {"key":"value"}: `selector` does not match template `labels`',
    );
  });

  it('selector expressions select as Kubernetes does', () => {
    const ro = {
      ...baseRollout(),
      selector: { matchExpressions: [{ key: 'key', operator: 'In', values: ['value', 'x'] }] },
    };
    expect(validateRollout(spec(ro))).toEqual([]);
    ro.selector.matchExpressions = [{ key: 'key', operator: 'NotIn', values: ['value'] }];
    expect(firstDetail(validateRollout(spec(ro)))).toBe(M.SelectorDoesNotMatchTemplate);
  });

  it('pod template checks a ReplicaSet needs: containers, names, images, restart policy', () => {
    const noContainers = { ...baseRollout(), template: { metadata: { labels: { key: 'value' } }, spec: {} } };
    expect(
      formatSpecIssue(validateRollout(spec(noContainers))[0] ?? { path: '', type: 'Forbidden', detail: '' }),
    ).toBe('spec.template.spec.containers: Required value');
    const bad = baseRollout();
    bad.template.spec = {
      containers: [
        { resources: {}, image: '', name: 'Bad_Name' },
        { resources: {}, image: 'x', name: 'Bad_Name' },
      ],
      restartPolicy: 'Never',
    } as typeof bad.template.spec;
    expect(validateRollout(spec(bad)).map((i) => formatSpecIssue(i))).toEqual([
      "spec.template.spec.containers[0].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.template.spec.containers[0].image: Required value',
      "spec.template.spec.containers[1].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.template.spec.containers[1].name: Duplicate value: "Bad_Name"',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  it('negative counts', () => {
    const issues = validateRollout(spec({ ...baseRollout(), replicas: -1, revisionHistoryLimit: -2 }));
    expect(issues.map((i) => formatSpecIssue(i))).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0',
    ]);
  });

  it('invalid label selector expressions', () => {
    const ro = { ...baseRollout(), selector: { matchExpressions: [{ key: 'key', operator: 'In' }] } };
    expect(validateRollout(spec(ro)).map((i) => formatSpecIssue(i))).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"key","operator":"In"}]}: invalid label selector',
    ]);
  });
});

describe('validateRolloutStrategy (upstream TestValidateRolloutStrategy)', () => {
  it('neither strategy, then both', () => {
    expect(firstDetail(validateRolloutStrategy(spec({ strategy: {} })))).toBe(
      "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
    );
    const both = validateRolloutStrategy(spec({ strategy: { blueGreen: {}, canary: {} } }));
    expect(firstDetail(both)).toBe(M.InvalidStrategy);
    expect(formatSpecIssue(both[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      'spec.strategy: Invalid value: "blueGreen: true canary: true": Multiple Strategies can not be listed',
    );
  });
});

describe('validateRolloutStrategyBlueGreen (upstream TestValidateRolloutStrategyBlueGreen)', () => {
  it('same active and preview service, and a scale-down limit above the history limit', () => {
    const s = spec({
      strategy: {
        blueGreen: {
          previewService: 'service-name',
          activeService: 'service-name',
          scaleDownDelayRevisionLimit: 11,
          autoPromotionSeconds: 30,
        },
      },
    });
    const issues = validateRolloutStrategyBlueGreen(s);
    expect(issues.map((i) => i.detail)).toEqual([
      M.DuplicatedServicesBlueGreen,
      M.ScaleDownLimitLargerThanRevisionLimit,
    ]);
  });
});

describe('validateRolloutStrategyCanary: missing service names (upstream TestValidateRolloutStrategyCanaryMissingServiceNames)', () => {
  it.each([
    ['ALB', { alb: { rootService: 'root-service' } }],
    ['Istio', { istio: {} }],
    ['SMI', { smi: {} }],
    ['Apisix', { apisix: {} }],
    ['Ambassador', { ambassador: {} }],
    ['Nginx', { nginx: {} }],
    ['AppMesh', { appMesh: {} }],
    ['Traefik', { traefik: {} }],
    [
      'Traefik and Istio Subset Routing',
      { traefik: {}, istio: { destinationRule: { name: 'destination-rule' } } },
    ],
    [
      'AppMesh and external plugin(doesnt require service names)',
      { appMesh: {}, plugins: { 'some-plugin': { key: 'value' } } },
    ],
    [
      'Apisix, Istio Subset Routing and external plugin(doesnt require service names)',
      {
        apisix: {},
        istio: { destinationRule: { name: 'destination-rule' } },
        plugins: { 'some-plugin': { key: 'value' } },
      },
    ],
  ])('%s', (_name, trafficRouting) => {
    const issues = validateRolloutStrategyCanary(canarySpec({ steps: [{ setWeight: 10 }], trafficRouting }));
    expect(firstDetail(issues)).toBe(M.InvalidTrafficRouting);
  });
});

describe('validateRolloutStrategyCanary (upstream TestValidateRolloutStrategyCanary)', () => {
  const base = (): Record<string, unknown> & {
    steps: Array<Record<string, unknown>>;
    trafficRouting?: Record<string, unknown>;
  } => ({
    canaryService: 'canary',
    stableService: 'stable',
    trafficRouting: { alb: { rootService: 'root-service' } },
    steps: [{}],
  });
  const invalidArgs = [
    { name: "metadata.labels['app']", valueFrom: { fieldRef: { fieldPath: "metadata.label['app']" } } },
    { name: 'value-key', value: 'hardcoded-value' },
  ];
  const validate = (canary: Record<string, unknown>) => validateRolloutStrategyCanary(canarySpec(canary));
  const withWeight = () => {
    const c = base();
    c.steps = [{ setWeight: 10 }];
    return c;
  };

  it('valid rollout', () => expect(validate(withWeight())).toEqual([]));

  it('valid plugin missing canary and stable service', () => {
    const c = withWeight();
    c.canaryService = '';
    c.stableService = '';
    c.trafficRouting = { plugins: { 'some-plugin': { key: 'value' } } };
    expect(validate(c)).toEqual([]);
  });

  it('valid Istio missing canary and stable service', () => {
    const c = withWeight();
    c.canaryService = '';
    c.stableService = '';
    c.trafficRouting = { istio: { destinationRule: { name: 'destination-rule' } } };
    expect(validate(c)).toEqual([]);
  });

  it('valid Istio with ping pong', () => {
    const c = withWeight();
    c.canaryService = '';
    c.stableService = '';
    c.pingPong = { pingService: 'ping', pongService: 'pong' };
    c.trafficRouting = { istio: { destinationRule: { name: 'destination-rule' } } };
    expect(validate(c)).toEqual([]);
  });

  it('valid PingPong missing canary and stable service', () => {
    const c = withWeight();
    c.canaryService = '';
    c.stableService = '';
    c.pingPong = { pingService: 'ping', pongService: 'pong' };
    expect(validate(c)).toEqual([]);
  });

  it('valid two plugins missing canary and stable service', () => {
    const c = withWeight();
    c.canaryService = '';
    c.stableService = '';
    c.pingPong = { pingService: 'ping', pongService: 'pong' };
    c.trafficRouting = {
      alb: { rootService: 'root-service' },
      istio: { destinationRule: { name: 'destination-rule' } },
    };
    expect(validate(c)).toEqual([]);
  });

  it('invalid two plugins missing canary and stable service', () => {
    const c = withWeight();
    c.canaryService = '';
    c.stableService = '';
    c.trafficRouting = { istio: {}, plugins: { 'some-plugin': { key: 'value' } } };
    expect(firstDetail(validate(c))).toBe(M.InvalidTrafficRouting);
  });

  it('duplicate services', () => {
    const c = base();
    c.canaryService = 'stable';
    const issues = validate(c);
    expect(firstDetail(issues)).toBe(M.DuplicatedServicesCanary);
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      `spec.strategy.canary.stableService: Invalid value: "stable": ${M.DuplicatedServicesCanary}`,
    );
  });

  it('duplicate ping pong services', () => {
    expect(firstDetail(validate({ ...base(), pingPong: { pingService: 'ping', pongService: 'ping' } }))).toBe(
      M.DuplicatedPingPongServices,
    );
  });
  it('ping services using only', () => {
    expect(firstDetail(validate({ ...base(), pingPong: { pingService: 'ping', pongService: '' } }))).toBe(
      M.InvalidPingPongProvided,
    );
  });
  it('pong service using only', () => {
    expect(firstDetail(validate({ ...base(), pingPong: { pingService: '', pongService: 'pong' } }))).toBe(
      M.InvalidPingPongProvided,
    );
  });
  it('missed ALB root service for the ping-pong feature', () => {
    const c = {
      ...base(),
      pingPong: { pingService: 'ping', pongService: 'pong' },
      trafficRouting: { alb: { rootService: '' } },
    };
    expect(firstDetail(validate(c))).toBe(M.MissedAlbRootService);
  });
  it('ping-pong feature without the ALB traffic routing', () => {
    const c = {
      ...base(),
      pingPong: { pingService: 'ping', pongService: 'pong' },
      trafficRouting: { nginx: { stableIngress: 'stable-ingress' } },
    };
    expect(firstDetail(validate(c))).toBe(M.PingPongWithRouterOnly);
  });
  it('ping-pong feature with plugin-based traffic routing is valid', () => {
    const c = {
      ...withWeight(),
      pingPong: { pingService: 'ping', pongService: 'pong' },
      trafficRouting: { plugins: { 'my-org/my-plugin': {} } },
    };
    expect(validate(c)).toEqual([]);
  });

  it('invalid traffic routing', () => {
    expect(firstDetail(validate({ ...base(), canaryService: '' }))).toBe(M.InvalidTrafficRouting);
  });

  it('invalid setCanaryScale without trafficRouting', () => {
    const c = base();
    c.steps = [{ setCanaryScale: {} }];
    delete c.trafficRouting;
    const issues = validate(c);
    expect(firstDetail(issues)).toBe(M.InvalidSetCanaryScaleTrafficPolicy);
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      'spec.strategy.canary.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set',
    );
  });

  it('invalid canary step', () => {
    const issues = validate(base());
    expect(firstDetail(issues)).toBe(M.InvalidStep);
    expect(issues[0]?.path).toBe('spec.strategy.canary.steps[0]');
  });

  it('invalid set weight value', () => {
    const c = base();
    c.steps = [{ setWeight: 101 }];
    const issues = validate(c);
    expect(firstDetail(issues)).toBe('SetWeight needs to be between 0 and 100');
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      'spec.strategy.canary.steps[0].setWeight: Invalid value: 101: SetWeight needs to be between 0 and 100',
    );
  });

  it.each([
    [
      { alb: { rootService: 'root-service' }, maxTrafficWeight: 1 },
      M.InvalidCanaryMaxWeightOnlySupportInNginxAndPlugins,
    ],
    [{ nginx: { stableIngress: 'stable-ingress' }, maxTrafficWeight: 1 }, undefined],
    [{ plugins: { anyplugin: { key: 'value' } }, maxTrafficWeight: 1 }, undefined],
  ])('only nginx/plugins support max weight value: %j', (trafficRouting, expected) => {
    const c = { ...base(), steps: [{ setWeight: 1 }], trafficRouting };
    const issues = validate(c);
    if (expected === undefined) expect(issues).toEqual([]);
    else expect(firstDetail(issues)).toBe(expected);
  });

  it('setWeight is bounded by maxTrafficWeight', () => {
    const c = {
      ...base(),
      steps: [{ setWeight: 150 }],
      trafficRouting: { nginx: {}, maxTrafficWeight: 1000 },
    };
    expect(validate(c)).toEqual([]);
    c.steps = [{ setWeight: 1001 }];
    expect(firstDetail(validate(c))).toBe('SetWeight needs to be between 0 and 1000');
  });

  it('invalid duration set in paused step', () => {
    const c = base();
    c.steps = [{ pause: { duration: -1 } }];
    const issues = validate(c);
    expect(firstDetail(issues)).toBe(M.InvalidDuration);
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      'spec.strategy.canary.steps[0].pause.duration: Invalid value: -1: Duration needs to be greater than 0',
    );
    c.steps = [{ pause: { duration: '1z' } }];
    expect(firstDetail(validate(c))).toBe(M.InvalidDuration);
    c.steps = [{ pause: { duration: '30s' } }];
    expect(validate(c)).toEqual([]);
  });

  it('invalid metadata references in analysis step', () => {
    const c = base();
    c.steps = [{ analysis: { args: invalidArgs } }];
    const issues = validate(c);
    expect(firstDetail(issues)).toBe(M.InvalidAnalysisArgs);
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      `spec.strategy.canary.steps[0].analyses: Invalid value: [{"name":"metadata.labels['app']","valueFrom":{"fieldRef":{"fieldPath":"metadata.label['app']"}}},{"name":"value-key","value":"hardcoded-value"}]: ${M.InvalidAnalysisArgs}`,
    );
  });

  it('invalid metadata references in experiment step', () => {
    const c = base();
    c.steps = [{ experiment: { analyses: [{ args: invalidArgs }] } }];
    expect(firstDetail(validate(c))).toBe(M.InvalidAnalysisArgs);
  });

  it('valid metadata references in analysis args', () => {
    const c = base();
    c.steps = [
      {
        analysis: {
          args: [
            { name: 'rev', valueFrom: { fieldRef: { fieldPath: "metadata.labels['rev']" } } },
            { name: 'n', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
            { name: 'img', valueFrom: { fieldRef: { fieldPath: 'spec.template.spec.containers[0].image' } } },
          ],
        },
      },
    ];
    expect(validate(c)).toEqual([]);
  });
});

describe('anti-affinity (upstream TestValidateRolloutStrategyAntiAffinity)', () => {
  it('exactly one strategy, preferred weight 1-100', () => {
    const none = canarySpec({ antiAffinity: {} });
    expect(firstDetail(validateRolloutStrategyCanary(none))).toBe(M.InvalidAntiAffinityStrategy);
    const heavy = canarySpec({
      antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 101 } },
    });
    expect(firstDetail(validateRolloutStrategyCanary(heavy))).toBe(M.InvalidAntiAffinityWeight);
  });
});

describe('header and mirror routes (upstream TestValidateRolloutStrategyCanarySet*Route*)', () => {
  const services = { canaryService: 'canary', stableService: 'stable' };
  const istio = { istio: { virtualService: { name: 'virtual-service' } } };
  const alb = { alb: { rootService: 'action_name' } };
  const plugins = { plugins: { anyplugin: { key: 'value' } } };
  const header = (headerValue?: Record<string, string>, name?: string) => ({
    setHeaderRoute: {
      ...(name ? { name } : {}),
      match: [{ headerName: 'agent', ...(headerValue ? { headerValue } : {}) }],
    },
  });
  const validate = (steps: unknown[], trafficRouting?: Record<string, unknown>) =>
    validateRolloutStrategyCanary(
      canarySpec({ ...services, steps, ...(trafficRouting ? { trafficRouting } : {}) }),
    );

  it('SetHeaderRoute without traffic routing', () => {
    expect(firstDetail(validate([header({ exact: 'chrome' })]))).toBe(M.InvalidSetHeaderRouteTrafficPolicy);
  });
  it('SetHeaderRoute with plugins and the route in managedRoutes is valid', () => {
    expect(
      validate([header({ exact: 'chrome' }, 'test')], { managedRoutes: [{ name: 'test' }], ...plugins }),
    ).toEqual([]);
  });
  it('SetMirrorRoute without traffic routing', () => {
    expect(firstDetail(validate([{ setMirrorRoute: { name: 'test-mirror-1' } }]))).toBe(
      M.InvalidSetMirrorRouteTrafficPolicy,
    );
  });
  it('SetMirrorRoute with plugins and the route in managedRoutes is valid', () => {
    const step = {
      setMirrorRoute: {
        name: 'test-mirror-1',
        match: [{ method: { exact: 'GET' }, path: { prefix: '/api' } }],
        percentage: 50,
      },
    };
    expect(validate([step], { managedRoutes: [{ name: 'test-mirror-1' }], ...plugins })).toEqual([]);
  });

  it('Istio: multiple values, missing value, route not in managedRoutes', () => {
    expect(firstDetail(validate([header({ exact: 'chrome', regex: 'chrome(.*)' })], istio))).toBe(
      M.InvalidStringMatchMultipleValuePolicy,
    );
    expect(firstDetail(validate([header()], istio))).toBe(M.InvalidStringMatchMissedValuePolicy);
    expect(
      firstDetail(
        validate([header({ exact: 'exact' })], { ...istio, managedRoutes: [{ name: 'not-in-steps' }] }),
      ),
    ).toBe(M.StepRouteNameNotFoundInManagedRoutes);
  });

  it('ALB: only exact values', () => {
    const issues = validate([header({ exact: 'chrome', regex: 'chrome(.*)' })], alb);
    expect(firstDetail(issues)).toBe(M.InvalidSetHeaderRouteALBValuePolicy);
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      `spec.strategy.canary.steps[0].setHeaderRoute.match[0]: Invalid value: {"exact":"chrome","regex":"chrome(.*)"}: ${M.InvalidSetHeaderRouteALBValuePolicy}`,
    );
    expect(firstDetail(validate([header()], alb))).toBe(M.InvalidStringMatchMissedValuePolicy);
    expect(firstDetail(validate([header({ prefix: 'chrome' })], alb))).toBe(
      M.InvalidSetHeaderRouteALBValuePolicy,
    );
  });

  it('Istio mirror routes', () => {
    const mirror = (match: unknown[]) => ({ setMirrorRoute: { name: 'test-mirror-1', match } });
    expect(firstDetail(validate([{ setMirrorRoute: { name: 'test-mirror-1' } }]))).toBe(
      M.InvalidSetMirrorRouteTrafficPolicy,
    );
    expect(firstDetail(validate([mirror([{ method: { exact: 'test', prefix: 'test' } }])], istio))).toBe(
      M.InvalidStringMatchMultipleValuePolicy,
    );
    expect(firstDetail(validate([mirror([{ method: {} }])], istio))).toBe(
      M.InvalidStringMatchMissedValuePolicy,
    );
    const missingRoutes = validate([mirror([{ method: { exact: 'exact' } }])], istio);
    expect(firstDetail(missingRoutes)).toBe(
      "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
    );
    const good = [mirror([{ method: { exact: 'GET' }, path: { prefix: '/' } }])];
    expect(firstDetail(validate(good, { ...istio, managedRoutes: [{ name: 'not-in-steps' }] }))).toBe(
      M.StepRouteNameNotFoundInManagedRoutes,
    );
    expect(validate(good, { ...istio, managedRoutes: [{ name: 'test-mirror-1' }] })).toEqual([]);
  });
});

describe('maxSurge and maxUnavailable both zero (upstream TestInvalidMaxSurgeMaxUnavailable)', () => {
  it.each([
    [0, 0],
    ['0', 0],
    ['0%', 0],
    [0, '0'],
    [0, '0%'],
    ['0', '0'],
    ['0%', '0%'],
  ])('maxSurge %j, maxUnavailable %j', (maxSurge, maxUnavailable) => {
    const issues = validateRolloutStrategyCanary(canarySpec({ maxSurge, maxUnavailable }));
    expect(firstDetail(issues)).toBe(M.InvalidMaxSurgeMaxUnavailable);
    expect(issues[0]?.path).toBe('spec.strategy.canary.maxSurge');
  });
  it('either non-zero is fine', () => {
    expect(validateRolloutStrategyCanary(canarySpec({ maxSurge: 1, maxUnavailable: 0 }))).toEqual([]);
    expect(validateRolloutStrategyCanary(canarySpec({ maxSurge: '0%', maxUnavailable: '10%' }))).toEqual([]);
  });
});

describe('step types (upstream TestHasMultipleStepsType)', () => {
  it('one of setWeight, pause, experiment, analysis per step', () => {
    expect(validateRolloutStrategyCanary(canarySpec({ steps: [{ setWeight: 1 }] }))).toEqual([]);
    const issues = validateRolloutStrategyCanary(
      canarySpec({ steps: [{ setWeight: 1, pause: { duration: 1 } }] }),
    );
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      `spec.strategy.canary.steps[0]: Invalid value: "step.Experiment: false step.Pause: true step.SetWeight: true step.Analysis: false": ${M.InvalidStep}`,
    );
  });
});

describe('scaleDownDelaySeconds and dynamicStableScale (upstream TestCanaryScaleDownDelaySeconds, TestCanaryDynamicStableScale)', () => {
  const ro = (canary: Record<string, unknown>) => {
    const r = baseRollout();
    r.strategy.canary = { stableService: 'stable', canaryService: 'canary', ...canary };
    return spec(r);
  };
  it('scaleDownDelaySeconds with basic canary', () => {
    const issues = validateRollout(ro({ scaleDownDelaySeconds: 60 }));
    // upstream prints the path as spec.strategy.scaleDownDelaySeconds
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      `spec.strategy.canary.scaleDownDelaySeconds: Invalid value: 60: ${M.InvalidCanaryScaleDownDelay}`,
    );
  });
  it('scaleDownDelaySeconds with traffic weight canary', () => {
    expect(validateRollout(ro({ scaleDownDelaySeconds: 60, trafficRouting: { smi: {} } }))).toEqual([]);
  });
  it('dynamicStableScale with basic canary', () => {
    const issues = validateRollout(ro({ dynamicStableScale: true }));
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      `spec.strategy.canary.dynamicStableScale: Invalid value: true: ${M.InvalidCanaryDynamicStableScale}`,
    );
  });
  it('dynamicStableScale with scaleDownDelaySeconds', () => {
    const issues = validateRollout(
      ro({ dynamicStableScale: true, scaleDownDelaySeconds: 60, trafficRouting: { smi: {} } }),
    );
    expect(formatSpecIssue(issues[0] ?? { path: '', type: 'Forbidden', detail: '' })).toBe(
      `spec.strategy.canary.dynamicStableScale: Invalid value: true: ${M.InvalidCanaryDynamicStableScaleWithScaleDownDelay}`,
    );
  });
});

describe('workloadRef (upstream TestWorkloadRefWithTemplate)', () => {
  const ro = () => ({
    workloadRef: { name: 'my-deployment', kind: 'Deployment', apiVersion: 'apps/v1' },
    selector: { matchLabels: { key: 'value' } } as Record<string, unknown> | undefined,
    strategy: { canary: { stableService: 'stable', canaryService: 'canary' } },
    template: { metadata: { labels: { key: 'value' } } } as Record<string, unknown>,
  });
  it('workload reference with template', () => {
    const issues = validateRollout(spec(ro()));
    expect(issues.map((i) => formatSpecIssue(i))).toEqual([
      'spec.template: Internal error: template must be empty for workload reference rollout',
    ]);
  });
  it('valid workload reference with selector', () => {
    expect(validateRollout(spec({ ...ro(), template: {} }))).toEqual([]);
  });
  it('valid workload reference without selector', () => {
    expect(validateRollout(spec({ ...ro(), selector: undefined, template: {} }))).toEqual([]);
  });
  it('a resolved template is validated like an inline one', () => {
    const resolved = { ...ro(), template: { metadata: { labels: { key: 'value' } }, spec: {} } };
    expect(validateRollout(spec(resolved), { templateResolvedFromRef: true }).map((i) => i.path)).toEqual([
      'spec.template.spec.containers',
    ]);
  });
});

describe('experiment template weights (upstream TestCanaryExperimentStepWithWeight)', () => {
  const validate = (trafficRouting?: Record<string, unknown>) =>
    validateRolloutStrategyCanary(
      canarySpec({
        canaryService: 'canary',
        stableService: 'stable',
        steps: [{ experiment: { templates: [{ name: 'template', weight: 20 }] } }],
        ...(trafficRouting ? { trafficRouting } : {}),
      }),
    );
  it('invalid - no TrafficRouting set', () => {
    const issues = validate();
    expect(issues).toHaveLength(1);
    expect(firstDetail(issues)).toBe(
      'Experiment template weight cannot be set unless TrafficRouting is enabled',
    );
  });
  it.each([
    ['invalid - empty TrafficRouting', {}, 1],
    ['unsupported - Nginx TrafficRouting', { nginx: { stableIngress: 'nginx-ingress' } }, 1],
    ['unsupported - Ambassador TrafficRouting', { ambassador: { mappings: ['stable-mapping'] } }, 1],
    ['unsupported - Istio TrafficRouting', { istio: { virtualService: { name: 'virtualSvc' } } }, 0],
    ['success - SMI TrafficRouting', { smi: {} }, 0],
    ['success - ALB TrafficRouting', { alb: {} }, 0],
    ['unsupported - AppMesh TrafficRouting', { appMesh: {} }, 1],
    ['success - Plugins', { plugins: { 'any/plugin': {} } }, 0],
  ] as const)('%s', (_name, trafficRouting, count) => {
    const issues = validate(trafficRouting);
    expect(issues).toHaveLength(count);
    if (count > 0) expect(firstDetail(issues)).toBe(M.ExperimentWeightRouter);
  });
});

describe('parsing', () => {
  const seed = `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  namespace: prod
  labels: { rev: "7" }
spec:
  replicas: 5
  revisionHistoryLimit: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.example.com/web:3f2a9c1
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 100m, memory: 128Mi } }
  strategy:
    canary:
      canaryService: web-canary
      stableService: web-stable
      maxSurge: "25%"
      maxUnavailable: 0
      trafficRouting:
        nginx:
          stableIngress: web
          additionalIngressAnnotations:
            canary-by-header: X-Canary
      analysis:
        startingStep: 2
        templates: [{ templateName: success-rate }]
        args:
          - name: service-name
            value: web-canary
          - name: canary-hash
            valueFrom: { podTemplateHashValue: Latest }
          - name: rev
            valueFrom: { fieldRef: { fieldPath: "metadata.labels['rev']" } }
      steps:
        - setWeight: 10
        - pause: { duration: 1m }
        - setWeight: 50
        - pause: {}
        - analysis: { templates: [{ templateName: error-rate }] }
        - setCanaryScale: { replicas: 2 }
        - setHeaderRoute: { name: hdr, match: [{ headerName: X-Canary, headerValue: { exact: "yes" } }] }
`;

  it('parses a seed-style canary Rollout, and validation flags its header route', () => {
    const parsed = parseRollout(parseYaml(seed));
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => formatSpecIssue(i)).join('\n'));
    const ro = parsed.value;
    expect(ro.metadata.name).toBe('web');
    const canary = ro.spec.strategy.canary as CanaryStrategy;
    expect(canary.steps?.[1]).toEqual({ pause: { duration: '1m' } });
    expect(canary.analysis?.args?.[2]?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['rev']");
    expect(canary.trafficRouting?.nginx?.additionalIngressAnnotations).toEqual({
      'canary-by-header': 'X-Canary',
    });
    // The template is kept whole, unknown pod fields included.
    expect(ro.spec.template?.spec?.containers?.[0]).toEqual({
      name: 'web',
      image: 'registry.example.com/web:3f2a9c1',
      ports: [{ containerPort: 8080 }],
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
    });
    // setHeaderRoute needs a router that supports it (nginx does not) and managedRoutes.
    expect(validateRollout(ro.spec).map((i) => i.detail)).toEqual([
      M.InvalidSetHeaderRouteTrafficPolicy,
      M.MissingField('spec.strategy.canary.trafficRouting.managedRoutes'),
    ]);
    canary.steps = canary.steps?.slice(0, -1);
    expect(validateRollout(ro.spec)).toEqual([]);
  });

  it('reports a wrong JSON type at its path, like a Go decode error', () => {
    const result = parseRolloutSpec({
      strategy: { canary: { steps: [{ setWeight: 10 }, { setWeight: 'ten' }] } },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('spec.strategy.canary.steps[1].setWeight');
    const big = parseRolloutSpec({ replicas: 2 ** 31 });
    expect(big.ok).toBe(false);
  });

  it('treats null as absent and drops unknown fields, but keeps plugin configs as they are', () => {
    const s = spec({
      replicas: null,
      strategy: {
        canary: {
          steps: null,
          unknownField: 1,
          trafficRouting: {
            plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'web', namespace: 'prod', configMap: null } },
          },
        },
      },
    });
    expect(s.replicas).toBeUndefined();
    expect(s.strategy.canary).toEqual({
      trafficRouting: {
        plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'web', namespace: 'prod', configMap: null } },
      },
    });
    expect(gatewayApiConfig(s.strategy.canary?.trafficRouting?.plugins)).toEqual({
      httpRoute: 'web',
      namespace: 'prod',
    });
    expect(gatewayApiConfig(undefined)).toBeUndefined();
  });

  it('parses status as upstream writes it', () => {
    const status = parseRolloutStatus({
      currentStepIndex: 2,
      currentPodHash: '6f7d9',
      stableRS: '5b8c4',
      observedGeneration: '4',
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2024-05-01T10:00:00Z' }],
      canary: {
        weights: {
          canary: { weight: 20, serviceName: 'c', podTemplateHash: '6f7d9' },
          stable: { weight: 80 },
        },
      },
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: 'm',
          lastUpdateTime: 't',
          lastTransitionTime: 't',
        },
      ],
      phase: 'Paused',
      HPAReplicas: 5,
    });
    expect(status.ok).toBe(true);
    if (status.ok) expect(status.value.canary?.weights?.stable.weight).toBe(80);
    expect(parseRolloutStatus(undefined)).toEqual({ ok: true, value: {} });
    const bad = parseRolloutStatus({ phase: 'Sleeping' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]?.path).toBe('status.phase');
  });

  it('renders the InvalidSpec condition message as upstream', () => {
    const issue = validateRollout(spec({ ...baseRollout(), selector: undefined }))[0];
    expect(issue && invalidSpecMessage('web', issue)).toBe(
      'The Rollout "web" is invalid: spec.selector: Required value: Rollout has missing field \'.spec.selector\'',
    );
  });
});

describe('defaults (utils/defaults)', () => {
  it('revision history, progress deadline, max weight', () => {
    expect(revisionHistoryLimitOrDefault(spec({}))).toBe(10);
    expect(progressDeadlineSecondsOrDefault(spec({}))).toBe(600);
    expect(maxTrafficWeight(spec({}))).toBe(100);
    expect(canaryIngressAnnotationPrefixOrDefault(spec({}))).toBe('nginx.ingress.kubernetes.io');
  });
  it('scale-down delay: 30 for blue-green and routed canary, 0 for basic canary', () => {
    expect(scaleDownDelaySecondsOrDefault(spec({ strategy: { blueGreen: {} } }))).toBe(30);
    expect(scaleDownDelaySecondsOrDefault(spec({ strategy: { canary: {} } }))).toBe(0);
    expect(scaleDownDelaySecondsOrDefault(spec({ strategy: { canary: { trafficRouting: {} } } }))).toBe(30);
    expect(
      scaleDownDelaySecondsOrDefault(
        spec({ strategy: { canary: { trafficRouting: {}, scaleDownDelaySeconds: 5 } } }),
      ),
    ).toBe(5);
  });
  it('abort scale-down delay: explicit 0 means never; basic canary has none', () => {
    expect(abortScaleDownDelay(spec({ strategy: { blueGreen: {} } }))).toEqual({
      seconds: 30,
      explicit: false,
    });
    expect(abortScaleDownDelay(spec({ strategy: { blueGreen: { abortScaleDownDelaySeconds: 0 } } }))).toEqual(
      { seconds: null, explicit: true },
    );
    expect(
      abortScaleDownDelay(
        spec({ strategy: { canary: { trafficRouting: {}, abortScaleDownDelaySeconds: 10 } } }),
      ),
    ).toEqual({
      seconds: 10,
      explicit: true,
    });
    expect(abortScaleDownDelay(spec({ strategy: { canary: { abortScaleDownDelaySeconds: 10 } } }))).toEqual({
      seconds: 0,
      explicit: false,
    });
    expect(
      hasExplicitAbortScaleDownDelay(spec({ strategy: { blueGreen: { abortScaleDownDelaySeconds: 0 } } })),
    ).toBe(false);
    expect(
      hasExplicitAbortScaleDownDelay(spec({ strategy: { blueGreen: { abortScaleDownDelaySeconds: 5 } } })),
    ).toBe(true);
  });
});

describe('Go and Kubernetes helpers', () => {
  it('parseGoDuration follows time.ParseDuration', () => {
    expect(parseGoDuration('0')).toBe(0n);
    expect(parseGoDuration('1h30m')).toBe(5_400_000_000_000n);
    expect(parseGoDuration('1.5s')).toBe(1_500_000_000n);
    expect(parseGoDuration('-2m')).toBe(-120_000_000_000n);
    expect(parseGoDuration('300ms')).toBe(300_000_000n);
    expect(parseGoDuration('1µs')).toBe(1_000n);
    expect(parseGoDuration('.5m')).toBe(30_000_000_000n);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('1d')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
    expect(parseGoDuration('.s')).toBeUndefined();
    expect(parseGoDuration('9223372036854775807ns')).toBe(9_223_372_036_854_775_807n);
    expect(parseGoDuration('9223372036854775808ns')).toBeUndefined();
  });

  it('label and name rules', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of/);
    expect(isQualifiedName('/x')).toEqual(['prefix part must be non-empty']);
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('-x')).toHaveLength(1);
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
  });

  it('selectors match and print as Kubernetes does', () => {
    const selector = {
      matchLabels: { tier: 'fe', app: 'web' },
      matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'canary'] }],
    };
    expect(selectorMatches(selector, { app: 'web', tier: 'fe', env: 'prod' })).toBe(true);
    expect(selectorMatches(selector, { app: 'web', tier: 'fe' })).toBe(false);
    expect(selectorMatches(undefined, {})).toBe(false);
    expect(selectorMatches({}, {})).toBe(true);
    expect(formatLabelSelector(selector)).toBe('app=web,env in (canary,prod),tier=fe');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] })).toBe('!x');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Bogus' }] })).toBe('<error>');
  });

  it('fieldRef paths the downward API accepts on the Rollout', () => {
    expect(isSupportedMetadataFieldPath("metadata.labels['rev']")).toBe(true);
    expect(isSupportedMetadataFieldPath("metadata.annotations['example.com/Key']")).toBe(true);
    expect(isSupportedMetadataFieldPath('metadata.uid')).toBe(true);
    expect(isSupportedMetadataFieldPath("metadata.label['app']")).toBe(false);
    expect(isSupportedMetadataFieldPath('metadata.generation')).toBe(false);
  });
});

describe('unsupportedFeatures', () => {
  it('reports experiment steps, step plugins and routers other than nginx and the Gateway API plugin', () => {
    const s = canarySpec({
      steps: [{ experiment: {} }, { plugin: { name: 'p' } }, { setWeight: 10 }],
      trafficRouting: { istio: {}, plugins: { 'argoproj-labs/gatewayAPI': {}, 'other/plugin': {} } },
    });
    expect(unsupportedFeatures(s).map((i) => i.path)).toEqual([
      'spec.strategy.canary.steps[0].experiment',
      'spec.strategy.canary.steps[1].plugin',
      'spec.strategy.canary.trafficRouting.istio',
      'spec.strategy.canary.trafficRouting.plugins["other/plugin"]',
    ]);
    expect(unsupportedFeatures(canarySpec({ trafficRouting: { nginx: { stableIngress: 'web' } } }))).toEqual(
      [],
    );
  });
});
