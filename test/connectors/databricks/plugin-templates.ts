/**
 * Task templates built as the Python plugins build them (flytekit v1.16.24 e96c720, flyte-sdk
 * 7e2d423). Free of vitest, so the bench builds its requests from them too; the tests' harness is
 * harness.ts.
 */
import type { flyteidl } from "../../../lib/idl/index.js";
import { type JsonObject, structFromJson } from "../../../lib/literals/index.js";

export const INSTANCE = "test-account.cloud.databricks.com";
export const PAT = "dapi0123456789abcdef0123456789abcdef";

/**
 * The container args FlytePropeller sends (rendered), as a flytekit PythonFunctionTask with fast
 * registration serializes them (flytekit/core/python_auto_container.py get_default_command).
 */
export const ARGS = [
  "pyflyte-fast-execute",
  "--additional-distribution",
  "s3://my-s3-bucket/flytesnacks/development/24UYJEF2HDZQN3SG4VAZSM4PLI======/script_mode.tar.gz",
  "--dest-dir",
  "/root",
  "--",
  "pyflyte-execute",
  "--inputs",
  "s3://my-s3-bucket/metadata/inputs.pb",
  "--output-prefix",
  "s3://my-s3-bucket/metadata/0",
  "--raw-output-data-prefix",
  "s3://my-s3-bucket/raw",
  "--checkpoint-path",
  "s3://my-s3-bucket/raw/_flytecheckpoints",
  "--prev-checkpoint",
  '""',
  "--resolver",
  "flytekit.core.python_auto_container.default_task_resolver",
  "--",
  "task-module",
  "databricks_example",
  "task-name",
  "hello_spark",
];
export const IMAGE = "ghcr.io/flyteorg/flytekit:databricks-1.16.24";
export const ENV = [
  { key: "FLYTE_INTERNAL_IMAGE", value: IMAGE },
  { key: "foo", value: "bar" },
];

export const SPARK_CONF = { "spark.driver.memory": "1000M", "spark.executor.instances": "2" };

/**
 * DatabricksV2 / Databricks config as the user writes it (flytekit task.py:57-71, 73-203;
 * flyte-sdk task.py:13-43). Numbers are given as the user writes them; Struct makes them doubles.
 */
export interface PluginConfig {
  readonly sparkConf?: Record<string, string>;
  readonly hadoopConf?: Record<string, string>;
  readonly databricksConf?: JsonObject;
  readonly databricksInstance?: string;
  readonly databricksServiceCredentialProvider?: string;
  readonly databricksTokenSecret?: string;
  readonly notebookPath?: string;
  readonly notebookBaseParameters?: Record<string, string>;
  /** flyte-sdk's Databricks.databricks_token: the name of the Flyte secret. */
  readonly databricksToken?: string;
}

/**
 * flytekit PysparkFunctionTask.get_custom (task.py:291-322): MessageToDict(SparkJob.to_flyte_idl())
 * (models.py:165-195) -- camelCase, proto field order, defaults left out: applicationType PYTHON
 * is the enum's zero, mainClass "", empty maps; databricksConf is a Struct message, present even
 * empty -- then DatabricksV2's own keys (task.py:311-320) when set.
 */
export function flytekitCustom(config: PluginConfig): JsonObject {
  const custom: JsonObject = { mainApplicationFile: "local:///usr/local/lib/python3.11/site-packages/flytekit/bin/entrypoint.py" };
  if (config.sparkConf && Object.keys(config.sparkConf).length > 0) custom["sparkConf"] = config.sparkConf;
  if (config.hadoopConf && Object.keys(config.hadoopConf).length > 0) custom["hadoopConf"] = config.hadoopConf;
  custom["executorPath"] = "/usr/local/bin/python3";
  custom["databricksConf"] = config.databricksConf ?? {};
  if (config.databricksInstance) custom["databricksInstance"] = config.databricksInstance;
  if (config.databricksServiceCredentialProvider) custom["databricksServiceCredentialProvider"] = config.databricksServiceCredentialProvider;
  if (config.databricksTokenSecret) custom["databricksTokenSecret"] = config.databricksTokenSecret;
  if (config.notebookPath) custom["notebookPath"] = config.notebookPath;
  if (config.notebookBaseParameters) custom["notebookBaseParameters"] = config.notebookBaseParameters;
  return custom;
}

/**
 * flyte-sdk DatabricksFunctionTask.custom_config (task.py:57-77): MessageToDict(SparkJob(...))
 * of flyteidl2's SparkJob, then `cfg["secrets"] = {"databricks_token": <secret name>}` always.
 */
export function flyteSdkCustom(config: PluginConfig): JsonObject {
  const custom: JsonObject = { mainApplicationFile: "local:///usr/local/bin/runtime.py" };
  if (config.sparkConf && Object.keys(config.sparkConf).length > 0) custom["sparkConf"] = config.sparkConf;
  if (config.hadoopConf && Object.keys(config.hadoopConf).length > 0) custom["hadoopConf"] = config.hadoopConf;
  custom["executorPath"] = "/opt/venv/bin/python";
  if (config.databricksConf) custom["databricksConf"] = config.databricksConf;
  if (config.databricksInstance) custom["databricksInstance"] = config.databricksInstance;
  custom["secrets"] = { databricks_token: config.databricksToken ?? null };
  return custom;
}

/** The TaskTemplate FlytePropeller sends for a task of `type` with `custom`. */
export function template(type: "spark" | "databricks", custom: JsonObject): flyteidl.core.ITaskTemplate {
  return {
    id: { resourceType: 1, project: "flytesnacks", domain: "development", name: "databricks_example.hello_spark", version: "v1" },
    type,
    custom: structFromJson(custom),
    container: { image: IMAGE, args: ARGS, env: ENV },
    interface: { inputs: { variables: {} }, outputs: { variables: {} } },
  };
}

/** Task execution metadata of one attempt. */
export function attempt(retryAttempt: number, name = "f6a8b2c4d0e1"): flyteidl.admin.ITaskExecutionMetadata {
  return {
    taskExecutionId: {
      taskId: { resourceType: 1, project: "flytesnacks", domain: "development", name: "databricks_example.hello_spark", version: "v1" },
      nodeExecutionId: { nodeId: "n0", executionId: { project: "flytesnacks", domain: "development", name } },
      retryAttempt,
    },
    namespace: "flytesnacks-development",
  };
}

/** The classic new-cluster databricks_conf of flytekit's own test (tests/test_connector.py). */
export function newClusterConf(): JsonObject {
  return {
    run_name: "flytekit databricks plugin example",
    new_cluster: { spark_version: "12.2.x-scala2.12", node_type_id: "n2-highmem-4", num_workers: 1 },
    timeout_seconds: 3600,
    max_retries: 1,
  };
}
