/** `serve`: the local stack (gRPC front and HTTP routes) over the built-in and given connectors. */
import { startLocalStack } from "../../local/index.js";
import { ExitCode, integerFlag, listFlag, type Command } from "../command.js";
import { connectorOption, inProcessRegistry } from "../transport-flags.js";

export const serveCommand: Command = {
  name: "serve",
  summary: "Serve connectors locally: the gRPC front and the HTTP routes, until Ctrl-C.",
  synopsis: "[options]",
  maxPositionals: 0,
  options: {
    "grpc-port": { type: "string", value: "<port>", description: "Port of the gRPC front (default 8000; 0 picks a free one)." },
    "http-port": { type: "string", value: "<port>", description: "Port of the HTTP routes (default 3000; 0 picks a free one)." },
    ...connectorOption,
  },
  details: `Serves the connectors of functions/registry.ts, plus those of every --connector module.
FlytePropeller's connector plugin can dial the gRPC port as it is.

Examples:
  flyte-connector serve
  flyte-connector serve --grpc-port 8001 --connector ./my-connector.ts`,

  async run(flags, _positionals, io) {
    const grpcPort = integerFlag(flags, "grpc-port", 0, 65_535) ?? 8000;
    const httpPort = integerFlag(flags, "http-port", 0, 65_535) ?? 3000;
    const registry = await inProcessRegistry(listFlag(flags, "connector"), io.cwd);
    const stack = await startLocalStack({ registry, grpcPort, httpPort });
    io.stderr.write(`gRPC front on ${stack.grpcAddress}, HTTP routes on ${stack.httpUrl}. Ctrl-C to stop.\n`);
    await io.untilStopped();
    await stack.stop();
    return ExitCode.OK;
  },
};
