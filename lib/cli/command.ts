/**
 * The small frame every subcommand is written in: declared options (node's util.parseArgs,
 * strict), generated `--help`, and usage errors that exit with status 2.
 */
import { parseArgs } from "node:util";
import { ConnectorError, errorMessage } from "../connector/errors.js";

export const PROGRAM = "flyte-connector";

/** Exit statuses: 1 for a failed run or call, 2 for a command line that cannot be used, 130 after Ctrl-C. */
export const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2, INTERRUPTED: 130 } as const;

/** What a command reads and writes, so that tests can run it in-process. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly cwd: string;
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Resolves with the signal, SIGINT or SIGTERM, that stops `serve`. */
  untilStopped(): Promise<NodeJS.Signals>;
  /** Ends the program now (a second Ctrl-C when the first one's clean-up takes too long). */
  exit(code: number): void;
}

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in help, e.g. `<port>`. */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Parsed flag values: strings, booleans, or lists of strings for repeatable flags. */
export type Flags = Readonly<Record<string, string | boolean | string[] | undefined>>;

/**
 * A command as the program's help lists it. Its module, and all that module imports, loads only
 * to run it or to show its own help: `--help`, `--version` and every other command never pay for it.
 */
export interface CommandListing {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  load(): Promise<Command>;
}

export interface Command {
  /** What follows the command name, e.g. `[options] [template.json]`. */
  readonly synopsis: string;
  /** A paragraph or examples after the options. */
  readonly details?: string;
  readonly options: OptionSpecs;
  /** Most positional arguments accepted. */
  readonly maxPositionals: number;
  /** Said after "Unknown option '--x'." (where another program's options go, say). */
  readonly unknownOptionHint?: string;
  run(flags: Flags, positionals: string[], io: CliIo): Promise<number>;
}

/** A command line that cannot be used: the message says why, the exit status is 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ParsedCommandLine {
  readonly help: boolean;
  readonly flags: Flags;
  readonly positionals: string[];
}

export function parseCommandLine(command: Command, args: readonly string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs words its errors for programmers ("Unknown option '--x'. To specify a positional
    // argument starting with a '-', place it at the end of the command after '--', as in '-- \"--x\"");
    // the first sentence is what a person needs.
    const message = (error as Error).message.replace(/\. To specify a positional.*$/s, ".");
    throw new UsageError(command.unknownOptionHint && message.startsWith("Unknown option") ? `${message} ${command.unknownOptionHint}` : message);
  }
  const { help, ...flags } = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (!help && parsed.positionals.length > command.maxPositionals) {
    const extra = parsed.positionals.slice(command.maxPositionals).map((arg) => `'${arg}'`).join(", ");
    throw new UsageError(`Unexpected argument${parsed.positionals.length - command.maxPositionals > 1 ? "s" : ""}: ${extra}.`);
  }
  return { help: help === true, flags, positionals: parsed.positionals };
}

export function commandHelp(listing: CommandListing, command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.type === "string" ? ` ${spec.value ?? "<value>"}` : ""}`;
    return [flag, `${spec.description}${spec.multiple ? " (repeatable)" : ""}`] as const;
  });
  rows.push(["-h, --help", "Show this help."]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  const options = rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`).join("\n");
  const details = command.details ? `\n\n${command.details.trimEnd()}` : "";
  return `Usage: ${PROGRAM} ${listing.name} ${command.synopsis}\n\n${listing.summary}\n\nOptions:\n${options}${details}\n`;
}

/** A string flag's value, or undefined when not given. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === "string" ? value : undefined;
}

export function listFlag(flags: Flags, name: string): string[] {
  const value = flags[name];
  return Array.isArray(value) ? value : [];
}

/** A whole number within [min, max] given as a flag, e.g. a port. */
export function integerFlag(flags: Flags, name: string, min: number, max: number): number | undefined {
  const text = stringFlag(flags, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${text}'.`);
  }
  return value;
}

/** A flag restricted to a set of values. */
export function choiceFlag<T extends string>(flags: Flags, name: string, choices: readonly T[], fallback: T): T {
  const text = stringFlag(flags, name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got '${text}'.`);
  }
  return text as T;
}

/** `STATUS: message` for an error with a gRPC status, else the message. */
export function describeError(error: unknown): string {
  if (error instanceof ConnectorError) return `${error.status}: ${error.message}`;
  return errorMessage(error);
}

/**
 * An error as a log shows it: an unexpected one (a connector's bug) with its stack, which says
 * where; one with a status of its own as describeError's line.
 */
export function loggedError(error: unknown): string {
  if (error instanceof Error && !(error instanceof ConnectorError) && error.stack) return error.stack;
  return describeError(error);
}
