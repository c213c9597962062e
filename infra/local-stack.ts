/**
 * `npm start`: the local stack serving the static registry (functions/registry.ts) in-process —
 * the gRPC front on :8000 and the HTTP routes on :3000, no AWS account, no Docker.
 *
 * `--offline` is the production topology on one machine: `serverless offline` runs the built
 * functions (HTTP API on :3000, Lambda Invoke on :3002) and the gRPC front invokes them through
 * the Lambda transport. Build first: `node infra/build.mjs && tsx infra/local-stack.ts --offline`.
 *
 * Flags win over the environment: --grpc-port (FLYTE_GRPC_PORT), --http-port (FLYTE_HTTP_PORT),
 * --host (FLYTE_HOST), --tls-cert and --tls-key (FLYTE_TLS_CERT, FLYTE_TLS_KEY: PEM files),
 * --lambda-port (FLYTE_LAMBDA_PORT, with --offline).
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { registry } from "../functions/registry.js";
import { createLambdaDispatch } from "../lib/client/lambda-transport.js";
import { DEFAULT_HTTP_PORT, startLocalStack } from "../lib/local/local-stack.js";
import { startServerlessOffline } from "../lib/local/serverless-offline.js";
import { DEFAULT_GRPC_PORT } from "../lib/transport/grpc/index.js";

const USAGE = `Usage: tsx infra/local-stack.ts [--grpc-port N] [--http-port N] [--host H] [--tls-cert FILE --tls-key FILE] [--offline [--lambda-port N]]`;
const DEFAULT_LAMBDA_PORT = 3002;
const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) fail(`${flag} is not a TCP port: ${value}`);
  return parsed;
}

let args;
try {
  args = parseArgs({
    options: {
      "grpc-port": { type: "string" },
      "http-port": { type: "string" },
      host: { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      offline: { type: "boolean", default: false },
      "lambda-port": { type: "string" },
      help: { type: "boolean", default: false },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const env = process.env;
const host = args.host ?? env.FLYTE_HOST ?? "127.0.0.1";
const grpcPort = port("--grpc-port", args["grpc-port"] ?? env.FLYTE_GRPC_PORT, DEFAULT_GRPC_PORT);
const httpPort = port("--http-port", args["http-port"] ?? env.FLYTE_HTTP_PORT, DEFAULT_HTTP_PORT);
const cert = args["tls-cert"] ?? env.FLYTE_TLS_CERT;
const key = args["tls-key"] ?? env.FLYTE_TLS_KEY;
if ((cert === undefined) !== (key === undefined)) fail("TLS needs both --tls-cert and --tls-key.");
const tls = cert !== undefined && key !== undefined ? { cert, key } : undefined;
const common = { grpcPort, host, tls, handleSignals: true } as const;

try {
  if (args.offline) {
    const lambdaPort = port("--lambda-port", args["lambda-port"] ?? env.FLYTE_LAMBDA_PORT, DEFAULT_LAMBDA_PORT);
    const offline = await startServerlessOffline({ cwd: REPO_ROOT, host, httpPort, lambdaPort });
    // serverless offline checks no signatures: any credentials do.
    const client = new LambdaClient({
      endpoint: offline.lambdaEndpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "offline", secretAccessKey: "offline" },
      maxAttempts: 1,
    });
    try {
      await startLocalStack({ ...common, dispatch: createLambdaDispatch({ client }), httpPort: false });
    } catch (error) {
      offline.stop();
      throw error;
    }
    console.info(`HTTP routes on ${offline.httpUrl} (serverless offline)`);
  } else {
    await startLocalStack({ ...common, registry, httpPort });
  }
} catch (error) {
  console.error(`The local stack did not start: ${(error as Error).message}`);
  process.exit(1);
}
