/** `serve`: the local stack (gRPC front and HTTP routes) over the built-in and given connectors. */
import { DEFAULT_HTTP_PORT, startLocalStack } from "../../local/local-stack.js";
import { DEFAULT_GRPC_PORT } from "../../transport/grpc/index.js";
import { describeError, ExitCode, integerFlag, listFlag, stringFlag, type Command } from "../command.js";
import { connectorOption, inProcessRegistry } from "../transport-flags.js";

export const serveCommand: Command = {
  name: "serve",
  summary: "Serve connectors locally: the gRPC front and the HTTP routes, until Ctrl-C.",
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
      description: `Port of the HTTP routes (default ${DEFAULT_HTTP_PORT}; 0 picks a free one).`,
    },
    host: {
      type: "string",
      value: "<address>",
      description: "Interface to listen on (default 127.0.0.1; 0.0.0.0 to be reached from a Flyte sandbox).",
    },
    ...connectorOption,
  },
  details: `Serves the connectors of functions/registry.ts, plus those of every --connector module.
FlytePropeller's connector plugin can dial the gRPC port as it is.

Examples:
  flyte-connector serve
  flyte-connector serve --grpc-port 8001 --connector ./my-connector.ts`,

  async run(flags, _positionals, io) {
    const grpcPort = integerFlag(flags, "grpc-port", 0, 65_535);
    const httpPort = integerFlag(flags, "http-port", 0, 65_535);
    const registry = await inProcessRegistry(listFlag(flags, "connector"), io.cwd);
    const stack = await startLocalStack({
      registry,
      grpcPort,
      httpPort,
      host: stringFlag(flags, "host"),
      logger: {
        info: (message) => io.stdout.write(`${message}\n`),
        error: (message, ...extra) => io.stderr.write(`${[message, ...extra.map(describeError)].join(" ")}\n`),
      },
    });
    io.stdout.write("Ctrl-C to stop.\n");
    await io.untilStopped();
    await stack.close();
    return ExitCode.OK;
  },
};
