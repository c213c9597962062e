import Long from "long";
import { describe, expect, test } from "vitest";
import { flyteidl } from "../../lib/idl/index.js";
import {
  Duration,
  FlyteDirectory,
  FlyteFile,
  fromLiteral,
  LiteralConversionError,
  literalMapToPlain,
  PreciseDate,
  StructuredDataset,
  toLiteral,
  toLiteralMap,
} from "../../lib/literals/index.js";
import {
  BINARY,
  BOOLEAN,
  DATETIME,
  DURATION,
  FLOAT,
  INTEGER,
  listOf,
  mapOf,
  NONE,
  overTheWire,
  STRING,
  STRUCT,
  tagged,
  unionOf,
} from "./helpers.js";

const { BlobDimensionality } = flyteidl.core.BlobType;

const literalOf = (scalar: flyteidl.core.IScalar): flyteidl.core.ILiteral => ({ scalar });
const primitiveOf = (primitive: flyteidl.core.IPrimitive): flyteidl.core.ILiteral => ({ scalar: { primitive } });
const csvFile: flyteidl.core.ILiteralType = { blob: { format: "csv", dimensionality: BlobDimensionality.SINGLE } };
const imagesDirectory: flyteidl.core.ILiteralType = { blob: { format: "images", dimensionality: BlobDimensionality.MULTIPART } };
const dataset: flyteidl.core.ILiteralType = { structuredDatasetType: { format: "parquet" } };
const color: flyteidl.core.ILiteralType = { enumType: { values: ["red", "green"] } };

describe("fromLiteral without a declared type", () => {
  test.each<[string, flyteidl.core.ILiteral, unknown]>([
    ["integer (number)", primitiveOf({ integer: 5 }), 5],
    ["integer (small Long) -> number", primitiveOf({ integer: Long.fromNumber(-5) }), -5],
    ["integer 2^53-1 -> number", primitiveOf({ integer: Long.fromString("9007199254740991") }), 2 ** 53 - 1],
    ["integer 2^53 -> bigint", primitiveOf({ integer: Long.fromString("9007199254740992") }), 2n ** 53n],
    ["integer -2^63 -> bigint", primitiveOf({ integer: Long.MIN_VALUE }), -(2n ** 63n)],
    ["integer 2^63-1 -> bigint", primitiveOf({ integer: Long.MAX_VALUE }), 2n ** 63n - 1n],
    ["float", primitiveOf({ floatValue: 2.5 }), 2.5],
    ["string", primitiveOf({ stringValue: "s" }), "s"],
    ["boolean", primitiveOf({ boolean: true }), true],
    // A Date that keeps the nanoseconds: Python reads the literal to the microsecond.
    ["datetime -> PreciseDate", primitiveOf({ datetime: { seconds: 1, nanos: 500_999_999 } }), new PreciseDate(1, 500_999_999)],
    ["datetime before 1970", primitiveOf({ datetime: { seconds: -1, nanos: 500_000_000 } }), new PreciseDate(-1, 500_000_000)],
    ["duration -> Duration", primitiveOf({ duration: { seconds: 3, nanos: 7 } }), new Duration(3, 7)],
    ["none -> null", literalOf({ noneType: {} }), null],
    ["binary -> Uint8Array", literalOf({ binary: { value: new Uint8Array([1, 2]), tag: "" } }), new Uint8Array([1, 2])],
    ["generic -> JSON", literalOf({ generic: { fields: { a: { listValue: { values: [{ numberValue: 1 }] } } } } }), { a: [1] }],
    [
      "single blob -> FlyteFile",
      literalOf({ blob: { uri: "s3://f", metadata: { type: { format: "csv" } } } }),
      new FlyteFile("s3://f", "csv"),
    ],
    [
      "multipart blob -> FlyteDirectory",
      literalOf({ blob: { uri: "s3://d", metadata: { type: { dimensionality: BlobDimensionality.MULTIPART } } } }),
      new FlyteDirectory("s3://d", ""),
    ],
    [
      "structured dataset",
      literalOf({ structuredDataset: { uri: "s3://sd", metadata: { structuredDatasetType: { format: "parquet" } } } }),
      new StructuredDataset("s3://sd", "parquet"),
    ],
    [
      "collection -> array",
      { collection: { literals: [primitiveOf({ integer: 1 }), { collection: { literals: [] } }] } },
      [1, []],
    ],
    ["map -> object", { map: { literals: { a: primitiveOf({ stringValue: "x" }), b: { map: {} } } } }, { a: "x", b: {} }],
    ["union -> its value", literalOf({ union: { value: primitiveOf({ integer: 3 }), type: INTEGER } }), 3],
  ])("%s", (_, literal, expected) => {
    expect(fromLiteral(literal)).toStrictEqual(expected);
    expect(fromLiteral(overTheWire(literal))).toStrictEqual(expected);
  });

  test("a union's stored type guides its value: an integer stored as a float variant reads as a number", () => {
    const literal = literalOf({ union: { value: primitiveOf({ integer: Long.MAX_VALUE }), type: FLOAT } });
    expect(fromLiteral(literal)).toBe(2 ** 63);
  });

  test("a duration whose nanos have the other sign, or a second or more, carries them as Python's ToTimedelta does", () => {
    // google/protobuf/internal/well_known_types.py, Duration.ToTimedelta: timedelta(seconds=s,
    // microseconds=nanos // 1000 toward zero) takes any pair; protobuf calls these invalid.
    const read = (seconds: number, nanos: number) => fromLiteral(primitiveOf({ duration: { seconds, nanos } }));
    expect(read(1, -1)).toStrictEqual(new Duration(0, 999_999_999));
    expect(read(-1, 5)).toStrictEqual(new Duration(0, -999_999_995));
    expect(read(0, 2_000_000_001)).toStrictEqual(new Duration(2, 1));
    expect(read(1, -1_500_000_000)).toStrictEqual(new Duration(0, -500_000_000));
    expect(read(-3, -2_000_000_000)).toStrictEqual(new Duration(-5, 0));
    expect(read(2, -2_000_000_000)).toStrictEqual(new Duration(0, 0));
  });

  test("unsupported and empty literals are errors", () => {
    const cases: [flyteidl.core.ILiteral, string][] = [
      [{ offloadedMetadata: { uri: "s3://big" } }, 'cannot read "x": offloaded literals (stored at "s3://big") are not supported'],
      [literalOf({ schema: { uri: "s3://s" } }), 'cannot read "x": schema literals are not supported'],
      [literalOf({ error: { failedNodeId: "n1", message: "boom" } }), 'cannot read "x": it is an error from node "n1": boom'],
      [{}, 'cannot read "x": the literal holds no value'],
      [literalOf({}), 'cannot read "x": the scalar holds no value'],
      [primitiveOf({}), 'cannot read "x": the primitive holds no value'],
      [primitiveOf({ datetime: { seconds: 1e14 } }), 'cannot read "x": the datetime is outside the range of Date'],
      [primitiveOf({ duration: { seconds: Long.MAX_VALUE } }), 'cannot read "x": Duration seconds 9223372036854775807 is beyond 2^53'],
    ];
    for (const [literal, message] of cases) {
      expect(() => fromLiteral(literal, null, "x")).toThrow(new LiteralConversionError(message));
    }
  });
});

describe("fromLiteral with a declared type", () => {
  test("a float declared output arriving as an integer literal reads as a number", () => {
    expect(fromLiteral(primitiveOf({ integer: 2 }), FLOAT)).toBe(2);
    expect(fromLiteral(primitiveOf({ integer: Long.MAX_VALUE }), FLOAT)).toBe(2 ** 63);
  });

  // flytekit/core/type_engine.py (master e96c720): IntTransformer (l. 2736-2742) reads with
  // _handle_flyte_console_float_input_to_int, which returns `int(lv.scalar.primitive.float_value)`
  // for a float literal (l. 2723-2725; since flytekit 1.14, #2792; before, a float literal was no
  // int). Python's int() truncates toward zero, exactly at any size, and raises on NaN and infinities;
  // SimpleTransformer.to_python_value (l. 428-446) lets those errors through.
  describe("a float literal declared integer reads as Python's int(value)", () => {
    test.each<[number, number | bigint]>([
      [2, 2],
      [2.9, 2],
      [-2.9, -2],
      [-0.5, 0],
      [-0, 0],
      [2 ** 53 - 1, 2 ** 53 - 1],
      [2 ** 53, 2n ** 53n],
      [-(2 ** 63), -(2n ** 63n)],
      // Beyond int64 too: Python's int has no bound.
      [1e20, 100000000000000000000n],
    ])("%s -> %s", (float, expected) => {
      expect(fromLiteral(overTheWire(primitiveOf({ floatValue: float })), INTEGER)).toStrictEqual(expected);
    });

    test("int(-0.5) and int(-0.0) are 0, never -0", () => {
      expect(Object.is(fromLiteral(primitiveOf({ floatValue: -0.5 }), INTEGER), 0)).toBe(true);
      expect(Object.is(fromLiteral(primitiveOf({ floatValue: -0 }), INTEGER), 0)).toBe(true);
    });

    test("NaN and infinities have no int: an error", () => {
      for (const float of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        expect(() => fromLiteral(primitiveOf({ floatValue: float }), INTEGER, "v")).toThrow(
          new LiteralConversionError(`cannot read "v" as integer: got a float literal ${float}, which has no integer value`),
        );
      }
    });

    test("in collections, maps and unions alike", () => {
      const floats = { collection: { literals: [primitiveOf({ floatValue: 1 }), primitiveOf({ floatValue: 2.5 })] } };
      expect(fromLiteral(floats, listOf(INTEGER))).toStrictEqual([1, 2]);
      expect(fromLiteral({ map: { literals: { a: primitiveOf({ floatValue: 3 }) } } }, mapOf(INTEGER))).toStrictEqual({ a: 3 });
      const optionalInt = unionOf(tagged(INTEGER, "int"), tagged(NONE, "none"));
      expect(fromLiteral(primitiveOf({ floatValue: 1.5 }), optionalInt)).toBe(1);
      // NaN fails the int variant, as int() raising does in UnionTransformer's loop, so only float takes it.
      expect(fromLiteral(primitiveOf({ floatValue: Number.NaN }), unionOf(tagged(INTEGER, "int"), tagged(FLOAT, "float")))).toBeNaN();
      expect(() => fromLiteral(primitiveOf({ floatValue: Number.NaN }), optionalInt, "u")).toThrow(
        'cannot read "u" as union of integer | none: no variant fits the literal',
      );
    });
  });

  test("an integer declared reads Longs as numbers or bigints", () => {
    expect(fromLiteral(overTheWire(toLiteral(7, INTEGER)), INTEGER)).toBe(7);
    expect(fromLiteral(overTheWire(toLiteral(-(2n ** 63n), INTEGER)), INTEGER)).toBe(-(2n ** 63n));
  });

  test.each<[string, flyteidl.core.ILiteral, flyteidl.core.ILiteralType, string]>([
    ["string as integer", primitiveOf({ stringValue: "1" }), INTEGER, 'cannot read "v" as integer: got a string literal'],
    ["integer as string", primitiveOf({ integer: 1 }), STRING, 'cannot read "v" as string: got an integer literal'],
    ["none as boolean", literalOf({ noneType: {} }), BOOLEAN, 'cannot read "v" as boolean: got a none literal'],
    ["string as datetime", primitiveOf({ stringValue: "x" }), DATETIME, 'cannot read "v" as datetime: got a string literal'],
    ["float as duration", primitiveOf({ floatValue: 1 }), DURATION, 'cannot read "v" as duration: got a float literal'],
    ["generic as binary", literalOf({ generic: {} }), BINARY, 'cannot read "v" as binary: got a struct literal'],
    ["integer as none", primitiveOf({ integer: 0 }), NONE, 'cannot read "v" as none: got an integer literal'],
    ["map as list", { map: {} }, listOf(INTEGER), 'cannot read "v" as list of integer: got a map literal'],
    ["list as map", { collection: {} }, mapOf(INTEGER), 'cannot read "v" as map of integer: got a collection literal'],
    ["scalar as list", primitiveOf({ integer: 1 }), listOf(INTEGER), 'cannot read "v" as list of integer: got an integer literal'],
    [
      "directory as file",
      literalOf({ blob: { uri: "s3://d", metadata: { type: { dimensionality: BlobDimensionality.MULTIPART } } } }),
      csvFile,
      'cannot read "v" as file: got a directory literal',
    ],
    ["string as dataset", primitiveOf({ stringValue: "s3://x" }), dataset, 'cannot read "v" as structured dataset: got a string literal'],
    ["a string not in the enum", primitiveOf({ stringValue: "blue" }), color, 'cannot read "v" as enum ["red", "green"]: got string "blue"'],
    ["anything as schema", primitiveOf({ stringValue: "x" }), { schema: {} }, 'cannot read "v" as schema: got a string literal'],
  ])("%s is an error", (_, literal, type, message) => {
    expect(() => fromLiteral(literal, type, "v")).toThrow(new LiteralConversionError(message));
  });

  test("a bad element is named by its path", () => {
    const literal: flyteidl.core.ILiteral = {
      map: { literals: { k: { collection: { literals: [primitiveOf({ integer: 1 }), primitiveOf({ stringValue: "x" })] } } } },
    };
    expect(() => literalMapToPlain({ literals: { o0: literal } }, { o0: { type: mapOf(listOf(INTEGER)) } }, "output")).toThrow(
      'cannot read output "o0"["k"][1] as integer: got a string literal',
    );
  });

  test("a STRUCT may arrive as MessagePack binary (flytekit >= 1.14): it is decoded", () => {
    // {"a": [1, "x"], "b": null} as flytekit's msgpack writes it
    const bytes = new Uint8Array([0x82, 0xa1, 0x61, 0x92, 0x01, 0xa1, 0x78, 0xa1, 0x62, 0xc0]);
    expect(fromLiteral(literalOf({ binary: { value: bytes, tag: "msgpack" } }), STRUCT)).toEqual({ a: [1, "x"], b: null });
    expect(fromLiteral(literalOf({ binary: { value: bytes, tag: "msgpack" } }))).toEqual({ a: [1, "x"], b: null });
  });

  test("MessagePack that does not decode is an error naming the value", () => {
    expect(() => fromLiteral(literalOf({ binary: { value: new Uint8Array([0xc1]), tag: "msgpack" } }), STRUCT, "d")).toThrow(
      /^cannot read "d": its MessagePack does not decode/,
    );
  });

  test("MessagePack integers keep their precision beyond 2^53, as Python's msgpack reads them", () => {
    // {"big": 2^53 + 1, "min": -2^63, "u": 2^64 - 1, "small": 2^40} as msgpack-python packs them (uint64 0xcf, int64 0xd3)
    const bytes = new Uint8Array([
      0x84,
      ...[0xa3, 0x62, 0x69, 0x67, 0xcf, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01],
      ...[0xa3, 0x6d, 0x69, 0x6e, 0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
      ...[0xa1, 0x75, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      ...[0xa5, 0x73, 0x6d, 0x61, 0x6c, 0x6c, 0xcf, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
    ]);
    expect(fromLiteral(overTheWire(literalOf({ binary: { value: bytes, tag: "msgpack" } })), STRUCT)).toStrictEqual({
      big: 2n ** 53n + 1n,
      min: -(2n ** 63n),
      u: 2n ** 64n - 1n,
      small: 2 ** 40,
    });
  });

  // FlytePropeller's attribute access (`dc.field` of a dataclass input) hands the field on as
  // MessagePack bytes whatever its declared type; flytekit decodes them by that type
  // (flytekit/core/type_engine.py: SimpleTransformer.from_binary_idl, ListTransformer,
  // DictTransformer and EnumTransformer to_python_value, "if lv.scalar.binary").
  describe("MessagePack bytes declared as another type (attribute access)", () => {
    const msgpack = (bytes: number[]) => overTheWire(literalOf({ binary: { value: new Uint8Array(bytes), tag: "msgpack" } }));

    test.each<[string, number[], flyteidl.core.ILiteralType, unknown]>([
      ["integer", [0x2a], INTEGER, 42],
      ["integer beyond 2^53", [0xcf, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01], INTEGER, 2n ** 53n + 1n],
      ["float", [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], FLOAT, 1.5],
      ["string", [0xa1, 0x78], STRING, "x"],
      ["boolean", [0xc3], BOOLEAN, true],
      ["none", [0xc0], NONE, null],
      ["enum", [0xa3, 0x72, 0x65, 0x64], color, "red"],
      ["list of integers", [0x92, 0x01, 0x02], listOf(INTEGER), [1, 2]],
      ["map of lists of strings", [0x81, 0xa1, 0x6b, 0x91, 0xa1, 0x76], mapOf(listOf(STRING)), { k: ["v"] }],
      ["optional integer", [0x07], unionOf(tagged(INTEGER, "int"), tagged(NONE, "none")), 7],
      ["optional integer, none", [0xc0], unionOf(tagged(INTEGER, "int"), tagged(NONE, "none")), null],
      ["list of dicts", [0x91, 0x81, 0xa1, 0x61, 0x01], listOf(STRUCT), [{ a: 1 }]],
      ["whole float", [0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0], FLOAT, 2],
      ["float32 (another packer's)", [0xca, 0x40, 0x20, 0, 0], FLOAT, 2.5],
      // Within a list or dict mashumaro's MessagePackDecoder reads with int() and float()
      // (mashumaro/core/meta/types/unpack.py, unpack_number).
      ["list of whole floats as integers", [0x92, 0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x03], listOf(INTEGER), [2, 3]],
      ["list of integers as floats", [0x92, 0x01, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], listOf(FLOAT), [1, 1.5]],
      ["map of a whole float beyond 2^53 as integer", [0x81, 0xa1, 0x6b, 0xcb, 0x43, 0x50, 0, 0, 0, 0, 0, 0], mapOf(INTEGER), { k: 2n ** 54n }],
      // python3 3.11: [int(v) for v in msgpack.unpackb(bytes.fromhex("9201c2"))] == [1, 0], and of "91cb3ff8000000000000" [1].
      ["a bool in a list of integers", [0x92, 0x01, 0xc2], listOf(INTEGER), [1, 0]],
      ["a fractional float in a list of integers", [0x91, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], listOf(INTEGER), [1]],
      // Union[int, float] as flytekit reads it: each variant asserts its own type.
      ["a whole float for a union of int and float", [0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0], unionOf(tagged(INTEGER, "int"), tagged(FLOAT, "float")), 2],
      ["a dict with bytes and an int key", [0x82, 0xa1, 0x62, 0xc4, 0x01, 0x07, 0x01, 0xc3], STRUCT, { b: new Uint8Array([7]), 1: true }],
      // A key of its own, not the object's prototype (@msgpack/msgpack, used before, refused it).
      ["a dict keyed __proto__", [0x81, 0xa9, ...Buffer.from("__proto__"), 0x01], STRUCT, JSON.parse('{"__proto__": 1}')],
      ["a map keyed __proto__", [0x81, 0xa9, ...Buffer.from("__proto__"), 0x01], mapOf(INTEGER), JSON.parse('{"__proto__": 1}')],
    ])("%s", (_, bytes, type, expected) => {
      expect(fromLiteral(msgpack(bytes), type)).toStrictEqual(expected);
    });

    test.each<[string, number[], flyteidl.core.ILiteralType, string]>([
      ["a string as integer", [0xa1, 0x78], INTEGER, 'cannot read "v" as integer: got MessagePack holding string "x"'],
      ["a float as integer", [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], INTEGER, 'cannot read "v" as integer: got MessagePack holding float 1.5'],
      // SimpleTransformer.from_binary_idl asserts the exact type (type_engine.py:398-419): msgpack
      // keeps a float apart from an int, so 2.0 is no int and 2 no float.
      ["a whole float as integer", [0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0], INTEGER, 'cannot read "v" as integer: got MessagePack holding float 2.0'],
      ["an integer as float", [0x02], FLOAT, 'cannot read "v" as float: got MessagePack holding int 2'],
      ["a string as boolean", [0xa1, 0x78], BOOLEAN, 'cannot read "v" as boolean: got MessagePack holding string "x"'],
      ["a string not in the enum", [0xa1, 0x78], color, 'cannot read "v" as enum ["red", "green"]: got MessagePack holding string "x"'],
      // python3 3.11: int(None) raises TypeError.
      ["a bad element", [0x92, 0x01, 0xc0], listOf(INTEGER), 'cannot read "v"[1] as integer: got MessagePack holding null'],
      [
        "an integer for an optional float",
        [0x02],
        unionOf(tagged(FLOAT, "float"), tagged(NONE, "none")),
        'cannot read "v" as union of float | none: no variant fits the literal',
      ],
    ])("%s is an error", (_, bytes, type, message) => {
      expect(() => fromLiteral(msgpack(bytes), type, "v")).toThrow(new LiteralConversionError(message));
    });
  });

  describe("union", () => {
    const optionalInt = unionOf(tagged(INTEGER, "int"), tagged(NONE, "none"));

    test("a union literal reads with the variant it stored", () => {
      expect(fromLiteral(overTheWire(toLiteral(4, optionalInt)), optionalInt)).toBe(4);
      expect(fromLiteral(overTheWire(toLiteral(null, optionalInt)), optionalInt)).toBeNull();
    });

    test("a union literal with no stored type, or a bare literal, reads as the one variant that fits", () => {
      expect(fromLiteral(literalOf({ union: { value: literalOf({ noneType: {} }) } }), optionalInt)).toBeNull();
      expect(fromLiteral(primitiveOf({ integer: 4 }), optionalInt)).toBe(4);
      expect(fromLiteral(literalOf({ noneType: {} }), optionalInt)).toBeNull();
    });

    // flytekit/core/type_engine.py, UnionTransformer.async_to_python_value (master e96c720,
    // l. 2116-2188): with no union tag it reads the literal by every variant and raises "Ambiguous
    // choice of variant for union type" when several match (tests/flytekit/unit/core/
    // test_type_engine.py, test_union_custom_transformer). An integer literal matches float too:
    // FloatTransformer's _check_and_covert_float takes `float(lv.scalar.primitive.integer)`.
    test("a bare literal that fits several variants is ambiguous, as flytekit raises", () => {
      const floatOrInt = unionOf(tagged(FLOAT, "float"), tagged(INTEGER, "int"));
      const ambiguous = 'cannot read "u" as union of float | integer: it is ambiguous, the literal fits float and integer';
      expect(() => fromLiteral(primitiveOf({ integer: 1 }), floatOrInt, "u")).toThrow(new LiteralConversionError(ambiguous));
      expect(() => fromLiteral(literalOf({ union: { value: primitiveOf({ integer: 1 }) } }), floatOrInt, "u")).toThrow(ambiguous);
      expect(() => fromLiteral(primitiveOf({ integer: 1 }), unionOf(INTEGER, FLOAT), "u")).toThrow(
        'cannot read "u" as union of integer | float: it is ambiguous, the literal fits integer and float',
      );
      expect(() => fromLiteral({ collection: { literals: [primitiveOf({ integer: 1 })] } }, unionOf(listOf(FLOAT), listOf(INTEGER)), "u")).toThrow(
        'cannot read "u" as union of list of float | list of integer: it is ambiguous, the literal fits list of float and list of integer',
      );
      expect(() => fromLiteral(primitiveOf({ stringValue: "red" }), unionOf(STRING, color), "u")).toThrow(
        'cannot read "u" as union of string | enum ["red", "green"]: it is ambiguous, the literal fits string and enum ["red", "green"]',
      );
      // A float literal fits int too since flytekit 1.14 (int(float_value), type_engine.py:2723-2725;
      // before, only float took it).
      expect(() => fromLiteral(primitiveOf({ floatValue: 1.5 }), floatOrInt, "u")).toThrow(ambiguous);
      // One variant fits: a string outside the enum only a string.
      expect(fromLiteral(primitiveOf({ stringValue: "blue" }), unionOf(STRING, color))).toBe("blue");
      // The stored variant decides, as flytekit's union tag does: no ambiguity, and an int keeps its precision.
      expect(fromLiteral(overTheWire(toLiteral(2n ** 60n + 1n, floatOrInt)), floatOrInt)).toBe(2n ** 60n + 1n);
    });

    test("where this reader cannot tell the variants apart as flytekit does, the first variant decides", () => {
      // MessagePack: flytekit's SimpleTransformer.from_binary_idl asserts the exact Python type, so
      // msgpack 1 is only an int; decoded here it is a number either way.
      const msgpackOne = overTheWire(literalOf({ binary: { value: new Uint8Array([0x01]), tag: "msgpack" } }));
      expect(fromLiteral(msgpackOne, unionOf(tagged(FLOAT, "float"), tagged(INTEGER, "int")))).toBe(1);
      // Dataclasses are STRUCT variants that flytekit tells apart by their fields; either reads as the same JSON.
      const generic = literalOf({ generic: { fields: { a: { numberValue: 1 } } } });
      const dataclasses = unionOf(tagged(STRUCT, "Object-Dataclass-Transformer"), tagged(STRUCT, "Object-Dataclass-Transformer"));
      expect(fromLiteral(generic, dataclasses)).toEqual({ a: 1 });
      // ...but an integer read as float or int is still ambiguous.
      expect(() => fromLiteral(primitiveOf({ integer: 1 }), unionOf(FLOAT, INTEGER))).toThrow(/it is ambiguous/);
    });

    test("nothing fits: an error naming the union", () => {
      expect(() => fromLiteral(primitiveOf({ stringValue: "x" }), optionalInt, "u")).toThrow(
        'cannot read "u" as union of integer | none: no variant fits the literal',
      );
    });

    // flytekit/core/type_engine.py, UnionTransformer.async_to_python_value (master e96c720):
    // l. 2125-2126 take the stored type's structure tag, l. 2138-2139 skip every variant whose
    // transformer name is not that tag, and l. 2188 raises "Cannot convert from ... (using tag ...)"
    // when none is left.
    test("a stored variant whose structure tag names no declared variant is an error naming the tag", () => {
      const stored = (type: flyteidl.core.ILiteralType) => literalOf({ union: { value: primitiveOf({ integer: 4 }), type } });
      expect(() => fromLiteral(stored(tagged(INTEGER, "str")), optionalInt, "u")).toThrow(
        new LiteralConversionError(
          'cannot read "u" as union of integer | none: its stored variant is tagged "str", which names no declared variant (tags: "int", "none")',
        ),
      );
      expect(() => fromLiteral(overTheWire(stored(tagged(INTEGER, "str"))), optionalInt, "u")).toThrow(/tagged "str", which names no declared variant/);
      // A tag of "" is a tag (union_tag is not None), and no transformer is named "".
      expect(() => fromLiteral(overTheWire(stored(tagged(INTEGER, ""))), optionalInt, "u")).toThrow(/tagged "", which names no declared variant/);
      // Declared variants without any tag (no flytekit or flyte-sdk template): the stored type decides.
      expect(fromLiteral(stored(tagged(INTEGER, "int")), unionOf(INTEGER, NONE), "u")).toBe(4);
      // A tag that names a variant reads as before, over the wire too.
      expect(fromLiteral(overTheWire(stored(tagged(INTEGER, "int"))), optionalInt)).toBe(4);
      // Nested: the union of a list element.
      expect(() => fromLiteral({ collection: { literals: [stored(tagged(INTEGER, "str"))] } }, listOf(optionalInt), "l")).toThrow(
        /^cannot read "l"\[0\] as union of integer \| none: its stored variant is tagged "str"/,
      );
    });

    test("a declared non-union type reads the union's value as that type", () => {
      expect(() => fromLiteral(overTheWire(toLiteral(4, optionalInt)), STRING, "u")).toThrow(
        'cannot read "u" as string: got an integer literal',
      );
    });
  });
});

describe("round trips: toLiteral -> wire -> fromLiteral", () => {
  const cases: [string, unknown, flyteidl.core.ILiteralType][] = [
    ["integer", 42, INTEGER],
    ["int64 max", 2n ** 63n - 1n, INTEGER],
    ["int64 min", -(2n ** 63n), INTEGER],
    ["float", 0.1, FLOAT],
    ["string", "héllo ✓", STRING],
    ["boolean", true, BOOLEAN],
    ["datetime", new PreciseDate(Date.parse("2024-03-01T12:34:56Z") / 1000, 789_123_456), DATETIME],
    ["duration", Duration.fromMilliseconds(-1500.25), DURATION],
    ["none", null, NONE],
    ["binary", new Uint8Array([0, 1, 254, 255]), BINARY],
    ["struct", { a: { b: [1, "two", null, false, { c: 3.5 }] } }, STRUCT],
    ["file", new FlyteFile("s3://b/f.csv", "csv"), csvFile],
    // The declared format is the literal's (see to-literal.test.ts, blob), so it is the value's here.
    ["directory", new FlyteDirectory("s3://b/d/", "images"), imagesDirectory],
    ["structured dataset", new StructuredDataset("s3://b/sd/", "parquet"), dataset],
    ["enum", "red", color],
    ["nested collections", [[1, 2], [], [3]], listOf(listOf(INTEGER))],
    ["nested maps", { a: { x: [1.5] }, b: {} }, mapOf(mapOf(listOf(FLOAT)))],
    ["union", [1, null, 3], listOf(unionOf(tagged(INTEGER, "int"), tagged(NONE, "none")))],
  ];

  test.each(cases)("%s with its declared type", (_, value, type) => {
    expect(fromLiteral(overTheWire(toLiteral(value, type)), type)).toStrictEqual(value);
  });

  test.each(cases.filter(([name]) => name !== "enum"))("%s inferred", (_, value) => {
    expect(fromLiteral(overTheWire(toLiteral(value)))).toStrictEqual(value);
  });
});

describe("literalMapToPlain", () => {
  test("reads each literal, with the declared types when given", () => {
    const variables = { o0: { type: INTEGER }, o1: { type: FLOAT } };
    const map = flyteidl.core.LiteralMap.decode(
      flyteidl.core.LiteralMap.encode(toLiteralMap({ o0: 2n ** 60n, o1: 2, o2: "x" }, { ...variables, o2: { type: STRING } })).finish(),
    );
    expect(literalMapToPlain(map, variables)).toEqual({ o0: 2n ** 60n, o1: 2, o2: "x" });
    expect(literalMapToPlain({})).toEqual({});
  });

  test("errors name the input by default", () => {
    expect(() => literalMapToPlain({ literals: { x: primitiveOf({ stringValue: "s" }) } }, { x: { type: INTEGER } })).toThrow(
      'cannot read input "x" as integer: got a string literal',
    );
  });

  test("a name like __proto__ stays an ordinary key", () => {
    const map = flyteidl.core.LiteralMap.decode(flyteidl.core.LiteralMap.encode(toLiteralMap(JSON.parse('{"__proto__": 1}'))).finish());
    const plain = literalMapToPlain(map);
    expect(Object.keys(plain)).toEqual(Object.keys(map.literals));
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
  });
});

describe("PreciseDate", () => {
  test("a Date's literal reads back as the same instant, its milliseconds as nanoseconds", () => {
    const read = fromLiteral(overTheWire(toLiteral(new Date("2024-03-01T12:34:56.789Z"))));
    expect(read).toStrictEqual(new PreciseDate(Date.parse("2024-03-01T12:34:56Z") / 1000, 789_000_000));
    expect((read as Date).toISOString()).toBe("2024-03-01T12:34:56.789Z");
  });

  test("nanoseconds beyond a second, or negative, carry into the seconds as a Timestamp normalizes them", () => {
    expect(new PreciseDate(10, 1_500_000_000)).toStrictEqual(new PreciseDate(11, 500_000_000));
    const before = new PreciseDate(0, -1);
    expect([before.getTime(), before.nanos, before.microsecond]).toEqual([-1, 999_999_999, 999_999]);
  });
});
