/**
 * `npm run bench`: runs the benchmark suites of issue 5, stores their results in
 * bench/results.json, renders BENCHMARKS.md and prints the budget checks. See USAGE.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { checkBudget, formatChecks } from "./budget.js";
import { parseOptions, USAGE, UsageError, type BenchOptions } from "./options.js";
import { REPORT_FILE, RESULTS_FILE } from "./paths.js";
import { notesOf, renderReport, renderSuite } from "./report.js";
import type { Results, SuiteName } from "./results.js";
import { runCli } from "./suites/cli.js";
import { runCodec } from "./suites/codec.js";
import { runColdStart } from "./suites/coldstart.js";
import { runCost } from "./suites/cost.js";
import { runFlyteidl2 } from "./suites/flyteidl2.js";
import { runGrpc } from "./suites/grpc.js";
import { runSize } from "./suites/size.js";
import { runWarm } from "./suites/warm.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SUITES: { readonly [K in SuiteName]: () => Promise<Results[K]> } = {
  size: runSize,
  coldstart: runColdStart,
  warm: runWarm,
  grpc: runGrpc,
  codec: runCodec,
  cost: runCost,
  flyteidl2: runFlyteidl2,
  cli: runCli,
};

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const stored: Partial<Mutable<Results>> = options.write ? readStoredResults() : {};
  const measured: Partial<Mutable<Results>> = {};
  const failures: string[] = [];
  for (const name of options.suites) {
    const started = performance.now();
    process.stderr.write(`bench: ${name}...\n`);
    try {
      await runInto(measured, name);
      process.stdout.write(`${renderSuite(name, measured)}\n\n`);
      process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      failures.push(name);
      process.stderr.write(`bench: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }

  if (options.write) {
    const merged = { ...stored, ...measured };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(merged, null, 2)}\n`);
    const notes = existsSync(REPORT_FILE) ? notesOf(readFileSync(REPORT_FILE, "utf8")) : "";
    writeFileSync(REPORT_FILE, renderReport(merged, checkBudget(merged), notes));
    process.stderr.write("bench: wrote bench/results.json and BENCHMARKS.md\n");
  }

  const checks = checkBudget(measured);
  process.stdout.write(formatChecks(checks));
  const missed = checks.filter((c) => !c.met).length;
  if (failures.length > 0) {
    process.stderr.write(`bench: ${failures.join(", ")} failed\n`);
    return 1;
  }
  return options.check && missed > 0 ? 1 : 0;
}

/** Typed per suite, so each result lands under its own name. */
async function runInto<K extends SuiteName>(into: Partial<Mutable<Results>>, name: K): Promise<void> {
  into[name] = await SUITES[name]();
}

function readStoredResults(): Partial<Mutable<Results>> {
  if (!existsSync(RESULTS_FILE)) return {};
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, "utf8")) as Partial<Mutable<Results>>;
  } catch (error) {
    process.stderr.write(`bench: ignoring unreadable bench/results.json (${String(error)})\n`);
    return {};
  }
}

process.exitCode = await main(process.argv.slice(2));
