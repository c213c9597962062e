import { describe, expect, test } from "vitest";
import { UsageError } from "../../lib/cli/command.js";
import { parseInputs, parseInputValue } from "../../lib/cli/input-values.js";
import { plainToJson } from "../../lib/cli/plain-json.js";
import { fromJson } from "../../lib/idl/json-mapping.js";
import type { flyteidl } from "../../lib/idl/index.js";
import { Duration, FlyteDirectory, FlyteFile, PreciseDate, StructuredDataset } from "../../lib/literals/index.js";

/** Declared inputs as a template file gives them, in proto3 JSON. */
const declared = (variables: Record<string, unknown>) =>
  fromJson<flyteidl.core.VariableMap>("flyteidl.core.VariableMap", { variables: Object.fromEntries(Object.entries(variables).map(([name, type]) => [name, { type }])) })
    .variables;

describe("--input values", () => {
  test.each([
    ["1", 1],
    ["-2.5", -2.5],
    ["true", true],
    ["null", null],
    ['"7"', "7"],
    ["[1,2]", [1, 2]],
    ['{"a":1}', { a: 1 }],
    ["hello", "hello"],
    ["s3://bucket/key", "s3://bucket/key"],
    ["", ""],
    ["a=b", "a=b"],
    // Not JSON, though Python's json.loads reads them: the text as written.
    ["NaN", "NaN"],
    ["Infinity", "Infinity"],
    ["[1, NaN]", "[1, NaN]"],
  ])("%j reads as %j", (text, value) => {
    expect(parseInputValue(text)).toEqual(value);
  });

  test.each([
    ["9007199254740993", 9007199254740993n],
    ["-9223372036854775808", -(2n ** 63n)],
    ["[9007199254740993, 1.0]", [9007199254740993n, 1]],
    ['{"a": 1.0, "b": [2.0]}', { a: 1, b: [2] }],
  ])("%j keeps integers beyond 2^53 exact, and whole floats plain numbers", (text, value) => {
    expect(parseInputValue(text)).toEqual(value);
  });

  test("an input named __proto__ is kept as an input", () => {
    const values = parseInputs(["__proto__=1", "x=2"]);
    expect(Object.entries(values)).toEqual([["__proto__", 1], ["x", 2]]);
  });

  test("name=value pairs, split at the first '='", () => {
    expect(parseInputs(["x=1", "query=a=b", " y =true"])).toEqual({ x: 1, query: "a=b", y: true });
  });

  test.each([
    [["=1"], "--input takes name=value, got '=1'."],
    [["x"], "--input takes name=value, got 'x'."],
    [["x=1", "x=2"], "--input x is given more than once."],
  ])("%j is a usage error", (assignments, message) => {
    expect(() => parseInputs(assignments)).toThrow(new UsageError(message));
  });
});

describe("--input values of declared inputs are read by their type", () => {
  const variables = declared({
    count: { simple: "INTEGER" },
    ratio: { simple: "FLOAT" },
    name: { simple: "STRING" },
    flag: { simple: "BOOLEAN" },
    when: { simple: "DATETIME" },
    wait: { simple: "DURATION" },
    color: { enumType: { values: ["red", "true"] } },
    file: { blob: { format: "csv" } },
    counts: { collectionType: { simple: "INTEGER" } },
    settings: { simple: "STRUCT" },
    maybe: { unionType: { variants: [{ simple: "STRING" }, { simple: "NONE" }] } },
    either: { unionType: { variants: [{ simple: "STRING" }, { simple: "INTEGER" }, { simple: "DATETIME" }] } },
  });
  const read = (assignment: string) => Object.values(parseInputs([assignment], variables))[0];

  test.each([
    ["count=9007199254740993", 9007199254740993n],
    ["count=42", 42],
    ["ratio=12345678901234567890", 12345678901234567890],
    ["ratio=0.5", 0.5],
    ["name=2024", "2024"],
    ["name=true", "true"],
    ["name=[1,2]", "[1,2]"],
    ["name=", ""],
    ['name="2024"', "2024"],
    ["name=hello world", "hello world"],
    ["flag=false", false],
    ["wait=1.5s", new Duration(1, 500_000_000)],
    ["wait=-0.000000001s", new Duration(0, -1)],
    ['wait="90s"', new Duration(90)],
    ["color=true", "true"],
    ["file=123", "123"],
    ["counts=[1, 9007199254740993]", [1, 9007199254740993n]],
    ['settings={"a": 1.0}', { a: 1 }],
    ["maybe=2024", "2024"],
    ["maybe=null", null],
    ["either=7", 7],
    ["either=seven", "seven"],
  ])("%s", (assignment, value) => {
    expect(read(assignment)).toEqual(value);
  });

  test("a datetime is RFC 3339 text, kept to the nanosecond", () => {
    const when = read("when=2024-01-02T03:04:05.123456789+01:00");
    expect(when).toBeInstanceOf(PreciseDate);
    expect((when as PreciseDate).toISOString()).toBe("2024-01-02T02:04:05.123Z");
    expect((when as PreciseDate).nanos).toBe(123_456_789);
    expect((read('when="2024-01-01T00:00:00Z"') as Date).toISOString()).toBe("2024-01-01T00:00:00.000Z");
    expect((read("either=2024-01-01T00:00:00Z") as Date).toISOString()).toBe("2024-01-01T00:00:00.000Z");
  });

  test.each([
    ["when=2024-13-01", 'Bad --input: cannot convert input "when" to datetime: expected an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got "2024-13-01"'],
    ["when=1704067200", 'Bad --input: cannot convert input "when" to datetime: expected an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got "1704067200"'],
    ["wait=90", 'Bad --input: cannot convert input "wait" to duration: expected a duration in seconds such as 1.5s, got "90"'],
    ["wait=1.5 s", 'Bad --input: cannot convert input "wait" to duration: expected a duration in seconds such as 1.5s, got "1.5 s"'],
  ])("%s is a usage error naming the input and the form", (assignment, message) => {
    expect(() => parseInputs([assignment], variables)).toThrow(new UsageError(message));
  });

  test("a value that reads but does not fit its type is left for the literal conversion to refuse", () => {
    expect(read("count=3.5")).toBe(3.5);
    expect(read("flag=yes")).toBe("yes");
  });

  test("an input the template does not declare reads as JSON", () => {
    expect(parseInputs(["other=2024"], variables)).toEqual({ other: 2024 });
  });
});

test("plainToJson writes what JSON has no type for", () => {
  const value = {
    big: 2n ** 64n,
    small: 5n,
    when: new Date("2024-01-02T03:04:05.006Z"),
    wait: new Duration(1, 500_000_000),
    tick: new Duration(0, 1),
    bytes: new Uint8Array([1, 2, 3]),
    file: new FlyteFile("s3://b/a.csv", "csv"),
    dir: new FlyteDirectory("s3://b/d"),
    table: new StructuredDataset("s3://b/t", "parquet"),
    nested: [{ n: 1n }],
  };
  expect(JSON.parse(plainToJson(value))).toEqual({
    big: "18446744073709551616",
    small: 5,
    when: "2024-01-02T03:04:05.006Z",
    wait: "1.5s",
    tick: "0.000000001s",
    bytes: "AQID",
    file: { uri: "s3://b/a.csv", format: "csv" },
    dir: { uri: "s3://b/d", format: "" },
    table: { uri: "s3://b/t", format: "parquet" },
    nested: [{ n: 1 }],
  });
  expect(plainToJson({ a: 1 })).toBe('{\n  "a": 1\n}');
});
