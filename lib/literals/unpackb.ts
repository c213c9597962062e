/**
 * MessagePack as msgpack-python's unpackb reads it: the one reader behind both the literals'
 * MessagePack (flytekit's dicts and dataclasses, attribute access) and boto's input strings
 * (json.dumps(msgpack.unpackb(...))).
 */
import { formatPythonFloat } from "../connector/python-json.js";
import { describeValue, LiteralConversionError } from "./errors.js";
import { safeInteger } from "./primitives.js";
import { floatValue, PythonFloat } from "./values.js";

/**
 * How deeply msgpack-python's unpacker nests arrays and maps: its stack holds 1024 of them
 * (MSGPACK_EMBED_STACK_SIZE, msgpack/unpack.h:19), and one more, even an empty one, is its
 * StackError (unpack_template.h:111). The packer's limit is another (python.ts, MAX_DEPTH).
 */
export const MAX_UNPACK_DEPTH = 1024;

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
   * unpacks dicts and dataclasses (type_engine.py `_default_msgpack_decoder`), also takes int and
   * float keys, held as the text Python's str() and json.dumps both give them: `1`, `1.0`, `1e-07`
   * (json/encoder.py, _iterencode_dict: `_intstr`, `_floatstr` = float.__repr__). A bool, None,
   * NaN or infinite key is refused: str() writes `True`, `None`, `nan` (mashumaro's Dict[str, V]
   * keys), json.dumps `true`, `null`, `NaN`, and no one text is right for both.
   */
  readonly strictMapKey?: boolean;
}

/**
 * MessagePack bytes as msgpack.unpackb reads them (raw=False): a repeated key, or a number equal
 * to an earlier one as Python compares them (1 and 1.0), keeps the first key and place and the
 * last value. Throws LiteralConversionError where Python fails: truncated or extra bytes, invalid
 * UTF-8, nesting beyond MAX_UNPACK_DEPTH, a key strict_map_key refuses; and for what no JS key
 * can hold as Python holds it (see UnpackbOptions), two keys Python keeps apart with the same
 * text (1 and "1"), and extension types (which neither flytekit nor the Python plugins ever pack).
 */
export function unpackb(bytes: Uint8Array, options: UnpackbOptions = {}): MessagePackValue {
  const reader = new MessagePackReader(bytes, options.strictMapKey ?? true);
  const value = reader.read();
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

/** An array or map being read. */
abstract class Container {
  abstract readonly value: MessagePackValue;
  /** Takes the next item (a map's key, then its value); true once the container is full. */
  abstract add(item: MessagePackValue): boolean;
}

class OpenArray extends Container {
  readonly value: MessagePackValue[] = [];

  constructor(private readonly length: number) {
    super();
  }

  add(item: MessagePackValue): boolean {
    this.value.push(item);
    return this.value.length === this.length;
  }
}

class OpenMap extends Container {
  readonly value = new Map<string, MessagePackValue>();
  private entries = 0;
  private key: string | undefined;
  /** The text of the first key equal to each number (Python's dict holds 1 and 1.0 as one key). */
  private numberTexts: Map<string, string> | undefined;
  /** The number each text of a number key came from. */
  private numberKeys: Map<string, MessagePackValue> | undefined;

  constructor(
    private readonly length: number,
    private readonly strictMapKey: boolean,
  ) {
    super();
  }

  add(item: MessagePackValue): boolean {
    if (this.key === undefined) {
      this.key = this.dictKey(item);
      return false;
    }
    this.value.set(this.key, item);
    this.key = undefined;
    return ++this.entries === this.length;
  }

  private dictKey(key: MessagePackValue): string {
    if (typeof key === "string") {
      const number = this.numberKeys?.get(key);
      if (number !== undefined) throw keptApart(number, key, key);
      return key;
    }
    // unpackb takes bytes keys even when strict; json.dumps would refuse them, str() write `b'...'`.
    if (key instanceof Uint8Array) throw new LiteralConversionError("MessagePack: a map key is bytes; bytes keys are not read");
    if (this.strictMapKey) throw new LiteralConversionError(`MessagePack: a map key is ${describeMessagePack(key)}, which unpackb (strict_map_key=True) refuses`);
    if (typeof key !== "number" && typeof key !== "bigint" && !(key instanceof PythonFloat)) {
      throw new LiteralConversionError(`MessagePack: a map key is ${describeMessagePack(key)}; only str, int and float keys are read`);
    }
    if (!Number.isFinite(Number(key))) throw new LiteralConversionError(`MessagePack: a map key is ${describeMessagePack(key)}; only finite float keys are read`);
    const isInt = typeof key === "bigint" || (typeof key === "number" && Number.isInteger(key));
    // Equal numbers share an identity: a whole float's is its int's.
    const identity = typeof key === "number" && !isInt ? String(key) : BigInt(key.valueOf()).toString();
    this.numberTexts ??= new Map();
    this.numberKeys ??= new Map();
    const first = this.numberTexts.get(identity);
    if (first !== undefined) return first;
    const text = isInt ? String(key) : formatPythonFloat(key.valueOf() as number);
    // Distinct numbers have distinct texts: only a str key can have taken this one.
    if (this.value.has(text)) throw keptApart(text, key, text);
    this.numberTexts.set(identity, text);
    this.numberKeys.set(text, key);
    return text;
  }
}

/** Two keys a Python dict keeps apart whose texts are one JS key. */
function keptApart(first: MessagePackValue, second: MessagePackValue, text: string): LiteralConversionError {
  return new LiteralConversionError(
    `MessagePack: a map has the keys ${describeMessagePack(first)} and ${describeMessagePack(second)}, which a Python dict keeps apart but are both ${JSON.stringify(text)} here`,
  );
}

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

  /** The next value, read with a stack of the containers it is in: no nesting can overflow JS's. */
  read(): MessagePackValue {
    const open: Container[] = [];
    for (;;) {
      let value = this.next(open.length);
      if (value instanceof Container) {
        open.push(value);
        continue;
      }
      // A value may fill its container, which is then a value that may fill its own.
      for (;;) {
        const container = open.at(-1);
        if (container === undefined) return value;
        if (!container.add(value)) break;
        open.pop();
        value = container.value;
      }
    }
  }

  /** The next scalar or empty container, or else the container that opens there. */
  private next(depth: number): MessagePackValue | Container {
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

  private array(length: number, depth: number): MessagePackValue[] | Container {
    this.enter(depth);
    return length === 0 ? [] : new OpenArray(length);
  }

  private map(length: number, depth: number): Map<string, MessagePackValue> | Container {
    this.enter(depth);
    return length === 0 ? new Map() : new OpenMap(length, this.strictMapKey);
  }

  /** msgpack-python's check as a container starts, `depth` containers in. */
  private enter(depth: number): void {
    if (depth >= MAX_UNPACK_DEPTH) throw new LiteralConversionError(`MessagePack: nested deeper than ${MAX_UNPACK_DEPTH} levels`);
  }
}
