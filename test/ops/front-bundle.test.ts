/**
 * The container's gRPC front, as the image holds and runs it. The Dockerfile's build stage is
 * replayed without Docker: its COPY instructions fill a fresh directory from the repository
 * (less what .dockerignore leaves out), the installed node_modules stand in for `npm ci`, and its
 * other RUN steps run there. The file the runtime stage copies is then put alone into an empty
 * directory and started by a bare `node` (no repository, no node_modules around it), serving
 * `--backend lambda` against a local Lambda Invoke endpoint that runs the real function handlers.
 * It answers the gRPC health check and calls, serves its metrics, and on SIGTERM finishes the
 * calls it is running before it exits.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix, relative } from "node:path";
import { promisify } from "node:util";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, expect, test } from "vitest";
import { registry } from "../../functions/registry.js";
import { grpc, flyteidl } from "../../lib/idl/index.js";
import { operations } from "../../lib/service/operations.js";
import { startLambdaEndpoint, type LambdaEndpoint } from "../client/support/lambda-endpoint.js";
import { REPO_ROOT } from "../support/build.js";
import { echoSyncRequests, fromJson, SLEEP_CATEGORY, sleepCreateRequest } from "../support/demo-requests.js";
import { grpcError, RawClient } from "../transport/grpc/raw-client.js";
import { argsOf, copies, lastOf, readDockerfile } from "./dockerfile.js";

const { admin } = flyteidl;
const { HealthCheckRequest, HealthCheckResponse } = grpc.health.v1;
const check = { path: "/grpc.health.v1.Health/Check", requestType: HealthCheckRequest, responseType: HealthCheckResponse };

let contextDir: string;
let runDir: string;
/** What the runtime stage copies from the build stage, as paths in the replayed build. */
let imageFiles: string[];
let lambda: LambdaEndpoint;
let gate: Gate;

beforeAll(async () => {
  contextDir = mkdtempSync(join(tmpdir(), "front-build-"));
  runDir = mkdtempSync(join(tmpdir(), "front-run-"));
  imageFiles = await replayDockerBuild(contextDir, runDir);
  lambda = await startLambdaEndpoint(registry);
  gate = await startGate(lambda.endpoint);
});

afterAll(async () => {
  await gate?.close();
  await lambda?.close();
  for (const dir of [contextDir, runDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the image holds one file, the bundle, and nothing resolves modules above it", () => {
  expect(imageFiles.map((file) => relative(contextDir, file))).toEqual(["dist/front/front.mjs"]);
  expect(readdirSync(dirname(imageFiles[0]!))).toEqual(["front.mjs"]);
  expect(readdirSync(runDir)).toEqual(["front.mjs"]);
  for (let dir = runDir; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, "node_modules"))).toBe(false);
});

test("--version answers the package's version, which the bundle carries", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["front.mjs", "--version"], { cwd: runDir, env: { PATH: process.env.PATH ?? "" } });
  expect(stdout).toBe(`${JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version}\n`);
});

test("a JavaScript module given with --connector loads as Node loads it: the image has no tsx", async () => {
  const dir = mkdtempSync(join(tmpdir(), "front-module-"));
  try {
    writeFileSync(join(dir, "plain.mjs"), "export const answer = 42;\n");
    const run = promisify(execFile)(process.execPath, [join(runDir, "front.mjs"), "list", "--connector", "./plain.mjs"], { cwd: dir, env: { PATH: process.env.PATH ?? "" } });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("Connector module './plain.mjs' exports no connector") });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("under a bare node: health check, calls through the Lambda transport, metrics", async () => {
  const front = startFront();
  const client = new RawClient(await front.grpcAddress);
  try {
    for (const service of ["", "flyteidl.service.AsyncAgentService"]) {
      const health = await client.unary(check, new HealthCheckRequest({ service }));
      expect(health.status).toBe(HealthCheckResponse.ServingStatus.SERVING);
    }
    const created = await client.unary(operations.createTask, fromJson(admin.CreateTaskRequest, sleepCreateRequest(0)));
    const got = await client.unary(operations.getTask, new admin.GetTaskRequest({ taskCategory: SLEEP_CATEGORY, resourceMeta: created.resourceMeta }));
    expect(got.resource?.phase).toBe(flyteidl.core.TaskExecution.Phase.SUCCEEDED);
    const [answer] = await client.bidi(operations.executeTaskSync, echoSyncRequests().map((json) => fromJson(admin.ExecuteTaskSyncRequest, json)));
    expect(answer?.header?.resource?.phase).toBe(flyteidl.core.TaskExecution.Phase.SUCCEEDED);
    // A failure the function answered keeps its status through the front.
    const missing = await grpcError(client.unary(operations.getAgent, new admin.GetAgentRequest({ name: "Nope" })));
    expect(missing.code).toBe(status.NOT_FOUND);

    const metrics = await (await fetch(await front.metricsUrl)).text();
    expect(metrics).toMatch(/^flyte_connector_requests_success_total\{task_type="sleep",operation="create"\} 1$/m);
    expect(metrics).toMatch(/^flyte_connector_front_requests_total\{rpc="getAgent",code="NOT_FOUND",protocol="flyteidl"\} 1$/m);
  } finally {
    client.close();
    await front.stop();
  }
});

test("SIGTERM: the call in flight is answered, new calls are refused, the process exits 0", async () => {
  const front = startFront();
  const address = await front.grpcAddress;
  const client = new RawClient(address);
  try {
    // Startup's own listAgents has passed the gate; hold the next invocation.
    const held = gate.hold();
    const running = client.unary(operations.createTask, fromJson(admin.CreateTaskRequest, sleepCreateRequest(0)));
    await held.arrived;
    front.child.kill("SIGTERM");
    await front.waitFor(/SIGTERM: shutting down/);

    const late = new RawClient(address);
    try {
      expect((await grpcError(late.unary(operations.listAgents, new admin.ListAgentsRequest()))).code).toBe(status.UNAVAILABLE);
    } finally {
      late.close();
    }
    expect(front.child.exitCode).toBeNull();

    held.release();
    expect((await running).resourceMeta?.byteLength).toBeGreaterThan(0);
    const [code] = await front.exited;
    expect(code).toBe(0);
  } finally {
    client.close();
    await front.stop();
  }
});

/**
 * Replays the Dockerfile: the build stage in `contextDir` (its WORKDIR), then the runtime stage's
 * copies from it into `runDir` (the runtime WORKDIR). Returns the files copied from the build.
 */
async function replayDockerBuild(contextDir: string, runDir: string): Promise<string[]> {
  const stages = readDockerfile();
  const build = stages.find((stage) => stage.name === "build");
  const runtime = stages.at(-1)!;
  if (!build || build === runtime) throw new Error("Dockerfile: expected a build stage and a runtime stage");
  const buildRoot = lastOf(build, "WORKDIR")!;
  const ignored = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("!") && line !== "*");
  const isIgnored = (path: string) =>
    ignored.some((pattern) =>
      pattern.startsWith("**/*") ? basename(path).endsWith(pattern.slice(4)) : `${path}/`.startsWith(pattern.endsWith("/") ? pattern : `${pattern}/`),
    );
  for (const { from, sources, destination } of copies(build)) {
    if (from !== undefined) throw new Error("Dockerfile: the build stage copies from another stage");
    for (const source of sources) {
      const target = destination.endsWith("/") && !source.endsWith("/") ? join(contextDir, destination, basename(source)) : join(contextDir, destination);
      cpSync(join(REPO_ROOT, source), target, { recursive: true, filter: (path) => !isIgnored(relative(REPO_ROOT, path)) });
    }
  }
  const runs = argsOf(build, "RUN");
  expect(runs[0]).toMatch(/^npm ci\b/);
  // npm ci's result, as installed here.
  symlinkSync(join(REPO_ROOT, "node_modules"), join(contextDir, "node_modules"));
  for (const command of runs.slice(1)) await promisify(execFile)("sh", ["-c", command], { cwd: contextDir });

  const runtimeRoot = lastOf(runtime, "WORKDIR")!;
  const copied: string[] = [];
  for (const { from, sources, destination } of copies(runtime)) {
    expect(from).toBe("build");
    for (const source of sources) {
      const built = join(contextDir, posix.relative(buildRoot, source));
      copyFileSync(built, join(runDir, posix.relative(runtimeRoot, posix.resolve(runtimeRoot, destination))));
      copied.push(built);
    }
  }
  return copied;
}

interface Front {
  readonly child: ChildProcess;
  readonly grpcAddress: Promise<string>;
  readonly metricsUrl: Promise<string>;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function startFront(): Front {
  const args = ["serve", "--backend", "lambda", "--endpoint", gate.endpoint, "--region", "us-east-1"];
  args.push("--host", "127.0.0.1", "--grpc-port", "0", "--metrics-port", "0");
  const child = spawn(process.execPath, ["front.mjs", ...args], {
    cwd: runDir,
    // Only what a container's environment holds: no NODE_OPTIONS or NODE_PATH from the test runner.
    env: { PATH: process.env.PATH ?? "", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  void exited.then(() => running.delete(child));
  const waitFor = async (pattern: RegExp): Promise<RegExpMatchArray> => {
    for (;;) {
      const match = output.match(pattern);
      if (match) return match;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`front exited (${child.exitCode ?? child.signalCode}):\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return {
    child,
    grpcAddress: waitFor(/gRPC front on (\S+) \(plaintext\)/).then((m) => m[1]!),
    metricsUrl: waitFor(/Prometheus metrics on (\S+)/).then((m) => m[1]!),
    exited,
    waitFor,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** A pass-through to the Lambda endpoint that can hold one invocation until released: a slow function. */
interface Gate {
  readonly endpoint: string;
  hold(): { readonly arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

async function startGate(target: string): Promise<Gate> {
  let holding: { arrive: () => void; released: Promise<void> } | undefined;
  const server: Server = createServer((request, response) => {
    const waitFor = holding ? (holding.arrive(), holding.released) : Promise.resolve();
    holding = undefined;
    void waitFor.then(() => {
      const upstream = httpRequest(new URL(request.url ?? "/", target), { method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      request.pipe(upstream);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    hold() {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holding = { arrive, released };
      return { arrived, release };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
