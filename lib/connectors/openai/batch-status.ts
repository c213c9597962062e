/**
 * A batch's `status` as a task phase, by flytekit's table (State in
 * plugins/flytekit-openai/flytekitplugins/openai/batch/connector.py lines 23-32), which covers every
 * status the API reference lists. flytekit raises on any other status, failing the call; here an
 * unknown status keeps the task running with a message saying so, since a status added to the
 * API is more likely a new stage than an end.
 */
import type { Batch } from "openai/resources/batches";
import { Phase } from "../../connector/phase.js";

const PHASES: Readonly<Record<string, Phase>> = {
  validating: Phase.RUNNING,
  in_progress: Phase.RUNNING,
  finalizing: Phase.RUNNING,
  completed: Phase.SUCCEEDED,
  failed: Phase.FAILED,
  expired: Phase.FAILED,
  cancelling: Phase.FAILED,
  cancelled: Phase.FAILED,
};

export interface BatchState {
  readonly phase: Phase;
  readonly message: string;
}

export function batchState(batch: Batch): BatchState {
  const status: string = batch.status;
  const phase = Object.hasOwn(PHASES, status) ? PHASES[status]! : undefined;
  if (phase === undefined) {
    return { phase: Phase.RUNNING, message: `OpenAI reports batch ${batch.id} as ${JSON.stringify(status)}, a status this connector does not know; still waiting.` };
  }
  if (phase === Phase.FAILED) return { phase, message: failureMessage(batch) };
  return { phase, message: `Batch ${batch.id} is ${status}${progress(batch)}.` };
}

/** flytekit's message: the first error's (line 100-103), else what happened. */
function failureMessage(batch: Batch): string {
  const first = batch.errors?.data?.[0]?.message;
  if (first) return first;
  switch (batch.status) {
    case "expired":
      return `Batch ${batch.id} expired: it did not complete within its completion window (${batch.completion_window})${progress(batch)}.`;
    case "cancelling":
    case "cancelled":
      return `Batch ${batch.id} was cancelled (${batch.status})${progress(batch)}.`;
    default:
      return `Batch ${batch.id} failed${progress(batch)}.`;
  }
}

function progress(batch: Batch): string {
  const counts = batch.request_counts;
  if (!counts || typeof counts.total !== "number" || counts.total === 0) return "";
  return `: ${counts.completed} of ${counts.total} requests completed, ${counts.failed} failed`;
}
