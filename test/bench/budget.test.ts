import { describe, expect, it } from "vitest";
import { BUDGET, checkBudget, formatChecks, kb } from "../../bench/budget.js";
import { cannedResults } from "./fixtures.js";

const byItem = (checks: ReturnType<typeof checkBudget>) => Object.fromEntries(checks.map((c) => [c.item, c]));

describe("checkBudget", () => {
  it("checks nothing when nothing was measured", () => {
    expect(checkBudget({})).toEqual([]);
  });

  it("checks only the suites present", () => {
    const { size, grpc } = cannedResults();
    expect(new Set(checkBudget({ size, grpc }).map((c) => c.suite))).toEqual(new Set(["size", "grpc"]));
  });

  it("misses the bundle budget on the largest bundle, by one byte", () => {
    const [check] = checkBudget({ size: cannedResults().size });
    expect(check).toEqual({
      suite: "size",
      item: "every function's core (loaded at start), minified",
      target: "<= 250.0 KB",
      actual: "largest getTask 250.0 KB",
      met: false,
    });
    const size = cannedResults().size;
    const fitting = { ...size, bundles: size.bundles.map((b) => ({ ...b, minified: Math.min(b.minified, BUDGET.bundleMaxBytes) })) };
    expect(checkBudget({ size: fitting })[0]!.met).toBe(true);
  });

  it("checks each cold start of the core against the floor, as a ratio and as a difference", () => {
    const checks = byItem(checkBudget({ coldstart: cannedResults().coldstart }));
    expect(checks["cold start listAgents / floor"]).toMatchObject({ actual: "1.70x", target: "<= 1.5x", met: false });
    expect(checks["cold start listAgents above floor"]).toMatchObject({ actual: "70.0 ms", target: "< 60 ms", met: false });
  });

  it("checks the cold start of each connector's first call within 2x the floor, as a ratio only", () => {
    const checks = byItem(checkBudget({ coldstart: cannedResults().coldstart }));
    expect(checks["cold start createTask (sleep) / floor"]).toMatchObject({ actual: "1.40x", target: "<= 2x", met: true });
    expect(checks["cold start executeTaskSync (webhook) / floor"]).toMatchObject({ actual: "2.10x", target: "<= 2x", met: false });
    expect(checks["cold start createTask (sleep) above floor"]).toBeUndefined();
    // The same time without a connector is held to 1.5x.
    const coldstart = cannedResults().coldstart;
    const asCore = { ...coldstart, cases: coldstart.cases.map(({ connector: _, ...c }) => c) };
    expect(byItem(checkBudget({ coldstart: asCore }))["cold start createTask (sleep) / floor"]).toMatchObject({ target: "<= 1.5x", met: true });
    expect(byItem(checkBudget({ coldstart: asCore }))["cold start executeTaskSync (webhook) / floor"]).toMatchObject({ target: "<= 1.5x", met: false });
  });

  it("checks every op's handler above its floor, and the ratio for createTask and executeTaskSync", () => {
    const checks = byItem(checkBudget({ warm: cannedResults().warm }));
    expect(checks["warm createTask handler p50 above floor"]).toMatchObject({ actual: "5.0 µs", met: true });
    expect(checks["warm getTask handler p50 above floor"]).toMatchObject({ actual: "11.0 µs", met: false });
    expect(checks["warm executeTaskSync handler p50 above floor"]).toMatchObject({ actual: "9.0 µs", met: true });
    expect(checks["warm createTask handler p50 / floor"]).toMatchObject({ actual: "1.25x", met: true });
    expect(checks["warm executeTaskSync handler p50 / floor"]).toMatchObject({ actual: "1.60x", met: false });
    expect(checks["warm getTask handler p50 / floor"]).toBeUndefined();
  });

  it("reports a ratio op that was not measured as missed", () => {
    const warm = cannedResults().warm;
    const checks = byItem(checkBudget({ warm: { ...warm, cases: warm.cases.filter((c) => c.op !== "executeTaskSync") } }));
    expect(checks["warm executeTaskSync handler p50 / floor"]).toMatchObject({ actual: "not measured", met: false });
  });

  it("checks GetTask at 64 streams with the http2 client: throughput met, p99 missed", () => {
    const checks = byItem(checkBudget({ grpc: cannedResults().grpc }));
    expect(checks["gRPC GetTask at 64 streams, throughput"]).toMatchObject({ actual: "6,000/s", target: ">= 5,000/s", met: true });
    expect(checks["gRPC GetTask at 64 streams, p99 latency"]).toMatchObject({ actual: "25.00 ms", target: "< 20 ms", met: false });
  });

  it("misses the gRPC budget when calls failed, however fast they were", () => {
    const grpc = cannedResults().grpc;
    const failing = { ...grpc, cases: grpc.cases.map((c) => ({ ...c, errors: 3, p99Ms: 1 })) };
    const checks = byItem(checkBudget({ grpc: failing }));
    expect(checks["gRPC GetTask at 64 streams, throughput"]).toMatchObject({ actual: "6,000/s (3 errors)", met: false });
    expect(checks["gRPC GetTask at 64 streams, p99 latency"]!.met).toBe(false);
  });

  it("misses the gRPC budget when 64 streams were not measured", () => {
    const grpc = cannedResults().grpc;
    const checks = checkBudget({ grpc: { ...grpc, cases: grpc.cases.filter((c) => c.concurrency !== 64) } });
    expect(checks.map((c) => [c.actual, c.met])).toEqual([
      ["not measured", false],
      ["not measured", false],
    ]);
  });
});

describe("formatChecks", () => {
  it("counts and marks the missed lines", () => {
    const text = formatChecks(checkBudget({ coldstart: cannedResults().coldstart }));
    expect(text.split("\n")[0]).toBe("budget: 1 of 4 met");
    expect(text).toMatch(/^MISSED {2}cold start listAgents \/ floor +1\.70x \(target <= 1\.5x\)$/m);
    expect(text).toMatch(/^met {5}cold start createTask \(sleep\) \/ floor/m);
  });

  it("says when nothing was checked", () => {
    expect(formatChecks([])).toBe("budget: nothing measured that the budget covers\n");
  });
});

describe("kb", () => {
  it("counts 1,000 bytes to the KB, as the budget does", () => {
    expect(kb(250_000)).toBe("250.0 KB");
    expect(kb(256_000)).toBe("256.0 KB");
  });
});
