/**
 * `kustomize edit set image`, with the same meaning and a one-line diff.
 *
 * Semantics follow kustomize v5 (`kustomize/commands/edit/set/setimage.go`): a spec replaces the
 * `newName`, `newTag` and `digest` of the entry whose `name` matches (so `app:v2` drops a `newName`
 * the entry had, and a tag clears a digest unless the spec gives both); `*` keeps the entry's value
 * for that part; an entry is added when no name matches; when one call names an image twice, the
 * last spec wins. kustomize also rewrites the whole file (dropping comments, sorting entries and
 * keys); Slipway edits only the lines that change, appends new entries after the existing ones, and
 * leaves keys kustomize does not know untouched.
 *
 * @module
 */
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from 'yaml';
import { SlipwayError } from '../util/errors.ts';
import { type ImageSpec, PRESERVE } from './image-ref.ts';
import { lineDiff } from './line-diff.ts';
import {
  applyEdits,
  detectSeqIndent,
  type EditableYaml,
  insertAfterPair,
  isBlockMap,
  lineEndAfter,
  mapColumn,
  needsQuotes,
  pairLines,
  parseEditable,
  positionOf,
  removePairs,
  replaceScalar,
  stringifyLikeSource,
  type TextEdit,
  toPlain,
} from './yaml-edit.ts';

/** The file names kustomize accepts for a kustomization, in its order of preference. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** An `images:` entry as kustomize reads it. */
export interface ImageEntry {
  name: string;
  newName?: string;
  tagSuffix?: string;
  newTag?: string;
  digest?: string;
}

/** The fields of an entry a spec decides; any other key of the entry is left alone. */
const MANAGED_FIELDS = ['newName', 'newTag', 'digest', 'tagSuffix'] as const;

/**
 * What an entry becomes under `spec`, as kustomize computes it: the spec's parts replace the
 * entry's, `*` keeps the entry's part (or nothing, for a new entry), `tagSuffix` is dropped.
 *
 * @example
 * planImageEntry({ name: 'a', newName: 'reg/a', newTag: 'v1' }, { name: 'a', newTag: 'v2' })
 * // => { name: 'a', newTag: 'v2' }            (kustomize drops newName too)
 * planImageEntry({ name: 'a', newName: 'reg/a', newTag: 'v1' }, { name: 'a', newName: '*', newTag: 'v2' })
 * // => { name: 'a', newName: 'reg/a', newTag: 'v2' }
 */
export function planImageEntry(existing: ImageEntry | undefined, spec: ImageSpec): ImageEntry {
  const pick = (wanted: string | undefined, had: string | undefined): string | undefined =>
    wanted === PRESERVE ? had || undefined : wanted || undefined;
  const out: ImageEntry = { name: spec.name };
  const newName = pick(spec.newName, existing?.newName);
  const newTag = pick(spec.newTag, existing?.newTag);
  const digest = pick(spec.digest, existing?.digest);
  if (newName !== undefined) out.newName = newName;
  if (newTag !== undefined) out.newTag = newTag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** One call's specs with duplicates folded the way kustomize's map does: the last spec per name wins. */
function lastSpecPerName(specs: readonly ImageSpec[]): ImageSpec[] {
  const byName = new Map<string, ImageSpec>();
  for (const spec of specs) byName.set(spec.name, spec);
  return [...byName.values()];
}

/** Options for {@link setImages}. */
export interface SetImagesOptions {
  /** The file the source came from, for error messages. Default `kustomization.yaml`. */
  file?: string;
}

/**
 * Applies `kustomize edit set image` specs to the text of a kustomization and returns the new text.
 * Bytes outside the changed lines are identical to the input. Pure: no file access.
 *
 * Throws a {@link SlipwayError} naming `file:line:col` when the source is not valid YAML, holds more
 * than one document, expands aliases past the limit, or has an `images:` that is not a list of maps.
 *
 * @example
 * setImages('images:\n- name: app\n  newTag: v1 # pinned\n', [{ name: 'app', newTag: 'v2' }])
 * // => 'images:\n- name: app\n  newTag: v2 # pinned\n'
 */
export function setImages(
  source: string,
  specs: readonly ImageSpec[],
  options: SetImagesOptions = {},
): string {
  const file = options.file ?? 'kustomization.yaml';
  if (specs.length === 0) {
    throw new SlipwayError('no image specified', { subject: file, reason: 'InvalidImageSpec' });
  }
  const edit = parseEditable(file, source);
  const before = toPlain(file, edit.doc);
  const root = edit.doc.contents;
  if (root !== null && !isMap(root)) {
    throw new SlipwayError('a kustomization is a mapping at the top level', {
      subject: positionOf(file, edit.lines, root.range?.[0] ?? 0),
      reason: 'InvalidKustomization',
    });
  }
  const existing = readImageEntries(edit);
  const wanted = lastSpecPerName(specs).map((spec) => {
    // kustomize folds duplicate names into one map entry; the first one's parts are what `*` keeps.
    const match = existing.find((e) => e.entry.name === spec.name);
    return { spec, result: planImageEntry(match?.entry, spec) };
  });

  const spliced = spliceImages(edit, existing, wanted);
  const out = spliced ?? structuralEdit(edit, existing, wanted);
  checkOnlyImagesChanged(file, before, out, wanted);
  return out;
}

interface ExistingEntry {
  entry: ImageEntry;
  node: YAMLMap;
}

/** The `images:` entries as kustomize reads them, each with its node. */
function readImageEntries(edit: EditableYaml): ExistingEntry[] {
  const root = edit.doc.contents;
  if (!isMap(root)) return [];
  const images = root.get('images', true) as Node | undefined;
  if (images === undefined || (isScalar(images) && images.value === null)) return [];
  const at = (node: Node | undefined) => positionOf(edit.file, edit.lines, node?.range?.[0] ?? 0);
  if (!isSeq(images)) {
    throw new SlipwayError('images must be a list of {name, newName, newTag, digest}', {
      subject: at(images),
      reason: 'InvalidKustomization',
    });
  }
  return images.items.map((item) => {
    const node = item as Node;
    if (!isMap(node)) {
      throw new SlipwayError('each images entry must be a map with a name', {
        subject: at(node),
        reason: 'InvalidKustomization',
      });
    }
    const entry: Record<string, unknown> = {};
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const value = pair.value as Node | null;
      entry[String(pair.key.value)] = isScalar(value) ? value.value : value;
    }
    const name = entry['name'];
    if (typeof name !== 'string' || name === '') {
      throw new SlipwayError('images entry has no name', {
        subject: at(node),
        reason: 'InvalidKustomization',
      });
    }
    const result: ImageEntry = { name };
    for (const field of MANAGED_FIELDS) {
      const v = entry[field];
      if (v === null || v === undefined || v === '') continue;
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw new SlipwayError(`images entry ${name}: ${field} must be a string`, {
          subject: at(node),
          reason: 'InvalidKustomization',
        });
      }
      result[field] = String(v);
    }
    return { entry: result, node };
  });
}

interface Wanted {
  spec: ImageSpec;
  result: ImageEntry;
}

/**
 * The splices for every wanted entry, or undefined when the file's shape needs the structural
 * fallback (flow-style maps or sequences, an empty `images:`, a root that is not a block map).
 */
function spliceImages(edit: EditableYaml, existing: ExistingEntry[], wanted: Wanted[]): string | undefined {
  const root = edit.doc.contents;
  if (!isBlockMap(root)) return undefined;
  const images = root.get('images', true) as Node | undefined;
  const edits: TextEdit[] = [];
  const added: ImageEntry[] = [];
  for (const w of wanted) {
    const targets = existing.filter((e) => e.entry.name === w.spec.name);
    if (targets.length === 0) {
      added.push(w.result);
      continue;
    }
    // A name listed twice: every copy gets the same fields, so the build result cannot depend on
    // which one kustomize applies first (kustomize itself would fold them into one).
    for (const target of targets) {
      const entryEdits = spliceEntry(edit, target, w.result);
      if (entryEdits === undefined) return undefined;
      edits.push(...entryEdits);
    }
  }
  if (added.length > 0) {
    if (
      images !== undefined &&
      !(isSeq(images) && images.srcToken?.type === 'block-seq' && images.items.length > 0)
    ) {
      return undefined;
    }
    edits.push(appendEntries(edit, root, images as YAMLMap | undefined, added));
  }
  return applyEdits(edit.source, edits);
}

/** The splices that turn one existing entry into `result`, or undefined for a flow-style entry. */
function spliceEntry(edit: EditableYaml, target: ExistingEntry, result: ImageEntry): TextEdit[] | undefined {
  const node = target.node;
  const edits: TextEdit[] = [];
  const adds: Array<[string, string]> = [];
  const removes: number[] = [];
  for (const field of MANAGED_FIELDS) {
    const want = result[field];
    const index = node.items.findIndex((p) => isScalar(p.key) && p.key.value === field);
    const pair = node.items[index];
    if (pair === undefined) {
      if (want !== undefined) adds.push([field, want]);
      continue;
    }
    if (want === undefined) {
      removes.push(index);
      continue;
    }
    const value = pair.value as Node | null;
    // Already right, and a string (a plain `newTag: 1234` is a number to kustomize, so it is rewritten quoted).
    if (isScalar(value) && value.value === want) continue;
    if (isScalar(value) && value.srcToken !== undefined && value.range && value.range[0] < value.range[1]) {
      edits.push(replaceScalar(edit.file, edit, value, want));
      continue;
    }
    // `newTag:` with nothing after it has no token to re-render; write the pair anew.
    removes.push(index);
    adds.push([field, want]);
  }
  if (adds.length === 0 && removes.length === 0) return edits;
  if (!isBlockMap(node)) return undefined;
  edits.push(...removePairs(edit, node, removes));
  if (adds.length > 0) {
    // `name` is never removed, so a surviving pair always exists to insert after.
    const survivors = node.items.filter((_, i) => !removes.includes(i));
    const last = survivors[survivors.length - 1];
    if (!last) return undefined;
    edits.push(insertAfterPair(edit, last, pairLines(mapColumn(edit, node), adds)));
  }
  return edits;
}

/** The order of keys in a new entry: the one the seed and most hand-written files use. */
function entryPairs(entry: ImageEntry): Array<[string, string]> {
  const pairs: Array<[string, string]> = [['name', entry.name]];
  if (entry.newName !== undefined) pairs.push(['newName', entry.newName]);
  if (entry.newTag !== undefined) pairs.push(['newTag', entry.newTag]);
  if (entry.digest !== undefined) pairs.push(['digest', entry.digest]);
  return pairs;
}

/** The text of one `- name: ...` item with the `-` at `dashColumn` and its keys at `keyColumn`. */
function entryLines(dashColumn: number, keyColumn: number, entry: ImageEntry): string {
  const lines = pairLines(keyColumn, entryPairs(entry));
  const gap = Math.max(1, keyColumn - dashColumn - 1);
  return `${' '.repeat(dashColumn)}-${' '.repeat(gap)}${lines.slice(keyColumn)}`;
}

/** The splice that appends new entries to `images:` (or adds `images:` to the root map). */
function appendEntries(
  edit: EditableYaml,
  root: YAMLMap,
  images: YAMLMap | undefined,
  added: ImageEntry[],
): TextEdit {
  if (images !== undefined) {
    // A block sequence's range starts at its first `-`; its first item's keys give the key column.
    const dash = edit.lines.linePos(images.range?.[0] ?? 0).col - 1;
    const firstItem = images.items[0] as unknown as YAMLMap;
    const keys = isBlockMap(firstItem) ? mapColumn(edit, firstItem) : dash + 2;
    const at = lineEndAfter(edit.source, images.range?.[1] ?? edit.source.length);
    const body = added.map((e) => entryLines(dash, keys, e)).join('');
    const text =
      at === edit.source.length && edit.source !== '' && !edit.source.endsWith('\n') ? `\n${body}` : body;
    return { start: at, end: at, text };
  }
  const column = mapColumn(edit, root);
  const dash = column + (detectSeqIndent(edit) ?? 0);
  const body = `${' '.repeat(column)}images:\n${added.map((e) => entryLines(dash, dash + 2, e)).join('')}`;
  const last = root.items[root.items.length - 1];
  if (!last) throw new Error('appendEntries on an empty root map');
  return insertAfterPair(edit, last, body);
}

/** A string node for the Document-API fallback, quoted where kustomize would otherwise read another type. */
function stringNode(edit: EditableYaml, value: string): Scalar {
  const node = edit.doc.createNode(value) as Scalar;
  if (needsQuotes(value)) node.type = 'QUOTE_DOUBLE';
  return node;
}

/**
 * The Document-API fallback for shapes a splice cannot handle. It re-formats the file as
 * `stringifyLikeSource` does; the lines outside `images:` usually survive unchanged, but this is
 * not guaranteed, which is why the splice path is tried first.
 */
function structuralEdit(edit: EditableYaml, existing: ExistingEntry[], wanted: Wanted[]): string {
  const doc = edit.doc;
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  const root = doc.contents as unknown as YAMLMap;
  for (const w of wanted) {
    const targets = existing.filter((e) => e.entry.name === w.spec.name);
    for (const target of targets) {
      for (const field of MANAGED_FIELDS) {
        const want = w.result[field];
        if (want === undefined) target.node.delete(field);
        else target.node.set(field, stringNode(edit, want));
      }
    }
    if (targets.length === 0) {
      const images = root.get('images', true);
      const node = doc.createNode({}) as YAMLMap;
      for (const [k, v] of entryPairs(w.result)) node.set(k, stringNode(edit, v));
      if (isSeq(images)) images.items.push(node);
      else root.set('images', doc.createNode([node]));
    }
  }
  return stringifyLikeSource(edit);
}

/**
 * Re-reads the edited text and checks that the `images:` entries are exactly what was planned and
 * nothing else in the document moved. A failure here is a bug in the splicing, never the user's
 * file, and stops the edit before anything is written.
 */
function checkOnlyImagesChanged(file: string, before: unknown, out: string, wanted: Wanted[]): void {
  const after = toPlain(file, parseEditable(file, out).doc);
  const strip = (v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const { images: _images, ...rest } = v as Record<string, unknown>;
    return rest;
  };
  const fail = (why: string) =>
    new SlipwayError(
      `internal error: the image edit would change more than intended (${why}); nothing was written`,
      {
        subject: file,
        reason: 'InternalError',
      },
    );
  if (!isDeepStrictEqual(strip(before), strip(after))) throw fail('keys outside images');
  const images = (after as Record<string, unknown> | null)?.['images'];
  if (!Array.isArray(images)) throw fail('images is not a list');
  for (const w of wanted) {
    const entries = images.filter((e: Record<string, unknown>) => e?.['name'] === w.spec.name);
    if (entries.length === 0) throw fail(`no entry for ${w.spec.name}`);
    for (const e of entries as Array<Record<string, unknown>>) {
      for (const field of MANAGED_FIELDS) {
        const got = e[field] === undefined || e[field] === null ? undefined : String(e[field]);
        if (got !== w.result[field]) throw fail(`${w.spec.name}.${field}`);
      }
    }
  }
}

/**
 * The kustomization file for `path`: the file itself, or the one kustomize would pick in the
 * directory. Throws naming the directory when it has none.
 */
export async function findKustomizationFile(path: string): Promise<string> {
  const info = await stat(path).catch((err: unknown) => {
    throw new SlipwayError('does not exist', { subject: path, reason: 'NotFound', cause: err });
  });
  if (info.isFile()) return path;
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const candidate = join(path, name);
    const found = await stat(candidate).then(
      (s) => s.isFile(),
      () => false,
    );
    if (found) return candidate;
  }
  throw new SlipwayError(`no kustomization file (${KUSTOMIZATION_FILE_NAMES.join(', ')})`, {
    subject: path,
    reason: 'NotFound',
  });
}

/**
 * Writes `text` to `file` through a temporary file in the same directory and a rename, so a reader
 * (or a crash) never sees half a file. The file keeps its permission bits.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const mode = await stat(file).then(
    (s) => s.mode & 0o7777,
    () => 0o644,
  );
  const tmp = join(dirname(file), `.${basename(file)}.slipway-${process.pid}-${Date.now()}.tmp`);
  try {
    await writeFile(tmp, text, { mode });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined); // best effort: the write already failed
    throw new SlipwayError(`cannot write: ${err instanceof Error ? err.message : String(err)}`, {
      subject: file,
      reason: 'WriteFailed',
      cause: err,
    });
  }
}

/** What a file-level edit did. */
export interface FileEditResult {
  file: string;
  changed: boolean;
  /** The lines the edit removed and added (empty when unchanged). */
  diff: { removed: string[]; added: string[] };
}

/**
 * Applies `specs` to the kustomization at `path` (a file, or a directory holding one) and writes it
 * back only if the text changed. Returns the file, whether it changed and the changed lines. This is
 * what the release path calls to move an environment to a new image.
 */
export async function setImageInKustomization(
  path: string,
  specs: ImageSpec | readonly ImageSpec[],
): Promise<FileEditResult> {
  const file = await findKustomizationFile(path);
  const source = await readFile(file, 'utf8');
  const out = setImages(source, Array.isArray(specs) ? specs : [specs as ImageSpec], { file });
  return writeIfChanged(file, source, out);
}

/** Writes `after` over `file` when it differs from `before`, and reports the change. */
export async function writeIfChanged(file: string, before: string, after: string): Promise<FileEditResult> {
  if (after === before) return { file, changed: false, diff: { removed: [], added: [] } };
  await writeFileAtomic(file, after);
  return { file, changed: true, diff: lineDiff(before, after) };
}
