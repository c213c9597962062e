/** Suite 3: warm per-op cost, one child process per op (bench/children/warm.ts). */
import { bundleChild } from "../bundle.js";
import { runChild } from "../child.js";
import type { WarmReport } from "../children/warm.js";
import { lambdaEnvironment } from "../children/lambda-context.mjs";
import { currentRun } from "../machine.js";
import type { WarmResult } from "../results.js";
import { operationNames } from "../../lib/service/operations.js";

export async function runWarm(): Promise<WarmResult> {
  const run = currentRun();
  const child = await bundleChild("warm");
  const reports: WarmReport[] = [];
  for (const op of operationNames) {
    const { result } = await runChild<WarmReport>(child, { args: [op], env: lambdaEnvironment(op) });
    reports.push(result);
  }
  return { run, metaBytes: reports[0]?.metaBytes ?? 0, cases: reports.map((r) => r.case) };
}
