import { encode as encodeMessagePack } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { PythonFloat } from "../../../lib/connector/python-json.js";
import { InputValues } from "../../../lib/connectors/webhook/input-values.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { structFromJson } from "../../../lib/literals/index.js";

const { BlobDimensionality } = flyteidl.core.BlobType;

function inputs(literals: Record<string, flyteidl.core.ILiteral>): InputValues {
  return new InputValues(flyteidl.core.LiteralMap.decode(flyteidl.core.LiteralMap.encode({ literals }).finish()));
}

const primitive = (value: flyteidl.core.IPrimitive): flyteidl.core.ILiteral => ({ scalar: { primitive: value } });

describe("InputValues", () => {
  it("reads primitives as flytekit's literal_string_repr does", () => {
    const values = inputs({
      int: primitive({ integer: 42 }),
      big: primitive({ integer: "9007199254740993" as unknown as number }),
      whole: primitive({ floatValue: 3 }),
      frac: primitive({ floatValue: 0.5 }),
      str: primitive({ stringValue: "hi" }),
      bool: primitive({ boolean: false }),
      when: primitive({ datetime: { seconds: 1714564800, nanos: 0 } }),
      whenMs: primitive({ datetime: { seconds: 1714564800, nanos: 250_000_000 } }),
      // Python reads the literal to the microsecond; the nanoseconds beyond are dropped.
      whenUs: primitive({ datetime: { seconds: 1714564800, nanos: 123_456_789 } }),
      span: primitive({ duration: { seconds: 90 } }),
      spanFrac: primitive({ duration: { seconds: 1, nanos: 500_000_000 } }),
      // timedelta(seconds=1, microseconds=999999).total_seconds(): microseconds / 10**6, not 1 + 0.999999.
      spanMicros: primitive({ duration: { seconds: 1, nanos: 999_999_000 } }),
      spanLong: primitive({ duration: { seconds: 12345, nanos: 678_901_000 } }),
      // ToTimedelta keeps whole microseconds: 1 ns is timedelta(0), 0.0.
      spanNanos: primitive({ duration: { seconds: 0, nanos: 1 } }),
    });
    expect(values.get(["int"])).toBe(42);
    expect(values.get(["big"])).toBe(9007199254740993n);
    expect(values.get(["whole"])).toEqual(new PythonFloat(3));
    expect(values.get(["frac"])).toBe(0.5);
    expect(values.get(["str"])).toBe("hi");
    expect(values.get(["bool"])).toBe(false);
    expect(values.get(["when"])).toBe("2024-05-01T12:00:00+00:00");
    expect(values.get(["whenMs"])).toBe("2024-05-01T12:00:00.250000+00:00");
    expect(values.get(["whenUs"])).toBe("2024-05-01T12:00:00.123456+00:00");
    expect(values.get(["span"])).toEqual(new PythonFloat(90));
    expect(values.get(["spanFrac"])).toBe(1.5);
    expect(values.get(["spanMicros"])).toBe(1.999999);
    expect(values.get(["spanLong"])).toBe(12345.678901);
    expect(values.get(["spanNanos"])).toEqual(new PythonFloat(0));
  });

  it("reads files, directories, datasets, bytes, none and unions", () => {
    const values = inputs({
      file: { scalar: { blob: { uri: "s3://b/f.csv", metadata: { type: { dimensionality: BlobDimensionality.SINGLE } } } } },
      dir: { scalar: { blob: { uri: "s3://b/d", metadata: { type: { dimensionality: BlobDimensionality.MULTIPART } } } } },
      sd: { scalar: { structuredDataset: { uri: "s3://b/sd" } } },
      bytes: { scalar: { binary: { value: new Uint8Array([104, 105]) } } },
      none: { scalar: { noneType: {} } },
      union: { scalar: { union: { value: primitive({ floatValue: 1 }) } } },
    });
    expect(values.get(["file"])).toBe("s3://b/f.csv");
    expect(values.get(["dir"])).toBe("s3://b/d");
    expect(values.get(["sd"])).toBe("s3://b/sd");
    expect(values.get(["bytes"])).toBe("aGk=");
    expect(values.get(["none"])).toBeNull();
    expect(values.get(["union"])).toEqual(new PythonFloat(1));
  });

  // literal_string_repr (flytekit/interaction/string_literals.py:30-45): an error is its message
  // (a failure handler's `err` input), a schema its URI.
  it("reads an error as its message and a schema as its URI, also in a union", () => {
    const values = inputs({
      err: { scalar: { error: { failedNodeId: "n0", message: "boom" } } },
      optionalErr: { scalar: { union: { value: { scalar: { error: { failedNodeId: "n1", message: "bang" } } } } } },
      schema: { scalar: { schema: { uri: "s3://b/schema" } } },
    });
    expect(values.get(["err"])).toBe("boom");
    expect(values.get(["optionalErr"])).toBe("bang");
    expect(values.get(["schema"])).toBe("s3://b/schema");
  });

  it("reads collections, maps and JSON, and looks keys up in them", () => {
    const values = inputs({
      list: { collection: { literals: [primitive({ integer: 1 }), primitive({ stringValue: "a" })] } },
      map: { map: { literals: { inner: { map: { literals: { k: primitive({ stringValue: "deep" }) } } } } } },
      json: { scalar: { generic: structFromJson({ user: { name: "Ada" }, n: 2 }) } },
    });
    expect(values.get(["list"])).toEqual([1, "a"]);
    expect(values.get(["map", "inner", "k"])).toBe("deep");
    expect(values.get(["json", "user", "name"])).toBe("Ada");
    // scalar_to_string reads a Struct with MessageToDict (flytekit/interaction/string_literals.py):
    // its numbers are doubles, 2.0.
    expect(values.get(["json"])).toEqual({ user: { name: "Ada" }, n: new PythonFloat(2) });
  });

  it("keeps a float's .0, and reads errors, schemas and unions, inside collections and maps too", () => {
    const values = inputs({
      floats: { collection: { literals: [primitive({ floatValue: 2 }), primitive({ floatValue: 0.5 }), primitive({ integer: 3 })] } },
      byName: { map: { literals: { a: primitive({ floatValue: 1 }), b: { scalar: { union: { value: primitive({ floatValue: 4 }) } } } } } },
      errors: { collection: { literals: [{ scalar: { error: { failedNodeId: "n0", message: "boom" } } }, { scalar: { schema: { uri: "s3://b/s" } } }] } },
    });
    // literal_string_repr walks collections and maps (string_literals.py), so [2.0, 0.5, 3].
    expect(values.get(["floats"])).toEqual([new PythonFloat(2), 0.5, 3]);
    expect(values.get(["byName"])).toEqual({ a: new PythonFloat(1), b: new PythonFloat(4) });
    expect(values.get(["byName", "b"])).toEqual(new PythonFloat(4));
    expect(values.get(["errors"])).toEqual(["boom", "s3://b/s"]);
  });

  it("reads a dict flytekit sent as MessagePack", () => {
    const values = inputs({ d: { scalar: { binary: { value: encodeMessagePack({ user: { id: 5 } }), tag: "msgpack" } } } });
    expect(values.get(["d", "user", "id"])).toBe(5);
  });

  it("names what is missing", () => {
    const values = inputs({ a: primitive({ integer: 1 }), m: { map: { literals: {} } } });
    expect(() => values.get(["b"])).toThrow('the task has no input "b" (inputs: "a", "m")');
    expect(() => values.get(["m", "k"])).toThrow('input "m" has no key "k"');
    expect(() => values.get(["a", "k"])).toThrow('input "a" has no key "k"');
    expect(() => new InputValues(null).get(["x"])).toThrow('the task has no input "x" (inputs: none)');
  });

  it("reads an input only when asked for it", () => {
    const values = inputs({ ok: primitive({ integer: 1 }), offloaded: { offloadedMetadata: { uri: "s3://b/o" } } });
    expect(values.get(["ok"])).toBe(1);
    expect(() => values.get(["offloaded"])).toThrow(/offloaded literals .* are not supported/);
  });
});
