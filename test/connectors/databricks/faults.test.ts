/**
 * Databricks failing as platforms do (throttling, 5xx, a slow or garbled answer, a dropped
 * connection), through the service: transient faults are retried inside the call where a retry
 * is safe, and a platform that stays down answers UNAVAILABLE before the caller's deadline.
 */
import { describe, expect, test, vi } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { attempt, flytekitCustom, INSTANCE, newClusterConf, template } from "./plugin-templates.js";
import { useDatabricks } from "./harness.js";

const h = useDatabricks();
const databricks = { name: "databricks", version: 0 };
const custom = () => flytekitCustom({ databricksConf: newClusterConf(), databricksInstance: INSTANCE });

async function runningTask(): Promise<Uint8Array> {
  const { resourceMeta } = await h.service.createTask({ template: template("databricks", custom()), taskExecutionMetadata: attempt(0) });
  h.fake.setState(h.fake.lastRun().runId, { life_cycle_state: "RUNNING", state_message: "In run" });
  h.fake.calls.length = 0;
  return resourceMeta;
}

describe("get", () => {
  test.each([
    ["429 with Retry-After", { status: 429, retryAfter: 0 }],
    ["500", { status: 500 }],
    ["503", { status: 503 }],
    ["a malformed JSON answer", { malformed: true }],
    ["a dropped connection", { reset: true }],
  ])("%s is retried inside the call", async (_, fault) => {
    const resourceMeta = await runningTask();
    h.fake.fault({ route: "runs/get", ...fault });
    const { resource } = await h.service.getTask({ taskCategory: databricks, resourceMeta });
    expect(resource?.phase).toBe(Phase.RUNNING);
    expect(resource?.message).toBe("In run");
    expect(h.fake.callsTo("runs/get")).toHaveLength(2);
  });

  test("a platform that stays at 5xx answers UNAVAILABLE before the caller's deadline, after retrying", async () => {
    const resourceMeta = await runningTask();
    h.fake.fault({ route: "runs/get", status: 503, times: Infinity });
    const deadline = Date.now() + 1500;
    await expect(h.service.getTask({ taskCategory: databricks, resourceMeta }, { deadline })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
      message: expect.stringMatching(/^Databricks could not get run \d+: HTTP 503: INTERNAL_ERROR: injected fault 503 \(after \d+ attempts\)$/),
    });
    expect(h.fake.callsTo("runs/get").length).toBeGreaterThan(1);
  });

  test("a platform that stays garbled answers UNAVAILABLE", async () => {
    const resourceMeta = await runningTask();
    h.fake.fault({ route: "runs/get", malformed: true, times: Infinity });
    await expect(h.service.getTask({ taskCategory: databricks, resourceMeta }, { deadline: Date.now() + 2000 })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
      message: expect.stringContaining("answered 200 with a body that is not JSON"),
    });
  });

  test("a slow answer within the deadline is waited for; one past it is UNAVAILABLE, answered in time", async () => {
    const resourceMeta = await runningTask();
    h.fake.fault({ route: "runs/get", delayMs: 300 });
    const { resource } = await h.service.getTask({ taskCategory: databricks, resourceMeta }, { deadline: Date.now() + 5000 });
    expect(resource?.phase).toBe(Phase.RUNNING);
    h.fake.fault({ route: "runs/get", delayMs: 3000 });
    await expect(h.service.getTask({ taskCategory: databricks, resourceMeta }, { deadline: Date.now() + 800 })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
      message: expect.stringMatching(/^Databricks could not get run \d+: no answer within \d+ ms$/),
    });
  });
});

describe("create", () => {
  test("a submit with an idempotency token is retried on 429 and 5xx: one run", async () => {
    h.fake.fault({ route: "runs/submit", status: 429, retryAfter: 0 }).fault({ route: "runs/submit", status: 502 });
    await h.service.createTask({ template: template("spark", custom()), taskExecutionMetadata: attempt(0) });
    expect(h.fake.callsTo("runs/submit").map((call) => call.status)).toEqual([429, 502, 200]);
    expect(h.fake.runs.size).toBe(1);
  });

  test("a submit without one (no execution metadata) is never sent twice: UNAVAILABLE", async () => {
    h.fake.fault({ route: "runs/submit", status: 503 });
    await expect(h.service.createTask({ template: template("spark", custom()) })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    expect(h.fake.callsTo("runs/submit")).toHaveLength(1);
  });

  test("an answer lost after Databricks accepted the run: CreateTask again for the attempt finds that run", async () => {
    h.fake.fault({ route: "runs/submit", delayMs: 1500 });
    const request = { template: template("spark", custom()), taskExecutionMetadata: attempt(3) };
    await expect(h.service.createTask(request, { deadline: Date.now() + 700 })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    await vi.waitFor(() => expect(h.fake.runs.size).toBe(1), { timeout: 5000 });
    const { resourceMeta } = await h.service.createTask(request);
    expect(new TextDecoder().decode(resourceMeta)).toContain(`"run_id": "${h.fake.lastRun().runId}"`);
    expect(h.fake.runs.size).toBe(1);
  });

  test("a submit answered without a run_id is UNAVAILABLE", async () => {
    h.fake.fault({ route: "runs/submit", status: 200, body: { run: 1 } });
    await expect(h.service.createTask({ template: template("spark", custom()), taskExecutionMetadata: attempt(0) })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
      message: "Databricks accepted the run but answered no run_id.",
    });
  });
});

describe("delete", () => {
  test("a cancel is retried on 5xx (cancelling twice is harmless)", async () => {
    const resourceMeta = await runningTask();
    h.fake.fault({ route: "runs/cancel", status: 500 });
    await h.service.deleteTask({ taskCategory: databricks, resourceMeta });
    expect(h.fake.callsTo("runs/cancel").map((call) => call.status)).toEqual([500, 200]);
  });
});
