/**
 * The registry entries of the AWS connectors (for functions/registry.ts): each lazy entry loads a
 * connector with exactly the name, task type and kind it announces, as flytekit registers them
 * (BotoConnector "Boto Connector" boto; SageMakerEndpointConnector "SageMaker Endpoint Connector"
 * sagemaker-endpoint; SensorEngine "Sensor" sensor).
 */
import { expect, it } from "vitest";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";

const registry = new ConnectorRegistry()
  .registerLazy({
    name: "Boto Connector",
    taskTypeName: "boto",
    isSync: true,
    load: () => import("../../../lib/connectors/aws/boto.js").then((m) => new m.BotoConnector()),
  })
  .registerLazy({
    name: "SageMaker Endpoint Connector",
    taskTypeName: "sagemaker-endpoint",
    isSync: false,
    load: () => import("../../../lib/connectors/aws/sagemaker-endpoint.js").then((m) => new m.SageMakerEndpointConnector()),
  })
  .registerLazy({
    name: "Sensor",
    taskTypeName: "sensor",
    isSync: false,
    load: () => import("../../../lib/connectors/aws/file-sensor.js").then((m) => new m.FileSensorConnector()),
  });

it.each(["boto", "sagemaker-endpoint", "sensor"])("loads the %s connector its entry announces", async (taskType) => {
  const connector = await registry.getConnector(taskType);
  expect(connector.taskCategory.name).toBe(taskType);
  expect(registry.listConnectors().map((agent) => agent.name)).toEqual(["Boto Connector", "SageMaker Endpoint Connector", "Sensor"]);
});
