/**
 * MessagePack as msgpack-python's unpackb reads it, for a connector that writes it again as
 * json.dumps would (boto's input strings). Apart from the literals' unpackPython so that only that
 * connector's chunk carries it.
 */
import { describeValue, LiteralConversionError } from "./errors.js";
import { safeInteger } from "./primitives.js";
import { MAX_DEPTH } from "./python.js";
import { floatValue, type PythonFloat } from "./values.js";

/**
 * What `json.dumps(msgpack.unpackb(bytes))` sees, with what unpackPython's plain values lose:
 * a float whose value is whole is a PythonFloat (msgpack-python reads float32 and float64 as a
 * float, `1.0`), and a dict is a Map in the order its keys were packed (a JS object lists
 * integer-like keys first).
 */
export type UnpackbValue = null | boolean | number | bigint | PythonFloat | string | UnpackbValue[] | Map<string, UnpackbValue>;

/**
 * MessagePack bytes as msgpack.unpackb (defaults: raw=False, strict_map_key=True) reads them, for
 * json.dumps: ints exact (fromInt64's rule), a repeated key keeps its first place and last value.
 * Throws LiteralConversionError where either fails: truncated or extra bytes, invalid UTF-8, a
 * map key that is not a str, bytes or an extension type (which json.dumps cannot write).
 */
export function unpackb(bytes: Uint8Array): UnpackbValue {
  const reader = new MessagePackReader(bytes);
  const value = reader.value(0);
  if (!reader.done()) throw new LiteralConversionError("MessagePack: extra data after the value");
  return value;
}

/** Python's strict utf-8 codec: invalid bytes fail, a leading U+FEFF stays. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class MessagePackReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.offset === this.bytes.length;
  }

  value(depth: number): UnpackbValue {
    // Python stops near 1000 levels (json.dumps' recursion limit); the packer's limit is enough.
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
    const what = type >= 0xc4 && type <= 0xc6 ? "bytes" : type === 0xc1 ? "the unused type 0xc1" : "an extension type";
    throw new LiteralConversionError(`MessagePack: holds ${what}, which json.dumps cannot write`);
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

  private array(length: number, depth: number): UnpackbValue[] {
    const items: UnpackbValue[] = [];
    for (let index = 0; index < length; index++) items.push(this.value(depth + 1));
    return items;
  }

  private map(length: number, depth: number): Map<string, UnpackbValue> {
    const entries = new Map<string, UnpackbValue>();
    for (let index = 0; index < length; index++) {
      const key = this.value(depth + 1);
      if (typeof key !== "string") throw new LiteralConversionError(`MessagePack: a map key is ${describeValue(key)}, which unpackb (strict_map_key=True) refuses`);
      entries.set(key, this.value(depth + 1));
    }
    return entries;
  }
}
