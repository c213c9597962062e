/** The adapter end to end: API Gateway events through a real ConnectorService and small connectors. */
import fc from "fast-check";
import Long from "long";
import { describe, expect, test, vi } from "vitest";
import { Status, statusName, type StatusCode } from "../../../lib/connector/errors.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { fromJson, toJson } from "../../../lib/idl/json-mapping.js";
import { operations, type Dispatch, type OperationName } from "../../../lib/service/operations.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { INTERNAL_MESSAGE } from "../../../lib/transport/envelope.js";
import { decodeDelimited, encodeDelimited } from "../../../lib/transport/http/delimited.js";
import { handleHttpEvent, type HttpResponse } from "../../../lib/transport/http/index.js";
import { FailMeta, JOB_ID, JobConnector, jobMetaBytes, testService } from "./connectors.js";
import { fixture, httpApiEvent, payloadVersions, type RequestSpec } from "./events.js";

const JSON_TYPE = "application/json";
const PROTOBUF = "application/x-protobuf";
const OCTETS = "application/octet-stream";

const metaUrl = Buffer.from(jobMetaBytes()).toString("base64url");
const metaStandard = Buffer.from(jobMetaBytes()).toString("base64");

/** The messages of an answer as proto3 JSON, whichever encoding it came in. */
function answer(name: OperationName, response: HttpResponse): unknown {
  const operation = operations[name];
  const type = response.headers["Content-Type"];
  if (type === JSON_TYPE) {
    expect(response.isBase64Encoded).toBe(false);
    return JSON.parse(response.body);
  }
  expect(response.isBase64Encoded).toBe(true);
  const bytes = Buffer.from(response.body, "base64");
  const { responseType, responseTypeName } = operation;
  if (!operation.responseStream) return toJson(responseTypeName, responseType.decode(bytes));
  return decodeDelimited(responseType, responseTypeName, bytes).map((message) => toJson(responseTypeName, message));
}

function errorBody(response: HttpResponse) {
  expect(response.headers["Content-Type"]).toBe(JSON_TYPE);
  expect(response.isBase64Encoded).toBe(false);
  return JSON.parse(response.body) as { code: number; message: string; details: unknown[] };
}

interface RouteCase {
  readonly name: OperationName;
  readonly method: string;
  readonly path: string;
  readonly query?: readonly (readonly [string, string])[];
  /** The request as proto3 JSON: a message, or an array of them for a stream. */
  readonly request?: unknown;
  readonly expected: unknown;
  /** What the connector must have been asked. */
  readonly check?: (job: JobConnector) => void;
}

const createRequest = {
  template: { type: "job", custom: { query: "SELECT 1" } },
  outputPrefix: "s3://bucket/run-1",
  inputs: { literals: { x: { scalar: { primitive: { integer: "7" } } } } },
};
const echoStream = [
  { header: { template: { type: "echo" }, outputPrefix: "s3://bucket/run-2" } },
  { inputs: { literals: { greeting: { scalar: { primitive: { stringValue: "hello" } } } } } },
];
const jobAgent = {
  name: "Job Connector",
  supportedTaskTypes: ["job", "job"],
  isSync: false,
  supportedTaskCategories: [{ name: "job", version: 0 }, { name: "job", version: 3 }],
};

const routeCases: readonly RouteCase[] = [
  {
    name: "createTask",
    method: "POST",
    path: "/api/v1/agent/task",
    request: createRequest,
    expected: { resourceMeta: metaStandard },
    check: (job) => {
      expect(job.seen.create?.outputPrefix).toBe("s3://bucket/run-1");
      expect(job.seen.create?.taskTemplate.custom?.fields?.query?.stringValue).toBe("SELECT 1");
      expect(Long.fromValue(job.seen.create!.inputs!.literals!.x!.scalar!.primitive!.integer!).toNumber()).toBe(7);
    },
  },
  {
    name: "getTask",
    method: "GET",
    path: `/api/v1/agent/task/job/0/${metaUrl}`,
    query: [["output_prefix", "s3://bucket/run-1"]],
    expected: { resource: { phase: "RUNNING", message: `job ${JOB_ID}`, customInfo: { job: JOB_ID, attempt: 1 } } },
    check: (job) => {
      expect(job.seen.get?.meta.job_id).toBe(JOB_ID);
      expect(job.seen.get?.params.outputPrefix).toBe("s3://bucket/run-1");
      expect(String(job.seen.get?.params.taskCategory)).toBe("job_v0");
    },
  },
  {
    name: "deleteTask",
    method: "DELETE",
    path: `/api/v1/agent/task_executions/job/0/${metaUrl}`,
    expected: {},
    check: (job) => expect(job.seen.deleted).toEqual([JOB_ID]),
  },
  {
    name: "getTaskMetrics",
    method: "GET",
    path: `/api/v1/agent/task/metrics/job/0/${metaUrl}`,
    query: [
      ["queries", "cpu"],
      ["queries", "memory"],
      ["start_time", "2024-05-01T12:00:00Z"],
      ["end_time", "2024-05-01T13:00:00.5Z"],
      ["step", "30s"],
    ],
    expected: { results: [{ metric: "cpu", data: { peak: 0.5 } }] },
    check: (job) => {
      const { queries, startTime, endTime, step } = job.seen.metrics!;
      expect({ queries, startTime, endTime, step }).toEqual({
        queries: ["cpu", "memory"],
        startTime: new Date("2024-05-01T12:00:00Z"),
        endTime: new Date("2024-05-01T13:00:00.500Z"),
        step: 30,
      });
    },
  },
  {
    name: "getTaskLogs",
    method: "GET",
    path: `/api/v1/agent/task/logs/job/0/${metaUrl}`,
    query: [["lines", "2"], ["token", "page-1"]],
    expected: [{ header: { token: "page-2" } }, { body: { results: ["line 1", "line 2"] } }],
    check: (job) => expect({ lines: job.seen.logs?.lines, token: job.seen.logs?.token }).toEqual({ lines: 2, token: "page-1" }),
  },
  {
    name: "executeTaskSync",
    method: "POST",
    path: "/api/v1/agent/task/stream",
    request: echoStream,
    expected: [{ header: { resource: { phase: "SUCCEEDED", message: "", outputs: echoStream[1]!.inputs } } }],
  },
  {
    name: "getAgent",
    method: "GET",
    path: "/api/v1/agent/Job%20Connector",
    expected: { agent: jobAgent },
  },
  {
    name: "listAgents",
    method: "GET",
    path: "/api/v1/agents",
    expected: {
      agents: [
        jobAgent,
        { name: "Echo Connector", supportedTaskTypes: ["echo"], isSync: true, supportedTaskCategories: [{ name: "echo", version: 0 }] },
        { name: "Failing Connector", supportedTaskTypes: ["failing"], isSync: false, supportedTaskCategories: [{ name: "failing", version: 0 }] },
        { name: "Hanging Connector", supportedTaskTypes: ["hanging"], isSync: false, supportedTaskCategories: [{ name: "hanging", version: 0 }] },
      ],
    },
  },
];

/** The request of a body route in one encoding. */
function bodyOf(routeCase: RouteCase, type: string, base64: boolean): Pick<RequestSpec, "body" | "base64" | "headers"> {
  const operation = operations[routeCase.name];
  if (type === JSON_TYPE) return { body: JSON.stringify(routeCase.request), base64, headers: { "Content-Type": type } };
  const { requestType, requestTypeName } = operation;
  const bytes = operation.requestStream
    ? encodeDelimited(requestType, (routeCase.request as unknown[]).map((json) => fromJson(requestTypeName, json)))
    : requestType.encode(fromJson(requestTypeName, routeCase.request)).finish();
  return { body: bytes, headers: { "Content-Type": type } };
}

describe.each(payloadVersions)("%s, every route", (_, eventOf) => {
  const bodyRoutes = routeCases.filter((routeCase) => routeCase.request !== undefined);
  const paramRoutes = routeCases.filter((routeCase) => routeCase.request === undefined);

  describe.each(bodyRoutes.map((routeCase) => [routeCase.name, routeCase] as const))("%s", (_, routeCase) => {
    test.each([
      ["JSON", JSON_TYPE, false],
      ["base64-encoded JSON", JSON_TYPE, true],
      ["application/x-protobuf (base64)", PROTOBUF, true],
      ["application/octet-stream (base64)", OCTETS, true],
    ] as const)("from %s answers in the same type by default", async (_, type, base64) => {
      const { service, job } = testService();
      const spec = { method: routeCase.method, path: routeCase.path, ...bodyOf(routeCase, type, base64) };
      const response = await handleHttpEvent(eventOf(spec), service.dispatch);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers["Content-Type"]).toBe(type);
      expect(answer(routeCase.name, response)).toEqual(routeCase.expected);
      routeCase.check?.(job);
    });

    test.each([
      [JSON_TYPE, PROTOBUF],
      [PROTOBUF, JSON_TYPE],
      [OCTETS, PROTOBUF],
    ])("from %s answers %s when Accept asks", async (requestType, accept) => {
      const { service } = testService();
      const { headers, ...body } = bodyOf(routeCase, requestType, false);
      const spec = { method: routeCase.method, path: routeCase.path, ...body, headers: { ...headers, Accept: accept } };
      const response = await handleHttpEvent(eventOf(spec), service.dispatch);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers["Content-Type"]).toBe(accept);
      expect(answer(routeCase.name, response)).toEqual(routeCase.expected);
    });
  });

  describe.each(paramRoutes.map((routeCase) => [routeCase.name, routeCase] as const))("%s", (_, routeCase) => {
    test.each([
      ["no Accept", undefined, JSON_TYPE],
      ["*/*", "*/*", JSON_TYPE],
      [JSON_TYPE, JSON_TYPE, JSON_TYPE],
      [PROTOBUF, PROTOBUF, PROTOBUF],
      [OCTETS, OCTETS, OCTETS],
      ["protobuf preferred by q", `${JSON_TYPE};q=0.5, ${PROTOBUF}`, PROTOBUF],
    ])("with %s answers %s", async (_, accept, type) => {
      const { service, job } = testService();
      const headers: Record<string, string> = accept === undefined ? {} : { Accept: accept };
      const spec = { method: routeCase.method, path: routeCase.path, query: routeCase.query, headers };
      const response = await handleHttpEvent(eventOf(spec), service.dispatch);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers["Content-Type"]).toBe(type);
      expect(answer(routeCase.name, response)).toEqual(routeCase.expected);
      routeCase.check?.(job);
    });
  });

  test("the category version in the path picks the connector", async () => {
    const { service, job, jobV3 } = testService();
    const response = await handleHttpEvent(eventOf({ method: "GET", path: `/api/v1/agent/task/job/3/${metaUrl}` }), service.dispatch);
    expect(response.statusCode).toBe(200);
    expect(job.seen.get).toBeUndefined();
    expect(String(jobV3.seen.get?.params.taskCategory)).toBe("job_v3");
  });
});

describe("the fixtures as API Gateway sends them", () => {
  test("HTTP API GET metrics: repeats from rawQueryString, times and step converted", async () => {
    const { service, job } = testService();
    const response = await handleHttpEvent(fixture("http-api-v2-get-metrics"), service.dispatch);
    expect(response.statusCode).toBe(200);
    expect(answer("getTaskMetrics", response)).toEqual({ results: [{ metric: "cpu", data: { peak: 0.5 } }] });
    expect(job.seen.metrics?.queries).toEqual(["cpu", "memory"]);
    expect(job.seen.metrics?.startTime).toEqual(new Date("2024-05-01T12:00:00Z"));
    expect(job.seen.metrics?.endTime).toEqual(new Date("2024-05-01T13:00:00.500Z"));
    expect(job.seen.metrics?.step).toBe(30);
  });

  test("HTTP API POST JSON with a charset: createTask answers JSON", async () => {
    const { service, job } = testService();
    const response = await handleHttpEvent(fixture("http-api-v2-post-json"), service.dispatch);
    expect(response).toMatchObject({ statusCode: 200, headers: { "Content-Type": JSON_TYPE }, isBase64Encoded: false });
    expect(JSON.parse(response.body)).toEqual({ resourceMeta: metaStandard });
    expect(job.seen.create?.outputPrefix).toBe("s3://my-bucket/metadata/run-1");
  });

  test("HTTP API POST length-delimited protobuf, base64: executeTaskSync answers length-delimited protobuf", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(fixture("http-api-v2-post-stream-protobuf-base64"), service.dispatch);
    expect(response).toMatchObject({ statusCode: 200, headers: { "Content-Type": PROTOBUF }, isBase64Encoded: true });
    expect(answer("executeTaskSync", response)).toEqual([
      { header: { resource: { phase: "SUCCEEDED", message: "", outputs: { literals: { greeting: { scalar: { primitive: { stringValue: "hello" } } } } } } } },
    ]);
  });

  test("HTTP API on a named stage: the stage in rawPath is passed over", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(fixture("http-api-v2-named-stage"), service.dispatch);
    expect(response.statusCode).toBe(200);
    expect((answer("listAgents", response) as { agents: unknown[] }).agents).toHaveLength(4);
  });

  test("REST API GET logs: percent-encoded standard base64 meta, query from multiValueQueryStringParameters", async () => {
    const { service, job } = testService();
    const response = await handleHttpEvent(fixture("rest-api-v1-get-logs"), service.dispatch);
    expect(response.statusCode).toBe(200);
    expect(answer("getTaskLogs", response)).toEqual([{ header: { token: "page-2" } }, { body: { results: ["line 1", "line 2"] } }]);
    expect(job.seen.logs).toMatchObject({ lines: 2, token: "page-1" });
  });

  test("REST API POST JSON: createTask", async () => {
    const { service, job } = testService();
    const response = await handleHttpEvent(fixture("rest-api-v1-post-json"), service.dispatch);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ resourceMeta: metaStandard });
    expect(job.seen.create?.taskTemplate.type).toBe("job");
  });

  test("REST API POST octet-stream, base64: answers octet-stream", async () => {
    const { service, job } = testService();
    const response = await handleHttpEvent(fixture("rest-api-v1-post-octet-base64"), service.dispatch);
    expect(response).toMatchObject({ statusCode: 200, headers: { "Content-Type": OCTETS }, isBase64Encoded: true });
    expect(answer("createTask", response)).toEqual({ resourceMeta: metaStandard });
    expect(job.seen.create?.outputPrefix).toBe("s3://my-bucket/metadata/run-1");
  });

  test("REST API on a custom domain with a base path: DELETE", async () => {
    const { service, job } = testService();
    const response = await handleHttpEvent(fixture("rest-api-v1-custom-domain-delete"), service.dispatch);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({});
    expect(job.seen.deleted).toEqual([JOB_ID]);
  });
});

describe.each(payloadVersions)("%s, failures", (_, eventOf) => {
  const failingPath = (code: number) =>
    `/api/v1/agent/task/failing/0/${Buffer.from(new FailMeta({ code }).encode()).toString("base64url")}`;

  test.each([
    [Status.CANCELLED, 499],
    [Status.UNKNOWN, 500],
    [Status.INVALID_ARGUMENT, 400],
    [Status.DEADLINE_EXCEEDED, 504],
    [Status.NOT_FOUND, 404],
    [Status.ALREADY_EXISTS, 409],
    [Status.PERMISSION_DENIED, 403],
    [Status.RESOURCE_EXHAUSTED, 429],
    [Status.FAILED_PRECONDITION, 400],
    [Status.ABORTED, 409],
    [Status.OUT_OF_RANGE, 400],
    [Status.UNIMPLEMENTED, 501],
    [Status.INTERNAL, 500],
    [Status.UNAVAILABLE, 503],
    [Status.DATA_LOSS, 500],
    [Status.UNAUTHENTICATED, 401],
  ] as [StatusCode, number][])("a connector failing with code %i is HTTP %i", async (code, httpStatus) => {
    const { service } = testService();
    const response = await handleHttpEvent(eventOf({ method: "GET", path: failingPath(code) }), service.dispatch);
    expect(response.statusCode).toBe(httpStatus);
    expect(errorBody(response)).toEqual({ code, message: `failed on purpose with code ${code}`, details: [] });
    expect(statusName(code)).not.toBe("OK");
  });

  test("a connector throwing a plain error is 500 INTERNAL with flytekit's message", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(eventOf({ method: "GET", path: failingPath(0) }), service.dispatch);
    expect(response.statusCode).toBe(500);
    expect(errorBody(response)).toEqual({ code: Status.INTERNAL, message: "failed to get failing task with error: boom", details: [] });
  });

  test.each([
    ["no connector for the category", "GET", `/api/v1/agent/task/nope/0/${metaUrl}`, undefined, 404, Status.NOT_FOUND, "Cannot find connector for task category: nope_v0."],
    ["no connector of that name", "GET", "/api/v1/agent/Nope", undefined, 404, Status.NOT_FOUND, "Cannot find connector for name: Nope."],
    ["metrics of a connector without them", "GET", `/api/v1/agent/task/metrics/failing/0/${metaUrl}`, undefined, 501, Status.UNIMPLEMENTED, "Connector for task category failing_v0 does not provide metrics."],
    ["a meta the connector cannot decode", "GET", `/api/v1/agent/task/job/0/${Buffer.from("not json").toString("base64url")}`, undefined, 400, Status.INVALID_ARGUMENT, /^Cannot decode resource meta for task category job_v0: /],
    ["executeTaskSync on an async connector", "POST", "/api/v1/agent/task/stream", JSON.stringify([{ header: { template: { type: "job" } } }]), 400, Status.INVALID_ARGUMENT, "Connector for task category job_v0 is asynchronous: use CreateTask and GetTask."],
    ["executeTaskSync without a header", "POST", "/api/v1/agent/task/stream", JSON.stringify([echoStream[1]]), 400, Status.INVALID_ARGUMENT, "ExecuteTaskSync expects a header message first."],
    ["createTask without a template", "POST", "/api/v1/agent/task", "{}", 400, Status.INVALID_ARGUMENT, "CreateTaskRequest has no task template."],
  ])("%s is %i", async (_, method, path, body, httpStatus, code, message) => {
    const { service } = testService();
    const response = await handleHttpEvent(eventOf({ method, path, body }), service.dispatch);
    expect(response.statusCode).toBe(httpStatus);
    const error = errorBody(response);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.details).toEqual([]);
  });

  test("a connector that does not answer before the deadline is 504 DEADLINE_EXCEEDED", async () => {
    const { service } = testService();
    const event = eventOf({ method: "GET", path: `/api/v1/agent/task/hanging/0/${metaUrl}` });
    const response = await handleHttpEvent(event, service.dispatch, { deadline: Date.now() + 150 });
    expect(response.statusCode).toBe(504);
    expect(errorBody(response).code).toBe(Status.DEADLINE_EXCEEDED);
  });

  test("an unknown route is 404 with the error body", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(eventOf({ method: "GET", path: "/api/v2/agents" }), service.dispatch);
    expect(response.statusCode).toBe(404);
    expect(errorBody(response)).toEqual({ code: Status.NOT_FOUND, message: "No route for GET /api/v2/agents.", details: [] });
  });

  test("a known path with the wrong method is 405 with Allow", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(eventOf({ method: "POST", path: "/api/v1/agents", body: "{}" }), service.dispatch);
    expect(response.statusCode).toBe(405);
    expect(response.headers.Allow).toBe("GET");
    expect(errorBody(response)).toEqual({
      code: Status.UNIMPLEMENTED,
      message: "Method POST is not allowed for /api/v1/agents; allowed: GET.",
      details: [],
    });
  });

  test("415 and 406 are answered before the connector is called", async () => {
    const { service, job } = testService();
    const body = JSON.stringify(createRequest);
    const unsupported = await handleHttpEvent(
      eventOf({ method: "POST", path: "/api/v1/agent/task", body, headers: { "Content-Type": "application/xml" } }),
      service.dispatch,
    );
    expect(unsupported.statusCode).toBe(415);
    expect(errorBody(unsupported).code).toBe(Status.INVALID_ARGUMENT);
    const unacceptable = await handleHttpEvent(
      eventOf({ method: "POST", path: "/api/v1/agent/task", body, headers: { Accept: "text/html" } }),
      service.dispatch,
    );
    expect(unacceptable.statusCode).toBe(406);
    expect(errorBody(unacceptable).code).toBe(Status.INVALID_ARGUMENT);
    expect(job.seen.create).toBeUndefined();
  });

  test("errors are JSON even when Accept asks for protobuf only", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(eventOf({ method: "GET", path: "/api/v1/agent/Nope", headers: { Accept: PROTOBUF } }), service.dispatch);
    expect(response.statusCode).toBe(404);
    expect(errorBody(response).message).toBe("Cannot find connector for name: Nope.");
  });

  test("anything else thrown is 500 INTERNAL with a generic message, the error going to onInternalError", async () => {
    const bug = new TypeError("cannot read properties of undefined (reading 'x')");
    const dispatch: Dispatch = () => Promise.reject(bug);
    const onInternalError = vi.fn();
    const response = await handleHttpEvent(eventOf({ method: "GET", path: "/api/v1/agents" }), dispatch, {}, onInternalError);
    expect(response.statusCode).toBe(500);
    expect(errorBody(response)).toEqual({ code: Status.INTERNAL, message: INTERNAL_MESSAGE, details: [] });
    expect(response.body).not.toContain("TypeError");
    expect(response.body).not.toContain("reading");
    expect(onInternalError).toHaveBeenCalledWith(bug);
  });

  test("a unary operation answering no message is an internal error, not an empty 200", async () => {
    const dispatch: Dispatch = async () => [];
    const onInternalError = vi.fn();
    const response = await handleHttpEvent(eventOf({ method: "GET", path: "/api/v1/agents" }), dispatch, {}, onInternalError);
    expect(response.statusCode).toBe(500);
    expect(onInternalError.mock.calls[0]![0]).toEqual(new Error("listAgents answered 0 messages instead of one"));
  });
});

describe.each(payloadVersions)("%s, the caller's grpc-timeout header", (_, eventOf) => {
  /** The service behind a dispatch that records the deadline each call got. */
  function recording() {
    const { service } = testService();
    const deadlines: (number | undefined)[] = [];
    const dispatch: Dispatch = (name, requests, options) => {
      deadlines.push(options?.deadline);
      return service.dispatch(name, requests, options);
    };
    return { dispatch, deadlines };
  }
  const listAgents = (headers?: Record<string, string>) => eventOf({ method: "GET", path: "/api/v1/agents", ...(headers && { headers }) });

  test("shortens the function's own deadline to the caller's, as grpc-gateway sets its context's", async () => {
    const { dispatch, deadlines } = recording();
    const own = Date.now() + 60_000;
    const before = Date.now();
    expect((await handleHttpEvent(listAgents({ "Grpc-Timeout": "1500m" }), dispatch, { deadline: own })).statusCode).toBe(200);
    expect(deadlines[0]).toBeGreaterThanOrEqual(before + 1500);
    expect(deadlines[0]).toBeLessThanOrEqual(Date.now() + 1500);
    // A caller with more time than the function leaves the function's own.
    await handleHttpEvent(listAgents({ "grpc-timeout": "2H" }), dispatch, { deadline: own });
    // None given, or a zero timeout (grpc-gateway's "none"), the function's own.
    await handleHttpEvent(listAgents(), dispatch, { deadline: own });
    await handleHttpEvent(listAgents({ "grpc-timeout": "0m" }), dispatch, { deadline: own });
    expect(deadlines.slice(1)).toEqual([own, own, own]);
  });

  test("ends a connector's work at the caller's deadline; a negative one has already passed: 504 DEADLINE_EXCEEDED", async () => {
    const { service } = testService();
    const getTask = (name: string, timeout: string) =>
      handleHttpEvent(eventOf({ method: "GET", path: `/api/v1/agent/task/${name}/0/${metaUrl}`, headers: { "grpc-timeout": timeout } }), service.dispatch, {
        deadline: Date.now() + 60_000,
      });
    const started = Date.now();
    const hung = await getTask("hanging", "400m");
    expect(hung.statusCode).toBe(504);
    expect(Date.now() - started).toBeLessThan(30_000);
    const late = await getTask("job", "-1S");
    expect(late.statusCode).toBe(504);
    expect(errorBody(late).message).toMatch(/no time left before the deadline/);
  });

  test("a malformed one is 400 INVALID_ARGUMENT, as grpc-gateway answers it, and nothing runs", async () => {
    const { dispatch, deadlines } = recording();
    const response = await handleHttpEvent(listAgents({ "grpc-timeout": "1.5S" }), dispatch);
    expect(response.statusCode).toBe(400);
    expect(errorBody(response)).toEqual({ code: Status.INVALID_ARGUMENT, message: "invalid grpc-timeout: 1.5S", details: [] });
    expect(deadlines).toEqual([]);
  });
});

describe("the result fits both payload versions' result types", () => {
  test("statusCode, headers, body and isBase64Encoded", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(fixture("http-api-v2-named-stage"), service.dispatch);
    const v1: import("aws-lambda").APIGatewayProxyResult = response;
    const v2: import("aws-lambda").APIGatewayProxyStructuredResultV2 = response;
    expect(Object.keys(v1).sort()).toEqual(["body", "headers", "isBase64Encoded", "statusCode"]);
    expect(v2.statusCode).toBe(200);
  });
});

describe("an answer Lambda cannot carry", () => {
  // One input of 1.6 MB of quotes: its protobuf is under the request limit, its JSON answer
  // escapes each quote, and the Lambda result escapes that body again: 4 bytes a quote.
  const quotes = '"'.repeat(1_600_000);
  const stream = [{ header: { template: { type: "echo" } } }, { inputs: { literals: { q: { scalar: { primitive: { stringValue: quotes } } } } } }];
  const body = encodeDelimited(operations.executeTaskSync.requestType, stream.map((message) => fromJson("flyteidl.admin.ExecuteTaskSyncRequest", message)));
  const event = (accept: string) => httpApiEvent({ method: "POST", path: "/api/v1/agent/task/stream", headers: { "Content-Type": PROTOBUF, Accept: accept }, body });

  test("is RESOURCE_EXHAUSTED naming the limit, not a result Lambda drops", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(event(JSON_TYPE), service.dispatch);
    expect(response.statusCode).toBe(429);
    const error = errorBody(response);
    expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(error.message).toMatch(/^The answer takes \d+ bytes, more than Lambda's 6291456 byte payload limit \(binary protobuf, Accept: application\/x-protobuf, is smaller than JSON\); a task's large outputs go by reference/);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(2048);
  });

  test("the same answer in binary protobuf fits, and is answered", async () => {
    const { service } = testService();
    const response = await handleHttpEvent(event(PROTOBUF), service.dispatch);
    expect(response.statusCode).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(6 * 1024 * 1024);
  });
});

describe("bad input never crashes", () => {
  // Only a connector that cannot fail on its own, so every failure is the caller's: a 4xx.
  const service = new ConnectorService(new ConnectorRegistry().register(new JobConnector()));
  const segment = fc.oneof(
    fc.constantFrom("job", "0", "3", "-1", "", metaUrl, metaStandard, encodeURIComponent(metaStandard), "%", "%zz", "__proto__"),
    fc.string(),
  );
  const path = fc.oneof(
    fc.constantFrom(...Object.values(operations).map((operation) => operation.http.path)).chain((template) =>
      fc.tuple(...template.split("/").map((part) => (part.startsWith("{") ? segment : fc.constant(part)))).map((parts) => parts.join("/")),
    ),
    fc.string().map((text) => `/${text}`),
  );
  const name = fc.oneof(
    fc.constantFrom("lines", "token", "queries", "start_time", "step", "task_type", "output_prefix", "task_category.name", "taskCategory", "__proto__", "constructor"),
    fc.string(),
  );
  const body = fc.oneof(
    fc.string(),
    fc.json(),
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom('{"__proto__": {"x": 1}}', '{"template": {"type": "job"}}', '[{"header": {}}]', "[[[[[[", "null"),
  );
  const headerValue = fc.oneof(
    fc.constantFrom(JSON_TYPE, PROTOBUF, OCTETS, "text/plain", "*/*", "application/*;q=0", "garbage", ";;;", "application/json;q=2"),
    fc.string(),
  );
  const spec = fc.record({
    method: fc.constantFrom("GET", "POST", "DELETE", "PUT", "OPTIONS", "get"),
    path,
    query: fc.array(fc.tuple(name, fc.string()), { maxLength: 4 }),
    headers: fc.record({ "Content-Type": headerValue, Accept: headerValue }, { requiredKeys: [] }),
    body: fc.option(body, { nil: undefined }),
    base64: fc.boolean(),
  });

  test.each(payloadVersions)("%s: every event ends in a readable answer below 500", async (_, eventOf) => {
    await fc.assert(
      fc.asyncProperty(spec, async (request) => {
        const response = await handleHttpEvent(eventOf(request as RequestSpec), service.dispatch);
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode >= 400) {
          const error = errorBody(response);
          expect(error.message.length).toBeGreaterThan(0);
          expect(error.details).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
