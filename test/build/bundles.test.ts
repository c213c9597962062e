/**
 * The bundles of infra/build.mjs, each run alone by a bare `node`: copied into an empty
 * directory with no node_modules anywhere above it, so a dependency left out of a bundle (or
 * a lazy require of one) fails here rather than in Lambda. The @aws-sdk/* packages the Lambda
 * runtime provides are external and must not be needed either: only the sealing key sources
 * import them, on first use, and sealing is off here.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../functions/registry.js";
import { flyteidl } from "../../lib/idl/index.js";
import { operationNames, operations, type OperationName } from "../../lib/service/operations.js";
import { BUILD_DIR, artifactPath, buildFunctions, bundlePath } from "../support/build.js";
import { ECHO_INPUTS, SLEEP_CATEGORY, asJson, echoSyncRequests, fromJson, sleepCreateRequest, type Json } from "../support/demo-requests.js";

type Answer = { body?: string; messages?: string[]; error?: { code: number; status: string; message: string } };

/** Runs in the bare directory: imports the bundle, answers each event in events.json into answers.json. */
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

/** Answers `events` with the bundle of `key`, run by a bare node in a directory of its own. */
async function runBare(key: OperationName, events: unknown[]): Promise<Answer[]> {
  const dir = await mkdtemp(join(tmpdir(), `bare-${key}-`));
  scratch.push(dir);
  await copyFile(bundlePath(key), join(dir, "index.mjs"));
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

  it("builds one bundle and one zip per operation, and prints their sizes", () => {
    for (const key of operationNames) {
      expect(existsSync(bundlePath(key)), bundlePath(key)).toBe(true);
      expect(existsSync(artifactPath(key)), artifactPath(key)).toBe(true);
      expect(buildOutput).toMatch(new RegExp(`^${key}\\s+\\d+\\s+\\d+\\s+\\d+$`, "m"));
    }
  });

  it("writes a metafile whose bundles load nothing but Node's own modules at start", async () => {
    const meta = JSON.parse(await readFile(join(BUILD_DIR, "meta.json"), "utf8")) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
    };
    const bundles = Object.keys(meta.outputs).filter((path) => path.endsWith("/index.mjs"));
    expect(bundles.map((path) => path.split("/").at(-2)).sort()).toEqual([...operationNames].sort());
    const externals = Object.values(meta.outputs).flatMap((output) => output.imports.filter((i) => i.external));
    // protobufjs reaches `fs` by its bare name (a lazy require it never calls here): still Node's own.
    expect(externals.filter(({ path, kind }) => !isBuiltin(path) && kind !== "dynamic-import")).toEqual([]);
    // The sealing keys' AWS clients, which the Lambda runtime provides, are imported when first needed.
    const imported = new Set(externals.filter(({ kind }) => kind === "dynamic-import").map(({ path }) => path));
    expect([...imported].sort()).toEqual(["@aws-sdk/client-secrets-manager", "@aws-sdk/client-ssm"]);
    // `long` has an ES module and a CommonJS build; the build keeps one of them.
    expect(Object.keys(meta.inputs).filter((path) => path.startsWith("node_modules/long/"))).toHaveLength(1);
  });

  it("zips each bundle alone as index.mjs, the handler serverless.yml names", async () => {
    for (const key of operationNames) {
      const zip = await readFile(artifactPath(key));
      const bundle = await readFile(bundlePath(key));
      // Local file header: signature, then the name at offset 30 with its length at offset 26.
      expect(zip.readUInt32LE(0)).toBe(0x04034b50);
      expect(zip.toString("utf8", 30, 30 + zip.readUInt16LE(26))).toBe("index.mjs");
      // Central directory end record: exactly one entry, whose uncompressed size is the bundle's.
      const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
      expect(zip.readUInt16LE(end + 10)).toBe(1);
      expect(zip.readUInt32LE(22)).toBe(bundle.byteLength);
    }
  });
});

describe("each bundle, alone under a bare node", () => {
  it.each(operationNames)("%s answers a malformed envelope with INVALID_ARGUMENT", async (key) => {
    const [answer] = await runBare(key, [{ body: 42, messages: 42 }]);
    expect(answer).toEqual({ error: { code: 3, status: "INVALID_ARGUMENT", message: expect.any(String) } });
  });

  it("listAgents lists the registry's connectors", async () => {
    const [answer] = await runBare("listAgents", [{ body: encode("listAgents", {}) }]);
    const expected = new flyteidl.admin.ListAgentsResponse({ agents: registry.listConnectors() });
    expect(decode("listAgents", answer?.body)).toEqual(asJson(flyteidl.admin.ListAgentsResponse, expected));
  });

  it("getAgent describes each connector by name, NOT_FOUND for another", async () => {
    const names = registry.listConnectors().map((agent) => agent.name);
    expect(names).toContain("Echo Connector");
    const answers = await runBare("getAgent", [...names, "Nope"].map((name) => ({ body: encode("getAgent", { name }) })));
    names.forEach((name, i) => {
      const expected = new flyteidl.admin.GetAgentResponse({ agent: registry.getConnectorMetadata(name) });
      expect(decode("getAgent", answers[i]?.body)).toEqual(asJson(flyteidl.admin.GetAgentResponse, expected));
    });
    expect(answers.at(-1)).toEqual({ error: { code: 5, status: "NOT_FOUND", message: "Cannot find connector for name: Nope." } });
  });

  it("executeTaskSync runs echo", async () => {
    const [answer] = await runBare("executeTaskSync", [{ messages: echoSyncRequests().map((m) => encode("executeTaskSync", m)) }]);
    expect(answer?.messages).toHaveLength(1);
    expect(decode("executeTaskSync", answer?.messages?.[0])).toMatchObject({
      header: { resource: { phase: "SUCCEEDED", outputs: ECHO_INPUTS } },
    });
  });

  it("createTask, getTask, deleteTask, getTaskLogs and getTaskMetrics serve a sleep task", async () => {
    const [created] = await runBare("createTask", [{ body: encode("createTask", sleepCreateRequest(0)) }]);
    const { resourceMeta } = decode("createTask", created?.body);
    const task = { taskCategory: SLEEP_CATEGORY, resourceMeta };

    const [got] = await runBare("getTask", [{ body: encode("getTask", task) }]);
    expect(decode("getTask", got?.body)).toMatchObject({ resource: { phase: "SUCCEEDED" } });
    const [deleted] = await runBare("deleteTask", [{ body: encode("deleteTask", task) }]);
    expect(decode("deleteTask", deleted?.body)).toEqual({});
    const [logs] = await runBare("getTaskLogs", [{ body: encode("getTaskLogs", { ...task, lines: 5 }) }]);
    expect(decode("getTaskLogs", logs?.messages?.[0])).toHaveProperty("header");
    const [metrics] = await runBare("getTaskMetrics", [{ body: encode("getTaskMetrics", task) }]);
    expect(metrics?.error).toMatchObject({ code: 12, status: "UNIMPLEMENTED" });
  });
});
