/**
 * Reading and writing the watched image in an overlay's kustomization. The overlay is the only
 * record of what a watch chose: each poll reads it from the config repository's head, so a
 * restarted watch (or a second replica) continues from what is actually released.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import type { ImageSpec } from '../manifests/image-ref.ts';
import { findKustomizationFile } from '../manifests/set-image.ts';
import { type OverlayEdit, imageEdit as releaseImageEdit } from '../release/index.ts';
import { SlipwayError } from '../util/errors.ts';
import type { ImageChoice } from './policy.ts';

const ImageEntrySchema = z.object({
  name: z.string(),
  newName: z.string().optional(),
  newTag: z.union([z.string(), z.number()]).optional(),
  digest: z.string().optional(),
});

/** What an overlay's `images:` entry says about one image. */
export interface OverlayImage {
  newName?: string;
  tag?: string;
  digest?: string;
}

/**
 * The `images:` entry named `name` in a kustomization's text, or undefined when there is none.
 * @throws SlipwayError naming `file` when the text is not YAML or `images` is not a list of entries.
 * @example readOverlayImage('images:\n- name: app\n  newTag: "1.2.3"\n', 'app') // { tag: '1.2.3' }
 */
export function readOverlayImage(
  text: string,
  name: string,
  file = 'kustomization.yaml',
): OverlayImage | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new SlipwayError(`not valid YAML: ${doc.errors[0]?.message ?? ''}`, {
      subject: file,
      reason: 'InvalidKustomization',
    });
  }
  const root = doc.contents;
  if (root === null) return undefined;
  if (!isMap(root))
    throw new SlipwayError('a kustomization is a mapping', { subject: file, reason: 'InvalidKustomization' });
  const images = root.get('images', true);
  if (images === undefined || images === null) return undefined;
  if (!isSeq(images)) {
    throw new SlipwayError('images must be a list', {
      subject: `${file}: images`,
      reason: 'InvalidKustomization',
    });
  }
  for (const [i, item] of images.items.entries()) {
    const plain: unknown = isMap(item) ? item.toJSON() : item;
    const parsed = ImageEntrySchema.safeParse(plain);
    if (!parsed.success) {
      throw new SlipwayError(z.prettifyError(parsed.error), {
        subject: `${file}: images[${i}]`,
        reason: 'InvalidKustomization',
      });
    }
    if (parsed.data.name !== name) continue;
    const out: OverlayImage = {};
    if (parsed.data.newName !== undefined) out.newName = parsed.data.newName;
    if (parsed.data.newTag !== undefined) {
      // `newTag: 1.10` is a number to YAML; the tag is the text as written, not "1.1".
      const node = isMap(item) ? item.get('newTag', true) : undefined;
      out.tag = isScalar(node) && typeof node.source === 'string' ? node.source : String(parsed.data.newTag);
    }
    if (parsed.data.digest !== undefined) out.digest = parsed.data.digest;
    return out;
  }
  return undefined;
}

/** The overlay's value in the form a choice is written: `tag` or `tag@digest` (undefined when unset). */
export function overlayValue(image: OverlayImage | undefined): string | undefined {
  if (!image?.tag && !image?.digest) return undefined;
  return image.digest ? `${image.tag ?? ''}@${image.digest}` : image.tag;
}

/** What the edit saw and did, filled in by {@link imageEdit} on each attempt. */
export interface EditObservation {
  /** The overlay's value before the edit (`tag` or `tag@digest`), if the entry had one. */
  previous?: string;
  file?: string;
}

/**
 * The release edit that writes `choice` into the overlay at `overlayPath` as the kustomize image
 * entry `entryName` → `imageName:tag[@digest]` (a tag alone clears an old digest, as kustomize's
 * `edit set image` does). It reports `changed: false` when the overlay already says this, so a
 * poll that chose the same image commits nothing.
 */
export function imageEdit(
  overlayPath: string,
  entryName: string,
  imageName: string,
  choice: ImageChoice,
  observed: EditObservation,
): OverlayEdit {
  const spec: ImageSpec = { name: entryName, newName: imageName, newTag: choice.tag };
  if (choice.digest) spec.digest = choice.digest;
  const write = releaseImageEdit(overlayPath, spec);
  return async (worktree) => {
    // Called on every attempt of the release, so `previous` is what the branch head said.
    const file = await findKustomizationFile(join(worktree, overlayPath));
    const before = readOverlayImage(await readFile(file, 'utf8'), entryName, relative(worktree, file));
    const previous = overlayValue(before);
    if (previous === undefined) delete observed.previous;
    else observed.previous = previous;
    observed.file = file;
    return write(worktree);
  };
}
