/** Binary protobuf in and out of the generated types, with decode failures as INVALID_ARGUMENT. */
import protobuf from "protobufjs/light.js";
import { InvalidArgumentError, errorMessage } from "../connector/errors.js";
import { MAX_MESSAGE_DEPTH } from "../limits.js";
import type { MessageType } from "../service/operations.js";

/**
 * protobufjs's Buffer reader with strings read strictly: its own silently cuts a string that runs
 * past the end short instead of failing, and its plain Uint8Array reader, strict, decodes UTF-8 in
 * JavaScript (a fifth of a 2 KB CreateTaskRequest's decode) where Buffer does it natively.
 */
class StrictBufferReader extends protobuf.BufferReader {
  override string(): string {
    const length = this.uint32();
    const start = this.pos;
    if (start + length > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = start + length;
    return (this.buf as NodeBuffer).utf8Slice(start, this.pos);
  }
}

/**
 * Node's Buffer method behind `toString("utf8", start, end)`, without its argument handling (a
 * tenth of a 2 KB CreateTaskRequest's decode); protobufjs's own Buffer reader calls it too.
 */
interface NodeBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}

/**
 * `maxDepth` bounds how deeply the message nests, counted as protobufjs counts (lib/limits.ts):
 * the decoder starts counting from how far below MAX_MESSAGE_DEPTH it is, so the bound costs
 * nothing beyond protobufjs's own check.
 */
export function decodeMessage<T extends object>(
  type: MessageType<T>,
  typeName: string,
  bytes: Uint8Array,
  maxDepth = MAX_MESSAGE_DEPTH,
): T {
  try {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const decode = type.$type.decode as DecodeFrom<T>;
    return decode.call(type.$type, new StrictBufferReader(buffer), undefined, undefined, MAX_MESSAGE_DEPTH - maxDepth);
  } catch (error) {
    const problem = errorMessage(error) === DEPTH_EXCEEDED ? `messages nest deeper than ${maxDepth} levels` : errorMessage(error);
    throw new InvalidArgumentError(`Cannot decode ${typeName}: ${problem}.`, { cause: error });
  }
}

/**
 * A generated decoder as protobufjs calls it when it recurses: after the length, the end-group tag
 * of a group and the depth to count from.
 */
type DecodeFrom<T> = (reader: protobuf.Reader, length: undefined, end: undefined, depth: number) => T;

/** What protobufjs's decoders throw past their recursion limit. */
const DEPTH_EXCEEDED = "maximum nesting depth exceeded";

export function encodeMessage<T extends object>(type: MessageType<T>, message: T): Uint8Array {
  return type.encode(message).finish();
}

/**
 * Standard padded base64 (RFC 4648 §4). Node's decoder skips what is not base64 and takes the
 * URL-safe alphabet too; every skipped character shortens the output, so a length other than
 * padded base64's own gives bad input away. That check is nearly free, where a regular
 * expression over the text cost about 6 µs for a 2 KB request.
 */
export function decodeBase64(text: unknown, what: string): Uint8Array {
  if (typeof text !== "string") throw new InvalidArgumentError(`${what} must be a base64 string.`);
  const bytes = Buffer.from(text, "base64");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const valid =
    text.length % 4 === 0 &&
    bytes.byteLength === (text.length / 4) * 3 - padding &&
    !text.includes("-") &&
    !text.includes("_");
  if (!valid) throw new InvalidArgumentError(`${what} is not valid base64.`);
  return bytes;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
