/**
 * The API Gateway adapter (docs/CONTRACT.md §3): an HTTP API (payload 2.0) or REST API (payload 1.0)
 * event in, its route's operation dispatched, the answer out in the type Accept asks for.
 * Everything a caller can send ends in an answer: 4xx for what it got wrong, 5xx for the rest.
 */
import { Status } from "../../connector/errors.js";
import { MAX_LAMBDA_PAYLOAD_BYTES } from "../../limits.js";
import { earlierDeadline } from "../../service/deadline.js";
import type { Dispatch, DispatchOptions } from "../../service/operations.js";
import { HttpError } from "./errors.js";
import { readEvent, type ApiGatewayEvent } from "./event.js";
import { JSON_TYPE, requestMediaType, responseMediaType } from "./media-types.js";
import { decodeRequests } from "./request.js";
import { checkAnswerSize } from "../envelope.js";
import { GRPC_TIMEOUT_HEADER, parseGrpcTimeout } from "./grpc-timeout.js";
import { errorResponse, messagesResponse, type HttpResponse } from "./response.js";
import { matchRoute } from "./routes.js";

/**
 * Answers one event. Failures are answers, never thrown: a ConnectorError with its HTTP status,
 * anything else as 500 INTERNAL with a generic message (the error goes to `onInternalError`).
 */
export async function handleHttpEvent(
  event: ApiGatewayEvent,
  dispatch: Dispatch,
  options: DispatchOptions = {},
  onInternalError?: (error: unknown) => void,
): Promise<HttpResponse> {
  try {
    const request = readEvent(event);
    // Lambda refuses a larger event before a deployed function runs (a binary body is base64 in it).
    if (request.body.length > MAX_LAMBDA_PAYLOAD_BYTES) {
      throw new HttpError(413, Status.RESOURCE_EXHAUSTED, `The request body is larger than Lambda's ${MAX_LAMBDA_PAYLOAD_BYTES} byte payload limit.`);
    }
    const match = matchRoute(request.method, request.path);
    const bodyType = match.route.hasBody ? requestMediaType(request.header("content-type")) : JSON_TYPE;
    // Without Accept: JSON for GET and DELETE, the request's own type for POST.
    const responseType = responseMediaType(request.header("accept"), bodyType);
    const requests = decodeRequests(match, request, bodyType);
    const { operation } = match.route;
    const header = request.header(GRPC_TIMEOUT_HEADER);
    const timeout = header === undefined ? undefined : parseGrpcTimeout(header);
    const dispatchOptions = timeout === undefined ? options : { ...options, deadline: earlierDeadline(options.deadline, timeout) };
    const responses = await dispatch(
      operation.name,
      requests,
      operation.protocol === "flyteidl" ? dispatchOptions : { ...dispatchOptions, protocol: operation.protocol },
    );
    return withinPayloadLimit(messagesResponse(operation, responseType, responses));
  } catch (error) {
    return errorResponse(error, onInternalError);
  }
}

/**
 * The answer, when Lambda will carry it: its JSON (the body escaped in it) within the payload
 * limit. Measured only when it may not be: a character takes at most 6 bytes there (`\u001f`).
 */
function withinPayloadLimit(response: HttpResponse): HttpResponse {
  if ((response.body.length * (response.isBase64Encoded ? 1 : 6)) + 1024 <= MAX_LAMBDA_PAYLOAD_BYTES) return response;
  const hint = response.isBase64Encoded ? "" : " (binary protobuf, Accept: application/x-protobuf, is smaller than JSON)";
  checkAnswerSize(Buffer.byteLength(JSON.stringify(response)), hint);
  return response;
}
