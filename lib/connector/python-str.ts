/**
 * Python's `str()` and `repr()` of the JSON-like values a plugin reads from a template (dicts,
 * lists, str, int, float, bool and None), written exactly as Python writes them: the boto plugin
 * splices `str(value)` into strings and hashes `str()` of its config for the idempotence token,
 * and Databricks' entrypoint puts a setting into an f-string; and a datetime's isoformat(), a
 * timedelta's total_seconds() and a Struct's MessageToDict.
 */
import type { google } from "../idl/index.js";
import { floatValue, nanosWithinSecond } from "../literals/values.js";
import { formatPythonFloat, type JsonValue, keysInOrder, PythonFloat } from "./python-json.js";

/** A value pythonRepr writes: a JsonValue, or bytes (as msgpack unpacks a bin) and lists holding them. */
export type PythonValue = JsonValue | Uint8Array | readonly PythonValue[];

/** Python's `str(value)`: a string as it is, anything else as its repr. */
export function pythonStr(value: PythonValue): string {
  return typeof value === "string" ? value : pythonRepr(value);
}

/**
 * Python's `repr(value)`: `'text'`, `1`, `1.0`, `True`, `None`, `b'...'`, `[...]`, `{'key': ...}`,
 * a dict's keys in the order parsePythonJson read them (JS lists integer-like keys first).
 */
export function pythonRepr(value: PythonValue): string {
  if (typeof value === "string") return stringRepr(value);
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  if (value instanceof PythonFloat) return floatRepr(value.value);
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value).toString() : floatRepr(value);
  if (value instanceof Uint8Array) return bytesRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  const record = value as { readonly [key: string]: JsonValue };
  return `{${keysInOrder(record).map((key) => `${stringRepr(key)}: ${pythonRepr(record[key]!)}`).join(", ")}}`;
}

/** repr(float): `nan`, `inf`, `-inf` in lower case, the rest as json.dumps writes floats. */
function floatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return formatPythonFloat(value);
}

/** Characters str.isprintable() refuses: other (Cc, Cf, Cs, Co, Cn) and separators but the space. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

/** CPython's unicode_repr: single quotes unless the text holds one and no double quote. */
function stringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === "\\") out += `\\${char}`;
    else if (char === "\t") out += "\\t";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f || !NOT_PRINTABLE.test(char)) out += char;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out + quote;
}

/** CPython's PyBytes_Repr: `b'...'`, quoted as a str, bytes outside printable ASCII as \xhh. */
function bytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const code of bytes) {
    const char = String.fromCharCode(code);
    if (char === quote || char === "\\") out += `\\${char}`;
    else if (char === "\t") out += "\\t";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (code < 0x20 || code >= 0x7f) out += `\\x${hex(code, 2)}`;
    else out += char;
  }
  return out + quote;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/**
 * `datetime.isoformat(sep)` of an aware UTC datetime, as flytekit reads a Timestamp:
 * `2024-05-01T12:00:00+00:00`, with `.ffffff` microseconds (a PreciseDate's) when they are not
 * zero. `str(datetime)` is `isoformat(" ")`.
 */
export function pythonIsoformat(date: Date, sep = "T"): string {
  const micros = Math.floor(nanosWithinSecond(date) / 1000);
  const iso = date.toISOString();
  return `${iso.slice(0, 10)}${sep}${iso.slice(11, 19)}${micros === 0 ? "" : `.${String(micros).padStart(6, "0")}`}+00:00`;
}

/**
 * `timedelta.total_seconds()` of a google.protobuf.Duration as flytekit reads it: protobuf's
 * ToTimedelta keeps whole microseconds, rounding the nanoseconds toward zero (whatever their sign),
 * and total_seconds divides the microseconds by 10**6, an int division Python rounds once. So the
 * exact microseconds, as the decimal they make, rounded to the nearest double: adding the
 * fraction to the seconds rounds twice (1 s + 999999 µs is 1.9999989999999999, not 1.999999),
 * and so does a double's division once the microseconds pass 2^53 (about 285 years).
 */
export function pythonTotalSeconds(seconds: number, nanos: number): number {
  const micros = BigInt(seconds) * 1_000_000n + BigInt(Math.trunc(nanos / 1000));
  const size = micros < 0n ? -micros : micros;
  return Number(`${micros < 0n ? "-" : ""}${size / 1_000_000n}.${String(size % 1_000_000n).padStart(6, "0")}`);
}

/**
 * json_format.MessageToDict of a Struct, as literal_string_repr reads a generic literal: protobuf's
 * numbers are doubles, so Python sees floats (`3.0`).
 */
export function messageToDict(struct: google.protobuf.IStruct): JsonValue {
  return Object.fromEntries(Object.entries(struct.fields ?? {}).map(([key, value]) => [key, structValue(value)]));
}

function structValue(value: google.protobuf.IValue): JsonValue {
  if (value.numberValue != null) return floatValue(value.numberValue);
  if (value.stringValue != null) return value.stringValue;
  if (value.boolValue != null) return value.boolValue;
  if (value.structValue != null) return messageToDict(value.structValue);
  if (value.listValue != null) return (value.listValue.values ?? []).map(structValue);
  return null;
}
