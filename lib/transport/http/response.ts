/**
 * What the adapter answers: response messages in the negotiated type (JSON, or base64 binary
 * protobuf with isBase64Encoded), and failures as grpc-gateway's error body
 * `{"code": <gRPC code>, "message": "...", "details": []}`, always JSON.
 */
import { callerMessage, ConnectorError, Status } from "../../connector/errors.js";
import { toJson } from "../../idl/json-mapping.js";
import type { Operation } from "../../service/operations.js";
import { encodeBase64, encodeMessage } from "../codec.js";
import { INTERNAL_MESSAGE } from "../envelope.js";
import { encodeDelimited } from "./delimited.js";
import { HttpError, httpStatusOf } from "./errors.js";
import { isProtobuf, JSON_TYPE, type MediaType } from "./media-types.js";

/** The result both payload versions accept (`APIGatewayProxyResult`, `APIGatewayProxyStructuredResultV2`). */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** The error body grpc-gateway writes. */
export interface HttpErrorBody {
  readonly code: number;
  readonly message: string;
  readonly details: readonly unknown[];
}

/** Streaming responses are a JSON array or length-delimited protobuf; unary ones a single message. */
export function messagesResponse(operation: Operation, type: MediaType, messages: readonly object[]): HttpResponse {
  const { responseType, responseTypeName } = operation;
  if (!operation.responseStream && messages.length !== 1) {
    throw new Error(`${operation.name} answered ${messages.length} messages instead of one`);
  }
  if (isProtobuf(type)) {
    const bytes = operation.responseStream ? encodeDelimited(responseType, messages) : encodeMessage(responseType, messages[0]!);
    return { statusCode: 200, headers: { "Content-Type": type }, body: encodeBase64(bytes), isBase64Encoded: true };
  }
  const json = operation.responseStream
    ? messages.map((message) => toJson(responseTypeName, message))
    : toJson(responseTypeName, messages[0]!);
  return jsonResponse(200, json);
}

/** A ConnectorError with its status and message; anything else (a bug) as a generic INTERNAL. */
export function errorResponse(error: unknown, onInternalError?: (error: unknown) => void): HttpResponse {
  if (!(error instanceof ConnectorError)) {
    onInternalError?.(error);
    return jsonResponse(500, { code: Status.INTERNAL, message: INTERNAL_MESSAGE, details: [] } satisfies HttpErrorBody);
  }
  const body: HttpErrorBody = { code: error.code, message: callerMessage(error.message), details: [] };
  if (error instanceof HttpError) return jsonResponse(error.httpStatus, body, error.headers);
  return jsonResponse(httpStatusOf(error.code), body);
}

function jsonResponse(statusCode: number, json: unknown, headers: Readonly<Record<string, string>> = {}): HttpResponse {
  return {
    statusCode,
    headers: { "Content-Type": JSON_TYPE, ...headers },
    body: JSON.stringify(json),
    isBase64Encoded: false,
  };
}
