/**
 * What FlytePropeller asks of the gRPC front, over the demo connectors (CONTRACT.md §4, §6), as
 * one scenario list every backend runs: in-process and Lambda (demo-connectors.test.ts), and the
 * built functions under `serverless offline` (test/e2e/serverless-offline.test.ts). The client is
 * a plain grpc-js client with the generated codecs, independent of lib/client, and every call
 * carries a deadline as FlytePropeller's do.
 */
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createLambdaDispatch } from "../../../lib/client/lambda-transport.js";
import { Phase } from "../../../lib/connector/phase.js";
import { flyteidl, grpc } from "../../../lib/idl/index.js";
import { operations, type Dispatch } from "../../../lib/service/operations.js";
import { startGrpcServer } from "../../../lib/transport/grpc/index.js";
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

    test("ListAgents serves echo (sync), sleep (async) and webhook (sync); GetAgent describes each", async () => {
      const { agents } = await client.unary(operations.listAgents, new admin.ListAgentsRequest(), deadline());
      const byCategory = Object.fromEntries(
        (agents ?? []).flatMap((agent) => (agent.supportedTaskCategories ?? []).map((category) => [`${category.name}_v${category.version}`, agent.isSync])),
      );
      expect(byCategory).toEqual({ echo_v0: true, sleep_v0: false, webhook_v0: true });
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
          "Cannot find connector for task category: no-such-type_v0.",
        ],
        [
          "GetTask of an unknown category",
          () =>
            client.unary(
              operations.getTask,
              new admin.GetTaskRequest({ taskCategory: { name: "sleep", version: 3 }, resourceMeta: new Uint8Array() }),
              deadline(),
            ),
          "Cannot find connector for task category: sleep_v3.",
        ],
        [
          "ExecuteTaskSync of an unknown task type",
          () => client.bidi(operations.executeTaskSync, [new admin.ExecuteTaskSyncRequest({ header: { template: template("no-such-type") } })], deadline()),
          "Cannot find connector for task category: no-such-type_v0.",
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
  });
}
