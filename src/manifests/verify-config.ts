/**
 * `slipway verify config`: the seed's Step 8 ("run kustomize build overlays/dev and confirm the
 * rendered manifests reference the correct image") made into checks for every app and environment
 * of a config repository laid out as the seed's Step 5 shows (`apps/<app>/overlays/<env>`):
 *
 * 1. the overlay renders;
 * 2. it sets a namespace, and every namespaced object it renders is in it;
 * 3. every container and init container of every workload runs a pinned image (a tag other than
 *    `latest`, or a digest);
 * 4. every image the overlay's `images:` declares is the image that renders;
 * 5. every object validates against the Kubernetes or Argo CRD schema of the pinned versions, with
 *    unknown fields refused, and Rollouts pass Argo Rollouts' step rules.
 *
 * Each failure names the file (and line, where one can be found) to fix.
 *
 * @module
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { KubeObject } from '../kube/types.ts';
import { describeRef } from '../kube/types.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { openRoot, type Root } from './confine.ts';
import { formatImage } from './image-ref.ts';
import { type LoadedKustomization, walkKustomizations } from './kustomization.ts';
import { SourceIndex } from './origin.ts';
import { type RenderOptions, renderPath } from './render.ts';
import { rolloutIssues } from './rollout-rules.ts';
import { SchemaValidator } from './schema-validator.ts';
import { type ContainerImage, containerImages, unpinnedReason } from './workloads.ts';

export type CheckName = 'render' | 'namespace' | 'image' | 'schema' | 'rollout';

/** One problem found in one environment. */
export interface Finding {
  severity: 'error' | 'warning';
  check: CheckName;
  /** The file to fix: `path`, `path:line` or `path:line:col`, relative to the config repository. */
  subject: string;
  /** `Kind/namespace/name` of the object concerned, if any. */
  object?: string;
  message: string;
}

/** The verdict for one `apps/<app>/overlays/<env>`. */
export interface EnvResult {
  app: string;
  env: string;
  /** The overlay directory, relative to the config repository. */
  path: string;
  namespace?: string;
  images: Array<Pick<ContainerImage, 'workload' | 'container' | 'image' | 'name' | 'tag' | 'digest'>>;
  ok: boolean;
  findings: Finding[];
}

export interface VerifyReport {
  /** The schema versions validated against. */
  versions: Readonly<Record<string, string>>;
  results: EnvResult[];
  ok: boolean;
}

export interface VerifyOptions {
  /** Only this app. */
  app?: string;
  /** Passed to every render (tool timeouts, environment). */
  render?: Omit<RenderOptions, 'root'>;
  /** A loaded validator to reuse across calls. */
  validator?: SchemaValidator;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Verifies every environment of every app (or of `options.app`) under `dir/apps`. */
export async function verifyConfig(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const root = await openRoot(dir);
  const appsDir = join(root.path, 'apps');
  let apps = await subdirs(appsDir);
  if (apps.length === 0) {
    throw new SlipwayError('has no apps/<app>/overlays/<env> directories', {
      subject: dir,
      reason: 'InvalidConfigRepo',
    });
  }
  if (options.app !== undefined) {
    if (!apps.includes(options.app)) {
      throw new SlipwayError(`no app ${JSON.stringify(options.app)} (apps: ${apps.join(', ')})`, {
        subject: relative(process.cwd(), appsDir) || appsDir,
        reason: 'NotFound',
      });
    }
    apps = [options.app];
  }
  const validator = options.validator ?? (await SchemaValidator.load());
  const results: EnvResult[] = [];
  for (const app of apps) {
    const overlays = join(appsDir, app, 'overlays');
    const envs = await subdirs(overlays);
    if (envs.length === 0) {
      results.push({
        app,
        env: '-',
        path: relative(root.path, overlays),
        images: [],
        ok: false,
        findings: [
          {
            severity: 'error',
            check: 'render',
            subject: relative(root.path, overlays),
            message: 'no overlays',
          },
        ],
      });
      continue;
    }
    for (const env of envs)
      results.push(await verifyEnv(root, app, env, join(overlays, env), validator, options));
  }
  return { versions: validator.versions, results, ok: results.every((r) => r.ok) };
}

async function verifyEnv(
  root: Root,
  app: string,
  env: string,
  overlay: string,
  validator: SchemaValidator,
  options: VerifyOptions,
): Promise<EnvResult> {
  const path = relative(root.path, overlay);
  const result: EnvResult = { app, env, path, images: [], ok: false, findings: [] };
  let kustomizations: LoadedKustomization[];
  let objects: KubeObject[];
  try {
    kustomizations = await walkKustomizations(root, overlay);
    ({ objects } = await renderPath(overlay, { ...options.render, root: root.path }));
  } catch (err) {
    const subject = err instanceof SlipwayError && err.subject ? err.subject : path;
    const message =
      err instanceof SlipwayError && err.subject
        ? err.message.slice(err.subject.length + 2)
        : errorMessage(err);
    result.findings.push({ severity: 'error', check: 'render', subject, message });
    return result;
  }
  const overlayData = kustomizations[0]?.data ?? {};
  if (overlayData.namespace !== undefined) result.namespace = overlayData.namespace;
  const index = await SourceIndex.build(root, kustomizations);
  result.findings.push(
    ...checkNamespace(overlayData.namespace, objects, validator, index),
    ...(await checkImages(overlayData.images ?? [], objects, index, result)),
    ...checkSchemas(objects, validator, index),
  );
  result.ok = result.findings.every((f) => f.severity !== 'error');
  return result;
}

function refOf(obj: KubeObject): string {
  return describeRef({ kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace });
}

function checkNamespace(
  namespace: string | undefined,
  objects: KubeObject[],
  validator: SchemaValidator,
  index: SourceIndex,
): Finding[] {
  if (namespace === undefined || namespace === '') {
    return [
      {
        severity: 'error',
        check: 'namespace',
        subject: index.overlayFile,
        message: 'the overlay sets no namespace (add `namespace: <app>-<env>`)',
      },
    ];
  }
  const out: Finding[] = [];
  for (const obj of objects) {
    // Kinds the schemas do not know are treated as namespaced, as kustomize's namespace transformer does.
    if (validator.kind(obj.apiVersion, obj.kind)?.namespaced === false) continue;
    if (obj.metadata.namespace === namespace) continue;
    out.push({
      severity: 'error',
      check: 'namespace',
      subject: index.locate(obj, ['metadata', 'namespace']),
      object: refOf(obj),
      message: obj.metadata.namespace
        ? `is in namespace ${JSON.stringify(obj.metadata.namespace)}, not the overlay's ${JSON.stringify(namespace)}`
        : `has no namespace; the overlay's is ${JSON.stringify(namespace)}`,
    });
  }
  return out;
}

async function checkImages(
  declared: ReadonlyArray<Record<string, unknown> & { name: string }>,
  objects: KubeObject[],
  index: SourceIndex,
  result: EnvResult,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const containers = objects.flatMap((obj) => containerImages(obj).map((c) => ({ obj, c })));
  for (const { obj, c } of containers) {
    result.images.push({
      workload: c.workload,
      container: c.container,
      image: c.image,
      name: c.name,
      tag: c.tag,
      digest: c.digest,
    });
    const why = unpinnedReason(c);
    if (why === undefined) continue;
    out.push({
      severity: 'error',
      check: 'image',
      subject: (await index.imagesEntry(c.name)) ?? index.locate(obj, c.segments),
      object: c.workload,
      message: `container ${c.container}: ${why}`,
    });
  }
  for (const entry of declared) {
    const name = (typeof entry['newName'] === 'string' && entry['newName']) || entry.name;
    const tag = entry['newTag'] === undefined ? undefined : String(entry['newTag']);
    const digest = typeof entry['digest'] === 'string' ? entry['digest'] : undefined;
    const subject = (await index.imagesEntry(name)) ?? index.overlayFile;
    const using = containers.filter(({ c }) => c.name === name);
    if (using.length === 0) {
      const rendered = [...new Set(containers.map(({ c }) => c.image))].join(', ') || 'none';
      out.push({
        severity: 'error',
        check: 'image',
        subject,
        message: `images entry ${JSON.stringify(entry.name)} matches no container (rendered images: ${rendered})`,
      });
      continue;
    }
    for (const { c } of using) {
      if ((tag !== undefined && c.tag !== tag) || (digest !== undefined && c.digest !== digest)) {
        out.push({
          severity: 'error',
          check: 'image',
          subject,
          object: c.workload,
          message: `container ${c.container} renders ${c.image}, but the overlay declares ${formatImage({ name, tag, digest })}`,
        });
      }
    }
  }
  return out;
}

function checkSchemas(objects: KubeObject[], validator: SchemaValidator, index: SourceIndex): Finding[] {
  const out: Finding[] = [];
  for (const obj of objects) {
    const { known, issues } = validator.validate(obj);
    if (!known) {
      out.push({
        severity: 'warning',
        check: 'schema',
        subject: index.locate(obj),
        object: refOf(obj),
        message: `no schema for ${obj.apiVersion} ${obj.kind}; not validated`,
      });
    }
    for (const issue of issues) {
      out.push({
        severity: 'error',
        check: 'schema',
        subject: index.locate(obj, issue.segments ?? []),
        object: refOf(obj),
        message: `${issue.path}: ${issue.message}`,
      });
    }
    if (obj.kind === 'Rollout' && obj.apiVersion.startsWith('argoproj.io/')) {
      for (const issue of rolloutIssues(obj)) {
        out.push({
          severity: 'error',
          check: 'rollout',
          subject: index.locate(obj, issue.segments ?? []),
          object: refOf(obj),
          message: `${issue.path}: ${issue.message}`,
        });
      }
    }
  }
  return out;
}
