/**
 * Pod-template and step hashes against vectors computed by Go: k8s.io/api v0.34.5 types decoded
 * with sigs.k8s.io/json (as client-go does), re-marshalled once (as the controller does), then
 * upstream's ComputePodTemplateHash / ComputeStepHash (utils/hash/hash.go, utils/conditions).
 * The inputs are wire JSON text, so both sides see the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../util/errors.ts';
import {
  computePodTemplateHash,
  computeStepHash,
  computeStepsHash,
  encodeGoJSON,
  fnv32a,
  formatQuantity,
  formatRFC3339,
  goString,
  parseQuantity,
  safeEncodeString,
} from './hash.ts';
import { parseRolloutSpec } from './spec.ts';

// Quantity text (as JSON) → what Go's json.Marshal of the decoded resource.Quantity writes.
const QUANTITY_VECTORS: Array<[string, string]> = [
  ['"0"', '"0"'],
  ['"00"', '"0"'],
  ['"1"', '"1"'],
  ['"+1"', '"+1"'],
  ['"-1"', '"-1"'],
  ['"1.0"', '"1"'],
  ['"1.5"', '"1500m"'],
  ['"0.5"', '"500m"'],
  ['"0.1"', '"100m"'],
  ['".5"', '"500m"'],
  ['"1."', '"1."'],
  ['"100m"', '"100m"'],
  ['"1000m"', '"1"'],
  ['"1500m"', '"1500m"'],
  ['"0.001"', '"1m"'],
  ['"0.0001"', '"100u"'],
  ['"1n"', '"1n"'],
  ['"0.1n"', '"1n"'],
  ['"1.5n"', '"2n"'],
  ['"1u"', '"1u"'],
  ['"1m"', '"1m"'],
  ['"1k"', '"1k"'],
  ['"1K"', "error: unable to parse quantity's suffix"],
  ['"1M"', '"1M"'],
  ['"1G"', '"1G"'],
  ['"1T"', '"1T"'],
  ['"1P"', '"1P"'],
  ['"1E"', '"1E"'],
  ['"10E"', '"10E"'],
  ['"1000k"', '"1M"'],
  ['"1000M"', '"1G"'],
  ['"1e3"', '"1e3"'],
  ['"1E3"', '"1E3"'],
  ['"10e3"', '"10e3"'],
  ['"1e-3"', '"1e-3"'],
  ['"12e-3"', '"12e-3"'],
  ['"1e21"', '"1e21"'],
  ['"1.5e3"', '"1500"'],
  ['"1e0"', '"1e0"'],
  ['"1Ki"', '"1Ki"'],
  ['"8Ki"', '"8Ki"'],
  ['"1024Ki"', '"1Mi"'],
  ['"1Mi"', '"1Mi"'],
  ['"1.5Gi"', '"1536Mi"'],
  ['"0.5Ki"', '"512"'],
  ['"0.5Gi"', '"512Mi"'],
  ['"2048"', '"2048"'],
  ['"1023Mi"', '"1023Mi"'],
  ['"1536Mi"', '"1536Mi"'],
  ['"1Ei"', '"1Ei"'],
  ['"8Ei"', '"9223372036854775807"'],
  ['"16Ei"', '"9223372036854775807"'],
  ['"-1Ki"', '"-1Ki"'],
  ['"-2048Ki"', '"-2Mi"'],
  ['"123456789012345678"', '"123456789012345678"'],
  ['"1234567890123456789"', '"1234567890123456789"'],
  ['"12345678901234567890"', '"12345678901234567890"'],
  ['"9223372036854775807"', '"9223372036854775807"'],
  ['"9223372036854775808"', '"9223372036854775808"'],
  ['"0.000000001"', '"1n"'],
  ['"0.0000000001"', '"1n"'],
  ['"1.23456789123456789"', '"1234567892n"'],
  ['"999999999999999999999m"', '"999999999999999999999m"'],
  ['" 1 "', '"1"'],
  ['1', '"1"'],
  ['0.5', '"500m"'],
  ['1000', '"1k"'],
  ['2.5', '"2500m"'],
  ['0', '"0"'],
  ['100', '"100"'],
  ['"1Gi"', '"1Gi"'],
  ['"128Mi"', '"128Mi"'],
  ['"256Mi"', '"256Mi"'],
  ['"500m"', '"500m"'],
  ['"250m"', '"250m"'],
  ['"64Mi"', '"64Mi"'],
  ['"2"', '"2"'],
  ['"4Gi"', '"4Gi"'],
  ['"3Ti"', '"3Ti"'],
  ['"3000Gi"', '"3000Gi"'],
  ['"1.1"', '"1100m"'],
  ['"100Ki"', '"100Ki"'],
  ['"007"', '"007"'],
  ['"-0"', '"0"'],
  ['"-0.5"', '"-500m"'],
  ['"5000000000000000000000000"', '"5"'],
];

// name, template (wire JSON), json.Marshal of the decoded PodTemplateSpec, [collisionCount, hash] pairs.
const TEMPLATE_VECTORS: Array<{
  name: string;
  template: string;
  json: string;
  hashes: Array<[number | null, string]>;
}> = [
  {
    name: 'upstream generatePodTemplate(red)',
    template:
      '{"metadata":{"labels":{"name":"red"}},"spec":{"containers":[{"name":"red","image":"red","imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","securityContext":{}}}',
    json: '{"metadata":{"labels":{"name":"red"}},"spec":{"containers":[{"name":"red","image":"red","resources":{},"terminationMessagePath":"/dev/termination-log","imagePullPolicy":"Always"}],"restartPolicy":"Always","dnsPolicy":"ClusterFirst","securityContext":{}}}',
    hashes: [
      [null, '5f78d78c4d'],
      [1, 'b7c685cd5'],
    ],
  },
  {
    name: 'empty template',
    template: '{}',
    json: '{"metadata":{},"spec":{"containers":null}}',
    hashes: [
      [null, '658c46c486'],
      [0, '6f9d9db974'],
    ],
  },
  {
    name: 'minimal nginx',
    template:
      '{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}',
    json: '{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.25","resources":{}}]}}',
    hashes: [
      [null, '85b86758fd'],
      [0, 'df767f878'],
      [1, '689ff45dbc'],
      [2, '6498dd5db8'],
      [7, '56fd69f87c'],
      [255, '54667f9665'],
      [256, '5cc568f46f'],
      [65536, 'd75cb8b55'],
      [2147483647, '7f6f9788b'],
      [-1, '76d8bc5c5d'],
    ],
  },
  {
    name: 'seed-style web app',
    template:
      '{"metadata":{"labels":{"app":"web","tier":"frontend"},"annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"8080"}},"spec":{"serviceAccountName":"web","containers":[{"name":"web","image":"registry.example.com/team/web:3f2a9c1","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":[{"name":"LOG_LEVEL","value":"info"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}],"resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"256Mi"}},"readinessProbe":{"httpGet":{"path":"/healthz","port":"http"},"initialDelaySeconds":5,"periodSeconds":10},"livenessProbe":{"tcpSocket":{"port":8080},"failureThreshold":3}}]}}',
    json: '{"metadata":{"labels":{"app":"web","tier":"frontend"},"annotations":{"prometheus.io/port":"8080","prometheus.io/scrape":"true"}},"spec":{"containers":[{"name":"web","image":"registry.example.com/team/web:3f2a9c1","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":[{"name":"LOG_LEVEL","value":"info"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}],"resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},"livenessProbe":{"tcpSocket":{"port":8080},"failureThreshold":3},"readinessProbe":{"httpGet":{"path":"/healthz","port":"http"},"initialDelaySeconds":5,"periodSeconds":10}}],"serviceAccountName":"web"}}',
    hashes: [[null, '6df7b56847']],
  },
  {
    name: 'quantities and numbers',
    template:
      '{"spec":{"containers":[{"name":"q","image":"q","resources":{"requests":{"cpu":1,"memory":"1000Mi","ephemeral-storage":"1.5Gi","nvidia.com/gpu":"1"},"limits":{"cpu":"1000m","memory":"1Gi","hugepages-2Mi":"0.5","example.com/foo":"+1"}}}],"overhead":{"cpu":"250m"},"volumes":[{"name":"scratch","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}}]}}',
    json: '{"metadata":{},"spec":{"volumes":[{"name":"scratch","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}}],"containers":[{"name":"q","image":"q","resources":{"limits":{"cpu":"1","example.com/foo":"+1","hugepages-2Mi":"500m","memory":"1Gi"},"requests":{"cpu":"1","ephemeral-storage":"1536Mi","memory":"1000Mi","nvidia.com/gpu":"1"}}}],"overhead":{"cpu":"250m"}}}',
    hashes: [[null, '6b6bf678bb']],
  },
  {
    name: 'html and unicode escaping',
    template:
      '{"metadata":{"labels":{"app":"x"},"annotations":{"html":"<b>&amp;</b>","unicode":"café ☕ 𝄞","seps":"a\\u2028b\\u2029c","ctl":"tab\\there\\nnl\\r\\u0001\\u001f\\b\\f","quote":"say \\"hi\\" \\\\ back","del":"\\u007f"}},"spec":{"containers":[{"name":"x","image":"x","command":["sh","-c","echo \'<ok>\' && exit 0"],"args":[]}]}}',
    json: '{"metadata":{"labels":{"app":"x"},"annotations":{"ctl":"tab\\there\\nnl\\r\\u0001\\u001f\\b\\f","del":"\u007f","html":"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e","quote":"say \\"hi\\" \\\\ back","seps":"a\\u2028b\\u2029c","unicode":"café ☕ 𝄞"}},"spec":{"containers":[{"name":"x","image":"x","command":["sh","-c","echo \'\\u003cok\\u003e\' \\u0026\\u0026 exit 0"],"resources":{}}]}}',
    hashes: [[null, '78f5bb9959']],
  },
  {
    name: 'empty collections and explicit zero values',
    template:
      '{"metadata":{"labels":{},"annotations":null,"creationTimestamp":null},"spec":{"containers":[{"name":"z","image":"z","ports":[],"env":null,"stdin":false,"tty":true,"resources":{}}],"initContainers":[],"volumes":null,"nodeSelector":{},"hostNetwork":false,"terminationGracePeriodSeconds":0,"automountServiceAccountToken":false,"enableServiceLinks":true}}',
    json: '{"metadata":{},"spec":{"containers":[{"name":"z","image":"z","resources":{},"tty":true}],"terminationGracePeriodSeconds":0,"automountServiceAccountToken":false,"enableServiceLinks":true}}',
    hashes: [[null, '6f89868568']],
  },
  {
    name: 'no containers key and null containers',
    template: '{"metadata":{"name":"n"},"spec":{"restartPolicy":"Always"}}',
    json: '{"metadata":{"name":"n"},"spec":{"containers":null,"restartPolicy":"Always"}}',
    hashes: [[null, '66f8b78595']],
  },
  {
    name: 'unknown fields are dropped',
    template:
      '{"metadata":{"labels":{"app":"u"},"unknownMeta":1},"spec":{"containers":[{"name":"u","image":"u","notAField":"x","Image":"shadow"}],"futureField":{"a":1}},"status":{}}',
    json: '{"metadata":{"labels":{"app":"u"}},"spec":{"containers":[{"name":"u","image":"u","resources":{}}]}}',
    hashes: [[null, '74c7bdd54c']],
  },
  {
    name: 'probes volumes security affinity',
    template:
      '{"metadata":{"labels":{"app":"full","version":"v2"}},"spec":{"initContainers":[{"name":"init","image":"busybox","command":["sh","-c","true"],"volumeMounts":[{"name":"cfg","mountPath":"/cfg","readOnly":true}]}],"containers":[{"name":"app","image":"app:1","imagePullPolicy":"IfNotPresent","workingDir":"/srv","ports":[{"containerPort":9090,"hostPort":0,"name":"metrics"}],"envFrom":[{"configMapRef":{"name":"app-env"}},{"prefix":"S_","secretRef":{"name":"app-secret","optional":true}}],"startupProbe":{"exec":{"command":["cat","/tmp/ready"]},"periodSeconds":1,"failureThreshold":30},"readinessProbe":{"grpc":{"port":9090},"timeoutSeconds":2},"lifecycle":{"preStop":{"sleep":{"seconds":5}},"postStart":{"httpGet":{"path":"/start","port":9090,"scheme":"HTTP","httpHeaders":[{"name":"X-A","value":"b"}]}}},"securityContext":{"runAsNonRoot":true,"runAsUser":1000,"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}},"volumeMounts":[{"name":"cfg","mountPath":"/etc/app","subPath":"app.yaml"},{"name":"data","mountPath":"/data"},{"name":"tok","mountPath":"/var/run/tok"}]}],"volumes":[{"name":"cfg","configMap":{"name":"app-cfg","items":[{"key":"app.yaml","path":"app.yaml","mode":420}],"defaultMode":292}},{"name":"data","persistentVolumeClaim":{"claimName":"data"}},{"name":"sec","secret":{"secretName":"s","optional":false}},{"name":"tok","projected":{"sources":[{"serviceAccountToken":{"audience":"vault","expirationSeconds":3600,"path":"token"}},{"downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},{"path":"cpu","resourceFieldRef":{"containerName":"app","resource":"limits.cpu","divisor":"1m"}}]}}]}}],"securityContext":{"fsGroup":2000,"runAsGroup":3000,"sysctls":[{"name":"net.core.somaxconn","value":"1024"}]},"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"full"}},"topologyKey":"kubernetes.io/hostname"}}]},"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64","arm64"]}]}]}}},"tolerations":[{"key":"dedicated","operator":"Equal","value":"web","effect":"NoSchedule"},{"operator":"Exists","tolerationSeconds":30}],"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchLabels":{"app":"full"}}}],"terminationGracePeriodSeconds":45,"priorityClassName":"high","hostAliases":[{"ip":"10.0.0.1","hostnames":["db.local"]}],"dnsConfig":{"options":[{"name":"ndots","value":"2"}]},"imagePullSecrets":[{"name":"regcred"}]}}',
    json: '{"metadata":{"labels":{"app":"full","version":"v2"}},"spec":{"volumes":[{"name":"cfg","configMap":{"name":"app-cfg","items":[{"key":"app.yaml","path":"app.yaml","mode":420}],"defaultMode":292}},{"name":"data","persistentVolumeClaim":{"claimName":"data"}},{"name":"sec","secret":{"secretName":"s","optional":false}},{"name":"tok","projected":{"sources":[{"serviceAccountToken":{"audience":"vault","expirationSeconds":3600,"path":"token"}},{"downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},{"path":"cpu","resourceFieldRef":{"containerName":"app","resource":"limits.cpu","divisor":"1m"}}]}}]}}],"initContainers":[{"name":"init","image":"busybox","command":["sh","-c","true"],"resources":{},"volumeMounts":[{"name":"cfg","readOnly":true,"mountPath":"/cfg"}]}],"containers":[{"name":"app","image":"app:1","workingDir":"/srv","ports":[{"name":"metrics","containerPort":9090}],"envFrom":[{"configMapRef":{"name":"app-env"}},{"prefix":"S_","secretRef":{"name":"app-secret","optional":true}}],"resources":{},"volumeMounts":[{"name":"cfg","mountPath":"/etc/app","subPath":"app.yaml"},{"name":"data","mountPath":"/data"},{"name":"tok","mountPath":"/var/run/tok"}],"readinessProbe":{"grpc":{"port":9090,"service":null},"timeoutSeconds":2},"startupProbe":{"exec":{"command":["cat","/tmp/ready"]},"periodSeconds":1,"failureThreshold":30},"lifecycle":{"postStart":{"httpGet":{"path":"/start","port":9090,"scheme":"HTTP","httpHeaders":[{"name":"X-A","value":"b"}]}},"preStop":{"sleep":{"seconds":5}}},"imagePullPolicy":"IfNotPresent","securityContext":{"capabilities":{"drop":["ALL"]},"runAsUser":1000,"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false,"seccompProfile":{"type":"RuntimeDefault"}}}],"terminationGracePeriodSeconds":45,"securityContext":{"runAsGroup":3000,"fsGroup":2000,"sysctls":[{"name":"net.core.somaxconn","value":"1024"}]},"imagePullSecrets":[{"name":"regcred"}],"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64","arm64"]}]}]}},"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"full"}},"topologyKey":"kubernetes.io/hostname"}}]}},"tolerations":[{"key":"dedicated","operator":"Equal","value":"web","effect":"NoSchedule"},{"operator":"Exists","tolerationSeconds":30}],"hostAliases":[{"ip":"10.0.0.1","hostnames":["db.local"]}],"priorityClassName":"high","dnsConfig":{"options":[{"name":"ndots","value":"2"}]},"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchLabels":{"app":"full"}}}]}}',
    hashes: [
      [null, '6bbc69bcf5'],
      [3, '5467d647c6'],
    ],
  },
  {
    name: 'map key ordering',
    template:
      '{"metadata":{"labels":{"b":"2","a":"1","B":"3","a.b/c":"4","aa":"5","10":"6","9":"7","_":"8","é":"9","z":"10"}},"spec":{"nodeSelector":{"zone":"a","disk":"ssd"},"containers":[{"name":"m","image":"m"}]}}',
    json: '{"metadata":{"labels":{"10":"6","9":"7","B":"3","_":"8","a":"1","a.b/c":"4","aa":"5","b":"2","z":"10","é":"9"}},"spec":{"containers":[{"name":"m","image":"m","resources":{}}],"nodeSelector":{"disk":"ssd","zone":"a"}}}',
    hashes: [[null, '849565955']],
  },
  {
    name: 'timestamps in metadata',
    template:
      '{"metadata":{"creationTimestamp":"2024-03-01T10:20:30.123456Z","labels":{"app":"t"}},"spec":{"containers":[{"name":"t","image":"t"}]}}',
    json: '{"metadata":{"creationTimestamp":"2024-03-01T10:20:30Z","labels":{"app":"t"}},"spec":{"containers":[{"name":"t","image":"t","resources":{}}]}}',
    hashes: [[null, '5f7ddd4c9f']],
  },
  {
    name: 'named and numeric probe ports',
    template:
      '{"spec":{"containers":[{"name":"p","image":"p","livenessProbe":{"httpGet":{"port":"8080"}},"readinessProbe":{"httpGet":{"port":8080,"host":"localhost"}}}]}}',
    json: '{"metadata":{},"spec":{"containers":[{"name":"p","image":"p","resources":{},"livenessProbe":{"httpGet":{"port":"8080"}},"readinessProbe":{"httpGet":{"port":8080,"host":"localhost"}}}]}}',
    hashes: [[null, '5f4b8f48d8']],
  },
];

// name, steps (wire JSON), json.Marshal of the decoded []CanaryStep, ComputeStepHash.
const STEP_VECTORS: Array<{ name: string; steps: string; json: string; hash: string }> = [
  {
    name: 'nil steps',
    steps: 'null',
    json: 'null',
    hash: '5ffbfbbd64',
  },
  {
    name: 'empty steps',
    steps: '[]',
    json: '[]',
    hash: '5f8cb5778f',
  },
  {
    name: 'setWeight and pauses',
    steps:
      '[{"setWeight":20},{"pause":{}},{"setWeight":40},{"pause":{"duration":10}},{"setWeight":60},{"pause":{"duration":"30s"}},{"setWeight":80},{"pause":{"duration":"1h"}}]',
    json: '[{"setWeight":20},{"pause":{}},{"setWeight":40},{"pause":{"duration":10}},{"setWeight":60},{"pause":{"duration":"30s"}},{"setWeight":80},{"pause":{"duration":"1h"}}]',
    hash: '5ff95db6d7',
  },
  {
    name: 'seed canary',
    steps:
      '[{"setWeight":10},{"pause":{"duration":"1m"}},{"analysis":{"templates":[{"templateName":"success-rate"}],"args":[{"name":"service-name","value":"web-canary"},{"name":"canary-hash","valueFrom":{"podTemplateHashValue":"Latest"}},{"name":"rev","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels[\'rev\']"}}}]}},{"setWeight":50},{"pause":{}}]',
    json: '[{"setWeight":10},{"pause":{"duration":"1m"}},{"analysis":{"templates":[{"templateName":"success-rate"}],"args":[{"name":"service-name","value":"web-canary"},{"name":"canary-hash","valueFrom":{"podTemplateHashValue":"Latest"}},{"name":"rev","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels[\'rev\']"}}}]}},{"setWeight":50},{"pause":{}}]',
    hash: '79fcc6ccf4',
  },
  {
    name: 'setCanaryScale and routes',
    steps:
      '[{"setCanaryScale":{"replicas":3}},{"setCanaryScale":{"weight":25}},{"setCanaryScale":{"matchTrafficWeight":true}},{"setHeaderRoute":{"name":"hdr","match":[{"headerName":"X-Canary","headerValue":{"exact":"yes"}},{"headerName":"User-Agent","headerValue":{"regex":".*Chrome.*"}}]}},{"setMirrorRoute":{"name":"mirror","percentage":35,"match":[{"method":{"exact":"GET"},"path":{"prefix":"/api"},"headers":{"b":{"exact":"2"},"a":{"prefix":"1"}}}]}},{"setHeaderRoute":{"name":"hdr"}}]',
    json: '[{"setCanaryScale":{"replicas":3}},{"setCanaryScale":{"weight":25}},{"setCanaryScale":{"matchTrafficWeight":true}},{"setHeaderRoute":{"name":"hdr","match":[{"headerName":"X-Canary","headerValue":{"exact":"yes"}},{"headerName":"User-Agent","headerValue":{"regex":".*Chrome.*"}}]}},{"setMirrorRoute":{"name":"mirror","match":[{"method":{"exact":"GET"},"path":{"prefix":"/api"},"headers":{"a":{"prefix":"1"},"b":{"exact":"2"}}}],"percentage":35}},{"setHeaderRoute":{"name":"hdr"}}]',
    hash: '7458cc7c6d',
  },
  {
    name: 'experiment and plugin',
    steps:
      '[{"experiment":{"duration":"5m","templates":[{"name":"baseline","specRef":"stable","replicas":1},{"name":"canary","specRef":"canary","weight":5,"metadata":{"labels":{"x":"y"}},"service":{}}],"analyses":[{"name":"a","templateName":"t","requiredForCompletion":true,"args":[{"name":"k","value":"v"}]}]}},{"plugin":{"name":"argoproj-labs/sample","config":{"b":[1,2.5,"<x>"],"a":{"nested":true}}}}]',
    json: '[{"experiment":{"templates":[{"name":"baseline","specRef":"stable","replicas":1,"metadata":{}},{"name":"canary","specRef":"canary","metadata":{"labels":{"x":"y"}},"weight":5,"service":{}}],"duration":"5m","analyses":[{"name":"a","templateName":"t","args":[{"name":"k","value":"v"}],"requiredForCompletion":true}],"analysisRunMetadata":{}}},{"plugin":{"name":"argoproj-labs/sample","config":{"b":[1,2.5,"\\u003cx\\u003e"],"a":{"nested":true}}}}]',
    hash: '5b6b7fcc86',
  },
  {
    name: 'analysis with dryRun and metadata',
    steps:
      '[{"analysis":{"templates":[{"templateName":"a","clusterScope":true},{"templateName":"b"}],"dryRun":[{"metricName":".*"}],"measurementRetention":[{"metricName":"m","limit":20}],"analysisRunMetadata":{"labels":{"k":"v"},"annotations":{"a":"<b>"}}}}]',
    json: '[{"analysis":{"templates":[{"templateName":"a","clusterScope":true},{"templateName":"b"}],"dryRun":[{"metricName":".*"}],"measurementRetention":[{"metricName":"m","limit":20}],"analysisRunMetadata":{"labels":{"k":"v"},"annotations":{"a":"\\u003cb\\u003e"}}}}]',
    hash: '588db459d',
  },
  {
    name: 'unknown step fields dropped',
    steps: '[{"setWeight":5,"bogus":true},{"pause":{"duration":"10","extra":1}}]',
    json: '[{"setWeight":5},{"pause":{"duration":"10"}}]',
    hash: '74559f6bd9',
  },
];
describe('resource.Quantity marshalling (Go vectors)', () => {
  it.each(QUANTITY_VECTORS)('%s → %s', (input, expected) => {
    const value: unknown = JSON.parse(input);
    if (expected.startsWith('error:')) {
      expect(() => encodeGoJSON(value, 'Q')).toThrow(SlipwayError);
    } else {
      expect(encodeGoJSON(value, 'Q')).toBe(expected);
    }
  });
});

describe('computePodTemplateHash (Go vectors)', () => {
  for (const v of TEMPLATE_VECTORS) {
    describe(v.name, () => {
      const template: unknown = JSON.parse(v.template);
      it('encodes the template as Go json.Marshal does', () => {
        expect(encodeGoJSON(template, 'PodTemplateSpec')).toBe(v.json);
      });
      it.each(v.hashes)('collisionCount %s → %s', (collisionCount, hash) => {
        expect(computePodTemplateHash(template, collisionCount ?? undefined)).toBe(hash);
      });
    });
  }

  it('is the same for equal templates and differs with a collision count (upstream TestHashUtils)', () => {
    const red = () => JSON.parse(TEMPLATE_VECTORS[0]?.template ?? '{}') as unknown;
    expect(computePodTemplateHash(red())).toBe(computePodTemplateHash(red()));
    expect(computePodTemplateHash(red(), 1)).not.toBe(computePodTemplateHash(red()));
  });

  it('ignores member order in the input (Go decodes into a struct)', () => {
    const a = {
      spec: { containers: [{ image: 'nginx:1.25', name: 'nginx' }] },
      metadata: { labels: { app: 'nginx' } },
    };
    const b = {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] },
    };
    expect(computePodTemplateHash(a)).toBe(computePodTemplateHash(b));
  });
});

describe('computeStepHash (Go vectors)', () => {
  for (const v of STEP_VECTORS) {
    it(`${v.name} → ${v.hash}`, () => {
      const steps: unknown = JSON.parse(v.steps);
      expect(encodeGoJSON(steps, '[]CanaryStep')).toBe(v.json);
      expect(computeStepsHash(steps)).toBe(v.hash);
    });
  }

  it('is empty for blue-green and for a Rollout without a canary strategy (upstream ComputeStepHash)', () => {
    expect(computeStepHash({ blueGreen: { activeService: 'a' } })).toBe('');
    expect(computeStepHash({})).toBe('');
    expect(computeStepHash(undefined)).toBe('');
    expect(computeStepHash({ blueGreen: {}, canary: { steps: [] } })).toBe('');
  });

  it('a parsed spec hashes like the wire spec it came from (parsing drops only what Go drops)', () => {
    for (const v of [
      ...STEP_VECTORS.map((s) => ({ steps: JSON.parse(s.steps) as unknown, template: undefined })),
      ...TEMPLATE_VECTORS.map((t) => ({ steps: undefined, template: JSON.parse(t.template) as unknown })),
    ]) {
      const wire = {
        ...(v.template === undefined ? {} : { template: v.template }),
        strategy: { canary: { steps: v.steps } },
      };
      const parsed = parseRolloutSpec(wire);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      expect(computeStepHash(parsed.value.strategy)).toBe(computeStepHash(wire.strategy));
      expect(computePodTemplateHash(parsed.value.template)).toBe(computePodTemplateHash(wire.template));
    }
  });

  it('upstream TestComputeStepHash vectors', () => {
    expect(computeStepHash({ canary: { steps: [{ pause: {} }] } })).toBe('6b9b86fbd5');
    expect(computeStepHash({ canary: { steps: [{ pause: {} }, { pause: {} }] } })).toBe('79c9b9f6bf');
    expect(computeStepHash({ canary: { steps: undefined } })).toBe('5ffbfbbd64');
    expect(computeStepHash({ blueGreen: {} })).toBe('');
  });

  it('hashes the canary steps of a strategy', () => {
    const steps = JSON.parse(STEP_VECTORS[2]?.steps ?? 'null') as unknown;
    expect(computeStepHash({ canary: { steps } })).toBe(STEP_VECTORS[2]?.hash);
    expect(computeStepHash({ canary: {} })).toBe(STEP_VECTORS[0]?.hash);
  });
});

describe('building blocks', () => {
  it('fnv32a matches the FNV-1a reference values', () => {
    // Offset basis for the empty input; "a" and "foobar" from the FNV reference test suite.
    expect(fnv32a(Buffer.from(''))).toBe(0x811c9dc5);
    expect(fnv32a(Buffer.from('a'))).toBe(0xe40c292c);
    expect(fnv32a(Buffer.from('foobar'))).toBe(0xbf9cf968);
  });

  it('safeEncodeString maps bytes into the vowel-free alphabet (k8s rand.SafeEncodeString)', () => {
    // '0' is byte 48: 48 % 27 = 21 → '4'; '9' is 57 % 27 = 3 → 'f'; '1'..'4' are 49..52 → 22..25.
    expect(safeEncodeString('0')).toBe('4');
    expect(safeEncodeString('9')).toBe('f');
    expect(safeEncodeString('1234')).toBe('5678');
  });

  it('goString escapes as encoding/json with HTML escaping', () => {
    expect(goString('<a href="x">&</a>')).toBe('"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
    expect(goString('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(goString('\u0000\u001f\u007f')).toBe('"\\u0000\\u001f\u007f"');
    expect(goString('\ud800x')).toBe('"\\ufffdx"');
    expect(goString('𝄞')).toBe('"𝄞"');
  });

  it('parses and prints quantities as upstream (canonical form, kept input text)', () => {
    // 1.5Gi = 1610612736 bytes, not a whole number of Gi: printed in Mi.
    const q = parseQuantity('1.5Gi');
    expect(q?.format).toBe('BinarySI');
    expect(q && Number(q.unscaled) / 10 ** q.scale).toBe(1610612736);
    expect(q && formatQuantity(q)).toBe('1536Mi');
    expect(parseQuantity('100m')).toEqual({ unscaled: 100n, scale: 3, format: 'DecimalSI', text: '100m' });
    expect(parseQuantity('1K')).toBeUndefined();
    expect(parseQuantity('')).toBeUndefined();
  });

  it('prints metav1.Time in whole seconds UTC', () => {
    expect(formatRFC3339('2024-03-01T12:20:30.5+02:00')).toBe('2024-03-01T10:20:30Z');
    expect(formatRFC3339('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(formatRFC3339('yesterday')).toBeUndefined();
  });

  it('names the field whose JSON type Go could not decode', () => {
    const bad = { spec: { containers: [{ name: 'a', image: 7 }] } };
    expect(() => computePodTemplateHash(bad)).toThrow(
      /spec\.containers\[0\]\.image: cannot decode a number into a string/,
    );
    try {
      computePodTemplateHash(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(SlipwayError);
      expect((err as SlipwayError).reason).toBe('InvalidSpec');
    }
    expect(() => computeStepsHash([{ setWeight: '10' }])).toThrow(/\[0\]\.setWeight/);
    expect(() => computeStepsHash({})).toThrow(/cannot decode a object into a list/);
  });
});

describe('properties', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
  const quantity = fc.constantFrom('100m', '0.5', '1', '1000m', '128Mi', '1.5Gi', '2', '250m', '1e3', '64Mi');
  const template = fc.record(
    {
      metadata: fc.record(
        { labels: fc.dictionary(name, name), annotations: fc.dictionary(name, fc.string()) },
        { requiredKeys: [] },
      ),
      spec: fc.record(
        {
          containers: fc.array(
            fc.record(
              {
                name,
                image: name,
                env: fc.array(fc.record({ name, value: fc.string() }), { maxLength: 3 }),
                ports: fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }) }), {
                  maxLength: 2,
                }),
                resources: fc.record(
                  { requests: fc.dictionary(fc.constantFrom('cpu', 'memory'), quantity) },
                  { requiredKeys: [] },
                ),
              },
              { requiredKeys: ['name'] },
            ),
            { maxLength: 3 },
          ),
          terminationGracePeriodSeconds: fc.integer({ min: 0, max: 600 }),
          nodeSelector: fc.dictionary(name, name),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  );

  /** A deep copy with every object's keys in reverse order. */
  function reversed(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(reversed);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .reverse()
          .map(([k, x]) => [k, reversed(x)]),
      );
    }
    return v;
  }

  it('the hash ignores member order and survives a re-marshal (the controller works on a re-marshalled copy)', () => {
    fc.assert(
      fc.property(
        template,
        fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        (t, collisions) => {
          const hash = computePodTemplateHash(t, collisions);
          expect(computePodTemplateHash(reversed(t), collisions)).toBe(hash);
          const remarshalled: unknown = JSON.parse(encodeGoJSON(t, 'PodTemplateSpec'));
          expect(computePodTemplateHash(remarshalled, collisions)).toBe(hash);
          expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
        },
      ),
    );
  });
});
