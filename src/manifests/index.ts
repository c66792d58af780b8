/**
 * Manifests: byte-preserving image edits of kustomizations and Helm values (`kustomize edit set
 * image` semantics), rendering of kustomize / Helm / plain directories the way Argo CD does, and
 * offline verification of a config repository against the pinned Kubernetes and Argo schemas.
 * @module
 */

export type { HelmImageKeys } from './helm-values.ts';
export { DEFAULT_HELM_IMAGE_KEYS, setHelmImage, setImageInHelmValues, splitKeyPath } from './helm-values.ts';
export type { ImageSpec, SplitImage } from './image-ref.ts';
export { formatImage, PRESERVE, parseImageSpec, splitImage } from './image-ref.ts';
export { lineDiff } from './line-diff.ts';
export type { RenderOptions, RenderResult, SourceType } from './render.ts';
export { detectSourceType, parseManifests, renderPath } from './render.ts';
export type { SchemaIssue } from './schema-validator.ts';
export { SchemaValidator } from './schema-validator.ts';
export type { FileEditResult, ImageEntry, SetImagesOptions } from './set-image.ts';
export {
  findKustomizationFile,
  KUSTOMIZATION_FILE_NAMES,
  planImageEntry,
  setImageInKustomization,
  setImages,
} from './set-image.ts';
export type { CheckName, EnvResult, Finding, VerifyOptions, VerifyReport } from './verify-config.ts';
export { verifyConfig } from './verify-config.ts';
export type { ContainerImage } from './workloads.ts';
export { containerImages, isWorkload, unpinnedReason } from './workloads.ts';
