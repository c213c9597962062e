import { decode } from "@msgpack/msgpack";
import { describe, expect, test } from "vitest";
import { flyteidl } from "../../lib/idl/index.js";
import { LiteralConversionError, StructuredDataset, pythonFloat, pythonLiteral, pythonOutputs } from "../../lib/literals/index.js";

describe("pythonLiteral: what flytekit's TypeEngine makes of a connector's Python values", () => {
  test("a dict is MessagePack bytes tagged msgpack (flytekit >= 1.14), not a Struct", () => {
    const literal = pythonLiteral({ id: "batch_1", request_counts: { total: 3 }, errors: null });
    expect(literal.scalar?.binary?.tag).toBe("msgpack");
    expect(literal.scalar?.generic).toBeFalsy();
    expect(decode(literal.scalar!.binary!.value!)).toEqual({ id: "batch_1", request_counts: { total: 3 }, errors: null });
  });

  // The bytes msgpack-python's Packer writes (what flytekit's msgpack.dumps / mashumaro send):
  // the smallest int format, uint64 0xcf above 2^32 and int64 0xd3 below -2^31 (Python ints are
  // exact), a float always float64 0xcb, bytes bin, str str.
  const packed = (value: Record<string, unknown>) => [...pythonLiteral(value).scalar!.binary!.value!];

  test("a dict's bytes are those msgpack-python packs", () => {
    expect(packed({ a: [1, -1, 200, -200, 70000, -70000, 2 ** 32, -(2 ** 31) - 1], s: "x", n: null, t: true, b: new Uint8Array([7]) })).toEqual([
      0x85,
      ...[0xa1, 0x61, 0x98, 0x01, 0xff, 0xcc, 0xc8, 0xd1, 0xff, 0x38, 0xce, 0x00, 0x01, 0x11, 0x70, 0xd2, 0xff, 0xfe, 0xee, 0x90],
      ...[0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff],
      ...[0xa1, 0x73, 0xa1, 0x78, 0xa1, 0x6e, 0xc0, 0xa1, 0x74, 0xc3, 0xa1, 0x62, 0xc4, 0x01, 0x07],
    ]);
    expect(packed({ f: 1.5 })).toEqual([0x81, 0xa1, 0x66, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
  });

  test("in a dict a PythonFloat is a float and a bigint an int, as at the top level", () => {
    // msgpack.packb({"f": 2.0}) and msgpack.packb({"i": 2**63 - 1}); before, {"f": {"value": 2}} and an error
    expect(packed({ f: pythonFloat(2) })).toEqual([0x81, 0xa1, 0x66, 0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0]);
    expect(packed({ i: 2n ** 63n - 1n })).toEqual([0x81, 0xa1, 0x69, 0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(decode(new Uint8Array(packed({ i: 2n ** 64n - 1n, j: 3n })), { useBigInt64: true })).toEqual({ i: 2n ** 64n - 1n, j: 3 });
  });

  test("what msgpack-python cannot pack is an error naming where", () => {
    expect(() => pythonOutputs({ o: { a: [2n ** 64n] } })).toThrow(
      new LiteralConversionError('cannot convert "o"["a"][0] to MessagePack: got bigint 18446744073709551616n (outside the int64 and uint64 range)'),
    );
    expect(() => pythonLiteral({ when: new Date(0) }, "r")).toThrow(new LiteralConversionError('cannot convert r["when"] to MessagePack: got Date'));
    const loop: Record<string, unknown> = {};
    loop["self"] = loop;
    expect(() => pythonLiteral(loop, "r")).toThrow(LiteralConversionError);
  });

  test("a table is a structured dataset with format \"\"", () => {
    const literal = pythonLiteral(new StructuredDataset("bq://p:d.t"));
    expect(literal.scalar?.structuredDataset?.uri).toBe("bq://p:d.t");
    expect(literal.scalar?.structuredDataset?.metadata?.structuredDatasetType?.format).toBe("");
  });

  test("scalars by their own type, lists as collections of each", () => {
    expect(pythonLiteral("s").scalar?.primitive?.stringValue).toBe("s");
    expect(Number(pythonLiteral(3).scalar?.primitive?.integer)).toBe(3);
    expect(pythonLiteral(1.5).scalar?.primitive?.floatValue).toBe(1.5);
    expect(pythonLiteral(true).scalar?.primitive?.boolean).toBe(true);
    expect(pythonLiteral(null).scalar?.noneType).toBeTruthy();
    const list = pythonLiteral([{ a: 1 }, "x"]);
    expect(list.collection?.literals?.[0]?.scalar?.binary?.tag).toBe("msgpack");
    expect(list.collection?.literals?.[1]?.scalar?.primitive?.stringValue).toBe("x");
  });

  test("pythonOutputs is a LiteralMap of each", () => {
    const outputs = pythonOutputs({ result: { EndpointArn: "arn:aws:sagemaker:..." }, idempotence_token: "abc" });
    expect(outputs).toBeInstanceOf(flyteidl.core.LiteralMap);
    expect(Object.keys(outputs.literals)).toEqual(["result", "idempotence_token"]);
    expect(outputs.literals["result"]?.scalar?.binary?.tag).toBe("msgpack");
  });
});
