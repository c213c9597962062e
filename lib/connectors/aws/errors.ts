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

/** Codes that mean "slow down" whatever the HTTP status (many AWS services throttle with a 400). */
const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ProvisionedThroughputExceededException",
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "PriorRequestNotComplete",
]);

/** Codes the SDK retries as transient (@smithy/service-error-classification TRANSIENT_ERROR_CODES): AWS timed out, not the task. */
const TRANSIENT_CODES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);

interface SdkError {
  readonly name?: unknown;
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
    const transient = THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code);
    if (sdk.$fault === "server" || sdk.$retryable?.throttling || transient || (status !== undefined && status >= 500)) {
      return new UnavailableError(`${what}: ${said} (after the SDK's retries)`, { cause: error });
    }
    return new AwsApiError(`${what}: ${said}`, code, message, status);
  }
  if (code === "CredentialsProviderError") {
    return new FailedPreconditionError(`${what}: no AWS credentials: ${message}`, { cause: error });
  }
  if (!sent) return new InvalidArgumentError(`${what}: the AWS SDK refused the call's parameters: ${message}`, { cause: error });
  // No answer, or one the SDK could not read (a 200 with a garbled body reaches here too).
  return new UnavailableError(`${what}: ${networkCause(error)}`, { cause: error });
}
