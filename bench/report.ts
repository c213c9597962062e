/** BENCHMARKS.md, rendered from the stored results and the budget checks. */
import { renderCli } from "./suites/cli.js";
import { costSection } from "./suites/cost-report.js";
import { renderFlyteidl2 } from "./suites/flyteidl2.js";
import { BUDGET, kb, type BudgetCheck } from "./budget.js";
import type { CodecCase, Results, RunInfo, SuiteName, Timing } from "./results.js";
import { SUITE_NAMES } from "./results.js";

/** Everything after this line in BENCHMARKS.md is written by hand and kept across runs. */
export const NOTES_MARKER = "<!-- Hand-written notes below this line are kept by `npm run bench`. -->";

const TITLES: Record<SuiteName, string> = {
  size: "1. Bundle size",
  coldstart: "2. Cold start",
  warm: "3. Warm per-op cost",
  grpc: "4. gRPC front",
  codec: "5. Codec comparison",
  cost: "6. Cost, scale and end to end",
  flyteidl2: "7. Flyte 2",
  cli: "8. Command line and client start-up",
};

export function renderReport(results: Partial<Results>, checks: readonly BudgetCheck[], notes = ""): string {
  const sections = [
    "# Benchmarks",
    "Written by `npm run bench` (bench/main.ts) from bench/results.json: edit neither by hand. " +
      "`npm run bench -- size coldstart` runs a subset and keeps the other sections as last measured; " +
      "`npm run bench -- --check` also exits non-zero when the budget of issue 5 is missed. " +
      "Each suite states where and when it ran; the load average shows what else was running on the machine.",
    machineSection(results),
    budgetSection(checks),
    ...SUITE_NAMES.flatMap((name) => {
      const section = renderSuite(name, results);
      return section ? [section] : [];
    }),
    NOTES_MARKER,
  ];
  const kept = notes.trim();
  return `${sections.join("\n\n")}\n${kept ? `\n${kept}\n` : ""}`;
}

/** The hand-written part of an existing BENCHMARKS.md (empty when there is none). */
export function notesOf(existing: string): string {
  const at = existing.indexOf(NOTES_MARKER);
  return at < 0 ? "" : existing.slice(at + NOTES_MARKER.length).trim();
}

function machineSection(results: Partial<Results>): string {
  const rows = SUITE_NAMES.flatMap((name) => {
    const run: RunInfo | undefined = results[name]?.run;
    if (!run) return [];
    const m = run.machine;
    return [[name, run.date.replace("T", " ").replace(/\.\d+Z$/, " UTC"), m.node, `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB`, m.os, run.loadAverage.toFixed(2)]];
  });
  return ["## Where and when", table(["suite", "date", "Node", "machine", "OS", "load avg"], rows)].join("\n\n");
}

function budgetSection(checks: readonly BudgetCheck[]): string {
  const rows = checks.map((c) => [c.item, c.target, c.actual, c.met ? "met" : "**missed**"]);
  const missed = checks.filter((c) => !c.met).length;
  const summary = checks.length === 0 ? "No suite of the budget has been measured." : `${checks.length - missed} of ${checks.length} met.`;
  return ["## Budget (issue 5)", summary, table(["item", "target", "measured", ""], rows)].join("\n\n");
}

/** One suite's section of BENCHMARKS.md, or undefined when `results` lacks it. */
export function renderSuite(name: SuiteName, results: Partial<Results>): string | undefined {
  switch (name) {
    case "size":
      return results.size && sizeSection(results.size);
    case "coldstart":
      return results.coldstart && coldStartSection(results.coldstart);
    case "warm":
      return results.warm && warmSection(results.warm);
    case "grpc":
      return results.grpc && grpcSection(results.grpc);
    case "codec":
      return results.codec && codecSection(results.codec);
    case "cost":
      return results.cost && costSection(TITLES.cost, results.cost);
    case "flyteidl2":
      return results.flyteidl2 && renderFlyteidl2(TITLES.flyteidl2, results.flyteidl2);
    case "cli":
      return results.cli && renderCli(TITLES.cli, results.cli);
  }
}

function sizeSection(r: Results["size"]): string {
  const analyzed = r.bundles.find((b) => b.name === r.breakdownOf);
  const chunks = r.chunks ?? [];
  return [
    `## ${TITLES.size}`,
    `Each function as \`infra/build.mjs\` builds it (esbuild, minified ESM, \`@aws-sdk/*\` external, code split): its core is what it loads at start, ` +
      `the entry and the chunks it imports; budget ${kb(BUDGET.bundleMaxBytes)} minified. Each file is gzipped alone, as the zip stores it.`,
    table(
      ["function", "core, minified", "gzip", "files"],
      r.bundles.map((b) => [b.name, bytes(b.minified), bytes(b.gzip), b.files === undefined ? "-" : String(b.files)]),
    ),
    ...(chunks.length
      ? [
          "Each connector registered in `functions/registry.ts` is a chunk loaded on its first use: what that adds to a core " +
            "(its chunk and the chunks it shares with other connectors; the most any function loads for it):",
          table(
            ["connector", "module", "minified", "gzip", "files"],
            chunks.map((c) => [c.connector, `\`${c.module}\``, bytes(c.minified), bytes(c.gzip), String(c.files)]),
          ),
        ]
      : []),
    `What fills the ${r.breakdownOf} core (esbuild metafile, bytes in the output, by package or lib/ folder; largest ${r.largest.length}):`,
    table(
      ["module", "bytes", "share"],
      r.largest.map((m) => [`\`${m.path}\``, bytes(m.bytes), analyzed ? percent(m.bytes / analyzed.minified) : "-"]),
    ),
  ].join("\n\n");
}

function coldStartSection(r: Results["coldstart"]): string {
  return [
    `## ${TITLES.coldstart}`,
    `A fresh \`node\` process imports the function's bundle and answers its first direct invocation ` +
      `(the function's real handler with a Lambda context); time from process start (performance.now() in the child) to the answer, ` +
      `median of ${r.floor.runs} interleaved runs. The floor is a bundle, built the same way, whose handler returns at once. ` +
      "listAgents runs with every connector registered; a connector's row is the call that loads it (createTask, or executeTaskSync " +
      "for a sync connector), against its platform's fake where it calls one (bench/connector-cold-starts.ts). " +
      `"import done" is when the bundle finished loading; "spawn to answer" is what the parent saw, process creation included. ` +
      "The last rows are references, not budgeted: the floor plus the bare load of a connector's platform library (its API client), " +
      "the share of a connector's row that is the library's own; and a case again with the functions built with source maps " +
      "(`npm run build -- --source-maps`), run as serverless.yml then runs them (`NODE_OPTIONS=--enable-source-maps`): what readable stack traces cost.",
    coldStartTable(r),
    ...runtimeColdStart(r),
  ].join("\n\n");
}

/** The runs again on the Lambda runtime's node: not budgeted (the budget is this host's node's, as issue 5 set it). */
function runtimeColdStart(r: Results["coldstart"]): string[] {
  const runtime = r.runtime;
  if (runtime === undefined) return [];
  const title = `### On ${runtime.lambdaRuntime}'s node`;
  if ("unavailable" in runtime) return [title, `Not measured: ${runtime.unavailable}.`];
  return [
    title,
    `The same runs on node ${runtime.node}, of the major Lambda's ${runtime.lambdaRuntime} runs (the npm registry's \`node-<platform>-<arch>\` ` +
      "package, on this host's CPU, not Lambda's arm64), each ratio to that node's own floor. Not budgeted: the budget rows are this host's node's.",
    coldStartTable(runtime),
  ];
}

function coldStartTable(r: Pick<Results["coldstart"], "floor" | "cases" | "references">): string {
  const floor = r.floor.medianMs;
  const row = (c: Results["coldstart"]["floor"], isFloor: boolean) => [
    c.label,
    ms(c.medianMs),
    ms(c.p90Ms),
    ms(c.importMs),
    ms(c.spawnMs),
    isFloor ? "1.00x" : ratio(c.medianMs / floor),
    isFloor ? "-" : `+${ms(c.medianMs - floor)}`,
  ];
  return table(
    ["function (request)", "median", "p90", "import done", "spawn to answer", "/ floor", "above floor"],
    [row(r.floor, true), ...r.cases.map((c) => row(c, false)), ...(r.references ?? []).map((c) => row(c, false))],
  );
}

function warmSection(r: Results["warm"]): string {
  const t = (x: Timing) => [perSec(x.opsPerSec), us(x.p50Us), us(x.p99Us)];
  return [
    `## ${TITLES.warm}`,
    "One process per op, as in Lambda. **floor**: decode the request(s) and encode the response(s) with the generated code. " +
      "**envelope**: `handleInvocation` (base64 JSON envelope, decode, dispatch to the connector, encode). " +
      "**handler**: the function's Lambda handler (the envelope plus the deadline from the Lambda context, structured logs and a metric line per failure, written to stdout, which goes to /dev/null). " +
      `Requests: a ${r.cases.find((c) => c.op === "createTask")?.requestBytes ?? "?"}-byte CreateTaskRequest (20 inputs, full TaskTemplate); ` +
      `ExecuteTaskSync as header + inputs; the GetTask family with the ${r.metaBytes}-byte meta the sleep connector made.`,
    table(
      ["op", "connector", "req bytes", "answer", "floor ops/s", "floor p50", "floor p99", "envelope ops/s", "envelope p50", "envelope p99", "handler ops/s", "handler p50", "handler p99", "handler / floor", "handler - floor"],
      r.cases.map((c) => [
        c.op,
        c.connector,
        String(c.requestBytes),
        c.outcome,
        ...t(c.floor),
        ...t(c.envelope),
        ...t(c.handler),
        ratio(c.handler.p50Us / c.floor.p50Us),
        `+${us(c.handler.p50Us - c.floor.p50Us)}`,
      ]),
    ),
    "Times in µs; ratios and differences of the p50s.",
  ].join("\n\n");
}

function grpcSection(r: Results["grpc"]): string {
  return [
    `## ${TITLES.grpc}`,
    "The gRPC front with the in-process service on 127.0.0.1; a separate node process keeps N unary calls in flight on one HTTP/2 connection " +
      "until a fixed count is done, after 5,000 warm-up calls, each with a 10 s deadline as FlytePropeller sets. Latency is per call as the client saw it. " +
      "CPU per call is user + system time of each process over the run: both share the machine's cores. " +
      "Client **http2**: node:http2 speaking the gRPC wire protocol (what a grpc-go caller such as FlytePropeller sends), checking each answer's status and framing; " +
      "**grpc-js**: @grpc/grpc-js's client, for comparison.",
    table(
      ["method", "client", "streams", "calls", "calls/s", "p50", "p99", "errors", "server CPU/call", "client CPU/call"],
      r.cases.map((c) => [
        c.method,
        // Results stored before the client column were all measured with grpc-js.
        c.client ?? "grpc-js",
        String(c.concurrency),
        count(c.requests),
        perSec(c.perSec),
        `${c.p50Ms.toFixed(2)} ms`,
        `${c.p99Ms.toFixed(2)} ms`,
        String(c.errors),
        `${us(c.serverCpuUsPerCall)} µs`,
        `${us(c.clientCpuUsPerCall)} µs`,
      ]),
    ),
  ].join("\n\n");
}

function codecSection(r: Results["codec"]): string {
  const measuredRows = r.cases.flatMap((c) =>
    "failed" in c.measured
      ? []
      : [[c.variant, bytes(c.measured.minified), bytes(c.measured.gzip), ms(c.measured.loadMs), perSec(c.measured.decodePerSec), perSec(c.measured.encodePerSec)]],
  );
  const failed = r.cases.filter((c): c is CodecCase & { measured: { failed: string } } => "failed" in c.measured);
  return [
    `## ${TITLES.codec}`,
    `The same ${r.messageBytes}-byte ${r.message}, each variant bundled alone with the functions' esbuild settings ` +
      "(an entry exporting decode and encode of that one type). Load: a fresh process imports the bundle and decodes the message once (median). " +
      "Alternatives are installed into bench/.deps at bench time and generated from @flyteorg/flyteidl's flyteidl/admin/agent.proto.",
    table(["variant", "minified", "gzip", "load + first decode", "decodes/s", "encodes/s"], measuredRows),
    table(["variant", "how it was made"], r.cases.map((c) => [c.variant, c.how])),
    ...(failed.length ? [`Could not be measured:\n\n${failed.map((c) => `- ${c.variant}: ${c.measured.failed}`).join("\n")}`] : []),
  ].join("\n\n");
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");
const bytes = (n: number) => `${count(n)} B`;
const perSec = (n: number) => count(n);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const us = (n: number) => n.toFixed(1);
const ratio = (n: number) => `${n.toFixed(2)}x`;
const percent = (n: number) => `${(n * 100).toFixed(1)}%`;
