/**
 * Bounded retries with backoff for the operations that are safe to repeat. createTask and
 * executeTaskSync are never repeated: a lost answer may hide a task that did start, and a second
 * one would run it twice.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { CancelledError, ConnectorError, Status } from "../connector/errors.js";
import type { Dispatch, OperationName } from "../service/operations.js";

/** Reads, plus deleteTask, which the contract makes idempotent. */
export const idempotentOperations: ReadonlySet<OperationName> = new Set<OperationName>([
  "getTask",
  "deleteTask",
  "getTaskMetrics",
  "getTaskLogs",
  "getAgent",
  "listAgents",
]);

export interface RetryPolicy {
  /** Attempts in all, the first included (default 3; 1 turns retries off). */
  readonly attempts?: number;
  /** Upper bound of the first wait; it doubles on every further attempt (default 100 ms). */
  readonly baseDelayMs?: number;
  /** Upper bound of any wait (default 2000 ms). */
  readonly maxDelayMs?: number;
}

/** Transient by nature: the backend was unreachable or out of capacity for a moment. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ConnectorError && (error.code === Status.UNAVAILABLE || error.code === Status.RESOURCE_EXHAUSTED);
}

/** Wraps a dispatch so that idempotent operations are retried on transient failures. */
export function withRetries(dispatch: Dispatch, policy: RetryPolicy = {}): Dispatch {
  const attempts = Math.max(1, policy.attempts ?? 3);
  const baseDelayMs = policy.baseDelayMs ?? 100;
  const maxDelayMs = policy.maxDelayMs ?? 2000;
  return async (name, requests, options) => {
    const allowed = idempotentOperations.has(name) ? attempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await dispatch(name, requests, options);
      } catch (error) {
        if (attempt >= allowed || !isRetryable(error)) throw error;
        // Full jitter: callers that failed together do not come back together.
        const delay = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        if (options?.deadline !== undefined && Date.now() + delay >= options.deadline) throw error;
        // A caller that goes away during the wait is answered at once, not after another attempt.
        await sleep(delay, undefined, { signal: options?.signal }).catch(() => {
          throw new CancelledError(`${name}: the caller cancelled the call while it waited to retry.`, { cause: error });
        });
      }
    }
  };
}
