import Long from "long";
import { describe, expect, test } from "vitest";
import { flyteidl } from "../../lib/idl/index.js";
import {
  Duration,
  FlyteDirectory,
  FlyteFile,
  LiteralConversionError,
  pythonFloat,
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
  shape,
  STRING,
  STRUCT,
  tagged,
  unionOf,
} from "./helpers.js";

const { SimpleType } = flyteidl.core;
const { BlobDimensionality } = flyteidl.core.BlobType;

const primitive = (value: Record<string, unknown>) => ({ scalar: { primitive: value } });
const NONE_SHAPE = { scalar: { noneType: {} } };

describe("toLiteral with a declared type", () => {
  describe("integer", () => {
    test("a safe integer is a plain number in the message", () => {
      const literal = toLiteral(42, INTEGER);
      expect(literal.scalar?.primitive?.integer).toBe(42);
      expect(shape(literal)).toEqual(primitive({ integer: "42" }));
    });

    test.each([
      ["2^53 as a number", 2 ** 53, "9007199254740992"],
      ["2^53 as a bigint", 2n ** 53n, "9007199254740992"],
      ["-2^63", -(2n ** 63n), "-9223372036854775808"],
      ["2^63-1", 2n ** 63n - 1n, "9223372036854775807"],
      ["a small bigint", -7n, "-7"],
    ])("%s is exact on the wire", (_, value, wire) => {
      const literal = toLiteral(value, INTEGER);
      expect(shape(literal)).toEqual(primitive({ integer: wire }));
    });

    test("beyond 2^53 the message holds a Long", () => {
      const integer = toLiteral(2n ** 63n - 1n, INTEGER).scalar?.primitive?.integer;
      expect(Long.isLong(integer)).toBe(true);
      expect(String(integer)).toBe("9223372036854775807");
    });

    test.each([
      [2n ** 63n, 'cannot convert "o0" to integer: got bigint 9223372036854775808n (outside the int64 range)'],
      [-(2n ** 63n) - 1n, 'cannot convert "o0" to integer: got bigint -9223372036854775809n (outside the int64 range)'],
      [2 ** 63, 'cannot convert "o0" to integer: got number 9223372036854776000 (outside the int64 range)'],
      [1.5, 'cannot convert "o0" to integer: got number 1.5 (not an integer)'],
      [Number.NaN, 'cannot convert "o0" to integer: got number NaN (not an integer)'],
      ["abc", 'cannot convert "o0" to integer: got string "abc"'],
      [true, 'cannot convert "o0" to integer: got boolean true'],
      [null, 'cannot convert "o0" to integer: got null'],
    ])("%s is an error, never rounded", (value, message) => {
      expect(() => toLiteral(value, INTEGER, "o0")).toThrow(new LiteralConversionError(message));
    });

    test("errors are LiteralConversionErrors and say 'value' when unnamed", () => {
      let caught: unknown;
      try {
        toLiteral("x", INTEGER);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(LiteralConversionError);
      expect(caught).toBeInstanceOf(Error);
      expect((caught as Error).name).toBe("LiteralConversionError");
      expect((caught as Error).message).toBe('cannot convert value to integer: got string "x"');
    });
  });

  describe("float", () => {
    test("an integer value declared float is float_value 1.0 on the wire", () => {
      const literal = toLiteral(1, FLOAT);
      expect(shape(literal)).toEqual(primitive({ floatValue: 1 }));
      // Primitive.float_value is field 2, a double: tag (2 << 3) | 1 = 0x11, then 8 bytes of 1.0.
      const bytes = flyteidl.core.Primitive.encode(literal.scalar!.primitive!).finish();
      expect([...bytes]).toEqual([0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    });

    test.each([1.25, -0.5, Number.POSITIVE_INFINITY])("%s is float_value", (value) => {
      expect(shape(toLiteral(value, FLOAT))).toEqual(primitive({ floatValue: value }));
    });

    test("NaN is float_value NaN", () => {
      expect(toLiteral(Number.NaN, FLOAT).scalar?.primitive?.floatValue).toBeNaN();
    });

    test("a bigint a double holds exactly is accepted, one it does not is an error", () => {
      expect(shape(toLiteral(2n ** 60n, FLOAT))).toEqual(primitive({ floatValue: 2 ** 60 }));
      expect(() => toLiteral(2n ** 60n + 1n, FLOAT, "f")).toThrow(
        'cannot convert "f" to float: got bigint 1152921504606846977n',
      );
    });

    test("a string is an error", () => {
      expect(() => toLiteral("1.5", FLOAT, "f")).toThrow('cannot convert "f" to float: got string "1.5"');
    });
  });

  test("string, boolean", () => {
    expect(shape(toLiteral("hi", STRING))).toEqual(primitive({ stringValue: "hi" }));
    expect(shape(toLiteral("", STRING))).toEqual(primitive({ stringValue: "" }));
    expect(shape(toLiteral(false, BOOLEAN))).toEqual(primitive({ boolean: false }));
    expect(() => toLiteral(1, STRING, "s")).toThrow('cannot convert "s" to string: got number 1');
    expect(() => toLiteral("true", BOOLEAN, "b")).toThrow('cannot convert "b" to boolean: got string "true"');
  });

  describe("datetime", () => {
    test("a Date is a Timestamp of whole seconds and nanos", () => {
      const literal = toLiteral(new Date("2024-03-01T12:00:00.250Z"), DATETIME);
      expect(shape(literal)).toEqual(primitive({ datetime: { seconds: "1709294400", nanos: 250_000_000 } }));
    });

    test("before 1970 the seconds are negative and the nanos positive", () => {
      const literal = toLiteral(new Date(-500), DATETIME);
      expect(shape(literal)).toEqual(primitive({ datetime: { seconds: "-1", nanos: 500_000_000 } }));
    });

    test("an invalid Date or a string is an error", () => {
      expect(() => toLiteral(new Date("nope"), DATETIME, "t")).toThrow(
        'cannot convert "t" to datetime: got Date (an invalid date)',
      );
      expect(() => toLiteral("2024-03-01", DATETIME, "t")).toThrow('cannot convert "t" to datetime: got string "2024-03-01"');
    });
  });

  test("duration", () => {
    expect(shape(toLiteral(new Duration(90, 500), DURATION))).toEqual(primitive({ duration: { seconds: "90", nanos: 500 } }));
    expect(() => toLiteral(1000, DURATION, "d")).toThrow('cannot convert "d" to duration: got number 1000');
  });

  test("none", () => {
    expect(shape(toLiteral(null, NONE))).toEqual(NONE_SHAPE);
    expect(shape(toLiteral(undefined, NONE))).toEqual(NONE_SHAPE);
    expect(() => toLiteral(0, NONE, "n")).toThrow('cannot convert "n" to none: got number 0');
  });

  test("binary", () => {
    expect(shape(toLiteral(new Uint8Array([1, 2, 255]), BINARY))).toEqual({ scalar: { binary: { value: [1, 2, 255] } } });
    expect(shape(toLiteral(Buffer.from("hi"), BINARY))).toEqual({ scalar: { binary: { value: [0x68, 0x69] } } });
    expect(() => toLiteral("aGk=", BINARY, "b")).toThrow('cannot convert "b" to binary: got string "aGk="');
  });

  describe("struct", () => {
    test("a plain object is a generic Struct", () => {
      const literal = toLiteral({ a: 1, b: [true, null, "x"], c: { d: 2.5 } }, STRUCT);
      expect(shape(literal)).toEqual({
        scalar: {
          generic: {
            fields: {
              a: { numberValue: 1 },
              b: { listValue: { values: [{ boolValue: true }, { nullValue: 0 }, { stringValue: "x" }] } },
              c: { structValue: { fields: { d: { numberValue: 2.5 } } } },
            },
          },
        },
      });
    });

    test("an array or a non-JSON member is an error naming where", () => {
      expect(() => toLiteral([1], STRUCT, "s")).toThrow('cannot convert "s" to struct: got array of length 1');
      expect(() => toLiteralMap({ o0: { a: [1, Number.NaN] } }, { o0: { type: STRUCT } })).toThrow(
        'cannot convert output "o0"["a"][1] to JSON: got number NaN',
      );
    });
  });

  describe("collection", () => {
    test("an array of the element type", () => {
      expect(shape(toLiteral([1, 2], listOf(INTEGER)))).toEqual({
        collection: { literals: [primitive({ integer: "1" }), primitive({ integer: "2" })] },
      });
      expect(shape(toLiteral([], listOf(INTEGER)))).toEqual({ collection: {} });
    });

    test("nested lists keep the declared leaf type", () => {
      expect(shape(toLiteral([[1], []], listOf(listOf(FLOAT))))).toEqual({
        collection: { literals: [{ collection: { literals: [primitive({ floatValue: 1 })] } }, { collection: {} }] },
      });
    });

    test("a bad element is named by its index; a non-array is an error", () => {
      expect(() => toLiteralMap({ o0: [1, 2, "x"] }, { o0: { type: listOf(INTEGER) } })).toThrow(
        'cannot convert output "o0"[2] to integer: got string "x"',
      );
      expect(() => toLiteral({ 0: 1 }, listOf(INTEGER), "l")).toThrow('cannot convert "l" to list of integer: got object');
    });
  });

  describe("map", () => {
    test("a plain object or a Map of the value type", () => {
      const expected = { map: { literals: { a: primitive({ integer: "1" }), b: primitive({ integer: "2" }) } } };
      expect(shape(toLiteral({ a: 1, b: 2 }, mapOf(INTEGER)))).toEqual(expected);
      expect(shape(toLiteral(new Map([["a", 1], ["b", 2]]), mapOf(INTEGER)))).toEqual(expected);
    });

    test("maps of lists of maps", () => {
      const type = mapOf(listOf(mapOf(STRING)));
      expect(shape(toLiteral({ k: [{ x: "y" }] }, type))).toEqual({
        map: { literals: { k: { collection: { literals: [{ map: { literals: { x: primitive({ stringValue: "y" }) } } }] } } } },
      });
    });

    test("a bad value is named by its key; non-string Map keys and arrays are errors", () => {
      expect(() => toLiteralMap({ o0: { k: { x: 1 } } }, { o0: { type: mapOf(mapOf(STRING)) } })).toThrow(
        'cannot convert output "o0"["k"]["x"] to string: got number 1',
      );
      expect(() => toLiteral(new Map([[1, 1]]), mapOf(INTEGER), "m")).toThrow(
        'cannot convert "m" to a map: its keys must be strings, got number 1',
      );
      expect(() => toLiteral([1], mapOf(INTEGER), "m")).toThrow('cannot convert "m" to map of integer: got array of length 1');
    });
  });

  describe("blob", () => {
    const csvFile: flyteidl.core.ILiteralType = { blob: { format: "csv", dimensionality: BlobDimensionality.SINGLE } };
    const dir: flyteidl.core.ILiteralType = { blob: { format: "", dimensionality: BlobDimensionality.MULTIPART } };
    const blob = (uri: string, format: string, dimensionality: number) => ({
      scalar: { blob: { uri, metadata: { type: { format, dimensionality } } } },
    });

    // flytekit/types/file/file.py:568 (FlyteFilePathTransformer.async_to_literal) and
    // flytekit/types/directory/types.py:555 (FlyteDirToMultipartBlobTransformer.async_to_literal),
    // master e96c720: `meta = BlobMetadata(type=self._blob_type(format=...get_format(python_type)))`,
    // the declared type's format, is the literal's in every branch; the value's own is never read.
    test("a FlyteFile or FlyteDirectory takes the declared format, never its own, even when the declared one is \"\"", () => {
      expect(shape(toLiteral(new FlyteFile("s3://b/a.csv"), csvFile))).toEqual(blob("s3://b/a.csv", "csv", 0));
      expect(shape(toLiteral(new FlyteFile("s3://b/a.tsv", "tsv"), csvFile))).toEqual(blob("s3://b/a.tsv", "csv", 0));
      const anyFile: flyteidl.core.ILiteralType = { blob: { format: "", dimensionality: BlobDimensionality.SINGLE } };
      expect(shape(toLiteral(new FlyteFile("s3://b/a.tsv", "tsv"), anyFile))).toEqual(blob("s3://b/a.tsv", "", 0));
      expect(shape(toLiteral(new FlyteDirectory("s3://b/d/", "images"), dir))).toEqual(blob("s3://b/d/", "", 1));
      const images: flyteidl.core.ILiteralType = { blob: { format: "images", dimensionality: BlobDimensionality.MULTIPART } };
      expect(shape(toLiteral(new FlyteDirectory("s3://b/d/", "png"), images))).toEqual(blob("s3://b/d/", "images", 1));
      // In a union the chosen variant is the declared type.
      const optionalCsv = unionOf(tagged(csvFile, "FlyteFilePath"), tagged(NONE, "none"));
      const inUnion = toLiteral(new FlyteFile("s3://b/a.tsv", "tsv"), optionalCsv).scalar?.union?.value;
      expect(inUnion?.scalar?.blob?.metadata?.type?.format).toBe("csv");
    });

    // Inferred, the value's own type decides, as a FlyteFile["tsv"] is its own class in flytekit
    // (file.py:283-314, __class_getitem__) whose extension() is get_format's answer.
    test("with no declared type the value's own format is the literal's", () => {
      expect(shape(toLiteral(new FlyteFile("s3://b/a.tsv", "tsv")))).toEqual(blob("s3://b/a.tsv", "tsv", 0));
      expect(shape(toLiteral(new FlyteDirectory("s3://b/d/", "images")))).toEqual(blob("s3://b/d/", "images", 1));
    });

    test("a bare URI string is accepted", () => {
      expect(shape(toLiteral("s3://b/a.csv", csvFile))).toEqual(blob("s3://b/a.csv", "csv", 0));
      expect(shape(toLiteral("s3://b/d/", dir))).toEqual(blob("s3://b/d/", "", 1));
    });

    test("a FlyteDirectory is MULTIPART; the wrong class is an error", () => {
      expect(shape(toLiteral(new FlyteDirectory("s3://b/d/"), dir))).toEqual(blob("s3://b/d/", "", 1));
      expect(() => toLiteral(new FlyteDirectory("s3://b/d/"), csvFile, "f")).toThrow(
        'cannot convert "f" to file: got FlyteDirectory',
      );
      expect(() => toLiteral(new FlyteFile("s3://b/a"), dir, "d")).toThrow('cannot convert "d" to directory: got FlyteFile');
    });
  });

  describe("structured dataset", () => {
    const declared: flyteidl.core.ILiteralType = {
      structuredDatasetType: { format: "parquet", columns: [{ name: "a", literalType: INTEGER }] },
    };

    test("keeps the declared columns and format", () => {
      expect(shape(toLiteral(new StructuredDataset("s3://b/sd"), declared))).toEqual({
        scalar: {
          structuredDataset: {
            uri: "s3://b/sd",
            metadata: {
              structuredDatasetType: { format: "parquet", columns: [{ name: "a", literalType: { simple: SimpleType.INTEGER } }] },
            },
          },
        },
      });
    });

    // flytekit/types/structured/structured_dataset.py, StructuredDatasetTransformerEngine.async_to_literal
    // (master e96c720, l. 705-765, from flytekit#3027): the type starts as the declared one, and a
    // StructuredDataset(uri=...) lends its file_format only `if sdt.format == GENERIC_FORMAT and
    // file_format != GENERIC_FORMAT`, so the declared format wins.
    test("the declared format wins, the value's only when the declared one is generic (\"\"); a string is a URI; other values are errors", () => {
      const format = (value: unknown, type = declared) =>
        toLiteral(value, type).scalar?.structuredDataset?.metadata?.structuredDatasetType?.format;
      const generic: flyteidl.core.ILiteralType = { structuredDatasetType: { format: "" } };
      expect(format(new StructuredDataset("s3://b/sd", "csv"))).toBe("parquet");
      expect(format(new StructuredDataset("s3://b/sd", "csv"), generic)).toBe("csv");
      expect(format(new StructuredDataset("s3://b/sd"), generic)).toBe("");
      expect(format("s3://b/sd")).toBe("parquet");
      expect(() => toLiteral(1, declared, "sd")).toThrow('cannot convert "sd" to structured dataset: got number 1');
    });
  });

  test("enum: one of its values is a string; another string is an error listing them", () => {
    const color: flyteidl.core.ILiteralType = { enumType: { values: ["red", "green"] } };
    expect(shape(toLiteral("green", color))).toEqual(primitive({ stringValue: "green" }));
    expect(() => toLiteral("blue", color, "c")).toThrow('cannot convert "c" to enum ["red", "green"]: got string "blue"');
  });

  describe("union", () => {
    const optionalInt = unionOf(tagged(INTEGER, "int"), tagged(NONE, "none"));

    test("the first variant that fits is stored with its structure tag", () => {
      expect(shape(toLiteral(3, optionalInt))).toEqual({
        scalar: {
          union: {
            value: primitive({ integer: "3" }),
            type: { simple: SimpleType.INTEGER, structure: { tag: "int" } },
          },
        },
      });
      expect(shape(toLiteral(null, optionalInt))).toEqual({
        scalar: { union: { value: NONE_SHAPE, type: { simple: SimpleType.NONE, structure: { tag: "none" } } } },
      });
    });

    test("order decides: an integer goes to int before float, 1.5 to float", () => {
      const intOrFloat = unionOf(tagged(INTEGER, "int"), tagged(FLOAT, "float"));
      expect(toLiteral(1, intOrFloat).scalar?.union?.type?.structure?.tag).toBe("int");
      expect(toLiteral(1.5, intOrFloat).scalar?.union?.type?.structure?.tag).toBe("float");
    });

    // flytekit/core/type_engine.py: UnionTransformer.async_to_literal tries every variant, and a
    // Python int fits no float variant (SimpleTransformer.to_literal: `if type(python_val) !=
    // self._type: raise`), so Union[float, int] stores 1 as an int and 1.0 as a float.
    test("an integer goes to an int variant even after a float one; a PythonFloat or a fraction to the float", () => {
      const floatOrInt = unionOf(tagged(FLOAT, "float"), tagged(INTEGER, "int"));
      expect(shape(toLiteral(1, floatOrInt))).toEqual({
        scalar: { union: { value: primitive({ integer: "1" }), type: { simple: SimpleType.INTEGER, structure: { tag: "int" } } } },
      });
      expect(toLiteral(2n ** 60n, floatOrInt).scalar?.union?.type?.structure?.tag).toBe("int");
      expect(shape(toLiteral(pythonFloat(1), floatOrInt))).toEqual({
        scalar: { union: { value: primitive({ floatValue: 1 }), type: { simple: SimpleType.FLOAT, structure: { tag: "float" } } } },
      });
      expect(toLiteral(1.5, floatOrInt).scalar?.union?.type?.structure?.tag).toBe("float");
      // Inside containers too: [1, 2] is a list[int] for ListTransformer, not a list[float].
      const floatsOrInts = unionOf(tagged(listOf(FLOAT), "Typed List"), tagged(listOf(INTEGER), "Typed List"));
      expect(toLiteral([1, 2], floatsOrInts).scalar?.union?.type).toEqual(floatsOrInts.unionType?.variants?.[1]);
      expect(toLiteral([1, 2.5], floatsOrInts).scalar?.union?.type).toEqual(floatsOrInts.unionType?.variants?.[0]);
      // With no int variant, an integer number still makes a float, as a declared float takes it.
      expect(shape(toLiteral(1, unionOf(tagged(FLOAT, "float"), tagged(NONE, "none"))))).toEqual({
        scalar: { union: { value: primitive({ floatValue: 1 }), type: { simple: SimpleType.FLOAT, structure: { tag: "float" } } } },
      });
    });

    test("variants without a tag are stored as declared", () => {
      expect(shape(toLiteral("x", unionOf(INTEGER, STRING)))).toEqual({
        scalar: { union: { value: primitive({ stringValue: "x" }), type: { simple: SimpleType.STRING } } },
      });
    });

    test("no variant fits: an error naming every variant", () => {
      expect(() => toLiteral("x", optionalInt, "u")).toThrow('cannot convert "u" to union of integer | none: got string "x"');
    });

    test("a union inside a list", () => {
      const literal = toLiteral([1, null], listOf(optionalInt));
      expect(literal.collection?.literals?.map((item) => item.scalar?.union?.type?.structure?.tag)).toEqual(["int", "none"]);
    });
  });

  test("schema and error types are not supported", () => {
    expect(() => toLiteral("s3://x", { schema: {} }, "s")).toThrow('cannot convert "s" to schema: schema literals are not supported');
    expect(() => toLiteral({}, { simple: SimpleType.ERROR }, "e")).toThrow(
      'cannot convert "e" to error: error literals are not supported',
    );
  });

  test("a LiteralType with no case set means no declared type", () => {
    expect(shape(toLiteral(1.5, {}))).toEqual(primitive({ floatValue: 1.5 }));
  });

  test("a Literal passes through unchanged, whatever the declared type", () => {
    const literal = new flyteidl.core.Literal({ scalar: { primitive: { stringValue: "as is" } } });
    expect(toLiteral(literal)).toBe(literal);
    expect(toLiteral(literal, INTEGER)).toBe(literal);
  });
});

describe("toLiteral without a declared type infers", () => {
  test.each<[string, unknown, Record<string, unknown>]>([
    ["boolean", true, primitive({ boolean: true })],
    ["an integer number -> integer", 3, primitive({ integer: "3" })],
    ["a negative integer", -3, primitive({ integer: "-3" })],
    ["2^53 -> integer", 2 ** 53, primitive({ integer: "9007199254740992" })],
    ["a fraction -> float", 3.5, primitive({ floatValue: 3.5 })],
    ["a number beyond int64 -> float", 1e300, primitive({ floatValue: 1e300 })],
    ["bigint -> integer", 2n ** 62n, primitive({ integer: "4611686018427387904" })],
    ["string", "s", primitive({ stringValue: "s" })],
    ["Date -> datetime", new Date(1500), primitive({ datetime: { seconds: "1", nanos: 500_000_000 } })],
    ["Duration", Duration.fromMilliseconds(2500), primitive({ duration: { seconds: "2", nanos: 500_000_000 } })],
    ["null -> none", null, NONE_SHAPE],
    ["undefined -> none", undefined, NONE_SHAPE],
    ["Uint8Array -> binary", new Uint8Array([7]), { scalar: { binary: { value: [7] } } }],
    [
      "FlyteFile -> single blob",
      new FlyteFile("s3://f", "csv"),
      { scalar: { blob: { uri: "s3://f", metadata: { type: { format: "csv", dimensionality: 0 } } } } },
    ],
    [
      "FlyteDirectory -> multipart blob",
      new FlyteDirectory("s3://d"),
      { scalar: { blob: { uri: "s3://d", metadata: { type: { format: "", dimensionality: 1 } } } } },
    ],
    [
      "StructuredDataset",
      new StructuredDataset("s3://sd", "parquet"),
      { scalar: { structuredDataset: { uri: "s3://sd", metadata: { structuredDatasetType: { format: "parquet" } } } } },
    ],
    [
      "array -> collection, each element on its own",
      [1, "a", [2.5]],
      {
        collection: {
          literals: [
            primitive({ integer: "1" }),
            primitive({ stringValue: "a" }),
            { collection: { literals: [primitive({ floatValue: 2.5 })] } },
          ],
        },
      },
    ],
    ["Map -> map", new Map([["k", false]]), { map: { literals: { k: primitive({ boolean: false }) } } }],
    [
      "plain object -> generic Struct",
      { a: 1, b: "x" },
      { scalar: { generic: { fields: { a: { numberValue: 1 }, b: { stringValue: "x" } } } } },
    ],
  ])("%s", (_, value, expected) => {
    expect(shape(toLiteral(value))).toEqual(expected);
  });

  test("a whole number wrapped as a PythonFloat -> float, where the bare number is an integer", () => {
    expect(shape(toLiteral(pythonFloat(3)))).toEqual(primitive({ floatValue: 3 }));
    expect(shape(toLiteral(3))).toEqual(primitive({ integer: "3" }));
    expect(shape(toLiteral([pythonFloat(2), 2]))).toEqual({ collection: { literals: [primitive({ floatValue: 2 }), primitive({ integer: "2" })] } });
  });

  test("a declared float takes a PythonFloat; a declared integer does not", () => {
    expect(shape(toLiteral(pythonFloat(2), FLOAT))).toEqual(primitive({ floatValue: 2 }));
    expect(() => toLiteral(pythonFloat(2), INTEGER, "n")).toThrow(LiteralConversionError);
  });

  test("NaN -> float NaN", () => {
    expect(toLiteral(Number.NaN).scalar?.primitive?.floatValue).toBeNaN();
  });

  test("values with no Flyte type are errors naming what they are", () => {
    class Point {}
    expect(() => toLiteral(new Point(), null, "p")).toThrow('cannot convert "p" to a literal: got Point, which has no Flyte type');
    expect(() => toLiteral(() => 1, null, "f")).toThrow('cannot convert "f" to a literal: got function, which has no Flyte type');
    expect(() => toLiteral(Symbol("s"))).toThrow("cannot convert value to a literal: got symbol, which has no Flyte type");
    expect(() => toLiteral([1, new Point()], null, "l")).toThrow('cannot convert "l"[1] to a literal: got Point');
    expect(() => toLiteral(2n ** 63n, null, "b")).toThrow(
      'cannot convert "b" to integer: got bigint 9223372036854775808n (outside the int64 range)',
    );
    expect(() => toLiteral(new Date(Number.NaN), null, "d")).toThrow('cannot convert "d" to datetime: got Date (an invalid date)');
  });
});

describe("toLiteralMap", () => {
  const variables = { o0: { type: INTEGER }, o1: { type: FLOAT } };

  test("converts each output to its declared type", () => {
    const map = toLiteralMap({ o0: 1, o1: 1 }, variables);
    expect(map).toBeInstanceOf(flyteidl.core.LiteralMap);
    expect(shape({ map })).toEqual({
      map: { literals: { o0: primitive({ integer: "1" }), o1: primitive({ floatValue: 1 }) } },
    });
  });

  test("a declared output with no value is absent", () => {
    expect(Object.keys(toLiteralMap({ o0: 1 }, variables).literals)).toEqual(["o0"]);
  });

  test("an output that is not declared is an error listing the declared ones", () => {
    expect(() => toLiteralMap({ o0: 1, extra: 2 }, variables)).toThrow(
      new LiteralConversionError('output "extra" is not declared in the task\'s interface (declared: "o0", "o1")'),
    );
    expect(() => toLiteralMap({ x: 1 }, {})).toThrow('output "x" is not declared in the task\'s interface (declared: none)');
  });

  test("an inherited name is not a declaration", () => {
    expect(() => toLiteralMap({ toString: 1 }, variables)).toThrow('output "toString" is not declared');
  });

  test("errors name the output, or the input when asked", () => {
    expect(() => toLiteralMap({ o0: "abc" }, variables)).toThrow('cannot convert output "o0" to integer: got string "abc"');
    expect(() => toLiteralMap({ o0: "abc" }, variables, "input")).toThrow('cannot convert input "o0" to integer: got string "abc"');
  });

  test("a variable with no type infers", () => {
    expect(shape({ map: toLiteralMap({ o0: 1.5 }, { o0: {} }) })).toEqual({ map: { literals: { o0: primitive({ floatValue: 1.5 }) } } });
  });

  test("without variables every value is inferred", () => {
    expect(shape({ map: toLiteralMap({ a: 1, b: 1.5 }) })).toEqual({
      map: { literals: { a: primitive({ integer: "1" }), b: primitive({ floatValue: 1.5 }) } },
    });
    expect(shape({ map: toLiteralMap({}) })).toEqual({ map: {} });
  });

  test("a name like __proto__ stays an ordinary entry", () => {
    const values = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;
    const map = toLiteralMap(values);
    expect(Object.keys(map.literals)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(map.literals)).toBe(Object.prototype);
  });
});
