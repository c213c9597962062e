import { describe, expect, test } from "vitest";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { SLEEP_MAX_LOG_LINES, SleepConnector, SleepMetadata } from "../../lib/connectors/sleep.js";
import { flyteidl } from "../../lib/idl/index.js";
import { ConnectorService } from "../../lib/service/service.js";
import { structFromJson } from "../../lib/literals/index.js";
import { taskParams } from "../../lib/connector/task-params.js";

function clock(start: number) {
  const state = { now: start };
  return { state, now: () => state.now };
}

function setup(startMs = 1_700_000_000_000) {
  const time = clock(startMs);
  const service = new ConnectorService(new ConnectorRegistry().register(new SleepConnector(time.now)));
  return { time, service };
}

const seconds = (value: number) => ({ literals: { seconds: { scalar: { primitive: { floatValue: value } } } } });
const category = { name: "sleep", version: 0 };

describe("sleep", () => {
  test("create keeps start time and duration in a flytekit-compatible meta", async () => {
    const { service } = setup();
    const { resourceMeta } = await service.createTask({ template: { type: "sleep" }, inputs: seconds(2.5) });
    expect(new TextDecoder().decode(resourceMeta)).toBe('{"start_time": 1700000000.0, "duration": 2.5}');
  });

  test("get is RUNNING with the time left, then SUCCEEDED with outputs {seconds: float}", async () => {
    const { time, service } = setup();
    const { resourceMeta } = await service.createTask({ template: { type: "sleep" }, inputs: seconds(2) });
    time.state.now += 500;
    const running = await service.getTask({ taskCategory: category, resourceMeta });
    expect(running.resource?.phase).toBe(Phase.RUNNING);
    expect(running.resource?.message).toBe("Sleeping, 1.5 s left.");
    expect(running.resource?.outputs).toBeNull();
    time.state.now += 1500;
    const done = await service.getTask({ taskCategory: category, resourceMeta });
    expect(done.resource?.phase).toBe(Phase.SUCCEEDED);
    expect(done.resource?.outputs?.literals?.seconds?.scalar?.primitive?.floatValue).toBe(2);
  });

  test("an integer input is accepted, and custom.seconds is used without an input", async () => {
    const { service } = setup();
    const fromInt = await service.createTask({
      template: { type: "sleep" },
      inputs: { literals: { seconds: { scalar: { primitive: { integer: 3 } } } } },
    });
    expect(SleepMetadata.decode(fromInt.resourceMeta).duration).toBe(3);
    const fromCustom = await service.createTask({ template: { type: "sleep", custom: structFromJson({ seconds: 4 }) } });
    expect(SleepMetadata.decode(fromCustom.resourceMeta).duration).toBe(4);
    // An Optional[float] input left out reaches the connector as a none literal.
    const fromNone = await service.createTask({
      template: { type: "sleep", custom: structFromJson({ seconds: 5 }) },
      inputs: { literals: { seconds: { scalar: { noneType: {} } } } },
    });
    expect(SleepMetadata.decode(fromNone.resourceMeta).duration).toBe(5);
  });

  test.each([["negative", seconds(-1)], ["missing", undefined]])("a %s duration is the caller's INVALID_ARGUMENT", async (_, inputs) => {
    const { service } = setup();
    await expect(service.createTask({ template: { type: "sleep" }, inputs })).rejects.toMatchObject({
      code: 3,
      message: expect.stringMatching(/^sleep needs a number of seconds >= 0/),
    });
  });

  test("delete is an idempotent no-op", async () => {
    const { service } = setup();
    const { resourceMeta } = await service.createTask({ template: { type: "sleep" }, inputs: seconds(1) });
    await service.deleteTask({ taskCategory: category, resourceMeta });
    await service.deleteTask({ taskCategory: category, resourceMeta });
  });

  test("logs stream one line per second slept", async () => {
    const { time, service } = setup();
    const { resourceMeta } = await service.createTask({ template: { type: "sleep" }, inputs: seconds(5) });
    time.state.now += 3200;
    const [header, body, ...rest] = await service.getTaskLogs({ taskCategory: category, resourceMeta, lines: 2 });
    expect(header?.header?.token).toBe("");
    expect(body?.body?.results).toEqual(["slept 2 of 5 s", "slept 3 of 5 s"]);
    expect(rest).toEqual([]);
  });

  test("a forged meta of years asleep makes a page of SLEEP_MAX_LOG_LINES lines, the last ones", async () => {
    const { service } = setup();
    const resourceMeta = new SleepMetadata({ start_time: 0, duration: 1e9 }).encode();
    const [, ...bodies] = await service.getTaskLogs({ taskCategory: category, resourceMeta });
    const results = bodies.flatMap((message) => message.body?.results ?? []);
    expect(results).toHaveLength(SLEEP_MAX_LOG_LINES);
    expect(results.at(-1)).toBe("slept 1000000000 of 1000000000 s");
  });

  test("metrics are UNIMPLEMENTED", async () => {
    const { service } = setup();
    const { resourceMeta } = await service.createTask({ template: { type: "sleep" }, inputs: seconds(1) });
    await expect(service.getTaskMetrics({ taskCategory: category, resourceMeta })).rejects.toMatchObject({ code: 12 });
  });

  test("a meta from another connector is INVALID_ARGUMENT", async () => {
    const { service } = setup();
    const resourceMeta = new TextEncoder().encode('{"job_id": "x"}');
    await expect(service.getTask({ taskCategory: category, resourceMeta })).rejects.toMatchObject({ code: 3 });
  });
});

test("the meta of a real clock decodes to now", () => {
  const before = Date.now() / 1000;
  const meta = new SleepConnector().create(
    taskParams({
      taskTemplate: new flyteidl.core.TaskTemplate({ type: "sleep" }),
      outputPrefix: "",
      inputs: seconds(1),
      signal: new AbortController().signal,
    }),
  );
  expect(meta.start_time).toBeGreaterThanOrEqual(before);
});
