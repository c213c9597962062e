import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Status } from "../../lib/connector/errors.js";
import { withDeadline } from "../../lib/service/deadline.js";
import { rejection } from "../support/rejection.js";

const describeWork = () => "get job task";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});


describe("withDeadline", () => {
  test("passes the params on, with a signal among their enumerable fields", async () => {
    const seen = await withDeadline({ job: "j-1" }, (params) => ({ ...params }), Date.now() + 1000, 100, describeWork);
    expect(seen.job).toBe("j-1");
    expect(seen.signal).toBeInstanceOf(AbortSignal);
    expect(seen.signal.aborted).toBe(false);
  });

  test("a value answered at once arms no timer", async () => {
    await expect(withDeadline({}, () => "done", Date.now() + 1000, 100, describeWork)).resolves.toBe("done");
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a promise that settles in time is answered, and its timer cleared", async () => {
    const answer = withDeadline({}, () => Promise.resolve("done"), Date.now() + 1000, 100, describeWork);
    await expect(answer).resolves.toBe("done");
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a rejection passes through as it is", async () => {
    const failure = new Error("boom");
    await expect(withDeadline({}, () => Promise.reject(failure), Date.now() + 1000, 100, describeWork)).rejects.toBe(failure);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a throw passes through as a rejection", async () => {
    const failure = new Error("boom");
    const work = () => {
      throw failure;
    };
    await expect(withDeadline({}, work, Date.now() + 1000, 100, describeWork)).rejects.toBe(failure);
  });

  test("work that outlives the deadline less the margin is DEADLINE_EXCEEDED, its signal aborted", async () => {
    let signal: AbortSignal | undefined;
    const answer = withDeadline(
      {},
      (params) => {
        signal = params.signal;
        return new Promise(() => {});
      },
      Date.now() + 1000,
      100,
      describeWork,
    );
    const error = rejection(answer);
    await vi.advanceTimersByTimeAsync(900);
    expect((await error).code).toBe(Status.DEADLINE_EXCEEDED);
    expect((await error).message).toBe("get job task: no answer within 900 ms");
    expect(signal?.aborted).toBe(true);
  });

  test("time the work spends before returning its promise counts against the deadline", async () => {
    const answer = withDeadline(
      {},
      () => {
        vi.setSystemTime(Date.now() + 600); // synchronous work, e.g. converting large inputs
        return new Promise(() => {});
      },
      Date.now() + 1000,
      100,
      describeWork,
    );
    const outcome = answer.then(
      () => "answered",
      (error: { code?: number }) => error.code,
    );
    await vi.advanceTimersByTimeAsync(300);
    expect(await Promise.race([outcome, Promise.resolve("still waiting")])).toBe(Status.DEADLINE_EXCEEDED);
  });

  test("a signal first read after the deadline is already aborted", async () => {
    let read: (() => AbortSignal) | undefined;
    const answer = withDeadline(
      {},
      (params) => {
        read = () => params.signal;
        return new Promise(() => {});
      },
      Date.now() + 1000,
      100,
      describeWork,
    );
    const error = rejection(answer);
    await vi.advanceTimersByTimeAsync(900);
    await error;
    expect(read?.().aborted).toBe(true);
  });

  test("no time left fails at once without calling the work", async () => {
    const work = vi.fn();
    const error = await rejection(withDeadline({}, work, Date.now() + 100, 100, describeWork));
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(error.message).toBe("get job task: no time left before the deadline");
    expect(work).not.toHaveBeenCalled();
  });

  test("without a deadline the work is not timed", async () => {
    const answer = withDeadline({}, () => Promise.resolve("done"), undefined, 100, describeWork);
    expect(vi.getTimerCount()).toBe(0);
    await expect(answer).resolves.toBe("done");
  });
});
