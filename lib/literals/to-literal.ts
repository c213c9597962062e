/** Plain JavaScript values -> flyteidl.core.Literal (flytekit's TypeEngine.to_literal). */
import { flyteidl } from "../idl/index.js";
import { describeValue, keyPath, LiteralConversionError, type Role } from "./errors.js";
import { declaredType, describeType } from "./literal-type.js";
import { dateToTimestamp, durationToProto, toInt64 } from "./primitives.js";
import { isPlainObject, structFromJson } from "./struct.js";
import { Duration, FlyteDirectory, FlyteFile, PythonFloat, StructuredDataset } from "./values.js";

const core = flyteidl.core;
const { SimpleType } = core;
const { BlobDimensionality } = core.BlobType;

/**
 * `value` as a Literal of the declared `type`; `name` is how errors refer to it. A Literal
 * passes through unchanged.
 *
 * With a declared type the value must fit it, or a LiteralConversionError says why: an
 * integer must be an integer number or bigint within int64 (never rounded), a float takes
 * any number, a PythonFloat or a bigint it holds exactly, a union takes the first variant that
 * holds the value as Python types it (an integer number or a bigint is an int, so not a float),
 * else the first variant that fits, and records that variant (with its structure tag) in the
 * Union, an enum takes one of its strings, a blob or structured dataset also takes a bare URI
 * string (a blob's format is always the declared one, a structured dataset's the declared one, or
 * the value's when that is "").
 *
 * Without a declared type (or with a LiteralType that has no case set) the value decides:
 * null/undefined -> none; boolean -> boolean; a number that is an integer within int64 ->
 * integer, any other number or a PythonFloat -> float; bigint -> integer; string -> string; Date -> datetime;
 * Duration -> duration; Uint8Array -> binary; FlyteFile / FlyteDirectory -> blob (single /
 * multipart); StructuredDataset -> structured dataset; array -> collection and Map -> map,
 * each element inferred on its own; plain object -> generic (google.protobuf.Struct).
 */
export function toLiteral(value: unknown, type?: flyteidl.core.ILiteralType | null, name?: string): flyteidl.core.Literal {
  return convert(value, type, name === undefined ? "value" : JSON.stringify(name));
}

/**
 * Named values as a LiteralMap. With `variables` (a task interface's `inputs.variables` or
 * `outputs.variables`) each value is converted to its declared type, a name not declared there
 * is an error, and a declared name with no value is simply absent. Without them, each value's
 * type is inferred as toLiteral describes.
 */
export function toLiteralMap(
  values: Readonly<Record<string, unknown>>,
  variables?: Readonly<Record<string, flyteidl.core.IVariable>> | null,
  role: Role = "output",
): flyteidl.core.LiteralMap {
  const literals = Object.entries(values).map(([name, value]) => {
    const where = `${role} ${JSON.stringify(name)}`;
    if (variables == null) return [name, convert(value, null, where)] as const;
    const variable = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (variable === undefined) {
      const declared = Object.keys(variables).map((key) => JSON.stringify(key)).join(", ") || "none";
      throw new LiteralConversionError(`${where} is not declared in the task's interface (declared: ${declared})`);
    }
    return [name, convert(value, variable.type, where)] as const;
  });
  return new core.LiteralMap({ literals: Object.fromEntries(literals) });
}

/**
 * `strict` (while choosing a union's variant): a float takes only what Python would hold as a
 * float (what infer() makes one), not an integer number or a bigint.
 */
function convert(
  value: unknown,
  type: flyteidl.core.ILiteralType | null | undefined,
  where: string,
  strict = false,
): flyteidl.core.Literal {
  if (value instanceof core.Literal) return value;
  const declared = declaredType(type);
  switch (declared.kind) {
    case "any":
      return infer(value, where);
    case "simple":
      return convertSimple(value, declared.simple, where, strict);
    case "collection":
      if (!Array.isArray(value)) break;
      return collectionLiteral(value.map((item, index) => convert(item, declared.element, keyPath(where, index), strict)));
    case "map": {
      const entries = mapEntries(value, where);
      if (entries === undefined) break;
      return mapLiteral(entries.map(([key, item]) => [key, convert(item, declared.value, keyPath(where, key), strict)]));
    }
    case "blob": {
      const given = declared.multipart ? FlyteDirectory : FlyteFile;
      if (typeof value === "string" || value instanceof given) {
        // flytekit writes the declared type's format, never the value's own, even when the declared
        // one is "" (flytekit/types/file/file.py:568, flytekit/types/directory/types.py:555).
        return blobLiteral(typeof value === "string" ? value : value.uri, declared.format, declared.multipart);
      }
      break;
    }
    case "enum":
      if (typeof value === "string" && declared.values.includes(value)) return primitiveLiteral({ stringValue: value });
      break;
    case "structuredDataset": {
      if (typeof value === "string") return structuredDatasetLiteral(value, "", declared.type);
      if (!(value instanceof StructuredDataset)) break;
      return structuredDatasetLiteral(value.uri, value.format, declared.type);
    }
    case "union": {
      // flytekit's UnionTransformer.to_literal never puts a Python int in a float variant
      // (SimpleTransformer.to_literal checks type(python_val)), so an integer goes to an int
      // variant wherever it stands; it is a float only when no variant takes it as Python would.
      const literal =
        unionLiteral(value, declared.variants, where, true) ?? (strict ? undefined : unionLiteral(value, declared.variants, where, false));
      if (literal !== undefined) return literal;
      break;
    }
    case "schema":
      throw new LiteralConversionError(`cannot convert ${where} to schema: schema literals are not supported`);
  }
  throw mismatch(where, type, value);
}

/** `value` as a Union of the first variant that takes it, or undefined when none does. */
function unionLiteral(
  value: unknown,
  variants: readonly flyteidl.core.ILiteralType[],
  where: string,
  strict: boolean,
): flyteidl.core.Literal | undefined {
  for (const variant of variants) {
    try {
      return scalarLiteral({ union: new core.Union({ value: convert(value, variant, where, strict), type: variant }) });
    } catch (error) {
      if (!(error instanceof LiteralConversionError)) throw error;
    }
  }
  return undefined;
}

function convertSimple(value: unknown, simple: flyteidl.core.SimpleType, where: string, strict: boolean): flyteidl.core.Literal {
  const type = { simple };
  switch (simple) {
    case SimpleType.NONE:
      if (value == null) return noneLiteral();
      break;
    case SimpleType.INTEGER:
      if (typeof value === "number" || typeof value === "bigint") return integerLiteral(value, where, type);
      break;
    case SimpleType.FLOAT:
      if (value instanceof PythonFloat) return primitiveLiteral({ floatValue: value.value });
      if (typeof value === "number" && !(strict && toInt64(value) !== undefined)) return primitiveLiteral({ floatValue: value });
      if (!strict && typeof value === "bigint" && BigInt(Number(value)) === value) return primitiveLiteral({ floatValue: Number(value) });
      break;
    case SimpleType.STRING:
      if (typeof value === "string") return primitiveLiteral({ stringValue: value });
      break;
    case SimpleType.BOOLEAN:
      if (typeof value === "boolean") return primitiveLiteral({ boolean: value });
      break;
    case SimpleType.DATETIME:
      if (value instanceof Date) return datetimeLiteral(value, where, type);
      break;
    case SimpleType.DURATION:
      if (value instanceof Duration) return primitiveLiteral({ duration: durationToProto(value) });
      break;
    case SimpleType.BINARY:
      if (value instanceof Uint8Array) return binaryLiteral(value);
      break;
    case SimpleType.STRUCT:
      if (isPlainObject(value)) return scalarLiteral({ generic: structFromJson(value, where) });
      break;
    case SimpleType.ERROR:
      throw new LiteralConversionError(`cannot convert ${where} to error: error literals are not supported`);
  }
  throw mismatch(where, type, value);
}

function infer(value: unknown, where: string): flyteidl.core.Literal {
  if (value === null || value === undefined) return noneLiteral();
  switch (typeof value) {
    case "boolean":
      return primitiveLiteral({ boolean: value });
    case "number": {
      const integer = toInt64(value);
      return primitiveLiteral(integer === undefined ? { floatValue: value } : { integer });
    }
    case "bigint":
      return integerLiteral(value, where, { simple: SimpleType.INTEGER });
    case "string":
      return primitiveLiteral({ stringValue: value });
    case "object":
      return inferObject(value, where);
  }
  throw new LiteralConversionError(`cannot convert ${where} to a literal: got ${describeValue(value)}, which has no Flyte type`);
}

function inferObject(value: object, where: string): flyteidl.core.Literal {
  if (value instanceof Date) return datetimeLiteral(value, where, { simple: SimpleType.DATETIME });
  if (value instanceof Duration) return primitiveLiteral({ duration: durationToProto(value) });
  if (value instanceof PythonFloat) return primitiveLiteral({ floatValue: value.value });
  if (value instanceof Uint8Array) return binaryLiteral(value);
  if (value instanceof FlyteFile) return blobLiteral(value.uri, value.format, false);
  if (value instanceof FlyteDirectory) return blobLiteral(value.uri, value.format, true);
  if (value instanceof StructuredDataset) return structuredDatasetLiteral(value.uri, value.format, {});
  if (Array.isArray(value)) return collectionLiteral(value.map((item, index) => infer(item, keyPath(where, index))));
  if (value instanceof Map) {
    const entries = stringKeyedEntries(value, where);
    return mapLiteral(entries.map(([key, item]) => [key, infer(item, keyPath(where, key))]));
  }
  if (isPlainObject(value)) return scalarLiteral({ generic: structFromJson(value, where) });
  throw new LiteralConversionError(`cannot convert ${where} to a literal: got ${describeValue(value)}, which has no Flyte type`);
}

/** The entries of a Map with string keys or of a plain object; undefined for anything else. */
function mapEntries(value: unknown, where: string): [string, unknown][] | undefined {
  if (isPlainObject(value)) return Object.entries(value);
  return value instanceof Map ? stringKeyedEntries(value, where) : undefined;
}

function stringKeyedEntries(map: ReadonlyMap<unknown, unknown>, where: string): [string, unknown][] {
  return [...map.entries()].map(([key, item]) => {
    if (typeof key !== "string") {
      throw new LiteralConversionError(`cannot convert ${where} to a map: its keys must be strings, got ${describeValue(key)}`);
    }
    return [key, item];
  });
}

function mismatch(where: string, type: flyteidl.core.ILiteralType | null | undefined, value: unknown, why?: string) {
  const reason = why === undefined ? "" : ` (${why})`;
  return new LiteralConversionError(`cannot convert ${where} to ${describeType(type)}: got ${describeValue(value)}${reason}`);
}

function integerLiteral(value: number | bigint, where: string, type: flyteidl.core.ILiteralType): flyteidl.core.Literal {
  const integer = toInt64(value);
  if (integer !== undefined) return primitiveLiteral({ integer });
  const why = typeof value === "number" && !Number.isInteger(value) ? "not an integer" : "outside the int64 range";
  throw mismatch(where, type, value, why);
}

function datetimeLiteral(value: Date, where: string, type: flyteidl.core.ILiteralType): flyteidl.core.Literal {
  if (Number.isNaN(value.getTime())) throw mismatch(where, type, value, "an invalid date");
  return primitiveLiteral({ datetime: dateToTimestamp(value) });
}

function scalarLiteral(scalar: flyteidl.core.IScalar): flyteidl.core.Literal {
  return new core.Literal({ scalar: new core.Scalar(scalar) });
}

function primitiveLiteral(primitive: flyteidl.core.IPrimitive): flyteidl.core.Literal {
  return scalarLiteral({ primitive: new core.Primitive(primitive) });
}

function noneLiteral(): flyteidl.core.Literal {
  return scalarLiteral({ noneType: new core.Void() });
}

function binaryLiteral(value: Uint8Array): flyteidl.core.Literal {
  return scalarLiteral({ binary: new core.Binary({ value }) });
}

function blobLiteral(uri: string, format: string, multipart: boolean): flyteidl.core.Literal {
  const dimensionality = multipart ? BlobDimensionality.MULTIPART : BlobDimensionality.SINGLE;
  const metadata = new core.BlobMetadata({ type: new core.BlobType({ format, dimensionality }) });
  return scalarLiteral({ blob: new core.Blob({ uri, metadata }) });
}

function structuredDatasetLiteral(
  uri: string,
  format: string,
  declared: flyteidl.core.IStructuredDatasetType,
): flyteidl.core.Literal {
  // flytekit (StructuredDatasetTransformerEngine.async_to_literal) keeps the declared format, and
  // takes the value's file_format only when the declared one is generic ("").
  const structuredDatasetType = new core.StructuredDatasetType({ ...declared, format: declared.format || format });
  const metadata = new core.StructuredDatasetMetadata({ structuredDatasetType });
  return scalarLiteral({ structuredDataset: new core.StructuredDataset({ uri, metadata }) });
}

function collectionLiteral(literals: flyteidl.core.Literal[]): flyteidl.core.Literal {
  return new core.Literal({ collection: new core.LiteralCollection({ literals }) });
}

function mapLiteral(entries: [string, flyteidl.core.Literal][]): flyteidl.core.Literal {
  return new core.Literal({ map: new core.LiteralMap({ literals: Object.fromEntries(entries) }) });
}
