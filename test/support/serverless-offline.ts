/**
 * Runs `serverless offline` (serverless.yml at the repository root) for end-to-end tests: the
 * deployed artifacts (.build/<function>.zip, see test/support/build.ts) behind a local HTTP API
 * and a Lambda Invoke endpoint.
 *
 *   const offline = await startServerlessOffline();          // in beforeAll, after buildFunctions()
 *   await fetch(`${offline.httpUrl}/api/v1/agents`);
 *   new LambdaClient({ endpoint: offline.lambdaEndpoint, region: "us-east-1", credentials: DUMMY_CREDENTIALS })
 *     .send(new InvokeCommand({ FunctionName: offline.functionName("listAgents"), Payload }));
 *   await offline.stop();                                     // in afterAll; safe to call twice
 *
 * Ports default to FLYTE_OFFLINE_HTTP_PORT / FLYTE_OFFLINE_LAMBDA_PORT, else to free ones, so
 * several suites (and a running local stack) do not collide. The process runs in its own
 * process group, which stop() ends (SIGTERM, then SIGKILL), as does the test process's exit.
 * Readiness is polled (both ports accept connections), never read from the log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { REPO_ROOT } from "./build.js";

/** The service name and stage of serverless.yml; deployed function names are `<service>-<stage>-<key>`. */
const SERVICE = "flyte-connectors";
const STAGE = "dev";

/** Any credentials do for the local Invoke endpoint: it does not check signatures. */
export const DUMMY_CREDENTIALS = { accessKeyId: "offline", secretAccessKey: "offline" } as const;

export interface ServerlessOfflineOptions {
  /** API Gateway emulation port; default FLYTE_OFFLINE_HTTP_PORT or a free port. */
  readonly httpPort?: number;
  /** Lambda Invoke endpoint port; default FLYTE_OFFLINE_LAMBDA_PORT or a free port. */
  readonly lambdaPort?: number;
  /** How long to wait for both ports to accept connections. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

export interface ServerlessOffline {
  readonly httpPort: number;
  readonly lambdaPort: number;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:3000` (no stage prefix: HTTP API). */
  readonly httpUrl: string;
  /** `endpoint` for `@aws-sdk/client-lambda`. */
  readonly lambdaEndpoint: string;
  /** The name to Invoke a function by, from its key in serverless.yml (e.g. `listAgents`). */
  functionName(key: string): string;
  /** Everything the process printed so far, for failure messages. */
  output(): string;
  /** Stops the process group and waits for it to exit. */
  stop(): Promise<void>;
}

export async function startServerlessOffline(options: ServerlessOfflineOptions = {}): Promise<ServerlessOffline> {
  const httpPort = options.httpPort ?? portFromEnv("FLYTE_OFFLINE_HTTP_PORT") ?? (await freePort());
  const lambdaPort = options.lambdaPort ?? portFromEnv("FLYTE_OFFLINE_LAMBDA_PORT") ?? (await freePort());
  // Readiness is "the port accepts connections": a port someone else holds would fake it.
  for (const port of [httpPort, lambdaPort]) {
    if (await accepts(port)) throw new Error(`Port ${port} is already in use; serverless offline needs it.`);
  }
  const child = spawn(
    process.execPath,
    [serverlessCli(), "offline", "start", "--httpPort", String(httpPort), "--lambdaPort", String(lambdaPort), "--host", "127.0.0.1"],
    // detached: its own process group, so stop() also reaches the worker processes it may spawn.
    { cwd: REPO_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = once(child, "exit");
  const killOnExit = () => killGroup(child, "SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilListening(child, [httpPort, lambdaPort], options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new Error(`serverless offline did not start: ${(error as Error).message}\n--- output ---\n${log}`);
  }

  return {
    httpPort,
    lambdaPort,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    lambdaEndpoint: `http://127.0.0.1:${lambdaPort}`,
    functionName: (key) => `${SERVICE}-${STAGE}-${key}`,
    output: () => log,
    stop,
  };
}

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("No TCP port assigned.");
  return address.port;
}

function serverlessCli(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("serverless/package.json", { paths: [REPO_ROOT] });
  const { bin } = require(manifest) as { bin: Record<string, string> };
  const cli = bin["serverless"];
  if (!cli) throw new Error(`${manifest} names no serverless binary.`);
  return join(dirname(manifest), cli);
}

function portFromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === "") return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name} is not a TCP port: ${value}`);
  return port;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function waitUntilListening(child: ChildProcess, ports: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await accepts(port))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`it exited (${child.exitCode ?? child.signalCode}) before port ${port} was open`);
      }
      if (Date.now() > deadline) throw new Error(`port ${port} not open after ${timeoutMs} ms`);
      await sleep(200);
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolveAccepts) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolveAccepts(true);
    });
    socket.once("error", () => resolveAccepts(false));
  });
}
