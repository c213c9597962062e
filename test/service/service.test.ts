import { describe, expect, test } from "vitest";
import {
  AsyncConnectorBase,
  SyncConnectorBase,
  type GetParams,
  type LogLine,
  type LogsParams,
  type MetricsParams,
  type TaskParams,
} from "../../lib/connector/connector.js";
import { InvalidArgumentError, Status } from "../../lib/connector/errors.js";
import { knownSecrets } from "../../lib/connector/redact.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { Resource } from "../../lib/connector/resource.js";
import { flyteidl } from "../../lib/idl/index.js";
import { ConnectorService } from "../../lib/service/service.js";
import { rejection } from "../support/rejection.js";

const { admin, core } = flyteidl;

/** A meta written by hand against the ResourceMetaClass interface, so these tests do not depend on its helpers. */
class JobMeta {
  constructor(readonly jobId: string) {}
  encode(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ job_id: this.jobId }));
  }
  static decode(data: Uint8Array): JobMeta {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as { job_id?: unknown };
    if (typeof parsed.job_id !== "string") throw new Error("job_id is missing");
    return new JobMeta(parsed.job_id);
  }
}

class JobConnector extends AsyncConnectorBase<JobMeta> {
  readonly seen: { create?: TaskParams; get?: GetParams; deleted: string[]; metrics?: MetricsParams; logs?: LogsParams } =
    { deleted: [] };
  constructor(readonly behaviour: { getResult?: unknown; createError?: unknown; hang?: boolean; logLines?: (string | LogLine)[] } = {}) {
    super({ name: "Job Connector", taskTypeName: "job", metadataType: JobMeta });
  }
  create(params: TaskParams) {
    this.seen.create = params;
    if (this.behaviour.createError) throw this.behaviour.createError;
    return new JobMeta("j-1");
  }
  async get(meta: JobMeta, params: GetParams) {
    this.seen.get = params;
    if (this.behaviour.hang) await new Promise((resolve) => setTimeout(resolve, 10_000));
    return (this.behaviour.getResult ?? new Resource({ phase: Phase.RUNNING, message: `job ${meta.jobId}` })) as Resource;
  }
  delete(meta: JobMeta) {
    this.seen.deleted.push(meta.jobId);
  }
  override getMetrics(_meta: JobMeta, params: MetricsParams) {
    this.seen.metrics = params;
    return { results: [{ metric: "cpu", timestamps: [{ seconds: 1 }], values: [0.5] }] };
  }
  override getLogs(_meta: JobMeta, params: LogsParams) {
    this.seen.logs = params;
    return { token: "next", results: this.behaviour.logLines ?? Array.from({ length: 2500 }, (_, i) => `line ${i}`) };
  }
}

class BareJobConnector extends AsyncConnectorBase<JobMeta> {
  constructor() {
    super({ taskTypeName: "bare", metadataType: JobMeta });
  }
  create() {
    return new JobMeta("b");
  }
  get() {
    return new Resource({ phase: Phase.SUCCEEDED });
  }
  delete() {}
}

class DoubleConnector extends SyncConnectorBase {
  seen?: TaskParams;
  constructor(readonly result?: unknown) {
    super({ name: "Double Connector", taskTypeName: "double" });
  }
  async do(params: TaskParams) {
    this.seen = params;
    if (this.result !== undefined) return this.result as Resource;
    const x = Number(params.inputs?.literals?.x?.scalar?.primitive?.integer ?? 0);
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { y: x * 2 } });
  }
}

const template = (type: string, extra: flyteidl.core.ITaskTemplate = {}) => new core.TaskTemplate({ type, ...extra });
const meta = new JobMeta("j-1").encode();

function setup(job = new JobConnector(), double = new DoubleConnector()) {
  const registry = new ConnectorRegistry().register(job).register(double).register(new BareJobConnector());
  return { job, double, service: new ConnectorService(registry) };
}


describe("createTask", () => {
  test("passes template, inputs, output prefix and execution metadata, and answers the encoded meta", async () => {
    const { job, service } = setup();
    const response = await service.createTask({
      template: template("job"),
      outputPrefix: "s3://bucket/out",
      inputs: { literals: { a: { scalar: { primitive: { stringValue: "x" } } } } },
      taskExecutionMetadata: { namespace: "flytesnacks-development" },
    });
    expect(new TextDecoder().decode(response.resourceMeta)).toBe('{"job_id":"j-1"}');
    expect(job.seen.create?.outputPrefix).toBe("s3://bucket/out");
    expect(job.seen.create?.inputs?.literals?.a?.scalar?.primitive?.stringValue).toBe("x");
    expect(job.seen.create?.taskExecutionMetadata?.namespace).toBe("flytesnacks-development");
    expect(job.seen.create?.signal).toBeInstanceOf(AbortSignal);
  });

  test("a missing template is INVALID_ARGUMENT", async () => {
    const error = await rejection(setup().service.createTask({ outputPrefix: "x" }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("CreateTaskRequest has no task template.");
  });

  test("an unknown task type is NOT_FOUND with flytekit's message", async () => {
    const error = await rejection(setup().service.createTask({ template: template("nope", { taskTypeVersion: 2 }) }));
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.message).toBe("Cannot find connector for task category: nope_v2. Task categories served: job_v0, double_v0, bare_v0.");
  });

  test("a connector that throws is INTERNAL with flytekit's message and no stack", async () => {
    const logged: unknown[] = [];
    const registry = new ConnectorRegistry().register(new JobConnector({ createError: new Error("quota exceeded") }));
    const service = new ConnectorService(registry, { logger: { error: (...args) => logged.push(args) } });
    const error = await rejection(service.createTask({ template: template("job") }));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toBe("failed to create job task with error: quota exceeded");
    expect(error.message).not.toMatch(/at .*\.ts/);
    expect(logged).toHaveLength(1);
  });

  test("a ConnectorError thrown by the connector keeps its status", async () => {
    const registry = new ConnectorRegistry().register(
      new JobConnector({ createError: new InvalidArgumentError("query is empty") }),
    );
    const error = await rejection(new ConnectorService(registry).createTask({ template: template("job") }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("query is empty");
  });

  test("a sync connector is refused with INVALID_ARGUMENT", async () => {
    const error = await rejection(setup().service.createTask({ template: template("double") }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });
});

describe("getTask", () => {
  test("decodes the meta, looks up task_category, answers the Resource", async () => {
    const { job, service } = setup();
    const response = await service.getTask({
      taskCategory: { name: "job", version: 0 },
      resourceMeta: meta,
      outputPrefix: "s3://o",
    });
    expect(response.resource?.phase).toBe(Phase.RUNNING);
    expect(response.resource?.message).toBe("job j-1");
    expect(job.seen.get?.taskCategory.toString()).toBe("job_v0");
    expect(job.seen.get?.outputPrefix).toBe("s3://o");
  });

  test("falls back to the deprecated task_type at version 0", async () => {
    const response = await setup().service.getTask({ taskType: "job", resourceMeta: meta });
    expect(response.resource?.phase).toBe(Phase.RUNNING);
  });

  test("an undecodable meta is INVALID_ARGUMENT", async () => {
    const error = await rejection(
      setup().service.getTask({ taskCategory: { name: "job" }, resourceMeta: new TextEncoder().encode("{}") }),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("Cannot decode resource meta for task category job_v0: job_id is missing");
  });

  test("a Resource with no phase is INTERNAL, never an UNDEFINED phase", async () => {
    const { service } = setup(new JobConnector({ getResult: { message: "forgot the phase" } }));
    const error = await rejection(service.getTask({ taskCategory: { name: "job" }, resourceMeta: meta }));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toMatch(/^failed to get job task with error: /);
  });

  test("a plain ResourceInit object is accepted", async () => {
    const { service } = setup(new JobConnector({ getResult: { phase: Phase.SUCCEEDED } }));
    const response = await service.getTask({ taskCategory: { name: "job" }, resourceMeta: meta });
    expect(response.resource?.phase).toBe(Phase.SUCCEEDED);
  });

  test("a connector that outlives the deadline answers DEADLINE_EXCEEDED before it", async () => {
    const { service } = setup(new JobConnector({ hang: true }));
    const error = await rejection(
      service.getTask({ taskCategory: { name: "job" }, resourceMeta: meta }, { deadline: Date.now() + 400 }),
    );
    // A hang would hold the test until its own timeout: answering at all is answering in time.
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
  });

  test("a deadline already past answers DEADLINE_EXCEEDED without calling the connector", async () => {
    const { job, service } = setup();
    const error = await rejection(
      service.getTask({ taskCategory: { name: "job" }, resourceMeta: meta }, { deadline: Date.now() }),
    );
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(job.seen.get).toBeUndefined();
  });
});

describe("deleteTask", () => {
  test("calls delete with the decoded meta", async () => {
    const { job, service } = setup();
    const response = await service.deleteTask({ taskCategory: { name: "job" }, resourceMeta: meta });
    expect(response).toBeInstanceOf(admin.DeleteTaskResponse);
    expect(job.seen.deleted).toEqual(["j-1"]);
  });
});

describe("getTaskMetrics", () => {
  test("converts times and step for the connector", async () => {
    const { job, service } = setup();
    const response = await service.getTaskMetrics({
      taskCategory: { name: "job" },
      resourceMeta: meta,
      queries: ["cpu"],
      startTime: { seconds: 1_700_000_000, nanos: 5_000_000 },
      endTime: { seconds: 1_700_000_060 },
      step: { seconds: 30, nanos: 500_000_000 },
    });
    expect(response.results[0]?.metric).toBe("cpu");
    expect(job.seen.metrics?.queries).toEqual(["cpu"]);
    expect(job.seen.metrics?.startTime?.toISOString()).toBe("2023-11-14T22:13:20.005Z");
    expect(job.seen.metrics?.endTime?.toISOString()).toBe("2023-11-14T22:14:20.000Z");
    expect(job.seen.metrics?.step).toBe(30.5);
  });

  test("a time outside what a Timestamp allows is INVALID_ARGUMENT, not the connector's failure", async () => {
    const { job, service } = setup();
    for (const startTime of [{ seconds: 1e15 }, { seconds: -1e12 }, { seconds: 1_700_000_000, nanos: -1 }]) {
      const error = await rejection(service.getTaskMetrics({ taskCategory: { name: "job" }, resourceMeta: meta, startTime }));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.message).toMatch(/^GetTaskMetricsRequest start_time .* is not a Timestamp of the years 1 to 9999\.$/);
    }
    expect(job.seen.metrics).toBeUndefined();
  });

  test("a connector without metrics is UNIMPLEMENTED", async () => {
    const error = await rejection(setup().service.getTaskMetrics({ taskCategory: { name: "bare" }, resourceMeta: meta }));
    expect(error.code).toBe(Status.UNIMPLEMENTED);
  });

  test("an unknown connector is NOT_FOUND (flytekit answers UNKNOWN)", async () => {
    const error = await rejection(setup().service.getTaskMetrics({ taskCategory: { name: "zzz" }, resourceMeta: meta }));
    expect(error.code).toBe(Status.NOT_FOUND);
  });
});

describe("getTaskLogs", () => {
  test("streams one header with the token, then the lines in bodies", async () => {
    const { job, service } = setup();
    const messages = await service.getTaskLogs({ taskCategory: { name: "job" }, resourceMeta: meta, lines: 10, token: "t" });
    expect(messages[0]?.header?.token).toBe("next");
    expect(messages.slice(1).every((m) => m.body && !m.header)).toBe(true);
    expect(messages.slice(1).flatMap((m) => m.body?.results ?? [])).toHaveLength(2500);
    expect(messages).toHaveLength(4);
    expect(job.seen.logs).toMatchObject({ lines: 10, token: "t" });
  });

  test("a secret a log line quotes is redacted, as in every message answered", async () => {
    knownSecrets.add("log-line-secret-1f3a");
    const { service } = setup(new JobConnector({ logLines: ["connecting with token log-line-secret-1f3a", "done"] }));
    const messages = await service.getTaskLogs({ taskCategory: { name: "job" }, resourceMeta: meta });
    expect(messages.flatMap((m) => m.body?.results ?? [])).toEqual(["connecting with token [redacted]", "done"]);
  });

  test("LogLines keep their time and originator beside the text (flyte-sdk's get_logs: body.lines), redacted as text is", async () => {
    knownSecrets.add("log-line-secret-7c2e");
    const at = new Date("2026-12-07T10:00:00.123Z");
    const lines: (string | LogLine)[] = [{ message: "started", timestamp: at, originator: "system" }, { message: "token log-line-secret-7c2e", originator: "user" }, "plain"];
    const { service } = setup(new JobConnector({ logLines: lines }));
    const [, body] = await service.getTaskLogs({ taskCategory: { name: "job" }, resourceMeta: meta });
    expect(body!.body!.results).toEqual(["started", "token [redacted]", "plain"]);
    const structured = (body!.body!.structuredLines ?? []) as flyteidl.admin.LogLine[];
    expect(structured.map((line) => flyteidl.admin.LogLine.toObject(line, { longs: Number }))).toEqual([
      { message: "started", timestamp: { seconds: Date.parse("2026-12-07T10:00:00Z") / 1000, nanos: 123_000_000 }, originator: flyteidl.admin.LogLineOriginator.SYSTEM },
      { message: "token [redacted]", originator: flyteidl.admin.LogLineOriginator.USER },
      { message: "plain" },
    ]);
    // Text alone stays text alone: the lines' second form is made where a protocol wants it.
    const [, plain] = await setup().service.getTaskLogs({ taskCategory: { name: "job" }, resourceMeta: meta });
    expect(plain!.body!.structuredLines ?? []).toEqual([]);
  });

  test.each<[string, unknown]>([
    ["a line that is neither text nor a LogLine", 42],
    ["a LogLine without a message", { timestamp: new Date() }],
    ["an invalid timestamp", { message: "m", timestamp: new Date(Number.NaN) }],
    ["an unknown originator", { message: "m", originator: "kernel" }],
  ])("%s is the connector's failure, INTERNAL", async (_, line) => {
    const { service } = setup(new JobConnector({ logLines: [line as LogLine] }));
    const error = await rejection(service.getTaskLogs({ taskCategory: { name: "job" }, resourceMeta: meta }));
    expect(error.code).toBe(Status.INTERNAL);
  });

  test("a page the connector got wrong is its failure, INTERNAL with flytekit's message", async () => {
    const { service } = setup(new JobConnector({ logLines: "not a list" as unknown as string[] }));
    const error = await rejection(service.getTaskLogs({ taskCategory: { name: "job" }, resourceMeta: meta }));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toMatch(/^failed to get logs of job task with error: /);
  });

  test("a connector without logs is UNIMPLEMENTED", async () => {
    const error = await rejection(setup().service.getTaskLogs({ taskCategory: { name: "bare" }, resourceMeta: meta }));
    expect(error.code).toBe(Status.UNIMPLEMENTED);
  });
});

describe("executeTaskSync", () => {
  const outputs = { variables: { y: { type: { simple: core.SimpleType.FLOAT } } } };
  const header = (type = "double") =>
    new admin.ExecuteTaskSyncRequest({
      header: {
        template: template(type, { interface: { outputs } }),
        outputPrefix: "s3://o",
        taskExecutionMetadata: { namespace: "ns" },
      },
    });
  const inputs = new admin.ExecuteTaskSyncRequest({
    inputs: { literals: { x: { scalar: { primitive: { integer: 21 } } } } },
  });

  test("answers exactly one header with a terminal phase and outputs of the declared types", async () => {
    const { double, service } = setup();
    const [response, ...rest] = await service.executeTaskSync([header(), inputs]);
    expect(rest).toEqual([]);
    expect(response?.header?.resource?.phase).toBe(Phase.SUCCEEDED);
    // declared float, given the integer 42: converted as declared, never guessed
    expect(response?.header?.resource?.outputs?.literals?.y?.scalar?.primitive?.floatValue).toBe(42);
    expect(double.seen?.taskExecutionMetadata?.namespace).toBe("ns");
    expect(double.seen?.outputPrefix).toBe("s3://o");
  });

  test("header alone runs with no inputs", async () => {
    const [response] = await setup().service.executeTaskSync([header()]);
    expect(response?.header?.resource?.phase).toBe(Phase.SUCCEEDED);
  });

  test.each([
    ["no message", []],
    ["inputs first", [inputs, header()]],
    ["two headers", [header(), header()]],
    ["three messages", [header(), inputs, inputs]],
  ])("wrong kinds or counts are INVALID_ARGUMENT: %s", async (_, messages) => {
    const error = await rejection(setup().service.executeTaskSync(messages as flyteidl.admin.ExecuteTaskSyncRequest[]));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });

  test("an async connector is INVALID_ARGUMENT (flytekit answers INTERNAL)", async () => {
    const error = await rejection(setup().service.executeTaskSync([header("job"), inputs]));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("Connector for task category job_v0 is asynchronous: use CreateTask and GetTask.");
  });

  test("a phase from do that does not end the task is INTERNAL", async () => {
    const { service } = setup(undefined, new DoubleConnector(new Resource({ phase: Phase.RUNNING })));
    const error = await rejection(service.executeTaskSync([header(), inputs]));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toBe("failed to do double task with error: do returned the phase RUNNING, which does not end the task");
  });

  test("RETRYABLE_FAILED from do is answered as such: FlytePropeller retries the task on it", async () => {
    const { service } = setup(undefined, new DoubleConnector(new Resource({ phase: Phase.RETRYABLE_FAILED, message: "busy" })));
    const [response] = await service.executeTaskSync([header(), inputs]);
    expect({ phase: response?.header?.resource?.phase, message: response?.header?.resource?.message }).toEqual({ phase: Phase.RETRYABLE_FAILED, message: "busy" });
  });

  test("outputs that do not match the declared types are INTERNAL naming the output", async () => {
    const { service } = setup(
      undefined,
      new DoubleConnector(new Resource({ phase: Phase.SUCCEEDED, outputs: { y: "not a number" } })),
    );
    const error = await rejection(service.executeTaskSync([header(), inputs]));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toMatch(/^failed to do double task with error: .*"y"/);
  });
});

describe("metadata", () => {
  test("getAgent answers the aggregated metadata, NOT_FOUND for an unknown name", async () => {
    const { service } = setup();
    expect(service.getAgent({ name: "Double Connector" }).agent?.isSync).toBe(true);
    expect(() => service.getAgent({ name: "nope" })).toThrow("Cannot find connector for name: nope.");
  });

  test("listAgents lists every connector name", () => {
    const names = setup().service.listAgents().agents.map((a) => a.name);
    expect(names).toEqual(["Job Connector", "Double Connector", "Base Async Connector"]);
  });
});

describe("dispatch", () => {
  test("routes by operation name and wraps unary answers in one-element arrays", async () => {
    const { service } = setup();
    const [response] = await service.dispatch("listAgents", [new admin.ListAgentsRequest()]);
    expect(response).toBeInstanceOf(admin.ListAgentsResponse);
  });

  test("a unary operation given several messages is INVALID_ARGUMENT", async () => {
    const error = await rejection(
      setup().service.dispatch("listAgents", [new admin.ListAgentsRequest(), new admin.ListAgentsRequest()]),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("listAgents takes exactly one request message, got 2.");
  });
});

describe("a connector whose errors come from another copy of the package (a global CLI, a workspace)", () => {
  /** The errors module loaded a second time, as a second copy of the package would be. */
  const secondCopy = () => {
    // A path TypeScript does not resolve: the query makes it another module to vitest.
    const path = "../../lib/connector/errors.js?second-copy";
    return import(/* @vite-ignore */ path) as Promise<typeof import("../../lib/connector/errors.js")>;
  };

  test("its errors keep their status, as this copy's own do", async () => {
    const copy = await secondCopy();
    expect(copy.ConnectorError).not.toBe((await import("../../lib/connector/errors.js")).ConnectorError);
    class Failing extends SyncConnectorBase {
      constructor() {
        super({ name: "Failing", taskTypeName: "failing" });
      }
      do({ inputs }: TaskParams): Resource {
        const kind = inputs?.literals?.["kind"]?.scalar?.primitive?.stringValue;
        if (kind === "task") throw new copy.TaskFailedError("the job's query is wrong");
        throw new copy.FailedPreconditionError("secret X is missing");
      }
    }
    const service = new ConnectorService(new ConnectorRegistry().register(new Failing()));
    const run = (kind: string) =>
      service.executeTaskSync([{ header: { template: { type: "failing" } } }, { inputs: { literals: { kind: { scalar: { primitive: { stringValue: kind } } } } } }]);
    const [failed] = await run("task");
    expect(failed!.header?.resource).toMatchObject({ phase: Phase.FAILED, message: "the job's query is wrong" });
    const error = await rejection(run("precondition"));
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION, message: "secret X is missing" });
  });

  test("instanceof tells their classes apart as it does this copy's", async () => {
    const copy = await secondCopy();
    const errors = await import("../../lib/connector/errors.js");
    const theirs = new copy.TaskFailedError("x");
    expect([theirs instanceof errors.ConnectorError, theirs instanceof errors.TaskFailedError, theirs instanceof errors.InvalidArgumentError]).toEqual([true, true, false]);
    class AuthorError extends errors.ConnectorError {}
    expect(new copy.InternalError("y") instanceof AuthorError).toBe(false);
    // This copy's own errors go by their prototypes: an errorName another class has makes no instance of it.
    class Named extends errors.UnavailableError {
      static override readonly errorName: string = "TaskFailedError";
    }
    expect([new Named("n") instanceof errors.TaskFailedError, new Named("n") instanceof errors.UnavailableError]).toEqual([false, true]);
    expect(new Error("z") instanceof errors.ConnectorError).toBe(false);
  });
});
