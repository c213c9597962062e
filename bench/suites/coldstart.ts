/**
 * Suite 2: cold start. A fresh node process imports one function's bundle and answers its first
 * request; beside it the same for a bundle whose handler does nothing (the floor), so the
 * difference is what the project owns. Runs are interleaved so drift hits every case alike.
 */
import { join } from "node:path";
import { buildFunctions, bundleLikeAFunction, type FunctionBundle } from "../bundle.js";
import { runChild } from "../child.js";
import { lambdaEnvironment } from "../children/lambda-context.mjs";
import { currentRun } from "../machine.js";
import { createTaskRequest, executeTaskSyncRequests, invokeEvent } from "../messages.js";
import { CHILDREN_DIR, DEPS_DIR } from "../paths.js";
import type { ColdStartCase, ColdStartResult } from "../results.js";
import { percentile, summarize } from "../stats.js";
import { flyteidl } from "../../lib/idl/index.js";
import { isInvokeFailure } from "../../lib/transport/envelope.js";

const RUNS = 25;
/** Unmeasured runs first: the page cache holds every file afterwards, as it would on a warm host. */
const PRIMING_RUNS = 2;

interface Case {
  readonly label: string;
  readonly functionName: string;
  readonly bundle: string;
  readonly event: string;
}

interface ChildReport {
  readonly importMs: number;
  readonly totalMs: number;
  readonly response: unknown;
}

export async function runColdStart(): Promise<ColdStartResult> {
  const run = currentRun();
  const bundles = buildFunctions();
  const floorBundle = join(DEPS_DIR, "floor/index.mjs");
  await bundleLikeAFunction({ entry: { contents: "export const handler = async () => ({});", resolveDir: DEPS_DIR }, outfile: floorBundle });

  const floor: Case = { label: "empty handler (floor)", functionName: "floor", bundle: floorBundle, event: "{}" };
  const cases: Case[] = [
    functionCase(bundles, "createTask", "createTask (sleep)", JSON.stringify(invokeEvent("createTask", [createTaskRequest()]))),
    functionCase(bundles, "executeTaskSync", "executeTaskSync (echo)", JSON.stringify(invokeEvent("executeTaskSync", executeTaskSyncRequests()))),
    functionCase(bundles, "listAgents", "listAgents", JSON.stringify(invokeEvent("listAgents", [flyteidl.admin.ListAgentsRequest.encode({}).finish()]))),
  ];

  const all = [floor, ...cases];
  const samples = new Map<Case, { total: number[]; imported: number[]; spawn: number[] }>(all.map((c) => [c, { total: [], imported: [], spawn: [] }]));
  for (let run = 0; run < PRIMING_RUNS + RUNS; run += 1) {
    for (const c of all) {
      const { result, spawnMs } = await runChild<ChildReport>(join(CHILDREN_DIR, "coldstart.mjs"), {
        args: [c.bundle, c.functionName, c.event],
        env: lambdaEnvironment(c.functionName),
        timeoutMs: 30_000,
      });
      if (c !== floor && isInvokeFailure(result.response)) {
        throw new Error(`${c.label} answered an error: ${JSON.stringify(result.response.error)}`);
      }
      if (run < PRIMING_RUNS) continue;
      const s = samples.get(c)!;
      s.total.push(result.totalMs);
      s.imported.push(result.importMs);
      s.spawn.push(spawnMs);
    }
  }

  const summarized = (c: Case): ColdStartCase => {
    const s = samples.get(c)!;
    const total = Float64Array.from(s.total).sort();
    return {
      label: c.label,
      runs: total.length,
      medianMs: percentile(total, 50),
      p90Ms: percentile(total, 90),
      importMs: summarize(s.imported).median,
      spawnMs: summarize(s.spawn).median,
    };
  };
  return { run, floor: summarized(floor), cases: cases.map(summarized) };
}

function functionCase(bundles: readonly FunctionBundle[], functionName: string, label: string, event: string): Case {
  const bundle = bundles.find((b) => b.name === functionName);
  if (!bundle) throw new Error(`infra/build.mjs built no ${functionName} function`);
  return { label, functionName, bundle: bundle.path, event };
}
