/**
 * The Databricks connector, for task type `spark` (flytekit's DatabricksConnector) and `databricks`
 * (flytekit's DatabricksConnectorV2 and flyte-sdk's DatabricksConnector): a task runs as a one-time
 * Databricks run (Jobs API 2.1 runs/submit), followed with runs/get and cancelled with runs/cancel.
 * It takes the templates both SDKs write (job-spec.ts) and the metas both wrote (meta.ts).
 *
 * Where it differs from the Python connectors, on purpose: no token in the meta; OAuth M2M
 * (credentials.ts); every documented run state has a phase (run-state.ts); runs/submit carries an
 * idempotency token derived from the task execution and its attempt, so a CreateTask that reaches
 * the service twice for one attempt starts one run. A CreateTask that fails or times out after
 * Databricks accepted the run makes FlytePropeller start a new attempt, with a new token, and the
 * first run is orphaned: the submit stops retrying in time to answer before the caller's deadline.
 */
import { AsyncConnectorBase, type CallContext, type GetParams, type TaskParams } from "../../connector/connector.js";
import { FailedPreconditionError, InvalidArgumentError } from "../../connector/errors.js";
import { clientToken, executionKey } from "../../connector/idempotency.js";
import type { JsonValue } from "../../connector/python-json.js";
import { pythonStr } from "../../connector/python-str.js";
import { knownSecrets } from "../../connector/redact.js";
import { Resource } from "../../connector/resource.js";
import { type JsonObject, structToJson } from "../../literals/struct.js";
import { DatabricksClient, isInstanceName } from "./client.js";
import { databricksCredential } from "./credentials.js";
import { databricksJobSpec } from "./job-spec.js";
import { DatabricksJobMetadata } from "./meta.js";
import { runPhase } from "./run-state.js";

export const INSTANCE_ENV = "FLYTE_DATABRICKS_INSTANCE";
export const SERVICE_CREDENTIAL_PROVIDER_ENV = "FLYTE_DATABRICKS_SERVICE_CREDENTIAL_PROVIDER";
/**
 * Comma-separated workspace host names credentials may be sent to. The task names its instance,
 * so without this list any task author can have the deployment's token or OAuth client sent to a
 * host of their choosing (as with the Python connectors); with it, another instance is refused.
 */
export const ALLOWED_INSTANCES_ENV = "FLYTE_DATABRICKS_ALLOWED_INSTANCES";

/** Databricks' limit on runs/submit's idempotency_token. */
const IDEMPOTENCY_TOKEN_MAX = 64;

export class DatabricksConnector extends AsyncConnectorBase<DatabricksJobMetadata> {
  constructor(taskTypeName: "spark" | "databricks" = "spark") {
    // Both Python connectors are named so; ListAgents shows one connector with both task types.
    super({ name: "Databricks Connector", taskTypeName, metadataType: DatabricksJobMetadata });
  }

  async create(params: TaskParams): Promise<DatabricksJobMetadata> {
    const { taskTemplate: template } = params;
    const custom = template.custom ? structToJson(template.custom) : {};
    if (!template.container) {
      throw new InvalidArgumentError("Invalid Databricks task: the task template has no container (its image, args and env make the run).");
    }
    const spec = databricksJobSpec(custom, template.container, { serviceCredentialProvider: process.env[SERVICE_CREDENTIAL_PROVIDER_ENV] });
    const instance = taskInstance(custom);
    const key = executionKey(params.taskExecutionMetadata);
    // A token of the task's own in databricks_conf is kept, as the Python connectors pass it on;
    // null or "" is no token to Databricks (proto3 JSON), so it gets ours.
    const own = spec["idempotency_token"];
    if (key !== undefined && (own === undefined || own === null || own === "")) {
      spec["idempotency_token"] = clientToken(key, { maxLength: IDEMPOTENCY_TOKEN_MAX });
    }
    const client = new DatabricksClient(instance, await databricksCredential(params), params);
    const runId = await client.submitRun(spec);
    return new DatabricksJobMetadata({ databricksInstance: instance, runId });
  }

  async get(meta: DatabricksJobMetadata, params: GetParams): Promise<Resource> {
    const run = await (await metaClient(meta, params)).getRun(meta.runId);
    const mapped = runPhase(run.state, run.status);
    const stateMessage = typeof run.state?.state_message === "string" ? run.state.state_message : "";
    let message = stateMessage;
    if (!mapped.known) {
      message = `Databricks run ${meta.runId} is in ${mapped.state}, a state this connector does not know; waiting for one it knows.`;
      if (stateMessage) message += ` ${stateMessage}`;
      logUnknownState(meta, mapped.state);
    }
    // As flytekit builds it (connector.py:332-334), from the instance even when the API is elsewhere:
    // str() of the answer's job_id, None when there is none.
    const uri = `https://${meta.databricksInstance}/#job/${pythonStr((run.job_id ?? null) as JsonValue)}/run/${meta.runId}`;
    return new Resource({ phase: mapped.phase, message, logLinks: [{ uri, name: "Databricks Console" }] });
  }

  async delete(meta: DatabricksJobMetadata, params: CallContext): Promise<void> {
    await (await metaClient(meta, params)).cancelRun(meta.runId);
  }
}

/** flytekit's DatabricksConnectorV2: the same connector for task type `databricks` (flyte-sdk's too). */
export class DatabricksConnectorV2 extends DatabricksConnector {
  constructor() {
    super("databricks");
  }
}

/** `custom.get("databricksInstance", os.getenv("FLYTE_DATABRICKS_INSTANCE"))`: a key present wins, even empty. */
function taskInstance(custom: JsonObject): string {
  const fromTask = Object.hasOwn(custom, "databricksInstance");
  const instance = fromTask ? custom["databricksInstance"] : process.env[INSTANCE_ENV];
  if (instance === undefined || instance === null || instance === "") {
    throw new FailedPreconditionError(
      `Missing databricks instance. Please set the value through the task config or set the ${INSTANCE_ENV} environment variable in the connector.`,
    );
  }
  if (typeof instance === "string" && isInstanceName(instance)) return allowed(instance);
  const what = "must be the workspace's host name, e.g. <workspace>.cloud.databricks.com (no scheme or path).";
  if (fromTask) throw new InvalidArgumentError(`Invalid Databricks task: custom.databricksInstance ${what}`);
  throw new FailedPreconditionError(`${INSTANCE_ENV} ${what}`);
}

/** The instance, when FLYTE_DATABRICKS_ALLOWED_INSTANCES is unset or lists it (case-insensitively). */
function allowed(instance: string): string {
  const list = process.env[ALLOWED_INSTANCES_ENV];
  if (!list) return instance;
  const hosts = list.split(",").map((host) => host.trim().toLowerCase());
  if (hosts.includes(instance.toLowerCase())) return instance;
  throw new InvalidArgumentError(`Databricks instance ${instance} is not one this deployment sends credentials to (${ALLOWED_INSTANCES_ENV}).`);
}

async function metaClient(meta: DatabricksJobMetadata, context: CallContext): Promise<DatabricksClient> {
  if (!isInstanceName(meta.databricksInstance)) {
    throw new InvalidArgumentError("Invalid Databricks resource meta: databricks_instance is not a workspace host name.");
  }
  allowed(meta.databricksInstance);
  return new DatabricksClient(meta.databricksInstance, await databricksCredential(context, meta.legacyAuthToken), context);
}

/**
 * A state the reference does not list yet is worth knowing about: one JSON line on the log
 * (connectors have no logger of the service's; the Lambda runtime keeps stderr).
 */
function logUnknownState(meta: DatabricksJobMetadata, state: string): void {
  const message = "Databricks run in a state this connector does not know";
  const record = { level: "WARN", message, platform: "Databricks", run_id: meta.runId, state };
  console.warn(knownSecrets.text(JSON.stringify(record)));
}
