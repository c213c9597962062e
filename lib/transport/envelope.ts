/**
 * Direct Lambda invocation (docs/CONTRACT.md §2): base64 protobuf in a small JSON envelope.
 * Failures the function understood are returned as `{error}`, never thrown. The envelope's
 * `protocol` says whose messages it holds: `flyteidl2` for Flyte 2's (docs/CONTRACT.md §7), Flyte 1's
 * when absent.
 */
import { callerMessage, ConnectorError, InvalidArgumentError, Status, statusName, type StatusName } from "../connector/errors.js";
import { MAX_LAMBDA_PAYLOAD_BYTES, MAX_REQUEST_DEPTH, MAX_REQUEST_MESSAGES } from "../limits.js";
import { earlierDeadline } from "../service/deadline.js";
import { tooManyRequestMessages, type Dispatch, type DispatchOptions, type Operation, type Protocol } from "../service/operations.js";
import { decodeBase64, decodeMessage, encodeBase64, encodeMessage } from "./codec.js";

interface InvokeRequestOptions {
  readonly protocol?: Protocol;
  /**
   * The time the caller had left when it sent the request, in ms: the function stops working and
   * answers DEADLINE_EXCEEDED within it, as within its own timeout (gRPC's grpc-timeout, one hop on).
   */
  readonly timeoutMs?: number;
}
export interface UnaryInvokeRequest extends InvokeRequestOptions {
  readonly body: string;
}
export interface StreamInvokeRequest extends InvokeRequestOptions {
  readonly messages: readonly string[];
}
export type InvokeRequest = UnaryInvokeRequest | StreamInvokeRequest;

export interface InvokeFailure {
  readonly error: { readonly code: number; readonly status: StatusName; readonly message: string };
}
export type InvokeResult = { readonly body: string } | { readonly messages: string[] } | InvokeFailure;

export function isInvokeFailure(result: unknown): result is InvokeFailure {
  return typeof result === "object" && result !== null && "error" in result;
}

/** Something else (a bug) failed: the caller learns only that, the log gets the rest. */
export const INTERNAL_MESSAGE = "Internal error in the connector service.";

export async function handleInvocation(
  operation: Operation,
  event: unknown,
  dispatch: Dispatch,
  options: DispatchOptions = {},
  onInternalError?: (error: unknown) => void,
): Promise<InvokeResult> {
  try {
    const protocol = protocolOf(event);
    const deadline = callerDeadline(event, options.deadline);
    // Flyte 2's table and codec are loaded by its first request: a function serving Flyte 1 alone never loads them.
    const served = protocol === "flyteidl" ? operation : (await import("../service/flyteidl2/operations.js")).operationFor(operation.name, protocol);
    const requests = decodeRequests(served, event);
    const dispatchOptions = deadline === options.deadline ? options : { ...options, deadline };
    const responses = await dispatch(served.name, requests, protocol === "flyteidl" ? dispatchOptions : { ...dispatchOptions, protocol });
    const encoded = responses.map((message) => encodeBase64(encodeMessage(served.responseType, message)));
    // The envelope's JSON is the base64 texts, each quoted, and a few bytes of keys and commas.
    checkAnswerSize(encoded.reduce((sum, text) => sum + text.length + 3, 16));
    return served.responseStream ? { messages: encoded } : { body: encoded[0] ?? "" };
  } catch (error) {
    return { error: toInvokeError(error, onInternalError) };
  }
}

function protocolOf(event: unknown): Protocol {
  const protocol = typeof event === "object" && event !== null ? (event as { protocol?: unknown }).protocol : undefined;
  if (protocol === undefined || protocol === "flyteidl") return "flyteidl";
  if (protocol !== "flyteidl2") throw new InvalidArgumentError(`Unknown "protocol" ${JSON.stringify(protocol)}: use "flyteidl2", or none for flyteidl.`);
  return protocol;
}

/** The earlier of the function's own deadline and the caller's, when the envelope gives its `timeoutMs`. */
function callerDeadline(event: unknown, own: number | undefined): number | undefined {
  const timeoutMs = typeof event === "object" && event !== null ? (event as { timeoutMs?: unknown }).timeoutMs : undefined;
  if (timeoutMs === undefined) return own;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new InvalidArgumentError('"timeoutMs" must be the milliseconds the caller has left: a number, 0 or more.');
  }
  return earlierDeadline(own, timeoutMs);
}

function decodeRequests(operation: Operation, event: unknown): object[] {
  const decode = (text: unknown, what: string) =>
    decodeMessage(operation.requestType, operation.requestTypeName, decodeBase64(text, what), MAX_REQUEST_DEPTH);
  if (typeof event !== "object" || event === null) {
    throw new InvalidArgumentError(`Expected a JSON object with ${operation.requestStream ? '"messages"' : '"body"'}.`);
  }
  if (operation.requestStream) {
    const { messages } = event as Partial<StreamInvokeRequest>;
    if (!Array.isArray(messages)) throw new InvalidArgumentError('Expected "messages": an array of base64 strings.');
    if (messages.length > MAX_REQUEST_MESSAGES) throw tooManyRequestMessages(operation);
    checkPayloadSize(messages);
    return messages.map((text, index) => decode(text, `messages[${index}]`));
  }
  const { body } = event as Partial<UnaryInvokeRequest>;
  checkPayloadSize([body]);
  return [decode(body, '"body"')];
}

/** Lambda refuses a larger payload before a deployed function runs; the base64 text is nearly all of it. */
function checkPayloadSize(texts: readonly unknown[]): void {
  const size = texts.reduce<number>((sum, text) => sum + (typeof text === "string" ? text.length : 0), 0);
  if (size > MAX_LAMBDA_PAYLOAD_BYTES) {
    throw new ConnectorError(Status.RESOURCE_EXHAUSTED, `The request is larger than Lambda's ${MAX_LAMBDA_PAYLOAD_BYTES} byte payload limit.`);
  }
}

/**
 * Lambda drops an answer larger than its payload limit, and the caller would get the platform's
 * error (API Gateway's 502, an invocation's Runtime.ResponseSizeTooLarge) instead of ours.
 */
export function checkAnswerSize(bytes: number, hint = ""): void {
  if (bytes > MAX_LAMBDA_PAYLOAD_BYTES) {
    throw new ConnectorError(
      Status.RESOURCE_EXHAUSTED,
      `The answer takes ${bytes} bytes, more than Lambda's ${MAX_LAMBDA_PAYLOAD_BYTES} byte payload limit${hint}; a task's large outputs go by reference (a file, a structured dataset).`,
    );
  }
}

function toInvokeError(error: unknown, onInternalError?: (error: unknown) => void): InvokeFailure["error"] {
  if (error instanceof ConnectorError) return { code: error.code, status: error.status, message: callerMessage(error.message) };
  onInternalError?.(error);
  return { code: Status.INTERNAL, status: statusName(Status.INTERNAL), message: INTERNAL_MESSAGE };
}
