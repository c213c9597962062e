/**
 * What serving Flyte 2 costs the functions: the bytes the flyteidl2 codec, its descriptor and the
 * protocol layer add to each function — loaded at start, or in the chunks the first Flyte 2
 * request loads — and the cold start of createTask answering a Flyte 1 request beside the same
 * function answering a Flyte 2 one (which loads those chunks and builds Flyte 2's reflection).
 * `npm run bench -- flyteidl2` runs it alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as esbuild from "esbuild";
import { FUNCTION_CHUNKS, FUNCTION_PLUGINS, FUNCTION_SETTINGS, loadedWith } from "../../infra/function-bundle.mjs";
import { buildFunctions } from "../bundle.js";
import { runChild } from "../child.js";
import { lambdaEnvironment } from "../children/lambda-context.mjs";
import { interleaved } from "../interleaved.js";
import { currentRun } from "../machine.js";
import { createTaskRequest, invokeEvent } from "../messages.js";
import { CHILDREN_DIR, ROOT } from "../paths.js";
import type { RunInfo } from "../results.js";
import { percentile, summarize } from "../stats.js";
import { isInvokeFailure } from "../../lib/transport/envelope.js";

/** The modules only Flyte 2 needs. */
const FLYTEIDL2_MODULES = /^lib\/(idl\/gen\/(flyteidl2|descriptor2)\.js|idl\/flyteidl2\.ts|service\/flyteidl2\/)/;
const RUNS = 15;
const PRIMING_RUNS = 2;

export interface Flyteidl2Bytes {
  readonly functionName: string;
  /** Minified bytes of Flyte 2's modules among what the function loads at start. */
  readonly atStart: number;
  /** Minified bytes of Flyte 2's modules in chunks loaded on first use. */
  readonly onFirstUse: number;
}

export interface Flyteidl2ColdStart {
  readonly label: string;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly importMs: number;
}

export interface Flyteidl2Result {
  readonly run: RunInfo;
  readonly bytes: readonly Flyteidl2Bytes[];
  readonly coldStart: readonly Flyteidl2ColdStart[];
}

export async function runFlyteidl2(): Promise<Flyteidl2Result> {
  const run = currentRun();
  return { run, bytes: await measureBytes(), coldStart: await measureColdStart() };
}

/** Each function built as infra/build.mjs builds it (in memory), its output attributed to modules by esbuild's metafile. */
async function measureBytes(): Promise<Flyteidl2Bytes[]> {
  const entries = ["create-task", "get-task", "delete-task", "get-task-metrics", "get-task-logs", "execute-task-sync", "get-agent", "list-agents"];
  const outdir = mkdtempSync(join(tmpdir(), "flyteidl2-bench-"));
  try {
    const rows: Flyteidl2Bytes[] = [];
    for (const entry of entries) {
      const result = await esbuild.build({
        absWorkingDir: ROOT,
        entryPoints: { index: join(ROOT, "functions", `${entry}.ts`) },
        outdir,
        ...FUNCTION_SETTINGS,
        ...FUNCTION_CHUNKS,
        plugins: FUNCTION_PLUGINS,
        metafile: true,
        write: false,
        logLevel: "silent",
      });
      const { outputs } = result.metafile;
      const atStart = loadedWith(outputs, relative(ROOT, join(outdir, "index.mjs")));
      let start = 0;
      let later = 0;
      for (const [path, output] of Object.entries(outputs)) {
        const bytes = Object.entries(output.inputs)
          .filter(([input]) => FLYTEIDL2_MODULES.test(input))
          .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
        if (atStart.has(path)) start += bytes;
        else later += bytes;
      }
      rows.push({ functionName: entry.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()), atStart: start, onFirstUse: later });
    }
    return rows;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A fresh process per run imports the built createTask and answers one request; the two cases interleave. */
async function measureColdStart(): Promise<Flyteidl2ColdStart[]> {
  const bundle = buildFunctions().find((b) => b.name === "createTask")!.path;
  const request = createTaskRequest();
  // Flyte 2's CreateTaskRequest keeps Flyte 1's field numbers: the same bytes are one.
  const cases = [
    { label: "createTask, a Flyte 1 request", event: JSON.stringify(invokeEvent("createTask", [request])) },
    { label: "createTask, a Flyte 2 request (first of the process)", event: JSON.stringify({ ...invokeEvent("createTask", [request]), protocol: "flyteidl2" }) },
  ];
  const samples = await interleaved(cases, { runs: RUNS, priming: PRIMING_RUNS }, async (c) => {
    const { result } = await runChild<{ importMs: number; totalMs: number; response: unknown }>(join(CHILDREN_DIR, "coldstart.mjs"), {
      args: [bundle, "createTask", c.event],
      env: lambdaEnvironment("createTask"),
      timeoutMs: 30_000,
    });
    if (isInvokeFailure(result.response)) throw new Error(`${c.label} answered an error: ${JSON.stringify(result.response.error)}`);
    return result;
  });
  return cases.map((c, index) => {
    const total = Float64Array.from(samples[index]!, (run) => run.totalMs).sort();
    return { label: c.label, medianMs: percentile(total, 50), p90Ms: percentile(total, 90), importMs: summarize(samples[index]!.map((run) => run.importMs)).median };
  });
}

export function renderFlyteidl2(title: string, result: Flyteidl2Result): string {
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  return [
    `## ${title}`,
    "",
    "What serving `flyteidl2.connector` beside Flyte 1 costs each function: the bytes of the Flyte 2 codec, its descriptor and the protocol layer " +
      "loaded at start and in the chunks the first Flyte 2 request loads (bench/suites/flyteidl2.ts), and createTask's cold start answering " +
      `a Flyte 1 request beside the same function answering a Flyte 2 one (median of ${RUNS} interleaved runs).`,
    "",
    "| function | Flyte 2 modules loaded at start (KB, minified) | in chunks of the first Flyte 2 request (KB) |",
    "|---|---:|---:|",
    ...result.bytes.map((row) => `| ${row.functionName} | ${kb(row.atStart)} | ${kb(row.onFirstUse)} |`),
    "",
    "| cold start | median (ms) | p90 (ms) | import done (ms) |",
    "|---|---:|---:|---:|",
    ...result.coldStart.map((row) => `| ${row.label} | ${row.medianMs.toFixed(1)} | ${row.p90Ms.toFixed(1)} | ${row.importMs.toFixed(1)} |`),
  ].join("\n");
}
