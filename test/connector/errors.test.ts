import { describe, expect, test } from "vitest";
import {
  callerMessage,
  ConnectorError,
  ConnectorNotFoundError,
  CancelledError,
  DeadlineExceededError,
  InternalError,
  InvalidArgumentError,
  Status,
  UnavailableError,
  UnimplementedError,
  errorMessage,
  statusName,
} from "../../lib/connector/errors.js";
import { MAX_ERROR_MESSAGE_CHARS } from "../../lib/limits.js";

describe("Status", () => {
  test("has gRPC's codes", () => {
    expect(Status).toEqual({
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
    });
  });

  test("statusName names a code, and UNKNOWN for one outside the table", () => {
    expect(statusName(5)).toBe("NOT_FOUND");
    expect(statusName(0)).toBe("OK");
    expect(statusName(16)).toBe("UNAUTHENTICATED");
    expect(statusName(17)).toBe("UNKNOWN");
    expect(statusName(-1)).toBe("UNKNOWN");
  });
});

describe("ConnectorError and its subclasses", () => {
  test.each([
    [ConnectorNotFoundError, Status.NOT_FOUND, "NOT_FOUND"],
    [InvalidArgumentError, Status.INVALID_ARGUMENT, "INVALID_ARGUMENT"],
    [UnimplementedError, Status.UNIMPLEMENTED, "UNIMPLEMENTED"],
    [DeadlineExceededError, Status.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED"],
    [CancelledError, Status.CANCELLED, "CANCELLED"],
    [UnavailableError, Status.UNAVAILABLE, "UNAVAILABLE"],
    [InternalError, Status.INTERNAL, "INTERNAL"],
  ] as const)("%o carries its code, status name, class name, message and cause", (ErrorClass, code, status) => {
    const cause = new Error("root cause");
    const error = new ErrorClass("it went wrong", { cause });
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.message).toBe("it went wrong");
    expect(error.cause).toBe(cause);
  });

  test("ConnectorError takes any code", () => {
    const error = new ConnectorError(Status.PERMISSION_DENIED, "no");
    expect(error.name).toBe("ConnectorError");
    expect(error.status).toBe("PERMISSION_DENIED");
  });

  test("a subclass of a subclass is named after itself", () => {
    class WebhookTimeout extends DeadlineExceededError {}
    expect(new WebhookTimeout("slow").name).toBe("WebhookTimeout");
    expect(new WebhookTimeout("slow").code).toBe(Status.DEADLINE_EXCEEDED);
  });
});

describe("errorMessage", () => {
  test("reads the message of anything thrown", () => {
    expect(errorMessage(new TypeError("bad type"))).toBe("bad type");
    expect(errorMessage("plain string")).toBe("plain string");
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(undefined)).toBe("undefined");
    expect(errorMessage({ toString: () => "custom" })).toBe("custom");
  });
});

describe("callerMessage", () => {
  test("leaves a short, well-formed message as it is", () => {
    expect(callerMessage("Cannot find connector for name: 🙂.")).toBe("Cannot find connector for name: 🙂.");
  });

  test("replaces lone surrogates, which grpc-js cannot send, and keeps pairs", () => {
    expect(callerMessage("a\ud800b\udc00c\ud83d\ude42")).toBe("a\ufffdb\ufffdc🙂");
  });

  test("cuts a long message to MAX_ERROR_MESSAGE_CHARS, saying so, without splitting a pair", () => {
    for (const filler of ["x", "🙂", "x🙂"]) {
      const message = callerMessage(`Cannot find connector for task category: ${filler.repeat(100_000)}_v0.`);
      expect(message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS);
      expect(message).toMatch(/^Cannot find connector for task category: .* \[cut: \d+ characters in all\]$/su);
      expect(message).toBe(callerMessage(message));
    }
  });
});
