import { describe, expect, test } from "vitest";
import { google } from "../../lib/idl/index.js";
import {
  type JsonObject,
  listValueFromJson,
  listValueToJson,
  LiteralConversionError,
  structFromJson,
  structToJson,
  valueFromJson,
  valueToJson,
} from "../../lib/literals/index.js";

const overTheWire = (struct: google.protobuf.IStruct) =>
  google.protobuf.Struct.decode(google.protobuf.Struct.encode(struct).finish());

describe("Struct <-> JSON", () => {
  test("nested JSON round-trips through the wire", () => {
    const json: JsonObject = {
      s: "text",
      n: -1.25,
      z: 0,
      t: true,
      f: false,
      nil: null,
      list: [1, "two", [3], { four: 4 }, null],
      obj: { inner: { deeper: [] }, empty: {} },
    };
    const struct = structFromJson(json);
    expect(struct).toBeInstanceOf(google.protobuf.Struct);
    expect(structToJson(overTheWire(struct))).toStrictEqual(json);
  });

  test("the Struct has the Value kinds protobuf's JSON mapping expects", () => {
    expect(google.protobuf.Struct.toObject(structFromJson({ a: null, b: [true] }))).toEqual({
      fields: {
        a: { nullValue: google.protobuf.NullValue.NULL_VALUE },
        b: { listValue: { values: [{ boolValue: true }] } },
      },
    });
  });

  test("a property whose value is undefined is left out, as JSON.stringify does", () => {
    expect(structToJson(structFromJson({ a: 1, b: undefined }))).toStrictEqual({ a: 1 });
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["NaN", { a: Number.NaN }, 'cannot convert value["a"] to JSON: got number NaN'],
    ["Infinity in a list", { a: [1, Number.POSITIVE_INFINITY] }, 'cannot convert value["a"][1] to JSON: got number Infinity'],
    ["-Infinity deep down", { a: { b: { c: Number.NEGATIVE_INFINITY } } }, 'cannot convert value["a"]["b"]["c"] to JSON: got number -Infinity'],
    ["a bigint", { a: 1n }, 'cannot convert value["a"] to JSON: got bigint 1n'],
    ["a Date", { when: new Date(0) }, 'cannot convert value["when"] to JSON: got Date'],
    ["a Map", { m: new Map() }, 'cannot convert value["m"] to JSON: got Map'],
    ["a function", { f: () => 1 }, 'cannot convert value["f"] to JSON: got function'],
    ["undefined in a list", { a: [undefined] }, 'cannot convert value["a"][0] to JSON: got undefined'],
  ])("%s is an error naming where", (_, json, message) => {
    expect(() => structFromJson(json)).toThrow(new LiteralConversionError(message));
  });

  test("errors use the name given", () => {
    expect(() => structFromJson({ a: Number.NaN }, "customInfo")).toThrow('cannot convert customInfo["a"] to JSON: got number NaN');
  });

  test("a top level that is not a plain object is an error", () => {
    expect(() => structFromJson([] as unknown as Record<string, unknown>)).toThrow(
      "cannot convert value to JSON: got array of length 0",
    );
    expect(() => structFromJson(new (class Config {})() as Record<string, unknown>)).toThrow("cannot convert value to JSON: got Config");
  });

  test("a circular reference is an error, a shared one is not", () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop["self"] = { back: loop };
    expect(() => structFromJson(loop)).toThrow('cannot convert value["self"]["back"] to JSON: it contains itself');
    const shared = { x: 1 };
    expect(structToJson(structFromJson({ a: shared, b: [shared] }))).toStrictEqual({ a: { x: 1 }, b: [{ x: 1 }] });
  });

  test("objects with a null prototype are JSON objects", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: "v" });
    expect(structToJson(structFromJson({ bare }))).toStrictEqual({ bare: { k: "v" } });
  });

  test("a key named __proto__ survives both ways", () => {
    const json = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    const back = structToJson(overTheWire(structFromJson(json)));
    expect(Object.keys(back)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });
});

describe("Value and ListValue", () => {
  test.each([null, "s", 0, -2.5, true, [1, [2]], { a: [] }])("%j round-trips", (json) => {
    const value = google.protobuf.Value.decode(google.protobuf.Value.encode(valueFromJson(json)).finish());
    expect(valueToJson(value)).toStrictEqual(json);
  });

  test("a Value with no kind reads as null", () => {
    expect(valueToJson({})).toBeNull();
  });

  test("a non-JSON Value is an error", () => {
    expect(() => valueFromJson(Number.NaN, "v")).toThrow("cannot convert v to JSON: got number NaN");
    expect(() => valueFromJson(undefined)).toThrow("cannot convert value to JSON: got undefined");
  });

  test("ListValue", () => {
    const list = listValueFromJson([1, "a", null]);
    expect(list).toBeInstanceOf(google.protobuf.ListValue);
    expect(listValueToJson(list)).toStrictEqual([1, "a", null]);
    expect(listValueToJson({})).toStrictEqual([]);
    expect(() => listValueFromJson({} as unknown as unknown[], "l")).toThrow("cannot convert l to JSON: got object");
  });
});
