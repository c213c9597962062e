/**
 * What the fuzz suite throws at every transport: valid seed requests for each operation, over the
 * demo connectors echo and sleep (docs/CONTRACT.md §6: nothing reaches the network), and the
 * arbitraries that spoil them. A case carries its request ready to send and what its answer may
 * be; fast-check reports a failing case by its one-line description, not its (maybe megabytes of)
 * bytes.
 */
import fc from "fast-check";
import type { Type } from "protobufjs";
import protobuf from "protobufjs/minimal.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { EchoConnector } from "../../../lib/connectors/echo.js";
import { SleepConnector, SleepMetadata } from "../../../lib/connectors/sleep.js";
import { flyteidl, google } from "../../../lib/idl/index.js";
import { MAX_REQUEST_DEPTH } from "../../../lib/limits.js";
import { flyteidl2Operations, type Flyteidl2OperationName } from "../../../lib/service/flyteidl2/operations.js";
import { operationNames, operations, type OperationName, type Protocol } from "../../../lib/service/operations.js";
import { echoSyncRequests, OUTPUT_PREFIX, SLEEP_CATEGORY, sleepCreateRequest, type Json } from "../../support/demo-requests.js";

/** What an answer may be: a refusal (the 4xx family), a success, or either (damage that may leave a valid request). */
export type Expectation = "refused" | "answered" | "either";

export interface FuzzCase {
  readonly op: OperationName;
  /** The kind of damage, as the summary counts it. */
  readonly kind: string;
  readonly expect: Expectation;
  /** The refusal's exact gRPC code, where only one is right. */
  readonly code?: number;
  /** What sets this case apart from others of its kind, for a failure's report. */
  readonly detail: string;
}

/** Request messages as binary protobuf: what every transport can carry. */
export interface BinaryCase extends FuzzCase {
  readonly bytes: readonly Uint8Array[];
}

/** A request body in the proto3 JSON mapping (a message, or an array for a stream), or text that is not JSON at all. */
export interface JsonCase extends FuzzCase {
  readonly text: string;
}

/** Gives a case the one-line description fast-check reports it by. */
export function described<C extends FuzzCase>(fuzzCase: C): C {
  const text = `${fuzzCase.op} ${fuzzCase.kind} (${fuzzCase.expect}): ${fuzzCase.detail}`;
  return Object.assign(fuzzCase, { [fc.toStringMethod]: () => text });
}

/** The connectors fuzzed: the demo connectors that stay on this machine (webhook would call out). */
export function fuzzRegistry(): ConnectorRegistry {
  return new ConnectorRegistry().register(new EchoConnector()).register(new SleepConnector());
}

export const AGENT_NAMES = ["Echo Connector", "Sleep Connector"];

// --- Seeds ----------------------------------------------------------------------------------------

/** A meta of a sleep task of one second, started now. */
export const SLEEP_META = Buffer.from(new SleepMetadata({ start_time: Date.now() / 1000, duration: 1 }).encode()).toString("base64");

const task = { taskCategory: SLEEP_CATEGORY, resourceMeta: SLEEP_META };

/** One valid request for each operation, in the proto3 JSON mapping. */
export const seeds: Readonly<Record<OperationName, readonly Json[]>> = {
  createTask: [sleepCreateRequest(1)],
  getTask: [{ ...task, outputPrefix: OUTPUT_PREFIX }],
  deleteTask: [task],
  getTaskMetrics: [{ ...task, queries: ["cpu"] }],
  getTaskLogs: [{ ...task, lines: "10", token: "" }],
  executeTaskSync: echoSyncRequests(),
  getAgent: [{ name: "Sleep Connector" }],
  listAgents: [{}],
};

/** What a seed gets: sleep has no metrics, so GetTaskMetrics of it is UNIMPLEMENTED. */
const seedExpectation = (op: OperationName): Expectation => (op === "getTaskMetrics" ? "refused" : "answered");

function encodeRequest(op: OperationName, json: Json): Uint8Array {
  const { requestType } = operations[op];
  return requestType.encode(requestType.fromObject(json)).finish();
}

export const seedBytes = (op: OperationName): Uint8Array[] => seeds[op].map((json) => encodeRequest(op, json));

/** The request body an HTTP caller sends: the message, or the array of a stream's messages. */
const jsonBody = (op: OperationName, messages: readonly unknown[]): unknown => (operations[op].requestStream ? messages : messages[0]);

const withCategoryOps: readonly OperationName[] = ["getTask", "deleteTask", "getTaskMetrics", "getTaskLogs"];
const hasCategory = (op: OperationName) => withCategoryOps.includes(op);

// --- Damage to whole messages, which binary protobuf and JSON both carry ----------------------------

/** A spoiled request, as messages; `bytes` when its binary form is made by hand. */
interface Mutation {
  readonly kind: string;
  readonly expect: Expectation;
  readonly detail: string;
  readonly messages: readonly Json[];
  readonly bytes?: readonly Uint8Array[];
  /** Its JSON body, when made by hand. */
  readonly text?: string;
}

/** `json` with the value at `path` replaced (objects on the way made as needed). */
function withValue(json: Json, path: readonly (string | number)[], value: unknown): Json {
  const copy = structuredClone(json);
  let target = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Record<string | number, unknown>;
  target[path.at(-1)!] = value;
  return copy;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const names = fc.oneof(
  fc.constantFrom("sleep", "echo", "webhook", "", "Sleep", "sleep ", "sleep_v0", "Echo Connector", "Sleep Connector", "\ud800"),
  fc.string({ unit: "binary", maxLength: 30 }),
);
const versions = fc.oneof(fc.constantFrom(0, -1, 1, INT32_MAX, INT32_MIN), fc.integer({ min: INT32_MIN, max: INT32_MAX }));

/**
 * The task category (or template type, or connector name) asked for: absurd names and versions.
 * Over Flyte 2 a sync connector (echo) is served through CreateTask, GetTask and DeleteTask too, so
 * a case naming it may be answered.
 */
function category(op: OperationName, protocol: Protocol): fc.Arbitrary<Mutation> | undefined {
  const [seed] = seeds[op];
  const at = (name: string, version: number, expected: boolean, messages: Json[]): Mutation => ({
    kind: "task category",
    detail: `${JSON.stringify(name)} v${version}`,
    expect: expected ? seedExpectation(op) : protocol === "flyteidl2" && name === "echo" && version === 0 ? "either" : "refused",
    messages,
  });
  if (hasCategory(op)) {
    return fc.tuple(names, versions).map(([name, version]) =>
      at(name, version, name === "sleep" && version === 0, [{ ...seed, taskCategory: { name, version } }]),
    );
  }
  if (op === "createTask") {
    return fc.tuple(names, versions).map(([name, version]) =>
      at(name, version, name === "sleep" && version === 0, [withValue(withValue(seed!, ["template", "type"], name), ["template", "taskTypeVersion"], version)]),
    );
  }
  if (op === "executeTaskSync") {
    const [header, inputs] = seeds.executeTaskSync;
    return fc.tuple(names, versions).map(([name, version]) => {
      const renamed = withValue(withValue(header!, ["header", "template", "type"], name), ["header", "template", "taskTypeVersion"], version);
      return at(name, version, name === "echo" && version === 0, [renamed, inputs!]);
    });
  }
  if (op === "getAgent") return names.map((name) => at(name, 0, AGENT_NAMES.includes(name), [{ name }]));
  return undefined;
}

function missingTemplate(op: OperationName): fc.Arbitrary<Mutation> | undefined {
  const without = (json: Json, key: string) => Object.fromEntries(Object.entries(json).filter(([name]) => name !== key));
  if (op === "createTask") return fc.constant<Mutation>({ kind: "missing template", detail: "", expect: "refused", messages: [without(seeds.createTask[0]!, "template")] });
  if (op !== "executeTaskSync") return undefined;
  const [header, inputs] = seeds.executeTaskSync;
  const headerless = { header: without(header!.header as Json, "template") };
  return fc.constant<Mutation>({ kind: "missing template", detail: "", expect: "refused", messages: [headerless, inputs!] });
}

/** Where a huge string goes in each operation's request, and whether the request then still works. */
const hugeStringFields: Readonly<Partial<Record<OperationName, readonly (readonly [path: (string | number)[], works: boolean])[]>>> = {
  createTask: [
    [["template", "type"], false],
    [["outputPrefix"], true],
    [["template", "id", "name"], true],
  ],
  executeTaskSync: [
    [[0, "header", "template", "type"], false],
    [[0, "header", "outputPrefix"], true],
  ],
  getTask: [
    [["taskCategory", "name"], false],
    [["outputPrefix"], true],
  ],
  deleteTask: [[["taskCategory", "name"], false]],
  getTaskMetrics: [[["taskCategory", "name"], false]],
  getTaskLogs: [
    [["taskCategory", "name"], false],
    [["token"], true],
  ],
  getAgent: [[["name"], false]],
};

/** Strings of about `bytes` UTF-8 bytes, of 1- to 4-byte characters (NULs only small: JSON writes each as 6). */
const hugeStrings = fc
  .oneof(fc.tuple(fc.constantFrom(70_000, 1_000_000), fc.constantFrom("x", "é", "€", "🙂")), fc.constant([70_000, "\u0000"] as const))
  .map(([bytes, char]) => ({ text: char.repeat(Math.floor(bytes / Buffer.byteLength(char))), bytes, char }));

function hugeString(op: OperationName): fc.Arbitrary<Mutation> | undefined {
  const fields = hugeStringFields[op];
  if (!fields) return undefined;
  return fc.tuple(fc.constantFrom(...fields), hugeStrings).map(([[path, works], huge]): Mutation => {
    const messages = operations[op].requestStream
      ? [withValue(seeds[op][0]!, path.slice(1), huge.text), ...seeds[op].slice(1)]
      : [withValue(seeds[op][0]!, path, huge.text)];
    return {
      kind: "huge string",
      detail: `${path.join(".")} = ${JSON.stringify(huge.char)} x ${huge.bytes} bytes`,
      expect: works ? seedExpectation(op) : "refused",
      messages,
    };
  });
}

/** ExecuteTaskSync's stream of the wrong kinds or count: only a header, then at most the inputs, is right. */
function streamOrder(op: OperationName): fc.Arbitrary<Mutation> | undefined {
  if (op !== "executeTaskSync") return undefined;
  const [header, inputs] = seeds.executeTaskSync;
  const kinds = {
    header: header!,
    inputs: inputs!,
    empty: {},
    "header without template": { header: { outputPrefix: OUTPUT_PREFIX } },
  };
  return fc.array(fc.constantFrom(...(Object.keys(kinds) as (keyof typeof kinds)[])), { maxLength: 4 }).map((order): Mutation => {
    const right = order[0] === "header" && (order.length === 1 || (order.length === 2 && order[1] === "inputs"));
    return { kind: "stream", detail: `[${order.join(", ")}]`, expect: right ? "answered" : "refused", messages: order.map((kind) => kinds[kind]) };
  });
}

/** Numbers as Python's json writes them (flytekit's metas), and then some. */
const metaNumbers = fc.oneof(
  fc.constantFrom("NaN", "Infinity", "-Infinity", "1e308", "-1e308", "0", "-0.0", "5e-324", "1e9", "1" + "0".repeat(400)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

/**
 * A resource meta made up by the caller (an unsealed meta is the caller's to write): sleep metas
 * of absurd times, JSON of another shape, bytes that are not JSON.
 */
function forgedMeta(op: OperationName): fc.Arbitrary<Mutation> | undefined {
  if (!hasCategory(op)) return undefined;
  const lines = fc.oneof(fc.constant("0"), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String));
  const meta = fc.oneof(
    fc.tuple(metaNumbers, metaNumbers).map(([start, duration]) => `{"start_time": ${start}, "duration": ${duration}}`),
    fc.jsonValue().map((json) => JSON.stringify(json)),
    fc.string({ unit: "binary", maxLength: 64 }),
  );
  return fc.tuple(meta, lines).map(([text, count]): Mutation => ({
    kind: "forged meta",
    detail: `${text.slice(0, 120)}${op === "getTaskLogs" ? `, lines ${count}` : ""}`,
    expect: op === "getTaskMetrics" ? "refused" : "either",
    messages: [{ ...seeds[op][0]!, resourceMeta: Buffer.from(text).toString("base64"), ...(op === "getTaskLogs" ? { lines: count } : {}) }],
  }));
}

/** Another operation's valid request. */
function wrongType(op: OperationName): fc.Arbitrary<Mutation> {
  return fc.constantFrom(...operationNames.filter((other) => other !== op)).map((other): Mutation => ({
    kind: "wrong message type",
    detail: operations[other].requestTypeName,
    expect: "either",
    messages: seeds[other],
    bytes: seedBytes(other),
  }));
}

/**
 * Inputs nested `levels` literals deep (maps, collections or both by turns), as binary protobuf
 * made by hand (protobufjs would refuse to encode the deepest) and as JSON text. The request is
 * level 0, its inputs' LiteralMap 1, the literal under it 2, each level of nesting 2 more, and the
 * scalar and primitive of the innermost literal 2 more: 4 + 2 x levels in all, refused beyond
 * MAX_REQUEST_DEPTH.
 */
function deepLiterals(op: OperationName, protocol: Protocol): fc.Arbitrary<Mutation> | undefined {
  if (op !== "createTask" && op !== "executeTaskSync") return undefined;
  const levels = fc.oneof(
    fc.integer({ min: (MAX_REQUEST_DEPTH - 4) / 2 - 3, max: (MAX_REQUEST_DEPTH - 4) / 2 + 4 }),
    fc.integer({ min: 1, max: 200 }),
    fc.constant(2_000),
  );
  return fc.tuple(levels, fc.constantFrom("map", "collection", "both")).map(([count, shape]): Mutation => {
    const isMap = (level: number) => shape === "map" || (shape === "both" && level % 2 === 0);
    // Flyte 2's inputs are a list of named literals: the NamedLiteral is one level more.
    const depth = 4 + 2 * count + (protocol === "flyteidl2" ? 1 : 0);
    const withInputs = op === "createTask" ? seeds.createTask[0]! : seeds.executeTaskSync[1]!;
    const withDeep = JSON.stringify(withValue(withInputs, ["inputs", "literals", "deep"], "deep placeholder")).replace(
      '"deep placeholder"',
      deepLiteralJson(count, isMap),
    );
    const bytes = deepInputsBytes(op, count, isMap);
    return {
      kind: "deep literals",
      detail: `${count} levels of ${shape}, depth ${depth}`,
      expect: depth > MAX_REQUEST_DEPTH ? "refused" : "answered",
      messages: [],
      bytes: op === "createTask" ? [bytes] : [seedBytes("executeTaskSync")[0]!, bytes],
      text: op === "createTask" ? withDeep : `[${JSON.stringify(seeds.executeTaskSync[0])},${withDeep}]`,
    };
  });
}

const LEAF = { scalar: { primitive: { integer: "1" } } };

function deepLiteralJson(levels: number, isMap: (level: number) => boolean): string {
  let open = "";
  let close = "";
  for (let level = 0; level < levels; level++) {
    open += isMap(level) ? '{"map":{"literals":{"k":' : '{"collection":{"literals":[';
    close = (isMap(level) ? "}}}" : "]}}") + close;
  }
  return `${open}${JSON.stringify(LEAF)}${close}`;
}

/** A length-delimited field: tag, length, bytes. */
function field(id: number, bytes: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32(((id << 3) | 2) >>> 0).bytes(bytes).finish();
}

const fieldId = (type: { readonly $type: Type }, name: string) => type.$type.fields[name]!.id;

/** A map entry of a string key: fields 1 and 2, as protobuf writes every map; without a value, only the key. */
const mapEntry = (key: string, value?: Uint8Array) =>
  concat(field(1, new TextEncoder().encode(key)), ...(value === undefined ? [] : [field(2, value)]));

/**
 * A message's bytes with `extra` (fields written by hand) added inside its submessage at `path`,
 * by field names. protobufjs replaces a message field given twice where protobuf would merge, so
 * the submessage is written once, whole.
 */
function withFieldsAt(type: Type, json: Json, path: readonly string[], extra: Uint8Array): Uint8Array {
  const [name, ...rest] = path;
  if (name === undefined) return concat(type.encode(type.fromObject(json)).finish(), extra);
  const { [name]: inner, ...others } = json;
  const child = type.fields[name]!;
  return concat(type.encode(type.fromObject(others)).finish(), field(child.id, withFieldsAt(child.resolvedType as Type, (inner ?? {}) as Json, rest, extra)));
}

/** The request message holding the task's inputs (the second of ExecuteTaskSync's), with one more entry. */
function withInputsEntry(op: "createTask" | "executeTaskSync", entry: Uint8Array): Uint8Array {
  const message = op === "createTask" ? seeds.createTask[0]! : seeds.executeTaskSync[1]!;
  return withFieldsAt(operations[op].requestType.$type, message, ["inputs"], field(fieldId(flyteidl.core.LiteralMap, "literals"), entry));
}

/** The inputs entry "deep": a literal `levels` deep. */
function deepInputsBytes(op: "createTask" | "executeTaskSync", levels: number, isMap: (level: number) => boolean): Uint8Array {
  const { core } = flyteidl;
  let literal = core.Literal.encode(core.Literal.fromObject(LEAF)).finish();
  for (let level = levels - 1; level >= 0; level--) {
    literal = isMap(level)
      ? field(fieldId(core.Literal, "map"), field(fieldId(core.LiteralMap, "literals"), mapEntry("k", literal)))
      : field(fieldId(core.Literal, "collection"), field(fieldId(core.LiteralCollection, "literals"), literal));
  }
  return withInputsEntry(op, mapEntry("deep", literal));
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Every whole-message mutation that applies to `op`. */
function mutations(op: OperationName, protocol: Protocol): fc.Arbitrary<Mutation>[] {
  return [category(op, protocol), missingTemplate(op), hugeString(op), streamOrder(op), forgedMeta(op), deepLiterals(op, protocol), wrongType(op)].filter(
    (arbitrary): arbitrary is fc.Arbitrary<Mutation> => arbitrary !== undefined,
  );
}

const asBinary = (op: OperationName) => (mutation: Mutation): BinaryCase =>
  described({ op, ...mutation, bytes: mutation.bytes ?? mutation.messages.map((json) => encodeRequest(op, json)) });

const asJson = (op: OperationName) => (mutation: Mutation): JsonCase =>
  described({ op, ...mutation, text: mutation.text ?? JSON.stringify(jsonBody(op, mutation.messages)) });

// --- Damage to bytes ------------------------------------------------------------------------------

/** One message of the seed, picked by `index`, changed by `change`. */
function changeOne(op: OperationName, index: number, change: (bytes: Uint8Array) => Uint8Array): Uint8Array[] {
  const messages = seedBytes(op);
  const at = index % messages.length;
  messages[at] = change(messages[at]!);
  return messages;
}

/** UTF-8 that is not: surrogates, overlong forms, beyond U+10FFFF, stray and cut sequences (4 bytes each). */
const ILL_FORMED_UTF8 = [
  [0xed, 0xa0, 0x80, 0x41],
  [0xed, 0xb0, 0x80, 0x41],
  [0xc0, 0x80, 0x41, 0x41],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff, 0x41, 0x41, 0x41],
  [0x80, 0x41, 0x41, 0x41],
  [0x41, 0x41, 0xe2, 0x82],
].map((bytes) => Uint8Array.from(bytes));

/** The string field a connector is looked up by, where ill-formed UTF-8 reaches a "not found" message. */
const lookupFields: Readonly<Partial<Record<OperationName, readonly (string | number)[]>>> = {
  createTask: ["template", "type"],
  executeTaskSync: [0, "header", "template", "type"],
  getTask: ["taskCategory", "name"],
  deleteTask: ["taskCategory", "name"],
  getTaskMetrics: ["taskCategory", "name"],
  getTaskLogs: ["taskCategory", "name"],
  getAgent: ["name"],
};

/** The lookup field's 4-byte stand-in, replaced in the encoded message. */
const MARK = "\u0001\u0002\u0003\u0004";

function illFormedUtf8(op: OperationName): fc.Arbitrary<BinaryCase> | undefined {
  const path = lookupFields[op];
  if (!path) return undefined;
  const marked = seeds[op].map((json, index) =>
    encodeRequest(op, operations[op].requestStream ? (index === path[0] ? withValue(json, path.slice(1), MARK) : json) : withValue(json, path, MARK)),
  );
  const mark = new TextEncoder().encode(MARK);
  return fc.constantFrom(...ILL_FORMED_UTF8).map((bad) =>
    described({
      op,
      kind: "ill-formed UTF-8",
      detail: `${path.join(".")} = ${Buffer.from(bad).toString("hex")}`,
      expect: "refused",
      bytes: marked.map((bytes) => {
        const at = Buffer.from(bytes).indexOf(mark);
        return at < 0 ? bytes : concat(bytes.subarray(0, at), bad, bytes.subarray(at + mark.length));
      }),
    }),
  );
}

/** Map entries that hold only their key, in the inputs or the template's custom Struct: proto3 reads the missing value as the empty message. */
function valuelessEntries(op: OperationName): fc.Arbitrary<BinaryCase> | undefined {
  if (op !== "createTask" && op !== "executeTaskSync") return undefined;
  const custom = field(fieldId(flyteidl.core.TaskTemplate, "custom"), field(fieldId(google.protobuf.Struct, "fields"), mapEntry("k")));
  const requestType = operations[op].requestType.$type;
  const [first, second] = seedBytes(op);
  const where =
    op === "createTask"
      ? { inputs: [withInputsEntry(op, mapEntry("k"))], template: [withFieldsAt(requestType, seeds.createTask[0]!, ["template"], custom)] }
      : { inputs: [first!, withInputsEntry(op, mapEntry("k"))], template: [withFieldsAt(requestType, seeds.executeTaskSync[0]!, ["header", "template"], custom), second!] };
  return fc.constantFrom("inputs", "template").map((at) =>
    described({ op, kind: "map entry without a value", detail: `in the ${at}`, expect: "answered" as const, bytes: where[at] }),
  );
}

/** Echoed values binary protobuf carries and proto3 JSON cannot: OUT_OF_RANGE where the answer is JSON. */
function beyondJson(op: OperationName): fc.Arbitrary<BinaryCase> | undefined {
  if (op !== "executeTaskSync") return undefined;
  const timestamps = fc.record({ seconds: fc.constantFrom(1e14, -1e14, 253_402_300_800, 0), nanos: fc.constantFrom(0, -1, 1e9, 2e9) });
  const primitive = fc.oneof(timestamps.map((datetime) => ({ datetime })), timestamps.map((duration) => ({ duration })));
  return primitive.map((value) => {
    const inputs = { inputs: { literals: { t: { scalar: { primitive: value } } } } };
    return described({
      op,
      kind: "beyond JSON",
      detail: JSON.stringify(value),
      expect: "either",
      bytes: [seedBytes(op)[0]!, encodeRequest(op, inputs)],
    });
  });
}

function bytesDamage(op: OperationName): fc.Arbitrary<BinaryCase>[] {
  const either = (kind: string, detail: string, bytes: readonly Uint8Array[]) => described({ op, kind, detail, expect: "either" as const, bytes });
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
  const count = seeds[op].length;
  return [
    fc
      .array(fc.uint8Array({ maxLength: 200 }), { minLength: count, maxLength: count })
      .map((messages) => either("random bytes", messages.map(hex).join(" | "), messages)),
    fc.tuple(fc.nat(), fc.nat()).map(([index, cut]) =>
      either("truncated", `message ${index % count} cut at ${cut}`, changeOne(op, index, (bytes) => bytes.subarray(0, cut % bytes.length))),
    ),
    fc.tuple(fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 6 })).map(([index, bits]) =>
      either(
        "bit flips",
        `message ${index % count}, bits ${bits.join(", ")}`,
        changeOne(op, index, (bytes) => {
          const flipped = Uint8Array.from(bytes);
          for (const bit of bits) {
            const at = bit % (flipped.length * 8);
            flipped[at >> 3]! ^= 1 << (at & 7);
          }
          return flipped;
        }),
      ),
    ),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 40 })).map(([index, extra]) =>
      either("appended bytes", `message ${index % count} + ${hex(extra)}`, changeOne(op, index, (bytes) => concat(bytes, extra))),
    ),
    ...[illFormedUtf8(op), valuelessEntries(op), beyondJson(op)].filter((arbitrary): arbitrary is fc.Arbitrary<BinaryCase> => arbitrary !== undefined),
  ];
}

/**
 * Every kind of damage to the binary protobuf request of `op`. Flyte 2's requests keep Flyte 1's
 * field numbers (test/idl/flyteidl2.test.ts), so the same bytes are Flyte 2 requests as well.
 */
export function binaryCases(op: OperationName, protocol: Protocol = "flyteidl"): fc.Arbitrary<BinaryCase> {
  return fc.oneof(...mutations(op, protocol).map((arbitrary) => arbitrary.map(asBinary(op))), ...bytesDamage(op));
}

/** Flyte 2's operations: Flyte 1's but executeTaskSync. */
export const flyteidl2OperationNames = Object.keys(flyteidl2Operations) as Flyteidl2OperationName[];

// --- Damage to JSON -------------------------------------------------------------------------------

/** Parseable JSON may still be any request; text that is not is refused. */
const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Every path to a value inside `json`. */
function paths(json: unknown, prefix: readonly (string | number)[] = []): (string | number)[][] {
  if (typeof json !== "object" || json === null) return [[...prefix]];
  const entries = Array.isArray(json) ? json.map((value, index) => [index, value] as const) : Object.entries(json);
  return [[...prefix], ...entries.flatMap(([key, value]) => paths(value, [...prefix, key]))];
}

function jsonDamage(op: OperationName): fc.Arbitrary<JsonCase>[] {
  const body = jsonBody(op, seeds[op]) as Json;
  const seedText = JSON.stringify(body);
  const text = (kind: string, detail: string, value: string, expect?: Expectation) =>
    described({ op, kind, detail, text: value, expect: expect ?? (parses(value) ? "either" : "refused") });
  const literal = operations[op].requestStream ? [1, "inputs", "literals", "count"] : ["inputs", "literals", "seconds"];
  const [top, template] = operations[op].requestStream ? [[0], [0, "header", "template"]] : [[], ["template"]];
  const allPaths = paths(body);
  return [
    fc.nat().map((cut) => text("malformed JSON", `cut at ${cut % seedText.length}`, seedText.slice(0, cut % seedText.length))),
    fc.string({ unit: "binary", maxLength: 80 }).map((value) => text("malformed JSON", JSON.stringify(value), value)),
    fc.jsonValue().map((json) => text("JSON of the wrong shape", JSON.stringify(json).slice(0, 120), JSON.stringify(json), "either")),
    fc.tuple(fc.nat(), fc.jsonValue()).map(([index, value]) => {
      const path = allPaths[index % allPaths.length]!;
      const changed = path.length === 0 ? value : withValue(body, path, value);
      return text("JSON value replaced", `${path.join(".")} = ${JSON.stringify(value).slice(0, 80)}`, JSON.stringify(changed), "either");
    }),
    // Skipped, as grpc-gateway's default unmarshaler skips it: the seed's own answer.
    fc.constantFrom(top, template).map((path) =>
      text("unknown JSON field", `${path.join(".")}.zzUnknown`, JSON.stringify(withValue(body, [...path, "zzUnknown"], 1)), seedExpectation(op)),
    ),
    fc
      .constantFrom<[string, unknown]>(["collection", { literals: [] }], ["map", { literals: {} }], ["offloadedMetadata", { uri: "s3://x" }])
      .map(([member, value]) =>
        text("oneof set twice", `${literal.join(".")} has scalar and ${member}`, JSON.stringify(withValue(body, [...literal, member], value)), "refused"),
      ),
    fc
      .constantFrom<unknown>("2147483648", "-2147483649", 1.5, "1e3", true, "abc", 1e20, [], {})
      .map((version) =>
        text("absurd version", `taskTypeVersion = ${JSON.stringify(version)}`, JSON.stringify(withValue(body, [...template, "taskTypeVersion"], version)), "refused"),
      ),
  ];
}

/** Every kind of damage to the JSON request body of `op` (createTask, executeTaskSync: the routes with a body). */
export function jsonCases(op: OperationName): fc.Arbitrary<JsonCase> {
  return fc.oneof(...mutations(op, "flyteidl").map((arbitrary) => arbitrary.map(asJson(op))), ...jsonDamage(op));
}
