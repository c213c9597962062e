/**
 * The functions of infra/build.mjs, each run alone by a bare `node`: its zip unpacked into an
 * empty directory with no node_modules anywhere above it, so a dependency left out of a bundle
 * (or a lazy require of one), or a chunk left out of a zip, fails here rather than in Lambda. The
 * @aws-sdk/* packages the Lambda runtime provides are external and must not be needed either:
 * only the sealing key sources and the AWS connectors require them, on first use, and sealing is off here.
 *
 * Connectors are chunks loaded on first use: that a function does not load one is shown by
 * running it without that chunk.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../functions/registry.js";
import { loadedWith } from "../../infra/function-bundle.mjs";
import { flyteidl } from "../../lib/idl/index.js";
import { operationNames, operations, type OperationName } from "../../lib/service/operations.js";
import { BUILD_DIR, artifactPath, buildFunctions } from "../support/build.js";
import { ECHO_INPUTS, SLEEP_CATEGORY, asJson, echoSyncRequests, fromJson, sleepCreateRequest, type Json } from "../support/demo-requests.js";
import { zipEntries, type ZipEntry } from "./zip-entries.js";

type Answer = { body?: string; messages?: string[]; error?: { code: number; status: string; message: string } };

/** The functions that answer from the registry's entries alone. */
const METADATA_FUNCTIONS: readonly OperationName[] = ["getAgent", "listAgents"];
const CONNECTOR_MODULE = /^lib\/connectors\//;

/** Runs in the bare directory: imports the entry, answers each event in events.json into answers.json. */
const RUNNER = `
import { readFileSync, writeFileSync } from "node:fs";
const { handler } = await import("./index.mjs");
const context = {
  functionName: "bare", functionVersion: "$LATEST", invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:bare",
  memoryLimitInMB: "256", awsRequestId: "bare-request", logGroupName: "/aws/lambda/bare", logStreamName: "bare",
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 10000,
};
const answers = [];
for (const event of JSON.parse(readFileSync("events.json", "utf8"))) answers.push(await handler(event, context));
writeFileSync("answers.json", JSON.stringify(answers));
`;

const scratch: string[] = [];
let buildOutput: string;
let meta: Metafile;

/** The output files (metafile paths) of a function, and those it loads at start. */
const outputsOf = (key: OperationName) => Object.keys(meta.outputs).filter((path) => path.startsWith(`.build/${key}/`));
const atStart = (key: OperationName) => loadedWith(meta.outputs, `.build/${key}/index.mjs`);
const fileName = (path: string) => path.split("/").at(-1)!;

/** The output of `key` that is the chunk of `module` (an entry point of the build: `lib/connectors/echo.ts`). */
function chunkOf(key: OperationName, module: string): string {
  const chunk = outputsOf(key).find((path) => meta.outputs[path]!.entryPoint === module);
  expect(chunk, `${key}'s chunk of ${module}`).toBeDefined();
  return chunk!;
}

/** The modules the registry loads with import(): one per connector. */
function connectorModules(): string[] {
  return meta.inputs["functions/registry.ts"]!.imports.filter((i) => i.kind === "dynamic-import" && !i.external).map((i) => i.path);
}

async function unzipped(key: OperationName): Promise<ZipEntry[]> {
  return zipEntries(await readFile(artifactPath(key)));
}

/**
 * Answers `events` with the function `key` as its zip deploys it, run by a bare node in a directory
 * of its own; `keep` leaves files out, to show they are not loaded.
 */
async function runBare(key: OperationName, events: unknown[], keep: (name: string) => boolean = () => true): Promise<Answer[]> {
  const dir = await mkdtemp(join(tmpdir(), `bare-${key}-`));
  scratch.push(dir);
  for (const { name, bytes } of await unzipped(key)) if (keep(name)) await writeFile(join(dir, name), bytes);
  await writeFile(join(dir, "run.mjs"), RUNNER);
  await writeFile(join(dir, "events.json"), JSON.stringify(events));
  // Nothing from this environment: no NODE_PATH, NODE_OPTIONS or home with global modules.
  await promisify(execFile)(process.execPath, ["run.mjs"], { cwd: dir, env: { PATH: process.env["PATH"] ?? "", HOME: dir } });
  return JSON.parse(await readFile(join(dir, "answers.json"), "utf8")) as Answer[];
}

function encode(op: OperationName, request: Json): string {
  const { requestType } = operations[op];
  return Buffer.from(requestType.encode(fromJson(requestType, request)).finish()).toString("base64");
}

function decode(op: OperationName, text: string | undefined): Json {
  expect(text, "an answer with a body").toEqual(expect.any(String));
  const { responseType } = operations[op];
  return asJson(responseType, responseType.decode(Buffer.from(text!, "base64")));
}

beforeAll(async () => {
  buildOutput = await buildFunctions();
  meta = JSON.parse(await readFile(join(BUILD_DIR, "meta.json"), "utf8")) as Metafile;
});

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("the build", () => {
  it("is tested where no node_modules can be reached", () => {
    for (let dir = tmpdir(); ; dir = dirname(dir)) {
      expect(existsSync(join(dir, "node_modules")), `${dir}/node_modules`).toBe(false);
      if (dirname(dir) === dir) break;
    }
  });

  it("builds one entry and one zip per operation, and prints the size of each function and of each chunk", () => {
    for (const key of operationNames) {
      expect(existsSync(join(BUILD_DIR, key, "index.mjs")), key).toBe(true);
      expect(existsSync(artifactPath(key)), artifactPath(key)).toBe(true);
      expect(buildOutput).toMatch(new RegExp(`^${key}(\\s+\\d+){5}$`, "m"));
    }
    for (const module of connectorModules()) {
      const name = fileName(chunkOf("createTask", module));
      expect(buildOutput).toMatch(new RegExp(`^${name.replace(".", "\\.")}(\\s+\\d+){3}\\s+${module}$`, "m"));
    }
  });

  it("has none of our modules import node:http as an ES module, which loads undici from Node 22 on", () => {
    // Node 22's node:http exports undici's WebSocket, CloseEvent and MessageEvent as lazy getters;
    // an ES import reads them all to build its namespace (nodejs/node#57649): 20-35 ms of an HTTP
    // connector's cold start on Lambda's nodejs22.x. process.getBuiltinModule reads none.
    const ours = Object.entries(meta.inputs).filter(([path]) => !path.includes("node_modules/"));
    expect(ours.length).toBeGreaterThan(50);
    const httpImports = ours.flatMap(([path, input]) => input.imports.filter((i) => i.path === "node:http" || i.path === "http").map((i) => `${path} (${i.kind})`));
    expect(httpImports).toEqual([]);
  });

  it("writes a metafile whose functions load nothing but Node's own modules at start", () => {
    const bundles = Object.keys(meta.outputs).filter((path) => path.endsWith("/index.mjs"));
    expect(bundles.map((path) => path.split("/").at(-2)).sort()).toEqual([...operationNames].sort());
    const externals = Object.values(meta.outputs).flatMap((output) => output.imports.filter((i) => i.external));
    // protobufjs reaches `fs` by its bare name (a lazy require it never calls here): still Node's own.
    expect(externals.filter(({ path, kind }) => !isBuiltin(path) && kind !== "dynamic-import")).toEqual([]);
    for (const key of operationNames) {
      const imported = new Set(outputsOf(key).flatMap((path) => meta.outputs[path]!.imports.filter((i) => i.external && i.kind === "dynamic-import").map((i) => i.path)));
      // A metadata function leaves the registry's connector imports to run time; a library in a
      // chunk may import Node's own modules lazily.
      const connectors = METADATA_FUNCTIONS.includes(key) ? connectorModules().map((path) => path.replace(/^lib\//, "../lib/").replace(/\.ts$/, ".js")) : [];
      expect([...imported].filter((path) => !isBuiltin(path)).sort(), key).toEqual([...new Set(connectors)].sort());
    }
    // The AWS SDK the Lambda runtime provides is required on first use (requirePackage), never bundled.
    expect(Object.keys(meta.inputs).filter((path) => /node_modules\/(@aws-sdk|@smithy)\//.test(path))).toEqual([]);
    // `long` has an ES module and a CommonJS build; the build keeps one of them.
    expect(Object.keys(meta.inputs).filter((path) => path.startsWith("node_modules/long/"))).toHaveLength(1);
  });

  it("keeps the errors' names, which minifying takes from their classes, for the log", async () => {
    const code = (await Promise.all([...atStart("createTask")].map((path) => readFile(path, "utf8")))).join("\n");
    for (const name of ["InvalidArgumentError", "FailedPreconditionError", "TaskFailedError", "UnavailableError", "InternalError", "DeadlineExceededError", "CancelledError"]) {
      expect(code).toContain(`"${name}"`);
    }
  });

  it("registers the demo connectors, each a module of its own", () => {
    expect(connectorModules()).toEqual(expect.arrayContaining(["lib/connectors/echo.ts", "lib/connectors/sleep.ts", "lib/connectors/webhook.ts"]));
  });

  it.each(operationNames)("zips exactly the files of %s, every one .mjs and every import among them", async (key) => {
    const entries = await unzipped(key);
    const names = entries.map((entry) => entry.name);
    expect(names).toContain("index.mjs");
    expect(names.filter((name) => !/^[\w-]+\.mjs$/.test(name))).toEqual([]);
    expect([...names].sort()).toEqual(outputsOf(key).map(fileName).sort());
    for (const entry of entries) {
      expect(entry.mode & 0o777).toBe(0o644);
      expect(entry.bytes.equals(await readFile(join(BUILD_DIR, key, entry.name))), entry.name).toBe(true);
    }
    const imported = outputsOf(key).flatMap((path) => meta.outputs[path]!.imports.filter((i) => !i.external).map((i) => i.path));
    expect(imported.filter((path) => !path.startsWith(`.build/${key}/`) || !names.includes(fileName(path)))).toEqual([]);
  });

  it.each(operationNames.filter((key) => !METADATA_FUNCTIONS.includes(key)))("%s loads no connector code at start, and ships each connector as a chunk", (key) => {
    const start = [...atStart(key)];
    expect(start.flatMap((path) => Object.keys(meta.outputs[path]!.inputs)).filter((input) => CONNECTOR_MODULE.test(input))).toEqual([]);
    for (const module of connectorModules()) {
      const chunk = chunkOf(key, module);
      expect(start).not.toContain(chunk);
      expect(meta.outputs[`.build/${key}/index.mjs`]!.imports.filter((i) => i.kind === "dynamic-import").map((i) => i.path)).toContain(chunk);
    }
  });

  it("loads only google-auth-library's JWT signer with BigQuery; its OAuth client and gaxios wait for a federation config", () => {
    const inputs = [...loadedWith(meta.outputs, chunkOf("createTask", "lib/connectors/bigquery/connector.ts"))].flatMap((path) =>
      Object.keys(meta.outputs[path]!.inputs),
    );
    const library = inputs.filter((input) => /node_modules\/(google-auth-library|gaxios|gcp-metadata)\//.test(input));
    expect(library).toContain("node_modules/google-auth-library/build/src/auth/jwtaccess.js");
    expect(library.filter((input) => /gaxios|gcp-metadata|oauth2client|googleauth/.test(input))).toEqual([]);
  });

  it.each(METADATA_FUNCTIONS)("%s holds no connector code at all", (key) => {
    const inputs = outputsOf(key).flatMap((path) => Object.keys(meta.outputs[path]!.inputs));
    expect(inputs.filter((input) => CONNECTOR_MODULE.test(input))).toEqual([]);
  });
});

/** Only the files `key` loads at start, and those `modules`' chunks load with them. */
function onlyLoadedBy(key: OperationName, modules: readonly string[] = []): (name: string) => boolean {
  const loaded = new Set([...atStart(key), ...modules.flatMap((module) => [...loadedWith(meta.outputs, chunkOf(key, module))])].map(fileName));
  return (name) => loaded.has(name);
}

describe("each function, alone under a bare node", () => {
  it.each(operationNames)("%s answers a malformed envelope with INVALID_ARGUMENT", async (key) => {
    const [answer] = await runBare(key, [{ body: 42, messages: 42 }]);
    expect(answer).toEqual({ error: { code: 3, status: "INVALID_ARGUMENT", message: expect.any(String) } });
  });

  it("listAgents lists the registry's connectors, with only the files it loads at start", async () => {
    const [answer] = await runBare("listAgents", [{ body: encode("listAgents", {}) }], onlyLoadedBy("listAgents"));
    const expected = new flyteidl.admin.ListAgentsResponse({ agents: registry.listConnectors() });
    expect(decode("listAgents", answer?.body)).toEqual(asJson(flyteidl.admin.ListAgentsResponse, expected));
  });

  it("getAgent describes each connector by name, NOT_FOUND for another, with only the files it loads at start", async () => {
    const names = registry.listConnectors().map((agent) => agent.name);
    expect(names).toContain("Echo Connector");
    const events = [...names, "Nope"].map((name) => ({ body: encode("getAgent", { name }) }));
    const answers = await runBare("getAgent", events, onlyLoadedBy("getAgent"));
    names.forEach((name, i) => {
      const expected = new flyteidl.admin.GetAgentResponse({ agent: registry.getConnectorMetadata(name) });
      expect(decode("getAgent", answers[i]?.body)).toEqual(asJson(flyteidl.admin.GetAgentResponse, expected));
    });
    expect(answers.at(-1)).toEqual({ error: { code: 5, status: "NOT_FOUND", message: "Cannot find connector for name: Nope." } });
  });

  it("executeTaskSync runs echo with only echo's chunks beside what it loads at start", async () => {
    const events = [{ messages: echoSyncRequests().map((m) => encode("executeTaskSync", m)) }];
    const [answer] = await runBare("executeTaskSync", events, onlyLoadedBy("executeTaskSync", ["lib/connectors/echo.ts"]));
    expect(answer?.messages).toHaveLength(1);
    expect(decode("executeTaskSync", answer?.messages?.[0])).toMatchObject({
      header: { resource: { phase: "SUCCEEDED", outputs: ECHO_INPUTS } },
    });
  });

  it("createTask, getTask, deleteTask, getTaskLogs and getTaskMetrics serve a sleep task, each with only sleep's chunks", async () => {
    const sleep = (key: OperationName) => onlyLoadedBy(key, ["lib/connectors/sleep.ts"]);
    const [created] = await runBare("createTask", [{ body: encode("createTask", sleepCreateRequest(0)) }], sleep("createTask"));
    const { resourceMeta } = decode("createTask", created?.body);
    const task = { taskCategory: SLEEP_CATEGORY, resourceMeta };

    const [got] = await runBare("getTask", [{ body: encode("getTask", task) }], sleep("getTask"));
    expect(decode("getTask", got?.body)).toMatchObject({ resource: { phase: "SUCCEEDED" } });
    const [deleted] = await runBare("deleteTask", [{ body: encode("deleteTask", task) }], sleep("deleteTask"));
    expect(decode("deleteTask", deleted?.body)).toEqual({});
    const [logs] = await runBare("getTaskLogs", [{ body: encode("getTaskLogs", { ...task, lines: 5 }) }], sleep("getTaskLogs"));
    expect(decode("getTaskLogs", logs?.messages?.[0])).toHaveProperty("header");
    const [metrics] = await runBare("getTaskMetrics", [{ body: encode("getTaskMetrics", task) }], sleep("getTaskMetrics"));
    expect(metrics?.error).toMatchObject({ code: 12, status: "UNIMPLEMENTED" });
  });

  it("createTask answers INTERNAL, naming the connector, when its chunk is missing, and still serves the others", async () => {
    const sleepChunk = fileName(chunkOf("createTask", "lib/connectors/sleep.ts"));
    const answers = await runBare(
      "createTask",
      [sleepCreateRequest(0), sleepCreateRequest(0, "echo")].map((request) => ({ body: encode("createTask", request) })),
      (name) => name !== sleepChunk,
    );
    expect(answers[0]?.error).toMatchObject({ code: 13, status: "INTERNAL" });
    expect(answers[0]?.error?.message).toMatch(/^Cannot load the async connector "Sleep Connector" for task category sleep_v0: /);
    // echo loads (it is sync, which createTask refuses after loading it).
    expect(answers[1]?.error).toMatchObject({ code: 3, message: "Connector for task category echo_v0 is synchronous: use ExecuteTaskSync." });
  });
});
