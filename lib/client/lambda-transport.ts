/**
 * The Lambda transport: one RequestResponse `Invoke` per call, through the direct-invocation
 * envelope of docs/CONTRACT.md §2. Region, endpoint and credentials come from the standard AWS chain
 * unless given. The AWS SDK loads on the first call, not with this module: a program that could
 * call Lambda, and calls over another transport or not at all, never loads it (about 170 ms).
 */
import type { LambdaClient, LambdaClientConfig } from "@aws-sdk/client-lambda";
import {
  CancelledError,
  ConnectorError,
  DeadlineExceededError,
  errorMessage,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  Status,
  UnavailableError,
  type StatusCode,
} from "../connector/errors.js";
import { operationFor } from "../service/flyteidl2/operations.js";
import type { Dispatch, Operation, OperationName } from "../service/operations.js";
import { decodeBase64, decodeMessage, encodeBase64, encodeMessage } from "../transport/codec.js";
import type { InvokeRequest } from "../transport/envelope.js";
import { isNetworkError } from "./network-errors.js";
import { requestSignal } from "./request-signal.js";
import { withRetries, type RetryPolicy } from "./retry.js";

/** Functions are named `<prefix><op>`; this is the prefix of the default deployment (service `flyte-connectors`, stage `dev`). */
export const DEFAULT_FUNCTION_PREFIX = "flyte-connectors-dev-";

export interface LambdaDispatchOptions {
  /** The function (name, ARN or alias) that serves an operation. */
  readonly functionName?: (operation: OperationName) => string;
  /** Names for some operations; the others fall back to `functionName` or the prefix. */
  readonly functionNames?: Partial<Record<OperationName, string>>;
  /** Function name prefix (default DEFAULT_FUNCTION_PREFIX). */
  readonly prefix?: string;
  /** A client of your own; its retry settings then apply on top of ours. */
  readonly client?: LambdaClient;
  readonly region?: string;
  /** e.g. `http://localhost:3002` for serverless-offline. */
  readonly endpoint?: string;
  readonly retry?: RetryPolicy;
}

export function createLambdaDispatch(options: LambdaDispatchOptions = {}): Dispatch {
  let client: LambdaClient | undefined;
  const prefix = options.prefix ?? DEFAULT_FUNCTION_PREFIX;
  const functionFor = (name: OperationName) =>
    options.functionNames?.[name] ?? options.functionName?.(name) ?? `${prefix}${name}`;

  const invoke: Dispatch = async (name, requests, dispatchOptions = {}) => {
    const operation: Operation = operationFor(name, dispatchOptions.protocol);
    const functionName = functionFor(name);
    const payload = new TextEncoder().encode(JSON.stringify(envelope(operation, requests, dispatchOptions.deadline)));
    const abortSignal = requestSignal(name, dispatchOptions);
    let answer;
    try {
      const { InvokeCommand, LambdaClient } = await import("@aws-sdk/client-lambda");
      // The SDK would retry timeouts of any operation, createTask included: our own retries,
      // limited to idempotent operations, replace its own.
      client ??=
        options.client ??
        new LambdaClient({ region: options.region, endpoint: options.endpoint, maxAttempts: 1, ...loopbackDefaults(options) });
      answer = await client.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: payload }),
        abortSignal ? { abortSignal } : {},
      );
    } catch (error) {
      throw invokeFailure(functionName, error, dispatchOptions.signal);
    }
    const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : "";
    if (answer.FunctionError) throw functionCrash(functionName, answer.FunctionError, text);
    return decodeAnswer(operation, functionName, text);
  };
  return withRetries(invoke, options.retry);
}

/**
 * A Lambda endpoint on this machine (serverless offline, LocalStack) checks no signatures, but
 * the SDK still wants a region and credentials to sign with: when the environment has none, a
 * region and dummy credentials are given, so `--endpoint http://localhost:3002` works as is.
 * Never for another endpoint, where the SDK's chain (and its errors) stay in charge.
 */
function loopbackDefaults({ endpoint, region }: LambdaDispatchOptions): Partial<LambdaClientConfig> {
  if (endpoint === undefined || !isLoopbackUrl(endpoint)) return {};
  const { AWS_REGION, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_PROFILE } = process.env;
  return {
    ...((region ?? AWS_REGION ?? AWS_DEFAULT_REGION) ? {} : { region: LOOPBACK_REGION }),
    ...(AWS_ACCESS_KEY_ID || AWS_PROFILE ? {} : { credentials: LOOPBACK_CREDENTIALS }),
  };
}

const LOOPBACK_REGION = "us-east-1";
const LOOPBACK_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The request as the function takes it, with the time the caller has left (`deadline`, epoch ms):
 * the function then stops when the caller stops waiting, rather than at its own timeout.
 */
function envelope(operation: Operation, requests: readonly object[], deadline: number | undefined): InvokeRequest {
  const encode = (message: object) => encodeBase64(encodeMessage(operation.requestType, message));
  const options = {
    // Flyte 1's envelope has no protocol: it is what every deployment understands.
    ...(operation.protocol === "flyteidl" ? {} : { protocol: operation.protocol }),
    ...(deadline !== undefined && Number.isFinite(deadline) ? { timeoutMs: Math.max(0, Math.floor(deadline - Date.now())) } : {}),
  };
  if (operation.requestStream) return { messages: requests.map(encode), ...options };
  const [request] = requests;
  if (requests.length !== 1 || !request) {
    throw new InvalidArgumentError(`${operation.name} takes exactly one request message, got ${requests.length}.`);
  }
  return { body: encode(request), ...options };
}

/** The envelope answer: messages, or the failure the function understood, passed on unchanged. */
function decodeAnswer(operation: Operation, functionName: string, text: string): object[] {
  const malformed = (why: string) => new InternalError(`Lambda function ${functionName} gave an unreadable answer: ${why}.`);
  let result: unknown;
  try {
    result = JSON.parse(text);
  } catch {
    throw malformed("not JSON");
  }
  if (typeof result !== "object" || result === null) throw malformed("not a JSON object");
  const { body, messages, error } = result as { body?: unknown; messages?: unknown; error?: unknown };
  if (error !== undefined) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code !== "number" || !Number.isInteger(code) || code <= 0 || code > 16) throw malformed("no valid error code");
    throw new ConnectorError(code as StatusCode, typeof message === "string" ? message : "");
  }
  const encoded = operation.responseStream ? messages : [body];
  if (!Array.isArray(encoded)) throw malformed('no "messages" array');
  try {
    return encoded.map((item, index) =>
      decodeMessage(operation.responseType, operation.responseTypeName, decodeBase64(item, `message ${index}`)),
    );
  } catch (error) {
    throw malformed(errorMessage(error).replace(/\.$/, ""));
  }
}

/**
 * A crash (an exception out of the handler, a timeout, out of memory) is INTERNAL, as docs/CONTRACT.md
 * §2 has it: the functions answer DEADLINE_EXCEEDED themselves before their timeout, so Lambda
 * stopping one is a fault of ours. Lambda's error type and message say which; the trace is not
 * passed on.
 */
function functionCrash(functionName: string, kind: string, text: string): InternalError {
  let detail = kind;
  try {
    const { errorType, errorMessage: message } = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof message === "string") detail = `${typeof errorType === "string" ? `${errorType}: ` : ""}${message}`;
  } catch {
    // An unreadable crash report: the FunctionError kind alone says enough.
  }
  return new InternalError(`Lambda function ${functionName} failed: ${detail}`);
}

/**
 * Status of a failed Invoke call. Throttling (the function or account out of concurrency for a
 * moment) is UNAVAILABLE, the status gRPC reserves for "retry with backoff": the gRPC front's
 * callers did not exceed a quota of theirs, and grpc-js already answers RESOURCE_EXHAUSTED for a
 * message too large, which no retry fixes.
 */
const SERVICE_ERROR_STATUS: Readonly<Record<string, StatusCode>> = {
  TooManyRequestsException: Status.UNAVAILABLE,
  EC2ThrottledException: Status.UNAVAILABLE,
  ResourceNotFoundException: Status.NOT_FOUND,
  RequestTooLargeException: Status.INVALID_ARGUMENT,
  AccessDeniedException: Status.PERMISSION_DENIED,
  KMSAccessDeniedException: Status.PERMISSION_DENIED,
  CredentialsProviderError: Status.UNAUTHENTICATED,
  UnrecognizedClientException: Status.UNAUTHENTICATED,
  InvalidSignatureException: Status.UNAUTHENTICATED,
  ExpiredTokenException: Status.UNAUTHENTICATED,
  ResourceNotReadyException: Status.UNAVAILABLE,
  ResourceConflictException: Status.UNAVAILABLE,
};

/** `signal` is the caller's: whatever its abort made the SDK throw (an abort, a reset socket) is CANCELLED. */
function invokeFailure(functionName: string, error: unknown, signal: AbortSignal | undefined): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (signal?.aborted) {
    return new CancelledError(`The caller cancelled the call before Lambda function ${functionName} answered.`, { cause: error });
  }
  const message = `Cannot invoke Lambda function ${functionName}: ${errorMessage(error)}`;
  if (isNetworkError(error)) return new UnavailableError(message, { cause: error });
  // The SDK's region chain found none (@smithy/core config): a setting of the caller's, not a fault.
  if (error instanceof Error && error.message === "Region is missing") {
    return new FailedPreconditionError(`Cannot invoke Lambda function ${functionName}: no AWS region is set (the client's region, AWS_REGION, or a profile's).`, { cause: error });
  }
  const { name, $fault } = (error ?? {}) as { name?: unknown; $fault?: unknown };
  // Aborted by the caller's deadline (the only other abort signal given to the SDK).
  if (name === "AbortError") {
    return new DeadlineExceededError(`Lambda function ${functionName} did not answer before the deadline.`, { cause: error });
  }
  // A request or socket timeout set on a client of the caller's own.
  if (name === "TimeoutError") return new DeadlineExceededError(message, { cause: error });
  const status = typeof name === "string" ? SERVICE_ERROR_STATUS[name] : undefined;
  if (status !== undefined) return new ConnectorError(status, message, { cause: error });
  // Lambda's own server-side faults (ServiceException, ENI and subnet troubles) are transient.
  if ($fault === "server") return new UnavailableError(message, { cause: error });
  return new InternalError(message, { cause: error });
}
