/**
 * Rendering a source directory into the objects a cluster would receive, the way Argo CD's repo
 * server does it (`reposerver/repository/repository.go`, `util/app/discovery`):
 *
 * - a directory holding `kustomization.yaml`, `kustomization.yml` or `Kustomization` is built with
 *   kustomize (the pinned binary, else `kubectl kustomize`);
 * - otherwise one holding `Chart.yaml` is rendered with `helm template`;
 * - otherwise it is a plain directory of `*.yaml`, `*.yml` and `*.json` manifests, read
 *   non-recursively unless asked (Argo's `directory.recurse`).
 *
 * Output is parsed as YAML 1.1, the dialect kubectl and the API machinery read (`on` is a boolean,
 * `0755` is 493), so the objects are what the cluster will see.
 *
 * @module
 */
import { lstat, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { type Document, LineCounter, parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import { checkSymlinks, confine, isInside, openRoot, type Root } from './confine.ts';
import { kustomizationFileIn, walkKustomizations } from './kustomization.ts';
import { findTool, runTool } from './tools.ts';
import { MAX_ALIAS_COUNT, YAML_11 } from './yaml-edit.ts';

export type SourceType = 'Kustomize' | 'Helm' | 'Directory';

/** Options for {@link renderPath}. */
export interface RenderOptions {
  /** Reads are confined to this directory. Default: the rendered directory itself. */
  root?: string;
  /** Helm `--set key=value` pairs. */
  helmSet?: readonly string[];
  /** Helm values files, relative to the chart directory (as Argo CD's `helm.valueFiles`) or absolute. */
  valuesFiles?: readonly string[];
  /** Helm release name. Default: the chart directory's name. */
  releaseName?: string;
  /** Helm `--namespace`. */
  namespace?: string;
  /** Helm `--set-string key=value` pairs. */
  helmSetString?: readonly string[];
  /** Helm `--set-file key=path`; each path is confined to the root like a values file. */
  helmSetFile?: ReadonlyArray<{ name: string; path: string }>;
  /** Inline Helm values (YAML), passed as the last `--values` file, from a private temporary file. */
  helmValues?: string;
  /** Helm `--include-crds` (Argo CD passes it unless `helm.skipCrds`). Default false, as `helm template`. */
  includeCrds?: boolean;
  /** Helm `--skip-tests`. */
  skipTests?: boolean;
  /** Helm `--skip-schema-validation`. */
  skipSchemaValidation?: boolean;
  /** Helm `--kube-version`. */
  kubeVersion?: string;
  /** Helm `--api-versions`, each. */
  apiVersions?: readonly string[];
  /** Render as this type instead of detecting it (Argo CD's explicit source type). */
  type?: SourceType;
  /** Plain directories: read subdirectories too. Default false, as Argo CD. */
  recursive?: boolean;
  /**
   * Plain directories: whether a manifest file (its path relative to the rendered directory) is
   * read; `directory.include` / `exclude`. Default: every manifest file.
   */
  fileFilter?: (relativePath: string) => boolean;
  /**
   * Plain directories: what to do with `*.jsonnet` files, which Argo CD evaluates. Default `skip`;
   * `error` refuses them (Slipway has no jsonnet evaluator).
   */
  jsonnet?: 'skip' | 'error';
  /** Per tool run. Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Environment for tool lookup and runs. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** What {@link renderPath} produced. */
export interface RenderResult {
  sourceType: SourceType;
  /** The command that rendered it (`kustomize`, `kubectl kustomize`, `helm`), absent for plain directories. */
  tool?: string;
  objects: KubeObject[];
  /** Multi-document YAML: the tool's own output, or the directory's objects serialised. */
  yaml: string;
}

/** Argo CD's source type rules, applied to the directory itself (kustomize wins over Helm). */
export async function detectSourceType(dir: string): Promise<SourceType> {
  if (await kustomizationFileIn(dir)) return 'Kustomize';
  const names = await readdir(dir).catch((err: unknown) => {
    throw new SlipwayError('cannot read the directory', { subject: dir, reason: 'NotFound', cause: err });
  });
  return names.includes('Chart.yaml') ? 'Helm' : 'Directory';
}

/**
 * Renders `dir` and returns the objects and the YAML. Every path read is confined to `options.root`;
 * a kustomization's syntax errors name `file:line:col`; a tool's failure carries its stderr, which
 * names the file it could not handle.
 *
 * @example
 * const { objects } = await renderPath('deploy/apps/my-service/overlays/dev', { root: 'deploy' });
 */
export async function renderPath(dir: string, options: RenderOptions = {}): Promise<RenderResult> {
  const root = await openRoot(options.root ?? dir);
  const abs = await confine(root, process.cwd(), dir, dir);
  const info = await lstat(await realpath(abs));
  if (!info.isDirectory())
    throw new SlipwayError('is not a directory', { subject: dir, reason: 'InvalidPath' });
  const type = options.type ?? (await detectSourceType(abs));
  if (type === 'Kustomize') return renderKustomize(root, abs, options);
  if (type === 'Helm') return renderHelm(root, abs, options);
  return renderDirectory(root, abs, options);
}

async function renderKustomize(root: Root, dir: string, options: RenderOptions): Promise<RenderResult> {
  // The walk (confinement and file:line errors) runs beside the tool rather than before it, to keep
  // it off the critical path; its verdict still wins: a failed walk discards whatever the tool read.
  const walked = walkKustomizations(root, dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  const built = buildKustomize(root, dir, options).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const walkError = await walked;
  if (walkError !== undefined) throw walkError;
  const outcome = await built;
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

async function buildKustomize(root: Root, dir: string, options: RenderOptions): Promise<RenderResult> {
  const env = options.env ?? process.env;
  const run = { cwd: dir, env, ...timing(options) };
  const kustomize = await findTool('kustomize', env);
  let yaml: string;
  let tool: string;
  if (kustomize) {
    tool = 'kustomize';
    yaml = await withSubject(runTool('kustomize build', kustomize, ['build', dir], run), display(root, dir));
  } else {
    const kubectl = await findTool('kubectl', env);
    if (!kubectl) {
      throw new SlipwayError('neither kustomize nor kubectl is installed; run scripts/build-tools.sh', {
        subject: dir,
        reason: 'ToolMissing',
      });
    }
    tool = 'kubectl kustomize';
    yaml = await withSubject(
      runTool('kubectl kustomize', kubectl, ['kustomize', dir], run),
      display(root, dir),
    );
  }
  return { sourceType: 'Kustomize', tool, objects: parseManifests(yaml, `${tool} output for ${dir}`), yaml };
}

async function renderHelm(root: Root, dir: string, options: RenderOptions): Promise<RenderResult> {
  await checkSymlinks(root, dir);
  const env = options.env ?? process.env;
  const helm = await findTool('helm', env);
  if (!helm) {
    throw new SlipwayError('helm is not installed; run scripts/build-tools.sh', {
      subject: dir,
      reason: 'ToolMissing',
    });
  }
  const args = ['template', options.releaseName ?? basename(dir), dir];
  if (options.namespace) args.push('--namespace', options.namespace);
  if (options.kubeVersion) args.push('--kube-version', options.kubeVersion);
  for (const pair of options.helmSet ?? []) {
    if (!pair.includes('=')) {
      throw new SlipwayError(`--helm-set ${JSON.stringify(pair)}: expected key=value`, {
        subject: 'helm-set',
        reason: 'InvalidArgument',
      });
    }
    args.push('--set', pair);
  }
  for (const pair of options.helmSetString ?? []) args.push('--set-string', pair);
  for (const [i, { name, path }] of (options.helmSetFile ?? []).entries()) {
    const file = await confine(root, dir, path, `file parameter [${i}] ${name}`);
    args.push('--set-file', `${name}=${file}`);
  }
  for (const [i, file] of (options.valuesFiles ?? []).entries()) {
    args.push('--values', await confine(root, dir, file, `values file [${i}] ${file}`));
  }
  for (const version of options.apiVersions ?? []) args.push('--api-versions', version);
  if (options.includeCrds) args.push('--include-crds');
  if (options.skipSchemaValidation) args.push('--skip-schema-validation');
  if (options.skipTests) args.push('--skip-tests');
  // Inline values go last (Argo CD's order) from a private file outside the repository.
  let scratch: string | undefined;
  if (options.helmValues !== undefined && options.helmValues !== '') {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-helm-values-'));
    const file = join(scratch, 'values.yaml');
    await writeFile(file, options.helmValues, { mode: 0o600 });
    args.push('--values', file);
  }
  try {
    const yaml = await withSubject(
      runTool('helm template', helm, args, { cwd: dir, env, ...timing(options) }),
      dir,
    );
    return {
      sourceType: 'Helm',
      tool: 'helm',
      objects: parseManifests(yaml, `helm output for ${dir}`),
      yaml,
    };
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

/** The marker Argo CD honours to leave a file out of a directory source. */
const SKIP_MARKER = '+argocd:skip-file-rendering';
const MANIFEST_FILE = /\.(ya?ml|json)$/;

async function renderDirectory(root: Root, dir: string, options: RenderOptions): Promise<RenderResult> {
  const objects: KubeObject[] = [];
  for (const file of await manifestFiles(
    root,
    dir,
    options.recursive ?? false,
    options.jsonnet === 'error',
  )) {
    const display = relative(root.path, file) || file;
    if (options.fileFilter && !options.fileFilter(relative(dir, file))) continue;
    const text = await readFile(file, 'utf8');
    if (text.includes(SKIP_MARKER)) continue;
    if (file.endsWith('.jsonnet')) {
      throw new SlipwayError('jsonnet sources are not supported; render them to YAML or JSON in git', {
        subject: display,
        reason: 'UnsupportedSource',
      });
    }
    if (file.endsWith('.json')) {
      objects.push(...parseJsonManifest(text, display));
      continue;
    }
    try {
      objects.push(...parseManifests(text, display));
    } catch (err) {
      // As Argo CD: a YAML file that fails to parse is an error only when it looks like a resource;
      // other YAML (CI config, docs) in the directory is ignored.
      if (text.includes('apiVersion:') && text.includes('kind:') && text.includes('metadata:')) throw err;
    }
  }
  const yaml = objects.map((o) => stringify(o, { version: '1.1', lineWidth: 0 })).join('---\n');
  return { sourceType: 'Directory', objects, yaml };
}

/** The manifest files of a plain directory in lexical order (Go's `filepath.Walk` order). */
async function manifestFiles(
  root: Root,
  dir: string,
  recursive: boolean,
  withJsonnet = false,
): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive && entry.name !== '.git')
        out.push(...(await manifestFiles(root, path, recursive, withJsonnet)));
      continue;
    }
    if (!MANIFEST_FILE.test(entry.name) && !(withJsonnet && entry.name.endsWith('.jsonnet'))) continue;
    if (entry.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      if (target === undefined) continue; // dangling: Argo CD skips it with a warning
      if (!isInside(root.real, target)) {
        throw new SlipwayError(`is a symlink to ${target}, outside the root ${root.path}`, {
          subject: relative(root.path, path),
          reason: 'PathOutsideRoot',
        });
      }
      if (!(await lstat(target)).isFile()) continue;
    } else if (!entry.isFile()) {
      continue;
    }
    out.push(path);
  }
  return out;
}

/** Any object with an apiVersion and a kind; everything else in it passes through. */
const ObjectShape = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({}).optional(),
});

/**
 * Parses multi-document YAML (a tool's output or a manifest file) into objects. `source` names the
 * input in errors (`source:line:col`). Empty documents are skipped, `kind: *List` documents are
 * expanded into their items, and a document without `apiVersion` and `kind` is an error.
 */
export function parseManifests(text: string, source: string): KubeObject[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { ...YAML_11, prettyErrors: false, lineCounter: lines }) as
    | Document.Parsed[]
    | { empty: true };
  if (!Array.isArray(docs)) return [];
  const out: KubeObject[] = [];
  for (const [index, doc] of docs.entries()) {
    const problem = doc.errors[0];
    if (problem) {
      const { line, col } = lines.linePos(problem.pos[0]);
      throw new SlipwayError(problem.message.split('\n')[0] ?? problem.message, {
        subject: `${source}:${line}:${col}`,
        reason: 'InvalidManifest',
        cause: problem,
      });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      throw new SlipwayError(
        `document ${index + 1} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
        {
          subject: source,
          reason: 'InvalidManifest',
          cause: err,
        },
      );
    }
    if (value === null || value === undefined) continue;
    const where = `${source}:${lines.linePos(doc.range[0]).line}`;
    out.push(...toObjects(value, where));
  }
  return out;
}

function parseJsonManifest(text: string, source: string): KubeObject[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SlipwayError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      subject: source,
      reason: 'InvalidManifest',
      cause: err,
    });
  }
  return toObjects(value, source);
}

function toObjects(value: unknown, where: string): KubeObject[] {
  const parsed = ObjectShape.safeParse(value);
  if (!parsed.success) {
    throw new SlipwayError('is not a Kubernetes object (apiVersion and kind are required)', {
      subject: where,
      reason: 'InvalidManifest',
    });
  }
  const obj = parsed.data as KubeObject;
  if (obj.kind.endsWith('List') && Array.isArray(obj['items'])) {
    return (obj['items'] as unknown[]).flatMap((item, i) => toObjects(item, `${where} items[${i}]`));
  }
  obj.metadata ??= {};
  return [obj];
}

function timing(options: RenderOptions): { timeoutMs?: number; signal?: AbortSignal } {
  return {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** `dir` relative to the root, as errors name it. */
function display(root: Root, dir: string): string {
  return relative(root.path, dir) || dir;
}

async function withSubject<T>(p: Promise<T>, dir: string): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof SlipwayError && err.subject === undefined) {
      throw new SlipwayError(err.message, { subject: dir, reason: err.reason, cause: err.cause });
    }
    throw err;
  }
}

/** Resolves CLI paths (relative to the working directory) for {@link RenderOptions.valuesFiles}. */
export function absoluteValuesFiles(files: readonly string[]): string[] {
  return files.map((f) => resolve(f));
}
