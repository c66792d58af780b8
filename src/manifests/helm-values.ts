/**
 * The Helm side of `slipway image set`: point a chart's values file at a new image, with the same
 * one-line-diff rules as the kustomization edit.
 *
 * Charts keep the image under keys of their own choosing; the defaults are the common
 * `image.repository` / `image.tag` / `image.digest` layout (the one `helm create` generates, and the
 * one Argo CD Image Updater writes, `image.name`/`image.tag` aside). A spec's tag sets the tag key
 * and clears a digest the file already sets; a digest sets the digest key and clears the tag; a new
 * name sets the repository key. `*` leaves that part alone.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { SlipwayError } from '../util/errors.ts';
import { type ImageSpec, PRESERVE } from './image-ref.ts';
import { type FileEditResult, writeIfChanged } from './set-image.ts';
import {
  applyEdits,
  detectMapIndent,
  type EditableYaml,
  insertAfterPair,
  isBlockMap,
  mapColumn,
  parseEditable,
  positionOf,
  replaceScalar,
  scalarText,
  type TextEdit,
  toPlain,
} from './yaml-edit.ts';

/** Where a chart keeps its image. Each is a dot path; `\.` is a literal dot, as in `helm --set`. */
export interface HelmImageKeys {
  /** Default `image.tag`. */
  tag?: string;
  /** Default `image.repository`. */
  repository?: string;
  /** Default `image.digest`. Written only when the spec has a digest, or cleared when the file has one. */
  digest?: string;
}

export const DEFAULT_HELM_IMAGE_KEYS: Required<HelmImageKeys> = {
  tag: 'image.tag',
  repository: 'image.repository',
  digest: 'image.digest',
};

/** Splits `a.b\.c` into `['a', 'b.c']`. */
export function splitKeyPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && path[i + 1] === '.') {
      current += '.';
      i++;
    } else if (ch === '.') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  if (parts.some((p) => p === '')) {
    throw new SlipwayError(`invalid key path ${JSON.stringify(path)}`, {
      subject: 'key',
      reason: 'InvalidArgument',
    });
  }
  return parts;
}

/** The values each key should end with; `undefined` leaves the key alone, `''` clears it. */
function plannedValues(
  spec: ImageSpec,
  keys: Required<HelmImageKeys>,
): Array<[string, string, 'set' | 'clear']> {
  const out: Array<[string, string, 'set' | 'clear']> = [];
  const hasTag = spec.newTag !== undefined && spec.newTag !== PRESERVE;
  const hasDigest = spec.digest !== undefined && spec.digest !== PRESERVE;
  if (spec.newName !== undefined && spec.newName !== PRESERVE)
    out.push([keys.repository, spec.newName, 'set']);
  if (hasTag) out.push([keys.tag, spec.newTag as string, 'set']);
  else if (hasDigest && spec.newTag === undefined) out.push([keys.tag, '', 'clear']);
  if (hasDigest) out.push([keys.digest, spec.digest as string, 'set']);
  else if (hasTag && spec.digest === undefined) out.push([keys.digest, '', 'clear']);
  return out;
}

/**
 * Applies one image spec to the text of a Helm values file and returns the new text; bytes outside
 * the changed lines are identical. Missing keys are added (nested maps included) except a digest key
 * that would only be cleared. Pure: no file access.
 *
 * @example
 * setHelmImage('image:\n  repository: nginx\n  tag: "1.0" # pinned\n', { name: 'x', newTag: '1.1' })
 * // => 'image:\n  repository: nginx\n  tag: "1.1" # pinned\n'
 */
export function setHelmImage(
  source: string,
  spec: ImageSpec,
  keys: HelmImageKeys = {},
  options: { file?: string } = {},
): string {
  const file = options.file ?? 'values.yaml';
  const all = { ...DEFAULT_HELM_IMAGE_KEYS, ...keys };
  const planned = plannedValues(spec, all);
  if (planned.length === 0) {
    throw new SlipwayError(`image ${spec.name}: nothing to set (the spec keeps every part)`, {
      subject: file,
      reason: 'InvalidImageSpec',
    });
  }
  // One key at a time, re-parsing in between: two keys under a parent that does not exist yet
  // (`image.repository` and `image.tag` in an empty file) must share the one `image:` they create.
  let text = source;
  for (const [path, value, mode] of planned) {
    const edit = parseEditable(file, text);
    toPlain(file, edit.doc);
    const root = edit.doc.contents;
    if (root !== null && !isMap(root)) {
      throw new SlipwayError('a values file is a mapping at the top level', {
        subject: positionOf(file, edit.lines, root.range?.[0] ?? 0),
        reason: 'InvalidValues',
      });
    }
    const splice = setPath(edit, splitKeyPath(path), value, mode);
    if (splice) text = applyEdits(text, [splice]);
  }
  return text;
}

/** The splice that gives `path` the string `value`, or undefined when nothing changes. */
function setPath(
  edit: EditableYaml,
  path: string[],
  value: string,
  mode: 'set' | 'clear',
): TextEdit | undefined {
  let map = edit.doc.contents as YAMLMap | null;
  const at = (node: Node | null | undefined) => positionOf(edit.file, edit.lines, node?.range?.[0] ?? 0);
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth] as string;
    const pair =
      map === null
        ? undefined
        : (map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as
            | Pair<Node, Node | null>
            | undefined);
    if (pair === undefined) {
      if (mode === 'clear') return undefined;
      return addPath(edit, map, path.slice(depth), value, path.slice(0, depth));
    }
    const node = pair.value;
    if (depth === path.length - 1) {
      if (isScalar(node) && node.value === value) return undefined;
      if (
        mode === 'clear' &&
        (node === null || (isScalar(node) && (node.value === null || node.value === '')))
      ) {
        return undefined;
      }
      if (isScalar(node) && node.srcToken !== undefined && node.range && node.range[0] < node.range[1]) {
        return replaceScalar(edit.file, edit, node, value);
      }
      throw new SlipwayError(`${path.join('.')} is not a plain value; edit it by hand`, {
        subject: at(node ?? (pair.key as Node)),
        reason: 'UnsupportedYaml',
      });
    }
    if (!isMap(node)) {
      throw new SlipwayError(
        `${path.slice(0, depth + 1).join('.')} is not a map, so ${path.join('.')} cannot be set`,
        {
          subject: at(node ?? (pair.key as Node)),
          reason: 'InvalidValues',
        },
      );
    }
    map = node;
  }
  return undefined;
}

/** The splice that adds the missing tail `rest` of a key path under `map` (null: an empty document). */
function addPath(
  edit: EditableYaml,
  map: YAMLMap | null,
  rest: string[],
  value: string,
  parents: string[],
): TextEdit {
  const step = detectMapIndent(edit);
  const lines = (column: number) =>
    rest
      .map((key, i) => {
        const pad = ' '.repeat(column + i * step);
        return i === rest.length - 1
          ? `${pad}${scalarText(key)}: ${scalarText(value)}\n`
          : `${pad}${scalarText(key)}:\n`;
      })
      .join('');
  if (map === null) {
    const text = lines(0);
    const start = edit.source.length;
    return {
      start,
      end: start,
      text: edit.source !== '' && !edit.source.endsWith('\n') ? `\n${text}` : text,
    };
  }
  const last = map.items[map.items.length - 1];
  if (!isBlockMap(map) || !last) {
    throw new SlipwayError(
      `${parents.join('.') || 'the root'} is a flow-style map; add ${rest.join('.')} by hand`,
      {
        subject: positionOf(edit.file, edit.lines, map.range?.[0] ?? 0),
        reason: 'UnsupportedYaml',
      },
    );
  }
  return insertAfterPair(edit, last, lines(mapColumn(edit, map)));
}

/**
 * Applies `spec` to the values file `file` and writes it back only if the text changed. Returns
 * whether it changed, and the changed lines.
 */
export async function setImageInHelmValues(
  file: string,
  spec: ImageSpec,
  keys: HelmImageKeys = {},
): Promise<FileEditResult> {
  const source = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new SlipwayError('cannot read the values file', { subject: file, reason: 'NotFound', cause: err });
  });
  return writeIfChanged(file, source, setHelmImage(source, spec, keys, { file }));
}
