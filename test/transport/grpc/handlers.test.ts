import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { ConnectorError, Status } from "../../../lib/connector/errors.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { operations, type Dispatch, type DispatchOptions, type OperationName } from "../../../lib/service/operations.js";
import { startGrpcServer, type GrpcServer } from "../../../lib/transport/grpc/index.js";
import { grpcError, RawClient, sendThenCancel } from "./raw-client.js";

const { admin } = flyteidl;

/** A backend the test scripts: it records each dispatch and answers what `answer` says. */
let answer: (name: OperationName, requests: readonly object[]) => Promise<object[]>;
const calls: { name: OperationName; requests: readonly object[]; options: DispatchOptions | undefined }[] = [];
const logged: unknown[][] = [];
const dispatch: Dispatch = (name, requests, options) => {
  calls.push({ name, requests, options });
  return answer(name, requests);
};

let server: GrpcServer;
let client: RawClient;

beforeAll(async () => {
  server = await startGrpcServer({ dispatch, host: "127.0.0.1", port: 0, logger: { error: (...args) => logged.push(args) } });
  client = new RawClient(server.address);
});

afterAll(async () => {
  client.close();
  await server.close();
});

beforeEach(() => {
  calls.length = 0;
  logged.length = 0;
});

test("each method dispatches its op with the decoded request and the call's deadline", async () => {
  answer = async () => [new admin.CreateTaskResponse({ resourceMeta: Uint8Array.of(1, 2) })];
  const deadline = Date.now() + 5000;
  const response = await client.unary(operations.createTask, new admin.CreateTaskRequest({ outputPrefix: "s3://out" }), { deadline });
  expect([...(response.resourceMeta ?? [])]).toEqual([1, 2]);
  expect(calls).toHaveLength(1);
  expect(calls[0]?.name).toBe("createTask");
  expect((calls[0]?.requests[0] as flyteidl.admin.CreateTaskRequest).outputPrefix).toBe("s3://out");
  // gRPC carries the deadline as a timeout rounded to the millisecond.
  expect(Math.abs((calls[0]?.options?.deadline ?? 0) - deadline)).toBeLessThan(50);
});

test("a call without a deadline dispatches without one", async () => {
  answer = async () => [new admin.ListAgentsResponse()];
  await client.unary(operations.listAgents, new admin.ListAgentsRequest());
  expect(calls[0]?.options?.deadline).toBeUndefined();
});

test("the bidi call dispatches every message the client sent before half-closing, once", async () => {
  answer = async () => [new admin.ExecuteTaskSyncResponse({ header: { resource: { message: "done" } } })];
  const answers = await client.bidi(operations.executeTaskSync, [
    new admin.ExecuteTaskSyncRequest({ header: { outputPrefix: "p" } }),
    new admin.ExecuteTaskSyncRequest({ inputs: { literals: {} } }),
  ]);
  expect(answers.map((message) => message.header?.resource?.message)).toEqual(["done"]);
  expect(calls).toHaveLength(1);
  expect(calls[0]?.name).toBe("executeTaskSync");
  expect(calls[0]?.requests.map((request) => (request as flyteidl.admin.ExecuteTaskSyncRequest).part)).toEqual(["header", "inputs"]);
});

test("a bidi call the client cancels before half-closing is not dispatched", async () => {
  answer = async () => [new admin.ExecuteTaskSyncResponse({ header: { resource: { message: "done" } } })];
  // The header is sent; the inputs never come: the client cancels, as grpc-go does, with RST_STREAM alone.
  const header = admin.ExecuteTaskSyncRequest.encode({ header: { outputPrefix: "p" } }).finish();
  await sendThenCancel(server.address, operations.executeTaskSync.path, [header]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(calls).toEqual([]);
});

test("the server stream writes every message the dispatch answers, in order", async () => {
  answer = async () => [
    new admin.GetTaskLogsResponse({ header: { token: "t" } }),
    new admin.GetTaskLogsResponse({ body: { results: ["a"] } }),
    new admin.GetTaskLogsResponse({ body: { results: ["b"] } }),
  ];
  const messages = await client.serverStream(operations.getTaskLogs, new admin.GetTaskLogsRequest({ lines: 3 }));
  expect(messages.map((message) => message.header?.token ?? message.body?.results?.[0])).toEqual(["t", "a", "b"]);
  expect(Number((calls[0]?.requests[0] as flyteidl.admin.GetTaskLogsRequest).lines)).toBe(3);
});

test.each([
  ["unary", () => client.unary(operations.getTask, new admin.GetTaskRequest())],
  ["server stream", () => client.serverStream(operations.getTaskLogs, new admin.GetTaskLogsRequest())],
  ["bidi", () => client.bidi(operations.executeTaskSync, [new admin.ExecuteTaskSyncRequest({ header: {} })])],
])("a ConnectorError keeps its code and message (%s)", async (_kind, call) => {
  answer = async () => {
    throw new ConnectorError(Status.UNAVAILABLE, "The backend is away.");
  };
  const error = await grpcError(call());
  expect(error.code).toBe(status.UNAVAILABLE);
  expect(error.details).toBe("The backend is away.");
  expect(logged).toEqual([]);
});

test.each([
  ["unary", () => client.unary(operations.getTask, new admin.GetTaskRequest())],
  ["server stream", () => client.serverStream(operations.getTaskLogs, new admin.GetTaskLogsRequest())],
  ["bidi", () => client.bidi(operations.executeTaskSync, [new admin.ExecuteTaskSyncRequest({ header: {} })])],
])("any other error is INTERNAL with a generic message; the log gets the error (%s)", async (_kind, call) => {
  const bug = new TypeError("secret detail at /var/task/index.js:1");
  answer = async () => {
    throw bug;
  };
  const error = await grpcError(call());
  expect(error.code).toBe(status.INTERNAL);
  expect(error.details).toBe("Internal error in the connector service.");
  expect(logged).toHaveLength(1);
  expect(logged[0]?.[1]).toBe(bug);
});

test("a dispatch answering a unary call with other than one message is INTERNAL", async () => {
  answer = async () => [new admin.GetTaskResponse(), new admin.GetTaskResponse()];
  const error = await grpcError(client.unary(operations.getTask, new admin.GetTaskRequest()));
  expect(error.code).toBe(status.INTERNAL);
  expect(String(logged[0]?.[1])).toContain("dispatch answered 2 messages to a unary call");
});
