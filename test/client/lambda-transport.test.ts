/** What the Lambda transport adds over the envelope: function names, Invoke failures, retries, cancels. */
import { once } from "node:events";
import { createServer } from "node:http";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, test, vi } from "vitest";
import { createLambdaDispatch, DEFAULT_FUNCTION_PREFIX } from "../../lib/client/lambda-transport.js";
import { Status } from "../../lib/connector/errors.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { flyteidl } from "../../lib/idl/index.js";
import type { OperationName } from "../../lib/service/operations.js";
import { encodeBase64 } from "../../lib/transport/codec.js";
import { freePort } from "../support/serverless-offline.js";
import { CountdownConnector, ShoutConnector, StallConnector } from "./fixtures/test-connectors.js";
import { invokeOutput, mockedLambda, TEST_CREDENTIALS } from "./support/mocked-lambda.js";
import { rejection } from "../support/rejection.js";

const { admin } = flyteidl;
const fastRetry = { baseDelayMs: 1, maxDelayMs: 2 };

function registry() {
  return new ConnectorRegistry().register(new CountdownConnector()).register(new ShoutConnector());
}

/** A client whose every Invoke answers with `answer` (or throws it). */
function answering(answer: () => unknown) {
  const client = new LambdaClient({ region: "us-east-1", credentials: TEST_CREDENTIALS });
  const mock = mockClient(client);
  mock.on(InvokeCommand).callsFake(async () => {
    const result = answer();
    if (result instanceof Error) throw result;
    return result;
  });
  return { client, mock, calls: () => mock.commandCalls(InvokeCommand).map((call) => call.args[0].input) };
}

const listAgents = new admin.ListAgentsRequest();
const getTask = new admin.GetTaskRequest({ taskCategory: { name: "countdown" }, resourceMeta: new Uint8Array([1]) });
const createTask = new admin.CreateTaskRequest({ template: { type: "countdown" } });

function awsError(name: string, message: string, fault: "client" | "server" = "client"): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: fault === "server" ? 500 : 400 } });
}


const restores: (() => void)[] = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

describe("function names", () => {
  test("default to <prefix><op> with the deployment's prefix, invoked RequestResponse with the envelope", async () => {
    const { client, mock } = mockedLambda(registry());
    restores.push(() => mock.restore());
    await createLambdaDispatch({ client })("listAgents", [listAgents]);
    const [input] = mock.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    expect(DEFAULT_FUNCTION_PREFIX).toBe("flyte-connectors-dev-");
    expect(input?.FunctionName).toBe("flyte-connectors-dev-listAgents");
    expect(input?.InvocationType).toBe("RequestResponse");
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      body: encodeBase64(admin.ListAgentsRequest.encode(listAgents).finish()),
    });
  });

  test("follow the prefix, then a naming function, then an explicit map, most specific first", async () => {
    const { client, calls, mock } = answering(() => invokeOutput(JSON.stringify({ body: "" })));
    restores.push(() => mock.restore());
    await createLambdaDispatch({ client, prefix: "prod-" })("listAgents", [listAgents]);
    const functionName = (op: OperationName) => `fn-${op}`;
    await createLambdaDispatch({ client, functionName })("getAgent", [{ name: "x" }]);
    await createLambdaDispatch({ client, functionName, functionNames: { getAgent: "arn:aws:lambda:eu-west-1:1:function:meta" } })(
      "getAgent",
      [{ name: "x" }],
    );
    expect(calls().map((input) => input.FunctionName)).toEqual([
      "prod-listAgents",
      "fn-getAgent",
      "arn:aws:lambda:eu-west-1:1:function:meta",
    ]);
  });

  test("executeTaskSync goes as a stream of messages", async () => {
    const { client, mock } = mockedLambda(registry());
    restores.push(() => mock.restore());
    const header = { template: { type: "shout" } };
    const [response] = await createLambdaDispatch({ client })("executeTaskSync", [{ header }]);
    const sent = JSON.parse(new TextDecoder().decode(mock.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array));
    expect(sent.messages).toHaveLength(1);
    expect((response as flyteidl.admin.ExecuteTaskSyncResponse).header?.resource?.message).toBe("nothing to shout");
  });
});

describe("the caller's deadline", () => {
  test("goes to the function as the time left (timeoutMs), and the function stops its work there, not at its own timeout", async () => {
    const stall = new StallConnector();
    // Functions with a minute to run: only the caller's deadline can end the call soon.
    const { client, mock } = mockedLambda(new ConnectorRegistry().register(stall), { timeoutMs: 60_000 });
    restores.push(() => mock.restore());
    const sent = Date.now();
    const error = await rejection(
      createLambdaDispatch({ client })("executeTaskSync", [{ header: { template: { type: "stall" } } }, { inputs: {} }], { deadline: sent + 1_000 }),
    );
    const payload = JSON.parse(new TextDecoder().decode(mock.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array)) as { timeoutMs: number };
    expect(payload.timeoutMs).toBeGreaterThan(900);
    expect(payload.timeoutMs).toBeLessThanOrEqual(1_000);
    // The function's own answer, a margin before the caller's deadline, not the transport giving up.
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(error.message).toMatch(/no answer within \d+ ms/);
    expect(stall.abortedAfterMs).toBeDefined();
  });

  test("none given, none sent", async () => {
    const { client, mock } = mockedLambda(registry());
    restores.push(() => mock.restore());
    await createLambdaDispatch({ client })("listAgents", [listAgents]);
    expect(JSON.parse(new TextDecoder().decode(mock.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array))).not.toHaveProperty("timeoutMs");
  });
});

describe("failures", () => {
  test("an envelope error keeps its code and message", async () => {
    const { client, mock } = answering(() =>
      invokeOutput(JSON.stringify({ error: { code: 12, status: "UNIMPLEMENTED", message: "No logs here." } })),
    );
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client })("getTask", [getTask]));
    expect(error).toMatchObject({ code: Status.UNIMPLEMENTED, message: "No logs here." });
  });

  test("a crash (FunctionError) is INTERNAL with the error's type and message, never its trace", async () => {
    const crash = { errorType: "TypeError", errorMessage: "x is undefined", trace: ["at secret (/var/task/index.mjs:1:1)"] };
    const { client, mock } = answering(() => invokeOutput(JSON.stringify(crash), "Unhandled"));
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client })("getTask", [getTask]));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toBe("Lambda function flyte-connectors-dev-getTask failed: TypeError: x is undefined");
  });

  test("a function stopped at its timeout is a crash too (docs/CONTRACT.md §2): INTERNAL, not retried", async () => {
    const report = { errorType: "Sandbox.Timedout", errorMessage: "RequestId: 1 Error: Task timed out after 3.00 seconds" };
    const { client, calls, mock } = answering(() => invokeOutput(JSON.stringify(report), "Unhandled"));
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client, retry: fastRetry })("getTask", [getTask]));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toBe("Lambda function flyte-connectors-dev-getTask failed: Sandbox.Timedout: RequestId: 1 Error: Task timed out after 3.00 seconds");
    expect(calls()).toHaveLength(1);
  });

  test("a crash without a readable report still says which function failed and how", async () => {
    const { client, mock } = answering(() => invokeOutput("", "Unhandled"));
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client })("listAgents", [listAgents]));
    expect(error).toMatchObject({ code: Status.INTERNAL, message: "Lambda function flyte-connectors-dev-listAgents failed: Unhandled" });
  });

  test.each([
    ["not JSON", "<html>", "not JSON"],
    ["no messages", JSON.stringify({ body: "not base64!" }), "not valid base64"],
    ["a bad error code", JSON.stringify({ error: { code: 99, message: "?" } }), "no valid error code"],
  ])("an unreadable answer (%s) is INTERNAL", async (_case, payload, detail) => {
    const { client, mock } = answering(() => invokeOutput(payload));
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client })("listAgents", [listAgents]));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toContain("flyte-connectors-dev-listAgents gave an unreadable answer");
    expect(error.message).toContain(detail);
  });

  test.each([
    ["TooManyRequestsException", Status.UNAVAILABLE],
    ["EC2ThrottledException", Status.UNAVAILABLE],
    ["ResourceNotFoundException", Status.NOT_FOUND],
    ["AccessDeniedException", Status.PERMISSION_DENIED],
    ["UnrecognizedClientException", Status.UNAUTHENTICATED],
    ["RequestTooLargeException", Status.INVALID_ARGUMENT],
    ["InvalidRequestContentException", Status.INTERNAL],
  ])("Invoke failing with %s is status %i", async (name, code) => {
    const { client, mock } = answering(() => awsError(name, `${name} happened`));
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client, retry: fastRetry })("createTask", [createTask]));
    expect(error).toMatchObject({
      code,
      message: `Cannot invoke Lambda function flyte-connectors-dev-createTask: ${name} happened`,
    });
  });

  test("Lambda's own server faults are UNAVAILABLE", async () => {
    const { client, mock } = answering(() => awsError("ServiceException", "Lambda is having a day", "server"));
    restores.push(() => mock.restore());
    expect((await rejection(createLambdaDispatch({ client })("createTask", [createTask]))).code).toBe(Status.UNAVAILABLE);
  });

  test("an endpoint nothing listens on is UNAVAILABLE (a real socket, no mock; credentials from the environment)", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    restores.push(() => vi.unstubAllEnvs());
    const port = await freePort();
    const dispatch = createLambdaDispatch({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", retry: fastRetry });
    const error = await rejection(dispatch("listAgents", [listAgents]));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toBe(`Cannot invoke Lambda function flyte-connectors-dev-listAgents: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  test("no region anywhere is FAILED_PRECONDITION saying where one goes, not INTERNAL (a real client, no mock)", async () => {
    for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"]) vi.stubEnv(name, undefined);
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    restores.push(() => vi.unstubAllEnvs());
    const error = await rejection(createLambdaDispatch({ retry: fastRetry })("listAgents", [listAgents]));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toBe(
      "Cannot invoke Lambda function flyte-connectors-dev-listAgents: no AWS region is set (the client's region, AWS_REGION, or a profile's).",
    );
  });

  test("a deadline already past fails DEADLINE_EXCEEDED without invoking", async () => {
    const { client, calls, mock } = answering(() => invokeOutput("{}"));
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client })("getTask", [getTask], { deadline: Date.now() - 1 }));
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(calls()).toHaveLength(0);
  });

  test("a unary operation given two requests is INVALID_ARGUMENT before any call", async () => {
    const { client, calls, mock } = answering(() => invokeOutput("{}"));
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client })("getTask", [getTask, getTask]));
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, message: "getTask takes exactly one request message, got 2." });
    expect(calls()).toHaveLength(0);
  });
});

describe("retries", () => {
  const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3002"), { code: "ECONNREFUSED" });

  test.each(["getTask", "deleteTask", "getTaskMetrics", "getTaskLogs", "getAgent", "listAgents"] as const)(
    "%s is retried on UNAVAILABLE, a bounded number of times",
    async (name) => {
      const { client, calls, mock } = answering(refused);
      restores.push(() => mock.restore());
      const error = await rejection(createLambdaDispatch({ client, retry: { ...fastRetry, attempts: 4 } })(name, [{}]));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(calls()).toHaveLength(4);
    },
  );

  test.each(["createTask", "executeTaskSync"] as const)("%s is never retried: it could start the task twice", async (name) => {
    const { client, calls, mock } = answering(refused);
    restores.push(() => mock.restore());
    await rejection(createLambdaDispatch({ client, retry: { ...fastRetry, attempts: 4 } })(name, [name === "createTask" ? createTask : { header: {} }]));
    expect(calls()).toHaveLength(1);
  });

  test("throttling is retried, and a later success is the answer", async () => {
    let count = 0;
    const ok = invokeOutput(JSON.stringify({ body: encodeBase64(admin.ListAgentsResponse.encode({ agents: [{ name: "a" }] }).finish()) }));
    const { client, calls, mock } = answering(() => (++count < 3 ? awsError("TooManyRequestsException", "Rate exceeded") : ok));
    restores.push(() => mock.restore());
    const [response] = await createLambdaDispatch({ client, retry: fastRetry })("listAgents", [listAgents]);
    expect((response as flyteidl.admin.ListAgentsResponse).agents[0]?.name).toBe("a");
    expect(calls()).toHaveLength(3);
  });

  test("an answer the function gave (NOT_FOUND) is not retried", async () => {
    const { client, calls, mock } = answering(() =>
      invokeOutput(JSON.stringify({ error: { code: 5, status: "NOT_FOUND", message: "gone" } })),
    );
    restores.push(() => mock.restore());
    await rejection(createLambdaDispatch({ client, retry: fastRetry })("getTask", [getTask]));
    expect(calls()).toHaveLength(1);
  });

  test("no retry is started that would end past the deadline", async () => {
    const { client, calls, mock } = answering(refused);
    restores.push(() => mock.restore());
    const dispatch = createLambdaDispatch({ client, retry: { attempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    // Full jitter may pick a short wait; the deadline is closer than any but a tiny one. A
    // 10 s wait started anyway would outlast this test's own timeout.
    await rejection(dispatch("getTask", [getTask], { deadline: Date.now() + 5 }));
    expect(calls().length).toBeLessThanOrEqual(2);
  });
});

describe("a caller that goes away", () => {
  /** A Lambda Invoke endpoint on a loopback port that holds every request until the caller ends it. */
  async function holdingEndpoint() {
    const invoked: string[] = [];
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    let closed!: (answered: boolean) => void;
    const closing = new Promise<boolean>((resolve) => (closed = resolve));
    const server = createServer((request, response) => {
      invoked.push(request.url ?? "");
      response.once("close", () => closed(response.writableFinished));
      arrived();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    restores.push(() => {
      server.closeAllConnections();
      server.close();
    });
    return { endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, invoked, arrival, closing };
  }

  test.each([
    ["with a deadline", Date.now() + 60_000],
    ["without one", undefined],
  ])("aborts the Invoke in flight: the request is closed unanswered, CANCELLED, not retried (%s)", async (_case, deadline) => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    restores.push(() => vi.unstubAllEnvs());
    const { endpoint, invoked, arrival, closing } = await holdingEndpoint();
    const caller = new AbortController();
    // getTask is idempotent: retried on UNAVAILABLE, which a reset socket would read as.
    const answer = rejection(
      createLambdaDispatch({ endpoint, region: "us-east-1", retry: fastRetry })("getTask", [getTask], { deadline, signal: caller.signal }),
    );
    await arrival;
    caller.abort();
    const error = await answer;
    expect(error.code).toBe(Status.CANCELLED);
    expect(error.message).toBe("The caller cancelled the call before Lambda function flyte-connectors-dev-getTask answered.");
    expect(await closing).toBe(false);
    expect(invoked).toEqual(["/2015-03-31/functions/flyte-connectors-dev-getTask/invocations"]);
  });

  test("already gone, nothing is invoked", async () => {
    const { client, calls, mock } = answering(() => invokeOutput("{}"));
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client })("getTask", [getTask], { signal: AbortSignal.abort() }));
    expect(error.code).toBe(Status.CANCELLED);
    expect(calls()).toHaveLength(0);
  });

  test("a failure that would be retried is CANCELLED and not retried when the caller went away meanwhile", async () => {
    const caller = new AbortController();
    const { client, calls, mock } = answering(() => {
      caller.abort();
      return Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    });
    restores.push(() => mock.restore());
    const error = await rejection(createLambdaDispatch({ client, retry: fastRetry })("getTask", [getTask], { signal: caller.signal }));
    expect(error.code).toBe(Status.CANCELLED);
    expect(calls()).toHaveLength(1);
  });
});
