/**
 * A Dispatch over gRPC: what the CLI and the tests use to talk to a gRPC front (ours, or
 * flytekit's `pyflyte serve connector`) with the generated codecs. A non-OK status comes back as
 * a ConnectorError with the same code and message; a server that cannot be reached is
 * UNAVAILABLE. grpc-js loads, and the channel opens, on the first call.
 */
import type { CallOptions, ChannelCredentials, ChannelOptions, Client, ClientUnaryCall, ServiceError } from "@grpc/grpc-js";
import { CancelledError, ConnectorError, InvalidArgumentError, Status, type StatusCode } from "../connector/errors.js";
import { operationFor } from "../service/flyteidl2/operations.js";
import type { Dispatch, Operation } from "../service/operations.js";
import { encodeMessage } from "../transport/codec.js";

export interface GrpcDispatchOptions {
  /** `host:port` of the server. */
  readonly address: string;
  /** Default: plaintext. */
  readonly credentials?: ChannelCredentials;
  /** The deadline of each call, in ms from its start, when the dispatch options carry none (default: none). */
  readonly deadlineMs?: number;
  readonly channelOptions?: ChannelOptions;
}

/** What every kind of client call offers (grpc-js does not export its SurfaceCall). */
type ClientCall = Pick<ClientUnaryCall, "cancel" | "on">;

/** A Dispatch holding a channel: close it when done. */
export type GrpcDispatch = Dispatch & { close(): void };

export function createGrpcDispatch(options: GrpcDispatchOptions): GrpcDispatch {
  let client: Client | undefined;
  let closed = false;
  const channel = async (): Promise<Client> => {
    if (client) return client;
    const grpc = await import("@grpc/grpc-js");
    client ??= new grpc.Client(options.address, options.credentials ?? grpc.credentials.createInsecure(), options.channelOptions);
    // Closed before its first call: grpc-js then fails the call as it fails any on a closed client.
    if (closed) client.close();
    return client;
  };

  const dispatch: Dispatch = async (name, requests, dispatchOptions = {}) => {
    const client = await channel();
    const operation: Operation = operationFor(name, dispatchOptions.protocol);
    const deadline =
      dispatchOptions.deadline ?? (options.deadlineMs === undefined ? undefined : Date.now() + options.deadlineMs);
    const callOptions: CallOptions = deadline === undefined ? {} : { deadline };
    const { signal } = dispatchOptions;
    if (signal?.aborted) throw new CancelledError(`${name}: the caller cancelled the call.`);
    const serialize = (message: object) => Buffer.from(encodeMessage(operation.requestType, message));
    const deserialize = (bytes: Buffer) => operation.responseType.decode(bytes);

    if (operation.requestStream) {
      const call = cancelledBy(signal, client.makeBidiStreamRequest(operation.path, serialize, deserialize, callOptions));
      const answer = collect(call);
      for (const request of requests) call.write(request);
      call.end();
      return answer;
    }
    if (requests.length !== 1) {
      throw new InvalidArgumentError(`${name} takes exactly one request message, got ${requests.length}.`);
    }
    const [request] = requests as [object];
    if (operation.responseStream) {
      return collect(cancelledBy(signal, client.makeServerStreamRequest(operation.path, serialize, deserialize, request, callOptions)));
    }
    return new Promise<object[]>((resolve, reject) => {
      cancelledBy(
        signal,
        client.makeUnaryRequest(operation.path, serialize, deserialize, request, callOptions, (error, response) =>
          error || !response ? reject(toConnectorError(error)) : resolve([response]),
        ),
      );
    });
  };

  const close = () => {
    closed = true;
    client?.close();
  };
  return Object.assign(dispatch, { close });
}

/**
 * `call`, cancelled (RST_STREAM, status CANCELLED) when `signal` aborts before it ends: the server
 * stops the work answering it (docs/CONTRACT.md §4).
 */
function cancelledBy<C extends ClientCall>(signal: AbortSignal | undefined, call: C): C {
  if (signal === undefined) return call;
  const cancel = () => call.cancel();
  signal.addEventListener("abort", cancel, { once: true });
  call.on("status", () => signal.removeEventListener("abort", cancel));
  return call;
}

/** Every message of a response stream, or the call's status as a ConnectorError. */
function collect(stream: NodeJS.EventEmitter): Promise<object[]> {
  return new Promise<object[]>((resolve, reject) => {
    const messages: object[] = [];
    stream.on("data", (message: object) => messages.push(message));
    // grpc-js emits "error" for a non-OK status before the stream's "end".
    stream.on("error", (error: ServiceError) => reject(toConnectorError(error)));
    stream.on("end", () => resolve(messages));
  });
}

function toConnectorError(error: ServiceError | null): ConnectorError {
  if (!error) return new ConnectorError(Status.INTERNAL, "The server answered a unary call with no message.");
  return new ConnectorError(error.code as StatusCode, error.details, { cause: error });
}
