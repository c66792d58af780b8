/**
 * Which file a rendered object (or one of its fields) came from, so a failure names the line to fix
 * rather than "somewhere in the kustomize output".
 *
 * kustomize does not say where an object came from unless the kustomization asks for origin
 * annotations, so the resource files of every kustomization in the overlay's graph are indexed by
 * kind and name. A field that the original file has is reported at its line there; a field it lacks
 * came from a patch, which lives in a kustomization file, so the overlay's kustomization is named.
 *
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../kube/types.ts';
import type { Root } from './confine.ts';
import { isRemoteRef, type LoadedKustomization } from './kustomization.ts';

interface IndexedDoc {
  file: string;
  kind: string;
  name: string;
  contents: Node;
  lines: LineCounter;
}

/** Finds source positions for rendered objects of one overlay. */
export class SourceIndex {
  readonly #root: Root;
  readonly #docs: IndexedDoc[];
  readonly #kustomizations: LoadedKustomization[];

  private constructor(root: Root, docs: IndexedDoc[], kustomizations: LoadedKustomization[]) {
    this.#root = root;
    this.#docs = docs;
    this.#kustomizations = kustomizations;
  }

  /** Indexes the resource files of `kustomizations` (overlay first, as `walkKustomizations` returns them). */
  static async build(root: Root, kustomizations: LoadedKustomization[]): Promise<SourceIndex> {
    const docs: IndexedDoc[] = [];
    for (const k of kustomizations) {
      for (const ref of k.data.resources ?? []) {
        if (isRemoteRef(ref)) continue;
        const file = resolve(k.dir, ref);
        const isFile = await stat(file).then(
          (s) => s.isFile(),
          () => false,
        );
        if (!isFile) continue;
        const lines = new LineCounter();
        const parsed = parseAllDocuments(await readFile(file, 'utf8'), {
          lineCounter: lines,
          prettyErrors: false,
        });
        if (!Array.isArray(parsed)) continue;
        for (const doc of parsed) {
          const contents = doc.contents as Node | null;
          if (doc.errors.length > 0 || !isMap(contents)) continue;
          const kind = contents.get('kind');
          const meta = contents.get('metadata', true);
          const name = isMap(meta) ? meta.get('name') : undefined;
          if (typeof kind === 'string' && typeof name === 'string')
            docs.push({ file, kind, name, contents, lines });
        }
      }
    }
    return new SourceIndex(root, docs, kustomizations);
  }

  #display(file: string): string {
    return relative(this.#root.path, file) || file;
  }

  /** The overlay's kustomization file, relative to the root. */
  get overlayFile(): string {
    const first = this.#kustomizations[0];
    return first ? this.#display(first.file) : '';
  }

  /**
   * `file:line:col` of the field `segments` of the source of `obj`, `file:line` of the object when
   * the field is not in its source, or the overlay's kustomization file when no source file holds
   * the object (a generator made it, or a patch added the field).
   */
  locate(obj: KubeObject, segments: ReadonlyArray<string | number> = []): string {
    const name = obj.metadata.name ?? '';
    // namePrefix/nameSuffix change names, so an exact match is preferred, then a containing one.
    const candidates = this.#docs.filter((d) => d.kind === obj.kind);
    const doc = candidates.find((d) => d.name === name) ?? candidates.find((d) => name.includes(d.name));
    if (!doc) return this.overlayFile;
    const at = (offset: number) => {
      const { line, col } = doc.lines.linePos(offset);
      return `${this.#display(doc.file)}:${line}:${col}`;
    };
    let node: Node | null = doc.contents;
    let keyOffset: number | undefined;
    for (const seg of segments) {
      if (typeof seg === 'number' && isSeq(node)) {
        const item: unknown = node.items[seg];
        if (item === undefined) return this.overlayFile;
        node = item as Node;
        keyOffset = node.range?.[0];
      } else if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return this.overlayFile;
        keyOffset = (pair.key as Node).range?.[0];
        node = pair.value as Node | null;
      } else {
        return this.overlayFile;
      }
    }
    return at(keyOffset ?? doc.contents.range?.[0] ?? 0);
  }

  /**
   * `file:line:col` of the kustomization `images:` entry that applies to an image named `name`
   * (matched by the entry's `newName`, else its `name`), searching the overlay first.
   */
  async imagesEntry(name: string): Promise<string | undefined> {
    for (const k of this.#kustomizations) {
      const images = k.data.images ?? [];
      const index = images.findIndex((e) => ((e['newName'] as string | undefined) || e.name) === name);
      if (index < 0) continue;
      const lines = new LineCounter();
      const [doc] = parseAllDocuments(await readFile(k.file, 'utf8'), {
        lineCounter: lines,
      }) as unknown as Array<{
        contents: Node | null;
      }>;
      const seq = isMap(doc?.contents) ? doc.contents.get('images', true) : undefined;
      const item = isSeq(seq) ? (seq.items[index] as Node | undefined) : undefined;
      const { line, col } = lines.linePos(item?.range?.[0] ?? 0);
      return `${this.#display(k.file)}:${line}:${col}`;
    }
    return undefined;
  }
}
