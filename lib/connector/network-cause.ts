import { errorMessage } from "./errors.js";

/**
 * Why a fetch failed, readably: fetch reports every network failure as "fetch failed", with the
 * reason down its cause chain (an AggregateError of each address tried, for happy eyeballs).
 */
export function networkCause(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  if (current instanceof AggregateError && current.errors.length > 0) {
    return [...new Set(current.errors.map(errorMessage))].join("; ");
  }
  return errorMessage(current);
}
