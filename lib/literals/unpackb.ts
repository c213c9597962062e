/**
 * MessagePack as msgpack-python's unpackb reads it: the one reader behind both the literals'
 * MessagePack (flytekit's dicts and dataclasses, attribute access) and boto's input strings
 * (json.dumps(msgpack.unpackb(...))).
 */
import { describeValue, LiteralConversionError } from "./errors.js";
import { safeInteger } from "./primitives.js";
import { MAX_DEPTH } from "./python.js";
import { floatValue, PythonFloat } from "./values.js";

/**
 * A value as msgpack-python unpacks it, with what a JS value would lose kept: a float whose value
 * is whole is a PythonFloat (float32 and float64 both unpack as a Python float, `1.0`), an int is
 * exact (fromInt64's rule: a bigint beyond 2^53), bin is bytes, and a dict is a Map in the order
 * its keys were packed (a JS object lists integer-like keys first).
 */
export type MessagePackValue =
  | null
  | boolean
  | number
  | bigint
  | PythonFloat
  | string
  | Uint8Array
  | MessagePackValue[]
  | Map<string, MessagePackValue>;

export interface UnpackbOptions {
  /**
   * msgpack-python's strict_map_key (its default, true): only str keys. False, as flytekit
   * unpacks dicts and dataclasses (type_engine.py `_default_msgpack_decoder`), also takes int
   * and float keys, held as their text as a JS object would.
   */
  readonly strictMapKey?: boolean;
}

/**
 * MessagePack bytes as msgpack.unpackb reads them (raw=False): a repeated key keeps its first
 * place and last value. Throws LiteralConversionError where Python fails: truncated or extra
 * bytes, invalid UTF-8, a key strict_map_key refuses or no JS key can hold. Extension types
 * (which neither flytekit nor the Python plugins ever pack) are refused too.
 */
export function unpackb(bytes: Uint8Array, options: UnpackbOptions = {}): MessagePackValue {
  const reader = new MessagePackReader(bytes, options.strictMapKey ?? true);
  const value = reader.value(0);
  if (!reader.done()) throw new LiteralConversionError("MessagePack: extra data after the value");
  return value;
}

/** What a MessagePack value is, for error messages, in Python's words for numbers (`float 2.0`). */
export function describeMessagePack(value: MessagePackValue): string {
  if (value instanceof PythonFloat) {
    const text = String(value.value);
    return `float ${/[.e]/.test(text) ? text : `${text}.0`}`;
  }
  if (typeof value === "number") return Number.isInteger(value) ? `int ${value}` : `float ${value}`;
  if (typeof value === "bigint") return `int ${value}`;
  if (value instanceof Map) return "map";
  if (value instanceof Uint8Array) return "bytes";
  return describeValue(value);
}

/** Python's strict utf-8 codec: invalid bytes fail, a leading U+FEFF stays. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class MessagePackReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly strictMapKey: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.offset === this.bytes.length;
  }

  value(depth: number): MessagePackValue {
    // msgpack-python stops at its recursion limit; so does the packer (python.ts).
    if (depth > MAX_DEPTH) throw new LiteralConversionError(`MessagePack: nested deeper than ${MAX_DEPTH} levels`);
    const type = this.view.getUint8(this.take(1));
    if (type <= 0x7f) return type;
    if (type >= 0xe0) return type - 0x100;
    if (type <= 0x8f) return this.map(type & 0x0f, depth);
    if (type <= 0x9f) return this.array(type & 0x0f, depth);
    if (type <= 0xbf) return this.str(type & 0x1f);
    switch (type) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.bin(this.view.getUint8(this.take(1)));
      case 0xc5: return this.bin(this.view.getUint16(this.take(2)));
      case 0xc6: return this.bin(this.view.getUint32(this.take(4)));
      case 0xca: return floatValue(this.view.getFloat32(this.take(4)));
      case 0xcb: return floatValue(this.view.getFloat64(this.take(8)));
      case 0xcc: return this.view.getUint8(this.take(1));
      case 0xcd: return this.view.getUint16(this.take(2));
      case 0xce: return this.view.getUint32(this.take(4));
      case 0xcf: return safeInteger(this.view.getBigUint64(this.take(8)));
      case 0xd0: return this.view.getInt8(this.take(1));
      case 0xd1: return this.view.getInt16(this.take(2));
      case 0xd2: return this.view.getInt32(this.take(4));
      case 0xd3: return safeInteger(this.view.getBigInt64(this.take(8)));
      case 0xd9: return this.str(this.view.getUint8(this.take(1)));
      case 0xda: return this.str(this.view.getUint16(this.take(2)));
      case 0xdb: return this.str(this.view.getUint32(this.take(4)));
      case 0xdc: return this.array(this.view.getUint16(this.take(2)), depth);
      case 0xdd: return this.array(this.view.getUint32(this.take(4)), depth);
      case 0xde: return this.map(this.view.getUint16(this.take(2)), depth);
      case 0xdf: return this.map(this.view.getUint32(this.take(4)), depth);
    }
    if (type === 0xc1) throw new LiteralConversionError("MessagePack: holds the unused type 0xc1");
    throw new LiteralConversionError("MessagePack: holds an extension type, which flytekit never packs");
  }

  /** The offset of the next `size` bytes, which it moves past. */
  private take(size: number): number {
    if (this.offset + size > this.bytes.length) throw new LiteralConversionError("MessagePack: truncated");
    const at = this.offset;
    this.offset += size;
    return at;
  }

  private str(length: number): string {
    const at = this.take(length);
    try {
      return UTF8.decode(this.bytes.subarray(at, at + length));
    } catch {
      throw new LiteralConversionError("MessagePack: a str is not valid UTF-8");
    }
  }

  /** A copy, so the value outlives the request's buffer. */
  private bin(length: number): Uint8Array {
    const at = this.take(length);
    return this.bytes.slice(at, at + length);
  }

  private array(length: number, depth: number): MessagePackValue[] {
    const items: MessagePackValue[] = [];
    for (let index = 0; index < length; index++) items.push(this.value(depth + 1));
    return items;
  }

  private map(length: number, depth: number): Map<string, MessagePackValue> {
    const entries = new Map<string, MessagePackValue>();
    for (let index = 0; index < length; index++) {
      const key = this.key(this.value(depth + 1));
      entries.set(key, this.value(depth + 1));
    }
    return entries;
  }

  private key(key: MessagePackValue): string {
    if (typeof key === "string") return key;
    if (this.strictMapKey) throw new LiteralConversionError(`MessagePack: a map key is ${describeMessagePack(key)}, which unpackb (strict_map_key=True) refuses`);
    if (typeof key === "number" || typeof key === "bigint" || key instanceof PythonFloat) return String(key.valueOf());
    throw new LiteralConversionError(`MessagePack: a map key is ${describeMessagePack(key)}; only str, int and float keys are read`);
  }
}
