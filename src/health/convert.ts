/**
 * Reads the fields a health check needs from an untyped object, the way gitops-engine does before
 * it checks one: `runtime.DefaultUnstructuredConverter.FromUnstructured` into the typed Go struct.
 *
 * That converter gives absent and `null` fields their zero value (`0`, `""`, `false`, empty list),
 * leaves pointer fields nil, and refuses mistyped ones with a terse message that Argo CD shows as
 * the `Unknown` health message (`failed to convert unstructured Deployment to typed: cannot convert
 * float64 to int32`). The converters here reproduce those messages for the fields Slipway reads,
 * in Go's field order so that the first reported problem is the one Go reports. Fields a check
 * never reads (container specs, timestamps) are not checked, where Go would refuse them too.
 *
 * @example
 * const view = convert(struct({ spec: struct({ replicas: optional(int32) }) }), obj);
 * // { ok: true, value: { spec: { replicas: 3 } } } or { ok: false, error: 'unrecognized type: int32' }
 * @module
 */

/** A reader of one field: the typed value, or a thrown {@link ConversionError}. */
export type Converter<T> = (value: unknown) => T;

/** The typed value a converter produces. */
export type Converted<C> = C extends Converter<infer T> ? T : never;

/** Internal: why a field cannot fill its Go type. Never escapes {@link convert}. */
class ConversionError extends Error {}

/** Go's name for the kind of an untyped JSON value, as the converter's messages spell it. */
function sourceKind(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  // Kubernetes decodes integral JSON numbers as int64 and the rest as float64.
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (Array.isArray(value)) return 'slice';
  return 'map';
}

const isAbsent = (value: unknown): value is null | undefined => value === null || value === undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A Go string type. `typeName` is the Go type as the converter names it (`v1.PodPhase`), which only
 * shows when a JSON integer meets a named string type.
 */
export function stringOf(typeName: string): Converter<string> {
  return (value) => {
    if (isAbsent(value)) return '';
    if (typeof value === 'string') return value;
    // Go can convert an integer to a string (as a rune), so the converter names that case.
    if (sourceKind(value) === 'int64') throw new ConversionError(`cannot convert int64 to ${typeName}`);
    throw new ConversionError('unrecognized type: string');
  };
}

/** A Go `string`. */
export const str: Converter<string> = stringOf('string');

/** A Go `bool`. */
export const bool: Converter<boolean> = (value) => {
  if (isAbsent(value)) return false;
  if (typeof value === 'boolean') return value;
  throw new ConversionError('unrecognized type: bool');
};

function integer(bits: 32 | 64): Converter<number> {
  return (value) => {
    if (isAbsent(value)) return 0;
    if (typeof value !== 'number') throw new ConversionError(`unrecognized type: int${bits}`);
    if (!Number.isInteger(value)) throw new ConversionError(`cannot convert float64 to int${bits}`);
    // Go narrows an out-of-range int64 into an int32 field by wrapping, without complaint.
    return bits === 32 && Number.isSafeInteger(value) ? value | 0 : value;
  };
}

/** A Go `int32`. */
export const int32: Converter<number> = integer(32);

/** A Go `int64` (exact up to 2^53, which covers generations and counts). */
export const int64: Converter<number> = integer(64);

/** A Go pointer: `undefined` when absent or `null`, else the pointed-to value. */
export function optional<T>(inner: Converter<T>): Converter<T | undefined> {
  return (value) => (isAbsent(value) ? undefined : inner(value));
}

/** A Go slice; `null` items become zero values, as in Go. */
export function slice<T>(item: Converter<T>): Converter<T[]> {
  return (value) => {
    if (isAbsent(value)) return [];
    if (!Array.isArray(value)) throw new ConversionError(`cannot restore slice from ${sourceKind(value)}`);
    return value.map((entry) => item(entry));
  };
}

/** A Go `map[string]string` (labels, annotations). */
export const stringMap: Converter<Record<string, string>> = (value) => {
  if (isAbsent(value)) return {};
  if (!isRecord(value)) throw new ConversionError(`cannot restore map from ${sourceKind(value)}`);
  // fromEntries defines own properties, so a `__proto__` key stays a key.
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, str(entry)]));
};

/**
 * A Go struct with the given fields, listed in the Go declaration order. Absent fields get zero
 * values; unknown fields are ignored.
 */
export function struct<F extends Record<string, Converter<unknown>>>(
  fields: F,
): Converter<{ [K in keyof F]: Converted<F[K]> }> {
  return (value) => {
    if (!isAbsent(value) && !isRecord(value)) {
      throw new ConversionError(`cannot restore struct from: ${sourceKind(value)}`);
    }
    const source: Record<string, unknown> = isRecord(value) ? value : {};
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(fields)) {
      out[name] = field(Object.hasOwn(source, name) ? source[name] : undefined);
    }
    return out as { [K in keyof F]: Converted<F[K]> };
  };
}

/** The converter's outcome: the typed view, or the reason Go's converter would give. */
export type Conversion<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs a converter over an untyped value without throwing. */
export function convert<T>(converter: Converter<T>, value: unknown): Conversion<T> {
  try {
    return { ok: true, value: converter(value) };
  } catch (err) {
    if (err instanceof ConversionError) return { ok: false, error: err.message };
    throw err;
  }
}

/**
 * The `metadata` fields every typed check shares, in `ObjectMeta` order. Checking them matches Go,
 * which refuses e.g. a numeric label value before it looks at any status.
 */
export const objectMeta = struct({
  name: str,
  generateName: str,
  namespace: str,
  uid: stringOf('types.UID'),
  resourceVersion: str,
  generation: int64,
  labels: stringMap,
  annotations: stringMap,
  finalizers: slice(str),
});

/**
 * A Kubernetes condition's common fields (`type`, `status`, `reason`, `message`), with the Go
 * types of `type` and `status` for the converter's messages.
 */
export function conditionOf(typeName: string, statusName = 'v1.ConditionStatus') {
  return struct({ type: stringOf(typeName), status: stringOf(statusName), reason: str, message: str });
}

/** One condition, typed. */
export type Condition = Converted<ReturnType<typeof conditionOf>>;
