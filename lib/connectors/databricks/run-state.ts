/**
 * A Databricks run's state as a Flyte phase: `life_cycle_state`, and `result_state` once the run
 * is TERMINATED (Jobs API 2.1, runs/get `state`:
 * https://docs.databricks.com/api/workspace/jobs/getrun). Both Python connectors pass these to
 * convert_to_flyte_phase, which raises on QUEUED, BLOCKED, WAITING_FOR_RETRY,
 * SUCCESS_WITH_FAILURES, MAXIMUM_CONCURRENT_RUNS_REACHED, EXCLUDED, UPSTREAM_* and DISABLED (the
 * GetTask call fails, again and again); every documented state has a phase here, the shared ones
 * the phase flytekit gives them. A state the reference adds later is not a failure of the task:
 * it answers a non-terminal phase whose message names it, so the task waits for a state we know.
 *
 * A failure is permanent for Flyte (FAILED) unless the run's `status.termination_details.type`
 * (TerminationTypeType, the newer field runs/get answers beside `state`) says the platform caused
 * it: INTERNAL_ERROR or CLOUD_FAILURE (a cluster the cloud could not start, a driver lost) are
 * RETRYABLE_FAILED, so that the task's retries apply. Conversely, the INTERNAL_ERROR life cycle
 * that type says the run's own input or configuration caused (CLIENT_ERROR: a notebook not found,
 * an invalid cluster spec) is FAILED: another attempt would fail alike. The Python connectors read
 * `state` only.
 */
import { Phase } from "../../connector/phase.js";
import type { JsonValue } from "../../connector/python-json.js";
import { pythonStr } from "../../connector/python-str.js";

/** The run's life cycle before it is TERMINATED (RunLifeCycleState). */
const lifeCyclePhases: Readonly<Record<string, Phase>> = {
  /** Waiting for a slot (max concurrent runs with queueing on). */
  QUEUED: Phase.QUEUED,
  /** Scheduled; its cluster and execution context are being prepared (flytekit: INITIALIZING). */
  PENDING: Phase.INITIALIZING,
  RUNNING: Phase.RUNNING,
  /** The task is done and its cluster is being torn down; the result comes with TERMINATED (flytekit: RUNNING). */
  TERMINATING: Phase.RUNNING,
  /** Blocked on an upstream dependency: not started yet. */
  BLOCKED: Phase.QUEUED,
  /** A task of the run failed and waits for its own retry (the job's max_retries): the run goes on. */
  WAITING_FOR_RETRY: Phase.RUNNING,
  /** Never ran: a previous run of the same job was still active (flytekit: FAILED). */
  SKIPPED: Phase.FAILED,
  /** The Jobs service itself failed (e.g. a long network failure); terminal, and worth a new attempt. */
  INTERNAL_ERROR: Phase.RETRYABLE_FAILED,
};

/** The result of a TERMINATED run (RunResultState). */
const resultPhases: Readonly<Record<string, Phase>> = {
  SUCCESS: Phase.SUCCEEDED,
  /** Completed; only non-leaf tasks failed, and Databricks counts the run successful. */
  SUCCESS_WITH_FAILURES: Phase.SUCCEEDED,
  FAILED: Phase.FAILED,
  TIMEDOUT: Phase.FAILED,
  /** Cancelled on Databricks (or by DeleteTask, after which the phase is not read); flytekit: FAILED. */
  CANCELED: Phase.FAILED,
  /** Skipped because the job's concurrency limit was reached: another attempt may find a slot. */
  MAXIMUM_CONCURRENT_RUNS_REACHED: Phase.RETRYABLE_FAILED,
  /** Skipped: its run_if conditions were not met. The task's code did not run. */
  EXCLUDED: Phase.FAILED,
  /** Skipped: an upstream task failed. */
  UPSTREAM_FAILED: Phase.FAILED,
  /** Skipped: an upstream task was cancelled. */
  UPSTREAM_CANCELED: Phase.FAILED,
  /** Skipped: disabled by a user. */
  DISABLED: Phase.FAILED,
};

export interface RunState {
  readonly life_cycle_state?: unknown;
  readonly result_state?: unknown;
  readonly state_message?: unknown;
}

/** The part of runs/get's `status` (RunStatus) read here. */
export interface RunStatus {
  readonly termination_details?: { readonly type?: unknown } | null;
}

/** TerminationTypeType values that put a failure on Databricks or the cloud, not on the task. */
const PLATFORM_FAULTS: ReadonlySet<unknown> = new Set(["INTERNAL_ERROR", "CLOUD_FAILURE"]);

export type RunPhase =
  | { readonly known: true; readonly phase: Phase }
  /** Not in the reference this connector knows: `state` names it for the message and the log. */
  | { readonly known: false; readonly phase: Phase; readonly state: string };

/** While a state is unknown the task waits, as it would for a running run. */
const UNKNOWN_STATE_PHASE = Phase.RUNNING;

export function runPhase(state: RunState | undefined, status?: RunStatus): RunPhase {
  const mapped = statePhase(state);
  const termination = status?.termination_details?.type;
  if (mapped.known && mapped.phase === Phase.FAILED && PLATFORM_FAULTS.has(termination)) {
    return { known: true, phase: Phase.RETRYABLE_FAILED };
  }
  if (state?.life_cycle_state === "INTERNAL_ERROR" && termination === "CLIENT_ERROR") return { known: true, phase: Phase.FAILED };
  return mapped;
}

function statePhase(state: RunState | undefined): RunPhase {
  const lifeCycle = state?.life_cycle_state;
  if (lifeCycle === "TERMINATED") {
    const result = state?.result_state;
    const phase = typeof result === "string" && Object.hasOwn(resultPhases, result) ? resultPhases[result] : undefined;
    if (phase !== undefined) return { known: true, phase };
    return { known: false, phase: UNKNOWN_STATE_PHASE, state: `TERMINATED with result_state ${describe(result)}` };
  }
  const phase = typeof lifeCycle === "string" && Object.hasOwn(lifeCyclePhases, lifeCycle) ? lifeCyclePhases[lifeCycle] : undefined;
  if (phase !== undefined) return { known: true, phase };
  return { known: false, phase: UNKNOWN_STATE_PHASE, state: `life_cycle_state ${describe(lifeCycle)}` };
}

function describe(value: unknown): string {
  if (value === undefined) return "(none)";
  return pythonStr(value as JsonValue);
}
