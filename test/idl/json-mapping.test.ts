import Long from "long";
import { describe, expect, test } from "vitest";
import { InvalidArgumentError, Status } from "../../lib/connector/errors.js";
import { flyteidl, google } from "../../lib/idl/index.js";
import { findField, fromJson, hasScalarJson, toJson } from "../../lib/idl/json-mapping.js";
import { MAX_MESSAGE_DEPTH, MAX_REQUEST_DEPTH } from "../../lib/limits.js";

const { admin, core } = flyteidl;

function invalid(typeName: string, json: unknown): InvalidArgumentError {
  try {
    fromJson(typeName, json);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe(Status.INVALID_ARGUMENT);
    return error as InvalidArgumentError;
  }
  throw new Error(`fromJson accepted ${JSON.stringify(json)}`);
}

const primitive = (json: unknown) =>
  fromJson<flyteidl.core.Primitive>("flyteidl.core.Primitive", json);

describe("findField", () => {
  test("finds a field by its proto name and by its JSON name", () => {
    const field = findField("flyteidl.admin.GetTaskLogsRequest", "resource_meta");
    expect(field).toEqual({
      name: "resource_meta",
      jsonName: "resourceMeta",
      messageType: null,
      scalarType: "bytes",
      isMap: false,
      isRepeated: false,
    });
    expect(findField("flyteidl.admin.GetTaskLogsRequest", "resourceMeta")).toBe(field);
  });

  test("knows repeated, map and message fields", () => {
    expect(findField("flyteidl.admin.GetTaskMetricsRequest", "queries")).toMatchObject({ isRepeated: true, scalarType: "string" });
    expect(findField("flyteidl.core.LiteralMap", "literals")).toMatchObject({ isMap: true, messageType: "flyteidl.core.Literal" });
    expect(findField("flyteidl.admin.GetTaskMetricsRequest", "step")).toMatchObject({ messageType: "google.protobuf.Duration" });
  });

  test("hasScalarJson is true for the message types whose JSON is one string, number or boolean", () => {
    expect(["google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.BoolValue"].map(hasScalarJson)).toEqual([true, true, true]);
    expect(["google.protobuf.Struct", "google.protobuf.Value", "flyteidl.admin.TaskCategory"].map(hasScalarJson)).toEqual([false, false, false]);
  });

  test("names inherited from Object.prototype are not fields", () => {
    expect(findField("flyteidl.admin.GetTaskRequest", "constructor")).toBeUndefined();
    expect(findField("flyteidl.admin.GetTaskRequest", "__proto__")).toBeUndefined();
  });

  test("an unknown message type is a programming error", () => {
    expect(() => findField("flyteidl.admin.Nope", "x")).toThrow("Unknown message type flyteidl.admin.Nope");
    expect(() => toJson("flyteidl.admin.Nope", {})).toThrow("Unknown message type flyteidl.admin.Nope");
  });
});

describe("names", () => {
  test("output uses lowerCamelCase", () => {
    const json = toJson("flyteidl.admin.GetTaskRequest", new admin.GetTaskRequest({ taskType: "t", outputPrefix: "s3://x" }));
    expect(json).toEqual({ taskType: "t", outputPrefix: "s3://x" });
  });

  test("input accepts lowerCamelCase and the original snake_case names", () => {
    const camel = fromJson<flyteidl.admin.GetTaskRequest>("flyteidl.admin.GetTaskRequest", { taskType: "a", outputPrefix: "b" });
    const snake = fromJson<flyteidl.admin.GetTaskRequest>("flyteidl.admin.GetTaskRequest", { task_type: "a", output_prefix: "b" });
    expect(camel).toBeInstanceOf(admin.GetTaskRequest);
    expect(camel.toJSON()).toEqual(snake.toJSON());
    expect(snake.taskType).toBe("a");
    expect(snake.outputPrefix).toBe("b");
  });

  test("snake_case names are accepted in nested messages, repeated messages and map values", () => {
    const request = fromJson<flyteidl.admin.CreateTaskRequest>("flyteidl.admin.CreateTaskRequest", {
      template: { task_type_version: 2, metadata: { cache_ignore_input_vars: ["a"] } },
      task_execution_metadata: { environment_variables: { MY_VAR: "1" } },
      inputs: { literals: { my_input: { scalar: { primitive: { string_value: "x" } } } } },
    });
    expect(request.template?.taskTypeVersion).toBe(2);
    expect(request.template?.metadata?.cacheIgnoreInputVars).toEqual(["a"]);
    expect(request.taskExecutionMetadata?.environmentVariables).toEqual({ MY_VAR: "1" });
    expect(request.inputs?.literals?.my_input?.scalar?.primitive?.stringValue).toBe("x");
    const resource = fromJson<flyteidl.admin.Resource>("flyteidl.admin.Resource", { log_links: [{ message_format: "JSON" }] });
    expect(resource.logLinks[0]?.messageFormat).toBe(core.TaskLog.MessageFormat.JSON);
  });

  test("map keys are never renamed, either way", () => {
    const json = {
      labels: { my_label: "a", otherLabel: "b" },
      annotations: { "x.y/z_w": "c" },
    };
    const message = fromJson<flyteidl.admin.TaskExecutionMetadata>("flyteidl.admin.TaskExecutionMetadata", json);
    expect(message.labels).toEqual({ my_label: "a", otherLabel: "b" });
    expect(toJson("flyteidl.admin.TaskExecutionMetadata", message)).toEqual(json);
  });

  test("the same field given under both names is refused", () => {
    const error = invalid("flyteidl.admin.GetTaskRequest", { task_type: "a", taskType: "b" });
    expect(error.message).toBe('Invalid flyteidl.admin.GetTaskRequest field taskType: given twice, also as "task_type".');
  });

  test("a oneof set twice is refused; a member given as null leaves it unset", () => {
    const error = invalid("flyteidl.core.Literal", { scalar: { primitive: { integer: "1" } }, collection: { literals: [] } });
    expect(error.message).toBe('Invalid flyteidl.core.Literal field collection: oneof value is already set by "scalar".');
    expect(() => fromJson("flyteidl.core.Literal", { scalar: { primitive: { integer: "1" } }, collection: null })).not.toThrow();
  });
});

describe("scalars", () => {
  test("int64 is written as a string and read from a string or a number", () => {
    const big = "9007199254740993"; // beyond 2^53: only a string carries it exactly
    const message = primitive({ integer: big });
    expect(Long.fromValue(message.integer!).toString()).toBe(big);
    expect(toJson("flyteidl.core.Primitive", message)).toEqual({ integer: big });
    expect(Long.fromValue(primitive({ integer: -42 }).integer!).toNumber()).toBe(-42);
    expect(toJson("flyteidl.core.Primitive", { integer: Long.fromNumber(5) })).toEqual({ integer: "5" });
  });

  test("int64 and uint64 ranges are enforced", () => {
    expect(invalid("flyteidl.core.Primitive", { integer: "9223372036854775808" }).message).toBe(
      "Invalid flyteidl.core.Primitive field integer: 9223372036854775808 is out of range for int64.",
    );
    const logs = fromJson<flyteidl.admin.GetTaskLogsRequest>("flyteidl.admin.GetTaskLogsRequest", { lines: "18446744073709551615" });
    expect(toJson("flyteidl.admin.GetTaskLogsRequest", logs)).toEqual({ lines: "18446744073709551615" });
    expect(invalid("flyteidl.admin.GetTaskLogsRequest", { lines: "-1" }).message).toContain("-1 is out of range for uint64");
  });

  test.each([
    ["1e3", "1000"],
    ["1.50e1", "15"],
    ["150e-1", "15"],
    ["-2.0", "-2"],
    ["0e999999999", "0"],
    ["1.8446744073709551615e19", "18446744073709551615"],
  ])("an integer field reads %s as Go's protojson does (decode_number.go, normalizeToIntString)", (text, value) => {
    const read = (integer: string) => fromJson<flyteidl.core.Primitive>("flyteidl.core.Primitive", { integer }).integer;
    const logs = fromJson<flyteidl.admin.GetTaskLogsRequest>("flyteidl.admin.GetTaskLogsRequest", { lines: text.replace(/^-/, "") });
    expect(Long.fromValue(logs.lines!, true).toString()).toBe(value.replace(/^-/, ""));
    if (BigInt(value) < 2n ** 63n) expect(Long.fromValue(read(text)!).toString()).toBe(value);
  });

  test.each([
    ["a fraction in exponent form", "1.5e0"],
    ["a fraction cut by a negative exponent", "15e-1"],
    ["more digits than a uint64 has", "1e20"],
    // Go counts no integer digits for a lone 0, so 0.01e21 is 21 digits to it, though its value has 20.
    ["what Go counts as 21 digits", "0.01e21"],
    ["an exponent beyond any integer", "1e-999999999999"],
  ])("an integer field refuses %s", (_, text) => {
    expect(invalid("flyteidl.admin.GetTaskLogsRequest", { lines: text }).message).toBe(
      `Invalid flyteidl.admin.GetTaskLogsRequest field lines: expected an integer (uint64), got ${JSON.stringify(text)}.`,
    );
  });

  test("a 32-bit field given a JSON number beyond 2^53 is out of its range, not told to use a string", () => {
    expect(invalid("flyteidl.admin.TaskCategory", { version: 2 ** 60 }).message).toBe(
      `Invalid flyteidl.admin.TaskCategory field version: ${2n ** 60n} is out of range for int32.`,
    );
  });

  test("an integer JSON number beyond 2^53 is refused, not rounded: the string form carries it", () => {
    expect(invalid("flyteidl.core.Primitive", { integer: JSON.parse("9007199254740993") }).message).toBe(
      "Invalid flyteidl.core.Primitive field integer: 9007199254740992 is beyond 2^53, where a JSON number is not exact: send the int64 as a string.",
    );
    expect(Long.fromValue(primitive({ integer: 9007199254740991 }).integer!).toString()).toBe("9007199254740991");
  });

  test.each([
    ["a word", "abc", 'expected an integer (uint64), got "abc"'],
    ["a fraction", 1.5, "expected an integer (uint64), got 1.5"],
    ["a boolean", true, "expected an integer (uint64), got true"],
    ["an object", { low: 1 }, "expected an integer (uint64), got an object"],
    ["an empty string", "", 'expected an integer (uint64), got ""'],
  ])("an integer field refuses %s", (_, value, problem) => {
    expect(invalid("flyteidl.admin.GetTaskLogsRequest", { lines: value }).message).toBe(
      `Invalid flyteidl.admin.GetTaskLogsRequest field lines: ${problem}.`,
    );
  });

  test("int32 reads numbers and numeric strings within range", () => {
    const read = (version: unknown) => fromJson<flyteidl.admin.TaskCategory>("flyteidl.admin.TaskCategory", { version }).version;
    expect(read(3)).toBe(3);
    expect(read("-7")).toBe(-7);
    expect(invalid("flyteidl.admin.TaskCategory", { version: 2 ** 31 }).message).toContain("2147483648 is out of range for int32");
  });

  test("doubles read numbers, numeric strings and the special values", () => {
    expect(primitive({ float_value: 1.5 }).floatValue).toBe(1.5);
    expect(primitive({ float_value: "2.5e3" }).floatValue).toBe(2500);
    expect(primitive({ float_value: "NaN" }).floatValue).toBeNaN();
    expect(primitive({ float_value: "-Infinity" }).floatValue).toBe(-Infinity);
    expect(toJson("flyteidl.core.Primitive", { floatValue: Infinity })).toEqual({ floatValue: "Infinity" });
    expect(invalid("flyteidl.core.Primitive", { float_value: "1.5x" }).message).toContain('expected a number, got "1.5x"');
    expect(invalid("flyteidl.core.Primitive", { float_value: "1e999" }).message).toContain('"1e999" is out of range for double');
  });

  test("strings and booleans take only their own JSON type", () => {
    expect(invalid("flyteidl.core.Primitive", { string_value: 5 }).message).toBe(
      "Invalid flyteidl.core.Primitive field string_value: expected a string, got 5.",
    );
    expect(invalid("flyteidl.core.Primitive", { boolean: "true" }).message).toBe(
      'Invalid flyteidl.core.Primitive field boolean: expected true or false, got "true".',
    );
    expect(primitive({ boolean: false }).boolean).toBe(false);
  });

  test("bytes are written as standard padded base64", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x00]);
    const json = toJson("flyteidl.admin.CreateTaskResponse", new admin.CreateTaskResponse({ resourceMeta: bytes }));
    expect(json).toEqual({ resourceMeta: "+//+AA==" });
  });

  test.each([
    ["standard, padded", "+//+AA=="],
    ["standard, unpadded", "+//+AA"],
    ["URL-safe, padded", "-__-AA=="],
    ["URL-safe, unpadded", "-__-AA"],
  ])("bytes are read from %s base64", (_, text) => {
    const message = fromJson<flyteidl.admin.CreateTaskResponse>("flyteidl.admin.CreateTaskResponse", { resource_meta: text });
    expect([...message.resourceMeta]).toEqual([0xfb, 0xff, 0xfe, 0x00]);
  });

  test.each([["!!!!"], ["abcde"], ["ab=c"], ["abc=="], [42]])("bytes refuse %j", (text) => {
    expect(invalid("flyteidl.admin.CreateTaskResponse", { resourceMeta: text }).message).toMatch(
      /^Invalid flyteidl\.admin\.CreateTaskResponse field resourceMeta: expected base64 bytes, got /,
    );
  });

  test("enums are written by name and read by name or number", () => {
    const resource = fromJson<flyteidl.admin.Resource>("flyteidl.admin.Resource", { phase: "SUCCEEDED", state: 3 });
    expect(resource.phase).toBe(core.TaskExecution.Phase.SUCCEEDED);
    expect(resource.state).toBe(admin.State.RUNNING);
    expect(toJson("flyteidl.admin.Resource", resource)).toEqual({ phase: "SUCCEEDED", state: "RUNNING" });
  });

  test("an enum number without a name is kept (proto3 enums are open)", () => {
    const resource = fromJson<flyteidl.admin.Resource>("flyteidl.admin.Resource", { phase: 99 });
    expect(toJson("flyteidl.admin.Resource", resource)).toEqual({ phase: 99 });
  });

  test("an unknown enum name is refused rather than dropped", () => {
    expect(invalid("flyteidl.admin.Resource", { phase: "SUCEEDED" }).message).toBe(
      'Invalid flyteidl.admin.Resource field phase: expected a flyteidl.core.TaskExecution.Phase name or number, got unknown name "SUCEEDED".',
    );
  });

  test("null leaves a field unset", () => {
    const request = fromJson<flyteidl.admin.GetTaskRequest>("flyteidl.admin.GetTaskRequest", { task_type: null, task_category: null });
    expect(toJson("flyteidl.admin.GetTaskRequest", request)).toEqual({});
  });
});

describe("well-known types", () => {
  const timestampOf = (datetime: unknown) => primitive({ datetime }).datetime!;

  test.each([
    ["2024-05-01T12:00:00Z", 1714564800, 0, "2024-05-01T12:00:00Z"],
    ["2024-05-01T12:00:00.5Z", 1714564800, 500_000_000, "2024-05-01T12:00:00.500Z"],
    ["2024-05-01T12:00:00.000001Z", 1714564800, 1000, "2024-05-01T12:00:00.000001Z"],
    ["2024-05-01T12:00:00.123456789Z", 1714564800, 123_456_789, "2024-05-01T12:00:00.123456789Z"],
    ["2024-05-01T14:30:00+02:30", 1714564800, 0, "2024-05-01T12:00:00Z"],
    ["2024-05-01t11:00:00-01:00", 1714564800, 0, "2024-05-01T12:00:00Z"],
    ["0001-01-01T00:00:00Z", -62135596800, 0, "0001-01-01T00:00:00Z"],
    ["9999-12-31T23:59:59.999999999Z", 253402300799, 999_999_999, "9999-12-31T23:59:59.999999999Z"],
    ["1969-12-31T23:59:59.5Z", -1, 500_000_000, "1969-12-31T23:59:59.500Z"],
  ])("Timestamp %s", (text, seconds, nanos, written) => {
    const timestamp = timestampOf(text);
    expect(Long.fromValue(timestamp.seconds!).toNumber()).toBe(seconds);
    expect(timestamp.nanos ?? 0).toBe(nanos);
    expect(toJson("flyteidl.core.Primitive", { datetime: timestamp })).toEqual({ datetime: written });
  });

  test.each([
    ["no zone", "2024-05-01T12:00:00"],
    ["a date only", "2024-05-01"],
    ["February 30th", "2024-02-30T00:00:00Z"],
    ["hour 24", "2024-05-01T24:00:00Z"],
    ["a leap second", "2024-05-01T23:59:60Z"],
    ["ten fraction digits", "2024-05-01T12:00:00.1234567890Z"],
    ["year 0", "0000-12-31T23:59:59Z"],
    ["a number", 1714564800],
    ["an object", { seconds: 1 }],
  ])("Timestamp refuses %s", (_, text) => {
    expect(invalid("flyteidl.core.Primitive", { datetime: text }).message).toMatch(
      /^Invalid flyteidl\.core\.Primitive field datetime: expected an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got /,
    );
  });

  test("a Timestamp JSON cannot carry is OUT_OF_RANGE on output", () => {
    let error: unknown;
    try {
      toJson("flyteidl.core.Primitive", { datetime: { seconds: 253402300800 } });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ code: Status.OUT_OF_RANGE });
    expect((error as Error).message).toContain("datetime: Timestamp 253402300800s 0ns is outside what JSON can carry");
  });

  test.each([
    ["1.5s", 1, 500_000_000, "1.5s"],
    ["30s", 30, 0, "30s"],
    ["0s", 0, 0, "0s"],
    ["-0.25s", 0, -250_000_000, "-0.25s"],
    ["-3.000000001s", -3, -1, "-3.000000001s"],
    ["315576000000s", 315576000000, 0, "315576000000s"],
  ])("Duration %s", (text, seconds, nanos, written) => {
    const duration = primitive({ duration: text }).duration!;
    expect(Long.fromValue(duration.seconds!).toNumber()).toBe(seconds);
    expect(duration.nanos ?? 0).toBe(nanos);
    expect(toJson("flyteidl.core.Primitive", { duration })).toEqual({ duration: written });
  });

  test.each([["30"], ["1m"], ["1.5 s"], ["1.1234567891s"], ["315576000001s"], ["+1s"], [30]])("Duration refuses %j", (text) => {
    expect(invalid("flyteidl.core.Primitive", { duration: text }).message).toMatch(
      /^Invalid flyteidl\.core\.Primitive field duration: expected a duration within ±315576000000s such as "1\.5s", got /,
    );
  });

  const struct = { name: "x", count: 3, ratio: 0.5, ok: true, none: null, list: [1, "two", [3], { four: 4 }], nested: { deeper: { a: [] } }, empty: {} };

  test("Struct is plain JSON both ways, keys untouched", () => {
    const template = fromJson<flyteidl.core.TaskTemplate>("flyteidl.core.TaskTemplate", { custom: { ...struct, snake_key: 1 } });
    expect(template.custom).toBeInstanceOf(google.protobuf.Struct);
    expect(template.custom?.fields?.snake_key?.numberValue).toBe(1);
    expect(template.custom?.fields?.none?.nullValue).toBe(google.protobuf.NullValue.NULL_VALUE);
    expect(toJson("flyteidl.core.TaskTemplate", template)).toEqual({ custom: { ...struct, snake_key: 1 } });
  });

  test("an empty Struct is an empty object, not a missing field", () => {
    const template = fromJson<flyteidl.core.TaskTemplate>("flyteidl.core.TaskTemplate", { custom: {} });
    expect(toJson("flyteidl.core.TaskTemplate", template)).toEqual({ custom: {} });
  });

  test("Struct refuses what is not an object", () => {
    expect(invalid("flyteidl.core.TaskTemplate", { custom: [1] }).message).toBe(
      "Invalid flyteidl.core.TaskTemplate field custom: expected an object, got an array.",
    );
  });

  test("Value and ListValue are any JSON value and an array", () => {
    expect(toJson("google.protobuf.Value", fromJson("google.protobuf.Value", [1, { a: null }]))).toEqual([1, { a: null }]);
    expect(toJson("google.protobuf.Value", fromJson("google.protobuf.Value", null))).toBeNull();
    expect(toJson("google.protobuf.ListValue", fromJson("google.protobuf.ListValue", ["a", false]))).toEqual(["a", false]);
  });

  test("wrappers are their bare value; an unset wrapper value is its zero", () => {
    const metadata = fromJson<flyteidl.core.TaskMetadata>("flyteidl.core.TaskMetadata", { generates_deck: true, timeout: "90s" });
    expect(metadata.generatesDeck?.value).toBe(true);
    expect(toJson("flyteidl.core.TaskMetadata", metadata)).toEqual({ generatesDeck: true, timeout: "90s" });
    expect(toJson("flyteidl.core.TaskMetadata", { generatesDeck: {} })).toEqual({ generatesDeck: false });
    expect(invalid("flyteidl.core.TaskMetadata", { generatesDeck: "yes" }).message).toBe(
      'Invalid flyteidl.core.TaskMetadata field generatesDeck: expected true or false, got "yes".',
    );
  });
});

describe("discardUnknown: what the descriptor does not know is skipped, as protojson's DiscardUnknown skips it", () => {
  const newer = {
    template: {
      type: "job",
      reusePolicy: { replicas: 2 },
      metadata: { runtime: { type: "RUST", version: "1.0" }, retries: { retries: 3, backoff: "1s" } },
      container: { image: "x", architecture: 4 },
    },
    outputPrefix: "s3://x",
    __proto__field: 1,
  };

  test("unknown fields, at any depth, and unknown enum names leave nothing behind", () => {
    const request = fromJson("flyteidl.admin.CreateTaskRequest", newer, { discardUnknown: true });
    expect(toJson("flyteidl.admin.CreateTaskRequest", request)).toEqual({
      template: { type: "job", metadata: { runtime: { version: "1.0" }, retries: { retries: 3 } }, container: { image: "x", architecture: "ARM_V7" } },
      outputPrefix: "s3://x",
    });
  });

  test("what is known is still checked", () => {
    expect(() => fromJson("flyteidl.admin.CreateTaskRequest", { outputPrefix: 1, later: true }, { discardUnknown: true })).toThrow(
      "Invalid flyteidl.admin.CreateTaskRequest field outputPrefix: expected a string, got 1.",
    );
  });

  test("by default each is refused, and the next read is strict again", () => {
    expect(invalid("flyteidl.admin.CreateTaskRequest", newer).message).toBe('Invalid flyteidl.admin.CreateTaskRequest: unknown field "template.reusePolicy".');
    fromJson("flyteidl.admin.CreateTaskRequest", newer, { discardUnknown: true });
    expect(invalid("flyteidl.core.RuntimeMetadata", { type: "RUST" }).message).toBe(
      'Invalid flyteidl.core.RuntimeMetadata field type: expected a flyteidl.core.RuntimeMetadata.RuntimeType name or number, got unknown name "RUST".',
    );
  });
});

describe("refusals", () => {
  test("an unknown field names its full path", () => {
    expect(invalid("flyteidl.admin.CreateTaskRequest", { template: { typo: 1 } }).message).toBe(
      'Invalid flyteidl.admin.CreateTaskRequest: unknown field "template.typo".',
    );
  });

  test.each([
    ["a string for a message", { template: "x" }, "field template: expected an object, got \"x\""],
    ["an array for a single message", { template: [{}] }, "field template: expected an object, got an array"],
    ["an object for a repeated field", { template: { metadata: { tags: [] } } }, "field template.metadata.tags: expected an object (a map), got an array"],
    ["a scalar for a map", { inputs: { literals: 5 } }, "field inputs.literals: expected an object (a map), got 5"],
    ["a scalar for a map value", { inputs: { literals: { x: 5 } } }, 'field inputs.literals["x"]: expected an object, got 5'],
    ["null inside a map", { task_execution_metadata: { labels: { a: null } } }, 'field task_execution_metadata.labels["a"]: expected a string, got null'],
  ])("%s", (_, json, problem) => {
    expect(invalid("flyteidl.admin.CreateTaskRequest", json).message).toBe(`Invalid flyteidl.admin.CreateTaskRequest ${problem}.`);
  });

  test("a message that is not an object", () => {
    for (const json of [null, "x", 1, [], undefined]) {
      expect(invalid("flyteidl.admin.GetTaskRequest", json).message).toMatch(/^Invalid flyteidl\.admin\.GetTaskRequest: expected an object, got /);
    }
  });

  test("a repeated field refuses a single value and nulls inside", () => {
    expect(invalid("flyteidl.admin.GetTaskMetricsRequest", { queries: "cpu" }).message).toBe(
      'Invalid flyteidl.admin.GetTaskMetricsRequest field queries: expected an array, got "cpu".',
    );
    expect(invalid("flyteidl.admin.GetTaskMetricsRequest", { queries: ["cpu", null] }).message).toBe(
      "Invalid flyteidl.admin.GetTaskMetricsRequest field queries[1]: expected a string, got null.",
    );
  });

  test("__proto__ is refused as a field name, a map key and a Struct key, and pollutes nothing", () => {
    const asField = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    expect(invalid("flyteidl.admin.GetTaskRequest", asField).message).toBe(
      'Invalid flyteidl.admin.GetTaskRequest: unknown field "__proto__".',
    );
    const asMapKey = JSON.parse('{"labels": {"__proto__": "x"}}') as unknown;
    expect(invalid("flyteidl.admin.TaskExecutionMetadata", asMapKey).message).toBe(
      'Invalid flyteidl.admin.TaskExecutionMetadata field labels: "__proto__" is not allowed as a key.',
    );
    const inStruct = JSON.parse('{"custom": {"a": {"__proto__": {"polluted": true}}}}') as unknown;
    expect(invalid("flyteidl.core.TaskTemplate", inStruct).message).toBe(
      'Invalid flyteidl.core.TaskTemplate field custom.a: "__proto__" is not allowed as a key.',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("keys that merely look like prototype members are ordinary map keys", () => {
    const metadata = fromJson<flyteidl.admin.TaskExecutionMetadata>("flyteidl.admin.TaskExecutionMetadata", {
      labels: { constructor: "a", toString: "b" },
    });
    expect(Object.keys(metadata.labels)).toEqual(["constructor", "toString"]);
    expect(metadata.labels.constructor).toBe("a");
  });

  test(`nesting up to ${MAX_MESSAGE_DEPTH} messages is read, deeper is refused`, () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });
    // The Struct is 1 level, and each object inside it a Value and a Struct: 2 levels.
    const within = { custom: nest((MAX_MESSAGE_DEPTH - 2) / 2) };
    expect(() => fromJson("flyteidl.core.TaskTemplate", within)).not.toThrow();
    const error = invalid("flyteidl.core.TaskTemplate", { custom: nest(MAX_MESSAGE_DEPTH) });
    expect(error.message).toMatch(/^Invalid flyteidl\.core\.TaskTemplate field custom(\.a)+: messages nest deeper than 100 levels\.$/);
  });

  test("a request is held to the depth it is given", () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });
    // The Struct is level 1, each object inside it 2 more (a Value and a Struct), the leaf Value 1 more.
    const exactly = { custom: nest(MAX_REQUEST_DEPTH / 2) };
    expect(() => fromJson("flyteidl.core.TaskTemplate", exactly, { maxDepth: MAX_REQUEST_DEPTH })).not.toThrow();
    const deeper = { custom: { b: exactly.custom } };
    expect(() => fromJson("flyteidl.core.TaskTemplate", deeper)).not.toThrow();
    expect(() => fromJson("flyteidl.core.TaskTemplate", deeper, { maxDepth: MAX_REQUEST_DEPTH })).toThrow(
      /^Invalid flyteidl\.core\.TaskTemplate field custom\.b(\.a)+: messages nest deeper than 98 levels\.$/,
    );
  });

  test("absurd depth is refused without exhausting the stack", () => {
    const deep = JSON.parse(`${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`) as unknown;
    expect(invalid("flyteidl.core.TaskTemplate", { custom: deep }).message).toContain("messages nest deeper than 100 levels");
    const deepList = JSON.parse(`${"[".repeat(200_000)}${"]".repeat(200_000)}`) as unknown;
    expect(invalid("flyteidl.core.TaskTemplate", { custom: { a: deepList } }).message).toContain("messages nest deeper than 100 levels");
  });
});

describe("round trip", () => {
  const createTaskJson = {
    inputs: {
      literals: {
        my_input: { scalar: { primitive: { integer: "42" } } },
        when: { scalar: { primitive: { datetime: "2024-05-01T12:00:00.250Z" } } },
        wait: { scalar: { primitive: { duration: "1.5s" } } },
        blob: { scalar: { binary: { value: "AAECAw==", tag: "raw" } } },
        items: { collection: { literals: [{ scalar: { primitive: { stringValue: "a" } } }] } },
        config: { scalar: { generic: { key: "v", n: [1, 2] } } },
      },
    },
    template: {
      id: { resourceType: "TASK", project: "p", domain: "d", name: "my_task", version: "v1" },
      type: "job",
      metadata: { timeout: "3600s", retries: { retries: 3 }, generatesDeck: false },
      interface: {
        inputs: { variables: { my_input: { type: { simple: "INTEGER" }, description: "x" } } },
      },
      custom: { query: "SELECT 1", nested: { list: [true, null] } },
      taskTypeVersion: 1,
    },
    outputPrefix: "s3://bucket/prefix",
    taskExecutionMetadata: {
      taskExecutionId: { taskId: { name: "t" }, retryAttempt: 1 },
      namespace: "flytesnacks-development",
      labels: { my_label: "x" },
      environmentVariables: { MY_VAR: "1" },
      maxAttempts: 2,
      interruptible: true,
    },
  };

  test("a CreateTaskRequest goes JSON -> message -> binary -> message -> JSON unchanged", () => {
    const message = fromJson<flyteidl.admin.CreateTaskRequest>("flyteidl.admin.CreateTaskRequest", createTaskJson);
    const decoded = admin.CreateTaskRequest.decode(admin.CreateTaskRequest.encode(message).finish());
    expect(toJson("flyteidl.admin.CreateTaskRequest", decoded)).toEqual(createTaskJson);
  });

  test("the same request written in snake_case reads to the same message", () => {
    const snake = {
      output_prefix: "s3://bucket/prefix",
      template: { type: "job", task_type_version: 1, id: { resource_type: "TASK", name: "my_task" } },
      task_execution_metadata: { max_attempts: 2, environment_variables: { MY_VAR: "1" } },
    };
    const message = fromJson<flyteidl.admin.CreateTaskRequest>("flyteidl.admin.CreateTaskRequest", snake);
    expect(toJson("flyteidl.admin.CreateTaskRequest", message)).toEqual({
      outputPrefix: "s3://bucket/prefix",
      template: { type: "job", taskTypeVersion: 1, id: { resourceType: "TASK", name: "my_task" } },
      taskExecutionMetadata: { maxAttempts: 2, environmentVariables: { MY_VAR: "1" } },
    });
  });
});
