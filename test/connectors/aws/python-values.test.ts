/**
 * flytekit's literal_map_string_repr (flytekit/interaction/string_literals.py, v1.16.24 e96c720),
 * which the boto3 plugin splices and hashes. Expected texts are what CPython 3.11 prints for the
 * same values.
 */
import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../lib/connector/errors.js";
import { PythonFloat } from "../../../lib/connector/python-json.js";
import { literalMapStringRepr } from "../../../lib/connectors/aws/input-strings.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { structFromJson } from "../../../lib/literals/index.js";

describe("literalMapStringRepr", () => {
  it("reads each literal as string_literals.py does", () => {
    const map = flyteidl.core.LiteralMap.decode(
      flyteidl.core.LiteralMap.encode({
        literals: {
          i: { scalar: { primitive: { integer: 7 } } },
          f: { scalar: { primitive: { floatValue: 2 } } },
          when: { scalar: { primitive: { datetime: { seconds: 1714564800, nanos: 123456789 } } } },
          wait: { scalar: { primitive: { duration: { seconds: 90, nanos: 500_000_000 } } } },
          file: { scalar: { blob: { uri: "s3://b/k", metadata: { type: { dimensionality: 0 } } } } },
          sd: { scalar: { structuredDataset: { uri: "bq://p:d.t" } } },
          dict: { scalar: { binary: { value: encode({ b: 1, a: [true, null] }), tag: "msgpack" } } },
          generic: { scalar: { generic: structFromJson({ n: 3, s: "x" }) } },
          list: { collection: { literals: [{ scalar: { primitive: { stringValue: "a" } } }] } },
          map: { map: { literals: { k: { scalar: { noneType: {} } } } } },
          union: { scalar: { union: { value: { scalar: { primitive: { boolean: false } } } } } },
        },
      }).finish(),
    );
    expect(literalMapStringRepr(map)).toEqual({
      i: 7,
      f: new PythonFloat(2),
      when: "2024-05-01T12:00:00.123456+00:00",
      wait: 90.5,
      file: "s3://b/k",
      sd: "bq://p:d.t",
      // json.dumps(msgpack.unpackb(...)): a string, not a dict.
      dict: '{"b": 1, "a": [true, null]}',
      // MessageToDict: a Struct's numbers are doubles, which json_format's _FieldToJsonObject
      // returns as they are (3.0); DictTransformer reads a Struct dict the same way
      // (type_engine.py:2432, json.loads(MessageToJson(...))).
      generic: { n: new PythonFloat(3), s: "x" },
      list: ["a"],
      map: { k: null },
      union: false,
    });
  });

  it("reads a duration as timedelta.total_seconds() of protobuf's ToTimedelta (whole microseconds, toward zero)", () => {
    const duration = (seconds: number, nanos: number) => ({ scalar: { primitive: { duration: { seconds, nanos } } } });
    // What CPython 3.11 prints for timedelta(seconds=s, microseconds=n // 1000).total_seconds().
    expect(
      literalMapStringRepr({
        literals: { micros: duration(1, 999_999_000), long: duration(12345, 678_901_000), nanos: duration(0, 1), mixed: duration(1, -5) },
      }),
    ).toEqual({ micros: 1.999999, long: 12345.678901, nanos: new PythonFloat(0), mixed: new PythonFloat(1) });
  });

  it("a literal, scalar or primitive that holds no value is the caller's INVALID_ARGUMENT, naming where", () => {
    const cases: [flyteidl.core.ILiteralMap, string][] = [
      [{ literals: { a: {} } }, 'The input "a" is a literal that holds no value.'],
      [{ literals: { l: { collection: { literals: [{ scalar: { primitive: { integer: 1 } } }, { scalar: {} }] } } } }, 'The input "l"[1] is a scalar that holds no value.'],
      [{ literals: { m: { map: { literals: { k: { scalar: { primitive: {} } } } } } } }, 'The input "m", key "k" is a primitive that holds no value.'],
    ];
    for (const [map, message] of cases) {
      expect(() => literalMapStringRepr(map)).toThrow(InvalidArgumentError);
      expect(() => literalMapStringRepr(map)).toThrow(message);
    }
  });

  it("reads other binary data as base64.b64encode does: bytes, not str (string_literals.py:49)", () => {
    const raw = { scalar: { binary: { value: new Uint8Array([1, 2, 255]), tag: "raw" } } };
    expect(literalMapStringRepr({ literals: { raw } })).toEqual({ raw: new TextEncoder().encode("AQL/") });
  });

  it("reads a msgpack dict's int64 exactly, as msgpack.unpackb does", () => {
    const big = { scalar: { binary: { value: encode({ id: 2n ** 63n - 1n, n: 1 }, { useBigInt64: true }), tag: "msgpack" } } };
    expect(literalMapStringRepr({ literals: { big } })).toEqual({ big: '{"id": 9223372036854775807, "n": 1}' });
  });

  // The bytes are msgpack.packb(...) from msgpack-python 1.0.3, which mashumaro's
  // MessagePackEncoder calls for flytekit's dicts (type_engine.py:2284-2298, dict_to_binary_literal);
  // the texts are json.dumps(msgpack.unpackb(bytes)) as string_literals.py:46-48 calls it.
  const msgpackDict = (hex: string) => literalMapStringRepr({ literals: { d: { scalar: { binary: { value: Buffer.from(hex, "hex"), tag: "msgpack" } } } } })["d"];

  it("writes a dict's whole float as 1.0: msgpack keeps float64 apart from int", () => {
    // {"a": 1.0, "b": 1}; before, '{"a": 1, "b": 1}'.
    expect(msgpackDict("82a161cb3ff0000000000000a16201")).toBe('{"a": 1.0, "b": 1}');
    // {"x": -0.0, "big": 2**64 - 1, "neg": -2**63, "f": 1e16, "n": nan}
    expect(msgpackDict("85a178cb8000000000000000a3626967cfffffffffffffffffa36e6567d38000000000000000a166cb4341c37937e08000a16ecb7ff8000000000000")).toBe(
      '{"x": -0.0, "big": 18446744073709551615, "neg": -9223372036854775808, "f": 1e+16, "n": NaN}',
    );
    // A float32 (another packer's) unpacks as a Python float too: {"a": 2.0}.
    expect(msgpackDict("81a161ca40000000")).toBe('{"a": 2.0}');
  });

  it("writes a dict's keys in their packed order, a repeated key in its first place", () => {
    // {"b": 1, "1": 2}; before, '{"1": 2, "b": 1}' (a JS object lists "1" first).
    expect(msgpackDict("82a16201a13102")).toBe('{"b": 1, "1": 2}');
    // Map {"a": 1, "a": 2} unpacks to {"a": 2}; a leading U+FEFF stays in the str.
    expect(msgpackDict("82a16101a16102")).toBe('{"a": 2}');
    expect(msgpackDict("a3efbbbf")).toBe('"\\ufeff"');
  });

  it("refuses what unpackb or json.dumps refuses, as a bad input", () => {
    // msgpack.packb({1: "a"}): unpackb's strict_map_key=True refuses an int key (ValueError).
    expect(() => msgpackDict("8101a161")).toThrow(InvalidArgumentError);
    expect(() => msgpackDict("8101a161")).toThrow(/map key is int 1, which unpackb \(strict_map_key=True\) refuses/);
    expect(() => msgpackDict("81a161c40107")).toThrow(/bytes, which json.dumps cannot write/);
    expect(() => msgpackDict("82a16101")).toThrow(/truncated/);
    expect(() => msgpackDict("0101")).toThrow(/extra data/);
    expect(() => msgpackDict("a1ff")).toThrow(/not valid UTF-8/);
  });
});
