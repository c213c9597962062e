/**
 * Python's str(), repr() and datetime.isoformat() (lib/connector/python-str.ts), which the boto3
 * plugin splices and hashes, Databricks' entrypoint and the file sensor write, and SQL parameters
 * and webhook placeholders take. Expected texts are what CPython 3.11 prints for the same values.
 */
import { describe, expect, it } from "vitest";
import { PythonFloat } from "../../lib/connector/python-json.js";
import { pythonIsoformat, pythonRepr, pythonStr } from "../../lib/connector/python-str.js";
import { PreciseDate } from "../../lib/literals/index.js";

describe("pythonRepr", () => {
  it("quotes as CPython does", () => {
    expect(pythonRepr("it's")).toBe(`"it's"`);
    expect(pythonRepr('say "hi"')).toBe(`'say "hi"'`);
    expect(pythonRepr(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(pythonRepr("tab\there\nnl\\")).toBe("'tab\\there\\nnl\\\\'");
    expect(pythonRepr("\x00\x7f\x85\xa0é\u2028\u{1F680}\ufeff")).toBe("'\\x00\\x7f\\x85\\xa0é\\u2028\u{1F680}\\ufeff'");
  });

  it("writes numbers, constants, lists and dicts as CPython does", () => {
    expect(pythonRepr([1, new PythonFloat(2), new PythonFloat(1e16), 1e-5, Number.NaN, true, null, { a: "b" }])).toBe("[1, 2.0, 1e+16, 1e-05, nan, True, None, {'a': 'b'}]");
    expect(pythonStr("plain")).toBe("plain");
    expect(pythonStr(12345678901234567890n)).toBe("12345678901234567890");
  });

  it("writes an aware UTC datetime's isoformat, to a PreciseDate's microsecond", () => {
    expect(pythonIsoformat(new Date(1714564800_000))).toBe("2024-05-01T12:00:00+00:00");
    expect(pythonIsoformat(new Date(1714564800_120))).toBe("2024-05-01T12:00:00.120000+00:00");
    expect(pythonIsoformat(new PreciseDate(1714564800, 123_456_789))).toBe("2024-05-01T12:00:00.123456+00:00");
    expect(pythonIsoformat(new PreciseDate(-1, 999_999_000))).toBe("1969-12-31T23:59:59.999999+00:00");
    // str(datetime) is isoformat(" ").
    expect(pythonIsoformat(new PreciseDate(1714564800, 5_000), " ")).toBe("2024-05-01 12:00:00.000005+00:00");
  });
});
