/**
 * A run's life through the service against the fake: every documented state as a phase, the
 * message and log link as flytekit answers them, a state not yet documented, cancel, and one
 * run per attempt.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { attempt, flytekitCustom, flyteSdkCustom, INSTANCE, newClusterConf, PAT, template } from "./plugin-templates.js";
import { useDatabricks } from "./harness.js";

const h = useDatabricks();
const databricks = { name: "databricks", version: 0 };

afterEach(() => {
  vi.restoreAllMocks();
});

async function createRun(): Promise<{ resourceMeta: Uint8Array; runId: bigint; jobId: bigint }> {
  const custom = flytekitCustom({ databricksConf: newClusterConf(), databricksInstance: INSTANCE });
  const { resourceMeta } = await h.service.createTask({ template: template("databricks", custom), taskExecutionMetadata: attempt(0) });
  const run = h.fake.lastRun();
  return { resourceMeta, runId: run.runId, jobId: run.jobId };
}

async function getTask(resourceMeta: Uint8Array) {
  const { resource } = await h.service.getTask({ taskCategory: databricks, resourceMeta });
  return resource!;
}

test("ListAgents shows one Databricks Connector for spark and databricks, as flytekit registers them", () => {
  const [agent] = h.service.listAgents().agents;
  expect(agent).toMatchObject({ name: "Databricks Connector", isSync: false, supportedTaskTypes: ["spark", "databricks"] });
});

describe("get: every documented state", () => {
  // Jobs API 2.1 RunLifeCycleState; TERMINATED is read through result_state below.
  test.each([
    ["QUEUED", "QUEUED"],
    ["PENDING", "INITIALIZING"],
    ["RUNNING", "RUNNING"],
    ["TERMINATING", "RUNNING"],
    ["BLOCKED", "QUEUED"],
    ["WAITING_FOR_RETRY", "RUNNING"],
    ["SKIPPED", "FAILED"],
    ["INTERNAL_ERROR", "RETRYABLE_FAILED"],
  ] as const)("life_cycle_state %s is %s", async (state, phase) => {
    const { resourceMeta, runId, jobId } = await createRun();
    h.fake.setState(runId, { life_cycle_state: state, state_message: `message of ${state}` });
    const resource = await getTask(resourceMeta);
    expect(resource.phase).toBe(Phase[phase]);
    expect(resource.message).toBe(`message of ${state}`);
    // flytekit connector.py:332-334.
    expect(resource.logLinks).toEqual([expect.objectContaining({ uri: `https://${INSTANCE}/#job/${jobId}/run/${runId}`, name: "Databricks Console" })]);
    expect(resource.outputs).toBeNull();
  });

  // Jobs API 2.1 RunResultState, read once the run is TERMINATED (connector.py:323-328).
  test.each([
    ["SUCCESS", "SUCCEEDED"],
    ["SUCCESS_WITH_FAILURES", "SUCCEEDED"],
    ["FAILED", "FAILED"],
    ["TIMEDOUT", "FAILED"],
    ["CANCELED", "FAILED"],
    ["MAXIMUM_CONCURRENT_RUNS_REACHED", "RETRYABLE_FAILED"],
    ["EXCLUDED", "FAILED"],
    ["UPSTREAM_FAILED", "FAILED"],
    ["UPSTREAM_CANCELED", "FAILED"],
    ["DISABLED", "FAILED"],
  ] as const)("TERMINATED with result_state %s is %s", async (result, phase) => {
    const { resourceMeta, runId } = await createRun();
    h.fake.setState(runId, { life_cycle_state: "TERMINATED", result_state: result, state_message: "" });
    const resource = await getTask(resourceMeta);
    expect(resource.phase).toBe(Phase[phase]);
    expect(resource.message).toBe("");
  });

  // Jobs API runs/get `status.termination_details` (TerminationTypeType): the platform's fault is worth another attempt,
  // and an INTERNAL_ERROR the run's own configuration caused (CLIENT_ERROR) is not.
  test.each([
    { ended: "INTERNAL_ERROR", result: undefined, code: "RESOURCE_NOT_FOUND", type: "CLIENT_ERROR", phase: "FAILED" },
    { ended: "INTERNAL_ERROR", result: undefined, code: "INTERNAL_ERROR", type: "INTERNAL_ERROR", phase: "RETRYABLE_FAILED" },
    { ended: "TERMINATED/FAILED", result: "FAILED", code: "CLOUD_FAILURE", type: "CLOUD_FAILURE", phase: "RETRYABLE_FAILED" },
    { ended: "TERMINATED/FAILED", result: "FAILED", code: "DRIVER_ERROR", type: "INTERNAL_ERROR", phase: "RETRYABLE_FAILED" },
    { ended: "SKIPPED", result: undefined, code: "INTERNAL_ERROR", type: "INTERNAL_ERROR", phase: "RETRYABLE_FAILED" },
    { ended: "TERMINATED/FAILED", result: "FAILED", code: "RUN_EXECUTION_ERROR", type: "CLIENT_ERROR", phase: "FAILED" },
    { ended: "TERMINATED/SUCCESS", result: "SUCCESS", code: "SUCCESS", type: "SUCCESS", phase: "SUCCEEDED" },
    { ended: "TERMINATED/FAILED", result: "FAILED", code: "SOMETHING_NEW", type: "SOMETHING_NEW", phase: "FAILED" },
  ] as const)("$ended with termination code $code (type $type) is $phase", async ({ ended, result, code, type, phase }) => {
    const { resourceMeta, runId } = await createRun();
    const termination_details = { code, type, message: `the run ended: ${code}` };
    const lifeCycle = ended.split("/")[0]!;
    h.fake.setState(runId, { life_cycle_state: lifeCycle, ...(result && { result_state: result }), state_message: "Cluster terminated.", termination_details });
    const resource = await getTask(resourceMeta);
    expect(resource.phase).toBe(Phase[phase]);
    expect(resource.message).toBe("Cluster terminated.");
  });

  test.each([
    ["a life cycle state", { life_cycle_state: "HIBERNATING", state_message: "zz" }, "life_cycle_state HIBERNATING", " zz"],
    ["a result state", { life_cycle_state: "TERMINATED", result_state: "PARTIALLY_DONE", state_message: "" }, "TERMINATED with result_state PARTIALLY_DONE", ""],
    ["no result state", { life_cycle_state: "TERMINATED", state_message: "" }, "TERMINATED with result_state (none)", ""],
  ])("%s not in the reference waits (RUNNING), the message names it, and the log records it", async (_, state, named, suffix) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { resourceMeta, runId } = await createRun();
    h.fake.setState(runId, state);
    const resource = await getTask(resourceMeta);
    expect(resource.phase).toBe(Phase.RUNNING);
    expect(resource.message).toBe(`Databricks run ${runId} is in ${named}, a state this connector does not know; waiting for one it knows.${suffix}`);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(warn.mock.calls[0]![0]))).toEqual({
      level: "WARN",
      message: "Databricks run in a state this connector does not know",
      platform: "Databricks",
      run_id: String(runId),
      state: named,
    });
  });

  test("a run that no longer exists is a FAILED task with Databricks' message", async () => {
    const meta = new TextEncoder().encode(`{"databricks_instance": "${INSTANCE}", "run_id": "42"}`);
    const resource = await getTask(meta);
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe("Databricks could not get run 42: HTTP 400: INVALID_PARAMETER_VALUE: Run 42 does not exist.");
  });

  test("a flyte-sdk task is followed the same way (task type databricks, Flyte 2 connection)", async () => {
    const options = h.connection({ databricks_token: PAT });
    const custom = flyteSdkCustom({ databricksConf: newClusterConf(), databricksInstance: INSTANCE, databricksToken: "PAT" });
    const { resourceMeta } = await h.service.createTask({ template: template("databricks", custom), taskExecutionMetadata: attempt(0) }, options);
    const run = h.fake.lastRun();
    h.fake.setState(run.runId, { life_cycle_state: "TERMINATED", result_state: "SUCCESS", state_message: "" });
    const { resource } = await h.service.getTask({ taskCategory: databricks, resourceMeta }, options);
    expect(resource?.phase).toBe(Phase.SUCCEEDED);
  });
});

test("run and job ids past 2^53 stay exact through create, get and delete (int64, as Python's json.loads reads them)", async () => {
  // 2^53 + 1: JSON.parse would read it as 2^53, another run's id.
  h.fake.nextRunId = 9_007_199_254_740_993n;
  const { resourceMeta, runId, jobId } = await createRun();
  expect(runId).toBe(9_007_199_254_740_993n);
  expect(new TextDecoder().decode(resourceMeta)).toBe(`{"databricks_instance": "${INSTANCE}", "run_id": "9007199254740993"}`);
  h.fake.setState(runId, { life_cycle_state: "RUNNING", state_message: "" });
  const resource = await getTask(resourceMeta);
  expect(resource.phase).toBe(Phase.RUNNING);
  expect(h.fake.callsTo("runs/get").map((call) => call.query.get("run_id"))).toEqual(["9007199254740993"]);
  expect(resource.logLinks?.[0]?.uri).toBe(`https://${INSTANCE}/#job/${jobId}/run/9007199254740993`);
  expect(jobId).toBe(9_007_199_254_741_993n);
  await h.service.deleteTask({ taskCategory: databricks, resourceMeta });
  expect(h.fake.runs.get(runId)?.state.result_state).toBe("CANCELED");
});

describe("delete cancels, idempotently", () => {
  test("a running run is cancelled; cancelling it again, once terminated, succeeds", async () => {
    const { resourceMeta, runId } = await createRun();
    h.fake.setState(runId, { life_cycle_state: "RUNNING", state_message: "" });
    await h.service.deleteTask({ taskCategory: databricks, resourceMeta });
    expect(h.fake.runs.get(runId)?.state.result_state).toBe("CANCELED");
    await h.service.deleteTask({ taskCategory: databricks, resourceMeta });
    const cancels = h.fake.callsTo("POST /api/2.1/jobs/runs/cancel");
    expect(cancels.map((call) => [call.status, call.json])).toEqual([
      [200, { run_id: String(runId) }],
      [200, { run_id: String(runId) }],
    ]);
  });

  test("a run Databricks no longer knows is cancelled enough", async () => {
    const meta = new TextEncoder().encode(`{"databricks_instance": "${INSTANCE}", "run_id": "7"}`);
    await h.service.deleteTask({ taskCategory: databricks, resourceMeta: meta });
    expect(h.fake.callsTo("runs/cancel").map((call) => call.status)).toEqual([400]);
  });

  test("a 404 RESOURCE_DOES_NOT_EXIST is cancelled enough; a 404 of no such endpoint says nothing of the run and fails the call", async () => {
    const { resourceMeta } = await createRun();
    h.fake.fault({ route: "runs/cancel", status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run 1 does not exist." } });
    await h.service.deleteTask({ taskCategory: databricks, resourceMeta });
    h.fake.fault({ route: "runs/cancel", status: 404, body: { error_code: "ENDPOINT_NOT_FOUND", message: "No API found for 'POST /jobs/runs/cancel'" } });
    await expect(h.service.deleteTask({ taskCategory: databricks, resourceMeta })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      message: expect.stringContaining("ENDPOINT_NOT_FOUND: No API found for 'POST /jobs/runs/cancel'"),
    });
  });

  test("a cancel Databricks refuses for another reason fails the call", async () => {
    const { resourceMeta } = await createRun();
    h.fake.fault({ route: "runs/cancel", status: 403, body: { error_code: "PERMISSION_DENIED", message: "User cannot cancel this run." } });
    await expect(h.service.deleteTask({ taskCategory: databricks, resourceMeta })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      message: expect.stringContaining("PERMISSION_DENIED: User cannot cancel this run."),
    });
  });
});

describe("one run per attempt (runs/submit idempotency_token)", () => {
  const custom = () => flytekitCustom({ databricksConf: newClusterConf(), databricksInstance: INSTANCE });

  test("CreateTask twice for the same attempt starts one run; a new attempt starts a new one", async () => {
    const first = await h.service.createTask({ template: template("spark", custom()), taskExecutionMetadata: attempt(0) });
    const again = await h.service.createTask({ template: template("spark", custom()), taskExecutionMetadata: attempt(0) });
    expect(again.resourceMeta).toEqual(first.resourceMeta);
    expect(h.fake.runs.size).toBe(1);
    const retried = await h.service.createTask({ template: template("spark", custom()), taskExecutionMetadata: attempt(1) });
    expect(retried.resourceMeta).not.toEqual(first.resourceMeta);
    expect(h.fake.runs.size).toBe(2);
    const tokens = h.fake.callsTo("runs/submit").map((call) => (call.json as { idempotency_token: string }).idempotency_token);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
    for (const token of tokens) expect(token.length).toBeLessThanOrEqual(64);
  });

  test("another execution of the same task gets a run of its own", async () => {
    await h.service.createTask({ template: template("spark", custom()), taskExecutionMetadata: attempt(0, "aaaa") });
    await h.service.createTask({ template: template("spark", custom()), taskExecutionMetadata: attempt(0, "bbbb") });
    expect(h.fake.runs.size).toBe(2);
  });

  test("without execution metadata there is no token: each CreateTask starts a run", async () => {
    await h.service.createTask({ template: template("spark", custom()) });
    await h.service.createTask({ template: template("spark", custom()) });
    expect(h.fake.runs.size).toBe(2);
    expect(h.fake.callsTo("runs/submit").map((call) => Object.hasOwn(call.json as object, "idempotency_token"))).toEqual([false, false]);
  });

  test("a token the task sets in databricks_conf is kept, as the Python connectors pass it on", async () => {
    const conf = { ...newClusterConf(), idempotency_token: "mine" };
    await h.service.createTask({ template: template("spark", flytekitCustom({ databricksConf: conf, databricksInstance: INSTANCE })), taskExecutionMetadata: attempt(0) });
    expect((h.fake.lastRun().spec as { idempotency_token: string }).idempotency_token).toBe("mine");
  });

  // databricks_conf={"idempotency_token": None} (flytekit task.py:304, models.py:181-182: the Struct keeps the null) or "": no token to Databricks.
  test.each([null, ""])("a task's idempotency_token of %j is none: the attempt's token is sent, and a second CreateTask finds the run", async (own) => {
    const conf = { ...newClusterConf(), idempotency_token: own };
    const request = { template: template("spark", flytekitCustom({ databricksConf: conf, databricksInstance: INSTANCE })), taskExecutionMetadata: attempt(0) };
    await h.service.createTask(request);
    await h.service.createTask(request);
    expect(h.fake.runs.size).toBe(1);
    expect((h.fake.lastRun().spec as { idempotency_token: string }).idempotency_token).toMatch(/^flyte-/);
  });
});
