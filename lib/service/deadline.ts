import type { CallContext } from "../connector/connector.js";
import { DeadlineExceededError } from "../connector/errors.js";

/**
 * Runs connector work on `params` (a fresh object, given a `signal`) so that it answers before
 * `deadline` (epoch ms) minus `marginMs`: past that the signal is aborted and DEADLINE_EXCEEDED is
 * thrown, so the caller gets an answer instead of a killed function. Work that ignores the signal
 * keeps running detached.
 *
 * The guard costs only what the work uses, because most calls return at once: the signal is made
 * when first read (an AbortSignal costs about 2 µs to make), and the timer is armed only for a
 * promise; a value returned at once cannot be late, as no timer could fire while it ran.
 */
export async function withDeadline<P extends object, T>(
  params: P,
  work: (params: P & CallContext) => T | PromiseLike<T>,
  deadline: number | undefined,
  marginMs: number,
  describe: () => string,
): Promise<T> {
  const budget = deadline === undefined ? undefined : deadline - marginMs - Date.now();
  if (budget !== undefined && budget <= 0) throw new DeadlineExceededError(`${describe()}: no time left before the deadline`);
  const abort = new LazyAbort();
  const withSignal = Object.defineProperty(params, "signal", { get: () => abort.signal, enumerable: true });
  const abortAt = budget === undefined ? undefined : Date.now() + budget;
  if (abortAt !== undefined) Object.defineProperty(withSignal, "deadline", { value: abortAt, enumerable: true });
  const result = work(withSignal as P & CallContext);
  if (abortAt === undefined || !isThenable(result)) return result;
  // Armed for what is left: the work may have spent part of its budget before returning its promise.
  return settledWithin(result, abortAt - Date.now(), () => {
    abort.abort();
    return new DeadlineExceededError(`${describe()}: no answer within ${budget} ms`);
  });
}

/**
 * `promise`, or DEADLINE_EXCEEDED when it has not settled by `deadline` (epoch ms) minus
 * `marginMs`: for work of the service's own that no connector signal reaches (loading the
 * sealing keys), which goes on and may still serve a later call.
 */
export function settledBefore<T>(promise: Promise<T>, deadline: number | undefined, marginMs: number, describe: () => string): Promise<T> {
  if (deadline === undefined) return promise;
  return settledWithin(promise, deadline - marginMs - Date.now(), () => new DeadlineExceededError(`${describe()}: no answer before the deadline`));
}

/** `promise`, or the error `late` makes when `ms` pass first. */
function settledWithin<T>(promise: PromiseLike<T>, ms: number, late: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(late()), Math.max(0, ms));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
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
