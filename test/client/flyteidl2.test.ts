/** Flyte 1 calls as Flyte 2 requests (overFlyteidl2): what the options add, and what HTTP cannot carry. */
import { describe, expect, test } from "vitest";
import { ConnectorClient } from "../../lib/client/client.js";
import { runTask } from "../../lib/client/executor.js";
import { overFlyteidl2 } from "../../lib/client/flyteidl2.js";
import { httpRequest } from "../../lib/client/http-transport.js";
import { ConnectorError, Status } from "../../lib/connector/errors.js";
import type { TaskParams } from "../../lib/connector/connector.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { flyteidl2 } from "../../lib/idl/flyteidl2.js";
import { flyteidl } from "../../lib/idl/index.js";
import { flyteidl2Operations } from "../../lib/service/flyteidl2/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import type { Dispatch, DispatchOptions, OperationName } from "../../lib/service/operations.js";
import { structFromJson } from "../../lib/literals/index.js";
import { CountdownConnector, deletedTasks, ShoutConnector } from "./fixtures/test-connectors.js";
import { startTestStack } from "./support/local-stack.js";

const connection = { secrets: { token: "s3cret" }, configs: { region: "eu-west-1" } };

class CountingCountdown extends CountdownConnector {
  creates = 0;
  override create(params: TaskParams) {
    this.creates += 1;
    return super.create(params);
  }
}

/** A transport that records what it is sent and answers each request with its operation's empty response. */
function recording() {
  const sent: { name: OperationName; request: object; options: DispatchOptions }[] = [];
  const transport: Dispatch = async (name, [request], options = {}) => {
    sent.push({ name, request: request!, options });
    return [new (flyteidl2Operations[name as keyof typeof flyteidl2Operations].responseType)()];
  };
  return { sent, dispatch: overFlyteidl2(transport) };
}

describe("overFlyteidl2", () => {
  test("sends Flyte 2 messages, with the connection on create, get and delete and the context in the inputs", async () => {
    const { sent, dispatch } = recording();
    const options = { connection, actionContext: { trace: "t" } };
    await dispatch("createTask", [{ template: { type: "x" }, inputs: { literals: { n: { scalar: { primitive: { integer: 1 } } } } } }], options);
    await dispatch("getTask", [{ taskCategory: { name: "x" } }], options);
    await dispatch("getTaskLogs", [{ taskCategory: { name: "x" } }], options);
    expect(sent.map(({ options }) => options.protocol)).toEqual(["flyteidl2", "flyteidl2", "flyteidl2"]);
    const [create, get, logs] = sent.map(({ request }) => request) as [flyteidl2.connector.CreateTaskRequest, flyteidl2.connector.GetTaskRequest, object];
    expect(create).toBeInstanceOf(flyteidl2.connector.CreateTaskRequest);
    expect(flyteidl2.connector.CreateTaskRequest.toObject(create, { longs: Number })).toEqual({
      template: { type: "x" },
      inputs: { literals: [{ name: "n", value: { scalar: { primitive: { integer: 1 } } } }], context: [{ key: "trace", value: "t" }] },
      connection,
    });
    expect(get.connection?.secrets).toEqual(connection.secrets);
    expect(logs).not.toHaveProperty("connection");
  });

  test("answers Flyte 1 messages", async () => {
    const { dispatch } = recording();
    const [answer] = await dispatch("listAgents", [{}]);
    expect(answer).toBeInstanceOf(flyteidl.admin.ListAgentsResponse);
  });

  test("over HTTP, a GET or DELETE cannot carry a connection: its secrets would be in the URL", () => {
    const request = new flyteidl2.connector.GetTaskRequest({ taskCategory: { name: "x" }, connection });
    expect(() => httpRequest(flyteidl2Operations.getTask, [request], new URL("http://localhost"), "protobuf")).toThrow(
      expect.objectContaining({ code: Status.INVALID_ARGUMENT, message: expect.stringContaining("cannot carry a connection") }),
    );
  });

  test("over HTTP, a task with a connection is refused before it is created, not left running unfollowed", async () => {
    const countdown = new CountingCountdown();
    const stack = await startTestStack(new ConnectorRegistry().register(countdown));
    const deletedBefore = deletedTasks.length;
    try {
      const client = ConnectorClient.http({ baseUrl: stack.httpUrl! }).overFlyteidl2();
      const error = await runTask({ client, template: { type: "countdown" }, inputs: { seconds: 60 }, connection, isSync: false, pollIntervalMs: 10 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, message: expect.stringContaining("HTTP cannot carry a connection") });
      expect({ creates: countdown.creates, deleted: deletedTasks.length - deletedBefore }).toEqual({ creates: 0, deleted: 0 });
    } finally {
      await stack.close();
    }
  });

  describe("through the service's own Flyte 2 protocol", () => {
    const serve = () => {
      const countdown = new CountingCountdown();
      return { countdown, dispatch: overFlyteidl2(new ConnectorService(new ConnectorRegistry().register(countdown).register(new ShoutConnector())).dispatch) };
    };
    const header = (type: string, custom?: Record<string, unknown>) => ({ header: { template: { type, ...(custom && { custom: structFromJson(custom) }) } } });

    test("executeTaskSync of an async connector is refused as over Flyte 1, and the task it started is deleted", async () => {
      const { countdown, dispatch } = serve();
      const deletedBefore = deletedTasks.length;
      const error = await dispatch("executeTaskSync", [header("countdown", { seconds: 600 }), { inputs: {} }]).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, message: "Connector for task category countdown_v0 is asynchronous: use CreateTask and GetTask." });
      expect({ creates: countdown.creates, deleted: deletedTasks.length - deletedBefore }).toEqual({ creates: 1, deleted: 1 });
    });

    test("executeTaskSync of a malformed stream is refused before anything is created, as over Flyte 1", async () => {
      const { countdown, dispatch } = serve();
      const inputs = { inputs: { literals: { text: { scalar: { primitive: { stringValue: "hi" } } } } } };
      for (const [requests, message] of [
        [[inputs], "ExecuteTaskSync expects a header message first."],
        [[header("shout"), header("shout")], "ExecuteTaskSync expects a header then at most one inputs message, got 2 messages."],
        [[header("shout"), inputs, inputs], "ExecuteTaskSync expects a header then at most one inputs message, got 3 messages."],
      ] as const) {
        await expect(dispatch("executeTaskSync", [...requests])).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, message });
      }
      expect(countdown.creates).toBe(0);
      const [answer] = (await dispatch("executeTaskSync", [header("shout"), inputs])) as flyteidl.admin.ExecuteTaskSyncResponse[];
      expect(answer!.header?.resource?.outputs?.literals?.["text"]?.scalar?.primitive?.stringValue).toBe("HI");
    });

    test("a request naming its connector by the deprecated task_type alone reaches it (at version 0), as over Flyte 1", async () => {
      const { dispatch } = serve();
      const [created] = (await dispatch("createTask", [{ template: { type: "countdown", custom: structFromJson({ seconds: 600 }) } }])) as flyteidl.admin.CreateTaskResponse[];
      const [got] = (await dispatch("getTask", [{ taskType: "countdown", resourceMeta: created!.resourceMeta }])) as flyteidl.admin.GetTaskResponse[];
      expect(got!.resource?.phase).toBe(Phase.RUNNING);
      const deletedBefore = deletedTasks.length;
      await dispatch("deleteTask", [{ taskType: "countdown", resourceMeta: created!.resourceMeta }]);
      expect(deletedTasks.length - deletedBefore).toBe(1);
    });
  });
});
