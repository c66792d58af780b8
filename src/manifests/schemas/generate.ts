/**
 * Generates `bundle.json`, the offline schemas `slipway verify config` validates rendered objects
 * against. Run it after changing a pinned version below:
 *
 *     npx tsx src/manifests/schemas/generate.ts
 *
 * Sources (all from the Go module proxy, through `go mod download`):
 * - Kubernetes' published OpenAPI v3 (`k8s.io/kubernetes@<v>/api/openapi-spec/v3/*.json`), every
 *   GA group-version (no alpha or beta);
 * - the CRDs of Argo Rollouts (`Rollout`, `AnalysisTemplate`) and Argo CD (`Application`).
 *
 * The bundle keeps only what validation reads: types, properties, required, enums, numeric and
 * string limits and `$ref`s. Descriptions, defaults, list/patch/CEL annotations go. Three rewrites
 * make a plain JSON-Schema validator behave like the API server with `fieldValidation=Strict`:
 * - objects with declared properties get `additionalProperties: false` unless the schema says
 *   `x-kubernetes-preserve-unknown-fields` (unknown fields are rejected, as Strict does);
 * - in CRDs, an object with no properties at all and no preserve flag is closed too (the server
 *   prunes everything under it), and the root's `metadata` is ObjectMeta;
 * - `x-kubernetes-int-or-string` becomes `anyOf: [integer, string]`, and Quantity's string form
 *   gets the quantity grammar as a pattern (the server's decoder enforces it).
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const KUBERNETES_VERSION = 'v1.36.3';
export const ARGO_ROLLOUTS_VERSION = 'v1.9.1';
export const ARGO_CD_VERSION = 'v3.5.1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const KEEP = new Set([
  'type',
  'properties',
  'additionalProperties',
  'items',
  'required',
  'enum',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'nullable',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  '$ref',
]);
/** Formats the validator checks; the rest (`int-or-string`, `quantity`, `double`, …) add nothing a type does not. */
const KEEP_FORMATS = new Set(['int32', 'int64', 'date-time', 'byte']);

const QUANTITY_PATTERN =
  '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?(\\d+(\\.\\d*)?|\\.\\d+))?$';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function isSchema(v: Json | undefined): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The compact, strict form of one schema node. `crd` applies the CRD pruning rule. */
export function compact(node: Schema, crd: boolean): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEEP.has(key)) continue;
    if (key === 'format' && !(typeof value === 'string' && KEEP_FORMATS.has(value))) continue;
    if (key === 'properties' && isSchema(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? compact(sub, crd) : sub]),
      );
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isSchema(value)) {
      out[key] = compact(value, crd);
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((v) => (isSchema(v) ? compact(v, crd) : v));
    } else if (key === '$ref' && typeof value === 'string') {
      out[key] = value.replace('#/components/schemas/', '#/definitions/');
    } else {
      out[key] = value;
    }
  }
  // `{allOf: [{$ref}]}` is how OpenAPI v3 attaches a default to a reference; without it, a bare $ref.
  const allOf = out['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1 && isSchema(allOf[0]) && Object.keys(out).length === 1) {
    return allOf[0];
  }
  if (node['x-kubernetes-int-or-string'] === true && !out['anyOf'] && !out['oneOf']) {
    out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
    delete out['type'];
  }
  const open =
    node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-embedded-resource'] === true;
  if (!open && out['additionalProperties'] === undefined) {
    if (isSchema(out['properties'])) out['additionalProperties'] = false;
    else if (crd && out['type'] === 'object' && !out['anyOf'] && !out['oneOf'] && !out['allOf']) {
      out['additionalProperties'] = false;
    }
  }
  return out;
}

function goModDir(module: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', module], { encoding: 'utf8' });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module}: ${info.Error ?? 'no Dir'}`);
  return info.Dir;
}

interface KindEntry {
  schema: string;
  namespaced: boolean;
}

interface OpenApiDoc {
  paths?: Record<
    string,
    Record<string, { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string } }>
  >;
  components?: { schemas?: Record<string, Schema> };
}

function addKubernetes(definitions: Record<string, Schema>, kinds: Record<string, KindEntry>): void {
  const dir = join(goModDir(`k8s.io/kubernetes@${KUBERNETES_VERSION}`), 'api', 'openapi-spec', 'v3');
  const files = readdirSync(dir).filter(
    (f) => (f.startsWith('api__v1_') || /^apis__.+__v\d+_openapi\.json$/.test(f)) && !/(alpha|beta)/.test(f),
  );
  const all: Record<string, Schema> = {};
  for (const file of files.sort()) {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as OpenApiDoc;
    Object.assign(all, doc.components?.schemas ?? {});
    for (const [path, ops] of Object.entries(doc.paths ?? {})) {
      const gvk = ops['post']?.['x-kubernetes-group-version-kind'];
      if (!gvk || path.includes('{name}')) continue;
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      const schemaName = Object.entries(doc.components?.schemas ?? {}).find(([, s]) => {
        const list = s['x-kubernetes-group-version-kind'];
        return (
          Array.isArray(list) &&
          list.some(
            (g) =>
              isSchema(g) &&
              g['group'] === gvk.group &&
              g['version'] === gvk.version &&
              g['kind'] === gvk.kind,
          )
        );
      })?.[0];
      if (!schemaName) continue;
      kinds[`${apiVersion}/${gvk.kind}`] = { schema: schemaName, namespaced: path.includes('{namespace}') };
    }
  }
  // Only what the kinds reach: the closure of their $refs.
  const pending = [...new Set(Object.values(kinds).map((k) => k.schema))];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (definitions[name]) continue;
    const source = all[name];
    if (!source) throw new Error(`missing schema ${name}`);
    const schema = compact(source, false);
    if (name === QUANTITY)
      schema['oneOf'] = [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }];
    definitions[name] = schema;
    JSON.stringify(schema, (_k, v: Json) => {
      if (isSchema(v) && typeof v['$ref'] === 'string') pending.push(v['$ref'].replace('#/definitions/', ''));
      return v;
    });
  }
}

interface Crd {
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string };
    versions: Array<{ name: string; schema?: { openAPIV3Schema?: Schema } }>;
  };
}

function addCrd(file: string, definitions: Record<string, Schema>, kinds: Record<string, KindEntry>): void {
  const crd = parse(readFileSync(file, 'utf8')) as Crd;
  for (const version of crd.spec.versions) {
    const root = version.schema?.openAPIV3Schema;
    if (!root) continue;
    const apiVersion = `${crd.spec.group}/${version.name}`;
    const name = `crd:${apiVersion}/${crd.spec.names.kind}`;
    const schema = compact(root, true);
    const props = schema['properties'];
    if (isSchema(props)) {
      // The server validates a custom resource's metadata as ObjectMeta, whatever the CRD says.
      props['metadata'] = { $ref: `#/definitions/${OBJECT_META}` };
      props['apiVersion'] = { type: 'string' };
      props['kind'] = { type: 'string' };
    }
    definitions[name] = schema;
    kinds[`${apiVersion}/${crd.spec.names.kind}`] = {
      schema: name,
      namespaced: crd.spec.scope === 'Namespaced',
    };
  }
}

export function generate(): string {
  const definitions: Record<string, Schema> = {};
  const kinds: Record<string, KindEntry> = {};
  addKubernetes(definitions, kinds);
  const rollouts = join(
    goModDir(`github.com/argoproj/argo-rollouts@${ARGO_ROLLOUTS_VERSION}`),
    'manifests',
    'crds',
  );
  addCrd(join(rollouts, 'rollout-crd.yaml'), definitions, kinds);
  addCrd(join(rollouts, 'analysis-template-crd.yaml'), definitions, kinds);
  const argocd = join(goModDir(`github.com/argoproj/argo-cd/v3@${ARGO_CD_VERSION}`), 'manifests', 'crds');
  addCrd(join(argocd, 'application-crd.yaml'), definitions, kinds);
  const sorted = <T>(o: Record<string, T>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  const bundle = {
    generatedBy: 'src/manifests/schemas/generate.ts',
    versions: {
      kubernetes: KUBERNETES_VERSION,
      argoRollouts: ARGO_ROLLOUTS_VERSION,
      argoCd: ARGO_CD_VERSION,
    },
    kinds: sorted(kinds),
    definitions: sorted(definitions),
  };
  return `${JSON.stringify(bundle)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = fileURLToPath(new URL('./bundle.json', import.meta.url));
  const text = generate();
  writeFileSync(out, text);
  // Formatted as the repository's formatter wants it, so `biome check` passes on the committed file.
  const biome = fileURLToPath(new URL('../../../node_modules/.bin/biome', import.meta.url));
  execFileSync(biome, ['format', '--write', out], { stdio: 'inherit' });
  process.stderr.write(`wrote ${out} (${Math.round(statSync(out).size / 1024)} KiB)\n`);
}
