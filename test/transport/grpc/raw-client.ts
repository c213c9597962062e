/**
 * A plain grpc-js client with the generated codecs, independent of lib/client: what
 * FlytePropeller does, method path by method path. Failures reject with grpc-js's ServiceError.
 */
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
