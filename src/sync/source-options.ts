/**
 * An Application's source options (`source.kustomize`, `source.helm`, `source.directory`) turned
 * into what the renderers run, with Argo CD's semantics (`util/kustomize/kustomize.go` `Build`,
 * `reposerver/repository/repository.go` `helmTemplate` and `getPotentiallyValidManifestFile`,
 * `util/helm/cmd.go` `template`). Everything here is pure: the effects live in `source-render.ts`.
 *
 * - Kustomize options become the `kustomize edit` commands Argo CD runs, in its order (name
 *   prefix, name suffix, images, replicas, common labels, common annotations, namespace, then
 *   inline patches appended to the kustomization, then components).
 * - Helm options become `helm template` flags: release name (default: the app's name), namespace
 *   (default: the destination's), value files, inline values (`valuesObject` wins over `values`),
 *   `--set` / `--set-string` / `--set-file` and `--include-crds` unless `skipCrds`.
 * - Directory options become a file filter (`include`/`exclude` globs matched against the path
 *   relative to the source path, as `glob.Match` does without separators).
 *
 * Values that Argo CD expands with its build environment (`$ARGOCD_APP_NAME`, `${ARGOCD_APP_REVISION}`,
 * ...) are expanded the same way (`Env.Envsubst`, Go's `os.Expand`): images, common labels, Helm
 * parameters and paths always; common annotations only with `commonAnnotationsEnvsubst`.
 * @module
 */
import { isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { SlipwayError } from '../util/errors.ts';
import type { ApplicationSource } from './application.ts';

/** How a source is rendered. */
export type SourceKind = 'Kustomize' | 'Helm' | 'Directory';

/**
 * The type the source's option block names (`ApplicationSource.ExplicitType`): it wins over
 * detection, as in Argo CD. Undefined without a block.
 * @throws SlipwayError for `source.plugin` (config management plugins are not supported) and for
 *   more than one block.
 */
export function explicitSourceType(source: ApplicationSource): SourceKind | undefined {
  const types: SourceKind[] = [];
  if (source.kustomize !== undefined) types.push('Kustomize');
  if (source.helm !== undefined) types.push('Helm');
  if (source.directory !== undefined) types.push('Directory');
  if (source.plugin !== undefined) {
    throw new SlipwayError('config management plugins are not supported', {
      subject: 'spec.source.plugin',
      reason: 'UnsupportedSource',
    });
  }
  if (types.length > 1) {
    throw new SlipwayError(`multiple application sources defined: ${types.join(',')}`, {
      subject: 'spec.source',
      reason: 'InvalidSpec',
    });
  }
  return types[0];
}

// ---- the build environment -------------------------------------------------------------------

/** What the build environment is made of. */
export interface BuildContext {
  /** The Application's instance name (`ARGOCD_APP_NAME`, and Helm's default release name). */
  appName: string;
  /** `spec.destination.namespace` (`ARGOCD_APP_NAMESPACE`, and Helm's default namespace). */
  namespace: string;
  /** The project (`ARGOCD_APP_PROJECT_NAME`). */
  project?: string | undefined;
}

/**
 * Argo CD's build environment (`newEnv`): the variables `$VAR` and `${VAR}` in options expand to.
 * @example buildEnv(source, 'abcdef0123', { appName: 'guestbook', namespace: 'web' }).ARGOCD_APP_REVISION_SHORT // 'abcdef0'
 */
export function buildEnv(
  source: ApplicationSource,
  revision: string,
  context: BuildContext,
): Record<string, string> {
  return {
    ARGOCD_APP_NAME: context.appName,
    ARGOCD_APP_NAMESPACE: context.namespace,
    ARGOCD_APP_PROJECT_NAME: context.project ?? 'default',
    ARGOCD_APP_REVISION: revision,
    ARGOCD_APP_REVISION_SHORT: revision.slice(0, 7),
    ARGOCD_APP_REVISION_SHORT_8: revision.slice(0, 8),
    ARGOCD_APP_SOURCE_REPO_URL: source.repoURL,
    ARGOCD_APP_SOURCE_PATH: source.path ?? '',
    ARGOCD_APP_SOURCE_TARGET_REVISION: source.targetRevision ?? '',
  };
}

const SPECIAL = new Set([
  '*',
  '#',
  '$',
  '@',
  '!',
  '?',
  '-',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
]);
const NAME_CHAR = /[A-Za-z0-9_]/;

/**
 * Expands `$NAME` and `${NAME}` as Argo CD's `Env.Envsubst` does (Go's `os.Expand`): unknown names
 * become empty, `$$` is a literal `$`, a `$` not followed by a name stays, and bad syntax (`${}`,
 * an unclosed `${`) is eaten.
 * @example envsubst('app-${ARGOCD_APP_NAME}-$X $$ $', { ARGOCD_APP_NAME: 'web' }) // 'app-web- $ $'
 */
export function envsubst(text: string, env: Readonly<Record<string, string>>): string {
  const lookup = (name: string) => (name === '$' ? '$' : (env[name] ?? ''));
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '$' || i + 1 >= text.length) {
      out += c;
      i++;
      continue;
    }
    const rest = text.slice(i + 1);
    const [name, width] = shellName(rest);
    if (name === '' && width > 0) {
      // Bad syntax: the characters are eaten.
    } else if (name === '') out += '$';
    else out += lookup(name);
    i += 1 + width;
  }
  return out;
}

/** Go's `getShellName`: the name after a `$` and how many characters it spans. */
function shellName(s: string): [string, number] {
  if (s[0] === '{') {
    if (s.length > 2 && SPECIAL.has(s[1] as string) && s[2] === '}') return [s[1] as string, 3];
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '}') return i === 1 ? ['', 2] : [s.slice(1, i), i + 1];
    }
    return ['', 1];
  }
  if (SPECIAL.has(s[0] as string)) return [s[0] as string, 1];
  let i = 0;
  while (i < s.length && NAME_CHAR.test(s[i] as string)) i++;
  return [s.slice(0, i), i];
}

// ---- kustomize -------------------------------------------------------------------------------

type KustomizeOptions = NonNullable<ApplicationSource['kustomize']>;

/** What to do to a copy of a kustomization before `kustomize build`. */
export interface KustomizeEdits {
  /** `kustomize edit ...` argument lists, run in order in the kustomization's directory. */
  commands: string[][];
  /** Inline patches to append to the kustomization's `patches` (no `kustomize edit` for these). */
  patches: unknown[];
  /** Options Slipway accepts but does not act on, each with why (shown as a note). */
  ignored: string[];
}

/**
 * The edits Argo CD makes for `source.kustomize` (`kustomize.Build`), in its order. `env` is the
 * build environment ({@link buildEnv}).
 * @throws SlipwayError naming `spec.source.kustomize.replicas[i].count` when a count is not an integer.
 * @example kustomizeEdits({ namePrefix: 'dev-', images: ['nginx:1.27'] }, env).commands
 *   // [['edit', 'set', 'nameprefix', '--', 'dev-'], ['edit', 'set', 'image', 'nginx:1.27']]
 */
export function kustomizeEdits(
  options: KustomizeOptions | undefined,
  env: Readonly<Record<string, string>>,
): KustomizeEdits {
  const commands: string[][] = [];
  const ignored: string[] = [];
  if (options === undefined) return { commands, patches: [], ignored };
  if (options.namePrefix) commands.push(['edit', 'set', 'nameprefix', '--', options.namePrefix]);
  if (options.nameSuffix) commands.push(['edit', 'set', 'namesuffix', '--', options.nameSuffix]);
  if (options.images && options.images.length > 0) {
    commands.push(['edit', 'set', 'image', ...options.images.map((image) => envsubst(image, env))]);
  }
  if (options.replicas && options.replicas.length > 0) {
    const args = options.replicas.map((r, i) => `${r.name}=${replicaCount(r.count, i)}`);
    commands.push(['edit', 'set', 'replicas', ...args]);
  }
  const labels = options.commonLabels ?? {};
  if (Object.keys(labels).length > 0) {
    const args = ['edit', 'add', 'label'];
    if (options.forceCommonLabels) args.push('--force');
    if (options.labelWithoutSelector) args.push('--without-selector');
    if (options.labelIncludeTemplates) args.push('--include-templates');
    commands.push([...args, ...editAddArgs(labels, (v) => envsubst(v, env))]);
  }
  const annotations = options.commonAnnotations ?? {};
  if (Object.keys(annotations).length > 0) {
    const args = ['edit', 'add', 'annotation'];
    if (options.forceCommonAnnotations) args.push('--force');
    const value = options.commonAnnotationsEnvsubst ? (v: string) => envsubst(v, env) : (v: string) => v;
    commands.push([...args, ...editAddArgs(annotations, value)]);
  }
  if (options.namespace) commands.push(['edit', 'set', 'namespace', '--', options.namespace]);
  const patches = options.patches ?? [];
  if (options.components && options.components.length > 0) {
    if (options.ignoreMissingComponents) {
      ignored.push('ignoreMissingComponents: every listed component must exist');
    }
    commands.push(['edit', 'add', 'component', ...options.components]);
  }
  if (options.version) {
    ignored.push(`version ${options.version}: Slipway runs its one pinned kustomize`);
  }
  if (options.kubeVersion || (options.apiVersions?.length ?? 0) > 0) {
    ignored.push('kubeVersion/apiVersions: only used for Helm charts inflated by kustomize');
  }
  return { commands, patches, ignored };
}

/** `key:value` arguments of `kustomize edit add label|annotation`, sorted (`mapToEditAddArgs`). */
function editAddArgs(map: Readonly<Record<string, string>>, value: (v: string) => string): string[] {
  return Object.entries(map)
    .map(([k, v]) => `${k}:${value(v)}`)
    .sort();
}

/** `KustomizeReplica.GetIntCount`: an integer, or a string holding one. */
function replicaCount(count: number | string, index: number): number {
  if (typeof count === 'number') return count;
  if (/^[+-]?\d+$/.test(count.trim())) return Number(count.trim());
  throw new SlipwayError(`expected integer value for count. Received: ${count}`, {
    subject: `spec.source.kustomize.replicas[${index}].count`,
    reason: 'InvalidSpec',
  });
}

/**
 * A kustomization's text with inline `patches` appended to its `patches` list (created when
 * absent), as Argo CD rewrites the file for `kustomize.patches`. Comments and the rest of the file
 * are kept. `file` names the kustomization in errors.
 * @example withKustomizePatches('resources: [a.yaml]\n', [{ patch: '...' }], 'kustomization.yaml')
 */
export function withKustomizePatches(text: string, patches: readonly unknown[], file: string): string {
  if (patches.length === 0) return text;
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new SlipwayError(`failed to unmarshal kustomization: ${doc.errors[0]?.message ?? ''}`, {
      subject: file,
      reason: 'InvalidManifest',
    });
  }
  const root = doc.toJS() as unknown;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new SlipwayError('expected the kustomization to be a map', {
      subject: file,
      reason: 'InvalidManifest',
    });
  }
  const existing = (root as Record<string, unknown>)['patches'];
  if (existing !== undefined && existing !== null && !Array.isArray(existing)) {
    throw new SlipwayError("expected 'patches' to be a list", { subject: file, reason: 'InvalidManifest' });
  }
  if (Array.isArray(existing)) for (const patch of patches) doc.addIn(['patches'], patch);
  else doc.set('patches', doc.createNode([...patches]));
  return doc.toString();
}

// ---- helm ------------------------------------------------------------------------------------

type HelmOptions = NonNullable<ApplicationSource['helm']>;

/** The `helm template` inputs for an Application (`helmTemplate`). Paths are as the user wrote them. */
export interface HelmTemplatePlan {
  releaseName: string;
  namespace: string;
  /** Value files, relative to the chart directory, or absolute meaning relative to the repository root. */
  valueFiles: string[];
  /** Skip value files that do not exist (`ignoreMissingValueFiles`). */
  ignoreMissingValueFiles: boolean;
  /** Inline values (YAML): `valuesObject` if set, else `values`; undefined when empty. */
  values: string | undefined;
  /** `name=value` for `--set`, values expanded and commas escaped. */
  set: string[];
  /** `name=value` for `--set-string`. */
  setString: string[];
  /** `--set-file` parameters: name and path (expanded). */
  setFile: Array<{ name: string; path: string }>;
  includeCrds: boolean;
  skipTests: boolean;
  skipSchemaValidation: boolean;
  kubeVersion: string | undefined;
  apiVersions: string[];
  /** Options Slipway accepts but does not act on, each with why. */
  ignored: string[];
}

/**
 * Resolves `source.helm` into `helm template` inputs with Argo CD's defaults: release name = the
 * app's name, namespace = the destination's, CRDs included unless `skipCrds`. A later parameter
 * with the same name wins (Argo keeps them in a map).
 * @example helmTemplatePlan({ parameters: [{ name: 'a', value: 'x,y' }] }, ctx, env).set // ['a=x\\,y']
 */
export function helmTemplatePlan(
  helm: HelmOptions | undefined,
  context: BuildContext,
  env: Readonly<Record<string, string>>,
): HelmTemplatePlan {
  const set = new Map<string, string>();
  const setString = new Map<string, string>();
  for (const p of helm?.parameters ?? []) {
    const name = p.name ?? '';
    (p.forceString ? setString : set).set(name, p.value ?? '');
  }
  const setFile = new Map<string, string>();
  for (const p of helm?.fileParameters ?? []) setFile.set(p.name ?? '', envsubst(p.path ?? '', env));
  const ignored: string[] = [];
  if (helm?.passCredentials) ignored.push('passCredentials: charts come from git, there is nothing to pass');
  if (helm?.version) ignored.push(`version ${helm.version}: Slipway runs its one pinned helm`);
  return {
    // The release name is the app's name without the `<namespace>_` of its instance name.
    releaseName: helm?.releaseName || context.appName.slice(context.appName.indexOf('_') + 1),
    namespace: helm?.namespace || context.namespace,
    valueFiles: (helm?.valueFiles ?? []).map((f) => envsubst(f, env)),
    ignoreMissingValueFiles: helm?.ignoreMissingValueFiles ?? false,
    values: inlineValues(helm),
    set: [...set].map(([k, v]) => `${k}=${cleanSetParameter(envsubst(v, env))}`),
    setString: [...setString].map(([k, v]) => `${k}=${cleanSetParameter(envsubst(v, env))}`),
    setFile: [...setFile].map(([name, path]) => ({ name, path })),
    includeCrds: !(helm?.skipCrds ?? false),
    skipTests: helm?.skipTests ?? false,
    skipSchemaValidation: helm?.skipSchemaValidation ?? false,
    kubeVersion: helm?.kubeVersion || undefined,
    apiVersions: helm?.apiVersions ?? [],
    ignored,
  };
}

/** `ValuesYAML`: `valuesObject` as YAML when set, else the `values` string; undefined when empty. */
function inlineValues(helm: HelmOptions | undefined): string | undefined {
  if (helm === undefined) return undefined;
  if (helm.valuesObject !== undefined) return JSON.stringify(helm.valuesObject);
  return helm.values ? helm.values : undefined;
}

/**
 * Escapes commas in a `--set` value so Helm does not split it (`cleanSetParameters`): a value in
 * braces is a Helm list and kept; an already escaped comma stays as it is.
 * @example [cleanSetParameter('a,b'), cleanSetParameter('{a,b}'), cleanSetParameter('a\\,b')] // ['a\\,b', '{a,b}', 'a\\,b']
 */
export function cleanSetParameter(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  let out = '';
  let previous = '';
  for (const c of value) {
    out += c === ',' && previous !== '\\' ? '\\,' : c;
    previous = c;
  }
  return out;
}

/**
 * Where a Helm value file lives, as an absolute path: relative to the chart directory, or, when
 * absolute, relative to the repository root (`ResolveValueFilePathOrUrl`). URLs are refused: Slipway
 * renders from git only. Confinement to the repository is checked when the file is read.
 * @example resolveHelmFilePath('/envs/dev.yaml', '/repo/charts/web', '/repo', 'valueFiles[0]') // '/repo/envs/dev.yaml'
 */
export function resolveHelmFilePath(
  file: string,
  chartDir: string,
  repoRoot: string,
  subject: string,
): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(file)) {
    throw new SlipwayError(`remote value files are not supported (${file}); keep them in the repository`, {
      subject,
      reason: 'UnsupportedSource',
    });
  }
  return isAbsolute(file) ? join(repoRoot, file) : resolve(chartDir, file);
}

// ---- directory -------------------------------------------------------------------------------

type DirectoryOptions = NonNullable<ApplicationSource['directory']>;

/**
 * The file filter of `directory.include` / `exclude` (exclude wins), matched against the path
 * relative to the source path with Argo CD's globs (`*` crosses `/`; `{a,b}` alternatives).
 * Undefined when there is nothing to filter.
 * @example directoryFilter({ include: '{config.yaml,env-usw2/*}' })?.('env-usw2/a.yaml') // true
 */
export function directoryFilter(
  options: DirectoryOptions | undefined,
): ((path: string) => boolean) | undefined {
  const include = options?.include ?? '';
  const exclude = options?.exclude ?? '';
  if (include === '' && exclude === '') return undefined;
  return (path) => {
    if (exclude !== '' && globMatch(exclude, path)) return false;
    if (include !== '' && !globMatch(include, path)) return false;
    return true;
  };
}

/**
 * Refuses directory options Slipway cannot honour: jsonnet parameters (`extVars`, `tlas`, `libs`)
 * mean the source is jsonnet, which Slipway does not evaluate. An empty `jsonnet: {}` (what the
 * UI writes) is fine.
 */
export function checkDirectoryOptions(options: DirectoryOptions | undefined): void {
  const jsonnet = options?.jsonnet;
  if (jsonnet === undefined) return;
  const used = (['extVars', 'tlas', 'libs'] as const).filter((k) => (jsonnet[k]?.length ?? 0) > 0);
  if (used.length > 0) {
    throw new SlipwayError(`jsonnet is not supported (${used.join(', ')} given)`, {
      subject: 'spec.source.directory.jsonnet',
      reason: 'UnsupportedSource',
    });
  }
}

/**
 * Argo CD's `glob.Match` without separators (gobwas/glob): `*` and `**` any run (crossing `/`),
 * `?` one character, `[abc]`, `[!a-z]` classes, `{a,b*}` alternatives that may hold patterns
 * themselves, `\\` escapes the next character. A pattern that does not compile matches nothing.
 * @example globMatch('{config.yaml,env-usw2/*}', 'env-usw2/a/b.yaml') // true
 */
export function globMatch(pattern: string, text: string): boolean {
  let source: string;
  try {
    const [re, end] = globToRegExp(pattern, 0, false);
    if (end !== pattern.length) return false;
    source = re;
  } catch {
    return false;
  }
  return new RegExp(`^${source}$`, 's').test(text);
}

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** Translates from `start` up to the end (or, inside braces, up to the closing `}`). */
function globToRegExp(pattern: string, start: number, inBraces: boolean): [string, number] {
  let re = '';
  let i = start;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (inBraces && (c === ',' || c === '}')) return [re, i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new Error('dangling escape');
      re += next.replace(REGEXP_SPECIAL, '\\$&');
      i += 2;
    } else if (c === '*') {
      re += '.*';
      while (pattern[i] === '*') i++;
    } else if (c === '?') {
      re += '.';
      i++;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new Error('unclosed class');
      const body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
      re += `[${negated ? '^' : ''}${chars}]`;
      i = end + 1;
    } else if (c === '{') {
      const alternatives: string[] = [];
      i++;
      for (;;) {
        const [alt, end] = globToRegExp(pattern, i, true);
        alternatives.push(alt);
        if (pattern[end] === '}') {
          i = end + 1;
          break;
        }
        if (pattern[end] !== ',') throw new Error('unclosed alternatives');
        i = end + 1;
      }
      re += `(?:${alternatives.join('|')})`;
    } else {
      re += c.replace(REGEXP_SPECIAL, '\\$&');
      i++;
    }
  }
  if (inBraces) throw new Error('unclosed alternatives');
  return [re, i];
}

// ---- cache keys ------------------------------------------------------------------------------

/**
 * The render cache key of a source at a commit: repository, commit, path and every option block,
 * with object keys sorted so equal options give equal keys. `context` is part of the key only when
 * given (renders that depend on the app: Helm, or options with `$` expansions).
 */
export function renderCacheKey(source: ApplicationSource, revision: string, context?: BuildContext): string {
  return stableJson([
    source.repoURL,
    revision,
    source.path ?? '',
    source.kustomize ?? null,
    source.helm ?? null,
    source.directory ?? null,
    context === undefined ? null : [context.appName, context.namespace, context.project ?? ''],
  ]);
}

/** JSON with object keys sorted. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

/**
 * Whether rendering `source` depends on the app beyond the source itself: a Helm chart (release
 * name, namespace) or any `$` expansion in the options. Decided after the type is known.
 */
export function dependsOnApp(source: ApplicationSource, type: SourceKind): boolean {
  if (type === 'Helm') return true;
  return JSON.stringify([source.kustomize ?? null, source.directory ?? null]).includes('$');
}
