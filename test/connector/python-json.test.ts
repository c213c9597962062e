import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type JsonValue,
  PythonFloat,
  formatPythonFloat,
  parsePythonJson,
  pythonFloat,
  quotePythonString,
  toPythonJson,
} from "../../lib/connector/python-json.js";

describe("formatPythonFloat", () => {
  // Expected strings are Python 3.11's repr(float) / json.dumps(float).
  test.each([
    [1, "1.0"],
    [100, "100.0"],
    [0, "0.0"],
    [-0, "-0.0"],
    [0.1, "0.1"],
    [2 / 3, "0.6666666666666666"],
    [123.456, "123.456"],
    [-2.5, "-2.5"],
    [0.0001, "0.0001"],
    [1e-5, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [5e-324, "5e-324"],
    [1e15, "1000000000000000.0"],
    [1e16, "1e+16"],
    [123456789012345678, "1.2345678901234568e+17"],
    [1e22, "1e+22"],
    [1e100, "1e+100"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [Number.NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
  ])("%d is %s", (value, expected) => {
    expect(formatPythonFloat(value)).toBe(expected);
  });

  test("always reads back as the same double", () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        expect(Object.is(Number(formatPythonFloat(value)), value)).toBe(true);
      }),
    );
  });
});

describe("quotePythonString", () => {
  test("escapes like ensure_ascii", () => {
    expect(quotePythonString('a"b\\c/d')).toBe('"a\\"b\\\\c/d"');
    expect(quotePythonString("\n\r\t\b\f\x00\x1f\x7f ~")).toBe('"\\n\\r\\t\\b\\f\\u0000\\u001f\\u007f ~"');
    expect(quotePythonString("café 中 \u2028\ufeff")).toBe('"caf\\u00e9 \\u4e2d \\u2028\\ufeff"');
    expect(quotePythonString("\u{1F600}\u{1D11E}")).toBe('"\\ud83d\\ude00\\ud834\\udd1e"');
    expect(quotePythonString("\ud800")).toBe('"\\ud800"');
  });
});

describe("toPythonJson", () => {
  test("uses Python's separators and keeps key order", () => {
    expect(toPythonJson({ b: [1, 2, { c: null }], a: {}, e: [] })).toBe('{"b": [1, 2, {"c": null}], "a": {}, "e": []}');
  });

  test("writes integral numbers and bigints as ints, the rest and PythonFloat as floats", () => {
    expect(toPythonJson([3, -0, 2 ** 70, 12345678901234567890n, 0.5, pythonFloat(3), Number.NaN, -Infinity])).toBe(
      "[3, 0, 1180591620717411303424, 12345678901234567890, 0.5, 3.0, NaN, -Infinity]",
    );
  });

  test("writes the same object twice when it is not its own ancestor", () => {
    const shared = { x: 1 };
    expect(toPythonJson([shared, shared])).toBe('[{"x": 1}, {"x": 1}]');
    expect(toPythonJson(Object.assign(Object.create(null) as object, { k: true }) as JsonValue)).toBe('{"k": true}');
  });

  test.each([
    [undefined, "value is undefined, which is not JSON."],
    [{ a: { b: Symbol("s") } }, "value at a.b is symbol, which is not JSON."],
    [[1, () => 1], "value at [1] is function, which is not JSON."],
    [{ m: new Map() }, "value at m is a Map, not a plain object."],
  ])("rejects %s", (value, message) => {
    expect(() => toPythonJson(value as JsonValue)).toThrow(new TypeError(message));
  });

  test("rejects cycles", () => {
    const list: unknown[] = [];
    list.push({ back: list });
    expect(() => toPythonJson(list as JsonValue)).toThrow("value at [0].back is a circular reference.");
  });
});

describe("parsePythonJson", () => {
  test("reads ints, bigints, fractions, integral floats and Python's NaN/Infinity", () => {
    const parsed = parsePythonJson("[0, -0, -7, 9007199254740991, 9007199254740992, -9007199254740993, 1.5, 2.0, 1e2, -0.0, NaN, Infinity, -Infinity]");
    expect(parsed).toEqual([
      0,
      0,
      -7,
      9007199254740991,
      9007199254740992n,
      -9007199254740993n,
      1.5,
      new PythonFloat(2),
      new PythonFloat(100),
      new PythonFloat(-0),
      Number.NaN,
      Infinity,
      -Infinity,
    ]);
    expect(Object.is((parsed as unknown[])[1], 0)).toBe(true);
  });

  test("reads escapes, surrogate pairs and raw non-ASCII", () => {
    expect(parsePythonJson('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00é😀"')).toBe('"\\/\b\f\n\r\t\u00e9\u{1F600}é\u{1F600}');
  });

  test("takes the last of duplicate keys at the first one's place, and a __proto__ key as data", () => {
    const parsed = parsePythonJson('{"a": 1, "b": 2, "a": 3, "__proto__": {"x": 1}}') as Record<string, JsonValue>;
    expect(toPythonJson(parsed)).toBe('{"a": 3, "b": 2, "__proto__": {"x": 1}}');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
  });

  test("keeps the order of integer-like keys for writing back, also after a change", () => {
    const parsed = parsePythonJson('{"b": 1, "10": 2, "9": 3}') as Record<string, JsonValue>;
    expect(Object.keys(parsed)).toEqual(["9", "10", "b"]);
    expect(toPythonJson(parsed)).toBe('{"b": 1, "10": 2, "9": 3}');
    delete parsed["10"];
    parsed["1"] = 4;
    expect(toPythonJson(parsed)).toBe('{"b": 1, "9": 3, "1": 4}');
  });

  test("allows JSON whitespace around tokens", () => {
    expect(toPythonJson(parsePythonJson(' \t\n\r{ "a" : [ 1 , 2 ] }\n'))).toBe('{"a": [1, 2]}');
  });

  test.each([
    ["", "Expecting value at position 0."],
    ["{} x", "Extra data at position 3."],
    ["[1,]", "Expecting value at position 3."],
    ["{'a': 1}", "Expecting property name enclosed in double quotes at position 1."],
    ['{"a" 1}', "Expecting ':' delimiter at position 5."],
    ["[1 2]", "Expecting ',' delimiter at position 3."],
    ["01", "Extra data at position 1."],
    ["1.", "Extra data at position 1."],
    ['"abc', "Unterminated string starting at position 0."],
    ['"a\nb"', "Invalid control character in string at position 2."],
    ['"\\x"', "Invalid \\escape at position 1."],
    ['"\\u12g4"', "Invalid \\uXXXX escape at position 1."],
    ["\ufeff1", "Expecting value at position 0."],
    ["nul", "Expecting value at position 0."],
    ["[".repeat(501) + "]".repeat(501), "Nesting deeper than 500 levels at position 500."],
  ])("rejects %j", (source, message) => {
    expect(() => parsePythonJson(source)).toThrow(new SyntaxError(message));
  });

  test("reads back what toPythonJson writes, which then writes the same text", () => {
    const value = fc.letrec<{ value: JsonValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.string({ unit: "binary" }),
        fc.integer(),
        fc.bigInt(),
        fc.double().map((number) => (Number.isInteger(number) ? pythonFloat(number) : number)),
        fc.array(tie("value")),
        fc.dictionary(fc.string({ unit: "binary" }), tie("value")),
      ),
    })).value;
    fc.assert(
      fc.property(value, (input) => {
        const written = toPythonJson(input);
        expect(toPythonJson(parsePythonJson(written))).toBe(written);
      }),
    );
  });
});
