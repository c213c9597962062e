import { connect } from "node:http2";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Phase } from "../../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { operations } from "../../../lib/service/operations.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { startGrpcServer, type GrpcServer } from "../../../lib/transport/grpc/index.js";
import { CONNECTION_WINDOW_BYTES } from "../../../lib/transport/grpc/server.js";
import { CountdownConnector, HangingConnector, MirrorConnector } from "./connectors.js";
import { grpcError, RawClient } from "./raw-client.js";

const { admin, core } = flyteidl;

const countdown = new CountdownConnector(100);
const registry = new ConnectorRegistry().register(new MirrorConnector()).register(countdown).register(new HangingConnector());
const errors: unknown[][] = [];
let server: GrpcServer;
let client: RawClient;

beforeAll(async () => {
  const service = new ConnectorService(registry, { logger: { error: (...args) => errors.push(args) } });
  server = await startGrpcServer({ dispatch: service.dispatch, host: "127.0.0.1", port: 0, logger: { error: (...args) => errors.push(args) } });
  client = new RawClient(server.address);
});

afterAll(async () => {
  client.close();
  await server.close();
});

function template(type: string): flyteidl.core.ITaskTemplate {
  return {
    id: { resourceType: core.ResourceType.TASK, project: "p", domain: "d", name: `${type}-task`, version: "1" },
    type,
    taskTypeVersion: 0,
  };
}

const inputs: flyteidl.core.ILiteralMap = {
  literals: {
    x: { scalar: { primitive: { integer: 7 } } },
    greeting: { scalar: { primitive: { stringValue: "hello" } } },
  },
};

describe("AgentMetadataService", () => {
  test("ListAgents lists every connector with its categories and kind", async () => {
    const response = await client.unary(operations.listAgents, new admin.ListAgentsRequest());
    expect(response.agents?.map((agent) => [agent.name, agent.isSync, agent.supportedTaskCategories?.map((c) => `${c.name}_v${c.version}`)])).toEqual([
      ["Mirror Connector", true, ["mirror_v0"]],
      ["Countdown Connector", false, ["countdown_v0"]],
      ["Hanging Connector", false, ["hanging_v0"]],
    ]);
  });

  test("GetAgent answers one connector, NOT_FOUND for an unknown name", async () => {
    const response = await client.unary(operations.getAgent, new admin.GetAgentRequest({ name: "Countdown Connector" }));
    expect(response.agent?.name).toBe("Countdown Connector");
    expect(response.agent?.isSync).toBe(false);

    const error = await grpcError(client.unary(operations.getAgent, new admin.GetAgentRequest({ name: "Nobody" })));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toBe("Cannot find connector for name: Nobody.");
  });
});

describe("AsyncAgentService", () => {
  test("an async task runs from CreateTask to SUCCEEDED with outputs, and DeleteTask reaches the connector", async () => {
    const created = await client.unary(
      operations.createTask,
      new admin.CreateTaskRequest({ template: template("countdown"), inputs, outputPrefix: "s3://bucket/out" }),
    );
    expect(created.resourceMeta?.length).toBeGreaterThan(0);
    const getRequest = new admin.GetTaskRequest({
      taskCategory: { name: "countdown", version: 0 },
      resourceMeta: created.resourceMeta,
      outputPrefix: "s3://bucket/out",
    });

    const first = await client.unary(operations.getTask, getRequest);
    expect(first.resource?.phase).toBe(Phase.RUNNING);
    expect(first.resource?.message).toBe("counting down");

    let resource = first.resource;
    const giveUpAt = Date.now() + 5000;
    while (resource?.phase === Phase.RUNNING && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      resource = (await client.unary(operations.getTask, getRequest)).resource;
    }
    expect(resource?.phase).toBe(Phase.SUCCEEDED);
    expect(resource?.outputs?.literals?.done?.scalar?.primitive?.boolean).toBe(true);

    await client.unary(operations.deleteTask, new admin.DeleteTaskRequest({ taskType: "countdown", resourceMeta: created.resourceMeta }));
    expect(countdown.deleted).toHaveLength(1);
  });

  test("GetTaskLogs streams the header, then the lines", async () => {
    const created = await client.unary(operations.createTask, new admin.CreateTaskRequest({ template: template("countdown") }));
    const messages = await client.serverStream(
      operations.getTaskLogs,
      new admin.GetTaskLogsRequest({ taskCategory: { name: "countdown" }, resourceMeta: created.resourceMeta, lines: 10 }),
    );
    expect(messages.map((message) => (message as flyteidl.admin.GetTaskLogsResponse).part)).toEqual(["header", "body"]);
    expect(messages[0]?.header?.token).toBe("page-2");
    expect(messages[1]?.body?.results).toEqual(["first line", "second line"]);
  });

  test("GetTaskLogs of a connector without logs is UNIMPLEMENTED, as a stream status", async () => {
    const error = await grpcError(
      client.serverStream(operations.getTaskLogs, new admin.GetTaskLogsRequest({ taskCategory: { name: "hanging" }, resourceMeta: new Uint8Array() })),
    );
    expect(error.code).toBe(status.UNIMPLEMENTED);
  });

  test("an unknown task type is NOT_FOUND with flytekit's message", async () => {
    const error = await grpcError(client.unary(operations.createTask, new admin.CreateTaskRequest({ template: template("nope") })));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toBe("Cannot find connector for task category: nope_v0. Task categories served: mirror_v0, countdown_v0, hanging_v0.");
  });

  test("request bytes that do not decode are INVALID_ARGUMENT, not INTERNAL", async () => {
    // Field 1 (template) announces 5 bytes but only 1 follows.
    const error = await grpcError(client.unaryBytes(operations.createTask.path, Uint8Array.of(0x0a, 0x05, 0x01), admin.CreateTaskResponse));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^Cannot decode flyteidl\.admin\.CreateTaskRequest: /);
  });

  test("a request above grpc-js's default 4 MB receive limit is RESOURCE_EXHAUSTED", async () => {
    const error = await grpcError(
      client.unary(operations.createTask, new admin.CreateTaskRequest({ template: template("countdown"), outputPrefix: "x".repeat(4 * 1024 * 1024) })),
    );
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  test("a connector that hangs past the caller's deadline answers DEADLINE_EXCEEDED before the deadline", async () => {
    const error = await grpcError(
      client.unary(operations.createTask, new admin.CreateTaskRequest({ template: template("hanging") }), { deadline: Date.now() + 700 }),
    );
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    // The service's own answer (the deadline reached the dispatch), not grpc-js's timer.
    expect(error.details).toMatch(/^create hanging task: no answer within \d+ ms$/);
  });
});

describe("SyncAgentService", () => {
  test("ExecuteTaskSync collects header and inputs until half-close, then answers one header", async () => {
    const answers = await client.bidi(operations.executeTaskSync, [
      new admin.ExecuteTaskSyncRequest({ header: { template: template("mirror"), outputPrefix: "s3://bucket/out" } }),
      new admin.ExecuteTaskSyncRequest({ inputs }),
    ]);
    expect(answers).toHaveLength(1);
    const resource = answers[0]?.header?.resource;
    expect(resource?.phase).toBe(Phase.SUCCEEDED);
    expect(core.LiteralMap.toObject(core.LiteralMap.fromObject(resource?.outputs ?? {}))).toEqual(
      core.LiteralMap.toObject(core.LiteralMap.fromObject(inputs)),
    );
  });

  test("ExecuteTaskSync on an async connector is INVALID_ARGUMENT", async () => {
    const error = await grpcError(
      client.bidi(operations.executeTaskSync, [new admin.ExecuteTaskSyncRequest({ header: { template: template("countdown") } })]),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain("is asynchronous");
  });

  test("a stream message that does not decode ends the call with INVALID_ARGUMENT", async () => {
    const header = admin.ExecuteTaskSyncRequest.encode({ header: { template: template("mirror") } }).finish();
    const error = await grpcError(
      client.bidiBytes(operations.executeTaskSync.path, [header, Uint8Array.of(0x12, 0x09)], admin.ExecuteTaskSyncResponse),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^Cannot decode flyteidl\.admin\.ExecuteTaskSyncRequest: /);
  });
});

test("a connection may send 4 MB before the server's first WINDOW_UPDATE, not Node's 64 KB", async () => {
  const session = connect(`http://${server.address}`);
  try {
    // The server raises its window as the connection opens: once a PING comes back, it has arrived.
    await new Promise<void>((resolve, reject) => {
      session.once("error", reject);
      session.once("connect", () => session.ping((error) => (error ? reject(error) : resolve())));
    });
    expect(session.state.remoteWindowSize).toBe(CONNECTION_WINDOW_BYTES);
  } finally {
    session.close();
  }
});

test("no connector failure above was logged as a transport error", () => {
  expect(errors).toEqual([]);
});
