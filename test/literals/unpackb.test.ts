/**
 * The MessagePack reader behind the literals and boto's input strings, checked against
 * @msgpack/msgpack (an independent implementation of the spec) and against bytes that
 * msgpack-python 1.0.3 packs, read as its unpackb reads them.
 */
import { decode, encode } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { LiteralConversionError } from "../../lib/literals/errors.js";
import { describeMessagePack, type MessagePackValue, unpackb } from "../../lib/literals/unpackb.js";
import { PythonFloat } from "../../lib/literals/values.js";

const hex = (text: string) => Buffer.from(text, "hex");

/** What the reader keeps beyond a plain value, dropped: a Map as an object, a whole float a number. */
function plain(value: MessagePackValue): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [key, plain(item)]));
  if (Array.isArray(value)) return value.map(plain);
  return value instanceof PythonFloat ? value.value : value;
}

/** @msgpack/msgpack's reading with ints as the reader holds them: a number when safe. */
function oracle(bytes: Uint8Array): unknown {
  const safe = (value: unknown): unknown => {
    if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    if (Array.isArray(value)) return value.map(safe);
    if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, safe(item)]));
    }
    return value;
  };
  return safe(decode(bytes, { useBigInt64: true }));
}

describe("unpackb", () => {
  test("reads what another implementation packs as that implementation reads it", () => {
    const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n });
    const value = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        int64,
        fc.double({ noDefaultInfinity: false, noNaN: false }),
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(tie("value"), { maxLength: 20 }),
        // @msgpack/msgpack refuses a "__proto__" key (see the test of it below).
        fc.dictionary(
          fc.string().filter((key) => key !== "__proto__"),
          tie("value"),
          { maxKeys: 20 },
        ),
      ),
    })).value;
    fc.assert(
      fc.property(value, (input) => {
        const bytes = encode(input, { useBigInt64: true });
        expect(plain(unpackb(bytes))).toStrictEqual(oracle(bytes));
      }),
      { numRuns: 500 },
    );
  });

  test("every length form of str, bin, array and map", () => {
    for (const length of [0, 31, 32, 255, 256, 65535, 65536]) {
      const text = "x".repeat(length);
      expect(unpackb(encode(text))).toBe(text);
      expect(unpackb(encode(new Uint8Array(length).fill(7)))).toStrictEqual(new Uint8Array(length).fill(7));
      expect((unpackb(encode(new Array(length).fill(1))) as unknown[]).length).toBe(length);
      const map = unpackb(encode(Object.fromEntries(Array.from({ length: Math.min(length, 70000) }, (_, i) => [`k${i}`, i])))) as Map<string, unknown>;
      expect(map.size).toBe(length);
    }
  });

  describe("as msgpack-python reads its own packing", () => {
    test.each<[string, string, MessagePackValue]>([
      // msgpack.packb(1.0): a float64 that is whole is still a Python float.
      ["whole float64", "cb3ff0000000000000", new PythonFloat(1)],
      ["-0.0", "cb8000000000000000", new PythonFloat(-0)],
      ["fractional float64", "cb3ff8000000000000", 1.5],
      // Another packer's float32 unpacks as a Python float too.
      ["float32", "ca40000000", new PythonFloat(2)],
      ["uint64 max", "cfffffffffffffffff", 2n ** 64n - 1n],
      ["int64 min", "d38000000000000000", -(2n ** 63n)],
      ["int64 within 2^53", "d3ffe0000000000001", -(2 ** 53) + 1],
      ["negative fixint", "ff", -1],
      ["a leading U+FEFF stays", "a3efbbbf", "\ufeff"],
    ])("%s", (_, bytes, expected) => {
      expect(unpackb(hex(bytes))).toStrictEqual(expected);
    });

    test("a dict keeps its packed key order; a repeated key keeps its first place and last value", () => {
      // msgpack.packb({"b": 1, "1": 2}); a JS object would list "1" first.
      expect([...(unpackb(hex("82a16201a13102")) as Map<string, unknown>).keys()]).toStrictEqual(["b", "1"]);
      expect(unpackb(hex("83a16101a16202a16103"))).toStrictEqual(
        new Map<string, MessagePackValue>([
          ["a", 3],
          ["b", 2],
        ]),
      );
    });

    test('"__proto__" is a key like any other, as in a Python dict', () => {
      // msgpack.packb({"__proto__": 1, "a": 2})
      const map = unpackb(hex("82a95f5f70726f746f5f5f01a16102")) as Map<string, unknown>;
      expect([...map]).toStrictEqual([
        ["__proto__", 1],
        ["a", 2],
      ]);
    });

    test("strict_map_key=True (the default) takes only str keys; False also int and float ones, as their text", () => {
      // msgpack.packb({1: "a"}), {2**64 - 1: "b"}, {1.5: "c"}
      expect(() => unpackb(hex("8101a161"))).toThrow(new LiteralConversionError("MessagePack: a map key is int 1, which unpackb (strict_map_key=True) refuses"));
      expect(unpackb(hex("8101a161"), { strictMapKey: false })).toStrictEqual(new Map([["1", "a"]]));
      expect(unpackb(hex("81cfffffffffffffffffa162"), { strictMapKey: false })).toStrictEqual(new Map([["18446744073709551615", "b"]]));
      expect(unpackb(hex("81cb3ff8000000000000a163"), { strictMapKey: false })).toStrictEqual(new Map([["1.5", "c"]]));
      // A None or list key: no JS key can hold it (msgpack.packb({None: 1})).
      expect(() => unpackb(hex("81c001"), { strictMapKey: false })).toThrow("MessagePack: a map key is null; only str, int and float keys are read");
    });
  });

  test.each<[string, string, string]>([
    ["empty", "", "MessagePack: truncated"],
    ["a str cut short", "a3616263".slice(0, 6), "MessagePack: truncated"],
    ["a bin's length cut short", "c5ff", "MessagePack: truncated"],
    ["a map missing its value", "81a161", "MessagePack: truncated"],
    ["extra bytes", "0101", "MessagePack: extra data after the value"],
    ["invalid UTF-8", "a1ff", "MessagePack: a str is not valid UTF-8"],
    ["the unused type", "c1", "MessagePack: holds the unused type 0xc1"],
    ["a fixext (a timestamp)", "d6ff00000000", "MessagePack: holds an extension type, which flytekit never packs"],
    ["an ext8", "c70101ff", "MessagePack: holds an extension type, which flytekit never packs"],
  ])("%s is an error", (_, bytes, message) => {
    expect(() => unpackb(hex(bytes))).toThrow(new LiteralConversionError(message));
  });

  test("describeMessagePack names numbers as Python does", () => {
    expect(describeMessagePack(new PythonFloat(2))).toBe("float 2.0");
    expect(describeMessagePack(new PythonFloat(1e21))).toBe("float 1e+21");
    expect(describeMessagePack(1.5)).toBe("float 1.5");
    expect(describeMessagePack(NaN)).toBe("float NaN");
    expect(describeMessagePack(3)).toBe("int 3");
    expect(describeMessagePack(2n ** 64n)).toBe("int 18446744073709551616");
    expect(describeMessagePack(new Map())).toBe("map");
    expect(describeMessagePack(new Uint8Array(1))).toBe("bytes");
    expect(describeMessagePack("x")).toBe('string "x"');
  });
});
