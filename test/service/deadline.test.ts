import { getEventListeners } from "node:events";
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

  test("a deadline beyond the longest delay Node's timers hold (2^31 - 1 ms) arms none, rather than one that fires at once", async () => {
    vi.useRealTimers();
    const work = () => new Promise<string>((resolve) => setTimeout(() => resolve("done"), 30));
    await expect(withDeadline({}, work, Date.now() + 3e9, 100, describeWork)).resolves.toBe("done");
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

describe("withDeadline and the caller's signal", () => {
  const never = () => new Promise<never>(() => {});

  test.each([
    ["with a deadline", Date.now() + 60_000],
    ["without one", undefined],
  ])("the caller going away aborts the work's signal and rejects CANCELLED (%s)", async (_case, deadline) => {
    const caller = new AbortController();
    let signal: AbortSignal | undefined;
    const answer = withDeadline(
      {},
      (params) => {
        signal = params.signal;
        return never();
      },
      deadline,
      100,
      describeWork,
      caller.signal,
    );
    const error = rejection(answer);
    expect(signal?.aborted).toBe(false);
    caller.abort();
    expect((await error).code).toBe(Status.CANCELLED);
    expect((await error).name).toBe("CancelledError");
    expect((await error).message).toBe("get job task: the caller cancelled the call");
    expect(signal?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a signal the work first reads after the caller went away is already aborted", async () => {
    const caller = new AbortController();
    let read: (() => AbortSignal) | undefined;
    const answer = withDeadline(
      {},
      (params) => {
        read = () => params.signal;
        return never();
      },
      undefined,
      100,
      describeWork,
      caller.signal,
    );
    const error = rejection(answer);
    caller.abort();
    await error;
    expect(read?.().aborted).toBe(true);
  });

  test("a caller already gone fails at once without calling the work", async () => {
    const work = vi.fn();
    const error = await rejection(withDeadline({}, work, Date.now() + 1000, 100, describeWork, AbortSignal.abort()));
    expect(error.code).toBe(Status.CANCELLED);
    expect(work).not.toHaveBeenCalled();
  });

  test("one signal serves thousands of calls: each listener goes when its work answers, fails or is late", async () => {
    const caller = new AbortController();
    const listeners = () => getEventListeners(caller.signal, "abort").length;
    // Counted while the work is in flight, so that a listener never added cannot pass for one removed.
    const inFlight = new Set<number>();
    const work = (i: number) => () =>
      Promise.resolve().then(() => {
        inFlight.add(listeners());
        if (i % 2) throw new Error("boom");
        return i;
      });
    for (let i = 0; i < 2000; i++) {
      await withDeadline({}, work(i), i % 3 ? Date.now() + 1000 : undefined, 100, describeWork, caller.signal).catch(() => undefined);
    }
    expect(inFlight).toEqual(new Set([1]));
    expect(listeners()).toBe(0);
    for (let i = 0; i < 100; i++) {
      const late = rejection(withDeadline({}, never, Date.now() + 1000, 100, describeWork, caller.signal));
      expect(listeners()).toBe(1);
      await vi.advanceTimersByTimeAsync(900);
      expect((await late).code).toBe(Status.DEADLINE_EXCEEDED);
    }
    expect(listeners()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("work that answers at once adds no listener and arms no timer; only a promise is listened for", async () => {
    const caller = new AbortController();
    const listeners = () => getEventListeners(caller.signal, "abort").length;
    await expect(withDeadline({}, () => "done", Date.now() + 1000, 100, describeWork, caller.signal)).resolves.toBe("done");
    await expect(withDeadline({}, () => "done", undefined, 100, describeWork, caller.signal)).resolves.toBe("done");
    expect(listeners()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    const pending = withDeadline({}, never, undefined, 100, describeWork, caller.signal);
    expect(listeners()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    caller.abort();
    expect((await rejection(pending)).code).toBe(Status.CANCELLED);
  });
});
