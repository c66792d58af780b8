/**
 * The release edit of the seed's CI step: `kustomize edit set image` on one overlay, and the
 * values its commit message is made from.
 * @module
 */
import { join, posix } from 'node:path';
import { formatImage, type ImageSpec, PRESERVE, setImageInKustomization } from '../manifests/index.ts';
import type { MessageVars } from './message.ts';
import type { OverlayEdit } from './release.ts';

/**
 * An {@link OverlayEdit} that sets `spec` in the kustomization of `path` (byte-preserving, see the
 * manifests module). `path` must already be normalized (`normalizeOverlayPath`).
 * @example imageEdit('apps/my-service/overlays/dev', parseImageSpec('my-service=ghcr.io/myorg/my-service:abc1234'))
 */
export function imageEdit(path: string, spec: ImageSpec): OverlayEdit {
  return async (worktreeDir) => {
    const { changed } = await setImageInKustomization(join(worktreeDir, path), spec);
    return { changed, description: `set image ${describeSpec(spec)} in ${path}` };
  };
}

/**
 * The message values for a release of `spec`: the service is the last segment of the image's
 * name in the overlay, the tag falls back to the digest, and a part kept with `*` shows as `*`.
 * @example imageMessageVars(parseImageSpec('my-service=ghcr.io/myorg/my-service:abc1234'), 'apps/my-service/overlays/dev', 'main')
 *   // { service: 'my-service', tag: 'abc1234', image: 'ghcr.io/myorg/my-service:abc1234', ... }
 */
export function imageMessageVars(spec: ImageSpec, path: string, branch: string): MessageVars {
  return {
    service: posix.basename(spec.name),
    tag: spec.newTag ?? spec.digest ?? PRESERVE,
    image: formatImage({ name: spec.newName ?? spec.name, tag: spec.newTag, digest: spec.digest }),
    path,
    branch,
  };
}

/** `name=newName:tag@digest`, the spec as the user would write it. */
function describeSpec(spec: ImageSpec): string {
  const target = formatImage({ name: spec.newName ?? '', tag: spec.newTag, digest: spec.digest });
  return spec.newName !== undefined ? `${spec.name}=${target}` : `${spec.name}${target}`;
}
