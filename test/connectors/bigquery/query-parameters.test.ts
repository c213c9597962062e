/**
 * Inputs to named query parameters by declared type: the plugins' table (flytekit
 * plugins/flytekit-bigquery/flytekitplugins/bigquery/connector.py:21-30, flyte-sdk
 * plugins/bigquery/src/flyteplugins/bigquery/connector.py:24-33), with values written as
 * google-cloud-bigquery's ScalarQueryParameter.to_api_repr writes them.
 */
import { describe, expect, it } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { queryParameters } from "../../../lib/connectors/bigquery/query-parameters.js";
import type { flyteidl } from "../../../lib/idl/index.js";
import { inputMap, literal, types } from "./templates.js";

function parameters(declared: Record<string, flyteidl.core.ILiteralType>, inputs: Record<string, flyteidl.core.ILiteral>) {
  const variables = Object.fromEntries(Object.entries(declared).map(([name, type]) => [name, { type }]));
  return queryParameters(inputMap(inputs), variables);
}

function refusal(run: () => unknown): { code: number; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code: number; message: string };
  }
  throw new Error("expected a refusal");
}

describe("queryParameters", () => {
  it("maps each type of the plugins' table, in the inputs' order", () => {
    const at = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
    expect(
      parameters(
        { s: types.string, i: types.integer, f: types.float, b: types.boolean, d: types.datetime, y: types.bytes },
        {
          s: literal.string("héllo"),
          i: literal.integer(-42),
          f: literal.float(1.5),
          b: literal.boolean(true),
          d: literal.datetime(at, 123_456_789),
          y: literal.bytes(Buffer.from([0, 1, 254, 255])),
        },
      ),
    ).toEqual([
      { name: "s", parameterType: { type: "STRING" }, parameterValue: { value: "héllo" } },
      { name: "i", parameterType: { type: "INT64" }, parameterValue: { value: "-42" } },
      { name: "f", parameterType: { type: "FLOAT64" }, parameterValue: { value: "1.5" } },
      { name: "b", parameterType: { type: "BOOL" }, parameterValue: { value: "true" } },
      // _datetime_to_json: UTC, "%Y-%m-%dT%H:%M:%S.%f" (microseconds, truncated).
      { name: "d", parameterType: { type: "DATETIME" }, parameterValue: { value: "2024-01-02T03:04:05.123456" } },
      { name: "y", parameterType: { type: "BYTES" }, parameterValue: { value: "AAH+/w==" } },
    ]);
  });

  it("an enum input (flytekit's EnumTransformer: a string literal, type enum_type) is a STRING of its value", () => {
    const color = { enumType: { values: ["red", "green"] } };
    expect(parameters({ c: color }, { c: literal.string("green") })).toEqual([{ name: "c", parameterType: { type: "STRING" }, parameterValue: { value: "green" } }]);
  });

  it("keeps int64 beyond 2^53 exact, and writes floats BigQuery casts back", () => {
    const big = { scalar: { primitive: { integer: { low: -1, high: 0x7fffffff, unsigned: false } } } } as flyteidl.core.ILiteral;
    const [integer, nan, infinity, whole] = parameters(
      { i: types.integer, n: types.float, p: types.float, w: types.float },
      { i: big, n: literal.float(Number.NaN), p: literal.float(Number.NEGATIVE_INFINITY), w: literal.integer(3) },
    );
    expect(integer!.parameterValue).toEqual({ value: "9223372036854775807" });
    expect(nan!.parameterValue).toEqual({ value: "NaN" });
    expect(infinity!.parameterValue).toEqual({ value: "-Infinity" });
    // A float input given as an integer literal is read as the float it is declared.
    expect(whole).toEqual({ name: "w", parameterType: { type: "FLOAT64" }, parameterValue: { value: "3" } });
  });

  it("a list is an ARRAY of its element type", () => {
    expect(parameters({ ids: types.listOf(types.integer) }, { ids: literal.list(literal.integer(1), literal.integer(2)) })).toEqual([
      { name: "ids", parameterType: { type: "ARRAY", arrayType: { type: "INT64" } }, parameterValue: { arrayValues: [{ value: "1" }, { value: "2" }] } },
    ]);
    expect(parameters({ when: types.listOf(types.datetime) }, { when: literal.list(literal.datetime(0, 1000)) })[0]!.parameterValue).toEqual({
      arrayValues: [{ value: "1970-01-01T00:00:00.000001" }],
    });
    expect(parameters({ none: types.listOf(types.string) }, { none: literal.list() })[0]!.parameterValue).toEqual({ arrayValues: [] });
  });

  it("an optional input is its type, NULL (no value) when none", () => {
    const optionalInt = types.optional(types.integer);
    expect(parameters({ o: optionalInt }, { o: literal.none() })).toEqual([{ name: "o", parameterType: { type: "INT64" }, parameterValue: {} }]);
    const union = { scalar: { union: { value: literal.integer(7), type: types.integer } } };
    expect(parameters({ o: optionalInt }, { o: union })[0]!.parameterValue).toEqual({ value: "7" });
  });

  it("refuses what BigQuery has no parameter for, naming the input", () => {
    const cases: [flyteidl.core.ILiteralType, flyteidl.core.ILiteral, RegExp][] = [
      [types.duration, { scalar: { primitive: { duration: { seconds: 1 } } } }, /input "x" has type duration/],
      [types.listOf(types.listOf(types.integer)), literal.list(literal.list(literal.integer(1))), /has type list of list of integer/],
      [types.listOf(types.optional(types.integer)), literal.list(literal.none()), /no nested or optional elements/],
      [types.structuredDataset, { scalar: { structuredDataset: { uri: "s3://a" } } }, /has type structured dataset/],
      [types.integer, literal.string("1"), /Cannot pass the input "x" to BigQuery: .*got a string literal/],
    ];
    for (const [type, value, message] of cases) {
      const error = refusal(() => parameters({ x: type }, { x: value }));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.message).toMatch(message);
    }
    expect(refusal(() => parameters({}, { x: literal.integer(1) })).message).toBe(
      `The input "x" is not declared in the task's interface, so it has no BigQuery type.`,
    );
    expect(refusal(() => parameters({ d: types.datetime }, { d: literal.datetime(-62_135_596_801) })).message).toMatch(/years 1 to 9999/);
  });

  it("no inputs, no parameters", () => {
    expect(queryParameters(null, null)).toEqual([]);
  });
});
