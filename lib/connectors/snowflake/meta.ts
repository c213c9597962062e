/**
 * The resource meta in the shape of the plugin that wrote the task, so that either Python service
 * reads what this one writes and the other way round: flytekit's SnowflakeJobMetadata
 * (plugins/flytekit-snowflake/flytekitplugins/snowflake/connector.py:19-27: user, account, …) and
 * flyte-sdk's (plugins/snowflake/src/flyteplugins/snowflake/connector.py:23-46: account, user, …,
 * connection_kwargs). Neither holds a credential: the key comes from the secrets on every call.
 */
import { type ResourceMetaClass, ResourceMetaError, defineResourceMeta, field } from "../../connector/resource-meta.js";

export const FlytekitSnowflakeMetadata = defineResourceMeta("SnowflakeJobMetadata", {
  user: field.string(),
  account: field.string(),
  database: field.string(),
  schema: field.string(),
  warehouse: field.string(),
  query_id: field.string(),
  has_output: field.boolean(),
});
export type FlytekitSnowflakeMetadata = InstanceType<typeof FlytekitSnowflakeMetadata>;

export const FlyteSdkSnowflakeMetadata = defineResourceMeta("SnowflakeJobMetadata", {
  account: field.string(),
  user: field.string(),
  database: field.string(),
  schema: field.string(),
  warehouse: field.string(),
  query_id: field.string(),
  has_output: field.boolean(),
  connection_kwargs: field.json().optional(),
});
export type FlyteSdkSnowflakeMetadata = InstanceType<typeof FlyteSdkSnowflakeMetadata>;

export type SnowflakeMetadata = FlytekitSnowflakeMetadata | FlyteSdkSnowflakeMetadata;

export function isFlyteSdkMeta(meta: SnowflakeMetadata): meta is FlyteSdkSnowflakeMetadata {
  return meta instanceof FlyteSdkSnowflakeMetadata;
}

const utf8 = new TextDecoder();

/**
 * Decodes either shape, told apart by the first key that Python's json.dumps(asdict(meta)) writes:
 * `"user"` for flytekit, `"account"` for flyte-sdk.
 */
export const SnowflakeJobMetadata: ResourceMetaClass<SnowflakeMetadata> = {
  name: "SnowflakeJobMetadata",
  decode(data: Uint8Array): SnowflakeMetadata {
    const first = /^\s*\{\s*"([^"]*)"/.exec(utf8.decode(data.subarray(0, 64)))?.[1];
    if (first === "account") return FlyteSdkSnowflakeMetadata.decode(data);
    if (first === "user") return FlytekitSnowflakeMetadata.decode(data);
    throw new ResourceMetaError(
      'SnowflakeJobMetadata: cannot decode, expected the JSON object flytekit (starting with "user") or flyte-sdk (starting with "account") writes.',
    );
  },
};
