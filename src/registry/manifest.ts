/**
 * Manifests, indexes and image configs: the media types Slipway accepts and zod schemas for the
 * fields it reads. The raw bytes are always kept alongside, since the digest is over the bytes.
 * @module
 */
import { z } from 'zod';

/** The manifest media types Slipway reads and writes. */
export const MediaType = {
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** The `Accept` header for a manifest fetch: images and indexes, Docker's and OCI's. */
export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.DockerManifest,
].join(', ');

const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.OciIndex, MediaType.DockerManifestList]);
const IMAGE_TYPES: ReadonlySet<string> = new Set([MediaType.OciManifest, MediaType.DockerManifest]);

export const PlatformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
});

export type Platform = z.infer<typeof PlatformSchema>;

export const DescriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  platform: PlatformSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type Descriptor = z.infer<typeof DescriptorSchema>;

export const ImageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type ImageManifest = z.infer<typeof ImageManifestSchema>;

export const ImageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(DescriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type ImageIndex = z.infer<typeof ImageIndexSchema>;

/** The parts of an image config Slipway reads; `created` is an RFC 3339 time. */
export const ImageConfigSchema = z.object({
  created: z.string().optional(),
  architecture: z.string().optional(),
  os: z.string().optional(),
});

export type ImageConfig = z.infer<typeof ImageConfigSchema>;

/** A parsed manifest: a single image or an index of images (multi-arch). */
export type ParsedManifest =
  | { kind: 'image'; manifest: ImageManifest }
  | { kind: 'index'; index: ImageIndex };

/** True when `mediaType` names an index (OCI image index or Docker manifest list). */
export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

/** True when `mediaType` names a single-image manifest. */
export function isImageMediaType(mediaType: string): boolean {
  return IMAGE_TYPES.has(mediaType);
}

/**
 * Parses manifest bytes. The kind comes from the response's content type when it is one of the
 * known ones, else from the body's own `mediaType`, else from its shape (`manifests` vs `config`).
 * Returns a zod error message when the body is not a manifest Slipway understands.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
): { ok: true; value: ParsedManifest; mediaType: string } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    return { ok: false, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const bodyType =
    json && typeof json === 'object' && 'mediaType' in json && typeof json.mediaType === 'string'
      ? json.mediaType
      : undefined;
  const header = contentType?.split(';')[0]?.trim();
  const declared = [header, bodyType].find(
    (t) => t !== undefined && (isIndexMediaType(t) || isImageMediaType(t)),
  );
  const looksLikeIndex = json !== null && typeof json === 'object' && 'manifests' in json;
  const index = declared ? isIndexMediaType(declared) : looksLikeIndex;
  if (index) {
    const parsed = ImageIndexSchema.safeParse(json);
    if (!parsed.success) return { ok: false, error: z.prettifyError(parsed.error) };
    return {
      ok: true,
      value: { kind: 'index', index: parsed.data },
      mediaType: declared ?? MediaType.OciIndex,
    };
  }
  const parsed = ImageManifestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: z.prettifyError(parsed.error) };
  return {
    ok: true,
    value: { kind: 'image', manifest: parsed.data },
    mediaType: declared ?? MediaType.OciManifest,
  };
}
