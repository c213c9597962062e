import { once } from "node:events";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { httpBridge, type HttpResult } from "../../lib/local/http-bridge.js";

/** What the scripted handler saw, and what it answers next. */
let seen: { event: APIGatewayProxyEventV2; deadline: number }[] = [];
let answer: (event: APIGatewayProxyEventV2) => Promise<HttpResult>;
const logged: unknown[][] = [];

let server: Server;
let base: string;

beforeAll(async () => {
  const listener = httpBridge(
    (event, deadline) => {
      seen.push({ event, deadline });
      return answer(event);
    },
    { maxBodyBytes: 1024, timeoutMs: 5000, logger: { error: (...args) => logged.push(args) } },
  );
  server = createServer(listener).listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  seen = [];
  logged.length = 0;
  answer = async () => ({ statusCode: 204 });
});

function only(): { event: APIGatewayProxyEventV2; deadline: number } {
  expect(seen).toHaveLength(1);
  return seen[0]!;
}

test("a request becomes a payload 2.0 event of API Gateway's $default route", async () => {
  const started = Date.now();
  await fetch(`${base}/api/v1/agent/task/logs/sleep/0/abc%3D?lines=3&queries=a&queries=b`, {
    headers: { "X-Custom": "One", "User-Agent": "test-agent", Cookie: "a=1; b=2" },
  });
  const { event, deadline } = only();
  expect(event).toMatchObject({
    version: "2.0",
    routeKey: "$default",
    rawPath: "/api/v1/agent/task/logs/sleep/0/abc%3D",
    rawQueryString: "lines=3&queries=a&queries=b",
    queryStringParameters: { lines: "3", queries: "a,b" },
    cookies: ["a=1", "b=2"],
    isBase64Encoded: false,
    requestContext: {
      routeKey: "$default",
      stage: "$default",
      http: { method: "GET", path: "/api/v1/agent/task/logs/sleep/0/abc%3D", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test-agent" },
    },
  });
  expect(event.headers["x-custom"]).toBe("One");
  expect(event.headers.cookie).toBeUndefined();
  expect(event.body).toBeUndefined();
  expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  expect(event.requestContext.timeEpoch).toBeGreaterThanOrEqual(started);
  expect(deadline - event.requestContext.timeEpoch).toBeGreaterThanOrEqual(4990);
  expect(deadline - event.requestContext.timeEpoch).toBeLessThanOrEqual(5010);
});

test("a request without a query has no queryStringParameters and an empty rawQueryString", async () => {
  await fetch(`${base}/api/v1/agents`);
  const { event } = only();
  expect(event.rawQueryString).toBe("");
  expect(event.queryStringParameters).toBeUndefined();
});

test("repeated headers are joined with commas, as API Gateway does", async () => {
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(`${base}/x`, { headers: { "x-many": ["1", "2"] } }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    req.end();
  });
  expect(only().event.headers["x-many"]).toBe("1,2");
});

test("a JSON body arrives as text", async () => {
  await fetch(`${base}/api/v1/agent/task`, { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body: '{"a":"é"}' });
  const { event } = only();
  expect(event.isBase64Encoded).toBe(false);
  expect(event.body).toBe('{"a":"é"}');
  expect(event.requestContext.http.method).toBe("POST");
});

test.each([
  ["application/x-protobuf", Uint8Array.of(0x0a, 0x02, 0xff, 0x00)],
  ["application/octet-stream", Uint8Array.of(1, 2, 3)],
  // Declared JSON that is not UTF-8 cannot travel as text.
  ["application/json", Uint8Array.of(0xc3, 0x28)],
])("a %s body that is binary arrives base64-encoded", async (contentType, bytes) => {
  await fetch(`${base}/api/v1/agent/task`, { method: "POST", headers: { "content-type": contentType }, body: bytes });
  const { event } = only();
  expect(event.isBase64Encoded).toBe(true);
  expect([...Buffer.from(event.body ?? "", "base64")]).toEqual([...bytes]);
});

test("the result becomes the response: status, headers, cookies, base64 body decoded", async () => {
  answer = async () => ({
    statusCode: 201,
    headers: { "content-type": "application/x-protobuf", "x-count": 2 },
    multiValueHeaders: { "x-multi": ["a", "b"] },
    cookies: ["session=1"],
    body: Buffer.from([0, 1, 254, 255]).toString("base64"),
    isBase64Encoded: true,
  });
  const response = await fetch(`${base}/anything`);
  expect(response.status).toBe(201);
  expect(response.headers.get("content-type")).toBe("application/x-protobuf");
  expect(response.headers.get("x-count")).toBe("2");
  expect(response.headers.get("x-multi")).toBe("a, b");
  expect(response.headers.get("set-cookie")).toBe("session=1");
  expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0, 1, 254, 255]);
});

test("a result without a status is 200 with its text body", async () => {
  answer = async () => ({ body: '{"ok":true}' });
  const response = await fetch(`${base}/anything`);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('{"ok":true}');
});

test("a body larger than the limit is 413 with the contract's error body, and never reaches the handler", async () => {
  const response = await fetch(`${base}/api/v1/agent/task`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: new Uint8Array(1025),
  });
  expect(response.status).toBe(413);
  expect(await response.json()).toEqual({ code: 8, message: "Request body is larger than 1024 bytes.", details: [] });
  expect(seen).toEqual([]);
});

test("a chunked body that grows past the limit is 413 too", async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${base}/api/v1/agent/task`, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.write(new Uint8Array(800));
    req.write(new Uint8Array(800));
    req.end();
  });
  expect(status).toBe(413);
  expect(seen).toEqual([]);
});

test("a body of exactly the limit is accepted", async () => {
  await fetch(`${base}/api/v1/agent/task`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(1024) });
  expect(Buffer.from(only().event.body ?? "", "base64").length).toBe(1024);
});

test("a handler that throws is 500 with a generic message; the log gets the error", async () => {
  const bug = new Error("stack and secrets");
  answer = async () => {
    throw bug;
  };
  const response = await fetch(`${base}/api/v1/agents`);
  expect(response.status).toBe(500);
  expect(await response.json()).toEqual({ code: 13, message: "Internal error in the connector service.", details: [] });
  expect(logged).toHaveLength(1);
  expect(logged[0]?.[1]).toBe(bug);
});
