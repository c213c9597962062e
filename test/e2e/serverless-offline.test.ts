/**
 * The deployed artifacts end to end: `serverless offline` runs the zips of infra/build.mjs with
 * serverless.yml, and every operation is driven against the demo connectors (docs/CONTRACT.md §6)
 * three ways: HTTP with JSON, HTTP with protobuf (docs/CONTRACT.md §3), and Lambda Invoke with
 * @aws-sdk/client-lambda (§2). The wire formats are written out here, independently of the
 * project's own clients, so a bug shared by a client and a server cannot hide. Then the
 * production topology: the gRPC front's Lambda backend pointed at the same instance, driven by a
 * plain grpc-js client through the scenarios every backend of the front runs (§4).
 */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { Reader, Writer } from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations, type OperationName } from "../../lib/service/operations.js";
import { buildFunctions } from "../support/build.js";
import {
  ECHO_INPUTS,
  SLEEP_CATEGORY,
  asJson,
  echoSyncRequests,
  floatLiteral,
  fromJson,
  sleepCreateRequest,
  type Json,
} from "../support/demo-requests.js";
import { DUMMY_CREDENTIALS, startServerlessOffline, type ServerlessOffline } from "../support/serverless-offline.js";
import { describeGrpcFront, startLambdaFront } from "../transport/grpc/front-scenarios.js";

/** A failure answered by the service, whatever the transport. */
class WireError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** The HTTP status, for the HTTP transports. */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** Calls an operation with request messages in proto3 JSON form; answers likewise. */
interface Transport {
  readonly name: string;
  call(op: OperationName, requests: Json[]): Promise<Json[]>;
}

/** grpc-gateway's status for each gRPC code this suite meets (docs/CONTRACT.md §3). */
const HTTP_STATUS: Record<number, number> = { 3: 400, 5: 404, 12: 501 };

const base64url = (standard: string) => standard.replace(/\+/g, "-").replace(/\//g, "_");

/** Method, path and query of an operation's route, from its request (docs/CONTRACT.md §3). */
function route(op: OperationName, request: Json): { method: string; path: string } {
  const category = request["taskCategory"] as { name: string; version: number } | undefined;
  const task = () => `${category!.name}/${category!.version}/${base64url(request["resourceMeta"] as string)}`;
  switch (op) {
    case "createTask":
      return { method: "POST", path: "/api/v1/agent/task" };
    case "executeTaskSync":
      return { method: "POST", path: "/api/v1/agent/task/stream" };
    case "getTask":
      return { method: "GET", path: `/api/v1/agent/task/${task()}` };
    case "deleteTask":
      return { method: "DELETE", path: `/api/v1/agent/task_executions/${task()}` };
    case "getTaskMetrics":
      return { method: "GET", path: `/api/v1/agent/task/metrics/${task()}?queries=up&step=30s` };
    case "getTaskLogs":
      return { method: "GET", path: `/api/v1/agent/task/logs/${task()}?lines=${String(request["lines"] ?? 0)}` };
    case "getAgent":
      return { method: "GET", path: `/api/v1/agent/${encodeURIComponent(request["name"] as string)}` };
    case "listAgents":
      return { method: "GET", path: "/api/v1/agents" };
  }
}

async function httpFailure(response: Response): Promise<WireError> {
  const text = await response.text();
  let body: { code?: unknown; message?: unknown; details?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`HTTP ${response.status} with a body that is not JSON: ${text}`);
  }
  expect(body.details).toEqual([]);
  return new WireError(Number(body.code), String(body.message), response.status);
}

function httpJson(offline: () => ServerlessOffline): Transport {
  return {
    name: "HTTP, JSON",
    async call(op, requests) {
      const { method, path } = route(op, requests[0]!);
      const stream = operations[op].requestStream;
      const response = await fetch(`${offline().httpUrl}${path}`, {
        method,
        headers: method === "POST" ? { "content-type": "application/json" } : {},
        body: method === "POST" ? JSON.stringify(stream ? requests : requests[0]) : undefined,
      });
      if (!response.ok) throw await httpFailure(response);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await response.json()) as Json | Json[];
      return operations[op].responseStream ? (body as Json[]) : [body as Json];
    },
  };
}

/** A stream over HTTP as protobuf: varint-length-delimited messages (docs/CONTRACT.md §3). */
function delimited(messages: readonly Uint8Array[]): Uint8Array {
  const writer = Writer.create();
  for (const message of messages) writer.bytes(message);
  return writer.finish();
}

function httpProtobuf(offline: () => ServerlessOffline): Transport {
  return {
    name: "HTTP, protobuf",
    async call(op, requests) {
      const operation = operations[op];
      const { method, path } = route(op, requests[0]!);
      let body: Uint8Array | undefined;
      if (method === "POST") {
        const encoded = requests.map((request) => operation.requestType.encode(fromJson(operation.requestType, request)).finish());
        body = operation.requestStream ? delimited(encoded) : encoded[0];
      }
      const response = await fetch(`${offline().httpUrl}${path}`, {
        method,
        // serverless-offline base64-encodes only application/octet-stream bodies (DESIGN.md).
        headers: { accept: "application/x-protobuf", ...(body ? { "content-type": "application/octet-stream" } : {}) },
        body,
      });
      if (!response.ok) throw await httpFailure(response);
      expect(response.headers.get("content-type")).toMatch(/^application\/x-protobuf/);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (!operation.responseStream) return [asJson(operation.responseType, operation.responseType.decode(bytes))];
      const reader = Reader.create(bytes);
      const messages: Json[] = [];
      while (reader.pos < reader.len) messages.push(asJson(operation.responseType, operation.responseType.decode(reader.bytes())));
      return messages;
    },
  };
}

function lambdaInvoke(client: () => LambdaClient, offline: () => ServerlessOffline): Transport {
  return {
    name: "Lambda Invoke",
    async call(op, requests) {
      const operation = operations[op];
      const encode = (request: Json) =>
        Buffer.from(operation.requestType.encode(fromJson(operation.requestType, request)).finish()).toString("base64");
      const envelope = operation.requestStream ? { messages: requests.map(encode) } : { body: encode(requests[0]!) };
      const answer = await client().send(
        new InvokeCommand({ FunctionName: offline().functionName(op), Payload: new TextEncoder().encode(JSON.stringify(envelope)) }),
      );
      const payload = JSON.parse(new TextDecoder().decode(answer.Payload)) as {
        body?: string;
        messages?: string[];
        error?: { code: number; status: string; message: string };
      };
      expect(answer.FunctionError, JSON.stringify(payload)).toBeUndefined();
      if (payload.error) throw new WireError(payload.error.code, payload.error.message);
      const decode = (text: string) => asJson(operation.responseType, operation.responseType.decode(Buffer.from(text, "base64")));
      return operation.responseStream ? payload.messages!.map(decode) : [decode(payload.body!)];
    },
  };
}

let offline: ServerlessOffline | undefined;
let lambda: LambdaClient | undefined;

beforeAll(async () => {
  await buildFunctions();
  offline = await startServerlessOffline();
  lambda = new LambdaClient({ endpoint: offline.lambdaEndpoint, region: "us-east-1", credentials: DUMMY_CREDENTIALS });
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  await offline?.stop();
}, 30_000);

const running = () => {
  if (!offline) throw new Error("serverless offline is not running");
  return offline;
};

const transports: Transport[] = [httpJson(running), httpProtobuf(running), lambdaInvoke(() => lambda!, running)];

async function one(transport: Transport, op: OperationName, request: Json): Promise<Json> {
  const [response, ...rest] = await transport.call(op, [request]);
  expect(rest).toEqual([]);
  return response!;
}

async function failure(call: Promise<unknown>): Promise<WireError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WireError);
  const wire = error as WireError;
  if (wire.httpStatus !== undefined) expect(wire.httpStatus).toBe(HTTP_STATUS[wire.code]);
  return wire;
}

describe.each(transports)("serverless offline, $name", (transport) => {
  it("lists the demo connectors", async () => {
    const { agents } = (await one(transport, "listAgents", {})) as { agents: Json[] };
    const byTaskType = Object.fromEntries(
      agents.flatMap((agent) => (agent["supportedTaskCategories"] as { name: string }[]).map((c) => [c.name, agent])),
    );
    expect(Object.keys(byTaskType)).toEqual(expect.arrayContaining(["echo", "sleep", "webhook"]));
    expect(byTaskType["echo"]).toMatchObject({ isSync: true });
    expect(byTaskType["sleep"]?.["isSync"]).toBeFalsy();
  });

  it("describes each listed connector by name, and NOT_FOUND for an unknown name", async () => {
    const { agents } = (await one(transport, "listAgents", {})) as { agents: Json[] };
    for (const agent of agents) {
      expect(await one(transport, "getAgent", { name: agent["name"] })).toEqual({ agent });
    }
    const error = await failure(one(transport, "getAgent", { name: "No Such Connector" }));
    expect(error).toMatchObject({ code: 5, message: "Cannot find connector for name: No Such Connector." });
  });

  it("runs echo synchronously: one header with the inputs as outputs", async () => {
    const responses = await transport.call("executeTaskSync", echoSyncRequests());
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ header: { resource: { phase: "SUCCEEDED", outputs: ECHO_INPUTS } } });
  });

  it("runs sleep asynchronously: createTask, getTask until SUCCEEDED with outputs {seconds}, deleteTask", async () => {
    const seconds = 0.5;
    const { resourceMeta } = await one(transport, "createTask", sleepCreateRequest(seconds));
    expect(resourceMeta).toEqual(expect.any(String));
    const task = { taskCategory: SLEEP_CATEGORY, resourceMeta };

    const phases: string[] = [];
    let resource: Json = {};
    for (const deadline = Date.now() + 20_000; phases.at(-1) !== "SUCCEEDED" && Date.now() < deadline; ) {
      ({ resource } = (await one(transport, "getTask", task)) as { resource: Json });
      phases.push(String(resource["phase"]));
      if (resource["phase"] === "RUNNING") await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(phases.at(-1)).toBe("SUCCEEDED");
    expect(new Set(phases.slice(0, -1))).toEqual(new Set(phases.length > 1 ? ["RUNNING"] : []));
    expect(resource["outputs"]).toEqual({ literals: { seconds: floatLiteral(seconds) } });

    expect(await one(transport, "deleteTask", task)).toEqual({});
  });

  it("reports a running sleep, answers its logs, UNIMPLEMENTED for metrics, and deletes it", async () => {
    const { resourceMeta } = await one(transport, "createTask", sleepCreateRequest(3600));
    const task = { taskCategory: SLEEP_CATEGORY, resourceMeta };

    const { resource } = (await one(transport, "getTask", task)) as { resource: Json };
    expect(resource).toMatchObject({ phase: "RUNNING", message: expect.stringMatching(/left/) });
    expect(resource["outputs"]).toBeUndefined();

    const logs = await transport.call("getTaskLogs", [{ ...task, lines: 10 }]);
    expect(logs[0]).toHaveProperty("header");
    expect(logs.slice(1).every((message) => "body" in message)).toBe(true);

    const metrics = await failure(one(transport, "getTaskMetrics", { ...task, queries: ["up"] }));
    expect(metrics.code).toBe(12);

    expect(await one(transport, "deleteTask", task)).toEqual({});
  });

  it("answers NOT_FOUND for a task type no connector serves", async () => {
    const error = await failure(one(transport, "createTask", sleepCreateRequest(1, "no-such-type")));
    expect(error).toMatchObject({ code: 5, message: expect.stringMatching(/^Cannot find connector for task category: no-such-type_v0\. Task categories served: echo_v0, sleep_v0, .*\.$/) });
  });
});

describe("serverless offline, HTTP routing", () => {
  it("answers 404 with the contract's error body for an unknown route", async () => {
    const response = await fetch(`${running().httpUrl}/api/v1/no-such-route`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 5, message: expect.any(String), details: [] });
  });

  it("answers 405 for a known path with the wrong method", async () => {
    const response = await fetch(`${running().httpUrl}/api/v1/agents`, { method: "PUT" });
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ message: expect.any(String), details: [] });
  });
});

describe("serverless offline, Lambda Invoke", () => {
  it("answers a malformed envelope with INVALID_ARGUMENT, not a crash", async () => {
    const answer = await lambda!.send(
      new InvokeCommand({ FunctionName: running().functionName("getTask"), Payload: new TextEncoder().encode('{"body": 42}') }),
    );
    expect(answer.FunctionError).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(answer.Payload))).toEqual({
      error: { code: 3, status: "INVALID_ARGUMENT", message: expect.any(String) },
    });
  });
});

// After the suites above: serverless offline is up (file-level beforeAll) and its functions warm.
describeGrpcFront("Lambda (serverless offline)", () => startLambdaFront(running().lambdaEndpoint));
