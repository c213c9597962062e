/**
 * The timing every connector's retry loop shares: full-jitter backoff, a Retry-After's wait, and
 * the attempt budget cut to the call's deadline, so that a connector that gives up answers its own
 * UNAVAILABLE before the service's deadline guard answers for it.
 */
import { MAX_TIMER_MS } from "../limits.js";

/** Kept back from the deadline so that our own answer, not the service's guard, reaches the caller. */
export const DEADLINE_RESERVE_MS = 50;
/** The least an attempt is worth starting with. */
export const MIN_ATTEMPT_MS = 100;
/** The longest wait between attempts, whatever a Retry-After asks. */
export const MAX_WAIT_MS = 10_000;

export interface Backoff {
  /** The first wait's bound. */
  readonly base: number;
  readonly cap: number;
}

export const DEFAULT_BACKOFF: Backoff = { base: 250, cap: 4000 };

/** Full jitter: a random wait up to base·2^(n-1), capped. */
export function jitteredBackoff(retry: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.random() * Math.min(backoff.cap, backoff.base * 2 ** (retry - 1));
}

/** The wait a Retry-After header asks, in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined): number | undefined {
  const value = headers?.get("retry-after");
  if (value == null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * An attempt's timeout: `timeoutMs`, cut to what is left before the deadline (at least 1 ms) and
 * to the longest timer Node keeps (a longer one would fire at once).
 */
export function attemptTimeout(timeoutMs: number, deadline: number | undefined): number {
  const left = deadline === undefined ? timeoutMs : Math.min(timeoutMs, deadline - DEADLINE_RESERVE_MS - Date.now());
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(left)));
}

/** Whether `ms` more still end before the deadline, with the reserve kept back. */
export function timeLeftFor(ms: number, deadline: number | undefined): boolean {
  return deadline === undefined || Date.now() + ms + DEADLINE_RESERVE_MS < deadline;
}
