/** The flags that choose how `list`, `run` and `call` reach the service (by default as `serve` runs it), and the client they make. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConnectorClient } from "../client/client.js";
import { projectFunctionPrefix } from "../local/serverless-offline.js";
import { DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT } from "../transport/addresses.js";
import { DEFAULT_FUNCTION_PREFIX } from "../client/lambda-transport.js";
import { ConnectorNotFoundError } from "../connector/errors.js";
import type { ConnectorRegistry } from "../connector/registry.js";
import { PROTOCOLS } from "../service/flyteidl2/operations.js";
import { choiceFlag, integerFlag, listFlag, stringFlag, UsageError, type Flags, type OptionSpecs } from "./command.js";
import { loadRegistryModule, registerConnectorModules } from "./connector-modules.js";
import { REGISTRY_MODULE } from "./project-layout.js";

export const TRANSPORTS = ["in-process", "grpc", "http", "lambda"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export const DEFAULT_GRPC_ADDRESS = `localhost:${DEFAULT_GRPC_PORT}`;
export const DEFAULT_HTTP_URL = `http://localhost:${DEFAULT_HTTP_PORT}`;

/** The connectors served in-process: a registry module, and connector modules over it. */
export const connectorOption: OptionSpecs = {
  registry: {
    type: "string",
    value: "<module>",
    description: "Serve the 'registry' this module exports (a ConnectorRegistry) instead of the built-in connectors.",
  },
  connector: {
    type: "string",
    multiple: true,
    value: "<module>",
    description: "Register the connectors a module exports (default or named; instances or classes).",
  },
};

export const transportOptions: OptionSpecs = {
  transport: {
    type: "string",
    short: "t",
    value: "<name>",
    description: `How to reach the service: ${TRANSPORTS.join(", ")} (default in-process).`,
  },
  ...inProcess(connectorOption),
  address: {
    type: "string",
    value: "<host[:port]>",
    description: `grpc: the gRPC front, plaintext (default ${DEFAULT_GRPC_ADDRESS}; the port defaults to ${DEFAULT_GRPC_PORT}, serve's).`,
  },
  url: { type: "string", value: "<url>", description: `http: base URL of the HTTP routes (default ${DEFAULT_HTTP_URL}).` },
  format: { type: "string", value: "<format>", description: "http: body format, protobuf (default) or json." },
  sign: { type: "boolean", description: "http: sign requests with SigV4 for an IAM-protected API Gateway." },
  "function-prefix": {
    type: "string",
    value: "<prefix>",
    description: `lambda: function names are <prefix><op> (default <service>-dev- of ./serverless.yml, else ${DEFAULT_FUNCTION_PREFIX}).`,
  },
  endpoint: {
    type: "string",
    value: "<url>",
    description: "lambda: Lambda API endpoint, e.g. http://localhost:3002 (serverless offline).",
  },
  region: { type: "string", value: "<region>", description: "lambda, http --sign: AWS region (default: AWS SDK chain)." },
  protocol: {
    type: "string",
    value: "<name>",
    description: `The protocol to call with: ${PROTOCOLS.join(" (Flyte 1, the default) or ")} (Flyte 2's connector services).`,
  },
};

/** The options, each described as one for `in-process` alone. */
export function inProcess(options: OptionSpecs): OptionSpecs {
  return Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { ...spec, description: `in-process: ${spec.description}` }]));
}

/** Which transports each specific flag means something to. */
const FLAG_TRANSPORTS: Readonly<Record<string, readonly TransportName[]>> = {
  registry: ["in-process"],
  connector: ["in-process"],
  address: ["grpc"],
  url: ["http"],
  format: ["http"],
  sign: ["http"],
  "function-prefix": ["lambda"],
  endpoint: ["lambda"],
  region: ["lambda", "http"],
};

/** A client for the transport the flags name; a flag meant for another transport is a usage error. */
export async function clientFromFlags(flags: Flags, cwd: string): Promise<ConnectorClient> {
  const transport = choiceFlag(flags, "transport", TRANSPORTS, "in-process");
  for (const [flag, transports] of Object.entries(FLAG_TRANSPORTS)) {
    if (flags[flag] !== undefined && !transports.includes(transport)) {
      throw new UsageError(`--${flag} applies to --transport ${transports.join(" or ")}, not ${transport}.`);
    }
  }
  const protocol = choiceFlag(flags, "protocol", PROTOCOLS, "flyteidl");
  const client = await transportClient(transport, flags, cwd);
  return protocol === "flyteidl2" ? client.overFlyteidl2() : client;
}

async function transportClient(transport: TransportName, flags: Flags, cwd: string): Promise<ConnectorClient> {
  const region = stringFlag(flags, "region");
  switch (transport) {
    case "in-process":
      return ConnectorClient.inProcess(await inProcessRegistry(flags, cwd));
    case "grpc": {
      const address = stringFlag(flags, "address") ?? DEFAULT_GRPC_ADDRESS;
      // grpc-js would take the scheme for a host name and fail to resolve it.
      if (/^https?:\/\//i.test(address)) throw new UsageError(`--address takes host[:port], not a URL: got '${address}'.`);
      return ConnectorClient.grpc({ address: withGrpcPort(address) });
    }
    case "http": {
      const baseUrl = httpUrlFlag(flags, "url") ?? DEFAULT_HTTP_URL;
      const format = choiceFlag(flags, "format", ["protobuf", "json"] as const, "protobuf");
      if (region !== undefined && flags.sign !== true) throw new UsageError("--region applies to http only with --sign.");
      return ConnectorClient.http({ baseUrl, format, sign: flags.sign === true ? { region: signingRegion(region) } : undefined });
    }
    case "lambda":
      return ConnectorClient.lambda({
        prefix: functionPrefixFlag(flags, cwd),
        endpoint: httpUrlFlag(flags, "endpoint"),
        region,
      });
  }
}

/** The `--registry` module's registry, else the built-in one of functions/registry.ts, with the `--connector` modules' connectors over it. */
export async function inProcessRegistry(flags: Flags, cwd: string): Promise<ConnectorRegistry> {
  const module = stringFlag(flags, "registry");
  // Imported on demand: the other transports must not load every built-in connector.
  const registry = module === undefined ? (await import("../../functions/registry.js")).registry : await loadRegistryModule(module, cwd);
  return registerConnectorModules(registry, listFlag(flags, "connector"), cwd);
}

/**
 * The error, with a hint when it is the built-in connectors' NOT_FOUND for a task category in a
 * project `flyte-connector init` made: its connectors are served only with --registry, which an
 * author running `run --type job` there easily leaves out.
 */
export function withRegistryHint(error: unknown, flags: Flags, cwd: string): unknown {
  const builtIn = flags.registry === undefined && choiceFlag(flags, "transport", TRANSPORTS, "in-process") === "in-process";
  // The registry's connectorNotFound; a connector's own NOT_FOUND (a job gone) says nothing of the registry.
  if (!builtIn || !(error instanceof ConnectorNotFoundError) || !error.message.startsWith("Cannot find connector for task category:")) {
    return error;
  }
  if (!existsSync(resolve(cwd, REGISTRY_MODULE))) return error;
  return new ConnectorNotFoundError(`${error.message} This project's connectors load with --registry ${REGISTRY_MODULE}.`, { cause: error });
}

/** `--timeout`: the deadline of each call to the service, in seconds (list, run, call). */
export const timeoutOption: OptionSpecs = {
  timeout: { type: "string", value: "<s>", description: "Deadline of each call to the service (default 60)." },
};

/** `--timeout` in milliseconds, 60 s when not given. */
export function callTimeoutMs(flags: Flags): number {
  return (integerFlag(flags, "timeout", 1, 86_400) ?? 60) * 1000;
}

/**
 * --function-prefix, else the functions of the project in `cwd` as its serverless.yml names them
 * (what `serve --backend offline` runs there); undefined leaves the transport's default.
 */
export function functionPrefixFlag(flags: Flags, cwd: string): string | undefined {
  return stringFlag(flags, "function-prefix") ?? projectFunctionPrefix(cwd);
}

/**
 * A host with no port dials serve's port: left to grpc-js it would be 443, a TLS port, which a
 * plaintext client never wants. A host name, an IPv4 address or a bracketed IPv6 one gets the
 * port; anything else (`host:port`, a grpc-js target such as `unix:/path` or `dns:///host`) is
 * passed as given.
 */
export function withGrpcPort(address: string): string {
  return /^(?:[^:/[\]]+|\[[^\]]*\])$/.test(address) ? `${address}:${DEFAULT_GRPC_PORT}` : address;
}

/**
 * A URL flag's value, checked: `localhost:3000` parses as a URL whose scheme is `localhost:`, which
 * fetch and the AWS SDK refuse only later, with messages that do not name the flag.
 */
export function httpUrlFlag(flags: Flags, name: string): string | undefined {
  const text = stringFlag(flags, name);
  if (text !== undefined && !(URL.canParse(text) && /^https?:$/.test(new URL(text).protocol))) {
    throw new UsageError(`--${name} must be an http:// or https:// URL, got '${text}'.`);
  }
  return text;
}

function signingRegion(region: string | undefined): string {
  const resolved = region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!resolved) throw new UsageError("--sign needs a region: give --region or set AWS_REGION.");
  return resolved;
}
