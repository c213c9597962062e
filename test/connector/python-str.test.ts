/**
 * Python's str(), repr(), datetime.isoformat(), timedelta.total_seconds() and a Struct's MessageToDict
 * (lib/connector/python-str.ts), which the boto3
 * plugin splices and hashes, Databricks' entrypoint and the file sensor write, and SQL parameters
 * and webhook placeholders take. Expected texts are what CPython 3.11 prints for the same values.
 */
import { describe, expect, it } from "vitest";
import { parsePythonJson, PythonFloat } from "../../lib/connector/python-json.js";
import { messageToDict, pythonIsoformat, pythonRepr, pythonStr, pythonTotalSeconds } from "../../lib/connector/python-str.js";
import { PreciseDate, structFromJson } from "../../lib/literals/index.js";

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

  it("writes a parsed dict's keys in the order they were read, as Python's dict keeps them", () => {
    // python3 3.11: repr(json.loads('{"b": 1, "1": 2, "a": 3}')) == "{'b': 1, '1': 2, 'a': 3}", where
    // a JS object lists "1" first.
    expect(pythonRepr(parsePythonJson('{"b": 1, "1": 2, "a": 3}'))).toBe("{'b': 1, '1': 2, 'a': 3}");
    // str(json.loads('{"x": {"10": 1, "2": [{"1": null, "0": true}]}}'))
    expect(pythonStr(parsePythonJson('{"x": {"10": 1, "2": [{"1": null, "0": true}]}}'))).toBe("{'x': {'10': 1, '2': [{'1': None, '0': True}]}}");
  });

  it("writes bytes as CPython does", () => {
    // python3 3.11: repr(bytes.fromhex(hex)) for each.
    const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));
    expect(pythonRepr(bytes(""))).toBe("b''");
    expect(pythonRepr(bytes("69742773"))).toBe(`b"it's"`);
    expect(pythonRepr(bytes("7361792022686922"))).toBe(`b'say "hi"'`);
    expect(pythonRepr(bytes("626f7468202720616e642022"))).toBe(`b'both \\' and "'`);
    expect(pythonRepr(bytes("001f7f80ff090a0d5c207e"))).toBe("b'\\x00\\x1f\\x7f\\x80\\xff\\t\\n\\r\\\\ ~'");
    expect(pythonStr([bytes("61"), 1])).toBe("[b'a', 1]");
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

describe("pythonTotalSeconds", () => {
  // timedelta(seconds=s, microseconds=n // 1000).total_seconds(), as protobuf's ToTimedelta reads a Duration.
  it("divides whole microseconds, as timedelta.total_seconds() does", () => {
    expect(pythonTotalSeconds(1, 999_999_000)).toBe(1.999999);
    expect(pythonTotalSeconds(12345, 678_901_000)).toBe(12345.678901);
    expect(pythonTotalSeconds(90, 500_000_000)).toBe(90.5);
    expect(pythonTotalSeconds(-2, -500_000_000)).toBe(-2.5);
  });

  it("rounds the exact microseconds once, beyond 2^53 of them too", () => {
    // python3 3.11 with protobuf: Duration(seconds=s, nanos=n).ToTimedelta().total_seconds()
    expect(pythonTotalSeconds(314276167900, 673123359)).toBe(314276167900.6731);
    expect(pythonTotalSeconds(-314276167900, -673123359)).toBe(-314276167900.6731);
    expect(pythonTotalSeconds(-258680243794, -158311277)).toBe(-258680243794.15833);
    expect(pythonTotalSeconds(267157743332, 111066699)).toBe(267157743332.11105);
    expect(pythonTotalSeconds(315576000000, 999999999)).toBe(315576000001.0);
    expect(pythonTotalSeconds(100, -5_000_000)).toBe(99.995);
    expect(pythonTotalSeconds(-100, 5_000_000)).toBe(-99.995);
    expect(Object.is(pythonTotalSeconds(0, -999), 0)).toBe(true);
  });

  it("drops the nanoseconds below a microsecond, toward zero", () => {
    expect(pythonTotalSeconds(0, 1)).toBe(0);
    expect(pythonTotalSeconds(1, -5)).toBe(1);
    expect(pythonTotalSeconds(0, -1_999)).toBe(-0.000001);
  });
});

describe("messageToDict", () => {
  it("reads a Struct as json_format.MessageToDict does: every number a float", () => {
    expect(messageToDict(structFromJson({ n: 3, f: 0.5, s: "x", b: true, none: null, list: [1, { k: 2 }] }))).toEqual({
      n: new PythonFloat(3),
      f: 0.5,
      s: "x",
      b: true,
      none: null,
      list: [new PythonFloat(1), { k: new PythonFloat(2) }],
    });
  });
});
