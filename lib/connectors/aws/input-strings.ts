/**
 * flytekit's literal_map_string_repr (flytekit/interaction/string_literals.py), which the boto3
 * plugin fills `{inputs.x}` placeholders from: a file, directory or dataset is its URI, a datetime
 * its isoformat, a duration its seconds (a float), a msgpack dict its json.dumps text, other binary
 * data the bytes of its base64 text, a Struct its MessageToDict (every number a float),
 * collections and maps element by element.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { type JsonValue, quotePythonString, toPythonJson } from "../../connector/python-json.js";
import type { flyteidl } from "../../idl/index.js";
import { MSGPACK_TAG } from "../../literals/python.js";
import { type MessagePackValue, unpackb } from "../../literals/unpackb.js";
import { fromInt64 } from "../../literals/primitives.js";
import { floatValue, PreciseDate, PythonFloat } from "../../literals/values.js";
import { messageToDict, pythonIsoformat, type PythonValue, pythonRepr, pythonStr, pythonTotalSeconds } from "../../connector/python-str.js";

/** A value as the plugin holds it: JSON-like, or bytes (a binary input), in lists and dicts. */
export type PyValue = JsonValue | Uint8Array | readonly PyValue[] | { readonly [key: string]: PyValue };

export type PyDict = { readonly [key: string]: PyValue };

/** Whether a PyValue is a dict: an object that is no float, bytes or list. */
export function isPyDict(value: PyValue | undefined): value is PyDict {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PythonFloat) && !(value instanceof Uint8Array);
}

/** str() and repr() of a PyValue: pythonRepr walks dicts holding bytes as it walks lists of them. */
export const pyStr = (value: PyValue): string => pythonStr(value as PythonValue);
export const pyRepr = (value: PyValue): string => pythonRepr(value as PythonValue);

export function literalMapStringRepr(inputs: flyteidl.core.ILiteralMap | null | undefined, where = "input"): Record<string, PyValue> {
  return Object.fromEntries(
    Object.entries(inputs?.literals ?? {}).map(([name, literal]) => [name, literalStringRepr(literal, `${where} ${JSON.stringify(name)}`)]),
  );
}

function literalStringRepr(literal: flyteidl.core.ILiteral, where: string): PyValue {
  if (literal.scalar != null) return scalarString(literal.scalar, where);
  if (literal.collection != null) return (literal.collection.literals ?? []).map((item, index) => literalStringRepr(item, `${where}[${index}]`));
  if (literal.map != null) return literalMapStringRepr(literal.map, `${where}, key`);
  if (literal.offloadedMetadata != null) return `Offloaded literal metadata: ${literal.offloadedMetadata.uri ?? ""}`;
  throw noValue(where, "literal");
}

/** A literal that sets none of its kinds: the caller's malformed request. */
function noValue(where: string, kind: string): InvalidArgumentError {
  return new InvalidArgumentError(`The ${where} is a ${kind} that holds no value.`);
}

function scalarString(scalar: flyteidl.core.IScalar, where: string): PyValue {
  if (scalar.primitive != null) return primitiveString(scalar.primitive, where);
  if (scalar.noneType != null) return null;
  if (scalar.error != null) return scalar.error.message ?? "";
  if (scalar.structuredDataset != null) return scalar.structuredDataset.uri ?? "";
  if (scalar.schema != null) return scalar.schema.uri ?? "";
  if (scalar.blob != null) return scalar.blob.uri ?? "";
  if (scalar.binary != null) {
    const bytes = scalar.binary.value ?? new Uint8Array();
    if (scalar.binary.tag === MSGPACK_TAG) return jsonDumps(unpackMsgpack(bytes));
    // base64.b64encode returns bytes (string_literals.py:49, v1.16.24 e96c720): spliced as `b'...'`.
    return new TextEncoder().encode(Buffer.from(bytes).toString("base64"));
  }
  if (scalar.generic != null) return messageToDict(scalar.generic);
  if (scalar.union != null) return literalStringRepr(scalar.union.value ?? {}, where);
  throw noValue(where, "scalar");
}

function unpackMsgpack(bytes: Uint8Array): MessagePackValue {
  try {
    return unpackb(bytes);
  } catch (error) {
    throw new InvalidArgumentError(`A msgpack input does not read as json.dumps(msgpack.unpackb(...)) reads it: ${(error as Error).message}`, { cause: error });
  }
}

/** json.dumps: a dict's keys in their packed order, a whole float as `1.0`; bytes are a TypeError. */
function jsonDumps(value: MessagePackValue): string {
  if (value instanceof Uint8Array) throw new InvalidArgumentError("A msgpack input holds bytes, which json.dumps cannot write (Object of type bytes is not JSON serializable)");
  if (value instanceof Map) return `{${[...value].map(([key, item]) => `${quotePythonString(key)}: ${jsonDumps(item)}`).join(", ")}}`;
  if (Array.isArray(value)) return `[${value.map(jsonDumps).join(", ")}]`;
  return toPythonJson(value);
}

function primitiveString(primitive: flyteidl.core.IPrimitive, where: string): JsonValue {
  if (primitive.integer != null) return fromInt64(primitive.integer);
  if (primitive.floatValue != null) return floatValue(primitive.floatValue);
  if (primitive.boolean != null) return primitive.boolean;
  if (primitive.stringValue != null) return primitive.stringValue;
  if (primitive.datetime != null) {
    const { seconds, nanos } = primitive.datetime;
    return pythonIsoformat(new PreciseDate(Number(fromInt64(seconds ?? 0)), nanos ?? 0));
  }
  if (primitive.duration != null) {
    const { seconds, nanos } = primitive.duration;
    return floatValue(pythonTotalSeconds(Number(fromInt64(seconds ?? 0)), nanos ?? 0));
  }
  throw noValue(where, "primitive");
}

