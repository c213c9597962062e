/**
 * Warm per-op cost of one operation, in this process (one process per op, as in Lambda, so one
 * op's code paths do not deoptimize another's): the function's Lambda handler, the envelope
 * alone, and the floor — decoding the request(s) and encoding the response(s) with the same
 * generated code. Bundled like a function (bench/bundle.ts) and run with plain node; answers a
 * WarmReport on fd 3.
 *   node warm.mjs <op>
 * stdout takes what the handler prints (metrics, logs); the parent sends it to /dev/null.
 */
import { writeSync } from "node:fs";
import type { Context } from "aws-lambda";
import { lambdaContext } from "./lambda-context.mjs";
import { connectorOf, createTaskRequest, invokeEvent, requestsFor } from "../messages.js";
import type { Timing, WarmCase } from "../results.js";
import { percentile } from "../stats.js";
import { flyteidl } from "../../lib/idl/index.js";
import { isOperationName, operations, type Operation, type OperationName } from "../../lib/service/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import { handleInvocation, isInvokeFailure, type InvokeResult } from "../../lib/transport/envelope.js";
import { registry } from "../../functions/registry.js";
import { handler as createTask } from "../../functions/create-task.js";
import { handler as deleteTask } from "../../functions/delete-task.js";
import { handler as executeTaskSync } from "../../functions/execute-task-sync.js";
import { handler as getAgent } from "../../functions/get-agent.js";
import { handler as getTaskLogs } from "../../functions/get-task-logs.js";
import { handler as getTaskMetrics } from "../../functions/get-task-metrics.js";
import { handler as getTask } from "../../functions/get-task.js";
import { handler as listAgents } from "../../functions/list-agents.js";

/** Each op's function entry, as deployed. */
const HANDLERS: Record<OperationName, unknown> = {
  createTask,
  getTask,
  deleteTask,
  getTaskMetrics,
  getTaskLogs,
  executeTaskSync,
  getAgent,
  listAgents,
};

export interface WarmReport {
  readonly case: WarmCase;
  readonly metaBytes: number;
}

const WARMUP_MS = 300;
const MEASURE_MS = 1200;
const MAX_SAMPLES = 400_000;

const op = process.argv[2] ?? "";
if (!isOperationName(op)) throw new Error(`usage: warm.mjs <op>, got ${JSON.stringify(op)}`);
const operation: Operation = operations[op];
const handler = HANDLERS[op] as (event: unknown, context: Context) => Promise<InvokeResult>;

const service = new ConnectorService(registry);
const [created] = await service.dispatch("createTask", [flyteidl.admin.CreateTaskRequest.decode(createTaskRequest())]);
const meta = (created as flyteidl.admin.CreateTaskResponse).resourceMeta;

const requests = requestsFor(op, meta);
const event = invokeEvent(op, requests);
const deadline = () => ({ deadline: Date.now() + 30_000 });
const context = lambdaContext(op);

// The response(s) the op answers, decoded, for the floor to encode; none when it answers an error.
const reference = await handleInvocation(operation, event, service.dispatch, deadline());
const responses = isInvokeFailure(reference)
  ? []
  : ("messages" in reference ? reference.messages : [reference.body]).map((text) => operation.responseType.decode(Buffer.from(text, "base64")));

const floor = () => {
  for (const bytes of requests) operation.requestType.decode(bytes);
  for (const message of responses) operation.responseType.encode(message).finish();
};

const outcome = (result: InvokeResult) => (isInvokeFailure(result) ? result.error.status : "OK");
const viaHandler = await handler(event, context);
if (outcome(viaHandler) !== outcome(reference)) {
  throw new Error(`${op}: the handler answered ${JSON.stringify(viaHandler)}, the envelope ${JSON.stringify(reference)}`);
}

const report: WarmReport = {
  metaBytes: meta.byteLength,
  case: {
    op,
    connector: connectorOf(op),
    requestBytes: requests.reduce((sum, bytes) => sum + bytes.byteLength, 0),
    outcome: outcome(reference),
    floor: measureSync(floor),
    envelope: await measureAsync(() => handleInvocation(operation, event, service.dispatch, deadline())),
    handler: await measureAsync(() => handler(event, context)),
  },
};
writeSync(3, JSON.stringify(report));
process.exit(0);

/** Apart from measureAsync because an await per call would add a microtask turn to the floor. */
function measureSync(run: () => void): Timing {
  const samples = new Float64Array(MAX_SAMPLES);
  for (const stop = performance.now() + WARMUP_MS; performance.now() < stop; ) run();
  let count = 0;
  const started = performance.now();
  const stop = started + MEASURE_MS;
  while (count < MAX_SAMPLES) {
    const t = performance.now();
    if (t >= stop) break;
    run();
    samples[count++] = performance.now() - t;
  }
  return timing(samples.subarray(0, count), performance.now() - started);
}

async function measureAsync(run: () => Promise<unknown>): Promise<Timing> {
  const samples = new Float64Array(MAX_SAMPLES);
  for (const stop = performance.now() + WARMUP_MS; performance.now() < stop; ) await run();
  let count = 0;
  const started = performance.now();
  const stop = started + MEASURE_MS;
  while (count < MAX_SAMPLES) {
    const t = performance.now();
    if (t >= stop) break;
    await run();
    samples[count++] = performance.now() - t;
  }
  return timing(samples.subarray(0, count), performance.now() - started);
}

function timing(samplesMs: Float64Array, elapsedMs: number): Timing {
  const sorted = samplesMs.slice().sort();
  return {
    count: sorted.length,
    opsPerSec: (sorted.length / elapsedMs) * 1000,
    p50Us: percentile(sorted, 50) * 1000,
    p99Us: percentile(sorted, 99) * 1000,
  };
}
