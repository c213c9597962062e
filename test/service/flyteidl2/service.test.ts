/**
 * Flyte 2's protocol layer in the service (lib/service/flyteidl2): sync connectors served through
 * CreateTask (the result in a meta, sealed when sealing is on, bounded by
 * MAX_SYNC_RESULT_META_BYTES), what Flyte 2 alone sends reaching the connector, its secrets
 * redacted whether a connector reads them or not, and what Flyte 2 has not.
 */
import { describe, expect, test } from "vitest";
import { AsyncConnectorBase, SyncConnectorBase, type CallContext, type TaskParams } from "../../../lib/connector/connector.js";
import { ConnectorError, FailedPreconditionError, Status } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { knownSecrets, REDACTED } from "../../../lib/connector/redact.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { Resource } from "../../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../../lib/connector/resource-meta.js";
import { flyteidl2 } from "../../../lib/idl/flyteidl2.js";
import { MAX_SYNC_RESULT_META_BYTES } from "../../../lib/limits.js";
import { literalMapToPlain } from "../../../lib/literals/index.js";
import { MetaSealer, parseMetaKeys } from "../../../lib/service/meta-seal.js";
import type { DispatchOptions, OperationName } from "../../../lib/service/operations.js";
import { ConnectorService } from "../../../lib/service/service.js";

const c2 = flyteidl2.connector;
const { Phase: Phase2 } = flyteidl2.core.TaskExecution;

const consoleLink = { uri: "https://console.example/jobs/j", name: "Console", linkType: "dashboard" } as const;
const logsLink = { uri: "https://logs.example/jobs/j", name: "Logs" };

const calls: { call: string; context: Pick<CallContext, "connection" | "actionContext"> }[] = [];

/** Outputs `text` repeated `times` times: a result as large as asked. */
class RepeatConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Repeat Connector", taskTypeName: "repeat" });
  }
  do({ inputs, connection, actionContext }: TaskParams): Resource {
    calls.push({ call: "do", context: { connection, actionContext } });
    const { text, times } = literalMapToPlain(inputs ?? {}) as { text: string; times: number };
    if (Number(times) === 0) return new Resource({ phase: Phase.RETRYABLE_FAILED, message: "nothing to repeat yet" });
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { text: String(text).repeat(Number(times)) }, logLinks: [consoleLink, logsLink] });
  }
}

const JobMeta = defineResourceMeta("JobMeta", { id: field.string() });

/** Never reads the connection it is given. */
class QuietConnector extends AsyncConnectorBase<InstanceType<typeof JobMeta>> {
  constructor() {
    super({ name: "Quiet Connector", taskTypeName: "quiet", metadataType: JobMeta });
  }
  create({ connection, actionContext }: TaskParams) {
    calls.push({ call: "create", context: { connection, actionContext } });
    return new JobMeta({ id: "j" });
  }
  get() {
    return new Resource({ phase: Phase.SUCCEEDED, logLinks: [consoleLink, logsLink] });
  }
  delete() {}
  override getLogs() {
    return { results: [{ message: "warming up", timestamp: new Date("2026-12-07T10:00:00Z"), originator: "system" as const }, "plain"] };
  }
}

const sealer = new MetaSealer(parseMetaKeys(`k1:${Buffer.alloc(32, 7).toString("base64")}`));

function service(sealed = false) {
  const registry = new ConnectorRegistry().register(new RepeatConnector()).register(new QuietConnector());
  return new ConnectorService(registry, sealed ? { metaSealer: sealer } : {}).dispatch;
}

const v2: DispatchOptions = { protocol: "flyteidl2" };
const literal = (value: string | number) =>
  typeof value === "number" ? { scalar: { primitive: { integer: value } } } : { scalar: { primitive: { stringValue: value } } };
const createRepeat = (text: string, times: number, extra: object = {}) =>
  new c2.CreateTaskRequest({
    template: { type: "repeat" },
    inputs: { literals: [{ name: "text", value: literal(text) }, { name: "times", value: literal(times) }] },
    ...extra,
  });
const repeatTask = (resourceMeta: Uint8Array) => ({ taskCategory: { name: "repeat", version: 0 }, resourceMeta });

async function call<T>(dispatch: ReturnType<typeof service>, name: OperationName, request: object): Promise<T> {
  const [answer] = await dispatch(name, [request], v2);
  return answer as T;
}

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe("a sync connector over Flyte 2", () => {
  test("CreateTask runs do, GetTask answers its Resource, DeleteTask succeeds", async () => {
    const dispatch = service();
    const { resourceMeta } = await call<flyteidl2.connector.CreateTaskResponse>(dispatch, "createTask", createRepeat("ab", 3));
    const { resource } = await call<flyteidl2.connector.GetTaskResponse>(dispatch, "getTask", new c2.GetTaskRequest(repeatTask(resourceMeta)));
    expect(resource?.phase).toBe(Phase2.SUCCEEDED);
    expect(resource?.outputs?.literals?.map(({ name, value }) => [name, value?.scalar?.primitive?.stringValue])).toEqual([["text", "ababab"]]);
    expect(await call(dispatch, "deleteTask", new c2.DeleteTaskRequest(repeatTask(resourceMeta)))).toEqual(new c2.DeleteTaskResponse());
  });

  test("with sealing on, the meta is sealed for its category, and a changed one is refused", async () => {
    const dispatch = service(true);
    const { resourceMeta } = await call<flyteidl2.connector.CreateTaskResponse>(dispatch, "createTask", createRepeat("x", 1));
    expect(Buffer.from(resourceMeta.subarray(0, 4)).toString("latin1")).toBe("FCSM");
    const { resource } = await call<flyteidl2.connector.GetTaskResponse>(dispatch, "getTask", new c2.GetTaskRequest(repeatTask(resourceMeta)));
    expect(resource?.phase).toBe(Phase2.SUCCEEDED);
    const changed = Uint8Array.from(resourceMeta);
    changed[changed.length - 1]! ^= 1;
    const error = await rejection(call(dispatch, "getTask", new c2.GetTaskRequest(repeatTask(changed))));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });

  test(`a result larger than MAX_SYNC_RESULT_META_BYTES is a FAILED Resource naming the limit`, async () => {
    const dispatch = service();
    const { resourceMeta } = await call<flyteidl2.connector.CreateTaskResponse>(dispatch, "createTask", createRepeat("y", MAX_SYNC_RESULT_META_BYTES));
    expect(resourceMeta.byteLength).toBeLessThan(1024);
    const { resource } = await call<flyteidl2.connector.GetTaskResponse>(dispatch, "getTask", new c2.GetTaskRequest(repeatTask(resourceMeta)));
    expect(resource?.phase).toBe(Phase2.FAILED);
    expect(resource?.message).toMatch(/^The result of the sync connector for task category repeat_v0 takes \d+ bytes, more than the 262144 .*MAX_SYNC_RESULT_META_BYTES/);
    expect(resource?.outputs).toBeNull();
  });

  test("a RETRYABLE_FAILED from do is the Resource GetTask answers, so the executor starts another attempt", async () => {
    const dispatch = service(true);
    const { resourceMeta } = await call<flyteidl2.connector.CreateTaskResponse>(dispatch, "createTask", createRepeat("x", 0));
    const { resource } = await call<flyteidl2.connector.GetTaskResponse>(dispatch, "getTask", new c2.GetTaskRequest(repeatTask(resourceMeta)));
    expect({ phase: resource?.phase, message: resource?.message }).toEqual({ phase: Phase2.RETRYABLE_FAILED, message: "nothing to repeat yet" });
  });

  test("one just under the limit is carried whole", async () => {
    const dispatch = service();
    const { resourceMeta } = await call<flyteidl2.connector.CreateTaskResponse>(dispatch, "createTask", createRepeat("z", MAX_SYNC_RESULT_META_BYTES - 200));
    expect(resourceMeta.byteLength).toBeLessThanOrEqual(MAX_SYNC_RESULT_META_BYTES);
    const { resource } = await call<flyteidl2.connector.GetTaskResponse>(dispatch, "getTask", new c2.GetTaskRequest(repeatTask(resourceMeta)));
    expect(resource?.phase).toBe(Phase2.SUCCEEDED);
  });

  test.each<[OperationName, string]>([
    ["getTaskMetrics", "Connector for task category repeat_v0 does not provide metrics."],
    ["getTaskLogs", "Connector for task category repeat_v0 does not provide logs."],
  ])("%s is UNIMPLEMENTED", async (name, message) => {
    const error = await rejection(call(service(), name, { taskCategory: { name: "repeat" }, resourceMeta: new Uint8Array() }));
    expect({ code: error.code, message: error.message }).toEqual({ code: Status.UNIMPLEMENTED, message });
  });

  test("sealing keys that cannot be had fail CreateTask before do runs, so its side effects are not lost", async () => {
    calls.length = 0;
    const registry = new ConnectorRegistry().register(new RepeatConnector());
    const unavailable = () => Promise.reject(new FailedPreconditionError("No meta sealing keys in parameter /keys."));
    const dispatch = new ConnectorService(registry, { metaSealer: unavailable }).dispatch;
    const error = await rejection(call(dispatch, "createTask", createRepeat("a", 1)));
    expect({ code: error.code, message: error.message }).toEqual({ code: Status.FAILED_PRECONDITION, message: "No meta sealing keys in parameter /keys." });
    expect(calls).toEqual([]);
  });

  test("a meta that holds no finished Resource is INVALID_ARGUMENT", async () => {
    const running = c2.GetTaskResponse.encode({ resource: { phase: Phase2.RUNNING } }).finish();
    const error = await rejection(call(service(), "getTask", new c2.GetTaskRequest(repeatTask(running))));
    expect({ code: error.code, message: error.message }).toEqual({
      code: Status.INVALID_ARGUMENT,
      message: "Cannot decode resource meta for task category repeat_v0: it holds no finished task's resource.",
    });
  });
});

describe("what Flyte 2 alone reads", () => {
  // Flyte 1's TaskLog has no `ready`, so a link mapped across arrived not ready, which Flyte 2's UI
  // shows greyed out and unclickable. Flyte's own log plugins mark every link they make ready
  // (flyteorg/flyte flyteplugins/go/tasks/pluginmachinery/tasklog/template.go:262), as flyte-sdk's
  // connectors mark their console links (flyteorg/flyte-sdk plugins/bigquery/src/flyteplugins/bigquery/connector.py:113);
  // the executor hands them on as they are (flyteplugins/go/tasks/plugins/webapi/connector/plugin.go:266, 337).
  test.each([
    ["an async connector's", "quiet", () => Promise.resolve(new JobMeta({ id: "j" }).encode())],
    ["a sync connector's", "repeat", async () => (await call<flyteidl2.connector.CreateTaskResponse>(service(), "createTask", createRepeat("a", 1))).resourceMeta],
  ])("%s log links are ready, with the link type the connector gave (flyte-sdk's BigQuery: DASHBOARD, connector.py:114)", async (_, name, meta) => {
    const request = new c2.GetTaskRequest({ taskCategory: { name }, resourceMeta: await meta() });
    const { resource } = await call<flyteidl2.connector.GetTaskResponse>(service(), "getTask", request);
    expect(resource?.logLinks?.map(({ uri, name, ready, linkType }) => ({ uri, name, ready, linkType }))).toEqual([
      { uri: consoleLink.uri, name: consoleLink.name, ready: true, linkType: flyteidl2.core.TaskLog.LinkType.DASHBOARD },
      { ...logsLink, ready: true, linkType: flyteidl2.core.TaskLog.LinkType.EXTERNAL },
    ]);
  });
});

describe("what Flyte 2 alone sends", () => {
  const connection = { taskType: "repeat", secrets: { token: "v2-secret-never-read-91" }, configs: { region: "eu-west-1" } };
  const context = [{ key: "trace", value: "t-1" }];

  test("the connection and Inputs.context reach create and do; Flyte 1 calls have neither", async () => {
    calls.length = 0;
    const dispatch = service();
    await call(dispatch, "createTask", createRepeat("a", 1, { connection, inputs: { literals: [{ name: "text", value: literal("a") }, { name: "times", value: literal(1) }], context } }));
    await call(dispatch, "createTask", new c2.CreateTaskRequest({ template: { type: "quiet" }, connection }));
    await dispatch("createTask", [{ template: { type: "quiet" } }]);
    const given = { secrets: connection.secrets, configs: connection.configs };
    expect(calls).toEqual([
      { call: "do", context: { connection: given, actionContext: { trace: "t-1" } } },
      { call: "create", context: { connection: given, actionContext: {} } },
      { call: "create", context: { connection: undefined, actionContext: undefined } },
    ]);
  });

  test("its secret values are redacted as the request arrives, though no connector reads them", async () => {
    const secret = "v2-secret-unread-4f2a";
    await call(service(), "getTask", new c2.GetTaskRequest({ taskCategory: { name: "quiet" }, resourceMeta: new JobMeta({ id: "j" }).encode(), connection: { secrets: { k: secret } } }));
    expect(knownSecrets.text(`echoed ${secret}`)).toBe(`echoed ${REDACTED}`);
  });

  test("ExecuteTaskSync is not Flyte 2's: UNIMPLEMENTED", async () => {
    const error = await rejection(service()("executeTaskSync", [{}], v2));
    expect(error.code).toBe(Status.UNIMPLEMENTED);
  });
});

describe("logs", () => {
  test("a LogLine's time and originator reach Flyte 2's lines, beside the text in results", async () => {
    const dispatch = service();
    const [, body] = (await dispatch("getTaskLogs", [{ taskCategory: { name: "quiet", version: 0 }, resourceMeta: new JobMeta({ id: "j" }).encode() }], v2)) as flyteidl2.connector.GetTaskLogsResponse[];
    expect(body!.body!.results).toEqual(["warming up", "plain"]);
    const lines = (body!.body!.lines ?? []) as flyteidl2.logs.dataplane.LogLine[];
    expect(lines.map((line) => flyteidl2.logs.dataplane.LogLine.toObject(line, { longs: Number, enums: String }))).toEqual([
      { message: "warming up", timestamp: { seconds: Date.parse("2026-12-07T10:00:00Z") / 1000, nanos: 0 }, originator: "SYSTEM" },
      { message: "plain" },
    ]);
  });
});
