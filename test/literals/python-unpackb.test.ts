/**
 * unpackb where msgpack-python's C unpacker sets the bounds: how deeply it nests, and the dict
 * keys strict_map_key=False lets through. Expected values: python3 3.11 with msgpack 1.2.3,
 * `msgpack.unpackb(bytes.fromhex(hex), strict_map_key=False)` unless said otherwise.
 */
import { describe, expect, test } from "vitest";
import { flyteidl } from "../../lib/idl/index.js";
import { LiteralConversionError } from "../../lib/literals/errors.js";
import { fromLiteral } from "../../lib/literals/from-literal.js";
import { MAX_DEPTH, pythonLiteral } from "../../lib/literals/python.js";
import { MAX_UNPACK_DEPTH, type MessagePackValue, unpackb } from "../../lib/literals/unpackb.js";

const hex = (text: string) => Buffer.from(text, "hex");
const loose = (text: string) => unpackb(hex(text), { strictMapKey: false });

describe("nesting", () => {
  /** `depth` arrays of one item each around `inner`. */
  const nested = (depth: number, inner: number[]) => new Uint8Array([...new Array<number>(depth).fill(0x91), ...inner]);

  test("reads 1024 levels, as msgpack-python's unpacker (MSGPACK_EMBED_STACK_SIZE, msgpack/unpack.h:19)", () => {
    expect(MAX_UNPACK_DEPTH).toBe(1024);
    // python3 3.11: msgpack.unpackb(b"\x91" * 1024 + b"\x01") reads; with 1025, or an empty array
    // as the 1025th level (b"\x91" * 1024 + b"\x90"), it raises StackError.
    expect(() => unpackb(nested(1024, [0x01]))).not.toThrow();
    expect(() => unpackb(nested(1023, [0x90]))).not.toThrow();
    expect(() => unpackb(nested(1025, [0x01]))).toThrow(new LiteralConversionError("MessagePack: nested deeper than 1024 levels"));
    expect(() => unpackb(nested(1024, [0x90]))).toThrow(new LiteralConversionError("MessagePack: nested deeper than 1024 levels"));
    // b"\x81\xa1a" * 1024 + b"\x01" reads; 1025 maps raise StackError.
    const maps = (depth: number) => new Uint8Array([...new Array<number[]>(depth).fill([0x81, 0xa1, 0x61]).flat(), 0x01]);
    expect(() => unpackb(maps(1024))).not.toThrow();
    expect(() => unpackb(maps(1025))).toThrow(LiteralConversionError);
  });

  test("a million levels are an error, not a stack overflow", () => {
    expect(() => unpackb(nested(1_000_000, [0x01]))).toThrow(new LiteralConversionError("MessagePack: nested deeper than 1024 levels"));
  });

  test("a value 1024 levels deep reads as a plain value", () => {
    const literal: flyteidl.core.ILiteral = { scalar: { binary: { value: nested(1023, [0x81, 0xa1, 0x61, 0x01]), tag: "msgpack" } } };
    let value = fromLiteral(literal, { simple: flyteidl.core.SimpleType.STRUCT });
    for (let level = 1; level < 1024; level++) value = (value as unknown[])[0] as typeof value;
    expect(value).toStrictEqual({ a: 1 });
  });

  test("the packer keeps its own limit", () => {
    // msgpack < 1.2.0's Packer: DEFAULT_RECURSE_LIMIT 511 (msgpack/_packer.pyx), so
    // msgpack.packb({"a": 510 nested lists around 1}) packs and 511 raise ValueError.
    const lists = (depth: number) => {
      let value: unknown = 1;
      for (let level = 0; level < depth; level++) value = [value];
      return value;
    };
    expect(MAX_DEPTH).toBe(511);
    expect(() => pythonLiteral({ a: lists(510) })).not.toThrow();
    expect(() => pythonLiteral({ a: lists(511) })).toThrow(LiteralConversionError);
  });
});

describe("dict keys with strict_map_key=False", () => {
  test.each<[string, string, [string, MessagePackValue][]]>([
    // {1: 'x', 'y': 2}; json.dumps gives '{"1": "x", "y": 2}', str(1) is '1'.
    ["an int key", "8201a178a17902", [["1", "x"], ["y", 2]]],
    ["an int key beyond 2^64", "81cfffffffffffffffff01", [["18446744073709551615", 1]]],
    // {1.0: 'x', 1e-07: 'y'}: json.dumps gives '{"1.0": "x", "1e-07": "y"}', as str(1.0), str(1e-07).
    ["float keys, as repr writes them", "82cb3ff0000000000000a178cb3e7ad7f29abcaf48a179", [["1.0", "x"], ["1e-07", "y"]]],
    // msgpack.packb({1e16: 'a', 1.5: 'b', -1: 'c'}); json.dumps gives '{"1e+16": "a", "1.5": "b", "-1": "c"}'.
    ["more", "83cb4341c37937e08000a161cb3ff8000000000000a162ffa163", [["1e+16", "a"], ["1.5", "b"], ["-1", "c"]]],
    // {1.0: 'a', 1: 'b'} is {1.0: 'b'} in Python: 1 == 1.0, so one key, the first, with the last value.
    ["a whole float, then its int", "82cb3ff0000000000000a16101a162", [["1.0", "b"]]],
    // {1: 'a', 1.0: 'b'} is {1: 'b'}.
    ["an int, then its float", "8201a161cb3ff0000000000000a162", [["1", "b"]]],
    // {-0.0: 'z', 0: 'w'} is {-0.0: 'w'}.
    ["-0.0, then 0", "82cb8000000000000000a17a00a177", [["-0.0", "w"]]],
    // {2**53 + 1: 'a', 2.0**53: 'b'}: unequal, two keys, '9007199254740993' and '9007199254740992.0'.
    ["an int and a float a double cannot tell apart", "82cf0020000000000001a161cb4340000000000000a162", [["9007199254740993", "a"], ["9007199254740992.0", "b"]]],
  ])("%s", (_, bytes, entries) => {
    expect(loose(bytes)).toStrictEqual(new Map(entries));
  });

  test.each<[string, string, string]>([
    // {1: 'a', '1': 'b'} and {'1': 'a', 1: 'b'} are two keys in Python, one text here.
    ["an int, then a str of its text", "8201a161a131a162", 'a map has the keys int 1 and string "1", which a Python dict keeps apart but are both "1" here'],
    ["a str, then an int of its text", "82a131a16101a162", 'a map has the keys string "1" and int 1, which a Python dict keeps apart but are both "1" here'],
    ["a str, then a float of its text", "82a3312e30a161cb3ff0000000000000a162", 'a map has the keys string "1.0" and float 1.0, which a Python dict keeps apart but are both "1.0" here'],
    // {True: 1}, {None: 1}, {nan: 1}, {inf: 1}: json.dumps writes "true", "null", "NaN", "Infinity",
    // str() (mashumaro's Dict[str, V] keys) "True", "None", "nan", "inf".
    ["a bool key", "81c301", "a map key is boolean true; only str, int and float keys are read"],
    ["a None key", "81c001", "a map key is null; only str, int and float keys are read"],
    ["a NaN key", "81cb7ff800000000000001", "a map key is float NaN; only finite float keys are read"],
    ["an infinite key", "81cb7ff000000000000001", "a map key is float Infinity; only finite float keys are read"],
    // {b'a': 1} unpacks even with strict_map_key=True; json.dumps then raises TypeError.
    ["a bytes key", "81c4016101", "a map key is bytes; bytes keys are not read"],
    // A list key raises TypeError: unhashable type: 'list'.
    ["a list key", "81910101", "a map key is array of length 1; only str, int and float keys are read"],
  ])("%s is an error", (_, bytes, message) => {
    expect(() => loose(bytes)).toThrow(new LiteralConversionError(`MessagePack: ${message}`));
  });
});
