/**
 * The `openai-batch` resource meta: flytekit's BatchEndpointMetadata (batch/connector.py lines
 * 35-45), same fields in the same order. flytekit encodes it with cloudpickle, which no other
 * language reads; this one is JSON (docs/CONTRACT.md §5), so a meta written by the Python service is
 * not read here, nor ours there: a running batch task cannot move between the two services.
 */
import { defineResourceMeta, field } from "../../connector/resource-meta.js";

export const BatchEndpointMetadata = defineResourceMeta("BatchEndpointMetadata", {
  /** custom.openai_organization at create; flytekit declares it `str` but stores None too. */
  openai_org: field.string().optional(),
  batch_id: field.string(),
});
export type BatchEndpointMetadata = InstanceType<typeof BatchEndpointMetadata>;
