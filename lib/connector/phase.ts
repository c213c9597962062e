import { flyteidl } from "../idl/index.js";

/** flyteidl.core.TaskExecution.Phase, the phase every Resource carries. */
export const Phase = flyteidl.core.TaskExecution.Phase;
export type Phase = flyteidl.core.TaskExecution.Phase;

const terminalPhases: ReadonlySet<Phase> = new Set([Phase.SUCCEEDED, Phase.ABORTED, Phase.FAILED]);

/** flytekit's is_terminal_phase: SUCCEEDED, ABORTED and FAILED end a task. */
export function isTerminalPhase(phase: Phase): boolean {
  return terminalPhases.has(phase);
}

/**
 * The phases that end an attempt: the terminal ones, and RETRYABLE_FAILED, which FlytePropeller
 * and the Flyte 2 executor answer with a new attempt. What a sync connector's `do` may return.
 */
export function endsAttempt(phase: Phase): boolean {
  return terminalPhases.has(phase) || phase === Phase.RETRYABLE_FAILED;
}

/** flytekit's convert_to_flyte_phase table, by lower-cased state. */
const phaseByState: ReadonlyMap<string, Phase> = new Map([
  ...["failed", "timeout", "timedout", "canceled", "cancelled", "skipped"].map((state) => [state, Phase.FAILED] as const),
  // flytekit 1.16 and flyte-sdk 2: a platform's internal error is worth another attempt.
  ["internal_error", Phase.RETRYABLE_FAILED] as const,
  ...["done", "succeeded", "success", "completed"].map((state) => [state, Phase.SUCCEEDED] as const),
  ...["running", "terminating"].map((state) => [state, Phase.RUNNING] as const),
  ["pending", Phase.INITIALIZING] as const,
]);

/**
 * flytekit's convert_to_flyte_phase: a backend's job state (any case) to a Flyte phase. Throws
 * `Unrecognized state: <state>` (lower-cased, as flytekit words it) for anything else.
 */
export function convertToFlytePhase(state: string): Phase {
  const lower = state.toLowerCase();
  const phase = phaseByState.get(lower);
  if (phase === undefined) throw new Error(`Unrecognized state: ${lower}`);
  return phase;
}
