/**
 * A plain grpc-js client with the generated codecs, independent of lib/client: what
 * FlytePropeller does, method path by method path. Failures reject with grpc-js's ServiceError.
 */
import { once } from "node:events";
import { connect } from "node:net";
import { Client, credentials, type CallOptions, type ChannelCredentials, type ServiceError } from "@grpc/grpc-js";
import type { MessageType } from "../../../lib/service/operations.js";

export interface Method<Req extends object, Res extends object> {
  readonly path: string;
  readonly requestType: MessageType<Req>;
  readonly responseType: MessageType<Res>;
}

export class RawClient {
  readonly client: Client;

  constructor(address: string, channelCredentials: ChannelCredentials = credentials.createInsecure()) {
    this.client = new Client(address, channelCredentials);
  }

  unary<Req extends object, Res extends object>(method: Method<Req, Res>, request: Req, options: CallOptions = {}): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(method.path, serializer(method.requestType), deserializer(method.responseType), request, options, (error, response) =>
        error ? reject(error) : resolve(response!),
      );
    });
  }

  serverStream<Req extends object, Res extends object>(method: Method<Req, Res>, request: Req, options: CallOptions = {}): Promise<Res[]> {
    return collect(this.client.makeServerStreamRequest(method.path, serializer(method.requestType), deserializer(method.responseType), request, options));
  }

  bidi<Req extends object, Res extends object>(method: Method<Req, Res>, requests: Req[], options: CallOptions = {}): Promise<Res[]> {
    const call = this.client.makeBidiStreamRequest(method.path, serializer(method.requestType), deserializer(method.responseType), options);
    const answer = collect<Res>(call);
    for (const request of requests) call.write(request);
    call.end();
    return answer;
  }

  /** Sends the bytes as they are, as a client with another idea of the message would. */
  unaryBytes<Res extends object>(path: string, bytes: Uint8Array, responseType: MessageType<Res>, options: CallOptions = {}): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(path, (b: Uint8Array) => Buffer.from(b), deserializer(responseType), bytes, options, (error, response) =>
        error ? reject(error) : resolve(response!),
      );
    });
  }

  /** A server-streaming call whose request is sent as the given bytes. */
  serverStreamBytes<Res extends object>(path: string, bytes: Uint8Array, responseType: MessageType<Res>, options: CallOptions = {}): Promise<Res[]> {
    return collect(this.client.makeServerStreamRequest(path, (b: Uint8Array) => Buffer.from(b), deserializer(responseType), bytes, options));
  }

  /** A bidi call whose messages are sent as the given bytes (on any method: a unary one then gets as many messages). */
  bidiBytes<Res extends object>(path: string, chunks: readonly Uint8Array[], responseType: MessageType<Res>, options: CallOptions = {}): Promise<Res[]> {
    const call = this.client.makeBidiStreamRequest(path, (b: Uint8Array) => Buffer.from(b), deserializer(responseType), options);
    const answer = collect<Res>(call);
    for (const chunk of chunks) call.write(chunk);
    call.end();
    return answer;
  }

  close(): void {
    this.client.close();
  }
}

function serializer<T extends object>(type: MessageType<T>) {
  return (message: T) => Buffer.from(type.encode(message).finish());
}

function deserializer<T extends object>(type: MessageType<T>) {
  return (bytes: Buffer) => type.decode(bytes);
}

function collect<T>(stream: NodeJS.EventEmitter): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const messages: T[] = [];
    stream.on("data", (message: T) => messages.push(message));
    stream.on("error", reject);
    stream.on("end", () => resolve(messages));
  });
}

/** The ServiceError a promise rejects with. */
export async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected the call to fail");
}

/** HTTP/2 frame types and flags, and the CANCEL error code (RFC 9113 §6, §7). */
const H2 = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, END_HEADERS: 0x4, CANCEL: 0x8 } as const;

/**
 * Over a bare HTTP/2 connection, opens a call on stream 1, sends the messages, then cancels it
 * with RST_STREAM(CANCEL) and no END_STREAM, as grpc-go does (grpc-js's client half-closes first).
 * Resolves once the server has had time to read the reset.
 */
export async function sendThenCancel(address: string, path: string, messages: readonly Uint8Array[]): Promise<void> {
  const colon = address.lastIndexOf(":");
  const socket = connect(Number(address.slice(colon + 1)), address.slice(0, colon));
  await once(socket, "connect");
  socket.resume();
  const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
  const headers = [[":method", "POST"], [":scheme", "http"], [":path", path], [":authority", address], ["content-type", "application/grpc"], ["te", "trailers"]];
  const data = messages.map((message) => Buffer.concat([Buffer.of(0), uint32(message.byteLength), message]));
  try {
    socket.write(
      Buffer.concat([
        Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        h2Frame(H2.SETTINGS, 0, 0, Buffer.alloc(0)),
        h2Frame(H2.HEADERS, H2.END_HEADERS, 1, Buffer.concat(headers.map(([name, value]) => hpackLiteral(name!, value!)))),
        h2Frame(H2.DATA, 0, 1, Buffer.concat(data)),
      ]),
    );
    await pause();
    socket.write(h2Frame(H2.RST_STREAM, 0, 1, uint32(H2.CANCEL)));
    await pause();
  } finally {
    socket.destroy();
  }
}

function h2Frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.byteLength, 0, 3);
  header.writeUInt8(type, 3);
  header.writeUInt8(flags, 4);
  header.writeUInt32BE(stream, 5);
  return Buffer.concat([header, payload]);
}

/** A literal header field without indexing, new name, no Huffman coding (RFC 7541 §6.2.2); short strings only. */
function hpackLiteral(name: string, value: string): Buffer {
  const [nameBytes, valueBytes] = [Buffer.from(name), Buffer.from(value)];
  if (nameBytes.byteLength > 126 || valueBytes.byteLength > 126) throw new Error("hpackLiteral takes strings under 127 bytes");
  return Buffer.concat([Buffer.of(0, nameBytes.byteLength), nameBytes, Buffer.of(valueBytes.byteLength), valueBytes]);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}
