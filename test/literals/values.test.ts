import { describe, expect, test } from "vitest";
import { Duration, FlyteDirectory, FlyteFile, StructuredDataset } from "../../lib/literals/index.js";

describe("Duration", () => {
  test.each<[number, number, number]>([
    [1500, 1, 500_000_000],
    [-1500, -1, -500_000_000],
    [0, 0, 0],
    [0.000001, 0, 1],
    [999.9999999, 1, 0],
    [-999.9999999, -1, 0],
    [86_400_000, 86_400, 0],
  ])("fromMilliseconds(%s) is %ss %sns", (ms, seconds, nanos) => {
    const duration = Duration.fromMilliseconds(ms);
    expect([duration.seconds, duration.nanos]).toEqual([seconds, nanos]);
    expect(Object.is(duration.seconds, -0)).toBe(false);
  });

  test("toMilliseconds", () => {
    expect(new Duration(2, 250_000_000).toMilliseconds()).toBe(2250);
    expect(new Duration(-2, -1).toMilliseconds()).toBe(-2000.000001);
    expect(Duration.fromMilliseconds(1234.5).toMilliseconds()).toBe(1234.5);
  });

  test.each<[string, () => Duration, string]>([
    ["fractional seconds", () => new Duration(1.5), "Duration seconds must be a safe integer, got 1.5"],
    ["nanos of a full second", () => new Duration(0, 1e9), "Duration nanos must be an integer in (-1e9, 1e9), got 1000000000"],
    ["mixed signs", () => new Duration(-1, 5), "Duration seconds and nanos must have the same sign, got -1s and 5ns"],
    ["NaN milliseconds", () => Duration.fromMilliseconds(Number.NaN), "Duration milliseconds must be finite, got NaN"],
  ])("%s is a RangeError", (_, make, message) => {
    expect(make).toThrow(new RangeError(message));
  });
});

test("files, directories and datasets keep their URI and format (empty by default)", () => {
  expect({ ...new FlyteFile("s3://a") }).toEqual({ uri: "s3://a", format: "" });
  expect({ ...new FlyteDirectory("s3://d", "csv") }).toEqual({ uri: "s3://d", format: "csv" });
  expect({ ...new StructuredDataset("s3://sd", "parquet") }).toEqual({ uri: "s3://sd", format: "parquet" });
});
