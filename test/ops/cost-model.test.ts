/** The cost and scale arithmetic of BENCHMARKS.md (bench/suites/cost-model.ts), on hand-worked examples. */
import { describe, expect, test } from "vitest";
import {
  billedMs,
  breakEvenTasksPerMonth,
  callsPerTask,
  eksFargatePodSize,
  expectedInvocationUsd,
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
  RULES,
  runningTasksAtConcurrencyLimit,
} from "../../bench/suites/cost-model.js";

describe("prices and rules", () => {
  test("every price is dated and sourced", () => {
    for (const [name, price] of Object.entries(PRICES)) {
      expect(price.usd, name).toBeGreaterThan(0);
      expect(price.asOf, name).toMatch(/^\d{4}(-\d{2}){0,2}$/);
      expect(price.source, name).toMatch(/^https:\/\//);
    }
    for (const [name, rule] of Object.entries(RULES)) expect(rule.source, name).not.toBe("");
  });

  test("the prices are DESIGN.md's cost anchors", () => {
    expect(PRICES.lambdaRequests.usd).toBe(0.2);
    expect(PRICES.lambdaArmGbSecond.usd).toBe(0.0000133334);
    expect(PRICES.httpApiRequests.usd).toBe(1);
    expect(PRICES.fargateVcpuHour.usd).toBe(0.04048);
    expect(PRICES.fargateGbHour.usd).toBe(0.004445);
  });
});

describe("Lambda billing", () => {
  test.each([
    [0.03, 1],
    [1, 1],
    [1.2, 2],
    [92.4, 93],
  ])("%f ms is billed as %i ms", (measured, billed) => {
    expect(billedMs(measured)).toBe(billed);
  });

  test("one invocation: the request plus GB-seconds at the function's memory", () => {
    // $0.20 / 1M + 0.5 GB x 0.001 s x $0.0000133334
    expect(lambdaInvocationUsd(0.4, 512)).toBeCloseTo(2e-7 + 0.5 * 0.001 * 0.0000133334, 15);
    // 93 ms at 256 MB
    expect(lambdaInvocationUsd(92.4, 256)).toBeCloseTo(2e-7 + 0.25 * 0.093 * 0.0000133334, 15);
  });

  test("a share of cold starts weighs the INIT-and-first-call duration in", () => {
    const op = { warmMs: 1, coldMs: 100, memoryMb: 1024 };
    const warm = 2e-7 + 0.001 * 0.0000133334;
    const cold = 2e-7 + 0.1 * 0.0000133334;
    expect(expectedInvocationUsd(op, 0)).toBeCloseTo(warm, 15);
    expect(expectedInvocationUsd(op, 0.25)).toBeCloseTo(0.75 * warm + 0.25 * cold, 15);
  });
});

describe("FlytePropeller's calls and what they cost", () => {
  test.each([
    [10, 1],
    [60, 2],
    [600, 20],
    [3600, 120],
  ])("a %i s task: one CreateTask and %i GetTasks, no DeleteTask", (seconds, gets) => {
    expect(callsPerTask(seconds)).toEqual({ createTask: 1, getTask: gets, deleteTask: 0 });
  });

  test("a 10-minute task, all warm at 1 ms and 512 MB: 21 invocations; the HTTP API adds 21 requests", () => {
    const op = { warmMs: 1, coldMs: 1, memoryMb: 512 };
    const perInvocation = 2e-7 + 0.5 * 0.001 * 0.0000133334;
    expect(lambdaUsdPerTask(600, { createTask: op, getTask: op }, 0, "front")).toBeCloseTo(21 * perInvocation, 15);
    expect(lambdaUsdPerTask(600, { createTask: op, getTask: op }, 0, "http-api")).toBeCloseTo(21 * perInvocation + 21e-6, 15);
  });

  test("ListAgents every 10 s is 262,800 invocations a month per propeller", () => {
    const op = { warmMs: 1, coldMs: 1, memoryMb: 256 };
    expect(listAgentsMonthlyUsd(op, 2, 0)).toBeCloseTo(2 * 262_800 * lambdaInvocationUsd(1, 256), 9);
  });

  test("break-even: the fixed monthly cost over the cost per task", () => {
    expect(breakEvenTasksPerMonth(18, 4.5e-6)).toBeCloseTo(4_000_000, 3);
  });
});

describe("EKS Fargate pods", () => {
  test.each([
    ["250m", "256Mi", 0.25, 0.5],
    ["250m", "512Mi", 0.25, 1],
    ["250m", "1800Mi", 0.5, 3],
    ["1", "2Gi", 1, 3],
    ["0.5", "1G", 0.5, 2],
  ])("a pod requesting %s CPU and %s is billed as %f vCPU / %f GB (request + 256 MB, rounded up)", (cpu, memory, vcpu, memoryGiB) => {
    expect(eksFargatePodSize(parseCpu(cpu), parseMemoryMiB(memory))).toEqual({ vcpu, memoryGiB });
  });

  test("two always-on 0.25 vCPU / 0.5 GB pods for 730 hours", () => {
    expect(fargateMonthly({ vcpu: 0.25, memoryGiB: 0.5 }, 2)).toBeCloseTo((0.25 * 0.04048 + 0.5 * 0.004445) * 730 * 2, 9);
  });

  test("Kubernetes quantities", () => {
    expect(parseCpu("250m")).toBe(0.25);
    expect(parseCpu(2)).toBe(2);
    expect(parseMemoryMiB("256Mi")).toBe(256);
    expect(parseMemoryMiB("1Gi")).toBe(1024);
    expect(parseMemoryMiB("512M")).toBeCloseTo(488.28, 2);
    expect(() => parseCpu("a lot")).toThrow(/CPU quantity/);
    expect(() => parseMemoryMiB("256MB")).toThrow(/memory quantity/);
  });
});

describe("scale", () => {
  test("GetTask calls/s: N / 30 s, held to 10/s by a propeller's default limiter, which then stretches each task's poll", () => {
    expect(getTaskRate(10_000).demandPerSec).toBeCloseTo(333.33, 2);
    expect(getTaskRate(10_000).limitedPerSec).toBe(10);
    expect(getTaskRate(10_000).pollIntervalS).toBe(1000);
    expect(getTaskRate(100_000).demandPerSec).toBeCloseTo(3333.33, 2);
    expect(getTaskRate(150)).toEqual({ demandPerSec: 5, limitedPerSec: 5, pollIntervalS: 30 });
  });

  test("Lambda concurrency is arrival rate x billed duration", () => {
    expect(lambdaConcurrency(10_000, 100)).toBeCloseTo(33.33, 2);
    expect(lambdaConcurrency(100_000, 0.2)).toBeCloseTo(3.33, 2);
    expect(runningTasksAtConcurrencyLimit(100)).toBe(300_000);
    expect(runningTasksAtConcurrencyLimit(100, 500)).toBe(150_000);
  });

  test("one replica's calls/s from its CPU per call", () => {
    expect(frontCallsPerSec(100, 0.25, 0.7)).toBeCloseTo(1750, 6);
  });
});

describe("the rendered section", () => {
  test("prices the canned measurements: the pair as Fargate bills it, one replica's capacity, every route", async () => {
    const { costSection } = await import("../../bench/suites/cost-report.js");
    const { cannedResults } = await import("../bench/fixtures.js");
    const text = costSection("6. Cost", cannedResults().cost);
    expect(text).toContain("bills each as 0.25 vCPU / 0.5 GB, $18.02 a month for the pair");
    // 0.25 vCPU x 70% / 1,500 µs per GetTask = 116.7 calls/s, 3,500 running tasks at 30 s.
    expect(text).toContain("serves 117 GetTask/s, 3,500 running tasks at the 30 s resync");
    for (const route of ["Lambda via the gRPC front", "Lambda via HTTP API"]) expect(text).toContain(`| ${route} | demo connectors (measured) |`);
    expect(text).not.toMatch(/NaN|undefined/);
  });
});
