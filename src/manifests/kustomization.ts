/**
 * Reading kustomizations before kustomize does: every kustomization reachable from an overlay is
 * parsed here first, so a syntax error is reported as `file:line:col` (kustomize reports
 * `yaml: line 3: ...` without the file), and every local path it names is confined to the root
 * before kustomize follows it.
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '../util/errors.ts';
import { checkSymlinks, confine, isDirectory, type Root } from './confine.ts';
import { KUSTOMIZATION_FILE_NAMES } from './set-image.ts';
import { type EditableYaml, parseEditable, positionOf, toPlain } from './yaml-edit.ts';

/** The kustomization file in `dir`, or undefined. Same names and order as kustomize. */
export async function kustomizationFileIn(dir: string): Promise<string | undefined> {
  const names = new Set(await readdir(dir).catch(() => [] as string[]));
  return KUSTOMIZATION_FILE_NAMES.map((n) => (names.has(n) ? join(dir, n) : undefined)).find(
    (f) => f !== undefined,
  );
}

/**
 * Remote targets kustomize fetches itself (`https://…`, `git@…`, `github.com/org/repo//path?ref=`).
 * They are not paths in the repository, so confinement does not apply to them.
 */
export function isRemoteRef(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ||
    /^[a-z][a-z0-9+.-]*::/i.test(ref) ||
    ref.startsWith('git@') ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(ref) ||
    ref.includes('?ref=')
  );
}

const pathList = z.array(z.string()).optional();
const generator = z
  .looseObject({ files: pathList, envs: pathList, env: z.string().optional() })
  .array()
  .optional();
const patchList = z.looseObject({ path: z.string().optional() }).array().optional();

/** The fields of a kustomization that name local files or directories. */
const KustomizationRefs = z.looseObject({
  resources: pathList,
  components: pathList,
  bases: pathList,
  crds: pathList,
  configurations: pathList,
  generators: pathList,
  transformers: pathList,
  validators: pathList,
  patchesStrategicMerge: pathList,
  patches: patchList,
  patchesJson6902: patchList,
  replacements: patchList,
  configMapGenerator: generator,
  secretGenerator: generator,
  openapi: z.looseObject({ path: z.string().optional() }).optional(),
  images: z.array(z.looseObject({ name: z.string() })).optional(),
  namespace: z.string().optional(),
});
export type KustomizationRefs = z.infer<typeof KustomizationRefs>;

/** The top-level fields of a kustomize v5 Kustomization (`api/types/kustomization.go`). */
const KNOWN_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'openapi',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patchesStrategicMerge',
  'patchesJson6902',
  'patches',
  'images',
  'imageTags',
  'replacements',
  'replicas',
  'vars',
  'sortOptions',
  'resources',
  'components',
  'crds',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'generatorOptions',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'buildMetadata',
]);
const IMAGE_FIELDS = new Set(['name', 'newName', 'tagSuffix', 'newTag', 'digest']);

/** kustomize refuses unknown fields without saying where; this says where. */
function checkFields(display: string, edit: EditableYaml): void {
  const root = edit.doc.contents;
  if (!isMap(root)) return;
  const unknown = (key: Node, what: string): never => {
    throw new SlipwayError(`unknown ${what} field ${JSON.stringify(String((key as Scalar).value))}`, {
      subject: positionOf(display, edit.lines, key.range?.[0] ?? 0),
      reason: 'InvalidKustomization',
    });
  };
  for (const pair of root.items) {
    const key = pair.key as Node;
    if (isScalar(key) && !KNOWN_FIELDS.has(String(key.value))) unknown(key, 'kustomization');
    if (isScalar(key) && key.value === 'images' && isSeq(pair.value)) {
      for (const item of pair.value.items) {
        if (!isMap(item)) continue;
        for (const p of item.items) {
          const k = p.key as Node;
          if (isScalar(k) && !IMAGE_FIELDS.has(String(k.value))) unknown(k, 'images entry');
        }
      }
    }
  }
}

/** One kustomization read from disk. */
export interface LoadedKustomization {
  file: string;
  dir: string;
  data: KustomizationRefs;
}

/** Parses one kustomization file; errors name `file:line:col` or `file: field`. */
export async function loadKustomization(file: string, display = file): Promise<LoadedKustomization> {
  const source = await readFile(file, 'utf8');
  const edit = parseEditable(display, source);
  const plain = toPlain(display, edit.doc) ?? {};
  checkFields(display, edit);
  const parsed = KustomizationRefs.safeParse(plain);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
    throw new SlipwayError(issue?.message ?? 'invalid kustomization', {
      subject: `${display}: ${field.replace(/^\./, '') || '(root)'}`,
      reason: 'InvalidKustomization',
    });
  }
  return { file, dir: dirname(file), data: parsed.data };
}

/** The local paths one kustomization names, each with the field that names it. */
function localRefs(k: KustomizationRefs): Array<{ ref: string; field: string; kustomization: boolean }> {
  const out: Array<{ ref: string; field: string; kustomization: boolean }> = [];
  const list = (field: string, values: string[] | undefined, kustomization = false) =>
    values?.forEach((ref, i) => {
      // An inline patch or generator config (multi-line YAML) is not a path.
      if (!ref.includes('\n') && !isRemoteRef(ref)) out.push({ ref, field: `${field}[${i}]`, kustomization });
    });
  list('resources', k.resources, true);
  list('components', k.components, true);
  list('bases', k.bases, true);
  for (const f of [
    'crds',
    'configurations',
    'generators',
    'transformers',
    'validators',
    'patchesStrategicMerge',
  ] as const) {
    list(f, k[f]);
  }
  for (const f of ['patches', 'patchesJson6902', 'replacements'] as const) {
    k[f]?.forEach((p, i) => {
      if (p.path !== undefined) out.push({ ref: p.path, field: `${f}[${i}].path`, kustomization: false });
    });
  }
  for (const f of ['configMapGenerator', 'secretGenerator'] as const) {
    k[f]?.forEach((g, i) => {
      g.files?.forEach((spec, j) => {
        // `key=path` names the key the file's contents get.
        const eq = spec.indexOf('=');
        out.push({
          ref: eq >= 0 ? spec.slice(eq + 1) : spec,
          field: `${f}[${i}].files[${j}]`,
          kustomization: false,
        });
      });
      g.envs?.forEach((ref, j) => {
        out.push({ ref, field: `${f}[${i}].envs[${j}]`, kustomization: false });
      });
      if (g.env !== undefined) out.push({ ref: g.env, field: `${f}[${i}].env`, kustomization: false });
    });
  }
  if (k.openapi?.path !== undefined)
    out.push({ ref: k.openapi.path, field: 'openapi.path', kustomization: false });
  return out;
}

/**
 * Walks the kustomization in `dir` and every local kustomization it reaches through `resources`,
 * `components` and `bases`: parses each (syntax errors name `file:line:col`), confines every local
 * path it names to `root`, and refuses symlinks under each kustomization directory that lead out of
 * `root`. Returns the kustomizations in visit order, `dir`'s first.
 */
export async function walkKustomizations(root: Root, dir: string): Promise<LoadedKustomization[]> {
  const seen = new Set<string>();
  const out: LoadedKustomization[] = [];
  const visit = async (kdir: string): Promise<void> => {
    if (seen.has(kdir)) return;
    seen.add(kdir);
    const file = await kustomizationFileIn(kdir);
    if (!file) {
      throw new SlipwayError(`no kustomization file (${KUSTOMIZATION_FILE_NAMES.join(', ')})`, {
        subject: relative(root.path, kdir) || kdir,
        reason: 'InvalidKustomization',
      });
    }
    const display = relative(root.path, file) || file;
    await confine(root, kdir, file, display);
    await checkSymlinks(root, kdir);
    const k = await loadKustomization(file, display);
    out.push(k);
    for (const { ref, field, kustomization } of localRefs(k.data)) {
      const abs = await confine(root, kdir, ref, `${display}: ${field}`, false);
      if (kustomization && (await isDirectory(abs))) await visit(abs);
    }
  };
  await visit(dir);
  return out;
}
