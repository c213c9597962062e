/**
 * Realistic requests, as FlytePropeller sends them: a CreateTaskRequest with a 20-input
 * LiteralMap and a full TaskTemplate (about 2 KB), and the GetTask family carrying the resource
 * meta the sleep connector's createTask answered.
 */
import { flyteidl } from "../lib/idl/index.js";
import { Duration, FlyteDirectory, FlyteFile, structFromJson, toLiteralMap } from "../lib/literals/index.js";
import type { OperationName } from "../lib/service/operations.js";

const core = flyteidl.core;
const admin = flyteidl.admin;
const { SimpleType } = core;

const simple = (type: flyteidl.core.SimpleType): flyteidl.core.IVariable => ({ type: { simple: type } });
const blob = (format: string, dimensionality: flyteidl.core.BlobType.BlobDimensionality): flyteidl.core.IVariable => ({
  type: { blob: { format, dimensionality } },
});

/** Long enough that every GetTask of a bench run sees a RUNNING task. */
export const SLEEP_SECONDS = 3600;

const INPUT_VARIABLES: Record<string, flyteidl.core.IVariable> = {
  seconds: simple(SimpleType.FLOAT),
  count: simple(SimpleType.INTEGER),
  ratio: simple(SimpleType.FLOAT),
  name: simple(SimpleType.STRING),
  enabled: simple(SimpleType.BOOLEAN),
  started_at: simple(SimpleType.DATETIME),
  timeout: simple(SimpleType.DURATION),
  region: simple(SimpleType.STRING),
  retries: simple(SimpleType.INTEGER),
  threshold: simple(SimpleType.FLOAT),
  tags: { type: { collectionType: { simple: SimpleType.STRING } } },
  weights: { type: { collectionType: { simple: SimpleType.FLOAT } } },
  labels: { type: { mapValueType: { simple: SimpleType.STRING } } },
  config: simple(SimpleType.STRUCT),
  input_file: blob("csv", core.BlobType.BlobDimensionality.SINGLE),
  output_dir: blob("", core.BlobType.BlobDimensionality.MULTIPART),
  query: simple(SimpleType.STRING),
  batch_size: simple(SimpleType.INTEGER),
  dry_run: simple(SimpleType.BOOLEAN),
  seed: simple(SimpleType.INTEGER),
};

const INPUT_VALUES: Record<string, unknown> = {
  seconds: SLEEP_SECONDS,
  count: 42,
  ratio: 0.75,
  name: "nightly-aggregation",
  enabled: true,
  started_at: new Date("2025-11-24T02:00:00.000Z"),
  timeout: new Duration(5400),
  region: "eu-west-1",
  retries: 3,
  threshold: 0.125,
  tags: ["daily", "finance", "team-a"],
  weights: [0.1, 0.2, 0.7],
  labels: { env: "prod", owner: "data-eng" },
  config: { mode: "batch", limits: { cpu: 2, memory: "4Gi" } },
  input_file: new FlyteFile("s3://acme-data/raw/2025-11-24/events.csv", "csv"),
  output_dir: new FlyteDirectory("s3://acme-data/aggregated/2025-11-24/"),
  query: "SELECT region, count(*) FROM events WHERE day = '2025-11-24' GROUP BY region",
  batch_size: 512,
  dry_run: false,
  seed: 1234567,
};

const PROJECT = "flytesnacks";
const DOMAIN = "development";
const EXECUTION = "f8a7c2e1b3d4e5f6a7b8";

/** The demo tasks' `custom`; a connector's own is what its plugin writes. */
const DEMO_CUSTOM = { poll_interval: 5, mode: "batch" };

/**
 * A task of `type` with the 20 inputs. Its outputs: echo's are its inputs, sleep's its seconds;
 * another connector's are left undeclared (the service then infers them, as flytekit does).
 */
function taskTemplate(type: string, custom: Record<string, unknown> = DEMO_CUSTOM): flyteidl.core.ITaskTemplate {
  const outputs = type === "echo" ? INPUT_VARIABLES : type === "sleep" ? { seconds: simple(SimpleType.FLOAT) } : undefined;
  return {
    id: { resourceType: core.ResourceType.TASK, project: PROJECT, domain: DOMAIN, name: `workflows.nightly.${type}_task`, version: "v1.4.2-9f3c2ab" },
    type,
    metadata: {
      runtime: { type: core.RuntimeMetadata.RuntimeType.FLYTE_SDK, version: "1.14.3", flavor: "python" },
      timeout: { seconds: 7200 },
      retries: { retries: 3 },
      discoveryVersion: "1",
      interruptible: false,
      tags: { team: "data-eng" },
    },
    interface: { inputs: { variables: INPUT_VARIABLES }, ...(outputs && { outputs: { variables: outputs } }) },
    custom: structFromJson(custom),
    taskTypeVersion: 0,
    securityContext: { runAs: { k8sServiceAccount: "default" } },
  };
}

const TASK_EXECUTION_METADATA: flyteidl.admin.ITaskExecutionMetadata = {
  taskExecutionId: {
    taskId: { resourceType: core.ResourceType.TASK, project: PROJECT, domain: DOMAIN, name: "workflows.nightly.sleep_task", version: "v1.4.2-9f3c2ab" },
    nodeExecutionId: { nodeId: "n0", executionId: { project: PROJECT, domain: DOMAIN, name: EXECUTION } },
    retryAttempt: 0,
  },
  namespace: `${PROJECT}-${DOMAIN}`,
  labels: { "execution-id": EXECUTION, workflow: "workflows-nightly-wf", "task-name": "workflows-nightly-sleep-task" },
  annotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" },
  k8sServiceAccount: "default",
  environmentVariables: { FLYTE_INTERNAL_EXECUTION_ID: EXECUTION, FLYTE_INTERNAL_EXECUTION_PROJECT: PROJECT, FLYTE_INTERNAL_EXECUTION_DOMAIN: DOMAIN },
  maxAttempts: 4,
};

const OUTPUT_PREFIX = `s3://acme-flyte/metadata/propeller/${PROJECT}-${DOMAIN}-${EXECUTION}/n0/data/0`;

function inputs(): flyteidl.core.LiteralMap {
  return toLiteralMap(INPUT_VALUES, INPUT_VARIABLES, "input");
}

/** A CreateTaskRequest of a task of `type` (sleep by default) with the 20 inputs. */
export function createTaskRequest(type = "sleep", custom?: Record<string, unknown>): Uint8Array {
  return createTaskRequestOf(taskTemplate(type, custom), inputs());
}

/** A CreateTaskRequest of this template (a plugin's, as the connector tests build it) and inputs. */
export function createTaskRequestOf(template: flyteidl.core.ITaskTemplate, taskInputs?: flyteidl.core.ILiteralMap): Uint8Array {
  return admin.CreateTaskRequest.encode({
    inputs: taskInputs ?? null,
    template,
    outputPrefix: OUTPUT_PREFIX,
    taskExecutionMetadata: TASK_EXECUTION_METADATA,
  }).finish();
}

/** FlytePropeller's ExecuteTaskSync stream of a task of `type` (echo by default): the header, then the inputs. */
export function executeTaskSyncRequests(type = "echo", custom?: Record<string, unknown>): Uint8Array[] {
  return executeTaskSyncRequestsOf(taskTemplate(type, custom), inputs());
}

/** The ExecuteTaskSync stream of this template and inputs. */
export function executeTaskSyncRequestsOf(template: flyteidl.core.ITaskTemplate, taskInputs?: flyteidl.core.ILiteralMap): Uint8Array[] {
  const header = { template, outputPrefix: OUTPUT_PREFIX, taskExecutionMetadata: TASK_EXECUTION_METADATA };
  return [admin.ExecuteTaskSyncRequest.encode({ header }).finish(), admin.ExecuteTaskSyncRequest.encode({ inputs: taskInputs ?? {} }).finish()];
}

const SLEEP_CATEGORY = { name: "sleep", version: 0 };

/** The request message(s) of each op, as bytes; `meta` is what createTask answered for the sleep task. */
export function requestsFor(op: OperationName, meta: Uint8Array): Uint8Array[] {
  switch (op) {
    case "createTask":
      return [createTaskRequest()];
    case "executeTaskSync":
      return executeTaskSyncRequests();
    case "getTask":
      return [admin.GetTaskRequest.encode({ taskCategory: SLEEP_CATEGORY, resourceMeta: meta, outputPrefix: OUTPUT_PREFIX }).finish()];
    case "deleteTask":
      return [admin.DeleteTaskRequest.encode({ taskCategory: SLEEP_CATEGORY, resourceMeta: meta }).finish()];
    case "getTaskMetrics":
      return [
        admin.GetTaskMetricsRequest.encode({
          taskCategory: SLEEP_CATEGORY,
          resourceMeta: meta,
          queries: ["cpu_utilization"],
          startTime: { seconds: 1_764_000_000 },
          endTime: { seconds: 1_764_003_600 },
          step: { seconds: 30 },
        }).finish(),
      ];
    case "getTaskLogs":
      return [admin.GetTaskLogsRequest.encode({ taskCategory: SLEEP_CATEGORY, resourceMeta: meta, lines: 100, token: "" }).finish()];
    case "getAgent":
      return [admin.GetAgentRequest.encode({ name: "Sleep Connector" }).finish()];
    case "listAgents":
      return [admin.ListAgentsRequest.encode({}).finish()];
  }
}

/** The connector an op's requests reach. */
export function connectorOf(op: OperationName): string {
  if (op === "executeTaskSync") return "echo";
  if (op === "listAgents") return "-";
  return "sleep";
}

/** The direct-invocation event (docs/CONTRACT.md §2) carrying these request messages. */
export function invokeEvent(op: OperationName, requests: readonly Uint8Array[]): { body: string } | { messages: string[] } {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  return op === "executeTaskSync" ? { messages: requests.map(base64) } : { body: base64(requests[0]!) };
}
