/**
 * `serve`: the gRPC front FlytePropeller dials, and the HTTP routes, over one backend — the
 * connectors in this process (`npm start`), the deployed functions (a production gRPC front), or
 * the built functions under `serverless offline` (`npm run start:offline`).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { setLogger } from "@grpc/grpc-js";
import { PortInUseError, startLocalStack, type LocalStackOptions } from "../../local/local-stack.js";
import { startServerlessOffline } from "../../local/serverless-offline.js";
import { createLambdaDispatch } from "../../client/lambda-transport.js";
import { DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT } from "../../transport/addresses.js";
import { createFrontMetrics, startMetricsServer } from "../../transport/grpc/metrics.js";
import { metaSealerFromEnv } from "../../service/meta-keys.js";
import { knownSecrets } from "../../connector/redact.js";
import { ConnectorService } from "../../service/service.js";
import { choiceFlag, describeError, ExitCode, integerFlag, loggedError, stringFlag, UsageError, type Command, type Flags } from "../command.js";
import { connectorOption, functionPrefixFlag, httpUrlFlag, inProcess, inProcessRegistry, transportOptions } from "../transport-flags.js";

const BACKENDS = ["in-process", "lambda", "offline"] as const;
type Backend = (typeof BACKENDS)[number];
const DEFAULT_LAMBDA_PORT = 3002;

/** Flags a container can also take from the environment (flags win). */
const ENVIRONMENT: Readonly<Record<string, string>> = {
  "grpc-port": "FLYTE_GRPC_PORT",
  "http-port": "FLYTE_HTTP_PORT",
  host: "FLYTE_HOST",
  "tls-cert": "FLYTE_TLS_CERT",
  "tls-key": "FLYTE_TLS_KEY",
  backend: "FLYTE_BACKEND",
  "function-prefix": "FLYTE_FUNCTION_PREFIX",
  "metrics-port": "FLYTE_METRICS_PORT",
};

/** Which backends each specific flag means something to. */
const FLAG_BACKENDS: Readonly<Record<string, readonly Backend[]>> = {
  registry: ["in-process"],
  connector: ["in-process"],
  "function-prefix": ["lambda"],
  endpoint: ["lambda"],
  region: ["lambda"],
  "lambda-port": ["offline"],
};

export const serveCommand: Command = {
  synopsis: "[options]",
  maxPositionals: 0,
  options: {
    "grpc-port": {
      type: "string",
      value: "<port>",
      description: `Port of the gRPC front (default ${DEFAULT_GRPC_PORT}; 0 picks a free one).`,
    },
    "http-port": {
      type: "string",
      value: "<port>",
      description: `Port of the HTTP routes (default ${DEFAULT_HTTP_PORT}; 0 picks a free one; with --backend lambda, none unless given).`,
    },
    host: {
      type: "string",
      value: "<address>",
      description: "Interface to listen on (default 127.0.0.1; 0.0.0.0 to be reached from FlytePropeller or a Flyte sandbox).",
    },
    "tls-cert": { type: "string", value: "<file>", description: "Serve gRPC over TLS with this PEM certificate (with --tls-key)." },
    "tls-key": { type: "string", value: "<file>", description: "The PEM private key of --tls-cert." },
    backend: {
      type: "string",
      short: "b",
      value: "<name>",
      description: `What answers the calls: ${BACKENDS.join(", ")} (default in-process).`,
    },
    ...inProcess(connectorOption),
    "function-prefix": transportOptions["function-prefix"]!,
    endpoint: transportOptions.endpoint!,
    region: { ...transportOptions.region!, description: "lambda: AWS region (default: AWS SDK chain)." },
    "lambda-port": {
      type: "string",
      value: "<port>",
      description: `offline: port of serverless offline's Lambda Invoke endpoint (default ${DEFAULT_LAMBDA_PORT}).`,
    },
    "metrics-port": {
      type: "string",
      value: "<port>",
      description: "Serve Prometheus metrics on GET /metrics at this port (none unless given; 9090 is flytekit's; 0 picks a free one).",
    },
  },
  details: `in-process serves the connectors of the --registry module (default: the built-in ones of
functions/registry.ts) plus those of every --connector module. lambda invokes the deployed functions (<prefix><op>; credentials from the AWS SDK chain):
the gRPC front of a deployment. offline runs the built functions (npm run build, or
flyte-connector build --registry) of the serverless.yml in the working directory under
serverless offline — HTTP API on --http-port, Lambda Invoke on --lambda-port — with the gRPC
front invoking them: the production topology on one machine.
Flags may also come from FLYTE_GRPC_PORT, FLYTE_HTTP_PORT, FLYTE_HOST, FLYTE_TLS_CERT,
FLYTE_TLS_KEY, FLYTE_BACKEND, FLYTE_FUNCTION_PREFIX and FLYTE_METRICS_PORT.

Examples:
  flyte-connector serve
  flyte-connector serve --grpc-port 8001 --connector ./my-connector.ts
  flyte-connector serve --registry ./src/registry.ts
  flyte-connector serve --backend lambda --function-prefix flyte-connectors-prod- --host 0.0.0.0`,

  async run(givenFlags, _positionals, io) {
    const flags = withEnvironment(givenFlags);
    const backend = choiceFlag(flags, "backend", BACKENDS, "in-process");
    for (const [flag, backends] of Object.entries(FLAG_BACKENDS)) {
      if (flags[flag] !== undefined && !backends.includes(backend)) {
        throw new UsageError(`--${flag} applies to --backend ${backends.join(" or ")}, not ${backend}.`);
      }
    }
    const host = stringFlag(flags, "host") ?? "127.0.0.1";
    quietBindFailures();
    const httpPort = integerFlag(flags, "http-port", 0, 65_535);
    const metricsPort = integerFlag(flags, "metrics-port", 0, 65_535);
    const common = {
      grpcPort: integerFlag(flags, "grpc-port", 0, 65_535),
      host,
      tls: tlsFlags(flags),
      logger: {
        info: (message: string) => io.stdout.write(`${message}\n`),
        // No secret read so far reaches the log, however the error quotes it.
        error: (message: string, ...extra: unknown[]) => io.stderr.write(`${knownSecrets.text([message, ...extra.map(loggedError)].join(": "))}\n`),
      },
    };

    // Listened for from the start: a Ctrl-C while serverless offline starts must stop it too.
    const stopping = new AbortController();
    const stopped = io.untilStopped().then((signal) => {
      stopping.abort(new StoppedWhileStarting(signal));
      return signal;
    });

    let options: LocalStackOptions;
    let stopOffline = async () => {};
    switch (backend) {
      case "in-process":
        options = { ...common, httpPort, registry: await inProcessRegistry(flags, io.cwd) };
        break;
      case "lambda":
        options = {
          ...common,
          httpPort: httpPort ?? false,
          dispatch: createLambdaDispatch({
            prefix: functionPrefixFlag(flags, io.cwd),
            endpoint: httpUrlFlag(flags, "endpoint"),
            region: stringFlag(flags, "region"),
          }),
        };
        break;
      case "offline": {
        const offline = await startServerlessOffline({
          cwd: io.cwd,
          host,
          httpPort: httpPort ?? DEFAULT_HTTP_PORT,
          lambdaPort: integerFlag(flags, "lambda-port", 1, 65_535) ?? DEFAULT_LAMBDA_PORT,
          signal: stopping.signal,
        }).catch((error: unknown) => {
          if (error instanceof StoppedWhileStarting) return error;
          throw error;
        });
        if (offline instanceof StoppedWhileStarting) {
          io.stdout.write(`${offline.signal}: stopped serverless offline while it started.\n`);
          return ExitCode.OK;
        }
        stopOffline = offline.stop;
        // serverless offline checks no signatures: any credentials do.
        process.env.AWS_ACCESS_KEY_ID ??= "offline";
        process.env.AWS_SECRET_ACCESS_KEY ??= "offline";
        const dispatch = createLambdaDispatch({ endpoint: offline.lambdaEndpoint, region: "us-east-1", prefix: offline.functionPrefix });
        options = { ...common, httpPort: false, dispatch };
        io.stdout.write(`HTTP routes on ${offline.httpUrl} (serverless offline)\n`);
        break;
      }
    }

    let metricsServer;
    if (metricsPort !== undefined) {
      const metrics = createFrontMetrics();
      const served = options.dispatch ?? new ConnectorService(options.registry!, { logger: common.logger, metaSealer: metaSealerFromEnv() }).dispatch;
      options = { ...options, dispatch: metrics.instrument(served) };
      metricsServer = await startMetricsServer(metrics.registry, { host, port: metricsPort }).catch(async (error: unknown) => {
        await stopOffline();
        const inUse = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
        throw inUse ? portFlagError(`Metrics port ${metricsPort} on ${host} is already in use.`, "metrics-port") : error;
      });
      io.stdout.write(`Prometheus metrics on ${metricsServer.url}\n`);
    }

    let stack;
    try {
      stack = await startLocalStack(options);
    } catch (error) {
      await metricsServer?.close();
      await stopOffline();
      throw error instanceof PortInUseError ? portFlagError(error.message, `${error.server}-port`) : error;
    }
    io.stdout.write("Ctrl-C to stop.\n");
    const signal = await stopped;
    io.stdout.write(`${signal}: shutting down.\n`);
    await stack.close();
    await metricsServer?.close();
    await stopOffline();
    return ExitCode.OK;
  },
};

/** Why a start was given up: the signal that stopped serve. */
class StoppedWhileStarting extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`${signal} while starting`);
  }
}

/** One line that names the flag that moves the port: what a person needs when a port is taken. */
function portFlagError(message: string, flag: string): Error {
  return new Error(`${message} Give another with --${flag} (0 picks a free one), or stop what holds it.`);
}

/**
 * grpc-js logs a failed bind ("No address added out of total 1 resolved") before rejecting with
 * it; serve reports the rejection, naming the flag, so that log line would only repeat it without
 * saying what to do. Its other log lines stay as they were.
 */
function quietBindFailures(): void {
  setLogger({
    ...console,
    error: (message?: unknown, ...rest: unknown[]) => {
      if (!String(message).startsWith("No address added")) console.error(`E ${String(message)}`, ...rest);
    },
  });
}

function withEnvironment(flags: Flags): Flags {
  const merged: Record<string, Flags[string]> = { ...flags };
  for (const [flag, variable] of Object.entries(ENVIRONMENT)) {
    const value = process.env[variable];
    if (merged[flag] === undefined && value !== undefined && value !== "") merged[flag] = value;
  }
  return merged;
}

function tlsFlags(flags: Flags): { cert: Buffer; key: Buffer } | undefined {
  const cert = stringFlag(flags, "tls-cert");
  const key = stringFlag(flags, "tls-key");
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new UsageError("TLS needs both --tls-cert and --tls-key.");
  const pems = { cert: readPemFlag("tls-cert", cert), key: readPemFlag("tls-key", key) };
  // Checked here: the gRPC server's own failure is a bare OpenSSL code ("PEM routines::no start line") naming neither file.
  const check = (what: () => unknown, problem: string) => {
    try {
      what();
    } catch (error) {
      throw new UsageError(`${problem}: ${describeError(error)}`);
    }
  };
  check(() => new X509Certificate(pems.cert), `--tls-cert: ${cert} is not a PEM certificate`);
  check(() => createPrivateKey(pems.key), `--tls-key: ${key} is not a PEM private key`);
  check(() => createSecureContext(pems), "--tls-key is not the key of the --tls-cert certificate");
  return pems;
}

function readPemFlag(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? describeError(error)}.`);
  }
}
