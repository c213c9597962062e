/** BENCHMARKS.md's cost, scale and end-to-end section, from the cost suite's measurements and cost-model.ts's prices. */
import { table } from "../report.js";
import type { CostResult } from "./cost.js";
import {
  billedMs,
  breakEvenTasksPerMonth,
  callsPerTask,
  eksFargatePodSize,
  fargateMonthly,
  frontCallsPerSec,
  getTaskRate,
  lambdaConcurrency,
  lambdaInvocationUsd,
  lambdaUsdPerTask,
  listAgentsMonthlyUsd,
  parseCpu,
  parseMemoryMiB,
  PRICES,
  PROPELLER,
  RULES,
  runningTasksAtConcurrencyLimit,
  type OperationCost,
  type Route,
} from "./cost-model.js";

/** Assumptions, stated in the section: the share of invocations that start cold... */
const COLD_SHARE = 0.01;
/** ...what a real connector waits on its platform's API per call (the demo connectors wait on nothing)... */
const PLATFORM_WAIT_MS = 100;
/** ...how busy a front replica's CPU may run... */
const FRONT_UTILIZATION = 0.7;
/** ...and the propellers dialling the front. */
const PROPELLERS = 1;

const TASKS = [
  { label: "1 min", seconds: 60 },
  { label: "10 min", seconds: 600 },
  { label: "1 h", seconds: 3600 },
] as const;
const RUNNING = [1_000, 10_000, 100_000] as const;
const MONTHLY_VOLUMES = [10_000, 100_000, 1_000_000, 10_000_000] as const;

export function costSection(title: string, r: CostResult): string {
  const op = (name: string, waitMs = 0): OperationCost => {
    const m = r.operations.find((o) => o.op === name);
    if (!m) throw new Error(`the cost results have no ${name}`);
    return { warmMs: m.warmMs + waitMs, coldMs: m.coldMs + waitMs, memoryMb: m.memoryMb };
  };
  const scenarios = [
    { label: "demo connectors (measured)", ops: { createTask: op("createTask"), getTask: op("getTask") } },
    { label: `+${PLATFORM_WAIT_MS} ms platform wait per call`, ops: { createTask: op("createTask", PLATFORM_WAIT_MS), getTask: op("getTask", PLATFORM_WAIT_MS) } },
  ];
  const routes: { route: Route; label: string }[] = [
    { route: "front", label: "Lambda via the gRPC front" },
    { route: "http-api", label: "Lambda via HTTP API" },
  ];

  const podSize = eksFargatePodSize(parseCpu(r.frontPod.cpu), parseMemoryMiB(r.frontPod.memory));
  const pairMonthly = fargateMonthly(podSize, r.frontPod.replicas);
  const listAgents = listAgentsMonthlyUsd(op("listAgents"), PROPELLERS, COLD_SHARE);
  const perTask = (seconds: number, scenario: (typeof scenarios)[number], route: Route) => lambdaUsdPerTask(seconds, scenario.ops, COLD_SHARE, route);

  const underLoad = (backend: string) => r.load.find((c) => c.backend === backend && c.op === "getTask");
  const frontLoad = underLoad("offline");
  const frontCpu = frontLoad?.frontCpuUsPerCall ?? NaN;
  const podVcpu = podSize.vcpu;
  const replicaCallsPerSec = frontCallsPerSec(frontCpu, parseCpu(r.frontPod.cpu), FRONT_UTILIZATION);
  const inProcessCpu = underLoad("in-process")?.frontCpuUsPerCall ?? NaN;
  const inProcessCallsPerSec = frontCallsPerSec(inProcessCpu, parseCpu(r.frontPod.cpu), FRONT_UTILIZATION);
  const getTaskWarm = op("getTask").warmMs;

  const prices = Object.values(PRICES).map((p) => [`$${p.usd}`, p.per, p.asOf, p.source]);
  const rules = Object.entries(RULES).map(([name, rule]) => [name, String(rule.value), "asOf" in rule ? rule.asOf : "-", rule.source]);

  return [
    `## ${title}`,
    "Measured by `npm run bench -- cost` (bench/suites/cost.ts); priced by bench/suites/cost-model.ts with the constants below, " +
      "so a price change re-renders without re-measuring. The durations are this machine's, not Lambda's arm64 at the memory given: " +
      "a 512 MB function has about 0.3 of a vCPU, so its handler time is longer than measured here — yet a warm call of the demo connectors " +
      "still bills Lambda's 1 ms minimum. Real connectors wait on their platform's API, and Lambda bills the wait: the second scenario adds " +
      `${PLATFORM_WAIT_MS} ms to every call to show what that does.`,
    "### Prices and billing rules",
    table(["price", "per", "as of", "source"], prices),
    table(["rule", "value", "as of", "source"], rules),
    "### Billed duration per operation",
    `Warm: the function's handler, median (the warm suite's child). Cold: a fresh process importing the deployed build and answering its first invocation, median of ${r.operations[0]?.coldRuns ?? "-"} runs — INIT and invocation, both billed since ${RULES.lambdaInitBilledSince.value}. Memory as serverless.yml sets it.`,
    table(
      ["operation", "memory", "warm", "billed warm", "cold", "billed cold", "$ per 1M warm", "$ per 1M cold"],
      r.operations.map((o) => [
        o.op,
        `${o.memoryMb} MB`,
        `${o.warmMs.toFixed(3)} ms`,
        `${billedMs(o.warmMs)} ms`,
        `${o.coldMs.toFixed(1)} ms`,
        `${billedMs(o.coldMs)} ms`,
        usd(lambdaInvocationUsd(o.warmMs, o.memoryMb) * 1e6),
        usd(lambdaInvocationUsd(o.coldMs, o.memoryMb) * 1e6),
      ]),
    ),
    "### FlytePropeller's call pattern",
    [
      `- ListAgents at start and every ${PROPELLER.listAgentsIntervalS} s per propeller, tasks or not: the front answers each with one listAgents invocation (${count((RULES.hoursPerMonth.value * 3600) / PROPELLER.listAgentsIntervalS)} a month, ${usd(listAgents)} a month per propeller).`,
      `- CreateTask once per task; GetTask every ${PROPELLER.getTaskIntervalS} s while it runs (the cache resync), the last one seeing it done: ` +
        TASKS.map((t) => `${t.label}: 1 + ${callsPerTask(t.seconds).getTask}`).join(", ") + " calls.",
      "- DeleteTask only on abort (not counted: an aborted task adds one call).",
      `- Defaults that bind at scale (flyteplugins connector/config.go): GetTask at most ${PROPELLER.readQps}/s and CreateTask/DeleteTask ${PROPELLER.writeQps}/s per propeller, and ${count(PROPELLER.resourceQuota)} connector tasks running at once.`,
    ].join("\n"),
    "### $ per 1M tasks",
    `Lambda's part only (invocations and, on the HTTP API, its requests), ${percent(COLD_SHARE)} of invocations cold. ` +
      `The always-on pair is the Deployment of infra/k8s (${r.frontPod.replicas} x requests ${r.frontPod.cpu} CPU / ${r.frontPod.memory}): ` +
      `EKS Fargate adds ${RULES.eksFargatePodOverheadMiB.value} MB per pod and bills each as ${podVcpu} vCPU / ${podSize.memoryGiB} GB, ` +
      `${usd(pairMonthly)} a month for the pair, whatever the volume. The front route needs that pair too (or the front as a sidecar of propeller), plus ListAgents' ${usd(listAgents)} a month.`,
    table(
      ["route", "connector", ...TASKS.map((t) => `${t.label} task`)],
      routes.flatMap(({ route, label }) => scenarios.map((s) => [label, s.label, ...TASKS.map((t) => usd(perTask(t.seconds, s, route) * 1e6))])),
    ),
    "### Break-even",
    `Tasks a month at which Lambda's cost reaches the always-on pair's ${usd(pairMonthly)} a month: below it, the functions alone (through the HTTP API) cost less than keeping two pods up; ` +
      "through the front, it is the volume at which the functions cost as much as the pair that fronts them.",
    table(
      ["route", "connector", ...TASKS.map((t) => `${t.label} tasks / month`)],
      routes.flatMap(({ route, label }) => scenarios.map((s) => [label, s.label, ...TASKS.map((t) => count(breakEvenTasksPerMonth(pairMonthly, perTask(t.seconds, s, route))))])),
    ),
    `Monthly total for 10-minute tasks (demo connectors; the in-process pair grows past two pods when its measured CPU per GetTask, ${inProcessCpu.toFixed(0)} µs, needs it at ${percent(FRONT_UTILIZATION)} CPU):`,
    table(
      ["tasks / month", "front pair + Lambda", "HTTP API + Lambda", "in-process pods"],
      MONTHLY_VOLUMES.map((volume) => {
        const running = (volume * 600) / (RULES.hoursPerMonth.value * 3600);
        const pods = Math.max(r.frontPod.replicas, Math.ceil(running / PROPELLER.getTaskIntervalS / inProcessCallsPerSec));
        return [
          count(volume),
          usd(pairMonthly + listAgents + volume * perTask(600, scenarios[0]!, "front")),
          usd(volume * perTask(600, scenarios[0]!, "http-api")),
          `${usd(fargateMonthly(podSize, pods))} (${pods} pods)`,
        ];
      }),
    ),
    "### Scale",
    `GetTask calls per second for N running tasks (one propeller): what the ${PROPELLER.getTaskIntervalS} s resync asks, and what its default ${PROPELLER.readQps}/s limiter lets through, which stretches every task's poll; ` +
      `Lambda concurrency for those GetTasks (arrivals x billed duration) against the default ${count(RULES.lambdaDefaultConcurrency.value)} per account and region.`,
    table(
      ["running tasks", "GetTask/s at 30 s", "at the default 10/s: poll every", `concurrency, ${billedMs(getTaskWarm)} ms GetTask`, `concurrency, ${billedMs(getTaskWarm + PLATFORM_WAIT_MS)} ms GetTask`],
      RUNNING.map((n) => {
        const rate = getTaskRate(n);
        return [count(n), count(rate.demandPerSec), `${count(rate.pollIntervalS)} s`, lambdaConcurrency(n, getTaskWarm).toFixed(1), lambdaConcurrency(n, getTaskWarm + PLATFORM_WAIT_MS).toFixed(1)];
      }),
    ),
    `The default concurrency holds ${count(runningTasksAtConcurrencyLimit(getTaskWarm))} running tasks' GetTasks at ${billedMs(getTaskWarm)} ms, ` +
      `${count(runningTasksAtConcurrencyLimit(getTaskWarm + PLATFORM_WAIT_MS))} at ${billedMs(getTaskWarm + PLATFORM_WAIT_MS)} ms — long before that, a propeller's defaults (10 GetTask/s, 1,000 running tasks) are what to raise.`,
    `The front (Lambda transport) spent ${frontCpu.toFixed(0)} µs of CPU per GetTask with ${frontLoad?.streams ?? "-"} calls in flight (measured below; each call signs and sends one Invoke): ` +
      `one replica at ${r.frontPod.cpu} CPU and ${percent(FRONT_UTILIZATION)} of it serves ${count(replicaCallsPerSec)} GetTask/s, ` +
      `${count(replicaCallsPerSec * PROPELLER.getTaskIntervalS)} running tasks at the 30 s resync: ` +
      `${Math.ceil(getTaskRate(10_000).demandPerSec / replicaCallsPerSec)} replica(s) for 10k running tasks, ${Math.ceil(getTaskRate(100_000).demandPerSec / replicaCallsPerSec)} for 100k. ` +
      `Its resident memory after the runs: ${r.frontRssMiB.toFixed(0)} MiB (limit ${r.frontPod.memory}).`,
    "### End to end",
    "The production topology on this machine: a client (grpc-js, one call at a time, 10 s deadline) → the gRPC front as the image runs it " +
      "(the bundled front under a bare node) → the Lambda transport → the built functions under `serverless offline` (Lambda Invoke endpoint, handlers in worker threads); " +
      "beside it the same front with the in-process backend. After a warm-up per operation; the front's CPU per call is its own process's, from its metrics. " +
      "serverless offline's own per-invoke overhead (HTTP, a worker thread) is not Lambda's: read the offline rows as an upper bound of the transport's share.",
    table(
      ["operation", "backend", "calls", "p50", "p99", "front CPU / call (one at a time)"],
      r.e2e.map((c) => [c.op, backendName(c.backend), count(c.calls), `${c.p50Ms.toFixed(2)} ms`, `${c.p99Ms.toFixed(2)} ms`, `${c.frontCpuUsPerCall.toFixed(0)} µs`]),
    ),
    "The front under load: GetTask with N calls in flight on one HTTP/2 connection (bench/children/grpc-load.mjs's node:http2 client, the closest to propeller's grpc-go), " +
      "after a warm-up; CPU per call is the front's over the whole run. Through serverless offline, its throughput is offline's, not the front's.",
    table(
      ["operation", "backend", "streams", "calls", "calls/s", "errors", "front CPU / call"],
      r.load.map((c) => [c.op, backendName(c.backend), String(c.streams), count(c.calls), count(c.perSec), String(c.errors), `${c.frontCpuUsPerCall.toFixed(0)} µs`]),
    ),
  ].join("\n\n");
}

const backendName = (backend: string) => (backend === "offline" ? "Lambda (serverless offline)" : "in-process");
const count = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-");
const percent = (n: number) => `${Math.round(n * 100)}%`;
function usd(n: number): string {
  if (!Number.isFinite(n)) return "-";
  return n >= 100 ? `$${Math.round(n).toLocaleString("en-US")}` : `$${n.toFixed(2)}`;
}
