import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { Phase } from "../../lib/connector/phase.js";
import { Resource, type ResourceInit } from "../../lib/connector/resource.js";
import { flyteidl, google } from "../../lib/idl/index.js";
import { literalMapToPlain, LiteralConversionError, toLiteral } from "../../lib/literals/index.js";

const { SimpleType } = flyteidl.core;
const INTEGER: flyteidl.core.ILiteralType = { simple: SimpleType.INTEGER };
const FLOAT: flyteidl.core.ILiteralType = { simple: SimpleType.FLOAT };

const overTheWire = (resource: flyteidl.admin.IResource) =>
  flyteidl.admin.Resource.decode(flyteidl.admin.Resource.encode(resource).finish());
/** One output's Primitive in proto JSON-like form, e.g. `{ integer: "1" }`. */
const primitiveOutput = (resource: flyteidl.admin.IResource, name: string) => {
  const primitive = resource.outputs?.literals?.[name]?.scalar?.primitive;
  return primitive ? flyteidl.core.Primitive.toObject(primitive as flyteidl.core.Primitive, { longs: String }) : undefined;
};
const outputsOf = (...names: string[]): flyteidl.core.IVariableMap => ({
  variables: Object.fromEntries(names.map((name) => [name, { type: INTEGER }])),
});

describe("Resource.toFlyteIdl", () => {
  test("flytekit's scenario: outputs {o0: 1} and custom info round-trip", () => {
    const customInfo = { job_id: "j-1", attempts: 2, tags: ["a", null], nested: { ok: true } };
    const resource = new Resource({ phase: Phase.SUCCEEDED, outputs: { o0: 1 }, customInfo });

    const wire = overTheWire(resource.toFlyteIdl(outputsOf("o0")));
    expect(primitiveOutput(wire, "o0")).toEqual({ integer: "1" });

    const back = Resource.fromFlyteIdl(wire);
    expect(back.phase).toBe(Phase.SUCCEEDED);
    expect(back.message).toBe("");
    expect(back.logLinks).toEqual([]);
    expect(back.outputs).toBeInstanceOf(flyteidl.core.LiteralMap);
    expect(literalMapToPlain(back.outputs as flyteidl.core.ILiteralMap)).toStrictEqual({ o0: 1 });
    expect(back.customInfo).toStrictEqual(customInfo);
  });

  test("an integer value declared float goes out as float_value", () => {
    const pb = new Resource({ phase: Phase.SUCCEEDED, outputs: { o0: 1 } }).toFlyteIdl({ variables: { o0: { type: FLOAT } } });
    expect(primitiveOutput(overTheWire(pb), "o0")).toEqual({ floatValue: 1 });
  });

  test("without declared outputs the types are inferred", () => {
    const pb = new Resource({ phase: Phase.SUCCEEDED, outputs: { a: 1, b: 1.5 } }).toFlyteIdl();
    expect(primitiveOutput(overTheWire(pb), "a")).toEqual({ integer: "1" });
    expect(primitiveOutput(overTheWire(pb), "b")).toEqual({ floatValue: 1.5 });
  });

  test("an output that does not fit its declared type is an error naming it", () => {
    const resource = new Resource({ phase: Phase.SUCCEEDED, outputs: { o0: "abc" } });
    expect(() => resource.toFlyteIdl(outputsOf("o0"))).toThrow(
      new LiteralConversionError('cannot convert output "o0" to integer: got string "abc"'),
    );
  });

  test("an output the task does not declare is an error", () => {
    const resource = new Resource({ phase: Phase.SUCCEEDED, outputs: { o1: 1 } });
    expect(() => resource.toFlyteIdl(outputsOf("o0"))).toThrow('output "o1" is not declared in the task\'s interface (declared: "o0")');
  });

  describe("outputs absent vs empty", () => {
    // Resource.outputs is field 2, a message: tag (2 << 3) | 2 = 0x12.
    const OUTPUTS_TAG = 0x12;

    test("absent when none were given", () => {
      for (const outputs of [undefined, null]) {
        const bytes = flyteidl.admin.Resource.encode(new Resource({ phase: Phase.RUNNING, outputs }).toFlyteIdl()).finish();
        expect([...bytes]).not.toContain(OUTPUTS_TAG);
        expect(flyteidl.admin.Resource.decode(bytes).outputs).toBeNull();
        expect(Resource.fromFlyteIdl(flyteidl.admin.Resource.decode(bytes)).outputs).toBeNull();
      }
    });

    test("an empty map when an empty map was given", () => {
      for (const outputs of [{}, new flyteidl.core.LiteralMap()]) {
        const bytes = flyteidl.admin.Resource.encode(new Resource({ phase: Phase.SUCCEEDED, outputs }).toFlyteIdl()).finish();
        expect([...bytes.subarray(0, 2)]).toEqual([OUTPUTS_TAG, 0]);
        const back = Resource.fromFlyteIdl(flyteidl.admin.Resource.decode(bytes));
        expect(back.outputs).toBeInstanceOf(flyteidl.core.LiteralMap);
        expect(literalMapToPlain(back.outputs as flyteidl.core.ILiteralMap)).toStrictEqual({});
      }
    });
  });

  describe("a LiteralMap passes through", () => {
    test("an instance, unchanged", () => {
      const outputs = new flyteidl.core.LiteralMap({ literals: { o0: toLiteral("kept", null) } });
      expect(new Resource({ phase: Phase.SUCCEEDED, outputs }).toFlyteIdl(outputsOf("o0")).outputs).toBe(outputs);
    });

    test("an ILiteralMap-shaped object, unchanged (e.g. echo returning its inputs)", () => {
      const outputs: flyteidl.core.ILiteralMap = { literals: { x: { scalar: { primitive: { stringValue: "s" } } } } };
      const pb = new Resource({ phase: Phase.SUCCEEDED, outputs }).toFlyteIdl();
      expect(pb.outputs).toBe(outputs);
      expect(literalMapToPlain(overTheWire(pb).outputs!)).toStrictEqual({ x: "s" });
    });

    test("but an output declared as `literals` is a plain value", () => {
      const outputs = { literals: { scalar: { x: 1 } } };
      const variables = { variables: { literals: { type: { simple: SimpleType.STRUCT } } } };
      const pb = overTheWire(new Resource({ phase: Phase.SUCCEEDED, outputs }).toFlyteIdl(variables));
      expect(literalMapToPlain(pb.outputs!)).toStrictEqual(outputs);
    });

    test("and a `literals` object holding plain values is plain outputs", () => {
      const pb = overTheWire(new Resource({ phase: Phase.SUCCEEDED, outputs: { literals: { a: 1 } } }).toFlyteIdl());
      expect(literalMapToPlain(pb.outputs!)).toStrictEqual({ literals: { a: 1 } });
    });
  });

  test("message is empty when none; message and log links are copied", () => {
    expect(new Resource({ phase: Phase.RUNNING }).toFlyteIdl().message).toBe("");
    expect(new Resource({ phase: Phase.RUNNING, message: null }).toFlyteIdl().message).toBe("");
    const logLinks = [{ uri: "https://logs/1", name: "Logs" }];
    const pb = overTheWire(new Resource({ phase: Phase.FAILED, message: "boom", logLinks }).toFlyteIdl());
    expect(pb.message).toBe("boom");
    expect(pb.logLinks.map((link) => ({ uri: link.uri, name: link.name }))).toEqual(logLinks);
  });

  test("custom info is a google.protobuf.Struct; non-JSON custom info is an error", () => {
    const pb = new Resource({ phase: Phase.RUNNING, customInfo: { a: 1 } }).toFlyteIdl();
    expect(pb.customInfo).toBeInstanceOf(google.protobuf.Struct);
    expect(overTheWire(pb).customInfo?.fields?.["a"]?.numberValue).toBe(1);
    expect(new Resource({ phase: Phase.RUNNING }).toFlyteIdl().customInfo).toBeNull();
    expect(() => new Resource({ phase: Phase.RUNNING, customInfo: { a: Number.NaN } }).toFlyteIdl()).toThrow(
      'cannot convert customInfo["a"] to JSON: got number NaN',
    );
  });

  describe("the phase is always set", () => {
    test.each<[string, Partial<ResourceInit>, string]>([
      ["missing", {}, "(got none)"],
      ["UNDEFINED", { phase: Phase.UNDEFINED }, "(got UNDEFINED)"],
      ["not a phase", { phase: 99 as Phase }, "(got 99)"],
      // Plain JavaScript may name the phase: Phase["SUCCEEDED"] reads, but the wire would carry UNDEFINED.
      ["a phase's name, not its number", { phase: "SUCCEEDED" as unknown as Phase }, "(got SUCCEEDED)"],
    ])("%s: an error saying the connector returned no phase", (_, init, got) => {
      const resource = new Resource(init as ResourceInit);
      expect(() => resource.toFlyteIdl()).toThrow(
        `the connector returned no phase: a Resource needs a TaskExecution phase other than UNDEFINED ${got}`,
      );
    });

    test("every real phase goes out as given", () => {
      for (const phase of [Phase.QUEUED, Phase.RUNNING, Phase.SUCCEEDED, Phase.FAILED, Phase.RETRYABLE_FAILED]) {
        expect(overTheWire(new Resource({ phase }).toFlyteIdl()).phase).toBe(phase);
      }
    });
  });
});

describe("Resource.fromFlyteIdl", () => {
  test("reads a plain IResource too, with defaults for what is missing", () => {
    const back = Resource.fromFlyteIdl({});
    expect(back.phase).toBe(Phase.UNDEFINED);
    expect(back.message).toBe("");
    expect(back.logLinks).toEqual([]);
    expect(back.outputs).toBeNull();
    expect(back.customInfo).toBeNull();

    const withOutputs = Resource.fromFlyteIdl({ phase: Phase.SUCCEEDED, outputs: { literals: { o0: { scalar: { primitive: { integer: 3 } } } } } });
    expect(withOutputs.outputs).toBeInstanceOf(flyteidl.core.LiteralMap);
    expect(literalMapToPlain(withOutputs.outputs as flyteidl.core.ILiteralMap)).toStrictEqual({ o0: 3 });
  });
});

describe("wire layout follows flyteidl/admin/agent.proto", () => {
  // The field numbers are read from the .proto the code is generated from, and the tag bytes
  // below are computed by hand from them, so a wrong number anywhere fails here.
  const require = createRequire(import.meta.url);
  const proto = readFileSync(require.resolve("@flyteorg/flyteidl/protos/flyteidl/admin/agent.proto"), "utf8");
  const resourceMessage = /message Resource \{([^}]*)\}/.exec(proto)?.[1] ?? "";
  const fieldNumber = (declaration: string) => Number(new RegExp(`${declaration} = (\\d+)`).exec(resourceMessage)?.[1]);

  test("the .proto says outputs 2, message 3, log_links 4, phase 5, custom_info 6", () => {
    expect(fieldNumber("core\\.LiteralMap outputs")).toBe(2);
    expect(fieldNumber("string message")).toBe(3);
    expect(fieldNumber("repeated core\\.TaskLog log_links")).toBe(4);
    expect(fieldNumber("core\\.TaskExecution\\.Phase phase")).toBe(5);
    expect(fieldNumber("google\\.protobuf\\.Struct custom_info")).toBe(6);
  });

  test("a small Resource encodes to the hand-computed bytes", () => {
    const resource = new Resource({
      phase: Phase.SUCCEEDED,
      message: "ok",
      outputs: { o0: 1 },
      customInfo: { k: "v" },
    });
    const bytes = flyteidl.admin.Resource.encode(resource.toFlyteIdl(outputsOf("o0"))).finish();
    const o = 0x6f, zero = 0x30, k = 0x6b, v = 0x76;
    expect([...bytes]).toEqual([
      // outputs (2, LEN): LiteralMap { literals (1, LEN): entry { key (1): "o0", value (2): Literal } }
      0x12, 14,
      0x0a, 12,
      0x0a, 2, o, zero,
      0x12, 6, // Literal
      0x0a, 4, // .scalar (1)
      0x0a, 2, // .primitive (1)
      0x08, 1, // .integer (1, VARINT) = 1
      // message (3, LEN) = "ok"
      0x1a, 2, o, k,
      // phase (5, VARINT) = SUCCEEDED (3)
      0x28, 3,
      // custom_info (6, LEN): Struct { fields (1): entry { key (1): "k", value (2): Value { string_value (3): "v" } } }
      0x32, 10,
      0x0a, 8,
      0x0a, 1, k,
      0x12, 3,
      0x1a, 1, v,
    ]);
    expect(Phase.SUCCEEDED).toBe(3);
  });
});
