/** `list`: the connectors a service offers (ListAgents). */
import { toJson } from "../../idl/json-mapping.js";
import { formatConnectorTable } from "../../local/connector-table.js";
import { ExitCode, type Command } from "../command.js";
import { callTimeoutMs, clientFromFlags, timeoutOption, transportOptions } from "../transport-flags.js";

export const listCommand: Command = {
  synopsis: "[options]",
  maxPositionals: 0,
  options: {
    json: { type: "boolean", description: "Print the agents as proto3 JSON instead of a table." },
    ...timeoutOption,
    ...transportOptions,
  },
  details: `Examples:
  flyte-connector list
  flyte-connector list --transport grpc --address localhost:8000 --json`,

  async run(flags, _positionals, io) {
    const timeoutMs = callTimeoutMs(flags);
    const client = await clientFromFlags(flags, io.cwd);
    try {
      const agents = await client.listAgents({ deadline: Date.now() + timeoutMs });
      if (flags.json === true) {
        io.stdout.write(`${JSON.stringify(agents.map((agent) => toJson("flyteidl.admin.Agent", agent)), null, 2)}\n`);
        return ExitCode.OK;
      }
      io.stdout.write(`${formatConnectorTable(agents)}\n`);
      return ExitCode.OK;
    } finally {
      client.close();
    }
  },
};
