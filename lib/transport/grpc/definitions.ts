/**
 * grpc-js method definitions from the generated codecs (no proto-loader, so no second
 * protobufjs): the op table's operations and grpc.health.v1. Request bytes that do not decode
 * reach the handler as a `failure` instead of being thrown: grpc-js would answer a throwing
 * deserializer with INTERNAL, where docs/CONTRACT.md §5 says INVALID_ARGUMENT.
 */
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import type { ConnectorError } from "../../connector/errors.js";
import { grpc } from "../../idl/index.js";
import { MAX_REQUEST_DEPTH } from "../../limits.js";
import type { MessageType } from "../../service/operations.js";
import { decodeMessage, encodeMessage } from "../codec.js";

/** What a handler receives for each request message. */
export type Decoded<T extends object> = { readonly message: T } | { readonly failure: ConnectorError };

export type ServerMethod<Req extends object = object, Res extends object = object> = MethodDefinition<Decoded<Req>, Res>;

interface MethodShape<Req extends object, Res extends object> {
  readonly path: string;
  readonly requestType: MessageType<Req>;
  readonly requestTypeName: string;
  readonly responseType: MessageType<Res>;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

export function serverMethod<Req extends object, Res extends object>(shape: MethodShape<Req, Res>): ServerMethod<Req, Res> {
  const { requestType, requestTypeName, responseType } = shape;
  return {
    path: shape.path,
    requestStream: shape.requestStream,
    responseStream: shape.responseStream,
    // The client half is unused by the server, but grpc-js's ServiceDefinition requires it.
    requestSerialize: (request) => {
      if ("failure" in request) throw request.failure;
      return toBuffer(encodeMessage(requestType, request.message));
    },
    requestDeserialize: (bytes) => {
      try {
        return { message: decodeMessage(requestType, requestTypeName, bytes, MAX_REQUEST_DEPTH) };
      } catch (failure) {
        // decodeMessage throws only InvalidArgumentError.
        return { failure: failure as ConnectorError };
      }
    },
    responseSerialize: (response) => toBuffer(encodeMessage(responseType, response)),
    responseDeserialize: (bytes) => responseType.decode(bytes),
  };
}

export const HEALTH_SERVICE = "grpc.health.v1.Health";

const health = grpc.health.v1;

export const healthService = {
  Check: serverMethod({
    path: `/${HEALTH_SERVICE}/Check`,
    requestType: health.HealthCheckRequest,
    requestTypeName: "grpc.health.v1.HealthCheckRequest",
    responseType: health.HealthCheckResponse,
    requestStream: false,
    responseStream: false,
  }),
  Watch: serverMethod({
    path: `/${HEALTH_SERVICE}/Watch`,
    requestType: health.HealthCheckRequest,
    requestTypeName: "grpc.health.v1.HealthCheckRequest",
    responseType: health.HealthCheckResponse,
    requestStream: false,
    responseStream: true,
  }),
} satisfies ServiceDefinition;

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
