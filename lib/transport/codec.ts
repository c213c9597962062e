/** Binary protobuf in and out of the generated types, with decode failures as INVALID_ARGUMENT. */
import { InvalidArgumentError, errorMessage } from "../connector/errors.js";
import type { MessageType } from "../service/operations.js";

export function decodeMessage<T extends object>(type: MessageType<T>, typeName: string, bytes: Uint8Array): T {
  try {
    return type.decode(bytes);
  } catch (error) {
    throw new InvalidArgumentError(`Cannot decode ${typeName}: ${errorMessage(error)}.`, { cause: error });
  }
}

export function encodeMessage<T extends object>(type: MessageType<T>, message: T): Uint8Array {
  return type.encode(message).finish();
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard padded base64 (RFC 4648 §4); Node's own decoder would silently skip bad characters. */
export function decodeBase64(text: unknown, what: string): Uint8Array {
  if (typeof text !== "string") throw new InvalidArgumentError(`${what} must be a base64 string.`);
  if (!BASE64.test(text)) throw new InvalidArgumentError(`${what} is not valid base64.`);
  return Buffer.from(text, "base64");
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
