/** flyteidl.core.Literal -> plain JavaScript values (flytekit's TypeEngine.to_python_value). */
import { flyteidl, type google } from "../idl/index.js";
import { keyPath, LiteralConversionError, type Role } from "./errors.js";
import { type DeclaredType, declaredType, describeType } from "./literal-type.js";
import { durationFromProto, fromInt64, timestampToDate } from "./primitives.js";
import { boolOf, floatOf, intOf, strOf, truncate } from "./python-builtins.js";
import { structToJson } from "./struct.js";
import { FlyteDirectory, FlyteFile, floatValue, type PlainValue, PythonFloat, StructuredDataset } from "./values.js";
import { MSGPACK_TAG } from "./python.js";
import { describeMessagePack, type MessagePackValue, unpackb } from "./unpackb.js";

const { SimpleType } = flyteidl.core;
const { BlobDimensionality } = flyteidl.core.BlobType;

/** What a scalar or literal holds, as the declared type is checked against it. */
type LiteralKind =
  | "integer"
  | "float"
  | "string"
  | "boolean"
  | "datetime"
  | "duration"
  | "none"
  | "struct"
  | "binary"
  | "file"
  | "directory"
  | "structured dataset"
  | "collection"
  | "map";

const SIMPLE_ACCEPTS: Readonly<Record<number, readonly LiteralKind[]>> = {
  [SimpleType.NONE]: ["none"],
  // flytekit >= 1.14 reads a float literal as an int (see readScalar).
  [SimpleType.INTEGER]: ["integer", "float"],
  [SimpleType.FLOAT]: ["float", "integer"],
  [SimpleType.STRING]: ["string"],
  [SimpleType.BOOLEAN]: ["boolean"],
  [SimpleType.DATETIME]: ["datetime"],
  [SimpleType.DURATION]: ["duration"],
  [SimpleType.BINARY]: ["binary"],
  // flytekit >= 1.14 sends dicts and dataclasses as MessagePack bytes typed STRUCT.
  [SimpleType.STRUCT]: ["struct", "binary"],
};

/**
 * A Literal as a plain value; `name` is how errors refer to it. integer -> number, or bigint
 * beyond 2^53; float -> number; string, boolean; datetime -> PreciseDate (a Date that keeps the nanoseconds);
 * duration -> Duration; none -> null; collection -> array; map -> plain object; generic ->
 * plain JSON object; binary -> Uint8Array, or its decoded value when tagged "msgpack"; blob -> FlyteFile or
 * FlyteDirectory; structured dataset -> StructuredDataset; union -> its value.
 *
 * With a declared type the literal must match it (an integer literal also reads as a float, a
 * float literal as an integer truncated toward zero as Python's int() does, NaN and infinities
 * refused; a union reads with the variant it stored, whose structure tag must name a declared
 * variant, or else the one variant that fits: one that fits several, such as an integer or a float
 * for a union of float and int, is ambiguous; MessagePack bytes read
 * as the declared type of what they hold, as attribute access sends them, and so does a Struct
 * declared a file, directory, structured dataset or map, as it sends a field of a dataclass entered
 * in the console); a mismatch is a LiteralConversionError. Schema, error and offloaded literals
 * are not supported.
 */
export function fromLiteral(literal: flyteidl.core.ILiteral, type?: flyteidl.core.ILiteralType | null, name?: string): PlainValue {
  return read(literal, type, name === undefined ? "value" : JSON.stringify(name));
}

/**
 * A LiteralMap as named plain values. With `variables`, each literal is read as its declared
 * type (a literal with no declaration is read as its own kind).
 */
export function literalMapToPlain(
  map: flyteidl.core.ILiteralMap,
  variables?: Readonly<Record<string, flyteidl.core.IVariable>> | null,
  role: Role = "input",
): Record<string, PlainValue> {
  return Object.fromEntries(
    Object.entries(map.literals ?? {}).map(([name, literal]) => {
      const variable = variables != null && Object.hasOwn(variables, name) ? variables[name] : undefined;
      return [name, read(literal, variable?.type, `${role} ${JSON.stringify(name)}`)];
    }),
  );
}

function read(literal: flyteidl.core.ILiteral, type: flyteidl.core.ILiteralType | null | undefined, where: string): PlainValue {
  const declared = declaredType(type);
  const union = literal.scalar?.union;
  if (union != null) {
    const value = union.value ?? {};
    if (declared.kind === "union") {
      if (union.type == null) return readAsVariant(value, declared.variants, type, where);
      checkUnionTag(union.type, declared.variants, type, where);
    }
    // The stored variant knows best, unless the caller declared a non-union type of its own.
    return read(value, declared.kind === "union" || declared.kind === "any" ? union.type : type, where);
  }
  if (declared.kind === "union") return readAsVariant(literal, declared.variants, type, where);
  if (literal.collection != null) {
    check(declared, type, "collection", where);
    const element = declared.kind === "collection" ? declared.element : null;
    return (literal.collection.literals ?? []).map((item, index) => read(item, element, keyPath(where, index)));
  }
  if (literal.map != null) {
    check(declared, type, "map", where);
    const value = declared.kind === "map" ? declared.value : null;
    const entries = Object.entries(literal.map.literals ?? {});
    return Object.fromEntries(entries.map(([key, item]) => [key, read(item, value, keyPath(where, key))]));
  }
  if (literal.offloadedMetadata != null) {
    const uri = literal.offloadedMetadata.uri ?? "";
    throw new LiteralConversionError(`cannot read ${where}: offloaded literals (stored at ${JSON.stringify(uri)}) are not supported`);
  }
  if (literal.scalar != null) {
    // A Struct of {"pickle_file": uri} so marked stands for the dict flytekit unpickles from there
    // (type_engine.py:2398-2403), which only Python can.
    if (literal.scalar.generic != null && literal.metadata?.["format"] === "pickle") {
      throw new LiteralConversionError(`cannot read ${where}: it is a pickled Python value, which only Python can read`);
    }
    return readScalar(literal.scalar, declared, type, where);
  }
  throw new LiteralConversionError(`cannot read ${where}: the literal holds no value`);
}

/**
 * A literal with no stored variant, as flytekit's UnionTransformer.async_to_python_value reads one
 * (no union tag): by every variant, and when several take it, "Ambiguous choice of variant for
 * union type". Two exceptions, where this reader cannot tell what flytekit's transformers tell
 * apart, so the first variant decides: MessagePack, which a STRUCT variant takes whatever it holds
 * where flytekit's dict and dataclass decoders check its shape, and whose lists and dicts read
 * numbers loosely (readDecoded); and dataclasses (STRUCT variants), which flytekit tells apart by
 * their fields, and which all read as the same JSON here.
 */
function readAsVariant(
  literal: flyteidl.core.ILiteral,
  variants: readonly flyteidl.core.ILiteralType[],
  type: flyteidl.core.ILiteralType | null | undefined,
  where: string,
): PlainValue {
  const fits: { variant: flyteidl.core.ILiteralType; value: PlainValue }[] = [];
  for (const variant of variants) {
    try {
      fits.push({ variant, value: read(literal, variant, where) });
    } catch (error) {
      if (!(error instanceof LiteralConversionError)) throw error;
    }
  }
  const [first, ...others] = fits;
  if (first === undefined) throw new LiteralConversionError(`cannot read ${where} as ${describeType(type)}: no variant fits the literal`);
  const decidable = literal.scalar?.binary?.tag !== MSGPACK_TAG && !fits.every(({ variant }) => variant.simple === SimpleType.STRUCT);
  if (others.length > 0 && decidable) {
    const fitting = fits.map(({ variant }) => describeType(variant)).join(" and ");
    throw new LiteralConversionError(`cannot read ${where} as ${describeType(type)}: it is ambiguous, the literal fits ${fitting}`);
  }
  return first.value;
}

/**
 * flytekit's UnionTransformer.async_to_python_value (flytekit/core/type_engine.py:2125-2139, 2188) reads
 * a union literal whose stored type has a structure tag only by the declared variants with that tag
 * (each variant is tagged with its transformer's name), so a tag naming none of them is an error.
 * Variants that carry no tags at all (a template no flytekit or flyte-sdk wrote) cannot be matched:
 * the stored type decides, as before tags.
 */
function checkUnionTag(
  stored: flyteidl.core.ILiteralType,
  variants: readonly flyteidl.core.ILiteralType[],
  type: flyteidl.core.ILiteralType | null | undefined,
  where: string,
): void {
  const tag = structureTag(stored);
  if (tag === undefined) return;
  const tags = variants.map(structureTag).filter((variantTag) => variantTag !== undefined);
  if (tags.length === 0 || tags.includes(tag)) return;
  const declared = tags.map((variantTag) => JSON.stringify(variantTag)).join(", ");
  throw new LiteralConversionError(
    `cannot read ${where} as ${describeType(type)}: its stored variant is tagged ${JSON.stringify(tag)}, which names no declared variant (tags: ${declared})`,
  );
}

/** A type's structure tag; undefined when it has no structure (a tag of "" is still a tag, as flytekit reads it). */
function structureTag(type: flyteidl.core.ILiteralType): string | undefined {
  return type.structure == null ? undefined : (type.structure.tag ?? "");
}

/** Throws unless `declared` accepts a literal of `kind`. */
function check(declared: DeclaredType, type: flyteidl.core.ILiteralType | null | undefined, kind: LiteralKind, where: string): void {
  if (accepts(declared, kind)) return;
  const article = /^[aeiou]/.test(kind) ? "an" : "a";
  throw new LiteralConversionError(`cannot read ${where} as ${describeType(type)}: got ${article} ${kind} literal`);
}

function accepts(declared: DeclaredType, kind: LiteralKind): boolean {
  switch (declared.kind) {
    case "any":
      return true;
    case "simple":
      return SIMPLE_ACCEPTS[declared.simple]?.includes(kind) ?? false;
    case "collection":
    case "map":
      return kind === declared.kind;
    case "blob":
      return kind === (declared.multipart ? "directory" : "file");
    case "enum":
      return kind === "string";
    case "structuredDataset":
      return kind === "structured dataset";
    case "schema":
    case "union":
      // Schemas are not supported; a union was resolved to one of its variants before this.
      return false;
  }
}

function readScalar(
  scalar: flyteidl.core.IScalar,
  declared: DeclaredType,
  type: flyteidl.core.ILiteralType | null | undefined,
  where: string,
): PlainValue {
  const fromDict = declared.kind === "blob" || declared.kind === "structuredDataset";
  if (scalar.binary?.tag === MSGPACK_TAG) {
    // The file, directory and dataset transformers unpack with msgpack.loads, whose strict_map_key
    // takes only str keys (flytekit/types/file/file.py:707, directory/types.py:662,
    // structured/structured_dataset.py:893); the rest with strict_map_key=False.
    const decoded = decodeMsgpack(plainBytes(scalar.binary.value ?? new Uint8Array()), where, fromDict);
    // FlytePropeller's attribute access (`dc.field`) hands a field on as MessagePack whatever its
    // declared type; flytekit decodes it by that type (type_engine.py, from_binary_idl).
    return accepts(declared, "struct") ? plainValue(decoded) : readDecoded(decoded, type, where, true, "MessagePack");
  }
  if (scalar.generic != null && (fromDict || declared.kind === "map")) {
    // A field of a dataclass entered in the console is a Struct, which flytekit reads as
    // json.loads(MessageToJson(struct)) by the declared type (file.py:738-740, directory/types.py:691-693,
    // structured_dataset.py:924-926; a map as mashumaro's Dict[str, V] does, type_engine.py:2432-2443).
    return readDecoded(structAsPython(scalar.generic, where), type, where, false, "a struct literal");
  }
  const [kind, value] = scalarValue(scalar, where);
  check(declared, type, kind, where);
  if (declared.kind === "enum" && !declared.values.includes(value as string)) {
    throw new LiteralConversionError(`cannot read ${where} as ${describeType(type)}: got string ${JSON.stringify(value)}`);
  }
  // A float may arrive as an integer literal; the caller asked for a plain number.
  if (kind === "integer" && declared.kind === "simple" && declared.simple === SimpleType.FLOAT) return Number(value);
  if (kind === "float" && declared.kind === "simple" && declared.simple === SimpleType.INTEGER) {
    // flytekit >= 1.14 reads a float literal as `int(float_value)` (the console sends whole numbers
    // as floats; flytekit/core/type_engine.py:2723-2725).
    const integer = truncate(value as number);
    if (integer !== undefined) return integer;
    throw new LiteralConversionError(`cannot read ${where} as ${describeType(type)}: got a float literal ${value}, which has no integer value`);
  }
  return value;
}

/**
 * A MessagePack value read as the declared type, as flytekit's transformers read attribute
 * access (`source` names what it came as, for errors). A simple type at the top is
 * SimpleTransformer.from_binary_idl: msgpack.loads, then `assert type(python_val) ==
 * expected_python_type` (type_engine.py:398-419), so an int is no float and a float no int, which
 * is what tells a union's variants apart. Within a list or dict it is mashumaro's
 * MessagePackDecoder, which converts an item with int(), float(), str() and bool() (see
 * readDecodedSimple). A file, directory or dataset is the dict flytekit's own decoders read. Not
 * read: a datetime or a duration, which mashumaro packs as isoformat text and float seconds.
 */
function readDecoded(value: MessagePackValue, type: flyteidl.core.ILiteralType | null | undefined, where: string, exact: boolean, source: string): PlainValue {
  const declared = declaredType(type);
  let missing = "";
  switch (declared.kind) {
    case "any":
      return plainValue(value);
    case "simple": {
      const read = readDecodedSimple(value, declared.simple, exact);
      if (read !== undefined) return read;
      break;
    }
    case "enum":
      if (typeof value === "string" && declared.values.includes(value)) return value;
      break;
    case "blob": {
      // dict_to_flyte_file and dict_to_flyte_directory (also the decoders of one in a list or dict,
      // _deserialize): a blob of format "" at "path" (flytekit/types/file/file.py:652-677,
      // directory/types.py:609-631).
      const path = dictItem(value, "path");
      if (typeof path === "string") return declared.multipart ? new FlyteDirectory(path) : new FlyteFile(path);
      missing = ' with no str "path"';
      break;
    }
    case "structuredDataset": {
      // dict_to_structured_dataset: "uri", and "file_format" ("" when missing or None;
      // flytekit/types/structured/structured_dataset.py:841-863).
      const uri = dictItem(value, "uri");
      const format = dictItem(value, "file_format") ?? "";
      if (typeof uri === "string" && typeof format === "string") return new StructuredDataset(uri, format);
      missing = typeof uri === "string" ? ' whose "file_format" is no str' : ' with no str "uri"';
      break;
    }
    case "collection":
      if (Array.isArray(value)) return value.map((item, index) => readDecoded(item, declared.element, keyPath(where, index), false, source));
      break;
    case "map":
      if (!(value instanceof Map)) break;
      return Object.fromEntries([...value].map(([key, item]) => [key, readDecoded(item, declared.value, keyPath(where, key), false, source)]));
    case "union": {
      const read = exact ? readFirst(value, declared.variants, where, true, source) : readUnionItem(value, declared.variants, where, source);
      if (read) return read.value;
      break;
    }
  }
  throw new LiteralConversionError(`cannot read ${where} as ${describeType(type)}: got ${source} holding ${describeMessagePack(value)}${missing}`);
}

/**
 * A union within a list or dict, as mashumaro's union unpacker reads one (unpack.py,
 * UnionUnpackerBuilder): in declared order, a simple variant of the value's own type or another
 * variant that reads it; else, in declared order, the first conversion of a variant of int,
 * float, str, bool or None that takes the value (str(), bool() and None take anything, so no
 * variant after one of them is tried). An optional (X | None) is None or else X (is_optional and
 * expr_or_maybe_none).
 */
function readUnionItem(value: MessagePackValue, variants: readonly flyteidl.core.ILiteralType[], where: string, source: string): { value: PlainValue } | undefined {
  const [other, ...more] = variants.length === 2 ? variants.filter(({ simple }) => simple !== SimpleType.NONE) : [];
  if (other !== undefined && more.length === 0) return { value: value === null ? null : readDecoded(value, other, where, false, source) };
  const converted = variants.filter(({ simple }) => simple != null && CONVERTED.includes(simple));
  const last = converted.findIndex(({ simple }) => simple != null && TAKES_ANYTHING.includes(simple));
  return readFirst(value, variants, where, true, source) ?? readFirst(value, last < 0 ? converted : converted.slice(0, last + 1), where, false, source);
}

const CONVERTED: readonly flyteidl.core.SimpleType[] = [SimpleType.INTEGER, SimpleType.FLOAT, SimpleType.STRING, SimpleType.BOOLEAN, SimpleType.NONE];
const TAKES_ANYTHING: readonly flyteidl.core.SimpleType[] = [SimpleType.STRING, SimpleType.BOOLEAN, SimpleType.NONE];

/** `value` read as the first of `variants` that reads it, or undefined when none does. */
function readFirst(
  value: MessagePackValue,
  variants: readonly flyteidl.core.ILiteralType[],
  where: string,
  exact: boolean,
  source: string,
): { value: PlainValue } | undefined {
  for (const variant of variants) {
    try {
      return { value: readDecoded(value, variant, where, exact, source) };
    } catch (error) {
      if (!(error instanceof LiteralConversionError)) throw error;
    }
  }
  return undefined;
}

/**
 * `value` read as a simple type (see readDecoded), or undefined when it is not one. Exact, an int
 * is no float and a float no int; else each is read as mashumaro's unpackers convert an item
 * (unpack.py: unpack_number `int(value)` and `float(value)`, unpack_bool `bool(value)`,
 * unpack_collection `str(value)`, unpack_none `None` whatever the value), so [1.5, True] reads as
 * a list of int as [1, 1], as Python's int() does.
 */
function readDecodedSimple(value: MessagePackValue, simple: flyteidl.core.SimpleType, exact: boolean): PlainValue | undefined {
  const isInt = typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
  const isFloat = value instanceof PythonFloat || (typeof value === "number" && !Number.isInteger(value));
  switch (simple) {
    case SimpleType.NONE:
      return value === null || !exact ? null : undefined;
    case SimpleType.INTEGER:
      if (isInt) return value;
      return exact ? undefined : intOf(value);
    case SimpleType.FLOAT:
      if (isFloat) return Number(value);
      return exact ? undefined : floatOf(value);
    case SimpleType.STRING:
      if (typeof value === "string") return value;
      return exact ? undefined : strOf(value);
    case SimpleType.BOOLEAN:
      if (typeof value === "boolean") return value;
      return exact ? undefined : boolOf(value);
    case SimpleType.STRUCT:
      return value instanceof Map ? plainValue(value) : undefined;
    default:
      return undefined;
  }
}

/** The item of a dict under a str key; undefined when `value` is no dict or has no such key. */
function dictItem(value: MessagePackValue, key: string): MessagePackValue | undefined {
  return value instanceof Map ? value.get(key) : undefined;
}

/** A MessagePack value as a plain one: a dict a plain object, a whole float a number. */
function plainValue(value: MessagePackValue): PlainValue {
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [key, plainValue(item)]));
  if (Array.isArray(value)) return value.map(plainValue);
  return value instanceof PythonFloat ? value.value : value;
}

function decodeMsgpack(bytes: Uint8Array, where: string, strictMapKey: boolean): MessagePackValue {
  try {
    return unpackb(bytes, { strictMapKey });
  } catch (error) {
    throw new LiteralConversionError(`cannot read ${where}: its MessagePack does not decode (${(error as Error).message})`);
  }
}

/**
 * A Struct as json.loads(MessageToJson(struct)) reads it: every number a float (protobuf writes
 * doubles); MessageToJson refuses NaN and infinities (google/protobuf/json_format.py,
 * _ValueMessageToJsonObject).
 */
function structAsPython(struct: google.protobuf.IStruct, where: string): MessagePackValue {
  const fields = Object.entries(struct.fields ?? {}).map(([key, value]) => [key, valueAsPython(value, keyPath(where, key))] as const);
  return new Map(fields);
}

function valueAsPython(value: google.protobuf.IValue, where: string): MessagePackValue {
  if (value.numberValue != null) {
    if (Number.isFinite(value.numberValue)) return floatValue(value.numberValue);
    throw new LiteralConversionError(`cannot read ${where}: the struct holds ${value.numberValue}, which MessageToJson refuses`);
  }
  if (value.stringValue != null) return value.stringValue;
  if (value.boolValue != null) return value.boolValue;
  if (value.structValue != null) return structAsPython(value.structValue, where);
  if (value.listValue != null) return (value.listValue.values ?? []).map((item, index) => valueAsPython(item, keyPath(where, index)));
  return null;
}

function scalarValue(scalar: flyteidl.core.IScalar, where: string): [LiteralKind, PlainValue] {
  if (scalar.primitive != null) return primitiveValue(scalar.primitive, where);
  if (scalar.noneType != null) return ["none", null];
  if (scalar.generic != null) return ["struct", structToJson(scalar.generic)];
  if (scalar.binary != null) {
    // MessagePack bytes are read before (readScalar).
    return ["binary", plainBytes(scalar.binary.value ?? new Uint8Array())];
  }
  if (scalar.blob != null) {
    const uri = scalar.blob.uri ?? "";
    const format = scalar.blob.metadata?.type?.format ?? "";
    const multipart = scalar.blob.metadata?.type?.dimensionality === BlobDimensionality.MULTIPART;
    return multipart ? ["directory", new FlyteDirectory(uri, format)] : ["file", new FlyteFile(uri, format)];
  }
  if (scalar.structuredDataset != null) {
    const format = scalar.structuredDataset.metadata?.structuredDatasetType?.format ?? "";
    return ["structured dataset", new StructuredDataset(scalar.structuredDataset.uri ?? "", format)];
  }
  if (scalar.schema != null) throw new LiteralConversionError(`cannot read ${where}: schema literals are not supported`);
  if (scalar.error != null) {
    const { failedNodeId, message } = scalar.error;
    throw new LiteralConversionError(`cannot read ${where}: it is an error from node ${JSON.stringify(failedNodeId ?? "")}: ${message ?? ""}`);
  }
  throw new LiteralConversionError(`cannot read ${where}: the scalar holds no value`);
}

function primitiveValue(primitive: flyteidl.core.IPrimitive, where: string): [LiteralKind, PlainValue] {
  if (primitive.integer != null) return ["integer", fromInt64(primitive.integer)];
  if (primitive.floatValue != null) return ["float", primitive.floatValue];
  if (primitive.stringValue != null) return ["string", primitive.stringValue];
  if (primitive.boolean != null) return ["boolean", primitive.boolean];
  if (primitive.datetime != null) {
    const date = timestampToDate(primitive.datetime);
    if (date === undefined) throw new LiteralConversionError(`cannot read ${where}: the datetime is outside the range of Date`);
    return ["datetime", date];
  }
  if (primitive.duration != null) {
    try {
      return ["duration", durationFromProto(primitive.duration)];
    } catch (error) {
      throw new LiteralConversionError(`cannot read ${where}: ${(error as Error).message}`, { cause: error });
    }
  }
  throw new LiteralConversionError(`cannot read ${where}: the primitive holds no value`);
}

/** Bytes as a plain Uint8Array (protobufjs decodes them as Node Buffers), sharing the memory. */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
