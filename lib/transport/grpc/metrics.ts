/**
 * Prometheus metrics of the gRPC front, served on a port of their own (`serve --metrics-port`).
 *
 * The `flyte_connector_*` series are flytekit's and flyte-sdk's, name for name, label for label
 * (flytekit/extend/backend/connector_service.py at v1.16.24, lines 37-57 and record_connector_metrics;
 * flyte-sdk src/flyte/connectors/_server.py, the same block), so dashboards built for
 * `pyflyte serve connector` keep working: only CreateTask, GetTask, DeleteTask and ExecuteTaskSync
 * are counted there, failures carry an HTTP status as `error_code`; Flyte 2's calls count there
 * too, as flyte-sdk's do. Beside them, every operation the front dispatches is counted by gRPC
 * status and protocol, timed in a histogram (the summary has no quantiles, as flytekit's) and
 * gauged while in flight.
 *
 * Only the front imports this module: prom-client stays out of the Lambda functions.
 */
import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from "prom-client";
import { ConnectorError, Status, statusName } from "../../connector/errors.js";
import { MAX_TASK_TYPE_LABEL_CHARS, MAX_TASK_TYPE_LABELS } from "../../limits.js";
import type { Dispatch } from "../../service/operations.js";
import { httpStatusOf } from "../http/errors.js";
import { dialableHost, hostForUrl } from "../addresses.js";

/** flytekit's `operation` label of the four operations it measures. */
const FLYTEKIT_OPERATIONS: Readonly<Record<string, string>> = {
  createTask: "create",
  getTask: "get",
  deleteTask: "delete",
  executeTaskSync: "do",
};

/** The task_type label of the types beyond MAX_TASK_TYPE_LABELS (or longer than MAX_TASK_TYPE_LABEL_CHARS). */
const OTHER_TASK_TYPE = "other";

/** Seconds; FlytePropeller's deadlines are 3 s to 10 s, and a cold start lands around 0.1 to 1 s. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface FrontMetrics {
  readonly registry: Registry;
  /** The same dispatch, measured. */
  instrument(dispatch: Dispatch): Dispatch;
}

export interface FrontMetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag), as prometheus_client exports Python's. Default true. */
  readonly processMetrics?: boolean;
  /** Distinct task_type label values kept (default MAX_TASK_TYPE_LABELS). */
  readonly maxTaskTypes?: number;
}

export function createFrontMetrics(options: FrontMetricsOptions = {}): FrontMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const success = new Counter({
    name: "flyte_connector_requests_success_total",
    help: "Total number of successful requests",
    labelNames: ["task_type", "operation"] as const,
    registers,
  });
  const failure = new Counter({
    name: "flyte_connector_requests_failure_total",
    help: "Total number of failed requests",
    labelNames: ["task_type", "operation", "error_code"] as const,
    registers,
  });
  const latency = new Summary({
    name: "flyte_connector_request_latency_seconds",
    help: "Time spent processing connector request",
    labelNames: ["task_type", "operation"] as const,
    percentiles: [],
    registers,
  });
  const inputBytes = new Summary({
    name: "flyte_connector_input_literal_bytes",
    help: "Size of input literal",
    labelNames: ["task_type"] as const,
    percentiles: [],
    registers,
  });
  const calls = new Counter({
    name: "flyte_connector_front_requests_total",
    help: "Calls the gRPC front dispatched, by operation, gRPC status and protocol (flyteidl or flyteidl2)",
    labelNames: ["rpc", "code", "protocol"] as const,
    registers,
  });
  const duration = new Histogram({
    name: "flyte_connector_front_request_duration_seconds",
    help: "Time from a call's dispatch to its answer, by operation",
    labelNames: ["rpc"] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const inFlight = new Gauge({
    name: "flyte_connector_front_requests_in_flight",
    help: "Calls dispatched and not yet answered, by operation",
    labelNames: ["rpc"] as const,
    registers,
  });

  const taskTypeLabel = boundedLabel(options.maxTaskTypes ?? MAX_TASK_TYPE_LABELS);
  const instrument =
    (dispatch: Dispatch): Dispatch =>
    async (name, requests, dispatchOptions) => {
      const operation = FLYTEKIT_OPERATIONS[name];
      const taskType = operation === undefined ? "" : taskTypeLabel(taskTypeOf(operation, requests));
      if (operation === "create") {
        const bytes = inputLiteralBytes(requests[0]);
        if (bytes !== undefined) inputBytes.observe({ task_type: taskType }, bytes);
      }
      inFlight.inc({ rpc: name });
      const started = process.hrtime.bigint();
      let code: number = Status.OK;
      try {
        const responses = await dispatch(name, requests, dispatchOptions);
        if (operation !== undefined) success.inc({ task_type: taskType, operation });
        return responses;
      } catch (error) {
        // Anything but a ConnectorError is answered INTERNAL by the transports.
        code = error instanceof ConnectorError ? error.code : Status.INTERNAL;
        if (operation !== undefined) failure.inc({ task_type: taskType, operation, error_code: String(httpStatusOf(code)) });
        throw error;
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        inFlight.dec({ rpc: name });
        duration.observe({ rpc: name }, seconds);
        calls.inc({ rpc: name, code: statusName(code), protocol: dispatchOptions?.protocol ?? "flyteidl" });
        if (operation !== undefined) latency.observe({ task_type: taskType, operation }, seconds);
      }
    };

  return { registry, instrument };
}

/** A task type as a label: itself while few enough types were seen and it is short enough, else "other". */
function boundedLabel(max: number): (taskType: string) => string {
  const seen = new Set<string>();
  return (taskType) => {
    if (seen.has(taskType)) return taskType;
    if (seen.size >= max || taskType.length > MAX_TASK_TYPE_LABEL_CHARS) return OTHER_TASK_TYPE;
    seen.add(taskType);
    return taskType;
  };
}

/** flytekit's task_type: the template's type on create and do; the request's task type or category on get and delete. */
function taskTypeOf(operation: string, requests: readonly object[]): string {
  const first = requests[0] as Partial<Record<string, unknown>> | undefined;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const field = (value: unknown, key: string) =>
    typeof value === "object" && value !== null ? (value as Partial<Record<string, unknown>>)[key] : undefined;
  switch (operation) {
    case "create":
      return text(field(first?.template, "type"));
    case "do":
      return text(field(field(first?.header, "template"), "type"));
    default:
      return text(first?.taskType) || text(field(first?.taskCategory, "name"));
  }
}

/** Bytes of a CreateTaskRequest's inputs as encoded on the wire (protobufjs messages carry their type). */
function inputLiteralBytes(request: object | undefined): number | undefined {
  const inputs = (request as { inputs?: unknown } | undefined)?.inputs;
  if (typeof inputs !== "object" || inputs === null) return undefined;
  const type = (inputs as { $type?: { encode?: (message: object) => { finish(): Uint8Array } } }).$type;
  return type?.encode ? type.encode(inputs).finish().byteLength : undefined;
}

export interface MetricsServer {
  readonly port: number;
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (Prometheus text format); anything else is 404. */
export async function startMetricsServer(registry: Registry, options: { readonly host: string; readonly port: number }): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== "GET" || (request.url ?? "").split("?")[0] !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found: metrics are at GET /metrics.\n");
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `http://${hostForUrl(dialableHost(options.host))}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
