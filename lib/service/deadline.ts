import { DeadlineExceededError } from "../connector/errors.js";

/**
 * Runs connector work so that it answers before `deadline` (epoch ms) minus `marginMs`:
 * past that the work's signal is aborted and DEADLINE_EXCEEDED is thrown, so the caller gets an
 * answer instead of a killed function. Work that ignores the signal keeps running detached.
 */
export async function withDeadline<T>(
  work: (signal: AbortSignal) => T | Promise<T>,
  deadline: number | undefined,
  marginMs: number,
  describe: () => string,
): Promise<T> {
  const controller = new AbortController();
  if (deadline === undefined) return work(controller.signal);
  const budget = deadline - marginMs - Date.now();
  if (budget <= 0) throw new DeadlineExceededError(`${describe()}: no time left before the deadline`);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceededError(`${describe()}: no answer within ${budget} ms`));
    }, budget);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => work(controller.signal)), expired]);
  } finally {
    clearTimeout(timer);
  }
}
