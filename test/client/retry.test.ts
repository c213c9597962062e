import { afterEach, describe, expect, test, vi } from "vitest";
import { withRetries } from "../../lib/client/retry.js";
import { ConnectorError, InvalidArgumentError, Status, UnavailableError } from "../../lib/connector/errors.js";
import type { Dispatch, OperationName } from "../../lib/service/operations.js";
import { rejection } from "../support/rejection.js";

/** A dispatch that fails with each of `failures` in turn, then answers; it records every call. */
function scripted(...failures: ConnectorError[]): Dispatch & { calls: OperationName[] } {
  const calls: OperationName[] = [];
  const dispatch: Dispatch = async (name) => {
    calls.push(name);
    const failure = failures.shift();
    if (failure) throw failure;
    return [{ answered: name }];
  };
  return Object.assign(dispatch, { calls });
}

const fast = { baseDelayMs: 1, maxDelayMs: 2 };

describe("withRetries", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test("repeats an idempotent operation on UNAVAILABLE and RESOURCE_EXHAUSTED, up to its attempts", async () => {
    const inner = scripted(new UnavailableError("down"), new ConnectorError(Status.RESOURCE_EXHAUSTED, "busy"));
    expect(await withRetries(inner, fast)("getTask", [{}])).toEqual([{ answered: "getTask" }]);
    expect(inner.calls).toEqual(["getTask", "getTask", "getTask"]);

    const exhausted = scripted(new UnavailableError("1"), new UnavailableError("2"), new UnavailableError("3"));
    expect((await rejection(withRetries(exhausted, fast)("getTask", [{}]))).message).toBe("3");
    expect(exhausted.calls).toHaveLength(3);
  });

  test("never repeats createTask or executeTaskSync: a lost answer may hide a task that started", async () => {
    for (const name of ["createTask", "executeTaskSync"] as const) {
      const inner = scripted(new UnavailableError("down"));
      expect((await rejection(withRetries(inner, fast)(name, [{}]))).code).toBe(Status.UNAVAILABLE);
      expect(inner.calls).toEqual([name]);
    }
  });

  test("a failure that is the caller's is not repeated", async () => {
    const inner = scripted(new InvalidArgumentError("bad"));
    expect((await rejection(withRetries(inner, fast)("getTask", [{}]))).code).toBe(Status.INVALID_ARGUMENT);
    expect(inner.calls).toHaveLength(1);
  });

  test("a wait that would pass the deadline answers the failure instead", async () => {
    // The jittered wait is half its bound: 30 s.
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const inner = scripted(new UnavailableError("down"));
    const error = await rejection(withRetries(inner, { baseDelayMs: 60_000, maxDelayMs: 60_000 })("getTask", [{}], { deadline: Date.now() + 10_000 }));
    expect(error.message).toBe("down");
    expect(inner.calls).toHaveLength(1);
  });

  test("a caller that cancels during the wait is answered CANCELLED at once, without another attempt", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const inner = scripted(new UnavailableError("down"));
    const cancel = new AbortController();
    // A wait of 30 s, cut short by the abort.
    const answer = rejection(withRetries(inner, { baseDelayMs: 60_000, maxDelayMs: 60_000 })("getTask", [{}], { signal: cancel.signal }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    cancel.abort();
    const error = await answer;
    expect(error.code).toBe(Status.CANCELLED);
    expect(error.message).toBe("getTask: the caller cancelled the call while it waited to retry.");
    expect(error.cause).toBeInstanceOf(UnavailableError);
    expect(inner.calls).toHaveLength(1);
  });
});
