/**
 * Errors that carry the gRPC status they map to (docs/CONTRACT.md §5). Transports turn them into
 * their own shape (envelope error, HTTP status, gRPC status); anything else a connector throws
 * becomes INTERNAL.
 */
import { MAX_ERROR_MESSAGE_CHARS } from "../limits.js";

export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type StatusName = keyof typeof Status;
export type StatusCode = (typeof Status)[StatusName];

const names = Object.fromEntries(Object.entries(Status).map(([name, code]) => [code, name])) as Record<
  number,
  StatusName | undefined
>;

/** The gRPC name of a status code (`UNKNOWN` for a number outside the table). */
export function statusName(code: number): StatusName {
  return names[code] ?? "UNKNOWN";
}

/**
 * The classes an error of ours is an instance of, by name, on the error itself: a user's connector
 * may load a second copy of this package (the CLI installed globally or with npx, a workspace),
 * whose error classes are not this copy's, yet must be told apart as these are.
 */
const KINDS = Symbol.for("flyte-connectors-serverless.error-kinds");
const kindsOfClass = new WeakMap<object, readonly string[]>();

/** The errorNames of `type` and the classes above it, ConnectorError's last. */
function kindsOf(type: typeof ConnectorError): readonly string[] {
  const known = kindsOfClass.get(type);
  if (known) return known;
  const kinds: string[] = [];
  for (let at: object | null = type; at !== null && at !== Function.prototype; at = Object.getPrototypeOf(at)) {
    if (Object.hasOwn(at, "errorName")) kinds.push((at as typeof ConnectorError).errorName!);
  }
  kindsOfClass.set(type, kinds);
  return kinds;
}

/**
 * An error whose gRPC status is known. Its message is safe to send to the caller. It is an
 * answer, not a bug: it is sent, never logged with a stack, so it captures none (capturing one
 * was a third of an UNIMPLEMENTED answer's cost). Its `cause`, if any, keeps its own.
 */
export class ConnectorError extends Error {
  /** The name of a class of ours, which a minified bundle would otherwise rename. */
  static readonly errorName?: string = "ConnectorError";
  readonly code: StatusCode;

  /**
   * `instanceof` holds for another copy's errors of the same class too (see KINDS). This copy's
   * own errors are told by their prototypes alone: a subclass naming itself another class's
   * errorName is not that class.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const ordinary = Function.prototype[Symbol.hasInstance];
    if (ordinary.call(ConnectorError, value)) return ordinary.call(this, value);
    const kinds = typeof value === "object" && value !== null ? (value as { [KINDS]?: unknown })[KINDS] : undefined;
    return Array.isArray(kinds) && Object.hasOwn(this, "errorName") && kinds.includes(this.errorName);
  }

  constructor(code: StatusCode, message: string, options?: ErrorOptions) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.code = code;
    Object.defineProperty(this, KINDS, { value: kindsOf(new.target as typeof ConnectorError) });
    // A class of ours names itself (its static errorName): the functions' bundles are minified,
    // class names with them. An author's own subclass, which has none of its own, keeps its class's.
    this.name = (Object.hasOwn(new.target, "errorName") && (new.target as typeof ConnectorError).errorName) || new.target.name;
  }

  get status(): StatusName {
    return statusName(this.code);
  }
}

/** flytekit's FlyteConnectorNotFound: no connector for a task category or name (NOT_FOUND). */
export class ConnectorNotFoundError extends ConnectorError {
  static override readonly errorName: string = "ConnectorNotFoundError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.NOT_FOUND, message, options);
  }
}

/** The caller sent something that cannot be used (INVALID_ARGUMENT). */
export class InvalidArgumentError extends ConnectorError {
  static override readonly errorName: string = "InvalidArgumentError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.INVALID_ARGUMENT, message, options);
  }
}

/** The connector does not offer the operation, e.g. metrics or logs (UNIMPLEMENTED). */
export class UnimplementedError extends ConnectorError {
  static override readonly errorName: string = "UnimplementedError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.UNIMPLEMENTED, message, options);
  }
}

/** The work did not finish before the deadline (DEADLINE_EXCEEDED). */
export class DeadlineExceededError extends ConnectorError {
  static override readonly errorName: string = "DeadlineExceededError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.DEADLINE_EXCEEDED, message, options);
  }
}

/** The caller went away (a cancelled gRPC call) before the answer (CANCELLED). */
export class CancelledError extends ConnectorError {
  static override readonly errorName: string = "CancelledError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.CANCELLED, message, options);
  }
}

/** A secret or setting the connector needs is missing or unusable (FAILED_PRECONDITION); names it, never its value. */
export class FailedPreconditionError extends ConnectorError {
  static override readonly errorName: string = "FailedPreconditionError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.FAILED_PRECONDITION, message, options);
  }
}

/**
 * The remote platform refused or failed the task itself (a bad job definition, a query error):
 * `get` and `do` answer it as a FAILED Resource with this message, since retrying the call cannot
 * help; thrown from `create` it reaches the caller as INVALID_ARGUMENT.
 */
export class TaskFailedError extends ConnectorError {
  static override readonly errorName: string = "TaskFailedError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.INVALID_ARGUMENT, message, options);
  }
}

/** A backend could not be reached (UNAVAILABLE). */
export class UnavailableError extends ConnectorError {
  static override readonly errorName: string = "UnavailableError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.UNAVAILABLE, message, options);
  }
}

/** Something failed on our side (INTERNAL). */
export class InternalError extends ConnectorError {
  static override readonly errorName: string = "InternalError";
  constructor(message: string, options?: ErrorOptions) {
    super(Status.INTERNAL, message, options);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * An error's message as it leaves for a caller: well-formed, since grpc-js's encodeURI of a status
 * message throws on a lone surrogate (protobufjs decodes one from ill-formed UTF-8 in a request
 * and a "not found" message quotes it), and cut to MAX_ERROR_MESSAGE_CHARS. Transports apply it
 * last, after the service redacted secrets, so that no cut hides a secret from the redaction.
 */
export function callerMessage(message: string): string {
  const wellFormed = message.replace(LONE_SURROGATE, "\uFFFD");
  if (wellFormed.length <= MAX_ERROR_MESSAGE_CHARS) return wellFormed;
  const note = ` [cut: ${wellFormed.length} characters in all]`;
  const kept = wellFormed.slice(0, MAX_ERROR_MESSAGE_CHARS - note.length);
  // A pair cut in two would leave a lone surrogate again.
  return `${/[\uD800-\uDBFF]$/.test(kept) ? kept.slice(0, -1) : kept}${note}`;
}

/** The readable message of anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : String(error);
}
