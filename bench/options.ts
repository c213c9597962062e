/** The command line of `npm run bench`. */
import { isSuiteName, SUITE_NAMES, type SuiteName } from "./results.js";

export interface BenchOptions {
  /** The suites to run, in their fixed order. */
  readonly suites: readonly SuiteName[];
  /** Exit non-zero when a budget item of a suite run now is missed. */
  readonly check: boolean;
  /** Update bench/results.json and BENCHMARKS.md (default); `--no-write` only prints. */
  readonly write: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [suite ...] [--check] [--no-write]

suites (default: all, in this order): ${SUITE_NAMES.join(", ")}
  --check     exit 1 when a budget item of the suites run is missed
  --no-write  print the results without updating bench/results.json and BENCHMARKS.md`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const chosen = new Set<SuiteName>();
  let check = false;
  let write = true;
  let help = false;
  for (const arg of argv) {
    if (arg === "--check") check = true;
    else if (arg === "--no-write") write = false;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (isSuiteName(arg)) chosen.add(arg);
    else throw new UsageError(`unknown ${arg.startsWith("-") ? "option" : "suite"} ${JSON.stringify(arg)}`);
  }
  const suites = chosen.size === 0 ? SUITE_NAMES : SUITE_NAMES.filter((name) => chosen.has(name));
  return { suites, check, write, help };
}
