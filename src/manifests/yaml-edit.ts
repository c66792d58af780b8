/**
 * Byte-preserving edits of YAML files people maintain by hand (kustomizations, Helm values).
 *
 * A config repository is read in review, so an automated tag bump must show up as a one-line diff:
 * comments, key order, quoting and indentation stay exactly as they were outside the lines that
 * change. The `yaml` package's Document API re-formats on `toString()` (re-indents sequences, folds
 * long scalars, pads flow collections), so edits here are text splices located with the parsed
 * document's source ranges:
 *
 * - a scalar that changes value is re-rendered by `CST.setScalarValue` on a copy of its source
 *   token, which keeps its quote style (a plain scalar is double-quoted only when it would otherwise
 *   read back as something other than the same string);
 * - a key that is added becomes one new line, indented like its siblings, after the map's last pair;
 * - a key that is removed takes its own line(s) with it.
 *
 * Anything else (flow collections, documents with no block mapping at the root) is left to the
 * callers' Document-API fallback ({@link stringifyLikeSource}).
 *
 * @module
 */
import {
  Composer,
  CST,
  type Document,
  isMap,
  isScalar,
  LineCounter,
  type Node,
  type Pair,
  Parser,
  parseDocument,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { SlipwayError } from '../util/errors.ts';

/**
 * Aliases may expand to at most this many nodes in a file Slipway reads: a kustomization or values
 * file has no business with more, and "billion laughs" files are refused before they expand.
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * YAML 1.1, the dialect kustomize, Helm and kubectl read (go-yaml through sigs.k8s.io/yaml): `on`
 * and `y` are booleans, `0755` is octal. Timestamps stay strings, as go-yaml leaves them for
 * untyped and string fields.
 */
export const YAML_11 = {
  version: '1.1',
  customTags: (tags: unknown[]) =>
    tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:timestamp') as never,
} as const;

/** One file parsed for editing: the single document, with source tokens and line positions kept. */
export interface EditableYaml {
  readonly file: string;
  readonly source: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/** A splice: replace `source.slice(start, end)` with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** `file:line:col` for an offset, how every error about a position in a file names it. */
export function positionOf(file: string, lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `${file}:${line}:${col}`;
}

/**
 * Parses `source` (the contents of `file`) as exactly one YAML document and keeps what an in-place
 * edit needs. Throws a {@link SlipwayError} naming `file:line:col` for a syntax error, a second
 * document, or aliases that expand past {@link MAX_ALIAS_COUNT}.
 */
export function parseEditable(file: string, source: string): EditableYaml {
  const lines = new LineCounter();
  const tokens = new Parser(lines.addNewLine).parse(source);
  const docs = [
    ...new Composer({ ...YAML_11, keepSourceTokens: true, prettyErrors: false }).compose(tokens, true),
  ];
  const doc = docs[0];
  if (!doc) throw new SlipwayError('no YAML document', { subject: file, reason: 'InvalidYaml' });
  for (const d of docs) {
    const problem = d.errors[0];
    if (problem) {
      throw new SlipwayError(firstLine(problem.message), {
        subject: positionOf(file, lines, problem.pos[0]),
        reason: 'InvalidYaml',
        cause: problem,
      });
    }
  }
  const second = docs[1];
  if (second) {
    throw new SlipwayError('holds more than one YAML document; expected exactly one', {
      subject: positionOf(file, lines, second.range[0]),
      reason: 'InvalidYaml',
    });
  }
  toPlain(file, doc);
  return { file, source, doc, lines };
}

/**
 * The document as plain JSON-like data, refusing alias bombs. Scalars resolve as YAML 1.1 does
 * (the parse options of `parseEditable`).
 */
export function toPlain(file: string, doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new SlipwayError(`cannot be read: ${firstLine(err instanceof Error ? err.message : String(err))}`, {
      subject: file,
      reason: 'InvalidYaml',
      cause: err,
    });
  }
}

/** Applies non-overlapping splices to `source`. */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  // From the end backwards, so earlier offsets stay valid; of two inserts at one offset the one
  // listed first ends up first.
  const sorted = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e.start - a.e.start || b.e.end - a.e.end || b.i - a.i);
  let out = source;
  let floor = Number.POSITIVE_INFINITY;
  for (const { e } of sorted) {
    if (e.end > floor) throw new Error(`overlapping YAML edits at offset ${e.start}`);
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    floor = e.start;
  }
  return out;
}

/**
 * Whether `value` written as a plain scalar would read back as anything but the same string, under
 * either YAML 1.1 (what kustomize, kubectl and sigs.k8s.io/yaml use) or 1.2. `1234`, `3.2e2`, `on`,
 * `0755`, `null` and `''` all need quotes; `abc1234` and `v1.2.3` do not.
 */
export function needsQuotes(value: string): boolean {
  if (value === '' || value.trim() !== value) return true;
  for (const version of ['1.1', '1.2'] as const) {
    const doc = parseDocument(`k: ${value}\n`, { version, prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0 || !isMap(doc.contents)) return true;
    const node: unknown = doc.contents.get('k', true);
    if (!isScalar(node) || node.value !== value || node.type !== 'PLAIN') return true;
  }
  return false;
}

/** `value` as YAML scalar text for a new line: plain when that reads back the same, else double-quoted. */
export function scalarText(value: string): string {
  return needsQuotes(value) ? JSON.stringify(value) : value;
}

/**
 * The splice that gives the scalar `node` the string `value`, keeping its quote style. The text is
 * produced by `CST.setScalarValue` on a copy of the node's source token, so escaping follows the
 * `yaml` package's rules for that style.
 */
export function replaceScalar(file: string, edit: EditableYaml, node: Scalar, value: string): TextEdit {
  const token = node.srcToken;
  if (!token || !CST.isScalar(token)) {
    throw new SlipwayError('cannot edit this value in place', {
      subject: positionOf(file, edit.lines, node.range?.[0] ?? 0),
      reason: 'UnsupportedYaml',
    });
  }
  const copy = structuredClone(token);
  if (copy.type === 'block-scalar') {
    // A multi-line block scalar for an image tag: replace it with a one-line scalar.
    const range = node.range ?? [token.offset, token.offset, token.offset];
    const original = edit.source.slice(range[0], range[1]);
    return {
      start: range[0],
      end: range[1],
      text: scalarText(value) + (original.endsWith('\n') ? '\n' : ''),
    };
  }
  const quoteIfNeeded = copy.type === 'scalar' && needsQuotes(value);
  CST.setScalarValue(copy, value, quoteIfNeeded ? { type: 'QUOTE_DOUBLE' } : {});
  return { start: token.offset, end: token.offset + token.source.length, text: copy.source };
}

/** The offset just past the end of the line that holds `offset - 1` (or `offset` itself at a line start). */
export function lineEndAfter(source: string, offset: number): number {
  if (offset > 0 && source[offset - 1] === '\n') return offset;
  const nl = source.indexOf('\n', offset);
  return nl < 0 ? source.length : nl + 1;
}

function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** Whether only spaces precede `offset` on its line (so the key is not behind a `- ` item marker). */
function startsLine(source: string, offset: number): boolean {
  return source.slice(lineStart(source, offset), offset).trim() === '';
}

/** True for a mapping written in block style, the only kind edited by splicing lines. */
export function isBlockMap(node: unknown): node is YAMLMap<Scalar, unknown> {
  return isMap(node) && node.srcToken?.type === 'block-map' && node.items.length > 0;
}

/** The 0-based column of a block map's keys. */
export function mapColumn(edit: EditableYaml, map: YAMLMap): number {
  const first = map.items[0]?.key as Node | undefined;
  const offset = first?.range?.[0] ?? map.range?.[0] ?? 0;
  return edit.lines.linePos(offset).col - 1;
}

/** Where a pair's value (or, for an empty value, its key) ends. */
function pairEnd(pair: Pair): number {
  const value = pair.value as Node | null;
  const key = pair.key as Node | null;
  return value?.range?.[1] ?? key?.range?.[1] ?? 0;
}

/**
 * The splice that inserts `lines` (already indented text, each ending in `\n`) on the line after
 * `pair`, a pair of a block map.
 */
export function insertAfterPair(edit: EditableYaml, pair: Pair, lines: string): TextEdit {
  const at = lineEndAfter(edit.source, pairEnd(pair));
  const text =
    at === edit.source.length && edit.source !== '' && !edit.source.endsWith('\n') ? `\n${lines}` : lines;
  return { start: at, end: at, text };
}

/** The text of new `key: value` pairs at `column`. */
export function pairLines(column: number, pairs: ReadonlyArray<readonly [string, string]>): string {
  const pad = ' '.repeat(column);
  return pairs.map(([k, v]) => `${pad}${scalarText(k)}: ${scalarText(v)}\n`).join('');
}

/**
 * The splices that remove the pairs at `indices` of the block map `map`; each takes its own line(s).
 * The first pair of a sequence item (`- digest: ...`) shares its line with the `- ` marker, so there
 * the first surviving pair moves up onto that line instead.
 */
export function removePairs(edit: EditableYaml, map: YAMLMap, indices: readonly number[]): TextEdit[] {
  const gone = new Set(indices);
  const keyStart = (i: number) => (map.items[i]?.key as Node | undefined)?.range?.[0] ?? 0;
  const edits: TextEdit[] = [];
  let covered = -1;
  if (gone.has(0) && !startsLine(edit.source, keyStart(0))) {
    let survivor = 0;
    while (gone.has(survivor)) survivor++;
    if (survivor >= map.items.length) {
      throw new SlipwayError('cannot remove every key of an item', {
        subject: positionOf(edit.file, edit.lines, keyStart(0)),
        reason: 'UnsupportedYaml',
      });
    }
    edits.push({ start: keyStart(0), end: keyStart(survivor), text: '' });
    covered = survivor - 1;
  }
  for (const i of [...gone].sort((a, b) => a - b)) {
    if (i <= covered) continue;
    const pair = map.items[i];
    if (!pair) throw new Error(`removePairs: no pair ${i}`);
    edits.push({
      start: lineStart(edit.source, keyStart(i)),
      end: lineEndAfter(edit.source, pairEnd(pair)),
      text: '',
    });
  }
  return edits;
}

/**
 * The sequence indentation the file already uses: the number of spaces between a parent key's
 * column and its block sequence's `-` (0 for kustomize's own `- item` style, 2 for `  - item`).
 * Undefined when the file has no block sequence under a key.
 */
export function detectSeqIndent(edit: EditableYaml): number | undefined {
  let found: number | undefined;
  const visit = (node: unknown, keyColumn: number | undefined): void => {
    if (found !== undefined) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const col = key?.range ? edit.lines.linePos(key.range[0]).col - 1 : undefined;
        visit(pair.value, col);
      }
    } else if (node && typeof node === 'object' && 'items' in node && Array.isArray(node.items)) {
      const seq = node as { srcToken?: { type: string }; range?: [number, number, number]; items: unknown[] };
      if (seq.srcToken?.type === 'block-seq' && keyColumn !== undefined && seq.range) {
        found = Math.max(0, edit.lines.linePos(seq.range[0]).col - 1 - keyColumn);
        return;
      }
      for (const item of seq.items) visit(item, undefined);
    }
  };
  visit(edit.doc.contents, undefined);
  return found;
}

/**
 * The map indentation step the file already uses (2 when it has no nested block map).
 */
export function detectMapIndent(edit: EditableYaml): number {
  const root = edit.doc.contents;
  if (!isMap(root)) return 2;
  for (const pair of root.items) {
    if (isBlockMap(pair.value)) {
      const step = mapColumn(edit, pair.value) - mapColumn(edit, root);
      if (step > 0) return step;
    }
  }
  return 2;
}

/**
 * The structural fallback: the whole document through the Document API, formatted as close to the
 * source as it allows (no line folding, the file's own sequence indentation, `{a: 1}` flow maps).
 * Used only where a splice cannot express the edit; callers say so in their docs.
 */
export function stringifyLikeSource(edit: EditableYaml): string {
  const seqIndent = detectSeqIndent(edit);
  return edit.doc.toString({
    lineWidth: 0,
    indent: detectMapIndent(edit),
    indentSeq: seqIndent === undefined ? true : seqIndent > 0,
    flowCollectionPadding: false,
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
