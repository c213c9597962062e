/**
 * The Lambda handler: both event shapes, the deadline from the Lambda context, a JSON log line
 * for each connector failure and an EMF metric line for each failed answer (nothing for a
 * success), all carrying the invocation's request id.
 */
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { AsyncConnectorBase, type TaskParams } from "../../../lib/connector/connector.js";
import { Status } from "../../../lib/connector/errors.js";
import { knownSecrets } from "../../../lib/connector/redact.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import type { Resource } from "../../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../../lib/connector/resource-meta.js";
import { flyteidl2 } from "../../../lib/idl/flyteidl2.js";
import { flyteidl } from "../../../lib/idl/index.js";
import type { OperationName } from "../../../lib/service/operations.js";
import type { InvokeFailure } from "../../../lib/transport/envelope.js";
import { METRICS_NAMESPACE } from "../../../lib/transport/lambda/failure-metric.js";
import { createLambdaHandler } from "../../../lib/transport/lambda/handler.js";
import { FunctionLog } from "../../../lib/transport/lambda/log.js";
import { httpApiEvent } from "../http/events.js";

const admin = flyteidl.admin;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

const JobMeta = defineResourceMeta("JobMeta", { job_id: field.string() });
type JobMeta = InstanceType<typeof JobMeta>;

/** Creates `job-1`; `get` fails with a message, `delete` outlives any deadline. */
class JobConnector extends AsyncConnectorBase<JobMeta> {
  constructor() {
    super({ name: "Job Connector", taskTypeName: "job", metadataType: JobMeta });
  }
  create(_params: TaskParams): JobMeta {
    return new JobMeta({ job_id: "job-1" });
  }
  get(): Resource {
    throw new Error("the job service is down");
  }
  delete(): Promise<void> {
    return new Promise(() => {});
  }
}

const registry = new ConnectorRegistry().register(new JobConnector());
const meta = new JobMeta({ job_id: "job-1" }).encode();

function context(requestId: string, remainingMs = 10_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "flyte-connectors-dev-op",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:flyte-connectors-dev-op",
    memoryLimitInMB: "512",
    awsRequestId: requestId,
    logGroupName: "/aws/lambda/flyte-connectors-dev-op",
    logStreamName: "test",
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let lines: Record<string, unknown>[];

beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const failureOf = (answer: unknown) => (answer as InvokeFailure).error;
const metricLines = () => lines.filter((line) => "_aws" in line);
const logLines = () => lines.filter((line) => line["level"] === "ERROR");

describe("direct invocation", () => {
  test("answers the envelope and writes nothing on success", async () => {
    const handler = createLambdaHandler("listAgents", registry);
    const answer = (await handler({ body: b64(admin.ListAgentsRequest.encode({}).finish()) }, context("r-1"))) as { body: string };
    const agents = admin.ListAgentsResponse.decode(Buffer.from(answer.body, "base64")).agents;
    expect(agents.map((agent) => agent.name)).toEqual(["Job Connector"]);
    expect(lines).toEqual([]);
  });

  test("a failure it answers writes one EMF line with the status and the request id, not the message", async () => {
    const handler = createLambdaHandler("getTask", registry);
    const request = admin.GetTaskRequest.encode({ taskCategory: { name: "nothing" }, resourceMeta: meta }).finish();
    const answer = await handler({ body: b64(request) }, context("r-2"));
    expect(failureOf(answer).status).toBe("NOT_FOUND");
    expect(metricLines()).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [["service", "operation"]], Metrics: [{ Name: "failures", Unit: "Count" }] }],
        },
        service: "flyte-connectors",
        operation: "getTask",
        failures: 1,
        status: "NOT_FOUND",
        function_request_id: "r-2",
      },
    ]);
    expect(logLines()).toEqual([]);
  });

  test("the service of log lines and metrics is POWERTOOLS_SERVICE_NAME's, or the option's", async () => {
    const request = admin.GetTaskRequest.encode({ taskCategory: { name: "job" }, resourceMeta: meta }).finish();
    vi.stubEnv("POWERTOOLS_SERVICE_NAME", "jobs-connectors");
    try {
      await createLambdaHandler("getTask", registry)({ body: b64(request) }, context("r-5"));
      await createLambdaHandler("getTask", registry, { serviceName: "other" })({ body: b64(request) }, context("r-6"));
    } finally {
      vi.unstubAllEnvs();
    }
    expect(logLines().map((line) => line["service"])).toEqual(["jobs-connectors", "other"]);
    expect(metricLines().map((line) => line["service"])).toEqual(["jobs-connectors", "other"]);
  });

  test("a connector that throws is INTERNAL to the caller and a JSON error line with its stack in the log", async () => {
    const handler = createLambdaHandler("getTask", registry);
    const request = admin.GetTaskRequest.encode({ taskCategory: { name: "job" }, resourceMeta: meta }).finish();
    const first = await handler({ body: b64(request) }, context("r-3"));
    await handler({ body: b64(request) }, context("r-4"));
    expect(failureOf(first)).toEqual({
      code: Status.INTERNAL,
      status: "INTERNAL",
      message: "failed to get job task with error: the job service is down",
    });
    const [coldLine, warmLine] = logLines();
    expect(coldLine).toMatchObject({
      level: "ERROR",
      service: "flyte-connectors",
      cold_start: true,
      function_name: "flyte-connectors-dev-op",
      function_request_id: "r-3",
      error: { name: "Error", message: "the job service is down", stack: expect.stringContaining("JobConnector.get") },
    });
    expect(warmLine).toMatchObject({ cold_start: false, function_request_id: "r-4" });
    expect(metricLines().map((line) => [line["status"], line["function_request_id"]])).toEqual([
      ["INTERNAL", "r-3"],
      ["INTERNAL", "r-4"],
    ]);
  });

  test("the log redacts every secret read so far, in the message and through the error's causes", async () => {
    const secret = "log-secret-5d0e";
    knownSecrets.addPassing(secret);
    const log = new FunctionLog("flyte-connectors");
    log.error(`request with ${secret} failed`, new Error(`bad key ${secret}`, { cause: new Error(`upstream said ${secret}`) }));
    const [line] = logLines();
    expect(JSON.stringify(line)).not.toContain(secret);
    expect(line).toMatchObject({
      message: "request with [redacted] failed",
      error: { message: "bad key [redacted]", stack: expect.stringContaining("bad key [redacted]"), cause: { message: "upstream said [redacted]" } },
    });
  });

  test("work that outlives the function's remaining time answers DEADLINE_EXCEEDED before it", async () => {
    const handler = createLambdaHandler("deleteTask", registry, { deadlineMarginMs: 50 });
    const request = admin.DeleteTaskRequest.encode({ taskCategory: { name: "job" }, resourceMeta: meta }).finish();
    const answer = await handler({ body: b64(request) }, context("r-5", 100));
    expect(failureOf(answer).status).toBe("DEADLINE_EXCEEDED");
    expect(metricLines().map((line) => line["status"])).toEqual(["DEADLINE_EXCEEDED"]);
  });
});

describe("Flyte 2 (docs/CONTRACT.md §7)", () => {
  const c2 = flyteidl2.connector;

  test("an envelope of protocol flyteidl2 is answered with Flyte 2 messages by the same function", async () => {
    const handler = createLambdaHandler("createTask", registry);
    const request = c2.CreateTaskRequest.encode({ template: { type: "job" }, connection: { secrets: { k: "v" } } }).finish();
    const answer = (await handler({ protocol: "flyteidl2", body: b64(request) }, context("r-20"))) as { body: string };
    const created = c2.CreateTaskResponse.decode(Buffer.from(answer.body, "base64"));
    expect(JobMeta.decode(created.resourceMeta).job_id).toBe("job-1");
  });

  test("ListConnectors answers v2 Connectors; ExecuteTaskSync has none over Flyte 2", async () => {
    const list = (await createLambdaHandler("listAgents", registry)({ protocol: "flyteidl2", body: "" }, context("r-21"))) as { body: string };
    expect(c2.ListConnectorsResponse.decode(Buffer.from(list.body, "base64")).connectors.map((connector) => connector.name)).toEqual(["Job Connector"]);
    const sync = await createLambdaHandler("executeTaskSync", registry)({ protocol: "flyteidl2", messages: [] }, context("r-22"));
    expect(failureOf(sync).status).toBe("UNIMPLEMENTED");
  });

  test("Flyte 2's HTTP routes are answered by the same functions", async () => {
    const handler = createLambdaHandler("listAgents", registry);
    const answer = (await handler(httpApiEvent({ method: "GET", path: "/api/v1/connectors" }), context("r-23"))) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ connectors: [{ name: "Job Connector", supportedTaskCategories: [{ name: "job", version: 0 }] }] });
  });
});

describe("API Gateway events", () => {
  /** A GET of `path` as API Gateway hands it to the function of `operation`. */
  const get = async (operation: OperationName, path: string, requestId: string) =>
    (await createLambdaHandler(operation, registry)(httpApiEvent({ method: "GET", path }), context(requestId))) as { statusCode: number; body: string };

  test("are answered by the HTTP adapter, with nothing written on success", async () => {
    const answer = await get("listAgents", "/api/v1/agents", "r-6");
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ agents: [{ name: "Job Connector" }] });
    expect(lines).toEqual([]);
  });

  test("a path that matches another operation's route reaches no connector: 404, as API Gateway did not route it there", async () => {
    const answer = await get("listAgents", "/stage/api/v1/agent/Job Connector", "r-24");
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 5, message: "No such route: getAgent is not served at this path." });
    expect((await get("listAgents", "/stage/api/v1/agents", "r-25")).statusCode).toBe(200);
  });

  test("a failure writes the EMF line with the HTTP status", async () => {
    expect((await get("getAgent", "/api/v1/agent/Nobody", "r-7")).statusCode).toBe(404);
    expect(metricLines()).toMatchObject([{ operation: "getAgent", failures: 1, http_status: 404, function_request_id: "r-7" }]);
  });
});

