/**
 * The abort signal of one request a client transport sends: it aborts at the call's deadline, or
 * when the caller's own signal does (a cancelled gRPC call the front is answering, Ctrl-C).
 */
import { CancelledError, DeadlineExceededError } from "../connector/errors.js";
import { MAX_TIMER_MS } from "../limits.js";
import type { DispatchOptions, OperationName } from "../service/operations.js";

/**
 * The signal for a request of `name`, undefined when the call has neither a deadline nor a signal.
 * A call already cancelled, or with no time left, throws CANCELLED or DEADLINE_EXCEEDED before
 * anything is sent.
 */
export function requestSignal(name: OperationName, { deadline, signal }: DispatchOptions): AbortSignal | undefined {
  if (signal?.aborted) throw new CancelledError(`${name}: the caller cancelled the call.`);
  const remaining = deadline === undefined ? undefined : deadline - Date.now();
  if (remaining !== undefined && remaining <= 0) throw new DeadlineExceededError(`${name}: no time left before the deadline.`);
  const timeout = remaining === undefined || remaining > MAX_TIMER_MS ? undefined : AbortSignal.timeout(remaining);
  return timeout && signal ? AbortSignal.any([timeout, signal]) : (timeout ?? signal);
}
