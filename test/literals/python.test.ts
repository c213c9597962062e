import { decode } from "@msgpack/msgpack";
import { describe, expect, test } from "vitest";
import { flyteidl } from "../../lib/idl/index.js";
import { StructuredDataset, pythonLiteral, pythonOutputs } from "../../lib/literals/index.js";

describe("pythonLiteral: what flytekit's TypeEngine makes of a connector's Python values", () => {
  test("a dict is MessagePack bytes tagged msgpack (flytekit >= 1.14), not a Struct", () => {
    const literal = pythonLiteral({ id: "batch_1", request_counts: { total: 3 }, errors: null });
    expect(literal.scalar?.binary?.tag).toBe("msgpack");
    expect(literal.scalar?.generic).toBeFalsy();
    expect(decode(literal.scalar!.binary!.value!)).toEqual({ id: "batch_1", request_counts: { total: 3 }, errors: null });
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
