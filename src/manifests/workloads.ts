/**
 * The containers of rendered workloads, and the rule that every one of them runs a pinned image.
 *
 * The seed's rule (Step 3): every build has a unique, traceable tag, and `:latest` "should never be
 * referenced in deployment manifests". An image with no tag means `:latest` to the kubelet, so it
 * breaks the rule the same way.
 *
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { describeRef } from '../kube/types.ts';
import { splitImage } from './image-ref.ts';

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Rollout: ['spec', 'template', 'spec'],
};

/** One container of a rendered workload. */
export interface ContainerImage {
  /** `Kind/namespace/name` of the workload. */
  workload: string;
  /** `containers` or `initContainers`. */
  list: 'containers' | 'initContainers';
  container: string;
  /** Field path of the image, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
  /** The same path as keys and indices. */
  segments: Array<string | number>;
  image: string;
  name: string;
  tag: string;
  digest: string;
}

function at(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** True for the kinds whose containers Slipway checks (Argo Rollouts included, by group). */
export function isWorkload(obj: KubeObject): boolean {
  if (obj.kind === 'Rollout') return obj.apiVersion.startsWith('argoproj.io/');
  return obj.kind in POD_SPEC_PATHS && !obj.apiVersion.startsWith('argoproj.io/');
}

/** Every container and init container of a workload, with its image split into name/tag/digest. */
export function containerImages(obj: KubeObject): ContainerImage[] {
  if (!isWorkload(obj)) return [];
  const specPath = POD_SPEC_PATHS[obj.kind] ?? [];
  const spec = at(obj, specPath);
  const out: ContainerImage[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = at(spec, [list]);
    if (!Array.isArray(containers)) continue;
    containers.forEach((c: unknown, i) => {
      const container = c as { name?: unknown; image?: unknown };
      const image = typeof container.image === 'string' ? container.image : '';
      out.push({
        workload: describeRef({ kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace }),
        list,
        container: typeof container.name === 'string' ? container.name : `#${i}`,
        path: `${[...specPath, list].join('.')}[${i}].image`,
        segments: [...specPath, list, i, 'image'],
        image,
        ...splitImage(image),
      });
    });
  }
  return out;
}

/** Why an image is not pinned, or undefined when it carries a tag other than `latest` or a digest. */
export function unpinnedReason(image: Pick<ContainerImage, 'image' | 'tag' | 'digest'>): string | undefined {
  if (image.image === '') return 'has no image';
  if (image.digest !== '') return undefined;
  if (image.tag === '')
    return `image ${JSON.stringify(image.image)} has no tag or digest (the kubelet would pull :latest)`;
  if (image.tag === 'latest') return `image ${JSON.stringify(image.image)} uses the :latest tag`;
  return undefined;
}
