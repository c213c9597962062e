/**
 * Task templates, inputs and execution metadata built as the Python plugins build them, field by
 * field, for the BigQuery tests.
 * - flytekit v1.16.24 (e96c720) plugins/flytekit-bigquery/flytekitplugins/bigquery/task.py:
 *   type "bigquery_query_job_task" (:35); outputs {"results": StructuredDataset} when an output type
 *   is given (:56-60); custom = MessageToDict(Struct({"Location", "ProjectID", "Domain"} updated with
 *   QueryJobConfig.to_api_repr()["query"])) (:72-82); sql = Sql(query_template, ANSI) (:84-86), the
 *   query with its whitespace collapsed by SQLTask (flytekit/core/base_sql_task.py:44); the
 *   runtime metadata is flytekit's (FLYTE_SDK, its version, "python").
 * - flyte-sdk 7e2d423 plugins/bigquery/src/flyteplugins/bigquery/task.py: the query with its
 *   whitespace collapsed (:71); custom the same dict plus `secrets: {"google_application_credentials":
 *   <secret name>}` when the task names one (:74-84); sql (:86-88); runtime (FLYTE_SDK,
 *   flyte.version(), "python") in src/flyte/_internal/runtime/task_serde.py:260-264.
 */
import { flyteidl } from "../../../lib/idl/index.js";
import { type JsonValue, structFromJson } from "../../../lib/literals/index.js";

export const TASK_TYPE = "bigquery_query_job_task";
const { SimpleType } = flyteidl.core;

export const types = {
  integer: { simple: SimpleType.INTEGER },
  float: { simple: SimpleType.FLOAT },
  string: { simple: SimpleType.STRING },
  boolean: { simple: SimpleType.BOOLEAN },
  datetime: { simple: SimpleType.DATETIME },
  bytes: { simple: SimpleType.BINARY },
  duration: { simple: SimpleType.DURATION },
  listOf: (element: flyteidl.core.ILiteralType): flyteidl.core.ILiteralType => ({ collectionType: element }),
  optional: (type: flyteidl.core.ILiteralType): flyteidl.core.ILiteralType => ({ unionType: { variants: [type, { simple: SimpleType.NONE }] } }),
  // flytekit's StructuredDataset type: no columns, the generic format "".
  structuredDataset: { structuredDatasetType: { columns: [], format: "" } },
} satisfies Record<string, flyteidl.core.ILiteralType | ((type: flyteidl.core.ILiteralType) => flyteidl.core.ILiteralType)>;

export interface PluginTask {
  readonly query: string;
  readonly projectId: string;
  /** BigQueryConfig.Location is Optional: None serializes as null. */
  readonly location?: string | null;
  readonly domain?: string;
  /** QueryJobConfig.to_api_repr()["query"]: camelCase, int64s as strings. */
  readonly queryJobConfig?: Record<string, JsonValue>;
  readonly inputs?: Record<string, flyteidl.core.ILiteralType>;
  readonly withResults?: boolean;
}

function variables(types: Record<string, flyteidl.core.ILiteralType> = {}): flyteidl.core.IVariableMap {
  return { variables: Object.fromEntries(Object.entries(types).map(([name, type]) => [name, { type, description: name }])) };
}

function template(task: PluginTask, custom: Record<string, JsonValue>, query: string, sdkVersion: string): flyteidl.core.TaskTemplate {
  return new flyteidl.core.TaskTemplate({
    id: { resourceType: flyteidl.core.ResourceType.TASK, project: "flytesnacks", domain: task.domain ?? "development", name: "bigquery.query", version: "v1" },
    type: TASK_TYPE,
    metadata: { runtime: { type: flyteidl.core.RuntimeMetadata.RuntimeType.FLYTE_SDK, version: sdkVersion, flavor: "python" }, retries: { retries: 3 } },
    interface: { inputs: variables(task.inputs), outputs: variables(task.withResults === false ? {} : { results: types.structuredDataset }) },
    custom: structFromJson(custom),
    sql: { statement: query, dialect: flyteidl.core.Sql.Dialect.ANSI },
  });
}

/** flytekit's BigQueryTask.get_custom and get_sql. */
export function flytekitTemplate(task: PluginTask): flyteidl.core.TaskTemplate {
  const custom = { Location: task.location ?? null, ProjectID: task.projectId, Domain: task.domain ?? "development", ...task.queryJobConfig };
  return template(task, custom, collapsed(task.query), "1.16.24");
}

/** flyte-sdk's BigQueryTask.custom_config and sql; `secretName` is its google_application_credentials argument. */
export function flyteSdkTemplate(task: PluginTask, secretName?: string): flyteidl.core.TaskTemplate {
  const custom: Record<string, JsonValue> = { Location: task.location ?? null, ProjectID: task.projectId, Domain: task.domain ?? "development", ...task.queryJobConfig };
  if (secretName !== undefined) custom["secrets"] = { google_application_credentials: secretName };
  return template(task, custom, collapsed(task.query), "2.0.0");
}

/** `re.sub(r"\s+", " ", query.replace("\n", " ").replace("\t", " ")).strip()`, as both plugins write the query. */
function collapsed(query: string): string {
  return query.replace(/\n/g, " ").replace(/\t/g, " ").replace(/\s+/g, " ").trim();
}

/** The execution metadata FlytePropeller sends with CreateTask, for one attempt of one task. */
export function executionMetadata(attempt: number, node = "n0"): flyteidl.admin.ITaskExecutionMetadata {
  return {
    taskExecutionId: {
      taskId: { resourceType: flyteidl.core.ResourceType.TASK, project: "flytesnacks", domain: "development", name: "bigquery.query", version: "v1" },
      nodeExecutionId: { nodeId: node, executionId: { project: "flytesnacks", domain: "development", name: "f6a1b2c3d4e5" } },
      retryAttempt: attempt,
    },
    namespace: "flytesnacks-development",
  };
}

export const literal = {
  integer: (value: number): flyteidl.core.ILiteral => ({ scalar: { primitive: { integer: value } } }),
  float: (value: number): flyteidl.core.ILiteral => ({ scalar: { primitive: { floatValue: value } } }),
  string: (value: string): flyteidl.core.ILiteral => ({ scalar: { primitive: { stringValue: value } } }),
  boolean: (value: boolean): flyteidl.core.ILiteral => ({ scalar: { primitive: { boolean: value } } }),
  datetime: (seconds: number, nanos = 0): flyteidl.core.ILiteral => ({ scalar: { primitive: { datetime: { seconds, nanos } } } }),
  bytes: (value: Uint8Array): flyteidl.core.ILiteral => ({ scalar: { binary: { value, tag: "" } } }),
  none: (): flyteidl.core.ILiteral => ({ scalar: { noneType: {} } }),
  list: (...items: flyteidl.core.ILiteral[]): flyteidl.core.ILiteral => ({ collection: { literals: items } }),
};

/** Inputs as FlytePropeller sends them: decoded from the wire (int64s may be Longs). */
export function inputMap(literals: Record<string, flyteidl.core.ILiteral>): flyteidl.core.LiteralMap {
  return flyteidl.core.LiteralMap.decode(flyteidl.core.LiteralMap.encode({ literals }).finish());
}
