/**
 * What a `bigquery_query_job_task` template says, as both plugins write it: `custom` holds
 * `ProjectID`, `Location` (null when not set) and `Domain`, then the QueryJobConfig's camelCase
 * keys, which the Python connectors ignore and so do we, and flyte-sdk's `secrets` (the connection
 * brings their values); the query is `sql.statement`. flytekit
 * plugins/flytekit-bigquery/flytekitplugins/bigquery/task.py:72-86; flyte-sdk
 * plugins/bigquery/src/flyteplugins/bigquery/task.py:74-88.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import type { flyteidl } from "../../idl/index.js";
import { type JsonValue, structToJson } from "../../literals/index.js";

export interface QueryTask {
  readonly project: string;
  readonly location: string | null;
  readonly domain: string;
  readonly query: string;
  /** The SDK that serialized the task (`metadata.runtime.version`), for the user agent. */
  readonly sdkVersion: string;
  /** Only flyte-sdk's tasks name secrets in `custom`. */
  readonly namesSecrets: boolean;
}

export function readQueryTask(template: flyteidl.core.ITaskTemplate): QueryTask {
  const custom: Record<string, JsonValue> = template.custom ? structToJson(template.custom) : {};
  const project = custom["ProjectID"];
  if (typeof project !== "string" || project === "") {
    throw new InvalidArgumentError("The BigQuery task's custom.ProjectID must be the project's id (a non-empty string).");
  }
  const location = custom["Location"] ?? null;
  if (location !== null && typeof location !== "string") {
    throw new InvalidArgumentError("The BigQuery task's custom.Location must be a string when set.");
  }
  const domain = custom["Domain"];
  const query = template.sql?.statement ?? "";
  if (query.trim() === "") throw new InvalidArgumentError("The BigQuery task has no query (sql.statement is empty).");
  return {
    project,
    location: location === "" ? null : location,
    domain: typeof domain === "string" ? domain : "",
    query,
    sdkVersion: template.metadata?.runtime?.version ?? "",
    namesSecrets: custom["secrets"] !== undefined,
  };
}
