/**
 * The BigQuery resource metas, byte for byte as the Python connectors write them
 * (`json.dumps(asdict(meta))`): flytekit's `BigQueryMetadata(job_id, project, location)` and
 * flyte-sdk's, which adds `user_agent`. A meta holds no credential: the connector reads those
 * again on every call (docs/CONTRACT.md §9).
 */
import type { ResourceMetaClass } from "../../connector/resource-meta.js";
import { defineResourceMeta, field } from "../../connector/resource-meta.js";

const jobFields = {
  job_id: field.string(),
  project: field.string(),
  // A task may leave Location out (BigQueryConfig.Location is Optional): Python then writes null.
  location: field.string().optional(),
};

/** flytekit's (plugins/flytekit-bigquery/flytekitplugins/bigquery/connector.py:33-37). */
export const BigQueryMetadata = defineResourceMeta("BigQueryMetadata", jobFields);
export type BigQueryMetadata = InstanceType<typeof BigQueryMetadata>;

/** flyte-sdk's (plugins/bigquery/src/flyteplugins/bigquery/connector.py:36-41). */
export const BigQueryMetadataV2 = defineResourceMeta("BigQueryMetadata", { ...jobFields, user_agent: field.string() });
export type BigQueryMetadataV2 = InstanceType<typeof BigQueryMetadataV2>;

export type BigQueryMeta = BigQueryMetadata | BigQueryMetadataV2;

/**
 * Reads either meta: one with `user_agent` is flyte-sdk's, one without is flytekit's. Each keeps
 * its own shape when written back, so a meta still reads in the Python connector it came from.
 */
export const BigQueryMeta: ResourceMetaClass<BigQueryMeta> = {
  name: "BigQueryMetadata",
  decode(data: Uint8Array): BigQueryMeta {
    return hasUserAgent(data) ? BigQueryMetadataV2.decode(data) : BigQueryMetadata.decode(data);
  },
};

/** Whether the meta's JSON object has a `user_agent` key (malformed bytes: let decode say why). */
function hasUserAgent(data: Uint8Array): boolean {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"));
    return typeof parsed === "object" && parsed !== null && Object.hasOwn(parsed, "user_agent");
  } catch {
    return false;
  }
}
