/**
 * `serverless offline` as a child of the local stack, for `npm run start:offline` (this
 * repository's, or a project's made by `flyte-connector init`): the built functions
 * (.build/*.zip) of the serverless.yml in the working directory behind a local HTTP API and a
 * Lambda Invoke endpoint, its output on ours. It runs in its own process group, ended with the parent.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { operationNames } from "../service/operations.js";
import { dialableHost, hostForUrl } from "../transport/grpc/server.js";

export interface ServerlessOfflineOptions {
  /** The directory holding serverless.yml and .build/. */
  readonly cwd: string;
  readonly host: string;
  readonly httpPort: number;
  readonly lambdaPort: number;
  /** Default 60 s. */
  readonly readyTimeoutMs?: number;
}

export interface ServerlessOfflineProcess {
  /** `endpoint` for `@aws-sdk/client-lambda`. */
  readonly lambdaEndpoint: string;
  /** What the functions are invoked by, before the operation: `<service>-dev-` of serverless.yml. */
  readonly functionPrefix: string;
  readonly httpUrl: string;
  stop(): void;
}

export async function startServerlessOffline(options: ServerlessOfflineOptions): Promise<ServerlessOfflineProcess> {
  const functionPrefix = `${serviceName(options.cwd)}-${STAGE}-`;
  const missing = operationNames.filter((name) => !existsSync(join(options.cwd, ".build", `${name}.zip`)));
  if (missing.length > 0) {
    throw new Error(`The functions are not built (no .build/${missing[0]}.zip): run \`npm run build\` first.`);
  }
  const local = dialableHost(options.host);
  for (const port of [options.httpPort, options.lambdaPort]) {
    if (await accepts(local, port)) throw new Error(`Port ${port} is already in use; serverless offline needs it.`);
  }
  const args = ["offline", "start", "--host", options.host, "--httpPort", String(options.httpPort), "--lambdaPort", String(options.lambdaPort)];
  const child = spawn(process.execPath, [serverlessCli(options.cwd), ...args], { cwd: options.cwd, detached: true, stdio: "inherit" });
  const stop = () => {
    process.removeListener("exit", stop);
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", stop);

  const giveUpAt = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (const port of [options.httpPort, options.lambdaPort]) {
    while (!(await accepts(local, port))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        stop();
        throw new Error(`serverless offline exited (${child.exitCode ?? child.signalCode}) before port ${port} was open.`);
      }
      if (Date.now() > giveUpAt) {
        stop();
        throw new Error(`serverless offline did not open port ${port} in time.`);
      }
      await sleep(200);
    }
  }
  const base = (port: number) => `http://${hostForUrl(local)}:${port}`;
  return { lambdaEndpoint: base(options.lambdaPort), functionPrefix, httpUrl: base(options.httpPort), stop };
}

/** serverless' default stage, which offline runs unless told otherwise. */
const STAGE = "dev";

/** The `service:` of the serverless.yml in `cwd`: the functions are named `<service>-<stage>-<op>`. */
function serviceName(cwd: string): string {
  const file = join(cwd, "serverless.yml");
  if (!existsSync(file)) throw new Error(`No serverless.yml in ${cwd}: run serve --backend offline in the project that deploys the functions.`);
  const service = /^service:\s*["']?([A-Za-z0-9][A-Za-z0-9-]*)/m.exec(readFileSync(file, "utf8"))?.[1];
  if (service === undefined) throw new Error(`${file} names no service: serve --backend offline needs it to name the functions.`);
  return service;
}

/** The serverless CLI installed in the project at `cwd` (serverless, or osls under that name). */
export function serverlessCli(cwd: string): string {
  const require = createRequire(join(cwd, "package.json"));
  let manifest: string;
  try {
    manifest = require.resolve("serverless/package.json");
  } catch {
    throw new Error(`serverless is not installed in ${cwd}: add it to the project (npm install --save-dev serverless, or osls as serverless).`);
  }
  const { bin } = require(manifest) as { bin: Record<string, string> | string };
  const cli = typeof bin === "string" ? bin : bin["serverless"];
  if (!cli) throw new Error(`${manifest} names no serverless binary.`);
  return join(dirname(manifest), cli);
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
