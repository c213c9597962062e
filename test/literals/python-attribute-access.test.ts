/**
 * fromLiteral of what attribute access (`dc.field`) hands a task, read as flytekit's transformers
 * read it: a file, directory or dataset as the dict a dataclass holds it as, in MessagePack or in
 * a Struct (a dataclass entered in the console), and list items converted as mashumaro's
 * MessagePackDecoder converts them. Expected values: python3 3.11 with msgpack 1.2.3 and
 * mashumaro (github.com/Fatal1ty/mashumaro 22cf576), decoding with
 * `MessagePackDecoder(T, pre_decoder_func=lambda b: msgpack.unpackb(b, strict_map_key=False))`
 * as flytekit does (type_engine.py:71-72), written `decode(T, hex)` below.
 */
import { describe, expect, test } from "vitest";
import { flyteidl } from "../../lib/idl/index.js";
import {
  FlyteDirectory,
  FlyteFile,
  fromLiteral,
  LiteralConversionError,
  StructuredDataset,
  structFromJson,
} from "../../lib/literals/index.js";
import { BOOLEAN, FLOAT, INTEGER, listOf, mapOf, NONE, overTheWire, STRING, STRUCT, tagged, unionOf } from "./helpers.js";

const { BlobDimensionality } = flyteidl.core.BlobType;

const csvFile: flyteidl.core.ILiteralType = { blob: { format: "csv", dimensionality: BlobDimensionality.SINGLE } };
const directory: flyteidl.core.ILiteralType = { blob: { format: "", dimensionality: BlobDimensionality.MULTIPART } };
const dataset: flyteidl.core.ILiteralType = { structuredDatasetType: { format: "parquet" } };

const msgpack = (hex: string) => overTheWire({ scalar: { binary: { value: Buffer.from(hex, "hex"), tag: "msgpack" } } });
const generic = (json: Record<string, unknown>) => overTheWire({ scalar: { generic: structFromJson(json) } });

describe("a file, directory or structured dataset by attribute access", () => {
  // flytekit's from_binary_idl: msgpack.loads, then dict_to_flyte_file / dict_to_flyte_directory,
  // which make a Blob of format "" at the dict's "path" (flytekit/types/file/file.py:652-677, 707;
  // directory/types.py:609-631, 662), and dict_to_structured_dataset, a dataset at "uri" in
  // "file_format" (structured/structured_dataset.py:841-863, 893).
  test.each<[string, string, flyteidl.core.ILiteralType, unknown]>([
    // msgpack.packb({"path": "s3://b/f"})
    ["a file", "81a470617468a873333a2f2f622f66", csvFile, new FlyteFile("s3://b/f")],
    ["a directory", "81a470617468a873333a2f2f622f66", directory, new FlyteDirectory("s3://b/f")],
    // msgpack.packb({"uri": "s3://b/d", "file_format": "parquet"})
    ["a structured dataset", "82a3757269a873333a2f2f622f64ab66696c655f666f726d6174a770617271756574", dataset, new StructuredDataset("s3://b/d", "parquet")],
    // msgpack.packb({"uri": "s3://b/d"}): dict_obj.get("file_format", None), a format of None ("").
    ["a structured dataset with no format", "81a3757269a873333a2f2f622f64", dataset, new StructuredDataset("s3://b/d", "")],
    // A List[FlyteFile] field: mashumaro decodes each with FlyteFile._deserialize, dict_to_flyte_file
    // again (file.py:185-186). msgpack.packb([{"path": "s3://b/f"}, {"path": "s3://b/g"}])
    ["a list of files", "9281a470617468a873333a2f2f622f6681a470617468a873333a2f2f622f67", listOf(csvFile), [new FlyteFile("s3://b/f"), new FlyteFile("s3://b/g")]],
    ["an optional file", "81a470617468a873333a2f2f622f66", unionOf(tagged(csvFile, "FlyteFile"), tagged(NONE, "none")), new FlyteFile("s3://b/f")],
  ])("%s in MessagePack", (_, hex, type, expected) => {
    expect(fromLiteral(msgpack(hex), type)).toStrictEqual(expected);
  });

  // from_generic_idl: json.loads(MessageToJson(struct)), then the same dict_to_* (file.py:738-740,
  // directory/types.py:691-693, structured_dataset.py:924-926).
  test.each<[string, Record<string, unknown>, flyteidl.core.ILiteralType, unknown]>([
    ["a file", { path: "s3://b/f" }, csvFile, new FlyteFile("s3://b/f")],
    ["a directory", { path: "s3://b/f" }, directory, new FlyteDirectory("s3://b/f")],
    ["a structured dataset", { uri: "s3://b/d", file_format: "parquet" }, dataset, new StructuredDataset("s3://b/d", "parquet")],
  ])("%s in a Struct", (_, json, type, expected) => {
    expect(fromLiteral(generic(json), type)).toStrictEqual(expected);
  });

  test("what flytekit cannot read as one is an error", () => {
    // msgpack.packb({"name": "x"}): dict_to_flyte_file raises ValueError("FlyteFile's path should not be None").
    expect(() => fromLiteral(msgpack("81a46e616d65a178"), csvFile, "v")).toThrow(
      new LiteralConversionError('cannot read "v" as file: got MessagePack holding map with no str "path"'),
    );
    // dict_to_structured_dataset raises ValueError("StructuredDataset's uri and file format should not be None").
    expect(() => fromLiteral(generic({ file_format: "parquet" }), dataset, "v")).toThrow(
      new LiteralConversionError('cannot read "v" as structured dataset: got a struct literal holding map with no str "uri"'),
    );
    // msgpack.packb({1: "x", "path": "s3://b/f"}); python3 3.11: msgpack.loads(...) raises
    // ValueError: int is not allowed for map key when strict_map_key=True.
    expect(() => fromLiteral(msgpack("8201a178a470617468a873333a2f2f622f66"), csvFile, "v")).toThrow(
      new LiteralConversionError('cannot read "v": its MessagePack does not decode (MessagePack: a map key is int 1, which unpackb (strict_map_key=True) refuses)'),
    );
  });
});

describe("a map in a Struct by attribute access", () => {
  // DictTransformer: MessagePackDecoder(Dict[str, V]) of json.loads(MessageToJson(struct))
  // (type_engine.py:2432-2443), where every number is a float. python3 3.11:
  // decode(Dict[str, int], {"a": 1.0, "b": 1.5, "c": -2.7}) == {'a': 1, 'b': 1, 'c': -2}, and as
  // Dict[str, str] {'a': '1.0', 'b': '1.5', 'c': '-2.7'}.
  test("reads its values as mashumaro converts them", () => {
    expect(fromLiteral(generic({ a: 1, b: 1.5, c: -2.7 }), mapOf(INTEGER))).toStrictEqual({ a: 1, b: 1, c: -2 });
    expect(fromLiteral(generic({ a: 1, b: 1.5, c: -2.7 }), mapOf(STRING))).toStrictEqual({ a: "1.0", b: "1.5", c: "-2.7" });
    expect(fromLiteral(generic({ a: [1, 2.5] }), mapOf(listOf(FLOAT)))).toStrictEqual({ a: [1, 2.5] });
  });

  test("a pickled dict, which flytekit unpickles (type_engine.py:2398-2403), is an error", () => {
    const pickled: flyteidl.core.ILiteral = { scalar: { generic: structFromJson({ pickle_file: "s3://b/p" }) }, metadata: { format: "pickle" } };
    expect(() => fromLiteral(pickled, mapOf(STRING), "v")).toThrow(new LiteralConversionError('cannot read "v": it is a pickled Python value, which only Python can read'));
  });

  test("NaN, which MessageToJson refuses, is an error", () => {
    // python3 3.11: json_format.MessageToJson of a Struct holding nan raises ValueError
    // ("Fail to serialize NaN for Value.number_value").
    const struct: flyteidl.core.ILiteral = { scalar: { generic: { fields: { a: { numberValue: Number.NaN } } } } };
    expect(() => fromLiteral(struct, mapOf(FLOAT), "v")).toThrow(new LiteralConversionError('cannot read "v"["a"]: the struct holds NaN, which MessageToJson refuses'));
  });
});

describe("items of a list in MessagePack, converted as mashumaro converts them", () => {
  test.each<[string, string, flyteidl.core.ILiteralType, unknown]>([
    // decode(List[int], [1.5, True, "12", b"7", " -3_0 "]) == [1, 1, 12, 7, -30]: int() truncates a
    // float, takes a bool, and reads a str or bytes of digits with spaces and underscores.
    ["int()", "95cb3ff8000000000000c3a23132c40137a6202d335f3020", listOf(INTEGER), [1, 1, 12, 7, -30]],
    // decode(List[int], ["١٢", "\u3000 7\xa0"]) == [12, 7]: any script's digits, Unicode spaces.
    ["int() of other digits and spaces", "92a4d9a1d9a2a7e380802037c2a0", listOf(INTEGER), [12, 7]],
    // decode(List[float], [True, 2, "1_0.5", "nan", " -inf ", b"1e3"]) == [1.0, 2.0, 10.5, nan, -inf, 1000.0]
    ["float()", "96c302a5315f302e35a36e616ea6202d696e6620c403316533", listOf(FLOAT), [1, 2, 10.5, Number.NaN, -Infinity, 1000]],
    // decode(List[str], [1, 1.5, None, True, [1, "a"], b"a", 2.0]) == ['1', '1.5', 'None', 'True', "[1, 'a']", "b'a'", '2.0']
    ["str()", "9701cb3ff8000000000000c0c39201a161c40161cb4000000000000000", listOf(STRING), ["1", "1.5", "None", "True", "[1, 'a']", "b'a'", "2.0"]],
    // decode(List[bool], [0, 1.5, "", "x", None, [], nan]) == [False, True, False, True, False, False, True]
    ["bool()", "9700cb3ff8000000000000a0a178c090cb7ff8000000000000", listOf(BOOLEAN), [false, true, false, true, false, false, true]],
    // decode(List[None], [1, "x"]) == [None, None] (unpack_none is `None` whatever the value).
    ["None", "9201a178", listOf(NONE), [null, null]],
  ])("%s", (_, hex, type, expected) => {
    expect(fromLiteral(msgpack(hex), type)).toStrictEqual(expected);
  });

  test.each<[string, string, string]>([
    // python3 3.11: int("x") raises ValueError, int(float("nan")) ValueError, int(None) and int([1]) TypeError.
    ["a str of no int", "91a178", 'string "x"'],
    ["NaN", "91cb7ff8000000000000", "float NaN"],
    ["a list", "919101", "array of length 1"],
    // int(b"\xa07") raises ValueError: bytes take only ASCII spaces.
    ["bytes with a no-break space", "91c402a037", "bytes"],
  ])("int() refuses %s as Python does", (_, hex, got) => {
    expect(() => fromLiteral(msgpack(hex), listOf(INTEGER), "v")).toThrow(new LiteralConversionError(`cannot read "v"[0] as integer: got MessagePack holding ${got}`));
  });

  test("int() refuses more than 4300 digits, as Python >= 3.11 does", () => {
    // python3 3.11: int("1" * 4301) raises ValueError: Exceeds the limit (4300 digits) for integer string conversion.
    const item = (digits: number) => msgpack(`91da${digits.toString(16).padStart(4, "0")}${"31".repeat(digits)}`);
    expect(fromLiteral(item(4300), listOf(INTEGER))).toStrictEqual([10n ** 4300n / 9n]);
    expect(() => fromLiteral(item(4301), listOf(INTEGER))).toThrow(LiteralConversionError);
  });

  test("str() of a dict is refused: its keys are text by now, which its repr would write bare", () => {
    // decode(List[str], [{1: 2}]) == ['{1: 2}'], where this reader holds the key as "1".
    expect(() => fromLiteral(msgpack("91810102"), listOf(STRING), "v")).toThrow(new LiteralConversionError('cannot read "v"[0] as string: got MessagePack holding map'));
  });

  test("the top level stays exact, as SimpleTransformer asserts the type (type_engine.py:398-419)", () => {
    expect(() => fromLiteral(msgpack("c3"), INTEGER, "v")).toThrow(new LiteralConversionError('cannot read "v" as integer: got MessagePack holding boolean true'));
  });

  // mashumaro's union unpacker (unpack.py, UnionUnpackerBuilder): first a variant of the item's own
  // type, then each variant's conversion in declared order; Optional[X] is None or X.
  test.each<[string, string, flyteidl.core.ILiteralType, unknown]>([
    // decode(List[Union[int, float]], [1.5, 2, 2.0, True]) == [1.5, 2, 2.0, 1]
    ["a variant of the item's own type first", "94cb3ff800000000000002cb4000000000000000c3", listOf(unionOf(INTEGER, FLOAT)), [1.5, 2, 2, 1]],
    // decode(List[Union[str, int]], [1.5, 2]) == ['1.5', 2]
    ["then conversions in declared order", "92cb3ff800000000000002", listOf(unionOf(STRING, INTEGER)), ["1.5", 2]],
    // decode(List[Optional[int]], [None, 1.5]) == [None, 1]
    ["an optional", "92c0cb3ff8000000000000", listOf(unionOf(INTEGER, NONE)), [null, 1]],
    // decode(List[Union[int, float, None]], [None, "x"]) == [None, None]: None is the last conversion.
    ["None as a conversion", "92c0a178", listOf(unionOf(INTEGER, FLOAT, NONE)), [null, null]],
    ["a dict variant", "9181a16101", listOf(unionOf(INTEGER, STRUCT)), [{ a: 1 }]],
  ])("%s", (_, hex, type, expected) => {
    expect(fromLiteral(msgpack(hex), type)).toStrictEqual(expected);
  });

  test("an optional whose variant refuses the item is an error, not None", () => {
    // decode(List[Optional[int]], ["x"]) raises ValueError: invalid literal for int() with base 10: 'x'
    expect(() => fromLiteral(msgpack("91a178"), listOf(unionOf(INTEGER, NONE)), "v")).toThrow(
      new LiteralConversionError('cannot read "v"[0] as integer: got MessagePack holding string "x"'),
    );
  });
});

describe("dict keys other than str", () => {
  test("an int or float key reads as the text str() and json.dumps give it", () => {
    // msgpack.packb({1.0: "x", 1e-07: "y"}); python3 3.11: json.dumps(msgpack.unpackb(b,
    // strict_map_key=False)) == '{"1.0": "x", "1e-07": "y"}', and str() of each key the same.
    expect(fromLiteral(msgpack("82cb3ff0000000000000a178cb3e7ad7f29abcaf48a179"), STRUCT)).toStrictEqual({ "1.0": "x", "1e-07": "y" });
    expect(fromLiteral(msgpack("82cb3ff0000000000000a178cb3e7ad7f29abcaf48a179"), mapOf(STRING))).toStrictEqual({ "1.0": "x", "1e-07": "y" });
  });

  test("keys a Python dict keeps apart whose text is the same are an error, not one lost", () => {
    // msgpack.packb({1: "a", "1": "b"}), two entries in Python.
    expect(() => fromLiteral(msgpack("8201a161a131a162"), STRUCT, "v")).toThrow(
      new LiteralConversionError(
        'cannot read "v": its MessagePack does not decode (MessagePack: a map has the keys int 1 and string "1", which a Python dict keeps apart but are both "1" here)',
      ),
    );
  });
});
