/**
 * `serverless offline` as a child process: the built functions (.build/*.zip) of the
 * serverless.yml in a directory behind a local HTTP API and a Lambda Invoke endpoint. The local
 * stack runs it for `npm run start:offline` (this repository's, or a project's made by
 * `flyte-connector init`), with its output on ours; the end-to-end tests run it with its output
 * kept for their failure messages. It runs in its own process group, so stopping it also reaches
 * the workers it spawns, and the group ends with the parent. Readiness is polled (both ports
 * accept connections), never read from its log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { operationNames } from "../service/operations.js";
import { dialableHost, hostForUrl } from "../transport/addresses.js";

export interface ServerlessOfflineOptions {
  /** The directory holding serverless.yml and .build/. */
  readonly cwd: string;
  readonly host: string;
  readonly httpPort: number;
  readonly lambdaPort: number;
  /** Default 60 s. */
  readonly readyTimeoutMs?: number;
  /** Where its output goes: ours ("inherit", the default), or kept for `output()` ("capture"). */
  readonly output?: "inherit" | "capture";
  /**
   * Aborted to give up while it starts (Ctrl-C): it is stopped, group and all, and the start
   * rejects with the signal's reason. Its process group is detached, so the terminal's SIGINT
   * never reaches it, and a parent that ends on the signal runs no exit listener.
   */
  readonly signal?: AbortSignal;
}

export interface ServerlessOfflineProcess {
  /** `endpoint` for `@aws-sdk/client-lambda`. */
  readonly lambdaEndpoint: string;
  /** What the functions are invoked by, before the operation: `<service>-dev-` of serverless.yml. */
  readonly functionPrefix: string;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:3000` (no stage prefix: an HTTP API). */
  readonly httpUrl: string;
  /** What it printed so far, when captured; "" when it went to our output. */
  output(): string;
  /** Ends its process group (SIGTERM, then SIGKILL after 10 s) and waits for it to exit; safe to call twice. */
  stop(): Promise<void>;
}

export async function startServerlessOffline(options: ServerlessOfflineOptions): Promise<ServerlessOfflineProcess> {
  const functionPrefix = projectFunctionPrefix(options.cwd);
  if (functionPrefix === undefined) {
    throw new Error(`No serverless.yml naming a service in ${options.cwd}: run serve --backend offline in the project that deploys the functions.`);
  }
  const missing = operationNames.filter((name) => !existsSync(join(options.cwd, ".build", `${name}.zip`)));
  if (missing.length > 0) {
    throw new Error(`The functions are not built (no .build/${missing[0]}.zip): run \`npm run build\` first.`);
  }
  const local = dialableHost(options.host);
  // Readiness is "the port accepts connections": a port someone else holds would fake it.
  for (const port of [options.httpPort, options.lambdaPort]) {
    if (await accepts(local, port)) throw new Error(`Port ${port} is already in use; serverless offline needs it.`);
  }
  const args = ["offline", "start", "--host", options.host, "--httpPort", String(options.httpPort), "--lambdaPort", String(options.lambdaPort)];
  const capture = options.output === "capture";
  const child = spawn(process.execPath, [serverlessCli(options.cwd), ...args], {
    cwd: options.cwd,
    detached: true,
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = once(child, "exit");
  // The parent cannot wait at its exit: the group goes at once.
  const killOnExit = () => killGroup(child, "SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    // Its leader gone, what serverless offline started may linger in the group (a worker slow to
    // take the SIGTERM), holding a port: nothing of it outlives stop().
    killGroup(child, "SIGKILL");
    // Only now: a parent made to exit while this waited still takes the group with it.
    process.removeListener("exit", killOnExit);
  };

  try {
    await waitUntilListening(child, local, [options.httpPort, options.lambdaPort], options.readyTimeoutMs ?? 60_000, options.signal);
  } catch (error) {
    await stop();
    if (options.signal?.aborted) throw options.signal.reason;
    const printed = capture ? `\n--- its output ---\n${log}` : "";
    throw new Error(`serverless offline did not start: ${(error as Error).message}.${printed}`);
  }
  const base = (port: number) => `http://${hostForUrl(local)}:${port}`;
  return { lambdaEndpoint: base(options.lambdaPort), functionPrefix, httpUrl: base(options.httpPort), output: () => log, stop };
}

/** serverless' default stage, which offline runs unless told otherwise. */
const STAGE = "dev";

/**
 * `<service>-dev-`: how serverless names the functions of the serverless.yml in `cwd` at its
 * default stage (`<service>-<stage>-<op>`), which offline runs and a plain deploy makes; undefined
 * when there is no serverless.yml naming a service.
 */
export function projectFunctionPrefix(cwd: string): string | undefined {
  const file = join(cwd, "serverless.yml");
  if (!existsSync(file)) return undefined;
  const service = /^service:\s*["']?([A-Za-z0-9][A-Za-z0-9-]*)/m.exec(readFileSync(file, "utf8"))?.[1];
  return service === undefined ? undefined : `${service}-${STAGE}-`;
}

/** The serverless CLI installed in the project at `cwd` (serverless, or osls under that name). */
export function serverlessCli(cwd: string): string {
  const require = createRequire(join(cwd, "package.json"));
  let manifest: string;
  try {
    manifest = require.resolve("serverless/package.json");
  } catch {
    throw new Error(`serverless is not installed in ${cwd}: add it to the project (npm install --save-dev serverless@npm:osls, the open serverless 4).`);
  }
  const { bin } = require(manifest) as { bin: Record<string, string> | string };
  const cli = typeof bin === "string" ? bin : bin["serverless"];
  if (!cli) throw new Error(`${manifest} names no serverless binary.`);
  return join(dirname(manifest), cli);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function waitUntilListening(
  child: ChildProcess,
  host: string,
  ports: readonly number[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await accepts(host, port))) {
      signal?.throwIfAborted();
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`it exited (${child.exitCode ?? child.signalCode}) before port ${port} was open`);
      }
      if (Date.now() > giveUpAt) throw new Error(`port ${port} was not open after ${timeoutMs} ms`);
      await sleep(200, undefined, { signal });
    }
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
