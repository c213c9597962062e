/**
 * Connector outputs made as the Python SDKs make them: flytekit's and flyte-sdk's connectors return
 * Python values, which TypeEngine turns into literals by the value's own type. The one difference
 * from toLiteral's inference is a dict: since flytekit 1.14 it becomes MessagePack bytes tagged
 * "msgpack" (literal type STRUCT), not a google.protobuf.Struct. So a connector that must answer
 * exactly what its Python twin answers makes its outputs here.
 */
import { flyteidl } from "../idl/index.js";
import { describeValue, keyPath, LiteralConversionError } from "./errors.js";
import { isPlainObject } from "./struct.js";
import { toLiteral } from "./to-literal.js";
import { PythonFloat } from "./values.js";

/** flytekit >= 1.14 writes dicts and dataclasses as MessagePack in a Binary with this tag (MESSAGEPACK). */
export const MSGPACK_TAG = "msgpack";

/**
 * `value` as TypeEngine.to_literal makes it from a Python value: null none, boolean, an integer
 * number or bigint integer, any other number float, string, Date datetime, StructuredDataset a
 * structured dataset (format ""), an array a collection of each, a plain object (dict) MessagePack
 * bytes tagged "msgpack".
 */
export function pythonLiteral(value: unknown, name = "value"): flyteidl.core.Literal {
  if (Array.isArray(value)) {
    return new flyteidl.core.Literal({
      collection: { literals: value.map((item, index) => pythonLiteral(item, keyPath(name, index))) },
    });
  }
  if (isPlainObject(value)) {
    return new flyteidl.core.Literal({ scalar: { binary: { value: packPython(value, name), tag: MSGPACK_TAG } } });
  }
  return toLiteral(value, null, name);
}

/** Named values as a LiteralMap, each made by pythonLiteral (flytekit's dict_to_literal_map). */
export function pythonOutputs(values: Readonly<Record<string, unknown>>): flyteidl.core.LiteralMap {
  const literals = Object.entries(values).map(([name, value]) => [name, pythonLiteral(value, JSON.stringify(name))] as const);
  return new flyteidl.core.LiteralMap({ literals: Object.fromEntries(literals) });
}

/**
 * msgpack-python's Packer nesting limit (DEFAULT_RECURSE_LIMIT, 511 before msgpack 1.2.0); it
 * also stops a cycle. Its unpacker reads deeper (unpackb.ts, MAX_UNPACK_DEPTH).
 */
export const MAX_DEPTH = 511;

/** The length headers of str, bin, array and map: a fix form for short ones, then 8, 16, 32 bits. */
interface SizedFormat {
  readonly fix?: number;
  readonly fixMax?: number;
  readonly u8?: number;
  readonly u16: number;
  readonly u32: number;
}
const STR: SizedFormat = { fix: 0xa0, fixMax: 0x1f, u8: 0xd9, u16: 0xda, u32: 0xdb };
const BIN: SizedFormat = { u8: 0xc4, u16: 0xc5, u32: 0xc6 };
const ARRAY: SizedFormat = { fix: 0x90, fixMax: 0x0f, u16: 0xdc, u32: 0xdd };
const MAP: SizedFormat = { fix: 0x80, fixMax: 0x0f, u16: 0xde, u32: 0xdf };

/**
 * `value` packed as msgpack-python's Packer packs the Python value it stands for: null or undefined
 * nil, an integer number within int64 or a bigint within int64/uint64 the smallest int format, any
 * other number or a PythonFloat float64, string str, Uint8Array bin, array array, plain object map.
 * (@msgpack/msgpack cannot write a whole-number float, nor bigints beside numbers above 2^32.)
 */
function packPython(value: unknown, where: string): Uint8Array {
  const packer = new PythonPacker();
  packer.pack(value, where, 0);
  return packer.bytes();
}

class PythonPacker {
  private readonly chunks: Uint8Array[] = [];

  bytes(): Uint8Array {
    const bytes = new Uint8Array(this.chunks.reduce((length, chunk) => length + chunk.length, 0));
    let offset = 0;
    for (const chunk of this.chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  }

  pack(value: unknown, where: string, depth: number): void {
    if (depth > MAX_DEPTH) throw new LiteralConversionError(`cannot convert ${where} to MessagePack: nested deeper than ${MAX_DEPTH} levels`);
    if (value === null || value === undefined) return this.head(0xc0);
    if (typeof value === "boolean") return this.head(value ? 0xc3 : 0xc2);
    if (value instanceof PythonFloat) return this.float(value.value);
    if (typeof value === "number") {
      const integer = Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63;
      return integer ? this.integer(BigInt(value), where) : this.float(value);
    }
    if (typeof value === "bigint") return this.integer(value, where);
    if (typeof value === "string") return this.sized(STR, new TextEncoder().encode(value));
    if (value instanceof Uint8Array) return this.sized(BIN, value);
    if (Array.isArray(value)) {
      this.length(ARRAY, value.length);
      value.forEach((item, index) => this.pack(item, keyPath(where, index), depth + 1));
      return;
    }
    if (isPlainObject(value)) {
      const entries = Object.entries(value);
      this.length(MAP, entries.length);
      for (const [key, item] of entries) {
        this.pack(key, where, depth + 1);
        this.pack(item, keyPath(where, key), depth + 1);
      }
      return;
    }
    throw new LiteralConversionError(`cannot convert ${where} to MessagePack: got ${describeValue(value)}`);
  }

  private integer(n: bigint, where: string): void {
    if (n >= 0n && n < 0x80n) return this.head(Number(n));
    if (n < 0n && n >= -0x20n) return this.head(0xe0 | (Number(n) + 0x20));
    if (n >= 0n && n <= 0xffn) return this.head(0xcc, 1, (view) => view.setUint8(0, Number(n)));
    if (n < 0n && n >= -0x80n) return this.head(0xd0, 1, (view) => view.setInt8(0, Number(n)));
    if (n >= 0n && n <= 0xffffn) return this.head(0xcd, 2, (view) => view.setUint16(0, Number(n)));
    if (n < 0n && n >= -0x8000n) return this.head(0xd1, 2, (view) => view.setInt16(0, Number(n)));
    if (n >= 0n && n <= 0xffffffffn) return this.head(0xce, 4, (view) => view.setUint32(0, Number(n)));
    if (n < 0n && n >= -0x80000000n) return this.head(0xd2, 4, (view) => view.setInt32(0, Number(n)));
    if (n >= 0n && n < 2n ** 64n) return this.head(0xcf, 8, (view) => view.setBigUint64(0, n));
    if (n < 0n && n >= -(2n ** 63n)) return this.head(0xd3, 8, (view) => view.setBigInt64(0, n));
    throw new LiteralConversionError(`cannot convert ${where} to MessagePack: got ${describeValue(n)} (outside the int64 and uint64 range)`);
  }

  private float(value: number): void {
    this.head(0xcb, 8, (view) => view.setFloat64(0, value));
  }

  private sized(format: SizedFormat, data: Uint8Array): void {
    this.length(format, data.length);
    this.chunks.push(data);
  }

  private length(format: SizedFormat, n: number): void {
    if (format.fix !== undefined && n <= (format.fixMax ?? 0)) this.head(format.fix | n);
    else if (format.u8 !== undefined && n <= 0xff) this.head(format.u8, 1, (view) => view.setUint8(0, n));
    else if (n <= 0xffff) this.head(format.u16, 2, (view) => view.setUint16(0, n));
    else this.head(format.u32, 4, (view) => view.setUint32(0, n));
  }

  /** A type byte, then `size` bytes that `write` fills (big-endian, as DataView writes by default). */
  private head(type: number, size = 0, write?: (view: DataView) => void): void {
    const bytes = new Uint8Array(1 + size);
    bytes[0] = type;
    write?.(new DataView(bytes.buffer, 1));
    this.chunks.push(bytes);
  }
}
