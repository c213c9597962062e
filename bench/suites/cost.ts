/**
 * Suite 6: cost, scale and end to end (issue 15). Measures what the cost model
 * (cost-model.ts) needs and what the production topology answers on this machine:
 *   - per operation of FlytePropeller's call pattern, the function's warm handler time (the warm
 *     suite's child) and its cold start, INIT and first answer (the cold-start suite's child, on
 *     the deployed build), at the memory serverless.yml gives it;
 *   - the gRPC front as the image runs it (infra/build-front.mjs's bundle under a bare node), in
 *     front of the functions under `serverless offline` (Lambda transport) and in front of the
 *     in-process backend: latency per operation as a client sees it, one call at a time, and the
 *     front's own CPU per call (its process_cpu_seconds_total, from its metrics port);
 *   - the front pod's requests, from infra/k8s/deployment.yaml, for what Fargate bills.
 * The prices are applied when BENCHMARKS.md is rendered (cost-report.ts).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseDocument } from "yaml";
import { buildFunctions, bundleChild } from "../bundle.js";
import { runChild } from "../child.js";
import type { WarmReport } from "../children/warm.js";
import { lambdaEnvironment } from "../children/lambda-context.mjs";
import { currentRun } from "../machine.js";
import { invokeEvent, requestsFor } from "../messages.js";
import { CHILDREN_DIR, DEPS_DIR, ROOT } from "../paths.js";
import type { RunInfo } from "../results.js";
import { summarize } from "../stats.js";
import { registry } from "../../functions/registry.js";
import { createGrpcDispatch } from "../../lib/client/grpc-transport.js";
import { flyteidl } from "../../lib/idl/index.js";
import { operations, type OperationName } from "../../lib/service/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import { isInvokeFailure } from "../../lib/transport/envelope.js";
import { startServerlessOffline } from "../../test/support/serverless-offline.js";

/** The operations FlytePropeller (Flyte 1) calls, and ExecuteTaskSync for sync connectors. */
export const COST_OPS = ["createTask", "getTask", "deleteTask", "listAgents", "executeTaskSync"] as const satisfies readonly OperationName[];
type CostOp = (typeof COST_OPS)[number];

const COLD_RUNS = 9;
/** Calls per operation and backend, after the warm-up: serverless offline answers in milliseconds, in-process in microseconds. */
const E2E_CALLS = { offline: 200, "in-process": 1000 } as const;
const E2E_WARMUP = { offline: 20, "in-process": 200 } as const;
const LOAD_STREAMS = 16;
const LOAD_CALLS = { offline: 2_000, "in-process": 20_000 } as const;
const LOAD_WARMUP = { offline: 200, "in-process": 2_000 } as const;
export type E2eBackend = keyof typeof E2E_CALLS;

export interface CostOperation {
  readonly op: string;
  /** serverless.yml: the function's memorySize, or the provider's. */
  readonly memoryMb: number;
  /** The function's handler, warm, median (the warm suite's "handler"). */
  readonly warmMs: number;
  /** Process start to the first answer (INIT and the invocation), median of `coldRuns`. */
  readonly coldMs: number;
  readonly coldRuns: number;
}

export interface E2eCase {
  readonly backend: E2eBackend;
  readonly op: string;
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The front process's CPU (user + system) over the measured calls, per call. */
  readonly frontCpuUsPerCall: number;
}

/** The front under load: GetTask calls kept in flight on one HTTP/2 connection (bench/children/grpc-load.mjs, its http2 client). */
export interface FrontLoadCase {
  readonly backend: E2eBackend;
  readonly op: string;
  readonly streams: number;
  readonly calls: number;
  readonly errors: number;
  readonly perSec: number;
  /** The front's CPU over the run, warm-up included, per call: what sizes a replica. */
  readonly frontCpuUsPerCall: number;
}

export interface CostResult {
  readonly run: RunInfo;
  readonly operations: readonly CostOperation[];
  /** infra/k8s/deployment.yaml: the front container's requests and the replicas. */
  readonly frontPod: { readonly cpu: string; readonly memory: string; readonly replicas: number };
  /** The front's resident memory after the runs, the largest of the two backends. */
  readonly frontRssMiB: number;
  readonly e2e: readonly E2eCase[];
  readonly load: readonly FrontLoadCase[];
}

export async function runCost(): Promise<CostResult> {
  const run = currentRun();
  const bundles = buildFunctions();
  const meta = await sleepMeta();

  const warm = new Map<string, number>();
  const warmChild = await bundleChild("warm");
  for (const op of COST_OPS) {
    const { result } = await runChild<WarmReport>(warmChild, { args: [op], env: lambdaEnvironment(op) });
    warm.set(op, result.case.handler.p50Us / 1000);
  }

  const cold = new Map<string, number[]>(COST_OPS.map((op) => [op, []]));
  for (let i = 0; i < 1 + COLD_RUNS; i += 1) {
    for (const op of COST_OPS) {
      const bundle = bundles.find((b) => b.name === op);
      if (!bundle) throw new Error(`infra/build.mjs built no ${op} function`);
      const { result } = await runChild<{ totalMs: number; response: unknown }>(join(CHILDREN_DIR, "coldstart.mjs"), {
        args: [bundle.path, op, JSON.stringify(invokeEvent(op, requestsFor(op, meta)))],
        env: lambdaEnvironment(op),
        timeoutMs: 30_000,
      });
      if (isInvokeFailure(result.response)) throw new Error(`cold ${op} answered an error: ${JSON.stringify(result.response.error)}`);
      // The first round primes the page cache, as on a warm host.
      if (i > 0) cold.get(op)!.push(result.totalMs);
    }
  }

  const memory = functionMemory();
  const operationsMeasured = COST_OPS.map((op) => ({
    op,
    memoryMb: memory(op),
    warmMs: warm.get(op)!,
    coldMs: summarize(cold.get(op)!).median,
    coldRuns: COLD_RUNS,
  }));

  const front = join(DEPS_DIR, "front");
  await promisify(execFile)(process.execPath, [join(ROOT, "infra/build-front.mjs"), "--outdir", front], { cwd: ROOT });
  const frontBundle = join(front, "front.mjs");
  const e2e: E2eCase[] = [];
  const load: FrontLoadCase[] = [];
  let frontRssMiB = 0;

  const offline = await startServerlessOffline();
  try {
    const measured = await measureFront(frontBundle, "offline", [
      "--backend", "lambda", "--endpoint", offline.lambdaEndpoint, "--region", "us-east-1", "--function-prefix", offline.functionName(""),
    ]);
    e2e.push(...measured.cases);
    load.push(measured.load);
    frontRssMiB = Math.max(frontRssMiB, measured.rssMiB);
  } finally {
    await offline.stop();
  }
  const inProcess = await measureFront(frontBundle, "in-process", ["--backend", "in-process", "--http-port", "0"]);
  e2e.push(...inProcess.cases);
  load.push(inProcess.load);
  frontRssMiB = Math.max(frontRssMiB, inProcess.rssMiB);

  return { run, operations: operationsMeasured, frontPod: frontPodRequests(), frontRssMiB, e2e, load };
}

/** A sleep task's resource meta, as the functions make it (sealing off, as in the bench's environment). */
async function sleepMeta(): Promise<Uint8Array> {
  const request = flyteidl.admin.CreateTaskRequest.decode(requestsFor("createTask", new Uint8Array())[0]!);
  const [created] = (await new ConnectorService(registry).dispatch("createTask", [request])) as flyteidl.admin.CreateTaskResponse[];
  return created!.resourceMeta;
}

/** Each function's memory as serverless.yml deploys it. */
function functionMemory(): (op: string) => number {
  const config = parseDocument(readFileSync(join(ROOT, "serverless.yml"), "utf8")).toJS() as {
    provider: { memorySize: number };
    functions: Record<string, { memorySize?: number }>;
  };
  return (op) => config.functions[op]?.memorySize ?? config.provider.memorySize;
}

function frontPodRequests(): CostResult["frontPod"] {
  const deployment = parseDocument(readFileSync(join(ROOT, "infra/k8s/deployment.yaml"), "utf8")).toJS() as {
    spec: { replicas: number; template: { spec: { containers: { resources: { requests: { cpu: string; memory: string } } }[] } } };
  };
  const { cpu, memory } = deployment.spec.template.spec.containers[0]!.resources.requests;
  return { cpu: String(cpu), memory: String(memory), replicas: deployment.spec.replicas };
}

/** Starts the bundled front, calls each operation one at a time, and reads the front's CPU from its metrics. */
async function measureFront(
  bundle: string,
  backend: E2eBackend,
  backendArgs: readonly string[],
): Promise<{ cases: E2eCase[]; load: FrontLoadCase; rssMiB: number }> {
  const front = await startFront(bundle, [...backendArgs, "--host", "127.0.0.1", "--grpc-port", "0", "--metrics-port", "0"]);
  const client = createGrpcDispatch({ address: front.grpcAddress, deadlineMs: 10_000 });
  try {
    const decode = (op: CostOp, meta: Uint8Array) => requestsFor(op, meta).map((bytes) => operations[op].requestType.decode(bytes));
    const [created] = (await client("createTask", decode("createTask", new Uint8Array()))) as flyteidl.admin.CreateTaskResponse[];
    const meta = created!.resourceMeta;
    const cases: E2eCase[] = [];
    for (const op of COST_OPS) {
      const requests = decode(op, meta);
      for (let i = 0; i < E2E_WARMUP[backend]; i += 1) await client(op, requests);
      const cpuBefore = (await front.scrape()).cpuSeconds;
      const latencies: number[] = [];
      for (let i = 0; i < E2E_CALLS[backend]; i += 1) {
        const started = performance.now();
        await client(op, requests);
        latencies.push(performance.now() - started);
      }
      const cpuAfter = (await front.scrape()).cpuSeconds;
      const latency = summarize(latencies);
      cases.push({
        backend,
        op,
        calls: latencies.length,
        p50Ms: latency.median,
        p99Ms: latency.p99,
        frontCpuUsPerCall: ((cpuAfter - cpuBefore) * 1e6) / latencies.length,
      });
    }

    const cpuBefore = (await front.scrape()).cpuSeconds;
    const calls = LOAD_CALLS[backend];
    const warmup = LOAD_WARMUP[backend];
    const { result } = await runChild<{ elapsedMs: number; errors: number; firstError?: string }>(join(CHILDREN_DIR, "grpc-load.mjs"), {
      args: [
        "http2",
        front.grpcAddress,
        operations.getTask.path,
        Buffer.from(requestsFor("getTask", meta)[0]!).toString("base64"),
        String(LOAD_STREAMS),
        String(calls),
        String(warmup),
      ],
    });
    const cpuAfter = (await front.scrape()).cpuSeconds;
    if (result.errors > 0) process.stderr.write(`cost: ${backend} GetTask load: ${result.errors} failed calls, first: ${result.firstError}\n`);
    const load: FrontLoadCase = {
      backend,
      op: "getTask",
      streams: LOAD_STREAMS,
      calls,
      errors: result.errors,
      perSec: (calls / result.elapsedMs) * 1000,
      frontCpuUsPerCall: ((cpuAfter - cpuBefore) * 1e6) / (calls + warmup),
    };
    return { cases, load, rssMiB: (await front.scrape()).rssBytes / 2 ** 20 };
  } finally {
    client.close();
    await front.stop();
  }
}

interface RunningFront {
  readonly grpcAddress: string;
  scrape(): Promise<{ cpuSeconds: number; rssBytes: number }>;
  stop(): Promise<void>;
}

async function startFront(bundle: string, args: readonly string[]): Promise<RunningFront> {
  const child: ChildProcess = spawn(process.execPath, [bundle, "serve", ...args], {
    // serverless offline checks no signatures: any credentials do.
    env: { ...process.env, AWS_ACCESS_KEY_ID: "offline", AWS_SECRET_ACCESS_KEY: "offline", NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = once(child, "exit");
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const giveUpAt = Date.now() + 60_000;
  let grpcAddress: string | undefined;
  let metricsUrl: string | undefined;
  while (grpcAddress === undefined || metricsUrl === undefined) {
    if (child.exitCode !== null) throw new Error(`the front exited (${child.exitCode}):\n${output}`);
    if (Date.now() > giveUpAt) {
      child.kill("SIGKILL");
      throw new Error(`the front did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    grpcAddress = /gRPC front on (\S+)/.exec(output)?.[1];
    metricsUrl = /Prometheus metrics on (\S+)/.exec(output)?.[1];
  }
  const url = metricsUrl;
  return {
    grpcAddress,
    async scrape() {
      const text = await (await fetch(url)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
      return { cpuSeconds: value("process_cpu_seconds_total"), rssBytes: value("process_resident_memory_bytes") };
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
