/**
 * A BigQuery job (jobs.get) as the task's Resource. `status.state` is PENDING, RUNNING or DONE
 * (Python's convert_to_flyte_phase: INITIALIZING, RUNNING, SUCCEEDED), and a DONE job failed when
 * `status.errorResult` is set. `status.errors` alone holds non-fatal errors of a job that
 * succeeded: the Python connectors fail on any, we do not. A state outside the documented three is
 * not DONE, so the job is still running. A successful query's destination table (BigQuery names
 * an anonymous one when the query did not) is the output `results`, `bq://project:dataset.table`.
 * A job that failed for a transient reason is RETRYABLE_FAILED, so that the task's retries start
 * it again (a new attempt, a new job id), where the Python connectors fail for good.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatus
 */
import { UnavailableError } from "../../connector/errors.js";
import { convertToFlytePhase, Phase } from "../../connector/phase.js";
import { type LogLink, Resource } from "../../connector/resource.js";
import { StructuredDataset } from "../../literals/index.js";
import { pythonOutputs } from "../../literals/python.js";
import type { BigQueryJob, ErrorProto } from "./client.js";
import type { BigQueryMeta } from "./meta.js";

const DOCUMENTED_STATES = new Set(["PENDING", "RUNNING", "DONE"]);
/**
 * The errorResult reasons for which Google's own client starts a query job again
 * (python-bigquery's retry.py: `job_retry_reasons`, and `_RETRYABLE_REASONS` that
 * `_job_should_retry` also accepts).
 */
const TRANSIENT_REASONS = new Set(["rateLimitExceeded", "backendError", "internalError", "badGateway", "jobRateLimitExceeded"]);
/** The errors a message lists; BigQuery may report many. */
const MAX_LISTED_ERRORS = 5;

export function jobResource(job: BigQueryJob, meta: BigQueryMeta): Resource {
  const logLinks = [consoleLink(meta)];
  const status = job.status;
  if (typeof status?.state !== "string") {
    throw new UnavailableError(`BigQuery answered jobs.get for job ${meta.job_id} without the job's state; try again.`);
  }
  const { state, errorResult, errors = [] } = status;
  if (errorResult) {
    const transient = TRANSIENT_REASONS.has(errorResult.reason ?? "");
    const failed = transient ? "BigQuery job failed for a transient reason (a new attempt runs it again)" : "BigQuery job failed";
    const phase = transient ? Phase.RETRYABLE_FAILED : Phase.FAILED;
    return new Resource({ phase, message: `${failed}: ${describeErrors([errorResult, ...errors])}`, logLinks });
  }
  if (!DOCUMENTED_STATES.has(state)) {
    return new Resource({ phase: Phase.RUNNING, message: `${state} (not DONE: still running)`, logLinks });
  }
  const phase = convertToFlytePhase(state);
  if (phase !== Phase.SUCCEEDED) return new Resource({ phase, message: state, logLinks });
  const message = errors.length > 0 ? `${state}, with non-fatal errors: ${describeErrors(errors)}` : state;
  const table = job.configuration?.query?.destinationTable;
  const outputs = table ? pythonOutputs({ results: new StructuredDataset(`bq://${table.projectId}:${table.datasetId}.${table.tableId}`) }) : null;
  return new Resource({ phase, message, logLinks, outputs });
}

/** The plugins' link (flytekit connector.py:85-88): BigQuery's console keeps its own URL whatever the API endpoint. */
/** A dashboard for Flyte 2, as flyte-sdk's connector marks it (connector.py:110-115). */
function consoleLink(meta: BigQueryMeta): LogLink {
  // Python formats a location left unset as None.
  const location = meta.location ?? "None";
  return {
    name: "BigQuery Console",
    uri: `https://console.cloud.google.com/bigquery?project=${meta.project}&j=bq:${location}:${meta.job_id}&page=queryresults`,
    linkType: "dashboard",
  };
}

/** `reason: message` of each distinct error, the first few. */
function describeErrors(errors: readonly ErrorProto[]): string {
  const described = [...new Set(errors.map((error) => [error.reason, error.message].filter(Boolean).join(": ")))].filter(Boolean);
  const shown = described.slice(0, MAX_LISTED_ERRORS).join("; ");
  const more = described.length - MAX_LISTED_ERRORS;
  return more > 0 ? `${shown}; and ${more} more` : shown || "no error message";
}
