/** What the adapter decodes from an event, seen through a Dispatch that records its calls. */
import Long from "long";
import { describe, expect, test } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { fromJson, toJson } from "../../../lib/idl/json-mapping.js";
import { operations, type Dispatch, type OperationName } from "../../../lib/service/operations.js";
import { encodeDelimited } from "../../../lib/transport/http/delimited.js";
import { handleHttpEvent } from "../../../lib/transport/http/index.js";
import { jobMetaBytes } from "./connectors.js";
import { payloadVersions, type RequestSpec } from "./events.js";

const { admin } = flyteidl;

function recorder() {
  const calls: { name: OperationName; requests: object[] }[] = [];
  const dispatch: Dispatch = async (name, requests) => {
    calls.push({ name, requests: [...requests] });
    const operation = operations[name];
    return operation.responseStream ? [] : [new operation.responseType()];
  };
  return { calls, dispatch };
}

const meta = jobMetaBytes();
const standard = Buffer.from(meta).toString("base64");
const urlSafe = Buffer.from(meta).toString("base64url");

describe.each(payloadVersions)("%s", (_, eventOf) => {
  /** The one request message the adapter dispatched, as JSON, for an event that must succeed. */
  async function decoded(spec: RequestSpec, name?: OperationName): Promise<unknown> {
    const { calls, dispatch } = recorder();
    const response = await handleHttpEvent(eventOf(spec), dispatch);
    expect(response.statusCode, response.body).toBe(200);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    if (name) expect(call!.name).toBe(name);
    const operation = operations[call!.name];
    return call!.requests.map((request) => toJson(operation.requestTypeName, request));
  }

  async function refused(spec: RequestSpec): Promise<{ statusCode: number; message: string }> {
    const { calls, dispatch } = recorder();
    const response = await handleHttpEvent(eventOf(spec), dispatch);
    expect(calls).toEqual([]);
    const body = JSON.parse(response.body) as { code: number; message: string; details: unknown[] };
    expect(body.details).toEqual([]);
    return { statusCode: response.statusCode, message: body.message };
  }

  describe("path parameters", () => {
    test("set task_category and resource_meta by their field paths", async () => {
      expect(await decoded({ method: "GET", path: `/api/v1/agent/task/job/3/${urlSafe}` }, "getTask")).toEqual([
        { taskCategory: { name: "job", version: 3 }, resourceMeta: standard },
      ]);
    });

    test("the agent name is percent-decoded", async () => {
      expect(await decoded({ method: "GET", path: "/api/v1/agent/Job%20Connector%2Fv2" }, "getAgent")).toEqual([
        { name: "Job Connector/v2" },
      ]);
    });

    test.each([
      ["base64url with padding", `${urlSafe.padEnd(Math.ceil(urlSafe.length / 4) * 4, "=")}`],
      ["base64url without padding", urlSafe],
      ["standard base64, percent-encoded", encodeURIComponent(standard)],
      ["standard base64 with a literal +, / percent-encoded", standard.replace(/\//g, "%2F")],
      ["standard base64 without padding, percent-encoded", encodeURIComponent(standard.replace(/=+$/, ""))],
      ["base64url, every character percent-encoded", [...urlSafe].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("")],
    ])("resource_meta as %s", async (_, segment) => {
      expect(standard).toMatch(/[+/].*[+/]/); // the encodings really differ
      const [request] = (await decoded({ method: "DELETE", path: `/api/v1/agent/task_executions/job/0/${segment}` })) as {
        resourceMeta: string;
      }[];
      expect(request!.resourceMeta).toBe(standard);
    });

    test.each([
      ["not base64", "!!!!", 'field resource_meta: expected base64 bytes, got "!!!!"'],
      ["a length no base64 has", "abcde", 'field resource_meta: expected base64 bytes, got "abcde"'],
      ["wrong padding", "YQ=", 'field resource_meta: expected base64 bytes, got "YQ="'],
    ])("a resource_meta that is %s is 400", async (_, segment, problem) => {
      const { statusCode, message } = await refused({ method: "GET", path: `/api/v1/agent/task/logs/job/0/${segment}` });
      expect(statusCode).toBe(400);
      expect(message).toContain(`Invalid flyteidl.admin.GetTaskLogsRequest ${problem}`);
    });

    test("a segment that is not valid percent-encoding is 400", async () => {
      const { statusCode, message } = await refused({ method: "GET", path: "/api/v1/agent/task/job/0/ab%zz" });
      expect(statusCode).toBe(400);
      expect(message).toBe('Path segment "ab%zz" is not valid percent-encoding.');
    });

    test("a version that is not an int32 is 400", async () => {
      const { statusCode, message } = await refused({ method: "GET", path: `/api/v1/agent/task/job/v1/${urlSafe}` });
      expect(statusCode).toBe(400);
      expect(message).toBe('Invalid flyteidl.admin.GetTaskRequest field task_category.version: expected an integer (int32), got "v1".');
    });
  });

  describe("query parameters", () => {
    const metricsPath = `/api/v1/agent/task/metrics/job/0/${urlSafe}`;

    test("getTaskMetrics: repeated queries, RFC 3339 times, a Duration step", async () => {
      const query: [string, string][] = [
        ["queries", "cpu"],
        ["queries", "sum(rate(x[5m])) by (pod, node)"],
        ["start_time", "2024-05-01T12:00:00Z"],
        ["end_time", "2024-05-01T14:00:00.5+01:00"],
        ["step", "1.5s"],
      ];
      const [request] = (await decoded({ method: "GET", path: metricsPath, query }, "getTaskMetrics")) as Record<string, unknown>[];
      expect(request).toEqual({
        taskCategory: { name: "job", version: 0 },
        resourceMeta: standard,
        queries: ["cpu", "sum(rate(x[5m])) by (pod, node)"],
        startTime: "2024-05-01T12:00:00Z",
        endTime: "2024-05-01T13:00:00.500Z",
        step: "1.5s",
      });
    });

    test("a single value of a repeated parameter is a one-element list", async () => {
      const [request] = (await decoded({ method: "GET", path: metricsPath, query: [["queries", "cpu"]] })) as { queries: string[] }[];
      expect(request!.queries).toEqual(["cpu"]);
    });

    test("getTaskLogs: lines is a number, token a string; camelCase names work too", async () => {
      const path = `/api/v1/agent/task/logs/job/0/${urlSafe}`;
      const { calls, dispatch } = recorder();
      await handleHttpEvent(eventOf({ method: "GET", path, query: [["lines", "25"], ["token", "page/2+x"]] }), dispatch);
      const request = calls[0]!.requests[0] as flyteidl.admin.GetTaskLogsRequest;
      expect(Long.fromValue(request.lines).toNumber()).toBe(25);
      expect(request.token).toBe("page/2+x");
      expect(await decoded({ method: "GET", path, query: [["taskType", "job"]] })).toEqual([
        { taskCategory: { name: "job", version: 0 }, resourceMeta: standard, taskType: "job" },
      ]);
    });

    test("getTask: output_prefix and task_type", async () => {
      const query: [string, string][] = [["output_prefix", "s3://bucket/run 1"], ["task_type", "job"]];
      expect(await decoded({ method: "GET", path: `/api/v1/agent/task/job/0/${urlSafe}`, query })).toEqual([
        { taskCategory: { name: "job", version: 0 }, resourceMeta: standard, outputPrefix: "s3://bucket/run 1", taskType: "job" },
      ]);
    });

    test("a parameter the request has no field for is skipped, as grpc-gateway skips it (runtime/query.go)", async () => {
      const path = `/api/v1/agent/task/logs/job/0/${urlSafe}`;
      expect(await decoded({ method: "GET", path, query: [["lines", "3"], ["since", "1h"], ["task_category.zone", "x"]] })).toEqual([
        { taskCategory: { name: "job", version: 0 }, resourceMeta: standard, lines: "3" },
      ]);
    });

    test("deleteTask: task_type", async () => {
      const path = `/api/v1/agent/task_executions/job/0/${urlSafe}`;
      expect(await decoded({ method: "DELETE", path, query: [["task_type", "legacy"]] })).toEqual([
        { taskCategory: { name: "job", version: 0 }, resourceMeta: standard, taskType: "legacy" },
      ]);
    });

    test.each([
      ["lines that is not a number", "logs", [["lines", "ten"]], 400, 'Invalid flyteidl.admin.GetTaskLogsRequest field lines: expected an integer (uint64), got "ten".'],
      ["a negative lines", "logs", [["lines", "-1"]], 400, "Invalid flyteidl.admin.GetTaskLogsRequest field lines: -1 is out of range for uint64."],
      ["a singular parameter twice", "logs", [["lines", "1"], ["lines", "2"]], 400, 'Query parameter "lines" is given 2 times; it takes one value.'],
      ["the same parameter in both spellings", "logs", [["task_type", "a"], ["taskType", "b"]], 400, 'Query parameter "task_type" is given 2 times; it takes one value.'],
      ["a bad start_time", "metrics", [["start_time", "yesterday"]], 400, 'Invalid flyteidl.admin.GetTaskMetricsRequest field start_time: expected an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got "yesterday".'],
      ["a bad step", "metrics", [["step", "30"]], 400, 'Invalid flyteidl.admin.GetTaskMetricsRequest field step: expected a duration within ±315576000000s such as "1.5s", got "30".'],
      ["a message", "metrics", [["start_time.seconds", "1"], ["start_time", "x"]], 400, 'Invalid flyteidl.admin.GetTaskMetricsRequest field start_time: expected an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got "x".'],
    ])("%s is %i", async (_, kind, query, status, message) => {
      const result = await refused({ method: "GET", path: `/api/v1/agent/task/${kind}/job/0/${urlSafe}`, query: query as [string, string][] });
      expect(result).toEqual({ statusCode: status, message });
    });

    test("what the path sets is not the query's to set: skipped, as grpc-gateway's generated filter skips it", async () => {
      const query: [string, string][] = [["task_category.name", "other"], ["taskCategory.version", "2"], ["task_category", "x"], ["resource_meta", "AAAA"], ["lines", "4"]];
      expect(await decoded({ method: "GET", path: `/api/v1/agent/task/logs/job/0/${urlSafe}`, query })).toEqual([
        { taskCategory: { name: "job", version: 0 }, resourceMeta: standard, lines: "4" },
      ]);
    });

    test("a body route reads no query, as grpc-gateway's body handlers do not (a field, an unknown name, a presigned URL's)", async () => {
      const query: [string, string][] = [["output_prefix", "x"], ["foo", "1"], ["X-Amz-Signature", "abc"]];
      const [request] = (await decoded({ method: "POST", path: "/api/v1/agent/task", query, body: '{"outputPrefix": "s3://b/p"}' })) as { outputPrefix: string }[];
      expect(request!.outputPrefix).toBe("s3://b/p");
    });
  });

  describe("bodies", () => {
    const createJson = { template: { type: "job", custom: { query: "SELECT 1" } }, output_prefix: "s3://x", inputs: { literals: { my_input: { scalar: { primitive: { integer: "7" } } } } } };
    const createMessage = { template: { type: "job", custom: { query: "SELECT 1" } }, outputPrefix: "s3://x", inputs: { literals: { my_input: { scalar: { primitive: { integer: "7" } } } } } };
    const createBytes = admin.CreateTaskRequest.encode(fromJson("flyteidl.admin.CreateTaskRequest", createMessage)).finish();

    test.each<[string, RequestSpec["headers"], RequestSpec["body"], boolean?]>([
      ["JSON", { "Content-Type": "application/json" }, JSON.stringify(createJson)],
      ["JSON with a charset", { "content-type": "application/json; charset=utf-8" }, JSON.stringify(createJson)],
      ["JSON without a Content-Type", {}, JSON.stringify(createJson)],
      ["base64-encoded JSON", { "Content-Type": "application/json" }, JSON.stringify(createJson), true],
      ["application/x-protobuf", { "Content-Type": "application/x-protobuf" }, createBytes],
      ["application/octet-stream", { "Content-Type": "application/octet-stream" }, createBytes],
    ])("createTask from %s", async (_, headers, body, base64) => {
      expect(await decoded({ method: "POST", path: "/api/v1/agent/task", headers, body, base64 }, "createTask")).toEqual([createMessage]);
    });

    test("a protobuf body API Gateway passed as text is read as its UTF-8 bytes", async () => {
      // createBytes holds only ASCII bytes, so its text form loses nothing.
      expect(createBytes.every((byte) => byte < 0x80)).toBe(true);
      const { calls, dispatch } = recorder();
      const headers = { "Content-Type": "application/x-protobuf" };
      const event = eventOf({ method: "POST", path: "/api/v1/agent/task", headers, body: Buffer.from(createBytes).toString("utf8") });
      await handleHttpEvent(event, dispatch);
      expect(toJson("flyteidl.admin.CreateTaskRequest", calls[0]!.requests[0]!)).toEqual(createMessage);
    });

    test("what a newer flyteidl adds is skipped, as grpc-gateway's default unmarshaler and binary protobuf skip it", async () => {
      const newer = { ...createJson, template: { ...createJson.template, reuse_policy: { replicas: 2 } }, artifact_ids: ["a"] };
      const body = JSON.stringify(newer);
      expect(await decoded({ method: "POST", path: "/api/v1/agent/task", headers: { "Content-Type": "application/json" }, body }, "createTask")).toEqual([createMessage]);
      const stream = JSON.stringify([{ header: { template: { type: "job", reuse_policy: {} } } }, { inputs: {}, context: { k: "v" } }]);
      expect(await decoded({ method: "POST", path: "/api/v1/agent/task/stream", headers: { "Content-Type": "application/json" }, body: stream })).toEqual([
        { header: { template: { type: "job" } } },
        { inputs: {} },
      ]);
    });

    test("an empty body is the empty message", async () => {
      expect(await decoded({ method: "POST", path: "/api/v1/agent/task", headers: { "Content-Type": "application/json" }, body: " " })).toEqual([{}]);
      expect(await decoded({ method: "POST", path: "/api/v1/agent/task", headers: { "Content-Type": "application/x-protobuf" }, body: new Uint8Array() })).toEqual([{}]);
    });

    test("a GET ignores any body and its Content-Type", async () => {
      const spec = { method: "GET", path: "/api/v1/agents", headers: { "Content-Type": "text/plain" }, body: "hello" };
      expect(await decoded(spec, "listAgents")).toEqual([{}]);
    });

    const header = { header: { template: { type: "echo" }, outputPrefix: "s3://x" } };
    const inputs = { inputs: { literals: { greeting: { scalar: { primitive: { stringValue: "hi" } } } } } };

    test("executeTaskSync from a JSON array", async () => {
      const body = JSON.stringify([{ header: { template: { type: "echo" }, output_prefix: "s3://x" } }, inputs]);
      expect(await decoded({ method: "POST", path: "/api/v1/agent/task/stream", body }, "executeTaskSync")).toEqual([header, inputs]);
    });

    test("executeTaskSync from length-delimited protobuf", async () => {
      const messages = [header, inputs].map((message) => fromJson<flyteidl.admin.ExecuteTaskSyncRequest>("flyteidl.admin.ExecuteTaskSyncRequest", message));
      const body = encodeDelimited(admin.ExecuteTaskSyncRequest, messages);
      const headers = { "Content-Type": "application/x-protobuf" };
      expect(await decoded({ method: "POST", path: "/api/v1/agent/task/stream", headers, body })).toEqual([header, inputs]);
    });

    test("an empty stream body is no messages", async () => {
      const { calls, dispatch } = recorder();
      await handleHttpEvent(eventOf({ method: "POST", path: "/api/v1/agent/task/stream", body: "" }), dispatch);
      expect(calls).toEqual([{ name: "executeTaskSync", requests: [] }]);
    });

    test.each<[string, Omit<RequestSpec, "method" | "path">, number, string | RegExp]>([
      ["JSON that does not parse", { headers: { "Content-Type": "application/json" }, body: "{" }, 400, /^The request body is not valid JSON: /],
      ["JSON of the wrong type", { body: '{"template": "job"}' }, 400, 'Invalid flyteidl.admin.CreateTaskRequest field template: expected an object, got "job".'],
      ["a JSON array for a unary request", { body: "[]" }, 400, "Invalid flyteidl.admin.CreateTaskRequest: expected an object, got an array."],
      ["base64 that is not base64", { headers: { "Content-Type": "application/x-protobuf" }, body: new Uint8Array([1]) }, 400, "The request body is not valid base64."],
      ["protobuf that does not decode", { headers: { "Content-Type": "application/octet-stream" }, body: new Uint8Array([0x0a, 0xff]) }, 400, /^Cannot decode flyteidl\.admin\.CreateTaskRequest: /],
      ["base64 JSON that is not UTF-8", { headers: { "Content-Type": "application/json" }, body: new Uint8Array([0x7b, 0xff, 0x7d]) }, 400, "The request body is not UTF-8 text."],
      ["an unsupported Content-Type", { headers: { "Content-Type": "text/plain" }, body: "hello" }, 415, /^Unsupported Content-Type "text\/plain"/],
    ])("createTask with %s is %i", async (_, spec, status, message) => {
      const event = eventOf({ method: "POST", path: "/api/v1/agent/task", ...spec });
      if (spec.body instanceof Uint8Array && spec.body.length === 1) event.body = "!!!"; // broken base64
      const { calls, dispatch } = recorder();
      const response = await handleHttpEvent(event, dispatch);
      expect(calls).toEqual([]);
      expect(response.statusCode).toBe(status);
      const body = JSON.parse(response.body) as { code: number; message: string };
      expect(body.code).toBe(Status.INVALID_ARGUMENT);
      expect(body.message).toMatch(message);
    });

    test.each<[string, Omit<RequestSpec, "method" | "path">, RegExp | string]>([
      ["a JSON object instead of an array", { body: JSON.stringify(header) }, "Expected a JSON array of flyteidl.admin.ExecuteTaskSyncRequest messages."],
      ["a bad message in the array", { body: JSON.stringify([header, { inputs: 5 }]) }, "Message 1 of the stream: Invalid flyteidl.admin.ExecuteTaskSyncRequest field inputs: expected an object, got 5."],
      ["a cut-off delimited message", { headers: { "Content-Type": "application/x-protobuf" }, body: new Uint8Array([5, 0x0a]) }, /^Message 0 of the flyteidl\.admin\.ExecuteTaskSyncRequest stream is cut off/],
    ])("executeTaskSync with %s is 400", async (_, spec, message) => {
      const result = await refused({ method: "POST", path: "/api/v1/agent/task/stream", ...spec });
      expect(result.statusCode).toBe(400);
      expect(result.message).toMatch(message);
    });
  });
});
