import { describe, expect, it } from "vitest";
import { PythonFloat } from "../../../lib/connector/python-json.js";
import { templateValueJson, templateValueText } from "../../../lib/connectors/webhook/template-value.js";

describe("templateValueText (Python's str)", () => {
  it.each([
    ["text", "text"],
    [7, "7"],
    [-0, "0"],
    [1e21, "1000000000000000000000"],
    [12345678901234567890n, "12345678901234567890"],
    [2.5, "2.5"],
    [new PythonFloat(2), "2.0"],
    [new PythonFloat(1e16), "1e+16"],
    [0.00001, "1e-05"],
    [Number.NaN, "nan"],
    [new PythonFloat(Infinity), "inf"],
    [-Infinity, "-inf"],
    [true, "True"],
    [false, "False"],
    [null, "None"],
  ])("%s -> %s", (value, text) => {
    expect(templateValueText(value)).toBe(text);
  });

  it("writes lists and dicts as json.dumps does", () => {
    expect(templateValueText([1, new PythonFloat(2), "é", null])).toBe('[1, 2.0, "\\u00e9", null]');
    expect(templateValueText({ a: { b: true } })).toBe('{"a": {"b": true}}');
  });
});

describe("templateValueJson", () => {
  it("unwraps floats and keeps what JSON holds", () => {
    expect(templateValueJson({ f: new PythonFloat(2), l: [1, "a", null, false] })).toEqual({ f: 2, l: [1, "a", null, false] });
  });

  it("gives what JSON cannot hold as text", () => {
    expect(templateValueJson([12345678901234567890n, Number.NaN, new PythonFloat(-Infinity)])).toEqual([
      "12345678901234567890",
      "nan",
      "-inf",
    ]);
  });
});
