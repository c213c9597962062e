import { describe, expect, test } from "vitest";
import { SyncConnectorBase, type TaskParams } from "../../lib/connector/connector.js";
import { Status } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { Resource } from "../../lib/connector/resource.js";
import { flyteidl } from "../../lib/idl/index.js";
import { operations, type Dispatch } from "../../lib/service/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import { handleInvocation, INTERNAL_MESSAGE, type InvokeResult } from "../../lib/transport/envelope.js";
import { StallConnector } from "../client/fixtures/test-connectors.js";

const { admin } = flyteidl;

class Echo extends SyncConnectorBase {
  constructor() {
    super({ name: "Echo", taskTypeName: "echo" });
  }
  do({ inputs }: TaskParams) {
    return new Resource({ phase: Phase.SUCCEEDED, outputs: inputs ?? {} });
  }
}

/** Answers an output of as many characters as its input `size` says. */
class Large extends SyncConnectorBase {
  constructor() {
    super({ name: "Large", taskTypeName: "large" });
  }
  do({ inputs }: TaskParams) {
    const size = Number(inputs?.literals?.["size"]?.scalar?.primitive?.integer ?? 0);
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { literals: { o0: { scalar: { primitive: { stringValue: "x".repeat(size) } } } } } });
  }
}

const service = new ConnectorService(new ConnectorRegistry().register(new Echo()));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

function errorOf(result: InvokeResult) {
  expect(result).toHaveProperty("error");
  return (result as { error: { code: number; status: string; message: string } }).error;
}

describe("unary", () => {
  test("answers the base64 response in body", async () => {
    const body = b64(admin.ListAgentsRequest.encode({}).finish());
    const result = await handleInvocation(operations.listAgents, { body }, service.dispatch);
    const response = admin.ListAgentsResponse.decode(Buffer.from((result as { body: string }).body, "base64"));
    expect(response.agents.map((a) => a.name)).toEqual(["Echo"]);
  });

  test("a failure the function understood is returned with code, status name and message", async () => {
    const body = b64(admin.GetAgentRequest.encode({ name: "nope" }).finish());
    const error = errorOf(await handleInvocation(operations.getAgent, { body }, service.dispatch));
    expect(error).toEqual({ code: Status.NOT_FOUND, status: "NOT_FOUND", message: "Cannot find connector for name: nope." });
  });

  test.each([
    ["not an object", "hello"],
    ["null", null],
    ["no body", {}],
    ["body not a string", { body: 42 }],
    ["not base64", { body: "!!!!" }],
    ["unpadded base64", { body: "CgNm" + "b28" }],
    ["url-safe base64", { body: "-_-_" }],
  ])("%s is INVALID_ARGUMENT", async (_, event) => {
    const error = errorOf(await handleInvocation(operations.getAgent, event, service.dispatch));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.status).toBe("INVALID_ARGUMENT");
  });

  test("bytes that are not the request message are INVALID_ARGUMENT naming the type", async () => {
    const error = errorOf(await handleInvocation(operations.getAgent, { body: b64(new Uint8Array([0x0a, 0xff])) }, service.dispatch));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/^Cannot decode flyteidl\.admin\.GetAgentRequest: /);
  });

  test("an unexpected failure is INTERNAL with a generic message, reported to the hook", async () => {
    const seen: unknown[] = [];
    const broken: Dispatch = async () => {
      throw new TypeError("secret detail");
    };
    const body = b64(admin.ListAgentsRequest.encode({}).finish());
    const error = errorOf(await handleInvocation(operations.listAgents, { body }, broken, {}, (e) => seen.push(e)));
    expect(error).toEqual({ code: Status.INTERNAL, status: "INTERNAL", message: INTERNAL_MESSAGE });
    expect(seen).toHaveLength(1);
  });
});

describe("streaming", () => {
  const header = admin.ExecuteTaskSyncRequest.encode({ header: { template: { type: "echo" } } }).finish();
  const inputs = admin.ExecuteTaskSyncRequest.encode({
    inputs: { literals: { a: { scalar: { primitive: { stringValue: "hi" } } } } },
  }).finish();

  test("executeTaskSync takes messages and answers messages with one header", async () => {
    const result = await handleInvocation(operations.executeTaskSync, { messages: [b64(header), b64(inputs)] }, service.dispatch);
    const messages = (result as { messages: string[] }).messages;
    expect(messages).toHaveLength(1);
    const response = admin.ExecuteTaskSyncResponse.decode(Buffer.from(messages[0]!, "base64"));
    expect(response.header?.resource?.outputs?.literals?.a?.scalar?.primitive?.stringValue).toBe("hi");
  });

  test("an answer larger than Lambda carries is RESOURCE_EXHAUSTED naming the limit; one within it is answered", async () => {
    const run = (size: number) =>
      handleInvocation(
        operations.executeTaskSync,
        {
          messages: [
            b64(admin.ExecuteTaskSyncRequest.encode({ header: { template: { type: "large" } } }).finish()),
            b64(admin.ExecuteTaskSyncRequest.encode({ inputs: { literals: { size: { scalar: { primitive: { integer: size } } } } } }).finish()),
          ],
        },
        new ConnectorService(new ConnectorRegistry().register(new Large())).dispatch,
      );
    const error = errorOf(await run(4_800_000));
    expect(error.status).toBe("RESOURCE_EXHAUSTED");
    expect(error.message).toMatch(/^The answer takes 64000\d\d bytes, more than Lambda's 6291456 byte payload limit; /);
    const fits = await run(4_600_000);
    expect(JSON.stringify(fits).length).toBeLessThan(6 * 1024 * 1024);
    expect((fits as { messages: string[] }).messages).toHaveLength(1);
  });

  test("messages that is not an array is INVALID_ARGUMENT", async () => {
    const error = errorOf(await handleInvocation(operations.executeTaskSync, { body: b64(header) }, service.dispatch));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });

  test("a bad element names its index", async () => {
    const error = errorOf(await handleInvocation(operations.executeTaskSync, { messages: [b64(header), "@@"] }, service.dispatch));
    expect(error.message).toBe("messages[1] is not valid base64.");
  });

  test("wrong message kinds are INVALID_ARGUMENT", async () => {
    const error = errorOf(await handleInvocation(operations.executeTaskSync, { messages: [b64(inputs)] }, service.dispatch));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });
});

describe("the caller's time left (timeoutMs)", () => {
  const stalled = (timeoutMs?: unknown) => {
    const stall = new StallConnector();
    const dispatch = new ConnectorService(new ConnectorRegistry().register(stall), { deadlineMarginMs: 50 }).dispatch;
    const messages = [
      admin.ExecuteTaskSyncRequest.encode({ header: { template: { type: "stall" } } }).finish(),
      admin.ExecuteTaskSyncRequest.encode({ inputs: {} }).finish(),
    ].map(b64);
    // The function's own deadline is a minute away: only the caller's can end the call soon.
    const answer = handleInvocation(operations.executeTaskSync, { messages, ...(timeoutMs !== undefined && { timeoutMs }) }, dispatch, {
      deadline: Date.now() + 60_000,
    });
    return { stall, answer };
  };

  test("ends the work at the caller's deadline (less the margin), not the function's own: its signal aborts, the answer is DEADLINE_EXCEEDED", async () => {
    const started = Date.now();
    const { stall, answer } = stalled(300);
    const error = errorOf(await answer);
    expect(error).toMatchObject({ status: "DEADLINE_EXCEEDED" });
    expect(error.message).toMatch(/no answer within 2\d\d ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect.poll(() => stall.abortedAfterMs).toBeDefined();
  });

  test("a caller with more time than the function leaves the function's own deadline in charge", async () => {
    const service = new ConnectorService(new ConnectorRegistry().register(new StallConnector()), { deadlineMarginMs: 50 });
    const messages = [
      admin.ExecuteTaskSyncRequest.encode({ header: { template: { type: "stall" } } }).finish(),
      admin.ExecuteTaskSyncRequest.encode({ inputs: {} }).finish(),
    ].map(b64);
    const error = errorOf(await handleInvocation(operations.executeTaskSync, { messages, timeoutMs: 60_000 }, service.dispatch, { deadline: Date.now() + 300 }));
    expect(error.message).toMatch(/no answer within 2\d\d ms/);
  });

  test.each([["negative", -1], ["a string", "300"], ["not finite", 1e400], ["null", null]])("%s is INVALID_ARGUMENT, before any work", async (_, timeoutMs) => {
    const { stall, answer } = stalled(timeoutMs);
    expect(errorOf(await answer)).toEqual({
      code: Status.INVALID_ARGUMENT,
      status: "INVALID_ARGUMENT",
      message: '"timeoutMs" must be the milliseconds the caller has left: a number, 0 or more.',
    });
    expect(stall.started).toBe(0);
  });
});
