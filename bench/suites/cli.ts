/**
 * Suite 8: what a person waits for at the command line, and a program for the package's client:
 * a fresh process runs one command line of the package's compiled CLI (dist/lib/cli/main.js, as
 * the installed bin runs it) or imports the client entry, timed from process start to done, beside
 * a process that does nothing (the floor: node's own start). The remote transports call a local
 * stack this process serves. Runs are interleaved so drift hits every case alike.
 * `npm run bench -- cli` runs it alone.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { runChild } from "../child.js";
import { interleaved } from "../interleaved.js";
import { table } from "../report.js";
import { currentRun } from "../machine.js";
import { CHILDREN_DIR, ROOT } from "../paths.js";
import type { RunInfo } from "../results.js";
import { percentile } from "../stats.js";
import { registry } from "../../functions/registry.js";
import { startLocalStack } from "../../lib/local/local-stack.js";

const RUNS = 15;
const PRIMING_RUNS = 2;
const DIST_MAIN = join(ROOT, "dist/lib/cli/main.js");
const DIST_CLIENT = join(ROOT, "dist/lib/client/index.js");

export interface CliCase {
  readonly label: string;
  readonly medianMs: number;
  readonly p90Ms: number;
}

export interface CliResult {
  readonly run: RunInfo;
  readonly floor: CliCase;
  readonly cases: readonly CliCase[];
}

interface Case {
  readonly label: string;
  readonly args: readonly string[];
}

export async function runCli(): Promise<CliResult> {
  const run = currentRun();
  execFileSync(process.execPath, [join(ROOT, "infra/build-package.mjs")], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const silent = { info: () => {}, error: () => {} };
  const stack = await startLocalStack({ registry, grpcPort: 0, httpPort: 0, logger: silent });
  try {
    const cli = (label: string, ...args: string[]): Case => ({ label: `flyte-connector ${label}`, args: ["main", DIST_MAIN, ...args] });
    const floor: Case = { label: "node, doing nothing (floor)", args: ["floor"] };
    const cases = [
      cli("--version", "--version"),
      cli("--help", "--help"),
      cli("run --help", "run", "--help"),
      cli("list --transport grpc", "list", "--transport", "grpc", "--address", stack.grpcAddress),
      cli("list --transport http", "list", "--transport", "http", "--url", stack.httpUrl!),
      cli("list (in-process: every built-in connector)", "list"),
      { label: 'import "flyte-connectors-serverless/client"', args: ["import", DIST_CLIENT] },
    ];
    return { run, ...(await measure(floor, cases)) };
  } finally {
    await stack.close();
  }
}

async function measure(floor: Case, cases: readonly Case[]): Promise<Pick<CliResult, "floor" | "cases">> {
  const all = [floor, ...cases];
  const samples = await interleaved(all, { runs: RUNS, priming: PRIMING_RUNS }, async (c) => {
    const { result } = await runChild<{ totalMs: number; code: number }>(join(CHILDREN_DIR, "cli.mjs"), { args: c.args, timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(`${c.label} exited ${result.code}`);
    return result.totalMs;
  });
  const summarized = (c: Case, index: number): CliCase => {
    const sorted = Float64Array.from(samples[index]!).sort();
    return { label: c.label, medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90) };
  };
  const [floorCase, ...rest] = all.map(summarized);
  return { floor: floorCase!, cases: rest };
}

export function renderCli(title: string, result: CliResult): string {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const floor = result.floor.medianMs;
  return [
    `## ${title}`,
    "A fresh process runs one command line of the package's compiled CLI (`dist/lib/cli/main.js`, as the installed bin runs it: " +
      "tsx is registered only to load a user's module) or imports the client entry; time from process start to done, " +
      `median of ${RUNS} interleaved runs (bench/suites/cli.ts). The floor is node starting a script that does nothing. ` +
      "The remote transports list the connectors of a local stack the bench serves; each transport's library (grpc-js, the AWS SDK) " +
      "loads on its first call, and each command's module only to run it or show its help.",
    table(
      ["command", "median", "p90", "above floor"],
      [
        [result.floor.label, ms(floor), ms(result.floor.p90Ms), "-"],
        ...result.cases.map((c) => [c.label, ms(c.medianMs), ms(c.p90Ms), `+${ms(c.medianMs - floor)}`]),
      ],
    ),
  ].join("\n\n");
}
