/**
 * `serverless offline` of this repository's serverless.yml for end-to-end tests
 * (lib/local/serverless-offline.ts, its output kept for failure messages): the deployed artifacts
 * (.build/<function>.zip, see test/support/build.ts) behind a local HTTP API and a Lambda Invoke
 * endpoint.
 *
 *   const offline = await startServerlessOffline();          // in beforeAll, after buildFunctions()
 *   await fetch(`${offline.httpUrl}/api/v1/agents`);
 *   new LambdaClient({ endpoint: offline.lambdaEndpoint, region: "us-east-1", credentials: DUMMY_CREDENTIALS })
 *     .send(new InvokeCommand({ FunctionName: offline.functionName("listAgents"), Payload }));
 *   await offline.stop();                                     // in afterAll; safe to call twice
 *
 * Ports default to FLYTE_OFFLINE_HTTP_PORT / FLYTE_OFFLINE_LAMBDA_PORT, else to free ones, so
 * several suites (and a running local stack) do not collide.
 */
import { once } from "node:events";
import { createServer } from "node:net";
import { startServerlessOffline as startOffline, type ServerlessOfflineProcess } from "../../lib/local/serverless-offline.js";
import { REPO_ROOT } from "./build.js";

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

export interface ServerlessOffline extends ServerlessOfflineProcess {
  readonly httpPort: number;
  readonly lambdaPort: number;
  /** The name to Invoke a function by, from its key in serverless.yml (e.g. `listAgents`). */
  functionName(key: string): string;
}

export async function startServerlessOffline(options: ServerlessOfflineOptions = {}): Promise<ServerlessOffline> {
  const httpPort = options.httpPort ?? portFromEnv("FLYTE_OFFLINE_HTTP_PORT") ?? (await freePort());
  const lambdaPort = options.lambdaPort ?? portFromEnv("FLYTE_OFFLINE_LAMBDA_PORT") ?? (await freePort());
  const { readyTimeoutMs } = options;
  const offline = await startOffline({ cwd: REPO_ROOT, host: "127.0.0.1", httpPort, lambdaPort, readyTimeoutMs, output: "capture" });
  return { ...offline, httpPort, lambdaPort, functionName: (key) => `${offline.functionPrefix}${key}` };
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

function portFromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === "") return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name} is not a TCP port: ${value}`);
  return port;
}
