/** What the HTTP transport puts on the wire, and how it reads failures. */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createHttpDispatch } from "../../lib/client/http-transport.js";
import { AsyncConnectorBase, type TaskParams } from "../../lib/connector/connector.js";
import { Status } from "../../lib/connector/errors.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { flyteidl } from "../../lib/idl/index.js";
import type { LocalStack } from "../../lib/local/local-stack.js";
import { freePort } from "../support/serverless-offline.js";
import { CountdownConnector, CountdownMeta, ShoutConnector, StallConnector } from "./fixtures/test-connectors.js";
import { startTestStack } from "./support/local-stack.js";
import { rejection } from "../support/rejection.js";

const { admin } = flyteidl;

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

/** A plain HTTP server that records each request and answers what the test says. */
let server: Server;
let baseUrl: string;
let received: Received[] = [];
let reply: { status: number; type: string; body: Uint8Array | string } = { status: 200, type: "application/x-protobuf", body: "" };

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks) });
    response.writeHead(reply.status, { "content-type": reply.type });
    response.end(reply.body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  received = [];
  reply = { status: 200, type: "application/x-protobuf", body: "" };
});


describe("requests", () => {
  test("GET routes carry the category and the meta (base64url, padded) in the path, the rest as query parameters", async () => {
    reply.body = admin.GetTaskMetricsResponse.encode({}).finish();
    const meta = new Uint8Array([0xfb, 0xff, 0xfe, 0x01]); // base64 "+//+AQ==", base64url "-__-AQ=="
    await createHttpDispatch({ baseUrl: `${baseUrl}/prod/` })("getTaskMetrics", [
      {
        taskCategory: { name: "countdown", version: 2 },
        taskType: "countdown",
        resourceMeta: meta,
        queries: ["cpu", "memory"],
        startTime: { seconds: 0 },
        endTime: { seconds: 90, nanos: 500_000_000 },
        step: { seconds: 30 },
      },
    ]);
    const [request] = received;
    expect(request?.method).toBe("GET");
    const url = new URL(request!.url, baseUrl);
    expect(url.pathname).toBe("/prod/api/v1/agent/task/metrics/countdown/2/-__-AQ%3D%3D");
    expect([...url.searchParams]).toEqual([
      ["task_type", "countdown"],
      ["queries", "cpu"],
      ["queries", "memory"],
      ["start_time", "1970-01-01T00:00:00Z"],
      ["end_time", "1970-01-01T00:01:30.500Z"],
      ["step", "30s"],
    ]);
    expect(request?.headers.accept).toBe("application/x-protobuf");
    expect(request?.body.length).toBe(0);
    // No deadline given, none sent.
    expect(request?.headers).not.toHaveProperty("grpc-timeout");
  });

  test("a deadline goes as grpc-timeout, the milliseconds left", async () => {
    reply.body = admin.ListAgentsResponse.encode({}).finish();
    await createHttpDispatch({ baseUrl })("listAgents", [{}], { deadline: Date.now() + 5_000 });
    const [, ms] = /^(\d+)m$/.exec(String(received[0]?.headers["grpc-timeout"])) ?? [];
    expect(Number(ms)).toBeGreaterThan(4_000);
    expect(Number(ms)).toBeLessThanOrEqual(5_000);
  });

  test("a base URL that already ends with the routes' /api/v1 does not get it twice (an API Gateway would answer 404)", async () => {
    reply.body = admin.ListAgentsResponse.encode({}).finish();
    await createHttpDispatch({ baseUrl: `${baseUrl}/prod/api/v1/` })("listAgents", [{}]);
    reply.body = admin.CreateTaskResponse.encode({}).finish();
    await createHttpDispatch({ baseUrl: `${baseUrl}/api/v1` })("createTask", [{ template: { type: "echo" } }]);
    expect(received.map((request) => new URL(request.url, baseUrl).pathname)).toEqual(["/prod/api/v1/agents", "/api/v1/agent/task"]);
  });

  test("an unset version is 0 in the path, and DELETE goes to task_executions", async () => {
    reply.body = admin.DeleteTaskResponse.encode({}).finish();
    await createHttpDispatch({ baseUrl })("deleteTask", [{ taskCategory: { name: "countdown" }, resourceMeta: new Uint8Array([1]) }]);
    expect(received[0]).toMatchObject({ method: "DELETE", url: "/api/v1/agent/task_executions/countdown/0/AQ%3D%3D" });
  });

  test("POST sends the request as binary protobuf; a stream as length-delimited messages", async () => {
    reply.body = admin.ExecuteTaskSyncResponse.encode({}).finish();
    reply.body = Buffer.concat([Buffer.from([reply.body.length]), reply.body]);
    const header = { header: { template: { type: "shout" } } };
    const inputs = { inputs: { literals: {} } };
    await createHttpDispatch({ baseUrl })("executeTaskSync", [header, inputs]);
    const [request] = received;
    expect(request).toMatchObject({ method: "POST", url: "/api/v1/agent/task/stream" });
    expect(request?.headers["content-type"]).toBe("application/octet-stream");
    const reader = request!.body;
    const first = admin.ExecuteTaskSyncRequest.decode(reader.subarray(1, 1 + reader[0]!));
    expect(first.header?.template?.type).toBe("shout");
  });

  test("with format json, bodies are proto3 JSON and JSON is asked for", async () => {
    reply = { status: 200, type: "application/json", body: JSON.stringify({ resourceMeta: "AQ==" }) };
    const [response] = await createHttpDispatch({ baseUrl, format: "json" })("createTask", [
      { template: { type: "countdown", taskTypeVersion: 1 }, outputPrefix: "s3://b" },
    ]);
    expect(JSON.parse(received[0]!.body.toString())).toEqual({ template: { type: "countdown", taskTypeVersion: 1 }, outputPrefix: "s3://b" });
    expect(received[0]?.headers).toMatchObject({ accept: "application/json", "content-type": "application/json" });
    expect([...(response as flyteidl.admin.CreateTaskResponse).resourceMeta]).toEqual([1]);
  });
});

describe("answers", () => {
  test("a JSON answer from a service on a newer flyteidl: the fields this one lacks are skipped", async () => {
    const agent = { name: "Sleep Connector", isSync: false, supportedTaskCategories: [{ name: "sleep", version: 0 }], deploymentTier: "ONE", tier: { x: 1 } };
    reply = { status: 200, type: "application/json", body: JSON.stringify({ agents: [agent], nextToken: "t" }) };
    const [answer] = (await createHttpDispatch({ baseUrl, format: "json" })("listAgents", [{}])) as flyteidl.admin.ListAgentsResponse[];
    expect(answer!.agents.map((a) => [a.name, a.supportedTaskCategories?.[0]?.name])).toEqual([["Sleep Connector", "sleep"]]);
  });
});

describe("failures", () => {
  test("our routes' {code, message} body is the error as the service gave it", async () => {
    reply = { status: 404, type: "application/json", body: JSON.stringify({ code: 5, message: "Cannot find connector for name: x.", details: [] }) };
    const error = await rejection(createHttpDispatch({ baseUrl })("getAgent", [{ name: "x" }]));
    expect(error).toMatchObject({ code: Status.NOT_FOUND, message: "Cannot find connector for name: x." });
  });

  test.each([
    [403, JSON.stringify({ message: "Forbidden" }), Status.PERMISSION_DENIED, "HTTP 403 Forbidden: Forbidden"],
    [429, JSON.stringify({ message: "Too Many Requests" }), Status.RESOURCE_EXHAUSTED, "HTTP 429 Too Many Requests: Too Many Requests"],
    [504, JSON.stringify({ message: "Endpoint request timed out" }), Status.DEADLINE_EXCEEDED, "HTTP 504 Gateway Timeout: Endpoint request timed out"],
    [502, "<html>bad gateway</html>", Status.UNAVAILABLE, "HTTP 502 Bad Gateway"],
    [418, "", Status.UNKNOWN, "HTTP 418 I'm a Teapot"],
  ])("API Gateway's own %i answer maps to the nearest status", async (status, body, code, message) => {
    reply = { status, type: "application/json", body };
    const error = await rejection(createHttpDispatch({ baseUrl, retry: { attempts: 1 } })("listAgents", [{}]));
    expect(error).toMatchObject({ code, message });
  });

  test("a connection refused is UNAVAILABLE, and idempotent calls are retried before giving up", async () => {
    const port = await freePort();
    const error = await rejection(createHttpDispatch({ baseUrl: `http://127.0.0.1:${port}`, retry: { baseDelayMs: 1 } })("listAgents", [{}]));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toBe(`Cannot reach http://127.0.0.1:${port}/api/v1/agents: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  test("a body that does not decode is INTERNAL", async () => {
    reply.body = Buffer.from([0xff, 0xff, 0xff]);
    const error = await rejection(createHttpDispatch({ baseUrl })("listAgents", [{}]));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toMatch(/^Unreadable flyteidl.admin.ListAgentsResponse answer/);
  });

  test("a server slower than the deadline is DEADLINE_EXCEEDED", async () => {
    const slow = createServer(() => undefined); // never answers
    slow.listen(0, "127.0.0.1");
    await once(slow, "listening");
    try {
      const url = `http://127.0.0.1:${(slow.address() as { port: number }).port}`;
      const error = await rejection(createHttpDispatch({ baseUrl: url })("listAgents", [{}], { deadline: Date.now() + 100 }));
      expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});

describe("SigV4 signing", () => {
  const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" };

  test("signs for execute-api in the region, over the path, query and body that arrive", async () => {
    reply.body = admin.GetTaskResponse.encode({}).finish();
    await createHttpDispatch({ baseUrl, sign: { region: "eu-west-1", credentials } })("getTask", [
      { taskCategory: { name: "countdown" }, resourceMeta: new Uint8Array([1, 2]), outputPrefix: "s3://b/p" },
    ]);
    const [request] = received;
    const authorization = request!.headers.authorization!;
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /);
    expect(request!.headers["x-amz-security-token"]).toBe("token");

    // Signing what the server received, at the same time, must give the same signature.
    const url = new URL(request!.url, baseUrl);
    const signer = new SignatureV4({ service: "execute-api", region: "eu-west-1", credentials, sha256: Hash.bind(null, "sha256") });
    const amzDate = request!.headers["x-amz-date"] as string;
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(";");
    const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(request!.headers[name])]));
    const expected = await signer.sign(
      {
        method: request!.method,
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: request!.body.length > 0 ? request!.body : undefined,
      },
      { signingDate },
    );
    expect(authorization).toBe(expected.headers.authorization);
    expect(signedHeaders).toContain("host");
  });

  test("credentials that cannot be had are UNAUTHENTICATED, naming the request, and nothing is sent", async () => {
    const missing = async () => {
      throw Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
    };
    const error = await rejection(createHttpDispatch({ baseUrl, sign: { region: "eu-west-1", credentials: missing } })("listAgents", [{}]));
    expect(error.code).toBe(Status.UNAUTHENTICATED);
    expect(error.message).toBe(`Cannot sign the request to ${baseUrl}/api/v1/agents: Could not load credentials from any providers`);
    expect(received).toEqual([]);
  });
});

describe("against the local stack", () => {
  let stack: LocalStack;
  const stall = new StallConnector();
  beforeAll(async () => {
    stack = await startTestStack(new ConnectorRegistry().register(new CountdownConnector()).register(new ShoutConnector()).register(stall));
  });

  test("the caller's deadline goes as grpc-timeout: the functions stop the work there and answer, before the client gives up", async () => {
    const error = await rejection(
      createHttpDispatch({ baseUrl: stack.httpUrl! })("executeTaskSync", [{ header: { template: { type: "stall" } } }, { inputs: {} }], {
        deadline: Date.now() + 1_000,
      }),
    );
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    // The function's own answer (504 with its message), not the transport's "did not answer before the deadline".
    expect(error.message).toMatch(/no answer within \d+ ms/);
    expect(stall.abortedAfterMs).toBeDefined();
  });
  afterAll(() => stack.close());

  test("a base URL with a stage path still reaches the routes", async () => {
    const [response] = await createHttpDispatch({ baseUrl: `${stack.httpUrl}/prod` })("listAgents", [{}]);
    expect((response as flyteidl.admin.ListAgentsResponse).agents).toHaveLength(3);
  });

  test("getTaskLogs reads the delimited stream in both formats", async () => {
    for (const format of ["protobuf", "json"] as const) {
      const dispatch = createHttpDispatch({ baseUrl: stack.httpUrl!, format });
      const [created] = await dispatch("createTask", [{ template: { type: "countdown" } }]);
      const { resourceMeta } = created as flyteidl.admin.CreateTaskResponse;
      const messages = (await dispatch("getTaskLogs", [{ taskCategory: { name: "countdown" }, resourceMeta }])) as flyteidl.admin.GetTaskLogsResponse[];
      expect(messages.map((message) => (message.header ? "header" : "body"))).toEqual(["header", "body"]);
    }
  });
});

describe("a caller that goes away", () => {
  test("already gone, nothing is sent", async () => {
    const error = await rejection(createHttpDispatch({ baseUrl })("listAgents", [{}], { signal: AbortSignal.abort() }));
    expect(error.code).toBe(Status.CANCELLED);
    expect(received).toEqual([]);
  });

  test("aborts the request in flight, CANCELLED; the local stack then aborts the connector's work", async () => {
    let entered!: () => void;
    const entering = new Promise<void>((resolve) => (entered = resolve));
    let aborted!: () => void;
    const aborting = new Promise<void>((resolve) => (aborted = resolve));
    /** Creates nothing until its signal aborts. */
    class BlockingConnector extends AsyncConnectorBase<CountdownMeta> {
      constructor() {
        super({ name: "Blocking Connector", taskTypeName: "blocking", metadataType: CountdownMeta });
      }
      create({ signal }: TaskParams) {
        entered();
        return new Promise<CountdownMeta>((_, reject) =>
          signal.addEventListener("abort", () => {
            aborted();
            reject(new Error("stopped"));
          }),
        );
      }
      get(): never {
        throw new Error("not called");
      }
      delete() {}
    }
    const stack = await startTestStack(new ConnectorRegistry().register(new BlockingConnector()));
    try {
      const caller = new AbortController();
      const answer = rejection(createHttpDispatch({ baseUrl: stack.httpUrl! })("createTask", [{ template: { type: "blocking" } }], { signal: caller.signal }));
      await entering;
      caller.abort();
      const error = await answer;
      expect(error.code).toBe(Status.CANCELLED);
      expect(error.message).toBe(`The caller cancelled the call before ${stack.httpUrl}/api/v1/agent/task answered.`);
      await aborting;
    } finally {
      await stack.close();
    }
  });
});
