/**
 * An AWS SDK failure as the service must answer it (docs/CONTRACT.md §10): AWS refusing the request
 * itself (a ValidationException, a missing resource) fails the task; the SDK refusing it before
 * sending (botocore's ParamValidationError: a required key missing, a body of the wrong type, a
 * region that is no host name) is INVALID_ARGUMENT; refused credentials or permissions are
 * FAILED_PRECONDITION; throttling, AWS's own faults, a garbled answer or no answer after the SDK's
 * retries are UNAVAILABLE.
 */
import { FailedPreconditionError, InvalidArgumentError, TaskFailedError, UnavailableError, errorMessage } from "../../connector/errors.js";
import { networkCause } from "../../connector/network-cause.js";
import { knownSecrets } from "../../connector/redact.js";

/** AWS refused the call: the task's own fault. Carries AWS's error code and message. */
export class AwsApiError extends TaskFailedError {
  static override readonly errorName: string = "AwsApiError";
  constructor(
    message: string,
    /** AWS's error code, e.g. ValidationException. */
    readonly awsCode: string,
    readonly awsMessage: string,
    readonly httpStatus: number | undefined,
  ) {
    super(message);
  }
}

/** Codes that mean the caller's identity or permissions were refused. */
const AUTH_CODES = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "AuthFailure",
  "ExpiredToken",
  "ExpiredTokenException",
  "IncompleteSignature",
  "InvalidAccessKeyId",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "MissingAuthenticationToken",
  "NotAuthorized",
  "SignatureDoesNotMatch",
  "UnauthorizedOperation",
  "UnrecognizedClientException",
]);

/**
 * What the SDK's standard retry strategy retries as throttling or transient
 * (@smithy/core/retry service-error-classification constants.js, @smithy/core 3.41.1; formerly
 * @smithy/service-error-classification): left after the retries, AWS is overloaded or slow, not
 * refusing the task. Many services throttle with a 400, SageMaker Runtime's ModelNotReadyException
 * is a 429.
 */
const THROTTLING_CODES = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);
const TRANSIENT_CODES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * Node's own refusals of a request it was asked to send (a header value or name, or a path, it
 * will not write: lib/_http_outgoing.js and lib/_http_client.js in Node 20 and 22), thrown as the
 * SDK hands the request over, so past markSending but before anything left: the parameters' fault.
 */
const NODE_REQUEST_REFUSALS = new Set(["ERR_INVALID_CHAR", "ERR_HTTP_INVALID_HEADER_VALUE", "ERR_INVALID_HTTP_TOKEN", "ERR_UNESCAPED_CHARACTERS"]);

interface SdkError {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * `error`, thrown by an SDK call of `service` doing `action` ("describe the endpoint"), classified;
 * `sent` says whether the request left for AWS.
 */
export function awsError(error: unknown, service: string, action: string, sent: boolean): Error {
  const sdk = (error ?? {}) as SdkError;
  const code = typeof sdk.name === "string" ? sdk.name : "Error";
  // AWS messages quote ARNs and names, never credentials; redacted all the same.
  const message = knownSecrets.text(typeof sdk.message === "string" ? sdk.message : errorMessage(error));
  const status = sdk.$metadata?.httpStatusCode;
  const what = `${service} could not ${action}`;
  if (sdk.$fault === "client" || sdk.$fault === "server") {
    const said = `${code}: ${message}`;
    if (AUTH_CODES.has(code) || status === 401 || status === 403) {
      return new FailedPreconditionError(`${what}: ${said} (check the permissions of the function's role)`, { cause: error });
    }
    const transient = THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code) || (status !== undefined && TRANSIENT_STATUSES.has(status));
    if (sdk.$fault === "server" || sdk.$retryable !== undefined || transient || (status !== undefined && status >= 500)) {
      return new UnavailableError(`${what}: ${said} (after the SDK's retries)`, { cause: error });
    }
    return new AwsApiError(`${what}: ${said}`, code, message, status);
  }
  if (code === "CredentialsProviderError") {
    return new FailedPreconditionError(`${what}: no AWS credentials: ${message}`, { cause: error });
  }
  if (!sent) return new InvalidArgumentError(`${what}: the AWS SDK refused the call's parameters: ${message}`, { cause: error });
  if (typeof sdk.code === "string" && NODE_REQUEST_REFUSALS.has(sdk.code)) {
    return new InvalidArgumentError(`${what}: a parameter cannot be sent in an HTTP request (nothing was sent): ${message}`, { cause: error });
  }
  // No answer, or one the SDK could not read (a 200 with a garbled body reaches here too).
  return new UnavailableError(`${what}: ${networkCause(error)}`, { cause: error });
}
