/**
 * What FlytePropeller (flyteidl) and Flyte 2's executor (flyteidl2.connector) ask of the gRPC
 * front, over the demo connectors (docs/CONTRACT.md §4, §6, §7), as one scenario list every backend runs: in-process and Lambda (demo-connectors.test.ts), and the
 * built functions under `serverless offline` (test/e2e/serverless-offline.test.ts). The client is
 * a plain grpc-js client with the generated codecs, independent of lib/client, and every call
 * carries a deadline as FlytePropeller's do.
 */
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createLambdaDispatch } from "../../../lib/client/lambda-transport.js";
import { Phase } from "../../../lib/connector/phase.js";
import { flyteidl2 } from "../../../lib/idl/flyteidl2.js";
import { flyteidl, grpc } from "../../../lib/idl/index.js";
import { flyteidl2Operations } from "../../../lib/service/flyteidl2/operations.js";
import { operations, type Dispatch, type MessageType, type Operation } from "../../../lib/service/operations.js";
import { startGrpcServer } from "../../../lib/transport/grpc/index.js";
import { registry } from "../../../functions/registry.js";
import { grpcError, RawClient } from "./raw-client.js";

const { admin, core } = flyteidl;
const { HealthCheckRequest, HealthCheckResponse } = grpc.health.v1;

/** A running gRPC front, whatever answers behind it. */
export interface FrontUnderTest {
  /** `host:port` to dial. */
  readonly address: string;
  close(): Promise<void>;
}

/** The front on a free loopback port over `dispatch`. */
export async function startFront(dispatch: Dispatch): Promise<FrontUnderTest> {
  const server = await startGrpcServer({ dispatch, host: "127.0.0.1", port: 0 });
  return { address: server.address, close: () => server.close() };
}

/**
 * The front over the Lambda backend at a local Invoke `endpoint`, built as `serve --backend
 * offline` builds it: credentials from the environment (any do locally), the SDK's own retries off.
 */
export async function startLambdaFront(endpoint: string): Promise<FrontUnderTest> {
  vi.stubEnv("AWS_ACCESS_KEY_ID", "offline");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "offline");
  const front = await startFront(createLambdaDispatch({ endpoint, region: "us-east-1" }));
  return {
    address: front.address,
    close: async () => {
      await front.close();
      vi.unstubAllEnvs();
    },
  };
}

/** connector-service's default timeout; a Lambda cold start must fit inside it. */
const CALL_TIMEOUT_MS = 10_000;
const deadline = () => ({ deadline: Date.now() + CALL_TIMEOUT_MS });

const healthCheck = { path: "/grpc.health.v1.Health/Check", requestType: HealthCheckRequest, responseType: HealthCheckResponse };

const template = (type: string): flyteidl.core.ITaskTemplate => ({
  id: { resourceType: core.ResourceType.TASK, project: "p", domain: "d", name: `${type}-task`, version: "1" },
  type,
});

const sleepInputs = (seconds: number) => ({ literals: { seconds: { scalar: { primitive: { floatValue: seconds } } } } });
const sleepTask = (resourceMeta: Uint8Array | null | undefined) => ({ taskCategory: { name: "sleep", version: 0 }, resourceMeta });

/** Not a CreateTaskRequest: field 1 (template) announces 5 bytes and 1 follows. */
const UNDECODABLE = Uint8Array.of(0x0a, 0x05, 0x01);

export function describeGrpcFront(backend: string, start: () => Promise<FrontUnderTest>): void {
  describe(`gRPC front, ${backend} backend`, () => {
    let front: FrontUnderTest | undefined;
    let client: RawClient;

    beforeAll(async () => {
      front = await start();
      client = new RawClient(front.address);
    });

    afterAll(async () => {
      client?.close();
      await front?.close();
    });

    /** Creates a sleep task and polls GetTask as FlytePropeller does until it leaves RUNNING. */
    async function runSleep(seconds: number) {
      const created = await client.unary(
        operations.createTask,
        new admin.CreateTaskRequest({ template: template("sleep"), inputs: sleepInputs(seconds), outputPrefix: "s3://bucket/out" }),
        deadline(),
      );
      const getRequest = new admin.GetTaskRequest(sleepTask(created.resourceMeta));
      const phases: Phase[] = [];
      let resource: flyteidl.admin.IResource | null | undefined;
      const giveUpAt = Date.now() + seconds * 1000 + 20_000;
      do {
        if (phases.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        resource = (await client.unary(operations.getTask, getRequest, deadline())).resource;
        phases.push(resource?.phase ?? Phase.UNDEFINED);
      } while (resource?.phase === Phase.RUNNING && Date.now() < giveUpAt);
      return { resourceMeta: created.resourceMeta, phases, resource };
    }

    test.each(["", "flyteidl.service.AsyncAgentService", "flyteidl.service.SyncAgentService", "flyteidl.service.AgentMetadataService"])(
      "health Check(%j) is SERVING",
      async (service) => {
        const response = await client.unary(healthCheck, new HealthCheckRequest({ service }), deadline());
        expect(response.status).toBe(HealthCheckResponse.ServingStatus.SERVING);
      },
    );

    test("ListAgents serves every registered connector, echo (sync), sleep (async) and webhook (sync) among them; GetAgent describes each", async () => {
      const { agents } = await client.unary(operations.listAgents, new admin.ListAgentsRequest(), deadline());
      const byCategory = Object.fromEntries(
        (agents ?? []).flatMap((agent) => (agent.supportedTaskCategories ?? []).map((category) => [`${category.name}_v${category.version}`, agent.isSync])),
      );
      expect(byCategory).toEqual(expectedCategories());
      expect(byCategory).toMatchObject({ echo_v0: true, sleep_v0: false, webhook_v0: true });
      for (const agent of agents ?? []) {
        const answer = await client.unary(operations.getAgent, new admin.GetAgentRequest({ name: agent.name }), deadline());
        expect(answer.agent).toEqual(agent);
      }
    });

    test("sleep runs from CreateTask through RUNNING to SUCCEEDED with its seconds as output; DeleteTask answers", async () => {
      const { resourceMeta, phases, resource } = await runSleep(0.3);
      expect(phases[0]).toBe(Phase.RUNNING);
      expect(resource?.phase).toBe(Phase.SUCCEEDED);
      expect(resource?.message).toBe("Slept 0.3 s.");
      expect(core.LiteralMap.toObject(core.LiteralMap.fromObject(resource?.outputs ?? {}))).toEqual(sleepInputs(0.3));
      const deleted = await client.unary(operations.deleteTask, new admin.DeleteTaskRequest(sleepTask(resourceMeta)), deadline());
      expect(deleted).toEqual(new admin.DeleteTaskResponse());
    });

    test("GetTaskLogs streams one header, then the lines", async () => {
      const { resourceMeta, resource } = await runSleep(1);
      expect(resource?.phase).toBe(Phase.SUCCEEDED);
      const messages = await client.serverStream(
        operations.getTaskLogs,
        new admin.GetTaskLogsRequest({ ...sleepTask(resourceMeta), lines: 10 }),
        deadline(),
      );
      expect(messages.map((message) => (message as flyteidl.admin.GetTaskLogsResponse).part)).toEqual(["header", "body"]);
      expect(messages[0]?.header?.token).toBe("");
      expect(messages[1]?.body?.results).toEqual(["slept 1 of 1 s"]);
    });

    test("echo answers its inputs through ExecuteTaskSync: header, inputs, half-close, one answer", async () => {
      const inputs = { literals: { x: { scalar: { primitive: { integer: 42 } } }, s: { scalar: { primitive: { stringValue: "hi" } } } } };
      const answers = await client.bidi(
        operations.executeTaskSync,
        [new admin.ExecuteTaskSyncRequest({ header: { template: template("echo") } }), new admin.ExecuteTaskSyncRequest({ inputs })],
        deadline(),
      );
      expect(answers).toHaveLength(1);
      const resource = answers[0]?.header?.resource;
      expect(resource?.phase).toBe(Phase.SUCCEEDED);
      const plain = (map: flyteidl.core.ILiteralMap) => core.LiteralMap.toObject(core.LiteralMap.fromObject(map), { longs: String });
      expect(plain(resource?.outputs ?? {})).toEqual(plain(inputs));
    });

    describe("NOT_FOUND, with the contract's message", () => {
      test.each([
        [
          "CreateTask of an unknown task type",
          () => client.unary(operations.createTask, new admin.CreateTaskRequest({ template: template("no-such-type") }), deadline()),
          `Cannot find connector for task category: no-such-type_v0. ${served()}`,
        ],
        [
          "GetTask of an unknown category",
          () =>
            client.unary(
              operations.getTask,
              new admin.GetTaskRequest({ taskCategory: { name: "sleep", version: 3 }, resourceMeta: new Uint8Array() }),
              deadline(),
            ),
          `Cannot find connector for task category: sleep_v3. ${served()}`,
        ],
        [
          "ExecuteTaskSync of an unknown task type",
          () => client.bidi(operations.executeTaskSync, [new admin.ExecuteTaskSyncRequest({ header: { template: template("no-such-type") } })], deadline()),
          `Cannot find connector for task category: no-such-type_v0. ${served()}`,
        ],
        [
          "GetAgent of an unknown name",
          () => client.unary(operations.getAgent, new admin.GetAgentRequest({ name: "No Such Connector" }), deadline()),
          "Cannot find connector for name: No Such Connector.",
        ],
      ])("%s", async (_case, call, message) => {
        const error = await grpcError(call());
        expect({ code: error.code, details: error.details }).toEqual({ code: status.NOT_FOUND, details: message });
      });
    });

    describe("INVALID_ARGUMENT for garbage, with a readable message", () => {
      test.each([
        [
          "request bytes that do not decode",
          () => client.unaryBytes(operations.createTask.path, UNDECODABLE, admin.CreateTaskResponse),
          /^Cannot decode flyteidl\.admin\.CreateTaskRequest: /,
        ],
        [
          "a stream message that does not decode",
          () =>
            client.bidiBytes(
              operations.executeTaskSync.path,
              [admin.ExecuteTaskSyncRequest.encode({ header: { template: template("echo") } }).finish(), Uint8Array.of(0x12, 0x09)],
              admin.ExecuteTaskSyncResponse,
            ),
          /^Cannot decode flyteidl\.admin\.ExecuteTaskSyncRequest: /,
        ],
        [
          "CreateTask without a template",
          () => client.unary(operations.createTask, new admin.CreateTaskRequest({ outputPrefix: "s3://out" }), deadline()),
          /^CreateTaskRequest has no task template\.$/,
        ],
        [
          "a resource meta that is not one",
          () => client.unary(operations.getTask, new admin.GetTaskRequest(sleepTask(new TextEncoder().encode("garbage"))), deadline()),
          /resource meta/,
        ],
        [
          "ExecuteTaskSync whose first message is not a header",
          () => client.bidi(operations.executeTaskSync, [new admin.ExecuteTaskSyncRequest({ inputs: {} })], deadline()),
          /^ExecuteTaskSync expects a header message first\.$/,
        ],
        [
          "ExecuteTaskSync of an async connector",
          () => client.bidi(operations.executeTaskSync, [new admin.ExecuteTaskSyncRequest({ header: { template: template("sleep") } })], deadline()),
          /^Connector for task category sleep_v0 is asynchronous: use CreateTask and GetTask\.$/,
        ],
      ])("%s", async (_case, call, message) => {
        const error = await grpcError(call());
        expect(error.code).toBe(status.INVALID_ARGUMENT);
        expect(error.details).toMatch(message);
      });
    });

    describeFlyte2(() => client);
  });
}

/** A Flyte 2 operation as the raw client's method: the table types its messages as plain objects. */
function v2<Req extends object, Res extends object>(operation: Operation): { path: string; requestType: MessageType<Req>; responseType: MessageType<Res> } {
  return operation as unknown as { path: string; requestType: MessageType<Req>; responseType: MessageType<Res> };
}

const c2 = flyteidl2.connector;
const Phase2 = flyteidl2.core.TaskExecution.Phase;
const v2ops = {
  createTask: v2<flyteidl2.connector.ICreateTaskRequest, flyteidl2.connector.CreateTaskResponse>(flyteidl2Operations.createTask),
  getTask: v2<flyteidl2.connector.IGetTaskRequest, flyteidl2.connector.GetTaskResponse>(flyteidl2Operations.getTask),
  deleteTask: v2<flyteidl2.connector.IDeleteTaskRequest, flyteidl2.connector.DeleteTaskResponse>(flyteidl2Operations.deleteTask),
  getTaskMetrics: v2<flyteidl2.connector.IGetTaskMetricsRequest, flyteidl2.connector.GetTaskMetricsResponse>(flyteidl2Operations.getTaskMetrics),
  getTaskLogs: v2<flyteidl2.connector.IGetTaskLogsRequest, flyteidl2.connector.GetTaskLogsResponse>(flyteidl2Operations.getTaskLogs),
  getConnector: v2<flyteidl2.connector.IGetConnectorRequest, flyteidl2.connector.GetConnectorResponse>(flyteidl2Operations.getAgent),
  listConnectors: v2<flyteidl2.connector.IListConnectorsRequest, flyteidl2.connector.ListConnectorsResponse>(flyteidl2Operations.listAgents),
};

const template2 = (type: string): flyteidl2.core.ITaskTemplate => ({ id: { project: "p", domain: "d", name: `${type}-task`, version: "1" }, type });
const named = (literals: Record<string, flyteidl2.core.ILiteral>) => Object.entries(literals).map(([name, value]) => ({ name, value }));
const plainOutputs = (outputs: flyteidl2.task.IOutputs | null | undefined) =>
  flyteidl2.task.Outputs.toObject(flyteidl2.task.Outputs.fromObject(outputs ?? {}), { longs: String });
/** The executor resolves each secret name of the task's `custom.secrets` and sends the values. */
const connection = { secrets: { api_key: "front-scenario-secret" }, configs: { region: "eu-west-1" } };

/** What Flyte 2's executor does, on the same port: the connector services, async and sync connectors alike. */
function describeFlyte2(client: () => RawClient): void {
  describe("Flyte 2 (flyteidl2.connector)", () => {
    async function runSleep(seconds: number) {
      const inputs = { literals: named({ seconds: { scalar: { primitive: { floatValue: seconds } } } }) };
      const created = await client().unary(v2ops.createTask, { template: template2("sleep"), inputs, outputPrefix: "s3://bucket/out", connection }, deadline());
      const task = { taskCategory: { name: "sleep", version: 0 }, resourceMeta: created.resourceMeta, connection };
      const phases: number[] = [];
      let resource: flyteidl2.connector.IResource | null | undefined;
      const giveUpAt = Date.now() + seconds * 1000 + 20_000;
      do {
        if (phases.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        resource = (await client().unary(v2ops.getTask, task, deadline())).resource;
        phases.push(resource?.phase ?? Phase2.UNDEFINED);
      } while (resource?.phase === Phase2.RUNNING && Date.now() < giveUpAt);
      return { task, phases, resource, inputs };
    }

    test.each(["flyteidl2.connector.AsyncConnectorService", "flyteidl2.connector.ConnectorMetadataService"])("health Check(%j) is SERVING", async (service) => {
      const response = await client().unary(healthCheck, new HealthCheckRequest({ service }), deadline());
      expect(response.status).toBe(HealthCheckResponse.ServingStatus.SERVING);
    });

    test("ListConnectors lists every connector, sync ones too; GetConnector describes each", async () => {
      const { connectors } = await client().unary(v2ops.listConnectors, {}, deadline());
      const categories = (connectors ?? []).flatMap((connector) => (connector.supportedTaskCategories ?? []).map((category) => `${category.name}_v${category.version}`));
      expect(categories.sort()).toEqual(Object.keys(expectedCategories()).sort());
      for (const connector of connectors ?? []) {
        const answer = await client().unary(v2ops.getConnector, { name: connector.name }, deadline());
        expect(answer.connector).toEqual(connector);
      }
    });

    test("sleep runs from CreateTask through RUNNING to SUCCEEDED with named outputs; DeleteTask answers", async () => {
      const { task, phases, resource, inputs } = await runSleep(0.3);
      expect(phases[0]).toBe(Phase2.RUNNING);
      expect(resource?.phase).toBe(Phase2.SUCCEEDED);
      expect(resource?.message).toBe("Slept 0.3 s.");
      expect(plainOutputs(resource?.outputs)).toEqual(plainOutputs(inputs));
      expect(await client().unary(v2ops.deleteTask, task, deadline())).toEqual(new c2.DeleteTaskResponse());
    });

    test("GetTaskLogs streams one header, then bodies with lines and results", async () => {
      const { task } = await runSleep(1);
      const messages = await client().serverStream(v2ops.getTaskLogs, { taskCategory: task.taskCategory, resourceMeta: task.resourceMeta, lines: 10 }, deadline());
      expect(messages.map((message) => message.part)).toEqual(["header", "body"]);
      expect(messages[0]?.header?.token).toBe("");
      expect(messages[1]?.body?.results).toEqual(["slept 1 of 1 s"]);
      expect(messages[1]?.body?.lines?.map((line) => line.message)).toEqual(["slept 1 of 1 s"]);
    });

    test("echo (sync) runs in CreateTask: its meta carries the result, GetTask answers it, DeleteTask succeeds", async () => {
      const inputs = { literals: named({ x: { scalar: { primitive: { integer: 42 } } }, s: { scalar: { primitive: { stringValue: "hi" } } } }) };
      const created = await client().unary(v2ops.createTask, { template: template2("echo"), inputs, connection }, deadline());
      const task = { taskCategory: { name: "echo", version: 0 }, resourceMeta: created.resourceMeta, connection };
      const { resource } = await client().unary(v2ops.getTask, task, deadline());
      expect(resource?.phase).toBe(Phase2.SUCCEEDED);
      expect(plainOutputs(resource?.outputs)).toEqual(plainOutputs(inputs));
      expect(await client().unary(v2ops.deleteTask, task, deadline())).toEqual(new c2.DeleteTaskResponse());
      const logs = await grpcError(client().serverStream(v2ops.getTaskLogs, { taskCategory: task.taskCategory, resourceMeta: task.resourceMeta }, deadline()));
      expect({ code: logs.code, details: logs.details }).toEqual({ code: status.UNIMPLEMENTED, details: "Connector for task category echo_v0 does not provide logs." });
    });

    test.each([
      ["CreateTask of an unknown task type", () => client().unary(v2ops.createTask, { template: template2("no-such-type") }, deadline()), status.NOT_FOUND, new RegExp(`^Cannot find connector for task category: no-such-type_v0\\. ${served().replaceAll(".", "\\.")}$`)],
      ["GetConnector of an unknown name", () => client().unary(v2ops.getConnector, { name: "No Such Connector" }, deadline()), status.NOT_FOUND, /^Cannot find connector for name: No Such Connector\.$/],
      ["request bytes that do not decode", () => client().unaryBytes(v2ops.createTask.path, UNDECODABLE, c2.CreateTaskResponse), status.INVALID_ARGUMENT, /^Cannot decode flyteidl2\.connector\.CreateTaskRequest: /],
      ["CreateTask without a template", () => client().unary(v2ops.createTask, { outputPrefix: "s3://out" }, deadline()), status.INVALID_ARGUMENT, /^CreateTaskRequest has no task template\.$/],
      [
        "a sync connector's meta that is not one",
        () => client().unary(v2ops.getTask, { taskCategory: { name: "echo" }, resourceMeta: new TextEncoder().encode("garbage") }, deadline()),
        status.INVALID_ARGUMENT,
        /^Cannot decode resource meta for task category echo_v0: /,
      ],
    ])("%s", async (_case, call, code, message) => {
      const error = await grpcError(call());
      expect(error.code).toBe(code);
      expect(error.details).toMatch(message);
    });
  });
}

/** What NOT_FOUND for a task category lists: every category of the deployed registry. */
function served(): string {
  return `Task categories served: ${Object.keys(expectedCategories()).join(", ")}.`;
}

/** Every category the deployed registry serves, and whether it is sync: the front serves that registry. */
function expectedCategories(): Record<string, boolean> {
  return Object.fromEntries(
    registry.listConnectors().flatMap((agent) => agent.supportedTaskCategories.map((category) => [`${category.name}_v${category.version}`, agent.isSync])),
  );
}
