/**
 * Flyte 2 interop: requests built and encoded by @flyteorg/flyteidl2's own protobuf-es code (what
 * Flyte's own clients generate from the IDL) are served by the gRPC front, and its answers decode
 * with that code: every operation of AsyncConnectorService and ConnectorMetadataService, the
 * streamed logs, and an error. A probe connector records what reached it, so the connection and
 * Inputs.context are seen to arrive through the call context, and the connection's secrets to be
 * redacted from what the connector says.
 */
import { create, fromBinary, toBinary, type DescEnum, type DescMessage } from "@bufbuild/protobuf";
import { Client, credentials, status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  AsyncConnectorBase,
  SyncConnectorBase,
  type CallContext,
  type LogsParams,
  type MetricsParams,
  type TaskParams,
} from "../../lib/connector/connector.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { Phase } from "../../lib/connector/phase.js";
import { Resource } from "../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { literalMapToPlain, structFromJson } from "../../lib/literals/index.js";
import { ConnectorService } from "../../lib/service/service.js";
import { startGrpcServer, type GrpcServer } from "../../lib/transport/grpc/index.js";

// The package ships TypeScript sources, which tsc would check as part of this project: they are
// loaded at run time only, by a specifier tsc does not follow, and read through loose types.
const load = (path: string): Promise<Record<string, DescMessage & DescEnum>> => import(`@flyteorg/flyteidl2/flyteidl2/${path}`);
type SchemaName = `${"CreateTask" | "GetTask" | "DeleteTask" | "GetTaskMetrics" | "GetTaskLogs" | "GetConnector" | "ListConnectors"}${"Request" | "Response"}Schema`;
const {
  CreateTaskRequestSchema,
  CreateTaskResponseSchema,
  DeleteTaskRequestSchema,
  DeleteTaskResponseSchema,
  GetConnectorRequestSchema,
  GetConnectorResponseSchema,
  GetTaskLogsRequestSchema,
  GetTaskLogsResponseSchema,
  GetTaskMetricsRequestSchema,
  GetTaskMetricsResponseSchema,
  GetTaskRequestSchema,
  GetTaskResponseSchema,
  ListConnectorsRequestSchema,
  ListConnectorsResponseSchema,
} = (await load("connector/connector_pb.ts")) as Record<SchemaName, DescMessage>;
const { TaskExecution_Phase } = (await load("core/execution_pb.ts")) as unknown as { TaskExecution_Phase: Record<string, number> };

/** A protobuf-es message of a schema loaded as above. */
type Message = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ProbeMeta = defineResourceMeta("ProbeMeta", { job_id: field.string() });
type ProbeMeta = InstanceType<typeof ProbeMeta>;

/** What each call of the probe connectors received besides its arguments. */
const seen: { call: string; connection: CallContext["connection"]; actionContext: CallContext["actionContext"] }[] = [];
const record = (call: string, context: CallContext) => seen.push({ call, connection: context.connection, actionContext: context.actionContext });

const SECRET = "sk-interop-7c1f";

class ProbeConnector extends AsyncConnectorBase<ProbeMeta> {
  constructor() {
    super({ name: "Probe Connector", taskTypeName: "probe", metadataType: ProbeMeta });
  }
  create(params: TaskParams): ProbeMeta {
    record("create", params);
    return new ProbeMeta({ job_id: `job-${String(literalMapToPlain(params.inputs ?? {}).n)}` });
  }
  get(meta: ProbeMeta, params: CallContext): Resource {
    record("get", params);
    // A remote's answer quoting the secret it was sent: the caller must not see it.
    return new Resource({ phase: Phase.SUCCEEDED, message: `done with key ${params.connection?.secrets.api_key}`, outputs: { job: meta.job_id } });
  }
  delete(_meta: ProbeMeta, params: CallContext): void {
    record("delete", params);
  }
  override getMetrics(_meta: ProbeMeta, { queries }: MetricsParams) {
    return { results: queries.map((metric) => ({ metric, data: structFromJson({ values: [2.5] }) })) };
  }
  override getLogs(meta: ProbeMeta, { token }: LogsParams) {
    return token ? { results: ["last line"] } : { token: "next", results: [`started ${meta.job_id}`, "running"] };
  }
}

class ProbeSyncConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Probe Sync Connector", taskTypeName: "probe_sync" });
  }
  do(params: TaskParams): Resource {
    record("do", params);
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { doubled: Number(literalMapToPlain(params.inputs ?? {}).n) * 2 } });
  }
}

interface Method {
  readonly path: string;
  readonly input: DescMessage;
  readonly output: DescMessage;
}

const method = (service: string, name: string, input: DescMessage, output: DescMessage): Method => ({
  path: `/flyteidl2.connector.${service}/${name}`,
  input,
  output,
});

const async = "AsyncConnectorService";
const metadata = "ConnectorMetadataService";
const methods = {
  createTask: method(async, "CreateTask", CreateTaskRequestSchema, CreateTaskResponseSchema),
  getTask: method(async, "GetTask", GetTaskRequestSchema, GetTaskResponseSchema),
  deleteTask: method(async, "DeleteTask", DeleteTaskRequestSchema, DeleteTaskResponseSchema),
  getTaskMetrics: method(async, "GetTaskMetrics", GetTaskMetricsRequestSchema, GetTaskMetricsResponseSchema),
  getTaskLogs: method(async, "GetTaskLogs", GetTaskLogsRequestSchema, GetTaskLogsResponseSchema),
  getConnector: method(metadata, "GetConnector", GetConnectorRequestSchema, GetConnectorResponseSchema),
  listConnectors: method(metadata, "ListConnectors", ListConnectorsRequestSchema, ListConnectorsResponseSchema),
};

let server: GrpcServer;
let client: Client;

beforeAll(async () => {
  const registry = new ConnectorRegistry().register(new ProbeConnector()).register(new ProbeSyncConnector());
  server = await startGrpcServer({ dispatch: new ConnectorService(registry).dispatch, host: "127.0.0.1", port: 0 });
  client = new Client(server.address, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

function unary(m: Method, request: Message): Promise<Message> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      m.path,
      (message: Message) => Buffer.from(toBinary(m.input, message)),
      (bytes: Buffer) => fromBinary(m.output, bytes),
      request,
      (error, response) => (error ? reject(error) : resolve(response!)),
    );
  });
}

function serverStream(m: Method, request: Message): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const messages: Message[] = [];
    const call = client.makeServerStreamRequest(
      m.path,
      (message: Message) => Buffer.from(toBinary(m.input, message)),
      (bytes: Buffer) => fromBinary(m.output, bytes),
      request,
    );
    call.on("data", (message: Message) => messages.push(message));
    call.on("error", reject);
    call.on("end", () => resolve(messages));
  });
}

/** As the executor fills it: the task's `custom.secrets` names resolved to their values. */
const connection = { taskType: "probe", secrets: { api_key: SECRET }, configs: { region: "eu-west-1" } };
const integer = (n: number) => ({ value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "integer" as const, value: BigInt(n) } } } } } });
const inputs = (n: number) => ({ literals: [{ name: "n", value: integer(n) }], context: [{ key: "trace", value: "abc" }] });
const template = (type: string) => ({ id: { project: "p", domain: "d", name: `${type}-task`, version: "1" }, type });

describe("flyteidl2.connector through @flyteorg/flyteidl2's protobuf-es code", () => {
  test("ListConnectors and GetConnector answer v2 Connectors", async () => {
    const { connectors } = await unary(methods.listConnectors, create(ListConnectorsRequestSchema));
    expect(connectors.map(({ name, supportedTaskCategories }: Message) => [name, supportedTaskCategories.map((c: Message) => `${c.name}_v${c.version}`)])).toEqual([
      ["Probe Connector", ["probe_v0"]],
      ["Probe Sync Connector", ["probe_sync_v0"]],
    ]);
    const { connector } = await unary(methods.getConnector, create(GetConnectorRequestSchema, { name: "Probe Connector" }));
    expect(connector?.name).toBe("Probe Connector");
  });

  test("an async task: Create, Get, Metrics, Logs (streamed) and Delete, with the connection on each", async () => {
    seen.length = 0;
    const created = await unary(
      methods.createTask,
      create(CreateTaskRequestSchema, { template: template("probe"), inputs: inputs(7), outputPrefix: "s3://out", connection }),
    );
    const task = { taskCategory: { name: "probe", version: 0 }, resourceMeta: created.resourceMeta };
    expect(new TextDecoder().decode(created.resourceMeta)).toBe('{"job_id": "job-7"}');

    const { resource } = await unary(methods.getTask, create(GetTaskRequestSchema, { ...task, connection }));
    expect(resource?.phase).toBe(TaskExecution_Phase.SUCCEEDED);
    expect(resource?.message).toBe("done with key [redacted]");
    expect(resource?.outputs?.literals.map((literal: Message) => literal.name)).toEqual(["job"]);

    const metrics = await unary(methods.getTaskMetrics, create(GetTaskMetricsRequestSchema, { ...task, queries: ["cpu", "mem"] }));
    expect(metrics.results.map((result: Message) => [result.metric, result.data])).toEqual([
      ["cpu", { values: [2.5] }],
      ["mem", { values: [2.5] }],
    ]);

    const logs = await serverStream(methods.getTaskLogs, create(GetTaskLogsRequestSchema, { ...task, lines: 10n }));
    expect(logs.map((message: Message) => message.part.case)).toEqual(["header", "body"]);
    expect(logs[0]?.part.case === "header" && logs[0].part.value.token).toBe("next");
    const body = logs[1]?.part.case === "body" ? logs[1].part.value : undefined;
    expect(body?.results).toEqual(["started job-7", "running"]);
    expect(body?.lines.map((line: Message) => line.message)).toEqual(["started job-7", "running"]);

    expect(await unary(methods.deleteTask, create(DeleteTaskRequestSchema, { ...task, connection }))).toEqual(create(DeleteTaskResponseSchema));

    const given = { secrets: connection.secrets, configs: connection.configs };
    expect(seen).toEqual([
      { call: "create", connection: given, actionContext: { trace: "abc" } },
      { call: "get", connection: given, actionContext: undefined },
      { call: "delete", connection: given, actionContext: undefined },
    ]);
  });

  test("a sync task: CreateTask runs do with the connection, GetTask answers its result, DeleteTask succeeds", async () => {
    seen.length = 0;
    const created = await unary(methods.createTask, create(CreateTaskRequestSchema, { template: template("probe_sync"), inputs: inputs(21), connection }));
    const task = { taskCategory: { name: "probe_sync", version: 0 }, resourceMeta: created.resourceMeta, connection };
    const { resource } = await unary(methods.getTask, create(GetTaskRequestSchema, task));
    expect(resource?.phase).toBe(TaskExecution_Phase.SUCCEEDED);
    const doubled = resource?.outputs?.literals[0];
    expect(doubled?.name).toBe("doubled");
    const scalar = doubled?.value?.value.case === "scalar" ? doubled.value.value.value.value : undefined;
    expect(scalar?.case === "primitive" && scalar.value.value).toEqual({ case: "integer", value: 42n });
    expect(await unary(methods.deleteTask, create(DeleteTaskRequestSchema, task))).toEqual(create(DeleteTaskResponseSchema));
    expect(seen).toEqual([{ call: "do", connection: { secrets: connection.secrets, configs: connection.configs }, actionContext: { trace: "abc" } }]);
  });

  test("an error: NOT_FOUND with the contract's message", async () => {
    const error = (await unary(methods.createTask, create(CreateTaskRequestSchema, { template: template("nope") })).catch((e: unknown) => e)) as ServiceError;
    expect({ code: error.code, details: error.details }).toEqual({ code: status.NOT_FOUND, details: "Cannot find connector for task category: nope_v0. Task categories served: probe_v0, probe_sync_v0." });
  });
});
