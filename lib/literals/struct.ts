/**
 * Plain JSON <-> google.protobuf.Struct / Value / ListValue, the encoding of generic literals,
 * `custom_info` and `template.custom`. Only true JSON goes in: a non-finite number, a bigint, a
 * Date, a class instance or a circular reference is an error rather than something silently
 * changed. As in JSON.stringify, an object property whose value is `undefined` is left out.
 */
import { google } from "../idl/index.js";
import { describeValue, keyPath, LiteralConversionError } from "./errors.js";

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON object as a google.protobuf.Struct; `name` is how errors refer to it. */
export function structFromJson(json: Readonly<Record<string, unknown>>, name = "value"): google.protobuf.Struct {
  if (!isPlainObject(json)) throw notJson(name, json);
  return structFrom(json, name, new Set());
}

/** A google.protobuf.Struct as a plain JSON object. */
export function structToJson(struct: google.protobuf.IStruct): JsonObject {
  return Object.fromEntries(Object.entries(struct.fields ?? {}).map(([key, value]) => [key, valueToJson(value)]));
}

/** Any JSON value as a google.protobuf.Value; `name` is how errors refer to it. */
export function valueFromJson(json: unknown, name = "value"): google.protobuf.Value {
  return valueFrom(json, name, new Set());
}

/** A google.protobuf.Value as plain JSON (a Value with no kind set reads as null). */
export function valueToJson(value: google.protobuf.IValue): JsonValue {
  if (value.stringValue != null) return value.stringValue;
  if (value.numberValue != null) return value.numberValue;
  if (value.boolValue != null) return value.boolValue;
  if (value.structValue != null) return structToJson(value.structValue);
  if (value.listValue != null) return listValueToJson(value.listValue);
  return null;
}

/** A JSON array as a google.protobuf.ListValue; `name` is how errors refer to it. */
export function listValueFromJson(json: readonly unknown[], name = "value"): google.protobuf.ListValue {
  if (!Array.isArray(json)) throw notJson(name, json);
  return listFrom(json, name, new Set());
}

/** A google.protobuf.ListValue as a JSON array. */
export function listValueToJson(list: google.protobuf.IListValue): JsonValue[] {
  return (list.values ?? []).map(valueToJson);
}

/** An object made by `{}` or `Object.create(null)`: the only objects that are JSON objects. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// `ancestors` holds the containers being converted, to report a cycle instead of overflowing.
function structFrom(json: Record<string, unknown>, where: string, ancestors: Set<object>): google.protobuf.Struct {
  enter(json, where, ancestors);
  const fields = Object.fromEntries(
    Object.entries(json)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, valueFrom(value, keyPath(where, key), ancestors)]),
  );
  ancestors.delete(json);
  return new google.protobuf.Struct({ fields });
}

function listFrom(json: readonly unknown[], where: string, ancestors: Set<object>): google.protobuf.ListValue {
  enter(json, where, ancestors);
  const values = json.map((value, index) => valueFrom(value, keyPath(where, index), ancestors));
  ancestors.delete(json);
  return new google.protobuf.ListValue({ values });
}

function valueFrom(json: unknown, where: string, ancestors: Set<object>): google.protobuf.Value {
  if (json === null) return new google.protobuf.Value({ nullValue: google.protobuf.NullValue.NULL_VALUE });
  switch (typeof json) {
    case "string":
      return new google.protobuf.Value({ stringValue: json });
    case "boolean":
      return new google.protobuf.Value({ boolValue: json });
    case "number":
      if (!Number.isFinite(json)) throw notJson(where, json);
      return new google.protobuf.Value({ numberValue: json });
    case "object":
      if (Array.isArray(json)) return new google.protobuf.Value({ listValue: listFrom(json, where, ancestors) });
      if (isPlainObject(json)) return new google.protobuf.Value({ structValue: structFrom(json, where, ancestors) });
      throw notJson(where, json);
    default:
      throw notJson(where, json);
  }
}

function enter(container: object, where: string, ancestors: Set<object>): void {
  if (ancestors.has(container)) {
    throw new LiteralConversionError(`cannot convert ${where} to JSON: it contains itself`);
  }
  ancestors.add(container);
}

function notJson(where: string, value: unknown): LiteralConversionError {
  return new LiteralConversionError(`cannot convert ${where} to JSON: got ${describeValue(value)}`);
}
