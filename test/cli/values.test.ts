import { describe, expect, test } from "vitest";
import { UsageError } from "../../lib/cli/command.js";
import { parseInputs, parseInputValue } from "../../lib/cli/input-values.js";
import { plainToJson } from "../../lib/cli/plain-json.js";
import { Duration, FlyteDirectory, FlyteFile, StructuredDataset } from "../../lib/literals/index.js";

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
  ])("%j reads as %j", (text, value) => {
    expect(parseInputValue(text)).toEqual(value);
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
