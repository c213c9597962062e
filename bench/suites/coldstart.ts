/**
 * Suite 2: cold start. A fresh node process imports one function's entry (its chunks beside it)
 * and answers its first request; beside it the same for a bundle whose handler does nothing (the
 * floor), so the difference is what the project owns. listAgents runs with every connector
 * registered; each connector of bench/connector-cold-starts.ts is measured by the call that loads
 * it. Runs are interleaved so drift hits every case alike. All of it runs again on a node of the
 * Lambda runtime's major when this host's is another (infra/runtime-node.mjs). References beside
 * them: each connector library's bare load, and a call again with source maps read.
 */
import { join } from "node:path";
import { buildFunctions, bundleLikeAFunction, functionEnvironment, type FunctionBundle } from "../bundle.js";
import { runChild } from "../child.js";
import { lambdaEnvironment } from "../children/lambda-context.mjs";
import { interleaved } from "../interleaved.js";
import { currentRun } from "../machine.js";
import { CONNECTOR_COLD_STARTS } from "../connector-cold-starts.js";
import { invokeEvent } from "../messages.js";
import { CHILDREN_DIR, DEPS_DIR } from "../paths.js";
import type { ColdStartCase, ColdStartResult, RuntimeColdStart } from "../results.js";
import { lambdaRuntimeNode } from "../../infra/runtime-node.mjs";
import { percentile, summarize } from "../stats.js";
import { registry } from "../../functions/registry.js";
import { flyteidl } from "../../lib/idl/index.js";
import { isInvokeFailure } from "../../lib/transport/envelope.js";

const RUNS = 25;
const PRIMING_RUNS = 2;

interface Case {
  readonly label: string;
  readonly connector?: string;
  readonly functionName: string;
  readonly bundle: string;
  readonly event: string;
  readonly env?: Readonly<Record<string, string>>;
}

interface ChildReport {
  readonly importMs: number;
  readonly totalMs: number;
  readonly response: unknown;
}

export async function runColdStart(): Promise<ColdStartResult> {
  const run = currentRun();
  const mapped = buildFunctions({ sourceMaps: true });
  const bundles = buildFunctions();
  const floorBundle = join(DEPS_DIR, "floor/index.mjs");
  await bundleLikeAFunction({ entry: { contents: "export const handler = async () => ({});", resolveDir: DEPS_DIR }, outfile: floorBundle });

  const floor: Case = { label: "empty handler (floor)", functionName: "floor", bundle: floorBundle, event: "{}" };
  const libraries = await Promise.all([...new Set(CONNECTOR_COLD_STARTS.flatMap((c) => (c.library ? [c.library] : [])))].map(libraryFloor));
  const connectors = registry.listConnectors().length;
  const listAgents = JSON.stringify(invokeEvent("listAgents", [flyteidl.admin.ListAgentsRequest.encode({}).finish()]));
  const fakes = new Map(CONNECTOR_COLD_STARTS.flatMap((c) => (c.fake ? [[c, c.fake()] as const] : [])));
  await Promise.all([...fakes.values()].map((fake) => fake.start()));
  try {
    const cases: Case[] = [
      functionCase(bundles, "listAgents", `listAgents (${connectors} connectors registered)`, listAgents),
      ...CONNECTOR_COLD_STARTS.map((c) => {
        const fake = fakes.get(c);
        const event = JSON.stringify(invokeEvent(c.op, c.requests(fake)));
        return { ...functionCase(bundles, c.op, `${c.op} (${c.connector})`, event), connector: c.connector, env: fake && c.env?.(fake) };
      }),
    ];
    const sleep = cases.find((c) => c.connector === "sleep");
    if (!sleep) throw new Error("bench/connector-cold-starts.ts measures no sleep task");
    const mappedCase = functionCase(mapped, sleep.functionName, `${sleep.label}, source maps read`, sleep.event);
    // The environment serverless.yml gives a build with source maps: the build's own.
    const withSourceMaps: Case = { ...mappedCase, env: functionEnvironment(mappedCase.bundle) };
    const references = [...libraries, withSourceMaps];
    const measured = await measureAll(floor, cases, references);
    const runtime = await onLambdaRuntime(floor, cases, references);
    return { run, ...measured, ...(runtime && { runtime }) };
  } finally {
    await Promise.all([...fakes.values()].map((fake) => fake.stop()));
  }
}

/**
 * The floor's handler in a bundle that also loads `library` as the connectors do: the runtime's
 * AWS SDK with require (lib/connector/require-package.ts), any other bundled and imported.
 */
async function libraryFloor(library: string, index: number): Promise<Case> {
  const bundle = join(DEPS_DIR, `library-floor-${index}/index.mjs`);
  const required = library.startsWith("@aws-sdk/");
  const load = required
    ? `import { createRequire } from "node:module";\nconst library = createRequire(import.meta.url)(${JSON.stringify(library)});`
    : `import * as library from ${JSON.stringify(library)};`;
  const contents = `${load}\nexport const handler = async () => ({ loaded: Object.keys(library).length > 0 });`;
  await bundleLikeAFunction({ entry: { contents, resolveDir: DEPS_DIR }, outfile: bundle });
  return { label: `floor + ${required ? "require" : "import"} "${library}"`, functionName: "floor", bundle, event: "{}" };
}

/** The same cases on a node of the Lambda runtime's major, unless this host's node is one. */
async function onLambdaRuntime(floor: Case, cases: readonly Case[], references: readonly Case[]): Promise<RuntimeColdStart | undefined> {
  const node = lambdaRuntimeNode((line) => process.stderr.write(`bench: coldstart: ${line}\n`));
  if (node === undefined || "unavailable" in node) return node;
  process.stderr.write(`bench: coldstart: again on ${node.version}, as ${node.lambdaRuntime} runs it\n`);
  return { lambdaRuntime: node.lambdaRuntime, node: node.version, ...(await measureAll(floor, cases, references, node.execPath)) };
}

/** The floor, the cases and the reference rows, measured in one interleaved run. */
async function measureAll(
  floor: Case,
  cases: readonly Case[],
  references: readonly Case[],
  execPath?: string,
): Promise<Pick<ColdStartResult, "floor" | "cases" | "references">> {
  const measured = await measure(floor, [...cases, ...references], execPath);
  return { floor: measured.floor, cases: measured.cases.slice(0, cases.length), references: measured.cases.slice(cases.length) };
}

/** Each case's runs, interleaved with the floor's, on `execPath` (default: this process's node). */
async function measure(floor: Case, cases: readonly Case[], execPath?: string): Promise<{ floor: ColdStartCase; cases: ColdStartCase[] }> {
  const all = [floor, ...cases];
  const samples = await interleaved(all, { runs: RUNS, priming: PRIMING_RUNS }, async (c) => {
    const { result, spawnMs } = await runChild<ChildReport>(join(CHILDREN_DIR, "coldstart.mjs"), {
      args: [c.bundle, c.functionName, c.event],
      env: { ...lambdaEnvironment(c.functionName), ...c.env },
      timeoutMs: 30_000,
      ...(execPath && { execPath }),
    });
    if (c !== floor) checkAnswer(c, result.response);
    return { ...result, spawnMs };
  });

  const summarized = (c: Case, index: number): ColdStartCase => {
    const s = samples[index]!;
    const total = Float64Array.from(s, (run) => run.totalMs).sort();
    return {
      label: c.label,
      ...(c.connector && { connector: c.connector }),
      runs: total.length,
      medianMs: percentile(total, 50),
      p90Ms: percentile(total, 90),
      importMs: summarize(s.map((run) => run.importMs)).median,
      spawnMs: summarize(s.map((run) => run.spawnMs)).median,
    };
  };
  const [floorCase, ...rest] = all.map(summarized);
  return { floor: floorCase!, cases: rest };
}

/** A case measures only a call that worked: a failed one, or a task that failed, would time the wrong path. */
function checkAnswer(c: Case, response: unknown): void {
  if (isInvokeFailure(response)) throw new Error(`${c.label} answered an error: ${JSON.stringify(response.error)}`);
  if (c.functionName !== "executeTaskSync") return;
  const [message] = (response as { messages: string[] }).messages;
  const resource = flyteidl.admin.ExecuteTaskSyncResponse.decode(Buffer.from(message ?? "", "base64")).header?.resource;
  if (resource?.phase !== flyteidl.core.TaskExecution.Phase.SUCCEEDED) {
    throw new Error(`${c.label} did not succeed: phase ${resource?.phase}, ${JSON.stringify(resource?.message)}`);
  }
}

function functionCase(bundles: readonly FunctionBundle[], functionName: string, label: string, event: string): Case {
  const bundle = bundles.find((b) => b.name === functionName);
  if (!bundle) throw new Error(`infra/build.mjs built no ${functionName} function`);
  return { label, functionName, bundle: bundle.path, event };
}
