/**
 * The static registry every function bundles. Each connector is one entry: what ListAgents shows
 * of it, and a literal import() of its module that esbuild follows and emits as a chunk of its
 * own, so a function loads a connector's code only when a call needs it and listAgents/getAgent
 * never do. No dynamic paths and no filesystem scanning at cold start. A connector is deployed
 * by adding its entry here; the loaded connector must have the name, task type and kind its
 * entry gives (the registry checks).
 */
import { ConnectorRegistry } from "../lib/connector/registry.js";

export const registry = new ConnectorRegistry()
  .registerLazy({
    name: "Echo Connector",
    taskTypeName: "echo",
    isSync: true,
    load: () => import("../lib/connectors/echo.js").then((m) => new m.EchoConnector()),
  })
  .registerLazy({
    name: "Sleep Connector",
    taskTypeName: "sleep",
    isSync: false,
    load: () => import("../lib/connectors/sleep.js").then((m) => new m.SleepConnector()),
  })
  .registerLazy({
    name: "Webhook Connector",
    taskTypeName: "webhook",
    isSync: true,
    load: () => import("../lib/connectors/webhook.js").then((m) => new m.WebhookConnector()),
  })
  .registerLazy({
    name: "Databricks Connector",
    taskTypeName: "spark",
    isSync: false,
    load: () => import("../lib/connectors/databricks/connector.js").then((m) => new m.DatabricksConnector()),
  })
  .registerLazy({
    name: "Databricks Connector",
    taskTypeName: "databricks",
    isSync: false,
    load: () => import("../lib/connectors/databricks/connector.js").then((m) => new m.DatabricksConnectorV2()),
  })
  .registerLazy({
    name: "Bigquery Connector",
    taskTypeName: "bigquery_query_job_task",
    isSync: false,
    load: () => import("../lib/connectors/bigquery/connector.js").then((m) => new m.BigQueryConnector()),
  })
  .registerLazy({
    name: "Snowflake Connector",
    taskTypeName: "snowflake",
    isSync: false,
    load: () => import("../lib/connectors/snowflake/connector.js").then((m) => new m.SnowflakeConnector()),
  })
  .registerLazy({
    name: "ChatGPT Connector",
    taskTypeName: "chatgpt",
    isSync: true,
    load: () => import("../lib/connectors/openai/chatgpt.js").then((m) => new m.ChatGPTConnector()),
  })
  .registerLazy({
    name: "OpenAI Batch Endpoint Connector",
    taskTypeName: "openai-batch",
    isSync: false,
    load: () => import("../lib/connectors/openai/batch.js").then((m) => new m.BatchEndpointConnector()),
  })
  .registerLazy({
    name: "Boto Connector",
    taskTypeName: "boto",
    isSync: true,
    load: () => import("../lib/connectors/aws/boto.js").then((m) => new m.BotoConnector()),
  })
  .registerLazy({
    name: "SageMaker Endpoint Connector",
    taskTypeName: "sagemaker-endpoint",
    isSync: false,
    load: () => import("../lib/connectors/aws/sagemaker-endpoint.js").then((m) => new m.SageMakerEndpointConnector()),
  })
  .registerLazy({
    name: "Sensor",
    taskTypeName: "sensor",
    isSync: false,
    load: () => import("../lib/connectors/aws/file-sensor.js").then((m) => new m.FileSensorConnector()),
  });
