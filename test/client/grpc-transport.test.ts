import { createServer } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createGrpcDispatch, type GrpcDispatch } from "../../lib/client/grpc-transport.js";
import { Status } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { flyteidl } from "../../lib/idl/index.js";
import { ConnectorService } from "../../lib/service/service.js";
import { startGrpcServer, type GrpcServer } from "../../lib/transport/grpc/index.js";
import { testRegistry } from "../transport/grpc/connectors.js";
import { rejection } from "../support/rejection.js";

const { admin } = flyteidl;

let server: GrpcServer;
let dispatch: GrpcDispatch;

beforeAll(async () => {
  server = await startGrpcServer({ dispatch: new ConnectorService(testRegistry()).dispatch, host: "127.0.0.1", port: 0 });
  dispatch = createGrpcDispatch({ address: server.address });
});

afterAll(async () => {
  dispatch.close();
  await server.close();
});


const template = (type: string): flyteidl.core.ITaskTemplate => ({ type, id: { name: `${type}-task` } });

test("a unary op answers its one response message", async () => {
  const [response] = (await dispatch("listAgents", [new admin.ListAgentsRequest()])) as flyteidl.admin.ListAgentsResponse[];
  expect(response?.agents.map((agent) => agent.name)).toEqual(["Mirror Connector", "Countdown Connector", "Hanging Connector"]);
});

test("executeTaskSync sends every request and answers every response", async () => {
  const inputs = { literals: { x: { scalar: { primitive: { integer: 3 } } } } };
  const answers = (await dispatch("executeTaskSync", [
    { header: { template: template("mirror") } },
    { inputs },
  ])) as flyteidl.admin.ExecuteTaskSyncResponse[];
  expect(answers).toHaveLength(1);
  expect(answers[0]?.header?.resource?.phase).toBe(Phase.SUCCEEDED);
  expect(Number(answers[0]?.header?.resource?.outputs?.literals?.x?.scalar?.primitive?.integer)).toBe(3);
});

test("getTaskLogs answers the whole stream", async () => {
  const [created] = (await dispatch("createTask", [{ template: template("countdown") }])) as flyteidl.admin.CreateTaskResponse[];
  const messages = (await dispatch("getTaskLogs", [
    { taskCategory: { name: "countdown" }, resourceMeta: created?.resourceMeta },
  ])) as flyteidl.admin.GetTaskLogsResponse[];
  expect(messages.map((message) => message.part)).toEqual(["header", "body"]);
});

test("a status from the server becomes a ConnectorError with the same code and message", async () => {
  const error = await rejection(dispatch("getAgent", [{ name: "Nobody" }]));
  expect(error.code).toBe(Status.NOT_FOUND);
  expect(error.message).toBe("Cannot find connector for name: Nobody.");
});

test("a unary op given other than one request is INVALID_ARGUMENT, without a call", async () => {
  const error = await rejection(dispatch("getTask", [{}, {}]));
  expect(error.code).toBe(Status.INVALID_ARGUMENT);
  expect(error.message).toBe("getTask takes exactly one request message, got 2.");
});

test("deadlineMs bounds every call; the dispatch options' deadline overrides it", async () => {
  const bounded = createGrpcDispatch({ address: server.address, deadlineMs: 500 });
  try {
    const error = await rejection(bounded("createTask", [{ template: template("hanging") }]));
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);

    const early = Date.now();
    const overridden = await rejection(bounded("createTask", [{ template: template("hanging") }], { deadline: Date.now() + 1500 }));
    expect(overridden.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - early).toBeGreaterThanOrEqual(1000);
  } finally {
    bounded.close();
  }
});

test("a server that cannot be reached is UNAVAILABLE", async () => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const unreachable = createGrpcDispatch({ address: `127.0.0.1:${port}` });
  try {
    const error = await rejection(unreachable("listAgents", [{}]));
    expect(error.code).toBe(Status.UNAVAILABLE);
  } finally {
    unreachable.close();
  }
});

test("a call whose signal aborts is cancelled (the server stops its work) and answers CANCELLED", async () => {
  // The hanging connector never answers on its own: without the cancel, the call would not end.
  const cancel = new AbortController();
  const answer = rejection(dispatch("createTask", [{ template: template("hanging") }], { signal: cancel.signal }));
  setTimeout(() => cancel.abort(), 50);
  const error = await answer;
  expect(error.code).toBe(Status.CANCELLED);

  const before = await rejection(dispatch("createTask", [{ template: template("hanging") }], { signal: cancel.signal }));
  expect(before.code).toBe(Status.CANCELLED);
  expect(before.message).toBe("createTask: the caller cancelled the call.");
});

test("grpc-js loads on the first call: a dispatch closed before it fails its calls as a closed grpc-js client does", async () => {
  const closed = createGrpcDispatch({ address: server.address });
  closed.close();
  await expect(closed("listAgents", [{}])).rejects.toThrow(/shut down|closed/i);
  closed.close();
});
