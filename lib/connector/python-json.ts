/**
 * JSON exactly as Python's `json.dumps` (default arguments) writes it and `json.loads` reads it,
 * so bytes written here and by flytekit are interchangeable (docs/CONTRACT.md §5): `", "` and `": "`
 * separators, ensure_ascii escapes, Python float repr, NaN/Infinity, ints of any size, dict
 * key order kept.
 */
import { floatValue, PythonFloat } from "../literals/values.js";

/** A whole-number float (`pythonFloat(2)`), written as a float: it lives with the literals' values, which convert it too. */
export { PythonFloat, pythonFloat } from "../literals/values.js";

/**
 * A value `json.dumps` can write. Numbers: an integral JS number or a bigint is a Python int, any
 * other number (fractions, NaN, ±Infinity) a Python float, a PythonFloat always a float.
 */
export type JsonValue =
  | null
  | boolean
  | string
  | number
  | bigint
  | PythonFloat
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16 on. */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  // Number#toString gives the shortest digits that round-trip (and the closest when there is a
  // choice), as Python's repr does; only the layout differs, so take the digits and re-lay them.
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(value)));
  if (!match) throw new Error(`Unexpected number format: ${value}`);
  const [, whole = "", fraction = "", exponent = "0"] = match;
  let digits = whole + fraction;
  // The decimal point sits after `point` digits: value = 0.<digits> * 10^point.
  let point = whole.length + Number(exponent);
  while (digits.length > 1 && digits.startsWith("0")) {
    digits = digits.slice(1);
    point -= 1;
  }
  digits = digits.replace(/0+$/, "") || "0";

  if (point > 16 || point <= -4) {
    const power = point - 1;
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    return `${sign}${mantissa}e${power < 0 ? "-" : "+"}${String(Math.abs(power)).padStart(2, "0")}`;
  }
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const shortEscapes: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/**
 * A JSON string literal with ensure_ascii: everything outside 0x20..0x7E is `\uXXXX` (lowercase
 * hex; astral characters as their two UTF-16 surrogates, which is how JS strings hold them).
 */
export function quotePythonString(value: string): string {
  const escaped = value.replace(
    /[\\"]|[^\x20-\x7e]/g,
    (char) => shortEscapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `"${escaped}"`;
}

/**
 * Dict key order as parsed. JS objects list integer-like keys ("1", "10") first whatever the
 * order they were set in, so the parsed order is kept aside for writing the object back.
 */
const parsedKeyOrder = new WeakMap<object, readonly string[]>();

/** An object's keys in the order parsePythonJson read them, then any set since. */
export function keysInOrder(object: object): string[] {
  const own = Object.keys(object);
  const parsed = parsedKeyOrder.get(object);
  if (!parsed) return own;
  const ownSet = new Set(own);
  const kept = parsed.filter((key) => ownSet.has(key));
  const keptSet = new Set(kept);
  return [...kept, ...own.filter((key) => !keptSet.has(key))];
}

function describePath(path: string): string {
  return path === "" ? "value" : `value at ${path}`;
}

/** `json.dumps(value)`. Throws a TypeError naming the path of anything that is not a JsonValue. */
export function toPythonJson(value: JsonValue): string {
  const ancestors = new Set<object>();

  const write = (item: unknown, path: string): string => {
    switch (typeof item) {
      case "string":
        return quotePythonString(item);
      case "boolean":
        return item ? "true" : "false";
      case "bigint":
        return item.toString();
      case "number":
        // An integral number is a Python int; BigInt spells large ones out instead of "1e+21".
        return Number.isInteger(item) ? BigInt(item).toString() : formatPythonFloat(item);
      case "object":
        break;
      default:
        throw new TypeError(`${describePath(path)} is ${typeof item}, which is not JSON.`);
    }
    if (item === null) return "null";
    if (item instanceof PythonFloat) return formatPythonFloat(item.value);
    if (ancestors.has(item)) throw new TypeError(`${describePath(path)} is a circular reference.`);
    ancestors.add(item);
    let written: string;
    if (Array.isArray(item)) {
      written = `[${item.map((element, index) => write(element, `${path}[${index}]`)).join(", ")}]`;
    } else {
      const prototype: unknown = Object.getPrototypeOf(item);
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError(`${describePath(path)} is a ${item.constructor.name}, not a plain object.`);
      }
      const record = item as Readonly<Record<string, unknown>>;
      const members = keysInOrder(record).map(
        (key) => `${quotePythonString(key)}: ${write(record[key], path === "" ? key : `${path}.${key}`)}`,
      );
      written = `{${members.join(", ")}}`;
    }
    ancestors.delete(item);
    return written;
  };

  return write(value, "");
}

/** Python's recursion limit stops json.loads near 1000 levels; stop earlier with a clear message. */
const maxDepth = 500;

/**
 * `json.loads(text)`: ints are numbers (bigints beyond ±2^53−1), fractional floats numbers,
 * integral floats PythonFloat; NaN, Infinity and -Infinity are accepted. Throws a SyntaxError
 * with the position of the first problem.
 */
export function parsePythonJson(text: string): JsonValue {
  let position = 0;
  let depth = 0;

  const fail = (what: string, at = position): never => {
    throw new SyntaxError(`${what} at position ${at}.`);
  };
  const skipWhitespace = (): void => {
    for (let code = text.charCodeAt(position); code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09; ) {
      code = text.charCodeAt(++position);
    }
  };
  const consume = (literal: string): boolean => {
    if (!text.startsWith(literal, position)) return false;
    position += literal.length;
    return true;
  };

  const parseString = (): string => {
    const start = position;
    position += 1; // opening quote
    let result = "";
    for (;;) {
      const char = text.charAt(position);
      if (position >= text.length) fail("Unterminated string starting", start);
      if (char === '"') {
        position += 1;
        return result;
      }
      if (char < " ") fail("Invalid control character in string");
      if (char !== "\\") {
        result += char;
        position += 1;
        continue;
      }
      const escape = text.charAt(position + 1);
      if (escape === "u") {
        const hex = text.slice(position + 2, position + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("Invalid \\uXXXX escape");
        result += String.fromCharCode(Number.parseInt(hex, 16));
        position += 6;
        continue;
      }
      const unescaped = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }[escape];
      if (unescaped === undefined) fail("Invalid \\escape");
      result += unescaped;
      position += 2;
    }
  };

  const parseNumber = (): number | bigint | PythonFloat => {
    const match = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    match.lastIndex = position;
    const found = match.exec(text);
    if (!found) return fail("Expecting value");
    position = match.lastIndex;
    const [literal, fraction, exponent] = found;
    if (fraction === undefined && exponent === undefined) {
      // Up to 15 digits a number is exact (+ 0 makes "-0" the int 0, as in Python).
      if (literal.length <= 15) return Number(literal) + 0;
      const integer = BigInt(literal);
      return integer >= BigInt(Number.MIN_SAFE_INTEGER) && integer <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(integer)
        : integer;
    }
    return floatValue(Number(literal));
  };

  const parseValue = (): JsonValue => {
    skipWhitespace();
    const char = text.charAt(position);
    if (char === '"') return parseString();
    if (char === "{" || char === "[") {
      depth += 1;
      if (depth > maxDepth) fail(`Nesting deeper than ${maxDepth} levels`);
      const parsed = char === "{" ? parseObject() : parseArray();
      depth -= 1;
      return parsed;
    }
    if (consume("null")) return null;
    if (consume("true")) return true;
    if (consume("false")) return false;
    if (consume("NaN")) return Number.NaN;
    if (consume("Infinity")) return Infinity;
    if (consume("-Infinity")) return -Infinity;
    return parseNumber();
  };

  const parseArray = (): JsonValue[] => {
    position += 1;
    const items: JsonValue[] = [];
    skipWhitespace();
    if (consume("]")) return items;
    for (;;) {
      items.push(parseValue());
      skipWhitespace();
      if (consume("]")) return items;
      if (!consume(",")) fail("Expecting ',' delimiter");
    }
  };

  const parseObject = (): Record<string, JsonValue> => {
    position += 1;
    const object: Record<string, JsonValue> = {};
    const order: string[] = [];
    skipWhitespace();
    if (!consume("}")) {
      for (;;) {
        skipWhitespace();
        if (text.charAt(position) !== '"') fail("Expecting property name enclosed in double quotes");
        const key = parseString();
        skipWhitespace();
        if (!consume(":")) fail("Expecting ':' delimiter");
        const value = parseValue();
        if (!Object.hasOwn(object, key)) order.push(key);
        // A "__proto__" key must be data, not the prototype: assigned, it would set the prototype.
        if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
        else object[key] = value;
        skipWhitespace();
        if (consume("}")) break;
        if (!consume(",")) fail("Expecting ',' delimiter");
      }
    }
    const jsOrder = Object.keys(object);
    if (jsOrder.some((key, index) => key !== order[index])) parsedKeyOrder.set(object, order);
    return object;
  };

  const value = parseValue();
  skipWhitespace();
  if (position < text.length) fail("Extra data");
  return value;
}
