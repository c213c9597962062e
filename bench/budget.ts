/** The performance budget of issue 5, checked against measured results. */
import type { Results, SuiteName } from "./results.js";

export const BUDGET = {
  /** What every function loads at start (its core), minified (KB = 1,000 bytes). */
  bundleMaxBytes: 250_000,
  /** Cold start against the empty-handler floor, of the calls that load no connector (listAgents, with every connector registered). */
  coldStartMaxRatio: 1.5,
  coldStartMaxAboveMs: 60,
  /** Cold start against the floor of the call that loads a connector (its createTask, or executeTaskSync for a sync one). */
  connectorColdStartMaxRatio: 2,
  /** Warm handler p50 against the raw codec floor p50, for every op. */
  warmMaxAboveUs: 10,
  /** ...and as a ratio, for the ops that carry task inputs. */
  warmMaxRatio: 1.5,
  warmRatioOps: ["createTask", "executeTaskSync"],
  grpcMethod: "GetTask",
  grpcConcurrency: 64,
  /** The client closest to FlytePropeller's grpc-go in CPU per call (bench/children/grpc-load.mjs). */
  grpcClient: "http2",
  grpcMinPerSec: 5_000,
  grpcMaxP99Ms: 20,
} as const;

export interface BudgetCheck {
  readonly suite: SuiteName;
  readonly item: string;
  readonly target: string;
  readonly actual: string;
  readonly met: boolean;
}

const NOT_MEASURED = "not measured";

/** One check per budget line and case, for every suite present in `results`. */
export function checkBudget(results: Partial<Results>): BudgetCheck[] {
  const checks: BudgetCheck[] = [];
  const add = (suite: SuiteName, item: string, target: string, actual: string, met: boolean) =>
    checks.push({ suite, item, target, actual, met });

  if (results.size) {
    const bundles = results.size.bundles;
    const largest = bundles.reduce<(typeof bundles)[number] | undefined>((a, b) => (a && a.minified >= b.minified ? a : b), undefined);
    add(
      "size",
      "every function's core (loaded at start), minified",
      `<= ${kb(BUDGET.bundleMaxBytes)}`,
      largest ? `largest ${largest.name} ${kb(largest.minified)}` : NOT_MEASURED,
      largest !== undefined && largest.minified <= BUDGET.bundleMaxBytes,
    );
  }

  if (results.coldstart) {
    const floor = results.coldstart.floor.medianMs;
    for (const c of results.coldstart.cases) {
      const ratio = c.medianMs / floor;
      const above = c.medianMs - floor;
      const maxRatio = c.connector ? BUDGET.connectorColdStartMaxRatio : BUDGET.coldStartMaxRatio;
      add("coldstart", `cold start ${c.label} / floor`, `<= ${maxRatio}x`, `${ratio.toFixed(2)}x`, ratio <= maxRatio);
      if (c.connector) continue;
      add("coldstart", `cold start ${c.label} above floor`, `< ${BUDGET.coldStartMaxAboveMs} ms`, `${above.toFixed(1)} ms`, above < BUDGET.coldStartMaxAboveMs);
    }
  }

  if (results.warm) {
    for (const c of results.warm.cases) {
      const above = c.handler.p50Us - c.floor.p50Us;
      add("warm", `warm ${c.op} handler p50 above floor`, `<= ${BUDGET.warmMaxAboveUs} µs`, `${above.toFixed(1)} µs`, above <= BUDGET.warmMaxAboveUs);
    }
    for (const op of BUDGET.warmRatioOps) {
      const c = results.warm.cases.find((w) => w.op === op);
      const ratio = c ? c.handler.p50Us / c.floor.p50Us : NaN;
      add("warm", `warm ${op} handler p50 / floor`, `<= ${BUDGET.warmMaxRatio}x`, c ? `${ratio.toFixed(2)}x` : NOT_MEASURED, ratio <= BUDGET.warmMaxRatio);
    }
  }

  if (results.grpc) {
    const c = results.grpc.cases.find(
      (g) => g.method === BUDGET.grpcMethod && g.concurrency === BUDGET.grpcConcurrency && g.client === BUDGET.grpcClient,
    );
    const where = `gRPC ${BUDGET.grpcMethod} at ${BUDGET.grpcConcurrency} streams`;
    const clean = c !== undefined && c.errors === 0;
    const errors = c && c.errors > 0 ? ` (${c.errors} errors)` : "";
    add("grpc", `${where}, throughput`, `>= ${BUDGET.grpcMinPerSec.toLocaleString("en-US")}/s`, c ? `${Math.round(c.perSec).toLocaleString("en-US")}/s${errors}` : NOT_MEASURED, clean && c.perSec >= BUDGET.grpcMinPerSec);
    add("grpc", `${where}, p99 latency`, `< ${BUDGET.grpcMaxP99Ms} ms`, c ? `${c.p99Ms.toFixed(2)} ms${errors}` : NOT_MEASURED, clean && c.p99Ms < BUDGET.grpcMaxP99Ms);
  }
  return checks;
}

/** The checks as terminal lines, missed ones marked. */
export function formatChecks(checks: readonly BudgetCheck[]): string {
  if (checks.length === 0) return "budget: nothing measured that the budget covers\n";
  const width = Math.max(...checks.map((c) => c.item.length));
  const lines = checks.map((c) => `${c.met ? "met   " : "MISSED"}  ${c.item.padEnd(width)}  ${c.actual} (target ${c.target})`);
  const missed = checks.filter((c) => !c.met).length;
  return `budget: ${checks.length - missed} of ${checks.length} met\n${lines.join("\n")}\n`;
}

/** 250000 -> "250.0 KB" (KB = 1,000 bytes, as the budget counts). */
export function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}
