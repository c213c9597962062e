/** `call <op>`: one raw call of any operation, proto3 JSON in and out. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { errorMessage } from "../../connector/errors.js";
import { fromJson, toJson } from "../../idl/json-mapping.js";
import { isOperationName, operationNames, operations, type Operation } from "../../service/operations.js";
import { ExitCode, stringFlag, UsageError, type CliIo, type Command, type Flags } from "../command.js";
import { callTimeoutMs, clientFromFlags, timeoutOption, transportOptions, withRegistryHint } from "../transport-flags.js";

export const callCommand: Command = {
  synopsis: "[options] <op>",
  maxPositionals: 1,
  options: {
    body: { type: "string", short: "b", value: "<json>", description: "The request in proto3 JSON (default {})." },
    "body-file": { type: "string", value: "<file>", description: "Read the request from a file ('-' for stdin)." },
    ...timeoutOption,
    ...transportOptions,
  },
  details: `<op> is one of ${operationNames.join(", ")}.
The request and response are proto3 JSON (docs/CONTRACT.md §3). executeTaskSync takes an array of
messages (a header, then the inputs); getTaskLogs and executeTaskSync print an array.

Examples:
  flyte-connector call listAgents
  flyte-connector call getAgent --body '{"name": "Sleep Connector"}'
  flyte-connector call getTask --body-file request.json --transport http`,

  async run(flags, positionals, io) {
    const [name] = positionals;
    if (name === undefined) throw new UsageError(`Name the operation to call: ${operationNames.join(", ")}.`);
    if (!isOperationName(name)) throw new UsageError(`Unknown operation '${name}': expected one of ${operationNames.join(", ")}.`);
    const operation: Operation = operations[name];
    const requests = parseRequests(operation, await requestText(flags, io));
    const timeoutMs = callTimeoutMs(flags);
    const client = await clientFromFlags(flags, io.cwd);
    try {
      const responses = await client.dispatch(name, requests, { deadline: Date.now() + timeoutMs }).catch((error: unknown) => {
        throw withRegistryHint(error, flags, io.cwd);
      });
      const json = responses.map((response) => toJson(operation.responseTypeName, response));
      io.stdout.write(`${JSON.stringify(operation.responseStream ? json : json[0], null, 2)}\n`);
      return ExitCode.OK;
    } finally {
      client.close();
    }
  },
};

async function requestText(flags: Flags, io: CliIo): Promise<string> {
  const body = stringFlag(flags, "body");
  const file = stringFlag(flags, "body-file");
  if (body !== undefined && file !== undefined) throw new UsageError("Give --body or --body-file, not both.");
  if (file === undefined) return body ?? "";
  try {
    return file === "-" ? await readAll(io.stdin) : await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read --body-file '${file}': ${errorMessage(error)}`);
  }
}

function parseRequests(operation: Operation, text: string): object[] {
  let json: unknown;
  try {
    json = text.trim() === "" ? (operation.requestStream ? [] : {}) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The request is not JSON: ${errorMessage(error)}`);
  }
  if (operation.requestStream && !Array.isArray(json)) {
    throw new UsageError(`${operation.name} takes an array of request messages.`);
  }
  const messages: unknown[] = operation.requestStream ? (json as unknown[]) : [json];
  return messages.map((message, index) => {
    try {
      return fromJson(operation.requestTypeName, message);
    } catch (error) {
      const where = operation.requestStream ? `message ${index}` : "The request";
      throw new UsageError(`${where} is not a valid ${operation.requestTypeName}: ${errorMessage(error)}`);
    }
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
