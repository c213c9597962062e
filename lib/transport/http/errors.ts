/**
 * HTTP statuses: grpc-gateway's mapping of gRPC codes (docs/CONTRACT.md §3), and the failures that
 * exist only over HTTP (routing, content negotiation), which carry their own status.
 */
import { ConnectorError, Status, type StatusCode } from "../../connector/errors.js";

const httpStatusByCode: Readonly<Record<StatusCode, number>> = {
  [Status.OK]: 200,
  [Status.CANCELLED]: 499,
  [Status.UNKNOWN]: 500,
  [Status.INVALID_ARGUMENT]: 400,
  [Status.DEADLINE_EXCEEDED]: 504,
  [Status.NOT_FOUND]: 404,
  [Status.ALREADY_EXISTS]: 409,
  [Status.PERMISSION_DENIED]: 403,
  [Status.RESOURCE_EXHAUSTED]: 429,
  [Status.FAILED_PRECONDITION]: 400,
  [Status.ABORTED]: 409,
  [Status.OUT_OF_RANGE]: 400,
  [Status.UNIMPLEMENTED]: 501,
  [Status.INTERNAL]: 500,
  [Status.UNAVAILABLE]: 503,
  [Status.DATA_LOSS]: 500,
  [Status.UNAUTHENTICATED]: 401,
};

/** The HTTP status grpc-gateway answers for a gRPC code (500 for a code outside the table). */
export function httpStatusOf(code: number): number {
  return httpStatusByCode[code as StatusCode] ?? 500;
}

/** A failure with an HTTP status of its own; its body still carries the nearest gRPC code. */
export class HttpError extends ConnectorError {
  static override readonly errorName: string = "HttpError";
  constructor(
    readonly httpStatus: number,
    code: StatusCode,
    message: string,
    /** Headers the status calls for, such as `Allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
}
