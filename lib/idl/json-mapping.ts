/**
 * The proto3 JSON mapping of the generated flyteidl types (docs/CONTRACT.md §3): lowerCamelCase names
 * out and either spelling in, 64-bit integers as strings, bytes as base64, enums by name,
 * Timestamp as RFC 3339, Duration as `"1.5s"`, Struct/Value/ListValue as plain JSON, wrappers as
 * their bare value.
 *
 * Input is checked field by field against the descriptor before the generated `fromObject` sees
 * it, because `fromObject` coerces silently (`"abc"` becomes 0, a misspelt enum name is dropped).
 * Output is the generated `toObject` with the well-known types rewritten. Map keys and Struct
 * contents are user data: never renamed, only refused when they are `__proto__`.
 */
import type { IConversionOptions, Type } from "protobufjs";
import { ConnectorError, InvalidArgumentError, Status } from "../connector/errors.js";
import { MAX_MESSAGE_DEPTH } from "../limits.js";
import type { IdlDescriptor } from "./descriptor-types.js";
import { descriptor2, flyteidl2 } from "./flyteidl2.js";
import { descriptor, flyteidl, google, grpc } from "./index.js";
import { isTimestampInRange, MAX_TIMESTAMP_SECONDS, MIN_TIMESTAMP_SECONDS } from "./timestamp-range.js";

/** One field of a message, as the JSON mapping sees it. */
export interface FieldInfo {
  /** The proto (snake_case) name. */
  readonly name: string;
  /** The lowerCamelCase JSON name. */
  readonly jsonName: string;
  /** Full name of the value's message type, or null for scalars and enums. */
  readonly messageType: string | null;
  /** The value's scalar type (`int64`, `bytes`, ...) or full enum name, or null for messages. */
  readonly scalarType: string | null;
  readonly isMap: boolean;
  readonly isRepeated: boolean;
}

/** A message field by its proto or its JSON name; undefined when the message has no such field. */
export function findField(typeName: string, name: string): FieldInfo | undefined {
  return fieldIndex(typeName).get(name);
}

/** Whether a message type's JSON is a single string, number or boolean (Timestamp, Duration, wrappers). */
export function hasScalarJson(typeName: string): boolean {
  return scalarJsonTypes.has(typeName);
}

/** A message (an instance or its plain interface form) as proto3 JSON. */
export function toJson(typeName: string, message: object): unknown {
  return writeMessage(typeName, messageClass(typeName).toObject(message, OUTPUT_OPTIONS), typeName);
}

export interface FromJsonOptions {
  /** How deeply the message may nest, counted as protobufjs counts (lib/limits.ts). */
  readonly maxDepth?: number;
  /**
   * Skip fields and enum names the descriptor does not know, as grpc-gateway's default
   * unmarshaler does (protojson's DiscardUnknown): a peer built on a newer IDL is understood as
   * far as this one goes, as binary protobuf is. Default: refused, which catches a person's typo.
   */
  readonly discardUnknown?: boolean;
}

/**
 * Proto3 JSON as a message instance. Unknown fields and enum names (unless discarded), values of
 * the wrong JSON type, out-of-range numbers, bad base64, Timestamp or Duration, `__proto__` keys,
 * a oneof set twice and nesting beyond `maxDepth` are InvalidArgumentError naming the field.
 */
export function fromJson<T extends object>(typeName: string, json: unknown, options: FromJsonOptions = {}): T {
  const { maxDepth = MAX_MESSAGE_DEPTH, discardUnknown = false } = options;
  const type = messageClass(typeName);
  let plain: unknown;
  discarding = discardUnknown;
  try {
    plain = readMessage(typeName, json, "", MAX_MESSAGE_DEPTH - maxDepth);
  } catch (error) {
    if (!(error instanceof FieldProblem)) throw error;
    const where = error.path ? ` field ${error.path}` : "";
    const problem = error instanceof TooDeep ? `messages nest deeper than ${maxDepth} levels` : error.problem;
    throw new InvalidArgumentError(`Invalid ${typeName}${where}: ${problem}.`);
  } finally {
    discarding = false;
  }
  return type.fromObject(plain as Record<string, unknown>) as T;
}

// ---------------------------------------------------------------------------------------------
// Types and fields

/** The part of a generated message class the mapping calls. */
interface GeneratedMessage {
  /** The reflected type: only it knows the oneofs. */
  readonly $type: Type;
  fromObject(object: Record<string, unknown>): object;
  toObject(message: object, options: IConversionOptions): Record<string, unknown>;
}

const OUTPUT_OPTIONS: IConversionOptions = { longs: String, enums: String, bytes: String, json: true };

const namespaces: Readonly<Record<string, unknown>> = { flyteidl, flyteidl2, google, grpc };

/**
 * The descriptor that knows a type: Flyte 2's for `flyteidl2.*`, Flyte 1's for the rest (the
 * google.protobuf types Flyte 2 reaches are those Flyte 1 reaches), so mapping Flyte 1's JSON
 * never parses Flyte 2's descriptor.
 */
function descriptorOf(typeName: string): IdlDescriptor {
  return typeName.startsWith("flyteidl2.") ? descriptor2 : descriptor;
}

function hasMessage(typeName: string): boolean {
  return Object.hasOwn(descriptorOf(typeName).messages, typeName);
}

/** Whether a name is an enum type of either protocol's descriptor. */
export function isEnumType(typeName: string): boolean {
  return Object.hasOwn(descriptorOf(typeName).enums, typeName);
}
const classes = new Map<string, GeneratedMessage>();

function messageClass(typeName: string): GeneratedMessage {
  let type = classes.get(typeName);
  if (!type) {
    let node: unknown = namespaces;
    for (const part of typeName.split(".")) {
      node = (typeof node === "object" || typeof node === "function") && node !== null && Object.hasOwn(node, part)
        ? (node as Record<string, unknown>)[part]
        : undefined;
    }
    if (typeof node !== "function" || !hasMessage(typeName)) {
      throw new Error(`Unknown message type ${typeName}`);
    }
    type = node as unknown as GeneratedMessage;
    classes.set(typeName, type);
  }
  return type;
}

const indexes = new Map<string, ReadonlyMap<string, FieldInfo>>();

/** Fields by proto name and by JSON name (a Map, so no key can reach Object.prototype). */
function fieldIndex(typeName: string): ReadonlyMap<string, FieldInfo> {
  let index = indexes.get(typeName);
  if (!index) {
    if (!hasMessage(typeName)) throw new Error(`Unknown message type ${typeName}`);
    const entries = Object.entries(descriptorOf(typeName).messages[typeName]!);
    const built = new Map<string, FieldInfo>();
    for (const [name, [jsonName, messageType, isMap, scalarType, isRepeated]] of entries) {
      const field = { name, jsonName, messageType, scalarType, isMap, isRepeated };
      built.set(name, field);
      built.set(jsonName, field);
    }
    index = built;
    indexes.set(typeName, index);
  }
  return index;
}

const oneofIndexes = new Map<string, ReadonlyMap<string, string>>();

/** The oneof each member field belongs to, by the field's proto name. */
function oneofIndex(typeName: string): ReadonlyMap<string, string> {
  let index = oneofIndexes.get(typeName);
  if (!index) {
    const built = new Map<string, string>();
    for (const oneof of messageClass(typeName).$type.oneofsArray) {
      for (const member of oneof.oneof) built.set(findField(typeName, member)!.name, oneof.name);
    }
    index = built;
    oneofIndexes.set(typeName, index);
  }
  return index;
}

// ---------------------------------------------------------------------------------------------
// JSON in

/** A problem at a path of the input; fromJson words it with the message type. */
class FieldProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/**
 * fromJson's `discardUnknown`, for the read in progress. Reading is synchronous, so no other read
 * can see it; a flag threaded through every reader below (the well-known types' too) would say
 * the same at every call.
 */
let discarding = false;

/** Nesting past MAX_MESSAGE_DEPTH, counted from where fromJson started: it words the limit it was given. */
class TooDeep extends FieldProblem {}

const VALUE = "google.protobuf.Value";
const NULL_VALUE = "google.protobuf.NullValue";

function readMessage(typeName: string, json: unknown, path: string, depth: number): unknown {
  if (depth > MAX_MESSAGE_DEPTH) throw new TooDeep(path, "messages nest too deeply");
  const wellKnown = wellKnownTypes.get(typeName);
  if (wellKnown) return wellKnown.read(json, path, depth);
  if (!isJsonObject(json)) throw new FieldProblem(path, `expected an object, got ${describe(json)}`);
  const message: Record<string, unknown> = {};
  const given = new Map<string, string>();
  // A oneof holds one member: generated fromObject would set every member given, encode write them all.
  const oneofsSet = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = findField(typeName, key);
    const fieldPath = join(path, key);
    if (!field) {
      if (discarding) continue;
      throw new FieldProblem("", `unknown field "${fieldPath}"`);
    }
    const earlier = given.get(field.name);
    if (earlier !== undefined) {
      throw new FieldProblem(fieldPath, `given twice, also as "${join(path, earlier)}"`);
    }
    given.set(field.name, key);
    const read = readField(field, value, fieldPath, depth);
    if (read === undefined) continue;
    const oneof = oneofIndex(typeName).get(field.name);
    if (oneof !== undefined) {
      const other = oneofsSet.get(oneof);
      if (other !== undefined) throw new FieldProblem(fieldPath, `oneof ${oneof} is already set by "${join(path, other)}"`);
      oneofsSet.set(oneof, key);
    }
    message[field.jsonName] = read;
  }
  return message;
}

/** A field's value; undefined leaves the field unset (JSON null, except for Value and NullValue; a discarded enum name). */
function readField(field: FieldInfo, json: unknown, path: string, depth: number): unknown {
  if (json === null || json === undefined) {
    const nullable = !field.isMap && !field.isRepeated && (field.messageType === VALUE || field.scalarType === NULL_VALUE);
    return nullable ? readSingle(field, null, path, depth) : undefined;
  }
  if (field.isMap) {
    if (!isJsonObject(json)) throw new FieldProblem(path, `expected an object (a map), got ${describe(json)}`);
    return Object.fromEntries(
      Object.entries(json).map(([key, value]) => [safeKey(key, path), readSingle(field, value, `${path}[${JSON.stringify(key)}]`, depth)]),
    );
  }
  if (field.isRepeated) {
    if (!Array.isArray(json)) throw new FieldProblem(path, `expected an array, got ${describe(json)}`);
    return json.map((value, index) => readSingle(field, value, `${path}[${index}]`, depth));
  }
  return readSingle(field, json, path, depth);
}

function readSingle(field: FieldInfo, json: unknown, path: string, depth: number): unknown {
  if (field.messageType) return readMessage(field.messageType, json, path, depth + 1);
  return readScalar(field.scalarType!, json, path);
}

const INT_SYNTAX = /^-?\d+$/;
/** A JSON number written as a string (proto3 JSON accepts those for every numeric type): sign, whole digits, fraction digits, exponent. */
const NUMBER_SYNTAX = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const FLOAT_MAX = 3.4028234663852886e38;

const integerRanges: Readonly<Record<string, readonly [min: bigint, max: bigint, wide: boolean]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n, false],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n, false],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n, false],
  uint32: [0n, 2n ** 32n - 1n, false],
  fixed32: [0n, 2n ** 32n - 1n, false],
  int64: [-(2n ** 63n), 2n ** 63n - 1n, true],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n, true],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n, true],
  uint64: [0n, 2n ** 64n - 1n, true],
  fixed64: [0n, 2n ** 64n - 1n, true],
};

/** A scalar in the form the generated fromObject converts exactly (64-bit integers as strings). */
function readScalar(type: string, json: unknown, path: string): unknown {
  const range = integerRanges[type];
  if (range) return readInteger(type, range, json, path);
  switch (type) {
    case "string":
      if (typeof json === "string") return json;
      throw new FieldProblem(path, `expected a string, got ${describe(json)}`);
    case "bool":
      if (typeof json === "boolean") return json;
      throw new FieldProblem(path, `expected true or false, got ${describe(json)}`);
    case "bytes":
      return readBytes(json, path);
    case "double":
    case "float":
      return readFloat(type, json, path);
    default:
      return readEnum(type, json, path);
  }
}

function readInteger(type: string, [min, max, wide]: readonly [bigint, bigint, boolean], json: unknown, path: string) {
  let value: bigint | undefined;
  if (typeof json === "number" && Number.isInteger(json)) {
    // JSON.parse has already rounded a larger one to a double: refused rather than changed unseen.
    if (wide && !Number.isSafeInteger(json)) {
      throw new FieldProblem(path, `${json} is beyond 2^53, where a JSON number is not exact: send the ${type} as a string`);
    }
    value = BigInt(json);
  } else if (typeof json === "string") value = integerOfText(json);
  if (value === undefined) throw new FieldProblem(path, `expected an integer (${type}), got ${describe(json)}`);
  if (value < min || value > max) throw new FieldProblem(path, `${value} is out of range for ${type}`);
  return wide ? value.toString() : Number(value);
}

/**
 * The integer a number's text denotes. Plain digits read as they always have (leading zeros too);
 * other number syntax ("1e3", "1.50e1", "150e-1") as Go's protojson reads a quoted integer
 * (protobuf-go internal/encoding/json/decode_number.go, parseNumberParts and
 * normalizeToIntString, step for step); undefined when it is not an integer, or has more than 20
 * digits.
 */
function integerOfText(text: string): bigint | undefined {
  if (INT_SYNTAX.test(text)) return BigInt(text);
  const parts = NUMBER_SYNTAX.exec(text);
  if (!parts) return undefined;
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = parts;
  // Go's parts: a lone 0 has no integer digits; the fraction's trailing zeros carry nothing.
  const intp = whole === "0" ? "" : whole;
  const frac = fraction.replace(/0+$/, "");
  if (intp === "" && frac === "") return 0n;
  const exponent = Number(exponentText);
  if (!Number.isInteger(exponent) || Math.abs(exponent) > 2 ** 31 - 1) return undefined;
  let digits: string;
  if (exponent >= 0) {
    if (frac.length > exponent || intp.length + exponent > 20) return undefined;
    digits = intp + frac + "0".repeat(exponent - frac.length);
  } else {
    const point = intp.length + exponent;
    if (frac.length > 0 || point < 0 || !/^0*$/.test(intp.slice(point))) return undefined;
    digits = intp.slice(0, point);
  }
  return BigInt(sign + (digits || "0"));
}

function readFloat(type: string, json: unknown, path: string): number {
  // Only JavaScript callers can pass a non-finite number; JSON spells them as strings.
  if (typeof json === "number" && !Number.isFinite(json)) return json;
  if (json === "NaN" || json === "Infinity" || json === "-Infinity") return Number(json);
  const value = typeof json === "number" ? json : typeof json === "string" && NUMBER_SYNTAX.test(json) ? Number(json) : undefined;
  if (value === undefined) throw new FieldProblem(path, `expected a number, got ${describe(json)}`);
  if (!Number.isFinite(value) || (type === "float" && Math.abs(value) > FLOAT_MAX)) {
    throw new FieldProblem(path, `${describe(json)} is out of range for ${type}`);
  }
  return value;
}

function readEnum(enumName: string, json: unknown, path: string): number | undefined {
  const values = isEnumType(enumName) ? descriptorOf(enumName).enums[enumName] : undefined;
  if (!values) throw new Error(`Unknown scalar or enum type ${enumName}`);
  if (json === null && enumName === NULL_VALUE) return 0;
  if (typeof json === "string" && Object.hasOwn(values, json)) return values[json]!;
  // Unset, as protojson leaves it (neither protocol has a list or map of enums, where it would drop the element).
  if (typeof json === "string" && discarding) return undefined;
  // Proto3 enums are open: any int32 number is kept.
  if (typeof json === "number" && Number.isInteger(json) && json >= -(2 ** 31) && json < 2 ** 31) return json;
  const kind = typeof json === "string" ? `unknown name ${describe(json)}` : describe(json);
  throw new FieldProblem(path, `expected a ${enumName} name or number, got ${kind}`);
}

const BASE64_ANY = /^[A-Za-z0-9+/_-]*$/;

/** Standard or URL-safe base64, padded or not, as the padded standard base64 fromObject reads. */
function readBytes(json: unknown, path: string): string {
  if (typeof json !== "string") throw new FieldProblem(path, `expected base64 bytes, got ${describe(json)}`);
  const body = json.replace(/={1,2}$/, "");
  const padded = body.length < json.length;
  if (!BASE64_ANY.test(body) || body.length % 4 === 1 || (padded && json.length % 4 !== 0)) {
    throw new FieldProblem(path, `expected base64 bytes, got ${describe(json)}`);
  }
  const standard = body.replace(/-/g, "+").replace(/_/g, "/");
  return standard + "=".repeat((4 - (standard.length % 4)) % 4);
}

// ---------------------------------------------------------------------------------------------
// JSON out

function writeMessage(typeName: string, plain: Record<string, unknown>, path: string): unknown {
  const wellKnown = wellKnownTypes.get(typeName);
  if (wellKnown) return wellKnown.write(plain, path);
  return Object.fromEntries(
    Object.entries(plain).map(([key, value]) => {
      const field = findField(typeName, key);
      const target = field?.messageType;
      if (!target) return [key, value];
      const write = (item: unknown, itemPath: string) => writeMessage(target, item as Record<string, unknown>, itemPath);
      const fieldPath = join(path, key);
      if (field.isMap) {
        const entries = Object.entries(value as Record<string, unknown>);
        return [key, Object.fromEntries(entries.map(([mapKey, item]) => [mapKey, write(item, `${fieldPath}[${JSON.stringify(mapKey)}]`)]))];
      }
      if (field.isRepeated) return [key, (value as unknown[]).map((item, index) => write(item, `${fieldPath}[${index}]`))];
      return [key, write(value, fieldPath)];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Well-known types

interface WellKnownType {
  read(json: unknown, path: string, depth: number): unknown;
  /** From the generated toObject form (OUTPUT_OPTIONS). */
  write(plain: Record<string, unknown>, path: string): unknown;
}

const MAX_DURATION_SECONDS = 315_576_000_000n;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/**
 * A value binary protobuf carries and proto3 JSON cannot, such as an echoed Timestamp of year
 * 20000: OUT_OF_RANGE rather than INTERNAL, as the value is at fault and the same answer in
 * binary protobuf carries it.
 */
function unrepresentable(problem: string): ConnectorError {
  return new ConnectorError(Status.OUT_OF_RANGE, `${problem}; binary protobuf can carry it.`);
}

const timestamp: WellKnownType = {
  read(json, path) {
    const match = typeof json === "string" ? RFC3339.exec(json) : null;
    const problem = `expected an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got ${describe(json)}`;
    if (!match) throw new FieldProblem(path, problem);
    const group = (index: number) => Number(match[index] ?? 0);
    const [year, month, day, hour, minute, second] = [group(1), group(2), group(3), group(4), group(5), group(6)];
    const [offsetHours, offsetMinutes] = [group(9), group(10)];
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day); // rolls over on a day the month does not have
    date.setUTCHours(hour, minute, second);
    const valid = date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
    const offset = (match[8] === "-" ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
    const seconds = date.getTime() / 1000 - offset;
    if (!valid || offsetHours > 23 || offsetMinutes > 59 || seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) {
      throw new FieldProblem(path, problem);
    }
    return { seconds: String(seconds), nanos: Number((match[7] ?? "").padEnd(9, "0")) };
  },
  write(plain, path) {
    const seconds = Number(plain.seconds ?? 0);
    const nanos = Number(plain.nanos ?? 0);
    if (!isTimestampInRange(seconds, nanos)) {
      throw unrepresentable(`${path}: Timestamp ${seconds}s ${nanos}ns is outside what JSON can carry (years 1 to 9999)`);
    }
    const fraction = nanos === 0 ? "" : `.${String(nanos).padStart(9, "0").replace(/(?:000){1,2}$/, "")}`;
    return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction}Z`;
  },
};

const duration: WellKnownType = {
  read(json, path) {
    const match = typeof json === "string" ? DURATION.exec(json) : null;
    const seconds = match ? BigInt(match[2]!) : undefined;
    const nanos = Number((match?.[3] ?? "").padEnd(9, "0"));
    if (!match || seconds === undefined || seconds > MAX_DURATION_SECONDS || (seconds === MAX_DURATION_SECONDS && nanos > 0)) {
      throw new FieldProblem(path, `expected a duration within ±${MAX_DURATION_SECONDS}s such as "1.5s", got ${describe(json)}`);
    }
    const sign = match[1] ? -1n : 1n;
    return { seconds: (sign * seconds).toString(), nanos: sign < 0n && nanos !== 0 ? -nanos : nanos };
  },
  write(plain, path) {
    const seconds = BigInt(String(plain.seconds ?? 0));
    const nanos = Number(plain.nanos ?? 0);
    const absolute = seconds < 0n ? -seconds : seconds;
    if (absolute > MAX_DURATION_SECONDS || !(Math.abs(nanos) < 1e9) || (seconds !== 0n && nanos !== 0 && seconds < 0n !== nanos < 0)) {
      throw unrepresentable(`${path}: Duration ${seconds}s ${nanos}ns is outside what JSON can carry`);
    }
    const sign = seconds < 0n || nanos < 0 ? "-" : "";
    const fraction = nanos === 0 ? "" : `.${String(Math.abs(nanos)).padStart(9, "0").replace(/0+$/, "")}`;
    return `${sign}${absolute}${fraction}s`;
  },
};

const struct: WellKnownType = {
  read(json, path, depth) {
    if (!isJsonObject(json)) throw new FieldProblem(path, `expected an object, got ${describe(json)}`);
    const fields = Object.entries(json).map(([key, value]) => [
      safeKey(key, path),
      readMessage(VALUE, value, join(path, key), depth + 1),
    ]);
    return { fields: Object.fromEntries(fields) };
  },
  write: (plain, path) => writeFields(plain.fields, path),
};

const value: WellKnownType = {
  read(json, path, depth) {
    if (json === null) return { nullValue: 0 };
    switch (typeof json) {
      case "number":
        return { numberValue: json };
      case "string":
        return { stringValue: json };
      case "boolean":
        return { boolValue: json };
      case "object":
        return Array.isArray(json)
          ? { listValue: readMessage("google.protobuf.ListValue", json, path, depth + 1) }
          : { structValue: readMessage("google.protobuf.Struct", json, path, depth + 1) };
      default:
        throw new FieldProblem(path, `expected a JSON value, got ${describe(json)}`);
    }
  },
  write(plain, path) {
    if (plain.structValue !== undefined) return writeFields((plain.structValue as { fields?: unknown }).fields, path);
    if (plain.listValue !== undefined) return writeValues((plain.listValue as { values?: unknown }).values, path);
    return plain.numberValue ?? plain.stringValue ?? plain.boolValue ?? null;
  },
};

const listValue: WellKnownType = {
  read(json, path, depth) {
    if (!Array.isArray(json)) throw new FieldProblem(path, `expected an array, got ${describe(json)}`);
    return { values: json.map((item, index) => readMessage(VALUE, item, `${path}[${index}]`, depth + 1)) };
  },
  write: (plain, path) => writeValues(plain.values, path),
};

function writeFields(fields: unknown, path: string): Record<string, unknown> {
  const entries = Object.entries((fields ?? {}) as Record<string, Record<string, unknown>>);
  return Object.fromEntries(entries.map(([key, item]) => [key, value.write(item, join(path, key))]));
}

function writeValues(values: unknown, path: string): unknown[] {
  return ((values ?? []) as Record<string, unknown>[]).map((item, index) => value.write(item, `${path}[${index}]`));
}

/** google.protobuf.Int64Value and kin: JSON is the bare value, written as its scalar type is. */
function wrapper(typeName: string): WellKnownType {
  const scalarType = findField(typeName, "value")!.scalarType!;
  const zero = zeroOf(scalarType);
  return {
    read: (json, path) => ({ value: readScalar(scalarType, json, path) }),
    write: (plain) => plain.value ?? zero,
  };
}

/** The JSON of a scalar's default value, which toObject leaves out. */
function zeroOf(scalarType: string): unknown {
  if (integerRanges[scalarType]?.[2]) return "0";
  switch (scalarType) {
    case "bool":
      return false;
    case "string":
    case "bytes":
      return "";
    default:
      return 0;
  }
}

// Only those the generated closure of flyteidl reaches are in the descriptor.
const wrapperTypes = ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"]
  .map((name) => `google.protobuf.${name}Value`)
  .filter(hasMessage);

const scalarJsonTypes: ReadonlySet<string> = new Set(["google.protobuf.Timestamp", "google.protobuf.Duration", ...wrapperTypes]);

const wellKnownTypes = new Map<string, WellKnownType>([
  ["google.protobuf.Timestamp", timestamp],
  ["google.protobuf.Duration", duration],
  ["google.protobuf.Struct", struct],
  [VALUE, value],
  ["google.protobuf.ListValue", listValue],
  ...wrapperTypes.map((name) => [name, wrapper(name)] as const),
]);

// ---------------------------------------------------------------------------------------------
// Helpers

function isJsonObject(json: unknown): json is Record<string, unknown> {
  return typeof json === "object" && json !== null && !Array.isArray(json);
}

/** Map and Struct keys are kept as given, except the one that would reach a prototype. */
function safeKey(key: string, path: string): string {
  if (key === "__proto__") throw new FieldProblem(path, `"__proto__" is not allowed as a key`);
  return key;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** What a JSON value is, for messages: short, with strings quoted and cut. */
function describe(json: unknown): string {
  if (json === null) return "null";
  if (Array.isArray(json)) return "an array";
  switch (typeof json) {
    case "string":
      return JSON.stringify(json.length > 40 ? `${json.slice(0, 40)}...` : json);
    case "number":
    case "boolean":
      return String(json);
    case "object":
      return "an object";
    default:
      return typeof json;
  }
}
