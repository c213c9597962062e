/** `run`: one task to the end, with its progress on stderr and its outputs as JSON on stdout. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ConnectorClient } from "../../client/client.js";
import { runTask, TaskCancelledError, TaskRunFailedError } from "../../client/executor.js";
import { ProgressDisplay } from "../../client/progress.js";
import { errorMessage, InternalError } from "../../connector/errors.js";
import { Phase } from "../../connector/phase.js";
import { knownSecrets } from "../../connector/redact.js";
import { TaskCategory } from "../../connector/task-category.js";
import { flyteidl, type google } from "../../idl/index.js";
import { fromJson } from "../../idl/json-mapping.js";
import { structFromJson, toLiteralMap } from "../../literals/index.js";
import { describeError, ExitCode, integerFlag, listFlag, loggedError, stringFlag, UsageError, type CliIo, type Command, type Flags } from "../command.js";
import { parseInputs, parseInputValue, withDeclaredInputs } from "../input-values.js";
import { plainToJson } from "../plain-json.js";
import { callTimeoutMs, clientFromFlags, timeoutOption, transportOptions, withRegistryHint } from "../transport-flags.js";

export const runCommand: Command = {
  synopsis: "[options] [template.json]",
  maxPositionals: 1,
  options: {
    type: { type: "string", value: "<task type>", description: "Task type to run, when no template file is given." },
    version: {
      type: "string",
      value: "<n>",
      description: "Task type version (default 0, or N when --type is name_vN; with --version, --type is taken as is).",
    },
    custom: { type: "string", value: "<json>", description: "The template's custom field, a JSON object." },
    input: {
      type: "string",
      short: "i",
      multiple: true,
      value: "<name=value>",
      description:
        "An input, read by its declared type (a string as written, a datetime as RFC 3339, a duration as 1.5s); " +
        "undeclared, JSON when it parses as JSON (1, true, [1,2]), else text.",
    },
    "output-prefix": { type: "string", value: "<uri>", description: "Where the task may write its outputs (default none)." },
    "poll-interval": { type: "string", value: "<ms>", description: "Between two GetTask calls (default 1000)." },
    ...timeoutOption,
    ...transportOptions,
  },
  details: `The task is a TaskTemplate in proto3 JSON (template.json), or --type with its inputs.
Every input a template declares must be given with -i, as FlytePropeller gives them all; an
Optional one left out is none.
Progress goes to stderr, outputs to stdout. Exit status: 0 when the task succeeds, 1 when it
fails (its message on stderr), 2 for a command line that cannot be used, 130 after Ctrl-C
(which deletes the running task first).

Examples:
  flyte-connector run --type sleep --input seconds=2
  flyte-connector run --type sleep_v0 --input seconds=2
  flyte-connector run --type echo -i x=1 -i 'y="text"'
  flyte-connector run task.json --transport grpc --address localhost:8000`,

  async run(flags, positionals, io) {
    const [templateFile] = positionals;
    const template = templateFile === undefined ? templateFromFlags(flags) : await templateFromFile(templateFile, flags, io.cwd);
    const variables = template.interface?.inputs?.variables;
    const inputs = inputLiterals(withDeclaredInputs(parseInputs(listFlag(flags, "input"), variables), variables), template);
    const pollIntervalMs = integerFlag(flags, "poll-interval", 10, 3_600_000);
    const timeoutMs = callTimeoutMs(flags);
    const client = await clientFromFlags(flags, io.cwd);
    try {
      return await runWithDisplay(client, template, inputs, io, flags, {
        outputPrefix: stringFlag(flags, "output-prefix"),
        pollIntervalMs,
        callTimeoutMs: timeoutMs,
      });
    } finally {
      client.close();
    }
  },
};

async function runWithDisplay(
  client: ConnectorClient,
  template: flyteidl.core.ITaskTemplate,
  inputs: flyteidl.core.LiteralMap | null,
  io: CliIo,
  flags: Flags,
  options: { outputPrefix?: string; pollIntervalMs?: number; callTimeoutMs?: number },
): Promise<number> {
  const display = new ProgressDisplay({ stream: io.stderr, title: taskTitle(template) });
  const controller = new AbortController();
  const stopListening = io.onInterrupt(() => {
    if (!controller.signal.aborted) {
      display.note("cancelling (Ctrl-C again to quit without deleting the task)");
      controller.abort();
      return;
    }
    display.finish({ succeeded: false, state: "INTERRUPTED", message: "the task may still be running" });
    io.exit(ExitCode.INTERRUPTED);
  });
  try {
    const result = await runTask({
      client,
      template,
      inputs,
      signal: controller.signal,
      onProgress: (status) => display.update(status),
      ...options,
    });
    display.finish({ succeeded: true, state: Phase[result.phase] ?? String(result.phase), message: result.message });
    io.stdout.write(`${plainToJson(result.outputs ?? {})}\n`);
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof TaskCancelledError) {
      display.finish({ succeeded: false, state: "CANCELLED", message: error.message });
      return ExitCode.INTERRUPTED;
    }
    if (error instanceof TaskRunFailedError) {
      display.finish({ succeeded: false, state: Phase[error.phase] ?? String(error.phase), message: error.taskMessage });
      return ExitCode.FAILURE;
    }
    // The display's last line says it all; printing the error again would only repeat it.
    display.finish({ succeeded: false, state: "ERROR", message: describeError(withRegistryHint(error, flags, io.cwd)) });
    // An in-process connector's bug keeps its own error, whose stack says where (a transport's answer has none).
    if (error instanceof InternalError && error.cause instanceof Error) io.stderr.write(`${knownSecrets.text(loggedError(error.cause))}\n`);
    return ExitCode.FAILURE;
  } finally {
    stopListening();
  }
}

/** A task category as printed, `<type>_v<version>`. */
const CATEGORY = /^(.+)_v(\d{1,9})$/;

function templateFromFlags(flags: Flags): flyteidl.core.ITaskTemplate {
  const given = stringFlag(flags, "type");
  if (given === undefined) throw new UsageError("Give a template file or --type.");
  if (!given) throw new UsageError("--type must not be empty.");
  const explicitVersion = integerFlag(flags, "version", 0, 2 ** 31 - 1);
  // `sleep_v0` is how categories print (list, errors): read it as type and version. With
  // --version given the type is taken as is, for a task type whose own name ends in _vN.
  const category = explicitVersion === undefined ? CATEGORY.exec(given) : null;
  const type = category ? category[1]! : given;
  const version = category ? Number(category[2]) : (explicitVersion ?? 0);
  const custom = customFlag(flags);
  return {
    id: { resourceType: flyteidl.core.ResourceType.TASK, project: "local", domain: "development", name: type, version: "local" },
    type,
    taskTypeVersion: version,
    ...(custom ? { custom } : {}),
  };
}

async function templateFromFile(file: string, flags: Flags, cwd: string): Promise<flyteidl.core.ITaskTemplate> {
  for (const flag of ["type", "version", "custom"]) {
    if (flags[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with a template file.`);
  }
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read template file '${file}': ${errorMessage(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Template file '${file}' is not JSON: ${errorMessage(error)}`);
  }
  try {
    return fromJson("flyteidl.core.TaskTemplate", json) as flyteidl.core.TaskTemplate;
  } catch (error) {
    throw new UsageError(`Template file '${file}' is not a TaskTemplate: ${errorMessage(error)}`);
  }
}

/** Converted here rather than by the executor, so that a value that does not fit its declared type is a usage error. */
function inputLiterals(values: Record<string, unknown>, template: flyteidl.core.ITaskTemplate): flyteidl.core.LiteralMap | null {
  if (Object.keys(values).length === 0) return null;
  try {
    return toLiteralMap(values, template.interface?.inputs?.variables ?? null, "input");
  } catch (error) {
    throw new UsageError(`Bad --input: ${errorMessage(error)}`);
  }
}

function customFlag(flags: Flags): google.protobuf.Struct | undefined {
  const text = stringFlag(flags, "custom");
  if (text === undefined) return undefined;
  const value = parseInputValue(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`--custom must be a JSON object, got '${text}'.`);
  }
  try {
    return structFromJson(value as Record<string, unknown>, "--custom");
  } catch (error) {
    // JSON a Struct cannot hold (1e400, a number beyond 2^53): the command line is at fault.
    throw new UsageError(`Bad --custom: ${errorMessage(error)}`);
  }
}

/** `sleep_v0`, or `my-task (sleep_v0)` when the template names the task. */
function taskTitle(template: flyteidl.core.ITaskTemplate): string {
  const category = new TaskCategory(template.type ?? "", template.taskTypeVersion ?? 0).toString();
  const name = template.id?.name;
  return name && name !== template.type ? `${name} (${category})` : category;
}
