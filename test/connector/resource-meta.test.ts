import { describe, expect, test } from "vitest";
import { AsyncConnectorBase } from "../../lib/connector/connector.js";
import { PythonFloat, pythonFloat } from "../../lib/connector/python-json.js";
import {
  type ResourceMetaClass,
  type ResourceMetaInstance,
  ResourceMetaError,
  defineResourceMeta,
  field,
} from "../../lib/connector/resource-meta.js";

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

const BigQueryMetadata = defineResourceMeta("BigQueryMetadata", {
  job_id: field.string(),
  output_path: field.string().optional(),
  task_name: field.string().optional(),
});
type BigQueryMetadata = InstanceType<typeof BigQueryMetadata>;

const Everything = defineResourceMeta("Everything", {
  name: field.string(),
  count: field.integer(),
  ratio: field.float(),
  done: field.boolean(),
  extra: field.json(),
  note: field.string().optional(),
});

const FloatMeta = defineResourceMeta("FloatMeta", { value: field.float() });

// Bytes below were written by Python's json.dumps(dataclasses.asdict(meta)), as flytekit does.
const pythonWritten = [
  '{"job_id": "dummy_id", "output_path": null, "task_name": null}',
  '{"job_id": "caf\\u00e9 \\ud83d\\ude00", "output_path": "s3://b/\\"q\\"\\\\\\n\\t\\u007f", "task_name": null}',
];
const pythonEverything =
  '{"name": "x", "count": 18446744073709551616, "ratio": 1.0, "done": true, "extra": {"b": [1, 2.0, 1e+16, null, {"z": {}, "a": []}], "10": "ten", "9": NaN, "a": -0.0}, "note": null}';

describe("encode", () => {
  test("writes flytekit's bytes for its own BigQuery example", () => {
    const meta = new BigQueryMetadata({ job_id: "dummy_id" });
    expect(meta.encode()).toBeInstanceOf(Uint8Array);
    expect(text(meta.encode())).toBe('{"job_id": "dummy_id", "output_path": null, "task_name": null}');
  });

  test("escapes like ensure_ascii: \\u00e9, an emoji as a surrogate pair, quotes, backslashes, controls, DEL", () => {
    const meta = new BigQueryMetadata({ job_id: "caf\u00e9 \u{1F600}", output_path: 's3://b/"q"\\\n\t\x7f' });
    expect(text(meta.encode())).toBe(pythonWritten[1]);
  });

  test("keeps the declared field order, not the order of the constructor's object", () => {
    const meta = new BigQueryMetadata({ task_name: "t", output_path: "o", job_id: "j" });
    expect(text(meta.encode())).toBe('{"job_id": "j", "output_path": "o", "task_name": "t"}');
  });

  test("writes every kind: bigint and number ints, float repr, booleans, nested json in key order", () => {
    const meta = new Everything({
      name: "x",
      count: 2n ** 64n,
      ratio: 1,
      done: false,
      extra: { z: [1, 2.5, pythonFloat(3), null, { y: {}, b: [] }], a: "é" },
    });
    expect(text(meta.encode())).toBe(
      '{"name": "x", "count": 18446744073709551616, "ratio": 1.0, "done": false, ' +
        '"extra": {"z": [1, 2.5, 3.0, null, {"y": {}, "b": []}], "a": "\\u00e9"}, "note": null}',
    );
    expect(text(new Everything({ name: "", count: -3, ratio: 0.5, done: true, extra: [] }).encode())).toBe(
      '{"name": "", "count": -3, "ratio": 0.5, "done": true, "extra": [], "note": null}',
    );
  });

  test.each([
    [1, "1.0"],
    [1e16, "1e+16"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [1e15, "1000000000000000.0"],
    [-2.5, "-2.5"],
    [-0, "-0.0"],
    [Number.NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
  ])("writes the float %d as Python's %s", (value, expected) => {
    expect(text(new FloatMeta({ value }).encode())).toBe(`{"value": ${expected}}`);
  });
});

describe("decode", () => {
  test("gives a typed instance of the class", () => {
    const meta: BigQueryMetadata = BigQueryMetadata.decode(utf8(pythonWritten[1] ?? ""));
    expect(meta).toBeInstanceOf(BigQueryMetadata);
    expect(meta.job_id).toBe("caf\u00e9 \u{1F600}");
    expect(meta.output_path).toBe('s3://b/"q"\\\n\t\x7f');
    expect(meta.task_name).toBeNull();
  });

  test.each([...pythonWritten, pythonEverything])("re-encodes a Python-written meta to the same bytes: %s", (bytes) => {
    const Class = bytes === pythonEverything ? Everything : BigQueryMetadata;
    expect(text(Class.decode(utf8(bytes)).encode())).toBe(bytes);
  });

  test("reads ints as numbers or bigints, integral floats in json as PythonFloat", () => {
    const meta = Everything.decode(utf8(pythonEverything));
    expect(meta.count).toBe(2n ** 64n);
    expect(meta.ratio).toBe(1);
    expect(meta.done).toBe(true);
    const extra = meta.extra as Record<string, unknown>;
    expect(Object.keys(extra).sort()).toEqual(["10", "9", "a", "b"]);
    expect(extra.b).toEqual([1, new PythonFloat(2), new PythonFloat(1e16), null, { z: {}, a: [] }]);
    expect(extra["9"]).toBeNaN();
    expect(Everything.decode(utf8('{"name": "", "count": 7, "ratio": 0.5, "done": false, "extra": 1}')).count).toBe(7);
  });

  test("writes back as an int a float field Python wrote as an int, and a float as a float", () => {
    expect(text(FloatMeta.decode(utf8('{"value": 5}')).encode())).toBe('{"value": 5}');
    expect(text(FloatMeta.decode(utf8('{"value": 5.0}')).encode())).toBe('{"value": 5.0}');
    expect(text(FloatMeta.decode(utf8('{"value": 1e16}')).encode())).toBe('{"value": 1e+16}');
    expect(FloatMeta.decode(utf8('{"value": 5}')).value).toBe(5);
  });

  test("re-encodes compact or reordered JSON in the canonical form, filling left-out defaults", () => {
    expect(text(BigQueryMetadata.decode(utf8('{"task_name":"t","job_id":"j"}')).encode())).toBe(
      '{"job_id": "j", "output_path": null, "task_name": "t"}',
    );
  });

  test.each([
    [new Uint8Array([0x7b, 0xff, 0x7d]), "BigQueryMetadata: cannot decode, the bytes are not UTF-8."],
    [utf8("\ufeff{}"), "BigQueryMetadata: cannot decode, not JSON: Expecting value at position 0."],
    [utf8('{"job_id": "x",}'), "BigQueryMetadata: cannot decode, not JSON: Expecting property name"],
    [utf8(""), "BigQueryMetadata: cannot decode, not JSON: Expecting value at position 0."],
    [utf8('["job_id"]'), "BigQueryMetadata: cannot decode, expected a JSON object, got a list."],
    [utf8("null"), "BigQueryMetadata: cannot decode, expected a JSON object, got null."],
    [utf8('"x"'), "BigQueryMetadata: cannot decode, expected a JSON object, got a string."],
    [utf8('{"job_id": "x", "token": "t", "zone": 1}'), 'BigQueryMetadata: unknown field(s) "token", "zone".'],
    [utf8('{"output_path": "p"}'), 'BigQueryMetadata: missing required field(s) "job_id".'],
    [utf8('{"job_id": 3}'), 'BigQueryMetadata: field "job_id" must be a string, got an integer.'],
    [utf8('{"job_id": null}'), 'BigQueryMetadata: field "job_id" must be a string, got null.'],
    [utf8('{"job_id": "j", "task_name": ["t"]}'), 'BigQueryMetadata: field "task_name" must be a string, got a list.'],
  ])("rejects %s", (bytes, message) => {
    const decoding = () => BigQueryMetadata.decode(bytes);
    expect(decoding).toThrow(ResourceMetaError);
    expect(decoding).toThrow(message);
  });

  test.each([
    ['"count": 2.0, "ratio": 1.5, "done": true', 'field "count" must be an integer, got a float'],
    ['"count": 2.5, "ratio": 1.5, "done": true', 'field "count" must be an integer, got a float'],
    ['"count": true, "ratio": 1.5, "done": true', 'field "count" must be an integer, got a boolean'],
    ['"count": 1, "ratio": "1.0", "done": true', 'field "ratio" must be a float, got a string'],
    ['"count": 1, "ratio": 1.5, "done": "true"', 'field "done" must be a boolean, got a string'],
    ['"count": 1, "ratio": 1.5, "done": 1', 'field "done" must be a boolean, got an integer'],
  ])("rejects a value of the wrong kind: %s", (members, problem) => {
    const bytes = utf8(`{"name": "n", ${members}, "extra": null}`);
    expect(() => Everything.decode(bytes)).toThrow(`Everything: ${problem}.`);
  });

  test("names every field of the wrong kind at once", () => {
    expect(() => BigQueryMetadata.decode(utf8('{"job_id": 1, "output_path": false}'))).toThrow(
      'BigQueryMetadata: field "job_id" must be a string, got an integer; field "output_path" must be a string, got a boolean.',
    );
  });
});

describe("construct", () => {
  test("leaves optional fields null and rejects what decode rejects", () => {
    expect(new BigQueryMetadata({ job_id: "j" }).output_path).toBeNull();
    const loose = BigQueryMetadata as unknown as new (init: unknown) => unknown;
    expect(() => new loose({ job_id: "j", jobId: "k" })).toThrow('BigQueryMetadata: unknown field(s) "jobId".');
    expect(() => new loose({})).toThrow('BigQueryMetadata: missing required field(s) "job_id".');
    expect(() => new loose({ job_id: 1 })).toThrow('BigQueryMetadata: field "job_id" must be a string, got an integer.');
  });

  test("rejects ints a number cannot hold exactly, non-integers and non-JSON json values", () => {
    const base = { name: "n", ratio: 1, done: true, extra: null };
    expect(() => new Everything({ ...base, count: 2 ** 60 })).toThrow(
      'field "count" must be an integer, got a number beyond ±(2^53 - 1): pass a bigint',
    );
    expect(() => new Everything({ ...base, count: 1.5 })).toThrow('field "count" must be an integer (number or bigint), got a float');
    const loose = Everything as unknown as new (init: unknown) => unknown;
    const withExtra = (extra: unknown) => () => new loose({ ...base, count: 1, extra });
    expect(withExtra({ a: [1, undefined] })).toThrow('field "extra" must be a JSON value: value at a[1] is undefined');
    expect(withExtra({ when: new Date(0) })).toThrow("value at when is a Date, not a plain object");
    expect(withExtra(() => 1)).toThrow("value is function");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(withExtra(cycle)).toThrow("value at self is a circular reference");
  });

  test("a json field's problem ends its message with one period, as every other does", () => {
    const loose = Everything as unknown as new (init: unknown) => unknown;
    expect(() => new loose({ name: "n", count: 1, ratio: 1, done: true, extra: { x: undefined } })).toThrow(
      new ResourceMetaError('Everything: field "extra" must be a JSON value: value at x is undefined, which is not JSON.'),
    );
    expect(() => new loose({ name: 1, count: 1, ratio: 1, done: true, extra: [undefined] })).toThrow(
      new ResourceMetaError(
        'Everything: field "name" must be a string, got an integer; field "extra" must be a JSON value: value at [0] is undefined, which is not JSON.',
      ),
    );
    expect(() => field.json().default({ x: undefined } as never)).toThrow(
      new ResourceMetaError("Default value must be a JSON value: value at x is undefined, which is not JSON."),
    );
  });

  test("makes fields read-only", () => {
    const meta = new BigQueryMetadata({ job_id: "j" });
    expect(() => {
      (meta as { job_id: string }).job_id = "other";
    }).toThrow(TypeError);
    expect(meta.job_id).toBe("j");
  });

  test("uses defaults when a field is left out, and never shares a json default between instances", () => {
    const WithDefaults = defineResourceMeta("WithDefaults", {
      region: field.string().default("us-east-1"),
      retries: field.integer().default(3),
      tags: field.json().default({ team: "data" }),
      owner: field.string().optional().default("nobody"),
    });
    const first = new WithDefaults();
    expect(text(first.encode())).toBe('{"region": "us-east-1", "retries": 3, "tags": {"team": "data"}, "owner": "nobody"}');
    expect(first.tags).not.toBe(new WithDefaults().tags);
    expect(text(WithDefaults.decode(utf8('{"owner": null}')).encode())).toBe(
      '{"region": "us-east-1", "retries": 3, "tags": {"team": "data"}, "owner": null}',
    );
    expect(() => field.string().default(1 as unknown as string)).toThrow("Default value must be a string, got an integer.");
  });

  test("reads a field named like an Object.prototype member from the given object only", () => {
    const Odd = defineResourceMeta("Odd", { hasOwnProperty: field.string().optional(), isPrototypeOf: field.boolean() });
    expect(() => new Odd({} as never)).toThrow('Odd: missing required field(s) "isPrototypeOf".');
    expect(text(Odd.decode(utf8('{"isPrototypeOf": true}')).encode())).toBe('{"hasOwnProperty": null, "isPrototypeOf": true}');
  });

  test("rejects field names that are not Python identifiers or that the instance uses", () => {
    expect(() => defineResourceMeta("Bad", { "job-id": field.string() })).toThrow('Bad: "job-id" cannot be a field name.');
    expect(() => defineResourceMeta("Bad", { encode: field.string() })).toThrow('Bad: "encode" cannot be a field name.');
    expect(() => defineResourceMeta("Bad", { constructor: field.string() })).toThrow(
      'Bad: "constructor" cannot be a field name.',
    );
  });
});

describe("classes", () => {
  class SleepMetadata extends defineResourceMeta("SleepMetadataBase", {
    started_at: field.float(),
    seconds: field.float(),
  }) {
    endsAt(): number {
      return this.started_at + this.seconds;
    }
  }

  test("can be extended: decode builds the subclass and errors name it", () => {
    const meta = SleepMetadata.decode(utf8('{"started_at": 10.5, "seconds": 2}'));
    expect(meta).toBeInstanceOf(SleepMetadata);
    expect(meta.endsAt()).toBe(12.5);
    expect(() => SleepMetadata.decode(utf8("{}"))).toThrow('SleepMetadata: missing required field(s) "started_at", "seconds".');
  });

  test("take their declared name and expose their fields", () => {
    expect(BigQueryMetadata.name).toBe("BigQueryMetadata");
    expect(Object.keys(BigQueryMetadata.fields)).toEqual(["job_id", "output_path", "task_name"]);
  });

  test("satisfy ResourceMetaClass and serve as an async connector's metadataType", () => {
    const asClass: ResourceMetaClass<BigQueryMetadata> = BigQueryMetadata;
    const asSubclass: ResourceMetaClass<SleepMetadata> = SleepMetadata;
    const instance: ResourceMetaInstance = new BigQueryMetadata({ job_id: "j" });
    class BigQueryConnector extends AsyncConnectorBase<BigQueryMetadata> {
      constructor() {
        super({ taskTypeName: "bigquery_query_job_task", metadataType: BigQueryMetadata });
      }
      create() {
        return new BigQueryMetadata({ job_id: "j" });
      }
      get(): never {
        throw new Error("not called");
      }
      delete() {}
    }
    const connector = new BigQueryConnector();
    expect(connector.metadataType.decode(instance.encode()).job_id).toBe("j");
    expect(asClass.decode(utf8('{"job_id": "k"}')).job_id).toBe("k");
    expect(asSubclass.decode(utf8('{"started_at": 1, "seconds": 1}')).endsAt()).toBe(2);
  });

  test("type the constructor: required fields, value kinds, no unknown fields (checked by tsc)", () => {
    // @ts-expect-error job_id is required
    expect(() => new BigQueryMetadata({})).toThrow(ResourceMetaError);
    // @ts-expect-error job_id is a string
    expect(() => new BigQueryMetadata({ job_id: 1 })).toThrow(ResourceMetaError);
    // @ts-expect-error there is no such field
    expect(() => new BigQueryMetadata({ job_id: "j", jobId: "j" })).toThrow(ResourceMetaError);
    const optional: string | null = new BigQueryMetadata({ job_id: "j", task_name: null }).task_name;
    expect(optional).toBeNull();
  });
});
