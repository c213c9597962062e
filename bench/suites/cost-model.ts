/**
 * The arithmetic behind BENCHMARKS.md's cost and scale section: published prices (each a dated
 * constant with its source), FlytePropeller's call pattern, Lambda billing, EKS Fargate pod
 * sizing, and what a number of running tasks asks of Lambda and of the gRPC front. Pure functions
 * of measured durations, so test/ops/cost-model.test.ts checks them by hand-worked examples.
 */

export interface Price {
  readonly usd: number;
  readonly per: string;
  /** When the price was published as quoted (the project's record: ../shared/DESIGN.md, "Cost anchors"). */
  readonly asOf: string;
  readonly source: string;
}

/** us-east-1 list prices. */
export const PRICES = {
  lambdaRequests: {
    usd: 0.2,
    per: "1M requests",
    asOf: "2026",
    source: "https://aws.amazon.com/lambda/pricing/ (DESIGN.md, Cost anchors)",
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: "GB-s, arm64 (first 7.5B GB-s a month)",
    asOf: "2026",
    source: "https://aws.amazon.com/lambda/pricing/ (DESIGN.md, Cost anchors)",
  },
  httpApiRequests: {
    usd: 1.0,
    per: "1M HTTP API requests (first 300M a month)",
    asOf: "2026",
    source: "https://aws.amazon.com/api-gateway/pricing/ (DESIGN.md, Cost anchors)",
  },
  fargateVcpuHour: {
    usd: 0.04048,
    per: "vCPU-hour, Linux",
    asOf: "2026",
    source: "https://aws.amazon.com/fargate/pricing/ (DESIGN.md, Cost anchors)",
  },
  fargateGbHour: {
    usd: 0.004445,
    per: "GB-hour, Linux",
    asOf: "2026",
    source: "https://aws.amazon.com/fargate/pricing/ (DESIGN.md, Cost anchors)",
  },
} as const satisfies Record<string, Price>;

/** Billing rules, dated like the prices. */
export const RULES = {
  /** Lambda bills each invocation's duration rounded up to the millisecond. */
  lambdaBilledGranularityMs: { value: 1, asOf: "2020-12", source: "https://aws.amazon.com/lambda/pricing/" },
  /** The INIT phase of on-demand ZIP functions on managed runtimes is billed like the invocation. */
  lambdaInitBilledSince: { value: "2025-08-01", source: "https://aws.amazon.com/lambda/pricing/ (DESIGN.md, Cost anchors)" },
  /** EKS Fargate adds this much memory to each pod's request for kubelet, kube-proxy and containerd, then rounds up to a Fargate size. */
  eksFargatePodOverheadMiB: { value: 256, asOf: "2026", source: "https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html" },
  /** The default concurrent executions of a Lambda account per region. */
  lambdaDefaultConcurrency: { value: 1000, asOf: "2026", source: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html" },
  hoursPerMonth: { value: 730, asOf: "-", source: "AWS's monthly convention (24 x 365 / 12)" },
} as const;

/**
 * FlytePropeller's connector plugin (flyteplugins go/tasks/plugins/webapi/connector/config.go,
 * defaultConnectorConfig; DESIGN.md "What FlytePropeller actually does").
 */
export const PROPELLER = {
  /** ListAgents at start and every 10 s, per propeller. */
  listAgentsIntervalS: 10,
  /** Caching.ResyncInterval: each running task's GetTask. */
  getTaskIntervalS: 30,
  /** ReadRateLimiter.QPS: GetTask calls a propeller makes per second at most, unless raised. */
  readQps: 10,
  /** WriteRateLimiter.QPS: CreateTask and DeleteTask per second. */
  writeQps: 10,
  /** ResourceQuotas["default"]: connector tasks running at once, unless raised. */
  resourceQuota: 1000,
} as const;

/** Fargate's task sizes: vCPU, and the memory sizes (GiB) each allows. */
export const FARGATE_SIZES: readonly { readonly vcpu: number; readonly memoryGiB: readonly number[] }[] = [
  { vcpu: 0.25, memoryGiB: [0.5, 1, 2] },
  { vcpu: 0.5, memoryGiB: range(1, 4, 1) },
  { vcpu: 1, memoryGiB: range(2, 8, 1) },
  { vcpu: 2, memoryGiB: range(4, 16, 1) },
  { vcpu: 4, memoryGiB: range(8, 30, 1) },
  { vcpu: 8, memoryGiB: range(16, 60, 4) },
  { vcpu: 16, memoryGiB: range(32, 120, 8) },
];

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/** A Kubernetes CPU quantity ("250m", "0.5", "1") in cores. */
export function parseCpu(quantity: string | number): number {
  const text = String(quantity).trim();
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(text);
  if (!match) throw new Error(`not a CPU quantity: ${text}`);
  return Number(match[1]) / (match[2] ? 1000 : 1);
}

/** A Kubernetes memory quantity ("256Mi", "1Gi", "512M", "1e9") in MiB. */
export function parseMemoryMiB(quantity: string | number): number {
  const text = String(quantity).trim();
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text);
  if (!match) throw new Error(`not a memory quantity: ${text}`);
  const factor: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return (Number(match[1]) * factor[match[2] ?? ""]!) / 2 ** 20;
}

export interface FargateSize {
  readonly vcpu: number;
  readonly memoryGiB: number;
}

/** The Fargate size EKS bills for a pod: its request plus the overhead, rounded up to the next size that holds both. */
export function eksFargatePodSize(requestCpu: number, requestMemoryMiB: number): FargateSize {
  const memoryGiB = (requestMemoryMiB + RULES.eksFargatePodOverheadMiB.value) / 1024;
  for (const size of FARGATE_SIZES) {
    if (size.vcpu < requestCpu) continue;
    const memory = size.memoryGiB.find((m) => m >= memoryGiB);
    if (memory !== undefined) return { vcpu: size.vcpu, memoryGiB: memory };
  }
  throw new Error(`no Fargate size holds ${requestCpu} vCPU and ${memoryGiB} GiB`);
}

/** $ a month for `pods` always-on pods of a size. */
export function fargateMonthly(size: FargateSize, pods: number): number {
  const hourly = size.vcpu * PRICES.fargateVcpuHour.usd + size.memoryGiB * PRICES.fargateGbHour.usd;
  return hourly * RULES.hoursPerMonth.value * pods;
}

/** Lambda's billed milliseconds for a measured duration. */
export function billedMs(durationMs: number): number {
  const step = RULES.lambdaBilledGranularityMs.value;
  return Math.max(step, Math.ceil(durationMs / step) * step);
}

/** $ of one invocation: the request, and the billed duration at the function's memory. */
export function lambdaInvocationUsd(durationMs: number, memoryMb: number): number {
  const gbSeconds = (memoryMb / 1024) * (billedMs(durationMs) / 1000);
  return PRICES.lambdaRequests.usd / 1e6 + gbSeconds * PRICES.lambdaArmGbSecond.usd;
}

/** What one invocation of an operation costs: billed duration warm and cold, and the function's memory. */
export interface OperationCost {
  readonly warmMs: number;
  /** INIT and the first invocation (both billed since 2025-08). */
  readonly coldMs: number;
  readonly memoryMb: number;
}

/** $ of one invocation when a share of invocations (0 to 1) start cold. */
export function expectedInvocationUsd(op: OperationCost, coldShare: number): number {
  return (1 - coldShare) * lambdaInvocationUsd(op.warmMs, op.memoryMb) + coldShare * lambdaInvocationUsd(op.coldMs, op.memoryMb);
}

/** FlytePropeller's calls for one async task that runs `seconds`: one CreateTask, a GetTask each resync (the last sees it done), DeleteTask only on abort. */
export function callsPerTask(seconds: number): { readonly createTask: number; readonly getTask: number; readonly deleteTask: number } {
  return { createTask: 1, getTask: Math.max(1, Math.ceil(seconds / PROPELLER.getTaskIntervalS)), deleteTask: 0 };
}

export type Route = "front" | "http-api";

/** $ per task of `seconds` through a route: its Lambda invocations, and on the HTTP API its requests too. */
export function lambdaUsdPerTask(seconds: number, ops: { readonly createTask: OperationCost; readonly getTask: OperationCost }, coldShare: number, route: Route): number {
  const calls = callsPerTask(seconds);
  const invocations = calls.createTask * expectedInvocationUsd(ops.createTask, coldShare) + calls.getTask * expectedInvocationUsd(ops.getTask, coldShare);
  const requests = calls.createTask + calls.getTask;
  return invocations + (route === "http-api" ? (requests * PRICES.httpApiRequests.usd) / 1e6 : 0);
}

/** $ a month of ListAgents, which every propeller sends every 10 s whether or not tasks run (the front invokes listAgents for each). */
export function listAgentsMonthlyUsd(listAgents: OperationCost, propellers: number, coldShare: number): number {
  const calls = ((RULES.hoursPerMonth.value * 3600) / PROPELLER.listAgentsIntervalS) * propellers;
  return calls * expectedInvocationUsd(listAgents, coldShare);
}

/** Tasks a month at which a per-task cost adds up to a monthly fixed cost. */
export function breakEvenTasksPerMonth(fixedMonthlyUsd: number, usdPerTask: number): number {
  return fixedMonthlyUsd / usdPerTask;
}

/** GetTask calls per second for `running` tasks: at the 30 s resync, and as one propeller's default 10 QPS limiter lets through. */
export function getTaskRate(running: number): { readonly demandPerSec: number; readonly limitedPerSec: number; readonly pollIntervalS: number } {
  const demandPerSec = running / PROPELLER.getTaskIntervalS;
  const limitedPerSec = Math.min(demandPerSec, PROPELLER.readQps);
  return { demandPerSec, limitedPerSec, pollIntervalS: running / limitedPerSec };
}

/** Lambda concurrency (Little's law: arrivals x duration) that `running` tasks' GetTasks keep busy. */
export function lambdaConcurrency(running: number, getTaskMs: number): number {
  return (running / PROPELLER.getTaskIntervalS) * (billedMs(getTaskMs) / 1000);
}

/** Running tasks the default account concurrency holds, for GetTask alone at a duration. */
export function runningTasksAtConcurrencyLimit(getTaskMs: number, limit: number = RULES.lambdaDefaultConcurrency.value): number {
  return (limit * PROPELLER.getTaskIntervalS) / (billedMs(getTaskMs) / 1000);
}

/** Calls per second one front replica serves at a CPU cost per call, kept to a utilization of its CPU. */
export function frontCallsPerSec(cpuUsPerCall: number, vcpu: number, utilization: number): number {
  return (vcpu * utilization * 1e6) / cpuUsPerCall;
}
