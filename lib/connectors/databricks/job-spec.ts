/**
 * The Jobs API 2.1 `runs/submit` body of a task template, exactly as the Python connector of the
 * SDK that wrote the template would submit it (the same keys, values and key order; only an
 * integral number goes out as `4`, where Python's json.dumps of MessageToDict's double writes `4.0`).
 *
 * Which SDK wrote a `databricks` template is told by `custom.secrets`: flyte-sdk's
 * DatabricksFunctionTask.custom_config always sets it (flyte-sdk plugins/databricks/src/
 * flyteplugins/databricks/task.py:75), and flytekit's PysparkFunctionTask.get_custom never does
 * (flytekit plugins/flytekit-spark/flytekitplugins/spark/task.py:291-322). `spark` templates are
 * flytekit's only. Each SDK's connector builds its own body, with its own entrypoint commit:
 *
 * - flytekit (flytekitplugins/spark/connector.py:37-249, v1.16.24): classic compute (new or
 *   existing cluster), serverless (`environment_key`/`environments`, the run as one task in
 *   `tasks`) and notebook tasks; env FLYTE_FAIL_ON_ERROR=true; entrypoints at flytetools
 *   572298df1f971fb58c258398bd70a6372f811c96, overridable by `git_source`/`python_file`.
 * - flyte-sdk (flyteplugins/databricks/connector.py:26-59, 7e2d423): classic compute only;
 *   entrypoint flyteplugins/databricks/entrypoint.py at flytetools
 *   194364210c47c49ce66c419e8fb68d6f9c06fd7e, always.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { pythonStr } from "../../connector/python-str.js";
import type { flyteidl } from "../../idl/index.js";
import type { JsonObject, JsonValue } from "../../literals/index.js";

export type TemplateSdk = "flytekit" | "flyte-sdk";

/** flytekit.core.constants.FLYTE_FAIL_ON_ERROR: the entrypoint fails the Databricks run when the task fails. */
const FLYTE_FAIL_ON_ERROR = "FLYTE_FAIL_ON_ERROR";

const FLYTETOOLS_URL = "https://github.com/flyteorg/flytetools";

/** flytekit connector.py:173-179. */
const FLYTEKIT_GIT_SOURCE = { git_url: FLYTETOOLS_URL, git_provider: "gitHub", git_commit: "572298df1f971fb58c258398bd70a6372f811c96" };
const FLYTEKIT_CLASSIC_ENTRYPOINT = "flytekitplugins/databricks/entrypoint.py";
const FLYTEKIT_SERVERLESS_ENTRYPOINT = "flytekitplugins/databricks/entrypoint_serverless.py";

/** flyte-sdk connector.py:46-56. */
const FLYTE_SDK_GIT_SOURCE = { git_url: FLYTETOOLS_URL, git_provider: "gitHub", git_commit: "194364210c47c49ce66c419e8fb68d6f9c06fd7e" };
const FLYTE_SDK_ENTRYPOINT = "flyteplugins/databricks/entrypoint.py";

export function templateSdk(custom: JsonObject): TemplateSdk {
  return Object.hasOwn(custom, "secrets") ? "flyte-sdk" : "flytekit";
}

export interface JobSpecOptions {
  /**
   * flytekit's default Databricks service credential provider for serverless runs
   * (env FLYTE_DATABRICKS_SERVICE_CREDENTIAL_PROVIDER), when the task names none.
   */
  readonly serviceCredentialProvider?: string | undefined;
}

/** The runs/submit body for `custom` (the template's custom as JSON) and the template's container. */
export function databricksJobSpec(
  custom: JsonObject,
  container: flyteidl.core.IContainer,
  options: JobSpecOptions = {},
): JsonObject {
  const task = readContainer(container);
  return templateSdk(custom) === "flyte-sdk" ? flyteSdkJobSpec(custom, task) : flytekitJobSpec(custom, task, options);
}

interface ContainerParts {
  readonly image: string;
  readonly args: string[];
  /** `{key: value}` in the container's order, as both SDKs read `container.env`. */
  readonly env: Record<string, string>;
}

function readContainer(container: flyteidl.core.IContainer): ContainerParts {
  const env: Record<string, string> = {};
  for (const { key, value } of container.env ?? []) env[key ?? ""] = value ?? "";
  return { image: container.image ?? "", args: [...(container.args ?? [])], env };
}

// ---- flytekit (flytekitplugins/spark/connector.py at v1.16.24) ----

/** connector.py:228-249, _get_databricks_job_spec. */
function flytekitJobSpec(custom: JsonObject, container: ContainerParts, options: JobSpecOptions): JsonObject {
  const envs = { ...container.env };
  envs[FLYTE_FAIL_ON_ERROR] = "true";
  if (!Object.hasOwn(custom, "databricksConf")) {
    throw invalid("custom.databricksConf is missing: the task has no Databricks job configuration (databricks_conf).");
  }
  const job = object(custom["databricksConf"], "custom.databricksConf");

  const hasCluster = isSet(job["existing_cluster_id"]) || isSet(job["new_cluster"]);
  const hasServerless = truthy(job["environment_key"]) || truthy(job["environments"]);
  if (!hasCluster && !hasServerless) {
    throw invalid(
      "No compute configuration found in databricks_conf. Provide one of: 'existing_cluster_id' (classic), " +
        "'new_cluster' (classic), 'environment_key' (serverless), or 'environments' (serverless).",
    );
  }
  // flytekitplugins/spark/utils.py:1-18, is_serverless_config.
  const serverless = !hasCluster && hasServerless;
  if (truthy(custom["notebookPath"])) return notebookJobSpec(job, custom, container, envs, serverless);
  return pythonFileJobSpec(job, custom, container, envs, serverless, options);
}

/** connector.py:132-163, _build_notebook_job_spec. */
function notebookJobSpec(
  job: JsonObject,
  custom: JsonObject,
  container: ContainerParts,
  envs: Record<string, string>,
  serverless: boolean,
): JsonObject {
  const notebookTask: JsonObject = { notebook_path: custom["notebookPath"] ?? null };
  const baseParameters = custom["notebookBaseParameters"];
  if (truthy(baseParameters)) notebookTask["base_parameters"] = baseParameters ?? null;
  const userGitSource = job["git_source"];
  if (truthy(userGitSource)) notebookTask["source"] = "GIT";

  if (serverless) {
    const environmentKey = configureServerless(job, envs);
    job["tasks"] = [{ task_key: "flyte_notebook_task", notebook_task: notebookTask, environment_key: environmentKey }];
  } else {
    configureClassicCluster(job, custom, container, envs);
    job["notebook_task"] = notebookTask;
  }
  delete job["git_source"];
  if (truthy(userGitSource)) job["git_source"] = userGitSource ?? null;
  return job;
}

/** connector.py:166-225, _build_python_file_job_spec. */
function pythonFileJobSpec(
  job: JsonObject,
  custom: JsonObject,
  container: ContainerParts,
  envs: Record<string, string>,
  serverless: boolean,
  options: JobSpecOptions,
): JsonObject {
  const userGitSource = job["git_source"];
  const userPythonFile = job["python_file"];
  const gitSource = truthy(userGitSource) ? (userGitSource ?? null) : { ...FLYTEKIT_GIT_SOURCE };

  if (serverless) {
    const pythonFile = truthy(userPythonFile) ? (userPythonFile ?? null) : FLYTEKIT_SERVERLESS_ENTRYPOINT;
    const environmentKey = configureServerless(job, envs);
    const parameters: JsonValue[] = [...container.args];
    // custom.get("databricksServiceCredentialProvider", os.getenv(...)): a key present wins, even empty.
    const provider = Object.hasOwn(custom, "databricksServiceCredentialProvider")
      ? custom["databricksServiceCredentialProvider"]
      : options.serviceCredentialProvider;
    if (provider !== undefined && truthy(provider)) parameters.push(`--flyte-credential-provider=${pythonStr(provider)}`);
    job["tasks"] = [
      {
        task_key: "flyte_task",
        spark_python_task: { python_file: pythonFile, source: "GIT", parameters },
        environment_key: environmentKey,
      },
    ];
  } else {
    const pythonFile = truthy(userPythonFile) ? (userPythonFile ?? null) : FLYTEKIT_CLASSIC_ENTRYPOINT;
    const sparkPythonTask: JsonObject = { python_file: pythonFile, source: "GIT", parameters: container.args };
    configureClassicCluster(job, custom, container, envs);
    job["spark_python_task"] = sparkPythonTask;
  }
  delete job["git_source"];
  delete job["python_file"];
  job["git_source"] = gitSource;
  return job;
}

/** connector.py:37-101, _configure_serverless: the environment the task runs in, with Flyte's env vars. */
function configureServerless(job: JsonObject, envs: Record<string, string>): JsonValue {
  const environmentKey = Object.hasOwn(job, "environment_key") ? (job["environment_key"] ?? null) : "default";
  const environments = Object.hasOwn(job, "environments") ? list(job["environments"], "databricks_conf.environments") : [];
  const entries = environments.map((entry, index) => object(entry, `databricks_conf.environments[${index}]`));
  if (!entries.some((entry) => entry["environment_key"] === environmentKey)) {
    const added: JsonObject = { environment_key: environmentKey, spec: { client: "1" } };
    environments.push(added);
    entries.push(added);
    job["environments"] = environments;
  }
  const index = entries.findIndex((entry) => entry["environment_key"] === environmentKey);
  const entry = entries[index]!;
  if (!Object.hasOwn(entry, "spec")) entry["spec"] = {};
  const spec = object(entry["spec"], `databricks_conf.environments[${index}].spec`);
  const where = `databricks_conf.environments[${index}].spec.environment_vars`;
  const existing = Object.hasOwn(spec, "environment_vars") ? object(spec["environment_vars"], where) : {};
  spec["environment_vars"] = { ...existing, ...envs };
  delete job["environment_key"];
  return environmentKey;
}

/** connector.py:104-129, _configure_classic_cluster: a new cluster gets the task's image, Spark conf and env. */
function configureClassicCluster(job: JsonObject, custom: JsonObject, container: ContainerParts, envs: Record<string, string>): void {
  if (isSet(job["existing_cluster_id"])) return;
  if (!isSet(job["new_cluster"])) return;
  configureNewCluster(object(job["new_cluster"], "databricks_conf.new_cluster"), custom, container.image, envs);
}

/** The new-cluster defaults both SDKs apply (flytekit connector.py:122-129, flyte-sdk connector.py:37-44). */
function configureNewCluster(newCluster: JsonObject, custom: JsonObject, image: string, envs: Record<string, string>): void {
  if (!truthy(newCluster["docker_image"])) newCluster["docker_image"] = { url: image };
  if (!truthy(newCluster["spark_conf"])) newCluster["spark_conf"] = Object.hasOwn(custom, "sparkConf") ? (custom["sparkConf"] ?? null) : {};
  if (!truthy(newCluster["spark_env_vars"])) {
    newCluster["spark_env_vars"] = { ...envs };
  } else {
    Object.assign(object(newCluster["spark_env_vars"], "databricks_conf.new_cluster.spark_env_vars"), envs);
  }
}

// ---- flyte-sdk (plugins/databricks/src/flyteplugins/databricks/connector.py at 7e2d423) ----

/** connector.py:26-59, _get_databricks_job_spec: classic compute only. */
function flyteSdkJobSpec(custom: JsonObject, container: ContainerParts): JsonObject {
  const conf = custom["databricksConf"];
  if (conf === undefined || conf === null) throw invalid("Missing Databricks job configuration in task template.");
  const job = object(conf, "custom.databricksConf");
  if (!isSet(job["existing_cluster_id"])) {
    if (!isSet(job["new_cluster"])) throw invalid("Either existing_cluster_id or new_cluster must be specified");
    configureNewCluster(object(job["new_cluster"], "databricks_conf.new_cluster"), custom, container.image, container.env);
  }
  job["spark_python_task"] = { python_file: FLYTE_SDK_ENTRYPOINT, parameters: [...container.args], source: "GIT" };
  job["git_source"] = { ...FLYTE_SDK_GIT_SOURCE };
  return job;
}

// ---- Python's view of JSON values ----

/** `x is not None`, where a missing key reads as None. */
function isSet(value: JsonValue | undefined): boolean {
  return value !== undefined && value !== null;
}

/** Python's truthiness: None, False, 0, "", [] and {} are false. */
function truthy(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

/** A dict the Python code reads with `.get` or updates: anything else would fail it, so it is the task's bad input. */
function object(value: JsonValue | undefined, where: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid(`${where} must be an object.`);
  return value;
}

function list(value: JsonValue | undefined, where: string): JsonValue[] {
  if (!Array.isArray(value)) throw invalid(`${where} must be a list.`);
  return value;
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`Invalid Databricks task: ${message}`);
}
