/**
 * The resource metas of the AWS connectors. flytekit pickles SageMakerEndpointMetadata
 * (cloudpickle of config, region and the inputs LiteralMap), which nothing but Python can read:
 * ours is JSON of its own, so metas are not shared with flytekit's connector for that task type.
 * The sensor's meta is flytekit's SensorMetadata (flytekit/sensor/base_sensor.py), JSON both
 * ways, byte for byte.
 */
import { defineResourceMeta, field } from "../../connector/resource-meta.js";

/** The endpoint a sagemaker-endpoint task created: its name, filled as it was created, and region. */
export const SageMakerEndpointMetadata = defineResourceMeta("SageMakerEndpointMetadata", {
  endpoint_name: field.string(),
  region: field.string(),
});
export type SageMakerEndpointMetadata = InstanceType<typeof SageMakerEndpointMetadata>;

/** flytekit's SensorMetadata: the sensor class, its config, and the task's inputs as native values. */
export const SensorMetadata = defineResourceMeta("SensorMetadata", {
  sensor_module: field.string(),
  sensor_name: field.string(),
  sensor_config: field.json().optional(),
  inputs: field.json().optional(),
});
export type SensorMetadata = InstanceType<typeof SensorMetadata>;
