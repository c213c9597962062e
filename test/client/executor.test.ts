import { describe, expect, test } from "vitest";
import { ConnectorClient } from "../../lib/client/client.js";
import { MissingOutputsError, runTask, TaskCancelledError, TaskRunFailedError, type TaskStatus } from "../../lib/client/executor.js";
import { ConnectorError, Status, UnavailableError } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { flyteidl } from "../../lib/idl/index.js";
import { toLiteralMap } from "../../lib/literals/index.js";
import type { Dispatch, OperationName } from "../../lib/service/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import { CountdownConnector, deletedTasks, ShoutConnector } from "./fixtures/test-connectors.js";

const { core, admin } = flyteidl;

/** An in-process client whose calls are recorded (and can be tampered with, as a network would). */
function recordingClient(intercept?: (name: OperationName, call: () => Promise<object[]>) => Promise<object[]>) {
  const registry = new ConnectorRegistry().register(new CountdownConnector()).register(new ShoutConnector());
  const service = new ConnectorService(registry);
  const calls: { name: OperationName; requests: readonly object[]; signal: AbortSignal | undefined }[] = [];
  const dispatch: Dispatch = (name, requests, options) => {
    calls.push({ name, requests, signal: options?.signal });
    const call = () => service.dispatch(name, requests, options);
    return intercept ? intercept(name, call) : call();
  };
  return { client: new ConnectorClient(dispatch), calls, names: () => calls.map((call) => call.name) };
}

const countdown = (seconds: number, extra: Record<string, unknown> = {}) => ({
  template: { type: "countdown" },
  inputs: { seconds, ...extra },
  pollIntervalMs: 20,
});

describe("runTask with a sync connector", () => {
  test("asks the metadata, then runs ExecuteTaskSync once and returns plain outputs", async () => {
    const { client, names, calls } = recordingClient();
    const progress: TaskStatus[] = [];
    const result = await runTask({
      client,
      template: { type: "shout" },
      inputs: { text: "quiet" },
      outputPrefix: "/tmp/prefix",
      onProgress: (status) => progress.push(status),
    });
    expect(names()).toEqual(["listAgents", "executeTaskSync"]);
    const [header, inputs] = calls[1]!.requests as flyteidl.admin.IExecuteTaskSyncRequest[];
    expect(header?.header?.outputPrefix).toBe("/tmp/prefix");
    expect(inputs?.inputs?.literals?.text?.scalar?.primitive?.stringValue).toBe("quiet");
    expect(result).toMatchObject({ phase: Phase.SUCCEEDED, message: "", outputs: { text: "QUIET" } });
    expect(result.outputLiterals?.literals?.text?.scalar?.primitive?.stringValue).toBe("QUIET");
    expect(progress.map((status) => status.phase)).toEqual([Phase.SUCCEEDED]);
  });

  test("a FAILED resource rejects with the task's message", async () => {
    const { client } = recordingClient();
    const error = await runTask({ client, template: { type: "shout" }, inputs: { text: "" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskRunFailedError);
    expect(error).toMatchObject({ phase: Phase.FAILED, message: "nothing to shout", taskMessage: "nothing to shout" });
  });

  test("outputs that lack one the template declares reject with MissingOutputsError, as flytekit's local run fails", async () => {
    const { client } = recordingClient();
    const string = { type: { simple: core.SimpleType.STRING } };
    const template = { type: "shout", interface: { outputs: { variables: { text: string, count: { type: { simple: core.SimpleType.INTEGER } } } } } };
    const error = await runTask({ client, template, inputs: { text: "hi" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingOutputsError);
    expect(error).toMatchObject({ missing: ["count"], result: { phase: Phase.SUCCEEDED, outputs: { text: "HI" } } });
    expect((error as Error).message).toBe('The task succeeded without the output "count" its interface declares (returned: "text").');
  });

  test("isSync given skips the metadata call; a LiteralMap is sent as is", async () => {
    const { client, names, calls } = recordingClient();
    const inputs = toLiteralMap({ text: "as is" }, null, "input");
    await runTask({ client, template: { type: "shout" }, inputs, isSync: true });
    expect(names()).toEqual(["executeTaskSync"]);
    expect((calls[0]!.requests[1] as flyteidl.admin.IExecuteTaskSyncRequest).inputs).toBe(inputs);
  });

  test("plain inputs take the types the template declares", async () => {
    const { client, calls } = recordingClient();
    const floatType = { simple: core.SimpleType.FLOAT };
    const template = { type: "shout", interface: { inputs: { variables: { text: { type: { simple: core.SimpleType.STRING } }, n: { type: floatType } } } } };
    await runTask({ client, template, inputs: { text: "x", n: 2 } });
    const sent = (calls[1]!.requests[1] as flyteidl.admin.IExecuteTaskSyncRequest).inputs!;
    expect(sent.literals?.n?.scalar?.primitive?.floatValue).toBe(2);
    await expect(runTask({ client, template, inputs: { text: "x", extra: 1 } })).rejects.toThrow(/"extra" is not declared/);
  });
});

describe("runTask with an async connector", () => {
  test("creates, polls until a terminal phase, and returns outputs and log links", async () => {
    const { client, names, calls } = recordingClient();
    const progress: TaskStatus[] = [];
    const result = await runTask({ ...countdown(0.15), client, outputPrefix: "s3://out", onProgress: (s) => progress.push(s) });

    expect(names().slice(0, 3)).toEqual(["listAgents", "createTask", "getTask"]);
    expect(names().filter((name) => name === "getTask").length).toBeGreaterThan(2);
    expect(names()).not.toContain("deleteTask");
    const get = calls.find((call) => call.name === "getTask")!.requests[0] as flyteidl.admin.IGetTaskRequest;
    expect(get).toMatchObject({ taskCategory: { name: "countdown", version: 0 }, taskType: "countdown", outputPrefix: "s3://out" });

    expect(result.phase).toBe(Phase.SUCCEEDED);
    expect(result.outputs).toEqual({ id: expect.stringMatching(/^countdown-/), greeting: "hello" });
    expect(result.logLinks[0]).toMatchObject({ name: "Countdown log" });
    expect(progress.at(0)?.phase).toBe(Phase.RUNNING);
    expect(progress.at(0)?.message).toMatch(/ms left$/);
    expect(progress.at(-1)?.phase).toBe(Phase.SUCCEEDED);
  });

  test("a FAILED task rejects with its message and phase", async () => {
    const { client } = recordingClient();
    const error = await runTask({ ...countdown(0, { fail: true }), client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskRunFailedError);
    expect(error).toMatchObject({ phase: Phase.FAILED, message: "the countdown exploded" });
    expect((error as TaskRunFailedError).logLinks).toHaveLength(1);
  });

  test("aborting mid-run deletes the task, then rejects with TaskCancelledError", async () => {
    const { client, names } = recordingClient();
    const controller = new AbortController();
    const run = runTask({
      ...countdown(30),
      client,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toThrow(new TaskCancelledError("Task cancelled and deleted."));
    expect(names().at(-1)).toBe("deleteTask");
    expect(deletedTasks.at(-1)).toMatch(/^countdown-/);
  });

  test("an abort while createTask is in flight still deletes the task it created", async () => {
    const controller = new AbortController();
    const { client, names } = recordingClient(async (name, call) => {
      if (name === "createTask") controller.abort();
      return call();
    });
    const before = deletedTasks.length;
    await expect(runTask({ ...countdown(30), client, signal: controller.signal })).rejects.toBeInstanceOf(TaskCancelledError);
    expect(names()).toEqual(["listAgents", "createTask", "deleteTask"]);
    expect(deletedTasks.length).toBe(before + 1);
  });

  test("an abort while a poll hangs deletes the task at once, without waiting for the poll's answer", async () => {
    const controller = new AbortController();
    let release = () => {};
    const hung = new Promise<void>((resolve) => (release = resolve));
    const { client, names } = recordingClient(async (name, call) => {
      if (name === "getTask") {
        controller.abort();
        await hung; // a service that answers only at the call's deadline
      }
      return call();
    });
    try {
      const started = Date.now();
      await expect(runTask({ ...countdown(30), client, signal: controller.signal })).rejects.toThrow(
        new TaskCancelledError("Task cancelled and deleted."),
      );
      expect(Date.now() - started).toBeLessThan(1000);
      expect(names()).toEqual(["listAgents", "createTask", "getTask", "deleteTask"]);
    } finally {
      release();
    }
  }, 3000);

  test("the signal goes with the calls raced with it, to cancel them, never with create or delete", async () => {
    const controller = new AbortController();
    const { client, calls } = recordingClient(async (name, call) => {
      if (name === "getTask") controller.abort();
      return call();
    });
    await expect(runTask({ ...countdown(30), client, signal: controller.signal })).rejects.toBeInstanceOf(TaskCancelledError);
    expect(calls.map(({ name, signal }) => [name, signal === controller.signal])).toEqual([
      ["listAgents", true],
      ["createTask", false],
      ["getTask", true],
      ["deleteTask", false],
    ]);

    const sync = recordingClient();
    await runTask({ client: sync.client, template: { type: "shout" }, inputs: { text: "quiet" }, signal: controller.signal }).catch(() => undefined);
    expect(sync.calls).toEqual([]);
    const live = new AbortController();
    await runTask({ client: sync.client, template: { type: "shout" }, inputs: { text: "quiet" }, signal: live.signal });
    expect(sync.calls.map(({ name, signal }) => [name, signal === live.signal])).toEqual([
      ["listAgents", true],
      ["executeTaskSync", true],
    ]);
  });

  test("an abort whose delete fails says so", async () => {
    const controller = new AbortController();
    const { client } = recordingClient(async (name, call) => {
      if (name === "deleteTask") throw new UnavailableError("the network is down");
      if (name === "getTask") controller.abort();
      return call();
    });
    const error = await runTask({ ...countdown(30), client, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect((error as Error).message).toBe("Task cancelled, but deleting it failed: the network is down");
  });

  test("a signal aborted before the start makes no call", async () => {
    const { client, names } = recordingClient();
    await expect(runTask({ ...countdown(1), client, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(TaskCancelledError);
    expect(names()).toEqual([]);
  });

  test("a failing poll rejects with its error and deletes the task it leaves behind", async () => {
    const { client, names } = recordingClient(async (name, call) => {
      if (name === "getTask") throw new ConnectorError(Status.INTERNAL, "poll broke");
      return call();
    });
    await expect(runTask({ ...countdown(30), client })).rejects.toThrow("poll broke");
    expect(names()).toEqual(["listAgents", "createTask", "getTask", "deleteTask"]);
  });

  test("a task type no connector serves is NOT_FOUND with the contract's message", async () => {
    const { client } = recordingClient();
    await expect(runTask({ client, template: { type: "nope", taskTypeVersion: 3 } })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      message: "Cannot find connector for task category: nope_v3. Task categories served: countdown_v0, shout_v0.",
    });
  });
});

describe("runTask against a service that predates Resource.phase", () => {
  /** Answers getTask with the deprecated `state` only, as old flytekit services did. */
  function oldService(states: flyteidl.admin.State[]): ConnectorClient {
    const dispatch: Dispatch = async (name) => {
      switch (name) {
        case "createTask":
          return [new admin.CreateTaskResponse({ resourceMeta: new Uint8Array([1]) })];
        case "getTask":
          return [new admin.GetTaskResponse({ resource: new admin.Resource({ state: states.shift(), message: "old" }) })];
        default:
          throw new ConnectorError(Status.UNIMPLEMENTED, name);
      }
    };
    return new ConnectorClient(dispatch);
  }

  test("reads the state as FlytePropeller does", async () => {
    const progress: Phase[] = [];
    const client = oldService([admin.State.PENDING, admin.State.RUNNING, admin.State.SUCCEEDED]);
    // No outputs at all: the task wrote its declared ones to the output prefix itself, unchecked.
    const template = { type: "old", interface: { outputs: { variables: { n: { type: { simple: core.SimpleType.INTEGER } } } } } };
    const result = await runTask({ client, template, isSync: false, pollIntervalMs: 1, onProgress: (s) => progress.push(s.phase) });
    expect(progress).toEqual([Phase.QUEUED, Phase.RUNNING, Phase.SUCCEEDED]);
    expect(result.outputs).toBeUndefined();
  });

  test("an empty resource (state RETRYABLE_FAILURE) ends the run as failed instead of polling forever", async () => {
    const client = oldService([admin.State.RETRYABLE_FAILURE]);
    await expect(runTask({ client, template: { type: "old" }, isSync: false })).rejects.toMatchObject({
      phase: Phase.RETRYABLE_FAILED,
      message: "old",
    });
    await expect(
      runTask({ client: oldService([admin.State.PERMANENT_FAILURE]), template: { type: "old" }, isSync: false }),
    ).rejects.toMatchObject({ phase: Phase.FAILED });
  });
});
