/**
 * The gRPC front's Prometheus metrics, scraped over HTTP after real gRPC calls: flytekit's series
 * with flytekit's names, help, types and labels, and ours per operation.
 *
 * flytekit v1.16.24, flytekit/extend/backend/connector_service.py: the metric block (metric_prefix
 * to input_literal_size, lines 38-60), record_connector_metrics (task_type from template.type on
 * create, from task_type or task_category.name on get and delete; input_literal_bytes observed
 * when the request has inputs), _handle_exception (error_code is an HTTP status), and
 * ExecuteTaskSync (operation "do"). flyte-sdk 7e2d423 src/flyte/connectors/_server.py repeats the
 * same block.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createGrpcDispatch, type GrpcDispatch } from "../../lib/client/grpc-transport.js";
import { AsyncConnectorBase } from "../../lib/connector/connector.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { EchoConnector } from "../../lib/connectors/echo.js";
import { SleepConnector } from "../../lib/connectors/sleep.js";
import { flyteidl } from "../../lib/idl/index.js";
import { flyteidl2Operations } from "../../lib/service/flyteidl2/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import { startGrpcServer, type GrpcServer } from "../../lib/transport/grpc/index.js";
import { createFrontMetrics, startMetricsServer, type MetricsServer } from "../../lib/transport/grpc/metrics.js";
import { MAX_TASK_TYPE_LABEL_CHARS } from "../../lib/limits.js";
import { BUILD_DIR, buildFunctions } from "../support/build.js";
import { echoSyncRequests, fromJson, SLEEP_CATEGORY, sleepCreateRequest } from "../support/demo-requests.js";

const { admin } = flyteidl;

const BrokenMeta = defineResourceMeta("BrokenMeta", { id: field.string() });

/** A connector with a bug: what it throws is no ConnectorError, so the caller gets INTERNAL. */
class BrokenConnector extends AsyncConnectorBase<InstanceType<typeof BrokenMeta>> {
  constructor() {
    super({ name: "Broken Connector", taskTypeName: "broken", metadataType: BrokenMeta });
  }
  create(): never {
    throw new TypeError("undefined is not a function");
  }
  get(): never {
    throw new TypeError("unreachable");
  }
  delete(): void {}
}

let server: GrpcServer;
let metricsServer: MetricsServer;
let client: GrpcDispatch;
let createRequest: flyteidl.admin.ICreateTaskRequest;

beforeAll(async () => {
  const registry = new ConnectorRegistry().register(new SleepConnector()).register(new EchoConnector()).register(new BrokenConnector());
  const metrics = createFrontMetrics({ processMetrics: false });
  const dispatch = metrics.instrument(new ConnectorService(registry, { logger: { error() {} } }).dispatch);
  server = await startGrpcServer({ dispatch, host: "127.0.0.1", port: 0, logger: { error() {} } });
  metricsServer = await startMetricsServer(metrics.registry, { host: "127.0.0.1", port: 0 });
  client = createGrpcDispatch({ address: server.address, deadlineMs: 10_000 });

  createRequest = fromJson(admin.CreateTaskRequest, sleepCreateRequest(0));
  const [created] = (await client("createTask", [createRequest])) as flyteidl.admin.CreateTaskResponse[];
  const resourceMeta = created!.resourceMeta;
  await client("getTask", [new admin.GetTaskRequest({ taskCategory: SLEEP_CATEGORY, resourceMeta })]);
  await client("getTask", [new admin.GetTaskRequest({ taskCategory: SLEEP_CATEGORY, resourceMeta })]);
  // The deprecated task_type field, as FlytePropeller before 1.11 sends it.
  await client("deleteTask", [new admin.DeleteTaskRequest({ taskType: "sleep", resourceMeta })]);
  await client("executeTaskSync", echoSyncRequests().map((json) => fromJson(admin.ExecuteTaskSyncRequest, json)));
  await client("listAgents", [new admin.ListAgentsRequest()]);
  // The Flyte 2 executor's GetTask (flyteidl2.connector), counted with Flyte 1's as flyte-sdk counts it.
  const getTask2 = flyteidl2Operations.getTask.requestType.fromObject({ taskCategory: { name: "sleep", version: 0 }, resourceMeta });
  await client("getTask", [getTask2], { protocol: "flyteidl2" });
  await expect(client("getTask", [new admin.GetTaskRequest({ taskCategory: { name: "nope", version: 0 }, resourceMeta })])).rejects.toThrow();
  await expect(client("createTask", [fromJson(admin.CreateTaskRequest, sleepCreateRequest(0, "broken"))])).rejects.toThrow();
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await metricsServer?.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(metricsServer.url);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample line, e.g. `name{a="b"}`; undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test("flytekit's series have flytekit's names, help and types", async () => {
  const text = await scrape();
  for (const [name, help, type] of [
    ["flyte_connector_requests_success_total", "Total number of successful requests", "counter"],
    ["flyte_connector_requests_failure_total", "Total number of failed requests", "counter"],
    ["flyte_connector_request_latency_seconds", "Time spent processing connector request", "summary"],
    ["flyte_connector_input_literal_bytes", "Size of input literal", "summary"],
  ]) {
    expect(text).toContain(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
  }
  // Summaries without quantiles, as prometheus_client's Summary: only _sum and _count.
  expect(text).not.toMatch(/^flyte_connector_(request_latency_seconds|input_literal_bytes)\{[^}]*quantile=/m);
});

test("success, failure and latency are labelled by task type and flytekit's operation", async () => {
  const text = await scrape();
  expect(sample(text, 'flyte_connector_requests_success_total{task_type="sleep",operation="create"}')).toBe(1);
  expect(sample(text, 'flyte_connector_requests_success_total{task_type="sleep",operation="get"}')).toBe(3);
  expect(sample(text, 'flyte_connector_requests_success_total{task_type="sleep",operation="delete"}')).toBe(1);
  expect(sample(text, 'flyte_connector_requests_success_total{task_type="echo",operation="do"}')).toBe(1);
  // error_code is an HTTP status, as flytekit's HTTPStatus.NOT_FOUND / INTERNAL_SERVER_ERROR.
  expect(sample(text, 'flyte_connector_requests_failure_total{task_type="nope",operation="get",error_code="404"}')).toBe(1);
  expect(sample(text, 'flyte_connector_requests_failure_total{task_type="broken",operation="create",error_code="500"}')).toBe(1);
  expect(sample(text, 'flyte_connector_request_latency_seconds_count{task_type="sleep",operation="get"}')).toBe(3);
  expect(sample(text, 'flyte_connector_request_latency_seconds_count{task_type="nope",operation="get"}')).toBe(1);
  expect(sample(text, 'flyte_connector_request_latency_seconds_sum{task_type="sleep",operation="get"}')).toBeGreaterThan(0);
  // ListAgents is not one of flytekit's four operations.
  expect(text).not.toMatch(/^flyte_connector_request[^\n]*operation="(listAgents|list)"/m);
});

test("task_type labels are bounded: types beyond the first kept, or too long to be one, count as other", async () => {
  const metrics = createFrontMetrics({ processMetrics: false, maxTaskTypes: 2 });
  const dispatch = metrics.instrument(new ConnectorService(new ConnectorRegistry().register(new SleepConnector()), { logger: { error() {} } }).dispatch);
  for (const name of ["sleep", "a", "b", "sleep", "x".repeat(MAX_TASK_TYPE_LABEL_CHARS + 1)]) {
    await dispatch("getTask", [new admin.GetTaskRequest({ taskCategory: { name, version: 0 } })]).catch(() => undefined);
  }
  const text = await metrics.registry.metrics();
  const types = [...text.matchAll(/^flyte_connector_request_latency_seconds_count\{task_type="([^"]*)"/gm)].map((m) => m[1]);
  expect(types.sort()).toEqual(["a", "other", "sleep"]);
  expect(sample(text, 'flyte_connector_request_latency_seconds_count{task_type="other",operation="get"}')).toBe(2);
});

test("input_literal_bytes observes the inputs' encoded size on create", async () => {
  const text = await scrape();
  const inputs = flyteidl.core.LiteralMap.encode(createRequest.inputs!).finish();
  expect(sample(text, 'flyte_connector_input_literal_bytes_count{task_type="sleep"}')).toBe(1);
  expect(sample(text, 'flyte_connector_input_literal_bytes_sum{task_type="sleep"}')).toBe(inputs.byteLength);
});

test("every operation is counted by gRPC status, timed and gauged while in flight", async () => {
  const text = await scrape();
  expect(sample(text, 'flyte_connector_front_requests_total{rpc="listAgents",code="OK",protocol="flyteidl"}')).toBe(1);
  expect(sample(text, 'flyte_connector_front_requests_total{rpc="getTask",code="OK",protocol="flyteidl"}')).toBe(2);
  expect(sample(text, 'flyte_connector_front_requests_total{rpc="getTask",code="OK",protocol="flyteidl2"}')).toBe(1);
  expect(sample(text, 'flyte_connector_front_requests_total{rpc="getTask",code="NOT_FOUND",protocol="flyteidl"}')).toBe(1);
  expect(sample(text, 'flyte_connector_front_requests_total{rpc="createTask",code="INTERNAL",protocol="flyteidl"}')).toBe(1);
  expect(sample(text, 'flyte_connector_front_request_duration_seconds_count{rpc="getTask"}')).toBe(4);
  expect(sample(text, 'flyte_connector_front_request_duration_seconds_bucket{le="+Inf",rpc="executeTaskSync"}')).toBe(1);
  expect(sample(text, 'flyte_connector_front_requests_in_flight{rpc="getTask"}')).toBe(0);
});

test("the metrics server answers only GET /metrics", async () => {
  expect((await fetch(metricsServer.url.replace("/metrics", "/"))).status).toBe(404);
  expect((await fetch(metricsServer.url, { method: "POST" })).status).toBe(404);
});

test("process metrics are on by default", async () => {
  const text = await createFrontMetrics().registry.metrics();
  expect(text).toContain("# TYPE process_cpu_seconds_total counter");
});

test("prom-client and this module stay out of the Lambda functions", async () => {
  await buildFunctions();
  const { inputs } = JSON.parse(readFileSync(join(BUILD_DIR, "meta.json"), "utf8")) as { inputs: Record<string, unknown> };
  expect(Object.keys(inputs).length).toBeGreaterThan(0);
  expect(Object.keys(inputs).filter((path) => path.includes("node_modules/prom-client") || path.endsWith("lib/transport/grpc/metrics.ts"))).toEqual([]);
}, 120_000);
