/**
 * The Databricks resource meta. Both Python connectors name it DatabricksJobMetadata:
 * flyte-sdk writes `(databricks_instance, run_id)` (plugins/databricks/.../connector.py:20-23),
 * flytekit 1.16 `(databricks_instance, run_id, auth_token=None)` with the bearer token itself in it
 * (plugins/flytekit-spark/flytekitplugins/spark/connector.py:30-34), older flytekit the first two.
 *
 * This reads all three and writes flyte-sdk's bytes exactly: a meta is kept in the workflow's
 * CRD (etcd), so what we write never holds a token, and flytekit reads it too (its auth_token
 * defaults to None). A token in a meta flytekit wrote is kept only in memory, redacted, and used
 * only when this deployment has no credential of its own (see credentials.ts).
 */
import { knownSecrets } from "../../connector/redact.js";
import type { ResourceMetaInstance } from "../../connector/resource-meta.js";
import { defineResourceMeta, field } from "../../connector/resource-meta.js";

/** What we write: flyte-sdk's dataclass. */
const Written = defineResourceMeta("DatabricksJobMetadata", {
  databricks_instance: field.string(),
  run_id: field.string(),
});

/** What we read: flytekit's dataclass, which also reads flyte-sdk's (auth_token defaults to None). */
const Read = defineResourceMeta("DatabricksJobMetadata", {
  databricks_instance: field.string(),
  run_id: field.string(),
  auth_token: field.string().optional(),
});

export class DatabricksJobMetadata implements ResourceMetaInstance {
  readonly databricksInstance: string;
  readonly runId: string;
  /** The token a flytekit 1.16 meta carried, if any: a last resort, never written back. */
  readonly legacyAuthToken: string | undefined;

  constructor(init: { databricksInstance: string; runId: string; legacyAuthToken?: string | undefined }) {
    this.databricksInstance = init.databricksInstance;
    this.runId = init.runId;
    this.legacyAuthToken = init.legacyAuthToken;
  }

  encode(): Uint8Array {
    return new Written({ databricks_instance: this.databricksInstance, run_id: this.runId }).encode();
  }

  static decode(data: Uint8Array): DatabricksJobMetadata {
    const read = Read.decode(data);
    // Known before anything can quote it: the meta arrived in a request, the token must not leave in an answer.
    if (read.auth_token) knownSecrets.addPassing(read.auth_token);
    return new DatabricksJobMetadata({
      databricksInstance: read.databricks_instance,
      runId: read.run_id,
      legacyAuthToken: read.auth_token || undefined,
    });
  }
}
