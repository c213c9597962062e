/**
 * Python's int(), float(), bool() and str() of what msgpack unpacks, as mashumaro's
 * MessagePackDecoder applies them to the items of a list or dict (mashumaro/core/meta/types/unpack.py:
 * unpack_number `int(value)` / `float(value)`, unpack_bool `bool(value)`, unpack_collection
 * `str(value)`): undefined where Python raises.
 */
import { pythonStr, type PythonValue } from "../connector/python-str.js";
import { safeInteger } from "./primitives.js";
import type { MessagePackValue } from "./unpackb.js";
import { PythonFloat } from "./values.js";

/** int(value): a bool 0 or 1, a float truncated, a str or bytes of a decimal int. */
export function intOf(value: MessagePackValue): number | bigint | undefined {
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) return value;
  if (typeof value === "number" || value instanceof PythonFloat) return truncate(value.valueOf());
  if (typeof value === "string") return intOfText(asciiDigits(value), STR_INT);
  if (value instanceof Uint8Array) return intOfText(latin1(value), BYTES_INT);
  return undefined;
}

/** float(value): a bool 0.0 or 1.0, an int rounded to the nearest double, a str or bytes of a float. */
export function floatOf(value: MessagePackValue): number | undefined {
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "bigint" || value instanceof PythonFloat) return Number(value);
  if (typeof value === "string") return floatOfText(asciiDigits(value), STR_FLOAT);
  if (value instanceof Uint8Array) return floatOfText(latin1(value), BYTES_FLOAT);
  return undefined;
}

/** bool(value): false for None, zero and empty ones, true for the rest (NaN too). */
export function boolOf(value: MessagePackValue): boolean {
  if (value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value !== 0n;
  if (typeof value === "number" || value instanceof PythonFloat) return value.valueOf() !== 0;
  return (value instanceof Map ? value.size : value.length) > 0;
}

/**
 * str(value), but for a dict, or a list holding one: unpackb has made its int and float keys text,
 * which its repr would write bare, so undefined.
 */
export function strOf(value: MessagePackValue): string | undefined {
  const holdsDict = (item: MessagePackValue): boolean => item instanceof Map || (Array.isArray(item) && item.some(holdsDict));
  return holdsDict(value) ? undefined : pythonStr(value as PythonValue);
}

/** int(float): toward zero, exact at any size (a bigint beyond 2^53); NaN and infinities have none. */
export function truncate(value: number): number | bigint | undefined {
  if (!Number.isFinite(value)) return undefined;
  // `|| 0`: int(-0.5) and int(-0.0) are 0, not -0.
  const truncated = Math.trunc(value) || 0;
  return Number.isSafeInteger(truncated) ? truncated : BigInt(truncated);
}

/**
 * The text int() and float() read (python3 3.11 tried): spaces around, a sign, digits with
 * single underscores between them; a str's spaces are those str.isspace() takes but 0x1c-0x1f,
 * bytes' only ASCII ones.
 */
const STR_SPACE = "[\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*";
const BYTES_SPACE = "[\\t-\\r ]*";
const DIGITS = "\\d(?:_?\\d)*";
const intText = (space: string) => new RegExp(`^${space}([+-]?${DIGITS})${space}$`);
const floatText = (space: string) =>
  new RegExp(`^${space}([+-]?)(?:(inf|infinity|nan)|((?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:e([+-]?${DIGITS}))?)${space}$`, "i");
const STR_INT = intText(STR_SPACE);
const BYTES_INT = intText(BYTES_SPACE);
const STR_FLOAT = floatText(STR_SPACE);
const BYTES_FLOAT = floatText(BYTES_SPACE);

/** int() of a str refuses more digits than this (sys.get_int_max_str_digits(), Python >= 3.11). */
const MAX_INT_DIGITS = 4300;

function intOfText(text: string, pattern: RegExp): number | bigint | undefined {
  const digits = pattern.exec(text)?.[1]?.replaceAll("_", "");
  if (digits === undefined || digits.replace(/^[+-]/, "").length > MAX_INT_DIGITS) return undefined;
  return safeInteger(BigInt(digits));
}

function floatOfText(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  const [, sign = "", special, mantissa = "", exponent = "0"] = match;
  if (special !== undefined) return /nan/i.test(special) ? Number.NaN : sign === "-" ? -Infinity : Infinity;
  // Number() rounds the decimal to the nearest double, as Python's float() does.
  return Number(`${sign}${mantissa.replaceAll("_", "")}e${exponent.replaceAll("_", "")}`);
}

/**
 * A str's decimal digits of any script as ASCII ones, as int() and float() read them: Unicode
 * encodes each script's digits 0-9 as a run of ten (runs may follow one another).
 */
function asciiDigits(text: string): string {
  return text.replace(/(?![0-9])\p{Nd}/gu, (digit) => {
    let ascii = DIGIT_VALUES.get(digit);
    if (ascii === undefined) {
      const code = digit.codePointAt(0)!;
      let zero = code;
      while (/\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero -= 1;
      ascii = String((code - zero) % 10);
      DIGIT_VALUES.set(digit, ascii);
    }
    return ascii;
  });
}

/** asciiDigits' answers so far: at most one for each of Unicode's few hundred digits. */
const DIGIT_VALUES = new Map<string, string>();

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
