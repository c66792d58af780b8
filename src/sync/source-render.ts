/**
 * Rendering an Application's source from a checkout with its source options, the way Argo CD's
 * repo server does (`GenerateManifests`): the type its option block names (else detected), then
 * kustomize with `kustomize edit` applied, Helm with the app's parameters, or a plain directory
 * with `include`/`exclude`.
 *
 * Argo CD runs `kustomize edit` inside its checkout; Slipway's checkout is a shared cache, so the
 * edits are made in a scratch copy of the work tree (relative bases keep resolving) that is
 * removed afterwards. The cache is never written.
 * @module
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { KubeObject } from '../kube/types.ts';
import { isDirectory } from '../manifests/confine.ts';
import { kustomizationFileIn } from '../manifests/kustomization.ts';
import { detectSourceType, renderPath } from '../manifests/render.ts';
import { findTool, runTool } from '../manifests/tools.ts';
import { SlipwayError } from '../util/errors.ts';
import type { ApplicationSource } from './application.ts';
import {
  type BuildContext,
  buildEnv,
  checkDirectoryOptions,
  directoryFilter,
  explicitSourceType,
  helmTemplatePlan,
  kustomizeEdits,
  resolveHelmFilePath,
  type SourceKind,
  withKustomizePatches,
} from './source-options.ts';

/** What {@link renderSource} produced. */
export interface SourceRender {
  objects: KubeObject[];
  sourceType: SourceKind;
  /** Options accepted but not acted on, with why. */
  notes: string[];
}

/** Options of {@link renderSource}. */
export interface RenderSourceOptions {
  signal?: AbortSignal | undefined;
  /** Environment for tool lookup and runs. Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Renders `source.path` of the work tree `checkout` (the commit `revision`) with the source's
 * options. Errors name the field (`spec.source.path: ...`, `spec.source.kustomize`) or the file.
 * @throws SlipwayError when the path does not exist, an option is unsupported, or a tool fails.
 */
export async function renderSource(
  checkout: string,
  source: ApplicationSource,
  revision: string,
  context: BuildContext,
  options: RenderSourceOptions = {},
): Promise<SourceRender> {
  try {
    return await renderIn(checkout, source, revision, context, options);
  } catch (err) {
    throw relativeToTree(err, checkout);
  }
}

async function renderIn(
  checkout: string,
  source: ApplicationSource,
  revision: string,
  context: BuildContext,
  options: RenderSourceOptions,
): Promise<SourceRender> {
  const path = source.path || '.';
  checkDirectoryOptions(source.directory);
  const explicit = explicitSourceType(source);
  const dir = join(checkout, path);
  if (!(await isDirectory(dir))) {
    throw new SlipwayError(`no such directory in ${source.repoURL} at ${revision.slice(0, 7)}`, {
      subject: `spec.source.path: ${path}`,
      reason: 'NotFound',
    });
  }
  const type = explicit ?? (await detectSourceType(dir));
  const env = buildEnv(source, revision, context);
  const run = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.env ? { env: options.env } : {}),
  };

  if (type === 'Kustomize') {
    const edits = kustomizeEdits(source.kustomize, env);
    if (edits.commands.length === 0 && edits.patches.length === 0) {
      const result = await renderPath(dir, { root: checkout, type, ...run });
      return { objects: result.objects, sourceType: type, notes: edits.ignored };
    }
    const objects = await withScratchCopy(checkout, async (copy) => {
      const copyDir = join(copy, path);
      await applyKustomizeEdits(copyDir, edits.commands, edits.patches, options);
      return (await renderPath(copyDir, { root: copy, type, ...run })).objects;
    });
    return { objects, sourceType: type, notes: edits.ignored };
  }

  if (type === 'Helm') {
    const plan = helmTemplatePlan(source.helm, context, env);
    const valuesFiles: string[] = [];
    for (const [i, file] of plan.valueFiles.entries()) {
      const abs = resolveHelmFilePath(file, dir, checkout, `spec.source.helm.valueFiles[${i}]`);
      // Missing files are skipped only when asked (`ignoreMissingValueFiles`); otherwise the
      // renderer reports them, naming the file.
      if (plan.ignoreMissingValueFiles && !(await exists(abs))) continue;
      valuesFiles.push(abs);
    }
    const helmSetFile = plan.setFile.map((p, i) => ({
      name: p.name,
      path: resolveHelmFilePath(p.path, dir, checkout, `spec.source.helm.fileParameters[${i}]`),
    }));
    const result = await renderPath(dir, {
      root: checkout,
      type,
      releaseName: plan.releaseName,
      ...(plan.namespace ? { namespace: plan.namespace } : {}),
      valuesFiles,
      helmSet: plan.set,
      helmSetString: plan.setString,
      helmSetFile,
      ...(plan.values !== undefined ? { helmValues: plan.values } : {}),
      includeCrds: plan.includeCrds,
      skipTests: plan.skipTests,
      skipSchemaValidation: plan.skipSchemaValidation,
      ...(plan.kubeVersion ? { kubeVersion: plan.kubeVersion } : {}),
      apiVersions: plan.apiVersions,
      ...run,
    });
    return { objects: result.objects, sourceType: type, notes: plan.ignored };
  }

  const filter = directoryFilter(source.directory);
  const result = await renderPath(dir, {
    root: checkout,
    type,
    recursive: source.directory?.recurse === true,
    jsonnet: 'error',
    ...(filter ? { fileFilter: filter } : {}),
    ...run,
  });
  return { objects: result.objects, sourceType: type, notes: [] };
}

/** Runs `kustomize edit` commands in `dir`, then appends inline patches to its kustomization. */
async function applyKustomizeEdits(
  dir: string,
  commands: readonly string[][],
  patches: readonly unknown[],
  options: RenderSourceOptions,
): Promise<void> {
  const env = options.env ?? process.env;
  if (commands.length > 0) {
    // `kubectl kustomize` has no `edit`: the options need the kustomize binary itself.
    const kustomize = await findTool('kustomize', env);
    if (kustomize === undefined) {
      throw new SlipwayError('kustomize options need the kustomize binary; run scripts/build-tools.sh', {
        subject: 'spec.source.kustomize',
        reason: 'ToolMissing',
      });
    }
    for (const args of commands) {
      try {
        await runTool(`kustomize ${args.slice(0, 3).join(' ')}`, kustomize, args, {
          cwd: dir,
          env,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (err) {
        if (!(err instanceof SlipwayError)) throw err;
        throw new SlipwayError(err.message, {
          subject: 'spec.source.kustomize',
          reason: err.reason,
          cause: err,
        });
      }
    }
  }
  if (patches.length > 0) {
    const file = await kustomizationFileIn(dir);
    if (file === undefined) {
      throw new SlipwayError('kustomization file not found in the path', {
        subject: 'spec.source.kustomize.patches',
        reason: 'NotFound',
      });
    }
    const text = await readFile(file, 'utf8');
    await writeFile(file, withKustomizePatches(text, patches, basename(file)));
  }
}

/** Runs `fn` on a scratch copy of the work tree (without `.git`), removed afterwards. */
async function withScratchCopy<T>(checkout: string, fn: (copy: string) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), 'slipway-source-'));
  const copy = join(scratch, 'tree');
  try {
    // Symlinks are copied as they are, so confinement still judges them against the copy's root.
    await cp(checkout, copy, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => basename(src) !== '.git',
    });
    return await fn(copy);
  } catch (err) {
    throw relativeToTree(err, copy);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/**
 * A tool's error with the work tree's absolute path taken out: messages speak of paths in the
 * repository (`apps/web/missing.yaml`), not of Slipway's cache or scratch folders.
 */
function relativeToTree(err: unknown, tree: string): unknown {
  if (!(err instanceof SlipwayError) || !err.message.includes(tree)) return err;
  const prefix = err.subject === undefined ? '' : `${err.subject}: `;
  const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new SlipwayError(message.replaceAll(`${tree}/`, '').replaceAll(tree, '.'), {
    ...(err.subject !== undefined ? { subject: err.subject.replaceAll(`${tree}/`, '') } : {}),
    reason: err.reason,
    transient: err.transient,
    cause: err.cause,
  });
}
