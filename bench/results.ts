/**
 * What each suite measures, as stored in bench/results.json and rendered into BENCHMARKS.md.
 * Every suite's result carries its own run (machine, Node, date), so a subset run updates its
 * sections and leaves the others as last measured.
 */
import type { CliResult } from "./suites/cli.js";
import type { CostResult } from "./suites/cost.js";
import type { Flyteidl2Result } from "./suites/flyteidl2.js";

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
}

export interface RunInfo {
  /** ISO 8601, when the suite started. */
  readonly date: string;
  readonly machine: Machine;
  /** 1-minute load average when the suite started: anything else running skews the figures. */
  readonly loadAverage: number;
}

export interface ModuleShare {
  /** Input path as esbuild's metafile names it, or a package name when grouped. */
  readonly path: string;
  readonly bytes: number;
}

export interface BundleSize {
  /** Function key, e.g. `createTask`. */
  readonly name: string;
  /** What the function loads at start (its core: the entry and the chunks it imports), minified. */
  readonly minified: number;
  /** The same files, each gzipped (as each is stored in the zip), summed. */
  readonly gzip: number;
  /** How many files it loads at start (absent in results stored before chunks). */
  readonly files?: number;
}

export interface ChunkSize {
  /** The connector, named by its module, e.g. `echo` or `databricks`. */
  readonly connector: string;
  /** Its module, the registry's import() target, e.g. `lib/connectors/echo.ts`. */
  readonly module: string;
  /** What a function loads on the connector's first use beyond its core (the most of any function), minified. */
  readonly minified: number;
  readonly gzip: number;
  readonly files: number;
}

export interface SizeResult {
  readonly run: RunInfo;
  readonly bundles: readonly BundleSize[];
  /** Each registered connector's chunks (absent in results stored before chunks). */
  readonly chunks?: readonly ChunkSize[];
  /** The function whose bundle `largest` breaks down (they all share most modules). */
  readonly breakdownOf: string;
  /** Largest contributors to that bundle, grouped by package (or lib/ folder). */
  readonly largest: readonly ModuleShare[];
}

export interface ColdStartCase {
  /** e.g. `createTask (sleep)`, or `empty handler` for the floor. */
  readonly label: string;
  /** The connector this first call loads (bench/connector-cold-starts.ts); absent for the core's cases. */
  readonly connector?: string;
  readonly runs: number;
  /** Process start to response, measured in the child (performance.now() at the answer). Median. */
  readonly medianMs: number;
  readonly p90Ms: number;
  /** Process start to the bundle's import finished. Median. */
  readonly importMs: number;
  /** Spawn to response as the parent saw it (adds process creation). Median. */
  readonly spawnMs: number;
}

export interface ColdStartResult {
  readonly run: RunInfo;
  readonly floor: ColdStartCase;
  readonly cases: readonly ColdStartCase[];
  /**
   * References, not budgeted: the floor plus the bare load of a connector's platform library, and
   * a case run with the functions built with source maps, which Node reads.
   */
  readonly references?: readonly ColdStartCase[];
  /**
   * The same runs on a node of the Lambda runtime's major (infra/runtime-node.mjs), or why there
   * are none; absent when this host's node is of that major (then the runs above are the runtime's).
   */
  readonly runtime?: RuntimeColdStart;
}

export type RuntimeColdStart =
  | {
      /** serverless.yml's provider.runtime, e.g. nodejs22.x. */
      readonly lambdaRuntime: string;
      /** The node that ran them, e.g. v22.23.5. */
      readonly node: string;
      readonly floor: ColdStartCase;
      readonly cases: readonly ColdStartCase[];
      readonly references?: readonly ColdStartCase[];
    }
  | { readonly lambdaRuntime: string; readonly unavailable: string };

export interface Timing {
  readonly count: number;
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

export interface WarmCase {
  readonly op: string;
  /** The connector's task type, or `-` when the op names none. */
  readonly connector: string;
  /** Bytes of protobuf in the request(s). */
  readonly requestBytes: number;
  /** `OK`, or the gRPC status name the op answers with (e.g. UNIMPLEMENTED). */
  readonly outcome: string;
  /** Decode the request(s) and encode the response(s) with the generated code. */
  readonly floor: Timing;
  /** handleInvocation: base64 envelope, decode, dispatch, encode. */
  readonly envelope: Timing;
  /** The function's Lambda handler: the envelope with the Lambda context's deadline, failure logs and metrics. */
  readonly handler: Timing;
}

export interface WarmResult {
  readonly run: RunInfo;
  /** Bytes of the resource meta the GetTask-family requests carry. */
  readonly metaBytes: number;
  readonly cases: readonly WarmCase[];
}

export interface GrpcCase {
  readonly method: string;
  /** The load generator's client (bench/children/grpc-load.mjs): node:http2 speaking gRPC, or grpc-js. */
  readonly client: GrpcClient;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly perSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time the server process spent per call (user + system), warm-up included. */
  readonly serverCpuUsPerCall: number;
  /** CPU time the load generator spent per call: on 2 cores it competes with the server. */
  readonly clientCpuUsPerCall: number;
}

export type GrpcClient = "http2" | "grpc-js";

export interface GrpcResult {
  readonly run: RunInfo;
  readonly cases: readonly GrpcCase[];
}

export interface CodecMeasured {
  readonly minified: number;
  readonly gzip: number;
  /** Fresh process: import the bundle and decode one message. Median. */
  readonly loadMs: number;
  readonly decodePerSec: number;
  readonly encodePerSec: number;
}

export interface CodecCase {
  readonly variant: string;
  /** Generator and flags, e.g. `pbjs 7.6.6 static-module --no-create ...`. */
  readonly how: string;
  /** The numbers, or why this variant could not be built or run. */
  readonly measured: CodecMeasured | { readonly failed: string };
}

export interface CodecResult {
  readonly run: RunInfo;
  /** The message every variant decodes and encodes. */
  readonly message: string;
  readonly messageBytes: number;
  readonly cases: readonly CodecCase[];
}

export interface Results {
  readonly size: SizeResult;
  readonly coldstart: ColdStartResult;
  readonly warm: WarmResult;
  readonly grpc: GrpcResult;
  readonly codec: CodecResult;
  readonly cost: CostResult;
  readonly flyteidl2: Flyteidl2Result;
  readonly cli: CliResult;
}

export type SuiteName = keyof Results;

/** In the order they run and are reported. */
export const SUITE_NAMES: readonly SuiteName[] = ["size", "coldstart", "warm", "grpc", "codec", "cost", "flyteidl2", "cli"];

export function isSuiteName(name: string): name is SuiteName {
  return (SUITE_NAMES as readonly string[]).includes(name);
}
