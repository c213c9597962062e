/**
 * Load: the local stack (startLocalStack: the gRPC front and the HTTP routes, in this process, on
 * loopback) under many concurrent clients, gRPC and HTTP (protobuf and JSON), mixing every
 * operation — sleep tasks from create through GetTask polling, logs and metrics to delete, echo
 * through ExecuteTaskSync, a metered task's metrics, ListAgents and GetAgent, and requests that
 * must fail — for FLYTE_LOAD_SECONDS (default 60) after a warm-up.
 *
 * Every answer is checked against what it must be. The test asserts zero wrong answers, zero
 * unexpected errors, nothing logged by the stack, and a flat heap (after GC, the start of the
 * measured run against its end); it prints requests served and latency percentiles. Bounded:
 * by time, by MAX_REQUESTS, and by each call's deadline. It asserts no wall-clock figure.
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import Long from "long";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ConnectorClient } from "../../lib/client/client.js";
import { AsyncConnectorBase, type MetricsParams, type TaskParams } from "../../lib/connector/connector.js";
import { ConnectorError, Status, type StatusCode } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { Resource } from "../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { EchoConnector } from "../../lib/connectors/echo.js";
import { SleepConnector } from "../../lib/connectors/sleep.js";
import { flyteidl } from "../../lib/idl/index.js";
import { structFromJson, structToJson, toLiteralMap } from "../../lib/literals/index.js";
import { startLocalStack, type LocalStack } from "../../lib/local/local-stack.js";
import { operationNames } from "../../lib/service/operations.js";

const { core } = flyteidl;

/** The measured run; CI runs the default. */
const DURATION_S = positiveNumber("FLYTE_LOAD_SECONDS", 60);
/** The same load first, unmeasured: JIT, connection pools and channels settle before the baseline. */
const WARMUP_S = Math.min(5, DURATION_S);
const GRPC_CLIENTS = 32;
const HTTP_CLIENTS = 32;
/** A bound on the count, whatever the machine's speed. */
const MAX_REQUESTS = 5_000_000;
/** Every call's deadline, as FlytePropeller sends one: a stuck call fails instead of hanging the test. */
const CALL_TIMEOUT_MS = 30_000;
/**
 * Heap growth allowed between the two measurements, after GC. Measured: about +3 MB in the first
 * 20 s after warm-up, then flat for minutes (heap near 30 MB); a leak of 100 bytes per request
 * exceeds it within the default run.
 */
const HEAP_TOLERANCE_BYTES = 10 * 1024 * 1024;
/** How often each kind of work is picked: sleep lifecycles (FlytePropeller's GetTask polling) the most. */
const MIX = [
  ["sleep", 6],
  ["echo", 5],
  ["metadata", 4],
  ["gauge", 3],
  ["refused", 2],
] as const;

function positiveNumber(variable: string, fallback: number): number {
  const text = process.env[variable];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${variable} must be a positive number of seconds, got ${text}`);
  return value;
}

// --- A metered connector, so that getTaskMetrics has answers to check ---------------------------

const GaugeMeta = defineResourceMeta("GaugeMeta", { level: field.float() });
type GaugeMeta = InstanceType<typeof GaugeMeta>;

const gaugeOutputs = { level: { type: { simple: core.SimpleType.FLOAT } } };

/** Done at once with output `level` (its input); every metric query answers `{level}`. Stateless. */
class GaugeConnector extends AsyncConnectorBase<GaugeMeta> {
  constructor() {
    super({ name: "Gauge Connector", taskTypeName: "gauge", metadataType: GaugeMeta });
  }
  create({ inputs }: TaskParams) {
    return new GaugeMeta({ level: inputs?.literals?.level?.scalar?.primitive?.floatValue ?? 0 });
  }
  get(meta: GaugeMeta) {
    return new Resource({ phase: Phase.SUCCEEDED, outputs: toLiteralMap({ level: meta.level }, gaugeOutputs) });
  }
  delete() {}
  override getMetrics(meta: GaugeMeta, { queries }: MetricsParams) {
    return { results: queries.map((metric) => ({ metric, data: structFromJson({ level: meta.level }) })) };
  }
}

const registry = new ConnectorRegistry().register(new EchoConnector()).register(new SleepConnector()).register(new GaugeConnector());

// --- What each answer must be -------------------------------------------------------------------

class WrongAnswer extends Error {}

function check(condition: boolean, what: string, got: unknown): void {
  if (!condition) throw new WrongAnswer(`${what}: got ${JSON.stringify(got)}`);
}

const plain = (map: flyteidl.core.ILiteralMap | null | undefined) =>
  core.LiteralMap.toObject(core.LiteralMap.fromObject(map ?? {}), { longs: String });
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const template = (type: string, outputs: flyteidl.core.IVariableMap["variables"] = {}): flyteidl.core.ITaskTemplate => ({
  id: { resourceType: core.ResourceType.TASK, project: "load", domain: "development", name: `load.${type}`, version: "1" },
  type,
  interface: { outputs: { variables: outputs } },
});
const floatLiteral = (value: number) => ({ scalar: { primitive: { floatValue: value } } });
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Latencies in 0.1 ms buckets up to 10 s (one overflow bucket): constant memory, whatever the count. */
class Stats {
  readonly #buckets = new Uint32Array(100_001);
  served = 0;
  maxMs = 0;
  readonly byOperation = new Map<string, number>();
  readonly wrong: string[] = [];
  readonly unexpected: string[] = [];
  wrongCount = 0;
  unexpectedCount = 0;

  record(operation: string, ms: number): void {
    this.served++;
    this.maxMs = Math.max(this.maxMs, ms);
    this.#buckets[Math.min(this.#buckets.length - 1, Math.floor(ms * 10))]!++;
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }

  /** Keeps the first few of each kind for the failure message. */
  fail(error: unknown): void {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (error instanceof WrongAnswer) {
      if (this.wrongCount++ < 5) this.wrong.push(text);
    } else if (this.unexpectedCount++ < 5) this.unexpected.push(text);
  }

  percentileMs(p: number): number {
    const rank = Math.ceil(this.served * p);
    let seen = 0;
    for (let i = 0; i < this.#buckets.length; i++) {
      seen += this.#buckets[i]!;
      if (seen >= rank) return (i + 1) / 10;
    }
    return this.maxMs;
  }
}

/** One simulated caller: its client, and the work it repeats. */
class VirtualClient {
  constructor(
    readonly client: ConnectorClient,
    readonly stats: () => Stats,
  ) {}

  /** Times one call, under its deadline, and counts it served. */
  async #call<T>(operation: string, call: (options: { deadline: number }) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call({ deadline: Date.now() + CALL_TIMEOUT_MS });
    } finally {
      this.stats().record(operation, performance.now() - started);
    }
  }

  /** A call that must fail with `code` and a matching message: that failure is its right answer. */
  async #failure(operation: string, call: (options: { deadline: number }) => Promise<unknown>, code: StatusCode, message: RegExp) {
    const error = await this.#call(operation, call).then(
      (answer) => new WrongAnswer(`${operation} should have failed: got ${JSON.stringify(answer)}`),
      (caught: unknown) => caught,
    );
    if (error instanceof WrongAnswer) throw error;
    // Another status is the service answering wrongly; anything else (a transport failure) is unexpected.
    if (!(error instanceof ConnectorError) || error.code === Status.UNAVAILABLE || error.code === Status.DEADLINE_EXCEEDED) throw error;
    check(error.code === code && message.test(error.message), `${operation} failure`, { code: error.code, message: error.message });
  }

  async sleep(): Promise<void> {
    const seconds = pick([0, 0.05, 0.3, 1.2]);
    const taskCategory = { name: "sleep", version: 0 };
    const createdFrom = Date.now();
    const { resourceMeta } = await this.#call("createTask", (options) =>
      this.client.createTask({ template: template("sleep"), inputs: { literals: { seconds: floatLiteral(seconds) } } }, options),
    );
    const createdUntil = Date.now();
    check((resourceMeta?.length ?? 0) > 0, "sleep meta", resourceMeta);
    const task = { taskCategory, resourceMeta };

    for (;;) {
      const askedFrom = Date.now();
      const { resource } = await this.#call("getTask", (options) => this.client.getTask(task, options));
      const answeredAt = Date.now();
      if (resource?.phase === Phase.RUNNING) {
        // RUNNING only while the task's end may still be ahead (one clock: this process's).
        check(askedFrom < createdUntil + seconds * 1000 + 1, "sleep RUNNING past its end", { seconds, waited: askedFrom - createdUntil });
        check(/^Sleeping, \d+\.\d s left\.$/.test(resource.message ?? ""), "sleep RUNNING message", resource.message);
        check(resource.outputs == null, "sleep RUNNING outputs", resource.outputs);
        await pause(50);
        continue;
      }
      check(resource?.phase === Phase.SUCCEEDED, "sleep phase", resource?.phase);
      check(answeredAt >= createdFrom + seconds * 1000 - 1, "sleep SUCCEEDED before its end", { seconds, waited: answeredAt - createdFrom });
      check(resource?.message === `Slept ${seconds} s.`, "sleep SUCCEEDED message", resource?.message);
      check(same(plain(resource?.outputs), { literals: { seconds: floatLiteral(seconds) } }), "sleep outputs", resource?.outputs);
      break;
    }

    const logs = await this.#call("getTaskLogs", (options) => this.client.getTaskLogs({ ...task, lines: 10 }, options));
    const lines = Array.from({ length: Math.floor(seconds) }, (_, i) => `slept ${i + 1} of ${seconds} s`);
    check(logs.token === "" && same(logs.lines, lines), "sleep logs", logs);

    await this.#failure(
      "getTaskMetrics",
      (options) => this.client.getTaskMetrics({ ...task, queries: ["cpu"] }, options),
      Status.UNIMPLEMENTED,
      /^Connector for task category sleep_v0 does not provide metrics\.$/,
    );
    const deleted = await this.#call("deleteTask", (options) => this.client.deleteTask(task, options));
    check(same(flyteidl.admin.DeleteTaskResponse.toObject(deleted), {}), "deleteTask answer", deleted);
  }

  async echo(): Promise<void> {
    const inputs = {
      literals: {
        n: { scalar: { primitive: { integer: pick([0, 7, -42, 2 ** 40, Long.fromString("9007199254740993")]) } } },
        s: { scalar: { primitive: { stringValue: pick(["", "load", "héllo, wörld", "🚀".repeat(50)]) } } },
        x: floatLiteral(Math.random()),
      },
    };
    const resource = await this.#call("executeTaskSync", (options) => this.client.executeTaskSync({ template: template("echo") }, inputs, options));
    check(resource.phase === Phase.SUCCEEDED, "echo phase", resource.phase);
    check(same(plain(resource.outputs), plain(inputs)), "echo outputs", { sent: plain(inputs), got: plain(resource.outputs) });
  }

  async gauge(): Promise<void> {
    const level = Math.round(Math.random() * 1e6) / 100;
    const { resourceMeta } = await this.#call("createTask", (options) =>
      this.client.createTask({ template: template("gauge", gaugeOutputs), inputs: { literals: { level: floatLiteral(level) } } }, options),
    );
    const task = { taskCategory: { name: "gauge", version: 0 }, resourceMeta };
    const { resource } = await this.#call("getTask", (options) => this.client.getTask(task, options));
    check(resource?.phase === Phase.SUCCEEDED, "gauge phase", resource?.phase);
    check(same(plain(resource?.outputs), { literals: { level: floatLiteral(level) } }), "gauge outputs", resource?.outputs);
    const queries = pick([["cpu"], ["cpu", "memory", "disk"]]);
    const { results } = await this.#call("getTaskMetrics", (options) => this.client.getTaskMetrics({ ...task, queries }, options));
    const got = (results ?? []).map((result) => [result.metric, result.data ? structToJson(result.data) : null]);
    check(same(got, queries.map((metric) => [metric, { level }])), "gauge metrics", got);
    await this.#call("deleteTask", (options) => this.client.deleteTask(task, options));
  }

  async metadata(): Promise<void> {
    const agents = await this.#call("listAgents", (options) => this.client.listAgents(options));
    const listed = agents.map((agent) => [agent.name, agent.isSync, (agent.supportedTaskCategories ?? []).map((c) => `${c.name}_v${c.version ?? 0}`)]);
    check(same(listed, EXPECTED_AGENTS), "listAgents", listed);
    const [name, isSync, categories] = pick(EXPECTED_AGENTS);
    const agent = await this.#call("getAgent", (options) => this.client.getAgent(name, options));
    const described = [agent.name, agent.isSync, (agent.supportedTaskCategories ?? []).map((c) => `${c.name}_v${c.version ?? 0}`)];
    check(same(described, [name, isSync, categories]), "getAgent", described);
  }

  /** Requests that must fail, with the contract's status and message. */
  async refused(): Promise<void> {
    await this.#failure(
      "getAgent",
      (options) => this.client.getAgent("No Such Connector", options),
      Status.NOT_FOUND,
      /^Cannot find connector for name: No Such Connector\.$/,
    );
    await this.#failure(
      "createTask",
      (options) => this.client.createTask({ template: template("no-such-type") }, options),
      Status.NOT_FOUND,
      /^Cannot find connector for task category: no-such-type_v0\. Task categories served: echo_v0, sleep_v0, gauge_v0\.$/,
    );
    await this.#failure(
      "getTask",
      (options) => this.client.getTask({ taskCategory: { name: "sleep", version: 0 }, resourceMeta: new TextEncoder().encode("{not json") }, options),
      Status.INVALID_ARGUMENT,
      /^Cannot decode resource meta for task category sleep_v0: /,
    );
  }

  /** Until `until` (epoch ms) or the request bound; a failure is counted, and the client goes on. */
  async run(until: number): Promise<void> {
    const work = MIX.flatMap(([kind, weight]) => Array<(typeof MIX)[number][0]>(weight).fill(kind));
    while (Date.now() < until && this.stats().served < MAX_REQUESTS) {
      await this[pick(work)]().catch((error: unknown) => this.stats().fail(error));
    }
  }
}

const EXPECTED_AGENTS: readonly [string, boolean, string[]][] = [
  ["Echo Connector", true, ["echo_v0"]],
  ["Sleep Connector", false, ["sleep_v0"]],
  ["Gauge Connector", false, ["gauge_v0"]],
];

// --- The run ------------------------------------------------------------------------------------

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** heapUsed once garbage is collected, finalizers run, and collected again. */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await pause(50);
  }
  return process.memoryUsage().heapUsed;
}

let stack: LocalStack;
const logged: string[] = [];
const clients: ConnectorClient[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    registry,
    host: "127.0.0.1",
    grpcPort: 0,
    httpPort: 0,
    logger: { info: () => undefined, error: (message) => logged.push(message) },
  });
  // Each gRPC client has its own channel (a connection each), as separate FlytePropeller replicas would.
  for (let i = 0; i < GRPC_CLIENTS; i++) clients.push(ConnectorClient.grpc({ address: stack.grpcAddress, retry: { attempts: 1 } }));
  for (let i = 0; i < HTTP_CLIENTS; i++) {
    clients.push(ConnectorClient.http({ baseUrl: stack.httpUrl!, format: i % 2 === 0 ? "protobuf" : "json", retry: { attempts: 1 } }));
  }
});

afterAll(async () => {
  for (const client of clients) client.close();
  await stack?.close();
});

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

test(
  `the local stack under ${GRPC_CLIENTS + HTTP_CLIENTS} concurrent clients for ${DURATION_S} s: every answer right, heap flat`,
  async () => {
    let stats = new Stats();
    const virtual = clients.map((client) => new VirtualClient(client, () => stats));
    const runFor = (seconds: number) => Promise.all(virtual.map((client) => client.run(Date.now() + seconds * 1000)));

    await runFor(WARMUP_S);
    const warmup = stats;
    stats = new Stats();
    const heapBefore = await settledHeap();

    const started = performance.now();
    await runFor(DURATION_S);
    const elapsedS = (performance.now() - started) / 1000;
    const heapAfter = await settledHeap();

    const operations = [...stats.byOperation].map(([name, count]) => `${name} ${count}`).join(", ");
    console.log(
      [
        `load: ${stats.served} requests in ${elapsedS.toFixed(1)} s (${Math.round(stats.served / elapsedS)}/s), ` +
          `${GRPC_CLIENTS} gRPC + ${HTTP_CLIENTS} HTTP clients, after a ${WARMUP_S} s warm-up of ${warmup.served}`,
        `  latency p50 ${stats.percentileMs(0.5)} ms, p99 ${stats.percentileMs(0.99)} ms, max ${stats.maxMs.toFixed(1)} ms`,
        `  heap after GC ${mb(heapBefore)} MB -> ${mb(heapAfter)} MB`,
        `  ${operations}`,
        `  wrong answers ${stats.wrongCount + warmup.wrongCount}, unexpected errors ${stats.unexpectedCount + warmup.unexpectedCount}`,
      ].join("\n"),
    );

    expect([...warmup.wrong, ...stats.wrong]).toEqual([]);
    expect([...warmup.unexpected, ...stats.unexpected]).toEqual([]);
    expect(logged).toEqual([]);
    // Every operation was exercised.
    expect([...stats.byOperation.keys()].sort()).toEqual([...operationNames].sort());
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_TOLERANCE_BYTES);
  },
  (WARMUP_S + DURATION_S + 120) * 1000,
);
