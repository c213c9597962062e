/** The same ConnectorClient calls over every transport, against the same connectors. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ConnectorClient } from "../../lib/client/client.js";
import { ConnectorError, Status } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { flyteidl } from "../../lib/idl/index.js";
import { literalMapToPlain, structToJson, toLiteralMap } from "../../lib/literals/index.js";
import { CountdownConnector, deletedTasks, ShoutConnector } from "./fixtures/test-connectors.js";
import { startTestStack } from "./support/local-stack.js";
import { mockedLambda } from "./support/mocked-lambda.js";

function testRegistry(): ConnectorRegistry {
  return new ConnectorRegistry().register(new CountdownConnector()).register(new ShoutConnector());
}

interface Transport {
  readonly name: string;
  start(): Promise<{ client: ConnectorClient; stop(): Promise<void> }>;
}

const transports: Transport[] = [
  {
    name: "in-process",
    start: async () => ({ client: ConnectorClient.inProcess(testRegistry()), stop: async () => undefined }),
  },
  {
    name: "lambda (mocked AWS, real handlers)",
    async start() {
      const { client, mock } = mockedLambda(testRegistry());
      return { client: ConnectorClient.lambda({ client }), stop: async () => void mock.restore() };
    },
  },
  {
    name: "http (protobuf, local stack)",
    async start() {
      const stack = await startTestStack(testRegistry());
      return { client: ConnectorClient.http({ baseUrl: stack.httpUrl! }), stop: stack.close };
    },
  },
  {
    name: "http (json, local stack)",
    async start() {
      const stack = await startTestStack(testRegistry());
      return { client: ConnectorClient.http({ baseUrl: stack.httpUrl!, format: "json" }), stop: stack.close };
    },
  },
  {
    name: "grpc (local stack)",
    async start() {
      const stack = await startTestStack(testRegistry());
      return { client: ConnectorClient.grpc({ address: stack.grpcAddress }), stop: stack.close };
    },
  },
];

const countdownTemplate: flyteidl.core.ITaskTemplate = { type: "countdown", taskTypeVersion: 0 };
const countdown = { taskCategory: { name: "countdown", version: 0 } };

describe.each(transports)("ConnectorClient over $name", (transport) => {
  let client: ConnectorClient;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ client, stop } = await transport.start());
  });
  afterAll(async () => {
    client.close();
    await stop();
  });

  test("listAgents lists every connector with its kind and categories", async () => {
    const agents = await client.listAgents();
    expect(agents.map((agent) => [agent.name, agent.isSync, agent.supportedTaskCategories.map((c) => c.name)])).toEqual([
      ["Countdown Connector", false, ["countdown"]],
      ["Shout Connector", true, ["shout"]],
    ]);
  });

  test("getAgent answers one connector, and NOT_FOUND with the service's message for an unknown name", async () => {
    const agent = await client.getAgent("Shout Connector");
    expect(agent.isSync).toBe(true);
    expect(agent.supportedTaskTypes).toEqual(["shout"]);
    await expect(client.getAgent("Nobody")).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      message: "Cannot find connector for name: Nobody.",
    });
  });

  test("createTask, getTask and deleteTask go round with the connector's meta", async () => {
    const inputs = toLiteralMap({ seconds: 30 }, null, "input");
    const { resourceMeta } = await client.createTask({ template: countdownTemplate, inputs, outputPrefix: "/tmp/out" });
    const id = (JSON.parse(new TextDecoder().decode(resourceMeta)) as { id: string }).id;
    expect(id).toMatch(/^countdown-/);

    const { resource } = await client.getTask({ ...countdown, resourceMeta });
    expect(resource?.phase).toBe(Phase.RUNNING);
    expect(resource?.message).toMatch(/^\d+ ms left$/);
    expect(resource?.logLinks?.[0]).toMatchObject({ name: "Countdown log", uri: `https://logs.example.com/${id}` });

    await client.deleteTask({ ...countdown, resourceMeta });
    expect(deletedTasks).toContain(id);
  });

  test("getTask of a finished task carries its outputs", async () => {
    const inputs = toLiteralMap({ seconds: 0 }, null, "input");
    const { resourceMeta } = await client.createTask({ template: countdownTemplate, inputs, outputPrefix: "" });
    const { resource } = await client.getTask({ ...countdown, resourceMeta });
    expect(resource?.phase).toBe(Phase.SUCCEEDED);
    expect(literalMapToPlain(resource!.outputs!)).toMatchObject({ greeting: "hello" });
  });

  test("errors keep the service's status and message", async () => {
    const error = await client
      .getTask({ taskCategory: { name: "nope", version: 2 }, resourceMeta: new Uint8Array([1]) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: Status.NOT_FOUND, message: "Cannot find connector for task category: nope_v2. Task categories served: countdown_v0, shout_v0." });

    await expect(client.getTask({ ...countdown, resourceMeta: new TextEncoder().encode("{}") })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
  });

  test("getTaskLogs returns the header's token and the bodies' lines", async () => {
    const { resourceMeta } = await client.createTask({ template: countdownTemplate });
    const first = await client.getTaskLogs({ ...countdown, resourceMeta, lines: 10 });
    expect(first.token).toBe("2");
    expect(first.lines).toEqual([expect.stringMatching(/^started countdown-/), "counting"]);
    expect(await client.getTaskLogs({ ...countdown, resourceMeta, token: "2" })).toEqual({ token: "", lines: ["page 2"] });
  });

  test("getTaskMetrics answers the connector's series", async () => {
    const { resourceMeta } = await client.createTask({ template: countdownTemplate });
    const { results } = await client.getTaskMetrics({
      ...countdown,
      resourceMeta,
      queries: ["cpu", "memory"],
      startTime: { seconds: 0 },
      endTime: { seconds: 120 },
      step: { seconds: 30 },
    });
    expect(results.map((series) => [series.metric, structToJson(series.data!)])).toEqual([
      ["cpu", { values: [1.5] }],
      ["memory", { values: [1.5] }],
    ]);
  });

  test("executeTaskSync sends the header then the inputs and answers the resource", async () => {
    const resource = await client.executeTaskSync(
      { template: { type: "shout" }, outputPrefix: "" },
      toLiteralMap({ text: "hi there" }, null, "input"),
    );
    expect(resource).toBeInstanceOf(flyteidl.admin.Resource);
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(literalMapToPlain(resource.outputs!)).toEqual({ text: "HI THERE" });
  });

  test("executeTaskSync without inputs reaches the connector with none", async () => {
    const resource = await client.executeTaskSync({ template: { type: "shout" } });
    expect(resource).toMatchObject({ phase: Phase.FAILED, message: "nothing to shout" });
  });

  test("executeTaskSync on an async connector is INVALID_ARGUMENT", async () => {
    await expect(client.executeTaskSync({ template: countdownTemplate })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      message: expect.stringContaining("asynchronous"),
    });
  });
});

/** The same calls through Flyte 2's protocol (`overFlyteidl2`), as its executor makes them, on every transport. */
describe.each(transports)("ConnectorClient over Flyte 2, $name", (transport) => {
  let client: ConnectorClient;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    const started = await transport.start();
    client = started.client.overFlyteidl2();
    stop = started.stop;
  });
  afterAll(async () => {
    client.close();
    await stop();
  });

  test("listAgents lists every connector by its categories (Flyte 2 does not say which are sync)", async () => {
    const agents = await client.listAgents();
    expect(agents.map((agent) => [agent.name, agent.supportedTaskCategories.map((category) => category.name), agent.isSync])).toEqual([
      ["Countdown Connector", ["countdown"], false],
      ["Shout Connector", ["shout"], false],
    ]);
    expect((await client.getAgent("Shout Connector")).name).toBe("Shout Connector");
  });

  test("createTask, getTask, getTaskLogs, getTaskMetrics and deleteTask go round", async () => {
    const inputs = toLiteralMap({ seconds: 0 }, null, "input");
    const { resourceMeta } = await client.createTask({ template: countdownTemplate, inputs, outputPrefix: "" });
    const { resource } = await client.getTask({ ...countdown, resourceMeta });
    expect(resource?.phase).toBe(Phase.SUCCEEDED);
    expect(literalMapToPlain(resource!.outputs!)).toMatchObject({ greeting: "hello" });
    const logs = await client.getTaskLogs({ ...countdown, resourceMeta, lines: 10 });
    expect(logs).toEqual({ token: "2", lines: [expect.stringMatching(/^started countdown-/), "counting"] });
    const { results } = await client.getTaskMetrics({ ...countdown, resourceMeta, queries: ["cpu"] });
    expect(results.map((series) => series.metric)).toEqual(["cpu"]);
    await client.deleteTask({ ...countdown, resourceMeta });
  });

  test("executeTaskSync is CreateTask, whose meta carries the result, then GetTask", async () => {
    const resource = await client.executeTaskSync({ template: { type: "shout" } }, toLiteralMap({ text: "hi" }, null, "input"));
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(literalMapToPlain(resource.outputs!)).toEqual({ text: "HI" });
  });

  test("errors keep the service's status and message", async () => {
    await expect(client.getTask({ taskCategory: { name: "nope", version: 2 }, resourceMeta: new Uint8Array([1]) })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      message: "Cannot find connector for task category: nope_v2. Task categories served: countdown_v0, shout_v0.",
    });
  });
});
