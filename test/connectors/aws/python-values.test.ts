/**
 * flytekit's literal_map_string_repr (flytekit/interaction/string_literals.py, v1.16.24 e96c720),
 * which the boto3 plugin splices and hashes. Expected texts are what CPython 3.11 prints for the
 * same values.
 */
import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { PythonFloat } from "../../../lib/connector/python-json.js";
import { literalMapStringRepr } from "../../../lib/connectors/aws/input-strings.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { structFromJson } from "../../../lib/literals/index.js";

describe("literalMapStringRepr", () => {
  it("reads each literal as string_literals.py does", () => {
    const map = flyteidl.core.LiteralMap.decode(
      flyteidl.core.LiteralMap.encode({
        literals: {
          i: { scalar: { primitive: { integer: 7 } } },
          f: { scalar: { primitive: { floatValue: 2 } } },
          when: { scalar: { primitive: { datetime: { seconds: 1714564800, nanos: 123456789 } } } },
          wait: { scalar: { primitive: { duration: { seconds: 90, nanos: 500_000_000 } } } },
          file: { scalar: { blob: { uri: "s3://b/k", metadata: { type: { dimensionality: 0 } } } } },
          sd: { scalar: { structuredDataset: { uri: "bq://p:d.t" } } },
          dict: { scalar: { binary: { value: encode({ b: 1, a: [true, null] }), tag: "msgpack" } } },
          generic: { scalar: { generic: structFromJson({ n: 3, s: "x" }) } },
          list: { collection: { literals: [{ scalar: { primitive: { stringValue: "a" } } }] } },
          map: { map: { literals: { k: { scalar: { noneType: {} } } } } },
          union: { scalar: { union: { value: { scalar: { primitive: { boolean: false } } } } } },
        },
      }).finish(),
    );
    expect(literalMapStringRepr(map)).toEqual({
      i: 7,
      f: new PythonFloat(2),
      when: "2024-05-01T12:00:00.123456+00:00",
      wait: 90.5,
      file: "s3://b/k",
      sd: "bq://p:d.t",
      // json.dumps(msgpack.unpackb(...)): a string, not a dict.
      dict: '{"b": 1, "a": [true, null]}',
      // MessageToDict: a Struct's numbers are floats.
      generic: { n: new PythonFloat(3), s: "x" },
      list: ["a"],
      map: { k: null },
      union: false,
    });
  });

  it("reads a msgpack dict's int64 exactly, as msgpack.unpackb does", () => {
    const big = { scalar: { binary: { value: encode({ id: 2n ** 63n - 1n, n: 1 }, { useBigInt64: true }), tag: "msgpack" } } };
    expect(literalMapStringRepr({ literals: { big } })).toEqual({ big: '{"id": 9223372036854775807, "n": 1}' });
  });
});
