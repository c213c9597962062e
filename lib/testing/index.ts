/**
 * The test kit for connector authors: build a task template and inputs from plain values, run a
 * connector's create → get… → delete (or do) in this process through the real service, read the
 * outputs back as plain values, drive the polls, and fake a platform on loopback.
 */
import type { Connection, Connector } from "../connector/connector.js";
import { ConnectorRegistry } from "../connector/registry.js";
import { ConnectorClient } from "../client/client.js";
import { runTask, type TaskResult, type TaskStatus } from "../client/executor.js";
import { flyteidl } from "../idl/index.js";
import { structFromJson, type JsonObject } from "../literals/index.js";
import type { ConnectorServiceOptions } from "../service/service.js";

export {
  PlatformFake,
  type Fault,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
  type PathParams,
  type RecordedCall,
  type RouteParams,
} from "./platform-fake.js";
export { MissingOutputsError, TaskCancelledError, TaskRunFailedError, type TaskResult, type TaskStatus } from "../client/executor.js";

/** A Flyte simple type by name, or any LiteralType. */
export type TypeSpec = "integer" | "float" | "string" | "boolean" | "datetime" | "duration" | "binary" | "struct" | "none" | flyteidl.core.ILiteralType;

export interface TemplateSpec {
  /** The task type, e.g. "bigquery_query_job_task". */
  readonly type: string;
  readonly version?: number;
  /** `template.custom` as plain JSON (numbers arrive as doubles, as from Python's MessageToDict). */
  readonly custom?: JsonObject;
  /** Declared inputs, by name. */
  readonly inputs?: Readonly<Record<string, TypeSpec>>;
  /**
   * Declared outputs, by name. Left out, the interface leaves them unset, as `run --type` does, and
   * plain outputs are converted by the types of their values; `{}` declares that there are none.
   */
  readonly outputs?: Readonly<Record<string, TypeSpec>>;
  readonly container?: flyteidl.core.IContainer;
  /** `template.sql.statement`, as SQL plugins write it. */
  readonly sql?: string;
  /** `template.config`. */
  readonly config?: Readonly<Record<string, string>>;
}

/** A TaskTemplate built from plain values, as a Python plugin would serialize it. */
export function taskTemplate(spec: TemplateSpec): flyteidl.core.TaskTemplate {
  return new flyteidl.core.TaskTemplate({
    type: spec.type,
    taskTypeVersion: spec.version ?? 0,
    id: { resourceType: flyteidl.core.ResourceType.TASK, project: "project", domain: "development", name: `test.${spec.type}`, version: "v1" },
    custom: spec.custom ? structFromJson(spec.custom, "custom") : null,
    interface: { inputs: variableMap(spec.inputs), ...(spec.outputs ? { outputs: variableMap(spec.outputs) } : {}) },
    container: spec.container ?? null,
    sql: spec.sql === undefined ? null : { statement: spec.sql, dialect: flyteidl.core.Sql.Dialect.ANSI },
    config: spec.config ? { ...spec.config } : {},
  });
}

export interface ExecutionSpec {
  readonly project?: string;
  readonly domain?: string;
  /** The workflow execution's name. */
  readonly execution?: string;
  readonly nodeId?: string;
  readonly retryAttempt?: number;
}

/** Task execution metadata as FlytePropeller sends it: what idempotent creates derive their token from. */
export function executionMetadata(spec: ExecutionSpec = {}): flyteidl.admin.TaskExecutionMetadata {
  const project = spec.project ?? "project";
  const domain = spec.domain ?? "development";
  return new flyteidl.admin.TaskExecutionMetadata({
    taskExecutionId: {
      taskId: { resourceType: flyteidl.core.ResourceType.TASK, project, domain, name: "task", version: "v1" },
      nodeExecutionId: { nodeId: spec.nodeId ?? "n0", executionId: { project, domain, name: spec.execution ?? "execution" } },
      retryAttempt: spec.retryAttempt ?? 0,
    },
    namespace: `${project}-${domain}`,
  });
}

export interface RunConnectorOptions {
  /** A template as a plugin wrote it, or `taskTemplate({...})` of plain values. */
  readonly template: flyteidl.core.ITaskTemplate;
  /** Plain values converted with the template's declared input types, or a LiteralMap. */
  readonly inputs?: flyteidl.core.LiteralMap | Readonly<Record<string, unknown>> | null;
  readonly taskExecutionMetadata?: flyteidl.admin.ITaskExecutionMetadata | null;
  /** Flyte 2's connection (resolved secrets and configs), as the executor sends it. */
  readonly connection?: Connection;
  readonly outputPrefix?: string;
  /** Between two polls (default 0: tests drive time with `beforePoll`). */
  readonly pollIntervalMs?: number;
  /** Called before each getTask after the first: advance the fake's job, or fake timers, here. */
  readonly beforePoll?: (poll: number) => void | Promise<void>;
  readonly onProgress?: (status: TaskStatus) => void;
  readonly signal?: AbortSignal;
  readonly service?: ConnectorServiceOptions;
}

/**
 * Runs one task through the real service in this process, as flytekit's local executor does:
 * `do` for a sync connector; create, then get until a terminal phase, for an async one (deleting
 * the task when aborted). Resolves with the outputs as plain values; a task that ends in another
 * phase than SUCCEEDED rejects with TaskRunFailedError carrying its phase and message, and one that
 * succeeds without an output its template declares with MissingOutputsError.
 */
export async function runConnector(connectors: Connector | readonly Connector[] | ConnectorRegistry, options: RunConnectorOptions): Promise<TaskResult> {
  const registry = connectors instanceof ConnectorRegistry ? connectors : registryOf(Array.isArray(connectors) ? connectors : [connectors as Connector]);
  const client = ConnectorClient.inProcess(registry, options.service);
  let polls = 0;
  const beforePoll = options.beforePoll;
  return runTask({
    client: beforePoll ? pollingClient(client, () => beforePoll(++polls)) : client,
    template: options.template,
    inputs: options.inputs ?? null,
    taskExecutionMetadata: options.taskExecutionMetadata ?? null,
    outputPrefix: options.outputPrefix ?? "",
    pollIntervalMs: options.pollIntervalMs ?? 0,
    ...(options.connection ? { connection: options.connection } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

function registryOf(connectors: readonly Connector[]): ConnectorRegistry {
  return connectors.reduce((registry, connector) => registry.register(connector), new ConnectorRegistry());
}

/** The client, calling `beforePoll` before every getTask but the first. */
function pollingClient(client: ConnectorClient, beforePoll: () => void | Promise<void>): ConnectorClient {
  let first = true;
  return new ConnectorClient(async (name, requests, options) => {
    if (name === "getTask") {
      if (!first) await beforePoll();
      first = false;
    }
    return client.dispatch(name, requests, options);
  });
}

const SIMPLE: Readonly<Record<Exclude<TypeSpec, object>, flyteidl.core.SimpleType>> = {
  none: flyteidl.core.SimpleType.NONE,
  integer: flyteidl.core.SimpleType.INTEGER,
  float: flyteidl.core.SimpleType.FLOAT,
  string: flyteidl.core.SimpleType.STRING,
  boolean: flyteidl.core.SimpleType.BOOLEAN,
  datetime: flyteidl.core.SimpleType.DATETIME,
  duration: flyteidl.core.SimpleType.DURATION,
  binary: flyteidl.core.SimpleType.BINARY,
  struct: flyteidl.core.SimpleType.STRUCT,
};

function variableMap(types: Readonly<Record<string, TypeSpec>> | undefined): flyteidl.core.IVariableMap {
  const entries = Object.entries(types ?? {}).map(([name, type]) => [name, { type: typeof type === "string" ? { simple: SIMPLE[type] } : type, description: name }]);
  return { variables: Object.fromEntries(entries) };
}
