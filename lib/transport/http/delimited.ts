/**
 * Streams over HTTP as binary protobuf (docs/CONTRACT.md §3): messages one after the other, each
 * preceded by its length as a varint, as protobuf's writeDelimitedTo/parseDelimitedFrom do. The
 * generated code is built without the delimited helpers, so the prefix is written and read here.
 */
import protobuf from "protobufjs/minimal.js";
import { InvalidArgumentError } from "../../connector/errors.js";
import type { MessageType } from "../../service/operations.js";
import { decodeMessage } from "../codec.js";

export function encodeDelimited<T extends object>(type: MessageType<T>, messages: readonly T[]): Uint8Array {
  const writer = protobuf.Writer.create();
  for (const message of messages) {
    writer.fork();
    type.encode(message, writer);
    writer.ldelim();
  }
  return writer.finish();
}

/**
 * The messages of a length-delimited stream; a cut prefix or message, or more than `maxMessages`
 * (checked before each is decoded: empty messages take one byte each), is INVALID_ARGUMENT, as is
 * a message nested deeper than `maxDepth` (decodeMessage).
 */
export function decodeDelimited<T extends object>(
  type: MessageType<T>,
  typeName: string,
  bytes: Uint8Array,
  { maxMessages = Infinity, maxDepth }: { maxMessages?: number; maxDepth?: number } = {},
): T[] {
  const reader = protobuf.Reader.create(bytes);
  const messages: T[] = [];
  while (reader.pos < reader.len) {
    const index = messages.length;
    if (index === maxMessages) throw new InvalidArgumentError(`The ${typeName} stream holds more than ${maxMessages} messages.`);
    let length: number;
    try {
      length = reader.uint32();
    } catch {
      throw new InvalidArgumentError(`Message ${index} of the ${typeName} stream has a cut-off length prefix.`);
    }
    if (length > reader.len - reader.pos) {
      throw new InvalidArgumentError(
        `Message ${index} of the ${typeName} stream is cut off: ${length} bytes announced, ${reader.len - reader.pos} left.`,
      );
    }
    messages.push(decodeMessage(type, typeName, bytes.subarray(reader.pos, reader.pos + length), maxDepth));
    reader.skip(length);
  }
  return messages;
}
