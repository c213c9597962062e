import type { CallContext } from "../connector/connector.js";
import { CancelledError, DeadlineExceededError } from "../connector/errors.js";
import { MAX_TIMER_MS } from "../limits.js";

/**
 * Runs connector work on `params` (a fresh object, given a `signal`) so that it answers before
 * `deadline` (epoch ms) minus `marginMs`: past that the signal is aborted and DEADLINE_EXCEEDED is
 * thrown, so the caller gets an answer instead of a killed function. When `cancel` aborts first
 * (the caller went away), the signal is aborted as well and CANCELLED is thrown; work cancelled
 * before it starts is not started. Work that ignores the signal keeps running detached.
 *
 * The guard costs only what the work uses, because most calls return at once: the signal is made
 * when first read (an AbortSignal costs about 2 µs to make), and the timer and the listener on
 * `cancel` are armed only for a promise; a value returned at once cannot be late, nor cancelled,
 * as no timer or event could fire while it ran.
 */
export async function withDeadline<P extends object, T>(
  params: P,
  work: (params: P & CallContext) => T | PromiseLike<T>,
  deadline: number | undefined,
  marginMs: number,
  describe: () => string,
  cancel?: AbortSignal,
): Promise<T> {
  if (cancel?.aborted) throw cancelled(describe);
  const budget = deadline === undefined ? undefined : deadline - marginMs - Date.now();
  if (budget !== undefined && budget <= 0) throw new DeadlineExceededError(`${describe()}: no time left before the deadline`);
  const abort = new LazyAbort();
  const withSignal = Object.defineProperty(params, "signal", { get: () => abort.signal, enumerable: true });
  const abortAt = budget === undefined ? undefined : Date.now() + budget;
  if (abortAt !== undefined) Object.defineProperty(withSignal, "deadline", { value: abortAt, enumerable: true });
  const result = work(withSignal as P & CallContext);
  if ((abortAt === undefined && cancel === undefined) || !isThenable(result)) return result;
  // Armed for what is left: the work may have spent part of its budget before returning its promise.
  return settledWithin(result, abortAt === undefined ? undefined : abortAt - Date.now(), cancel, (why) => {
    abort.abort();
    return why === "late" ? new DeadlineExceededError(`${describe()}: no answer within ${budget} ms`) : cancelled(describe);
  });
}

/**
 * The earlier of a function's own deadline (epoch ms, if any) and its caller's, `callerMs` from
 * now: what a caller sends with a request (timeoutMs, grpc-timeout) shortens the work, never lengthens it.
 */
export function earlierDeadline(own: number | undefined, callerMs: number): number {
  const caller = Date.now() + callerMs;
  return own === undefined ? caller : Math.min(own, caller);
}

function cancelled(describe: () => string): CancelledError {
  return new CancelledError(`${describe()}: the caller cancelled the call`);
}

/**
 * `promise`, or DEADLINE_EXCEEDED when it has not settled by `deadline` (epoch ms) minus
 * `marginMs`: for work of the service's own that no connector signal reaches (loading the
 * sealing keys), which goes on and may still serve a later call.
 */
export function settledBefore<T>(promise: Promise<T>, deadline: number | undefined, marginMs: number, describe: () => string): Promise<T> {
  if (deadline === undefined) return promise;
  return settledWithin(promise, deadline - marginMs - Date.now(), undefined, () => new DeadlineExceededError(`${describe()}: no answer before the deadline`));
}

/**
 * `promise`, or the error `stop` makes when `ms` pass (`late`) or `cancel` aborts (`cancelled`)
 * first. The listener goes when any of them happens: one caller's signal may serve many calls.
 */
function settledWithin<T>(
  promise: PromiseLike<T>,
  ms: number | undefined,
  cancel: AbortSignal | undefined,
  stop: (why: "late" | "cancelled") => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = () => {
      clearTimeout(timer);
      cancel?.removeEventListener("abort", onCancel);
    };
    const stopped = (why: "late" | "cancelled") => () => {
      settle();
      reject(stop(why));
    };
    const onCancel = stopped("cancelled");
    cancel?.addEventListener("abort", onCancel);
    if (ms !== undefined && ms <= MAX_TIMER_MS) timer = setTimeout(stopped("late"), Math.max(0, ms));
    promise.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/** An AbortController made on first use; aborting before that makes the signal already aborted. */
class LazyAbort {
  #controller: AbortController | undefined;
  #aborted = false;

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  abort(): void {
    this.#aborted = true;
    this.#controller?.abort();
  }
}

export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}
