/**
 * Suite 4: the gRPC front. The server and the service run in one process (the in-process
 * backend `npm start` serves, bundled like a function: bench/children/grpc-server.ts); a
 * separate node process (bench/children/grpc-load.mjs) drives a fixed number of unary GetTask
 * and CreateTask calls at 1, 16 and 64 concurrent streams over loopback. The budget's client is
 * node:http2 speaking gRPC: grpc-js's client spends twice the server's CPU per call on the same
 * two cores, and in this closed loop that time is the server's latency too (BENCHMARKS.md,
 * Findings). grpc-js runs the 64-stream cases as well, for comparison.
 */
import { join } from "node:path";
import { bundleChild } from "../bundle.js";
import { runChild, startChild } from "../child.js";
import type { GrpcServerReady } from "../children/grpc-server.js";
import { currentRun } from "../machine.js";
import { createTaskRequest, requestsFor } from "../messages.js";
import { CHILDREN_DIR } from "../paths.js";
import type { GrpcCase, GrpcClient, GrpcResult } from "../results.js";
import { summarize } from "../stats.js";
import { operations } from "../../lib/service/operations.js";

export const CONCURRENCIES = [1, 16, 64] as const;
type Concurrency = (typeof CONCURRENCIES)[number];
/** Calls per run: a second or more of load at each concurrency. */
const COUNT_AT: Record<Concurrency, number> = { 1: 3_000, 16: 12_000, 64: 20_000 };
/**
 * Calls before the measured ones: both processes must be past JIT compilation and heap growth.
 * The load generator is a fresh process each run; after only 1,000 calls its first 3,000 or so
 * measured calls at 64 streams still ran slower (mean latency 8 to 10 ms, then 5 ms).
 */
const WARMUP = 5_000;
const RUNS: readonly { readonly client: GrpcClient; readonly concurrency: Concurrency }[] = [
  ...CONCURRENCIES.map((concurrency) => ({ client: "http2" as const, concurrency })),
  { client: "grpc-js", concurrency: 64 },
];

interface LoadReport {
  readonly elapsedMs: number;
  readonly cpuUs: number;
  readonly latencies: number[];
  readonly errors: number;
  readonly firstError?: string;
}

export async function runGrpc(): Promise<GrpcResult> {
  const run = currentRun();
  const server = await startChild<GrpcServerReady>(await bundleChild("grpc-server"));
  try {
    const meta = Buffer.from(server.ready.meta, "base64");
    const calls = [
      { method: "GetTask", path: operations.getTask.path, request: requestsFor("getTask", meta)[0]! },
      { method: "CreateTask", path: operations.createTask.path, request: createTaskRequest() },
    ];
    const cases: GrpcCase[] = [];
    for (const { method, path, request } of calls) {
      for (const { client, concurrency } of RUNS) {
        const count = COUNT_AT[concurrency];
        const cpuBefore = await server.ask<{ cpuUs: number }>("SIGUSR2");
        const { result } = await runChild<LoadReport>(join(CHILDREN_DIR, "grpc-load.mjs"), {
          args: [client, server.ready.address, path, Buffer.from(request).toString("base64"), String(concurrency), String(count), String(WARMUP)],
        });
        const cpuAfter = await server.ask<{ cpuUs: number }>("SIGUSR2");
        if (result.errors > 0) {
          process.stderr.write(`grpc: ${method} x${concurrency} (${client}): ${result.errors} failed calls, first: ${result.firstError}\n`);
        }
        const latency = summarize(result.latencies);
        cases.push({
          method,
          client,
          concurrency,
          requests: count,
          errors: result.errors,
          perSec: (count / result.elapsedMs) * 1000,
          p50Ms: latency.median,
          p99Ms: latency.p99,
          // The warm-up calls are inside the server's window: count them too.
          serverCpuUsPerCall: (cpuAfter.cpuUs - cpuBefore.cpuUs) / (count + WARMUP),
          clientCpuUsPerCall: result.cpuUs / count,
        });
      }
    }
    return { run, cases };
  } finally {
    await server.stop();
  }
}
